"""The whole flow: paths → documents → extraction → (store). One function per use, shared by the
CLI, the app and the distributed runner.

Extraction is a pure function of one document (`extract_document`), so it runs the same in this
process, in a local process pool, or on a Dask cluster (timeline.distributed).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .documents import missing_date_error, read_paths
from .errors import InputError
from .events import extract_events
from .model import Document, ExtractResult

# Articles longer than this are recorded as errors and skipped: a batch run must not exhaust memory
# on one pathological input (a 50 MB "article" is a file of something else).
MAX_ARTICLE_CHARS = 2_000_000


def extract_document(document: Document) -> ExtractResult:
    """Time expressions, events and actors of one document."""
    if len(document.text) > MAX_ARTICLE_CHARS:
        raise InputError(document.path, f"article too long ({len(document.text):,} characters; "
                                        f"the limit is {MAX_ARTICLE_CHARS:,})")
    return extract_events(document)


def _safe_extract(document: Document) -> ExtractResult | InputError:
    try:
        return extract_document(document)
    except InputError as error:
        return error
    except Exception as error:  # one pathological article must not stop a run: record it and go on
        return InputError(document.path or document.id, f"could not extract ({type(error).__name__}: {error})")


def iter_documents(paths: Iterable[str | os.PathLike], published: Any = None,
                   warn_missing_date: bool = True) -> Iterator[Document | InputError]:
    """Documents from paths; a document without any publication date also yields a warning error
    (its absolute dates still count; its relative ones stay unresolved)."""
    for item in read_paths(list(paths), published):
        if isinstance(item, Document) and item.published is None and item.parent_id is None and warn_missing_date:
            warning = missing_date_error(item)
            warning.message += "; relative dates left unresolved"
            yield warning
        yield item


def extract_paths(paths: Iterable[str | os.PathLike], published: Any = None, workers: int = 1,
                  chunk_size: int = 16) -> Iterator[ExtractResult | InputError]:
    """ExtractResults and InputErrors for everything under `paths`, in input order.

    With workers > 1, documents are extracted in a local process pool (reading stays in this process,
    so memory is bounded by the pool's queue)."""
    items = iter_documents(paths, published)
    if workers <= 1:
        for item in items:
            yield item if isinstance(item, InputError) else _safe_extract(item)
        return
    yield from _pooled(items, workers, chunk_size)


def _pooled(items: Iterator[Document | InputError], workers: int, chunk_size: int) -> Iterator[ExtractResult | InputError]:
    """Documents are read here and extracted in chunks by a bounded, ordered pool (run_pool)."""
    import itertools

    def chunks() -> Iterator[Partition]:
        it = iter(items)
        index = 0
        while chunk := list(itertools.islice(it, chunk_size)):
            yield Partition(f"chunk-{index}", index, "docs", "", items=chunk)
            index += 1

    for partition_items in run_pool(chunks(), workers, _ExtractChunk()):
        yield from partition_items


class _ExtractChunk:
    """Picklable task for run_pool: read errors pass through, documents are extracted."""

    def __call__(self, partition: "Partition") -> list[ExtractResult | InputError]:
        return [item if isinstance(item, InputError) else _safe_extract(item) for item in partition.items]


@dataclass
class IngestSummary:
    documents: int = 0            # documents newly stored
    skipped: int = 0              # documents already in the store
    events: int = 0
    errors: list[InputError] = field(default_factory=list)


def ingest_paths(paths: Iterable[str | os.PathLike], store, published: Any = None, workers: int = 1,
                 progress: Callable[[int, str], None] | None = None, batch_size: int = 200) -> IngestSummary:
    """Extract everything under `paths` into `store` (a timeline.store.Store), batch by batch; each
    batch is stored whole or not at all. `progress(done, label)` is called after each document."""
    summary = IngestSummary()
    batch: list[ExtractResult] = []
    done = 0

    def flush() -> None:
        if batch:
            report = store.ingest(batch)
            summary.documents += report.documents_added
            summary.skipped += report.documents_skipped
            summary.events += report.events_added
            batch.clear()

    for item in extract_paths(paths, published, workers):
        if isinstance(item, InputError):
            summary.errors.append(item)
            continue
        batch.append(item)
        done += 1
        if progress:
            progress(done, item.document.title or item.document.path or item.document.id)
        if len(batch) >= batch_size:
            flush()
    flush()
    return summary


_SAFE_NAME = re.compile(r"[^\w.\-]+")


def safe_file_name(name: str) -> str:
    """A file name that cannot leave the folder it is written to (uploads name their own files)."""
    base = os.path.basename(name.replace("\\", "/")) or "upload"
    base = _SAFE_NAME.sub("_", base).lstrip(".") or "upload"
    return base[:120]


def extract_uploads(files: Iterable[tuple[str, bytes]], published: Any = None) -> tuple[list[ExtractResult], list[InputError]]:
    """Uploaded files (name, content): each is written under a private temporary folder with a safe
    name, read by its extension, and extracted. Errors name the file as the user called it."""
    results: list[ExtractResult] = []
    errors: list[InputError] = []
    with tempfile.TemporaryDirectory(prefix="timeline-upload-") as folder:
        for name, content in files:
            safe = safe_file_name(name)
            target = Path(folder) / safe
            counter = 1
            while target.exists():
                target = Path(folder) / f"{counter}_{safe}"
                counter += 1
            target.write_bytes(content)
            for item in extract_paths([target], published):
                if isinstance(item, InputError):
                    item.path = (item.path or "").replace(str(target), name) or name
                    errors.append(InputError(item.path, item.message, item.line))
                else:
                    item.document.path = (item.document.path or "").replace(str(target), name)
                    results.append(item)
    return results, errors


def extract_text(text: str, published: Any = None, title: str | None = None,
                 source: str | None = None) -> list[ExtractResult]:
    """Pasted article text with its publication date."""
    from .documents import read_text_document

    return [extract_document(doc) for doc in read_text_document(text, published, path="pasted text",
                                                                 title=title, source=source)]


def parse_date_argument(value: str | None) -> dt.date | None:
    """--published / --from / --to: YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError as error:
        raise InputError(None, f"not a date: {value!r} (write YYYY-MM-DD)") from error


# ==================================================================================================
# Batch extraction for archives: partitions, a bounded ordered process pool, resumable runs.
#
# The input is cut into partitions (`plan_partitions`): for JSON lines files (plain or .gz) the
# reading process only splits raw lines (gzip + newline search run in C, over 100 MB/s), and the
# JSON parsing, document building and extraction run in the workers; CSV, Parquet and JSON arrays
# are read here into Documents (they cannot be split by lines); single-article files (txt, html)
# are grouped by file and read by the workers. One partition is one task: `run_partition` turns it
# into Arrow tables (or a Parquet part), error records and counters. The same function runs in this
# process, in the local pool and on a Dask cluster, so all three give the same rows.

DEFAULT_PARTITION_SIZE = 256          # input lines (or files) per partition
ARTICLE_TIMEOUT = 120.0               # seconds for one article (enforced where signals can be used)
MANIFEST_NAME = "_manifest.json"

ERROR_KINDS = ("read", "encoding", "json", "too_long", "timeout", "extract", "worker_died")
WARNING_KINDS = ("no_date",)


@dataclass
class Partition:
    """A slice of the input: one task. `key` names its Parquet part and its manifest entry; it is
    stable across runs over the same files with the same partition size."""
    key: str
    index: int
    kind: str                         # "lines", "docs" or "files"
    source: str                       # the file (lines/docs) or the first file (files)
    first: int = 1                    # first line number (lines)
    items: list = field(default_factory=list)   # raw lines | Documents/InputErrors | file paths
    encoding: str = "utf-8"
    nbytes: int = 0                   # input bytes (uncompressed text) in this partition
    progress: tuple[int, int] = (0, 0)  # (input bytes consumed so far, total input bytes) on disk

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass
class PartitionResult:
    key: str
    index: int
    documents: int = 0
    events: int = 0
    errors: list[dict] = field(default_factory=list)     # {"where", "id", "kind", "message"}
    tables: dict | None = None        # Arrow tables (when not written as a part)
    written: bool = False             # the Parquet part is on disk
    input_bytes: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    pid: int = 0
    peak_rss: int = 0                 # bytes, the worker's peak resident memory so far
    progress: tuple[int, int] = (0, 0)


def _stable_hash(*parts: Any) -> str:
    import hashlib

    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _input_files(paths: Iterable[str | os.PathLike]) -> Iterator[Path | InputError]:
    """Files in the order read_paths reads them (folders sorted, hidden files skipped)."""
    from .documents import _walk

    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, True, set())
        elif path.exists():
            yield path
        else:
            yield InputError(str(path), "no such file or folder")


def _file_kind(path: Path) -> str:
    from .documents import CSV_SUFFIXES, JSONL_SUFFIXES, PARQUET_SUFFIXES, _suffixes

    suffix, gz = _suffixes(path)
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES or (suffix in PARQUET_SUFFIXES and not gz):
        return "docs"
    return "files"


def _jsonl_layout(path: Path) -> tuple[str, bool, str] | None:
    """(encoding, gz, first line) when `path` is JSON lines that can be split by lines, else None
    (a JSON array, one pretty-printed object, UTF-16, an empty or unreadable file: read whole)."""
    import gzip
    import json

    from .documents import _open_binary, _sniff_encoding, _suffixes

    suffix, gz = _suffixes(path)
    try:
        encoding = _sniff_encoding(path, gz)
        if encoding.startswith("utf-16"):
            return None
        with _open_binary(path, gz) as fh:
            for raw in fh:
                line = raw.decode(encoding, errors="replace").lstrip("\ufeff")
                if not line.strip():
                    continue
                if line.lstrip().startswith("["):
                    return None
                if suffix == ".json":
                    try:
                        json.loads(line)
                    except ValueError:
                        return None
                return encoding, gz, line
    except (InputError, OSError, EOFError, gzip.BadGzipFile, Exception):
        return None
    return None


def plan_partitions(paths: Iterable[str | os.PathLike], published: Any = None,
                    partition_size: int = DEFAULT_PARTITION_SIZE) -> Iterator[Partition]:
    """The input as partitions, streamed in input order (memory: one partition at a time)."""
    import gzip
    import zlib

    from .documents import _open_binary

    if partition_size < 1:
        raise ValueError("partition_size must be at least 1")
    paths = list(paths)
    files = list(_input_files(paths))
    sizes = [f.stat().st_size if isinstance(f, Path) else 0 for f in files]
    total = sum(sizes)
    consumed = 0
    index = 0
    pending_files: list[Path] = []
    pending_first = 0

    def flush_files() -> Iterator[Partition]:
        nonlocal index, pending_files
        if pending_files:
            first = pending_files[0]
            key = f"{pending_first:05d}-{_stable_hash(*(_file_identity(p) for p in pending_files), partition_size)}-files"
            yield Partition(key, index, "files", str(first), items=[str(p) for p in pending_files],
                            nbytes=sum(p.stat().st_size for p in pending_files), progress=(consumed, total))
            index += 1
            pending_files = []

    for file_no, item in enumerate(files):
        if isinstance(item, InputError):
            yield from flush_files()
            yield Partition(f"{file_no:05d}-{_stable_hash(item.path)}-missing", index, "docs", item.path or "",
                            items=[item], progress=(consumed, total))
            index += 1
            continue
        path = item
        kind = _file_kind(path)
        if kind == "files":
            if not pending_files:
                pending_first = file_no
            pending_files.append(path)
            consumed += sizes[file_no]
            if len(pending_files) >= partition_size:
                yield from flush_files()
            continue
        yield from flush_files()
        identity = _stable_hash(_file_identity(path), partition_size)
        layout = _jsonl_layout(path) if kind == "jsonl" else None
        if layout is None:
            # Read here, as read_paths does; extraction still runs in the workers.
            from .documents import read_paths

            chunk: list = []
            number = 0
            for doc in read_paths([path], published):
                chunk.append(doc)
                if len(chunk) >= partition_size:
                    yield Partition(f"{file_no:05d}-{identity}-{number:09d}", index, "docs", str(path),
                                    first=number, items=chunk, nbytes=sum(len(d.text) for d in chunk
                                                                          if isinstance(d, Document)),
                                    progress=(consumed, total))
                    index += 1
                    number += len(chunk)
                    chunk = []
            consumed += sizes[file_no]
            if chunk:
                yield Partition(f"{file_no:05d}-{identity}-{number:09d}", index, "docs", str(path),
                                first=number, items=chunk,
                                nbytes=sum(len(d.text) for d in chunk if isinstance(d, Document)),
                                progress=(consumed, total))
                index += 1
            continue
        encoding, gz, _ = layout
        base = consumed
        lines: list[bytes] = []
        first = 1
        number = 0
        nbytes = 0
        with open(path, "rb") as raw_file:
            fh = gzip.GzipFile(fileobj=raw_file, mode="rb") if gz else raw_file
            try:
                for number, data in enumerate(fh, 1):
                    lines.append(data)
                    nbytes += len(data)
                    if len(lines) >= partition_size:
                        yield Partition(f"{file_no:05d}-{identity}-{first:09d}", index, "lines", str(path),
                                        first=first, items=lines, encoding=encoding, nbytes=nbytes,
                                        progress=(base + raw_file.tell(), total))
                        index += 1
                        first = number + 1
                        lines, nbytes = [], 0
                damage = None
            except (EOFError, gzip.BadGzipFile, zlib.error) as error:
                damage = InputError(str(path), f"damaged compressed file ({error})")
            except OSError as error:
                damage = InputError(str(path), f"cannot be read ({error.strerror or error})")
            if lines:
                yield Partition(f"{file_no:05d}-{identity}-{first:09d}", index, "lines", str(path),
                                first=first, items=lines, encoding=encoding, nbytes=nbytes,
                                progress=(base + sizes[file_no], total))
                index += 1
            if damage is not None:
                yield Partition(f"{file_no:05d}-{identity}-damaged", index, "docs", str(path),
                                items=[damage], progress=(base + sizes[file_no], total))
                index += 1
        consumed = base + sizes[file_no]
    yield from flush_files()


def _file_identity(path: Path) -> str:
    try:
        st = path.stat()
        return f"{path.resolve()}\x1f{st.st_size}\x1f{st.st_mtime_ns}"
    except OSError:
        return str(path)


def _partition_documents(partition: Partition, published: Any) -> Iterator[Document | InputError]:
    """The documents (and read errors) of a partition, as read_paths would give them."""
    if partition.kind == "docs":
        yield from partition.items
        return
    if partition.kind == "files":
        yield from read_paths(partition.items, published)
        return
    from .documents import _user_date, json_line_documents

    user_date, user_raw = _user_date(published)
    name = partition.source
    codec = "utf-8" if partition.encoding == "utf-8-sig" else partition.encoding
    for number, data in enumerate(partition.items, partition.first):
        if number == 1 and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            line = data.decode(codec)
        except UnicodeDecodeError as e:
            yield InputError(name, f"not valid UTF-8 (byte {e.start} of the line)", number)
            continue
        if not line.strip():
            continue
        yield from json_line_documents(line, name, number, user_date, user_raw)


def _error_kind(message: str) -> str:
    lowered = message.lower()
    if "too long" in lowered:
        return "too_long"
    if "timed out" in lowered:
        return "timeout"
    if "no publication date" in lowered:
        return "no_date"
    if "could not extract" in lowered:
        return "extract"
    if "not valid utf" in lowered or "encoding" in lowered or "binary file" in lowered:
        return "encoding"
    if "not valid json" in lowered or "json object" in lowered:
        return "json"
    return "read"


def error_record(error: InputError, document: Document | None = None, kind: str | None = None) -> dict:
    where = error.path or "<input>"
    if error.line is not None:
        where = f"{where}:{error.line}"
    return {"where": where, "id": (document.external_id or document.id) if document is not None else None,
            "kind": kind or _error_kind(error.message), "message": error.message}


class _ArticleTimeout(Exception):
    pass


def _on_alarm(signum, frame):  # pragma: no cover - fires only on a runaway article
    raise _ArticleTimeout()


def _extract_guarded(document: Document, timeout: float | None, timings: dict[str, float] | None
                     ) -> ExtractResult | dict:
    """extract_document with the size limit and (in a main thread) a time limit; an error record
    instead of an exception."""
    import signal
    import threading
    import time

    use_alarm = bool(timeout) and hasattr(signal, "setitimer") and \
        threading.current_thread() is threading.main_thread()
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        if timings is None:
            return extract_document(document)
        if len(document.text) > MAX_ARTICLE_CHARS:
            return extract_document(document)     # raises the size error
        from . import actors as actors_mod
        from .tagger import tag

        t0 = time.perf_counter()
        times = tag(document.text, document.published)
        t1 = time.perf_counter()
        mentions = actors_mod.resolve_mentions(document.text)
        t2 = time.perf_counter()
        result = extract_events(document, time_expressions=times, mentions=mentions)
        t3 = time.perf_counter()
        timings["tag"] = timings.get("tag", 0.0) + t1 - t0
        timings["actors"] = timings.get("actors", 0.0) + t2 - t1
        timings["events"] = timings.get("events", 0.0) + t3 - t2
        return result
    except _ArticleTimeout:
        return error_record(InputError(document.path or document.id,
                                       f"timed out after {timeout:g} s (pathological text?)"),
                            document, "timeout")
    except InputError as error:
        return error_record(error, document)
    except Exception as error:  # one pathological article must not stop a run: record it and go on
        return error_record(InputError(document.path or document.id,
                                       f"could not extract ({type(error).__name__}: {error})"),
                            document, "extract")
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _peak_rss() -> int:
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        import sys

        return peak if sys.platform == "darwin" else peak * 1024
    except (ImportError, OSError):
        return 0


def run_partition(partition: Partition, published: Any = None, out_dir: str | os.PathLike | None = None,
                  profile: bool = False, timeout: float | None = ARTICLE_TIMEOUT,
                  warn_missing_date: bool = True) -> PartitionResult:
    """Extract one partition. With `out_dir`, write it as a Parquet part named by its key
    (timeline.store.write_parquet_dataset) and return only counters and errors; otherwise return
    its Arrow tables. Never raises for a bad article: errors are records in the result."""
    import time

    from .store import _BatchBuilder, write_parquet_dataset

    out = PartitionResult(partition.key, partition.index, input_bytes=partition.nbytes, pid=os.getpid(),
                          progress=partition.progress)
    timings: dict[str, float] = {"read": 0.0, "extract": 0.0}
    stage = timings if profile else None
    results: list[ExtractResult] = []
    documents = _partition_documents(partition, published)
    while True:
        t0 = time.perf_counter()
        try:
            item = next(documents)
        except StopIteration:
            break
        except Exception as error:  # a reader bug must not lose the rest of the run
            out.errors.append(error_record(InputError(partition.source,
                                                      f"cannot be read ({type(error).__name__}: {error})")))
            break
        t1 = time.perf_counter()
        timings["read"] += t1 - t0
        if isinstance(item, InputError):
            out.errors.append(error_record(item))
            continue
        if warn_missing_date and item.published is None and item.parent_id is None:
            warning = missing_date_error(item)
            out.errors.append(error_record(InputError(warning.path, warning.message + "; relative dates left unresolved",
                                                      warning.line), item, "no_date"))
        result = _extract_guarded(item, timeout, stage)
        timings["extract"] += time.perf_counter() - t1
        if isinstance(result, dict):
            out.errors.append(result)
            continue
        results.append(result)
        out.documents += 1
        out.events += len(result.events)
    t2 = time.perf_counter()
    if out_dir is not None:
        write_parquet_dataset(results, out_dir, partition.key)
        out.written = True
        timings["write"] = time.perf_counter() - t2
    else:
        builder = _BatchBuilder()
        for result in results:
            builder.add(result)
        out.tables = builder.tables()
        timings["build"] = time.perf_counter() - t2
    out.timings = timings
    out.peak_rss = _peak_rss()
    return out


# --- the manifest of completed partitions ------------------------------------------------------------

class Manifest:
    """Completed partitions of a resumable run, in a JSON file rewritten atomically (temporary file +
    rename), at most every `interval` seconds and at close. Losing the last entries to a kill only
    means redoing those partitions: the store skips documents it holds, and a part is rewritten whole."""

    def __init__(self, path: str | os.PathLike, partition_size: int, interval: float = 2.0):
        import json
        import time

        self.path = Path(path)
        self.partition_size = partition_size
        self.interval = interval
        self.done: dict[str, dict] = {}
        self._dirty = False
        self._last = time.monotonic()
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            if data.get("partition_size") == partition_size:
                self.done = dict(data.get("done") or {})

    def __contains__(self, key: str) -> bool:
        return key in self.done

    def add(self, result: PartitionResult) -> None:
        import time

        kinds: dict[str, int] = {}
        for error in result.errors:
            kinds[error["kind"]] = kinds.get(error["kind"], 0) + 1
        self.done[result.key] = {"documents": result.documents, "events": result.events, "errors": kinds}
        self._dirty = True
        if time.monotonic() - self._last >= self.interval:
            self.save()

    def save(self) -> None:
        import json
        import time

        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"version": 1, "partition_size": self.partition_size, "done": self.done}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self._dirty = False
        self._last = time.monotonic()


# --- the run summary and progress ---------------------------------------------------------------------

@dataclass
class RunSummary:
    documents: int = 0                # documents extracted in this run
    events: int = 0
    stored_documents: int = 0         # newly stored (store runs)
    skipped_documents: int = 0        # already in the store
    partitions: int = 0               # partitions extracted in this run
    partitions_skipped: int = 0       # done by an earlier run (manifest)
    errors: dict[str, int] = field(default_factory=dict)      # kind -> count, this run
    earlier_errors: dict[str, int] = field(default_factory=dict)  # kinds from skipped partitions
    input_bytes: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)   # summed over workers (+ "store", "write")
    peak_rss: dict[int, int] = field(default_factory=dict)    # worker pid -> peak bytes

    @property
    def error_count(self) -> int:
        return sum(n for k, n in self.errors.items() if k not in WARNING_KINDS)

    @property
    def warning_count(self) -> int:
        return sum(n for k, n in self.errors.items() if k in WARNING_KINDS)

    def add(self, result: PartitionResult) -> None:
        self.partitions += 1
        self.documents += result.documents
        self.events += result.events
        self.input_bytes += result.input_bytes
        for error in result.errors:
            self.errors[error["kind"]] = self.errors.get(error["kind"], 0) + 1
        for stage, seconds in result.timings.items():
            self.timings[stage] = self.timings.get(stage, 0.0) + seconds
        if result.pid:
            self.peak_rss[result.pid] = max(self.peak_rss.get(result.pid, 0), result.peak_rss)

    def skip(self, entry: dict) -> None:
        self.partitions_skipped += 1
        for kind, n in (entry.get("errors") or {}).items():
            self.earlier_errors[kind] = self.earlier_errors.get(kind, 0) + n

    def describe(self) -> str:
        rate = self.documents / self.seconds if self.seconds else 0.0
        text = (f"{self.documents:,} documents, {self.events:,} events in {self.seconds:.1f} s "
                f"({rate:,.0f} articles/s, {self.input_bytes / 1e6 / max(self.seconds, 1e-9):.1f} MB/s)")
        if self.partitions_skipped:
            text += f"; {self.partitions_skipped:,} partitions done by an earlier run skipped"
        if self.skipped_documents:
            text += f"; {self.skipped_documents:,} documents already stored"
        if self.errors:
            text += "; problems: " + ", ".join(f"{k} {n:,}" for k, n in sorted(self.errors.items()))
        else:
            text += "; no problems"
        if self.earlier_errors:
            text += " (earlier runs: " + ", ".join(f"{k} {n:,}" for k, n in sorted(self.earlier_errors.items())) + ")"
        return text


class Progress:
    """Articles per second, done, remaining (estimated from input bytes) and errors, on stderr: a tqdm
    bar on a terminal, a plain line every `interval` seconds otherwise. `enabled=False` is silent."""

    def __init__(self, enabled: bool = True, interval: float = 10.0, stream=None):
        import sys
        import time

        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.interval = interval
        self.start = time.monotonic()
        self.last = self.start
        self.done = 0
        self.errors = 0
        self.fraction = 0.0
        self.bar = None
        if enabled and getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(unit="doc", file=self.stream, dynamic_ncols=True, desc="extracting")

    def update(self, documents: int, errors: int = 0, progress: tuple[int, int] = (0, 0)) -> None:
        import time

        self.done += documents
        self.errors += errors
        if progress[1]:
            self.fraction = max(self.fraction, progress[0] / progress[1])
        if not self.enabled:
            return
        remaining = self.remaining()
        if self.bar is not None:
            if remaining is not None:
                self.bar.total = self.done + remaining
            self.bar.update(documents)
            self.bar.set_postfix(errors=self.errors, refresh=False)
            return
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def remaining(self) -> int | None:
        if 0 < self.fraction < 1 and self.done:
            return int(self.done * (1 - self.fraction) / self.fraction)
        return 0 if self.fraction >= 1 else None

    def line(self) -> str:
        import time

        elapsed = max(time.monotonic() - self.start, 1e-9)
        remaining = self.remaining()
        text = f"timeline: {self.done:,} articles done ({self.done / elapsed:,.0f}/s)"
        if remaining is not None:
            text += f", ~{remaining:,} remaining"
        return text + f", {self.errors:,} errors"

    def clear(self) -> None:
        if self.bar is not None:
            self.bar.clear()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


# --- the local pool ------------------------------------------------------------------------------------

def _warm_worker() -> None:
    """Load the lexicons once per worker process, before the first task."""
    try:
        extract_text("قال الرئيس أمس في 12 أيلول 2023", "2023-09-13")
    except Exception:   # warming is an optimization only
        pass


def _pool_context():
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    # forkserver: fast worker start without inheriting the parent's threads (DuckDB, tqdm)
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["timeline.pipeline"])
    return context


def run_pool(partitions: Iterable[Partition], workers: int, task: Callable[[Partition], PartitionResult],
             in_flight: int | None = None) -> Iterator[PartitionResult]:
    """PartitionResults in input order from a pool of `workers` processes, with at most `in_flight`
    partitions submitted and not yet consumed (bounded memory). A worker that dies (killed, out of
    memory) breaks only its partitions: the pool is restarted, the partition retried alone once, and
    if it kills its worker again it is reported as one error."""
    import collections
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = max(1, workers)
    in_flight = in_flight or 2 * workers + 2
    context = _pool_context()

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_worker)

    pool = new_pool()
    pending: collections.deque = collections.deque()
    deaths = 0      # consecutive partitions whose worker died twice: a pool that cannot work at all

    def submit(partition: Partition) -> Future:
        try:
            return pool.submit(task, partition)
        except BrokenProcessPool as error:      # broke since the last check: resolve() restarts it
            future: Future = Future()
            future.set_exception(error)
            return future

    def restart() -> None:
        nonlocal pool
        pool.shutdown(wait=False, cancel_futures=True)
        pool = new_pool()

    def resolve(partition: Partition, future: Future) -> PartitionResult:
        nonlocal deaths
        try:
            result = future.result()
            deaths = 0
            return result
        except BrokenProcessPool:
            pass
        restart()
        try:
            result = pool.submit(task, partition).result()
            deaths = 0
        except BrokenProcessPool:
            deaths += 1
            if deaths >= 3:
                raise RuntimeError("the worker processes keep dying (they cannot start, or every "
                                   "partition kills them); run with --workers 1 to see why") from None
            restart()
            result = PartitionResult(partition.key, partition.index, input_bytes=partition.nbytes,
                                     progress=partition.progress, errors=[{
                                         "where": f"{partition.source}:{partition.first}", "id": None,
                                         "kind": "worker_died",
                                         "message": f"the worker process died on this partition of "
                                                    f"{partition.count} items (out of memory?)"}])
        # the rest of the queue was lost with the old pool: submit it again
        for i, (other, _) in enumerate(list(pending)):
            pending[i] = (other, submit(other))
        return result

    try:
        for partition in partitions:
            pending.append((partition, submit(partition)))
            while len(pending) >= in_flight:
                yield resolve(*pending.popleft())
        while pending:
            yield resolve(*pending.popleft())
    finally:
        for _, future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def run_partitions(partitions: Iterable[Partition], published: Any = None, workers: int = 1,
                   out_dir: str | os.PathLike | None = None, profile: bool = False,
                   timeout: float | None = ARTICLE_TIMEOUT) -> Iterator[PartitionResult]:
    """run_partition over `partitions`, in this process (workers <= 1) or a local pool; input order."""
    import functools

    task = functools.partial(run_partition, published=published, out_dir=None if out_dir is None else str(out_dir),
                             profile=profile, timeout=timeout)
    if workers <= 1:
        for partition in partitions:
            yield task(partition)
        return
    yield from run_pool(partitions, workers, task)


def default_workers() -> int:
    return os.cpu_count() or 1


def extract_archive(paths: Iterable[str | os.PathLike], store=None, *, published: Any = None,
                    workers: int | None = None, partition_size: int = DEFAULT_PARTITION_SIZE,
                    out_dir: str | os.PathLike | None = None, manifest: str | os.PathLike | None = None,
                    resume: bool = True, progress: Progress | None = None,
                    on_result: Callable[[PartitionResult], None] | None = None,
                    on_error: Callable[[dict], None] | None = None, profile: bool = False,
                    timeout: float | None = ARTICLE_TIMEOUT) -> RunSummary:
    """Extract everything under `paths` in bounded memory, locally (this process or a pool of
    `workers` processes, default: all cores).

    Each partition goes, in input order, into `store` (one transaction per partition) and/or is
    written as a Parquet part under `out_dir`. `on_result(result)` sees every PartitionResult in
    input order (its Arrow `tables` when not written to `out_dir`), `on_error(record)` every error.
    With a manifest (default: `out_dir/_manifest.json`, or `<store>.manifest.json`) the run is
    resumable: partitions done by an earlier run are skipped."""
    import time

    started = time.monotonic()
    workers = default_workers() if workers is None else workers
    summary = RunSummary()
    if manifest is None and resume:
        if out_dir is not None:
            manifest = Path(out_dir) / MANIFEST_NAME
        elif store is not None and getattr(store, "path", ":memory:") != ":memory:":
            manifest = Path(store.path + ".manifest.json")
    book = Manifest(manifest, partition_size) if manifest is not None else None
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)

    def todo() -> Iterator[Partition]:
        for partition in plan_partitions(paths, published, partition_size):
            if book is not None and resume and (partition.key in book or _part_complete(out_dir, partition.key)):
                summary.skip(book.done.get(partition.key, {}))
                if progress is not None:
                    progress.update(0, 0, partition.progress)
                continue
            yield partition

    try:
        for result in run_partitions(todo(), published, workers, out_dir, profile, timeout):
            summary.add(result)
            if on_error is not None:
                for error in result.errors:
                    on_error(error)
            if store is not None:
                t0 = time.perf_counter()
                if result.tables is not None:
                    report = store._insert_tables(result.tables)
                else:
                    from .store import _read_part

                    report = store._insert_tables(_read_part(Path(out_dir), f"{result.key}.parquet"))
                summary.stored_documents += report.documents_added
                summary.skipped_documents += report.documents_skipped
                summary.timings["store"] = summary.timings.get("store", 0.0) + time.perf_counter() - t0
            if on_result is not None:
                on_result(result)
            if book is not None:
                book.add(result)
            if progress is not None:
                progress.update(result.documents, sum(1 for e in result.errors if e["kind"] not in WARNING_KINDS),
                                result.progress)
            result.tables = None
    finally:
        if book is not None:
            book.save()
        summary.seconds = time.monotonic() - started
    return summary


def _part_complete(out_dir: str | os.PathLike | None, key: str) -> bool:
    # write_parquet_dataset renames documents/ last: its file means the part is whole
    return out_dir is not None and (Path(out_dir) / "documents" / f"{key}.parquet").exists()
