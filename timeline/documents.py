"""Read article files into `Document` records: text, title, publication date, source, boilerplate.

`read_paths` takes files and folders and yields one `Document` per article and, for input that
cannot be read, an `InputError` (yielded, not raised) so the caller reports it and goes on.

Formats: plain text (optionally with "تاريخ النشر:" / "المصدر:" / "كلمات دلالية:" lines, as in
seeds/), JSON lines (.jsonl, .jsonl.gz, .json), CSV/TSV, Parquet and saved HTML pages. Row formats
stream row by row. Text files may be UTF-8 (with or without BOM), UTF-16 or Windows-1256.

Where the publication date comes from, first found wins: the input's own metadata (a row's
`published`, the HTML page's date) or header line, then the caller's `published`, then a dateline
in the first lines ("القاهرة - 5 مارس 2022"). Never the file's mtime. A document without any is
still yielded with `published=None, published_from="unknown"`; `missing_date_error` words the
problem for callers that need a date.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import unicodedata
import zlib
from calendar import month_abbr, month_name
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from timeline.errors import InputError
from timeline.model import DATE, Document
from timeline.paths import LEXICON_DIR

# The architecture notes call it ReadError; one class, two names.
ReadError = InputError

__all__ = [
    "read_paths", "read_text_document", "parse_publication_date", "missing_date_error",
    "document_id", "decode_bytes", "ReadError", "InputError",
]

TEXT_SUFFIXES = {".txt", ".text", ".md"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}

MAX_TEXT_BYTES = 50 * 1024 * 1024   # one article; bigger plain files are almost surely not one
SNIFF_BYTES = 64 * 1024
PARQUET_BATCH = 512
DATELINE_LINES = 6                  # a dateline sits in the first lines (title, subtitle, author)
DATELINE_CHARS = 4000               # ... and near the start: a date further in is no dateline
YEAR_RANGE = (1800, 2200)           # outside it a "date" is a number, not a publication date

ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


# ---------------------------------------------------------------------------------------------
# Publication dates


def _english_months() -> dict[str, int]:
    # Month names from the C locale tables, not typed out here; "sept" is common in feeds.
    names = {n.lower(): i for i, n in enumerate(month_name) if n}
    names.update({n.lower(): i for i, n in enumerate(month_abbr) if n})
    names["sept"] = 9
    return names


_EN_MONTHS = _english_months()
_EN_MONTH_ALT = "|".join(sorted(_EN_MONTHS, key=len, reverse=True))

# Numeric and English forms, on text whose Arabic-Indic digits were made ASCII (same length).
# Each: (regex, order of the groups as y/m/d).
_FAST_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # ISO date or date-time; a time and UTC offset after it are ignored (local date as written).
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{4})([/.])(\d{1,2})\2(\d{1,2})(?!\d)"), "ymd"),
    # Day first, as Arabic outlets write it: 12/09/2023, 5-7-2012, 12.09.2023, "25 - 09 - 2012".
    (re.compile(r"(?<![\d/.\-])(\d{1,2}) ?([/.\-]) ?(\d{1,2}) ?\2 ?(\d{4})(?!\d)"), "dmy"),
    # "25 Feb 2018", "12th, September 2023", "Sun, 25 Feb 2018 11:00:59 +0400".
    (re.compile(rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th)?,?\s+({_EN_MONTH_ALT})\.?,?\s+(\d{{4}})(?!\d)", re.I), "dmy"),
    # "September 12, 2023".
    (re.compile(rf"(?<![\w])({_EN_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I), "mdy"),
]


@dataclass
class _DateMatch:
    start: int
    end: int
    date: dt.date | None      # None: it has the shape of a date but cannot be one (31/02/2023)


def _make_date(y: int, m: int, d: int) -> dt.date | None:
    if not YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _fast_dates(text: str) -> list[_DateMatch]:
    """Numeric and English dates in `text`, earliest first; no overlapping matches."""
    ascii_text = text.translate(ARABIC_DIGITS)
    found: list[_DateMatch] = []
    for pattern, order in _FAST_PATTERNS:
        for m in pattern.finditer(ascii_text):
            # The separator is captured (and must repeat) in the numeric forms; drop it.
            a, b, c = [g for g in m.groups() if g is None or g not in "/.-"]
            if order == "ymd":
                y, mo, d = int(a), int(b), int(c)
            elif order == "dmy":
                d, y = int(a), int(c)
                mo = int(b) if b.isdigit() else _EN_MONTHS[b.lower()]
            else:
                mo, d, y = _EN_MONTHS[a.lower()], int(b), int(c)
            if not YEAR_RANGE[0] <= y <= YEAR_RANGE[1]:
                continue    # "9-10-1436" is Hijri: the tagger's business
            found.append(_DateMatch(m.start(), m.end(), _make_date(y, mo, d)))
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    result: list[_DateMatch] = []
    for match in found:
        if not result or match.start >= result[-1].end:
            result.append(match)
    return result


def _tagger():
    # The tagger is built in parallel and may be absent or broken in a checkout; dates in Arabic
    # words then go unread rather than breaking every import of this module.
    try:
        from timeline.tagger import tag
    except ImportError:
        return None
    return tag


def _tagged_dates(text: str) -> list[_DateMatch]:
    """Day-granular absolute DATEs the tagger finds in `text` (Arabic month names, weekdays...)."""
    tag = _tagger()
    if tag is None:
        return []
    found = []
    for t in tag(text, None):
        if t.type != DATE or t.granularity != "day" or not t.value:
            continue
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t.value)
        if m:
            found.append(_DateMatch(t.start, t.end, _make_date(*map(int, m.groups()))))
    return found


@lru_cache(maxsize=1)
def _dateparser():
    try:
        import dateparser
    except ImportError:
        return None
    return dateparser


def parse_publication_date(raw: Any) -> dt.date | None:
    """The calendar day a publication-date string names, or None.

    ISO dates and date-times give their local date (the UTC offset is ignored, never converted);
    day-first numeric dates; RFC 2822 and English month names; Arabic forms ("12 أيلول 2023",
    "الخميس 12 أكتوبر 2023", Arabic-Indic digits) through the tagger. Impossible or partial dates
    (a month, a year) give None.
    """
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    fast = _fast_dates(text)
    if fast:
        return fast[0].date
    tagged = _tagged_dates(text)
    if tagged:
        return tagged[0].date
    return _dateparser_date(text)


def _dateparser_date(text: str) -> dt.date | None:
    # Last resort for other languages and forms; a full day is required so "سبتمبر 2023" or a
    # bare number never becomes a made-up day.
    dateparser = _dateparser()
    if dateparser is None or not re.search(r"\d", text.translate(ARABIC_DIGITS)):
        return None
    try:
        parsed = dateparser.parse(text.translate(ARABIC_DIGITS), settings={
            "REQUIRE_PARTS": ["day", "month", "year"], "DATE_ORDER": "DMY",
            "PREFER_DATES_FROM": "past"})
    except Exception:  # dateparser raises assorted errors on odd input; unreadable is the answer
        return None
    if parsed is None or not YEAR_RANGE[0] <= parsed.year <= YEAR_RANGE[1]:
        return None
    return parsed.date()


def _user_date(published: Any) -> tuple[dt.date | None, str | None]:
    if published is None or published == "":
        return None, None
    day = parse_publication_date(published)
    if day is None:
        raise InputError(None, f"--published {published!r} is not a date (use YYYY-MM-DD)")
    raw = published.isoformat() if isinstance(published, (dt.date, dt.datetime)) else str(published)
    return day, raw


# ---------------------------------------------------------------------------------------------
# Boilerplate lexicon


_ARABIC_MARKS = "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]*"
_LOOSE = {**{c: "[اأإآٱ]" for c in "اأإآٱ"}, "ي": "[يى]", "ى": "[يى]", "ة": "[ةه]", "ه": "[ةه]"}


def _loose(phrase: str) -> str:
    """Regex source for `phrase` that tolerates hamza/ya/ta-marbuta spellings and diacritics."""
    out = []
    for ch in phrase.strip():
        if ch == " ":
            out.append(r"\s+")
        elif ch == "…":
            out.append(r"[^\r\n]{0,80}?")
        else:
            out.append(_LOOSE.get(ch, re.escape(ch)))
            if "\u0600" <= ch <= "\u06ff":
                out.append(_ARABIC_MARKS)
    return "".join(out)


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(_loose(p) for p in sorted(phrases, key=len, reverse=True))


@dataclass
class _Lexicon:
    fields: dict[str, re.Pattern[str]]
    read_also: re.Pattern[str]
    line_only: re.Pattern[str]
    line_start: re.Pattern[str]
    inline: re.Pattern[str]
    dateline_lead: re.Pattern[str]


_SEP = r"[ \t]*[:：\-–—][ \t]*"          # the separator after a field name or marker
_END = r"(?![\w])"                      # a phrase ends at a word boundary


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    with open(LEXICON_DIR / "boilerplate.yaml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    fields = {
        kind: re.compile(rf"(?:{_alternation(names)}){_ARABIC_MARKS}[ \t]*[:：][ \t]*", re.I)
        for kind, names in data["fields"].items()
    }
    # group "sep" is empty when a "related" marker has no separator: then it must stand alone.
    read_also = re.compile(
        rf"[ \t]*(?:(?P<ra>{_alternation(data['read_also'])}){_END}(?P<rsep>{_SEP})?"
        rf"|(?P<rel>{_alternation(data['related'])}){_END}(?P<sep>{_SEP})?)", re.I)
    line_only = re.compile(rf"[\W_]*(?:{_alternation(data['line_only'])})[\W_]*", re.I)
    line_start = re.compile(rf"[ \t\W]*(?:{_alternation(data['line_start'])}){_END}", re.I)
    inline = re.compile(rf"(?:{_alternation(data['inline'])}){_END}", re.I)
    dateline_lead = re.compile(rf"(?:{_alternation(data['dateline_lead'])})[ \t]*$", re.I)
    return _Lexicon(fields, read_also, line_only, line_start, inline, dateline_lead)


# ---------------------------------------------------------------------------------------------
# Page structure: fields, boilerplate, "read also" splits


_LINE_RE = re.compile(r"[^\r\n]*")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, without its line break."""
    spans = []
    pos, n = 0, len(text)
    while pos <= n:
        m = _LINE_RE.match(text, pos)
        spans.append((m.start(), m.end()))
        pos = m.end()
        if pos >= n:
            break
        pos += 2 if text.startswith("\r\n", pos) else 1
    return spans


