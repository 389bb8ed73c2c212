"""Home and the seed preset say what this machine measured against the article's 98.5 %, from the run store."""

from dataclasses import replace
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.config import DataConfig, ModelConfig
from core.presets import claim_check, get_preset, latest_measurement
from core.records.store import RunStore
from core.training.trainer import train

ROOT = Path(__file__).resolve().parents[2]


def _article_run(test_accuracy: float):
    """A real result relabelled as the preset's configuration (training MNIST for 10 epochs is not a unit test)."""
    preset = get_preset("seed-article")
    result = train(DataConfig(n_rows=300), ModelConfig(epochs=1, hidden_units=(8,)))
    return replace(
        result,
        data_config=preset.data,
        model_config=preset.model,
        test=replace(result.test, accuracy=test_accuracy),
    )


def test_claim_check_reads_the_latest_matching_run_only(tmp_path):
    preset = get_preset("seed-article")
    store = RunStore(str(tmp_path / "runs.sqlite"))
    assert "Not in your run history yet" in claim_check(preset, latest_measurement(preset, store))
    capped = _article_run(0.99)
    store.save(replace(capped, model_config=replace(preset.model, epochs=5)))  # a capped run is not the preset
    assert latest_measurement(preset, store) is None
    run_id = store.save(_article_run(0.9721))
    found = latest_measurement(preset, store)
    assert found is not None and found[0] == run_id
    text = claim_check(preset, found)
    assert "97.21%" in text and "falls 1.29 percentage points short of the article's 98.5%" in text


def test_home_page_states_the_measured_accuracy_against_the_claim(monkeypatch, tmp_path):
    db = tmp_path / "home.sqlite"
    monkeypatch.setenv("TRADEOFF_LAB_DB", str(db))
    RunStore(str(db)).save(_article_run(0.9721))
    from ui import cached

    cached.run_store.clear()  # the store is a process-wide resource: open the one this test points at
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        assert not at.exception, at.exception
        assert any("This machine measured 97.21%" in c.value and "98.5%" in c.value for c in at.caption)
    finally:
        cached.run_store.clear()
