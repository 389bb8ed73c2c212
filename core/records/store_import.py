"""Run store export, import and recovery files: the ``tradeoff-lab-runs`` JSON format.

    {"format": "tradeoff-lab-runs", "version": 2, "runs": [{"uuid", "created_at", "app_version", "kind",
     "status", "dataset", "model", "notes", "tags", "error", "result": RunResult.to_dict() | null}, ...]}

An import is checked whole before anything is written — types, ranges, sizes and nesting depth of every
value — then inserted in one transaction in the file's order, keeping ``created_at`` and the app version;
runs whose uuid the store already holds are skipped and counted. Version 1 files (no uuid) get a uuid
derived from their content, so importing one twice adds nothing the second time. A CLI run that cannot be
saved is written to ``~/.tradeoff_lab/unsaved/<timestamp>-<id>.json`` in this same format.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import io
import json
import re
import types
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from core.config import DataConfig, ModelConfig
from core.errors import CoreError
from core.evaluation.metrics import Evaluation
from core.records.result import COST_NAMES, Cost, RunResult
from core.records.store import KINDS, STATUSES, StoreError, app_version
from core.records.store_db import HEADLINE_COLUMNS
from core.training.progress import EpochLog

if TYPE_CHECKING:
    from core.records.store import RunFilter, RunStore, StoredRun

FORMAT = "tradeoff-lab-runs"
FORMAT_VERSION = 2
MAX_FILE_BYTES = 256 * 1024 * 1024  # an export of ~200 MNIST runs with their predictions
MAX_RUNS = 10_000
MAX_TEXT = 10_000  # characters in a note, an error, a warning
MAX_NAME = 200  # characters in a dataset/model name, a tag, a label
MAX_TAGS = 50
MAX_ITEMS = 100_000  # elements in one list (curves, history, predictions rows)
MAX_DEPTH = 6  # nesting inside free-form dicts (dataset facts, environment stamp, per-class rows)
_METRICS_0_1 = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "precision_weighted")
_METRICS_0_1 += ("recall_weighted", "f1_weighted", "roc_auc", "average_precision")


class ImportFormatError(StoreError):
    """A file (or a stored row) is not a valid Tradeoff Lab export; the message names the value."""


@dataclass(frozen=True)
class ImportReport:
    added: int
    skipped: int  # already in the store (same uuid), or repeated in the file

    def __str__(self) -> str:
        skipped = f"; {self.skipped} already present, skipped" if self.skipped else ""
        return f"Imported {self.added} run(s){skipped}."


def unsaved_dir() -> Path:
    return Path.home() / ".tradeoff_lab" / "unsaved"


# --- validation ----------------------------------------------------------------------------------------
def _fail(path: str, rule: str, value: Any) -> ImportFormatError:
    shown = repr(value) if isinstance(value, (int, float, str, bool, type(None))) else type(value).__name__
    return ImportFormatError(f"'{path}' must be {rule}; got {shown[:80]}.")


@functools.cache
def _parts(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """A type hint's origin and arguments (cached: an import asks ~400 times per run)."""
    return typing.get_origin(hint), typing.get_args(hint)


