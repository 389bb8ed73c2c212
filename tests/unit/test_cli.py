import json
import subprocess
import sys

from core.cli import main


def _run(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, timeout=120)


def test_datasets_lists_every_dataset(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "mnist" in out and "csv" in out


def test_train_prints_a_table_and_progress(capsys):
    assert main(["train", "--dataset", "digits", "--model", "numpy_mlp", "--hidden", "32", "--epochs", "3"]) == 0
    captured = capsys.readouterr()
    assert "epoch 3/3" in captured.err
    assert "accuracy" in captured.out and "train_time_s" in captured.out


def test_train_json_is_a_run_result():
    proc = _run("train", "--model", "logistic_regression", "--dataset", "breast_cancer", "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["model_config"]["kind"] == "logistic_regression" and 0.9 < d["metrics"]["test"]["accuracy"] <= 1


def test_bad_argument_is_one_line_and_exit_2():
    proc = _run("train", "--epochs", "0")
    assert proc.returncode == 2
    assert "epochs" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_data_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,4\n")
    proc = _run("train", "--dataset", "csv", "--csv", str(bad), "--target", "label")
    assert proc.returncode == 2 and "no column 'label'" in proc.stderr and "Traceback" not in proc.stderr
    proc = _run("train", "--dataset", "imagenet")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_article_preset_reproduces_its_configuration(tiny_mnist_dir):
    proc = _run("train", "--preset", "seed-article", "--epochs", "2", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    d = json.loads(proc.stdout)
    assert d["data_config"]["dataset"] == "mnist"
    assert d["model_config"]["kind"] == "keras_mlp" and d["model_config"]["hidden_units"] == [128]
    assert d["model_config"]["batch_size"] == 32 and d["cost"]["n_params"] == 101_770


def test_positive_class_flag_names_the_class_and_a_wrong_one_is_one_line(capsys):
    args = ["train", "--dataset", "breast_cancer", "--model", "logistic_regression", "--no-save"]
    assert main([*args, "--positive-class", "benign"]) == 0
    out = capsys.readouterr().out
    assert "recall (benign)" in out and "train_time_s (fitting only)" in out and "estimate_s" in out
    assert main([*args, "--positive-class", "sick"]) == 2
    err = capsys.readouterr().err
    assert "'sick' is not a class of breast_cancer" in err and "'malignant', 'benign'" in err
