"""From a document to event records: sentences, clauses, their dates, their actors.

An event is a clause that reports something happening, with its time. For each document:

1. time expressions come from the tagger, resolved against the publication date (narrative ones
   against the last date mentioned);
2. actors come from timeline.actors, merged within the document;
3. the text outside boilerplate is cut into sentences — not inside quotes or parentheses, and at
   a heading glued to the next sentence ("آخر زيارة عام 2019الجدير بالذكر") — and sentences into
   clauses at punctuation, at clause-opening words and at temporal adjuncts ("بعد إغلاق المعبر"),
   never inside a time expression (data/lexicon/clauses.yaml);
4. every time expression that locates something (a DATE or TIME with a value, or a DURATION that
   bounds a start: "الممتدة منذ أكثر من 18 شهراً") is an event dated by it, described by its
   clause; a clause that is little more than the date ("وفي العام الماضي،", "، الثلاثاء،")
   takes in the neighbour clause that holds the event;
5. a sentence with no date of its own but with an actor or a reporting verb (a statement: "وقال
   بيسكوف ...") is one event dated by the publication date and marked so (date_anchor "published",
   no date_text); without a publication date it is kept undated, never dated by guess;
6. headings (the title line, subheadings) restate the body: they yield no statements, and a dated
   heading is dropped when the body already dates an event with the same value.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from . import actors as actors_mod
from .model import DATE, DURATION, EVENT_FIELDS, TIME, Document, ExtractResult, TimeExpression
from .normalize import _fold_chars, fold
from .paths import LEXICON_DIR
from .tagger import _sentence_is_future, tag
from .timex import hijri_text as _hijri_text

# one conversion per publication day, not one per statement
hijri_text = functools.lru_cache(maxsize=4096)(_hijri_text)

# Sentence ends: full stops, question and exclamation marks (with a closing quote or bracket right
# after them), line breaks. A full stop inside a number ("3.5") or after a one-letter abbreviation
# ("د. محمد", "ق.م") is not an end; after a year ("في 3 آذار 2021. وفي اليوم التالي") it is.
# (the punctuation comes first in the pattern, the look-behinds after it: a scan that fails fast)
_SENTENCE_END = re.compile(r"[.!?؟](?<!\s[^\W\d_].)(?<!^[^\W\d_].)(?<!\.[^\W\d_].)[.!?؟]*[\"»”)]?(?![\d.])|\n+")
# A clause ends at a semicolon or colon — not between digits ("22:45") — or a dash; at a comma
# only when a clause follows it (see comma_clause_starts in clauses.yaml).
_CLAUSE_PUNCT = re.compile(r"[;؛:](?<!\d.)|[;؛:](?!\d)|\s[-–—]+\s")
_COMMA = re.compile(r"[،,](?!\d)\s*([^\W\d_]*)")
_FINAL_PUNCT = ".!?؟:\"»”)…"
_TRIM = " \t\n،,;؛:-–—"
_VAGUE_VALUES = {"PAST_REF", "PRESENT_REF", "FUTURE_REF"}
_QUOTE_SPAN = 600           # a quote or bracket left open longer than this is a typo, not a quote
_WORD = re.compile(r"[^\W_]+")
_GLUE_CANDIDATE = re.compile(r"[\dةى\"»)](?=[^\W\d_])")
# Marks that normalization deletes (tatweel, diacritics, invisible format characters): the folded
# text keeps them to keep offsets, so words drop them before a lexicon lookup.
_MARKS = dict.fromkeys([0x0640, *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE), *range(0x200B, 0x2010),
                        *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF, 0x00AD])


def _word(folded: str) -> str:
    return folded.translate(_MARKS) if not folded.isascii() else folded


@dataclass(frozen=True)
class _Lexicon:
    openers: re.Pattern          # clause openers and temporal adjuncts (group "adjunct")
    glue: re.Pattern             # a sentence opener glued to the word before it
    function_words: frozenset[str]
    thin_words: int
    reporting_verbs: frozenset[str]
    heading_words: int
    comma_starts: frozenset[str]
    non_conjunction: frozenset[str]


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted({fold(w) for w in words}, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    with open(LEXICON_DIR / "clauses.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    # each pattern starts with the character before the word (a space, a quote; for glue a
    # word-final letter or a digit), so the scan fails fast; the match starts one character early
    openers = re.compile(r"[\s\"«(](?:(?P<adjunct>" + _alternation(data["adjunct_openers"]) + r")|"
                         + _alternation(data["clause_openers"]) + r")(?![^\W\d_])")
    # glue is matched at the word-final letters of the original text (ة ى), a digit or a closing
    # quote directly followed by a letter — rare — then the opener is checked on the folded text
    glue = re.compile(r"(?:" + _alternation(data["glued_openers"]) + r")(?=\s)|(?<=\d)ال[^\W\d_]{2}")
    return _Lexicon(openers, glue, frozenset(fold(w) for w in data["function_words"]),
                    int(data.get("thin_clause_words", 2)),
                    frozenset(fold(w) for w in data["reporting_verbs"]),
                    int(data.get("heading_max_words", 10)),
                    frozenset(fold(w) for w in data["comma_clause_starts"]),
                    frozenset(fold(w) for w in data["non_conjunction_words"]))


# ---------------------------------------------------------------------------------------------
# Sentences and clauses

@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    heading: bool = False        # a title line or a subheading


def _quote_open(segment: str) -> bool:
    return (segment.count('"') % 2 == 1 or segment.count("«") > segment.count("»")
            or segment.count("(") > segment.count(")") or segment.count("“") > segment.count("”"))


def _subtract(spans: list[tuple[int, int]], blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `spans` outside every block."""
    if not blocks:
        return spans
    out = []
    for s, e in spans:
        pieces = [(s, e)]
        for bs, be in blocks:
            next_pieces = []
            for ps, pe in pieces:
                if be <= ps or pe <= bs:
                    next_pieces.append((ps, pe))
                    continue
                if ps < bs:
                    next_pieces.append((ps, bs))
                if be < pe:
                    next_pieces.append((be, pe))
            pieces = next_pieces
        out.extend(pieces)
    return out


