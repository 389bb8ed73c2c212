"""The checkers of a stored or imported run: every value of a RunResult's plain form against the project's
dataclasses (types, ranges, sizes, nesting depth), and the headline columns of a checked result.

:class:`ImportFormatError` names the first bad value. Import, export and recovery files:
``core/records/store_import.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from datetime import datetime
from enum import Enum
from typing import Any

import numpy as np

from core.config import DataConfig, ModelConfig
from core.errors import CoreError
from core.evaluation.metrics import Evaluation
from core.records.result import COST_NAMES, Cost, RunResult
from core.records.store import StoreError
from core.records.store_db import HEADLINE_COLUMNS
from core.training.progress import EpochLog

MAX_TEXT = 10_000  # characters in a note, an error, a warning
MAX_NAME = 200  # characters in a dataset/model name, a tag, a label
MAX_TAGS = 50
MAX_ITEMS = 100_000  # elements in one list (curves, history, predictions rows)
MAX_DEPTH = 6  # nesting inside free-form dicts (dataset facts, environment stamp, per-class rows)
_METRICS_0_1 = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "precision_weighted")
_METRICS_0_1 += ("recall_weighted", "f1_weighted", "roc_auc", "average_precision")


class ImportFormatError(StoreError):
    """A file (or a stored row) is not a valid Tradeoff Lab export; the message names the value."""

    file: str | None = None  # which file, when the import read several (import_unsaved sets that one aside)


# --- validation ----------------------------------------------------------------------------------------
def _fail(path: str, rule: str, value: Any) -> ImportFormatError:
    shown = repr(value) if isinstance(value, (int, float, str, bool, type(None))) else type(value).__name__
    return ImportFormatError(f"'{path}' must be {rule}; got {shown[:80]}.")


Checker = typing.Callable[[Any, str], None]


def _check(value: Any, hint: Any, path: str) -> None:
    """Check a plain JSON value against a type hint of the project's dataclasses."""
    _checker(hint)(value, path)


