"""Compression: quantization, pruning and distillation of a trained Keras model, each variant measured for
size, latency and accuracy against two baselines (the Keras original and the float32 model in LiteRT).

    from core.compress import CompressSpec, parse_methods, run_compress
    report = run_compress(CompressSpec(data_cfg, model_cfg, parse_methods("float16,int8,prune:0.8,distill:32")))

Importing this package imports neither TensorFlow nor LiteRT; ``run_compress`` does, when it trains.
Modules: ``methods`` (parsing and the spec), ``litert`` (TFLite conversion and the LiteRT runtime),
``prune``, ``distill``, ``measure`` (costs and verdicts), ``runner`` (the whole pipeline), ``records``
(results as run records for the store), ``charts``.
"""

from core.compress.methods import METHOD_HELP, CompressSpec, Method, parse_methods

__all__ = ["METHOD_HELP", "CompressSpec", "Method", "parse_methods", "run_compress"]


def run_compress(*args, **kwargs):  # noqa: ANN002, ANN003, ANN201  (lazy: the runner imports numpy-heavy code)
    from core.compress.runner import run_compress as run

    return run(*args, **kwargs)
