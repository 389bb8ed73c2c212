"""Plain words (core/presenting.py) and the Demo's scenarios (core/records/store_scenarios.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.config import DataConfig, ModelConfig, ModelKind
from core.evaluation.tiles import TILES
from core.presenting import (
    DEMO_METRICS,
    PLAIN,
    comparison_chart,
    data_words,
    default_story,
    model_words,
    title_for,
)
from core.presets import get_preset
from core.records.store import RunStore
from core.records.store_scenarios import article_scenario
from core.training.trainer import train

JARGON = ("F1", "p50", "Val ", "latency", "AUC", "epoch", "param")


@pytest.fixture(scope="module")
def run():
    return train(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,)))


def test_every_headline_metric_has_plain_words_and_its_precise_term():
    assert set(PLAIN) == {t.key for t in TILES}  # a new tile without plain words fails here
    assert set(DEMO_METRICS) <= set(PLAIN)
    for key, words in PLAIN.items():
        assert words.tile.key == key and words.precise
        assert not any(j.lower() in words.words.lower() for j in JARGON), words.words
    assert PLAIN["accuracy"].words == "Correct on new data" and PLAIN["accuracy"].precise == "validation accuracy"
    assert PLAIN["latency_ms_p50"].precise == "latency p50, batch 1"


@pytest.mark.parametrize("kind", list(ModelKind))
def test_every_model_family_has_a_readable_name(kind):
    words = model_words(ModelConfig(kind=kind))
    assert words[0].isupper() and "(" not in words.split(" ")[0] and "_" not in words
    assert not any(j in words for j in ("MLP", "Sklearn", "Keras", kind.value))


def test_the_article_title_reads_as_people_say_it():
    preset = get_preset("seed-article")
    assert title_for(preset.data, preset.model) == "A small neural network (128 units) on handwritten digits"
    assert data_words(DataConfig(dataset="csv", csv_path="/tmp/uploads/ab/churn.csv")) == "your table (churn.csv)"


def test_a_default_story_says_what_changed_since_the_scenario_before():
    data, small = DataConfig(), ModelConfig(hidden_units=(64,))
    assert (
        default_story(data, small)
        == "A small neural network (64 units): how often is it right, and how long does it take to learn?"
    )
    wide = replace(small, hidden_units=(128,))
    assert default_story(data, wide, (data, small)) == "Twice the units: does a bigger network pay for its extra time?"
    assert default_story(data, small, (data, wide)).startswith("Half the units: how much accuracy")
    forest = ModelConfig(kind=ModelKind.RANDOM_FOREST)
    assert "forest of 100 decision trees instead of a small neural network" in default_story(
        data, forest, (data, small)
    )
    keras = replace(small, kind=ModelKind.KERAS_MLP)  # the same words for both networks: the engine is the change
    assert default_story(data, keras, (data, small)) == (
        "The same network in Keras on JAX instead of NumPy (from scratch): which is faster?"
    )
    assert "Learning rate" in default_story(data, replace(small, learning_rate=0.01), (data, small))
    # a Keras-only setting the NumPy network does not read is no change at all
    assert "measured again" in default_story(data, replace(small, dropout=0.5), (data, small))


def test_the_article_scenario_is_the_newest_stored_run_of_the_seed_preset(tmp_path, run):
    preset = get_preset("seed-article")
    store = RunStore(str(tmp_path / "runs.sqlite"))
    assert article_scenario(store) is None  # not run yet
    store.save(replace(run, data_config=preset.data, model_config=replace(preset.model, epochs=3)))  # not the preset
    assert article_scenario(store) is None
    as_preset = replace(run, data_config=preset.data, model_config=preset.model)
    store.save(as_preset)
    newest = store.save(replace(as_preset, test=replace(run.test, accuracy=0.973)))
    found = article_scenario(store)
    assert found is not None and found.builtin and found.run_id == newest
    assert found.narrative == (
        f"The article says 98.5 %; this machine measures 97.3 % (training {run.cost.train_time_s:.0f} s)"
    )


def test_scenario_stories_are_edited_in_the_store(tmp_path, run):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    sid = store.save_scenario("First", "", store.save(run))
    store.update_scenario(sid, name=" Renamed ", narrative="Does it pay? ")
    (saved,) = store.scenarios()
    assert (saved.name, saved.narrative, saved.builtin) == ("Renamed", "Does it pay?", False)
    other = store.save_scenario("Second", "Bigger?", store.save(run))
    store.swap_scenarios(sid, other)
    assert [(s.id, s.name) for s in store.scenarios()] == [(sid, "Second"), (other, "Renamed")]
    from core.records.store_db import StoreError

    with pytest.raises(StoreError, match="name"):
        store.update_scenario(sid, name="  ", narrative="x")


def test_the_comparison_slide_puts_every_scenario_on_one_scale(run):
    other = replace(run, validation=replace(run.validation, accuracy=0.5))
    spec = comparison_chart([run, other], ["a", "b"]).to_dict()
    accuracy, timing = spec["hconcat"]
    x = accuracy["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [0, 100]  # percent from 0 to 100 for every scenario, never per-scenario
    assert spec["resolve"]["scale"]["y"] == "shared"
    values = next(iter(spec["datasets"].values()))
    assert [v["scenario"] for v in values] == ["a", "b"] and values[1]["accuracy_pct"] == pytest.approx(50)
