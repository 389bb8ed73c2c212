"""Links that reproduce a setup: the data and model configuration (seed included) as URL query parameters.

    query = to_query(data_cfg, model_cfg)        # {"d.dataset": "breast_cancer", "m.epochs": "3", ...}
    link = read_link(st.query_params.to_dict())  # Link(data, model, warnings, csv_name)

Only fields that differ from the defaults are written, so links stay short. Reading is forgiving and safe:
each value is parsed on its own, and any unknown or invalid one (a dataset or model that does not exist, a
bad number, enum or list of units, or a value that does not fit with the ones before it) falls back to its
default with a warning while the rest of the link still applies; nothing raises. Warnings quote the link's
text as given: show them as plain text (``ui.text.plain``), never as Markdown.

A link never names a file on the server. A CSV setup travels as the file's *name* only (``d.csv_file``),
and the person who opens the link picks or uploads that file; a ``d.csv_path`` in a crafted link is never
read, and a link written here never contains a path.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from pathlib import PurePosixPath, PureWindowsPath

from core.config import DataConfig, ModelConfig, ModelKind, coerce_field
from core.data.datasets import DATASETS
from core.errors import ConfigError
from core.knobs import KNOBS

DATA_PREFIX, MODEL_PREFIX = "d.", "m."
CSV_FILE_KEY = "d.csv_file"  # the name of the CSV a link was made with; never a path
MAX_VALUE_CHARS = 200  # longer values are not settings anyone typed: ignored with a warning
SEED_MAX = 10_000  # the pages' seed controls go from 0 to this; numpy refuses negative seeds
_NULLABLE = ("n_rows", "max_depth", "target", "backend")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Link:
    """What a link asks for: configs where every value could be used, and a warning for each that could not."""

    data: DataConfig
    model: ModelConfig
    warnings: tuple[str, ...] = ()
    csv_name: str | None = None  # the CSV file the link was made with; the person must pick or upload it


def _plain(name: str, value: object) -> str:
    """A value in its one written form (the knob table's: hidden units ``64-64``)."""
    if name in KNOBS:
        return KNOBS[name].write(tuple(value) if isinstance(value, list) else value)
    if isinstance(value, list):  # column names (keep_columns, drop_columns): a JSON list, commas and all
        return json.dumps(value)
    return "" if value is None else str(value)


def file_name(path: str) -> str:
    """The last part of a POSIX or Windows path: what a link may say about a file."""
    return PureWindowsPath(PurePosixPath(path).name).name


def to_query(data: DataConfig, model: ModelConfig) -> dict[str, str]:
    """Query parameters for the fields that differ from the defaults (``d.`` data, ``m.`` model).

    A CSV file is written as its name alone (``d.csv_file``): a server path means nothing on another
    machine and must not leak into a shared link.
    """
    out = {}
    for prefix, cfg, default in ((DATA_PREFIX, data, DataConfig()), (MODEL_PREFIX, model, ModelConfig())):
        current, base = cfg.to_dict(), default.to_dict()
        for name, value in current.items():
            if value != base[name] and name != "csv_path":
                out[prefix + name] = _plain(name, value)
    if data.dataset == "csv" and data.csv_path:
        out[CSV_FILE_KEY] = file_name(data.csv_path)
    return out


def link_value(data: DataConfig, model: ModelConfig, key: str) -> str:
    """The value ``key`` (``d.fraction``, ``m.hidden_units``…) has in these configs, written as a link writes it."""
    prefix, _, name = key.partition(".")
    return _plain(name, getattr(data if prefix + "." == DATA_PREFIX else model, name, None))


def read_link(params: dict[str, str | list[str]]) -> Link:
    """Configs from query parameters; every value that cannot be used is named in a warning and skipped."""
    warnings: list[str] = []
    csv_name = None
    built: list[DataConfig | ModelConfig] = []
    for prefix, cls in ((DATA_PREFIX, DataConfig), (MODEL_PREFIX, ModelConfig)):
        known = {f.name for f in fields(cls)}
        values: dict[str, object] = {}
        for key, raw in params.items():
            if not key.startswith(prefix):
                continue
            name, text = key[len(prefix) :], raw[-1] if isinstance(raw, list) else raw
            text = "" if text is None else str(text)
            if len(text) > MAX_VALUE_CHARS:
                warnings.append(f"Ignored link setting {key}: its value is {len(text):,} characters long.")
                continue
            if key in (CSV_FILE_KEY, DATA_PREFIX + "csv_path"):
                csv_name = _csv_name(key, text, warnings) or csv_name
                continue
            if name not in known:
                warnings.append(f"Ignored unknown link setting {key!r}: the default is used.")
                continue
            try:
                value = _parse(cls, name, text)
                cls(**{**values, name: value}).validate()  # checked with the values accepted so far
            except (ConfigError, ValueError, TypeError, OverflowError) as err:
                warnings.append(f"Ignored link setting {key}={text!r}: {err} The default is used.")
                continue
            values[name] = value
        built.append(cls(**values))
    data, model = built
    assert isinstance(data, DataConfig) and isinstance(model, ModelConfig)
    if model.kind == ModelKind.KERAS_CNN and not DATASETS[data.dataset].is_image:
        warnings.append(
            f"Ignored link setting m.kind='keras_cnn': a CNN needs an image dataset, not {data.dataset!r}. "
            "The default model is used."
        )
        model = replace(model, kind=ModelConfig().kind)
    if csv_name is not None and data.dataset != "csv":
        warnings.append(f"Ignored the link's CSV file {csv_name!r}: the link's dataset is {data.dataset!r}.")
        csv_name = None
    return Link(data, model, tuple(warnings), csv_name)


def from_query(params: dict[str, str | list[str]]) -> tuple[DataConfig, ModelConfig, list[str]]:
    """``read_link`` as a tuple: (data config, model config, warnings)."""
    link = read_link(params)
    return link.data, link.model, list(link.warnings)


def _csv_name(key: str, text: str, warnings: list[str]) -> str | None:
    name = file_name(text.strip())
    if not name or name in (".", ".."):
        warnings.append(f"Ignored link setting {key}={text!r}: it names no file.")
        return None
    if key != CSV_FILE_KEY or name != text.strip():
        warnings.append(
            f"Ignored link setting {key}={text!r}: a link never reads a file on the server; "
            f"only the file name {name!r} is kept."
        )
    return name


def _parse(cls: type, name: str, text: str) -> object:
    if name == "dataset":
        if text not in DATASETS:
            raise ConfigError(f"There is no dataset {text!r}. Datasets: {', '.join(DATASETS)}.")
        return text
    knob = KNOBS.get(name)
    if knob is not None and knob.owner is cls:
        return knob.parse(text)  # the table's parser: hidden units 64-32 (64x32 and 64,32 read too)
    if text == "" and name in _NULLABLE:
        return None
    if name == "stratify":
        if text.lower() not in _TRUE + _FALSE:
            raise ConfigError(f"stratify takes true or false. Got {text!r}.")
        return text.lower() in _TRUE
    value = coerce_field(cls, name, text)
    if name == "seed" and not 0 <= value <= SEED_MAX:
        raise ConfigError(f"The 'seed' parameter must be an integer in [0, {SEED_MAX}]. Got {value!r} instead.")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"The '{name}' parameter must be a finite number. Got {text!r}.")
    return value
