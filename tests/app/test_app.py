"""app.py through streamlit.testing.v1.AppTest: seed → filter → chart → table → CSV, and uploads."""
from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from synthetic import make_events, results_from_frame
from timeline.store import Store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PUTIN = "فلاديمير بوتين"
GOOD_ARTICLE = """قمة في موسكو
تاريخ النشر: 2024-03-05
التقى الرئيس الروسي فلاديمير بوتين نظيره التركي رجب طيب أردوغان في موسكو يوم 4 مارس 2024.
وأعلن الكرملين أمس أن الجانبين سيوقعان اتفاقية تعاون الشهر المقبل.
""".encode("utf-8")


@pytest.fixture
def media(monkeypatch):
    """The in-memory media storage AppTest creates per run, so download bytes can be read back."""
    made: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            made.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return made


def download_bytes(at: AppTest, media: list, key: str) -> bytes:
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    return media[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content


@pytest.fixture
def seeded_db(tmp_path, monkeypatch):
    """An empty store: the app ingests seeds/ itself on its first run, as on a fresh clone."""
    path = tmp_path / "fresh.duckdb"
    monkeypatch.setenv("TIMELINE_DB", str(path))
    return path


@pytest.fixture
def synthetic_db(tmp_path, monkeypatch):
    """400 synthetic events: every granularity, tense and anchor, undated ones, 20 articles."""
    path = tmp_path / "events.duckdb"
    with Store(path) as store:
        store.ingest(results_from_frame(make_events(400, seed=11)))
    monkeypatch.setenv("TIMELINE_DB", str(path))
    return path


def run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def table(at: AppTest):
    return at.dataframe[0].value


def test_fresh_store_shows_the_seed_timeline(seeded_db):
    at = run_app()
    assert at.title[0].value == "الخط الزمني للأحداث"
    assert len(at.get("plotly_chart")) == 1
    rows = table(at)
    assert len(rows) > 0 and rows["date_start"].notna().any()
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"CSV", "JSON lines", "Parquet"} <= labels


def test_actor_filter_narrows_table_and_csv_holds_only_those_rows(seeded_db, media):
    at = run_app()
    before = len(table(at))
    at.multiselect(key="f_actors.ar").select(PUTIN).run()
    assert not at.exception
    rows = table(at)
    assert 0 < len(rows) < before
    assert all(PUTIN in actors for actors in rows["actors"])
    assert len(at.get("plotly_chart")) == 1

    data = download_bytes(at, media, "dl_csv")
    assert data.startswith(codecs.BOM_UTF8)
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(records) == len(rows)
    assert {r["event_id"] for r in records} == set(rows["event_id"])
    assert all(PUTIN in r["actors"] for r in records)
    assert any("بوتين" in r["description"] for r in records)   # Arabic text intact


def test_text_search_ignores_hamza_and_ta_marbuta(seeded_db):
    at = run_app()
    total = len(table(at))
    at.text_input(key="f_text.ar").input("الاسلحه").run()       # typed without hamza, ta marbuta as ha
    found = table(at)
    assert 0 < len(found) < total
    assert all("الأسلحة" in d or "أسلحة" in d for d in found["description"])


def test_toggles_english_interface_and_article_lanes(synthetic_db):
    at = run_app()
    total = len(table(at))
    at.toggle(key="f_undated.ar").set_value(False).run()
    assert table(at)["date_start"].notna().all() and len(table(at)) < total
    at.radio(key="lanes.ar").set_value("article").run()
    at.radio(key="lang").set_value("en").run()
    # choices made in Arabic carry over to the English widgets
    assert at.radio(key="lanes.en").value == "article"
    assert at.toggle(key="f_undated.en").value is False
    at.radio(key="color.en").set_value("source").run()
    assert not at.exception
    assert at.title[0].value == "Event timeline"
    assert len(at.get("plotly_chart")) == 1
    at.radio(key="lang").set_value("ar").run()
    assert at.radio(key="color.ar").value == "source"


def test_upload_stores_good_files_and_names_the_bad_ones(synthetic_db):
    at = run_app()
    total = len(table(at))
    at.file_uploader[0].set_value([("قمة.txt", GOOD_ARTICLE, "text/plain"),
                                   ("broken.txt", b"\x00\x01\x02\xff" * 100, "text/plain"),
                                   ("bad.jsonl", b'{"title": 1', "application/json")])
    at.button(key="extract-0").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("أُضيفت 1 مقالة" in s.value for s in at.success)
    errors = " ".join(e.value for e in at.error)
    assert "broken.txt" in errors and "bad.jsonl:1" in errors
    assert len(table(at)) > total
    at.multiselect(key="f_actors.ar").select("رجب طيب أردوغان").run()
    assert any("4 مارس 2024" == d for d in table(at)["date_text"])


def test_upload_count_limit_is_enforced_with_a_message(synthetic_db):
    at = run_app()
    at.file_uploader[0].set_value([(f"a{i}.txt", GOOD_ARTICLE, "text/plain") for i in range(21)])
    at.button(key="extract-0").click().run()
    assert any("21" in e.value and "20" in e.value for e in at.error)


def test_empty_store_without_seeds_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("TIMELINE_DB", str(tmp_path / "empty.duckdb"))
    monkeypatch.setattr("timeline.paths.SEEDS_DIR", tmp_path)   # nothing to seed from
    at = run_app()
    assert any("المخزن فارغ" in i.value for i in at.info)
