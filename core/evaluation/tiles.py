"""The headline numbers of a run as tiles, and their deltas against another run (previous or baseline).

Pages show these tiles; the definitions live here so a test can check every number a page shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from core.config import DataConfig, ModelConfig, ModelKind
from core.records.result import RunResult


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    unit: str  # "%", "s", "ms", "MB", "" ...
    higher_is_better: bool
    get: Callable[[RunResult], float | None]
    help: str
    percent: bool = False  # shown ×100 with deltas in percentage points


_MACRO = (
    "Binary: of the positive class named in the label (set on the Data page); multi-class: the unweighted "
    "(macro) mean over classes."
)
TILES: tuple[Tile, ...] = (
    Tile(
        "accuracy",
        "Val accuracy",
        "%",
        True,
        lambda r: r.validation.accuracy,
        "Share of validation rows classified correctly.",
        percent=True,
    ),
    Tile(
        "precision",
        "Precision",
        "%",
        True,
        lambda r: r.validation.precision,
        f"Of the rows predicted as a class, the share that are. {_MACRO}",
        percent=True,
    ),
    Tile(
        "recall",
        "Recall",
        "%",
        True,
        lambda r: r.validation.recall,
        f"Of the rows of a class, the share found. {_MACRO}",
        percent=True,
    ),
    Tile(
        "f1",
        "F1",
        "%",
        True,
        lambda r: r.validation.f1,
        f"Harmonic mean of precision and recall. {_MACRO}",
        percent=True,
    ),
    Tile(
        "roc_auc",
        "ROC AUC",
        "",
        True,
        lambda r: r.validation.roc_auc,
        "Ranking quality, threshold-free: 0.5 is chance, 1 is perfect (one-vs-rest macro for multi-class).",
    ),
    Tile(
        "train_time_s",
        "Training time",
        "s",
        False,
        lambda r: r.cost.train_time_s,
        "Fitting only: wall time of fit() minus its per-epoch validation passes, first epoch (set-up, graph "
        "tracing) included. Validation, test scoring, latency and size measurements are not in it (see the "
        "evaluation time below the tiles).",
    ),
    Tile(
        "epoch_s_median",
        "Steady epoch",
        "s",
        False,
        lambda r: r.cost.epoch_s_median,
        "Median fitting time of epochs 2 onwards: no first-epoch set-up, no validation pass.",
    ),
    Tile(
        "latency_ms_p50",
        "Latency p50",
        "ms",
        False,
        lambda r: r.cost.latency_ms_p50,
        "Median time to predict one row by a direct model call, after 5 warm-up calls, over 200 calls (or "
        "1 s of calls for a slow model).",
    ),
    Tile(
        "n_params",
        "Parameters",
        "",
        False,
        lambda r: r.cost.n_params,
        "Learned values: weights and biases, tree nodes, or stored training rows (k-NN).",
    ),
    Tile(
        "size_kb",
        "Model size",
        "KB",
        False,
        lambda r: r.cost.size_bytes / 1024,
        "The model serialised in its family's own format.",
    ),
    Tile(
        "peak_memory_mb",
        "Peak memory",
        "MB",
        False,
        lambda r: r.cost.peak_memory_mb,
        "MB (10^6 bytes): peak resident memory while fitting minus that at its start, in the worker process "
        "that trains (freed memory handed back first; kernel high-water mark VmHWM and 20 ms samples).",
    ),
)


_NAMED = ("precision", "recall", "f1")  # tiles whose meaning depends on the positive class or the averaging


def tile_label(tile: Tile, result: RunResult | None = None) -> str:
    """The tile's label, naming what it is of: "Recall (malignant)", "F1 (macro)". Over how many classes a macro
    figure averages is in its help: "F1 (macro over 10 classes)" was cut to "F1 (macro over 10 …" in a tile."""
    qualifier = ""
    if result is not None and tile.key in _NAMED:
        ev = result.validation
        qualifier = ev.positive_class if ev.positive_class is not None else "macro" if ev.average == "macro" else ""
    return f"{tile.label} ({qualifier})" if qualifier else tile.label


def tile_help(tile: Tile, result: RunResult | None = None) -> str:
    """The tile's help, with the run's own positive class and latency sample size where they matter."""
    if result is None:
        return tile.help
    if tile.key in _NAMED and result.validation.positive_class is not None:
        pos = result.validation.positive_class
        what = {
            "precision": f"Of the rows predicted '{pos}', the share that are.",
            "recall": f"Of the '{pos}' rows, the share found.",
            "f1": f"Harmonic mean of precision and recall of '{pos}'.",
        }[tile.key]
        return f"{what} '{pos}' is the positive class (change it on the Data page)."
    if tile.key in _NAMED and result.validation.average == "macro":
        return tile.help.split(" Binary:")[0] + f" Unweighted mean over the {result.validation.n_classes} classes."
    if tile.key == "latency_ms_p50" and result.cost.latency_calls:
        calls = result.cost.latency_calls
        return f"Median time to predict one row by a direct model call, after warm-up, over {calls} calls."
    return tile.help


def short_number(value: float) -> str:
    """A count in at most four significant characters: 812, 1.2 k, 35 k, 1.2 M (tiles never truncate)."""
    for limit, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= limit:
            scaled = value / limit
            return f"{scaled:.1f}{suffix}" if abs(scaled) < 10 else f"{scaled:.0f}{suffix}"
    return f"{value:.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"


_SECONDS = Tile("seconds", "", "s", False, lambda r: None, "")


def format_value(tile: Tile, value: float | None) -> str:
    """A tile's value, short enough never to be cut by a tile at 800 px: "97.2 %", "6.75 s", "1.2 k", "35 KB"."""
    if value is None:
        return "n/a"
    if tile.percent:
        return f"{value * 100:.2f} %"
    if tile.key == "n_params":
        return short_number(value)
    if tile.unit == "ms" and value < 1:
        return f"{value * 1000:.0f} µs"
    if tile.key == "roc_auc" or tile.unit == "ms" and value < 10:
        return f"{value:.3f}{' ' + tile.unit if tile.unit else ''}"
    if tile.unit == "ms" and value >= 1000:
        return format_value(_SECONDS, value / 1000)
    if tile.unit in ("s", "ms"):
        if value < 100:
            return f"{value:.3g} {tile.unit}"
        return f"{value / 60:.1f} min" if value < 6000 else f"{value / 3600:.1f} h"
    for small, big in (("KB", "MB"), ("MB", "GB")):
        if tile.unit == small and value >= 1000:
            return format_value(replace(tile, unit=big), value / 1024 if small == "KB" else value / 1000)
    return f"{value:.3g} {tile.unit}".strip() if value < 100 else f"{short_number(value)} {tile.unit}".strip()


