"""What Train says in words: run titles, early stopping, the majority baseline, tile values and the ETA."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.config import DataConfig, ModelConfig, ModelKind
from core.evaluation.tiles import (
    TILES,
    dataset_title,
    early_stop_note,
    format_value,
    majority_baseline,
    majority_text,
    model_title,
    run_title,
)
from core.knobs import KNOBS, MODEL_KNOBS
from core.training.progress import EpochLog, eta_s, eta_text, fraction_done, steady_epoch_s
from core.training.trainer import train


@pytest.fixture(scope="module")
def logistic_run():
    return train(DataConfig(dataset="breast_cancer"), ModelConfig(kind="logistic_regression"))


def test_every_family_has_a_readable_title_without_a_repr():
    titles = {kind: model_title(ModelConfig(kind=kind)) for kind in ModelKind}
    assert titles[ModelKind.LOGISTIC] == "Logistic regression"
    assert titles[ModelKind.KERAS_MLP] == "Neural network (128 units, Keras)"
    assert titles[ModelKind.NUMPY_MLP] == "Neural network (128 units, NumPy)"
    assert titles[ModelKind.RANDOM_FOREST] == "Random forest (100 trees)"
    assert "Convolutional" in titles[ModelKind.KERAS_CNN] and "Keras" in titles[ModelKind.KERAS_CNN]
    for kind, title in titles.items():
        assert "(" not in title.split(" ")[0] and "=" not in title and "_" not in title, (kind, title)
    assert len(set(titles.values())) == len(titles)  # every family distinguishable
    assert model_title(ModelConfig(kind="keras_mlp", hidden_units=(64, 32))) == "Neural network (64-32 units, Keras)"
    assert model_title(ModelConfig(hidden_units=())) == "Neural network (no hidden layer, NumPy)"


def test_dataset_titles_read_as_a_sentence_continues():
    assert dataset_title(DataConfig(dataset="breast_cancer")) == "breast cancer"
    assert dataset_title(DataConfig(dataset="mnist")) == "MNIST"
    assert dataset_title(DataConfig(dataset="fashion_mnist")) == "Fashion-MNIST"
    assert dataset_title(DataConfig(dataset="digits")) == "digits"


def test_run_title_names_model_and_dataset(logistic_run):
    assert run_title(logistic_run) == "Logistic regression on breast cancer"
    assert "LogisticRegression(" in logistic_run.model_repr  # the repr stays for the help text and reports


def test_early_stopping_is_announced_only_when_it_ended_the_run(logistic_run):
    assert early_stop_note(logistic_run) is None  # no early stopping in this family
    keras = replace(logistic_run.model_config, kind=ModelKind.KERAS_MLP, epochs=20, early_stopping_patience=3)
    stopped_early = replace(logistic_run, model_config=keras, cost=replace(logistic_run.cost, epochs_run=7))
    note = early_stop_note(stopped_early)
    assert note is not None and note.startswith("Stopped early at epoch 7 of 20")
    assert "not improved for 3 epochs" in note
    full = replace(stopped_early, cost=replace(logistic_run.cost, epochs_run=20))
    assert early_stop_note(full) is None  # ran every planned epoch
    assert early_stop_note(replace(stopped_early, stopped=True)) is None  # stopped by hand: said elsewhere


def test_majority_baseline_is_the_training_majority_scored_on_validation(logistic_run):
    counts = logistic_run.dataset["train_counts_before"]
    majority = max(range(len(counts)), key=counts.__getitem__)
    support = [row["support"] for row in logistic_run.validation.per_class]
    expected = support[majority] / sum(support)
    assert majority_baseline(logistic_run) == pytest.approx(expected)
    assert 0.5 < expected < logistic_run.validation.accuracy  # breast cancer: 63 % benign; the model beats it
    assert majority_text(logistic_run) == f"majority class: {expected * 100:.1f} %"
    older = replace(logistic_run, dataset={k: v for k, v in logistic_run.dataset.items() if "counts" not in k})
    assert majority_baseline(older) is None


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("train_time_s", 6.7504, "6.75 s"),
        ("train_time_s", 111.0, "1.9 min"),
        ("n_params", 1215, "1.2 k"),
        ("n_params", 101_770, "102 k"),
        ("size_kb", 2500.0, "2.44 MB"),
        ("peak_memory_mb", 1234.5, "1.23 GB"),
    ],
)
def test_tile_values_are_short(key, value, text):
    tile = next(t for t in TILES if t.key == key)
    assert format_value(tile, value) == text
    assert len(text) <= 8  # a tile at 178 px shows eight characters of its value without cutting


def _logs(times: list[float], epochs: int) -> list[EpochLog]:
    return [EpochLog(i + 1, epochs, 1.0, 0.5, 1.0, 0.5, t, 0.0) for i, t in enumerate(times)]


def test_eta_excludes_a_slow_first_epoch_once_a_steady_one_exists():
    slow_first = _logs([100.0, 101.0, 102.0], epochs=10)  # epoch 1: 100 s of tracing; then 1 s each
    assert steady_epoch_s(slow_first) == pytest.approx(1.0)
    assert eta_s(slow_first) == pytest.approx(7.0)  # 7 epochs left at 1 s, not 7 × 34 s
    assert steady_epoch_s(slow_first[:1]) == pytest.approx(100.0)  # only epoch 1 known: the best there is


def test_eta_counts_down_between_epochs_and_never_reads_zero_before_the_end():
    logs = _logs([2.0, 3.0], epochs=4)
    assert eta_s(logs, since_last_s=0.0) == pytest.approx(2.0)
    assert eta_s(logs, since_last_s=0.5) == pytest.approx(1.5)  # moves between epochs
    late = eta_s(logs, since_last_s=30.0)  # an epoch much slower than the others
    assert late is not None and late > 0 and eta_text(late) != "ETA 0 s"
    assert all(eta_s(logs, t) > 0 for t in (0.0, 1.0, 1.99, 2.0, 5.0))
    assert eta_s(_logs([2.0, 3.0, 4.0, 5.0], epochs=4)) is None  # every epoch done: scoring, not an ETA
    assert eta_s([]) is None
    assert eta_text(0.3) == "ETA < 1 s" and eta_text(12.4) == "ETA 12 s" and eta_text(150) == "ETA 2.5 min"
    assert 0.5 < fraction_done(logs, since_last_s=0.5) < 0.75 and fraction_done(logs, since_last_s=99) < 0.75


def test_every_model_knob_sits_in_one_sidebar_group():
    for kind, names in MODEL_KNOBS.items():
        sections = {KNOBS[n].section for n in names}
        assert sections <= {"model", "training", "advanced"}, (kind, sections)
    assert KNOBS["epochs"].section == "training" and KNOBS["dropout"].section == "advanced"
    assert KNOBS["hidden_units"].section == "model" and KNOBS["fraction"].section == "data"


def test_the_batch_clock_ignores_set_up_before_the_first_batch_and_never_reads_zero_before_the_end():
    from core.training.progress import BatchClock

    clock = BatchClock(epochs=2)
    assert clock.eta_s([], 0.0) is None  # nothing heard yet
    clock.update(30.0, 1, 10, 100)  # 30 s of set-up and tracing before the first report
    assert clock.eta_s([], 30.0) is None  # one report: no rate yet
    clock.update(31.0, 1, 20, 100)  # then 10 batches a second
    assert clock.eta_s([], 31.0) == pytest.approx(18.0)  # 180 batches left at 0.1 s, not inflated by the 30 s
    assert clock.eta_s([], 32.0) == pytest.approx(17.0)  # counts down between reports
    assert clock.fraction() == pytest.approx(0.1) and clock.position() == (1, 20)
    logs = [EpochLog(1, 2, 0.5, 0.8, 0.5, 0.8, 40.0, 9.0, eval_s=2.0)]
    clock.update(40.0, 2, 10, 100)  # epoch 2: each epoch's validation pass (2 s) still to come once
    assert clock.eta_s(logs, 40.0) == pytest.approx(9.0 + 2.0, rel=0.05)
    assert clock.eta_s(logs, 500.0) > 0  # a stall never reads 0 while batches are left
    clock.update(50.0, 2, 100, 100)
    assert clock.position() == (2, 100)  # the last batch of epoch 2, not batch 0 of epoch 3
    assert clock.eta_s(logs, 50.0) is None  # every batch fitted: the final scoring follows
