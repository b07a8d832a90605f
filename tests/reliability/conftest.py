"""Shared helpers for the reliability suite: generated Arabic articles and running the real CLI."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"

_PEOPLE = ["الرئيس فلاديمير بوتين", "الرئيس الأمريكي جو بايدن", "وزير الخارجية سيرغي لافروف",
           "الأمين العام أنطونيو غوتيريش", "الرئيس الفرنسي إيمانويل ماكرون"]
_PLACES = ["موسكو", "القاهرة", "بيروت", "دمشق", "الرياض", "باريس", "كييف"]
_DATES = ["يوم الاثنين", "أمس", "في 12 أيلول 2023", "في الخامس من مارس 2022", "الأسبوع الماضي",
          "منذ عام 2019", "في 3 رمضان 1444 هـ", "صباح اليوم", "الشهر المقبل", "في عام 2015"]
_VERBS = ["أعلن", "قال", "أكد", "زار", "التقى", "وقع", "نفى", "دعا"]
_OBJECTS = ["اتفاقا للتعاون الاقتصادي", "بيانا مشتركا حول الأزمة", "وفدا رسميا رفيع المستوى",
            "خطة لإعادة الإعمار", "مفاوضات جديدة بشأن الحدود"]


def arabic_article(rnd: random.Random, sentences: int = 6) -> str:
    """A short, plausible Arabic news text with dates, people and places."""
    out = []
    for _ in range(sentences):
        out.append(f"{rnd.choice(_VERBS)} {rnd.choice(_PEOPLE)} {rnd.choice(_DATES)} في "
                   f"{rnd.choice(_PLACES)} {rnd.choice(_OBJECTS)}.")
    return " ".join(out)


def article_rows(n: int, seed: int = 1) -> list[dict]:
    """`n` distinct JSON-lines rows {id, title, text, published}."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        text = arabic_article(rnd, rnd.randint(3, 8)) + f" (رقم المقال {i})"
        rows.append({"id": f"a{i:04d}", "title": f"عنوان الخبر {i}", "text": text,
                     "published": f"2023-{1 + i % 12:02d}-{1 + i % 27:02d}"})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def cli_env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "PYTHONIOENCODING": "utf-8"}


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "timeline.cli", *args]


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cli_command(*args), capture_output=True, cwd=REPO, env=cli_env(), timeout=timeout)


def main_cli(*args: str) -> subprocess.CompletedProcess:
    """`timeline ARGS` in this process: exit code and stderr as a subprocess would give them."""
    import contextlib
    import io

    from timeline import cli

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return subprocess.CompletedProcess(args, code, b"", err.getvalue().encode("utf-8"))


def store_counts(db: Path) -> dict:
    """Per-document event counts and orphans, read straight from the DuckDB file."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        per_doc = dict(con.execute(
            "SELECT d.id, count(e.event_id) FROM documents d "
            "LEFT JOIN events e ON e.document_id = d.id GROUP BY ALL").fetchall())
        orphans = con.execute(
            "SELECT count(*) FROM events WHERE document_id NOT IN (SELECT id FROM documents)").fetchall()[0][0]
        orphan_times = con.execute(
            "SELECT count(*) FROM time_expressions WHERE document_id NOT IN (SELECT id FROM documents)"
        ).fetchall()[0][0]
        orphan_links = con.execute(
            "SELECT count(*) FROM event_actors WHERE event_id NOT IN (SELECT event_id FROM events)").fetchall()[0][0]
        dup_docs = con.execute("SELECT count(*) - count(DISTINCT id) FROM documents").fetchall()[0][0]
        dup_events = con.execute("SELECT count(*) - count(DISTINCT event_id) FROM events").fetchall()[0][0]
    finally:
        con.close()
    return {"per_doc": per_doc, "orphans": orphans + orphan_times + orphan_links,
            "duplicates": dup_docs + dup_events}


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"{SHARED_CORPUS} is absent (the shared real-news corpus is not in this checkout)")
    return SHARED_CORPUS