def _check(value: Any, hint: Any, path: str) -> None:
    """Check a plain JSON value against a type hint of the project's dataclasses."""
    origin, args = _parts(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return
        inner = [a for a in args if a is not type(None)]
        return _check(value, inner[0], path)
    if hint is Any:
        return _free_form(value, path, 0)
    if hint is bool:
        if not isinstance(value, bool):
            raise _fail(path, "true or false", value)
    elif hint is int:
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**62:
            raise _fail(path, "an integer", value)
    elif hint is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _fail(path, "a number", value)
    elif hint is str:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise _fail(path, f"text of at most {MAX_TEXT} characters", value)
    elif isinstance(hint, type) and issubclass(hint, Enum):
        if not isinstance(value, str) or value not in {m.value for m in hint}:
            raise _fail(path, "one of " + ", ".join(m.value for m in hint), value)
    elif origin is tuple:
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise _fail(path, f"a list of at most {MAX_ITEMS} items", value)
        item_hint = args[0]
        if item_hint in (float, int):  # long numeric lists: one pass over the item types
            allowed = {int} if item_hint is int else {int, float}
            if not set(map(type, value)) <= allowed:
                raise _fail(path, "a list of " + ("integers" if item_hint is int else "numbers"), value)
            return
        for i, item in enumerate(value):
            _check(item, item_hint, f"{path}[{i}]")
    elif origin is dict:
        _free_form(value, path, 0)
    elif dataclasses.is_dataclass(hint):
        _check_dataclass(value, hint, path)
    else:  # pragma: no cover - a field type this checker does not know is a bug here
        raise ImportFormatError(f"'{path}': no rule for {hint}.")


_HINTS: dict[type, dict[str, Any]] = {}


def _check_dataclass(value: Any, cls: type, path: str, *, skip: tuple[str, ...] = ()) -> None:
    if not isinstance(value, dict):
        raise _fail(path, f"an object ({cls.__name__})", value)
    hints = _HINTS.get(cls)
    if hints is None:  # resolving the hints costs ~0.5 ms per class: once per process, not once per value
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)} - set(skip)
    unknown = sorted(set(value) - names)
    if unknown:
        raise ImportFormatError(f"'{path}' has unknown field(s) {', '.join(map(repr, unknown))[:200]}.")
    for f in dataclasses.fields(cls):
        if f.name in skip:
            continue
        if f.name not in value:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ImportFormatError(f"'{path}' lacks the field '{f.name}'.")
            continue
        _check(value[f.name], hints[f.name], f"{path}.{f.name}")


