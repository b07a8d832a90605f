"""The `timeline` command end to end, run as users run it (a subprocess), on a temporary store."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.model import EVENT_FIELDS

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_9a5296bb7c38ec9b.txt"
PUTIN = "فلاديمير بوتين"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "timeline.cli", *args], input=stdin.encode() if stdin else None,
                          capture_output=True, cwd=REPO, timeout=300)


def jsonl(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The seed extracted into a fresh store: (db path, process)."""
    db = tmp_path_factory.mktemp("cli") / "t.duckdb"
    done = run("extract", str(SEED), "--db", str(db), "--format", "jsonl")
    return db, done


def test_extract_seed_jsonl_fields(seeded):
    _, done = seeded
    assert done.returncode == 0, done.stderr.decode()
    rows = jsonl(done.stdout)
    assert rows and all(list(row) == EVENT_FIELDS for row in rows)
    main = [r for r in rows if r["published"] == "2023-09-12"]
    assert {r["source"] for r in main} == {"العربية"}
    values = {r["date_text"]: r["date_value"] for r in rows if r["date_text"]}
    assert values["الاثنين"] == "2023-09-11" and values["الأسبوع الماضي"] == "2023-W36"
    assert values["عام 2019"] == "2019"


def test_events_filtered_by_actor_name_only_putin(seeded):
    db, _ = seeded
    done = run("events", "--db", str(db), "--actor", "بوتين")
    assert done.returncode == 0, done.stderr.decode()
    rows = jsonl(done.stdout)
    assert len(rows) >= 3
    assert all(PUTIN in row["actors"] for row in rows)
    all_rows = jsonl(run("events", "--db", str(db)).stdout)
    assert len(all_rows) > len(rows), "the filter narrows"
    assert {r["event_id"] for r in all_rows if PUTIN in r["actors"]} == {r["event_id"] for r in rows}


def test_actors_with_counts(seeded):
    db, _ = seeded
    done = run("actors", "--db", str(db))
    assert done.returncode == 0
    lines = done.stdout.decode("utf-8").splitlines()
    putin = [line for line in lines if line.endswith(PUTIN)]
    assert len(putin) == 1 and "person" in putin[0] and int(putin[0].split()[0]) >= 3
    assert any(line.endswith("كيم جونغ أون") for line in lines)
    assert not any(line.endswith("كيم يونغ أون") for line in lines), "one actor under both spellings"


def test_csv_has_bom_and_neutralized_formulas(tmp_path):
    article = tmp_path / "formula.txt"
    article.write_text("عنوان الخبر\n=قال الوزير إن الحكومة قررت رفع الأسعار أمس.\n", encoding="utf-8")
    done = run("extract", str(article), "--published", "2021-03-10", "--no-store", "--format", "csv")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8-sig"))))
    assert list(rows[0]) == EVENT_FIELDS
    descriptions = [r["description"] for r in rows]
    assert descriptions and not any(d[:1] in "=+-@" for d in descriptions)
    assert any("قال الوزير" in d for d in descriptions)


def test_missing_date_empty_and_binary_files_reported_others_processed(tmp_path):
    nodate = tmp_path / "nodate.txt"
    nodate.write_text("خبر بلا تاريخ\nالتقى الوزير نظيره أمس في العاصمة.\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    done = run("extract", str(nodate), str(empty), str(binary), str(SEED),
               "--db", str(tmp_path / "t.duckdb"))
    assert done.returncode == 1, "the exit code says something failed"
    errors = [line for line in done.stderr.decode("utf-8").splitlines() if line.startswith("timeline: /")]
    by_file = {name: [line for line in errors if name in line] for name in ("nodate.txt", "empty.txt", "binary.txt")}
    assert all(len(lines) == 1 for lines in by_file.values()), errors
    assert "publication date" in by_file["nodate.txt"][0]
    assert "empty" in by_file["empty.txt"][0]
    assert "binary" in by_file["binary.txt"][0]
    rows = jsonl(done.stdout)
    assert any(r["published"] == "2023-09-12" for r in rows), "the seed is still processed"
    undated = [r for r in rows if "التقى الوزير" in r["description"]]
    assert undated and undated[0]["date_value"] is None, "its relative date stays unresolved"


def test_mentions_protocol_two_lines():
    lines = [{"id": "a", "text": "قال الرئيس فلاديمير بوتين إن روسيا مستعدة"},
             {"id": "b", "text": "التقى كيم يونغ أون في بيونغ يانغ"}]
    done = run("mentions", stdin="".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    assert done.returncode == 0, done.stderr.decode()
    out = jsonl(done.stdout)
    assert [o["id"] for o in out] == ["a", "b"]
    for row, given in zip(out, lines):
        for actor in row["actors"]:
            assert set(actor) == {"text", "start", "end", "kind", "canonical"}
            assert given["text"][actor["start"]:actor["end"]] == actor["text"]
    assert PUTIN in {a["canonical"] for a in out[0]["actors"]}
    assert "كيم جونغ أون" in {a["canonical"] for a in out[1]["actors"]}
