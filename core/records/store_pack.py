"""Compact storage of a run's bulky arrays: predictions (labels, probabilities) and ROC/PR curve points.

A digits run's plain form (``RunResult.to_dict()``) is ~160 KB of JSON, 90 % of it these arrays written as
decimal text. :func:`pack` takes them out of the plain form into one zlib-compressed binary blob (the store's
``result_arrays`` column, an export's ``"arrays"`` field in base64); :func:`unpack` puts them back. The round
trip is exact: a float array is stored as integers ``k`` with a scale ``10**d`` only when ``k / 10**d`` gives
back every value bit for bit (the values were rounded to ``d`` decimals: 6 for probabilities, 5 for curves),
else as float32 when every value is one (a float32 model's probabilities), else as float64. So ROC AUC,
thresholds and every number the pages show are the same after a store round trip.

Blob layout (before zlib): ``b"TLA1"``, a 4-byte little-endian header length, the header (JSON: one
``[path, dtype, shape, decimals, lengths]`` per array, ``path`` a "/"-joined key path into the plain form), then
the arrays' bytes in header order. An evaluation's ROC (or PR) curves are one (3, points) array — x, y and
thresholds of every curve side by side — with each curve's length in ``lengths``.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from typing import Any

import numpy as np

MAGIC = b"TLA1"
MAX_BLOB_BYTES = 64 * 1024 * 1024  # unpacked size of one run's arrays (an MNIST run's predictions are ~1 MB)
_DTYPES = ("|u1", "<u2", "<u4", "<i8", "<f4", "<f8", "|i1", "<i2", "<i4")
_CURVE_KEYS = ("x", "y", "thresholds")
_CURVE_KEYSET = frozenset(_CURVE_KEYS)
_LEVEL = 1  # zlib level: 6 saves ~5 % more bytes at 3x the time


class PackError(ValueError):
    """A blob is not a valid packed-arrays blob, or does not fit the plain form it belongs to."""


def _float_code(a: np.ndarray) -> tuple[np.ndarray, int]:
    """(stored array, decimals): integers when ``k / 10**d`` gives back every value exactly, else float64."""
    if a.size and np.isfinite(a).all() and a.min() >= 0:
        for d in (5, 6):
            k = np.rint(a * 10.0**d)
            if k.max() < 2**32 and np.array_equal(k / 10.0**d, a):
                top = k.max()
                return k.astype(np.uint8 if top < 2**8 else np.uint16 if top < 2**16 else np.uint32), d
    as32 = a.astype("<f4")
    if np.array_equal(as32.astype(np.float64), a, equal_nan=True):  # float32 values (a model's own dtype)
        return as32, -1
    return a.astype("<f8"), -1


def _int_code(a: np.ndarray) -> np.ndarray:
    if not a.size:
        return a.astype("|i1")
    low, high = int(a.min()), int(a.max())
    for t in (np.int8, np.int16, np.int32):
        info = np.iinfo(t)
        if info.min <= low and high <= info.max:
            return a.astype(t)
    return a.astype("<i8")


def _numeric(values: Any, kind: str) -> np.ndarray | None:
    """``values`` as an array when it is a plain list of numbers (``kind`` "int" or "float"), else None."""
    if isinstance(values, np.ndarray):
        a = values
    elif isinstance(values, (list, tuple)):
        try:
            a = np.asarray(values)
        except (ValueError, TypeError):
            return None
    else:
        return None
    if kind == "int":
        return a if a.dtype.kind in "iu" and a.ndim == 1 else None
    if a.dtype.kind not in "iuf" or a.ndim not in (1, 2) or (a.ndim == 2 and a.shape[1] == 0):
        return None
    return a.astype(np.float64, copy=False)


def _slots(d: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """(key path, "int" / "float" / "curves") of every bulky array group present in a plain form."""
    out: list[tuple[tuple[str, ...], str]] = []
    predictions = d.get("predictions")
    if isinstance(predictions, dict):
        for split, p in predictions.items():
            if isinstance(p, dict):
                out += [(("predictions", split, "y_true"), "int"), (("predictions", split, "proba"), "float")]
    metrics = d.get("metrics")
    if isinstance(metrics, dict):
        for split, ev in metrics.items():
            if isinstance(ev, dict):
                out += [(("metrics", split, which), "curves") for which in ("roc_curves", "pr_curves")]
    return out


def _curve_points(curves: Any) -> tuple[np.ndarray, list[int]] | None:
    """Every curve's x, y and thresholds as one (3, total points) array and each curve's length, or None when
    the curves are not plain (the checks then name what is wrong)."""
    if not isinstance(curves, (list, tuple)) or not curves:  # lists as parsed, tuples from to_dict()
        return None
    lengths, parts = [], []
    for c in curves:
        if not isinstance(c, dict) or not all(isinstance(c.get(k), (list, tuple)) for k in _CURVE_KEYS):
            return None
        n = len(c["x"])
        if len(c["y"]) != n or len(c["thresholds"]) != n:
            return None
        lengths.append(n)
        parts.append([c["x"], c["y"], c["thresholds"]])
    try:
        a = np.concatenate([np.asarray(p, dtype=np.float64) for p in parts], axis=1) if sum(lengths) else None
    except (ValueError, TypeError):
        return None
    if a is None or a.ndim != 2:
        return None
    return a, lengths


def pack(d: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """(the plain form without its bulky arrays, their blob); ``(d, None)`` when there is nothing to pack.

    ``d`` is not changed. Values that are not plain numeric lists stay in the plain form (the checks name them)."""
    header: list[list[Any]] = []
    chunks: list[bytes] = []
    small = _copy_skeleton(d)
    for path, kind in _slots(d):
        parent = _walk(small, path[:-1])
        value = parent.get(path[-1])
        lengths: list[int] = []
        if kind == "curves":
            found = _curve_points(value)
            if found is None:
                continue
            a, lengths = found
        else:
            a = _numeric(value, kind)
            if a is None:
                continue
        if kind == "int":
            stored, decimals = _int_code(a), 0
        else:
            stored, decimals = _float_code(a)
        header.append(["/".join(path), stored.dtype.str, list(a.shape), decimals, lengths])
        chunks.append(stored.tobytes())
        if kind == "curves":
            parent[path[-1]] = [{k: v for k, v in c.items() if k not in _CURVE_KEYS} for c in value]
        else:
            del parent[path[-1]]
    if not header:
        return d, None
    head = json.dumps(header, separators=(",", ":")).encode()
    return small, zlib.compress(MAGIC + struct.pack("<I", len(head)) + head + b"".join(chunks), _LEVEL)


def _copy_skeleton(d: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``d`` deep enough that taking the bulky keys out leaves ``d`` whole (arrays are not copied)."""
    small = dict(d)
    if isinstance(d.get("predictions"), dict):
        small["predictions"] = {k: dict(p) if isinstance(p, dict) else p for k, p in d["predictions"].items()}
    if isinstance(d.get("metrics"), dict):
        small["metrics"] = {k: dict(ev) if isinstance(ev, dict) else ev for k, ev in d["metrics"].items()}
    return small


