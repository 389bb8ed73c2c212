"""Run store export, import and recovery files: the ``tradeoff-lab-runs`` JSON format.

    {"format": "tradeoff-lab-runs", "version": 3, "runs": [{"uuid", "created_at", "app_version", "kind",
     "status", "dataset", "model", "notes", "tags", "error", "group", "result": RunResult.to_dict() | null,
     "arrays": base64 | absent, "parent": uuid | absent, "compress": report row | absent}, ...]}

A compressed variant (kind "compress") carries its report row and its parent's uuid: an import links it to
that run when the store holds it (from this import or before), so Compress shows it again.

Version 3 writes a result as the store keeps it: its plain form without the bulky arrays (predictions, curve
points), which travel packed in ``"arrays"`` (base64 of core/records/store_pack.py's blob), ~6x smaller and
~10x quicker to read than the same numbers as decimal text. A version 3 entry may also carry its result whole
(no ``"arrays"``), as versions 1 and 2 always do; both forms import, and are stored packed.

An import is checked whole before anything is written — types, ranges, sizes and nesting depth of every
value — then inserted in one transaction in the file's order, keeping ``created_at`` and the app version;
runs whose uuid the store already holds are skipped and counted. Version 1 files (no uuid) get a uuid
derived from their content, so importing one twice adds nothing the second time. A CLI run that cannot be
saved — and a Train run, a sweep's trials or a cross-validation's folds the app could not save — is written to
``~/.tradeoff_lab/unsaved/`` in this same format (``write_recovery_file``); ``import_unsaved`` adds them all.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import multiprocessing
import os
import re
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from core.records.result import RunResult
from core.records.run_schema import (  # noqa: F401  (re-exported: the checkers live in run_schema)
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_NAME,
    MAX_TAGS,
    MAX_TEXT,
    ImportFormatError,
    _check_timestamp,
    _fail,
    check_packed,
    check_result,
    check_variant_info,
    headline_of_dict,
    headline_of_json,
    result_from_json,
)
from core.records.store import KINDS, STATUSES, StoreError, app_version
from core.records.store_pack import inflate, pack
from core.records.unsaved import Unsaved, file_name, unsaved_dir  # noqa: F401  (unsaved_dir: re-exported)

if TYPE_CHECKING:
    from core.records.store import RunFilter, RunStore

FORMAT = "tradeoff-lab-runs"
FORMAT_VERSION = 3
MAX_FILE_BYTES = 256 * 1024 * 1024  # an export of ~200 MNIST runs with their predictions
MAX_RUNS = 10_000


@dataclass(frozen=True)
class ImportReport:
    added: int
    skipped: int  # already in the store (same uuid), or repeated in the file

    def __str__(self) -> str:
        skipped = f"; {self.skipped} already present, skipped" if self.skipped else ""
        return f"Imported {self.added} run(s){skipped}."


def _text(entry: dict, key: str, path: str, *, limit: int, default: str | None = "") -> str | None:
    value = entry.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise _fail(f"{path}.{key}", f"text of at most {limit} characters", value)
    return value


def _entry_row(entry: Any, path: str, ahead: tuple[bytes, bytes] | None = None) -> dict[str, Any]:
    """One export entry checked and turned into a row for the runs table (``ahead``: its packed arrays decoded
    and inflated already, see ``_inflated_ahead``)."""
    if not isinstance(entry, dict):
        raise _fail(path, "an object (one run)", entry)
    known = {"uuid", "created_at", "app_version", "kind", "status", "dataset", "model", "notes", "tags"}
    unknown = sorted(set(entry) - known - {"error", "result", "id", "arrays", "group", "parent", "compress"})
    if unknown:
        raise ImportFormatError(f"'{path}' has unknown field(s) {', '.join(map(repr, unknown))[:200]}.")
    kind = entry.get("kind", "train")
    if kind not in KINDS:
        raise _fail(f"{path}.kind", "one of " + ", ".join(KINDS), kind)
    status = entry.get("status", "complete")
    if status not in STATUSES:
        raise _fail(f"{path}.status", "one of " + ", ".join(STATUSES), status)
    raw_result = entry.get("result")
    stored: dict[str, Any] = {"result_json": None, "result_arrays": None}
    if raw_result is not None and "arrays" in entry:  # version 3, packed: checked without unpacking
        blob, raw = ahead or (_base64(entry["arrays"], path), None)
        data_config, model_config = check_packed(raw_result, blob, f"{path}.result", raw=raw)
        stored = {"result_json": getattr(raw_result, "raw", None) or json.dumps(raw_result), "result_arrays": blob}
    elif raw_result is not None:
        result = check_result(raw_result, f"{path}.result")
        data_config, model_config = result.data_config, result.model_config
        small, blob = pack(raw_result)
        raw = getattr(raw_result, "raw", None) if blob is None else None
        stored = {"result_json": raw or json.dumps(small), "result_arrays": blob}
    elif "arrays" in entry:
        raise _fail(f"{path}.arrays", "absent when the run has no result", "…")
    group = entry.get("group")
    if group is not None and (not isinstance(group, str) or len(group) > MAX_NAME or group.startswith("#")):
        raise _fail(f"{path}.group", f"text of at most {MAX_NAME} characters, not starting with '#'", group)
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
        or (data_config.dataset if raw_result is not None else "?"),
        "model": _text(entry, "model", path, limit=MAX_NAME, default=None)
        or (model_config.kind.value if raw_result is not None else "?"),
        "notes": _text(entry, "notes", path, limit=MAX_TEXT),
        "tags": ",".join(t.strip() for t in tags if t.strip()),
        "error": _text(entry, "error", path, limit=MAX_TEXT, default=None),
        # a packed result's JSON as it came (checked; serialising it again would cost as much as parsing it)
        **stored,
        "group_id": group or None,
        "app_version": _text(entry, "app_version", path, limit=MAX_NAME, default=None) or "unknown (imported)",
        "owner": None,
        **(headline_of_dict(raw_result) if raw_result is not None else headline_of_json(None)),
    }
    if "created_at" in entry:
        row["created_at"] = _check_timestamp(entry["created_at"], f"{path}.created_at")
    else:  # version 1 exports: the result's own timestamp
        row["created_at"] = (
            _check_timestamp(raw_result["created_at"], f"{path}.result.created_at")
            if raw_result is not None
            else datetime.now(UTC).isoformat(timespec="seconds")
        )
    if entry.get("compress") is not None:  # a compressed variant: its report row, and its parent by uuid
        if kind != "compress":
            raise _fail(f"{path}.kind", '"compress" for a run with a "compress" report row', kind)
        row["compress_json"] = json.dumps(check_variant_info(entry["compress"], f"{path}.compress"))
    if entry.get("parent") is not None:
        row["parent_uuid"] = _uuid(entry["parent"], f"{path}.parent")
    if "uuid" in entry:
        row["uuid"] = _uuid(entry["uuid"], f"{path}.uuid")
        if row.get("parent_uuid") == row["uuid"]:
            raise _fail(f"{path}.parent", "another run's uuid", entry["parent"])
    else:  # the same content always gets the same id, so a re-import is skipped
        digest = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).digest()[:16]
        row["uuid"] = str(uuid.UUID(bytes=digest))
    return row


def _uuid(value: Any, path: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise _fail(path, "a UUID", value) from None


def _base64(value: Any, path: str) -> bytes:
    try:  # strict: what b64decode(validate=True) refuses, without its regular expression over the text first
        return binascii.a2b_base64(value, strict_mode=True)
    except (binascii.Error, TypeError, ValueError):
        raise _fail(f"{path}.arrays", "base64 text", value) from None


_AHEAD = 16  # entries whose arrays are inflated ahead of the checks (bounded: an MNIST run's are ~1 MB)


def _inflate_entry(entry: Any) -> tuple[bytes, bytes] | None:
    if not (isinstance(entry, dict) and entry.get("result") is not None and "arrays" in entry):
        return None
    try:
        blob = binascii.a2b_base64(entry["arrays"], strict_mode=True)
        return blob, inflate(blob)
    except (binascii.Error, TypeError, ValueError):  # PackError is a ValueError
        return None


def _inflated_ahead(runs: list[Any]) -> Iterator[tuple[bytes, bytes] | None]:
    """For each entry, in order: its packed arrays (blob, inflated), prepared by a helper thread a few entries
    ahead of the checks — zlib lets go of the GIL, so inflating (a third of an import's checking time) runs on
    the second core beside the Python checks — or None (no arrays, or arrays that do not decode: that entry's
    own checks then say what is wrong, in the file's order)."""
    if len(runs) < 2:
        yield from (None for _ in runs)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-inflate") as pool:
        pending = deque(pool.submit(_inflate_entry, e) for e in runs[:_AHEAD])
        for i in range(len(runs)):
            done = pending.popleft().result()
            if i + _AHEAD < len(runs):
                pending.append(pool.submit(_inflate_entry, runs[i + _AHEAD]))
            yield done


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
    if payload.get("version") not in (1, 2, FORMAT_VERSION):
        raise _fail("version", f"1, 2 or {FORMAT_VERSION}", payload.get("version"))
    runs = payload.get("runs")
    if not isinstance(runs, list) or len(runs) > MAX_RUNS:
        raise _fail("runs", f"a list of at most {MAX_RUNS} runs", runs)
    rows = []
    for i, (entry, ahead) in enumerate(zip(runs, _inflated_ahead(runs), strict=True)):
        try:
            rows.append(_entry_row(entry, f"runs[{i}]", ahead))
        except ImportFormatError as err:
            raise ImportFormatError(f"Run {i + 1} of {len(runs)}: {err} Nothing was imported.") from None
    return rows


def import_json(store: RunStore, text_: str | bytes) -> ImportReport:
    """Check the whole export, then add its runs not yet present, all in one transaction."""
    rows, repeats = _unique_rows(parse_export(text_), datetime.now(UTC).isoformat(timespec="seconds"))
    added, skipped = store.insert_rows(rows)
    return ImportReport(added, skipped + repeats)


IMPORT_PROCESSES = 2  # files checked at once by ``import_files`` (each in its own process)


def _unique_rows(rows: list[dict[str, Any]], now: str) -> tuple[list[dict[str, Any]], int]:
    """The rows with their uuid's first occurrence only, stamped ``imported_at``; and how many were repeats."""
    unique: dict[str, dict[str, Any]] = {}
    for row in rows:
        row["imported_at"] = now  # History's "imported" kind
        unique.setdefault(row["uuid"], row)
    return list(unique.values()), len(rows) - len(unique)


def _checked_file(path: str) -> list[dict[str, Any]]:
    """A file's runs as rows, checked whole (run in a worker process by ``import_files``)."""
    with open(path, "rb") as fh:
        return parse_export(fh.read())


class _FileFailed(Exception):
    """Carries (as its cause) an error reading a file out of the insert, whose database errors it must not pass
    for (``guarded`` turns an OSError into a StoreError about the store)."""


def import_files(store: RunStore, paths: list[str | Path], *, processes: int = IMPORT_PROCESSES) -> ImportReport:
    """Import several exports, all or nothing: every file is checked whole, as by ``import_json``, and their
    runs are added in one transaction, in the files' order; a refused file (the message names it and its first
    bad run) or an unreadable one leaves the store as it was. With more than one file, up to ``processes``
    worker processes read and check the next files while this one inserts the runs of those already checked
    (JSON decoding and the checks are pure Python; the insert is a fraction of the time)."""
    names = [str(p) for p in paths]
    if len(names) == 1:
        with open(names[0], "rb") as fh:
            data = fh.read()
        try:
            return import_json(store, data)
        except ImportFormatError as err:
            err.file = names[0]
            raise
    now = datetime.now(UTC).isoformat(timespec="seconds")
    repeats = 0

    def batches(checked: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
        nonlocal repeats
        for name in names:
            try:
                rows = next(checked)
            except ImportFormatError as err:
                named = ImportFormatError(f"{Path(name).name}: {err}")
                named.file = name
                raise named from None
            except BrokenProcessPool:
                raise StoreError(
                    f"A worker process checking {Path(name).name} stopped (out of memory?); nothing was imported. "
                    "Import fewer files at once."
                ) from None
            except Exception as err:
                raise _FileFailed() from err
            rows, repeated = _unique_rows(rows, now)
            repeats += repeated
            yield rows

    workers = min(processes, len(names), os.cpu_count() or 1)
    try:
        if workers < 2:
            added, skipped = store.insert_batches(batches(_checked_file(n) for n in names))
        else:
            pool = _pool(workers)
            try:
                added, skipped = store.insert_batches(batches(_ahead(pool, names, workers + 1)))
            finally:
                pool.shutdown(cancel_futures=True)
    except _FileFailed as err:
        raise err.__cause__ from None
    return ImportReport(added, skipped + repeats)


_NATIVE_THREADS = ("jax", "tensorflow")  # loaded, they run thread pools that threading.active_count() does not see


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes, forked where this process runs no other thread (they start at once, with every module
    loaded), started fresh otherwise (a Streamlit server's threads, or a loaded engine's, must not be forked)."""
    fork = (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not any(name in sys.modules for name in _NATIVE_THREADS)
    )
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork" if fork else "spawn"))


def _ahead(pool: ProcessPoolExecutor, names: list[str], depth: int) -> Iterator[list[dict[str, Any]]]:
    """Each file's checked rows in order, at most ``depth`` files checked or in progress ahead of the one asked
    for (a file's rows are ~30 MB); files not yet asked for are cancelled when the caller stops."""
    pending: deque[Future] = deque()
    try:
        for i in range(len(names)):
            while len(pending) < depth and i + len(pending) < len(names):
                pending.append(pool.submit(_checked_file, names[i + len(pending)]))
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


# --- export ----------------------------------------------------------------------------------------------
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
            "group": m["group_id"],
            **_variant_fields(m),
        }
        arrays = m["result_arrays"]
        packed = f', "arrays": "{base64.b64encode(arrays).decode()}"' if arrays is not None else ""
        result = m["result_json"] or "null"
        out.write((", " if n else "") + json.dumps(meta)[:-1] + ', "result": ' + result + packed + "}")
        n += 1
    out.write("]}")
    return n


def _variant_fields(m: Any) -> dict[str, Any]:
    """A compressed variant's link to its parent (by uuid: ids differ between stores) and its report row."""
    fields: dict[str, Any] = {}
    if m["parent_uuid"]:
        fields["parent"] = m["parent_uuid"]
    if m["compress_json"]:
        try:
            fields["compress"] = json.loads(m["compress_json"])
        except ValueError:
            pass  # an unreadable report row: the run travels without it
    return fields


def export_json(store: RunStore, ids: list[int] | None = None, where: RunFilter | None = None) -> str:
    """The runs (oldest first; unreadable rows left out) in the format ``import_json`` reads."""
    out = io.StringIO()
    write_export(store, out, fmt="json", where=where, ids=ids)
    return out.getvalue()


def export_csv(store: RunStore, ids: list[int] | None = None, where: RunFilter | None = None) -> str:
    out = io.StringIO()
    write_export(store, out, fmt="csv", where=where, ids=ids)
    return out.getvalue()


def write_recovery_file(
    runs: RunResult | None | Sequence[Unsaved], *, kind: str = "train", error: str | None = None
) -> Path:
    """Save what the store could not take to ``~/.tradeoff_lab/unsaved/``, as one export file; ``runs import
    --unsaved`` (or History's button) adds it. ``runs``: one result (``kind`` and ``error`` are its own), or
    several runs as ``Unsaved`` entries (a sweep's refused trials, ``kind`` "sweep"; a cross-validation's folds)
    written to ONE file whose name says ``kind`` and how many runs it holds."""
    if runs is None or isinstance(runs, RunResult):
        runs = [Unsaved(runs, kind=kind, error=error)]
    if not runs:
        raise ValueError("write_recovery_file needs at least one run.")
    now = datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    first_uuid = runs[0].uuid or str(uuid.uuid4())
    folder = unsaved_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(now.strftime("%Y%m%dT%H%M%SZ"), first_uuid[:8], kind=kind, n_runs=len(runs))
    part = path.with_name(path.name + ".part")  # never listed half-written: renamed once complete
    try:
        with open(part, "w", encoding="utf-8") as out:
            out.write(f'{{"format": "{FORMAT}", "version": {FORMAT_VERSION}, "runs": [')
            for i, run in enumerate(runs):
                out.write((", " if i else "") + json.dumps(_recovery_entry(run, first_uuid if i == 0 else None, stamp)))
            out.write("]}")
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path


def _recovery_entry(run: Unsaved, run_uuid: str | None, now: str) -> dict[str, Any]:
    """One run of a recovery file, as an export writes it (its arrays packed: ~6x smaller than as text)."""
    result = run.result
    status = run.status or ("failed" if result is None else "stopped" if result.stopped else "complete")
    entry = {
        "uuid": run.uuid or run_uuid or str(uuid.uuid4()),
        "created_at": result.created_at if result is not None and result.created_at else now,  # when it ran
        "app_version": app_version(),
        "kind": run.kind,
        "status": str(status),
        "dataset": run.dataset or (result.data_config.dataset if result else "?"),
        "model": run.model or (result.model_config.kind.value if result else "?"),
        "notes": "",
        "tags": [],
        "error": run.error,
        "group": run.group,
        "result": None,
        **({"parent": run.parent} if run.parent else {}),
        **({"compress": run.compress} if run.compress is not None else {}),
    }
    if result is not None:
        entry["result"], blob = pack(result.to_dict())
        if blob is not None:
            entry["arrays"] = base64.b64encode(blob).decode()
    return entry


@dataclass(frozen=True)
class UnsavedImport:
    """What ``import_unsaved`` did: the import's report, the files moved to ``unsaved/imported/``, and the files
    it could not read as exports, each with why (set aside in ``unsaved/refused/``, so never offered again)."""

    report: ImportReport | None
    moved: tuple[Path, ...] = ()
    refused: tuple[tuple[Path, str], ...] = ()
    not_moved: str | None = None  # imported, but the files could not be moved (they would be skipped next time)

    def __str__(self) -> str:
        parts = [str(self.report)] if self.report is not None else []
        if self.moved:
            parts.append(f"{len(self.moved)} file(s) moved to {self.moved[0].parent}.")
        if self.not_moved:
            parts.append(self.not_moved)
        for path, why in self.refused:
            parts.append(f"Not imported: {path.name}, kept in {path.parent}: {why}")
        return " ".join(parts) or "No runs are waiting in the unsaved folder."


def _set_aside(path: Path, folder: Path) -> Path:
    """``path`` moved into ``folder`` (a name already there gets a suffix, never overwritten)."""
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    os.replace(path, target)
    return target


def import_unsaved(store: RunStore, *, processes: int = IMPORT_PROCESSES) -> UnsavedImport:
    """Import every file waiting in ``unsaved/`` through ``import_files`` (all or nothing, runs whose uuid the
    store holds already skipped), then move the files to ``unsaved/imported/``. A file that is not a readable
    export is named, set aside in ``unsaved/refused/`` and the others imported without it; a store that
    refuses the import (still locked) raises StoreError and every file stays where it was."""
    from core.records.unsaved import waiting

    folder = unsaved_dir()
    files = list(waiting().files)
    refused: list[tuple[Path, str]] = []
    report = None
    while files:
        try:
            report = import_files(store, files, processes=processes)
            break
        except (ImportFormatError, OSError) as err:
            failed = err
        if isinstance(failed, ImportFormatError):
            bad = failed.file
            why = str(failed).removeprefix(f"{Path(bad).name}: ") if bad else str(failed)
            why = why.removesuffix(" Nothing was imported.")  # the other files are
        else:  # unreadable (permissions), or gone since the scan
            bad, why = failed.filename, f"could not be read: {failed.strerror or failed}"
        bad_path = next((p for p in files if str(p) == str(bad)), None)
        if bad_path is None and isinstance(failed, OSError):
            raise StoreError(f"Could not read the runs in {folder} ({failed.strerror or failed}).") from failed
        if bad_path is None:  # not a file's fault: the caller says what happened
            raise failed
        files.remove(bad_path)
        try:
            refused.append((_set_aside(bad_path, folder / "refused"), why))
        except OSError:
            refused.append((bad_path, why))
    moved, not_moved = [], None
    for path in files:
        try:
            moved.append(_set_aside(path, folder / "imported"))
        except OSError as err:
            not_moved = (
                f"{path.name} could not be moved to {folder / 'imported'} ({err.strerror or err}); importing it "
                "again adds nothing."
            )
    return UnsavedImport(report, tuple(moved), tuple(refused), not_moved)