def split_sentences(text: str, boilerplate: list[tuple[int, int]] = (), norm: str | None = None) -> list[Sentence]:
    """Sentences of the text, trimmed, boilerplate left out, headings marked."""
    if norm is None:
        norm = _fold_one_for_one(text)
    lex = _lexicon()
    glued = {m.start() + 1 for m in _GLUE_CANDIDATE.finditer(text) if lex.glue.match(norm, m.start() + 1)}
    ends: list[tuple[int, int, str]] = []        # (end of sentence, start of next, kind)
    for m in _SENTENCE_END.finditer(text):
        kind = "line" if m.group().startswith("\n") else "stop"
        ends.append((m.end() if kind == "stop" else m.start(), m.end(), kind))
    for position in glued:
        ends.append((position, position, "glue"))
    ends.sort()
    raw: list[tuple[int, int, str]] = []
    start = 0
    for end, resume, kind in ends:
        if end < start:
            continue
        # a full stop inside a quote or brackets ends the quoted sentence, not the reported one
        if kind == "stop" and end - start < _QUOTE_SPAN and _quote_open(text[start:end]):
            continue
        raw.append((start, end, kind))
        start = resume
    raw.append((start, len(text), "line"))
    out: list[Sentence] = []
    for s, e, kind in raw:
        for ps, pe in _subtract([(s, e)], list(boilerplate)):
            while ps < pe and text[ps] in _TRIM:
                ps += 1
            while pe > ps and text[pe - 1].isspace():
                pe -= 1
            if pe <= ps or not any(c.isalnum() for c in text[ps:pe]):
                continue
            piece = text[ps:pe]
            heading = (kind == "glue" or (kind == "line" and piece[-1] not in _FINAL_PUNCT)) \
                and len(piece.split()) <= lex.heading_words
            out.append(Sentence(ps, pe, heading))
    return out


