"""Every page under AppTest: loads without exception, and one real interaction per page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # AppTest's 3 s default is shorter than a TensorFlow import


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, at.exception
    return at


def _arrow(data: bytes) -> dict:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_all().to_pydict()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_home_loads_with_presets_and_workflow():
    at = _app()
    assert at.title[0].value == "Tradeoff Lab"
    assert {b.key for b in at.button} >= {"home_preset_seed-article", "home_preset_fast"}


def test_home_preset_opens_train_configured():
    at = _app()
    at.button(key="home_preset_tiny").click().run()
    assert not at.exception
    at.switch_page("app_pages/train.py").run()
    assert at.select_slider(key="train_numpy_mlp_units").value == 16


def test_data_page_shows_sizes_and_a_bad_csv_is_an_error(tmp_path):
    at = _app("data")
    assert _metric(at, "Classes") == "10"
    at.selectbox(key="data_dataset").set_value("csv").run()
    assert not at.exception
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02binary")
    at.text_input(key="data_csv_path").input(str(bad)).run()
    assert not at.exception
    assert len(at.error) == 1 and "binary" in at.error[0].value.lower(), [e.value for e in at.error]  # said once


def test_train_auto_trains_the_default_and_a_slider_moves_the_tiles():
    at = _app("train")
    accuracy = _metric(at, "Val accuracy")
    assert accuracy.endswith("%") and float(accuracy.rstrip(" %")) > 80
    at.slider(key="train_numpy_mlp_epochs").set_value(3).run()
    assert not at.exception
    tile = next(m for m in at.metric if m.label == "Val accuracy")
    assert tile.value != accuracy and tile.delta is not None  # a new run, compared with the previous one
    assert float(_metric(at, "Training time").rstrip(" s")) > 0


def test_train_button_trains_a_keras_model():
    at = _app("train")
    at.selectbox(key="train_kind").set_value("keras_mlp").run()
    at.slider(key="train_keras_mlp_epochs").set_value(2).run()
    at.button(key="train_go").click().run()
    assert not at.exception
    assert "Keras" in at.subheader[0].value or any("KerasMLP" in s.value for s in at.subheader)
    assert float(_metric(at, "Val accuracy").rstrip(" %")) > 50


def test_pinning_a_baseline_adds_baseline_deltas():
    at = _app("train")
    assert not any("vs baseline" in c.value for c in at.caption)
    at.button(key="train_pin").click().run()
    at.slider(key="train_numpy_mlp_epochs").set_value(4).run()
    assert not at.exception
    assert any(c.value.startswith("vs baseline: ") for c in at.caption)


def test_test_set_is_counted_when_revealed():
    at = _app("train")
    at.radio(key="train_view").set_value("Test set").run()
    assert any("looked at 0 time" in c.value for c in at.caption)
    at.button(key="train_reveal_test").click().run()
    assert any("looked at 1 time" in c.value for c in at.caption)
    assert float(_metric(at, "Test accuracy")) > 0.8


def test_missing_dataset_file_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEOFF_LAB_DATA", str(tmp_path))  # empty folder; downloads are off in tests
    at = _app("data")
    at.selectbox(key="data_dataset").set_value("fashion_mnist").run()
    assert not at.exception
    assert any("fashion_mnist.npz" in e.value for e in at.error)


def test_train_draws_the_decision_boundary_of_a_2d_run():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["d.dataset"] = "moons"
    at.query_params["m.epochs"] = "30"
    at.run()
    at.switch_page("app_pages/train.py").run()
    at.button(key="train_go").click().run()
    assert not at.exception, at.exception
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert any("Decision boundary" in spec and "epoch 30" in spec for spec in specs), [s[:200] for s in specs]


def test_train_reads_plainly_groups_its_knobs_and_puts_the_headline_first():
    at = _app("train")
    title = at.subheader[0].value
    assert title == "Run 1: Neural network (128 units, NumPy) on digits", title
    assert [e.label for e in at.sidebar.expander] == ["Data", "Model", "Training", "Advanced"]
    first_row = [m.label for m in at.main.metric][:5]
    assert first_row == ["Val accuracy", "F1 (macro)", "Training time", "Latency p50", "Model size"]
    assert any(c.value.startswith("majority class: ") and c.value.endswith(" %") for c in at.caption)
    assert at.main.metric[0].value.endswith("%")


def test_metrics_draws_the_chosen_classes_roc_lines():
    at = _app("train")
    at.switch_page("app_pages/metrics.py").run()
    assert not at.exception
    picker = at.multiselect(key="metrics_curve_classes")
    assert len(picker.value) == 3  # ten classes: the three hardest at first
    picker.set_value(["7"]).run()
    roc = next(c.proto for c in at.get("vega_lite_chart") if "ROC" in c.proto.spec)
    drawn = {label for d in roc.datasets for label in _arrow(d.data.data).get("label", [])}
    assert drawn == {"7"}, drawn


def test_training_bar_counts_down_and_says_scoring_once_every_epoch_is_in():
    from types import SimpleNamespace

    from core.training.progress import EpochLog
    from ui.live import training_progress

    def log(epoch: int, elapsed: float) -> EpochLog:
        return EpochLog(epoch, 4, 1.0, 0.5, 1.0, 0.5, elapsed, 0.1)

    job = SimpleNamespace(job_id="bar-test", logs=[log(1, 30.0), log(2, 31.0)], halted_at=None, elapsed_s=32.0)
    fraction, text = training_progress(job, False)
    assert "Epoch 2/4" in text and "ETA 2 s" in text, text  # steady 1 s epochs; epoch 1's 30 s left out
    job.elapsed_s = 40.0  # the third epoch is late: the ETA shrinks to its floor, never to 0
    later, text = training_progress(job, False)
    assert "ETA < 1 s" in text and later > fraction and later < 0.75, text
    job.logs += [log(3, 41.0), log(4, 42.0)]
    fraction, text = training_progress(job, False)
    assert fraction == 1.0 and text.endswith("scoring…") and "ETA" not in text, text


def test_training_bar_reads_batches_within_the_first_epoch():
    import time
    from types import SimpleNamespace

    import pytest

    from core.training.progress import BatchClock
    from ui.live import training_progress

    now = time.perf_counter()
    clock = BatchClock(epochs=2)
    clock.update(now - 2.0, 1, 100, 1000)  # the first report came after set-up; then 100 batches a second
    clock.update(now, 1, 300, 1000)
    job = SimpleNamespace(job_id="batch-bar", logs=[], halted_at=None, elapsed_s=12.0, batches=clock,
                          model_cfg=SimpleNamespace(epochs=2))  # fmt: skip
    fraction, text = training_progress(job, False)
    assert "Epoch 1/2 · batch 300/1,000" in text and "ETA 17 s" in text, text  # 1,700 batches at 10 ms
    assert fraction == pytest.approx(0.15)
