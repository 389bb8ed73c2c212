"""The knob table: one row per setting a person can turn, and everything else derived from it.

    from core.knobs import KNOBS
    KNOBS["batch_size"].check(100)          # validation (ConfigError naming knob, rule and value)
    KNOBS["hidden_units"].parse("64x64")    # → (64, 64); accepts 64-64, 64x64 and 64,64
    KNOBS["hidden_units"].write((64, 64))   # → "64-64": the one written form (URL, CLI, sweeps, tables)

A row says a knob's type, bounds (and whether the low end is open), log scale, choices, the model
families that read it, its one-line trade-off help, suggested sweep values, its CLI flag and aliases. From
the table come config validation (core.config), the Train page's controls (ui.widgets), CLI flags
(core.cli), link keys (core.records.links), sweep value parsing (core.explore.sweeps) and Optuna ranges
(core.explore.search).
A row's default is the config dataclass's own default, so it is written once.

Adding a knob: one ``Knob(...)`` row below, the field on ModelConfig, and the model code that reads it.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from core.config import (
    Activation,
    Backend,
    BatchNorm,
    DataConfig,
    Device,
    Imbalance,
    LrSchedule,
    ModelConfig,
    ModelKind,
    Optimizer,
    Penalty,
    Precision,
    Scaling,
)
from core.errors import ConfigError

MAX_LAYERS = 4  # hidden layers a network may have
_NETS = (ModelKind.NUMPY_MLP, ModelKind.KERAS_MLP, ModelKind.KERAS_CNN)
_KERAS = (ModelKind.KERAS_MLP, ModelKind.KERAS_CNN)
_UNIT_SEPARATORS = ("-", "x", ",")  # 64-64 is written; 64x64 (old sweeps) and 64,64 (old CLI) are read


@dataclass(frozen=True)
class Knob:
    """One setting: what values it takes, who reads it, and how it is written and explained."""

    name: str  # the config field
    type: type  # int, float, tuple (hidden units) or an Enum
    help: str  # one line: the trade-off this knob moves
    label: str = ""  # the control's label; default: the name in words
    low: float | None = None  # bounds, inclusive unless low_open; None = unbounded (enums)
    high: float | None = None
    low_open: bool = False  # (low, high]: learning rates and C cannot be 0
    log: bool = False  # search and spread values on a log scale
    families: tuple[ModelKind, ...] = ()  # model families that read it; () = a data knob
    sweep: tuple[Any, ...] = ()  # suggested sweep values (also the control's grid; off-grid values are kept)
    nullable: bool = False  # None is a value (max_depth: unlimited; n_rows: all)
    flag: str = ""  # CLI flag; default --name-with-dashes
    aliases: tuple[str, ...] = ()  # other names a sweep --param accepts
    slider_high: float | None = None  # the slider's usual top when below ``high``; it grows to fit any value set
    # The Train page's control: "slider" (a range, step ``step``), "grid" (the sweep values plus the current
    # value, on a select slider), "choice" (enums), "units" (layers and width). Default: from the type.
    widget: str = ""
    step: float | None = None
    # The Train sidebar's section: "model" (what is built), "training" (how it is fitted) or "advanced"
    # (regularisation, precision, engine; collapsed). Default: "data" for a data knob, else "model".
    group: str = ""

    # --- derived --------------------------------------------------------------------------------------
    @property
    def is_data(self) -> bool:
        return not self.families

    @property
    def owner(self) -> type:
        return DataConfig if self.is_data else ModelConfig

    @property
    def default(self) -> Any:
        """The config dataclass's default (one source: the dataclass)."""
        return {f.name: f.default for f in fields(self.owner)}[self.name]

    @property
    def choices(self) -> tuple[Any, ...]:
        return tuple(self.type) if isinstance(self.type, type) and issubclass(self.type, enum.Enum) else ()

    @property
    def url_key(self) -> str:
        return ("d." if self.is_data else "m.") + self.name

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def cli_dest(self) -> str:
        return self.cli_flag[2:].replace("-", "_")

    @property
    def control(self) -> str:
        """The kind of control the Train page shows for this knob."""
        if self.widget:
            return self.widget
        if self.choices:
            return "choice"
        return "units" if self.type is tuple else "grid"

    @property
    def section(self) -> str:
        """The sidebar section this knob's control sits in: data, model, training or advanced."""
        return self.group or ("data" if self.is_data else "model")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    # --- written form ---------------------------------------------------------------------------------
    def write(self, value: Any) -> str:
        """The one written form: units ``64-64`` (``none`` for no hidden layer), enums by value, None as ``""``."""
        if value is None:
            return ""
        if isinstance(value, (tuple, list)):
            return "-".join(str(v) for v in value) or "none"
        if isinstance(value, enum.Enum):
            return str(value.value)
        return str(value)

    def parse(self, text: Any) -> Any:
        """A value from its written form (or an already typed value); ConfigError names the knob and the text."""
        if not isinstance(text, str):
            return self._typed(text)
        text = text.strip()
        if self.nullable and text.lower() in ("", "none"):
            return None
        if self.type is tuple:
            if text.lower() in ("", "0", "none"):
                return ()
            for sep in _UNIT_SEPARATORS:
                text = text.replace(sep, "-")
            try:
                return tuple(int(u) for u in text.split("-"))
            except ValueError:
                raise ConfigError(
                    f"The '{self.name}' parameter takes units per layer joined by '-', such as 64 or 64-32. "
                    f"Got {text!r}."
                ) from None
        if self.choices:
            try:
                return self.type(text.lower())
            except ValueError:
                raise ConfigError(
                    f"The '{self.name}' parameter must be one of {', '.join(c.value for c in self.choices)}. "
                    f"Got {text!r} instead."
                ) from None
        try:
            value = int(text) if self.type is int else float(text)
        except ValueError:
            kind = "an integer" if self.type is int else "a number"
            raise ConfigError(f"The '{self.name}' parameter must be {kind}. Got {text!r} instead.") from None
        if not math.isfinite(value):
            raise ConfigError(f"The '{self.name}' parameter must be a finite number. Got {text!r}.")
        return self._typed(value)

    def _typed(self, value: Any) -> Any:
        if value is None or self.choices and isinstance(value, self.type):
            return value
        if self.type is tuple:
            return tuple(int(v) for v in value)
        if self.choices:
            return self.parse(str(getattr(value, "value", value)))
        if self.type is int and isinstance(value, float):
            if not value.is_integer():
                raise ConfigError(f"The '{self.name}' parameter must be an integer. Got {value!r} instead.")
            return int(value)
        if self.type is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value

    # --- validation -----------------------------------------------------------------------------------
    def check(self, value: Any, *, high: float | None = None) -> None:
        """Raise ConfigError naming the knob, the rule and the value when ``value`` is out of bounds."""
        if value is None and self.nullable:
            return
        if self.choices:
            if value not in self.choices:
                raise ConfigError(
                    f"The '{self.name}' parameter must be one of {', '.join(c.value for c in self.choices)}. "
                    f"Got {value!r} instead."
                )
            return
        if self.type is tuple:
            if len(value) > MAX_LAYERS:
                raise ConfigError(f"hidden_units allows 0 to {MAX_LAYERS} hidden layers. Got {len(value)}.")
            for units in value:
                _int_in(self.name, units, int(self.low or 0), int(self.high or 0))
            return
        top = self.high if high is None else high
        if self.type is int:
            _int_in(self.name, value, int(self.low or 0), int(top or 0))
            return
        bad = not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value)
        if not bad:
            bad = value < self.low or value > top or (self.low_open and value == self.low)
        if bad:
            left = "(" if self.low_open else "["
            raise ConfigError(
                f"The '{self.name}' parameter must be a number in {left}{self.low}, {top}]. Got {value!r} instead."
            )

    def grid(self, current: Any = None) -> list[Any]:
        """The suggested values plus ``current`` when it is off them (controls never snap a value)."""
        values = list(self.sweep)
        if current not in values and (current is not None or self.nullable):
            values.append(current)
            if not self.choices and self.type is not tuple:
                values.sort(key=lambda v: -math.inf if v is None else v)
        return values


