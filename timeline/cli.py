"""The `timeline` command line: tag, mentions, extract, events, actors."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO


def _tag_stream(source: TextIO, out: TextIO) -> int:
    """The `timeline tag` protocol: JSON lines {"id", "text", "reference"} in, {"id", "times"} out."""
    from .tagger import tag

    failures = 0
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text", ""), str):
                raise ValueError("expected an object with a string 'text'")
        except ValueError as error:
            failures += 1
            out.write(json.dumps({"id": None, "line": number, "error": f"not a valid input line: {error}"},
                                 ensure_ascii=False) + "\n")
            continue
        try:
            times = [t.to_json() for t in tag(row.get("text") or "", row.get("reference"))]
            out.write(json.dumps({"id": row.get("id"), "times": times}, ensure_ascii=False) + "\n")
        except Exception as error:  # one bad text must not stop a batch: report it on its own line
            failures += 1
            out.write(json.dumps({"id": row.get("id"), "times": [], "error": f"{type(error).__name__}: {error}"},
                                 ensure_ascii=False) + "\n")
    out.flush()
    return 1 if failures else 0


def _events_frame(results) -> "pd.DataFrame":
    import pandas as pd

    from .model import EVENT_FIELDS

    rows = [event for result in results for event in result.events]
    return pd.DataFrame(rows, columns=EVENT_FIELDS)


def _write_frame(frame, fmt: str, output: str | None) -> None:
    from .exports import write_export

    if output in (None, "-"):
        write_export(frame, sys.stdout, fmt)
        sys.stdout.flush()
    else:
        write_export(frame, output, fmt)


def _report(error) -> None:
    print(f"timeline: {error.describe() if hasattr(error, 'describe') else error}", file=sys.stderr)


def _progress(total_hint: int | None = None):
    from tqdm import tqdm

    # shown on a terminal only (disable=None): piped runs and CI logs stay clean
    return tqdm(total=total_hint, unit="doc", file=sys.stderr, disable=None, dynamic_ncols=True,
                desc="extracting")


def _cmd_extract(args) -> int:
    from .errors import InputError
    from .pipeline import extract_paths, parse_date_argument
    from .store import Store

    published = parse_date_argument(args.published)
    results = []
    failures = 0
    store = None if args.no_store else Store(args.db)
    bar = _progress()
    try:
        batch = []
        for item in extract_paths(args.paths, published, workers=args.workers):
            if isinstance(item, InputError):
                failures += 1
                bar.clear()
                _report(item)
                continue
            results.append(item)
            batch.append(item)
            bar.update(1)
            if store is not None and len(batch) >= 200:
                store.ingest(batch)
                batch.clear()
        if store is not None and batch:
            store.ingest(batch)
    finally:
        bar.close()
        if store is not None:
            store.close()
    _write_frame(_events_frame(results), args.format, args.output)
    events = sum(len(r.events) for r in results)
    print(f"timeline: {len(results)} documents, {events} events"
          + (f", stored in {args.db}" if store is not None else "")
          + (f"; {failures} problem(s) reported above" if failures else ""), file=sys.stderr)
    return 1 if failures else 0


def _cmd_events(args) -> int:
    from .pipeline import parse_date_argument
    from .store import Store

    with Store(args.db, read_only=True) as store:
        frame = store.events_frame(actor=args.actor, date_from=parse_date_argument(args.date_from),
                                   date_to=parse_date_argument(args.date_to), source=args.source,
                                   text=args.query, limit=args.limit)
    _write_frame(frame, args.format, args.output)
    return 0


def _cmd_actors(args) -> int:
    from .store import Store

    with Store(args.db, read_only=True) as store:
        frame = store.actors_frame()
    if args.format == "table":
        for row in frame.itertuples(index=False):
            print(f"{row.events:>6}  {row.kind:<13} {row.canonical}")
        return 0
    _write_frame(frame, args.format, args.output)
    return 0


def _cmd_mentions(args) -> int:
    from .actors import mentions_jsonl

    source = args.input or sys.stdin
    if source is sys.stdin:
        sys.stdin.reconfigure(encoding="utf-8")
    sys.stdout.reconfigure(encoding="utf-8")
    errors = mentions_jsonl(source, sys.stdout)
    sys.stdout.flush()
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    from .paths import DEFAULT_DB

    parser = argparse.ArgumentParser(prog="timeline", description="Arabic news to event timelines.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_tag = sub.add_parser("tag", help="tag temporal expressions: JSON lines on stdin, JSON lines on stdout")
    p_tag.add_argument("--input", type=argparse.FileType("r", encoding="utf-8"), default=None)

    p_mentions = sub.add_parser("mentions", help="actor mentions: JSON lines {id, text} in, {id, actors} out")
    p_mentions.add_argument("--input", type=argparse.FileType("r", encoding="utf-8"), default=None)

    p_extract = sub.add_parser("extract", help="extract events from articles (files or folders) into the store")
    p_extract.add_argument("paths", nargs="+", metavar="PATH")
    p_extract.add_argument("--published", help="publication date (YYYY-MM-DD) for articles that state none")
    p_extract.add_argument("--db", default=str(DEFAULT_DB), help="the DuckDB store (default: %(default)s)")
    p_extract.add_argument("--no-store", action="store_true", help="only print the events")
    p_extract.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    p_extract.add_argument("--output", help="write the events here instead of stdout")
    p_extract.add_argument("--workers", type=int, default=1, help="processes for extraction (default 1)")

    p_events = sub.add_parser("events", help="list stored events")
    p_events.add_argument("query", nargs="?", help="text to search in the event descriptions")
    p_events.add_argument("--db", default=str(DEFAULT_DB))
    p_events.add_argument("--actor")
    p_events.add_argument("--from", dest="date_from")
    p_events.add_argument("--to", dest="date_to")
    p_events.add_argument("--source")
    p_events.add_argument("--limit", type=int)
    p_events.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    p_events.add_argument("--output")

    p_actors = sub.add_parser("actors", help="list stored actors with their event counts")
    p_actors.add_argument("--db", default=str(DEFAULT_DB))
    p_actors.add_argument("--format", choices=["table", "jsonl", "csv"], default="table")
    p_actors.add_argument("--output")

    args = parser.parse_args(argv)
    from .errors import TimelineError

    try:
        if args.command == "tag":
            source = args.input or sys.stdin
            if source is sys.stdin:
                sys.stdin.reconfigure(encoding="utf-8")
            sys.stdout.reconfigure(encoding="utf-8")
            return _tag_stream(source, sys.stdout)
        handler = {"extract": _cmd_extract, "events": _cmd_events, "actors": _cmd_actors,
                   "mentions": _cmd_mentions}[args.command]
        return handler(args)
    except TimelineError as error:
        _report(error)
        return 2
    except KeyboardInterrupt:
        print("timeline: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
