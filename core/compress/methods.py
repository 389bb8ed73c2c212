"""What to compress and how: ``Method`` (a name and its one parameter) and ``CompressSpec``, parsed and
checked before anything trains, so a bad ``--method`` is one line naming it.

    parse_methods("float16,int8,int8-full,keras-int8,prune:0.8,structured:0.5,distill:32")
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.config import DataConfig, ModelConfig
from core.errors import ConfigError

# name → (what it does, the parameter it takes or None, its default, its allowed range)
METHOD_HELP: dict[str, tuple[str, str | None, float | None, tuple[float, float] | None]] = {
    "float16": ("TFLite with float16 weights, run by LiteRT", None, None, None),
    "int8": ("TFLite dynamic-range int8 (int8 weights, float activations), run by LiteRT", None, None, None),
    "int8-full": ("TFLite full-integer int8 calibrated on a training sample, run by LiteRT", None, None, None),
    "keras-int8": ("Keras 3's own model.quantize('int8'), run by Keras", None, None, None),
    "prune": (
        "magnitude pruning to a sparsity (0-0.95) with a short fine-tune keeping the mask",
        "sparsity",
        0.8,
        (0.0, 0.95),
    ),
    "structured": (
        "remove this share (0-0.9) of units/filters with the smallest norms, then fine-tune",
        "share",
        0.5,
        (0.0, 0.9),
    ),
    "distill": (
        "a student MLP with this many hidden units taught by the model (keras.distillation)",
        "units",
        32,
        (1, 4096),
    ),
}
DEFAULT_METHODS = "float16,int8,int8-full,prune:0.8,distill:32"
# Distillation pays only once the students are trained to their plateau: on MNIST (CNN teacher, 32-unit student,
# 3 seeds, validation) the distilled student trails the student alone after 2-3 epochs (-0.2 to -0.4 pp) and beats
# it after 15 (+0.4 pp, beyond the seed spread). The seed-article MLP (128 units) teaches its 31-unit student no
# better than the labels do (+0.1 pp, within noise). Both students always get the same epochs.
STUDENT_EPOCHS = 15


@dataclass(frozen=True)
class Method:
    name: str  # a key of METHOD_HELP
    value: float | None = None  # sparsity, share or units; None for the quantizations

    @property
    def label(self) -> str:
        if self.value is None:
            return self.name
        return f"{self.name}:{int(self.value) if self.name == 'distill' else f'{self.value:g}'}"


@dataclass(frozen=True)
class CompressSpec:
    data: DataConfig
    model: ModelConfig
    methods: tuple[Method, ...]
    fine_tune_epochs: int = 2  # pruning and structured pruning: epochs of fine-tuning after the cut
    student_epochs: int | None = STUDENT_EPOCHS  # distilled student and student alone alike; None: the teacher's
    temperature: float = 2.0  # softens teacher and student logits in the distillation loss
    alpha: float = 0.5  # weight of the label loss; 1 - alpha goes to matching the teacher
    calibration_rows: int = 200  # representative training rows for full-integer int8
    bootstrap: int = 500  # paired resamples of the validation split for the Δ-accuracy noise band
    extra: dict = field(default_factory=dict, compare=False, hash=False)  # free notes carried to the report

    def validate(self) -> CompressSpec:
        if not self.methods:
            raise ConfigError(f"Choose at least one method: {', '.join(METHOD_HELP)} (e.g. {DEFAULT_METHODS}).")
        if not 0 <= self.fine_tune_epochs <= 50:
            raise ConfigError(f"fine_tune_epochs must be an integer in [0, 50]. Got {self.fine_tune_epochs}.")
        if self.student_epochs is not None and not 1 <= self.student_epochs <= 200:
            raise ConfigError(f"student_epochs must be an integer in [1, 200]. Got {self.student_epochs}.")
        if not self.temperature > 0:
            raise ConfigError(f"temperature must be > 0. Got {self.temperature}.")
        if not 0 <= self.alpha <= 1:
            raise ConfigError(f"alpha must be in [0, 1]. Got {self.alpha}.")
        if not 10 <= self.calibration_rows <= 10_000:
            raise ConfigError(f"calibration_rows must be in [10, 10000]. Got {self.calibration_rows}.")
        return self


def parse_methods(text: str) -> tuple[Method, ...]:
    """``"float16,int8,prune:0.8,distill:32"`` → Methods; an unknown name or a value out of range is a ConfigError."""
    methods: list[Method] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, raw = item.partition(":")
        if name not in METHOD_HELP:
            raise ConfigError(f"Unknown compression method {name!r} in --method. Methods: {', '.join(METHOD_HELP)}.")
        _, param, default, bounds = METHOD_HELP[name]
        if param is None:
            if sep:
                raise ConfigError(f"Method {name!r} takes no value; got {item!r}. Write it as {name!r}.")
            methods.append(Method(name))
            continue
        try:
            value = float(raw) if sep else float(default)
        except ValueError:
            raise ConfigError(
                f"Method {name!r} takes a number ({param}); got {raw!r}. E.g. {name}:{default:g}."
            ) from None
        low, high = bounds
        if name == "distill" and value != int(value):
            raise ConfigError(f"distill takes a whole number of units; got {raw!r}.")
        if not low <= value <= high:
            raise ConfigError(f"The {param} of {name} must be in [{low:g}, {high:g}]. Got {value:g}.")
        methods.append(Method(name, int(value) if name == "distill" else value))
    if not methods:
        raise ConfigError(f"--method lists no method. Methods: {', '.join(METHOD_HELP)} (e.g. {DEFAULT_METHODS}).")
    labels = [m.label for m in methods]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"--method lists a method twice: {text!r}.")
    return tuple(methods)
