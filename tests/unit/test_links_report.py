from html.parser import HTMLParser

import pytest

from core.config import DataConfig, ModelConfig, ModelKind, Optimizer
from core.links import from_query, to_query
from core.report import runs_report
from core.training import train


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
    from core.report import runs_report
    from core.training import train

    cfg = ModelConfig(kind=ModelKind.LOGISTIC)
    malignant = train(DataConfig(dataset="breast_cancer"), cfg)
    benign = train(DataConfig(dataset="breast_cancer", positive_class="benign"), cfg)
    assert "<th>Recall (malignant)</th>" in runs_report([malignant])
    mixed = runs_report([malignant, benign])
    assert "<th>Recall</th>" in mixed and "% (malignant)</td>" in mixed and "% (benign)</td>" in mixed
    assert malignant.validation.recall != benign.validation.recall  # the same model, a different class's recall
