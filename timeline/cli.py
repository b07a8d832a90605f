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


class _EventsOutput:
    """Events written as they come, partition by partition, in input order: JSON lines and CSV
    stream; Parquet goes through a ParquetWriter. A file is written under a temporary name and
    renamed at the end (an interrupted run leaves no half file); "-" or None is stdout."""

    def __init__(self, fmt: str, output: str | None):
        import os
        import tempfile

        self.fmt = fmt
        self.output = None if output in (None, "-") else output
        self.count = 0
        self._writer = None
        self._header = True
        if self.output is None:
            if fmt == "parquet":
                self._tmp_fd, self._tmp = tempfile.mkstemp(prefix="timeline-events-", suffix=".parquet")
                self._fh = os.fdopen(self._tmp_fd, "w+b")
            else:
                sys.stdout.flush()
                self._fh = sys.stdout.buffer
                self._tmp = None
        else:
            folder = os.path.dirname(os.path.abspath(self.output))
            self._tmp_fd, self._tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(self.output)}.",
                                                       suffix=".tmp")
            self._fh = os.fdopen(self._tmp_fd, "w+b")

    def write(self, events) -> None:
        """events: an Arrow table in store.EVENT_SCHEMA."""
        if events is None:
            return
        self.count += events.num_rows
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            if self._writer is None:
                self._writer = pq.ParquetWriter(self._fh, events.schema)
            if events.num_rows:
                self._writer.write_table(events)
            return
        if not events.num_rows and not (self.fmt == "csv" and self._header):
            return
        from .exports import to_csv_bytes, to_jsonl_bytes

        frame = _arrow_events_frame(events)
        if self.fmt == "jsonl":
            data = to_jsonl_bytes(frame)
        else:
            data = to_csv_bytes(frame)
            if not self._header:       # BOM and header once, at the top
                data = data[len(b"\xef\xbb\xbf"):].split(b"\r\n", 1)[1]
            self._header = False
        self._fh.write(data)
        if self.output is None:
            self._fh.flush()

    def close(self, ok: bool = True) -> None:
        import os
        import shutil

        if self.fmt == "parquet" and self._writer is None:
            from .store import EVENT_SCHEMA

            self.write(EVENT_SCHEMA.empty_table())
        if self.fmt == "csv" and self._header:
            from .store import EVENT_SCHEMA

            self.write(EVENT_SCHEMA.empty_table())
        if self._writer is not None:
            self._writer.close()
        self._fh.flush()
        if self._tmp is None:
            return
        if self.output is None:           # parquet to stdout
            self._fh.seek(0)
            shutil.copyfileobj(self._fh, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            self._fh.close()
            os.unlink(self._tmp)
            return
        self._fh.close()
        if ok:
            os.replace(self._tmp, self.output)
        else:
            os.unlink(self._tmp)


def _arrow_events_frame(table):
    """An Arrow events table as the frame `timeline events` exports (as Store.events_frame)."""
    import pandas as pd
    import pyarrow as pa

    lists = {c: table.column(c).to_pylist() for c in ("actors", "actor_kinds")}
    frame = table.drop_columns(list(lists)).to_pandas(
        types_mapper={pa.int32(): pd.Int64Dtype(), pa.int64(): pd.Int64Dtype()}.get)
    for col, values in lists.items():
        frame[col] = pd.Series([v if v is not None else [] for v in values], index=frame.index, dtype=object)
    return frame[table.column_names]


class _ErrorReporter:
    """Each problem as `timeline: FILE:LINE: message [id]` on stderr (the first `limit`), all of
    them as JSON lines in --errors FILE."""

    def __init__(self, progress, path: str | None, limit: int = 100):
        self.progress = progress
        self.limit = limit
        self.shown = 0
        self.total = 0
        self.file = open(path, "a", encoding="utf-8") if path else None

    def __call__(self, record: dict) -> None:
        self.total += 1
        if self.file is not None:
            self.file.write(json.dumps(record, ensure_ascii=False) + "\n")
        if self.shown < self.limit:
            self.shown += 1
            self.progress.clear()
            label = f" [{record['id']}]" if record.get("id") else ""
            kind = "warning: " if record["kind"] == "no_date" else ""
            print(f"timeline: {record['where']}: {kind}{record['message']}{label}", file=sys.stderr)
            if self.shown == self.limit:
                print(f"timeline: (further problems are counted in the summary"
                      + (f" and written to {self.file.name})" if self.file else "; --errors FILE keeps them all)"),
                      file=sys.stderr)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _cmd_extract(args) -> int:
    from . import pipeline
    from .store import Store

    published = pipeline.parse_date_argument(args.published)
    workers = args.workers if args.workers is not None else pipeline.default_workers()
    if workers < 1:
        raise pipeline.InputError(None, "--workers must be at least 1")
    if args.partition_size < 1:
        raise pipeline.InputError(None, "--partition-size must be at least 1")
    progress = pipeline.Progress(enabled=not args.quiet, interval=args.progress_interval)
    reporter = _ErrorReporter(progress, args.errors)
    output = None if args.no_output else _EventsOutput(args.format, args.output)
    store = None if args.no_store else Store(args.db)
    ok = False
    try:
        if args.scheduler:
            from .distributed import extract_to_parquet

            dataset = args.output_dataset or (str(args.db) + ".parts" if store is not None else None)
            if dataset is None:
                raise pipeline.InputError(None, "--scheduler needs --output-dataset DIR with --no-store "
                                                "(the workers write Parquet parts there)")
            summary = extract_to_parquet(args.paths, dataset, scheduler=args.scheduler,
                                         partition_size=args.partition_size, published=published,
                                         progress=progress, on_error=reporter, resume=not args.restart,
                                         store=store, events_output=output)
        else:
            summary = pipeline.extract_archive(
                args.paths, store, published=published, workers=workers,
                partition_size=args.partition_size, out_dir=args.output_dataset,
                resume=not args.restart, progress=progress, on_error=reporter,
                on_result=(lambda r: output.write(_result_events(r, args.output_dataset)))
                if output is not None else None)
        ok = True
    finally:
        progress.close()
        reporter.close()
        if output is not None:
            output.close(ok)
        if store is not None:
            store.close()
    where = []
    if store is not None:
        where.append(f"stored in {args.db} ({summary.stored_documents:,} new)")
    if args.output_dataset or args.scheduler:
        where.append(f"Parquet parts in {args.output_dataset or str(args.db) + '.parts'}")
    print(f"timeline: {summary.describe()}" + ("; " + ", ".join(where) if where else ""), file=sys.stderr)
    return 1 if summary.error_count else 0


def _result_events(result, dataset: str | None):
    if result.tables is not None:
        return result.tables["events"]
    if dataset and result.written:
        import pyarrow.parquet as pq

        from .store import EVENT_SCHEMA

        return pq.read_table(f"{dataset}/events/{result.key}.parquet").select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA)
    return None


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
    # demonyms ("الروسي") name a country's people, not an entity an NER reader marks: left out
    # unless asked for (events keep them as mentions of their country)
    errors = mentions_jsonl(source, sys.stdout, demonyms=args.demonyms)
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
    p_mentions.add_argument("--demonyms", action="store_true",
                            help="also list demonyms (الروسي) as mentions of their country")

    p_extract = sub.add_parser("extract", help="extract events from articles (files or folders) into the store")
    p_extract.add_argument("paths", nargs="+", metavar="PATH")
    p_extract.add_argument("--published", help="publication date (YYYY-MM-DD) for articles that state none")
    p_extract.add_argument("--db", default=str(DEFAULT_DB), help="the DuckDB store (default: %(default)s)")
    p_extract.add_argument("--no-store", action="store_true", help="only print the events")
    p_extract.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    p_extract.add_argument("--output", help="write the events here instead of stdout")
    p_extract.add_argument("--no-output", action="store_true", help="do not write the events (store only)")
    p_extract.add_argument("--workers", type=int, default=None,
                           help="local worker processes (default: all cores, here %d)" % (__import__("os").cpu_count() or 1))
    p_extract.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                           help="run on this Dask cluster instead of the local pool")
    p_extract.add_argument("--output-dataset", metavar="DIR",
                           help="also write Parquet parts (documents/, events/, ...) here, a dataset DuckDB "
                                "reads directly; with --scheduler the workers write them (a shared folder)")
    p_extract.add_argument("--partition-size", type=int, default=256, metavar="N",
                           help="input lines (or files) per task (default %(default)s)")
    p_extract.add_argument("--restart", action="store_true",
                           help="ignore the manifest of an earlier run and extract everything again")
    p_extract.add_argument("--errors", metavar="FILE", help="append every problem to FILE as JSON lines")
    p_extract.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p_extract.add_argument("--progress-interval", type=float, default=10.0, metavar="S",
                           help="seconds between progress lines when stderr is not a terminal")

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