@dataclass
class _Page:
    boilerplate: list[tuple[int, int]] = field(default_factory=list)
    published_raw: str | None = None
    source: str | None = None
    tags: list[str] = field(default_factory=list)
    split: tuple[int, int] | None = None    # (end of this article, start of the next one)


def _is_headline(line: str) -> bool:
    # Link titles after a lone "اقرأ أيضا": short and without the full stop or colon that ends
    # body lines (a title may well start with "و": "وفاة الممثل ...").
    s = line.strip()
    return 0 < len(s) <= 150 and not s.endswith((".", ":", "؛", "…"))


def _field_at(lex: _Lexicon, line: str) -> tuple[str, int, str] | None:
    """A "NAME: value" field in `line`: (kind, where the name starts, value)."""
    for kind, pattern in lex.fields.items():
        for m in pattern.finditer(line):
            before = line[:m.start()]
            at_start = not before.strip(" \t•*-–|")
            glued = bool(before) and not before[-1].isspace()   # "روسياالمصدر: العربية"
            if not (at_start or glued):
                continue
            value = line[m.end():].strip()
            # Glued fields come at the end of a scraped line and have a short value; a long one
            # with quotes is a sentence quoting someone.
            if glued and (len(value) > 60 or len(value.split()) > 6 or re.search(r"[\"«»“”]", value)):
                continue
            if not value:
                continue
            return kind, m.start(), value
    return None