def _int_in(name: str, value: Any, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"The '{name}' parameter must be an integer in [{low}, {high}]. Got {value!r} instead.")


_REGULARISATION = (0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)

# Model knobs, in the order the Train page shows them.
_MODEL_ROWS = (
    Knob("conv_blocks", int, "More conv-pool blocks: better image features, more compute.", "Conv blocks",
         1, 2, families=(ModelKind.KERAS_CNN,), sweep=(1, 2), widget="slider"),
    Knob("filters", int, "More filters: richer features, more compute per image.", "Filters", 1, 256,
         log=True, families=(ModelKind.KERAS_CNN,), sweep=(4, 8, 16, 32, 64)),
    Knob("kernel_size", int, "Larger kernels see more context per filter, at more compute.", "Kernel size",
         1, 7, families=(ModelKind.KERAS_CNN,), sweep=(3, 5, 7)),
    Knob("batch_norm", BatchNorm, "Normalises each layer's outputs over the batch (conv: after each convolution; "
         "all: after each hidden Dense too): often fewer epochs at larger learning rates, but on this CPU's "
         "TensorFlow it doubled a small MNIST CNN's time per epoch.", "Batch normalisation",
         families=(ModelKind.KERAS_CNN,),  # on an MLP 'conv' would be a no-op: a sweep would repeat a trial
         sweep=tuple(BatchNorm)),
    Knob("first_stride", int, "2: the first convolution steps 2 pixels at a time in place of its block's pooling: "
         "a quarter of its work (MNIST CNN: a fifth less time, the same validation accuracy).", "First-conv stride",
         1, 2, families=(ModelKind.KERAS_CNN,), sweep=(1, 2), widget="slider"),
    Knob("augment_shift", int, "Each training image moved at random by up to this many pixels, anew every epoch "
         "(never when scoring): more varied data against overfitting, a little compute per step, slower to "
         "converge (MNIST CNN, 4 epochs, ±2 px: +0.1 pt validation, ≈ 1.05× the time).", "Random shift (pixels)",
         0, 4, families=(ModelKind.KERAS_CNN,), sweep=(0, 1, 2, 3), widget="slider", group="advanced"),
    Knob("hidden_units", tuple, "More units per layer: more capacity and parameters, more time and memory.",
         "Units per layer", 1, 4096, log=True, families=_NETS, flag="--hidden", aliases=("hidden",),
         sweep=((8,), (16,), (32,), (64,), (128,), (256,), (512,), (64, 64), (128, 128))),
    Knob("activation", Activation, "relu trains fastest in deep nets; sigmoid and tanh saturate and learn slower.",
         families=_NETS, sweep=tuple(Activation)),
    Knob("optimizer", Optimizer,
         "Adam adapts step sizes and converges in fewer epochs; SGD is cheaper per step but slower to learn.",
         families=_NETS, sweep=tuple(Optimizer), group="training"),
    Knob("learning_rate", float, "Larger steps learn faster until they overshoot; too small wastes epochs.",
         "Learning rate", 0.0, 10.0, low_open=True, log=True, families=_NETS, aliases=("lr",),
         sweep=(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3), group="training"),
    Knob("lr_schedule", LrSchedule, "Cosine decays the learning rate to 0 by the last step: a short run can start "
         "with larger steps and still settle (MNIST CNN, 2 epochs: +0.4 pt).", "Learning-rate schedule",
         families=_KERAS, flag="--lr-schedule", sweep=tuple(LrSchedule), group="training"),
    Knob("warmup", float, "Share of the run's steps over which the learning rate climbs from 0 to its value: a "
         "larger rate or batch starts without overshooting (MNIST CNN, batch 256, 2 epochs, a tenth: +0.15 pt).",
         "Warm-up (share of steps)", 0.0, 0.5, families=_KERAS, sweep=(0.0, 0.05, 0.1, 0.2), widget="slider",
         step=0.05, group="training"),
    Knob("batch_size", int,
         "Bigger batches: faster epochs (fewer steps), fewer weight updates, often lower accuracy per epoch.",
         "Batch size", 1, 65_536, log=True, families=_NETS, sweep=(8, 16, 32, 64, 128, 256, 512, 1024, 2048),
         group="training"),
    Knob("epochs", int, "More passes over the data: higher accuracy until it overfits; time grows linearly.",
         "Epochs", 1, 1000, log=True, families=_NETS, sweep=(1, 2, 3, 5, 10, 20, 30, 50), slider_high=100,
         widget="slider", group="training"),
    Knob("l1", float, "L1 pushes weights to exactly zero (sparser model); too much underfits.", "L1", 0.0, 1.0,
         families=(ModelKind.KERAS_MLP,), sweep=_REGULARISATION, group="advanced"),
    Knob("l2", float, "L2 shrinks weights against overfitting; too much underfits.", "L2", 0.0, 1.0,
         families=_NETS, sweep=_REGULARISATION, group="advanced"),
    Knob("dropout", float, "Drops units at random while training: less overfitting, slower to converge.",
         "Dropout", 0.0, 0.9, families=_KERAS, sweep=(0.0, 0.1, 0.2, 0.3, 0.5), widget="slider", step=0.05,
         group="advanced"),
    Knob("early_stopping_patience", int,
         "Stop when validation loss has not improved for this many epochs (0 = off); saves time.",
         "Early-stopping patience", 0, 100, families=_KERAS, flag="--patience", aliases=("patience",),
         sweep=(0, 2, 5, 10), slider_high=10, widget="slider", group="training"),
    Knob("precision", Precision, "Mixed bfloat16 halves activation memory; on CPUs without bf16 units it can be "
         "slower.", families=_KERAS, sweep=tuple(Precision), group="advanced"),
    Knob("backend", Backend, "The engine under Keras: same model, same callbacks, different compiler. JAX runs "
         "the MLP's small steps 3-5× faster here; TensorFlow's oneDNN convolutions beat JAX's ≈3×. Unset: the "
         "family's faster engine.", "Engine", families=_KERAS, nullable=True, sweep=tuple(Backend), group="advanced"),
    Knob("device", Device, "Where Keras computes. A GPU runs convolutions far faster (4× on an H200); the "
         "article's small MLP is overhead-bound and ran 2× slower there. Unset: the engine's choice (a GPU it sees, "
         "else the CPU).",
         "Device", families=_KERAS, nullable=True, sweep=tuple(Device), group="advanced"),
    Knob("C", float, "Inverse regularisation: larger C fits the training data harder.", "C", 0.0, 1e6,
         low_open=True, log=True, families=(ModelKind.LOGISTIC,), flag="--C",
         sweep=(0.001, 0.01, 0.1, 1.0, 10.0, 100.0)),
    Knob("penalty", Penalty, "L1 selects features (sparse weights); L2 keeps all, shrunk.",
         families=(ModelKind.LOGISTIC,), sweep=tuple(Penalty)),
    Knob("n_trees", int, "More trees: steadier predictions, linear in training time and model size.", "Trees",
         1, 2000, log=True, families=(ModelKind.RANDOM_FOREST,), sweep=(10, 25, 50, 100, 200, 400),
         slider_high=500, widget="slider"),
    Knob("max_iter", int, "More iterations: higher accuracy until it overfits (boosting), linear in time.",
         "Iterations", 1, 10_000, log=True, families=(ModelKind.LOGISTIC, ModelKind.HIST_GB),
         sweep=(10, 20, 50, 100, 200), slider_high=500, widget="slider", group="training"),
    Knob("gb_learning_rate", float, "Smaller steps need more iterations but generalise better.",
         "Boosting learning rate", 0.0, 1.0, low_open=True, log=True, families=(ModelKind.HIST_GB,),
         sweep=(0.01, 0.03, 0.1, 0.3, 1.0), group="training"),
    Knob("max_depth", int, "Deeper trees fit more detail (none = unlimited); bigger models, more overfitting.",
         "Max depth", 1, 100, families=(ModelKind.RANDOM_FOREST, ModelKind.HIST_GB), nullable=True,
         sweep=(None, 3, 5, 10, 20), slider_high=30, widget="slider"),
    Knob("k_neighbors", int, "More neighbours: smoother boundary; prediction time grows with the training set.",
         "Neighbours (k)", 1, 500, log=True, families=(ModelKind.KNN,), sweep=(1, 3, 5, 10, 20, 50),
         slider_high=50, widget="slider"),
)  # fmt: skip

