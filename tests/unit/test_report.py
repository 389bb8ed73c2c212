"""HTML reports worth sending: titles that say what and when, only the settings a model has, the sweep's
analysis, and a page that fits A4/Letter paper."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from core.config import DataConfig, ModelConfig, ModelKind
from core.explore.executors import failed_trial, run_sweep, run_trial
from core.explore.sweeps import SweepSpec
from core.records.report import PAGE_WIDTH_PX, legend_groups, runs_report, sweep_report
from core.status import Status
from core.training.trainer import train

TINY = ModelConfig(epochs=2, hidden_units=(8,))


@pytest.fixture(scope="module")
def net_run():
    return train(DataConfig(), TINY)


@pytest.fixture(scope="module")
def forest_run():
    return train(DataConfig(dataset="breast_cancer"), ModelConfig(kind=ModelKind.RANDOM_FOREST, n_trees=10))


@pytest.fixture(scope="module")
def sweep():
    spec = SweepSpec(DataConfig(), TINY, {"hidden_units": [(8,), (16,)], "batch_size": [32, 64, 128]})

    def runner(trial):  # one trial fails, as a real one can; the sweep goes on
        return failed_trial(trial, "out of memory (simulated)", "serial") if trial.index == 2 else run_trial(trial)

    return spec, run_sweep(spec, runner=runner)


def _title(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page).group(1)


def _too_wide(page: str) -> list[str]:
    """Fixed widths over 700 px in the CSS or markup, and SVGs wider than the page."""
    fixed = [int(w) for w in re.findall(r"(?:max-)?width\s*:\s*(\d+)px", page)]
    svgs = [float(w) for w in re.findall(r'<svg[^>]*?width="([\d.]+)"', page)]
    return [f"css {w}px" for w in fixed if w > 700] + [f"svg {w}" for w in svgs if w > PAGE_WIDTH_PX]


def test_a_run_report_names_dataset_model_and_date(net_run, forest_run):
    page = runs_report([forest_run], title="Run report")
    assert (
        _title(page)
        == "Run report: A forest of 10 decision trees on breast tumour measurements · " + (forest_run.created_at[:10])
    )
    assert "RandomForest" in page or forest_run.model_repr in page  # the precise name stays, as a stamp
    both = _title(runs_report([net_run, forest_run], title="Comparison"))
    assert "A small neural network (8 units), a forest of 10 decision trees" in both
    assert "small handwritten digits and breast tumour measurements" in both


def test_a_run_report_lists_only_the_settings_its_model_has(net_run, forest_run):
    forest = runs_report([forest_run])
    assert "model.n_trees" in forest and "model.max_depth" in forest
    for absent in ("optimizer", "learning_rate", "hidden_units", "dropout", "k_neighbors", "data.n_informative"):
        assert absent not in forest, absent
    net = runs_report([net_run])
    assert "model.optimizer" in net and "model.hidden_units" in net
    assert "model.n_trees" not in net and "model.dropout" not in net  # Keras-only: not the NumPy network's


def test_a_run_report_draws_both_curves_and_leaves_no_setting_blank(net_run):
    page = runs_report([net_run])
    assert "Accuracy per epoch" in page and "Loss per epoch" in page  # train and validation, as on Train
    cells = dict(re.findall(r"<tr><td>(data\.n_rows|data\.positive_class)</td><td>(.*?)</td></tr>", page))
    assert cells == {"data.n_rows": "all", "data.positive_class": "default"}, cells
    assert "<td></td>" not in page


def test_reports_fit_a4_paper_and_print(net_run, forest_run, sweep):
    spec, trials = sweep
    pages = [runs_report([net_run]), runs_report([net_run, forest_run]), sweep_report(trials, spec)]
    for page in pages:
        assert _too_wide(page) == []
        assert "@media print" in page and "overflow-wrap" in page and "max-width:680px" in page
        svgs = re.findall(r'<svg[^>]*?width="([\d.]+)"', page)
        assert svgs and all(float(w) <= 680 for w in svgs)


def test_the_sweep_report_carries_the_pages_analysis(sweep):
    spec, trials = sweep
    page = sweep_report(trials, spec, budget_s=60.0)
    title = _title(page)
    assert title.startswith(
        "Sweep report: A small neural network (8 units) on small handwritten digits, "
        "varying hidden_units, batch_size · 20"
    )
    for section in ("What-ifs", "The frontier", "+1 percentage point", "Bands over repeats", "Heatmap"):
        assert section in page, section
    assert "Best within 60.000 s of training: hidden_units=" in page and "nothing reaches it" not in page
    assert "<h2>Failed trials (1)</h2>" in page and "out of memory (simulated)" in page
    assert page.count("<svg") == 3  # frontier, heatmap pair, time to accuracy


def test_a_sweep_report_without_any_finished_trial_still_lists_the_failures(sweep):
    spec, trials = sweep
    failed = [replace(t, status=Status.FAILED, error="boom", result=None) for t in trials]
    page = sweep_report(failed, spec)
    assert f"<h2>Failed trials ({len(trials)})</h2>" in page and "nothing to analyse" in page


def test_legends_keep_at_most_eight_entries_the_best_by_score():
    labels = [f"cfg {i}" for i in range(18)]
    groups = legend_groups(labels, [i / 100 for i in range(18)])
    assert len(set(groups)) == 8 and "other configurations" in groups
    assert "cfg 17" in groups and "cfg 0" not in groups  # the best keep their names
    assert legend_groups(labels[:5], [0.1] * 5) == labels[:5]


def test_a_csv_run_report_says_what_became_of_each_column(tmp_path):
    from tests.unit.test_data_columns import messy_table

    path = tmp_path / "tickets.csv"
    path.write_bytes(messy_table())
    run = train(DataConfig(dataset="csv", csv_path=str(path), target="label"), ModelConfig(kind="logistic_regression"))
    page = runs_report([run])
    section = page.split("Columns of the table", 1)[1]
    row = re.search(r"<tr><td>ticket_id</td><td>([^<]*)</td><td>no</td><td>([^<]*)</td></tr>", section)
    assert row and "identifier" in row.group(2), section[:600]
    assert re.search(r"<tr><td>age</td><td>[^<]*</td><td>yes</td>", section)
