"""The CLI's data flags: --drop / --keep for CSV columns (train, cv, sweep), --minority-share."""

from __future__ import annotations

import json

from core.cli import main
from tests.unit.test_data_columns import N_ROWS, messy_table

LOGREG = ["--model", "logistic_regression", "--no-save"]


def _csv(tmp_path):
    path = tmp_path / "messy.csv"
    path.write_bytes(messy_table())
    return str(path)


def test_train_prints_the_column_decisions_and_drop_removes_a_feature(tmp_path, capsys):
    path = _csv(tmp_path)
    assert main(["train", "--csv", path, "--target", "label", "--drop", "visits", "--json", *LOGREG]) == 0
    result = json.loads(capsys.readouterr().out)
    columns = {c["column"]: c for c in result["dataset"]["columns"]}
    assert columns["visits"] == {
        "column": "visits",
        "kind": "numeric",
        "used": False,
        "note": "'visits': dropped by you.",
        "by_person": True,
    }
    assert columns["ticket_id"]["kind"] == "identifier" and not columns["ticket_id"]["used"]
    assert result["data_config"]["drop_columns"] == ["visits"]
    assert result["dataset"]["n_features"] == 5  # date, age, plan ×3 (visits dropped)
    assert result["dataset"]["n_train"] + result["dataset"]["n_val"] + result["dataset"]["n_test"] >= 0.8 * N_ROWS

    assert main(["train", "--csv", path, "--target", "label", "--keep", "country", *LOGREG]) == 0
    table = capsys.readouterr().out
    assert "column: 'ticket_id' looks like an identifier (unique per row): left out." in table
    assert "column: 'country' has one value ('US') in every row, but you kept it: used as a feature." in table
    assert "--keep COLUMN" in table


def test_an_unknown_column_names_the_columns_there_are(tmp_path, capsys):
    path = _csv(tmp_path)
    assert main(["train", "--csv", path, "--target", "label", "--drop", "nope", *LOGREG]) == 2
    err = capsys.readouterr().err
    assert "--drop 'nope': CSV file 'messy.csv' has no such column. Columns found: ticket_id, signup_date" in err
    assert err.count("\n") == 1  # one line, no traceback
    assert main(["cv", "--csv", path, "--target", "label", "--keep", "Age", "--folds", "2"]) == 2
    assert "--keep 'Age': CSV file 'messy.csv' has no such column" in capsys.readouterr().err
    assert main(["sweep", "--csv", path, "--target", "label", "--drop", "label", "--param", "hidden=8,16"]) == 2
    assert "--drop 'label': it is the target column" in capsys.readouterr().err
    assert main(["train", "--dataset", "digits", "--drop", "pixel_0", *LOGREG]) == 2
    assert "--drop choose columns of a CSV file" in capsys.readouterr().err


def test_missing_target_suggests_the_likeliest_one(tmp_path, capsys):
    assert main(["train", "--csv", _csv(tmp_path), *LOGREG]) == 2
    assert "The likeliest target is 'label'." in capsys.readouterr().err


def test_minority_share_flag_reaches_the_training_split(capsys):
    args = ["train", "--dataset", "breast_cancer", "--minority-share", "0.1", "--json", *LOGREG]
    assert main(args) == 0
    dataset = json.loads(capsys.readouterr().out)["dataset"]
    counts = dataset["train_counts"]
    assert min(counts) / sum(counts) < 0.11 and dataset["n_val"] == 86
