"""Extraction on a Dask distributed cluster: input partitions become tasks, each task writes one
Parquet part (timeline.store.write_parquet_dataset) into a dataset folder that every worker can
reach; the parts then load into the store, or stay a Parquet dataset that DuckDB reads directly.

    from dask.distributed import Client
    from timeline.distributed import extract_to_parquet

    with Client("tcp://scheduler:8786") as client:
        summary = extract_to_parquet(["archive.jsonl.gz"], "/shared/timeline-parts", client=client)

How the input is cut (see timeline.pipeline.plan_partitions): this process (the Dask client) streams
the input and ships each partition to a task. For JSON lines (plain or .jsonl.gz) a partition is a
list of raw lines: the client only decompresses and splits lines (C code, well over 100 MB/s), while
JSON parsing, document building and extraction (over 99% of the work) run on the workers. A gzip file
cannot be entered in the middle, so partitioning by line ranges would make every task decompress the
file from its start (quadratic work); shipping the lines costs one pass and a few hundred kB per task.
CSV, Parquet and JSON arrays are read into documents by the client; folders of single-article files
are shipped as lists of paths (the workers read them: they need the same folder). At most
`in_flight` partitions are submitted and not yet done, so the client's memory stays bounded.

Resumable: a partition is done when its documents/ file exists (write_parquet_dataset renames it
last) or the manifest (`DIR/_manifest.json`, written atomically) lists it; a new run over the same
files with the same partition size skips those. Results are the same rows as a local run: both run
timeline.pipeline.run_partition on the same partitions.
"""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .errors import TimelineError
from .pipeline import (ARTICLE_TIMEOUT, DEFAULT_PARTITION_SIZE, MANIFEST_NAME, WARNING_KINDS, Manifest,
                       Partition, PartitionResult, Progress, RunSummary, _part_complete, plan_partitions,
                       run_partition)


def extract_to_parquet(paths: Iterable[str | os.PathLike], out_dir: str | os.PathLike, client=None, *,
                       scheduler: str | None = None, partition_size: int = DEFAULT_PARTITION_SIZE,
                       published: Any = None, resume: bool = True, in_flight: int | None = None,
                       progress: Progress | None = None, on_error: Callable[[dict], None] | None = None,
                       store=None, events_output=None, timeout: float | None = ARTICLE_TIMEOUT) -> RunSummary:
    """Extract everything under `paths` on a Dask cluster into the Parquet dataset `out_dir`.

    `client`: a dask.distributed.Client (or give `scheduler`, "tcp://host:port"; without either, a
    LocalCluster of this machine's cores is started). `out_dir` must be the same path on the client
    and on every worker (a shared or network file system). With `store`, the parts are loaded into it
    at the end (Store.ingest_parquet_dataset: one transaction per part, stored documents skipped);
    `events_output.write(table)` receives the events of this run's partitions in input order."""
    from dask.distributed import Client, as_completed

    own_client = client is None
    if own_client:
        client = Client(scheduler) if scheduler else Client(processes=True)
    root = Path(out_dir).absolute()
    root.mkdir(parents=True, exist_ok=True)
    book = Manifest(root / MANIFEST_NAME, partition_size)
    summary = RunSummary()
    started = time.monotonic()
    run_token = uuid.uuid4().hex[:8]
    done_keys: list[str] = []
    try:
        if progress is not None and progress.enabled:
            link = getattr(client, "dashboard_link", None)
            if link:
                progress.clear()
                print(f"timeline: Dask dashboard at {link}", file=progress.stream)
        threads = sum(client.nthreads().values()) or 1
        in_flight = in_flight or 2 * threads + 2

        def todo() -> Iterator[Partition]:
            for partition in plan_partitions(paths, published, partition_size):
                if resume and (partition.key in book or _part_complete(root, partition.key)):
                    summary.skip(book.done.get(partition.key, {}))
                    if progress is not None:
                        progress.update(0, 0, partition.progress)
                    continue
                yield partition

        partitions = todo()
        running = as_completed()
        submitted: dict[str, Partition] = {}

        def fill() -> None:
            while running.count() < in_flight:
                partition = next(partitions, None)
                if partition is None:
                    return
                future = client.submit(run_partition, partition, published, str(root), False, timeout,
                                       key=f"timeline-extract-{partition.key}-{run_token}", pure=False,
                                       retries=1)
                submitted[future.key] = partition
                running.add(future)

        fill()
        while running.count() or not running.is_empty():
            future = next(running, None)
            if future is None:
                break
            partition = submitted.pop(future.key)
            try:
                result: PartitionResult = future.result()
            except Exception as error:
                from distributed.scheduler import KilledWorker

                if not isinstance(error, KilledWorker):
                    raise TimelineError(f"the task for {partition.source}:{partition.first} failed "
                                        f"({type(error).__name__}: {error}); is {root} writable on "
                                        f"every worker?") from error
                result = PartitionResult(partition.key, partition.index, input_bytes=partition.nbytes,
                                         progress=partition.progress, errors=[{
                                             "where": f"{partition.source}:{partition.first}", "id": None,
                                             "kind": "worker_died",
                                             "message": "the workers running this partition died"}])
            future.release()
            summary.add(result)
            if on_error is not None:
                for error in result.errors:
                    on_error(error)
            if result.written:
                book.add(result)
                done_keys.append(result.key)
            if progress is not None:
                progress.update(result.documents,
                                sum(1 for e in result.errors if e["kind"] not in WARNING_KINDS),
                                result.progress)
            fill()
    finally:
        book.save()
        if own_client:
            client.close()
    if store is not None:
        t0 = time.perf_counter()
        report = store.ingest_parquet_dataset(root)
        summary.stored_documents = report.documents_added
        summary.skipped_documents = report.documents_skipped
        summary.timings["store"] = time.perf_counter() - t0
    if events_output is not None:
        import pyarrow.parquet as pq

        from .store import EVENT_SCHEMA

        for key in sorted(done_keys):
            table = pq.read_table(root / "events" / f"{key}.parquet")
            events_output.write(table.select(EVENT_SCHEMA.names).cast(EVENT_SCHEMA))
    summary.seconds = time.monotonic() - started
    return summary


def read_dataset_sql(out_dir: str | os.PathLike, table: str = "events") -> str:
    """A DuckDB SQL expression over one table of the dataset, e.g.
    duckdb.sql(f"SELECT count(*) FROM {read_dataset_sql('parts')}")."""
    folder = Path(out_dir) / table
    pattern = str(folder / "*.parquet").replace("'", "''")
    return f"read_parquet('{pattern}')"