def _split_tags(value: str, text: str) -> list[str]:
    parts = [p.strip(" #") for p in re.split(r"[,،;؛|#\n]", value)]
    parts = [p for p in parts if p]
    if len(parts) > 1:
        return parts
    # Space-separated tag lists are ambiguous ("كوريا الشمالية بوتين"): hashtags elsewhere on the
    # page ("كوريا_الشمالية") say which words belong together.
    known = sorted({h.replace("_", " ") for h in re.findall(r"\w+(?:_\w+)+", text)},
                   key=lambda s: -len(s.split()))
    words, tags, i = value.split(), [], 0
    while i < len(words):
        for k in known:
            kw = k.split()
            if words[i:i + len(kw)] == kw:
                tags.append(k)
                i += len(kw)
                break
        else:
            tags.append(words[i])
            i += 1
    return tags


def _scan(text: str) -> _Page:
    """Fields, boilerplate spans and the first "read also" split of one article's text."""
    lex = _lexicon()
    page = _Page()
    lines = _lines(text)
    prev_boiler = False          # was the last non-empty line page furniture (article ended)?
    i = 0
    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        i += 1
        if not line.strip():
            continue
        marker = lex.read_also.match(line)
        if marker and (marker.group("ra") or marker.group("sep") is not None
                       or not line[marker.end():].strip()):
            rest_at = start + marker.end()
            lone = not text[rest_at:end].strip()
            # What follows the marker: the rest of its line, or the lines after it.
            next_i = i
            while lone and next_i < len(lines) and not text[slice(*lines[next_i])].strip():
                next_i += 1
            if lone:
                heads = next_i
                while heads < len(lines) and heads - next_i < 8 and _is_headline(text[slice(*lines[heads])]):
                    heads += 1
                has_body = any(text[s:e].strip() and not _is_headline(text[s:e]) for s, e in lines[heads:])
                resume = lines[next_i][0] if next_i < len(lines) else len(text)
            else:
                resume = rest_at + (len(text[rest_at:end]) - len(text[rest_at:end].lstrip()))
                has_body = any(text[s:e].strip() and not _is_headline(text[s:e]) for s, e in lines[i:])
            if prev_boiler and has_body and text[:start].strip():
                # After the footer: another article saved on the same page.
                page.split = (len(text[:start].rstrip()), resume)
                break
            # Inside the article: links to other articles, which then goes on.
            page.boilerplate.append((start, end))
            if lone:
                while i < len(lines) and i - next_i < 8 and _is_headline(text[slice(*lines[i])]):
                    page.boilerplate.append(lines[i])
                    i += 1
            continue    # link lines leave "did the article end?" as it was

        boiler_from: int | None = None
        if lex.line_only.fullmatch(line) or lex.line_start.match(line):
            boiler_from = 0
        else:
            m = lex.inline.search(line)
            if m:
                boiler_from = m.start()
        found = _field_at(lex, line)
        if found:
            kind, at, value = found
            if kind == "published" and page.published_raw is None:
                page.published_raw = value
            elif kind == "source" and page.source is None:
                page.source = value
            elif kind == "tags" and not page.tags:
                page.tags = _split_tags(value, text)
            boiler_from = at if boiler_from is None else min(boiler_from, at)
        if boiler_from is not None:
            # Keep the span tight: leading spaces before a glued field are not part of it.
            page.boilerplate.append((start + boiler_from, end))
        prev_boiler = boiler_from is not None and not line[:boiler_from].strip()
    page.boilerplate = _merge(page.boilerplate)
    return page


