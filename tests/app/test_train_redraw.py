"""Train redraws little on a slider move: the session board is drawn only while its expander is open, and a
finished run's learning curves are built once and sent again unchanged when the run is shown again."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import results

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120  # AppTest's 3 s default is shorter than a TensorFlow import
BOARD = "train_board_open"


def _train() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, at.exception
    return at


def _specs(at: AppTest) -> list[str]:
    return [c.proto.spec for c in at.get("vega_lite_chart")]


def _board_charts(at: AppTest) -> list[str]:
    return [s for s in _specs(at) if "What was tried" in s]


def test_the_session_board_is_drawn_only_while_open_and_stays_open():
    at = _train()
    board = next(e for e in at.main.expander if e.label.startswith("Session board"))
    assert not _board_charts(at) and not at.dataframe  # closed: neither its chart nor its table is built

    at.session_state[BOARD] = True  # what clicking the expander does
    at.run()
    assert not at.exception, at.exception
    assert len(_board_charts(at)) == 1
    (table,) = at.dataframe
    assert table.value["run"].tolist() == [1]

    at.slider(key="train_numpy_mlp_epochs").set_value(3).run()  # a new run: the board stays open and grows
    assert not at.exception, at.exception
    assert at.session_state[BOARD] is True
    assert sorted(at.dataframe[0].value["run"].tolist()) == [1, 2]
    assert board.label == next(e.label for e in at.main.expander if e.label.startswith("Session board"))


def test_a_run_shown_again_sends_the_same_learning_curves_without_rebuilding_them():
    at = _train()
    first = [s for s in _specs(at) if "per epoch" in s]
    assert len(first) == 2 and '"Accuracy per epoch"' in first[0] and '"Loss per epoch"' in first[1]
    start = at.slider(key="train_numpy_mlp_epochs").value
    at.slider(key="train_numpy_mlp_epochs").set_value(3).run()  # run 2: other curves
    second = [s for s in _specs(at) if "per epoch" in s]
    assert second != first

    built = results.history_specs.cache_info().misses
    at.slider(key="train_numpy_mlp_epochs").set_value(start).run()  # back to run 1: shown at once
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith("Run 1:")
    again = [s for s in _specs(at) if "per epoch" in s]
    assert again == first  # byte for byte: the browser keeps the charts it has rather than re-embedding
    assert results.history_specs.cache_info().misses == built  # no Altair build on the way back


def test_the_live_curves_grow_while_epochs_arrive_and_stop_once_every_epoch_is_in():
    from types import SimpleNamespace

    from core.config import ModelConfig
    from core.training.progress import EpochLog
    from ui.run_view import live_curves

    def log(epoch: int) -> EpochLog:
        return EpochLog(epoch, 3, 1.0 / epoch, 0.5 + epoch / 10, 1.1 / epoch, 0.5 + epoch / 11, epoch * 0.1, 0.1)

    def job(n: int) -> SimpleNamespace:
        return SimpleNamespace(logs=[log(e) for e in range(1, n + 1)], model_cfg=ModelConfig(epochs=3))

    assert live_curves(job(0)) is not None  # the first epoch: empty axes to 3 epochs
    accuracy, loss = live_curves(job(2))
    assert len(accuracy.data) == 4  # train and validation rows of two epochs
    assert live_curves(job(3)) is None  # scoring: the result's own curves come next