def is_nil(delta_text: str | None) -> bool:
    """True for a missing delta or one that rounds to zero ("+0.000 ms"): nothing to colour."""
    return delta_text is None or not any(ch in "123456789" for ch in delta_text)


def delta(tile: Tile, current: RunResult, reference: RunResult | None) -> str | None:
    """Signed difference ``current − reference`` in the tile's unit ("+1.20 pp", "−0.31 s"), None if undefined."""
    if reference is None:
        return None
    a, b = tile.get(current), tile.get(reference)
    if a is None or b is None:
        return None
    diff = a - b
    if tile.percent:
        return f"{diff * 100:+.2f} pp"
    if tile.key == "n_params":
        return f"{int(diff):+,}"
    if tile.unit == "ms" and max(abs(a), abs(b)) < 1:  # both shown in µs ("64 µs"): the delta too
        return f"{diff * 1000:+.0f} µs"
    if tile.unit == "s" or tile.unit == "ms" or tile.key == "roc_auc":
        return f"{diff:+.3f}{' ' + tile.unit if tile.unit else ''}"
    return f"{diff:+,.1f} {tile.unit}".strip()


def is_improvement(tile: Tile, current: RunResult, reference: RunResult) -> bool | None:
    a, b = tile.get(current), tile.get(reference)
    if a is None or b is None or a == b:
        return None
    return (a > b) == tile.higher_is_better


_FAMILY_NAMES = {
    ModelKind.NUMPY_MLP: "Neural network",
    ModelKind.KERAS_MLP: "Neural network",
    ModelKind.KERAS_CNN: "Convolutional network",
    ModelKind.LOGISTIC: "Logistic regression",
    ModelKind.RANDOM_FOREST: "Random forest",
    ModelKind.HIST_GB: "Gradient boosting",
    ModelKind.KNN: "k-nearest neighbours",
}