def _find_dateline(text: str) -> tuple[dt.date, str, tuple[int, int], int] | None:
    """A dateline in the first lines: (date, its text, its span, index of its line)."""
    lines = [(s, e) for s, e in _lines(text) if text[s:e].strip()][:DATELINE_LINES]
    if not lines:
        return None
    # A bounded head: a text without line breaks is one huge "first line", and tagging all of it
    # here cost as much as the whole extraction (and GBs of memory on a 50 MB file).
    head = text[:min(lines[-1][1], DATELINE_CHARS)]
    candidates = _fast_dates(head) + _tagged_dates(head)
    candidates.sort(key=lambda c: c.start)
    for c in candidates:
        if c.date is None:
            continue
        for index, (ls, le) in enumerate(lines):
            if not ls <= c.start < le:
                continue
            prefix = text[ls:c.start].strip()
            suffix = text[c.end:le]
            words = len(prefix.split())
            agency = re.match(r"[ \t]*\S{0,12}[ \t]*[-–—]", suffix)
            # The date leads its line ("الخميس 12 أكتوبر 2023": the tagger's span has the weekday;
            # "2012-04-15"), follows a place or name and a dash, comma or bar ("القاهرة - 5 مارس
            # 2022"), is followed by an agency and a dash ("طوباس 5-7-2012 وفا-"), or follows
            # "نشر في ... يوم". A title that mentions a date ("ذكرى هجمات 11 سبتمبر 2001") is none
            # of these.
            if (not prefix or (words <= 6 and prefix[-1] in "-–—,،:|/")
                    or (words <= 2 and agency)
                    or _lexicon().dateline_lead.search(prefix)):
                end = c.end
                if prefix and agency and len(text[ls:c.end + agency.end()]) <= 60:
                    end = c.end + agency.end()
                return c.date, text[c.start:c.end], (ls, end), index
    return None


def document_id(title: str, text: str) -> str:
    """Content hash: the same article read twice, from any file, gets the same id."""
    norm = unicodedata.normalize("NFC", f"{title}\n{text}")
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def _first_line(text: str, skip: int | None = None) -> str:
    nonempty = [text[s:e].strip() for s, e in _lines(text) if text[s:e].strip()]
    for index, line in enumerate(nonempty[:DATELINE_LINES + 1]):
        if index == skip:
            continue
        return line if len(line) <= 200 else ""
    return ""


def _build_documents(text: str, *, path: str | None, title: str | None = None,
                     meta_date: dt.date | None = None, meta_raw: str | None = None,
                     user_date: dt.date | None = None, user_raw: str | None = None,
                     source: str | None = None, url: str | None = None,
                     external_id: str | None = None) -> list[Document]:
    docs: list[Document] = []
    parent_id: str | None = None
    first = True
    while True:
        page = _scan(text)
        body = text[:page.split[0]] if page.split else text
        boilerplate = [(s, min(e, len(body))) for s, e in page.boilerplate if s < len(body)]
        published, raw, origin = None, None, "unknown"
        header_date = parse_publication_date(page.published_raw) if page.published_raw else None
        dateline_line = None
        if first and meta_date is not None:
            published, raw, origin = meta_date, meta_raw, "metadata"
        elif header_date is not None:
            published, raw, origin = header_date, page.published_raw, "header"
        elif first and user_date is not None:
            published, raw, origin = user_date, user_raw, "user"
        elif first:
            found = _find_dateline(body)
            if found:
                published, raw, span, dateline_line = found
                origin = "dateline"
                boilerplate = _merge(boilerplate + [span])
                # A first line that is only the dateline is not the title.
                if dateline_line == 0 and not _outside(body, span).strip():
                    dateline_line = 0
                else:
                    dateline_line = None
        if first and title is not None:
            doc_title = title
        else:
            doc_title = _first_line(body, skip=dateline_line)
        doc = Document(
            id=document_id(doc_title, body), text=body, title=doc_title,
            published=published, published_raw=raw if published else page.published_raw or raw,
            published_from=origin, source=source or page.source,
            url=url if first else None, path=path, tags=page.tags, parent_id=parent_id,
            boilerplate=boilerplate, external_id=external_id if first else None)
        docs.append(doc)
        if not page.split:
            return docs
        parent_id = parent_id or doc.id
        source = doc.source        # the page's outlet published the read-also article too
        text = text[page.split[1]:]
        first = False


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _outside(text: str, span: tuple[int, int]) -> str:
    """The rest of the line(s) that `span` sits on, without the span."""
    line_start = text.rfind("\n", 0, span[0]) + 1
    line_end = text.find("\n", span[1])
    return text[line_start:span[0]] + text[span[1]:len(text) if line_end < 0 else line_end]


