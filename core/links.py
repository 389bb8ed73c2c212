"""Links that reproduce a setup: the data and model configuration (seed included) as URL query parameters.

Only fields that differ from the defaults are written, so links stay short. Reading is forgiving: an
unknown or invalid value falls back to its default with a warning, never an exception.
"""

from __future__ import annotations

from dataclasses import fields

from core.config import DataConfig, ModelConfig, coerce_field
from core.errors import ConfigError

DATA_PREFIX, MODEL_PREFIX = "d.", "m."


def _plain(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "-".join(str(v) for v in value) or "none"
    return "" if value is None else str(value)


def to_query(data: DataConfig, model: ModelConfig) -> dict[str, str]:
    """Query parameters for the fields that differ from the defaults (``d.`` data, ``m.`` model)."""
    out = {}
    for prefix, cfg, default in ((DATA_PREFIX, data, DataConfig()), (MODEL_PREFIX, model, ModelConfig())):
        current, base = cfg.to_dict(), default.to_dict()
        for name, value in current.items():
            if value != base[name] and name != "csv_path":  # a local file path means nothing on another machine
                out[prefix + name] = _plain(value)
    return out


def from_query(params: dict[str, str]) -> tuple[DataConfig, ModelConfig, list[str]]:
    """Configs from query parameters; every value that cannot be used is named in a warning and skipped."""
    warnings: list[str] = []
    built = []
    for prefix, cls in ((DATA_PREFIX, DataConfig), (MODEL_PREFIX, ModelConfig)):
        known = {f.name for f in fields(cls)}
        values: dict[str, object] = {}
        for key, raw in params.items():
            if not key.startswith(prefix):
                continue
            name = key[len(prefix) :]
            if name not in known:
                warnings.append(f"Ignored unknown link setting {key!r}.")
                continue
            text = raw[-1] if isinstance(raw, list) else raw
            try:
                value = _parse(cls, name, text)
                cls(**{**values, name: value}).validate()  # each value checked on its own
            except (ConfigError, ValueError, TypeError) as err:
                warnings.append(f"Ignored link setting {key}={text!r}: {err}")
                continue
            values[name] = value
        built.append(cls(**values))
    return built[0], built[1], warnings


def _parse(cls: type, name: str, text: str) -> object:
    if name == "hidden_units":
        return () if text in ("", "none") else tuple(int(u) for u in text.split("-"))
    if text == "" and name in ("n_rows", "max_depth", "target", "csv_path"):
        return None
    return coerce_field(cls, name, text)