@functools.cache
def _checker(hint: Any) -> Checker:
    """The check of one type hint as a function of (value, path), built once per hint: an import asks ~400 times
    per run, and working out the hint's rule each time (origin, arguments, enum values) cost more than the check."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = _checker([a for a in args if a is not type(None)][0])
        if type(None) not in args:
            return inner

        def optional(value: Any, path: str) -> None:
            if value is not None:
                inner(value, path)

        return optional
    if hint is Any or origin is dict:
        return lambda value, path: _free_form(value, path, 0)
    if hint is bool:

        def boolean(value: Any, path: str) -> None:
            if not isinstance(value, bool):
                raise _fail(path, "true or false", value)

        return boolean
    if hint is int:

        def integer(value: Any, path: str) -> None:
            if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**62:
                raise _fail(path, "an integer", value)

        return integer
    if hint is float:

        def number(value: Any, path: str) -> None:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise _fail(path, "a number", value)

        return number
    if hint is str:

        def text(value: Any, path: str) -> None:
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise _fail(path, f"text of at most {MAX_TEXT} characters", value)

        return text
    if isinstance(hint, type) and issubclass(hint, Enum):
        allowed = frozenset(m.value for m in hint)
        rule = "one of " + ", ".join(m.value for m in hint)

        def member(value: Any, path: str) -> None:
            if not isinstance(value, str) or value not in allowed:
                raise _fail(path, rule, value)

        return member
    if origin is tuple:
        return _tuple_checker(args[0])
    if dataclasses.is_dataclass(hint):
        check = _dataclass_checker(hint)
        return lambda value, path: check(value, path, ())
    raise ImportFormatError(f"no rule for {hint}.")  # pragma: no cover - a field type this checker does not know


def _tuple_checker(item_hint: Any) -> Checker:
    rule = f"a list of at most {MAX_ITEMS} items"
    if item_hint in (float, int):  # long numeric lists: one pass over the item types
        allowed = {int} if item_hint is int else {int, float}
        items = "a list of " + ("integers" if item_hint is int else "numbers")

        def numbers(value: Any, path: str) -> None:
            if not isinstance(value, list) or len(value) > MAX_ITEMS:
                raise _fail(path, rule, value)
            if not set(map(type, value)) <= allowed:
                raise _fail(path, items, value)

        return numbers
    if typing.get_origin(item_hint) is dict:  # rows of facts (per-class metrics): flat ones checked in one loop
        return _rows_checker

    item = _checker(item_hint)

    def sequence(value: Any, path: str) -> None:
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise _fail(path, rule, value)
        for i, v in enumerate(value):
            item(v, f"{path}[{i}]")

    return sequence


def _rows_checker(value: Any, path: str) -> None:
    """A list of free-form rows: a flat row (short text keys, no nested values, no long text) passes in one loop,
    any other goes through ``_free_form``, which recurses or names what is wrong."""
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise _fail(path, f"a list of at most {MAX_ITEMS} items", value)
    for i, row in enumerate(value):
        if type(row) is dict and len(row) <= 1000:
            for k, v in row.items():
                if type(k) is not str or len(k) > MAX_NAME or isinstance(v, (dict, list)):
                    break
                if isinstance(v, str) and len(v) > MAX_TEXT:
                    break
            else:
                continue
        _free_form(row, f"{path}[{i}]", 0)


@functools.cache
def _dataclass_checker(cls: type) -> typing.Callable[[Any, str, tuple[str, ...]], None]:
    hints = typing.get_type_hints(cls)  # ~0.5 ms per class: once per process, not once per value
    fields = [
        (f.name, _checker(hints[f.name]), f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
        for f in dataclasses.fields(cls)
    ]
    names = frozenset(name for name, _, _ in fields)
    rule = f"an object ({cls.__name__})"

    def check(value: Any, path: str, skip: tuple[str, ...]) -> None:
        if not isinstance(value, dict):
            raise _fail(path, rule, value)
        if not names.issuperset(value) or (skip and not names.difference(skip).issuperset(value)):
            unknown = sorted(set(value) - (names - set(skip)))
            raise ImportFormatError(f"'{path}' has unknown field(s) {', '.join(map(repr, unknown))[:200]}.")
        for name, field_check, required in fields:
            if name in value:
                if not skip or name not in skip:
                    field_check(value[name], f"{path}.{name}")
            elif required and name not in skip:
                raise ImportFormatError(f"'{path}' lacks the field '{name}'.")

    return check


def _check_dataclass(value: Any, cls: type, path: str, *, skip: tuple[str, ...] = ()) -> None:
    _dataclass_checker(cls)(value, path, skip)


def _free_form(value: Any, path: str, depth: int) -> None:
    """A dict of facts (dataset, environment, per-class row): JSON values, bounded depth and size."""
    if depth > MAX_DEPTH:
        raise ImportFormatError(f"'{path}' is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, dict):
        if len(value) > 1000:
            raise _fail(path, "an object with at most 1000 short keys", value)
        for k, v in value.items():  # scalars checked here: no path built for each number (~130 per run)
            if not isinstance(k, str) or len(k) > MAX_NAME:
                raise _fail(path, "an object with at most 1000 short keys", value)
            if isinstance(v, (dict, list)) or depth + 1 > MAX_DEPTH:
                _free_form(v, f"{path}.{k}", depth + 1)
            elif isinstance(v, str) and len(v) > MAX_TEXT:
                raise _fail(f"{path}.{k}", f"text of at most {MAX_TEXT} characters", v)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise _fail(path, f"a list of at most {MAX_ITEMS} items", value)
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                _free_form(v, f"{path}[{i}]", depth + 1)
    elif isinstance(value, str) and len(value) > MAX_TEXT:
        raise _fail(path, f"text of at most {MAX_TEXT} characters", value)


# a compressed variant's report row (core/compress, stored beside the run): what the Compress page reads of it
VARIANT_COST = ("size_bytes", "gzip_bytes", "latency_ms_p50", "latency_ms_p95", "rows_per_s", "n_params")
VARIANT_COST += ("peak_memory_mb", "build_time_s")


def check_variant_info(value: Any, path: str) -> dict[str, Any]:
    """A variant's report row, as the compress command writes it: method, status, verdict, batch and model as
    text; the original's and (when complete) the variant's own runtime, validation accuracy and F1, and costs."""
    if not isinstance(value, dict):
        raise _fail(path, "an object (a compressed variant's report row)", value)
    _free_form(value, path, 1)
    for key in ("method", "status", "verdict", "batch", "model"):
        if not isinstance(value.get(key), str) or len(value[key]) > MAX_TEXT:
            raise _fail(f"{path}.{key}", "text", value.get(key))
    _check_measured(value.get("original"), f"{path}.original")
    if value["status"] == "complete":
        _check_measured(value, path)
    delta = value.get("delta_accuracy_pp")
    if delta is not None and not _is_number(delta):
        raise _fail(f"{path}.delta_accuracy_pp", "a number or null", delta)
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _check_measured(value: Any, path: str) -> None:
    """A measured model of a compression report: its runtime, validation accuracy and F1, and its costs."""
    if not isinstance(value, dict) or not isinstance(value.get("runtime"), str):
        raise _fail(path, 'an object with a "runtime"', value)
    metrics = value.get("metrics")
    validation = metrics.get("validation") if isinstance(metrics, dict) else None
    validation = validation if isinstance(validation, dict) else {}
    for key in ("accuracy", "f1"):
        if not _is_number(validation.get(key)):
            raise _fail(f"{path}.metrics.validation.{key}", "a number", validation.get(key))
    cost = value.get("cost")
    for key in VARIANT_COST:
        if not isinstance(cost, dict) or not _is_number(cost.get(key)) or cost[key] < 0:
            raise _fail(f"{path}.cost.{key}", "a number ≥ 0", cost.get(key) if isinstance(cost, dict) else cost)


def _range(value: Any, low: float, high: float, path: str) -> None:
    if value is not None and not (low <= value <= high):  # NaN fails too
        raise _fail(path, f"a number in [{low:g}, {high:g}]", value)


def check_result(d: Any, path: str = "result") -> RunResult:
    """A RunResult from its plain form, every value checked; ImportFormatError names the first bad one."""
    check_plain(d, path)
    try:
        result = RunResult.from_dict(d)
        result.data_config.validate()
        result.model_config.validate()
    except (CoreError, ValueError, TypeError, KeyError) as err:
        raise ImportFormatError(f"'{path}' is not a valid run: {str(err)[:200]}") from None
    return result


def check_packed(
    small: Any, blob: Any, path: str = "result", *, raw: bytes | None = None
) -> tuple[DataConfig, ModelConfig]:
    """Check a packed result (core/records/store_pack.py) without unpacking it: its plain part value by value,
    its arrays by shape and type, and its configs; returns the configs. ImportFormatError names the first bad
    value. ``raw``: the blob already inflated (``store_pack.inflate``)."""
    from core.records.store_pack import PackError, arrays

    if not isinstance(small, dict):
        raise _fail(path, "an object (a RunResult)", small)
    if not isinstance(blob, bytes):
        raise _fail(f"{path} arrays", "packed arrays", blob)
    try:
        found = arrays(small, blob, convert=False, raw=raw)
    except PackError as err:
        raise ImportFormatError(f"'{path}': {err}.") from None
    predictions = small.get("predictions")
    view = small
    if isinstance(predictions, dict):  # the checks see the labels and probabilities in place (not copied)
        view = {**small, "predictions": {k: dict(v) if isinstance(v, dict) else v for k, v in predictions.items()}}
    packed_curves = set()
    for key, value in found:
        if key[0] == "predictions":
            view["predictions"][key[1]][key[2]] = value
        else:
            packed_curves.add(key[1:])
    configs_key = _known(("configs", small.get("data_config"), small.get("model_config")))  # once a run
    check_plain(view, path, packed_curves=packed_curves, known=_KNOWN, configs_key=configs_key)
    return _configs(small, path, configs_key)


# Configurations already checked and built in this process (keyed by ``_known``): an import of 10,000 runs from a
# few sweeps repeats the same configurations thousands of times. Bounded.
_KNOWN: dict[str, Any] = {}
_MAX_KNOWN = 4096


def _known(value: Any) -> str | None:
    """A key for a parsed JSON value: its repr (a third of ``json.dumps(sort_keys=True)``'s time, and as exact for
    JSON's types; only key order can make two equal values two keys, which costs a check, never skips one)."""
    try:
        return repr(value)
    except RecursionError:
        return None


def _remember(key: str | None, value: Any) -> None:
    if key is not None:
        if len(_KNOWN) >= _MAX_KNOWN:
            _KNOWN.clear()
        _KNOWN[key] = value


def _configs(small: dict[str, Any], path: str, key: str | None) -> tuple[DataConfig, ModelConfig]:
    """The run's configs, built and validated (once per distinct pair in a process; ``key``: their canonical
    JSON)."""
    if key in _KNOWN:
        return _KNOWN[key]
    try:
        data_config = DataConfig.from_dict(small["data_config"])
        model_config = ModelConfig.from_dict(small["model_config"])
        data_config.validate()
        model_config.validate()
    except (CoreError, ValueError, TypeError, KeyError) as err:
        raise ImportFormatError(f"'{path}' is not a valid run: {str(err)[:200]}") from None
    _remember(key, (data_config, model_config))
    return data_config, model_config


def check_plain(
    d: Any,
    path: str = "result",
    *,
    packed_curves: set[tuple[str, str]] = frozenset(),
    known: dict[str, Any] | None = None,
    configs_key: str | None = None,
) -> None:
    """Every value of a RunResult's plain form checked (``packed_curves``: (split, "roc_curves" | "pr_curves")
    whose points were taken out into packed arrays and checked there; ``known``: configurations that passed
    already, by ``_known`` key — ``configs_key``, when the caller has it — skipped)."""
    if not isinstance(d, dict):
        raise _fail(path, "an object (a RunResult)", d)
    required = ("data_config", "model_config", "model_repr", "dataset", "metrics", "history", "cost")
    required += ("environment", "stopped", "created_at")
    optional = ("predictions", "warnings")
    unknown = sorted(set(d) - set(required) - set(optional))
    if unknown:
        raise ImportFormatError(f"'{path}' has unknown field(s) {', '.join(map(repr, unknown))[:200]}.")
    for key in required:
        if key not in d:
            raise ImportFormatError(f"'{path}' lacks the field '{key}'.")
    if known is not None and configs_key is None:
        configs_key = _known(("configs", d["data_config"], d["model_config"]))
    if configs_key is None or configs_key not in known:
        _check_dataclass(d["data_config"], DataConfig, f"{path}.data_config")
        _check_dataclass(d["model_config"], ModelConfig, f"{path}.model_config")
    _check(d["model_repr"], str, f"{path}.model_repr")
    _check_dataset(d["dataset"], f"{path}.dataset")
    metrics = d["metrics"]
    if not isinstance(metrics, dict) or set(metrics) != {"validation", "test"}:
        raise _fail(f"{path}.metrics", "an object with 'validation' and 'test'", metrics)
    for split in ("validation", "test"):
        packed = tuple(w for w in ("roc_curves", "pr_curves") if (split, w) in packed_curves)
        evaluation = metrics[split]
        if packed and isinstance(evaluation, dict):  # the packed curves' labels here, their points checked
            evaluation = {k: v for k, v in evaluation.items() if k not in packed}
        _check_dataclass(evaluation, Evaluation, f"{path}.metrics.{split}", skip=packed)
        for which in packed:
            curves = metrics[split][which]
            if not isinstance(curves, list) or len(curves) > MAX_ITEMS:
                raise _fail(f"{path}.metrics.{split}.{which}", f"a list of at most {MAX_ITEMS} curves", curves)
            for i, c in enumerate(curves):  # arrays() checked that each is a dict without its points
                if set(c) != {"label"} or not isinstance(c["label"], str) or len(c["label"]) > MAX_TEXT:
                    raise _fail(f"{path}.metrics.{split}.{which}[{i}]", "a curve with a label", c)
        for key in _METRICS_0_1:
            _range(metrics[split][key], 0.0, 1.0, f"{path}.metrics.{split}.{key}")
        _range(metrics[split]["mcc"], -1.0, 1.0, f"{path}.metrics.{split}.mcc")
        _range(metrics[split]["n_samples"], 0, 10**9, f"{path}.metrics.{split}.n_samples")
    _check(d["history"], tuple[EpochLog, ...], f"{path}.history")
    named = {k: v for k, v in d["cost"].items() if k not in COST_NAMES}  # the clear names repeat two fields
    _check_dataclass(named, Cost, f"{path}.cost")
    for key, value in d["cost"].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):  # text fields: timing_context
            _range(value, 0.0, 1e12, f"{path}.cost.{key}")
    _check(d["environment"], dict[str, Any], f"{path}.environment")  # checked: cheaper than a key to skip it
    _check(d["stopped"], bool, f"{path}.stopped")
    _check_timestamp(d["created_at"], f"{path}.created_at")
    _check(d.get("warnings", []), tuple[str, ...], f"{path}.warnings")
    _check_predictions(d.get("predictions", {}), f"{path}.predictions")


