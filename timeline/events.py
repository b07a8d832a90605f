"""From a document to event records: sentences, clauses, their dates, their actors.

An event is a clause that reports something happening, with its time. For each document:

1. time expressions come from the tagger, resolved against the publication date (narrative ones
   against the last date mentioned);
2. actors come from timeline.actors, merged within the document;
3. the text outside boilerplate is cut into sentences, and sentences into clauses at punctuation and
   at clause-opening words (data/lexicon/clauses.yaml: "بعد أن", "في حين" ...);
4. every clause holding a date that locates something (a DATE or TIME with a value, or a DURATION
   that bounds a start: "الممتدة منذ أكثر من 18 شهراً") is an event dated by it;
5. a sentence with no date of its own but with an actor (a statement: "وقال بيسكوف ...") is one
   event dated by the publication date and marked so (date_anchor "published", no date_text);
   without a publication date it is kept undated, never dated by guess.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from . import actors as actors_mod
from .model import DATE, DURATION, TIME, Document, ExtractResult, TimeExpression
from .normalize import fold
from .paths import LEXICON_DIR
from .tagger import _sentence_is_future, tag

# Sentence ends: full stops, question and exclamation marks, line breaks. A full stop inside a
# number or an abbreviation ("3.5", "ق.م") is not an end.
_SENTENCE_END = re.compile(r"(?<!\d)[.!?؟](?!\d)|\n+|(?<=\d)(?=ال[^\W\d_]{2})")
# (the last alternative: a heading glued to the next sentence, "آخر زيارة عام 2019الجدير بالذكر")
_CLAUSE_PUNCT = re.compile(r"[،,;؛:]|\s[-–—]\s")
_VAGUE_VALUES = {"PAST_REF", "PRESENT_REF", "FUTURE_REF"}


@functools.lru_cache(maxsize=1)
def _clause_words() -> tuple[re.Pattern, frozenset[str]]:
    with open(LEXICON_DIR / "clauses.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    openers = sorted({fold(w) for w in data["clause_openers"]}, key=len, reverse=True)
    pattern = re.compile(r"(?<![^\s])(?:" + "|".join(re.escape(w) for w in openers) + r")(?![^\W\d_])")
    verbs = frozenset(fold(w) for w in data["reporting_verbs"])
    return pattern, verbs


@dataclass
class _Span:
    start: int
    end: int


def _inside(span: tuple[int, int], blocks: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in blocks)


def sentences(text: str, boilerplate: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of the text, trimmed of spaces, boilerplate left out."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end() if m.group().strip() else m.start()
        out.append((start, end))
        start = m.end()
    out.append((start, len(text)))
    spans = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and not _inside((s, e), list(boilerplate)):
            spans.append((s, e))
    return spans


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans inside the sentence [start, end): cut at punctuation and clause openers."""
    folded = fold(text[start:end])
    if len(folded) != end - start:        # folding deleted marks: cut on the original text
        folded = text[start:end]
    cuts = {0, end - start}
    for m in _CLAUSE_PUNCT.finditer(text, start, end):
        cuts.add(m.start() - start)
        cuts.add(m.end() - start)
    opener_re, _ = _clause_words()
    for m in opener_re.finditer(folded):
        cuts.add(m.start())
    points = sorted(cuts)
    spans = []
    for a, b in zip(points, points[1:]):
        s, e = start + a, start + b
        piece = text[s:e]
        if not piece.strip(" ،,;؛:-–—\"'«»()"):
            continue
        while s < e and text[s] in " ،,;؛:-–—":
            s += 1
        while e > s and text[e - 1] in " ":
            e -= 1
        spans.append((s, e))
    return spans


def _expand_short(text: str, clause: tuple[int, int], sentence: tuple[int, int], all_clauses) -> tuple[int, int]:
    """A clause of one or two words ("الاثنين،") carries no event alone: join it to its neighbour."""
    words = text[clause[0]:clause[1]].split()
    if len(words) >= 3:
        return clause
    index = all_clauses.index(clause)
    if index + 1 < len(all_clauses):
        return clause[0], all_clauses[index + 1][1]
    if index > 0:
        return all_clauses[index - 1][0], clause[1]
    return sentence


def _locates(t: TimeExpression) -> bool:
    """Does the expression put an event on the timeline?"""
    if t.value is None and t.type in (DATE, TIME):
        return True                         # kept: an unresolved relative date is shown undated
    if t.type in (DATE, TIME):
        return t.value not in _VAGUE_VALUES
    if t.type == DURATION:
        return t.bound is not None and t.interval is not None
    return False


def _event_id(document_id: str, start: int, end: int, date_start: int | None) -> str:
    key = f"{document_id}:{start}:{end}:{date_start}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _tense(text: str, clause: tuple[int, int], expression: TimeExpression | None, published: dt.date | None) -> str:
    if expression is not None and expression.interval and published:
        first, last = expression.interval
        if expression.bound == "before":
            return "past"
        if first > published:
            return "future"
        if last < published:
            return "past"
    if _sentence_is_future(fold(text[clause[0]:clause[1]]), 0, 0) or _future_in(text, clause):
        return "future"
    if expression is not None and expression.value == "PRESENT_REF":
        return "present"
    return "past"