def sentences(text: str, boilerplate: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of the text, trimmed of spaces, boilerplate left out."""
    return [(s.start, s.end) for s in split_sentences(text, boilerplate)]


def _fold_one_for_one(text: str) -> str:
    """The folded text, one character for one, so regex offsets are original offsets. Marks that
    normalization deletes (diacritics, tatweel) stay; word tests fold each word again."""
    return _fold_chars(text)


def _cut_points(text: str, norm: str, times: list[TimeExpression], start: int = 0, end: int | None = None,
                padded: str | None = None, inside: list[tuple[int, int]] | None = None,
                inside_starts: list[int] | None = None) -> list[int]:
    """Positions in [start, end) where a clause may start or end (sorted). Only sentences with a
    date need clauses, so callers ask sentence by sentence. `padded` is " " + norm (an opener is
    found by the character before it, so the text gets one in front); `inside` is
    sorted((t.start, t.end) for t in times), which a caller asking for many sentences sorts once."""
    end = len(text) if end is None else end
    padded = " " + norm if padded is None else padded
    if inside is None:
        inside = sorted((t.start, t.end) for t in times)
    # the starts of `inside`: given by a caller asking sentence by sentence (built once, not per
    # sentence: a document with thousands of dated sentences would take quadratic time)
    starts = [s for s, _ in inside] if inside_starts is None else inside_starts

    def in_expression(p: int, touching_start: bool) -> bool:
        k = bisect.bisect_right(starts, p) - 1
        while k >= 0 and inside[k][0] > p - 400:
            s, e = inside[k]
            if s < p < e or (touching_start and s == p):
                return True
            k -= 1
        return False

    cuts = set()
    for m in _CLAUSE_PUNCT.finditer(text, start, end):
        if not in_expression(m.start(), False):
            cuts.add(m.start())
            cuts.add(m.end())
    lex = _lexicon()
    for m in _COMMA.finditer(norm, start, end):
        word = _word(m.group(1))
        if (word in lex.comma_starts or (word[:1] in "وف" and len(word) > 2 and word not in lex.non_conjunction)) \
                and not in_expression(m.start(), False):
            cuts.add(m.start())
            cuts.add(m.start() + 1)
    for m in lex.openers.finditer(padded, start, end + 1):
        at = m.start()                  # padded offset of the character before = norm offset of the word
        if in_expression(at, True):
            continue
        if m.group("adjunct"):
            # "منذ أكثر من عام", "بعد يومين": the preposition introduces the date itself
            word_end = m.end() - 1
            j = bisect.bisect_left(starts, word_end)
            if j < len(starts) and starts[j] <= word_end + 1:
                continue
        cuts.add(at)
    return sorted(cuts)


def clauses(text: str, start: int, end: int, cut_points: list[int] | None = None) -> list[tuple[int, int]]:
    """Clause spans inside the sentence [start, end): cut at punctuation and clause openers."""
    if cut_points is None:
        cut_points = _cut_points(text, _fold_one_for_one(text), [], start, end)
    lo, hi = bisect.bisect_right(cut_points, start), bisect.bisect_left(cut_points, end)
    points = [start, *cut_points[lo:hi], end]
    spans = []
    for a, b in zip(points, points[1:]):
        while a < b and text[a] in _TRIM:
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in _TRIM):
            b -= 1
        if b > a and any(c.isalnum() for c in text[a:b]):
            spans.append((a, b))
    return spans or [(start, end)]


# ---------------------------------------------------------------------------------------------
# Linking dates to clauses

def _locates(t: TimeExpression) -> bool:
    """Does the expression put an event on the timeline?"""
    if t.value is None and t.type in (DATE, TIME):
        return True                         # kept: an unresolved relative date is shown undated
    if t.type in (DATE, TIME):
        return t.value not in _VAGUE_VALUES
    if t.type == DURATION:
        return t.bound is not None and t.interval is not None
    return False


_FEW = 8        # up to this many time expressions in a sentence, scans are cheaper than indexes


class _Covered:
    """The positions inside some time expression: `covered(p)` is any(t.start <= p < t.end) over the
    expressions, in logarithmic time (sorted starts and the running maximum of their ends)."""

    __slots__ = ("starts", "reach")

    def __init__(self, expressions: list[TimeExpression]):
        pairs = sorted((t.start, t.end) for t in expressions)
        self.starts = [s for s, _ in pairs]
        self.reach, furthest = [], -1
        for _, e in pairs:
            furthest = max(furthest, e)
            self.reach.append(furthest)

    def __bool__(self) -> bool:
        return bool(self.starts)

    def covered(self, p: int) -> bool:
        k = bisect.bisect_right(self.starts, p) - 1
        return k >= 0 and self.reach[k] > p


def _content_words(norm: str, span: tuple[int, int], expressions: list[TimeExpression], limit: int = 1 << 30,
                   covered: _Covered | None = None) -> int:
    """Words of the span that can carry an event: outside its time expressions, not function words
    (counting stops at `limit`). `covered` is _Covered(expressions), for a caller that asks often."""
    lex = _lexicon()
    count = 0
    if covered is None and len(expressions) > _FEW:
        covered = _Covered(expressions)
    if covered is not None:
        is_inside = covered.covered if covered else None
    else:   # a few expressions: a scan is cheaper than an index
        inside = [(t.start, t.end) for t in expressions if t.end > span[0] and t.start < span[1]]
        is_inside = (lambda p: any(s <= p < e for s, e in inside)) if inside else None
    for m in _WORD.finditer(norm, span[0], span[1]):
        if is_inside is not None and is_inside(m.start()):
            continue
        word = _word(m.group())
        if word.isdigit() or len(word) < 2 or word in lex.function_words:
            continue
        count += 1
        if count >= limit:
            break
    return count


def _host(norm: str, index: int, spans: list[tuple[int, int]], dated: list[bool],
          expressions: list[TimeExpression], covered: _Covered | None = None
          ) -> tuple[tuple[int, int], tuple[int, int]]:
    """The clause that describes the event of a date found in spans[index], and the part of it
    that tells the event's tense. That is the clause itself, or, when it is little more than the
    date, the clause with its neighbour(s); a reporting clause ("وقال التلفزيون، الجمعة،") takes in
    the undated clause that says what was reported ("إن وحدات الجيش استهدفت ...").
    `covered` is _Covered(expressions), for a caller that asks for many clauses."""
    span = spans[index]
    has_next = index + 1 < len(spans) and not dated[index + 1]
    lex = _lexicon()
    if _content_words(norm, span, expressions, lex.thin_words, covered) >= lex.thin_words:
        if has_next and _has_reporting_verb(norm, span[0], span[1], lex.reporting_verbs):
            return (span[0], spans[index + 1][1]), span
        return span, span
    first, last = index, index
    if index == 0:
        # "وفي العام الماضي، اتفقت ..." : the date opens the sentence and dates what follows
        if index + 1 < len(spans):
            last = index + 1
    else:
        # "..., حتى يوم الأحد المقبل": the date qualifies the clause before it, and the clause
        # after it completes that clause when it has no date of its own
        first = index - 1
        if has_next:
            last = index + 1
    host = (spans[first][0], spans[last][1])
    return host, host


# ---------------------------------------------------------------------------------------------
# The actors of an event: those of its own part of the clause

@dataclass(frozen=True)
class _ActorWords:
    relatives: frozenset[str]
    complementizers: frozenset[str]
    attribution: dict[str, tuple[tuple[str, ...], ...]]    # first word -> the words after it
    locatives: frozenset[str]
    locative_prefixes: str
    place_heads: frozenset[str]


@functools.lru_cache(maxsize=1)
def _actor_words() -> _ActorWords:
    with open(LEXICON_DIR / "event_actors.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    with open(LEXICON_DIR.parent / "actors" / "grammar.yaml", encoding="utf-8") as handle:
        grammar = yaml.safe_load(handle)
    attribution: dict[str, list[tuple[str, ...]]] = {}
    for phrase in data["attribution_openers"]:
        words = tuple(_word(w) for w in fold(phrase).split())
        attribution.setdefault(words[0], []).append(words[1:])
    locatives = [_word(fold(w)) for w in data["locative_prepositions"]]
    return _ActorWords(frozenset(_word(fold(w)) for w in data["relative_pronouns"]),
                       frozenset(_word(fold(w)) for w in data["complementizers"]),
                       {k: tuple(v) for k, v in attribution.items()},
                       frozenset(w for w in locatives if len(w) > 1),
                       "".join(w for w in locatives if len(w) == 1),
                       frozenset(_word(fold(w)) for w in grammar.get("location_heads", [])))


def _bare(word: str, words) -> str | None:
    """The word, or the word without a leading conjunction و/ف, when it is in `words`."""
    if word in words:
        return word
    if word[:1] in "وف" and word[1:] in words:
        return word[1:]
    return None


_CLOSERS = {"»": "«", "”": "“", ")": "(", "]": "["}
# quote and bracket marks, and a tatweel standing alone between spaces as a dash
_ASIDE_MARK = re.compile(r"[«»“”()\[\]\"']|(?<=\s)\u0640+(?=\s)")
_PHRASE_END = re.compile(r"[،,;؛:()\[\]«»\"“”]")
_NAME_MARKS = " \t#_"


@dataclass(frozen=True)
class _Aside:
    start: int          # the opening mark
    end: int            # after the closing mark
    quote: bool         # a quote (else brackets or dashes)


def _asides(text: str, start: int, end: int) -> list[_Aside]:
    """Quotes and parentheticals of the sentence [start, end), marks included: «...», “...”,
    "...", '...' (a straight quote at a word's edge), (...), [...], and a pair of spaced tatweel
    dashes ("الملك سلمان ـ حفظه الله ـ"). Unclosed ones are left out, and so are brackets after a
    colon, which hold what the clause is about ("من كل من: (مصر، وتونس)"), not an aside."""
    spans = []
    stack: list[tuple[str, int]] = []
    toggles: dict[str, int] = {}
    dashes = []
    for m in _ASIDE_MARK.finditer(text, start, end):
        c, i = m.group()[0], m.start()
        if c == "\u0640":
            dashes.append(i)
        elif c in "«“([":
            stack.append((c, i))
        elif c in _CLOSERS:
            opener = _CLOSERS[c]
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == opener:
                    a = stack[k][1]
                    del stack[k:]
                    if opener in "([" and text[max(start, a - 3):a].rstrip().endswith(":"):
                        break
                    spans.append(_Aside(a, i + 1, opener in "«“"))
                    break
        else:       # a straight quote opens at a word's start and closes at a word's end
            before = text[i - 1] if i > start else " "
            after = text[i + 1] if i + 1 < end else " "
            if c in toggles and not after.isalnum():
                spans.append(_Aside(toggles.pop(c), i + 1, True))
            elif c not in toggles and not before.isalnum():
                toggles[c] = i
    spans.extend(_Aside(a, b + 1, False) for a, b in zip(dashes[::2], dashes[1::2]))
    # a quote or bracket left open longer than this is a typo, not an aside
    return sorted((a for a in spans if a.end - a.start <= _QUOTE_SPAN), key=lambda a: a.start)


def _asides_within(asides: list[_Aside], starts: list[int], start: int, end: int) -> list[_Aside]:
    """The asides (sorted by start, `starts` their starts) that overlap [start, end): by bisection,
    since none is longer than _QUOTE_SPAN."""
    k = bisect.bisect_left(starts, end)
    lo = bisect.bisect_left(starts, start - _QUOTE_SPAN, 0, k)
    return [a for a in asides[lo:k] if a.end > start]


def _misread(m: actors_mod.ActorMention) -> bool:
    """A name runs across no bracket, quote or dash: one that does was misread, and so were its
    short forms elsewhere ("آل سعود ـ حفظه الله ـ" read as a name "سعود حفظه الله")."""
    return _ASIDE_MARK.search(m.text) is not None


def _nationals(m: actors_mod.ActorMention) -> bool:
    """A demonym in the masculine plural ("السعوديين", "الأميركيون") names people of a country, not
    the country: "تحويلات السعوديين للخارج" is about Saudis, not the Saudi state."""
    return m.demonym and _word(fold(m.text)).endswith(("يين", "يون"))


def _subordinate_parts(norm: str, span: tuple[int, int], reporting: frozenset[str]
                       ) -> list[tuple[int, int, str]]:
    """The parts of the clause outside its main predication, (start, end, kind) in text order:
    "relative" (a relative clause) and "reported" (what a reporting verb reports) run to the next
    such part or the clause's end; "source" (an attribution: "، وفق رويترز") to the next comma or
    bracket."""
    words = _actor_words()
    found = [(m.start(), _word(m.group())) for m in _WORD.finditer(norm, span[0], span[1])]
    opened: list[tuple[int, str]] = []
    sources = []
    reporting_seen = False
    for k, (position, word) in enumerate(found):
        if _bare(word, words.relatives):
            opened.append((position, "relative"))
            continue
        if reporting_seen and _bare(word, words.complementizers):
            opened.append((position, "reported"))
            reporting_seen = False
            continue
        first = _bare(word, words.attribution)
        if first is not None and any(tuple(w for _, w in found[k + 1:k + 1 + len(rest)]) == rest
                                     for rest in words.attribution[first]):
            stop = _PHRASE_END.search(norm, position, span[1])
            sources.append((position, stop.start() if stop else span[1], "source"))
            continue
        if _bare(word, reporting):
            reporting_seen = True
    ends = [p for p, _ in opened[1:]] + [span[1]]
    parts = [(p, e, kind) for (p, kind), e in zip(opened, ends)] + sources
    parts.sort()
    return parts


def _is_setting(norm: str, m: actors_mod.ActorMention) -> bool:
    """Is the mention a place governed by a locative preposition ("في مدينة الموصل", "بالقاهرة",
    "إلى موسكو")? A place (or a capital standing for its state) there is the event's location."""
    if m.kind != "location" and not (m.kind == "country" and m.place):
        return False
    words = _actor_words()
    k = m.start
    while k > 0 and norm[k - 1].isalpha():
        k -= 1
    prefix = _word(norm[k:m.start])
    if prefix:      # a proclitic on the name itself: "بالقاهرة", "وبغزة"
        prefix = prefix[1:] if prefix[:1] in "وف" and len(prefix) > 1 else prefix
        return prefix[:1] in words.locative_prefixes
    before = [_word(w) for w in _WORD.findall(norm, max(0, m.start - 40), m.start)][-2:]
    if not before:
        return False
    last = before[-1]
    if _bare(last, words.locatives):
        return True
    # a place head between: "في مدينة الموصل", "بمنطقة المهندسين"
    if last[:1] in words.locative_prefixes and _bare(last[1:], words.place_heads):
        return True
    return len(before) == 2 and _bare(last, words.place_heads) is not None \
        and _bare(before[0], words.locatives) is not None


def _event_actors(text: str, norm: str, sentence: tuple[int, int], span: tuple[int, int],
                  expression: TimeExpression | None, mentions: list[actors_mod.ActorMention],
                  reporting: frozenset[str], asides: list[_Aside] | None = None,
                  misread: frozenset[str] = frozenset(), parts: list[tuple[int, int, str]] | None = None,
                  starts: list[int] | None = None
                  ) -> tuple[list[actors_mod.ActorMention], list[actors_mod.ActorMention]]:
    """The mentions of the clause `span` that are actors of its event, dated by `expression`, and
    those where its location is looked for (the actors and the places they leave out as settings).

    Left out are mentions
    - inside a quote or a parenthetical that does not hold the date (a title «صندوق الأحلام», a
      quoted statement, an agency "(رويترز)") — but a quote that holds just a name marks the name
      ("استحوذت "آبل" على ...") — and names cut by one ("آل سعود ـ حفظه الله ـ", see _misread);
    - in an attribution ("، وفق رويترز") that does not hold the date; when it does ("حسب بلاغ صدر
      مساء اليوم عن الرئاسة"), the event is the source's statement and only its actors are kept;
    - in a relative clause or a reported content that comes after the date's own part of the
      clause ("التقى الوزير أمس نظيره الذي زار القاهرة", "وقال الوزير أمس إن الجيش انسحب"): the
      date dates the main predication, whose subject and objects are its actors; a date inside a
      relative clause or a reported content keeps the clause they hang on, and a relative clause
      right after the date describes the date ("في اليوم الذي تسلم فيه باول منصبه");
    - places governed by a locative preposition ("في مدينة الموصل", "بالقاهرة"): the event's
      location, not its actor;
    - a demonym in the plural ("السعوديين"): people of a country, not the country (_nationals).
    A statement without a date of its own (no expression) is what its sentence reports: it keeps
    its quotes, reported content and relative clauses, and loses only the rest.
    `asides` (_asides of the sentence, `starts` their starts) and `parts` (_subordinate_parts of
    the clause) are for a caller that asks for several dates of one sentence."""
    if not mentions:
        return [], []
    if asides is None:
        asides = _asides(text, sentence[0], sentence[1])
    if len(asides) > _FEW:
        asides = _asides_within(asides, [a.start for a in asides] if starts is None else starts, *span)
    if parts is None:
        parts = _subordinate_parts(norm, span, reporting)
    anchor = expression.start if expression is not None else None
    keep_from, keep_to = span
    excluded: list[tuple[int, int]] = []
    quotes: list[tuple[int, int]] = []
    for part_start, part_end, kind in parts:
        if kind == "source":
            if anchor is not None and part_start <= anchor < part_end:
                keep_from, keep_to = part_start, part_end
                excluded = []
                break
            excluded.append((part_start, part_end))
        elif anchor is not None and part_start > anchor:
            if kind == "relative" and not text[expression.end:part_start].strip():
                continue        # the date is what the relative clause describes: "في اليوم الذي ..."
            keep_to = min(keep_to, part_start)
    for aside in asides:
        if anchor is not None and aside.start <= anchor < aside.end:
            continue
        if aside.quote:
            if anchor is not None:
                quotes.append((aside.start, aside.end))
        else:
            excluded.append((aside.start, aside.end))
    actors, places = [], []
    for m in mentions:
        if m.start < keep_from or m.end > keep_to or m.canonical in misread or _nationals(m):
            continue
        if any(a <= m.start < b or a < m.end <= b for a, b in excluded):
            continue
        if any((a <= m.start < b or a < m.end <= b) and text[a + 1:b - 1].strip(_NAME_MARKS) != m.text
               for a, b in quotes):
            continue
        places.append(m)
        if not _is_setting(norm, m):
            actors.append(m)
    return actors, places


# ---------------------------------------------------------------------------------------------
# Record fields

def _event_id(document_id: str, start: int, end: int, date_start: int | None) -> str:
    key = f"{document_id}:{start}:{end}:{date_start}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _is_future_text(norm: str, span: tuple[int, int]) -> bool:
    return _sentence_is_future(norm[span[0]:span[1]], 0, span[1] - span[0])


def _tense(norm: str, span: tuple[int, int], expression: TimeExpression | None, published: dt.date | None,
           cache: dict | None = None) -> str:
    # the date decides when it can: after publication is future, before it is past
    if expression is not None and expression.interval and published:
        first, last = expression.interval
        if expression.bound == "before":
            return "past"
        if first > published:
            return "future"
        if last < published:
            return "past"
    if cache is None:
        future = _is_future_text(norm, span)
    else:   # the dates of one clause read its text once
        future = cache.get(("future", span))
        if future is None:
            future = cache[("future", span)] = _is_future_text(norm, span)
    if future:
        return "future"
    if expression is not None and expression.value == "PRESENT_REF":
        return "present"
    return "past"


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
        score -= 0.1
    return round(max(0.05, score), 2)


def _location(mentions: list[actors_mod.ActorMention]) -> str | None:
    for m in mentions:
        if m.kind == "location":
            return m.canonical
    for m in mentions:
        if m.place:
            return m.place
    return None


# ---------------------------------------------------------------------------------------------
# The document's events

def extract_events(document: Document, *, time_expressions: list[TimeExpression] | None = None,
                   mentions: list[actors_mod.ActorMention] | None = None) -> ExtractResult:
    """The time expressions, events and actors of one document."""
    text = document.text
    published = document.published
    times = time_expressions if time_expressions is not None else tag(text, published)
    found = mentions if mentions is not None else actors_mod.resolve_mentions(text)
    boilerplate = sorted(tuple(b) for b in document.boilerplate)
    found = [m for m in found if not _in_blocks(m.start, m.end, boilerplate)]
    found.sort(key=lambda m: m.start)
    lex = _lexicon()
    norm = _fold_one_for_one(text)
    padded = " " + norm
    locating = sorted((t for t in times if _locates(t)), key=lambda t: t.start)
    time_starts = [t.start for t in locating]
    time_spans = sorted((t.start, t.end) for t in times)     # for _cut_points, sorted once
    time_span_starts = [s for s, _ in time_spans]
    mention_starts = [m.start for m in found]
    misread = frozenset(m.canonical for m in found if _misread(m))

    body: list[dict[str, Any]] = []
    headings: list[dict[str, Any]] = []
    for sentence in split_sentences(text, boilerplate, norm):
        s_start, s_end = sentence.start, sentence.end
        lo, hi = bisect.bisect_left(time_starts, s_start), bisect.bisect_left(time_starts, s_end)
        in_sentence = [t for t in locating[lo:hi] if t.end <= s_end]
        m_lo, m_hi = bisect.bisect_left(mention_starts, s_start), bisect.bisect_left(mention_starts, s_end)
        sentence_mentions = [m for m in found[m_lo:m_hi] if m.end <= s_end]
        target = headings if sentence.heading else body
        in_sentence = [t for t in in_sentence if not _is_dateline(text, t)]
        if in_sentence and _content_words(norm, (s_start, s_end), in_sentence, 1) == 0:
            continue                         # a line that is only a date ("الثلاثاء 25 سبتمبر 2012")
        if in_sentence:
            # Everything below is indexed per sentence (bisection, dictionaries), never a scan of
            # all clauses, dates or mentions per date: a long sentence without punctuation holds
            # thousands of dates.
            spans = clauses(text, s_start, s_end, _cut_points(text, norm, times, s_start, s_end, padded,
                                                              time_spans, time_span_starts))
            in_sentence = _drop_coarse_parts(in_sentence, spans)
            clause_of = _clause_finder(spans)
            owner = [clause_of(t.start) for t in in_sentence]
            owners = set(owner)
            dated = [k in owners for k in range(len(spans))]
            covered = _Covered(in_sentence) if len(in_sentence) > _FEW else None
            hosts: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {}
            sentence_starts = [m.start for m in sentence_mentions]
            mentions_of: dict[tuple[int, int], list[actors_mod.ActorMention]] = {}
            cache: dict = {}
            seen: set[tuple[int, int, str | None]] = set()
            asides: list[_Aside] | None = None
            aside_starts: list[int] | None = None
            parts_of: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
            for expression, k in zip(in_sentence, owner):
                if k is None:
                    span = tense_span = (s_start, s_end)
                else:
                    if k not in hosts:
                        hosts[k] = _host(norm, k, spans, dated, in_sentence, covered)
                    span, tense_span = hosts[k]
                key = (span[0], span[1], expression.value)
                if key in seen:
                    continue                 # the same date twice in one clause: one event
                seen.add(key)
                clause_mentions = mentions_of.get(span)
                if clause_mentions is None:
                    # sentence_mentions are sorted by start: those starting in the span, ending in it
                    lo = bisect.bisect_left(sentence_starts, span[0])
                    hi = bisect.bisect_right(sentence_starts, span[1])
                    clause_mentions = mentions_of[span] = [m for m in sentence_mentions[lo:hi] if m.end <= span[1]]
                same = k is not None and span == spans[k]
                # only the clause's own actors: the sentence's others belong to its other events,
                # and of the clause's, those of the date's own part (_event_actors)
                if clause_mentions:
                    if asides is None:
                        asides = _asides(text, s_start, s_end)
                        aside_starts = [a.start for a in asides]
                    parts = parts_of.get(span)
                    if parts is None:
                        parts = parts_of[span] = _subordinate_parts(norm, span, lex.reporting_verbs)
                    actors_here, places = _event_actors(text, norm, (s_start, s_end), span, expression,
                                                        clause_mentions, lex.reporting_verbs, asides, misread,
                                                        parts, aside_starts)
                else:
                    actors_here = places = clause_mentions
                target.append(_record(document, text, norm, (s_start, s_end), span, expression,
                                      actors_here, same_clause=same,
                                      tense_span=tense_span, cache=cache, place_mentions=places))
            continue
        if sentence.heading or len(text[s_start:s_end].split()) < 4:
            continue                         # a heading restates the body; a fragment says nothing
        if not sentence_mentions and not _has_reporting_verb(norm, s_start, s_end, lex.reporting_verbs):
            continue
        actors_here, places = _event_actors(text, norm, (s_start, s_end), (s_start, s_end), None,
                                            sentence_mentions, lex.reporting_verbs, misread=misread)
        body.append(_record(document, text, norm, (s_start, s_end), (s_start, s_end), None,
                            actors_here, same_clause=False, place_mentions=places))

    body_values = {e["date_value"] for e in body if e["date_text"] is not None}
    events = body + [e for e in headings if e["date_value"] not in body_values]
    events.sort(key=lambda e: (e["evidence_start"], e["date_start_offset"] or 0))
    records = actors_mod.actor_records(found)
    return ExtractResult(document=document, time_expressions=times, events=events, actors=records)


_DATELINE_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:[^\W\d_]+[ \t]+){0,3}$")
_DATELINE_AFTER = re.compile(r"^[ \t]*(?:\(?[^\W\d_]+\)?[ \t]*){0,2}[-–—]")


def _is_dateline(text: str, t: TimeExpression) -> bool:
    """An agency dateline ("أريحا 25-6-2012 وفا- منح ...", "القاهرة - 12 مايو (رويترز) -") dates the
    dispatch, not an event: a date at a line's start, after at most a place name, before a dash."""
    before = text[max(0, t.start - 40):t.start]
    if not _DATELINE_BEFORE.search(before) or (t.start > 40 and "\n" not in before):
        return False
    return bool(_DATELINE_AFTER.match(text[t.end:t.end + 25]))


_NEAR = 30      # characters between two dates that make one compound date


def _clause_finder(spans: list[tuple[int, int]]):
    """clause_of(position): the index of the clause of `spans` (sorted, disjoint) that holds the
    position, or None; by bisection."""
    starts = [c[0] for c in spans]

    def clause_of(p: int) -> int | None:
        k = bisect.bisect_right(starts, p) - 1
        return k if k >= 0 and p < spans[k][1] else None

    return clause_of


def _drop_coarse_parts(expressions: list[TimeExpression], spans: list[tuple[int, int]]) -> list[TimeExpression]:
    """A coarse date right beside a finer one inside it, in the same clause, is a piece of one
    compound date ("في شهر شوال عام 1436 هـ", "في عام 2019 وتحديدا في 5 مارس"): keep the finer.

    Only the dates near a date can be its finer part: those starting at most _NEAR characters after
    it ends, and ending at most _NEAR characters before it starts (so starting at most the longest
    date's length before that), found by bisection over the sorted starts."""
    if len(expressions) < 2:
        return list(expressions)
    clause_of = _clause_finder(spans)
    candidates = [f for f in expressions if f.interval and not f.bound]
    candidates.sort(key=lambda f: f.start)
    starts = [f.start for f in candidates]
    longest = max((f.end - f.start for f in candidates), default=0)
    kept = []
    for e in expressions:
        coarse = False
        if e.interval and not e.bound:
            lo = bisect.bisect_left(starts, e.start - _NEAR - longest)
            hi = bisect.bisect_right(starts, e.end + _NEAR)
            for f in candidates[lo:hi]:
                if f is e or f.interval == e.interval:
                    continue
                inside = e.interval[0] <= f.interval[0] and f.interval[1] <= e.interval[1]
                near = max(e.start, f.start) - min(e.end, f.end) <= _NEAR
                if inside and near and clause_of(e.start) == clause_of(f.start):
                    coarse = True
                    break
        if not coarse:
            kept.append(e)
    return kept


def _in_blocks(start: int, end: int, blocks: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in blocks)


def _has_reporting_verb(norm: str, start: int, end: int, verbs: frozenset[str]) -> bool:
    for m in _WORD.finditer(norm, start, end):
        word = _word(m.group())
        if word in verbs or (word[:1] in "وف" and word[1:] in verbs):
            return True
    return False


def _record(document: Document, text: str, norm: str, sentence: tuple[int, int], clause: tuple[int, int],
            expression: TimeExpression | None, mentions: list[actors_mod.ActorMention],
            same_clause: bool, tense_span: tuple[int, int] | None = None,
            cache: dict | None = None, place_mentions: list[actors_mod.ActorMention] | None = None
            ) -> dict[str, Any]:
    """One event record. `cache` is a dict kept for one sentence: its events share the strings cut
    from the text (one copy of a long sentence, not one per event) and the reading of a clause.
    `mentions` are the event's actors; `place_mentions` (by default the same) are where its
    location is looked for: they also hold the places that are its setting, not its actors
    ("في مدينة الموصل")."""
    published = document.published
    if cache is None:
        cache = {}
    description = cache.get(clause)
    if description is None:
        description = cache[clause] = text[clause[0]:clause[1]]
    sentence_text = cache.get(sentence)
    if sentence_text is None:
        sentence_text = cache[sentence] = text[sentence[0]:sentence[1]]

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
        "tense": _tense(norm, tense_span or clause, expression, published, cache),
        "description": description,
        "sentence": sentence_text,
        "evidence_start": clause[0], "evidence_end": clause[1],
        "actors": names, "actor_kinds": kinds,
        "location": _location(mentions if place_mentions is None else place_mentions),
        "confidence": _confidence(expression, same_clause) if (expression or published) else 0.0,
    }
    return {name: record[name] for name in EVENT_FIELDS}
