"""Limits: one over-long article in a batch run is recorded and skipped (before extraction, without
exhausting memory) and the run goes on; the app refuses too many, too large and too much upload with
a message and still ingests the files within its limits.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from timeline import pipeline
from timeline.store import Store

from conftest import REPO, article_rows, cli_command, cli_env, write_jsonl

APP = str(REPO / "app.py")
GOOD = ("قمة في موسكو\nتاريخ النشر: 2024-03-05\n"
        "التقى الرئيس الروسي فلاديمير بوتين نظيره التركي رجب طيب أردوغان في موسكو يوم 4 مارس 2024.\n")


def test_over_long_article_is_recorded_and_skipped_before_extraction(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_ARTICLE_CHARS", 5_000)
    extracted: list[int] = []
    real = pipeline.extract_events
    monkeypatch.setattr(pipeline, "extract_events",
                        lambda doc, **kw: extracted.append(len(doc.text)) or real(doc, **kw))
    rows = article_rows(6, seed=2)
    rows.insert(3, {"id": "long", "text": "قال الرئيس يوم الاثنين " * 2_000, "published": "2023-09-12"})
    source = write_jsonl(tmp_path / "batch.jsonl", rows)
    errors: list[dict] = []
    with Store(tmp_path / "s.duckdb") as store:
        summary = pipeline.extract_archive([source], store, workers=1, partition_size=3, on_error=errors.append,
                                           resume=False)
        ids = set(store.documents_frame()["external_id"])
    assert [e for e in errors if e["kind"] == "too_long"] == [{
        "where": f"{source}:4", "id": "long", "kind": "too_long",
        "message": "article too long (46,000 characters; the limit is 5,000)"}]
    assert ids == {r["id"] for r in rows} - {"long"}
    assert summary.error_count == 1 and summary.stored_documents == 6
    assert max(extracted) <= 5_000, "the long article never reached extraction"


def test_pasted_text_over_the_limit_is_an_input_error(monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_ARTICLE_CHARS", 1_000)
    with pytest.raises(pipeline.InputError, match="article too long"):
        pipeline.extract_text("قال الرئيس يوم الاثنين " * 100, "2023-09-12")


@pytest.mark.slow
def test_batch_memory_stays_bounded_with_an_over_long_row(tmp_path):
    # a 30 MB row (15 M characters, 7x the real limit) between good rows, through the real CLI: the
    # row is reported and skipped, and the process needs little more memory than without it
    def peak_rss(source: Path, db: Path) -> tuple[int, str, int]:
        proc = subprocess.Popen(cli_command("extract", str(source), "--db", str(db), "--no-output", "--quiet",
                                            "--workers", "1"),
                                cwd=REPO, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = proc.stderr.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        return usage.ru_maxrss * 1024, err, proc.returncode

    rows = article_rows(20, seed=8)
    base_rss, _, rc = peak_rss(write_jsonl(tmp_path / "plain.jsonl", rows), tmp_path / "a.duckdb")
    assert rc == 0
    big_text = "أعلن الرئيس فلاديمير بوتين يوم الاثنين في موسكو اتفاقا جديدا " * 250_000
    rows.insert(10, {"id": "huge", "text": big_text, "published": "2023-09-12"})
    source = write_jsonl(tmp_path / "with_huge.jsonl", rows)
    rss, err, rc = peak_rss(source, tmp_path / "b.duckdb")
    assert rc != 0
    assert f"timeline: {source}:11: article too long" in err, err
    with Store(tmp_path / "b.duckdb", read_only=True) as store:
        assert len(store.documents_frame()) == 20
    size = len(big_text.encode("utf-8"))
    print(f"peak RSS {base_rss / 2**20:.0f} MB without the row, {rss / 2**20:.0f} MB with a {size / 2**20:.0f} MB row")
    # reading the row costs a few copies of it; extracting it would cost gigabytes
    assert rss - base_rss < 12 * size, (base_rss, rss)


# --- the app's upload limits (streamlit AppTest) ------------------------------------------------------

@pytest.fixture
def app(tmp_path, monkeypatch):
    AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
    monkeypatch.setenv("TIMELINE_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setattr("timeline.paths.SEEDS_DIR", tmp_path)      # start empty: no seeding
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def app_limits() -> tuple[int, int, int]:
    source = Path(APP).read_text(encoding="utf-8")
    values = {}
    for name in ("MAX_FILES", "MAX_FILE_MB", "MAX_TOTAL_MB"):
        line = next(l for l in source.splitlines() if l.startswith(f"{name} ="))
        values[name] = int(line.split("=")[1].split("#")[0])
    return values["MAX_FILES"], values["MAX_FILE_MB"], values["MAX_TOTAL_MB"]


def added(at) -> int | None:
    """Articles the app reports as added (its success message), None when it added nothing."""
    import re

    from timeline.i18n import t

    for lang in ("ar", "en"):
        pattern = re.escape(t("ingest_done", lang, documents="\x00", events="\x01"))
        pattern = pattern.replace("\x00", r"(\d+)").replace("\x01", r"\d+")
        for message in at.success:
            found = re.search(pattern, message.value)
            if found:
                return int(found.group(1))
    return None


def test_app_refuses_an_oversized_file_by_name_and_ingests_the_others(app):
    _, max_mb, _ = app_limits()
    big = b"a" * (max_mb * 1_048_576 + 1)
    app.file_uploader[0].set_value([("كبير.txt", big, "text/plain"), ("قمة.txt", GOOD.encode(), "text/plain")])
    app.button(key="extract-0").click().run()
    assert not app.exception, [e.message for e in app.exception]
    errors = " ".join(e.value for e in app.error)
    assert "كبير.txt" in errors and str(max_mb) in errors, errors
    assert added(app) == 1


def test_app_refuses_too_much_in_total_with_a_message(app):
    max_files, max_mb, max_total = app_limits()
    each = max_mb * 1_048_576 - 1
    count = max_total // max_mb + 1
    assert count <= max_files
    app.file_uploader[0].set_value([(f"f{i}.txt", b"b" * each, "text/plain") for i in range(count)])
    app.button(key="extract-0").click().run()
    assert not app.exception, [e.message for e in app.exception]
    assert any(str(max_total) in e.value for e in app.error), [e.value for e in app.error]
    assert added(app) is None


def test_app_refuses_too_many_files_with_a_message(app):
    max_files, _, _ = app_limits()
    app.file_uploader[0].set_value([(f"a{i}.txt", GOOD.encode(), "text/plain") for i in range(max_files + 1)])
    app.button(key="extract-0").click().run()
    assert any(str(max_files + 1) in e.value and str(max_files) in e.value for e in app.error)
    assert added(app) is None


def test_app_pasted_text_over_the_article_limit_is_reported(app, monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_ARTICLE_CHARS", 2_000)
    app.text_area(key="paste-0").set_value("قال الرئيس يوم الاثنين " * 200)
    app.button(key="extract-0").click().run()
    assert not app.exception, [e.message for e in app.exception]
    shown = " ".join(e.value for e in app.error) + " ".join(w.value for w in app.warning)
    assert "article too long" in shown or "طويل" in shown, shown


def test_streamlit_server_limit_matches_the_app():
    _, max_mb, _ = app_limits()
    config = (REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert f"maxUploadSize = {max_mb}" in config
