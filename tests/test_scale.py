"""Scale-out: the local pool and a real Dask LocalCluster give the single-process output; runs resume
after a kill without duplicates; per-article errors are recorded and do not stop a run.

The corpus slices come from ../shared/corpus/ant_news.jsonl.gz (skipped when absent); the fixture
tests use sentences of our own and always run."""
from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from timeline import pipeline
from timeline.store import Store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "ant_news.jsonl.gz"
needs_corpus = pytest.mark.skipif(not CORPUS.exists(),
                                  reason=f"{CORPUS} is absent (the shared corpus is not in this checkout)")

SENTENCES = [
    "قال الرئيس الفرنسي إيمانويل ماكرون يوم الاثنين إن بلاده ستستضيف القمة في 12 أيلول 2023.",
    "وأعلنت وزارة الخارجية المصرية أمس أن الوزير سامح شكري سيزور الرياض الأسبوع المقبل.",
    "اندلعت الاشتباكات في الخرطوم منذ أكثر من 18 شهراً، بحسب الأمم المتحدة.",
    "وذكرت وكالة الأنباء أن الاجتماع عقد في 3 مارس 2022 بحضور ممثلين عن الجانبين.",
    "وقال المتحدث باسم الكرملين دميتري بيسكوف إن المحادثات ستستأنف بعد عيد الفطر.",
    "افتتح المعرض الدولي للكتاب أبوابه صباح اليوم ويستمر حتى نهاية الشهر الجاري.",
]


def _fixture_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3)) + f" (الخبر رقم {i})"
        rows.append({"id": f"fx-{i}", "title": f"خبر تجريبي {i}", "text": text,
                     "published": f"2023-09-{1 + i % 28:02d}", "source": "fixture"})
    return rows


def _write_jsonl(path: Path, rows: list[dict], gz: bool = False) -> Path:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scale")
    rows = _fixture_rows(60)
    rows.insert(10, {"id": "too-long", "title": "طويل", "text": "كلمة " * (pipeline.MAX_ARTICLE_CHARS // 5 + 1),
                     "published": "2023-09-01"})
    lines = [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows]
    lines.insert(20, b"{not json\n")
    lines.insert(30, "{\"id\": \"bad-utf8\", \"text\": \"".encode() + b"\xff\xfe\xfa" + b"\"}\n")
    path = folder / "fixture.jsonl"
    path.write_bytes(b"".join(lines))
    return path


@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory) -> Path:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is absent (the shared corpus is not in this checkout)")
    folder = tmp_path_factory.mktemp("corpus")
    out = folder / "slice.jsonl.gz"
    with gzip.open(CORPUS, "rb") as src, gzip.open(out, "wb") as dst:
        for n, line in enumerate(src):
            if n >= 300:
                break
            dst.write(line)
    return out


def _run(paths, workers=1, partition_size=64, **kw):
    """(events table as sorted records, document ids in order, summary, error records)."""
    import pyarrow as pa

    events, documents, errors = [], [], []

    def keep(result):
        events.append(result.tables["events"])
        documents.extend(result.tables["documents"]["id"].to_pylist())

    summary = pipeline.extract_archive(paths, None, workers=workers, partition_size=partition_size,
                                       resume=False, on_result=keep, on_error=errors.append, **kw)
    table = pa.concat_tables(events) if events else None
    return table, documents, summary, errors


def _records(table) -> dict[str, dict]:
    rows = table.to_pylist()
    by_id = {r["event_id"]: r for r in rows}
    assert len(by_id) == len(rows), "duplicate event ids"
    return by_id


# --------------------------------------------------------------------------------------------------
# Partitions read exactly what read_paths reads

def test_partitions_read_what_read_paths_reads(fixture_file):
    from timeline.documents import read_paths
    from timeline.model import Document

    expected = [(d.id, d.path, d.published, d.title) if isinstance(d, Document) else ("error", d.describe())
                for d in read_paths([fixture_file])]
    got = []
    for partition in pipeline.plan_partitions([fixture_file], partition_size=7):
        assert partition.kind == "lines"
        for d in pipeline._partition_documents(partition, None):
            got.append((d.id, d.path, d.published, d.title) if isinstance(d, Document) else ("error", d.describe()))
    assert got == expected


