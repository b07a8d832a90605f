"""Faults mid-run, for real: `timeline extract` is a subprocess (with its worker pool) and is killed
with SIGKILL at random points, several times over the same store.

After every kill the DuckDB store opens and holds only whole documents: each stored document has
exactly the events a clean single run gives it, and no event, time expression or actor link hangs
on a document or event that is not there. A rerun completes, adds what is missing, and duplicates
nothing. Two processes writing to one store: the second gets a clear "in use" error, the first
finishes, the store is whole.
"""
from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, article_rows, cli_command, cli_env, run_cli, store_counts, write_jsonl

N_ARTICLES = 300
KILLS = 4


def start(*args: str, **kw) -> subprocess.Popen:
    # own process group: the kill reaches the CLI and its worker processes, nothing else
    return subprocess.Popen(cli_command(*args), cwd=REPO, env=cli_env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, **kw)


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def extract_args(source: Path, db: Path, *extra: str, workers: str = "1", quiet: bool = True) -> list[str]:
    return ["extract", str(source), "--db", str(db), "--no-output", "--partition-size", "8",
            "--workers", workers, *(["--quiet"] if quiet else ["--progress-interval", "0"]), *extra]


def reference_counts(source: Path, tmp_path: Path) -> dict:
    db = tmp_path / "clean.duckdb"
    done = run_cli(*extract_args(source, db))
    assert done.returncode == 0, done.stderr.decode()
    counts = store_counts(db)
    assert counts["orphans"] == 0 and counts["duplicates"] == 0
    return counts["per_doc"]


def check_whole(db: Path, reference: dict) -> dict:
    counts = store_counts(db)          # opens: the store survived the kill
    assert counts["orphans"] == 0, counts["orphans"]
    assert counts["duplicates"] == 0, counts["duplicates"]
    for doc_id, n in counts["per_doc"].items():
        assert doc_id in reference, f"document {doc_id} is not one a clean run stores"
        assert n == reference[doc_id], f"document {doc_id}: {n} events stored, a clean run has {reference[doc_id]}"
    return counts


def kill_and_resume(source: Path, tmp_path: Path, seed: int) -> list[tuple[str, int]]:
    reference = reference_counts(source, tmp_path)
    db = tmp_path / "killed.duckdb"
    rnd = random.Random(seed)
    log = []
    stored = 0
    for attempt in range(KILLS):
        workers = "2" if attempt % 2 else "1"        # the local pool, and the single process
        out = tmp_path / "events.jsonl"
        proc = start(*[a for a in extract_args(source, db, workers=workers, quiet=False) if a != "--no-output"],
                     "--output", str(out), stderr=subprocess.PIPE)
        if attempt == 0:
            delay = rnd.uniform(0.2, 1.2)            # during start-up: opening/creating the store
            time.sleep(delay)
            where = f"{delay:.1f} s after start"
        else:
            # after a random number of committed partitions, plus a random fraction of the next one
            # (a rerun first goes again over partitions whose manifest entry the kill lost; the store
            # skips their documents): kill a few partitions beyond what is stored
            target = stored + 8 * rnd.randint(1, 8)
            done_now = 0
            while done_now < target:
                line = proc.stderr.readline().decode()
                if not line:
                    break
                found = re.search(r"([\d,]+) articles done", line)
                if found:
                    done_now = int(found.group(1).replace(",", ""))
            time.sleep(rnd.uniform(0, 0.3))
            where = f"{done_now} articles done"
        finished = proc.poll() is not None
        kill_group(proc)
        proc.stderr.close()
        stored = len(check_whole(db, reference)["per_doc"])
        # the events file is written under a temporary name and renamed at the end: after a kill
        # it is absent (or whole, from a run that finished), never half written
        if out.exists():
            assert finished
            [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        log.append((where, stored))
        if finished:
            break
    done = run_cli(*extract_args(source, db))
    assert done.returncode == 0, done.stderr.decode()
    counts = check_whole(db, reference)
    assert counts["per_doc"] == reference, "after the rerun the store equals a clean run"
    # again, ignoring the manifest: every document is offered again and none is stored twice
    again = run_cli(*extract_args(source, db, "--restart"))
    assert again.returncode == 0, again.stderr.decode()
    assert check_whole(db, reference)["per_doc"] == reference
    assert "(0 new)" in again.stderr.decode()
    return log


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_whole_documents_and_rerun_has_no_duplicates(tmp_path):
    source = write_jsonl(tmp_path / "articles.jsonl", article_rows(N_ARTICLES, seed=3))
    log = kill_and_resume(source, tmp_path, seed=int(os.environ.get("TIMELINE_KILL_SEED", "20231")))
    print("documents stored after each kill:", log)
    assert any(n > 0 for _, n in log) and any(n < N_ARTICLES for _, n in log), "kills landed mid-ingest"


def test_two_writers_one_gets_store_in_use(tmp_path):
    source = write_jsonl(tmp_path / "articles.jsonl", article_rows(N_ARTICLES, seed=4))
    db = tmp_path / "shared.duckdb"
    first = subprocess.Popen(
        cli_command("extract", str(source), "--db", str(db), "--no-output", "--partition-size", "8",
                    "--workers", "1", "--progress-interval", "0.1"),
        cwd=REPO, env=cli_env(), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # the first writer has the store open once it reports progress
        line = first.stderr.readline().decode()
        assert "articles done" in line, line + first.stderr.read().decode()
        second = run_cli("extract", str(source), "--db", str(db), "--no-output", "--quiet", "--workers", "1")
        err = second.stderr.decode()
        assert second.returncode != 0
        assert f"timeline: {db} is in use by another process (PID {first.pid}" in err, err
        assert "Traceback" not in err
        rest = first.communicate(timeout=120)[1].decode()
    finally:
        if first.poll() is None:
            kill_group(first)
    assert first.returncode == 0, rest
    counts = store_counts(db)
    assert len(counts["per_doc"]) == N_ARTICLES and counts["orphans"] == 0 and counts["duplicates"] == 0
    # a reader while nobody writes is fine; the CLI's reading commands say "in use" too while a writer runs
    assert run_cli("events", "--db", str(db), "--limit", "1").returncode == 0