# Data knobs the table validates (and a sweep may vary: fraction, n_rows, scaling, imbalance).
_DATA_ROWS = (
    Knob("fraction", float, "Share of the dataset used. Less data: faster training, usually lower accuracy.",
         "Data size (share of rows)", 0.0, 1.0, low_open=True, aliases=("data_size",),
         sweep=(0.1, 0.25, 0.5, 0.75, 1.0), widget="slider", step=0.05),
    Knob("n_rows", int, "Cap on the rows used, after the share: a quick run on a big dataset.", "Rows",
         10, 10_000_000, log=True, nullable=True, flag="--rows"),
    Knob("scaling", Scaling,
         "Standard or min-max scaling helps gradient training converge; fitted on the training split only.",
         sweep=tuple(Scaling)),
    Knob("imbalance", Imbalance,
         "Class weights or resampling help the minority class; over-sampling adds rows and so time.",
         "Imbalance handling", sweep=tuple(Imbalance)),
    Knob("val_fraction", float, "What-if numbers are measured here.", "Validation share", 0.0, 0.5, low_open=True,
         widget="slider", step=0.05),
    Knob("test_fraction", float, "Held out for final numbers; ignored where the dataset has its own test split.",
         "Test share", 0.0, 0.5, low_open=True, widget="slider", step=0.05),
    Knob("n_samples", int, "Rows generated: more rows, more time.", "Rows", 100, 200_000),
    Knob("n_features", int, "Generated features: more columns, more time per row.", "Features", 2, 1000),
    Knob("n_classes", int, "Generated classes.", "Classes", 2, 10),
    Knob("class_sep", float, "Larger: classes further apart, easier.", "Class separation", 0.0, 10.0),
    Knob("label_noise", float, "Share of labels flipped at random.", "Label noise", 0.0, 0.5),
    Knob("noise", float, "Noise of the 2-D toy datasets.", "Noise", 0.0, 2.0),
    Knob("max_categories", int, "One-hot columns allowed per categorical feature.", "Max categories", 2, 1000),
    Knob("minority_share", float, "Fewer minority rows in the training split make accuracy misleading and recall "
         "harder; validation and test stay as they are.", "Minority share (training split)", 0.0, 0.5,
         low_open=True, nullable=True, sweep=(0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)),
)  # fmt: skip

