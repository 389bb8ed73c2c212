"""Named starting points: small overrides of the default configs (``dataclasses.replace`` style)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.config import Backend, DataConfig, ModelConfig, ModelKind, Optimizer, Scaling
from core.errors import ConfigError


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    data: DataConfig
    model: ModelConfig


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
    ]
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"Unknown preset {name!r}. Choose one of: {', '.join(PRESETS)}.") from None