def model_title(m: ModelConfig) -> str:
    """The model in words: "Neural network (128 units, Keras)", "Random forest (100 trees)"."""
    name = _FAMILY_NAMES.get(m.kind, m.kind.value.replace("_", " ").capitalize())
    if m.kind == ModelKind.KERAS_CNN:
        blocks = f"{m.conv_blocks} block{'s' if m.conv_blocks > 1 else ''}"
        return f"{name} ({blocks} of {m.filters} filters, Keras)"
    if m.kind.is_network:
        units = "-".join(str(u) for u in m.hidden_units)
        size = f"{units} units" if units else "no hidden layer"
        return f"{name} ({size}, {'Keras' if m.kind.uses_keras else 'NumPy'})"
    if m.kind == ModelKind.RANDOM_FOREST:
        return f"{name} ({m.n_trees} trees)"
    if m.kind == ModelKind.HIST_GB:
        return f"{name} ({m.max_iter} iterations)"
    if m.kind == ModelKind.KNN:
        return f"{name} ({m.k_neighbors} neighbours)"
    return name


def dataset_title(d: DataConfig) -> str:
    """The dataset in words, as a sentence continues it: "breast cancer", "MNIST", "digits", "sales.csv"."""
    from core.data.datasets import DATASETS  # the registry: no loading happens on import

    if d.dataset == "csv":
        return os.path.basename(d.csv_path) if d.csv_path else "your CSV"
    info = DATASETS.get(d.dataset)
    title = info.title.split(" (")[0] if info is not None else d.dataset.replace("_", " ")
    first = title.split(" ")[0]
    return title if any(c.isupper() for c in first[1:]) else title[0].lower() + title[1:]  # MNIST stays MNIST


def run_title(result: RunResult) -> str:
    """A run's title for people: "Logistic regression on breast cancer", "Neural network (128 units, Keras) on
    MNIST". Every page, report and board uses this rather than the model's repr."""
    return f"{model_title(result.model_config)} on {dataset_title(result.data_config)}"


def early_stop_note(result: RunResult) -> str | None:
    """The note "Stopped early at epoch 7 of 20: validation loss had not improved for 3 epochs." when early stopping
    ended the run before its planned epochs; None otherwise (a stop by hand is said elsewhere)."""
    m = result.model_config
    patience = m.early_stopping_patience if m.kind.uses_keras else 0
    ran = result.cost.epochs_run
    if result.stopped or not patience or ran >= m.epochs:
        return None
    plural = "s" if patience > 1 else ""
    return (
        f"Stopped early at epoch {ran} of {m.epochs}: validation loss had not improved for {patience} "
        f"epoch{plural}; the weights of the best epoch were kept."
    )


def majority_baseline(result: RunResult, split: str = "validation") -> float | None:
    """Accuracy of always predicting the training split's most frequent class, scored on ``split``: the
    number any accuracy must beat. None when the counts are not recorded (older runs)."""
    counts = result.dataset.get("train_counts_before") or result.dataset.get("train_counts")
    evaluation = result.metrics.get(split)
    if not counts or evaluation is None:
        return None
    majority = max(range(len(counts)), key=lambda i: counts[i])
    support = [int(row.get("support", 0)) for row in evaluation.per_class]
    if len(support) == len(counts) and sum(support):
        return support[majority] / sum(support)
    return counts[majority] / sum(counts)


def majority_text(result: RunResult, split: str = "validation") -> str | None:
    """The text "majority class: 11.3 %": what always guessing the commonest class would score."""
    share = majority_baseline(result, split)
    return None if share is None else f"majority class: {share * 100:.1f} %"


def config_label(result: RunResult) -> str:
    """A short description of what distinguishes a run: model, size knobs, batch, epochs."""
    m = result.model_config
    parts = [m.kind.value]
    if m.kind.is_network:
        parts.append("×".join(str(u) for u in m.hidden_units) or "linear")
        parts.append(f"b{m.batch_size} e{m.epochs} {m.optimizer.value} lr{m.learning_rate:g}")
    if result.data_config.fraction < 1:
        parts.append(f"{result.data_config.fraction:.0%} data")
    return " ".join(parts)


def flat_config(result: RunResult) -> dict[str, object]:
    """A run's data and model configuration as one flat dict: ``data.seed``, ``model.epochs``, ..."""
    return {
        **{f"data.{k}": v for k, v in result.data_config.to_dict().items()},
        **{f"model.{k}": v for k, v in result.model_config.to_dict().items()},
    }


def config_differences(results: list[RunResult]) -> list[str]:
    """The flat configuration fields whose values are not the same in every run (in field order)."""
    configs = [flat_config(r) for r in results]
    return [k for k in configs[0] if len({repr(c[k]) for c in configs}) > 1] if configs else []
