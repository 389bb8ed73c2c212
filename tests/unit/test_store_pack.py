"""Compact runs (core/records/store_pack.py): bulky arrays packed apart from the result JSON, exactly; the
numbers Metrics shows (ROC AUC, threshold results) the same after a store round trip; old exports import;
new exports round-trip; a bad blob is named, never a crash. SQLite and PostgreSQL (``target``)."""

import base64
import json
import sqlite3
import zlib

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from core.config import DataConfig, ModelConfig
from core.evaluation.thresholds import threshold_metrics
from core.records.result import RunResult
from core.records.store import RunStore
from core.records.store_import import ImportFormatError
from core.records.store_pack import PackError, pack, plain, unpack
from core.training.trainer import train
from tests.unit.test_store import pg_server, target  # noqa: F401  (fixtures: SQLite and PostgreSQL stores)


@pytest.fixture(scope="module")
def binary():
    return train(DataConfig(dataset="breast_cancer"), ModelConfig(epochs=3, hidden_units=(8,)))


@pytest.fixture(scope="module")
def multiclass():
    return train(DataConfig(), ModelConfig(epochs=2, hidden_units=(16,)))


def test_pack_takes_the_arrays_out_and_unpack_gives_back_the_same_json(binary, multiclass):
    for result in (binary, multiclass):
        d = json.loads(result.to_json())
        before = json.dumps(d)
        small, blob = pack(d)
        assert json.dumps(d) == before  # the input is left whole
        assert "proba" not in small["predictions"]["validation"] and "x" not in small["metrics"]["test"]["pr_curves"][0]
        assert len(json.dumps(small)) + len(blob) < len(before) / (5 if result is multiclass else 2)
        assert json.dumps(plain(unpack(json.loads(json.dumps(small)), blob))) == before


def test_values_that_are_not_rounded_are_kept_bit_for_bit(multiclass):
    d = json.loads(multiclass.to_json())
    rng = np.random.default_rng(0)
    proba = rng.random(np.asarray(d["predictions"]["test"]["proba"]).shape)
    d["predictions"]["test"]["proba"] = proba.tolist()  # full float64 precision, as another program may write
    small, blob = pack(d)
    assert np.array_equal(unpack(small, blob)["predictions"]["test"]["proba"], proba)


def test_roc_auc_and_threshold_results_are_the_same_after_a_store_round_trip(target, binary):  # noqa: F811
    store = RunStore(target)
    run_id = store.save(binary)
    row = _stored_columns(store, run_id)
    assert row[1] is not None and len(row[0]) < 6_000  # arrays packed apart; the JSON keeps the rest
    assert '"x"' not in row[0] and '"proba"' not in row[0]
    back = store.get(run_id).result
    before = RunResult.from_json(binary.to_json())  # what a store round trip kept before: the JSON form
    for split in ("validation", "test"):
        p0, p1 = before.predictions[split], back.predictions[split]
        assert np.array_equal(p0.y_true, p1.y_true) and np.array_equal(p0.proba, p1.proba)
        auc0, auc1 = (roc_auc_score(p.y_true, p.proba[:, 1]) for p in (p0, p1))
        assert abs(auc0 - auc1) <= 1e-6
        for threshold in (0.2, 0.5, 0.8):
            m0 = threshold_metrics(p0.y_true, p0.proba[:, 1], threshold=threshold)
            m1 = threshold_metrics(p1.y_true, p1.proba[:, 1], threshold=threshold)
            assert m0 == m1
    assert back.validation == before.validation and back.test == before.test  # curves and scores alike


def test_an_old_export_imports_packed_and_a_new_export_round_trips(target, tmp_path, binary):  # noqa: F811
    old = {"format": "tradeoff-lab-runs", "version": 2, "runs": [{**entry_of(binary), "result": binary.to_dict()}]}
    a = RunStore(target)
    assert a.import_json(json.dumps(old)).added == 1
    (run,) = a.list()
    assert _stored_columns(a, run.id)[1] is not None  # stored packed
    assert run.result == RunResult.from_json(binary.to_json())
    exported = json.loads(a.export_json())
    assert exported["version"] == 3 and "arrays" in exported["runs"][0]
    assert "predictions" not in json.dumps(exported["runs"][0]["result"]["predictions"]["test"])  # packed
    b = RunStore(str(tmp_path / "b.sqlite"))
    assert b.import_json(json.dumps(exported)).added == 1
    assert b.list()[0].result == run.result
    assert json.loads(b.export_json())["runs"][0] == exported["runs"][0]  # byte-for-byte the same entry


