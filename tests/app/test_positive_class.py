"""One positive class, named the same on the Train tiles, the Metrics page, the CLI and the report."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.cli import main
from core.config import DataConfig
from core.records.report import runs_report

ROOT = Path(__file__).resolve().parents[2]


def _churn_csv(tmp_path: Path) -> Path:
    lines = ["tenure,plan,label"]
    for i in range(120):
        churned = i % 4 == 0  # the minority (30 of 120)
        lines.append(
            f"{(i % 7) + (0 if churned else 5)},{'basic' if churned or i % 5 == 0 else 'pro'},"
            f"{'churned' if churned else 'stayed'}"
        )
    path = tmp_path / "churn.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("case", ["breast_cancer", "csv"])
def test_positive_class_is_the_same_on_tiles_metrics_cli_and_report(case, tmp_path, capsys):
    if case == "csv":
        data_cfg = DataConfig(dataset="csv", csv_path=str(_churn_csv(tmp_path)), target="label")
        expected, cli_data = "churned", ["--dataset", "csv", "--csv", data_cfg.csv_path, "--target", "label"]
    else:
        data_cfg, expected, cli_data = DataConfig(dataset="breast_cancer"), "malignant", ["--dataset", "breast_cancer"]

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.session_state["tradeoff_lab_state"].data_cfg = data_cfg
    at.switch_page("app_pages/train.py").run()  # auto-trains the default NumPy network
    assert not at.exception, at.exception
    run = at.session_state["tradeoff_lab_state"].current_run
    assert run.validation.positive_class == expected == run.dataset["positive_class"]
    tiles = {m.label: m.value for m in at.metric}
    assert f"Recall ({expected})" in tiles and f"Precision ({expected})" in tiles and f"F1 ({expected})" in tiles
    assert tiles[f"Recall ({expected})"] == f"{run.validation.recall * 100:.2f} %"

    at.switch_page("app_pages/metrics.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="metrics_positive").value == expected
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"Recall ({expected})"] == f"{run.validation.recall:.3f}"  # threshold 0.5: same number

    assert main(["train", *cli_data, "--model", "numpy_mlp", "--no-save"]) == 0
    out = capsys.readouterr().out
    assert f"recall ({expected})" in out and f"{run.validation.recall:.4f}" in out  # same seed, same run

    html = runs_report([run])
    assert f"Recall ({expected})" in html


def test_multiclass_tiles_say_macro():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert "F1 (macro)" in labels and "Recall (macro)" in labels
    assert "Unweighted mean over the 10 classes." in next(m.help for m in at.metric if m.label == "F1 (macro)")


def test_data_page_picks_the_positive_class_and_train_follows():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/data.py").run()
    at.selectbox(key="data_dataset").set_value("breast_cancer").run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="data_positive_breast_cancer_")
    assert picker.value == "malignant"
    picker.set_value("benign").run()
    assert not at.exception, at.exception
    assert at.session_state["tradeoff_lab_state"].data_cfg.positive_class == "benign"
    assert any("Positive class: **benign**" in c.value for c in at.caption)
    at.switch_page("app_pages/train.py").run()
    assert not at.exception, at.exception
    assert "Recall (benign)" in [m.label for m in at.metric]