def test_partition_keys_are_stable_and_depend_on_size(fixture_file):
    keys = [p.key for p in pipeline.plan_partitions([fixture_file], partition_size=16)]
    assert keys == [p.key for p in pipeline.plan_partitions([fixture_file], partition_size=16)]
    assert keys == sorted(keys)
    assert not set(keys) & {p.key for p in pipeline.plan_partitions([fixture_file], partition_size=17)}


# --------------------------------------------------------------------------------------------------
# Errors are recorded with the article and do not stop the run

def test_errors_recorded_and_run_goes_on(fixture_file):
    table, documents, summary, errors = _run([fixture_file], partition_size=16)
    assert summary.documents == 60 and len(documents) == 60
    kinds = {e["kind"] for e in errors}
    assert {"too_long", "json", "encoding"} <= kinds
    too_long = next(e for e in errors if e["kind"] == "too_long")
    assert too_long["id"] == "too-long" and too_long["where"].endswith(":11")
    assert summary.error_count == 3 and summary.errors["too_long"] == 1
    assert "too_long 1" in summary.describe()


def test_extract_failure_is_one_error(monkeypatch, fixture_file):
    real = pipeline.extract_document

    def flaky(document):
        if document.external_id == "fx-5":
            raise ValueError("pathological text")
        return real(document)

    monkeypatch.setattr(pipeline, "extract_document", flaky)
    _, documents, summary, errors = _run([fixture_file], partition_size=16)
    assert summary.documents == 59
    failed = [e for e in errors if e["kind"] == "extract"]
    assert len(failed) == 1 and failed[0]["id"] == "fx-5" and "pathological text" in failed[0]["message"]


# --------------------------------------------------------------------------------------------------
# Pool and Dask equal the single process

@pytest.mark.slow
def test_pool_equals_single_process_fixture(fixture_file):
    single, docs1, s1, e1 = _run([fixture_file], workers=1, partition_size=16)
    pooled, docs2, s2, e2 = _run([fixture_file], workers=2, partition_size=16)
    assert docs1 == docs2                      # input order kept
    assert _records(single) == _records(pooled)
    assert e1 == e2


@pytest.mark.slow
def test_pool_equals_single_process_corpus(corpus_slice):
    single, docs1, s1, _ = _run([corpus_slice], workers=1, partition_size=64)
    pooled, docs2, s2, _ = _run([corpus_slice], workers=2, partition_size=64)
    assert s1.documents == 300 and docs1 == docs2
    assert single.num_rows > 1000
    assert _records(single) == _records(pooled)


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


def _dataset_events(folder: Path):
    import duckdb

    from timeline.distributed import read_dataset_sql

    return duckdb.sql(f"SELECT * FROM {read_dataset_sql(folder)}").to_arrow_table()


@pytest.mark.slow
def test_dask_equals_single_process_corpus(corpus_slice, dask_client, tmp_path):
    from timeline.distributed import extract_to_parquet

    single, docs1, _, _ = _run([corpus_slice], workers=1, partition_size=64)
    summary = extract_to_parquet([corpus_slice], tmp_path / "parts", client=dask_client, partition_size=64)
    assert summary.documents == 300 and summary.partitions == 5
    events = _dataset_events(tmp_path / "parts")
    from timeline.store import EVENT_SCHEMA

    assert _records(single) == _records(events.select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA))
    # the parts load into a store with the same rows as the single-process store
    with Store(tmp_path / "a.duckdb") as a:
        pipeline.extract_archive([corpus_slice], a, workers=1, partition_size=64, resume=False)
        with Store(tmp_path / "b.duckdb") as b:
            b.ingest_parquet_dataset(tmp_path / "parts")
            assert a.stats() == b.stats()
            left, right = a.events_frame(), b.events_frame()
            assert left.equals(right)


