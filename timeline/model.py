"""Plain records passed between the stages: documents, time expressions and events.

Every stage is a function over these records, so the CLI, the app and the distributed runner call
the same code. Dates are `datetime.date`; offsets are character offsets into the original text,
end exclusive.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

# TIMEX3 types
DATE, TIME, DURATION, SET = "DATE", "TIME", "DURATION", "SET"

# Where a resolved value came from.
ANCHOR_ABSOLUTE = "absolute"          # the text alone fixes it ("12 أيلول 2023")
ANCHOR_PUBLISHED = "published"        # resolved against the publication date ("أمس")
ANCHOR_PREVIOUS = "previous_date"     # resolved against an earlier expression ("في اليوم التالي")


@dataclass
class TimeExpression:
    text: str                      # exactly as written in the original text
    start: int
    end: int
    type: str                      # DATE, TIME, DURATION or SET
    value: str | None              # TIMEX3 value; None when it cannot be resolved (no reference)
    mod: str | None = None         # START MID END APPROX MORE_THAN LESS_THAN BEFORE AFTER
    interval: tuple[dt.date, dt.date] | None = None   # first and last day it can mean
    granularity: str | None = None  # day, week, month, quarter, season, year, decade, century, time, ref
    calendar: str = "gregorian"     # gregorian or hijri (the value is always Gregorian)
    hijri: str | None = None        # the Hijri date as written/normalized, e.g. "1445-09-29"
    anchor: str | None = None       # absolute, published or previous_date (None when unresolved)
    anchor_text: str | None = None  # for previous_date: the text of the expression it hangs on
    quant: str | None = None        # for SET: EACH etc.
    note: str | None = None         # why a value is missing (out of range, impossible date, ...)
    bound: str | None = None        # "before"/"after": the interval is an open bound, not the span

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["interval"] = [self.interval[0].isoformat(), self.interval[1].isoformat()] if self.interval else None
        return d


@dataclass
class Document:
    id: str                          # content hash (sha256 of normalized title+text, 16 hex chars)
    text: str
    title: str = ""
    published: dt.date | None = None
    published_raw: str | None = None  # as given: header line, metadata value, dateline
    published_from: str | None = None  # header, metadata, dateline, user, unknown
    source: str | None = None
    url: str | None = None
    path: str | None = None           # the file it was read from (and line/row, e.g. "a.jsonl:12")
    tags: list[str] = field(default_factory=list)
    parent_id: str | None = None      # for a "read also" article split off another page
    boilerplate: list[tuple[int, int]] = field(default_factory=list)  # spans of text that yield no events
    external_id: str | None = None    # the id given by the input (jsonl/csv), if any


# The event record's fields, in order (../shared/GUIDE.md plus a few the app needs).
EVENT_FIELDS = [
    "event_id", "document_id", "title", "source", "published",
    "date_text", "date_value", "date_type", "date_mod",
    "date_start", "date_end", "granularity", "date_anchor", "date_bound",
    "calendar", "hijri",
    "tense", "description", "sentence", "evidence_start", "evidence_end",
    "date_start_offset", "date_end_offset",
    "actors", "actor_kinds", "location", "confidence",
]


@dataclass
class ActorRecord:
    canonical: str                 # e.g. "فلاديمير بوتين"
    kind: str                      # person, organization, country, location
    aliases: list[str] = field(default_factory=list)   # surface forms seen for it


@dataclass
class ExtractResult:
    """Everything extracted from one document; what the store ingests in one piece."""
    document: Document
    time_expressions: list[TimeExpression]
    events: list[dict[str, Any]]   # one dict per event, keys = EVENT_FIELDS
    actors: list[ActorRecord]
