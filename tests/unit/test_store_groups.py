"""History's filters by kind (imported runs included), tag and date, and its groups: a sweep's trials and a
cross-validation's folds listed under one entry, paged in SQL — on SQLite and PostgreSQL (``target``)."""

import json
import uuid

import pytest

from core.config import DataConfig, ModelConfig
from core.records.store import IMPORTED, RunFilter, RunStore, headline
from core.training.trainer import train
from tests.unit.test_store import pg_server, target  # noqa: F401  (fixtures: SQLite and PostgreSQL stores)


@pytest.fixture(scope="module")
def result():
    return train(DataConfig(), ModelConfig(epochs=1, hidden_units=(8,)))


def _rows(result, n: int = 30) -> list[dict]:
    """Run i: a sweep "s1" holds runs 0-9, a cross-validation "cv1" runs 20-24, the rest stand alone."""
    out = []
    for i in range(n):
        group = "s1" if i < 10 else "cv1" if 20 <= i < 25 else None
        out.append(
            {
                "created_at": f"2026-03-{1 + i // 3:02d}T12:00:00+00:00",
                "kind": "trial" if group == "s1" else "cv" if group == "cv1" else "train",
                "status": "complete",
                "dataset": "digits",
                "model": "numpy_mlp",
                "result_json": None,
                "error": None,
                "app_version": "test",
                "tags": "demo" if i % 4 == 0 else "",
                "uuid": str(uuid.UUID(int=i + 1)),
                "group_id": group,
                **headline(result),
                "val_accuracy": 0.5 + i / 100,
            }
        )
    return out


def test_filters_by_kind_tag_and_date_return_the_right_rows(target, result):  # noqa: F811
    store = RunStore(target)
    rows = _rows(result)
    store.insert_rows(rows)
    ids = {i + 1: r for i, r in enumerate(rows)}

    def expect(pick) -> list[int]:
        return sorted((i for i, r in ids.items() if pick(r)), reverse=True)

    def got(where: RunFilter) -> list[int]:
        return [r.id for r in store.page(where, limit=100).runs]

    assert got(RunFilter(kinds=("trial",))) == expect(lambda r: r["kind"] == "trial")
    assert got(RunFilter(kinds=("cv", "train"))) == expect(lambda r: r["kind"] in ("cv", "train"))
    assert got(RunFilter(tag="demo")) == expect(lambda r: r["tags"] == "demo")
    in_range = expect(lambda r: "2026-03-02" <= r["created_at"][:10] <= "2026-03-04")
    assert got(RunFilter(since="2026-03-02", until="2026-03-04")) == in_range and len(in_range) == 9
    assert got(RunFilter(kinds=("trial",), tag="demo", until="2026-03-02")) == [5, 1]
    assert IMPORTED not in store.facets()["kind"] and got(RunFilter(kinds=(IMPORTED,))) == []


def test_imported_runs_are_a_kind_of_their_own_in_the_filter(target, tmp_path, result):  # noqa: F811
    source = RunStore(str(tmp_path / "source.sqlite"))
    source.save(result, kind="trial", group="g-1")
    source.save(result, kind="train")
    store = RunStore(target)
    own = store.save(result)
    assert store.import_json(source.export_json()).added == 2
    assert IMPORTED in store.facets()["kind"]
    imported = [r.id for r in store.page(RunFilter(kinds=(IMPORTED,))).runs]
    assert len(imported) == 2 and own not in imported
    assert [r.id for r in store.page(RunFilter(kinds=(IMPORTED, "train"))).runs] == sorted([*imported, own])[::-1]
    assert [r.kind for r in store.page(RunFilter(kinds=(IMPORTED,), statuses=("complete",))).runs] == ["train", "trial"]
    trial = store.page(RunFilter(kinds=("trial",))).runs[0]
    assert trial.group_id == "g-1"  # the group travels with an export
    doc = json.loads(source.export_json())
    doc["runs"][0]["group"] = "#1"
    with pytest.raises(Exception, match="group"):
        store.import_json(json.dumps(doc))


def test_a_sweeps_trials_and_a_cvs_folds_are_grouped_under_one_entry(target, result):  # noqa: F811
    store = RunStore(target)
    store.insert_rows(_rows(result))
    page = store.group_page(limit=100)
    # newest first: lone runs 30..26, the CV (newest fold 25), lone 20..11, the sweep (newest trial 10)
    keys = [g.key or f"#{g.newest.id}" for g in page.groups]
    assert keys == [*(f"#{i}" for i in range(30, 25, -1)), "cv1", *(f"#{i}" for i in range(20, 10, -1)), "s1"]
    assert page.total == 17 and page.runs_total == 30
    sweep = page.groups[-1]
    assert [r.id for r in sweep.runs] == list(range(10, 0, -1)) and all(r.kind == "trial" for r in sweep.runs)
    row = sweep.row()
    assert row["runs"] == 10 and row["kind"] == "trial ×10" and row["accuracy"] == pytest.approx(0.59)
    assert page.groups[0].row()["runs"] == 1 and page.groups[0].row()["id"] == 30
    # paging counts entries; a filter applies inside a group too
    second = store.group_page(limit=5, offset=5)
    assert [g.key or g.newest.id for g in second.groups] == ["cv1", 20, 19, 18, 17]
    tagged = store.group_page(RunFilter(tag="demo"))
    assert [r.id for r in tagged.groups[-1].runs] == [9, 5, 1] and tagged.runs_total == 8