def read_text_document(text: str, published: Any = None, *, path: str | None = None,
                       title: str | None = None, source: str | None = None,
                       url: str | None = None) -> list[Document]:
    """Documents from one article's text (pasted or read from a .txt): the article and any
    article saved after it on the same page ("إقرأ أيضاً:" after the footer).

    `published` is the caller's date (e.g. --published), used when the text has no
    "تاريخ النشر:" line; without either, a dateline in the first lines is used.
    """
    user_date, user_raw = _user_date(published)
    return _build_documents(text, path=path, title=title, user_date=user_date, user_raw=user_raw,
                            source=source, url=url)


def missing_date_error(doc: Document) -> InputError:
    """The error to report for a document that has no publication date, for callers needing one."""
    path, line = doc.path, None
    if path and re.search(r":\d+$", path):
        path, _, number = path.rpartition(":")
        line = int(number)
    return InputError(path, "no publication date (give --published)", line)


# ---------------------------------------------------------------------------------------------
# Bytes to text


def _arabic_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum("\u0621" <= c <= "\u064a" or "\u0671" <= c <= "\u06d3" for c in letters) / len(letters)


def _plausible_arabic(text: str) -> bool:
    """Real Arabic, not UTF-8 bytes read as Windows-1256. In real Arabic nearly every non-ASCII
    character is an Arabic letter, digit or mark; in that mojibake half are symbols († ‡ „ ...)
    and the letters are mostly ط and ظ (the UTF-8 lead bytes D8 and D9)."""
    neutral = "\u00a0«»…‘’“”–—•×÷°"
    non_ascii = [c for c in text if ord(c) > 127 and c not in neutral]
    arabic = [c for c in non_ascii if "\u060c" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufefc"]
    if len(arabic) < 2 or len(arabic) < 0.9 * len(non_ascii):
        return False
    letters = [c for c in arabic if "\u0621" <= c <= "\u064a"]
    if not letters:
        return False
    # Mojibake is lead byte + continuation byte: ط or ظ (D8, D9) each followed by what cp1256 makes
    # of 0x80-0xBF. Real Arabic may be full of ط and ظ ("طائرة ظل"), but not in that pairing.
    leads = sum(c in "طظ" for c in letters)
    pairs = sum(1 for a, b in zip(text, text[1:]) if a in "طظ" and b in _CP1256_CONTINUATION)
    return pairs < 0.5 * leads if leads else True


_CP1256_CONTINUATION = frozenset(bytes(range(0x80, 0xC0)).decode("cp1256", errors="replace")) - {"\ufffd"}


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v" for c in text)
    return bad / len(text)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL bytes all in even (big-endian) or odd (little-endian)
    positions: the high byte of ASCII characters."""
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    if even == odd or min(even, odd) > max(even, odd) * 0.05:
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data[: len(data) // 2 * 2].decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if _control_ratio(text) < 0.01 else None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file's bytes; InputError (without a path) when it is not text.

    UTF-8 (BOM or not), UTF-16/32 with a BOM, UTF-16 without one, Windows-1256 when the bytes are
    not UTF-8 and read as Arabic, else what charset-normalizer finds if it reads as text.
    """
    if not data:
        raise InputError(None, "empty file")
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding)), encoding
            except UnicodeDecodeError as e:
                raise InputError(None, f"not valid {encoding.upper()} despite its byte-order mark "
                                       f"(bad bytes at byte offset {e.start})") from None
    if b"\0" in data:
        text = _utf16_without_bom(data)
        if text is None:
            raise InputError(None, "binary file, not text")
        return _checked(text), "utf-16"
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    # Valid UTF-8 up to a cut multi-byte character at the very end: a truncated download.
    truncated = utf8_error.start >= len(data) - 3 and utf8_error.reason == "unexpected end of data"
    if not truncated:
        # C0 control bytes other than white space do not occur in text in any 8-bit encoding.
        if sum(b < 32 and b not in b"\t\n\r\f\v" for b in data) > len(data) * 0.01:
            raise InputError(None, "binary file, not text")
        cp1256 = data.decode("cp1256", errors="replace")
        if _plausible_arabic(cp1256):
            return _checked(cp1256), "cp1256"
        guess = _charset_guess(data)
        if guess is not None:
            return guess
    where = "cut off at the end" if truncated else f"invalid byte 0x{data[utf8_error.start]:02x}"
    raise InputError(None, f"not valid UTF-8 ({where}, byte offset {utf8_error.start}) and not "
                           "Windows-1256 Arabic either; save it as UTF-8")