def _check_dataset(value: Any, path: str) -> None:
    _check(value, dict[str, Any], path)
    for key in ("n_train", "n_val", "n_test", "n_features", "n_classes"):
        if key not in value:
            raise ImportFormatError(f"'{path}' lacks the field '{key}'.")
        _check(value[key], int, f"{path}.{key}")
        _range(value[key], 0, 10**9, f"{path}.{key}")
    if "class_names" in value:
        _check(value["class_names"], tuple[str, ...], f"{path}.class_names")


def _check_predictions(value: Any, path: str) -> None:
    if not isinstance(value, dict) or not set(value) <= {"validation", "test"}:
        raise _fail(path, "an object with 'validation' and/or 'test'", value)
    for split, p in value.items():
        if not isinstance(p, dict) or set(p) != {"y_true", "proba"}:
            raise _fail(f"{path}.{split}", "an object with 'y_true' and 'proba'", p)
        try:
            y, proba = np.asarray(p["y_true"]), np.asarray(p["proba"])
        except (ValueError, TypeError):
            raise _fail(f"{path}.{split}", "a list of labels and a table of probabilities", p) from None
        if y.ndim != 1 or (y.size and y.dtype.kind not in "iu") or y.size > 10**7:
            raise _fail(f"{path}.{split}.y_true", "a list of integer labels", p["y_true"])
        if proba.ndim != 2 or proba.dtype.kind not in "iuf" or proba.shape[0] != y.size:
            raise _fail(f"{path}.{split}.proba", "one row of probabilities per label", p["proba"])


