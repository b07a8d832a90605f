"""The embedded DuckDB store: documents, time expressions, events and actors.

One `Store` is one DuckDB connection. Writers take DuckDB's file lock, so a second writer (or a reader
while a writer is open) gets `StoreInUseError` instead of a raw IOException. Readers should open with
`read_only=True`: any number of read-only processes can share the file while nobody writes.

Ingest is idempotent and atomic per batch: a document id is a content hash, so a document already
stored is skipped whole, and every batch is one transaction, so a failure or a kill leaves only whole
documents (each with all its time expressions, events and actor links) from fully committed batches.
Batches are inserted column-wise through Arrow tables; `executemany` is far too slow in DuckDB.

A distributed run writes one Parquet part per partition with `write_parquet_dataset` (no store, no
lock needed on the workers) and `Store.ingest_parquet_dataset` loads the parts afterwards.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import model
from .errors import StoreInUseError, TimelineError
from .paths import DEFAULT_DB

SCHEMA_VERSION = 1

# Arrow schemas double as the table definitions, so the SQL DDL, the batch builder and the Parquet
# parts cannot drift apart. Column order here is the table's column order.
DOCUMENT_SCHEMA = pa.schema([
    ("id", pa.string()), ("external_id", pa.string()), ("title", pa.string()), ("text", pa.string()),
    ("published", pa.date32()), ("published_raw", pa.string()), ("published_from", pa.string()),
    ("source", pa.string()), ("url", pa.string()), ("path", pa.string()),
    ("tags", pa.list_(pa.string())), ("parent_id", pa.string()),
    ("boilerplate", pa.list_(pa.list_(pa.int32()))),   # [[start, end], ...] spans without events
    ("ingested_at", pa.timestamp("us")),
])
TIME_EXPRESSION_SCHEMA = pa.schema([
    ("document_id", pa.string()), ("start", pa.int32()), ("end", pa.int32()), ("text", pa.string()),
    ("type", pa.string()), ("value", pa.string()), ("mod", pa.string()),
    ("interval_start", pa.date32()), ("interval_end", pa.date32()), ("granularity", pa.string()),
    ("calendar", pa.string()), ("hijri", pa.string()), ("anchor", pa.string()), ("note", pa.string()),
    # Not in the original brief but part of model.TimeExpression; kept so nothing is lost.
    ("anchor_text", pa.string()), ("quant", pa.string()), ("bound", pa.string()),
])
_EVENT_TYPES = {
    "published": pa.date32(), "date_start": pa.date32(), "date_end": pa.date32(),
    "evidence_start": pa.int32(), "evidence_end": pa.int32(),
    "date_start_offset": pa.int32(), "date_end_offset": pa.int32(),
    "actors": pa.list_(pa.string()), "actor_kinds": pa.list_(pa.string()),
    "confidence": pa.float64(),
}
EVENT_SCHEMA = pa.schema([(f, _EVENT_TYPES.get(f, pa.string())) for f in model.EVENT_FIELDS])
ACTOR_SCHEMA = pa.schema([("canonical", pa.string()), ("kind", pa.string()),
                          ("aliases", pa.list_(pa.string()))])
EVENT_ACTOR_SCHEMA = pa.schema([("event_id", pa.string()), ("canonical", pa.string()),
                                ("kind", pa.string())])

TABLES = {
    "documents": DOCUMENT_SCHEMA,
    "time_expressions": TIME_EXPRESSION_SCHEMA,
    "events": EVENT_SCHEMA,
    "actors": ACTOR_SCHEMA,
    "event_actors": EVENT_ACTOR_SCHEMA,
}
_PRIMARY_KEYS = {"documents": ("id",), "events": ("event_id",), "actors": ("canonical", "kind")}
UNKNOWN_KIND = "unknown"   # actors.kind is part of the primary key, so it cannot be NULL

_SQL_TYPES = {
    pa.string(): "VARCHAR", pa.date32(): "DATE", pa.int32(): "INTEGER", pa.float64(): "DOUBLE",
    pa.timestamp("us"): "TIMESTAMP", pa.list_(pa.string()): "VARCHAR[]",
    pa.list_(pa.list_(pa.int32())): "INTEGER[][]",
}

# Matching form for actor search: the project's one folding table (timeline.normalize.FOLD_TABLE) as
# SQL — deletions by one regexp_replace, one-for-one letters by translate, ligatures by replace — and
# lower case, so the store's search folds letters exactly as the app's and the actor matcher do.
# Temporary, so it is never part of the stored schema and read-only connections can define it too.
def _norm_macro() -> str:
    from .normalize import FOLD_TABLE

    def sql(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    deleted = "".join(k for k, v in FOLD_TABLE.items() if not v)
    one = {k: v for k, v in FOLD_TABLE.items() if len(v) == 1 and k != "'"}
    expression = "lower(x)"
    for source, target in ((k, v) for k, v in FOLD_TABLE.items() if len(v) > 1):
        expression = f"replace({expression}, {sql(source)}, {sql(target)})"
    if deleted:
        expression = f"regexp_replace({expression}, {sql('[' + ''.join(deleted) + ']')}, '', 'g')"
    expression = f"translate({expression}, {sql(''.join(one))}, {sql(''.join(one.values()))})"
    return f"CREATE OR REPLACE TEMP MACRO tl_norm(x) AS {expression}"


_NORM_MACRO = _norm_macro()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_table_sql(name: str, schema: pa.Schema) -> str:
    cols = [f"{_quote(f.name)} {_SQL_TYPES[f.type]}" for f in schema]
    if name in _PRIMARY_KEYS:
        cols.append("PRIMARY KEY (" + ", ".join(_quote(c) for c in _PRIMARY_KEYS[name]) + ")")
    return f"CREATE TABLE IF NOT EXISTS {name} (" + ", ".join(cols) + ")"


@dataclass
class IngestReport:
    documents_added: int = 0
    documents_skipped: int = 0      # already in the store (or repeated in the input)
    events_added: int = 0
    batches: int = 0                # batches committed
    events_duplicate: int = 0       # events dropped because their event_id repeated in a batch

    def __iadd__(self, other: "IngestReport") -> "IngestReport":
        self.documents_added += other.documents_added
        self.documents_skipped += other.documents_skipped
        self.events_added += other.events_added
        self.batches += other.batches
        self.events_duplicate += other.events_duplicate
        return self


# --------------------------------------------------------------------------------------------------
# Building Arrow tables from ExtractResults (used by ingest and by write_parquet_dataset)

def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10]) if value else None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    raise TypeError(f"not a date: {value!r}")


def _fields(obj: Any) -> dict[str, Any]:
    return obj if isinstance(obj, dict) else vars(obj)


def _event_id(document_id: str, event: dict[str, Any]) -> str:
    # Only used when the extractor left event_id empty: stable hash of document + evidence span.
    key = "\x1f".join(str(event.get(k)) for k in
                      ("evidence_start", "evidence_end", "date_text", "description"))
    return hashlib.sha256(f"{document_id}\x1f{key}".encode()).hexdigest()[:16]


def _merge_aliases(*lists: Iterable[str] | None) -> list[str]:
    seen: dict[str, None] = {}
    for aliases in lists:
        for a in aliases or ():
            if a:
                seen.setdefault(a, None)
    return list(seen)


class _BatchBuilder:
    """Collects one batch of ExtractResults as columns; `tables()` turns them into Arrow tables."""

    def __init__(self, ingested_at: dt.datetime | None = None):
        self.ingested_at = ingested_at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        self.cols = {name: {f.name: [] for f in schema} for name, schema in TABLES.items()}
        self.doc_ids: set[str] = set()
        self.event_ids: set[str] = set()
        self.actors: dict[tuple[str, str], list[str]] = {}
        self.documents_repeated = 0
        self.events_duplicate = 0

    def add(self, result: model.ExtractResult) -> None:
        doc = result.document
        if not doc.id:
            raise TimelineError(f"{doc.path or '<input>'}: document has no id")
        if doc.id in self.doc_ids:          # the same article twice in one batch: keep the first
            self.documents_repeated += 1
            return
        self.doc_ids.add(doc.id)
        published = _as_date(doc.published)
        d = self.cols["documents"]
        d["id"].append(doc.id); d["external_id"].append(doc.external_id); d["title"].append(doc.title)
        d["text"].append(doc.text); d["published"].append(published)
        d["published_raw"].append(doc.published_raw); d["published_from"].append(doc.published_from)
        d["source"].append(doc.source); d["url"].append(doc.url); d["path"].append(doc.path)
        d["tags"].append(list(doc.tags or [])); d["parent_id"].append(doc.parent_id)
        d["boilerplate"].append([[int(s), int(e)] for s, e in (doc.boilerplate or [])])
        d["ingested_at"].append(self.ingested_at)

        t = self.cols["time_expressions"]
        for te in result.time_expressions:
            f = _fields(te)
            interval = f.get("interval")
            t["document_id"].append(doc.id)
            for k in ("start", "end", "text", "type", "value", "mod", "granularity", "hijri", "anchor",
                      "note", "anchor_text", "quant", "bound"):
                t[k].append(f.get(k))
            t["calendar"].append(f.get("calendar") or "gregorian")
            t["interval_start"].append(_as_date(interval[0]) if interval else None)
            t["interval_end"].append(_as_date(interval[1]) if interval else None)

        e = self.cols["events"]
        ea = self.cols["event_actors"]
        defaults = {"document_id": doc.id, "title": doc.title, "source": doc.source,
                    "published": published}
        for event in result.events:
            event_id = event.get("event_id") or _event_id(doc.id, event)
            if event_id in self.event_ids:
                self.events_duplicate += 1
                continue
            self.event_ids.add(event_id)
            for k in model.EVENT_FIELDS:
                v = event.get(k)
                if v is None and k in defaults:
                    v = defaults[k]
                e[k].append(v)
            e["event_id"][-1] = event_id
            for k in ("published", "date_start", "date_end"):
                e[k][-1] = _as_date(e[k][-1])
            actors = list(event.get("actors") or [])
            kinds = list(event.get("actor_kinds") or [])
            e["actors"][-1] = actors
            e["actor_kinds"][-1] = kinds
            for i, name in enumerate(actors):
                if not name:
                    continue
                ea["event_id"].append(event_id)
                ea["canonical"].append(name)
                ea["kind"].append((kinds[i] if i < len(kinds) else None) or UNKNOWN_KIND)

        for actor in result.actors:
            f = _fields(actor)
            key = (f["canonical"], f.get("kind") or UNKNOWN_KIND)
            self.actors[key] = _merge_aliases(self.actors.get(key), f.get("aliases"))

    def __len__(self) -> int:
        return len(self.doc_ids)

    def tables(self) -> dict[str, pa.Table]:
        a = self.cols["actors"]
        for (canonical, kind), aliases in self.actors.items():
            a["canonical"].append(canonical); a["kind"].append(kind); a["aliases"].append(aliases)
        out = {}
        for name, schema in TABLES.items():
            arrays = []
            for f in schema:
                try:
                    arrays.append(pa.array(self.cols[name][f.name], type=f.type))
                except (pa.ArrowException, TypeError, ValueError) as exc:
                    raise TimelineError(f"{name}.{f.name}: cannot store value ({exc})") from exc
            out[name] = pa.Table.from_arrays(arrays, schema=schema)
        return out


def _batches(results: Iterable[model.ExtractResult], size: int) -> Iterator[list[model.ExtractResult]]:
    it = iter(results)
    while batch := list(itertools.islice(it, size)):
        yield batch


# --------------------------------------------------------------------------------------------------
# Parquet parts for distributed runs

def write_parquet_dataset(results: Iterable[model.ExtractResult], directory: str | os.PathLike,
                          part_name: str) -> dict[str, int]:
    """Write one part (one file in each of documents/, time_expressions/, events/, actors/,
    event_actors/) for the results of one partition. Returns row counts per table.

    Every file is written to a temporary name and renamed; documents/ is renamed last and is what
    `ingest_parquet_dataset` looks for, so a part killed half-way is simply not there yet.
    """
    if not re.fullmatch(r"[\w.-]+", part_name) or part_name.startswith("."):
        raise ValueError(f"part_name must be a plain file name, got {part_name!r}")
    builder = _BatchBuilder()
    for result in results:
        builder.add(result)
    tables = builder.tables()
    root = Path(directory)
    tmp_suffix = f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    pending = []
    try:
        for name in [*(n for n in TABLES if n != "documents"), "documents"]:
            folder = root / name
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{part_name}.parquet"
            tmp = folder / f".{part_name}.parquet{tmp_suffix}"
            pq.write_table(tables[name], tmp)
            pending.append((tmp, final))
        for tmp, final in pending:
            os.replace(tmp, final)
    finally:
        for tmp, _ in pending:
            if tmp.exists():
                tmp.unlink()
    return {name: t.num_rows for name, t in tables.items()}


def _read_part(root: Path, part_file: str) -> dict[str, pa.Table]:
    tables = {}
    for name, schema in TABLES.items():
        path = root / name / part_file
        if not path.exists():
            raise TimelineError(f"{path}: missing (the part is incomplete)")
        table = pq.read_table(path)
        tables[name] = table.select(schema.names).cast(schema)
    return tables


# --------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[str]:
    """Expose an Arrow table to SQL as `name` for the duration of the block."""
    con.register(name, table)
    try:
        yield name
    except BaseException:
        try:
            con.unregister(name)
        except duckdb.Error:
            pass   # an aborted transaction refuses even this; the error that got us here matters
        raise
    con.unregister(name)


def _damaged(exc: BaseException) -> bool:
    """A DuckDB error that means the file itself is damaged (not a bug in a query)."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.IOException) or "corrupt" in text or "checksum" in text


