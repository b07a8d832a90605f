"""app.py through streamlit.testing.v1.AppTest: filter → chart → table → CSV, against a temporary store."""
from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
import streamlit.testing.v1.app_test as app_test_module

from synthetic import make_events, results_from_frame
from timeline.store import Store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PUTIN = "فلاديمير بوتين"


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
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key) or key in b.proto.id)
    name = button.proto.url.rsplit("/", 1)[-1]
    return media[-1].get_file(name).content


@pytest.fixture
def store_path(tmp_path, monkeypatch):
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


def test_app_shows_chart_and_table(store_path):
    at = run_app()
    assert at.title[0].value == "الخط الزمني للأحداث"
    assert len(at.get("plotly_chart")) == 1
    assert len(table(at)) > 0
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"CSV", "JSON lines", "Parquet"} <= labels


def test_actor_filter_narrows_table_and_csv_holds_only_those_rows(store_path, media):
    at = run_app()
    before = len(table(at))
    at.multiselect(key="f_actors").select(PUTIN).run()
    assert not at.exception
    rows = table(at)
    assert 0 < len(rows) < before
    assert all(PUTIN in actors for actors in rows["actors"])

    data = download_bytes(at, media, "dl_csv")
    assert data.startswith(codecs.BOM_UTF8)
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(records) == len(rows)
    assert all(PUTIN in r["actors"] for r in records)
    assert {r["event_id"] for r in records} == set(rows["event_id"])
    assert any("بوتين" in r["description"] for r in records)   # Arabic text intact


def test_text_search_and_toggles(store_path):
    at = run_app()
    total = len(table(at))
    at.text_input(key="f_text").input("اتفاقيه").run()     # ta marbuta typed as ha
    found = table(at)
    assert 0 < len(found) < total and all("اتفاقية" in d for d in found["description"])
    at.text_input(key="f_text").input("").run()
    at.toggle(key="f_undated").set_value(False).run()
    assert not at.exception
    assert table(at)["date_start"].notna().all()


def test_english_interface_and_article_lanes(store_path):
    at = run_app()
    at.radio(key="lang").set_value("en").run()
    at.radio(key="lanes").set_value("article").run()
    assert not at.exception
    assert at.title[0].value == "Event timeline"
    assert len(at.get("plotly_chart")) == 1


def test_empty_store_without_seeds_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("TIMELINE_DB", str(tmp_path / "empty.duckdb"))
    monkeypatch.setattr("timeline.paths.SEEDS_DIR", tmp_path)   # nothing to seed from
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert any("المخزن فارغ" in i.value for i in at.info)