@pytest.mark.slow
def test_dask_equals_single_process_fixture_and_resumes(fixture_file, dask_client, tmp_path):
    from timeline.distributed import extract_to_parquet

    single, _, _, single_errors = _run([fixture_file], workers=1, partition_size=16)
    parts = tmp_path / "parts"
    errors = []
    first = extract_to_parquet([fixture_file], parts, client=dask_client, partition_size=16, on_error=errors.append)
    planned = len(list(pipeline.plan_partitions([fixture_file], partition_size=16)))
    assert planned == 4 and first.partitions == planned and first.error_count == 3
    assert sorted(errors, key=lambda e: e["where"]) == sorted(single_errors, key=lambda e: e["where"])
    from timeline.store import EVENT_SCHEMA

    assert _records(single) == _records(_dataset_events(parts).select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA))
    # a part lost (as if its task never finished) is the only one redone
    lost = sorted((parts / "documents").glob("*.parquet"))[2]
    lost.unlink()
    manifest = json.loads((parts / "_manifest.json").read_text())
    manifest["done"].pop(lost.stem)
    (parts / "_manifest.json").write_text(json.dumps(manifest))
    again = extract_to_parquet([fixture_file], parts, client=dask_client, partition_size=16)
    assert again.partitions == 1 and again.partitions_skipped == planned - 1
    assert again.earlier_errors              # errors of the skipped partitions are still counted
    assert _records(single) == _records(_dataset_events(parts).select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA))


# --------------------------------------------------------------------------------------------------
# Resumable, idempotent: kill -9 midway, run again

def _cli(*args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-m", "timeline.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kw)


def _input_for_kill(tmp_path: Path) -> tuple[Path, int]:
    if CORPUS.exists():
        path = tmp_path / "slice.jsonl.gz"
        with gzip.open(CORPUS, "rb") as src, gzip.open(path, "wb") as dst:
            for n, line in enumerate(src):
                if n >= 3000:
                    break
                dst.write(line)
        return path, 3000
    return _write_jsonl(tmp_path / "fixture.jsonl.gz", _fixture_rows(3000), gz=True), 3000


@pytest.mark.slow
def test_kill_midway_and_resume_without_duplicates(tmp_path):
    source, n = _input_for_kill(tmp_path)
    # the uninterrupted run to compare with
    reference, documents, _, _ = _run([source], workers=1, partition_size=20)
    reference_events = set(reference["event_id"].to_pylist())
    db = tmp_path / "store.duckdb"
    args = ["extract", str(source), "--db", str(db), "--workers", "2", "--partition-size", "20",
            "--no-output", "--progress-interval", "0.2"]
    proc = _cli(*args)
    manifest = Path(str(db) + ".manifest.json")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.exists() and len(json.loads(manifest.read_text() or "{}").get("done", {})) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed: " + proc.stderr.read()
    os.killpg(proc.pid, signal.SIGKILL)        # the whole group: the CLI and its pool workers
    proc.wait()
    done_before = len(json.loads(manifest.read_text())["done"])
    assert 0 < done_before < n // 20

    proc = _cli(*args)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "partitions done by an earlier run skipped" in stderr
    skipped = int(stderr.split("partitions done by an earlier run skipped")[0].rsplit(";", 1)[1].replace(",", ""))
    assert skipped >= done_before

    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        docs, distinct_docs = con.execute("SELECT count(*), count(DISTINCT id) FROM documents").fetchone()
        events, distinct_events = con.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()
        stored_ids = {r[0] for r in con.execute("SELECT id FROM documents").fetchall()}
    finally:
        con.close()
    assert docs == distinct_docs and events == distinct_events
    # every document of the input exactly once, all the events of an uninterrupted run
    assert stored_ids == set(documents) and docs == len(set(documents))   # repeated articles once
    stored_events = {r[0] for r in duckdb.connect(str(db), read_only=True).execute("SELECT event_id FROM events").fetchall()}
    assert stored_events == reference_events


# --------------------------------------------------------------------------------------------------
# The CLI: output in input order, summary, exit code

def test_cli_extract_output_and_exit_code(fixture_file, tmp_path):
    from timeline.cli import main

    out1, out2 = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    errors = tmp_path / "errors.jsonl"
    code = main(["extract", str(fixture_file), "--db", str(tmp_path / "s.duckdb"), "--workers", "1",
                 "--output", str(out1), "--errors", str(errors), "--quiet"])
    assert code == 1                           # three bad articles
    kinds = [json.loads(line)["kind"] for line in errors.read_text(encoding="utf-8").splitlines()]
    assert sorted(kinds) == ["encoding", "json", "too_long"]
    code = main(["extract", str(fixture_file), "--no-store", "--workers", "2", "--partition-size", "8",
                 "--output", str(out2), "--quiet"])
    assert code == 1
    assert out1.read_bytes() == out2.read_bytes()
    with Store(tmp_path / "s.duckdb", read_only=True) as store:
        assert store.stats()["documents"] == 60
