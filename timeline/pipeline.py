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
    import multiprocessing

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(workers) as pool:
        errors_before: list[InputError] = []

        def documents() -> Iterator[Document]:
            for item in items:
                if isinstance(item, InputError):
                    errors_before.append(item)
                else:
                    yield item

        for result in pool.imap(_safe_extract, documents(), chunksize=chunk_size):
            while errors_before:
                yield errors_before.pop(0)
            yield result
        while errors_before:
            yield errors_before.pop(0)


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