def _charset_guess(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    best = from_bytes(data).best()
    if best is None or best.encoding in ("utf_8", "ascii"):
        return None
    text = str(best)
    if _control_ratio(text) > 0.01:
        return None
    # Arabic must read as Arabic; other scripts must not be mostly symbols.
    if _arabic_ratio(text) >= 0.3 and not _plausible_arabic(text):
        return None
    letters = sum(c.isalpha() for c in text)
    if letters < len(text) * 0.4:
        return None
    return text, best.encoding


def _checked(text: str) -> str:
    if _control_ratio(text) > 0.01:
        raise InputError(None, "binary file, not text")
    if not text.strip():
        raise InputError(None, "empty file (only white space)")
    return text


# ---------------------------------------------------------------------------------------------
# Files


def _suffixes(path: Path) -> tuple[str, bool]:
    """(format suffix, gzipped?)."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), gz


def _open_binary(path: Path, gz: bool):
    return gzip.open(path, "rb") if gz else open(path, "rb")


def read_paths(paths: str | os.PathLike | Iterable[str | os.PathLike], published: Any = None, *,
               recursive: bool = True) -> Iterator[Document | InputError]:
    """Documents from files and folders (folders in sorted order, hidden files skipped), and an
    InputError for each file or record that cannot be read.

    `published` (a date, date-time or string such as "2023-09-12") is the caller's publication
    date for documents whose input has none. An unreadable `published` raises InputError at once.
    """
    user_date, user_raw = _user_date(published)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _read_all(list(paths), user_date, user_raw, recursive)


def _read_all(paths: list, user_date, user_raw, recursive: bool) -> Iterator[Document | InputError]:
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in _walk(path, recursive, set()):
                yield from _read_file(file, user_date, user_raw)
        elif path.exists():
            yield from _read_file(path, user_date, user_raw)
        else:
            yield InputError(str(path), "no such file or folder")


def _walk(folder: Path, recursive: bool, seen: set) -> Iterator[Path]:
    real = folder.resolve()
    if real in seen:      # a symlink back up the tree
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if recursive:
                yield from _walk(entry, recursive, seen)
        elif entry.is_file():
            yield entry


def _read_file(path: Path, user_date, user_raw) -> Iterator[Document | InputError]:
    name = str(path)
    suffix, gz = _suffixes(path)
    try:
        if suffix in JSONL_SUFFIXES:
            reader = _read_jsonl(path, gz, user_date, user_raw)
        elif suffix in CSV_SUFFIXES:
            reader = _read_csv(path, gz, suffix, user_date, user_raw)
        elif suffix in PARQUET_SUFFIXES and not gz:
            reader = _read_parquet(path, user_date, user_raw)
        elif suffix in HTML_SUFFIXES:
            reader = _read_html(path, gz, user_date, user_raw)
        else:
            reader = _read_plain(path, gz, user_date, user_raw)
        yield from reader
    except InputError as e:
        yield InputError(name, e.message, e.line)
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        yield InputError(name, f"damaged compressed file ({e})")
    except OSError as e:
        yield InputError(name, f"cannot be read ({e.strerror or e})")
    except Exception as e:  # one bad file must not stop a run over thousands; say what happened
        yield InputError(name, f"cannot be read ({type(e).__name__}: {e})")


def _read_bytes(path: Path, gz: bool) -> bytes:
    with _open_binary(path, gz) as fh:
        data = fh.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(None, f"too large for one article (over {MAX_TEXT_BYTES // 2**20} MB); "
                               "give many articles as .jsonl or .csv")
    return data


def _read_plain(path: Path, gz: bool, user_date, user_raw) -> Iterator[Document | InputError]:
    data = _read_bytes(path, gz)
    if data.startswith(b"PAR1") and not gz:
        yield from _read_parquet(path, user_date, user_raw)
        return
    text, _ = decode_bytes(data)
    yield from _build_documents(text, path=str(path), user_date=user_date, user_raw=user_raw)


# Row-based formats -----------------------------------------------------------------------------

ROW_FIELDS = ("id", "title", "text", "published", "source", "url")


def _row_document(row: dict, path: str, line: int, user_date, user_raw) -> list[Document] | InputError:
    try:
        return _row_documents(row, path, line, user_date, user_raw)
    except Exception as e:  # one odd row must not end the file; the rows after it still count
        return InputError(path, f"cannot be read ({type(e).__name__}: {e})", line)


def _row_documents(row: dict, path: str, line: int, user_date, user_raw) -> list[Document] | InputError:
    if "text" not in row:
        return InputError(path, "no 'text' field", line)
    text = row.get("text")
    if text is None or (isinstance(text, float) and text != text):   # null / NaN
        text = ""
    if not isinstance(text, str):
        return InputError(path, f"'text' is not a string ({type(text).__name__})", line)
    if not text.strip():
        return InputError(path, "empty text", line)
    raw = row.get("published")
    meta_date = None
    if raw is not None and raw == raw and str(raw).strip():
        meta_date = parse_publication_date(raw)
        raw = raw.isoformat() if isinstance(raw, (dt.date, dt.datetime)) else str(raw)
    else:
        raw = None

    def text_or_none(key: str) -> str | None:
        value = row.get(key)
        if value is None or value != value:
            return None
        value = str(value).strip()
        return value or None

    docs = _build_documents(
        text, path=f"{path}:{line}", title=text_or_none("title") or "",
        meta_date=meta_date, meta_raw=raw, user_date=user_date, user_raw=user_raw,
        source=text_or_none("source"), url=text_or_none("url"), external_id=text_or_none("id"))
    if meta_date is None and raw is not None and docs[0].published is None:
        docs[0].published_raw = raw    # keep the unreadable value so the user sees what it was
    return docs


def _sniff_encoding(path: Path, gz: bool) -> str:
    """Encoding of a row file from its first bytes, so the rest can stream."""
    head = b""
    with _open_binary(path, gz) as fh:
        try:
            while len(head) < SNIFF_BYTES:
                chunk = fh.read(8192)
                if not chunk:
                    break
                head += chunk
        except (EOFError, OSError, zlib.error):
            pass    # damaged compressed data: read the rows up to it, report it there
    if not head:
        raise InputError(None, "empty file")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\0" in head:
        text = _utf16_without_bom(head)
        if text is None:
            raise InputError(None, "binary file, not text")
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)   # the chunk may end inside a character
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _plausible_arabic(head.decode("cp1256", errors="replace")):
        return "cp1256"
    return "utf-8"   # bad lines are then reported one by one


def _text_lines(path: Path, gz: bool, encoding: str) -> Iterator[tuple[int, str | InputError]]:
    """(line number, text or the decoding error) for each line, streaming."""
    if encoding.startswith("utf-16"):
        with _open_binary(path, gz) as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as fh:
            number = 0
            try:
                for number, line in enumerate(fh, 1):
                    yield number, line
            except UnicodeDecodeError:
                yield number + 1, InputError(None, "not valid UTF-16 from here on", number + 1)
        return
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    with _open_binary(path, gz) as fh:
        for number, data in enumerate(fh, 1):
            if number == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[3:]
            try:
                yield number, data.decode(codec)
            except UnicodeDecodeError as e:
                yield number, InputError(None, f"not valid UTF-8 (byte {e.start} of the line)", number)


def json_line_documents(line: str, name: str, number: int, user_date, user_raw) -> Iterator[Document | InputError]:
    """The documents of one JSON line (an article, and any article split off after it), or the
    error that names the file and line. Shared by the reader and the partition workers."""
    try:
        row = json.loads(line.strip())
    except json.JSONDecodeError as e:
        yield InputError(name, f"not valid JSON ({e.msg})", number)
        return
    if not isinstance(row, dict):
        yield InputError(name, f"expected a JSON object, found {type(row).__name__}", number)
        return
    yield from _yield_row(row, name, number, user_date, user_raw)


def _yield_row(row: dict, name: str, number: int, user_date, user_raw) -> Iterator[Document | InputError]:
    """The documents of one input row, or its error, one by one."""
    result = _row_document(row, name, number, user_date, user_raw)
    if isinstance(result, InputError):
        yield result
    else:
        yield from result


def _read_jsonl(path: Path, gz: bool, user_date, user_raw) -> Iterator[Document | InputError]:
    name = str(path)
    encoding = _sniff_encoding(path, gz)
    lines = _text_lines(path, gz, encoding)
    first_seen = False
    for number, line in lines:
        if isinstance(line, InputError):
            yield InputError(name, line.message, line.line)
            continue
        if not line.strip():
            continue
        if not first_seen:
            first_seen = True
            if line.lstrip().startswith("["):
                # A JSON array, not JSON lines: it has to be parsed whole.
                yield from _read_json_array(path, gz, encoding, user_date, user_raw)
                return
            try:
                json.loads(line)
            except json.JSONDecodeError:
                if line.lstrip().startswith("{") and path.suffix.lower() == ".json":
                    # One pretty-printed object across many lines.
                    yield from _read_json_array(path, gz, encoding, user_date, user_raw)
                    return
        yield from json_line_documents(line, name, number, user_date, user_raw)
    if not first_seen:
        yield InputError(name, "empty file")


def _read_json_array(path: Path, gz: bool, encoding: str, user_date, user_raw):
    name = str(path)
    with _open_binary(path, gz) as fh:
        data = fh.read()
    try:
        value = json.loads(data.decode(encoding))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        line = getattr(e, "lineno", None)
        reason = getattr(e, "msg", None) or str(e)
        yield InputError(name, f"not valid JSON ({reason})", line)
        return
    rows = value if isinstance(value, list) else [value]
    for number, row in enumerate(rows, 1):
        # Position in the array stands in for a line number.
        if not isinstance(row, dict):
            yield InputError(name, f"item {number} is not a JSON object", number)
            continue
        yield from _yield_row(row, name, number, user_date, user_raw)


def _read_csv(path: Path, gz: bool, suffix: str, user_date, user_raw) -> Iterator[Document | InputError]:
    name = str(path)
    encoding = _sniff_encoding(path, gz)
    csv.field_size_limit(2**31 - 1)     # article texts exceed the 128 KB default
    with _open_binary(path, gz) as raw, \
            io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict") as fh:
        header_line = fh.readline()
        if not header_line.strip():
            raise InputError(None, "empty file")
        if suffix == ".tsv":
            delimiter = "\t"
        else:
            delimiter = max(",;\t", key=header_line.count)
        header = next(csv.reader([header_line], delimiter=delimiter))
        columns = [h.strip().lstrip("\ufeff").lower() for h in header]
        if "text" not in columns:
            shown = ", ".join(repr(c) for c in columns[:10])
            raise InputError(None, f"missing column 'text' (it has {shown})")
        reader = csv.reader(fh, delimiter=delimiter)
        line = 1
        while True:
            start = line + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                line = reader.line_num + 1
                yield InputError(name, f"not valid CSV ({e})", start)
                continue
            except UnicodeDecodeError:
                yield InputError(name, f"not valid {encoding} text from here on", start)
                break
            line = reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            row = dict(zip(columns, values))
            result = _row_document(row, name, start, user_date, user_raw)
            if isinstance(result, InputError):
                yield result
            else:
                yield from result


def _read_parquet(path: Path, user_date, user_raw) -> Iterator[Document | InputError]:
    import pyarrow.parquet as pq

    name = str(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as e:
        raise InputError(None, f"not a readable Parquet file ({e})") from None
    columns = [c for c in pf.schema_arrow.names]
    lower = {c.lower(): c for c in columns}
    if "text" not in lower:
        shown = ", ".join(repr(c) for c in columns[:10])
        raise InputError(None, f"missing column 'text' (it has {shown})")
    wanted = [lower[f] for f in ROW_FIELDS if f in lower]
    number = 0
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH, columns=wanted):
        for row in batch.to_pylist():
            number += 1
            result = _row_document({k.lower(): v for k, v in row.items()}, name, number, user_date, user_raw)
            if isinstance(result, InputError):
                yield result
            else:
                yield from result


# HTML ------------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _decode_html(data: bytes) -> str:
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _META_CHARSET.search(data[:4096])
        if declared:
            try:
                return data.decode(codecs.lookup(declared.group(1).decode("ascii")).name)
            except (LookupError, UnicodeDecodeError):
                pass    # a wrong declaration is common; detect instead
    return decode_bytes(data)[0]


def _read_html(path: Path, gz: bool, user_date, user_raw) -> Iterator[Document | InputError]:
    html = _decode_html(_read_bytes(path, gz))
    try:
        import trafilatura
    except ImportError as e:
        raise InputError(None, f"cannot read HTML: trafilatura is not usable ({e})") from None
    extracted = trafilatura.extract(
        html, output_format="json", with_metadata=True, include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True})
    meta = json.loads(extracted) if extracted else {}
    text = (meta.get("text") or "").strip()
    if not text:
        raise InputError(None, "no article text found in the HTML page")
    raw_date = meta.get("date")
    yield from _build_documents(
        text, path=str(path), title=meta.get("title") or None,
        meta_date=parse_publication_date(raw_date) if raw_date else None, meta_raw=raw_date,
        user_date=user_date, user_raw=user_raw,
        source=meta.get("sitename") or meta.get("source-hostname") or meta.get("hostname") or None,
        url=meta.get("url") or None)
