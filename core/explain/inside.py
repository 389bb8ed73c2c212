"""Inside the network (the article's "visualise structure, activations, feature maps").

    first_layer_images(model, (8, 8))    # (units, 8, 8): what each first-layer unit looks for
    layer_activations(model, X)          # [LayerActivations(name, values, dead_units), ...]
    feature_maps(model, image_row)       # a Keras CNN's conv outputs for one image: [(name, (h, w, filters))]

Works for the NumPy network and Keras models; other families have no layers and get a ConfigError that
says so. A ReLU unit is counted dead when it outputs 0 for every row shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.config import Activation, ModelKind
from core.errors import ConfigError
from core.models.base import Model


def _require_network(model: Model) -> None:
    if not model.config.kind.is_network:
        raise ConfigError(
            f"{model.config.kind.value} has no layers to look inside. Pick a run of numpy_mlp, keras_mlp or keras_cnn."
        )


def _keras_dense_kernels(model: Model) -> list[tuple[str, np.ndarray]]:
    import keras

    layers = model.model_.layers  # type: ignore[attr-defined]
    return [(layer.name, np.asarray(layer.kernel)) for layer in layers if isinstance(layer, keras.layers.Dense)]


def first_layer_images(model: Model, image_shape: tuple[int, int], *, max_units: int = 16) -> np.ndarray:
    """The first dense layer's weights into each unit, shaped as images: (units, height, width)."""
    _require_network(model)
    if model.config.kind == ModelKind.KERAS_CNN:
        raise ConfigError("A CNN's first layer is convolutional: look at its feature maps instead.")
    if model.config.kind == ModelKind.NUMPY_MLP:
        W = model.weights_[0]  # type: ignore[attr-defined]
    else:
        W = _keras_dense_kernels(model)[0][1]
    h, w = image_shape
    if W.shape[0] != h * w:
        raise ConfigError(f"image_shape {image_shape} does not match the first layer's {W.shape[0]} inputs.")
    return np.asarray(W[:, :max_units]).T.reshape(-1, h, w)


@dataclass(frozen=True, eq=False)
class LayerActivations:
    name: str
    values: np.ndarray  # (rows, units)
    relu: bool

    @property
    def dead_units(self) -> int:
        """Units that output exactly 0 on every row (only counted for ReLU layers)."""
        return int((self.values.max(axis=0) <= 0).sum()) if self.relu else 0

    @property
    def n_units(self) -> int:
        return int(self.values.shape[1])


def layer_activations(model: Model, X: np.ndarray) -> list[LayerActivations]:
    """Each hidden layer's outputs on the rows of X (the output layer is left out)."""
    _require_network(model)
    relu = model.config.activation == Activation.RELU
    if model.config.kind == ModelKind.NUMPY_MLP:
        acts = model._forward(np.asarray(X, dtype=model.dtype))  # type: ignore[attr-defined]
        return [LayerActivations(f"dense_{i + 1}", np.asarray(a), relu) for i, a in enumerate(acts[1:-1])]
    import keras

    net = model.model_  # type: ignore[attr-defined]
    wanted = [layer for layer in net.layers[:-1] if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D))]
    probe = keras.Model(net.inputs, [layer.output for layer in wanted])
    outputs = probe([np.asarray(X, dtype=np.float32)], training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    result = []
    for layer, out in zip(wanted, outputs, strict=True):
        values = np.asarray(out, dtype=np.float64)
        is_conv = isinstance(layer, keras.layers.Conv2D)
        if is_conv:  # a conv filter is "dead" when it never fires anywhere in any image
            values = values.reshape(len(values), -1, values.shape[-1]).max(axis=1)
        result.append(LayerActivations(layer.name, values, relu or is_conv))
    return result


def feature_maps(model: Model, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """A Keras CNN's conv-layer outputs for one image row: [(layer name, (h, w, filters))]."""
    if model.config.kind != ModelKind.KERAS_CNN:
        raise ConfigError(f"Feature maps need a keras_cnn run; this run is {model.config.kind.value}.")
    import keras

    net = model.model_  # type: ignore[attr-defined]
    convs = [layer for layer in net.layers if isinstance(layer, keras.layers.Conv2D)]
    probe = keras.Model(net.inputs, [layer.output for layer in convs])
    outputs = probe([np.asarray(x, dtype=np.float32).reshape(1, -1)], training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return [(layer.name, np.asarray(out)[0]) for layer, out in zip(convs, outputs, strict=True)]


__all__ = ["LayerActivations", "feature_maps", "first_layer_images", "layer_activations"]
