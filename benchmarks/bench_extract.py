"""Extraction throughput over ../shared/corpus/ant_news.jsonl.gz: one process, the local process pool
and a local Dask cluster. Reports wall time, articles/s, MB/s, peak memory per worker, scaling
efficiency against one process, and where the time goes per stage (read, tag, actors, events, Arrow
build / Parquet write, store).

    python benchmarks/bench_extract.py                    # the whole corpus (36,353 articles)
    python benchmarks/bench_extract.py --articles 3000    # a quick run on the first 3,000
    python benchmarks/bench_extract.py --modes pool --workers 2 --json out.json

Each mode extracts into a fresh DuckDB store (the dataset parts of the Dask run are loaded into it
afterwards, timed separately). The machine's own parallel ceiling is measured too: a pure-Python CPU
loop in 1 and N processes at the same moment, since on a shared VM N cores may not give N times the
work.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "ant_news.jsonl.gz"


def _burn(n: int = 15_000_000) -> float:
    t = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - t


def machine_ceiling(workers: int) -> float:
    """Speed-up of N processes over one on a pure CPU loop, measured now."""
    from concurrent.futures import ProcessPoolExecutor

    one = _burn()
    with ProcessPoolExecutor(workers) as pool:
        start = time.perf_counter()
        list(pool.map(_burn, [15_000_000] * workers))
        many = time.perf_counter() - start
    return workers * one / many


def _slice(articles: int | None, folder: Path) -> Path:
    if not articles:
        return CORPUS
    out = folder / f"ant_news_{articles}.jsonl.gz"
    with gzip.open(CORPUS, "rb") as src, gzip.open(out, "wb", compresslevel=6) as dst:
        for n, line in enumerate(src):
            if n >= articles:
                break
            dst.write(line)
    return out


def _mb(n: int) -> float:
    return n / 1e6


def _row(name: str, summary, wall: float, workers: int, extra: dict | None = None) -> dict:
    peaks = sorted(summary.peak_rss.values())
    row = {
        "mode": name, "workers": workers, "wall_s": round(wall, 2), "documents": summary.documents,
        "events": summary.events, "articles_per_s": round(summary.documents / wall, 1),
        "mb_per_s": round(_mb(summary.input_bytes) / wall, 2),
        "peak_rss_per_worker_mb": [round(p / 2**20) for p in peaks],
        "errors": dict(summary.errors),
        "stage_cpu_s": {k: round(v, 2) for k, v in summary.timings.items()},
    }
    row.update(extra or {})
    return row


def run_single(path: Path, tmp: Path, partition_size: int) -> dict:
    from timeline.pipeline import extract_archive
    from timeline.store import Store

    with Store(tmp / "single.duckdb") as store:
        start = time.perf_counter()
        summary = extract_archive([path], store, workers=1, partition_size=partition_size,
                                  resume=False, profile=True)
        wall = time.perf_counter() - start
    # in this process: the peak is the benchmark process itself
    summary.peak_rss = {os.getpid(): resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
    return _row("one process", summary, wall, 1)


def run_pool(path: Path, tmp: Path, workers: int, partition_size: int) -> dict:
    from timeline.pipeline import extract_archive
    from timeline.store import Store

    with Store(tmp / "pool.duckdb") as store:
        start = time.perf_counter()
        summary = extract_archive([path], store, workers=workers, partition_size=partition_size,
                                  resume=False, profile=True)
        wall = time.perf_counter() - start
    return _row("local pool", summary, wall, workers)


def run_dask(path: Path, tmp: Path, workers: int, partition_size: int) -> dict:
    from dask.distributed import Client, LocalCluster

    from timeline.distributed import extract_to_parquet
    from timeline.store import Store

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("timeline.pipeline"))      # import before timing, as a warm pool
        start = time.perf_counter()
        summary = extract_to_parquet([path], tmp / "parts", client=client, partition_size=partition_size)
        extract_wall = time.perf_counter() - start
    with Store(tmp / "dask.duckdb") as store:
        t0 = time.perf_counter()
        store.ingest_parquet_dataset(tmp / "parts")
        ingest = time.perf_counter() - t0
    summary.timings["store"] = ingest
    return _row("local Dask cluster", summary, extract_wall + ingest, workers,
                {"extract_wall_s": round(extract_wall, 2), "ingest_parquet_dataset_s": round(ingest, 2)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=None, help="only the first N articles")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--partition-size", type=int, default=256)
    parser.add_argument("--modes", default="single,pool,dask")
    parser.add_argument("--json", help="write the results here as JSON too")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent", file=sys.stderr)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="bench-extract-"))
    try:
        path = _slice(args.articles, tmp)
        modes = args.modes.split(",")
        ceiling = machine_ceiling(args.workers)
        print(f"input: {path.name}, {path.stat().st_size / 1e6:.1f} MB on disk; {os.cpu_count()} cores; "
              f"machine ceiling now: {ceiling:.2f}x with {args.workers} processes (pure CPU loop)", flush=True)
        rows = []
        if "single" in modes:
            rows.append(run_single(path, tmp, args.partition_size)); print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        if "pool" in modes:
            rows.append(run_pool(path, tmp, args.workers, args.partition_size)); print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        if "dask" in modes:
            rows.append(run_dask(path, tmp, args.workers, args.partition_size)); print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        base = next((r for r in rows if r["mode"] == "one process"), None)
        print()
        print(f"{'mode':<20} {'workers':>7} {'wall s':>8} {'art/s':>8} {'MB/s':>6} {'peak MB/worker':>16} {'efficiency':>10}")
        for r in rows:
            eff = (base["wall_s"] / r["wall_s"] / r["workers"]) if base else float("nan")
            r["scaling_efficiency"] = round(eff, 2)
            peaks = r["peak_rss_per_worker_mb"]
            print(f"{r['mode']:<20} {r['workers']:>7} {r['wall_s']:>8.1f} {r['articles_per_s']:>8.0f} "
                  f"{r['mb_per_s']:>6.2f} {max(peaks) if peaks else 0:>16} {eff:>10.2f}")
        if base:
            stages = base["stage_cpu_s"]
            total = sum(v for k, v in stages.items() if k != "extract")
            print("\none process, per stage (s): " + ", ".join(
                f"{k} {v:.1f} ({100 * v / total:.0f}%)" for k, v in stages.items() if k != "extract"))
        print(f"(machine ceiling {ceiling:.2f}x: efficiency is at most {ceiling / args.workers:.2f} here)")
        if args.json:
            Path(args.json).write_text(json.dumps({"ceiling": ceiling, "rows": rows}, ensure_ascii=False, indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