KNOBS: dict[str, Knob] = {k.name: k for k in _MODEL_ROWS + _DATA_ROWS}
MODEL_KNOB_NAMES = tuple(k.name for k in _MODEL_ROWS)
DATA_SWEEP_KNOBS = ("fraction", "n_rows", "scaling", "imbalance")  # the data fields a sweep may vary

# The knobs each model family reads; the Train page shows only these, sweeps offer only these.
MODEL_KNOBS: dict[ModelKind, tuple[str, ...]] = {
    kind: tuple(k.name for k in _MODEL_ROWS if kind in k.families) for kind in ModelKind
}
ALIASES: dict[str, str] = {"model": "kind", **{a: k.name for k in KNOBS.values() for a in k.aliases}}


def check_all(config: Any) -> None:
    """Check every field of ``config`` that has a row in the table (dependent bounds stay in config.py)."""
    for f in fields(config):
        knob = KNOBS.get(f.name)
        if knob is not None and knob.owner is type(config):
            knob.check(getattr(config, f.name))


def sweep_knobs(kind: ModelKind) -> list[str]:
    """The knobs a sweep from this model family can vary: its own, the data size, and the family itself."""
    return [k for k in MODEL_KNOBS[kind] if KNOBS[k].sweep] + ["fraction", "kind"]


