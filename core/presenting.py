"""Plain words for people who don't run code: what each headline number means, a readable name for a model
and a dataset, and a one-sentence story for a Demo scenario. The Demo page and the HTML reports say things
this way; the precise term stays beside each plain one (as a caption), so nothing is hidden.

    from core.presenting import PLAIN, model_words, data_words, run_title, default_story
    PLAIN["accuracy"].words          # "Correct on new data"  (precise: "validation accuracy")
    run_title(run)                   # "A small neural network (128 units) on handwritten digits"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.config import Backend, DataConfig, ModelConfig, ModelKind
from core.evaluation.tiles import TILES, Tile
from core.knobs import KNOBS, write_value

if TYPE_CHECKING:
    import altair as alt

    from core.records.result import RunResult


@dataclass(frozen=True)
class PlainMetric:
    """A headline number in plain words, with the precise term it stands for."""

    key: str  # the tile key (core/evaluation/tiles.py)
    words: str  # what a stakeholder reads: "Correct on new data"
    precise: str  # what an engineer reads: "validation accuracy"

    @property
    def tile(self) -> Tile:
        return next(t for t in TILES if t.key == self.key)


PLAIN: dict[str, PlainMetric] = {
    m.key: m
    for m in (
        PlainMetric("accuracy", "Correct on new data", "validation accuracy"),
        PlainMetric("precision", "Right when it says yes", "precision"),
        PlainMetric("recall", "Cases it finds", "recall"),
        PlainMetric("f1", "Balance of found and right", "F1 score"),
        PlainMetric("roc_auc", "Ranks cases well (1 = perfect)", "ROC AUC"),
        PlainMetric("train_time_s", "Time to train", "training time (fitting only)"),
        PlainMetric("epoch_s_median", "Time per pass over the data", "steady epoch time (median)"),
        PlainMetric("latency_ms_p50", "Answer time for one case", "latency p50, batch 1"),
        PlainMetric("n_params", "Numbers it learned", "parameters"),
        PlainMetric("size_kb", "Model size", "serialised model size"),
        PlainMetric("peak_memory_mb", "Memory while training", "peak memory while fitting"),
    )
}
DEMO_METRICS: tuple[str, ...] = ("accuracy", "train_time_s", "latency_ms_p50", "size_kb")  # the Demo's four tiles

_DATA_WORDS = {
    "digits": "small handwritten digits",
    "mnist": "handwritten digits",
    "fashion_mnist": "photos of clothes",
    "breast_cancer": "breast tumour measurements",
    "synthetic": "generated data",
    "moons": "two interleaved half-moons",
    "circles": "a circle inside a circle",
    "xor": "four squares (XOR)",
    "spiral": "two spirals",
    "gaussian": "two clouds of points",
    "csv": "your table",
}


def data_words(data: DataConfig | str) -> str:
    """The dataset as people say it: "handwritten digits", "your table (churn.csv)"."""
    name = data if isinstance(data, str) else data.dataset
    words = _DATA_WORDS.get(name, name.replace("_", " "))
    if name == "csv" and not isinstance(data, str) and data.csv_path:
        words += f" ({data.csv_path.replace(chr(92), '/').rsplit('/', 1)[-1]})"  # the file's name, never a path
    return words


def _units(units: tuple[int, ...]) -> str:
    if not units:
        return "no hidden layer"
    if len(units) == 1:
        return f"{units[0]} units"
    if len(set(units)) == 1:
        return f"{len(units)} layers of {units[0]} units"
    return f"layers of {write_value('hidden_units', units)} units"


def model_words(model: ModelConfig) -> str:
    """The model as people say it: "A small neural network (128 units)", "A forest of 100 decision trees"."""
    kind = model.kind
    if kind in (ModelKind.NUMPY_MLP, ModelKind.KERAS_MLP):
        total = sum(model.hidden_units)
        size = "small " if total <= 256 else ("large " if total > 1024 else "")
        return f"A {size}neural network ({_units(model.hidden_units)})"
    if kind == ModelKind.KERAS_CNN:
        blocks = "1 block" if model.conv_blocks == 1 else f"{model.conv_blocks} blocks"
        return f"An image network ({blocks} of {model.filters} filters)"
    if kind == ModelKind.LOGISTIC:
        return "A linear model (logistic regression)"
    if kind == ModelKind.RANDOM_FOREST:
        return f"A forest of {model.n_trees} decision trees"
    if kind == ModelKind.HIST_GB:
        return f"Boosted decision trees ({model.max_iter} rounds)"
    if kind == ModelKind.KNN:
        return f"Nearest neighbours (the {model.k_neighbors} most similar cases vote)"
    return kind.value.replace("_", " ")


def _engine_words(model: ModelConfig) -> str:
    """What runs a network: "NumPy (from scratch)", "Keras on JAX"."""
    engine = model.engine
    if engine is None:
        return "NumPy (from scratch)"
    return f"Keras on {'JAX' if engine is Backend.JAX else 'TensorFlow'}"


def title_for(data: DataConfig, model: ModelConfig) -> str:
    """ "A small neural network (128 units) on handwritten digits"."""
    return f"{model_words(model)} on {data_words(data)}"


def run_title(run: RunResult) -> str:
    return title_for(run.data_config, run.model_config)


def precise_title(run: RunResult) -> str:
    """The engineer's title, for a caption: ``KerasMLP(128, relu, adam) on mnist``."""
    return f"{run.model_repr} on {run.data_config.dataset}"


