"""The Data page on a messy CSV: the column detection's notes, keep boxes, the drop picker, the target guess;
the minority-share control; the Train sidebar's CSV choice."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.config import DataConfig
from tests.unit.test_data_columns import messy_table

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
STATE = "tradeoff_lab_state"


def _data_page(tmp_path: Path, **cfg) -> tuple[AppTest, str]:
    path = tmp_path / "messy.csv"
    path.write_bytes(messy_table())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.session_state[STATE].data_cfg = DataConfig(dataset="csv", csv_path=str(path), **cfg)
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    return at, str(path)


def _features(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Features")


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def test_detection_notes_keep_boxes_and_the_drop_picker(tmp_path):
    at, _ = _data_page(tmp_path)  # no target yet: the guess picks the label column, not the count column
    assert at.selectbox(key="data_target").value == "label"
    captions = _captions(at)
    assert "'ticket_id' looks like an identifier (unique per row): left out." in captions
    assert "'comments' is mostly empty (309 of 344 values missing): left out." in captions
    assert "'country' has one value ('US') in every row: left out." in captions
    assert "'signup_date' holds dates: converted to days since 1970-01-01." in captions
    assert "looks like free text" in captions
    assert "Columns left out: ticket_id (identifier), description (free text), comments (mostly empty), country" in (
        captions
    )
    assert _features(at) == "6"
    assert {c.label for c in at.checkbox} >= {
        "Keep ticket_id",
        "Keep signup_date",
        "Keep description",
        "Keep comments",
        "Keep country",
    }
    assert not at.warning  # 15 % of rows dropped: a note, no warning

    next(c for c in at.checkbox if c.label == "Keep country").check().run()
    assert not at.exception, at.exception
    assert at.session_state[STATE].data_cfg.keep_columns == ("country",)
    assert _features(at) == "7"
    assert "but you kept it: used as a feature" in _captions(at)

    picker = next(m for m in at.multiselect if m.label == "Drop columns")
    assert set(picker.options) == {"signup_date", "age", "plan", "visits", "country"}
    picker.select("visits").run()
    assert not at.exception, at.exception
    assert at.session_state[STATE].data_cfg.drop_columns == ("visits",)
    assert _features(at) == "6"
    assert "visits (dropped by you)" in _captions(at)


def test_keeping_the_mostly_empty_comments_column_warns_with_the_count_and_the_column(tmp_path):
    at, _ = _data_page(tmp_path, target="label")
    next(c for c in at.checkbox if c.label == "Keep comments").check().run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1, warnings  # what the issue saw: 309 of 344 rows gone, now said out loud
    assert "discarded 309 of 344 rows (90%)" in warnings[0] and "'comments' (309 rows)" in warnings[0]
    assert "drop column 'comments'" in warnings[0]
    next(c for c in at.checkbox if c.label == "Keep comments").uncheck().run()
    assert not at.warning and _features(at) == "6"


def test_minority_share_control_changes_only_training_rows():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.session_state[STATE].data_cfg = DataConfig(dataset="breast_cancer")
    at.switch_page("app_pages/data.py").run()
    rows = {m.label: m.value for m in at.metric}
    at.select_slider(key="data_minority_share").set_value(0.05).run()
    assert not at.exception, at.exception
    after = {m.label: m.value for m in at.metric}
    assert after["Validation rows"] == rows["Validation rows"] and after["Test rows"] == rows["Test rows"]
    assert int(after["Train rows"].replace(",", "")) < int(rows["Train rows"].replace(",", ""))
    assert any("Minority share: kept" in i.value for i in at.info)


def test_train_sidebar_offers_the_csv_choice(tmp_path):
    path = tmp_path / "messy.csv"
    path.write_bytes(messy_table())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/train.py").run()
    at.selectbox(key="train_dataset").set_value("csv").run()
    assert not at.exception, at.exception
    at.text_input(key="train_csv_path").input(str(path)).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="train_target").value == "label"
    cfg = at.session_state[STATE].data_cfg
    assert (cfg.dataset, cfg.csv_path, cfg.target) == ("csv", str(path), "label")


def test_choosing_csv_before_a_file_asks_for_one_without_an_error(tmp_path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.session_state[STATE].data_cfg = DataConfig(dataset="csv")
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    assert not at.error  # nothing is wrong yet, and no "--csv PATH" from the command line
    assert any("Choose a CSV file in the sidebar" in i.value for i in at.info)


def test_statistics_are_rounded(tmp_path):
    at, _ = _data_page(tmp_path)
    (table,) = at.dataframe
    assert "%.3f" in str(table.proto.columns)  # a scaled mean reads 0.000, not 0.00000003


def test_each_class_of_sample_images_is_captioned_with_its_name():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.session_state[STATE].data_cfg = DataConfig(dataset="digits")
    at.switch_page("app_pages/data.py").run()
    assert not at.exception, at.exception
    # one image per class, its name right under it (not an axis label a chart's width away)
    assert [image.captions for image in at.image] == [[str(c)] for c in range(10)]
    assert not any("images of each class" in c.proto.spec for c in at.get("vega_lite_chart"))