def _free_form(value: Any, path: str, depth: int) -> None:
    """A dict of facts (dataset, environment, per-class row): JSON values, bounded depth and size."""
    if depth > MAX_DEPTH:
        raise ImportFormatError(f"'{path}' is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, dict):
        if len(value) > 1000 or not all(isinstance(k, str) and len(k) <= MAX_NAME for k in value):
            raise _fail(path, "an object with at most 1000 short keys", value)
        for k, v in value.items():
            _free_form(v, f"{path}.{k}", depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise _fail(path, f"a list of at most {MAX_ITEMS} items", value)
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                _free_form(v, f"{path}[{i}]", depth + 1)
    elif isinstance(value, str) and len(value) > MAX_TEXT:
        raise _fail(path, f"text of at most {MAX_TEXT} characters", value)


def _range(value: Any, low: float, high: float, path: str) -> None:
    if value is not None and not (low <= value <= high):  # NaN fails too
        raise _fail(path, f"a number in [{low:g}, {high:g}]", value)


def check_result(d: Any, path: str = "result") -> RunResult:
    """A RunResult from its plain form, every value checked; ImportFormatError names the first bad one."""
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
    _check_dataclass(d["data_config"], DataConfig, f"{path}.data_config")
    _check_dataclass(d["model_config"], ModelConfig, f"{path}.model_config")
    _check(d["model_repr"], str, f"{path}.model_repr")
    _check_dataset(d["dataset"], f"{path}.dataset")
    metrics = d["metrics"]
    if not isinstance(metrics, dict) or set(metrics) != {"validation", "test"}:
        raise _fail(f"{path}.metrics", "an object with 'validation' and 'test'", metrics)
    for split in ("validation", "test"):
        _check_dataclass(metrics[split], Evaluation, f"{path}.metrics.{split}")
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
    _check(d["environment"], dict[str, Any], f"{path}.environment")
    _check(d["stopped"], bool, f"{path}.stopped")
    _check_timestamp(d["created_at"], f"{path}.created_at")
    _check(d.get("warnings", []), tuple[str, ...], f"{path}.warnings")
    _check_predictions(d.get("predictions", {}), f"{path}.predictions")
    try:
        result = RunResult.from_dict(d)
        result.data_config.validate()
        result.model_config.validate()
    except (CoreError, ValueError, TypeError, KeyError) as err:
        raise ImportFormatError(f"'{path}' is not a valid run: {str(err)[:200]}") from None
    return result


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


def result_from_json(text_: str) -> RunResult:
    """A stored result, checked like an import (a row another program wrote may be anything)."""
    try:
        d = json.loads(text_)
    except (ValueError, RecursionError) as err:
        raise ImportFormatError(f"the stored result is not JSON ({str(err)[:80]}).") from None
    return check_result(d)


def _text(entry: dict, key: str, path: str, *, limit: int, default: str | None = "") -> str | None:
    value = entry.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise _fail(f"{path}.{key}", f"text of at most {limit} characters", value)
    return value


def _entry_row(entry: Any, path: str) -> dict[str, Any]:
    """One export entry checked and turned into a row for the runs table."""
    if not isinstance(entry, dict):
        raise _fail(path, "an object (one run)", entry)
    known = {"uuid", "created_at", "app_version", "kind", "status", "dataset", "model", "notes", "tags"}
    unknown = sorted(set(entry) - known - {"error", "result", "id"})
    if unknown:
        raise ImportFormatError(f"'{path}' has unknown field(s) {', '.join(map(repr, unknown))[:200]}.")
    kind = entry.get("kind", "train")
    if kind not in KINDS:
        raise _fail(f"{path}.kind", "one of " + ", ".join(KINDS), kind)
    status = entry.get("status", "complete")
    if status not in STATUSES:
        raise _fail(f"{path}.status", "one of " + ", ".join(STATUSES), status)
    raw_result = entry.get("result")
    result = check_result(raw_result, f"{path}.result") if raw_result is not None else None
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise _fail(f"{path}.tags", f"a list of at most {MAX_TAGS} tags", tags)
    for i, tag in enumerate(tags):
        if not isinstance(tag, str) or len(tag) > MAX_NAME or "," in tag:
            raise _fail(f"{path}.tags[{i}]", f"a tag of at most {MAX_NAME} characters without commas", tag)
    if status == "running":  # no process here is running it
        status = "interrupted"
    row = {
        "kind": kind,
        "status": status,
        "dataset": _text(entry, "dataset", path, limit=MAX_NAME, default=None)
        or (result.data_config.dataset if result else "?"),
        "model": _text(entry, "model", path, limit=MAX_NAME, default=None)
        or (result.model_config.kind.value if result else "?"),
        "notes": _text(entry, "notes", path, limit=MAX_TEXT),
        "tags": ",".join(t.strip() for t in tags if t.strip()),
        "error": _text(entry, "error", path, limit=MAX_TEXT, default=None),
        # the checked plain form as it came (RunResult.to_json would rebuild the same JSON at ~3x the cost)
        "result_json": (getattr(raw_result, "raw", None) or json.dumps(raw_result)) if result is not None else None,
        "app_version": _text(entry, "app_version", path, limit=MAX_NAME, default=None) or "unknown (imported)",
        "owner": None,
        **(headline_of_dict(raw_result) if result is not None else headline_of_json(None)),
    }
    if "created_at" in entry:
        row["created_at"] = _check_timestamp(entry["created_at"], f"{path}.created_at")
    else:  # version 1 exports: the result's own timestamp
        row["created_at"] = result.created_at if result else datetime.now(UTC).isoformat(timespec="seconds")
    if "uuid" in entry:
        try:
            row["uuid"] = str(uuid.UUID(str(entry["uuid"])))
        except ValueError:
            raise _fail(f"{path}.uuid", "a UUID", entry["uuid"]) from None
    else:  # the same content always gets the same id, so a re-import is skipped
        digest = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).digest()[:16]
        row["uuid"] = str(uuid.UUID(bytes=digest))
    return row


class _Result(dict):
    """A run's result as decoded, with the exact JSON text it was decoded from (stored as is once checked)."""

    raw: str


_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


def _ws(s: str, i: int) -> int:
    return _WS.match(s, i).end()


def _scan(s: str, i: int) -> tuple[Any, int]:
    try:
        return _DECODER.scan_once(s, i)
    except StopIteration as err:
        raise json.JSONDecodeError("Expecting value", s, err.value) from None


def _sequence(s: str, i: int, close: str, item: Callable[[str, int], tuple[Any, int]]) -> tuple[list, int]:
    """The items of the array or object opened at s[i] (``item`` reads one, from its first character)."""
    items: list = []
    i = _ws(s, i + 1)
    if s[i : i + 1] == close:
        return items, i + 1
    while True:
        value, i = item(s, i)
        items.append(value)
        i = _ws(s, i)
        if s[i : i + 1] == close:
            return items, i + 1
        if s[i : i + 1] != ",":
            raise json.JSONDecodeError(f"Expecting ',' or '{close}'", s, i)
        i = _ws(s, i + 1)


def _members(s: str, i: int, value: Callable[[str, str, int], tuple[Any, int]]) -> tuple[dict, int]:
    def member(s: str, i: int) -> tuple[tuple[str, Any], int]:
        if s[i : i + 1] != '"':
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", s, i)
        key, i = json.decoder.scanstring(s, i + 1)
        i = _ws(s, i)
        if s[i : i + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", s, i)
        i = _ws(s, i + 1)
        decoded, i = value(key, s, i)
        return (key, decoded), i

    pairs, end = _sequence(s, i, "}", member)
    return dict(pairs), end


def _entry_field(key: str, s: str, i: int) -> tuple[Any, int]:
    decoded, end = _scan(s, i)
    if key == "result" and isinstance(decoded, dict):
        decoded = _Result(decoded)
        decoded.raw = s[i:end]
    return decoded, end


def _entry(s: str, i: int) -> tuple[Any, int]:
    return _members(s, i, _entry_field) if s[i : i + 1] == "{" else _scan(s, i)


def _export_field(key: str, s: str, i: int) -> tuple[Any, int]:
    return _sequence(s, i, "]", _entry) if key == "runs" and s[i : i + 1] == "[" else _scan(s, i)


def _loads_export(text_: str | bytes) -> Any:
    """``json.loads`` for an export, except that each run's result also keeps the text it came from, so an
    import stores what it checked without serialising it again (that took as long as parsing it)."""
    if isinstance(text_, bytes):
        text_ = text_.decode(json.detect_encoding(text_), "surrogatepass")
    i = _ws(text_, 0)
    payload, end = _members(text_, i, _export_field) if text_[i : i + 1] == "{" else _scan(text_, i)
    if _ws(text_, end) != len(text_):
        raise json.JSONDecodeError("Extra data", text_, end)
    return payload


def parse_export(text_: str | bytes) -> list[dict[str, Any]]:
    """Every run of an export as a row, or ImportFormatError naming the first bad value (nothing written)."""
    if len(text_) > MAX_FILE_BYTES:
        raise ImportFormatError(f"The file has {len(text_):,} bytes; an import takes at most {MAX_FILE_BYTES:,}.")
    try:
        payload = _loads_export(text_)
    except RecursionError:
        raise ImportFormatError("The file is nested too deeply to be a Tradeoff Lab export.") from None
    except ValueError as err:
        raise ImportFormatError(f"The file is not JSON ({str(err)[:100]}).") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ImportFormatError(
            f'Not a Tradeoff Lab export (no "format": "{FORMAT}"). Export runs from the History page or '
            "`python -m core runs export --format json`."
        )
    if payload.get("version") not in (1, FORMAT_VERSION):
        raise _fail("version", f"1 or {FORMAT_VERSION}", payload.get("version"))
    runs = payload.get("runs")
    if not isinstance(runs, list) or len(runs) > MAX_RUNS:
        raise _fail("runs", f"a list of at most {MAX_RUNS} runs", runs)
    rows = []
    for i, entry in enumerate(runs):
        try:
            rows.append(_entry_row(entry, f"runs[{i}]"))
        except ImportFormatError as err:
            raise ImportFormatError(f"Run {i + 1} of {len(runs)}: {err} Nothing was imported.") from None
    return rows


def import_json(store: RunStore, text_: str | bytes) -> ImportReport:
    """Check the whole export, then add its runs not yet present, all in one transaction."""
    rows = parse_export(text_)
    unique: dict[str, dict[str, Any]] = {}
    for row in rows:
        unique.setdefault(row["uuid"], row)
    added, skipped = store.insert_rows(list(unique.values()))
    return ImportReport(added, skipped + len(rows) - len(unique))


# --- export ----------------------------------------------------------------------------------------------
def entry(run: StoredRun) -> dict[str, Any]:
    return {
        "uuid": run.uuid,
        "created_at": run.created_at,
        "app_version": run.app_version,
        "kind": run.kind,
        "status": run.status,
        "dataset": run.dataset,
        "model": run.model,
        "notes": run.notes,
        "tags": list(run.tags),
        "error": run.error,
        "result": run.result.to_dict() if run.result else None,
    }


def document(entries: list[dict[str, Any]]) -> str:
    return json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "runs": entries})


