"""Exports: CSV for Excel (BOM, formula-safe), JSON Lines with Arabic intact, Parquet round trip."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from timeline import model
from timeline.errors import TimelineError
from timeline.exports import (neutralize, to_csv_bytes, to_jsonl_bytes, to_parquet_bytes,
                              write_export)
from timeline.store import Store

from test_store import event, result


@pytest.fixture
def frame():
    return pd.DataFrame({
        "event_id": ["e1", "e2"],
        "description": ["التقى الرئيس الروسي فلاديمير بوتين نظيره التركي", "=HYPERLINK(\"http://x\")"],
        "date_start": [dt.date(2023, 9, 4), None],
        "actors": [["فلاديمير بوتين", "رجب طيب أردوغان"], []],
        "evidence_start": pd.array([12, None], dtype="Int64"),
        "confidence": [0.75, -1.5],
    })


def read_csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- CSV ------------------------------------------------------------------------------------------

def test_csv_starts_with_bom_and_keeps_arabic(frame):
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_csv_rows(data)
    assert rows[0] == ["event_id", "description", "date_start", "actors", "evidence_start",
                       "confidence"]
    assert rows[1] == ["e1", "التقى الرئيس الروسي فلاديمير بوتين نظيره التركي", "2023-09-04",
                       "فلاديمير بوتين | رجب طيب أردوغان", "12", "0.75"]
    # missing values are empty cells, integers stay integers, numbers are not "formulas"
    assert rows[2][2:] == ["", "", "", "-1.5"]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\tplain",
                                  "\rplain", "  =cmd|' /C calc'!A0", " \t-2"])
def test_csv_neutralizes_formula_cells(cell):
    data = to_csv_bytes(pd.DataFrame({"description": [cell], "actors": [[cell, "بوتين"]]}))
    description, actors = read_csv_rows(data)[1]
    assert description == "'" + cell
    assert actors == "'" + cell + " | بوتين"     # the joined list cell starts with it too


@pytest.mark.parametrize("cell", ["بوتين", "2023-09-12", "a=b", "e-mail", "", "'quoted"])
def test_csv_leaves_harmless_cells_alone(cell):
    assert read_csv_rows(to_csv_bytes(pd.DataFrame({"c": [cell]})))[1] == [cell]


@given(st.text())
def test_neutralized_cells_never_start_a_formula_and_keep_the_text(cell):
    out = neutralize(cell)
    assert out.lstrip()[:1] not in {"=", "+", "-", "@"} or out.startswith("'")
    assert out[:1] not in {"\t", "\r"}
    assert out == cell or out == "'" + cell


def test_csv_of_an_empty_frame_has_the_header_only():
    data = to_csv_bytes(pd.DataFrame(columns=model.EVENT_FIELDS))
    assert read_csv_rows(data) == [model.EVENT_FIELDS]


# --- JSONL ----------------------------------------------------------------------------------------

def test_jsonl_keeps_arabic_dates_lists_and_nulls(frame):
    data = to_jsonl_bytes(frame)
    assert "فلاديمير بوتين".encode() in data and b"\\u" not in data   # not ASCII-escaped
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first == {"event_id": "e1",
                     "description": "التقى الرئيس الروسي فلاديمير بوتين نظيره التركي",
                     "date_start": "2023-09-04",
                     "actors": ["فلاديمير بوتين", "رجب طيب أردوغان"],
                     "evidence_start": 12, "confidence": 0.75}
    assert second["date_start"] is None and second["evidence_start"] is None
    assert second["actors"] == [] and second["description"] == "=HYPERLINK(\"http://x\")"


def test_jsonl_timestamps_keep_their_time():
    frame = pd.DataFrame({"at": pd.to_datetime(["2023-09-12 14:30:00", "2023-09-12"], format="ISO8601")})
    rows = [json.loads(line) for line in to_jsonl_bytes(frame).decode().splitlines()]
    assert rows == [{"at": "2023-09-12T14:30:00"}, {"at": "2023-09-12"}]


# --- Parquet --------------------------------------------------------------------------------------

def test_parquet_reads_back_the_same_frame(frame):
    back = pd.read_parquet(io.BytesIO(to_parquet_bytes(frame)))
    assert list(back.columns) == list(frame.columns)
    assert back["description"].tolist() == frame["description"].tolist()
    assert [list(a) for a in back["actors"]] == frame["actors"].tolist()
    assert back["date_start"].tolist()[0] == dt.date(2023, 9, 4)
    assert pd.isna(back["date_start"].tolist()[1])
    assert back["evidence_start"].tolist()[0] == 12 and pd.isna(back["evidence_start"].tolist()[1])


# --- write_export ---------------------------------------------------------------------------------

def test_write_export_to_files_by_format_and_extension(frame, tmp_path):
    write_export(frame, tmp_path / "events.csv", "csv")
    assert (tmp_path / "events.csv").read_bytes() == to_csv_bytes(frame)
    write_export(frame, tmp_path / "events.jsonl")            # format from the extension
    assert (tmp_path / "events.jsonl").read_bytes() == to_jsonl_bytes(frame)
    write_export(frame, str(tmp_path / "events.parquet"), "parquet")
    assert len(pd.read_parquet(tmp_path / "events.parquet")) == 2
    # written via a temporary file and renamed: nothing else is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv", "events.jsonl",
                                                          "events.parquet"]


def test_write_export_to_streams(frame):
    binary = io.BytesIO()
    write_export(frame, binary, "parquet")
    assert len(pd.read_parquet(io.BytesIO(binary.getvalue()))) == 2
    # a text stream with a buffer (like sys.stdout) receives the exact bytes, BOM included
    raw = io.BytesIO()
    text = io.TextIOWrapper(raw, encoding="utf-8")
    write_export(frame, text, "csv")
    assert raw.getvalue() == to_csv_bytes(frame)
    plain_text = io.StringIO()
    write_export(frame, plain_text, "jsonl")
    assert plain_text.getvalue().encode() == to_jsonl_bytes(frame)
    with pytest.raises(TimelineError, match="binary stream"):
        write_export(frame, io.StringIO(), "parquet")


def test_write_export_rejects_unknown_formats(frame, tmp_path):
    with pytest.raises(TimelineError, match="unknown export format 'xlsx'"):
        write_export(frame, tmp_path / "events.xlsx")
    assert not (tmp_path / "events.xlsx").exists()


# --- from the store -------------------------------------------------------------------------------

def test_events_frame_from_the_store_exports_in_every_format(tmp_path):
    events = [event("a1", 0, "-التقى بوتين أردوغان", start=dt.date(2023, 9, 4),
                    end=dt.date(2023, 9, 10), actors=["فلاديمير بوتين", "رجب طيب أردوغان"],
                    kinds=["person", "person"]),
              event("a1", 1, "وأعلن الكرملين موقفه")]
    with Store(tmp_path / "t.duckdb") as s:
        s.ingest([result("a1", events=events)])
        frame = s.events_frame()

    rows = read_csv_rows(to_csv_bytes(frame))
    assert rows[0] == model.EVENT_FIELDS
    by_field = dict(zip(rows[0], rows[1]))
    assert by_field["description"] == "'-التقى بوتين أردوغان"
    assert by_field["actors"] == "فلاديمير بوتين | رجب طيب أردوغان"
    assert (by_field["date_start"], by_field["date_end"]) == ("2023-09-04", "2023-09-10")
    assert by_field["evidence_start"] == "0"

    first = json.loads(to_jsonl_bytes(frame).decode().splitlines()[0])
    assert list(first) == model.EVENT_FIELDS
    assert first["actors"] == ["فلاديمير بوتين", "رجب طيب أردوغان"]
    assert first["published"] == "2023-09-12" and first["confidence"] == 0.75

    back = pd.read_parquet(io.BytesIO(to_parquet_bytes(frame)))
    assert list(back.columns) == model.EVENT_FIELDS and len(back) == 2
    assert list(back["actors"][0]) == ["فلاديمير بوتين", "رجب طيب أردوغان"]
