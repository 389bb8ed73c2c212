"""``python -m core explain``: JSON global importance sorted by importance, a stored run by id, a groups
table with --sensitive, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import main
from tests.helpers import run_cli_here


@pytest.fixture
def people_csv(tmp_path):
    rng = np.random.default_rng(11)
    n = 400
    rows = ["group,tenure,spend,noise1,noise2,churned"]
    for _ in range(n):
        tenure, spend, a, b = rng.standard_normal(4).round(3)
        group = rng.choice(["north", "south"])
        rows.append(f"{group},{tenure},{spend},{a},{b},{int(tenure - spend > 0)}")
    path = tmp_path / "people.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_explain_json_ranks_the_deciding_columns_and_adds_groups(people_csv, capsys):
    code = main(
        ["explain", "--csv", str(people_csv), "--target", "churned", "--model", "logistic_regression"]
        + ["--sensitive", "group", "--json"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"] == "permutation"
    values = [g["importance"] for g in out["global"]]
    assert values == sorted(values, reverse=True)
    assert {g["feature"] for g in out["global"][:2]} == {"tenure", "spend"}
    assert {g["group"] for g in out["groups"]} == {"north", "south"}
    assert sum(g["count"] for g in out["groups"]) == out["overall"]["count"]
    assert 0 <= out["demographic_parity_difference"] <= 1 and "was a feature" in out["sensitive_note"]


def test_explain_a_stored_run_with_shap():
    trained = run_cli_here("train", "--dataset", "breast_cancer", "--model", "random_forest", "--json")
    assert trained.returncode == 0, trained.stderr
    listed = json.loads(run_cli_here("runs", "list", "--json").stdout)
    run_id = max(r["id"] for r in listed)
    proc = run_cli_here("explain", "--run", str(run_id), "--method", "shap", "--shap-rows", "20", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["method"] == "shap" and out["run"]["id"] == run_id and len(out["global"]) == 30
    assert "shap 20/20" in proc.stderr


def test_explain_errors_are_one_line(capsys):
    assert main(["explain", "--run", "987654"]) == 2
    assert "No run with id 987654" in capsys.readouterr().err
    assert main(["explain", "--dataset", "digits", "--model", "knn", "--sensitive", "pixel_3"]) == 2
    assert "binary" in capsys.readouterr().err
