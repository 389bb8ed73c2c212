"""Model families behind one estimator-shaped interface; ``build_model`` picks one from a ModelConfig.

Keras models live in ``core.models.keras_models`` and are imported only when asked for, so that
``import core`` and every non-Keras run leave TensorFlow unloaded.
"""

from __future__ import annotations

from core.config import ModelConfig, ModelKind
from core.errors import ConfigError
from core.models.base import Model


def build_model(cfg: ModelConfig, *, n_features: int, n_classes: int, image_shape: tuple[int, int] | None) -> Model:
    cfg.validate()
    if cfg.kind == ModelKind.NUMPY_MLP:
        from core.models.numpy_mlp import NumpyMLP

        return NumpyMLP(cfg)
    if cfg.kind == ModelKind.KERAS_CNN and image_shape is None:  # before paying TensorFlow's import
        raise ConfigError("keras_cnn needs image data (digits, mnist, fashion_mnist); this dataset is tabular.")
    if cfg.kind.uses_keras:
        from core.models.keras_import import import_keras, resolve_backend

        import_keras(resolve_backend(cfg))  # the engine first: Keras fixes it at import
        from core.models.keras_models import KerasModel

        return KerasModel(cfg, image_shape=image_shape)
    from core.models.sklearn_models import SklearnModel

    return SklearnModel(cfg)


__all__ = ["Model", "build_model"]
