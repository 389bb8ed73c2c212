"""The headline numbers of a run as tiles, and their deltas against another run (previous or baseline).

Pages show these tiles; the definitions live here so a test can check every number a page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    """The tile's label, naming what it is of: "Recall (malignant)", "F1 (macro over 10 classes)"."""
    qualifier = result.validation.qualifier if result is not None and tile.key in _NAMED else ""
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


def format_value(tile: Tile, value: float | None) -> str:
    if value is None:
        return "n/a"
    if tile.percent:
        return f"{value * 100:.2f} %"
    if tile.key == "n_params":
        return f"{int(value):,}"
    if tile.unit == "ms" and value < 1:
        return f"{value * 1000:.0f} µs"  # short enough to fit a tile
    if tile.unit == "ms" or tile.key == "roc_auc":
        return f"{value:.3f}{' ' + tile.unit if tile.unit else ''}"
    if tile.unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:,.0f} {tile.unit}" if value >= 100 else f"{value:,.1f} {tile.unit}".strip()


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
    if tile.unit == "s" or tile.unit == "ms" or tile.key == "roc_auc":
        return f"{diff:+.3f}{' ' + tile.unit if tile.unit else ''}"
    return f"{diff:+,.1f} {tile.unit}".strip()


def is_improvement(tile: Tile, current: RunResult, reference: RunResult) -> bool | None:
    a, b = tile.get(current), tile.get(reference)
    if a is None or b is None or a == b:
        return None
    return (a > b) == tile.higher_is_better


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
