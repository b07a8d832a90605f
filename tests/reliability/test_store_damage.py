"""A damaged or wrong store file: every command says so in one line naming the file and exits
non-zero; nothing is overwritten; no traceback.

Damage is made by flipping bytes all over a real, checkpointed store (blocks of every table), by
truncating it, and by pointing --db at a file that is no store at all.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from timeline.errors import TimelineError
from timeline.store import Store

from conftest import REPO, article_rows, main_cli, write_jsonl

sys.path.insert(0, str(REPO / "tests" / "app"))


@pytest.fixture(scope="module")
def good_store(tmp_path_factory) -> Path:
    from synthetic import make_events, results_from_frame

    db = tmp_path_factory.mktemp("damage") / "good.duckdb"
    with Store(db) as store:
        store.ingest(results_from_frame(make_events(3000, seed=5)))
    con = duckdb.connect(str(db))
    con.execute("CHECKPOINT")          # everything in the main file, nothing in the WAL
    con.close()
    return db


def commands(db: Path, source: Path) -> list[list[str]]:
    return [["events", "--db", str(db), "--limit", "5"], ["actors", "--db", str(db)],
            ["events", "--db", str(db), "--actor", "بوتين", "--format", "csv"],
            ["extract", str(source), "--db", str(db), "--no-output", "--quiet", "--workers", "1", "--restart"]]


def assert_clear(done, db: Path):
    err = done.stderr.decode()
    assert "Traceback" not in err, err
    if done.returncode != 0:
        assert err.startswith(f"timeline: {db}"), err


def test_flipped_bytes_anywhere_give_a_clear_error(good_store, tmp_path, capsys):
    source = write_jsonl(tmp_path / "a.jsonl", article_rows(3, seed=1))
    size = good_store.stat().st_size
    offsets = sorted({4096 * k for k in range(1, size // 4096)})[:: max(1, size // 4096 // 24)]
    failures = 0
    for offset in offsets:
        db = tmp_path / f"flip-{offset}.duckdb"
        shutil.copy(good_store, db)
        with open(db, "r+b") as fh:
            fh.seek(offset)
            fh.write(b"\xff" * 64)
        for args in commands(db, source):
            done = main_cli(*args)
            assert_clear(done, db)
            failures += done.returncode != 0
        capsys.readouterr()
    assert failures, "the damage was noticed somewhere"


def test_truncated_store_and_non_store_files(good_store, tmp_path, capsys):
    source = write_jsonl(tmp_path / "a.jsonl", article_rows(3, seed=1))
    cut = tmp_path / "cut.duckdb"
    cut.write_bytes(good_store.read_bytes()[: good_store.stat().st_size // 3])
    notes = tmp_path / "notes.txt"
    notes.write_text("ملاحظات مهمة", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    for db in (cut, notes, folder):
        for args in commands(db, source):
            done = main_cli(*args)
            assert done.returncode != 0, (db, args)
            assert_clear(done, db)
    assert notes.read_text(encoding="utf-8") == "ملاحظات مهمة", "a wrong --db is never overwritten"
    capsys.readouterr()


def test_store_api_raises_timeline_error_on_damage(good_store, tmp_path):
    db = tmp_path / "bad.duckdb"
    data = bytearray(good_store.read_bytes())
    for offset in range(8192, len(data), 4096):
        data[offset:offset + 32] = b"\x00" * 32
    db.write_bytes(bytes(data))
    with pytest.raises(TimelineError, match="damaged|cannot open"):
        with Store(db, read_only=True) as store:
            store.events_frame()
            store.actors_frame()
            store.documents_frame(include_text=True)