CSV_COLUMNS = ("id", "created_at", "kind", "status", "dataset", "model", "accuracy", "f1", "train_time_s")
CSV_COLUMNS += ("notes", "tags")


def _readable(m: Any) -> bool:
    """False for a stored result that does not read as a RunResult (left out of exports)."""
    state = m["result_state"] or headline_of_json(m["result_json"])["result_state"]  # NULL: nobody checked it
    return state != "unreadable"


def write_export(
    store: RunStore,
    out: IO[str],
    *,
    fmt: str = "json",
    where: RunFilter | None = None,
    ids: list[int] | None = None,
) -> int:
    """Write the matching runs (oldest first; unreadable rows left out) to ``out`` as they are read, a chunk
    of rows at a time, so 10,000 runs never sit in memory at once. Stored results are copied as stored
    (checked when saved), not parsed again. Returns how many runs were written."""
    rows = (m for m in store.export_rows(where, ids) if _readable(m))
    n = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for m in rows:
            tags = ", ".join(t for t in str(m["tags"] or "").split(",") if t)
            values = [m["id"], m["created_at"], m["kind"], m["status"], m["dataset"], m["model"]]
            values += [m["val_accuracy"], m["val_f1"], m["train_time_s"], m["notes"], tags]
            writer.writerow(["" if v is None else v for v in values])
            n += 1
        return n
    out.write(f'{{"format": "{FORMAT}", "version": {FORMAT_VERSION}, "runs": [')
    for m in rows:
        meta = {
            "uuid": m["uuid"],
            "created_at": m["created_at"],
            "app_version": m["app_version"],
            "kind": m["kind"],
            "status": m["status"],
            "dataset": m["dataset"],
            "model": m["model"],
            "notes": m["notes"] or "",
            "tags": [t for t in str(m["tags"] or "").split(",") if t],
            "error": m["error"],
        }
        out.write((", " if n else "") + json.dumps(meta)[:-1] + ', "result": ' + (m["result_json"] or "null") + "}")
        n += 1
    out.write("]}")
    return n


