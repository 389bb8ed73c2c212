"""Named starting points: small overrides of the default configs (``dataclasses.replace`` style).

A preset that reproduces a published claim (``seed-article``: 98.5 % test accuracy) can say what this
machine measured against it, from the latest stored run of exactly that configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from core.config import Activation, Backend, DataConfig, LrSchedule, ModelConfig, ModelKind, Optimizer, Scaling
from core.errors import ConfigError

if TYPE_CHECKING:
    from core.records.result import RunResult
    from core.records.store import RunStore


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    data: DataConfig
    model: ModelConfig
    claimed_test_accuracy: float | None = None  # what the source says this setup reaches, to check here
    source: str = ""


_BASE_DATA = DataConfig()
_BASE_MODEL = ModelConfig()

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        Preset(
            "seed-article",
            "The article's model: MNIST, Dense 128 relu + softmax, Adam, 10 epochs, batch 32 (claims 98.5%).",
            replace(_BASE_DATA, dataset="mnist", scaling=Scaling.MINMAX, val_fraction=0.1),
            replace(
                _BASE_MODEL,
                kind=ModelKind.KERAS_MLP,
                hidden_units=(128,),
                optimizer=Optimizer.ADAM,
                learning_rate=1e-3,
                epochs=10,
                batch_size=32,
                backend=Backend.TENSORFLOW,  # as the article ran it; the MLP's default engine is JAX
            ),
            claimed_test_accuracy=0.985,
            source="the article",
        ),
        Preset(
            "article-98.5",
            "The article's 98.5 %, honestly: MNIST, a small CNN (8 then 16 filters, the first convolution strided "
            "in place of pooling) → Dense 128; Adam warmed up to 0.012, then a cosine to 0; batch 192, 2 epochs, "
            "TensorFlow. The fastest configuration benchmarks/bench_engine.py found reaching 98.5 % for 3 seeds, "
            "chosen on validation only.",
            replace(_BASE_DATA, dataset="mnist", scaling=Scaling.MINMAX, val_fraction=0.1),
            replace(
                _BASE_MODEL,
                kind=ModelKind.KERAS_CNN,
                conv_blocks=2,
                filters=8,
                first_stride=2,
                optimizer=Optimizer.ADAM,
                learning_rate=1.2e-2,
                lr_schedule=LrSchedule.COSINE,
                warmup=0.1,  # batch 192: ⅔ of batch 128's steps (TensorFlow's cost per step); warm-up holds the bar
                epochs=2,
                batch_size=192,
                backend=Backend.TENSORFLOW,  # oneDNN convolutions: ≈ 3× JAX's here
            ),
            claimed_test_accuracy=0.985,
            source="the article",
        ),
        Preset(
            "fast",
            "Digits with the NumPy network at batch 128: trains in a blink.",
            _BASE_DATA,
            replace(
                _BASE_MODEL, kind=ModelKind.NUMPY_MLP, hidden_units=(64,), batch_size=128, epochs=20, learning_rate=3e-3
            ),
        ),
        Preset(
            "accurate",
            "Digits with a two-block Keras CNN: more accuracy for more compute.",
            replace(_BASE_DATA, scaling=Scaling.MINMAX),
            replace(
                _BASE_MODEL,
                kind=ModelKind.KERAS_CNN,
                conv_blocks=2,
                filters=16,
                hidden_units=(64,),
                epochs=20,
                batch_size=32,
            ),
        ),
        Preset(
            "tiny",
            "Digits with a 16-unit NumPy network: the smallest model that still works.",
            _BASE_DATA,
            replace(_BASE_MODEL, kind=ModelKind.NUMPY_MLP, hidden_units=(16,), epochs=30, learning_rate=3e-3),
        ),
        Preset(
            "seed-case",
            "The article's worked example: 2 inputs → 3 sigmoid units → 1 sigmoid output, cross-entropy, plain "
            "full-batch gradient descent, on moons (see Explain for its backprop checked against the true one).",
            replace(_BASE_DATA, dataset="moons"),
            replace(
                _BASE_MODEL,
                kind=ModelKind.NUMPY_MLP,
                hidden_units=(3,),
                activation=Activation.SIGMOID,
                optimizer=Optimizer.SGD,
                learning_rate=0.3,  # the Train page's largest; plain GD on 3 sigmoid units tolerates up to ~2
                batch_size=2048,  # ≥ the 1,400 training rows: one step per epoch over all of them
                epochs=500,
            ),
        ),
    ]
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"Unknown preset {name!r}. Choose one of: {', '.join(PRESETS)}.") from None


def latest_measurement(preset: Preset, store: RunStore, *, limit: int = 20) -> tuple[int, RunResult] | None:
    """(id, result) of the newest complete stored run of exactly this preset's configuration, if any.

    Read-only: one filtered query on the run store (the newest ``limit`` runs of the preset's dataset and model).
    """
    for stored in store.list(
        dataset=preset.data.dataset, model=preset.model.kind.value, status="complete", limit=limit
    ):
        r = stored.result
        if r is not None and not r.stopped and r.data_config == preset.data and r.model_config == preset.model:
            return stored.id, r
    return None


def claim_check(preset: Preset, measured: tuple[int, RunResult] | None) -> str:
    """One plain sentence: what this machine measured against the preset's claimed test accuracy."""
    if preset.claimed_test_accuracy is None:
        return ""
    claim = f"{preset.source or 'its source'}'s {preset.claimed_test_accuracy:.1%}"
    if measured is None:
        return (
            f"Not in your run history yet: train `{preset.name}` as defined (no demo cap) to check {claim} "
            "test accuracy with your own run."
        )
    run_id, r = measured
    gap = (r.test.accuracy - preset.claimed_test_accuracy) * 100
    verdict = "reaches" if gap >= 0 else f"falls {-gap:.2f} percentage points short of"
    return (
        f"This machine measured {r.test.accuracy:.2%} test accuracy for `{preset.name}` (run {run_id}, "
        f"{r.created_at[:10]}, {r.cost.train_time_s:.1f} s of training): it {verdict} {claim}."
    )