def _walk(d: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        d = d.get(key) if isinstance(d, dict) else None
    return d


def unpack(small: dict[str, Any], blob: bytes | None) -> dict[str, Any]:
    """The plain form with its arrays back: predictions as numpy arrays (int64 labels, float64 probabilities),
    curve points as lists of floats. ``small`` is changed in place and returned; PackError for a bad blob."""
    if blob is None:
        return small
    for path, value in arrays(small, blob):
        parent = _walk(small, path[:-1])
        if path[0] == "metrics":
            a, lengths = value
            ends = np.cumsum(lengths)
            for c, lo, hi in zip(parent[path[-1]], ends - lengths, ends, strict=True):
                c["x"], c["y"], c["thresholds"] = a[:, lo:hi].tolist()
        else:
            parent[path[-1]] = value
    return small


def inflate(blob: bytes) -> bytes:
    """The blob decompressed (at most MAX_BLOB_BYTES); PackError when it is not zlib data or too large."""
    try:
        raw = zlib.decompressobj().decompress(blob, MAX_BLOB_BYTES)
    except (zlib.error, TypeError) as err:
        raise PackError(f"the arrays are not zlib data ({err})") from None
    if len(raw) >= MAX_BLOB_BYTES:
        raise PackError(f"the arrays unpack to more than {MAX_BLOB_BYTES:,} bytes")
    return raw


def arrays(
    small: dict[str, Any], blob: bytes, *, convert: bool = True, raw: bytes | None = None
) -> list[tuple[tuple[str, ...], Any]]:
    """The blob's arrays, each with its key path, checked against ``small`` (the plain form they were taken
    from): predictions as (int64 labels | float64 probabilities), curves as ((3, points) float64, lengths).
    ``convert=False`` (a check only) leaves them as stored: integers of a scale, or float64. ``raw``: the blob
    already inflated (``inflate(blob)``, e.g. by an import's helper thread)."""
    if raw is None:
        raw = inflate(blob)
    if raw[:4] != MAGIC or len(raw) < 8:
        raise PackError("the arrays do not start with the packed-arrays marker")
    (n_head,) = struct.unpack("<I", raw[4:8])
    try:
        header = json.loads(raw[8 : 8 + n_head])
    except ValueError:
        raise PackError("the arrays' header is not JSON") from None
    if not isinstance(header, list):
        raise PackError("the arrays' header is not a list")
    offset = 8 + n_head
    known = {"/".join(path): (path, kind) for path, kind in _slots(small)}
    out: list[tuple[tuple[str, ...], Any]] = []
    for item in header:
        if not (isinstance(item, list) and len(item) == 5 and item[0] in known and item[1] in _DTYPES):
            raise PackError(f"the arrays' entry {str(item)[:80]} does not fit this run")
        name, dtype, shape, decimals, lengths = item
        path, kind = known.pop(name)
        if not (isinstance(shape, list) and 1 <= len(shape) <= 2 and all(isinstance(s, int) and s >= 0 for s in shape)):
            raise PackError(f"the array {name} has a bad shape {str(shape)[:40]}")
        if not isinstance(decimals, int) or not -1 <= decimals <= 6:
            raise PackError(f"the array {name} has a bad scale {str(decimals)[:40]}")
        count = math.prod(shape)
        size = count * np.dtype(dtype).itemsize
        if offset + size > len(raw):
            raise PackError(f"the arrays end before {name}")
        a = np.frombuffer(raw, dtype=dtype, count=count, offset=offset).reshape(shape)
        offset += size
        parent = _walk(small, path[:-1])
        if kind == "int":
            if a.dtype.kind not in "iu" or a.ndim != 1 or path[-1] in parent:
                raise PackError(f"the array {name} must be integer labels, once")
            out.append((path, a.astype(np.int64) if convert else a))
            continue
        if convert:
            a = a.astype(np.float64) / 10.0**decimals if decimals >= 0 else a.astype(np.float64)
        if kind == "float":
            if a.ndim != 2 or path[-1] in parent:
                raise PackError(f"the array {name} must be a table of probabilities, once")
            out.append((path, a))
            continue
        curves = parent.get(path[-1])
        if not (
            a.ndim == 2
            and a.shape[0] == 3
            and isinstance(lengths, list)
            and isinstance(curves, list)
            and len(lengths) == len(curves)
            and all(isinstance(n, int) and n >= 0 for n in lengths)
            and sum(lengths) == a.shape[1]
            and all(isinstance(c, dict) and _CURVE_KEYSET.isdisjoint(c) for c in curves)
        ):
            raise PackError(f"the curve points {name} do not fit the run's curves")
        out.append((path, (a, lengths)))
    if offset != len(raw):
        raise PackError("the arrays have trailing bytes")
    return out


def plain(d: dict[str, Any]) -> dict[str, Any]:
    """An unpacked plain form made JSON-serialisable (numpy arrays as lists), as ``RunResult.to_dict()`` gives."""
    predictions = d.get("predictions")
    if isinstance(predictions, dict):
        d = {**d, "predictions": {}}
        for split, p in predictions.items():
            d["predictions"][split] = {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in p.items()}
    return d