def sweep_values(name: str, image_data: bool = False) -> list[Any]:
    """Suggested sweep values of a knob (``kind``: the model families)."""
    if name == "kind":
        return [k for k in ModelKind if image_data or k != ModelKind.KERAS_CNN]
    return list(KNOBS[name].sweep)


def write_value(name: str, value: Any) -> str:
    """A knob value in its one written form (``kind`` and unknown names: str / enum value)."""
    if name in KNOBS:
        return KNOBS[name].write(value)
    return str(getattr(value, "value", value))


def parse_value(name: str, text: Any) -> Any:
    """A knob value from its written form; ``kind`` parses to a ModelKind."""
    if name == "kind":
        try:
            return ModelKind(str(getattr(text, "value", text)).strip())
        except ValueError:
            raise ConfigError(
                f"The 'kind' parameter must be one of {', '.join(k.value for k in ModelKind)}. Got {text!r} instead."
            ) from None
    return KNOBS[name].parse(text)


def cli_type(knob: Knob) -> Callable[[str], Any]:
    """An argparse ``type=`` for this knob: its parser, with errors argparse prints as one line."""
    import argparse

    def parse(text: str) -> Any:
        try:
            return knob.parse(text)
        except ConfigError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    parse.__name__ = knob.name
    return parse


__all__ = [
    "ALIASES",
    "DATA_SWEEP_KNOBS",
    "KNOBS",
    "Knob",
    "MODEL_KNOBS",
    "MODEL_KNOB_NAMES",
    "check_all",
    "parse_value",
    "sweep_knobs",
    "sweep_values",
    "write_value",
]