# --- stories ---------------------------------------------------------------------------------------------
def _ratio_words(new: float, old: float, noun: str) -> str | None:
    if old <= 0:
        return None
    r = new / old
    for value, words in ((2, "Twice the"), (3, "Three times the"), (4, "Four times the"), (10, "Ten times the")):
        if abs(r - value) < 1e-9:
            return f"{words} {noun}"
    for value, words in ((0.5, "Half the"), (0.25, "A quarter of the"), (0.1, "A tenth of the")):
        if abs(r - value) < 1e-9:
            return f"{words} {noun}"
    return None


def _one_change(field: str, old: object, new: object) -> str:
    """A sentence for a single changed model setting."""
    if field == "hidden_units":
        o, n = sum(old), sum(new)  # type: ignore[arg-type]
        if len(new) != len(old):  # type: ignore[arg-type]
            deeper = len(new) > len(old)  # type: ignore[arg-type]
            lead = "A deeper network" if deeper else "A shallower network"
        else:
            lead = _ratio_words(n, o, "units") or f"{_units(new)} instead of {_units(old)}"  # type: ignore[arg-type]
        if n >= o:
            return f"{lead}: does a bigger network pay for its extra time?"
        return f"{lead}: how much accuracy does a smaller network give up?"
    if field in ("epochs", "max_iter", "n_trees"):
        noun = {"epochs": "training passes", "max_iter": "rounds", "n_trees": "trees"}[field]
        lead = _ratio_words(float(new), float(old), noun) or f"{new} {noun} instead of {old}"  # type: ignore[arg-type]
        if float(new) > float(old):  # type: ignore[arg-type]
            return f"{lead}: does training longer keep paying?"
        return f"{lead}: how much accuracy does the time saved cost?"
    knob = KNOBS.get(field)
    label = knob.title if knob is not None else field.replace("_", " ")
    shown_old = write_value(field, old) if knob is not None else old
    shown_new = write_value(field, new) if knob is not None else new
    return f"{label} {shown_new} instead of {shown_old}: what does it change in accuracy and time?"