def test_a_bad_blob_in_an_export_is_named_and_nothing_is_imported(tmp_path, binary):
    store = RunStore(str(tmp_path / "runs.sqlite"))
    store.save(binary)
    good = json.loads(store.export_json())
    good["runs"][0]["uuid"] = "00000000-0000-0000-0000-000000000001"
    for bad, message in (
        ("not base64!", "arrays' must be base64"),
        (base64.b64encode(b"junk").decode(), "not zlib data"),
        (base64.b64encode(zlib.compress(b"TLA1\x02\x00\x00\x00[]xyz")).decode(), "trailing bytes"),
    ):
        doc = json.loads(json.dumps(good))
        doc["runs"][0]["arrays"] = bad
        with pytest.raises(ImportFormatError, match=message):
            store.import_json(json.dumps(doc))
    doc = json.loads(json.dumps(good))
    doc["runs"][0]["result"]["predictions"]["test"]["proba"] = [[0.5, 0.5]]  # the arrays hold it already
    with pytest.raises(ImportFormatError, match="proba"):
        store.import_json(json.dumps(doc))
    assert store.count() == 1


def test_a_damaged_blob_in_the_store_reads_as_an_unreadable_run(tmp_path, binary):
    path = tmp_path / "runs.sqlite"
    store = RunStore(str(path))
    run_id = store.save(binary)
    with sqlite3.connect(path) as con:
        con.execute("UPDATE runs SET result_arrays = ? WHERE id = ?", (b"\x00garbage", run_id))
    run = RunStore(str(path)).get(run_id)
    assert run.result is None and "arrays cannot be read" in run.problem


def test_unpack_refuses_arrays_that_do_not_fit_the_run(multiclass):
    small, blob = pack(json.loads(multiclass.to_json()))
    other = json.loads(multiclass.to_json())  # its arrays are still in place: the blob would put them twice
    with pytest.raises(PackError, match="once|do not fit"):
        unpack(other, blob)


def entry_of(result) -> dict:
    """An export entry's fields around a result, as version 2 wrote them."""
    return {
        "uuid": "0f0e0d0c-0b0a-0908-0706-050403020100",
        "created_at": result.created_at,
        "app_version": "tradeoff-lab 0.1.0",
        "kind": "train",
        "status": "complete",
        "dataset": "breast_cancer",
        "model": "numpy_mlp",
        "notes": "",
        "tags": [],
        "error": None,
    }


def _stored_columns(store: RunStore, run_id: int) -> tuple[str, bytes | None]:
    rows = store._read("SELECT result_json, result_arrays FROM runs WHERE id = :id", {"id": run_id})
    return rows[0]["result_json"], rows[0]["result_arrays"]


def test_arrays_inflated_ahead_in_a_thread_still_fail_in_the_files_order(tmp_path, binary, monkeypatch):
    """An import inflates the next runs' arrays in a helper thread (core/records/store_import.py): a bad blob
    further on does not hide an earlier bad run, a bad blob is still named, and the threads are not left over."""
    import threading

    from core.records import store_import

    monkeypatch.setattr(store_import, "_AHEAD", 2)  # fewer than the runs: the window slides
    source = RunStore(str(tmp_path / "source.sqlite"))
    for _ in range(6):
        source.save(binary)
    good = json.loads(source.export_json())
    store = RunStore(str(tmp_path / "runs.sqlite"))
    cases = []
    doc = json.loads(json.dumps(good))
    doc["runs"][1]["result"]["cost"]["train_time_s"] = "fast"
    doc["runs"][4]["arrays"] = base64.b64encode(b"junk").decode()
    cases.append((doc, "Run 2 of 6: 'runs[1].result.cost.train_time_s'"))
    doc = json.loads(json.dumps(good))
    doc["runs"][3]["arrays"] = base64.b64encode(b"junk").decode()
    cases.append((doc, "Run 4 of 6: 'runs[3].result': the arrays are not zlib data"))
    doc = json.loads(json.dumps(good))
    doc["runs"][5]["arrays"] = "not base64!"
    cases.append((doc, "Run 6 of 6: 'runs[5].arrays' must be base64"))
    threads = threading.active_count()
    for doc, message in cases:
        with pytest.raises(ImportFormatError) as info:
            store.import_json(json.dumps(doc))
        assert str(info.value).startswith(message), str(info.value)
    assert store.count() == 0 and threading.active_count() == threads
    assert store.import_json(json.dumps(good)).added == 6
    assert [r.result for r in store.list()] == [r.result for r in source.list()]
