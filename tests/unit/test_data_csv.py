"""Tests for core.data.csv_table: loading a user's CSV, encoding it, and the DataErrors for bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.config import MissingValues
from core.data.csv_table import csv_columns, load_csv
from core.data.prepare import apply_imputation, fit_imputation
from core.errors import DataError

HAPPY = """age,city,income,churn
30,paris,100.5,no
41,london,80,yes
25,paris,55,no
38,berlin,70.25,yes
52,london,90,no
"""


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


# --- happy path --------------------------------------------------------------------------------------------


def test_happy_path_numeric_categorical_and_string_target(tmp_path: Path) -> None:
    raw = load_csv(write(tmp_path, HAPPY), "churn")

    assert raw.X.dtype == np.float32 and raw.y.dtype == np.int64
    assert raw.X.shape == (5, 5)  # age, 3 one-hot city columns, income
    assert raw.feature_names == ("age", "city=berlin", "city=london", "city=paris", "income")
    assert raw.class_names == ("no", "yes")
    np.testing.assert_array_equal(raw.y, [0, 1, 0, 1, 0])
    np.testing.assert_allclose(raw.X[:, 0], [30, 41, 25, 38, 52])
    np.testing.assert_allclose(raw.X[:, 4], [100.5, 80, 55, 70.25, 90])
    np.testing.assert_array_equal(raw.X[:, 1:4], [[0, 0, 1], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert raw.image_shape is None and raw.pixel_max is None and raw.test is None
    assert raw.task == "binary"
    assert raw.notes == ("One-hot encoded 1 categorical column into 3 features.",)


def test_bytes_source_gives_the_same_result_as_a_path(tmp_path: Path) -> None:
    from_path = load_csv(write(tmp_path, HAPPY), "churn")
    from_bytes = load_csv(HAPPY.encode(), "churn")

    np.testing.assert_array_equal(from_path.X, from_bytes.X)
    np.testing.assert_array_equal(from_path.y, from_bytes.y)
    assert from_path.feature_names == from_bytes.feature_names
    assert from_path.class_names == from_bytes.class_names


def test_numeric_target_is_encoded_in_numeric_order_and_all_numeric_needs_no_encoding() -> None:
    text = "x1,x2,grade\n1,2,10\n3,4,2\n5,6,10\n7,8,1\n"
    raw = load_csv(text.encode(), "grade")

    assert raw.class_names == ("1", "2", "10")  # numerically sorted, not "1", "10", "2"
    np.testing.assert_array_equal(raw.y, [2, 1, 2, 0])
    assert raw.task == "multiclass"
    assert raw.feature_names == ("x1", "x2")
    assert raw.notes == ()


def test_target_column_may_be_anywhere_and_whitespace_and_bom_are_ignored() -> None:
    text = "\ufefflabel, a, b\n cat ,1, red\ndog,2,blue \ncat,3,red\n"
    raw = load_csv(text.encode("utf-8"), "label")

    assert raw.class_names == ("cat", "dog")
    np.testing.assert_array_equal(raw.y, [0, 1, 0])
    assert raw.feature_names == ("a", "b=blue", "b=red")


def test_integer_target_with_missing_rows_keeps_integer_class_names() -> None:
    raw = load_csv(b"x,y\n1,0\n2,\n3,1\n4,1\n", "y")  # the gap makes pandas read y as floats

    assert raw.class_names == ("0", "1")
    np.testing.assert_array_equal(raw.y, [0, 1, 1])


# --- missing values ----------------------------------------------------------------------------------------

MISSING = """num,cat,target
1,a,x
,b,y
3,,x
4,a,
5,b,y
7,a,x
"""


def test_drop_removes_every_row_with_a_missing_value_and_says_so() -> None:
    raw = load_csv(MISSING.encode(), "target", missing=MissingValues.DROP)

    assert raw.X.shape == (3, 3)
    np.testing.assert_allclose(raw.X[:, 0], [1, 5, 7])
    np.testing.assert_array_equal(raw.y, [0, 1, 0])
    assert "Dropped 3 of 6 rows with missing values." in raw.notes


def test_impute_fills_median_and_most_frequent_and_drops_only_missing_targets() -> None:
    raw = load_csv(MISSING.encode(), "target", missing=MissingValues.IMPUTE)

    # row 4 (missing target) is dropped; the rest stay
    assert raw.X.shape == (5, 3)
    assert raw.feature_names == ("num", "cat=a", "cat=b")
    # loading only marks what is missing; the fill values are fitted after the split (core.data.prepare)
    assert np.isnan(raw.X[1, 0]) and np.isnan(raw.X[2, 1:]).all()
    assert raw.impute == (("median", (0,)), ("mode", (1, 2)))
    # fitted on all kept rows here: median of 1, 3, 5, 7 is 4
    filled = apply_imputation(raw.X, raw.impute, fit_imputation(raw.X, raw.impute, raw.feature_names))
    np.testing.assert_allclose(filled[:, 0], [1, 4, 3, 5, 7])
    # the blank category gets the most frequent value among kept rows: a (2) vs b (2) tie -> 'a', sorted first
    np.testing.assert_array_equal(filled[2, 1:], [1, 0])
    np.testing.assert_array_equal(raw.y, [0, 1, 0, 1, 0])
    assert "Dropped 1 of 6 rows with a missing target." in raw.notes
    assert any(n.startswith("Imputed 2 missing values in 2 columns") for n in raw.notes)


def test_impute_with_nothing_missing_adds_no_note() -> None:
    raw = load_csv(b"a,t\n1,x\n2,y\n", "t", missing=MissingValues.IMPUTE)
    assert raw.notes == ()


def test_missing_accepts_the_plain_string_value() -> None:
    raw = load_csv(MISSING.encode(), "target", missing="impute")  # type: ignore[arg-type]
    assert raw.X.shape == (5, 3)


def test_drop_that_removes_every_row_suggests_impute() -> None:
    text = "a,b,t\n1,,x\n,2,y\n3,,x\n,4,y\n"  # half of each column missing: neither is left out
    with pytest.raises(DataError, match=r"Every one of the 4 rows.*impute"):
        load_csv(text.encode(), "t")
    assert load_csv(text.encode(), "t", missing=MissingValues.IMPUTE).X.shape == (4, 2)


# --- categories --------------------------------------------------------------------------------------------


def test_max_categories_names_the_column_count_and_cap() -> None:
    rows = "\n".join(f"{i},c{i},{i % 2}" for i in range(8))
    text = f"n,code,t\n{rows}\n"

    with pytest.raises(DataError, match=r"'code' has 8 distinct values.*max_categories=5.*Drop the column"):
        load_csv(text.encode(), "t", max_categories=5)
    raw = load_csv(text.encode(), "t", max_categories=8)
    assert raw.X.shape == (8, 9)
    assert "One-hot encoded 1 categorical column into 8 features." in raw.notes


def test_true_false_columns_are_one_hot_encoded() -> None:
    raw = load_csv(b"flag,t\nTrue,a\nFalse,b\nTrue,a\n", "t")
    assert raw.feature_names == ("flag=False", "flag=True")
    np.testing.assert_array_equal(raw.X, [[0, 1], [1, 0], [0, 1]])


# --- bad files ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\n  \t\n"])
def test_empty_file_is_reported_for_paths_and_bytes(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(DataError, match="is empty"):
        load_csv(write(tmp_path, content), "t")
    with pytest.raises(DataError, match="uploaded CSV is empty"):
        load_csv(content, "t")


def test_ragged_rows_cannot_be_parsed_and_the_reason_is_given() -> None:
    with pytest.raises(DataError, match=r"could not be parsed as CSV \(Expected 2 fields in line 3, saw 3\)") as info:
        load_csv(b"a,b\n1,2\n3,4,5\n", "b")
    assert info.value.__cause__ is not None  # chained from pandas' error, not swallowed


def test_unclosed_quote_cannot_be_parsed() -> None:
    with pytest.raises(DataError, match=r"could not be parsed as CSV \(EOF inside string"):
        load_csv(b'a,b\n1,"two\n3,4\n', "b")


def test_non_utf8_text_cannot_be_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, "name,t\nJos\u00e9,a\nAnn,b\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"could not be parsed as CSV: it is not UTF-8"):
        load_csv(path, "t")


def test_binary_garbage_cannot_be_parsed(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(DataError, match=r"could not be parsed as CSV: it looks like a binary file"):
        load_csv(write(tmp_path, png, "image.png"), "t")
    with pytest.raises(DataError, match="could not be parsed as CSV"):
        load_csv(bytes(range(1, 256)) * 4, "t")  # no NUL bytes, but not UTF-8 either


def test_header_without_rows() -> None:
    with pytest.raises(DataError, match="has no rows"):
        load_csv(b"age,income,churn\n", "churn")


def test_unknown_target_lists_the_columns_found() -> None:
    msg = r"CSV has no column 'label'\. Columns found: age, income, churn\. Pick the target column in the sidebar\."
    with pytest.raises(DataError, match=msg):
        load_csv(b"age,income,churn\n1,2,x\n", "label")


def test_no_target_chosen_lists_the_columns_found() -> None:
    with pytest.raises(DataError, match=r"No target column chosen\. Columns found: age, churn"):
        load_csv(b"age,churn\n1,x\n", None)


def test_semicolon_file_gets_a_separator_hint() -> None:
    with pytest.raises(DataError, match=r"Columns found: a;b;t\..*save it comma-separated"):
        load_csv(b"a;b;t\n1;2;x\n", "t")


def test_entirely_empty_feature_column_is_left_out_and_named_when_kept() -> None:
    text = "a,notes,t\n1,,x\n2,,y\n3,,x\n"
    raw = load_csv(text.encode(), "t")  # once it made dropping rows remove every row
    assert raw.feature_names == ("a",) and len(raw.y) == 3
    assert "'notes' is empty (every value is missing): left out." in raw.notes
    with pytest.raises(DataError, match=r"Column 'notes' is empty.*Drop it from the CSV"):
        load_csv(text.encode(), "t", keep=["notes"])
    with pytest.raises(DataError, match=r"Column 'notes' is empty"):
        load_csv(text.encode(), "t", missing=MissingValues.IMPUTE, keep=["notes"])


def test_entirely_empty_target_column() -> None:
    with pytest.raises(DataError, match=r"target column 't' is empty.*Pick another target"):
        load_csv(b"a,t\n1,\n2,\n", "t")


def test_infinite_values_name_the_columns() -> None:
    text = "a,b,c,t\n1,inf,2,x\n2,3,-inf,y\n3,4,5,x\n"
    with pytest.raises(DataError, match=r"Infinite values .* in columns 'b', 'c'"):
        load_csv(text.encode(), "t")


def test_values_beyond_float32_are_refused() -> None:
    with pytest.raises(DataError, match=r"too large for 32-bit floats.*'big'"):
        load_csv(b"big,t\n1e300,x\n2,y\n", "t")


def test_single_class_target_names_the_class() -> None:
    with pytest.raises(DataError, match=r"only one class \('yes'\)"):
        load_csv(b"a,t\n1,yes\n2,yes\n", "t")


def test_single_class_after_dropping_rows() -> None:
    with pytest.raises(DataError, match=r"only one class \('yes'\) after handling missing values"):
        load_csv(b"a,t\n1,yes\n,no\n3,yes\n", "t")


def test_more_than_50_classes_looks_continuous() -> None:
    rows = "\n".join(f"{i * 3},{i * 1.5}" for i in range(51))  # x * 3: not a row counter (an identifier)
    with pytest.raises(DataError, match=r"has 51 distinct values.*looks continuous.*pick a categorical column"):
        load_csv(f"x,price\n{rows}\n".encode(), "price")
    rows50 = "\n".join(f"{i * 3},{i}" for i in range(50))
    assert load_csv(f"x,k\n{rows50}\n".encode(), "k").n_classes == 50


def test_file_over_max_bytes_reports_size_and_limit_in_mb(tmp_path: Path) -> None:
    data = b"a,t\n" + b"1,x\n2,y\n" * 200_000  # 1.6 MB
    with pytest.raises(DataError, match=r"is 1\.6 MB, over the 1 MB limit"):
        load_csv(write(tmp_path, data), "t", max_bytes=1_000_000)
    with pytest.raises(DataError, match=r"uploaded CSV is 1\.6 MB, over the 1 MB limit"):
        load_csv(data, "t", max_bytes=1_000_000)
    with pytest.raises(DataError, match=r"over the 1 MB limit"):
        csv_columns(data, max_bytes=1_000_000)


def test_only_the_target_column_leaves_no_features() -> None:
    with pytest.raises(DataError, match=r"only the target column 't'.*at least one feature"):
        load_csv(b"t\nx\ny\n", "t")


def test_missing_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(DataError, match=r"CSV file not found: '.*nope\.csv'"):
        load_csv(missing, "t")
    with pytest.raises(DataError, match="not found"):
        csv_columns(str(missing))


def test_directory_is_not_a_csv(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is a folder"):
        load_csv(tmp_path, "t")


# --- csv_columns -------------------------------------------------------------------------------------------


def test_csv_columns_reads_the_header_from_path_and_bytes(tmp_path: Path) -> None:
    assert csv_columns(write(tmp_path, HAPPY)) == ["age", "city", "income", "churn"]
    assert csv_columns(HAPPY.encode()) == ["age", "city", "income", "churn"]
    assert csv_columns(b"a,b\n") == ["a", "b"]  # a header alone is enough to pick a target


def test_csv_columns_raises_the_same_errors() -> None:
    with pytest.raises(DataError, match="is empty"):
        csv_columns(b"")
    with pytest.raises(DataError, match="could not be parsed as CSV"):
        csv_columns(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(DataError, match="could not be parsed as CSV"):
        csv_columns("caf\u00e9,t\n".encode("latin-1"))


def test_mostly_numeric_column_with_stray_text_gets_a_hint_in_the_category_error() -> None:
    rows = "\n".join(f"{i * 1.5},{i % 2}" for i in range(20))
    text = f"amount,t\n{rows}\nn/a?,0\n"
    hint = r"'amount' has 21 distinct values \(it is mostly numbers, but text such as 'n/a\?' makes it a text column"
    with pytest.raises(DataError, match=hint):
        load_csv(text.encode(), "t", max_categories=10)
