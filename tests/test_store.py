"""The DuckDB store: round trip, idempotence, per-batch atomicity, locking, filters, Parquet parts."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from timeline import model
from timeline.errors import StoreInUseError, TimelineError
from timeline.store import IngestReport, Store, write_parquet_dataset

REPO = Path(__file__).resolve().parent.parent
D = dt.date


def event(doc_id: str, n: int, description: str, *, start=None, end=None, actors=(), kinds=(),
          source="الجزيرة", sentence=None, **extra) -> dict:
    """An event dict with every EVENT_FIELDS key, as timeline.events produces it."""
    e = {f: None for f in model.EVENT_FIELDS}
    e.update(
        event_id=f"{doc_id}-e{n}", document_id=doc_id, title="عنوان", source=source,
        published=D(2023, 9, 12), date_text="الأسبوع الماضي" if start else None,
        date_value="2023-W36" if start else None, date_type="DATE" if start else None,
        date_start=start, date_end=end if end is not None else start,
        granularity="week" if start else None, date_anchor="published" if start else None,
        calendar="gregorian", tense="past", description=description,
        sentence=sentence or description + ".", evidence_start=10 * n, evidence_end=10 * n + 8,
        date_start_offset=41 if start else None, date_end_offset=55 if start else None,
        actors=list(actors), actor_kinds=list(kinds), location="موسكو", confidence=0.75,
    )
    e.update(extra)
    return e


def result(doc_id: str, events: list[dict] | None = None, actors=None, title="بوتين يلتقي أردوغان",
           published=D(2023, 9, 12), source="الجزيرة") -> model.ExtractResult:
    text = "التقى الرئيس الروسي فلاديمير بوتين نظيره التركي رجب طيب أردوغان الأسبوع الماضي في سوتشي."
    doc = model.Document(
        id=doc_id, text=text, title=title, published=published, published_raw="12/09/2023",
        published_from="header", source=source, url=f"https://example.com/{doc_id}",
        path=f"articles.jsonl:{doc_id}", tags=["سياسة", "روسيا"], parent_id=None,
        boilerplate=[(0, 5), (80, 85)], external_id=f"ext-{doc_id}")
    tes = [
        model.TimeExpression(text="الأسبوع الماضي", start=62, end=76, type="DATE", value="2023-W36",
                             interval=(D(2023, 9, 4), D(2023, 9, 10)), granularity="week",
                             anchor="published"),
        model.TimeExpression(text="29 رمضان 1445", start=90, end=103, type="DATE", value="2024-04-08",
                             interval=(D(2024, 4, 8), D(2024, 4, 8)), granularity="day",
                             calendar="hijri", hijri="1445-09-29", anchor="absolute"),
        model.TimeExpression(text="أمس", start=110, end=113, type="DATE", value=None,
                             note="no reference date"),
    ]
    if events is None:
        events = [event(doc_id, 0, "التقى الرئيس الروسي فلاديمير بوتين نظيره التركي",
                        start=D(2023, 9, 4), end=D(2023, 9, 10),
                        actors=["فلاديمير بوتين", "رجب طيب أردوغان"], kinds=["person", "person"])]
    if actors is None:
        actors = [model.ActorRecord("فلاديمير بوتين", "person", ["بوتين", "الرئيس الروسي"]),
                  model.ActorRecord("رجب طيب أردوغان", "person", ["أردوغان"])]
    return model.ExtractResult(document=doc, time_expressions=tes, events=events, actors=actors)


def table_counts(path) -> dict:
    with Store(path, read_only=True) as s:
        return s.stats()


@pytest.fixture
def db(tmp_path):
    return tmp_path / "timeline.duckdb"


# --- round trip -----------------------------------------------------------------------------------

def test_round_trip_of_documents_time_expressions_events_and_actors(db):
    r = result("a1")
    with Store(db) as s:
        report = s.ingest([r])
        assert report == IngestReport(documents_added=1, documents_skipped=0, events_added=1,
                                      batches=1)

    with Store(db, read_only=True) as s:
        doc = s.document("a1")
        d = r.document
        for key in ("id", "text", "title", "published", "published_raw", "published_from",
                    "source", "url", "path", "tags", "parent_id", "external_id", "boilerplate"):
            assert doc[key] == getattr(d, key), key
        assert isinstance(doc["ingested_at"], dt.datetime)
        assert s.document("missing") is None

        tes = s.time_expressions_frame("a1")
        assert len(tes) == 3
        got = [(t.text, t.start, t.end, t.type, t.value, t.interval_start, t.interval_end,
                t.granularity, t.calendar, t.hijri, t.anchor, t.note)
               for t in tes.itertuples()]
        want = [(t.text, t.start, t.end, t.type, t.value,
                 t.interval[0] if t.interval else None, t.interval[1] if t.interval else None,
                 t.granularity, t.calendar, t.hijri, t.anchor, t.note)
                for t in r.time_expressions]
        # pandas shows missing values as None/NA; compare with NA mapped to None.
        assert [tuple(None if v is None or v != v else v for v in row) for row in got] == want

        events = s.events_frame()
        assert list(events.columns) == model.EVENT_FIELDS
        row = events.iloc[0].to_dict()
        for key, value in r.events[0].items():
            got_value = row[key]
            if value is None:
                assert got_value is None or got_value != got_value, key
            else:
                assert got_value == value, key
        assert isinstance(row["actors"], list) and isinstance(row["actor_kinds"], list)
        assert isinstance(row["date_start"], dt.date)

        actors = s.actors_frame().set_index("canonical")
        assert actors.loc["فلاديمير بوتين", "aliases"] == ["بوتين", "الرئيس الروسي"]
        assert actors.loc["فلاديمير بوتين", "events"] == 1
        assert s.has_documents()
        assert s.stats() == {"documents": 1, "time_expressions": 3, "events": 1, "dated_events": 1,
                             "actors": 2, "event_actors": 2, "sources": 1}


def test_event_fields_missing_from_the_dict_are_filled_from_the_document(db):
    bare = {"event_id": "b-1", "description": "انعقدت القمة", "actors": None}
    with Store(db) as s:
        s.ingest([result("b", events=[bare], actors=[])])
        row = s.events_frame().iloc[0]
    assert row["document_id"] == "b" and row["source"] == "الجزيرة"
    assert row["published"] == D(2023, 9, 12) and row["actors"] == []


def test_schema_version_recorded_and_store_reopens(db):
    with Store(db) as s:
        s.ingest([result("a1")])
    with Store(db) as s:
        assert s.con.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
        assert s.stats()["documents"] == 1


def test_read_only_on_missing_store_is_empty_and_creates_nothing(db):
    with Store(db, read_only=True) as s:
        assert not s.has_documents()
        assert s.events_frame().empty and list(s.events_frame().columns) == model.EVENT_FIELDS
        with pytest.raises(TimelineError, match="read-only"):
            s.ingest([result("a1")])
    assert not db.exists()


# --- idempotence ----------------------------------------------------------------------------------

def test_reingest_skips_stored_documents_whole(db):
    with Store(db) as s:
        first = s.ingest([result("a1"), result("a2")])
        before = s.stats()
        again = s.ingest([result("a1"), result("a2"), result("a3")])
        assert first.documents_added == 2
        assert (again.documents_added, again.documents_skipped, again.events_added) == (1, 2, 1)
        assert s.stats()["documents"] == 3
        assert s.stats()["events"] == before["events"] + 1
        assert s.stats()["time_expressions"] == before["time_expressions"] + 3


def test_same_document_twice_in_one_batch_is_stored_once(db):
    with Store(db) as s:
        report = s.ingest([result("a1"), result("a1")])
        assert (report.documents_added, report.documents_skipped) == (1, 1)
        assert s.stats()["events"] == 1


def test_actor_aliases_are_merged_across_ingests(db):
    with Store(db) as s:
        s.ingest([result("a1")])
        s.ingest([result("a2", actors=[model.ActorRecord("فلاديمير بوتين", "person",
                                                         ["بوتين", "القيصر"])])])
        actors = s.actors_frame().set_index("canonical")
    assert actors.loc["فلاديمير بوتين", "aliases"] == ["بوتين", "الرئيس الروسي", "القيصر"]
    assert actors.loc["فلاديمير بوتين", "events"] == 2


# --- atomicity ------------------------------------------------------------------------------------

def _raising_after(results, n_ok):
    """Yields n_ok results, then fails the way a crashing extractor would."""
    yield from results[:n_ok]
    raise RuntimeError("extractor crashed")


def test_failure_while_reading_a_batch_keeps_earlier_batches_and_nothing_of_it(db):
    items = [result(f"d{i}") for i in range(5)]
    with Store(db) as s:
        with pytest.raises(RuntimeError, match="extractor crashed"):
            # batch 1 = d0 d1 d2 (committed); batch 2 = d3 d4 then the 3rd item raises
            s.ingest(_raising_after(items, 5), batch_size=3)
        assert s.documents_frame()["id"].tolist() == ["d0", "d1", "d2"]
        assert s.stats()["events"] == 3 and s.stats()["time_expressions"] == 9


def test_database_error_midway_through_a_batch_rolls_the_whole_batch_back(db):
    with Store(db) as s:
        s.ingest([result("d0"), result("d1")], batch_size=2)
        before = s.stats()
        before_docs = s.documents_frame()["id"].tolist()
        # The 3rd item of the next batch reuses an event_id already stored, so the events insert
        # fails after that batch's documents and time expressions were inserted.
        clash = result("d4", events=[event("d0", 0, "حدث مكرر")])
        with pytest.raises(duckdb.ConstraintException):
            s.ingest([result("d2"), result("d3"), clash], batch_size=3)
        assert s.stats() == before
        assert s.documents_frame()["id"].tolist() == before_docs
        # The store still works and the batch goes in once the bad item is fixed.
        report = s.ingest([result("d2"), result("d3"), result("d4")], batch_size=3)
        assert report.documents_added == 3


def test_kill_during_a_batch_transaction_loses_only_that_batch(db, tmp_path):
    # A child process commits batch 1, then stops inside batch 2's transaction (documents already
    # inserted) and is killed with SIGKILL: no cleanup code runs, DuckDB must recover from its WAL.
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r}); sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_store import result
        from timeline.store import Store
        original = Store._append
        def slow_append(con, name, table):
            original(con, name, table)
            if name == "time_expressions" and "d2" in table["document_id"].to_pylist():
                print("inside", flush=True)
                time.sleep(60)
        Store._append = staticmethod(slow_append)
        with Store({str(db)!r}) as s:
            s.ingest([result(f"d{{i}}") for i in range(4)], batch_size=2)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "inside"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    with Store(db, read_only=True) as s:
        assert s.documents_frame()["id"].tolist() == ["d0", "d1"]
        assert s.stats()["time_expressions"] == 6 and s.stats()["events"] == 2
    with Store(db) as s:   # and the rest goes in on the next run
        assert s.ingest([result(f"d{i}") for i in range(4)]).documents_added == 2


# --- concurrency ----------------------------------------------------------------------------------

def _hold(path, read_only=False):
    """Another process holding the store open, as a running `timeline extract` would."""
    script = (f"import sys, time; sys.path.insert(0, {str(REPO)!r})\n"
              f"from timeline.store import Store\n"
              f"s = Store({str(path)!r}, read_only={read_only})\n"
              f"print('ready', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child


def test_second_writer_process_gets_store_in_use_error(db):
    with Store(db) as s:
        s.ingest([result("a1")])
    child = _hold(db)
    try:
        with pytest.raises(StoreInUseError) as info:
            Store(db)
        message = str(info.value)
        assert "is in use by another process" in message and "timeline.duckdb" in message
        assert f"PID {child.pid}" in message
        with pytest.raises(StoreInUseError):   # a reader cannot open while a writer holds it
            Store(db, read_only=True)
    finally:
        child.kill()
        child.wait(10)
    with Store(db) as s:   # nothing was damaged
        assert s.stats()["documents"] == 1


def test_store_in_use_message_names_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Store("data/timeline.duckdb").close()
    child = _hold(tmp_path / "data" / "timeline.duckdb")
    try:
        with pytest.raises(StoreInUseError, match=r"^data/timeline\.duckdb is in use by another process \("):
            Store(tmp_path / "data" / "timeline.duckdb")
    finally:
        child.kill()
        child.wait(10)


def test_readers_in_two_processes_share_the_store(db):
    with Store(db) as s:
        s.ingest([result("a1")])
    child = _hold(db, read_only=True)
    try:
        with Store(db, read_only=True) as s:
            assert s.has_documents()
        with pytest.raises(StoreInUseError):   # but a writer must wait for the reader
            Store(db)
    finally:
        child.kill()
        child.wait(10)


# --- filters --------------------------------------------------------------------------------------

@pytest.fixture
def filled(db):
    results = [
        result("p1", events=[
            event("p1", 0, "التقى الرئيس الروسي فلاديمير بوتين نظيره التركي",
                  start=D(2023, 9, 4), end=D(2023, 9, 10),
                  actors=["فلاديمير بوتين", "رجب طيب أردوغان"], kinds=["person", "person"]),
            event("p1", 1, "وقّعت روسيا اتفاق الحبوب", start=D(2022, 7, 22),
                  actors=["روسيا"], kinds=["country"], sentence="وفي تموز وقّعت روسيا اتفاق الحبوب."),
            event("p1", 2, "وأعلن الكرملين موقفه من دون تاريخ", actors=["الكرملين"],
                  kinds=["organization"]),
        ], actors=[model.ActorRecord("فلاديمير بوتين", "person", ["بوتين", "القيصر"]),
                   model.ActorRecord("رجب طيب أردوغان", "person", ["أردوغان"]),
                   model.ActorRecord("روسيا", "country", ["موسكو"])]),
        result("q1", source="العربية", events=[
            event("q1", 0, "استقبل أحمد الشرع وفدا", start=D(2025, 1, 1), end=D(2025, 12, 31),
                  source="العربية", actors=["أحمد الشرع"], kinds=["person"]),
        ], actors=[model.ActorRecord("أحمد الشرع", "person", ["الشرع"])]),
    ]
    with Store(db) as s:
        s.ingest(results)
    with Store(db, read_only=True) as s:
        yield s


def ids(frame):
    return frame["event_id"].tolist()


def test_events_are_ordered_by_date_with_undated_last(filled):
    assert ids(filled.events_frame()) == ["p1-e1", "p1-e0", "q1-e0", "p1-e2"]


@pytest.mark.parametrize("query, expected", [
    ("بوتين", ["p1-e0"]),                 # substring of the canonical name
    ("القيصر", ["p1-e0"]),                # an alias
    ("بُوتِين", ["p1-e0"]),                # tashkeel in the query is ignored
    ("احمد", ["q1-e0"]),                  # أ written as ا
    ("موسكو", ["p1-e1"]),                 # alias of a country
    ("الكرملين", ["p1-e2"]),              # only in the event's actors, not in the actors table
    ("ماكرون", []),
])
def test_actor_filter_matches_canonical_names_and_aliases(filled, query, expected):
    assert ids(filled.events_frame(actor=query)) == expected


def test_date_filter_keeps_events_whose_interval_overlaps(filled):
    # the week 2023-09-04..10 overlaps a range starting on its last day
    assert ids(filled.events_frame(date_from="2023-09-10", date_to="2023-09-20")) == ["p1-e0"]
    assert ids(filled.events_frame(date_from=D(2023, 9, 11), date_to=D(2023, 12, 31))) == []
    assert ids(filled.events_frame(date_to="2022-12-31")) == ["p1-e1"]
    # a year-long interval overlaps any day inside it; undated events drop out under a date filter
    assert ids(filled.events_frame(date_from="2025-06-01")) == ["q1-e0"]


def test_source_text_document_and_limit_filters(filled):
    assert ids(filled.events_frame(source="العربية")) == ["q1-e0"]
    assert ids(filled.events_frame(source=["العربية", "الجزيرة"])) == ["p1-e1", "p1-e0", "q1-e0", "p1-e2"]
    assert ids(filled.events_frame(text="اتفاق الحبوب")) == ["p1-e1"]
    assert ids(filled.events_frame(text="وفي تموز")) == ["p1-e1"]      # found in the sentence
    assert ids(filled.events_frame(document_id="q1")) == ["q1-e0"]
    assert ids(filled.events_frame(limit=2)) == ["p1-e1", "p1-e0"]
    assert ids(filled.events_frame(actor="بوتين", source="العربية")) == []


def test_actors_documents_and_time_expression_frames(filled):
    actors = filled.actors_frame()
    assert list(actors.columns) == ["canonical", "kind", "aliases", "events"]
    by_name = actors.set_index("canonical")
    assert by_name.loc["الكرملين", "aliases"] == [] and by_name.loc["الكرملين", "events"] == 1
    assert by_name.loc["روسيا", "kind"] == "country"
    docs = filled.documents_frame()
    assert "text" not in docs.columns
    assert docs.set_index("id")["events"].to_dict() == {"p1": 3, "q1": 1}
    assert "text" in filled.documents_frame(include_text=True).columns
    assert len(filled.time_expressions_frame()) == 6
    assert filled.time_expressions_frame("q1")["start"].tolist() == [62, 90, 110]


# --- Parquet parts --------------------------------------------------------------------------------

def test_parquet_parts_load_into_the_store_and_skip_stored_documents(db, tmp_path):
    out = tmp_path / "parts"
    counts = write_parquet_dataset([result("a1"), result("a2")], out, "part-0")
    assert counts["documents"] == 2 and counts["events"] == 2
    write_parquet_dataset([result("a2"), result("a3")], out, "part-1")   # a2 in two partitions
    for sub in ("documents", "time_expressions", "events", "actors", "event_actors"):
        assert sorted(p.name for p in (out / sub).iterdir()) == ["part-0.parquet", "part-1.parquet"]
    # a part killed before its documents file was renamed is not picked up
    (out / "events" / "part-2.parquet").write_bytes((out / "events" / "part-0.parquet").read_bytes())

    with Store(db) as s:
        s.ingest([result("a1")])
        report = s.ingest_parquet_dataset(out)
        assert (report.documents_added, report.documents_skipped, report.batches) == (2, 2, 2)
        assert s.stats()["documents"] == 3 and s.stats()["events"] == 3
        assert s.document("a3")["tags"] == ["سياسة", "روسيا"]
        again = s.ingest_parquet_dataset(out)
        assert (again.documents_added, again.documents_skipped) == (0, 4)
        assert s.actors_frame().set_index("canonical").loc["فلاديمير بوتين", "events"] == 3


def test_parquet_part_name_must_be_a_plain_file_name(tmp_path):
    with pytest.raises(ValueError):
        write_parquet_dataset([result("a1")], tmp_path, "../escape")


# --- speed ----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_ingest_of_36k_documents_with_20_events_each(db):
    def corpus(n):
        for i in range(n):
            doc_id = f"{i:016x}"
            events = [event(doc_id, j, "التقى الرئيس فلاديمير بوتين نظيره", start=D(2023, 9, 4),
                            actors=["فلاديمير بوتين", "روسيا"], kinds=["person", "country"])
                      for j in range(20)]
            yield result(doc_id, events=events)

    started = time.perf_counter()
    with Store(db) as s:
        report = s.ingest(corpus(36_000))
    elapsed = time.perf_counter() - started   # includes building the results themselves
    print(f"\ningested 36000 documents / 720000 events in {elapsed:.1f} s")
    assert report.documents_added == 36_000 and report.events_added == 720_000
    # the time is reported, not asserted: speed targets are checked by the benchmarks


def test_closed_store_says_so(db):
    s = Store(db)
    s.close()
    s.close()   # closing twice is harmless
    with pytest.raises(TimelineError, match="closed"):
        s.has_documents()
    with pytest.raises(TimelineError, match="closed"):
        s.ingest([result("a1")])
