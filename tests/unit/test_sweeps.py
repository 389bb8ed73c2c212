import json

import pytest

from core.config import DataConfig, ModelConfig, ModelKind
from core.errors import ConfigError
from core.explore.analysis import (
    ConfigSummary,
    best_within_budget,
    fastest_reaching,
    marginal_costs,
    noise_verdict,
    pareto_trials,
    summarise,
    within_noise,
)
from core.explore.executors import pooled_runner, run_sweep
from core.explore.sweeps import SweepSpec, Trial, expand_grid, parse_values
from tests.helpers import run_cli, run_cli_here

SMALL = ModelConfig(epochs=3)


def test_grid_is_the_product_of_values_times_repeats_with_distinct_seeds():
    spec = SweepSpec(DataConfig(), SMALL, {"hidden_units": [(16,), (64,), (8, 8)], "batch_size": [32, 256]}, repeats=2)
    trials = expand_grid(spec)
    assert len(trials) == 3 * 2 * 2
    assert {t.model.hidden_units for t in trials} == {(16,), (64,), (8, 8)}
    assert {(t.repeat, t.model.seed, t.data.seed) for t in trials} == {(0, 0, 0), (1, 1, 1)}
    assert [t.index for t in trials] == list(range(12))


def test_data_knobs_change_the_data_config():
    trials = expand_grid(SweepSpec(DataConfig(), SMALL, {"fraction": [0.25, 1.0]}))
    assert [t.data.fraction for t in trials] == [0.25, 1.0] and all(t.model == SMALL for t in trials)


def test_parse_values_types_and_errors():
    assert parse_values("hidden", "16,64x32,0") == ("hidden_units", [(16,), (64, 32), ()])
    assert parse_values("batch_size", "32,256") == ("batch_size", [32, 256])
    assert parse_values("lr", "0.01") == ("learning_rate", [0.01])
    with pytest.raises(ConfigError, match="Unknown sweep knob 'layers'"):
        parse_values("layers", "2")
    with pytest.raises(ConfigError, match="batch_size"):
        parse_values("batch_size", "many")


def test_a_failing_trial_is_recorded_and_the_sweep_goes_on():
    # keras_cnn on tabular data fails with a ConfigError; the numpy configuration still runs
    spec = SweepSpec(DataConfig(dataset="breast_cancer"), SMALL, {"kind": [ModelKind.KERAS_CNN, ModelKind.NUMPY_MLP]})
    trials = run_sweep(spec)
    assert [t.status for t in trials] == ["failed", "complete"]
    assert "image data" in trials[0].error and trials[1].metrics["accuracy"] > 0.8
    assert pareto_trials(trials) == [False, True]


def test_local_pool_gives_the_same_trials_as_serial():
    spec = SweepSpec(
        DataConfig(), SMALL, {"hidden_units": [(16,), (32,)], "kind": ["numpy_mlp", "logistic_regression"]}
    )
    serial = run_sweep(spec, executor="serial")
    pooled = run_sweep(spec, executor="local", workers=2)
    assert [t.params for t in serial] == [t.params for t in pooled]
    for a, b in zip(serial, pooled, strict=True):
        assert a.metrics == pytest.approx(b.metrics) and b.executor == "local"
        assert a.cost["timing_context"] == "serial" and b.cost["timing_context"] == "parallel:2"


def test_progress_and_stop():
    seen = []
    trials = run_sweep(
        SweepSpec(DataConfig(), SMALL, {"hidden_units": [(8,), (16,), (32,)]}),
        on_trial=lambda t, done, total: seen.append((done, total)),
        should_stop=lambda: len(seen) >= 2,
    )
    assert seen == [(1, 3), (2, 3)] and len(trials) == 2


def _summary(metric, std, time):
    return ConfigSummary({"k": metric}, 3, metric, std, time, 0.0, ())


