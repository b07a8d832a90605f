"""Exports of store frames: CSV for spreadsheets, JSON Lines and Parquet for code.

CSV is written for Excel first: UTF-8 with a BOM (without it Excel shows Arabic as mojibake), list
cells joined with " | ", and cells that a spreadsheet would run as a formula neutralized with a
leading "'" (OWASP "CSV injection"): article text is untrusted input.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import TimelineError

FORMATS = ("jsonl", "csv", "parquet")
LIST_SEPARATOR = " | "
_FORMULA_START = frozenset("=+-@\t\r")


def _starts_formula(ch: str) -> bool:
    # NFKC folds the look-alikes a spreadsheet may take for the operator: full-width ＝＋－＠ (what an
    # Arabic or East Asian keyboard types), small ﹦﹢﹣﹫, super/subscript ⁼⁺₊.
    return ch in _FORMULA_START or unicodedata.normalize("NFKC", ch)[:1] in _FORMULA_START


def _skippable(ch: str) -> bool:
    # what a reader does not see before the first character: white space (NBSP, ideographic space,
    # new lines) and format characters (bidi marks and isolates, zero-width space/joiners, BOM)
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def neutralize(cell: str) -> str:
    """Prefix "'" when a spreadsheet could read the cell as a formula: it starts with = + - @, a tab
    or a carriage return, or a look-alike of them, also after leading spaces or invisible marks."""
    if not cell:
        return cell
    if cell[0] in _FORMULA_START:
        return "'" + cell
    for ch in cell:
        if not _skippable(ch):
            return "'" + cell if _starts_formula(ch) else cell
    return cell


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _plain(value: Any) -> Any:
    """A cell as a JSON-ready Python value: ISO dates, lists as lists, numpy scalars unwrapped."""
    if _is_list(value):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if _is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        # A timestamp at midnight from a date column is a date; real times keep their time.
        return value.date().isoformat() if value.time() == dt.time() and value.tzinfo is None \
            else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _csv_cell(value: Any) -> Any:
    if _is_list(value):
        value = LIST_SEPARATOR.join("" if _is_missing(v) else str(_plain(v)) for v in value)
    elif _is_missing(value):
        return None
    elif isinstance(value, (dt.date, pd.Timestamp)):
        return _plain(value)
    if isinstance(value, str):
        return neutralize(value)
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM; lists joined with " | "; formula-like cells prefixed with "'"."""
    out = pd.DataFrame({
        neutralize(str(col)): pd.Series([_csv_cell(v) for v in frame[col]], index=frame.index,
                                        dtype=object)
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col])
        or pd.api.types.is_datetime64_any_dtype(frame[col])
        else frame[col]
        for col in frame.columns
    }, index=frame.index)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_jsonl_bytes(frame: pd.DataFrame) -> bytes:
    """One JSON object a line, Arabic as is (ensure_ascii=False), dates as ISO strings."""
    columns = [str(c) for c in frame.columns]
    lines = [
        json.dumps(dict(zip(columns, (_plain(v) for v in row))), ensure_ascii=False)
        for row in frame.itertuples(index=False, name=None)
    ]
    return ("\n".join(lines) + "\n" if lines else "").encode("utf-8")


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


_WRITERS = {"jsonl": to_jsonl_bytes, "csv": to_csv_bytes, "parquet": to_parquet_bytes}


def write_export(frame: pd.DataFrame, path_or_stream: str | os.PathLike | BinaryIO | TextIO,
                 fmt: str | None = None) -> int:
    """Write `frame` as jsonl, csv or parquet to a path ("-" = stdout) or an open stream.

    `fmt` defaults to the file's extension. Files are written to a temporary name and renamed, so
    an interrupted export never leaves half a file. Returns the number of bytes written.
    """
    if fmt is None and isinstance(path_or_stream, (str, os.PathLike)) and str(path_or_stream) != "-":
        fmt = Path(path_or_stream).suffix.lstrip(".").lower()
        fmt = {"json": "jsonl", "ndjson": "jsonl", "pq": "parquet"}.get(fmt, fmt)
    fmt = (fmt or "").lower()
    if fmt not in _WRITERS:
        raise TimelineError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    data = _WRITERS[fmt](frame)

    if isinstance(path_or_stream, (str, os.PathLike)):
        if str(path_or_stream) == "-":
            return _write_stream(sys.stdout, data, fmt)
        path = Path(path_or_stream)
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            if "tmp" in locals() and os.path.exists(tmp):
                os.unlink(tmp)
            raise TimelineError(f"{path}: cannot write export ({exc.strerror or exc})") from exc
        return len(data)
    return _write_stream(path_or_stream, data, fmt)


def _write_stream(stream: Any, data: bytes, fmt: str) -> int:
    if isinstance(stream, io.TextIOBase):
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:          # e.g. sys.stdout: write the bytes, BOM included
            stream.flush()
            buffer.write(data)
            buffer.flush()
            return len(data)
        if fmt == "parquet":
            raise TimelineError("parquet export needs a file or a binary stream, not text")
        stream.write(data.decode("utf-8"))   # keeps the BOM character for csv
        return len(data)
    stream.write(data)
    return len(data)