def _check_timestamp(value: Any, path: str) -> str:
    if not isinstance(value, str) or len(value) > 64:
        raise _fail(path, "an ISO 8601 timestamp", value)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise _fail(path, "an ISO 8601 timestamp", value) from None
    return value


def headline_of_dict(d: dict[str, Any]) -> dict[str, Any]:
    """The store's headline columns from a checked result's plain form (see core/store_db.py)."""
    val, test = d["metrics"]["validation"], d["metrics"]["test"]
    return {
        "val_accuracy": float(val["accuracy"]),
        "val_f1": float(val["f1"]),
        "test_accuracy": float(test["accuracy"]),
        "train_time_s": float(d["cost"]["train_time_s"]),
        "model_repr": str(d["model_repr"])[:MAX_NAME],
        "task": str(d["dataset"].get("task") or "")[:MAX_NAME],
        "result_state": "ok",
        "timing_context": str(d["cost"].get("timing_context") or "serial")[:MAX_NAME],
    }


def headline_of_json(text_: str | None) -> dict[str, Any]:
    """Headline columns of a stored result, checked like an import ("unreadable" when it is not a RunResult)."""
    empty = dict.fromkeys(HEADLINE_COLUMNS)
    if text_ is None:
        return {**empty, "result_state": "none"}
    try:
        d = json.loads(text_)
        check_result(d)
    except (ImportFormatError, ValueError, RecursionError):
        return {**empty, "result_state": "unreadable"}
    return headline_of_dict(d)


def result_from_json(text_: str, arrays: bytes | None = None) -> RunResult:
    """A stored result (its JSON, and its packed arrays when it has them: core/records/store_pack.py), checked
    like an import (a row another program wrote may be anything)."""
    from core.records.store_pack import PackError, unpack

    try:
        d = json.loads(text_)
    except (ValueError, RecursionError) as err:
        raise ImportFormatError(f"the stored result is not JSON ({str(err)[:80]}).") from None
    if arrays is not None:
        if not isinstance(d, dict):
            raise _fail("result", "an object (a RunResult)", d)
        try:
            unpack(d, arrays)
        except PackError as err:
            raise ImportFormatError(f"the stored result's arrays cannot be read: {err}.") from None
    return check_result(d)
