from html.parser import HTMLParser

import pytest

from core.config import DataConfig, ModelConfig, ModelKind, Optimizer
from core.records.links import CSV_FILE_KEY, from_query, read_link, to_query
from core.records.report import runs_report
from core.training.trainer import train


def test_link_round_trip_keeps_only_what_differs():
    data = DataConfig(dataset="breast_cancer", seed=7, fraction=0.5)
    model = ModelConfig(kind=ModelKind.KERAS_MLP, hidden_units=(64, 32), optimizer=Optimizer.SGD, seed=3)
    query = to_query(data, model)
    assert query["d.seed"] == "7" and query["m.hidden_units"] == "64-32" and "m.epochs" not in query
    assert from_query(query) == (data, model, [])
    assert to_query(DataConfig(), ModelConfig()) == {}


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"m.epochs": "-3"}, "epochs"),
        ({"m.kind": "gpt"}, "kind"),
        ({"d.fraction": "lots"}, "fraction"),
        ({"m.hidden_units": "8-x"}, "hidden_units"),
        ({"m.colour": "red"}, "unknown"),
    ],
)
def test_malformed_links_fall_back_to_defaults_with_a_warning(params, needle):
    data, model, warnings = from_query(params)
    assert (data, model) == (DataConfig(), ModelConfig())
    assert len(warnings) == 1 and needle in warnings[0]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"d.dataset": "foo"}, "dataset"),
        ({"d.dataset": "[click](http://evil.example)"}, "dataset"),
        ({"m.learning_rate": "nan"}, "learning_rate"),
        ({"m.l2": "inf"}, "l2"),
        ({"m.epochs": "1e3"}, "epochs"),
        ({"m.epochs": "9" * 5000}, "characters"),
        ({"m.hidden_units": "64-64-64-64-64"}, "hidden_units"),
        ({"m.hidden_units": "0-64"}, "hidden_units"),  # "0" is no hidden layer, as on the CLI
        ({"m.hidden_units": "-"}, "hidden_units"),
        ({"m.optimizer": "ADAM!"}, "optimizer"),
        ({"d.stratify": "maybe"}, "stratify"),
        ({"m.seed": "-1"}, "seed"),
        ({"m.seed": "99999999"}, "seed"),
        ({"d.val_fraction": "0.5", "d.test_fraction": "0.45"}, "test_fraction"),  # each fine, together not
    ],
)
def test_each_bad_value_falls_back_alone_and_the_rest_of_the_link_applies(params, needle):
    link = read_link({**params, "m.epochs": params.get("m.epochs", "3"), "d.seed": "7"})
    assert len(link.warnings) == 1 and needle in link.warnings[0], link.warnings
    assert link.data.seed == 7  # the good values still apply
    if "m.epochs" not in params:
        assert link.model.epochs == 3
    assert link.data.validate() and link.model.validate()  # a working configuration, whatever the link said
    bad = set(params) - {"d.val_fraction"}
    for key in bad:
        prefix, name = key.split(".")
        cfg, default = (link.data, DataConfig()) if prefix == "d" else (link.model, ModelConfig())
        assert getattr(cfg, name) == getattr(default, name)  # the offending value fell back to its default


def test_a_link_never_reads_a_server_path(tmp_path, monkeypatch):
    import core.data.csv_table

    opened = []
    monkeypatch.setattr(core.data.csv_table, "load_csv", lambda *a, **k: opened.append(a))
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n")
    link = read_link({"d.dataset": "csv", "d.csv_path": str(secret), "d.target": "b"})
    assert link.data.csv_path is None and link.csv_name == "secret.csv" and link.data.target == "b"
    assert len(link.warnings) == 1 and "never reads a file on the server" in link.warnings[0]
    link = read_link({"d.dataset": "csv", "d.csv_path": "/etc/os-release"})
    assert link.data.csv_path is None and link.csv_name == "os-release"
    link = read_link({"d.dataset": "csv", CSV_FILE_KEY: "..\\..\\win.ini"})
    assert link.data.csv_path is None and link.csv_name == "win.ini" and link.warnings
    assert opened == []  # nothing was read


def test_a_csv_link_carries_the_file_name_only():
    data = DataConfig(dataset="csv", csv_path="/tmp/uploads/ab12/churn.csv", target="churned")
    query = to_query(data, ModelConfig())
    assert query == {"d.dataset": "csv", "d.target": "churned", CSV_FILE_KEY: "churn.csv"}
    assert "/tmp" not in "".join(query.values())
    link = read_link(query)
    assert (link.data.dataset, link.data.target, link.data.csv_path) == ("csv", "churned", None)
    assert link.csv_name == "churn.csv" and link.warnings == ()


def test_a_cnn_on_tabular_data_falls_back_to_the_default_model():
    link = read_link({"d.dataset": "breast_cancer", "m.kind": "keras_cnn", "m.epochs": "4"})
    assert link.model.kind == ModelConfig().kind and link.model.epochs == 4
    assert len(link.warnings) == 1 and "image dataset" in link.warnings[0]


def test_repeated_keys_take_the_last_value():
    assert read_link({"m.epochs": ["2", "5"]}).model.epochs == 5


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_report_is_self_contained_with_specs_and_escapes_notes():
    runs = [train(DataConfig(), ModelConfig(epochs=e, hidden_units=(16,))) for e in (2, 3)]
    page = runs_report(runs, notes=["<script>alert(1)</script>"], labels=["a", "b"])
    parser = _Collect()
    parser.feed(page)
    assert parser.tags.count("svg") == 2  # charts drawn inline: no network needed to read it
    assert parser.scripts == [{"type": "application/json", "id": "vega-lite-specs"}]  # data only, no code
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "model.epochs" in page and "model.hidden_units" not in page  # only differing fields compared
    assert "src=" not in page and "<link" not in page  # nothing fetched: readable offline


def test_report_names_the_positive_class_and_says_it_per_cell_when_runs_differ():
    from core.config import DataConfig, ModelConfig, ModelKind
    from core.records.report import runs_report
    from core.training.trainer import train

    cfg = ModelConfig(kind=ModelKind.LOGISTIC)
    malignant = train(DataConfig(dataset="breast_cancer"), cfg)
    benign = train(DataConfig(dataset="breast_cancer", positive_class="benign"), cfg)
    assert "<th>Recall (malignant)</th>" in runs_report([malignant])
    mixed = runs_report([malignant, benign])
    assert "<th>Recall</th>" in mixed and "% (malignant)</td>" in mixed and "% (benign)</td>" in mixed
    assert malignant.validation.recall != benign.validation.recall  # the same model, a different class's recall
