"""CSV column detection (core.data.csv_columns): a generated messy table, the notes, undo, honest row drops,
the target guess."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from core.config import DataConfig, MissingValues, ModelConfig
from core.data.csv_columns import ColumnKind, days_since_epoch, decide_columns, guess_target
from core.data.csv_table import csv_frame, describe_columns, guess_csv_target, load_csv, look_at_csv
from core.errors import ConfigError, DataError

N_ROWS = 344  # the size of the public table the issue describes


def messy_table(n: int = N_ROWS, *, age_missing_every: int = 10) -> bytes:
    """Quoted commas, dates, NA strings, a 90 %-empty comments column, an ID, a constant, a count, a label."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["ticket_id", "signup_date", "age", "plan", "description", "comments", "country", "visits", "label"]
    )
    for i in range(n):
        churned = i % 3 == 0
        writer.writerow(
            [
                f"T-{i:05d}",
                "NA" if i % 20 == 7 else f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "NA" if i % age_missing_every == 3 else 20 + (i * 7) % 50,
                ("basic", "pro", "premium")[i % 3 if churned else (i // 3) % 3],
                f"Customer {i} called about billing, then asked for a refund of {i % 90} euros",
                f"follow up, ticket {i}" if i % 10 == 0 else "",
                "US",
                i % 8,
                "churned" if churned else "stayed",
            ]
        )
    return out.getvalue().encode()


def by_column(decisions):
    return {d.column: d for d in decisions}


def test_each_column_of_the_messy_table_is_classified_with_a_plain_note():
    raw = load_csv(messy_table(), "label")
    d = by_column(raw.columns)

    assert set(d) == {"ticket_id", "signup_date", "age", "plan", "description", "comments", "country", "visits"}
    kinds = {name: decision.kind for name, decision in d.items()}
    assert kinds == {
        "ticket_id": ColumnKind.IDENTIFIER,
        "signup_date": ColumnKind.DATE,
        "age": ColumnKind.NUMERIC,
        "plan": ColumnKind.CATEGORICAL,
        "description": ColumnKind.FREE_TEXT,
        "comments": ColumnKind.MOSTLY_EMPTY,
        "country": ColumnKind.CONSTANT,
        "visits": ColumnKind.NUMERIC,
    }
    assert d["ticket_id"].note == "'ticket_id' looks like an identifier (unique per row): left out."
    assert d["comments"].note == f"'comments' is mostly empty ({N_ROWS - 35} of {N_ROWS} values missing): left out."
    assert d["country"].note == "'country' has one value ('US') in every row: left out."
    assert d["signup_date"].note == "'signup_date' holds dates: converted to days since 1970-01-01."
    assert d["description"].note.startswith("'description' looks like free text (long, mostly unique strings")
    assert d["description"].note.endswith(": left out.")
    assert d["age"].note == d["plan"].note == "" and d["age"].used and d["plan"].used
    assert not any(d[c].used for c in ("ticket_id", "comments", "country", "description"))
    # what the model sees: age, the date as a number, plan one-hot, visits
    assert raw.feature_names == ("signup_date", "age", "plan=basic", "plan=premium", "plan=pro", "visits")
    for note in (d[c].note for c in ("ticket_id", "comments", "country", "signup_date", "description")):
        assert note in raw.notes


def test_the_comments_column_no_longer_kills_rows():
    raw = load_csv(messy_table(), "label")
    assert len(raw.y) >= 0.8 * N_ROWS  # age (10 %) and dates (5 %) missing: 85 % of rows kept
    assert len(raw.y) == N_ROWS - len([i for i in range(N_ROWS) if i % 10 == 3 or i % 20 == 7])
    assert raw.warnings == ()  # under 20 % dropped: a note, no warning
    assert any(n.startswith(f"Dropped {N_ROWS - len(raw.y)} of {N_ROWS} rows") for n in raw.notes)


def test_dates_become_days_since_the_epoch():
    raw = load_csv(messy_table(), "label")
    frame = pd.read_csv(io.BytesIO(messy_table()))
    first = frame["signup_date"].iloc[0]  # 2024-01-01
    assert first == "2024-01-01"
    assert raw.X[0, 0] == pytest.approx((pd.Timestamp("2024-01-01") - pd.Timestamp("1970-01-01")).days)
    days = days_since_epoch(pd.Series(["1970-01-02", "1970-01-01 12:00", "not a date"]))
    np.testing.assert_allclose(days.to_numpy()[:2], [1.0, 0.5])
    assert np.isnan(days.iloc[2])


def test_keep_undoes_a_detection_and_drop_leaves_a_usable_column_out():
    kept = load_csv(messy_table(), "label", keep=["country", "ticket_id"], max_categories=1000)
    d = by_column(kept.columns)
    assert d["country"].used and d["country"].by_person and d["country"].kind is ColumnKind.CONSTANT
    assert d["country"].note == "'country' has one value ('US') in every row, but you kept it: used as a feature."
    assert "country=US" in kept.feature_names
    assert sum(name.startswith("ticket_id=") for name in kept.feature_names) == len(kept.y)

    as_text = load_csv(messy_table(), "label", keep=["signup_date"], max_categories=1000)
    assert "signup_date" not in as_text.feature_names  # kept as it is: text, one-hot encoded
    assert any(name.startswith("signup_date=2024-") for name in as_text.feature_names)

    dropped = load_csv(messy_table(), "label", drop=["visits", "plan"])
    d = by_column(dropped.columns)
    assert not d["visits"].used and d["visits"].by_person and d["visits"].note == "'visits': dropped by you."
    assert dropped.feature_names == ("signup_date", "age")


def test_unknown_kept_or_dropped_columns_and_a_dropped_target_are_named():
    with pytest.raises(DataError, match=r"Cannot drop 'nope': the CSV has no such column\. Columns found: ticket_id"):
        load_csv(messy_table(), "label", drop=["nope"])
    with pytest.raises(DataError, match=r"Cannot keep 'missing'"):
        load_csv(messy_table(), "label", keep=["missing"])
    with pytest.raises(DataError, match=r"Cannot drop 'label': it is the target"):
        load_csv(messy_table(), "label", drop=["label"])
    with pytest.raises(ConfigError, match=r"'age' are both kept and dropped"):
        DataConfig(dataset="csv", keep_columns=("age",), drop_columns=("age",)).validate()


def test_dropping_over_a_fifth_of_the_rows_warns_with_the_count_and_the_columns():
    raw = load_csv(messy_table(age_missing_every=4), "label")  # age missing in 25 % of rows
    n_dropped = N_ROWS - len(raw.y)
    assert n_dropped > 0.2 * N_ROWS
    assert len(raw.warnings) == 1
    warning = raw.warnings[0]
    assert f"discarded {n_dropped} of {N_ROWS} rows" in warning
    assert "'age' (86 rows)" in warning and "'signup_date' (17 rows)" in warning
    assert "Impute missing values instead" in warning and "drop column 'age'" in warning
    assert load_csv(messy_table(age_missing_every=4), "label", missing=MissingValues.IMPUTE).warnings == ()


def test_dropping_rows_that_leaves_too_few_is_refused_with_advice():
    rows = ["a,b,c,t"] + [
        f"{'' if i % 20 < 9 else i * 1.5},{'' if 9 <= i % 20 < 18 else i % 7},{i % 5},{'yes' if i % 2 else 'no'}"
        for i in range(100)
    ]  # a and b each 45 % empty, never together: only 10 % of rows complete
    text = ("\n".join(rows) + "\n").encode()
    with pytest.raises(DataError, match=r"would leave 10 of 100 rows \(fewer than 30\).*Impute missing values"):
        load_csv(text, "t")
    assert len(load_csv(text, "t", missing="impute").y) == 100

    # a class that would be wiped out: every 'yes' row misses a value of b
    rows = ["a,b,t"] + [f"{i * 1.5},{'' if i % 10 == 0 else i % 3},{'yes' if i % 10 == 0 else 'no'}" for i in range(60)]
    with pytest.raises(DataError, match=r"class 'yes' would keep fewer than 2 rows.*drop column 'b'"):
        load_csv(("\n".join(rows) + "\n").encode(), "t")


def test_the_target_guess_prefers_a_label_named_low_cardinality_column():
    assert guess_csv_target(messy_table()) == "label"  # not 'visits', a count with 8 values, nor the last column
    frame = pd.DataFrame(
        {
            "id": range(40),
            "is_active": [i % 2 for i in range(40)],
            "churned": ["y" if i % 3 else "n" for i in range(40)],
            "visits": [i % 8 for i in range(40)],
        }
    )
    assert guess_target(frame) == "churned"  # a strong label name beats is_*
    assert guess_target(frame.drop(columns=["churned"])) == "is_active"
    unnamed = pd.DataFrame(
        {
            "kind": ["a", "b", "c", "d"] * 10,
            "amount": [i * 1.5 for i in range(40)],
            "visits": [i % 8 for i in range(40)],
        }
    )
    assert guess_target(unnamed) == "kind"  # the count column is last but a text column is a better label
    assert guess_target(pd.DataFrame({"x": [1.5, 2.5, 3.5], "y2": [0.1, 0.2, 0.3]})) == "y2"  # nothing fits: last


def test_describe_columns_matches_what_loading_decides():
    decisions = describe_columns(messy_table(), "label", keep=["country"])
    assert decisions == load_csv(messy_table(), "label", keep=["country"]).columns
    looks = look_at_csv(messy_table(), "label")  # read once; keeps and drops applied without reading again
    assert decide_columns(looks, "label", keep=["country"]) == decisions
    with pytest.raises(DataError, match="Cannot keep 'nope'"):
        decide_columns(looks, "label", keep=["nope"])
    assert list(csv_frame(messy_table()).columns)[-1] == "label"


def test_camel_case_ids_and_row_counters_are_identifiers_but_paid_and_amounts_are_not():
    n = 40
    frame = pd.DataFrame(
        {
            "customerId": [f"c{i}" for i in range(n)],
            "row": list(range(1, n + 1)),
            "paid": [i % 2 for i in range(n)],
            "amount": [i * 2.5 for i in range(n)],
            "store_id": [i % 4 for i in range(n)],  # named like an ID but a category with 4 values
            "t": [i % 2 for i in range(n)],
        }
    )
    from core.data.csv_columns import detect_columns

    kinds = {d.column: d.kind for d in detect_columns(frame, "t")}
    assert kinds == {
        "customerId": ColumnKind.IDENTIFIER,
        "row": ColumnKind.IDENTIFIER,
        "paid": ColumnKind.NUMERIC,
        "amount": ColumnKind.NUMERIC,
        "store_id": ColumnKind.NUMERIC,
    }


def test_kept_and_dropped_columns_travel_in_a_link_and_through_json():
    from core.records.links import read_link, to_query

    cfg = DataConfig(
        dataset="csv", csv_path="/x/messy.csv", target="label", keep_columns=("a, b",), drop_columns=("visits",)
    )
    query = to_query(cfg, ModelConfig())
    assert query["d.keep_columns"] == '["a, b"]' and query["d.drop_columns"] == '["visits"]'  # commas and all
    link = read_link(query)
    assert link.warnings == () and (link.data.keep_columns, link.data.drop_columns) == (("a, b",), ("visits",))
    assert DataConfig.from_dict(cfg.to_dict()) == cfg
    assert DataConfig.from_dict({"minority_share": 0.1}).minority_share == 0.1
