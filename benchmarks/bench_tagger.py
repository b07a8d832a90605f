"""Throughput and memory of timeline.tagger.tag against dateparser's search_dates, on real news.

    python benchmarks/bench_tagger.py [--articles 2000] [--dateparser-articles N]

Reads the first N articles of ../shared/corpus/ant_news.jsonl.gz (fields `text`, `published`) and, in the
same run, tags them with timeline.tagger.tag and dateparser.search.search_dates(text, languages=["ar"],
settings={"RELATIVE_BASE": published}). Each tool runs in its own subprocess, so its peak memory
(ru_maxrss) is its own; for our tagger the Python heap peak (tracemalloc) is measured in a second pass.
By default both tools tag the same 2,000 articles (dateparser needs about ten seconds for them);
--dateparser-articles N times dateparser on the first N only, for a quicker look: both MB/s figures are
per byte of article text, so the ratio compares rates over different article counts (said in the output).

This is a script, not a test: it prints figures and exits 0; it skips (exit 0) when ../shared is absent.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "ant_news.jsonl.gz"


def load_articles(path: Path, n: int) -> list[dict]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(out) >= n:
                break
            rec = json.loads(line)
            out.append({"text": rec.get("text") or "", "published": rec.get("published")})
    return out


def _maxrss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss      # KiB on Linux
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _local_datetime(published: str | None) -> dt.datetime | None:
    """The publication timestamp in its own local time (offset dropped, not converted to UTC)."""
    if not published:
        return None
    try:
        return dt.datetime.fromisoformat(published).replace(tzinfo=None)
    except ValueError:
        return None


# ------------------------------------------------------------------ workers (one subprocess each)

def worker_timeline(corpus: Path, n: int) -> dict:
    sys.path.insert(0, str(ROOT))
    t0 = time.perf_counter()
    from timeline.tagger import tag
    tag("أعلن الوزير أمس عن خطة جديدة.", "2023-09-12")     # load the lexicon and compile the grammar once
    setup_s = time.perf_counter() - t0
    articles = load_articles(corpus, n)
    nbytes = sum(len(a["text"].encode("utf-8")) for a in articles)
    rss_before = _maxrss_mb()
    found = errors = 0
    t0 = time.perf_counter()
    for a in articles:
        try:
            found += len(tag(a["text"], a["published"]))
        except Exception:                                   # the tagger must never raise; count it
            errors += 1
    seconds = time.perf_counter() - t0
    rss_after = _maxrss_mb()
    # second pass, under tracemalloc: the Python heap peak while tagging (slower, not timed)
    import tracemalloc
    tracemalloc.start()
    for a in articles:
        try:
            tag(a["text"], a["published"])
        except Exception:
            pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tool": "timeline", "articles": len(articles), "bytes": nbytes, "seconds": seconds,
            "setup_seconds": setup_s, "expressions": found, "errors": errors,
            "maxrss_mb_before": rss_before, "maxrss_mb": rss_after, "tracemalloc_peak_mb": peak / 2**20}


def worker_dateparser(corpus: Path, n: int) -> dict:
    t0 = time.perf_counter()
    import dateparser.search
    dateparser.search.search_dates("أعلن الوزير في 12 أيلول 2023 عن خطة جديدة.", languages=["ar"])
    setup_s = time.perf_counter() - t0
    articles = load_articles(corpus, n)
    nbytes = sum(len(a["text"].encode("utf-8")) for a in articles)
    rss_before = _maxrss_mb()
    found = errors = 0
    t0 = time.perf_counter()
    for a in articles:
        settings = {}
        base = _local_datetime(a["published"])
        if base is not None:
            settings["RELATIVE_BASE"] = base
        try:
            res = dateparser.search.search_dates(a["text"], languages=["ar"], settings=settings)
            found += len(res or [])
        except Exception:
            errors += 1
    seconds = time.perf_counter() - t0
    return {"tool": "dateparser", "articles": len(articles), "bytes": nbytes, "seconds": seconds,
            "setup_seconds": setup_s, "expressions": found, "errors": errors,
            "maxrss_mb_before": rss_before, "maxrss_mb": _maxrss_mb(), "tracemalloc_peak_mb": None}


WORKERS = {"timeline": worker_timeline, "dateparser": worker_dateparser}


def run_worker(tool: str, corpus: Path, n: int) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", tool, "--corpus", str(corpus), "--articles", str(n)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(ROOT))
    if proc.returncode != 0:
        raise SystemExit(f"bench_tagger: the {tool} worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ report

def mbps(r: dict) -> float:
    return r["bytes"] / 1e6 / r["seconds"] if r["seconds"] > 0 else float("inf")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000, help="articles tagged by timeline (default 2000)")
    ap.add_argument("--dateparser-articles", type=int, default=None,
                    help="articles tagged by dateparser, the first ones of the same set (default: all of them)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--skip-dateparser", action="store_true", help="time timeline only")
    ap.add_argument("--repeat", type=int, default=3,
                    help="fresh runs of each tool, taken in turn; the median run is reported (default 3)")
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if not args.corpus.exists():
        print(f"bench_tagger: skipped: corpus not found at {args.corpus} "
              f"(the benchmark reads ../shared/corpus/ant_news.jsonl.gz beside the repo)")
        return 0
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.corpus, args.articles)))
        return 0

    print(f"corpus: {args.corpus}")
    with_dateparser = not args.skip_dateparser
    if with_dateparser:
        try:
            import dateparser  # noqa: F401
        except ImportError:
            print("dateparser is not installed: timing timeline only")
            with_dateparser = False
    # Each run is a fresh process; the tools take turns, so a slow spell of the machine falls on both.
    runs: dict[str, list[dict]] = {"timeline": [], "dateparser": []}
    for _ in range(max(args.repeat, 1)):
        runs["timeline"].append(run_worker("timeline", args.corpus, args.articles))
        if with_dateparser:
            runs["dateparser"].append(run_worker("dateparser", args.corpus,
                                                 min(args.dateparser_articles or args.articles, args.articles)))

    def median_run(results: list[dict]) -> dict:
        return sorted(results, key=lambda r: r["seconds"])[len(results) // 2]

    ours = median_run(runs["timeline"])
    theirs = median_run(runs["dateparser"]) if runs["dateparser"] else None
    for tool, results in runs.items():
        if results:
            print(f"{tool} runs: " + ", ".join(f"{r['seconds']:.2f} s" for r in results) + " (median reported)")

    rows = [ours] + ([theirs] if theirs else [])
    print()
    print(f"{'tool':<11} {'articles':>8} {'MB':>7} {'seconds':>9} {'MB/s':>8} {'expressions':>11} {'errors':>6} "
          f"{'maxrss MB':>9} {'heap peak MB':>12} {'setup s':>7}")
    for r in rows:
        heap = f"{r['tracemalloc_peak_mb']:.1f}" if r["tracemalloc_peak_mb"] is not None else "-"
        print(f"{r['tool']:<11} {r['articles']:>8} {r['bytes'] / 1e6:>7.2f} {r['seconds']:>9.2f} {mbps(r):>8.3f} "
              f"{r['expressions']:>11} {r['errors']:>6} {r['maxrss_mb']:>9.1f} {heap:>12} {r['setup_seconds']:>7.2f}")
    print()
    print(f"timeline: {ours['expressions'] / max(ours['articles'], 1):.1f} expressions per article; "
          f"peak RSS {ours['maxrss_mb']:.1f} MB ({ours['maxrss_mb_before']:.1f} MB after imports and loading the articles), "
          f"Python heap peak while tagging {ours['tracemalloc_peak_mb']:.1f} MB")
    if theirs:
        note = ""
        if theirs["articles"] != ours["articles"]:
            note = (f" (dateparser timed on the first {theirs['articles']} of the {ours['articles']} articles; "
                    f"rates are per byte of text)")
        print(f"throughput ratio timeline / dateparser: {mbps(ours) / mbps(theirs):.1f}x{note}")
        print(f"dateparser: {theirs['expressions'] / max(theirs['articles'], 1):.1f} matches per article; "
              f"peak RSS {theirs['maxrss_mb']:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