def _guarded(method):
    """Store methods that read or write the file: damage found mid-way is one clear TimelineError
    naming the store (the CLI prints it and exits non-zero), never a raw DuckDB traceback."""
    import functools

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except duckdb.Error as exc:
            if not _damaged(exc):
                raise
            raise TimelineError(f"{self._display}: the store file is damaged ({exc}); restore it from a "
                                "copy or extract into a new store") from exc
    return wrapper


class Store:
    """The DuckDB store. `Store()` opens (and creates) data/timeline.duckdb for writing."""

    def __init__(self, path: str | os.PathLike = DEFAULT_DB, read_only: bool = False):
        self.path = str(path)
        self.read_only = read_only
        self._display = self._display_path(self.path)
        in_memory = self.path == ":memory:"
        if read_only and not in_memory and not Path(self.path).exists():
            # Nothing extracted yet: an empty in-memory store answers has_documents() -> False.
            self.con = duckdb.connect(":memory:")
            self._create_schema()
        else:
            if not read_only and not in_memory:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.con = self._connect(read_only)
            try:
                self._check_schema()
            except duckdb.Error as exc:
                self.con.close()
                raise TimelineError(f"{self._display}: cannot read the store, the file is damaged ({exc}); "
                                    "restore it from a copy or extract into a new store") from exc
            except BaseException:
                self.con.close()
                raise
        self.con.execute(_NORM_MACRO)

    @staticmethod
    def _display_path(path: str) -> str:
        # Name the store as the user would type it: relative to the working directory when inside it.
        if os.path.isabs(path):
            try:
                rel = os.path.relpath(path)
            except ValueError:      # another drive on Windows
                return path
            if not rel.startswith(".."):
                return rel
        return path

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            msg = str(exc)
            if "lock" not in msg.lower():
                raise TimelineError(f"{self._display}: cannot open the store ({msg})") from exc
            holder = re.search(r"held in (.+?) \(PID (\d+)\)", msg)
            who = f"PID {holder.group(2)}, {holder.group(1)}" if holder else msg
            raise StoreInUseError(
                f"{self._display} is in use by another process ({who}); close it or wait for it "
                f"to finish") from exc
        except duckdb.ConnectionException as exc:
            # Same process, other mode (read-only vs read-write) already open.
            raise StoreInUseError(
                f"{self._display} is in use by another process (already open in this process "
                f"{'for writing' if read_only else 'read-only'})") from exc
        except duckdb.Error as exc:
            # A damaged file (checksum mismatch, bad WAL) must be one clear line, not a traceback.
            raise TimelineError(f"{self._display}: cannot open the store, the file is damaged ({exc}); "
                                "restore it from a copy or extract into a new store") from exc

    def _create_schema(self) -> None:
        self.con.execute("BEGIN")
        try:
            self.con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for name, schema in TABLES.items():
                self.con.execute(_create_table_sql(name, schema))
            if not self.con.execute("SELECT count(*) FROM schema_version").fetchall()[0][0]:
                self.con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION])
            self.con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            raise

    def _check_schema(self) -> None:
        has_version = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchall()[0][0]
        if not has_version:
            if self.read_only:
                raise TimelineError(f"{self._display}: not a timeline store (no schema_version table)")
            self._create_schema()
            return
        row = self.con.execute("SELECT max(version) FROM schema_version").fetchall()[0]
        if row[0] != SCHEMA_VERSION:
            raise TimelineError(f"{self._display}: store schema version {row[0]}, this version of "
                                f"timeline reads version {SCHEMA_VERSION}; extract into a new store")

    # context manager ------------------------------------------------------------------------------
    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # writing --------------------------------------------------------------------------------------
    @_guarded
    def ingest(self, results: Iterable[model.ExtractResult], batch_size: int = 500) -> IngestReport:
        """Store results batch by batch, one transaction per batch; skip documents already stored."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        report = IngestReport()
        for batch in _batches(results, batch_size):
            # Skip stored documents before building their rows (re-runs stay cheap); the
            # transaction in _insert_tables checks again, so this is only an optimization.
            stored = self._stored_ids([r.document.id for r in batch])
            builder = _BatchBuilder()
            for result in batch:
                if result.document.id not in stored:
                    builder.add(result)
            report.documents_skipped += sum(1 for r in batch if r.document.id in stored)
            part = self._insert_tables(builder.tables())
            part.documents_skipped += builder.documents_repeated
            part.events_duplicate += builder.events_duplicate
            report += part
        return report

    @_guarded
    def ingest_parquet_dataset(self, directory: str | os.PathLike) -> IngestReport:
        """Load every complete part written by `write_parquet_dataset`, one transaction per part."""
        root = Path(directory)
        report = IngestReport()
        parts = sorted(p.name for p in (root / "documents").glob("*.parquet")
                       if not p.name.startswith("."))
        for part_file in parts:
            report += self._insert_tables(_read_part(root, part_file))
        return report

    def _stored_ids(self, ids: list[str]) -> set[str]:
        con = self._writable()
        with _registered(con, "_tl_probe_ids", pa.table({"id": pa.array(ids, pa.string())})):
            return {r[0] for r in con.execute(
                "SELECT d.id FROM documents d JOIN _tl_probe_ids b ON d.id = b.id").fetchall()}

    @_guarded
    def _insert_tables(self, tables: dict[str, pa.Table]) -> IngestReport:
        """One transaction: insert the documents not yet stored with everything that hangs on them."""
        con = self._writable()
        report = IngestReport()
        docs = tables["documents"]
        con.execute("BEGIN TRANSACTION")
        try:
            existing = self._stored_ids(docs["id"].to_pylist())
            if existing:
                keep = pc.invert(pc.is_in(docs["id"], value_set=pa.array(list(existing), pa.string())))
                docs = docs.filter(keep)
                new_ids = docs["id"]
                tes = tables["time_expressions"].filter(
                    pc.is_in(tables["time_expressions"]["document_id"], value_set=new_ids))
                events = tables["events"].filter(
                    pc.is_in(tables["events"]["document_id"], value_set=new_ids))
                eas = tables["event_actors"].filter(
                    pc.is_in(tables["event_actors"]["event_id"], value_set=events["event_id"]))
            else:
                tes, events, eas = (tables["time_expressions"], tables["events"],
                                    tables["event_actors"])
            report.documents_skipped = len(existing)
            self._append(con, "documents", docs)
            self._append(con, "time_expressions", tes)
            self._append(con, "events", events)
            self._append(con, "event_actors", eas)
            self._upsert_actors(con, tables["actors"])
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass   # the connection is gone; DuckDB discards the uncommitted transaction anyway
            raise
        report.documents_added = docs.num_rows
        report.events_added = events.num_rows
        report.batches = 1
        return report

    @staticmethod
    def _append(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
        if not table.num_rows:
            return
        view = f"_tl_batch_{name}"
        cols = ", ".join(_quote(c) for c in table.column_names)
        with _registered(con, view, table):
            con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {view}")

    @staticmethod
    def _upsert_actors(con: duckdb.DuckDBPyConnection, actors: pa.Table) -> None:
        if not actors.num_rows:
            return
        with _registered(con, "_tl_batch_actor_keys", actors.select(["canonical", "kind"])):
            stored = {(c, k): a for c, k, a in con.execute(
                "SELECT a.canonical, a.kind, a.aliases FROM actors a "
                "JOIN _tl_batch_actor_keys b ON a.canonical = b.canonical AND a.kind = b.kind"
            ).fetchall()}
        rows = actors.to_pylist()
        for row in rows:   # stored aliases first, so earlier spellings keep their place
            row["aliases"] = _merge_aliases(stored.get((row["canonical"], row["kind"])), row["aliases"])
        merged = pa.Table.from_pylist(rows, schema=ACTOR_SCHEMA)
        with _registered(con, "_tl_batch_actors", merged):
            con.execute("INSERT INTO actors SELECT canonical, kind, aliases FROM _tl_batch_actors "
                        "ON CONFLICT (canonical, kind) DO UPDATE SET aliases = excluded.aliases")

    def _open_con(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            raise TimelineError(f"{self._display}: the store is closed")
        return self.con

    def _writable(self) -> duckdb.DuckDBPyConnection:
        self._open_con()
        if self.read_only:
            raise TimelineError(f"{self._display}: opened read-only; open with read_only=False to write")
        return self.con

    # reading --------------------------------------------------------------------------------------
    @_guarded
    def _frame(self, sql: str, params: Sequence[Any] = (), list_columns: Sequence[str] = ()) -> pd.DataFrame:
        table = self._open_con().sql(sql, params=list(params) or None).to_arrow_table()
        # Nullable integers stay integers (no 12.0 in exports); dates stay datetime.date; list
        # columns become Python lists (to_pylist is much faster than converting numpy arrays).
        lists = {c: table.column(c).to_pylist() for c in list_columns}
        frame = table.drop_columns(list(list_columns)).to_pandas(
            types_mapper={pa.int32(): pd.Int64Dtype(), pa.int64(): pd.Int64Dtype()}.get)
        for col in list_columns:
            values = [v if v is not None else [] for v in lists[col]]
            frame[col] = pd.Series(values, index=frame.index, dtype=object)
        return frame[table.column_names]

    def events_frame(self, actor: str | None = None, date_from: dt.date | str | None = None,
                     date_to: dt.date | str | None = None, source: str | Sequence[str] | None = None,
                     text: str | None = None, document_id: str | None = None,
                     limit: int | None = None) -> pd.DataFrame:
        """Events ordered by date (undated last), columns exactly model.EVENT_FIELDS.

        actor: substring of a canonical name or alias, ignoring case, tashkeel and letter variants.
        date_from/date_to: keep events whose interval overlaps [date_from, date_to] (undated drop out).
        text: substring of description or sentence (case-insensitive).
        """
        where, params = [], []
        if actor:
            where.append(
                "list_has_any(e.actors, (SELECT coalesce(list(DISTINCT c), []) FROM ("
                " SELECT canonical AS c FROM actors WHERE contains(tl_norm(canonical), tl_norm(?))"
                " UNION SELECT canonical FROM (SELECT canonical, unnest(aliases) AS alias FROM actors)"
                "   WHERE contains(tl_norm(alias), tl_norm(?))"
                " UNION SELECT canonical FROM (SELECT DISTINCT canonical FROM event_actors)"
                "   WHERE contains(tl_norm(canonical), tl_norm(?)))))")
            params += [actor, actor, actor]
        if date_from is not None:
            where.append("coalesce(e.date_end, e.date_start) >= ?")
            params.append(_as_date(date_from))
        if date_to is not None:
            where.append("e.date_start <= ?")
            params.append(_as_date(date_to))
        if source:
            sources = [source] if isinstance(source, str) else list(source)
            where.append("e.source IN (" + ", ".join("?" * len(sources)) + ")")
            params += sources
        if text:
            where.append("(contains(lower(e.description), lower(?)) OR contains(lower(e.sentence), lower(?)))")
            params += [text, text]
        if document_id:
            where.append("e.document_id = ?")
            params.append(document_id)
        cols = ", ".join("e." + _quote(c) for c in model.EVENT_FIELDS)
        sql = f"SELECT {cols} FROM events e"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY e.date_start NULLS LAST, e.date_end NULLS LAST, e.document_id, e.evidence_start, e.event_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._frame(sql, params, ["actors", "actor_kinds"])

    def actors_frame(self) -> pd.DataFrame:
        """canonical, kind, aliases, events (number of events naming it), most mentioned first.
        Also lists names linked from events but missing from the actors table (no aliases)."""
        return self._frame(
            "WITH counts AS (SELECT canonical, kind, count(*) AS n FROM event_actors GROUP BY ALL) "
            "SELECT coalesce(a.canonical, c.canonical) AS canonical, coalesce(a.kind, c.kind) AS kind, "
            "coalesce(a.aliases, []::VARCHAR[]) AS aliases, coalesce(c.n, 0) AS events "
            "FROM actors a FULL OUTER JOIN counts c ON a.canonical = c.canonical AND a.kind = c.kind "
            "ORDER BY events DESC, canonical, kind", list_columns=["aliases"])

    def documents_frame(self, include_text: bool = False) -> pd.DataFrame:
        """One row per document with its number of events; the body only with include_text."""
        cols = [c for c in DOCUMENT_SCHEMA.names if include_text or c != "text"]
        sel = ", ".join("d." + _quote(c) for c in cols)
        frame = self._frame(
            f"SELECT {sel}, coalesce(n.events, 0) AS events FROM documents d LEFT JOIN "
            "(SELECT document_id, count(*) AS events FROM events GROUP BY ALL) n ON n.document_id = d.id "
            "ORDER BY d.published NULLS LAST, d.id", list_columns=["tags", "boilerplate"])
        frame["boilerplate"] = pd.Series([[tuple(s) for s in b] for b in frame["boilerplate"]],
                                         index=frame.index, dtype=object)
        return frame

    def document(self, document_id: str) -> dict[str, Any] | None:
        """The stored document as a dict (text, tags and boilerplate spans included), or None."""
        frame = self._frame("SELECT * FROM documents WHERE id = ?", [document_id],
                            list_columns=["tags", "boilerplate"])
        if frame.empty:
            return None
        row = {k: _plain(v) for k, v in frame.iloc[0].items()}
        row["boilerplate"] = [tuple(s) for s in row["boilerplate"]]
        return row

    def time_expressions_frame(self, document_id: str | None = None) -> pd.DataFrame:
        sql = "SELECT * FROM time_expressions"
        params: list[Any] = []
        if document_id:
            sql += " WHERE document_id = ?"
            params.append(document_id)
        return self._frame(sql + ' ORDER BY document_id, start, "end"', params)

    @_guarded
    def has_documents(self) -> bool:
        return self._open_con().execute("SELECT EXISTS (SELECT 1 FROM documents)").fetchall()[0][0]

    @_guarded
    def stats(self) -> dict[str, int]:
        row = self._open_con().execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM time_expressions),"
            " (SELECT count(*) FROM events), (SELECT count(*) FROM events WHERE date_start IS NOT NULL),"
            " (SELECT count(*) FROM actors), (SELECT count(*) FROM event_actors),"
            " (SELECT count(DISTINCT source) FROM documents)").fetchall()[0]
        keys = ["documents", "time_expressions", "events", "dated_events", "actors", "event_actors",
                "sources"]
        return dict(zip(keys, (int(v) for v in row)))


def _plain(value: Any) -> Any:
    """pandas/numpy scalars to plain Python values for document()."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (list, str)):
        return value.item()
    return value