def test_what_ifs_on_hand_made_summaries():
    s = [_summary(0.90, 0.01, 1.0), _summary(0.95, 0.01, 3.0), _summary(0.96, 0.02, 8.0), _summary(0.93, 0.01, 4.0)]
    assert best_within_budget(s, 5.0).metric_mean == 0.95
    assert best_within_budget(s, 0.5) is None
    assert fastest_reaching(s, 0.94).time_mean == 3.0
    costs = marginal_costs(s)  # frontier: 0.90@1 → 0.95@3 → 0.96@8
    assert [round(c, 3) for _, _, c in costs] == [round(2 / 5, 3), round(5 / 1, 3)]
    assert within_noise(s[1], s[2]) and not within_noise(s[0], s[1])
    assert (noise_verdict(s[1], s[2]), noise_verdict(s[0], s[1])) == ("yes", "no")
    single = ConfigSummary({"k": 0.97}, 1, 0.97, 0.0, 2.0, 0.0, ())
    assert noise_verdict(single, s[1]) == noise_verdict(s[1], single) == "one run each"  # no band: not "None"


def test_summarise_folds_repeats():
    trials = [
        Trial(
            index=i,
            params={"h": 1},
            repeat=i,
            seed=i,
            status="complete",
            metrics={"accuracy": a},
            cost={"train_time_s": c},
        )
        for i, (a, c) in enumerate([(0.9, 1.0), (0.8, 3.0)])
    ]
    (summary,) = summarise(trials)
    assert summary.n == 2 and summary.metric_mean == pytest.approx(0.85) and summary.metric_std == pytest.approx(0.05)
    assert summary.time_mean == pytest.approx(2.0)


def test_cli_sweep_json_has_trials_with_pareto_flags():
    proc = run_cli_here("sweep", "--param", "hidden=8,32", "--param", "batch_size=32,512", "--epochs", "3", "--json")
    assert proc.returncode == 0, proc.stderr
    trials = json.loads(proc.stdout)["trials"]
    assert len(trials) == 4 and {"params", "metrics", "cost", "status", "pareto"} <= set(trials[0])
    assert any(t["pareto"] for t in trials) and trials[0]["params"]["hidden_units"] == [8]


def test_cli_sweep_bad_knob_is_one_line_exit_2(tmp_path):
    proc = run_cli("sweep", "--param", "depth=3", timeout=60)
    assert proc.returncode == 2 and "Unknown sweep knob" in proc.stderr and "Traceback" not in proc.stderr
    out = tmp_path / "t.csv"
    proc = run_cli_here("sweep", "--param", "hidden=8", "--epochs", "2", "--out", str(out))
    assert proc.returncode == 0 and out.read_text().startswith("index,repeat,seed,hidden_units,status")


def test_a_serial_sweep_in_worker_processes_matches_one_run_here():
    from core.training.worker import WorkerPool

    spec = SweepSpec(DataConfig(), SMALL, {"hidden_units": [(16,)], "kind": ["numpy_mlp", "knn"]})
    pool = WorkerPool(tensorflow=False).start()
    try:
        pooled = run_sweep(spec, runner=pooled_runner(lambda model_cfg: pool))
    finally:
        pool.close()
    here = run_sweep(spec)
    assert [t.status for t in pooled] == ["complete", "complete"]
    for a, b in zip(here, pooled, strict=True):
        assert a.metrics == pytest.approx(b.metrics) and b.cost["timing_context"] == "serial"


def test_timing_context_round_trips_and_old_runs_load_as_serial():
    from core.records.result import RunResult
    from core.training.trainer import train

    result = train(DataConfig(), ModelConfig(epochs=1))
    d = result.to_dict()
    assert d["cost"]["timing_context"] == "serial"
    del d["cost"]["timing_context"]  # a run stored before the field existed
    assert RunResult.from_dict(d).cost.timing_context == "serial"
    d["cost"]["timing_context"] = "parallel:4"
    assert RunResult.from_dict(json.loads(json.dumps(d))).cost.timing_context == "parallel:4"