def default_story(data: DataConfig, model: ModelConfig, before: tuple[DataConfig, ModelConfig] | None = None) -> str:
    """One sentence for a scenario, from its configuration and (when given) the scenario shown before it."""
    if before is None:
        return f"{model_words(model)}: how often is it right, and how long does it take to learn?"
    old_data, old_model = before
    if old_data.dataset != data.dataset:
        return f"The same question on {data_words(data)}: how does {model_words(model).lower()} cope?"
    if old_model.kind != model.kind and model_words(model) == model_words(old_model):  # NumPy's network, in Keras
        return f"The same network in {_engine_words(model)} instead of {_engine_words(old_model)}: which is faster?"
    if old_model.kind != model.kind:
        return f"{model_words(model)} instead of {model_words(old_model).lower()}: which is the better deal?"
    changed = [
        f
        for f in model.to_dict()
        if f != "seed" and getattr(model, f) != getattr(old_model, f) and _applies(f, model.kind)
    ]
    if len(changed) == 1:
        return _one_change(changed[0], getattr(old_model, changed[0]), getattr(model, changed[0]))
    if not changed:
        if old_data != data:
            return "The same model on a different slice of the data: does it hold up?"
        return "The same setup, measured again: how much do the numbers move from run to run?"
    names = ", ".join(KNOBS[f].title.lower() if f in KNOBS else f for f in changed[:3])
    return f"{len(changed)} changes at once ({names}): what do they buy, and at what cost?"


def _applies(field: str, kind: ModelKind) -> bool:
    """Does this model setting mean anything for ``kind``? (The knob table says which families read it.)"""
    knob = KNOBS.get(field)
    return knob is None or kind in knob.families


# --- the comparison slide --------------------------------------------------------------------------------
def comparison_rows(runs: Sequence[RunResult], names: Sequence[str]) -> list[dict[str, object]]:
    """One row per scenario: its name, accuracy in % and training time in s (what the comparison slide draws)."""
    from core.evaluation.tiles import format_value

    time_tile = PLAIN["train_time_s"].tile
    return [
        {
            "scenario": name,
            "order": i,
            "accuracy_pct": run.validation.accuracy * 100,
            "accuracy_text": f"{run.validation.accuracy * 100:.1f} %",
            "train_time_s": run.cost.train_time_s,
            "time_text": format_value(time_tile, run.cost.train_time_s),
            "model": run_title(run),
        }
        for i, (name, run) in enumerate(zip(names, runs, strict=True))
    ]


def comparison_panels(
    runs: Sequence[RunResult], names: Sequence[str], *, width: int | str = "container"
) -> tuple[alt.LayerChart, alt.LayerChart]:
    """The comparison slide's two panels, scenarios in the same order on the same axis in both: accuracy on a
    fixed 0–100 % scale, training time from 0 s. ``width="container"`` fills a page column."""
    import altair as alt
    import pandas as pd

    from core.charts import ACCURACY_COLOR, TIME_COLOR

    df = pd.DataFrame(comparison_rows(runs, names))
    y = alt.Y("scenario:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=220, labelFontSize=14))
    base = alt.Chart(df).encode(y=y, tooltip=["scenario:N", "model:N"])

    def panel(field: str, text: str, title: str, color: str, domain: list[float] | None) -> alt.LayerChart:
        scale = alt.Scale(domain=domain) if domain else alt.Scale(zero=True, nice=True)
        x = alt.X(f"{field}:Q", title=title, scale=scale, axis=alt.Axis(titleFontSize=14, labelFontSize=12))
        bars = base.mark_bar(color=color).encode(x=x)
        labels = base.mark_text(align="left", dx=4, fontSize=15).encode(x=x, text=f"{text}:N")
        return (bars + labels).properties(width=width, height=alt.Step(56))

    accuracy = panel("accuracy_pct", "accuracy_text", PLAIN["accuracy"].words + " (%)", ACCURACY_COLOR, [0, 100])
    # room to the right of the longest bar for its label
    longest = float(df.train_time_s.max()) if len(df) else 1.0
    timing = panel("train_time_s", "time_text", PLAIN["train_time_s"].words + " (s)", TIME_COLOR, [0, longest * 1.25])
    return accuracy, timing


def comparison_chart(runs: Sequence[RunResult], names: Sequence[str], *, width: int = 260) -> alt.HConcatChart:
    """Every scenario on ONE scale, accuracy beside training time, the panels sharing the scenario axis (for a
    report or a fixed-width picture; the Demo page lays :func:`comparison_panels` out in columns)."""
    import altair as alt

    accuracy, timing = comparison_panels(runs, names, width=width)
    return alt.hconcat(accuracy, timing, spacing=24).resolve_scale(y="shared")
