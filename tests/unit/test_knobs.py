"""The knob table: every knob walks URL → config → CLI args → sweep spec and back to the same value,
off-grid values included; the written form is one (64-64) and the old ones are still read."""

from __future__ import annotations

import pytest

from core.cli import build_parser, configs_from_args
from core.config import DataConfig, ModelConfig, ModelKind, replace_plain
from core.errors import ConfigError
from core.explore.search import FloatRange, IntRange, UnitsRange, search_ranges
from core.explore.sweeps import SweepSpec, expand_grid, parse_values
from core.knobs import DATA_SWEEP_KNOBS, KNOBS, MODEL_KNOBS, Knob
from core.records.links import read_link, to_query

_INTS = (37, 3, 13, 2, 6, 0, 1000)
_FLOATS = (0.0047, 0.37, 0.33, 4.7)


def off_grid(knob: Knob):
    """A valid value that is not the default and not one of the knob's suggested values."""
    if knob.type is tuple:
        return (37,)
    if knob.choices:
        return next(c for c in knob.choices if c != knob.default)
    candidates = _INTS if knob.type is int else _FLOATS
    for value in candidates:
        if value != knob.default and value not in knob.sweep:
            try:
                knob.check(value)
            except ConfigError:
                continue
            return value
    return next(v for v in knob.sweep if v != knob.default)  # every valid value is on the grid (conv_blocks)


def family_of(knob: Knob) -> ModelKind:
    return knob.families[0]


MODEL_ROWS = [k for k in KNOBS.values() if not k.is_data]
DATA_ROWS = [KNOBS[n] for n in DATA_SWEEP_KNOBS]


@pytest.mark.parametrize("knob", MODEL_ROWS + DATA_ROWS, ids=lambda k: k.name)
def test_every_knob_walks_url_config_cli_sweep_and_back(knob: Knob):
    value = off_grid(knob)
    kind = family_of(knob) if not knob.is_data else ModelKind.NUMPY_MLP
    data = DataConfig(dataset="digits")
    model = ModelConfig(kind=kind)
    if knob.is_data:
        data = replace_plain(data, **{knob.name: value}).validate()
    else:
        model = replace_plain(model, **{knob.name: value}).validate()
    assert getattr(data if knob.is_data else model, knob.name) == value

    written = knob.write(value)
    query = to_query(data, model)  # URL
    assert query[knob.url_key] == written
    link = read_link(query)
    assert (link.data, link.model, link.warnings) == (data, model, ())

    argv = ["train", "--dataset", "digits", "--model", kind.value, knob.cli_flag, written]  # CLI
    assert configs_from_args(build_parser().parse_args(argv)) == (data, model)

    name, parsed = parse_values(knob.aliases[0] if knob.aliases else knob.name, written)  # sweep
    assert (name, parsed) == (knob.name, [value])
    spec = SweepSpec(DataConfig(dataset="digits"), ModelConfig(kind=kind), {name: parsed})
    (trial,) = expand_grid(spec)
    assert (trial.data, trial.model) == (data, model)


def test_model_knobs_are_the_table_rows_of_each_family():
    for kind in ModelKind:
        assert MODEL_KNOBS[kind] == tuple(k.name for k in MODEL_ROWS if kind in k.families)
    assert {k.name for k in MODEL_ROWS} == {n for names in MODEL_KNOBS.values() for n in names}


@pytest.mark.parametrize("text", ["64-32", "64x32", "64,32", " 64-32 "])
def test_hidden_units_have_one_written_form_and_the_old_ones_are_read(text):
    knob = KNOBS["hidden_units"]
    assert knob.parse(text) == (64, 32)
    assert knob.write((64, 32)) == "64-32" and knob.write(()) == "none"
    assert knob.parse("none") == knob.parse("0") == ()


def test_cli_reads_the_old_comma_form_and_the_sweep_the_old_x_form():
    args = build_parser().parse_args(["train", "--hidden", "256,128"])
    assert configs_from_args(args)[1].hidden_units == (256, 128)
    assert parse_values("hidden", "16,64x64,32-32") == ("hidden_units", [(16,), (64, 64), (32, 32)])


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [("dropout", 0.95, r"\[0.0, 0.9\]"), ("epochs", 1001, r"\[1, 1000\]"), ("learning_rate", 0.0, r"\(0.0, 10.0\]")],
)
def test_validation_names_knob_rule_and_value(name, value, rule):
    with pytest.raises(ConfigError, match=rf"'{name}' parameter must be .*{rule}\. Got {value!r}"):
        ModelConfig(**{name: value}).validate()


def test_search_ranges_span_the_picked_values_on_the_knobs_scale():
    ranges = search_ranges({"learning_rate": [0.001, 0.03], "hidden_units": [(16, 16), (128, 128)]})
    assert ranges["learning_rate"] == FloatRange(0.001, 0.03, log=True)
    assert ranges["hidden_units"] == UnitsRange(16, 128, layers=2, log=True)
    assert search_ranges({"epochs": [2, 7]})["epochs"] == IntRange(2, 7, log=True)
    assert search_ranges({"dropout": [0.0, 0.3]})["dropout"] == FloatRange(0.0, 0.3, log=False)


def test_a_control_grid_keeps_an_off_grid_value():
    assert 100 in KNOBS["batch_size"].grid(100) and KNOBS["batch_size"].grid(100) == sorted(
        KNOBS["batch_size"].grid(100)
    )
    assert KNOBS["max_depth"].grid(None)[0] is None