def _future_in(text: str, clause: tuple[int, int]) -> bool:
    folded = fold(text[clause[0]:clause[1]])
    return _sentence_is_future(folded, 0, len(folded))


def _confidence(expression: TimeExpression | None, same_clause: bool) -> float:
    if expression is None:
        return 0.3
    if expression.value is None:
        return 0.0
    score = {"absolute": 0.95, "published": 0.85, "previous_date": 0.7}.get(expression.anchor or "", 0.5)
    if expression.bound:
        score -= 0.15
    if expression.mod == "APPROX":
        score -= 0.1
    if not same_clause:
        score -= 0.2
    return round(max(0.05, score), 2)


def _location(mentions: list[actors_mod.ActorMention]) -> str | None:
    for m in mentions:
        if m.kind == "location":
            return m.canonical
    for m in mentions:
        if m.place:
            return m.place
    return None


def extract_events(document: Document, *, time_expressions: list[TimeExpression] | None = None,
                   mentions: list[actors_mod.ActorMention] | None = None) -> ExtractResult:
    """The time expressions, events and actors of one document."""
    text = document.text
    published = document.published
    times = time_expressions if time_expressions is not None else tag(text, published)
    found = mentions if mentions is not None else actors_mod.resolve_mentions(text)
    boilerplate = [tuple(b) for b in document.boilerplate]
    found = [m for m in found if not _inside((m.start, m.end), boilerplate)]
    _, reporting_verbs = _clause_words()

    events: list[dict[str, Any]] = []
    time_index = 0
    for sentence in sentences(text, boilerplate):
        s_start, s_end = sentence
        in_sentence = [t for t in times if s_start <= t.start and t.end <= s_end and _locates(t)]
        sentence_mentions = [m for m in found if s_start <= m.start and m.end <= s_end]
        sentence_text = text[s_start:s_end]
        if in_sentence:
            sentence_clauses = clauses(text, s_start, s_end)
            used: set[tuple[int, int]] = set()
            for expression in in_sentence:
                clause = next((c for c in sentence_clauses if c[0] <= expression.start < c[1]), sentence)
                clause = _expand_short(text, clause, sentence, sentence_clauses)
                if clause in used:
                    continue                 # one event per clause: its first date
                used.add(clause)
                clause_mentions = [m for m in sentence_mentions if clause[0] <= m.start and m.end <= clause[1]]
                events.append(_record(document, text, sentence, clause, expression,
                                      clause_mentions or sentence_mentions, same_clause=True))
            continue
        words = sentence_text.split()
        if len(words) < 4:
            continue
        has_verb = any(fold(w).lstrip("وف") in reporting_verbs or fold(w) in reporting_verbs for w in words)
        if not sentence_mentions and not has_verb:
            continue
        events.append(_record(document, text, sentence, sentence, None, sentence_mentions, same_clause=False))

    records = actors_mod.actor_records(found)
    return ExtractResult(document=document, time_expressions=times, events=events, actors=records)


def _record(document: Document, text: str, sentence: tuple[int, int], clause: tuple[int, int],
            expression: TimeExpression | None, mentions: list[actors_mod.ActorMention],
            same_clause: bool) -> dict[str, Any]:
    published = document.published
    names: list[str] = []
    kinds: list[str] = []
    for m in mentions:
        if m.canonical not in names:
            names.append(m.canonical)
            kinds.append(m.kind)
    if expression is not None:
        interval = expression.interval
        date = {
            "date_text": expression.text, "date_value": expression.value, "date_type": expression.type,
            "date_mod": expression.mod,
            "date_start": interval[0] if interval else None, "date_end": interval[1] if interval else None,
            "granularity": ("bound" if expression.bound else expression.granularity) if expression.value else None,
            "date_anchor": expression.anchor, "date_bound": expression.bound,
            "calendar": expression.calendar, "hijri": expression.hijri,
            "date_start_offset": expression.start, "date_end_offset": expression.end,
        }
    elif published is not None:
        from .timex import hijri_text
        date = {
            "date_text": None, "date_value": published.isoformat(), "date_type": DATE, "date_mod": None,
            "date_start": published, "date_end": published, "granularity": "day",
            "date_anchor": "published", "date_bound": None, "calendar": "gregorian",
            "hijri": hijri_text(published), "date_start_offset": None, "date_end_offset": None,
        }
    else:
        date = {
            "date_text": None, "date_value": None, "date_type": None, "date_mod": None,
            "date_start": None, "date_end": None, "granularity": None, "date_anchor": None,
            "date_bound": None, "calendar": None, "hijri": None,
            "date_start_offset": None, "date_end_offset": None,
        }
    record = {
        "event_id": _event_id(document.id, clause[0], clause[1], expression.start if expression else None),
        "document_id": document.id, "title": document.title, "source": document.source,
        "published": published,
        **date,
        "tense": _tense(text, clause, expression, published),
        "description": text[clause[0]:clause[1]],
        "sentence": text[sentence[0]:sentence[1]],
        "evidence_start": clause[0], "evidence_end": clause[1],
        "actors": names, "actor_kinds": kinds,
        "location": _location(mentions),
        "confidence": _confidence(expression, same_clause) if (expression or published) else 0.0,
    }
    return record