def export_json(store: RunStore, ids: list[int] | None = None, where: RunFilter | None = None) -> str:
    """The runs (oldest first; unreadable rows left out) in the format ``import_json`` reads."""
    out = io.StringIO()
    write_export(store, out, fmt="json", where=where, ids=ids)
    return out.getvalue()


def export_csv(store: RunStore, ids: list[int] | None = None, where: RunFilter | None = None) -> str:
    out = io.StringIO()
    write_export(store, out, fmt="csv", where=where, ids=ids)
    return out.getvalue()


def write_recovery_file(result: RunResult | None, *, kind: str = "train", error: str | None = None) -> Path:
    """Save a run the store could not take to ``~/.tradeoff_lab/unsaved/``; ``runs import FILE`` adds it."""
    run_uuid = str(uuid.uuid4())
    status = "failed" if result is None else "stopped" if result.stopped else "complete"
    now = datetime.now(UTC)
    payload = {
        "uuid": run_uuid,
        "created_at": now.isoformat(timespec="seconds"),
        "app_version": app_version(),
        "kind": kind,
        "status": status,
        "dataset": result.data_config.dataset if result else "?",
        "model": result.model_config.kind.value if result else "?",
        "notes": "",
        "tags": [],
        "error": error,
        "result": result.to_dict() if result else None,
    }
    folder = unsaved_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now.strftime('%Y%m%dT%H%M%SZ')}-{run_uuid[:8]}.json"
    path.write_text(document([payload]), encoding="utf-8")
    return path
