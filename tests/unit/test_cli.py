import json
import signal
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from core.cli import LOSS_METRICS, SWEEP_METRICS, frontier, main
from core.errors import ConfigError
from core.explore.ray_connect import check_address
from tests.helpers import run_cli as _run
from tests.helpers import run_cli_here


def test_datasets_lists_every_dataset(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "mnist" in out and "csv" in out


def test_train_prints_a_table_and_progress(capsys):
    assert main(["train", "--dataset", "digits", "--model", "numpy_mlp", "--hidden", "32", "--epochs", "3"]) == 0
    captured = capsys.readouterr()
    assert "epoch 3/3" in captured.err
    assert "accuracy" in captured.out and "train_time_s" in captured.out


def test_train_names_the_run_it_saved_and_runs_show_finds_it(capsys):
    from core.records.store import RunStore

    assert main(["train", "--dataset", "digits", "--model", "logistic_regression", "--json"]) == 0
    captured = capsys.readouterr()
    saved = [line for line in captured.err.splitlines() if line.startswith("saved as run ")]
    assert len(saved) == 1, captured.err
    run_id = int(saved[0].split()[3].rstrip(":"))
    stored = RunStore().get(run_id)
    assert stored.result.test.accuracy == json.loads(captured.out)["metrics"]["test"]["accuracy"]
    assert main(["runs", "show", str(run_id)]) == 0
    assert "LogisticRegression" in capsys.readouterr().out


def test_train_json_is_a_run_result():
    proc = run_cli_here("train", "--model", "logistic_regression", "--dataset", "breast_cancer", "--json")
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
    proc = run_cli_here("train", "--preset", "seed-article", "--epochs", "2", "--json")  # reads the JSON only
    assert proc.returncode == 0, proc.stderr[-2000:]
    d = json.loads(proc.stdout)
    assert d["data_config"]["dataset"] == "mnist"
    assert d["model_config"]["kind"] == "keras_mlp" and d["model_config"]["hidden_units"] == [128]
    assert d["model_config"]["batch_size"] == 32 and d["cost"]["n_params"] == 101_770


# --- argument validation: everything is checked before anything trains ------------------------------------
@pytest.fixture
def churn_csv(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 2))
    label = np.where(x[:, 0] + 0.3 * rng.normal(size=120) > 0, "churned", "stayed")
    path = tmp_path / "churn.csv"
    lines = ["tenure,spend,label"] + [f"{a:.3f},{b:.3f},{y}" for (a, b), y in zip(x, label, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _one_line_exit_2(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


def test_csv_and_target_imply_the_csv_dataset_in_train_sweep_and_cv(churn_csv, capsys):
    assert (
        main(["train", "--csv", str(churn_csv), "--target", "label", "--model", "logistic_regression", "--json"]) == 0
    )
    run = json.loads(capsys.readouterr().out)
    assert run["data_config"]["dataset"] == "csv" and run["dataset"]["class_names"] == ["churned", "stayed"]
    argv = ["sweep", "--csv", str(churn_csv), "--target", "label", "--model", "logistic_regression"]
    assert main([*argv, "--param", "C=0.1,1", "--json"]) == 0
    trials = json.loads(capsys.readouterr().out)["trials"]
    assert [t["status"] for t in trials] == ["complete", "complete"]
    assert {t["data_config"]["dataset"] for t in trials} == {"csv"}
    assert main(["cv", "--csv", str(churn_csv), "--target", "label", "--model", "knn", "--folds", "3", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["folds"]) == 3


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["train", "--dataset", "digits", "--csv", "{csv}", "--target", "label"], ["--dataset is 'digits'"]),
        (["train", "--csv", "{csv}"], ["--target", "tenure, spend, label"]),
        (["sweep", "--csv", "{csv}", "--target", "nope", "--param", "hidden=8"], ["no column 'nope'", "label"]),
        (["cv", "--target", "label"], ["--csv FILE"]),
        (["sweep", "--param", "hidden=8", "--metric", "nonsense"], ["nonsense", "log_loss"]),
        (["sweep", "--model", "random_forest", "--param", "hidden=8,16"], ["not a knob of random_forest"]),
        (["sweep", "--param", "kind=numpy_mlp,knn", "--param", "hidden=8"], ["not a knob of knn"]),
        (["sweep", "--model", "knn", "--epochs", "3", "--param", "k_neighbors=1,3"], ["--epochs", "knn"]),
        (["sweep", "--param", "epochs=2,0"], ["epochs"]),
        (["sweep", "--param", "hidden=8", "--ray-address", "127.0.0.1:6379"], ["--executor ray"]),
        (["train", "--model", "logistic_regression", "--epochs", "5"], ["--epochs", "logistic_regression"]),
        (["train", "--model", "keras_cnn", "--dataset", "breast_cancer"], ["image dataset"]),
        (["cv", "--model", "knn", "--hidden", "8"], ["--hidden", "knn"]),
        (["cv", "--folds", "1"], ["--folds"]),
    ],
)
def test_bad_arguments_stop_before_any_training(churn_csv, args, needles):
    # in this process: the checks are argument parsing and validation; exit codes and the absence of a traceback
    # as the shell sees them are pinned by the subprocess tests above
    started = time.perf_counter()
    proc = run_cli_here(*[a.replace("{csv}", str(churn_csv)) for a in args])
    _one_line_exit_2(proc, *needles)
    # one line on stderr: no progress bar and no "N trials on the ... executor" line, so nothing trained
    assert time.perf_counter() - started < 60


def test_sweep_metrics_are_the_ones_trials_record():
    from core.config import DataConfig, ModelConfig
    from core.explore.executors import run_sweep
    from core.explore.sweeps import SweepSpec

    (trial,) = run_sweep(SweepSpec(DataConfig(), ModelConfig(kind="knn"), {"k_neighbors": [3]}))
    assert set(trial.metrics) == set(SWEEP_METRICS)


def test_a_loss_is_minimised_on_the_frontier():
    from core.explore.sweeps import Trial

    def trial(i, value, seconds):
        return Trial(
            i, {}, 0, 0, "complete", metrics={"log_loss": value, "accuracy": 1 - value}, cost={"train_time_s": seconds}
        )

    trials = [trial(0, 0.30, 1.0), trial(1, 0.10, 2.0), trial(2, 0.50, 3.0), trial(3, 0.40, 0.5)]
    assert "log_loss" in LOSS_METRICS
    assert frontier(trials, "log_loss") == [True, True, False, True]  # low loss or low time; #2 is dominated
    assert frontier(trials, "accuracy") == frontier(trials, "log_loss")  # accuracy = 1 - loss: the same front


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def silent_head():
    """A port that accepts connections and never answers, like a head that refuses this driver."""
    server = socket.create_server(("127.0.0.1", 0))
    conns = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for c in conns:
        c.close()
    server.close()


def test_a_ray_address_nothing_listens_on_fails_within_the_timeout():
    started = time.perf_counter()
    proc = _run(
        "sweep",
        "--param",
        "hidden=8",
        "--executor",
        "ray",
        "--ray-address",
        f"127.0.0.1:{_free_port()}",
        "--ray-timeout",
        "2",
    )
    _one_line_exit_2(proc, "Nothing answers", "--executor local")
    assert time.perf_counter() - started < 30
    with pytest.raises(ConfigError, match="HOST:PORT"):
        check_address("no-port-here", timeout_s=1)


def test_a_head_that_answers_but_refuses_gets_the_token_hint(silent_head):
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="RAY_AUTH_MODE=token"):
        check_address(silent_head, timeout_s=6)
    assert time.perf_counter() - started < 15  # the deadline holds, plus the child's clean-up


def test_sigterm_ends_a_ray_connection_attempt_at_once(silent_head):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core",
            "sweep",
            "--param",
            "hidden=8",
            "--executor",
            "ray",
            "--ray-address",
            silent_head,
            "--ray-timeout",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # past argument checks and the port check: in the Ray connection attempt
    assert proc.poll() is None
    sent = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and "terminated" in err and "Traceback" not in err, err
    assert time.perf_counter() - sent < 5


def test_positive_class_flag_names_the_class_and_a_wrong_one_is_one_line(capsys):
    args = ["train", "--dataset", "breast_cancer", "--model", "logistic_regression", "--no-save"]
    assert main([*args, "--positive-class", "benign"]) == 0
    out = capsys.readouterr().out
    assert "recall (benign)" in out and "train_time_s (fitting only)" in out and "estimate_s" in out
    assert main([*args, "--positive-class", "sick"]) == 2
    err = capsys.readouterr().err
    assert "'sick' is not a class of breast_cancer" in err and "'malignant', 'benign'" in err
