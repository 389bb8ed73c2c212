"""TFLite conversion of a Keras 3 model and the LiteRT interpreter that runs it (``ai-edge-litert``).

``tf.lite.TFLiteConverter.from_keras_model`` works with Keras 3 and TensorFlow 2.21 (it exports a
SavedModel and freezes the weights); ``from_concrete_functions`` on a traced call keeps the weights as
resource variables and cannot be calibrated, so it is not used. Importing this module imports TensorFlow.

    blob = convert(model, "int8")
    served = LiteRTModel(blob)
    proba = served.predict_proba(X)
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import sys
import warnings
from collections.abc import Callable

import numpy as np

from core.errors import CoreError

MODES = ("float32", "float16", "int8", "int8-full")
_CHUNK = 1024


class CompressError(CoreError):
    """A compression method cannot apply to this model, or the converter refused it."""


def convert(model, mode: str, representative: np.ndarray | None = None) -> bytes:
    """The TFLite flatbuffer of a Keras ``model`` in ``mode`` (float32, float16, int8 dynamic, int8-full)."""
    if mode not in MODES:
        raise CompressError(f"Unknown TFLite mode {mode!r}; modes: {', '.join(MODES)}.")
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if mode == "int8-full":
        if representative is None or not len(representative):
            raise CompressError("int8-full needs a representative sample of the training split.")
        sample = np.asarray(representative, dtype=np.float32)

        def rows():
            for i in range(len(sample)):
                yield [sample[i : i + 1]]

        converter.representative_dataset = rows
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    try:
        with _quiet(), warnings.catch_warnings():
            # "Statistics for quantized inputs were expected": the int8 input scale comes from calibration instead
            warnings.filterwarnings("ignore", message="Statistics for quantized inputs")
            return bytes(converter.convert())
    except Exception as err:  # the converter raises many types; one line for the person instead
        detail = (str(err).strip().splitlines() or [type(err).__name__])[-1][:200]
        raise CompressError(f"The TFLite converter could not make a {mode} model: {detail}") from err


class _quiet:
    """Silence the converter's chatter: C++ lines on descriptors 1 and 2, Python prints ("Saved artifact at …")
    on sys.stdout, which would otherwise corrupt ``--json`` output. Python exceptions still propagate."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self._saved = [os.dup(1), os.dup(2)]
        self._null = open(os.devnull, "w")  # noqa: SIM115
        os.dup2(self._null.fileno(), 1)
        os.dup2(self._null.fileno(), 2)
        self._redirect = contextlib.redirect_stdout(io.StringIO())
        self._redirect.__enter__()

    def __exit__(self, *exc):
        self._redirect.__exit__(*exc)
        sys.stdout.flush()
        os.dup2(self._saved[0], 1)
        os.dup2(self._saved[1], 2)
        for fd in self._saved:
            os.close(fd)
        self._null.close()


def gzip_bytes(blob: bytes) -> int:
    """Bytes after gzip -9: what sparsity (runs of zeros) saves on disk or over the wire."""
    return len(gzip.compress(blob, compresslevel=9, mtime=0))


class LiteRTModel:
    """A TFLite flatbuffer served by the LiteRT interpreter: batch-1 calls on one interpreter, batches on another.

    int8 inputs and outputs are quantized and dequantized here with the model's own scale and zero point,
    so ``predict_proba`` always returns float probabilities.
    """

    def __init__(self, blob: bytes, n_features: int):
        from ai_edge_litert.interpreter import Interpreter

        self.blob = blob
        self.n_features = n_features
        with _quiet():
            self._one = Interpreter(model_content=blob)
            self._batch = Interpreter(model_content=blob)
        self._one.resize_tensor_input(self._one.get_input_details()[0]["index"], [1, n_features])
        self._one.allocate_tensors()
        self._batch_rows = 0
        self._in = self._one.get_input_details()[0]
        self._out = self._one.get_output_details()[0]

    @property
    def size_bytes(self) -> int:
        return len(self.blob)

    def _quantize(self, X: np.ndarray) -> np.ndarray:
        dtype = self._in["dtype"]
        if dtype == np.float32:
            return np.asarray(X, dtype=np.float32)
        scale, zero = self._in["quantization"]
        info = np.iinfo(dtype)
        return np.clip(np.round(X / scale + zero), info.min, info.max).astype(dtype)

    def _dequantize(self, out: np.ndarray) -> np.ndarray:
        if self._out["dtype"] == np.float32:
            return out
        scale, zero = self._out["quantization"]
        return (out.astype(np.float32) - zero) * scale

    def _run(self, interpreter, X: np.ndarray) -> np.ndarray:
        interpreter.set_tensor(self._in["index"], self._quantize(X))
        interpreter.invoke()
        return interpreter.get_tensor(self._out["index"])

    def predict_one(self, row: np.ndarray) -> np.ndarray:
        return self._run(self._one, row)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        parts = []
        for i in range(0, len(X), _CHUNK):
            chunk = X[i : i + _CHUNK]
            if len(chunk) != self._batch_rows:
                self._batch.resize_tensor_input(self._in["index"], [len(chunk), self.n_features])
                self._batch.allocate_tensors()
                self._batch_rows = len(chunk)
            parts.append(self._dequantize(self._run(self._batch, chunk)))
        proba = np.concatenate(parts).astype(np.float64)
        if self._out["dtype"] == np.float32:
            return proba
        proba = np.clip(proba, 0.0, None)  # dequantized int8 probabilities need not sum to 1
        return proba / np.maximum(proba.sum(axis=1, keepdims=True), 1e-12)

    def weight_dtypes(self) -> dict[str, int]:
        """Tensor count per dtype in the flatbuffer (shows what the converter actually stored)."""
        counts: dict[str, int] = {}
        for detail in self._one.get_tensor_details():
            name = np.dtype(detail["dtype"]).name
            counts[name] = counts.get(name, 0) + 1
        return counts


def keras_predictor(model) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], object]]:
    """(predict_proba, predict_one) for a Keras model: direct calls, chunked, as core.models.keras_models does."""

    def proba(X: np.ndarray) -> np.ndarray:
        chunks = [np.asarray(model(X[i : i + 4096], training=False), dtype=np.float64) for i in range(0, len(X), 4096)]
        return np.concatenate(chunks)

    def one(row: np.ndarray) -> object:
        return model(row, training=False)

    return proba, one
