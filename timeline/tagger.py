"""The Arabic temporal tagger: every date in a text, TIMEX3-normalized against a publication date.

How it works, in three steps:

1. **Tokens and word classes.** The text is normalized for matching (timeline.normalize), cut into
   tokens, and every token is looked up in the lexicon (data/lexicon/*.yaml) and given a one-letter
   word class: "M" a Gregorian month, "W" a weekday, "4" a four-digit number, "a" a year noun ... The
   classes of a text form a short string, one letter per token.
2. **Grammar.** Each rule is a name, a regular expression over that class string, and a production
   that reads the matched tokens and returns a `Spec` — what the expression says ("the weekday 1, in
   the past") without resolving it. Overlapping finds are settled longest first.
3. **Resolution.** In text order, each Spec is resolved against the publication date (or, for
   narrative expressions such as "في اليوم التالي", against the last date mentioned) into a TIMEX3
   value, an interval, a granularity and an anchor. Without a publication date, relative
   expressions keep a null value: they are never guessed.

Class letters (see lexicon._entries for the words behind them):
  M Gregorian month   H Hijri month   E English month   W weekday   R relative day   L relative night
  P part of day       r relative modifier (الماضي ...)  w week  m month  a year  c decade  q quarter
  h half   d day noun   u length unit   k cardinal word   o ordinal word   D period mod (مطلع ...)
  g quantity mod (نحو، أكثر من ...)   b قبل   B بعد   s منذ   l duration preposition (لمدة ...)
  V vague reference   S season   C decade word   X century   e ميلادي/م   j هجري/هـ   n قبل الميلاد
  t الساعة   F clock fraction   Y Gregorian holiday   A Hijri holiday   Z Hijri month as a period
  N narrative (اليوم التالي)   U a definite plural unit (الأشهر)   Q set (يوميا)   K كل   G weekend   i في   f من   > إلى/حتى   < بين
  O how many times (مرة، مرتين، مرات)
  & و   z ال (as in الـ15)   ~ من الزمن   ° English ordinal suffix
  1 a one- or two-digit number   4 a year-like number (1000–2199)   9 another number
  T a numeric date (15/03/2023)   : a clock time (10:30)   | a line break   x any other word
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import operator
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from . import timex
from .lexicon import lexicon, word_list
from .model import ANCHOR_ABSOLUTE, ANCHOR_PREVIOUS, ANCHOR_PUBLISHED, DATE, DURATION, SET, TIME, TimeExpression
from .normalize import Normalized, normalize

__all__ = ["tag", "parse_reference"]

# ------------------------------------------------------------------------------------------------
# Tokens


@dataclass
class Tokens:
    starts: list[int]
    ends: list[int]
    words: list[str]
    codes: str
    payloads: list[Any]
    prefixes: list[int]


_PUNCT_CODES = {"/": "/", "-": "-", "(": "(", ")": ")", ",": ",", ".": ".", "\u2013": "-", "\u2014": "-",
                "[": "(", "]": ")"}
@functools.lru_cache(maxsize=1)
def _word_tables() -> tuple[dict, dict]:
    """Single-word lookups, and the first words of multi-word forms (with their proclitics)."""
    lex = lexicon()
    multi_first: dict[str, int] = {}
    for form in lex.multi:
        first = form.split()[0]
        for prefix in ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"):
            multi_first.setdefault(prefix + first, len(prefix))
        if first.startswith("ال"):
            for prefix, surface in (("ل", "لل" + first[2:]), ("ول", "ولل" + first[2:]), ("فل", "فلل" + first[2:])):
                multi_first.setdefault(surface, len(prefix))
    return lex.single, multi_first


# classes whose tokens carry a payload (most function words and punctuation do not; "في، الفترة"
# do: a rule reads "الفترة" without its proclitic)
_KNOWN = re.compile(r"[^xf&><z~°,.()/\-p|#]")


def _number_code(digits: str) -> str:
    if not digits.isdigit():
        return "9"
    if len(digits) <= 2:
        return "1"
    if len(digits) == 4 and 1000 <= int(digits) <= 2199:
        return "4"
    return "9"


# One pass over the whole text cuts it into words (letters), runs of digits with their inner
# separators, single punctuation marks and line breaks; whitespace falls between. timeline/_scan.c
# makes the same cut (and the word lookup) in C; this regex is its reference and its fallback. A digit run that is
# not a plain number, a numeric date or a clock time ("2015-2018", "12/2023") is cut again with
# _DIGIT_PARTS: only those few tokens go through Python code.
# Arabic and Latin letters first by code-point range (faster than the Unicode category), the full
# letter category after it for every other script: the same tokens either way.
# The lookahead first: most positions the search tries are the spaces between words, and one check
# turns them down where the six branches would each be tried (a quarter faster on news text).
_SPLIT = re.compile(r"(?=[^ ])([\u0621-\u064Aa-z]+(?![^\W\d_])|[^\W\d_]+|[^\s\w]|\d[\d/.\-:,]*\d|\d|\n)")
_DIGIT_PARTS = re.compile(
    r"(\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}(?![\d/.\-]*\d)"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(?![\d/.\-]*\d)"
    r"|\d{1,2}:\d{2}(?![\d:])"
    r"|\d+(?:[.,]\d+)*"
    r"|[^\w\s])")
_NDATE = re.compile(r"(?:\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4})$")
_CLOCK = re.compile(r"\d{1,2}:\d{2}$")
_PLAIN_NUMBER = re.compile(r"\d+(?:[.,]\d+)*$")
_DIGIT_CHAR = re.compile(r"\d")
# Where the code table may miss a number: a non-ASCII digit, digits around a separator, five digits
# in a row, or a leading zero before two more digits ("007"). Most texts have none of these, and
# their tokens then need no second look. (It opens with one digit, so the regex engine skips to
# the digits of the text at once.)
_UNKNOWN_NUMBER_HINT = re.compile(r"\d(?:(?<![0-9])|[/.\-:,]+\d|\d{4}|(?<=(?<!\d)0)\d\d)")
_MARKED = re.compile(r"#")
_MULTI_MARK = re.compile(r"1")


@functools.lru_cache(maxsize=1)
def _code_table() -> dict[str, str]:
    """Token → class letter for every token whose class does not need looking at: lexicon words,
    punctuation, and numbers up to four digits."""
    single, _ = _word_tables()
    table = {word: entry.code for word, (entry, _) in single.items()}
    table.update(_PUNCT_CODES)
    table["\n"] = "|"
    for n in range(10000):
        table[str(n)] = _number_code(str(n))
    for n in range(10):
        table[f"0{n}"] = "1"
    return table


@functools.lru_cache(maxsize=1)
def _payload_table() -> dict[str, tuple[Any, int]]:
    """Token → (payload, proclitic length) for lexicon words; numbers carry themselves."""
    single, _ = _word_tables()
    return {word: (entry.payload, prefix) for word, (entry, prefix) in single.items()}


@functools.lru_cache(maxsize=1)
def _code_mark_table() -> dict[str, str]:
    """Token → three letters: its class; "1" when a multi-word form may start with it, else "0"; "1"
    when it may be the second word of one, else "0"."""
    firsts, seconds = _multi_marks(), _second_marks()
    return {word: _code_table().get(word, "x") + firsts.get(word, "0") + seconds.get(word, "0")
            for word in itertools.chain(_code_table(), firsts, seconds)}


@functools.lru_cache(maxsize=1)
def _multi_marks() -> dict[str, str]:
    _, multi_first = _word_tables()
    return dict.fromkeys(multi_first, "1")


@functools.lru_cache(maxsize=1)
def _second_marks() -> dict[str, str]:
    return dict.fromkeys((pair.split(" ")[1] for pair in _multi_pairs()), "1")


@functools.lru_cache(maxsize=1)
def _multi_pairs() -> frozenset[str]:
    """The first two words of every multi-word form: most candidates stop at this test."""
    return frozenset(" ".join(form.split()[:2]) for form in lexicon().multi)


def _split_classify_py(text: str, table: dict[str, str], default: str
                       ) -> tuple[list[str], list[int], list[int], str, list[int]]:
    """The tokens of `text` (_SPLIT), their start and end offsets, the concatenation of
    table.get(token, default) over them, and the indexes of the tokens that start with a digit and
    are not in the table (which holds every plain number up to four digits, as _code_table does). The
    reference for timeline/_scan.c, which computes the same in one pass; used where that extension
    was not built."""
    # C-level operations only (split, accumulate, map over dict.get)
    parts = _SPLIT.split(text)
    words: list[str] = parts[1::2]
    offsets = list(itertools.accumulate(map(len, parts)))
    letters = "".join(map(table.get, words, itertools.repeat(default)))
    # tokens that start with a digit and are not in the table (long numbers, decimals, dates, clock
    # times): found through a string of every token's first character, when there can be one
    if _UNKNOWN_NUMBER_HINT.search(text):
        firsts = "".join(map(operator.itemgetter(0), words))
        unknown_numbers = [m.start() for m in _DIGIT_CHAR.finditer(firsts) if words[m.start()] not in table]
    else:
        unknown_numbers = []
    return words, offsets[0:-1:2], offsets[1::2], letters, unknown_numbers


try:
    from timeline._scan import split_classify as _split_classify
except ImportError:                     # not built (no C compiler where it was installed)
    _split_classify = _split_classify_py
if os.environ.get("TIMELINE_PURE_PYTHON"):
    _split_classify = _split_classify_py    # to compare the two passes, or time the reference


def _tokenize(text: str) -> Tokens:
    # Tokens, their offsets and their classes come from one pass (_split_classify); a Python loop
    # runs only over the few tokens that matter.
    _, multi_first = _word_tables()
    multi = lexicon().multi
    code_of = _code_table()
    # each token gets three letters: its class, and whether a multi-word form may start or go on there
    words, starts, ends, letters, unknown_numbers = _split_classify(text, _code_mark_table(), "x00")
    joined = letters[0::3]
    marks: str | None = letters[1::3]
    seconds = letters[2::3]
    if unknown_numbers:
        marked = list(joined)
        for k in unknown_numbers:
            marked[k] = "#"
        joined = "".join(marked)
    if "#" in joined:
        codes_list = list(joined)
        pieces: list[tuple[int, list[str], list[int], list[str]]] = []
        for m in _MARKED.finditer(joined):
            i = m.start()
            word = words[i]
            if _NDATE.match(word):
                codes_list[i] = "T"
            elif _CLOCK.match(word):
                codes_list[i] = ":"
            elif _PLAIN_NUMBER.match(word):
                codes_list[i] = "9"
            else:                             # "2015-2018", "12/2023": cut into numbers and marks
                sub = _DIGIT_PARTS.split(word)
                toks = sub[1::2]
                offs = list(itertools.accumulate(map(len, sub), initial=starts[i]))
                sub_codes = [code_of.get(w) or ("T" if _NDATE.match(w) else ":" if _CLOCK.match(w) else "9"
                                                if w[:1].isdigit() else "x") for w in toks]
                pieces.append((i, toks, offs[1:-1:2], sub_codes))
        if pieces:
            marks = None                       # the tokens changed: marks are recomputed below
        for i, toks, tok_starts, sub_codes in reversed(pieces):
            words[i:i + 1] = toks
            starts[i:i + 1] = tok_starts
            ends[i:i + 1] = [st + len(w) for st, w in zip(tok_starts, toks)]
            codes_list[i:i + 1] = sub_codes
        joined = "".join(codes_list)
    # multi-word forms ("كانون الثاني", "أول من أمس"): merge the longest that matches
    merged: dict[str, tuple[Any, int]] = {}
    if marks is None:
        marks = "".join(map(_multi_marks().get, words, itertools.repeat("0")))
        seconds = "".join(map(_second_marks().get, words, itertools.repeat("0")))
    # where a first word is followed by a second word: the two mark strings read as binary numbers
    candidates = int(marks, 2) & int(seconds[1:] + "0", 2) if len(words) > 1 else 0
    if candidates:
        pairs = _multi_pairs()
        merged_until = -1
        replace: list[tuple[int, int, Any, int]] = []
        for m in _MULTI_MARK.finditer(format(candidates, f"0{len(words)}b")):
            i = m.start()
            if i <= merged_until:
                continue
            prefix = multi_first[words[i]]
            first = words[i][prefix:]
            if prefix and words[i][prefix - 1:prefix + 1] == "لل":
                first = "ا" + words[i][prefix:]          # لل + stem: the article's alef was dropped
            if i + 1 >= len(words) or first + " " + words[i + 1] not in pairs:
                continue
            for n in (4, 3, 2):
                if i + n > len(words) or "|" in joined[i:i + n]:
                    continue
                key = " ".join([first] + words[i + 1:i + n])
                hit = multi.get(key)
                if hit is not None:
                    replace.append((i, i + n, hit[0], prefix))
                    merged_until = i + n - 1
                    break
        codes = list(joined) if replace else None
        for i, j, entry, prefix in reversed(replace):
            starts[i:j] = [starts[i]]
            ends[i:j] = [ends[j - 1]]
            surface = " ".join(words[i:j])
            words[i:j] = [surface]
            codes[i:j] = [entry.code]
            merged[surface] = (entry.payload, prefix)
        if codes is not None:
            joined = "".join(codes)
    # long runs of filler are cut before payloads are looked up: most tokens never need one
    kept = _compact_ranges(joined)
    if kept is not None:
        ranges, joined = kept                  # copied range by range: a slice is one C-level copy
        starts, ends, words = (list(itertools.chain.from_iterable(map(seq.__getitem__, ranges)))
                               for seq in (starts, ends, words))
    payloads: list[Any] = [None] * len(words)
    prefixes: list[int] = [0] * len(words)
    payload_of = _payload_table()
    for m in _KNOWN.finditer(joined):
        i = m.start()
        word = words[i]
        hit = merged.get(word) or payload_of.get(word)
        if hit is not None:
            payloads[i], prefixes[i] = hit
        else:
            payloads[i] = word                 # numbers, dates and clock times carry themselves
    return Tokens(starts, ends, words, joined, payloads, prefixes)


# Classes that no rule matches on their own: every find holds at least one other class, and a rule
# looks at most _REACH tokens away from it.
_FILLER = "x,.|()\\-/ifz<>&~°rgDbBslKtejnF"
_REACH = 4
_FILLER_RUN = re.compile(f"([{_FILLER}]{{{2 * _REACH + 1},}})")


_COMPACT_FROM = 150


def _compact_ranges(codes: str) -> tuple[list[slice], str] | None:
    """The ranges of tokens to keep when every long run of filler classes (unknown words, function words,
    punctuation) is cut down to its first and last _REACH tokens (and one sentence end, if the cut
    part held one); None when nothing is cut.

    No rule matches inside such a run, and a rule that looks next to a find sees the real
    neighbouring words; the grammar then scans a class string several times shorter. Offsets are
    kept, so nothing downstream can tell."""
    if len(codes) < _COMPACT_FROM:
        return None                                 # short texts: cutting costs more than it saves
    pieces = _FILLER_RUN.split(codes)
    if len(pieces) == 1:
        return None
    # the kept ranges: from the tail of a run (or the text's start) to the head of the next run (or
    # the text's end), with the pieces of filler between runs, and the sentence ends kept in between
    lows, highs = [0], []
    at = 0
    for k, piece in enumerate(pieces):
        n = len(piece)
        if k % 2:                                   # a run: its head and its tail
            highs.append(at + _REACH)
            middle = piece[_REACH:n - _REACH]
            end = max(middle.rfind("."), middle.rfind("|"))
            if end >= 0:                            # keep one sentence end: sentences stay apart
                lows.append(at + _REACH + end)
                highs.append(at + _REACH + end + 1)
                pieces[k] = piece[:_REACH] + middle[end] + piece[-_REACH:]
            else:
                pieces[k] = piece[:_REACH] + piece[-_REACH:]
            lows.append(at + n - _REACH)
        at += n
    highs.append(at)
    return list(map(slice, lows, highs)), "".join(pieces)


# ------------------------------------------------------------------------------------------------
# Specs: what an expression says, before it is resolved


@dataclass
class Spec:
    first: int                      # token range [first, last)
    last: int
    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    type: str = DATE
    mod: str | None = None
    pod: str | None = None          # part of day: MO MI AF EV NI
    clock: tuple[int, int] | None = None
    priority: int = 0               # lower wins among equally long finds
    rule: str = ""


Production = Callable[[re.Match, Tokens], "Spec | list[Spec] | None"]


@dataclass
class Rule:
    name: str
    pattern: re.Pattern
    production: Production
    priority: int = 0
    # The content classes the pattern mentions anywhere: a match holds at least one content class,
    # so a text whose class string has none of them cannot match and the rule is skipped.
    content: frozenset[str] = frozenset()
    # Sets of classes of which any match needs at least one each (e.g. a Hijri month "H"): a text
    # lacking every class of one set cannot match either.
    needs: tuple[frozenset[str], ...] = ()


try:
    from re import _parser as sre_parse              # Python 3.11+: what the three analyses below read
except ImportError:                                # pragma: no cover
    import sre_parse


def _set_chars(arg) -> set[str] | None:
    """The characters of a character set `[...]` of a parsed pattern; None when it holds a
    category or a negation (then which characters cannot be told)."""
    chars: set[str] = set()
    for sub_op, sub_arg in arg:
        if str(sub_op) == "LITERAL":
            chars.add(chr(sub_arg))
        elif str(sub_op) == "RANGE":
            chars.update(chr(c) for c in range(sub_arg[0], sub_arg[1] + 1))
        else:
            return None
    return chars


def _required_classes(pattern: str) -> tuple[frozenset[str], ...]:
    """For a pattern over the class string: sets S such that every match (or its lookarounds) holds
    a character of S. Conservative: where it cannot tell, it requires nothing."""

    def clauses(items) -> list[frozenset[str]]:
        out: list[frozenset[str]] = []
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(frozenset(chr(arg)))
            elif name == "IN":
                letters = _set_chars(arg)
                if letters:
                    out.append(frozenset(letters))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, _, sub = arg
                if low >= 1:
                    out.extend(clauses(sub))
            elif name == "SUBPATTERN":
                out.extend(clauses(arg[-1]))
            elif name == "ASSERT":                   # a positive lookaround: its classes are in the text
                out.extend(clauses(arg[1]))
            elif name == "BRANCH":
                union: set[str] = set()
                for alternative in arg[1]:
                    own = clauses(alternative)
                    if not own:
                        union = set()
                        break
                    union |= min(own, key=len)
                if union:
                    out.append(frozenset(union))
        return out

    return tuple(clauses(sre_parse.parse(pattern)))


def _first_classes(pattern: str) -> frozenset[str] | None:
    """The classes a non-empty match of the pattern can start with, or None when that cannot be told
    (a negated set, a back-reference ...). Lookarounds and anchors consume nothing: the first class
    is looked for after them."""

    class Unknown(Exception):
        pass

    def first_of_sequence(items) -> tuple[set[str], bool]:
        found: set[str] = set()
        for op, arg in items:
            first, can_be_empty = first_of_item(str(op), arg)
            found |= first
            if not can_be_empty:
                return found, False
        return found, True

    def first_of_item(name: str, arg) -> tuple[set[str], bool]:
        if name == "LITERAL":
            return {chr(arg)}, False
        if name == "IN":
            chars = _set_chars(arg)
            if chars is None:
                raise Unknown
            return chars, False
        if name == "SUBPATTERN":
            return first_of_sequence(arg[-1])
        if name == "BRANCH":
            found, can_be_empty = set(), False
            for alternative in arg[1]:
                first, empty = first_of_sequence(alternative)
                found |= first
                can_be_empty = can_be_empty or empty
            return found, can_be_empty
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _, body = arg
            first, empty = first_of_sequence(body)
            return first, empty or low == 0
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            return set(), True
        raise Unknown

    try:
        first, _ = first_of_sequence(sre_parse.parse(pattern))
    except Unknown:
        return None
    return frozenset(first) or None


def _opens_with_class(pattern: str) -> bool:
    """Whether the pattern's first element is one character, a character set or a choice of single
    characters (groups around it aside): what lets the regex engine skip ahead to such a character."""
    items = sre_parse.parse(pattern)
    while items.data and str(items.data[0][0]) == "SUBPATTERN":
        items = items.data[0][1][-1]
    if not items.data:
        return False
    op, arg = items.data[0]
    if str(op) in ("LITERAL", "IN"):
        return True
    return str(op) == "BRANCH" and all(
        len(alternative.data) >= 1 and str(alternative.data[0][0]) == "LITERAL" for alternative in arg[1])


@functools.lru_cache(maxsize=None)
def _word_set(name: str) -> frozenset[str]:
    """A plain word list of words.yaml as a set of folded words, read once."""
    return frozenset(word_list(name))


def _pattern_classes(pattern: str) -> frozenset[str]:
    """Every literal character a regular expression can match (literals and character sets,
    lookarounds included: a superset is safe for skipping)."""
    found: set[str] = set()

    def walk(items) -> None:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                found.add(chr(arg))
            elif name == "IN":
                found.update(_set_chars(arg) or "\0")    # a category or negation: cannot tell
            elif name in ("ANY", "NOT_LITERAL"):
                found.add("\0")
            elif isinstance(arg, (list, tuple)):
                for element in arg:
                    if isinstance(element, sre_parse.SubPattern):
                        walk(element)
                    elif isinstance(element, (list, tuple)):
                        for inner in element:
                            if isinstance(inner, sre_parse.SubPattern):
                                walk(inner)
            if isinstance(arg, sre_parse.SubPattern):
                walk(arg)

    walk(sre_parse.parse(pattern))
    return frozenset(found)


_RULES: list[Rule] = []

# Pattern macros: a day of the month, a Gregorian month with its dual forms, a number.
_MACROS = {
    "DAY": r"(?:z?1|o[ko]?)",
    "MON": r"(?:M(?:/M|\(M\)|-M)?|E)",
    "NUM": r"(?:[149]|k(?:k|&k)?)",
    "UNIT": r"[udwmac]",
    "PERIOD": r"[wmacq]",
}


def rule(name: str, pattern: str, priority: int = 0):
    """Register a production for a pattern over word classes (macros in braces)."""
    expanded = pattern.format(**_MACROS).replace(" ", "")
    # The regex engine passes over the positions where a match cannot start in a tight loop when
    # the pattern opens with a class or a literal; for the other patterns (an optional first word:
    # "(?:W,?)?...") a lookahead for the classes a match can start with does much the same (2-3x
    # faster scans). A lookahead before a pattern that opens with a class would turn that loop off:
    # it is added only where the pattern does not. The matches are the same.
    first = None if _opens_with_class(expanded) else _first_classes(expanded)
    compiled = re.compile(expanded if first is None else
                          "(?=[" + "".join(re.escape(c) for c in sorted(first)) + "])" + expanded)
    classes = _pattern_classes(expanded)
    content = frozenset() if "\\0" in classes else frozenset(classes - set(_FILLER))

    def register(production: Production) -> Production:
        _RULES.append(Rule(name, compiled, production, priority, content, _required_classes(expanded)))
        return production
    return register


# --- helpers for productions --------------------------------------------------------------------

def _int(tokens: Tokens, i: int) -> int | None:
    try:
        return int(tokens.payloads[i])
    except (TypeError, ValueError):
        return None


_HUNDREDS = frozenset(range(100, 1000, 100)) | {1000}


def _number_at(tokens: Tokens, i: int, j: int) -> int | None:
    """The value of the number written by tokens i..j-1 (digits, or number words like خمسة وعشرين)."""
    codes = tokens.codes[i:j].replace("&", "")
    values = [tokens.payloads[k] for k in range(i, j) if tokens.codes[k] != "&"]
    if codes in ("1", "4", "9"):
        try:
            return int(values[0])
        except ValueError:
            return None
    if codes and set(codes) <= {"k", "o"}:
        nums = [int(v) for v in values]
        if len(nums) == 1:
            return nums[0]
        if len(nums) == 2:
            a, b = nums
            if b == 10 and a < 10:          # ثلاثة عشر، الثالث عشر
                return a + 10
            if b in (20, 30, 40, 50, 60, 70, 80, 90) and a < 10:   # خمسة وعشرين، الحادي والعشرين
                return a + b
            if a in _HUNDREDS and b < 100:   # ثلاثمئة وخمسين، مئة وعشرين
                return a + b
            if a < 10 and b == 100:          # ثلاث مئة
                return a * 100
    return None


def _day_at(tokens: Tokens, i: int, j: int) -> int | None:
    """A day of the month from a DAY match: 12, الـ12, الثاني عشر."""
    if tokens.codes[i] == "z":
        i += 1
    n = _number_at(tokens, i, j)
    return n if n is not None and 1 <= n <= 31 else None


def _month_in(tokens: Tokens, i: int, j: int) -> int | None:
    """The month of a MON match; a dual form ("أكتوبر/تشرين الأول") must agree."""
    months = [tokens.payloads[k] for k in range(i, j) if tokens.codes[k] in "ME"]
    if not months or any(m != months[0] for m in months):
        return None
    return months[0]


def _find(m: re.Match, code: str, start: int | None = None) -> int | None:
    text = m.string
    index = text.find(code, m.start() if start is None else start, m.end())
    return index if index >= 0 else None


def _year_value(tokens: Tokens, i: int) -> int | None:
    value = _int(tokens, i)
    return value if value is not None and 1000 <= value <= 2199 else None


# ------------------------------------------------------------------------------------------------
# The grammar

# --- absolute dates -------------------------------------------------------------------------------

@rule("weekday? day month year", r"(?:W,?)? {DAY} f? m? {MON} ,? (?:a? 4)? [ej]?")
def _day_month_year(m: re.Match, t: Tokens):
    codes = m.string
    i, j = m.start(), m.end()
    k = i
    weekday = None
    if codes[k] == "W":
        weekday = t.payloads[k]
        k += 1
        if codes[k] == ",":
            k += 1
    month_at = next(x for x in range(k, j) if codes[x] in "ME")
    day_end = _day_end(codes, k, month_at)
    day = _day_at(t, k, day_end)
    month_end = month_at
    while month_end < j and codes[month_end] in "ME/()-":
        month_end += 1
    if codes[month_end - 1] == "-" or (codes[month_end - 1] == "(" ):
        month_end -= 1
    month = _month_in(t, month_at, month_end)
    if day is None or month is None:
        return None
    year_at = _find(m, "4", month_end)
    if year_at is None:
        end = month_end
        if end > month_end or codes[month_end - 1] == ")":
            pass
        return Spec(i, month_end, "partial_date", {"month": month, "day": day, "weekday": weekday})
    end = year_at + 1
    era = codes[end] if end < len(codes) and end < j and codes[end] in "ej" else None
    if era == "j":
        return None                      # a Gregorian month with a Hijri year: not a date
    if era:
        end += 1
    return Spec(i, end, "date", {"year": _int(t, year_at), "month": month, "day": day, "weekday": weekday})


def _day_end(codes: str, first: int, month_at: int) -> int:
    """Where the day's words end before its month: "التاسع من شهر شوال" → before "من"."""
    end = month_at
    while end > first + 1 and codes[end - 1] in "fm":
        end -= 1
    return end


@rule("weekday? day hijri-month year", r"(?:W,?)? {DAY} f? (?:m? H | Z) (?:a? 4 j? | 4? )")
def _hijri_day_month_year(m: re.Match, t: Tokens):
    # the month may be a Hijri month named as a season ("غرة شهر رمضان لعام 1442 هـ")
    codes = m.string
    i, j = m.start(), m.end()
    k = i
    if codes[k] == "W":
        k += 2 if codes[k + 1] == "," else 1
    month_at = _find(m, "H")
    if month_at is None:
        month_at = _find(m, "Z")
    day_end = _day_end(codes, k, month_at)
    day = _day_at(t, k, day_end)
    if day is None or day > 30:
        return None
    year_at = _find(m, "4", month_at)
    if year_at is None:
        return Spec(i, month_at + 1, "partial_hijri", {"month": t.payloads[month_at], "day": day})
    return Spec(i, j, "hijri_date", {"year": _int(t, year_at), "month": t.payloads[month_at], "day": day})


@rule("numeric date", r"(?:W,?)? T [ej]?")
def _numeric_date(m: re.Match, t: Tokens):
    at = _find(m, "T")
    parts = re.split(r"[/.\-]", t.payloads[at])
    era = m.string[m.end() - 1] if m.string[m.end() - 1] in "ej" else None
    try:
        a, b, c = (int(x) for x in parts)
    except ValueError:
        return None
    if len(parts[0]) == 4:                  # Y-M-D
        year, month, day = a, b, c
    elif len(parts[2]) in (2, 4):           # D/M/Y, the order Arabic news writes
        day, month, year = a, b, c
        if month > 12 and day <= 12:       # M/D/Y, as English sources write
            day, month = month, day
        if len(parts[2]) == 2:
            year += 2000 if year <= 40 else 1900
    else:
        return None
    if era == "j" or (era is None and 1300 <= year <= 1500):
        return Spec(m.start(), m.end(), "hijri_date", {"year": year, "month": month, "day": day})
    if not (1000 <= year <= 2199):
        return None
    return Spec(m.start(), m.end(), "date", {"year": year, "month": month, "day": day})


@rule("day range ending in a numeric date", r"(?P<first>1) (?:& >? | >) (?P<date>T) [ej]?", priority=-1)
def _day_range_numeric(m: re.Match, t: Tokens):
    # "من 5 إلى 9/11/2017": the first day takes the month and year of the date that ends the range
    end = _numeric_date(re.compile("T").match(m.string, m.start("date")), t)
    first_day = _day_at(t, m.start("first"), m.end("first"))
    if end is None or first_day is None or end.kind != "date" or first_day >= end.args["day"]:
        return None
    end.last = m.end()
    return [Spec(m.start("first"), m.end("first"), "date", {"year": end.args["year"], "month": end.args["month"],
                                                           "day": first_day}), end]


@rule("numeric date written with spaces", r"(?:W,?)? (?:1 (?P<sa>[/\-.]) 1 (?P=sa) 4 | 4 (?P<sb>[/\-.]) 1 (?P=sb) 1) [ej]?")
def _spaced_numeric_date(m: re.Match, t: Tokens):
    # "26 /10 /1436هـ", "27-8 -1412هـ": the same date as a numeric date token, cut by spaces; a
    # weekday written before it is part of it ("الثلاثاء 26 /10 /1436هـ")
    numbers = [k for k in range(m.start(), m.end()) if t.codes[k] in "14"]
    if any(t.ends[k] - t.starts[k + 1] > 2 for k in range(numbers[0], numbers[-1])):
        return None                                   # more than a space between the parts
    a, b, c = (int(t.payloads[k]) for k in numbers)
    year, month, day = (a, b, c) if t.codes[numbers[0]] == "4" else (c, b, a)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    era = m.string[m.end() - 1] if m.string[m.end() - 1] in "ej" else None
    if era == "j" or (era is None and 1300 <= year <= 1500):
        return Spec(m.start(), m.end(), "hijri_date", {"year": year, "month": month, "day": day})
    return Spec(m.start(), m.end(), "date", {"year": year, "month": month, "day": day})


@rule("english: day month year", r"1 °? ,? E ,? 4")
def _english_day_month_year(m: re.Match, t: Tokens):
    return Spec(m.start(), m.end(), "date", {"year": _int(t, m.end() - 1), "month": _month_in(t, m.start(), m.end()),
                                             "day": _int(t, m.start())})


@rule("english: month day, year", r"E 1 °? ,? 4?")
def _english_month_day_year(m: re.Match, t: Tokens):
    day = _int(t, m.start() + 1)
    year_at = _find(m, "4")
    if year_at is None:
        return Spec(m.start(), m.start() + 2 + (m.string[m.start() + 2] == "°"), "partial_date",
                    {"month": t.payloads[m.start()], "day": day})
    return Spec(m.start(), m.end(), "date", {"year": _int(t, year_at), "month": t.payloads[m.start()], "day": day})


@rule("month year", r"{MON} ,? 4 e?")
def _month_year(m: re.Match, t: Tokens):
    year_at = _find(m, "4")
    month = _month_in(t, m.start(), year_at)
    if month is None:
        return None
    return Spec(m.start(), m.end(), "month", {"year": _int(t, year_at), "month": month})


@rule("hijri month year", r"H 4 j?")
def _hijri_month_year(m: re.Match, t: Tokens):
    year = _int(t, m.start() + 1)
    if year is not None and year > 1600 and m.string[m.end() - 1] != "j":
        return _hijri_period(m, t)            # "رمضان 2023": a Gregorian year
    if year is None or not (1 <= year <= 1600):
        return None
    return Spec(m.start(), m.end(), "hijri_month", {"year": year, "month": t.payloads[m.start()]})


@rule("month of a relative year", r"{MON} f? a r")
def _month_of_relative_year(m: re.Match, t: Tokens):
    month = _month_in(t, m.start(), _find(m, "a"))
    if month is None:
        return None
    return Spec(m.start(), m.end(), "month_of_rel_year", {"month": month, "rel": t.payloads[m.end() - 1]})


@rule("day of a relative month", r"{DAY} f? (?:m r|r m)")
def _day_of_relative_month(m: re.Match, t: Tokens):
    at = _find(m, "m")
    start_of_month = at if m.string[at - 1] != "r" else at - 1
    day_end = start_of_month - 1 if m.string[start_of_month - 1] == "f" else start_of_month
    day = _day_at(t, m.start(), day_end)
    rel = t.payloads[_find(m, "r")]
    if day is None:
        return None
    return Spec(m.start(), m.end(), "day_of_rel_month", {"day": day, "rel": rel})


@rule("month with a relative modifier", r"{MON} r")
def _month_relative(m: re.Match, t: Tokens):
    month = _month_in(t, m.start(), m.end() - 1)
    rel = t.payloads[m.end() - 1]
    if month is None or rel == "same":
        return None
    return Spec(m.start(), m.end(), "bare_month", {"month": month, "rel": rel})


def _with_relative_modifier(spec: Spec | None, m: re.Match, t: Tokens, kind: str) -> Spec | None:
    """A day and month without a year (`spec`, of `kind`) read from a match that ends with a relative
    modifier: "15 مايو الماضي", "20 صفر المقبل"."""
    if spec is None or spec.kind != kind:
        return None
    spec.args["rel"] = t.payloads[m.end() - 1]
    spec.last = m.end()
    return spec


@rule("day month with a relative modifier", r"(?:W,?)? {DAY} f? m? {MON} r")
def _day_month_relative(m: re.Match, t: Tokens):
    return _with_relative_modifier(_day_month_year(m, t), m, t, "partial_date")


# A day and month in digits without a year ("15/9") is also a score, a ratio or a file number: it is
# a date after a day noun or a weekday ("يوم 15/9"، "بتاريخ 3/10"، "الأحد 15/9"), or before a relative
# modifier ("في 3/10 المقبل"). Day first, as Arabic writes it.
@rule("numeric day/month without a year", r"(?: (?<=d) W? ,? | W ,? ) 1 / 1 r? (?![/\-.]?[149])| (?<=[id]) 1 / 1 r")
def _numeric_day_month(m: re.Match, t: Tokens):
    codes = m.string
    i, j = m.start(), m.end()
    weekday = t.payloads[i] if codes[i] == "W" else None
    first = next(x for x in range(i, j) if codes[x] == "1")
    day, month = _int(t, first), _int(t, first + 2)
    if day is None or month is None or not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    args: dict[str, Any] = {"month": month, "day": day, "weekday": weekday}
    if codes[j - 1] == "r":
        args["rel"] = t.payloads[j - 1]
    return Spec(i, j, "partial_date", args)


@rule("day hijri-month with a relative modifier", r"{DAY} f? m? H r")
def _hijri_day_month_relative(m: re.Match, t: Tokens):
    # "20 صفر الماضي", "الأول من رمضان المقبل"
    return _with_relative_modifier(_hijri_day_month_year(m, t), m, t, "partial_hijri")


@rule("month after a temporal word", r"(?:[ism>lD]|f) {MON} (?![ ,]*[14])")
def _bare_month(m: re.Match, t: Tokens):
    # A month name alone is only a date where the grammar calls for one ("في مارس", "منذ أيار",
    # "شهر يونيو"): "مارس" is also a verb and "آب" folds like "أب".
    month = _month_in(t, m.start() + 1, m.end())
    if month is None:
        return None
    return Spec(m.start() + 1, m.end(), "bare_month", {"month": month, "rel": None})


@rule("two months joined by و", r"(?P<first>{MON}) (?P<second>{MON}) ,? (?:(?P<year>4) e?|(?P<rel>r))?", priority=-1)
def _two_months(m: re.Match, t: Tokens):
    # "في يونيو ويوليو", "مايو ويونيو 2019", "شهري أبريل ومايو المقبلين": the second month is written
    # with و, and a year or a relative modifier after it holds for both. Without one, a temporal
    # word must come before (a month name alone may be a verb: "مارس").
    second = m.start("second")
    before = m.start() > 0 and m.string[m.start() - 1] in "ism>lDf"
    if not (t.prefixes[second] and t.words[second][:1] == "و"):
        return None
    first_month = _month_in(t, m.start("first"), m.end("first"))
    second_month = _month_in(t, second, m.end("second"))
    if first_month is None or second_month is None or first_month == second_month:
        return None
    if m.group("year"):
        year = _int(t, m.start("year"))
        return [Spec(m.start("first"), m.end("first"), "month", {"year": year, "month": first_month}),
                Spec(second, m.end(), "month", {"year": year, "month": second_month})]
    rel = t.payloads[m.start("rel")] if m.group("rel") else None
    if rel is None and not before:
        return None
    if rel == "same":
        return None
    return [Spec(m.start("first"), m.end("first"), "bare_month", {"month": first_month, "rel": rel}),
            Spec(second, m.end(), "bare_month", {"month": second_month, "rel": rel})]


@rule("hijri month after a temporal word", r"[ism>Df] H(?!4)")
def _bare_hijri_month(m: re.Match, t: Tokens):
    month = t.payloads[m.start() + 1]
    if t.codes[m.start()] == "f" and (m.start() == 0 or t.codes[m.start() - 1] != "D"):
        return None                     # "من" only after a part of the month: "العشر الأواخر من رمضان"
    if month != 9 and t.codes[m.start()] not in "mf":   # رمضان alone is common; "في صفر" is too vague
        return None
    return Spec(m.start() + 1, m.end(), "bare_hijri_month", {"month": month, "rel": None})


@rule("month noun + month", r"m (?:{MON}|H) r?")
def _month_noun_month(m: re.Match, t: Tokens):
    i = m.start() + 1
    rel = t.payloads[m.end() - 1] if m.string[m.end() - 1] == "r" else None
    if t.codes[i] == "H":
        return Spec(i, m.end(), "bare_hijri_month", {"month": t.payloads[i], "rel": rel})
    month = _month_in(t, i, m.end() - (1 if rel else 0))
    return Spec(i, m.end(), "bare_month", {"month": month, "rel": rel}) if month else None


@rule("hijri month with a relative modifier", r"H r")
def _hijri_month_relative(m: re.Match, t: Tokens):
    # "رمضان الماضي", "محرم المقبل"
    rel = t.payloads[m.start() + 1]
    if rel == "same" or t.words[m.start() + 1] in ("هذا", "هذه"):
        return None                           # "رمضان هذا العام": the demonstrative goes with العام
    return Spec(m.start(), m.end(), "bare_hijri_month", {"month": t.payloads[m.start()], "rel": rel})


@rule("hijri month as a period", r"Z (?:4 j? | r)?")
def _hijri_period(m: re.Match, t: Tokens):
    month = t.payloads[m.start()]
    if m.end() - m.start() == 1:
        return Spec(m.start(), m.end(), "bare_hijri_month", {"month": month, "rel": None})
    if m.string[m.start() + 1] == "r":        # "رمضان الماضي", "رمضان المقبل"
        return Spec(m.start(), m.end(), "bare_hijri_month", {"month": month, "rel": t.payloads[m.start() + 1]})
    year = _int(t, m.start() + 1)
    if m.string[m.end() - 1] != "j" and year is not None and year >= 1600:
        # "رمضان 2023": the Ramadan of that Gregorian year (its middle falls in it)
        middle = _hijri_in_gregorian_year(year, month, 15)
        hijri = timex.gregorian_to_hijri(middle) if middle else None
        if hijri is None:
            return None
        year = hijri[0]
    return Spec(m.start(), m.end(), "hijri_month", {"year": year, "month": month})


# --- years, decades, centuries, quarters, seasons -----------------------------------------------

@rule("year noun + year", r"a 4 [ej]?")
def _year_noun_year(m: re.Match, t: Tokens):
    year = _year_value(t, m.start() + 1)
    era = m.string[m.end() - 1]
    if era == "j":
        return Spec(m.start(), m.end(), "hijri_year", {"year": year})
    return Spec(m.start(), m.end(), "year", {"year": year}) if year else None


@rule("year noun + era + year", r"a [ej] 4")
def _year_noun_era_year(m: re.Match, t: Tokens):
    # "العام الميلادي 2001", "العام الهجري 1446"
    year = _int(t, m.end() - 1)
    if m.string[m.start() + 1] == "j":
        return Spec(m.start(), m.end(), "hijri_year", {"year": year}) if year and 1 <= year <= 1600 else None
    return Spec(m.start(), m.end(), "year", {"year": year}) if _year_value(t, m.end() - 1) else None


@rule("year before Christ", r"a? [149] n")
def _bc_year(m: re.Match, t: Tokens):
    # "عام 332 ق.م", "سنة 1200 قبل الميلاد": TIMEX3 writes BC0332
    year = _int(t, m.end() - 2)
    if year is None or not 1 <= year <= 9999:
        return None
    return Spec(m.start(), m.end(), "bc", {"value": f"BC{year:04d}", "granularity": "year"})


@rule("month/year", r"[ismb>Bf<] 1 [/\-] 4")
def _month_slash_year(m: re.Match, t: Tokens):
    # "في 12/2023": a month and its year, after a temporal word ("رقم 12/2023" is a number)
    month, year = _int(t, m.start() + 1), _year_value(t, m.end() - 1)
    if month is None or not 1 <= month <= 12 or year is None:
        return None
    if t.codes[m.start()] == "f" and not t.words[m.start()].startswith(("من", "ومن", "فمن")):
        return None
    return Spec(m.start() + 1, m.end(), "month", {"year": year, "month": month})


@rule("year + era", r"4 e")
def _year_era(m: re.Match, t: Tokens):
    year = _year_value(t, m.start())
    return Spec(m.start(), m.end(), "year", {"year": year}) if year else None


@rule("hijri year", r"4 j")
def _hijri_year(m: re.Match, t: Tokens):
    return Spec(m.start(), m.end(), "hijri_year", {"year": _int(t, m.start())})


@rule("year after a temporal word", r"[ismb>BlDf<] 4 (?![/\-]1)")
def _bare_year(m: re.Match, t: Tokens):
    # Numbers are not years unless the grammar says so: "في 2007", "منذ 2019", "حتى 2030".
    year = _year_value(t, m.start() + 1)
    if year is None:
        return None
    word = t.words[m.start()]
    if t.codes[m.start()] == "f" and not word.startswith(("من", "ومن", "فمن")):
        return None
    if _counted_after(t, m.end()):
        return None                       # "إلى 1460 دينارا", "على بعد 1200 كيلومتر": an amount
    return Spec(m.start() + 1, m.end(), "year", {"year": year})


def _counted_after(t: Tokens, at: int) -> bool:
    """Is the token at `at` a noun a number counts: a measure or currency ("دينارا", "كيلومتر")? A
    year is not followed by one."""
    if at >= len(t.codes) or t.codes[at] != "x":
        return False
    return t.words[at][t.prefixes[at]:] in _word_set("measure_nouns")


@rule("year heading a line", r"(?:^|(?<=[|.])) 4 (?=-(?!4))")
def _line_year(m: re.Match, t: Tokens):
    # chronologies and "on this day" pages, one entry a line or a sentence:
    # "1969 - رائد الفضاء الأمريكي ... يمشي على سطح القمر."
    year = _year_value(t, m.start())
    return Spec(m.start(), m.end(), "year", {"year": year}) if year else None


@rule("year range", r"(?:a|[ismf<]) 4 (?:[&>\-]|&?>) 4 [ej]?")
def _year_range(m: re.Match, t: Tokens):
    years = [k for k in range(m.start(), m.end()) if t.codes[k] == "4"]
    first, second = _year_value(t, years[0]), _year_value(t, years[1])
    if first is None or second is None or second < first:
        return None
    start = m.start() if t.codes[m.start()] == "a" else years[0]
    return [Spec(start, years[0] + 1, "year", {"year": first}),
            Spec(years[1], m.end(), "year", {"year": second})]


@rule("day range across months", r"(?P<d1>{DAY}) f? m? (?P<m1>{MON}) (?:& >? | >) (?P<d2>{DAY}) f? m? (?P<m2>{MON}) ,? (?P<year>4) e?",
      priority=-1)
def _day_range_across_months(m: re.Match, t: Tokens):
    # "من 1 أيار وحتى 31 تموز 2024", "بين 3 مارس و5 أبريل 2021": the year written once holds for both
    first_day, second_day = _day_at(t, m.start("d1"), m.end("d1")), _day_at(t, m.start("d2"), m.end("d2"))
    first_month, second_month = _month_in(t, m.start("m1"), m.end("m1")), _month_in(t, m.start("m2"), m.end("m2"))
    if None in (first_day, second_day, first_month, second_month):
        return None
    year = _int(t, m.start("year"))
    # "من 20 ديسمبر إلى 5 يناير 2024": a range over the new year starts in the year before
    first_year = year - 1 if first_month > second_month and year is not None else year
    return [Spec(m.start("d1"), m.end("m1"), "date", {"year": first_year, "month": first_month, "day": first_day}),
            Spec(m.start("d2"), m.end(), "date", {"year": year, "month": second_month, "day": second_day})]


@rule("day range in a month", r"<? {DAY} (?:[&>\-]|&?>) {DAY} f? {MON} ,? (?:4 | r)?")
def _day_range(m: re.Match, t: Tokens):
    codes = m.string
    i = m.start() + (codes[m.start()] == "<")
    month_at = next(x for x in range(i, m.end()) if codes[x] in "ME")
    separators = [x for x in range(i + 1, month_at) if codes[x] in "&>-"]
    if not separators:
        return None
    sep = separators[0]
    second_start = sep + 1
    while codes[second_start] in "&>-":
        second_start += 1
    first_day = _day_at(t, i, sep)
    second_end = month_at - 1 if codes[month_at - 1] == "f" else month_at
    second_day = _day_at(t, second_start, second_end)
    month = _month_in(t, month_at, month_at + 1)
    if first_day is None or second_day is None or month is None or second_day <= first_day:
        return None
    year_at = _find(m, "4", month_at)
    if year_at is None:
        # "من 10 إلى 20 مارس الجاري": a modifier after the month holds for both days
        rel = t.payloads[m.end() - 1] if codes[m.end() - 1] == "r" else None
        return [Spec(i, sep, "partial_date", {"month": month, "day": first_day, "rel": rel}),
                Spec(second_start, m.end(), "partial_date", {"month": month, "day": second_day, "rel": rel})]
    year = _int(t, year_at)
    return [Spec(i, sep, "date", {"year": year, "month": month, "day": first_day}),
            Spec(second_start, m.end(), "date", {"year": year, "month": month, "day": second_day})]


@rule("days listed in a month", r"{DAY} (?: & {DAY} ){{2,}} f? {MON} ,? (?:4 | r)?")
def _day_list(m: re.Match, t: Tokens):
    # "أيام 6 و7 و8 يونيو 2022": each day a date, the last one written with the month
    codes = m.string
    month_at = next(x for x in range(m.start(), m.end()) if codes[x] in "ME")
    day_end = month_at - 1 if codes[month_at - 1] == "f" else month_at
    cuts = [m.start()] + [x + 1 for x in range(m.start(), day_end) if codes[x] == "&"] + [day_end + 1]
    days = [_day_at(t, a, b - 1) for a, b in zip(cuts, cuts[1:])]
    month = _month_in(t, month_at, month_at + 1)
    if month is None or None in days or days != sorted(set(days)):
        return None
    year_at = _find(m, "4", month_at)
    rel = t.payloads[m.end() - 1] if codes[m.end() - 1] == "r" else None
    ends = [b - 1 for b in cuts[1:-1]] + [m.end()]
    if year_at is None:
        return [Spec(a, b, "partial_date", {"month": month, "day": d, "rel": rel}) for a, b, d in zip(cuts, ends, days)]
    return [Spec(a, b, "date", {"year": _int(t, year_at), "month": month, "day": d}) for a, b, d in zip(cuts, ends, days)]


@rule("decade", r"C (?:f? X (?:r | o&?o | o k? | z?1 ) e? | 4)?")
def _decade(m: re.Match, t: Tokens):
    digit = t.payloads[m.start()]
    century = None
    rel = None
    x = _find(m, "X")
    if x is not None:
        named = _century_named(m, t, x)
        if named is None:
            return None
        century, rel = named
    elif m.end() - m.start() == 2:                # "تسعينيات 1990"? only when it agrees
        year = _year_value(t, m.start() + 1)
        if year is None or (year // 10) % 10 != digit:
            return None
        century = year // 100
    return Spec(m.start(), m.end(), "decade", {"digit": digit, "century": century, "rel": rel})


def _century_named(m: re.Match, t: Tokens, x: int) -> tuple[int | None, str | None] | None:
    """(century, rel) of "القرن الحادي والعشرين" (20, None) or "القرن الماضي" (None, past) at token x to
    the match's end; None for a number that is no century."""
    if m.string[x + 1] == "r":
        return None, t.payloads[x + 1]
    first = x + 1 + (m.string[x + 1] == "z")
    number = _number_at(t, first, m.end() - (m.string[m.end() - 1] == "e"))
    if number is None or not (1 <= number <= 21):
        return None
    return number - 1, None                       # the twentieth century is 19xx


@rule("decade of a century by its ordinal", r"c o f X (?: r | o&?o | o k? | z?1 ) e?")
def _decade_of_century(m: re.Match, t: Tokens):
    # "العقد الأول من القرن الحادي والعشرين" (the 2000s), "العقد الأخير من القرن الماضي" (the 1990s)
    ordinal = t.payloads[m.start() + 1]
    if not isinstance(ordinal, int) or not (1 <= ordinal <= 10 or ordinal == -1):
        return None
    named = _century_named(m, t, m.start() + 3)
    if named is None:
        return None
    century, rel = named
    return Spec(m.start(), m.end(), "decade", {"digit": 9 if ordinal == -1 else ordinal - 1, "century": century,
                                               "rel": rel})


@rule("century", r"X (?:o&?o | o k? | z?1 | r) [ejn]?")
def _century(m: re.Match, t: Tokens):
    # "القرن الحادي والعشرين" (o&o), "القرن السابع عشر" (ok), "القرن الـ19", "القرن الخامس قبل الميلاد"
    if m.string[m.start() + 1] == "r":
        return Spec(m.start(), m.end(), "rel_century", {"rel": t.payloads[m.start() + 1]})
    era = m.string[m.end() - 1] if m.string[m.end() - 1] in "ejn" else None
    first = m.start() + 1 + (m.string[m.start() + 1] == "z")
    number = _number_at(t, first, m.end() - (era is not None))
    if era == "n":
        if number is None or not 1 <= number <= 99:
            return None
        return Spec(m.start(), m.end(), "bc", {"value": f"BC{number - 1:02d}", "granularity": "century"})
    if number is None or not (1 <= number <= 21):
        return None
    return Spec(m.start(), m.end(), "century", {"index": number - 1})


@rule("english quarter", r"o q f 4")
def _english_quarter(m: re.Match, t: Tokens):
    # "the third quarter of 2019": the ordinal before the noun
    part = _int(t, m.start())
    if part is None or not 1 <= part <= 4 or not t.words[m.start() + 1].isascii():
        return None
    return Spec(m.start(), m.end(), "quarter", {"part": part, "year": _year_value(t, m.end() - 1), "rel": None})


# Not of a fiscal or school year ("الربع الثاني من العام المالي 2017-2018"): its quarters are not the
# calendar's, and which months they are is not written.
@rule("quarter or half of a year", r"[qh] o (?:f? (?:a? 4 e? | a r))? (?! f i 4)")
def _quarter(m: re.Match, t: Tokens):
    part = _int(t, m.start() + 1)
    kind = "quarter" if m.string[m.start()] == "q" else "half"
    if part == -1:                                  # "الربع الأخير": the last one
        part = 4 if kind == "quarter" else 2
    if part is None or not 1 <= part <= (4 if kind == "quarter" else 2):
        return None
    year_at = _find(m, "4")
    rel = t.payloads[_find(m, "r")] if _find(m, "r") is not None else None
    if year_at is None and rel is None:
        rel = "current"
    year = _year_value(t, year_at) if year_at is not None else None
    return Spec(m.start(), m.end(), kind, {"part": part, "year": year, "rel": rel})


@rule("season", r"(?:S (?:a? 4 | a r | r) | r S)")
def _season(m: re.Match, t: Tokens):
    season_at = _find(m, "S")
    year_at = _find(m, "4")
    rel_at = _find(m, "r")
    if year_at is not None:
        return Spec(m.start(), m.end(), "season", {"season": t.payloads[season_at], "year": _int(t, year_at)})
    return Spec(m.start(), m.end(), "season", {"season": t.payloads[season_at], "year": None,
                                               "rel": t.payloads[rel_at], "own": m.string[m.start() + 1] == "r"})


# --- relative days, weekdays, parts of day, clock times ------------------------------------------

@rule("relative day", r"(?:P d? f?)? R (?:W | P)?")
def _relative_day(m: re.Match, t: Tokens):
    r_at = _find(m, "R")
    pod = None
    if m.string[m.start()] == "P":
        pod = t.payloads[m.start()]
    if m.string[m.end() - 1] == "P":
        pod = t.payloads[m.end() - 1]
    weekday = t.payloads[r_at + 1] if r_at + 1 < m.end() and m.string[r_at + 1] == "W" else None
    if t.words[r_at][t.prefixes[r_at]:] == "غد" and m.string[m.start()] != "P" \
            and not (r_at > 0 and t.codes[r_at - 1] == "d" and t.words[r_at - 1][-3:] == "يوم"):
        return None                           # "غد" alone is "a future" ("غد أفضل"); "صباح غد", "يوم غد" are a day
    return Spec(m.start(), m.end(), "rel_day", {"offset": t.payloads[r_at], "weekday": weekday},
                type=TIME if pod else DATE, pod=pod)


@rule("relative night", r"L")
def _relative_night(m: re.Match, t: Tokens):
    return Spec(m.start(), m.end(), "rel_day", {"offset": t.payloads[m.start()]}, type=TIME, pod="NI")


@rule("weekday", r"(?:P d?)? W (?:r | P)?")
def _weekday(m: re.Match, t: Tokens):
    w_at = _find(m, "W")
    pod = t.payloads[m.start()] if m.string[m.start()] == "P" else None
    rel = None
    if m.string[m.end() - 1] == "r":
        rel = t.payloads[m.end() - 1]
    elif m.string[m.end() - 1] == "P" and m.end() - 1 > w_at:
        pod = t.payloads[m.end() - 1]
    return Spec(m.start(), m.end(), "weekday", {"weekday": t.payloads[w_at], "rel": rel},
                type=TIME if pod else DATE, pod=pod)


@rule("part of day + date", r"P d? (?=W? (?:{DAY} f? (?:{MON} | m? H) | T) | N)", priority=5)
def _pod_before_date(m: re.Match, t: Tokens):
    return Spec(m.start(), m.end(), "pod_marker", {"pod": t.payloads[m.start()]})


# "صباح اليوم الخميس": the weekday after اليوم belongs to it; "من فجر الاثنين 6 فبراير 2023": so does a
# full date after the weekday
_DAY_PART = r"(?:R W?|W ,? {DAY} f? m? {MON} (?: ,? a? 4 e? | r )?|W r?)"


# Without the noun الساعة an ordinal is an hour only before a part of day ("العاشرة مساء"): the
# pattern asks for one there, so the many ordinals of a text ("الأول") are not matches to turn down.
@rule("clock time", r"(?: t (?: : | 1 (?=f?P) | o k? F? ) {SUFFIX}? | (?: : | 1 (?=f?P) ) {SUFFIX}?"
                    r" | o k? F? (?: P d? {DP}? | f P d? {DP} ) )"
      .replace("{SUFFIX}", r"(?: P d? {DP}? | f P d? {DP} | {DP} )").replace("{DP}", _DAY_PART))
def _clock(m: re.Match, t: Tokens):
    # "الساعة 10:30 صباحا", "العاشرة مساء", "الرابعة إلا ربع مساء", "الساعة 6:45 من صباح أمس"
    codes = m.string
    i, j = m.start(), m.end()
    has_noun = codes[i] == "t"
    k = i + has_noun
    day_at = next((x for x in range(k + 1, j) if codes[x] in "RW"), None)
    time_end = next((x for x in range(k + 1, j) if codes[x] in "PfdRW"), j)
    pod_at = next((x for x in range(time_end, j) if codes[x] == "P"), None)
    pod = t.payloads[pod_at] if pod_at is not None else None
    if codes[k] == ":":
        hour, minute = (int(x) for x in t.payloads[k].split(":"))
    elif codes[k] == "1":
        hour, minute = _int(t, k), 0
        if pod is None:
            return None
    else:
        if not has_noun and (pod is None or not t.words[k].endswith("ه")):
            return None                       # "الثانية" alone is an ordinal; an hour is feminine (الساعة)
        fraction = codes[time_end - 1] == "F"
        hour = _number_at(t, k, time_end - fraction)
        minute = 0
        if hour is None or not 1 <= hour <= 12:
            return None
        if fraction:
            minute = t.payloads[time_end - 1]
            if minute < 0:
                hour, minute = (hour - 1) % 12 or 12, 60 + minute
    if hour is None or not (0 <= hour <= 24 and 0 <= minute < 60):
        return None
    if pod in ("AF", "EV", "NI", "MI") and hour < 12:
        if not (pod == "NI" and hour <= 4) and not (pod == "MI" and hour >= 11):
            hour += 12
    if pod == "MO" and hour == 12:
        hour = 0
    args: dict[str, Any] = {}
    if day_at is not None:
        if codes[day_at] == "R":
            if t.words[day_at][t.prefixes[day_at]:] == "غد" and pod_at is None:
                return None
            args["offset"] = t.payloads[day_at]
        else:
            args["weekday"] = t.payloads[day_at]
            args["rel"] = t.payloads[day_at + 1] if day_at + 1 < j and codes[day_at + 1] == "r" else None
            month_at = next((x for x in range(day_at + 1, j) if codes[x] in "ME"), None)
            if month_at is not None:               # the weekday's date follows it
                first = day_at + 1 + (codes[day_at + 1] == ",")
                year_at = _find(m, "4", month_at)
                month_end = year_at if year_at is not None else month_at + 1
                day, month = _day_at(t, first, _day_end(codes, first, month_at)), _month_in(t, month_at, month_end)
                if day is None or month is None:
                    return None
                if year_at is None:               # "من ليل الخميس 1 سبتمبر": a day the tense places
                    rel = t.payloads[j - 1] if codes[j - 1] == "r" else None
                    args = {"partial": {"month": month, "day": day, "weekday": args["weekday"], "rel": rel}}
                else:
                    date = timex.valid_date(_year_value(t, year_at), month, day) if _year_value(
                        t, year_at) is not None else None
                    if date is None:
                        return None
                    args = {"date": date}
    return Spec(i, j, "clock", args, type=TIME, clock=(hour % 24, minute), pod=pod)


_ADVERBIAL_POD = re.compile(r"\S*ا$|\S+ \S+$|مساء$|ضحي$")


@rule("part of day alone", r"P", priority=6)
def _bare_pod(m: re.Match, t: Tokens):
    # "انطلقت القافلة فجرا", "عند منتصف الليل": the adverbial forms only (accusative, or a phrase);
    # "صباح الخير" and "ليلة" alone are no time. Kept only in a sentence with no other find.
    i = m.start()
    word = t.words[i][t.prefixes[i]:]
    if not _ADVERBIAL_POD.match(word):
        return None
    if i + 1 < len(t.words) and t.codes[i + 1] == "x" and t.words[i + 1].startswith("ال"):
        return None
    return Spec(i, i + 1, "bare_pod", {}, type=TIME, pod=t.payloads[i])


# --- relative periods ---------------------------------------------------------------------------

@rule("relative period", r"(?:{PERIOD} r | r {PERIOD} | G r?)")
def _relative_period(m: re.Match, t: Tokens):
    p_at = next(k for k in range(m.start(), m.end()) if m.string[k] in "wmacqG")
    r_at = _find(m, "r")
    unit = {"w": "week", "m": "month", "a": "year", "c": "decade", "q": "quarter", "G": "weekend"}[m.string[p_at]]
    if unit == "quarter":
        return None
    rel = t.payloads[r_at] if r_at is not None else "current"
    # "هذا العام" — the demonstrative goes before; other modifiers only after the noun
    modifier = t.words[r_at][t.prefixes[r_at]:] if r_at is not None else None
    if r_at is not None and r_at < p_at and modifier not in ("هذا", "هذه", "this", "last", "next", "previous",
                                                             "past", "coming"):
        return None                          # ("لهذا العام": the demonstrative with its proclitic)
    if r_at is not None and r_at > p_at and modifier in ("هذا", "هذه"):
        return None
    if t.codes[p_at] in "amw" and not t.words[p_at].startswith(("ال", "وال", "بال", "فال", "لل", "ولل")) \
            and not t.words[p_at][t.prefixes[p_at]:].startswith("ال") and not t.words[p_at].isascii():
        return None                          # "عام مقبل" is not "العام المقبل"
    return Spec(m.start(), m.end(), "rel_period", {"unit": unit, "rel": rel})


@rule("the same period of a relative year", r"[mqwi] r f (?: a r | a? 4 )")
def _same_period_of_year(m: re.Match, t: Tokens):
    # "الشهر نفسه من العام السابق", "الربع المماثل من العام الماضي", "الشهر المماثل من 2017": the
    # period of the date the text is about (or of the publication date) in another year;
    # "الفترة ذاتها من 2021": a period as long as that date's
    if t.payloads[m.start() + 1] != "same":
        return None
    code = m.string[m.start()]
    if code == "i" and t.words[m.start()][t.prefixes[m.start()]:] not in _word_set("same_period_nouns"):
        return None
    unit = {"m": "month", "q": "quarter", "w": "week", "i": "period"}[code]
    if m.string[m.end() - 1] == "4":
        year = _year_value(t, m.end() - 1)
        return None if year is None or unit == "week" else Spec(m.start(), m.end(), "same_period",
                                                                {"unit": unit, "year": year})
    shift = _rel_shift(t.payloads[m.end() - 1])
    if not shift or t.payloads[m.end() - 1] in ("same", "current"):
        return None
    return Spec(m.start(), m.end(), "same_period", {"unit": unit, "years": shift})


@rule("period named after a period mod", r"(?<=D) f? [wma] (?![r4MEH1])")
def _period_after_mod(m: re.Match, t: Tokens):
    # "بحلول نهاية العام", "منتصف الشهر": the current period; "نهاية العام الدراسي" is another year
    at = m.end() - 1
    word = t.words[at][t.prefixes[at]:]
    if not word.startswith("ال") or t.codes[at] == "m" and t.words[at].endswith("شهر") is False:
        return None
    if at + 1 < len(t.words) and t.words[at + 1].startswith("ال") and t.codes[at + 1] == "x":
        return None
    unit = {"w": "week", "m": "month", "a": "year"}[t.codes[at]]
    return Spec(at, at + 1, "rel_period", {"unit": unit, "rel": "named"})


# --- offsets and durations ----------------------------------------------------------------------

# A singular period noun followed by a month, a weekday, a year ... names that period ("منذ شهر أغسطس",
# "منذ يوم الخميس", "منذ عام 2015"): no length.
@rule("offset: before/after/since a length",
      r"[bBs] g? (?:{NUM} {UNIT} | u (?:{NUM})? | [dwmac] (?:{NUM})? (?![MEHW14TrRPLdNAYZ]) ) ~?")
def _offset(m: re.Match, t: Tokens):
    codes = m.string
    i, j = m.start(), m.end()
    direction = t.payloads[i]
    k = i + 1
    mod = None
    if codes[k] == "g":
        mod = t.payloads[k]
        k += 1
    parsed = _length(t, k, j - (codes[j - 1] == "~"))
    if parsed is None:
        return None
    unit, amount = parsed
    if direction == "after" and i > 0 and j - k == 1 and _same_unit_noun(t, i - 1, k):
        return None                               # "يوما بعد يوم", "عاما بعد عام": little by little
    if amount is not None and j < len(codes) and codes[j] in "hF" and t.words[j] == "ونصف" and unit in _HALF_IN \
            and _HALF_IN[unit][0] is not None:
        smaller, per = _HALF_IN[unit]             # "بعد عام ونصف": 18 months
        return _offset_spec(m, t, k, smaller, amount * per + per // 2, end=j + 1)
    if amount is None:
        if direction == "since" and codes[k] == "u" and mod is None:
            return Spec(k, j, "duration", {"unit": unit, "amount": None}, type=DURATION)   # "منذ سنين"
        if direction == "before" and codes[k] == "u" and mod is None and not _counted_from_event(t, j) \
                and not (j < len(codes) and t.words[j] in _length_adjectives()):
            # "قبل أيام" (some days ago): the recent past. ("بعد سنوات" is as often "years later" in a
            # story as "in years to come": not read.)
            return Spec(i, j, "vague", {"value": "PAST_REF"})
        return None
    return _offset_spec(m, t, k, unit, amount)


def _event_after(t: Tokens, j: int) -> int | None:
    """The token naming what a length ending before token j counts from, after "من/على" (and maybe an
    adverb: "بعد ستة أشهر فقط من تعيينه"); None when no "من/على" follows."""
    after = j + (j < len(t.codes) and t.words[j] in _word_set("length_adverbs"))
    if after + 1 < len(t.codes) and t.words[after] in _word_set("counted_from_event"):
        return after + 1
    return None


def _counted_from_event(t: Tokens, j: int) -> bool:
    """Does a length ending before token j count from an event ("بعد ثلاثة أيام من الهجوم", "بعد أربع
    سنوات على القطيعة"), not from the publication date?"""
    event = _event_after(t, j)
    return event is not None and t.codes[event] in "xD" and t.words[event] not in _word_set("not_an_event")


@rule("offset: before/after/since a fraction of a unit", r"[bBs] g? h {UNIT} ~?")
def _fraction_offset(m: re.Match, t: Tokens):
    # "قبل ربع قرن" (25 years back), "منذ نصف ساعة", "بعد نصف عام"
    k = m.start() + 1 + (m.string[m.start() + 1] == "g")
    parsed = _fraction_of_unit(t, k)
    return None if parsed is None else _offset_spec(m, t, k, *parsed)


@rule("length ago", r"(?: {NUM} {UNIT} | u ) b")
def _length_ago(m: re.Match, t: Tokens):
    # "two weeks ago", "3 days ago": a date that far back
    j = m.end()
    if t.payloads[j - 1] != "ago":
        return None                           # "ثلاثة أيام قبل الانتخابات": before an event, not ago
    parsed = _length(t, m.start(), j - 1)
    if parsed is None or parsed[1] is None:
        return None
    unit, amount = parsed
    return Spec(m.start(), j, "offset", {"direction": "before", "unit": unit, "amount": amount,
                                         "length_start": m.start()})


def _offset_spec(m: re.Match, t: Tokens, k: int, unit: str, amount: int, end: int | None = None) -> Spec:
    """The find of قبل/بعد/منذ (token m.start()), an optional mod, and a length from token k to `end`
    (the match's end unless given)."""
    codes = m.string
    i, j = m.start(), (m.end() if end is None else end)
    direction = t.payloads[i]
    mod = t.payloads[i + 1] if codes[i + 1] == "g" else None
    event = _event_after(t, j) if direction in ("before", "after") else None
    if event is not None and t.words[event] in _word_set("demonstratives"):
        # "وغادرها بعد يومين من ذلك": from the event just told, whose date is the last one written
        return Spec(i, event + 1, "offset", {"direction": direction, "unit": unit, "amount": amount,
                                             "length_start": k - (mod is not None), "narrative": True}, mod=mod)
    if direction in ("before", "after") and _counted_from_event(t, j):
        # "بعد ثلاثة أيام من الهجوم", "بعد أربع سنوات على القطيعة": counted from an event, not from the
        # publication date — the length is all the text fixes
        return Spec(k - (mod is not None), j, "duration", {"unit": unit, "amount": amount}, type=DURATION, mod=mod)
    return Spec(i, j, "offset", {"direction": direction, "unit": unit, "amount": amount, "length_start": k - (mod is not None)},
                mod=mod)


@rule("duration", r"(?: l? g? (?:{NUM} {UNIT} | u (?:{NUM})? ) | (?:l g? | g) [dwma] k? (?![MEHW14TrRPLdNAYZ]) ) ~? g?")
def _duration(m: re.Match, t: Tokens):
    codes = m.string
    i, j = m.start(), m.end()
    k = i
    if codes[k] == "l":
        k += 1
    mod = None
    if codes[k] == "g":
        mod = t.payloads[k]
        k += 1
    post_mod = False
    if codes[j - 1] == "g" and j - 1 > k:    # "شهرين تقريبا": only تقريبا follows what it qualifies
        j -= 1
        if mod is None and t.words[j][t.prefixes[j]:] in ("تقريبا", "approximately"):
            mod, post_mod = t.payloads[j], True
    parsed = _length(t, k, j - (codes[j - 1] == "~"))
    if parsed is None:
        return None
    unit, amount = parsed
    if j - k == 1 and j + 1 < len(codes) and codes[j] == "B" and _same_unit_noun(t, k, j + 1):
        return None                          # "عاما بعد عام": little by little, no length
    form = t.payloads[k][1] if codes[k] == "u" else None
    if amount is None:
        if form != "plural" or codes[i] != "l":
            return None                      # "خلال سنوات" is a vague length; a bare plural is not
    elif form == "singular" and j - k == 1 and codes[i] not in "lg" and codes[j - 1] != "~" and mod is None \
            and not (j < len(codes) and codes[j] in "hF" and t.words[j] == "ونصف"):
        word = t.words[k][t.prefixes[k]:]
        if not (word.endswith("ا") and word[:-1] in _SINGULAR_STEMS and word != "يوما"):
            return None                      # a lone singular noun ("عقد" = held, "شهر") is no length;
                                             # the accusative "أسبوعا، شهرا" is one ("يوما" = some day)
    start = i + (codes[i] == "l")
    end = j + 1 if post_mod else j
    if amount is not None and not post_mod and end < len(codes) and codes[end] in "hF" and t.words[end] == "ونصف":
        # "سنة ونصف", "ساعتين ونصف": and a half (a clock fraction after a clock time, a half here)
        return Spec(start, end + 1, "duration", {"unit": unit, "amount": amount, "half": True}, type=DURATION, mod=mod)
    return Spec(start, end, "duration", {"unit": unit, "amount": amount}, type=DURATION, mod=mod)


def _fraction_of_unit(t: Tokens, i: int) -> tuple[str, int] | None:
    """(unit, amount) of a fraction of one unit at tokens i, i+1 ("نصف ساعة" = 30 minutes, "ربع قرن" =
    25 years, "ثلث ساعة" = 20 minutes), in the next smaller unit; None where that is not whole."""
    unit = _unit_at(t, i + 1)
    fraction = t.payloads[i]
    if unit is None or unit[1] != "singular":
        return None
    if not isinstance(fraction, int):
        if t.words[i][t.prefixes[i]:] != "نصف":
            return None
        fraction = 2
    smaller, per = _HALF_IN.get(unit[0], (None, 0))
    if smaller is None or per % fraction:
        return None
    return smaller, per // fraction


@rule("half a unit", r"h {UNIT}")
def _half_unit(m: re.Match, t: Tokens):
    # "نصف ساعة", "نصف قرن", "ربع قرن", "ثلث ساعة": a fraction of one unit
    parsed = _fraction_of_unit(t, m.start())
    if parsed is not None:
        return Spec(m.start(), m.end(), "duration", {"unit": parsed[0], "amount": parsed[1]}, type=DURATION)
    unit = _unit_at(t, m.start() + 1)
    if unit is None or unit[1] != "singular" or t.words[m.start()][t.prefixes[m.start()]:] != "نصف":
        return None
    # "نصف أسبوع": no smaller unit holds it whole
    return Spec(m.start(), m.end(), "duration", {"unit": unit[0], "amount": 0, "half": True}, type=DURATION)


@rule("definite plural with a count", r"U (?:x [xo]? | z [19]) r")
def _counted_plural(m: re.Match, t: Tokens):
    # "الأشهر الستة الماضية", "الساعات الأربع والعشرين الماضية", "الساعات الـ48 الماضية": a length
    # reaching the publication date
    if not isinstance(t.payloads[m.start()], str) or t.payloads[m.end() - 1] not in ("past", "future"):
        return None
    if m.string[m.start() + 1] == "z":
        amount = _int(t, m.start() + 2)
    else:
        parts = []
        for k in range(m.start() + 1, m.end() - 1):        # "الأربع", "والعشرين": ال + a number word
            word = t.words[k]
            word = word[1:] if k > m.start() + 1 and word.startswith("و") else word
            hit = lexicon().single.get(word[2:]) if word.startswith("ال") else None
            if hit is None or hit[0].code != "k" or hit[1]:
                return None
            parts.append(hit[0].payload)
        amount = parts[0] + (parts[1] if len(parts) == 2 and parts[0] < 10 <= parts[1] else 0)
        if len(parts) == 2 and not parts[0] < 10 <= parts[1]:
            return None
    if not amount:
        return None
    return Spec(m.start(), m.end(), "duration", {"unit": t.payloads[m.start()], "amount": amount}, type=DURATION)


@rule("definite dual with a relative modifier", r"U r")
def _counted_dual(m: re.Match, t: Tokens):
    # "اليومين الماضيين", "الأسبوعين المقبلين": a length of two reaching the publication date
    unit = t.payloads[m.start()]
    if not isinstance(unit, tuple) or t.payloads[m.end() - 1] not in ("past", "future"):
        return None
    return Spec(m.start(), m.end(), "duration", {"unit": unit[0], "amount": unit[1]}, type=DURATION)


@rule("years after a plural year noun", r"U 4 (?: & 4 )*")
def _listed_years(m: re.Match, t: Tokens):
    # "للأعوام 2023 و2024 و2025", "السنوات 2019 و2020": each year a date
    if t.payloads[m.start()] != "year":
        return None
    years = [(k, _year_value(t, k)) for k in range(m.start() + 1, m.end()) if m.string[k] == "4"]
    if any(year is None for _, year in years):
        return None
    return [Spec(k, k + 1, "year", {"year": year}) for k, year in years]


@rule("definite plural with a relative modifier", r"U [ro]")
def _vague_plural(m: re.Match, t: Tokens):
    # "الأشهر الماضية", "الأسابيع الأخيرة", "الشهور المقبلة": vague, the recent past or the near future
    unit, modifier = t.payloads[m.start()], t.payloads[m.end() - 1]
    if not isinstance(unit, str):
        return None                           # a dual: "اليومين الماضيين" is a length of two
    value = {"past": "PAST_REF", "future": "FUTURE_REF", -1: "PAST_REF"}.get(modifier)
    if value is None or (modifier == -1 and _counted_from_event(t, m.end())):
        return None                           # "الأيام الأولى من الحرب", "الأسابيع الأخيرة من الموسم": of
                                              # something else, not relative to publication
    return Spec(m.start(), m.end(), "vague", {"value": value})


@rule("plural length with an adjective", r"u x")
def _plural_with_adjective(m: re.Match, t: Tokens):
    # "مرت سنون طويلة": a vague length
    i = m.start()
    if t.payloads[i][1] != "plural" or t.words[i + 1] not in _length_adjectives():
        return None
    return Spec(i, i + 1, "duration", {"unit": t.payloads[i][0], "amount": None}, type=DURATION)


@functools.lru_cache(maxsize=1)
def _length_adjectives() -> frozenset[str]:
    return frozenset(word_list("length_adjectives"))


_SINGULAR_STEMS = ("اسبوع", "شهر", "عام")   # their accusative (أسبوعا، شهرا، عاما) is a length alone


def _unit_at(t: Tokens, k: int) -> tuple[str, str] | None:
    """(unit, form) of the unit noun at token k ("يومين" = day, dual; "عام" = year, singular); None for
    a definite noun of a period ("منذ العام" is not a length)."""
    if t.codes[k] == "u":
        return t.payloads[k]
    if t.words[k].startswith(("ال", "وال", "بال", "لل")) or (t.codes[k] == "a" and t.payloads[k] == "years"):
        return None
    return {"d": "day", "w": "week", "m": "month", "a": "year", "c": "decade"}[t.codes[k]], "singular"


def _same_unit_noun(t: Tokens, a: int, b: int) -> bool:
    """Do tokens a and b both name the same unit ("يوما ... يوم", "عاما ... عام")?"""
    if t.codes[a] not in "udwma" or t.codes[b] not in "udwma":
        return False
    first, second = _unit_at(t, a), _unit_at(t, b)
    return first is not None and second is not None and first[0] == second[0]


def _length(t: Tokens, i: int, j: int) -> tuple[str, int | None] | None:
    """(unit, amount) from tokens i..j-1: "ثلاثة أيام", "يومين", "18 شهرا", "عقد", "أسبوع"."""
    codes = t.codes[i:j]
    unit_at = next((k for k in range(i, j) if t.codes[k] in "udwmac"), None)
    if unit_at is None:
        return None
    parsed = _unit_at(t, unit_at)
    if parsed is None:
        return None
    unit, form = parsed
    if unit_at == i:                         # the unit first: "يومين", "شهر", "عقدين" (+ maybe a number after)
        if j - i == 2 and t.codes[i + 1] == "k" and t.payloads[i + 1] == 1 and form == "singular":
            return unit, 1                    # "يوم واحد", "سنة واحدة"
        if j - i > 1:
            return None
        if form == "dual":
            return unit, 2
        if form == "singular":
            return unit, 1
        return unit, None
    amount = _number_at(t, i, unit_at)
    if amount is None or amount <= 0 or unit_at != j - 1:
        return None
    if t.prefixes[unit_at] or t.words[unit_at][:1] == "و":
        return None                           # "بين عام 2015 وعام 2018": a noun with و starts a new
                                              # phrase, so a year before it is no amount
    if form == "dual":
        return None                           # "ثلاثة يومين" is not a length
    if codes[0] in "k" and form == "singular" and amount in range(3, 11):
        return None                           # "ثلاثة يوم": number words 3–10 take a plural
    return unit, amount


# --- vague, holidays, narrative, sets -----------------------------------------------------------

@rule("vague reference", r"V")
def _vague(m: re.Match, t: Tokens):
    return Spec(m.start(), m.end(), "vague", {"value": t.payloads[m.start()]})


def _holiday_in_time_context(m: re.Match, t: Tokens, at: int) -> bool:
    """A holiday is a date after a temporal word or with a year; otherwise it is a thing celebrated."""
    if m.end() - m.start() > 1:
        return True
    if t.prefixes[at] and "ب" in t.words[at][:t.prefixes[at]]:
        return False                          # "احتفلت بعيد العمال": the thing celebrated
    if t.words[at][t.prefixes[at]:].startswith(("ليله ", "يوم ")):
        return True                           # "ليلة رأس السنة", "يوم عرفة" name a day
    if at == 0:
        return False
    before = t.words[at - 1]
    if before[:1] in "وف" and before[1:] in _holiday_context():
        before = before[1:]
    return before in _holiday_context() or t.codes[at - 1] in "P"


@functools.lru_cache(maxsize=1)
def _holiday_context() -> frozenset[str]:
    return frozenset(w for form in word_list("holiday_context") for w in [form.split()[-1]])


def _holiday_day(m: re.Match, t: Tokens) -> tuple[int, int] | None:
    """(index of the holiday token, days into it): "ثاني أيام عيد الأضحى" is its second day."""
    if m.string[m.start()] != "o":
        return m.start(), 0
    nth = _int(t, m.start())
    if t.payloads[m.start() + 1] != ("day", "plural") or nth is None or not 1 <= nth <= 4:
        return None
    return m.start() + 2, nth - 1


def _holiday_spec(m: re.Match, t: Tokens, calendar: str) -> Spec | None:
    """A holiday with its nth day, year or modifier: what both calendars' rules read the same way."""
    found = _holiday_day(m, t)
    if found is None or not _holiday_in_time_context(m, t, found[0]):
        return None
    at, extra = found
    year_at = _find(m, "4", at + 1)
    rel_at = _find(m, "r", at + 1)
    month, day = t.payloads[at]
    year = _int(t, year_at) if year_at is not None else None
    args = {"calendar": calendar, "month": month, "day": day, "extra": extra, "year": year,
            "rel": t.payloads[rel_at] if rel_at is not None else None, "own": rel_at == at + 1}
    if calendar == "hijri":   # "عيد الفطر 1445" or "… 1445 هـ" counts Hijri years
        args["hijri_year"] = m.string[m.end() - 1] == "j" or (year is not None and year < 1600)
    return Spec(m.start(), m.end(), "holiday", args)


@rule("gregorian holiday", r"(?:o u)? Y (?:a? 4 e? | a r | r)?")
def _gregorian_holiday(m: re.Match, t: Tokens):
    return _holiday_spec(m, t, "gregorian")


@rule("hijri holiday", r"(?:o u)? A (?:a? 4 [ej]? | a r | r)?")
def _hijri_holiday(m: re.Match, t: Tokens):
    return _holiday_spec(m, t, "hijri")


@rule("narrative", r"N")
def _narrative(m: re.Match, t: Tokens):
    return Spec(m.start(), m.end(), "narrative", {"relation": t.payloads[m.start()]})


@rule("times per period", r"O [iK] [wmaR] (?!r)")
def _times_per_period(m: re.Match, t: Tokens):
    # "مرتين في الشهر", "ثلاث مرات في السنة", "مرة كل أسبوع": a recurrence once per period (the
    # pattern opens with "مرة/مرات" so the engine looks nowhere else; a number before is read here)
    at = m.end() - 1
    unit = {"w": "P1W", "m": "P1M", "a": "P1Y"}.get(m.string[at])
    if m.string[at] == "R":
        unit = "P1D" if t.words[at] == "اليوم" else None   # "مرة في اليوم": the day, not today
    if unit is None:
        return None
    start = m.start()
    if t.payloads[start] == "many":                     # a number goes with "مرات": "ثلاث مرات"
        if start == 0 or m.string[start - 1] not in "149k":
            return None
        start -= 1
    return Spec(start, m.end(), "set", {"value": unit}, type=SET)


@rule("set", r"(?:Q | K? u W | K d? W | K {NUM}? {UNIT})")      # a weekday alone is a date, not a set
def _set(m: re.Match, t: Tokens):
    codes = m.string
    if codes[m.start()] == "u":
        # "أيام الثلاثاء" (Tuesdays): the plural of day before a weekday is a recurrence — but
        # "أيام الجمعة والسبت والأحد" lists the days of one event
        if t.payloads[m.start()] != ("day", "plural") or (m.end() < len(codes) and codes[m.end()] == "W"):
            return None
    if codes[m.start()] == "Q":
        return Spec(m.start(), m.end(), "set", {"value": t.payloads[m.start()]}, type=SET)
    if "W" in codes[m.start():m.end()]:
        weekday = t.payloads[_find(m, "W")]
        return Spec(m.start(), m.end(), "set", {"value": f"XXXX-WXX-{weekday}"}, type=SET)
    parsed = _length(t, m.start() + 1, m.end())
    if parsed is None or parsed[1] is None:
        return None
    unit, amount = parsed
    return Spec(m.start(), m.end(), "set", {"value": _duration_value(unit, amount)}, type=SET)


# ------------------------------------------------------------------------------------------------
# Finding: run the rules, settle overlaps, attach mods


@functools.lru_cache(maxsize=1)
def _rule_fields() -> tuple[dict[str, int], int, int, int, tuple]:
    """The viability test of every rule as one integer sum.

    A rule can match only if the class string holds one of its content classes and one class of
    each of its `needs` sets. Each such condition is a bit; the bits of one rule sit side by side in
    a field followed by a guard bit. A class sets the bits of the conditions it satisfies, so OR-ing
    the classes present and adding 1 to every field carries into the guard bit exactly of the rules
    whose conditions all hold."""
    satisfied: dict[str, int] = {}
    low = guards = fields = 0
    at = 0
    entries = []
    for r in _RULES:
        conditions = ([r.content] if r.content else []) + list(r.needs)
        for k, condition in enumerate(conditions):
            for c in condition:
                satisfied[c] = satisfied.get(c, 0) | 1 << (at + k)
        low |= 1 << at
        fields |= ((1 << len(conditions)) - 1) << at
        guards |= 1 << (at + len(conditions))
        entries.append((1 << (at + len(conditions)), (r.pattern.finditer, r.production, r)))
        at += len(conditions) + 1
    return satisfied, low, fields, guards, tuple(entries)


_VIABLE: dict[int, tuple] = {}


def _viable_rules(codes: str) -> tuple:
    """The rules that can match this class string, judged by the classes it holds."""
    satisfied, low, fields, guards, entries = _rule_fields()
    held = functools.reduce(operator.or_, map(satisfied.get, set(codes), itertools.repeat(0)), 0)
    viable_bits = ((held & fields) + low) & guards
    viable = _VIABLE.get(viable_bits)
    if viable is None:                      # a few hundred distinct answers: kept
        viable = tuple(entry for guard, entry in entries if viable_bits & guard)
        if len(_VIABLE) > 4096:
            _VIABLE.clear()
        _VIABLE[viable_bits] = viable
    return viable


def _find_specs(tokens: Tokens) -> list[Spec]:
    codes = tokens.codes
    candidates: list[Spec] = []
    for finditer, production, r in _viable_rules(codes):
        for m in finditer(codes):
            if m.end() == m.start():
                continue
            try:
                produced = production(m, tokens)
            except (ValueError, TypeError, IndexError, StopIteration, KeyError):
                produced = None          # a production that cannot read its match finds nothing
            if produced is None:
                continue
            for spec in produced if isinstance(produced, list) else [produced]:
                if spec.last > spec.first:
                    spec.priority = r.priority
                    spec.rule = r.name
                    candidates.append(spec)
    candidates.sort(key=lambda s: (-(tokens.ends[s.last - 1] - tokens.starts[s.first]), s.priority, s.first))
    taken = bytearray(len(codes) + 1)
    chosen: list[Spec] = []
    for spec in candidates:
        if any(taken[spec.first:spec.last]):
            continue
        for k in range(spec.first, spec.last):
            taken[k] = 1
        chosen.append(spec)
    chosen.sort(key=lambda s: s.first)
    # parts of day written before a full date ("صباح 12 أيلول") become the date's part of day
    merged: list[Spec] = []
    for spec in chosen:
        if merged and merged[-1].kind == "pod_marker" and merged[-1].last == spec.first and spec.kind in (
                "date", "partial_date", "hijri_date", "partial_hijri", "narrative"):
            spec.first = merged[-1].first
            spec.pod = merged[-1].args["pod"]
            spec.type = TIME
            merged.pop()
        merged.append(spec)
    chosen = [s for s in merged if s.kind != "pod_marker"]
    if any(s.kind == "bare_pod" for s in chosen):
        chosen = _drop_bare_pods(chosen, tokens)
    # a date that names a street, a paper, a stadium or a city ("شارع 26 يوليو", "صحيفة 26 سبتمبر",
    # "مدينة السادس من أكتوبر") is part of a name, not a date
    naming = _word_set("naming_nouns")
    chosen = [s for s in chosen if not (
        s.kind in ("date", "partial_date", "hijri_date", "partial_hijri") and s.first > 0
        and codes[s.first - 1] == "x" and tokens.words[s.first - 1][tokens.prefixes[s.first - 1]:] in naming)]
    # period mods before a period: "مطلع عام 2021", "أواخر الشهر الجاري"
    for spec in chosen:
        if spec.kind in _MODDABLE and spec.first > 0 and codes[spec.first - 1] == "D" and not taken[spec.first - 1]:
            spec.first -= 1
            spec.mod = tokens.payloads[spec.first]
            taken[spec.first] = 1
        elif (spec.rule == "clock time" and spec.first > 0 and codes[spec.first - 1] == "g"
              and tokens.payloads[spec.first - 1] == "APPROX" and not taken[spec.first - 1]):
            spec.first -= 1               # "نحو الساعة العاشرة": about that time
            spec.mod = "APPROX"
        elif (spec.kind in _MODDABLE and spec.first > 1 and codes[spec.first - 1] in "fm"
              and codes[spec.first - 2] == "D" and not taken[spec.first - 2]):
            spec.first -= 2               # a mod before "من" or "شهر": "نهاية شهر رجب"
            spec.mod = tokens.payloads[spec.first]
    return chosen


_SENTENCE_CODES = re.compile(r"[.|]")


def _drop_bare_pods(chosen: list[Spec], tokens: Tokens) -> list[Spec]:
    """A part of day alone ("صباحا") is kept only when its sentence has no other find: next to a
    date it belongs to that date, and we do not guess which."""
    cuts = [m.start() for m in _SENTENCE_CODES.finditer(tokens.codes)]
    sentence_of = [bisect.bisect_left(cuts, s.first) for s in chosen]
    busy = {n for s, n in zip(chosen, sentence_of) if s.kind != "bare_pod"}
    return [s for s, n in zip(chosen, sentence_of) if s.kind != "bare_pod" or n not in busy]


_MODDABLE = {"year", "month", "bare_month", "rel_period", "decade", "century", "rel_century", "quarter", "half",
             "season", "hijri_month", "bare_hijri_month", "hijri_year", "month_of_rel_year"}


# ------------------------------------------------------------------------------------------------
# Resolution


@dataclass
class _Resolved:
    value: str | None
    interval: tuple[dt.date, dt.date] | None
    granularity: str | None
    anchor: str | None
    calendar: str = "gregorian"
    hijri: str | None = None
    note: str | None = None
    type: str | None = None
    mod: str | None = None
    bound: str | None = None
    text_span: tuple[int, int] | None = None   # token range when the span differs from the find


class _Env:
    def __init__(self, reference: dt.date | None, norm: str, tokens: Tokens):
        self.reference = reference
        self.norm = norm
        self.tokens = tokens
        # every date resolved so far: (first day, granularity, start and end in the normalized text)
        self.history: list[tuple[dt.date, str, int, int]] = []
        self.previous_text: str | None = None

        self.force_past = False       # set while the past reading of a scheduled event is tried
        self.force_future = False     # set while the coming occurrence of a holiday is tried
        self.scheduled: set[int] = set()   # first tokens of finds read as future by a scheduling verb only

    @property
    def previous(self) -> tuple[dt.date, str] | None:
        """The last date resolved and its granularity."""
        return self.history[-1][:2] if self.history else None

    @property
    def previous_end(self) -> int | None:
        return self.history[-1][3] if self.history else None

    def previous_in_sentence(self, spec: Spec, granularities: tuple[str, ...]) -> dt.date | None:
        """The first day of the last date resolved, when it is in the sentence of `spec` and of one of
        these granularities."""
        if not self.history or self.history[-1][1] not in granularities or _SENTENCE_END.search(
                self.norm, self.history[-1][3], self.tokens.starts[spec.first]):
            return None
        return self.history[-1][0]

    def future(self, spec: Spec) -> bool:
        if self.force_past or (spec.first > 0 and self.tokens.codes[spec.first - 1] == "s"):
            return False                   # "منذ مارس": since is always back
        if self.force_future:
            return True
        start, end = self.tokens.starts[spec.first], self.tokens.ends[spec.last - 1]
        bounds = _sentence_bounds(self.norm, start, end)
        if _sentence_is_future(self.norm, start, end, bounds):
            return True
        if _scheduled_before(self.norm, bounds[0], start):
            self.scheduled.add(spec.first)
            return True
        return False


def _unresolved(note: str = "relative expression without a publication date") -> _Resolved:
    return _Resolved(None, None, None, None, note=note)


# A length and a half in the next smaller unit ("سنة ونصف" = 18 months); weeks keep a decimal.
_HALF_IN = {"minute": (None, 0), "hour": ("minute", 60), "day": ("hour", 24), "month": ("day", 30),
            "year": ("month", 12), "decade": ("year", 10), "century": ("year", 100)}


def _duration_value(unit: str, amount: int | None, half: bool = False) -> str:
    if half and amount is not None:
        smaller, per = _HALF_IN.get(unit, (None, 0))
        if smaller is None:
            return {"week": f"P{amount}.5W", "minute": f"PT{amount}.5M"}[unit]
        return _duration_value(smaller, amount * per + per // 2)
    n = "X" if amount is None else str(amount)
    return {"minute": f"PT{n}M", "hour": f"PT{n}H", "day": f"P{n}D", "week": f"P{n}W", "month": f"P{n}M",
            "year": f"P{n}Y", "decade": f"P{n}0Y" if amount is not None else "PXDE",
            "century": f"P{n}00Y" if amount is not None else "PXCE"}[unit]


def _granular(unit: str, day: dt.date) -> tuple[str, tuple[dt.date, dt.date], str]:
    if unit == "week":
        value, interval = timex.week_of(day)
        return value, interval, "week"
    if unit == "month":
        value, interval = timex.month_of(day.year, day.month)
        return value, interval, "month"
    if unit == "year":
        value, interval = timex.year_of(day.year)
        return value, interval, "year"
    if unit == "decade":
        value, interval = timex.decade_of(day.year // 10 * 10)
        return value, interval, "decade"
    if unit == "century":
        value, interval = timex.century_of(day.year // 100)
        return value, interval, "century"
    return day.isoformat(), (day, day), "day"


def _rel_shift(rel: str | None) -> int | None:
    return {"past": -1, "future": 1, "current": 0, "next": 1, "same": 0,
            "before_past": -2, "after_next": 2}.get(rel or "", None)


def _resolve(spec: Spec, env: _Env) -> _Resolved:
    kind, a = spec.kind, spec.args
    ref = env.reference

    if kind == "date":
        day = timex.valid_date(a["year"], a["month"], a["day"]) if a["year"] else None
        if day is None:
            return _Resolved(None, None, None, None, note=f"impossible date: day {a['day']} of month {a['month']}")
        return _Resolved(day.isoformat(), (day, day), "day", ANCHOR_ABSOLUTE)

    if kind == "hijri_date":
        hijri = f"{a['year']:04d}-{a['month']:02d}-{a['day']:02d}"
        if not (1 <= a["month"] <= 12 and 1 <= a["day"] <= 30):
            return _Resolved(None, None, None, None, calendar="hijri", hijri=hijri, note="impossible Hijri date")
        try:
            day = timex.hijri_to_gregorian(a["year"], a["month"], a["day"])
        except timex.HijriRangeError as error:
            return _Resolved(None, None, None, None, calendar="hijri", hijri=hijri,
                             note=f"Hijri date outside the Umm al-Qura range: {error}")
        return _Resolved(day.isoformat(), (day, day), "day", ANCHOR_ABSOLUTE, calendar="hijri", hijri=hijri)

    if kind == "month":
        if not a["year"]:
            return _unresolved("month without a year")
        value, interval = timex.month_of(a["year"], a["month"])
        return _Resolved(value, interval, "month", ANCHOR_ABSOLUTE)

    if kind == "hijri_month":
        try:
            interval = timex.hijri_month_interval(a["year"], a["month"])
        except timex.HijriRangeError as error:
            return _Resolved(None, None, None, None, calendar="hijri", hijri=f"{a['year']:04d}-{a['month']:02d}",
                             note=f"Hijri date outside the Umm al-Qura range: {error}")
        return _hijri_month_resolved(a["year"], a["month"], interval, ANCHOR_ABSOLUTE)

    if kind == "hijri_year":
        try:
            first = timex.hijri_to_gregorian(a["year"], 1, 1)
            last = timex.hijri_to_gregorian(a["year"], 12, 1)
            last = last + dt.timedelta(days=timex.hijri_month_days(a["year"], 12) - 1)
        except timex.HijriRangeError as error:
            return _Resolved(None, None, None, None, calendar="hijri", hijri=f"{a['year']:04d}",
                             note=f"Hijri year outside the Umm al-Qura range: {error}")
        # TIMEX3 has no Hijri year: the value is the Gregorian year holding most of it
        middle = first + (last - first) / 2
        return _Resolved(f"{middle.year:04d}", (first, last), "year", ANCHOR_ABSOLUTE, calendar="hijri",
                         hijri=f"{a['year']:04d}")

    if kind == "year":
        value, interval = timex.year_of(a["year"])
        return _Resolved(value, interval, "year", ANCHOR_ABSOLUTE)

    if kind == "decade":
        if a.get("century") is not None:
            first_year = a["century"] * 100 + a["digit"] * 10
            anchor = ANCHOR_ABSOLUTE
        elif a.get("rel"):
            if ref is None:
                return _unresolved()
            century = ref.year // 100 + (_rel_shift(a["rel"]) or 0)
            first_year = century * 100 + a["digit"] * 10
            anchor = ANCHOR_PUBLISHED
        else:
            # the latest such decade that has begun by the publication year (1990s before 2090)
            year = (ref or dt.date(1999, 1, 1)).year
            first_year = year // 100 * 100 + a["digit"] * 10
            if first_year > year:
                first_year -= 100
            anchor = ANCHOR_PUBLISHED if ref else ANCHOR_ABSOLUTE
        value, interval = timex.decade_of(first_year)
        return _Resolved(value, interval, "decade", anchor)

    if kind == "bc":                         # before Christ: no Gregorian interval in Python dates
        return _Resolved(a["value"], None, a["granularity"], ANCHOR_ABSOLUTE)

    if kind == "century":
        value, interval = timex.century_of(a["index"])
        return _Resolved(value, interval, "century", ANCHOR_ABSOLUTE)

    if kind == "rel_century":
        if ref is None:
            return _unresolved()
        value, interval = timex.century_of(ref.year // 100 + (_rel_shift(a["rel"]) or 0))
        return _Resolved(value, interval, "century", ANCHOR_PUBLISHED)

    if kind in ("quarter", "half"):
        year = a["year"]
        anchor = ANCHOR_ABSOLUTE
        if year is None:
            if ref is None:
                return _unresolved()
            year = ref.year + (_rel_shift(a["rel"]) or 0)
            anchor = ANCHOR_PUBLISHED
        value, interval = (timex.quarter_of if kind == "quarter" else timex.half_of)(year, a["part"])
        return _Resolved(value, interval, kind, anchor)

    if kind == "season":
        year = a["year"]
        anchor = ANCHOR_ABSOLUTE
        if year is None:
            if ref is None:
                return _unresolved()
            shift = _rel_shift(a["rel"]) or 0
            if a.get("own") and shift > 0:        # "الصيف المقبل": the next such season not yet begun
                year = next(y for y in range(ref.year, ref.year + 3) if timex.season_of(y, a["season"])[1][0] > ref)
            elif a.get("own") and shift < 0:      # "الصيف الماضي": the last such season already over
                year = max(y for y in range(ref.year - 2, ref.year + 1) if timex.season_of(y, a["season"])[1][1] < ref)
            else:                                 # "صيف العام الماضي": the season of last year
                year = ref.year + shift
            anchor = ANCHOR_PUBLISHED
        value, interval = timex.season_of(year, a["season"])
        return _Resolved(value, interval, "season", anchor)

    if kind in ("partial_date", "bare_month", "month_of_rel_year", "day_of_rel_month"):
        return _resolve_partial(spec, env)

    if kind in ("partial_hijri", "bare_hijri_month"):
        return _resolve_partial_hijri(spec, env)

    if kind == "rel_day":
        if ref is None:
            return _unresolved()
        day = ref + dt.timedelta(days=a["offset"])
        if a.get("weekday") and day.isoweekday() != a["weekday"]:
            # "أمس الثلاثاء" where the feed date is a day late: trust the weekday when it is close
            for delta in (-1, 1):
                if (day + dt.timedelta(days=delta)).isoweekday() == a["weekday"]:
                    day = day + dt.timedelta(days=delta)
                    break
        return _Resolved(day.isoformat(), (day, day), "day", ANCHOR_PUBLISHED)

    if kind == "weekday":
        if ref is None:
            return _unresolved()
        rel = a["rel"]
        if rel is None:
            rel = "future" if env.future(spec) else "past"
        target = a["weekday"]
        if rel in ("future", "next", "after_next"):
            delta = (target - ref.isoweekday()) % 7 or 7
            day = ref + dt.timedelta(days=delta + (7 if rel == "after_next" else 0))
        elif rel == "before_past":       # "الخميس قبل الماضي": a week before the last one
            day = ref - dt.timedelta(days=((ref.isoweekday() - target) % 7 or 7) + 7)
        elif rel == "current":
            day = ref + dt.timedelta(days=target - ref.isoweekday())
        elif a["rel"] in ("past",):      # "السبت الماضي": strictly before the publication day
            delta = (ref.isoweekday() - target) % 7 or 7
            day = ref - dt.timedelta(days=delta)
        else:                             # a bare weekday in the past: on or before
            day = ref - dt.timedelta(days=(ref.isoweekday() - target) % 7)
        return _Resolved(day.isoformat(), (day, day), "day", ANCHOR_PUBLISHED)

    if kind == "rel_period":
        unit, rel = a["unit"], a["rel"]
        base, anchor = ref, ANCHOR_PUBLISHED
        if rel in ("next", "same") and env.previous is not None:
            base, anchor = env.previous[0], ANCHOR_PREVIOUS
        elif rel == "named":
            # "نهاية الشهر" after a date of the same sentence ("تنطلق في 3 مايو وتستمر حتى نهاية الشهر")
            # is that date's month; otherwise the current one
            rel = "current"
            same_sentence = env.previous_in_sentence(spec, ("day", "time", "month"))
            if same_sentence is not None:
                base, anchor = same_sentence, ANCHOR_PREVIOUS
        if base is None:
            return _unresolved()
        shift = _rel_shift(rel) or 0
        if unit == "weekend":
            saturday = base + dt.timedelta(days=(6 - base.isoweekday()) % 7)
            if shift < 0 or (rel is None and not env.future(spec)):
                saturday -= dt.timedelta(days=7) if saturday > base else dt.timedelta(0)
                if shift < 0:
                    saturday = base - dt.timedelta(days=(base.isoweekday() - 6) % 7 or 7)
            elif shift > 0 and saturday <= base:
                saturday += dt.timedelta(days=7)
            week_value, _ = timex.week_of(saturday)
            return _Resolved(f"{week_value}-WE", (saturday, saturday + dt.timedelta(days=1)), "weekend", anchor)
        day = timex.shift_date(base, unit, shift)
        value, interval, granularity = _granular(unit, day)
        return _Resolved(value, interval, granularity, anchor)

    if kind == "same_period":
        # the period of the last date that is not itself a comparison point ("بانخفاض 9% عن فبراير
        # 2017" is the year-ago figure), as fine as the unit; "الفترة نفسها" is as long as that date's
        unit = a["unit"]
        fits = {"week": ("day", "time", "week"), "month": ("day", "time", "week", "month"),
                "quarter": ("day", "time", "week", "month", "quarter"),
                "period": ("week", "month", "quarter", "year")}[unit]
        base, anchor, found = next(((first_day, ANCHOR_PREVIOUS, granularity) for first_day, granularity, start, _
                                    in reversed(env.history) if granularity in fits
                                    and not _compared_at(env.norm, start)), (ref, ANCHOR_PUBLISHED, "year"))
        if base is None:
            return _unresolved()
        if unit == "period":
            unit = found                      # with no period written before it, all that is known is its year
        if a.get("year") is not None:          # "الشهر المماثل من 2017"
            day = timex.valid_date(a["year"], base.month, min(base.day, 28))
            anchor = ANCHOR_ABSOLUTE if anchor == ANCHOR_PUBLISHED else anchor
        else:
            day = timex.shift_date(base, "year", a["years"])
        if unit == "quarter":
            value, interval = timex.quarter_of(day.year, (day.month - 1) // 3 + 1)
            return _Resolved(value, interval, "quarter", anchor)
        value, interval, granularity = _granular(unit, day)
        return _Resolved(value, interval, granularity, anchor)

    if kind == "offset":
        return _resolve_offset(spec, env)

    if kind == "duration":
        value = _duration_value(a["unit"], a["amount"], a.get("half", False))
        return _Resolved(value, None, None, None, type=DURATION)

    if kind == "vague":
        return _Resolved(a["value"], None, "ref", ANCHOR_PUBLISHED if ref else None)

    if kind == "holiday":
        return _resolve_holiday(spec, env)

    if kind == "narrative":
        base, anchor = (env.previous[0], ANCHOR_PREVIOUS) if env.previous else (ref, ANCHOR_PUBLISHED)
        if base is None:
            return _unresolved("narrative expression without an earlier date")
        delta = {"next_day": 1, "same_day": 0, "previous_day": -1}[a["relation"]]
        day = base + dt.timedelta(days=delta)
        return _Resolved(day.isoformat(), (day, day), "day", anchor)

    if kind == "clock":
        if "date" in a:                       # "الساعة 4:17 من فجر الاثنين 6 فبراير 2023"
            return _Resolved(a["date"].isoformat(), (a["date"], a["date"]), "time", ANCHOR_ABSOLUTE)
        if "partial" in a:                    # "الحادية عشرة من ليل الخميس 1 سبتمبر"
            day = _resolve(Spec(spec.first, spec.last, "partial_date", dict(a["partial"])), env)
            if day.interval is None:
                return day
            return _Resolved(day.value, day.interval, "time", day.anchor)
        base, anchor = (ref, ANCHOR_PUBLISHED)
        if base is None:
            return _unresolved("clock time without a date")
        if "offset" in a:                     # "الساعة 6:45 من صباح أمس"
            base = ref + dt.timedelta(days=a["offset"])
        elif "weekday" in a:                  # "العاشرة من مساء الخميس"
            day = _resolve(Spec(spec.first, spec.last, "weekday", {"weekday": a["weekday"], "rel": a["rel"]}), env)
            base = dt.date.fromisoformat(day.value)
        elif env.previous_in_sentence(spec, ("day", "time")) is not None:
            # "يوم الأحد المقبل من الساعة السابعة صباحا حتى السابعة مساء": the day of the same sentence
            base, anchor = env.previous_in_sentence(spec, ("day", "time")), ANCHOR_PREVIOUS
        return _Resolved(base.isoformat(), (base, base), "time", anchor)

    if kind == "bare_pod":                    # "فجرا": the day of the narrative, or the publication day
        if env.previous is not None and env.previous[1] in ("day", "time"):
            base, anchor = env.previous[0], ANCHOR_PREVIOUS
        else:
            base, anchor = ref, ANCHOR_PUBLISHED
        if base is None:
            return _unresolved("part of day without a date")
        return _Resolved(base.isoformat(), (base, base), "time", anchor)

    if kind == "set":
        return _Resolved(a["value"], None, None, None, type=SET)

    return _unresolved(f"no resolution for {kind}")


def _hijri_month_resolved(year: int, month: int, interval, anchor) -> _Resolved:
    # TIMEX3 has no Hijri month: the value is the Gregorian month holding most of its days
    first, last = interval
    middle = first + (last - first) / 2
    return _Resolved(f"{middle.year:04d}-{middle.month:02d}", interval, "month", anchor, calendar="hijri",
                     hijri=f"{year:04d}-{month:02d}")


def _resolve_partial(spec: Spec, env: _Env) -> _Resolved:
    """A day or month without a year, or a month of a relative year: the year comes from the context."""
    a, ref = spec.args, env.reference
    if ref is None:
        return _unresolved("month or day without a year, and no publication date")
    kind = spec.kind
    if kind == "month_of_rel_year":
        year = ref.year + (_rel_shift(a["rel"]) or 0)
        value, interval = timex.month_of(year, a["month"])
        return _Resolved(value, interval, "month", ANCHOR_PUBLISHED)
    if kind == "day_of_rel_month":
        year, month = timex.add_months(ref.year, ref.month, _rel_shift(a["rel"]) or 0)
        day = timex.valid_date(year, month, a["day"])
        if day is None:
            return _unresolved(f"impossible date: day {a['day']} of {year}-{month:02d}")
        return _Resolved(day.isoformat(), (day, day), "day", ANCHOR_PUBLISHED)
    day_of_month = a.get("day")
    month = a["month"]
    if day_of_month and a.get("weekday") and a.get("rel") is None:
        # "يوم الخميس الموافق 12 أبريل": the weekday tells the year, of the three around publication
        fits = [y for y in (ref.year - 1, ref.year, ref.year + 1)
                if (d := timex.valid_date(y, month, day_of_month)) is not None and d.isoweekday() == a["weekday"]]
        if len(fits) == 1:
            day = timex.valid_date(fits[0], month, day_of_month)
            return _Resolved(day.isoformat(), (day, day), "day", ANCHOR_PUBLISHED)
    rel = a.get("rel")
    if rel is None:
        rel = "future" if env.future(spec) else "past"
    if rel == "same" and env.previous is not None:
        year = env.previous[0].year
    else:
        # candidate years around the publication date, picked by direction
        candidates = []
        for year in (ref.year - 1, ref.year, ref.year + 1):
            if day_of_month is None:
                key = (year, month)
                ref_key = (ref.year, ref.month)
            else:
                if timex.valid_date(year, month, day_of_month) is None and not (month == 2 and day_of_month == 29):
                    return _unresolved(f"impossible date: day {day_of_month} of month {month}")
                key = (year, month, day_of_month)
                ref_key = (ref.year, ref.month, ref.day)
            candidates.append((key, ref_key, year))
        if rel in ("past", "before_past") and a.get("rel") in ("past", "before_past"):
            pool = [y for key, rk, y in candidates if key < rk]           # "يناير الماضي": before this month
            year = (max(pool) if pool else ref.year - 1) - (rel == "before_past")
        elif rel == "after_next" and a.get("rel") == "after_next":     # "تموز بعد المقبل"
            pool = [y for key, rk, y in candidates if key > rk]
            year = (min(pool) if pool else ref.year + 1) + 1
        elif rel in ("future", "next") and a.get("rel") in ("future", "next"):
            pool = [y for key, rk, y in candidates if key > rk]           # "تموز المقبل": after this month
            year = min(pool) if pool else ref.year + 1
        elif rel in ("future", "next"):
            pool = [y for key, rk, y in candidates if key >= rk]
            year = min(pool) if pool else ref.year + 1
        elif rel == "current":
            year = ref.year
        else:
            pool = [y for key, rk, y in candidates if key <= rk]
            year = max(pool) if pool else ref.year
    if day_of_month is None:
        value, interval = timex.month_of(year, month)
        return _Resolved(value, interval, "month", ANCHOR_PUBLISHED)
    day = timex.valid_date(year, month, day_of_month)
    if day is None:
        return _unresolved(f"impossible date: day {day_of_month} of {year}-{month:02d}")
    return _Resolved(day.isoformat(), (day, day), "day", ANCHOR_PUBLISHED)


def _resolve_partial_hijri(spec: Spec, env: _Env) -> _Resolved:
    a, ref = spec.args, env.reference
    if ref is None:
        return _unresolved("Hijri month or day without a year, and no publication date")
    today = timex.gregorian_to_hijri(ref)
    if today is None:
        return _unresolved("publication date outside the Umm al-Qura range")
    rel = a.get("rel")
    if rel is None:
        rel = "future" if env.future(spec) else "past"
    hy = today[0]
    month, day_of_month = a["month"], a.get("day")
    key_today = (today[1], today[2]) if day_of_month else (today[1],)
    key = (month, day_of_month) if day_of_month else (month,)
    if rel in ("future", "next"):
        year = hy if key >= key_today else hy + 1
        if a.get("rel") in ("future", "next") and key == key_today:
            year = hy + 1
    elif rel == "current":
        year = hy
    else:
        year = hy if key <= key_today else hy - 1
        if a.get("rel") == "past" and key == key_today:
            year = hy - 1
    try:
        if day_of_month is None:
            interval = timex.hijri_month_interval(year, month)
            return _hijri_month_resolved(year, month, interval, ANCHOR_PUBLISHED)
        day = timex.hijri_to_gregorian(year, month, day_of_month)
    except timex.HijriRangeError as error:
        return _unresolved(f"Hijri date outside the Umm al-Qura range: {error}")
    return _Resolved(day.isoformat(), (day, day), "day", ANCHOR_PUBLISHED, calendar="hijri",
                     hijri=f"{year:04d}-{month:02d}-{day_of_month:02d}")


def _resolve_offset(spec: Spec, env: _Env) -> _Resolved:
    """قبل/منذ/بعد + a length: a date that far from the publication date, or — for an ongoing state
    ("تعاني منذ أكثر من عام") — the length itself as a DURATION, bounding when the state began."""
    a, ref = spec.args, env.reference
    unit, amount, direction = a["unit"], a["amount"], a["direction"]
    if direction == "since" and _is_ongoing(env.norm, env.tokens, spec, spec.mod):
        value = _duration_value(unit, amount)
        interval = None
        bound = None
        if ref is not None and unit not in ("hour", "minute"):
            end = timex.shift_date(ref, unit, -amount)
            interval = (timex.shift_date(end, unit, -max(1, amount // 2)), end)
            bound = "before" if spec.mod in ("MORE_THAN", None) else "after"
        return _Resolved(value, interval, None, ANCHOR_PUBLISHED if ref else None, type=DURATION,
                         text_span=(a["length_start"], spec.last), bound=bound)
    base, anchor = ref, ANCHOR_PUBLISHED
    same_sentence = env.previous_in_sentence(spec, ("day", "time", "week", "month")) if direction == "after" else None
    if a.get("narrative"):                    # "بعد يومين من ذلك": from the last date written
        if env.previous is None:
            return _unresolved("narrative expression without an earlier date")
        base, anchor = env.previous[0], ANCHOR_PREVIOUS
    elif same_sentence is not None and not _sentence_is_future(env.norm, env.tokens.starts[spec.first],
                                                                env.tokens.ends[spec.last - 1]):
        # a story told in the past: "قُدّم الطلب بتاريخ 2023/02/14، وجرى البت فيه بعد 45 يوما" is that long
        # after the date of the same sentence ("ستحصل بعد شهرين" and "قبل عامين" count from publication)
        base, anchor = same_sentence, ANCHOR_PREVIOUS
    if base is None:
        return _unresolved()
    sign = 1 if direction == "after" else -1
    day = timex.shift_date(base, unit, sign * amount)
    if unit in ("hour", "minute"):
        return _Resolved(day.isoformat(), (day, day), "day", anchor)
    value, interval, granularity = _granular(unit, day)
    return _Resolved(value, interval, granularity, anchor)


def _resolve_holiday(spec: Spec, env: _Env) -> _Resolved:
    resolved = _resolve_holiday_day(spec, env)
    extra = spec.args.get("extra") or 0
    if extra and resolved.interval is not None:
        day = resolved.interval[0] + dt.timedelta(days=extra)
        h = timex.gregorian_to_hijri(day) if resolved.calendar == "hijri" else None
        return _Resolved(day.isoformat(), (day, day), "day", resolved.anchor, calendar=resolved.calendar,
                         hijri=f"{h[0]:04d}-{h[1]:02d}-{h[2]:02d}" if h else resolved.hijri)
    return resolved


def _resolve_holiday_day(spec: Spec, env: _Env) -> _Resolved:
    a, ref = spec.args, env.reference
    month, day_of_month = a["month"], a["day"]
    if a["calendar"] == "gregorian":
        year = a["year"]
        anchor = ANCHOR_ABSOLUTE
        if year is None:
            if ref is None:
                return _unresolved()
            anchor = ANCHOR_PUBLISHED
            if a["rel"] and a.get("own") and a["rel"] in ("past", "future", "next"):
                # "عيد الميلاد المقبل": the next one after the publication date; "الماضي": the last one
                shift = _rel_shift(a["rel"]) or 0
                this_year = dt.date(ref.year, month, day_of_month)
                year = ref.year + (0 if (this_year > ref) == (shift > 0) and this_year != ref else shift)
            elif a["rel"]:
                year = ref.year + (_rel_shift(a["rel"]) or 0)
            else:
                this_year = dt.date(ref.year, month, day_of_month)
                future = env.future(spec)
                year = ref.year if (this_year >= ref) == future or this_year == ref else ref.year + (1 if future else -1)
        day = timex.valid_date(year, month, day_of_month)
        if day is None:
            return _unresolved("impossible date")
        return _Resolved(day.isoformat(), (day, day), "day", anchor)
    # Hijri holidays: find the occurrence for the year in question
    try:
        if a["year"] is not None and a.get("hijri_year"):
            day = timex.hijri_to_gregorian(a["year"], month, day_of_month)
            anchor = ANCHOR_ABSOLUTE
        elif a["year"] is not None:
            day = _hijri_in_gregorian_year(a["year"], month, day_of_month)
            anchor = ANCHOR_ABSOLUTE
        else:
            if ref is None:
                return _unresolved()
            anchor = ANCHOR_PUBLISHED
            today = timex.gregorian_to_hijri(ref)
            if today is None:
                return _unresolved("publication date outside the Umm al-Qura range")
            if a["rel"] and a.get("own") and a["rel"] in ("past", "future", "next"):
                # "عيد الأضحى المقبل": the next one after the publication date; "الماضي": the last one
                this_year = timex.hijri_to_gregorian(today[0], month, day_of_month)
                if (_rel_shift(a["rel"]) or 0) > 0:
                    day = this_year if this_year > ref else timex.hijri_to_gregorian(today[0] + 1, month, day_of_month)
                else:
                    day = this_year if this_year < ref else timex.hijri_to_gregorian(today[0] - 1, month, day_of_month)
            elif a["rel"]:
                day = _hijri_in_gregorian_year(ref.year + (_rel_shift(a["rel"]) or 0), month, day_of_month)
            else:
                this_year = timex.hijri_to_gregorian(today[0], month, day_of_month)
                if env.future(spec):
                    day = this_year if this_year >= ref else timex.hijri_to_gregorian(today[0] + 1, month, day_of_month)
                else:
                    day = this_year if this_year <= ref else timex.hijri_to_gregorian(today[0] - 1, month, day_of_month)
    except timex.HijriRangeError as error:
        return _unresolved(f"Hijri date outside the Umm al-Qura range: {error}")
    if day is None:
        return _unresolved("no such holiday in that year")
    h = timex.gregorian_to_hijri(day)
    return _Resolved(day.isoformat(), (day, day), "day", anchor, calendar="hijri",
                     hijri=f"{h[0]:04d}-{h[1]:02d}-{h[2]:02d}" if h else None)


def _hijri_in_gregorian_year(year: int, month: int, day: int) -> dt.date | None:
    """The first Gregorian date in `year` that is the Hijri month/day given."""
    approx = timex.gregorian_to_hijri(dt.date(year, 1, 1))
    if approx is None:
        raise timex.HijriRangeError(f"year {year} is outside the Umm al-Qura range")
    for hijri_year in (approx[0], approx[0] + 1):
        try:
            candidate = timex.hijri_to_gregorian(hijri_year, month, day)
        except timex.HijriRangeError:
            continue
        if candidate.year == year:
            return candidate
    return None


# --- tense and ongoing states -----------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?;\n]")
_CLAUSE_END = re.compile(r"[.!?;\n,:\"«»]")


@functools.lru_cache(maxsize=1)
def _future_re() -> tuple[tuple[re.Pattern, re.Pattern], set[str]]:
    """A future marker or a future-prefixed verb opening a word (as `_word_starts` patterns), and
    words that look future but are not."""
    markers = sorted(set(word_list("future_markers")), key=len, reverse=True)
    not_future = set(word_list("not_future"))
    prefixes = "|".join(re.escape(p) for p in word_list("future_prefixes"))
    word = (r"(?:[وف]?(?:" + "|".join(re.escape(w) for w in markers) + r")(?![^\W\d_])"
            r"|(?P<verb>[وف]?(?:" + prefixes + r")[^\W\d_]{2,}))")
    return _word_starts(word), not_future


def _word_starts(word: str) -> tuple[re.Pattern, re.Pattern]:
    """A word pattern opening a word: at the start of the text, and after a space, quote or bracket.
    The second takes the character before the word with it, so the regex engine passes over every
    other position at once (a lookbehind would make it try them all)."""
    return re.compile(word), re.compile(r"[\s\"«(]" + word)


def _find_word_starts(patterns: tuple[re.Pattern, re.Pattern], norm: str, left: int, right: int):
    """The matches of `_word_starts` patterns opening a word in norm[left:right], in order."""
    at_start, after_gap = patterns
    if left > 0:
        return after_gap.finditer(norm, left - 1, right)
    return itertools.chain(filter(None, [at_start.match(norm, 0, right)]), after_gap.finditer(norm, 0, right))


def _sentence_bounds(norm: str, start: int, end: int, boundary: re.Pattern = _SENTENCE_END) -> tuple[int, int]:
    # look at most 300 characters each way: a sentence longer than that is not one clause anyway
    window_start = max(0, start - 300)
    left = max(map(norm.rfind, _BOUNDARY_CHARS[boundary], itertools.repeat(window_start), itertools.repeat(start)))
    left = left + 1 if left >= 0 else window_start
    right_match = boundary.search(norm, end, min(len(norm), end + 300))
    right = right_match.start() if right_match else min(len(norm), end + 300)
    return left, right


_BOUNDARY_CHARS = {_SENTENCE_END: ".!?;\n", _CLAUSE_END: ".!?;\n,:\"«»"}


@functools.lru_cache(maxsize=1)
def _scheduled_re() -> tuple[re.Pattern, re.Pattern]:
    """A scheduling verb opening a word (as `_word_starts` patterns)."""
    verbs = sorted(set(word_list("scheduled_verbs")), key=len, reverse=True)
    return _word_starts(r"[وف]?(?:" + "|".join(re.escape(v) for v in verbs) + r")(?![^\W\d_])")


def _scheduled_before(norm: str, left: int, start: int) -> bool:
    """Is there a scheduling verb in the present tense in norm[left:start] (the sentence before a
    find)?"""
    past = _word_set("past_auxiliaries")
    for m in _find_word_starts(_scheduled_re(), norm, left, start):
        # "كان يحتفل", "لم تشارك", "كانت البعثة تشارك": a past auxiliary up to three words before
        before = norm[max(left, m.start() - 40):m.start() + 1].split()[-3:]
        if not past.intersection(before):
            return True
    return False


def _sentence_is_future(norm: str, start: int, end: int, bounds: tuple[int, int] | None = None) -> bool:
    left, right = bounds or _sentence_bounds(norm, start, end)
    # after the date, not what follows a complementizer or a condition: in "قال، السبت، إنه سيعفي" and
    # "هددت الحكومة الاثنين بعقوبات إذا لم ..." the future is what was said or the condition, and the
    # date is when it was said
    opener = next(_find_word_starts(_complementizers_re(), norm, end, right), None)
    if opener is not None:
        right = opener.start()
    patterns, not_future = _future_re()
    for m in _find_word_starts(patterns, norm, left, right):
        verb = m.group("verb")
        if verb is None:
            return True
        word = verb.lstrip("وف") if verb[:1] in "وف" and verb[1:2] == "س" else verb
        if word not in not_future and not word.startswith(_not_future_stems()):
            return True
    return False


@functools.lru_cache(maxsize=1)
def _complementizers_re() -> tuple[re.Pattern, re.Pattern]:
    """A complementizer or a condition opening a word (as `_word_starts` patterns)."""
    words = sorted(set(word_list("complementizers")), key=len, reverse=True)
    return _word_starts(r"(?:" + "|".join(re.escape(w) for w in words) + r")(?![^\W\d_])")


@functools.lru_cache(maxsize=1)
def _not_future_stems() -> tuple[str, ...]:
    """Beginnings of words that start like a future verb and are not one: the longer not_future
    words, and a feminine noun before a suffix, whose ة is written ت ("سيطرته", "سياستها")."""
    words = word_list("not_future")
    stems = {w for w in words if len(w) >= 5}
    stems |= {w[:-1] + "ت" for w in words if w.endswith("ه") and len(w) >= 4}
    return tuple(sorted(stems))


@functools.lru_cache(maxsize=1)
def _ongoing_re() -> re.Pattern:
    markers = sorted(set(word_list("ongoing_markers")), key=len, reverse=True)
    return re.compile(
        r"(?<![^\s\"«(])[وف]?(?:" + "|".join(re.escape(w) for w in markers) + r")(?![^\W\d_])"
        r"|(?<![^\s\"«(])(?P<verb>[وفل]?(?:ي[^\W\d_]{3,}|ت[^\W\d_]{2,}(?:ي|ون|ان|ين)))(?![^\W\d_])")


@functools.lru_cache(maxsize=1)
def _verb_after_opener_re() -> re.Pattern:
    """A ت-word right after a word that only a verb follows (words.yaml `verb_openers`: أنها، إنه ... لا):
    "أنها تسيطر"، "لا تزال" — an imperfective verb. (A bare أن takes the subjunctive: "قبل أن تهاجر".)"""
    words = sorted(set(word_list("verb_openers")), key=len, reverse=True)
    return re.compile(r"(?<![^\s])(?:" + "|".join(re.escape(w) for w in words) + r")\s+([وف]?ت[^\W\d_]{2,})(?![^\W\d_])")


# A clause that opens with a ت-word followed by a feminine noun opens with a feminine imperfective
# verb agreeing with its subject: "تعيش المدينة ...", "تستمر المفاوضات ...". The perfective تفعّل
# would agree as "توقفت المدينة"; "توقف إنتاج الفيلم" (masculine subject) is a past event.
_CLAUSE_OPENING_VERB = re.compile(r"\s*[وف]?(ت[^\W\d_]{2,})\s+[^\W\d_]+(?:ه|ات)(?![^\W\d_])")


def _perfective_opening(word: str) -> bool:
    """A ت-word opening a clause that is no imperfective verb: a plural or feminine noun ("تحركات"،
    "تجربة"), or a feminine perfective of the تفعّل/تفاعل forms, which ends in the ت of the feminine
    ("تأسست الشركة"، "تراجعت الأسعار"): such verbs have at least five letters, where an imperfective
    ending in ت has a three-letter root ending in it ("تموت"، "تثبت")."""
    return word.endswith(("ات", "ه")) or (len(word) >= 5 and word.endswith("ت"))


@functools.lru_cache(maxsize=1)
def _not_ongoing() -> frozenset[str]:
    return frozenset(word_list("not_ongoing"))


def _is_ongoing(norm: str, tokens: Tokens, spec: Spec, mod: str | None) -> bool:
    """Does the clause before "منذ" describe a state that goes on (a DURATION) rather than an event?"""
    start = tokens.starts[spec.first]
    left, _ = _sentence_bounds(norm, start, start, _CLAUSE_END)
    before = norm[left:start].split()[-6:]
    negated = [k for k, word in enumerate(before) if word in _word_set("negations_before_since")]
    if negated and not any(w.startswith("و") and len(w) > 3 for w in before[negated[-1] + 1:]):
        return True                           # "لم ير إخوته منذ أكثر من 30 عاما": how long it has not happened
    perfective = _not_ongoing()
    for m in _ongoing_re().finditer(norm, left, start):
        verb = m.group("verb")
        if verb is None or verb.lstrip("وفل") not in perfective and verb not in perfective:
            return True
    for m in _verb_after_opener_re().finditer(norm, left, start):
        verb = m.group(1).lstrip("وف")
        if not _perfective_opening(verb) and verb not in perfective:
            return True                       # "أنها تسيطر عليها منذ 12 يوما": a ت-imperfective after أن
    opening = _CLAUSE_OPENING_VERB.match(norm, left, start)
    if opening and not _perfective_opening(opening.group(1)) and opening.group(1) not in perfective:
        return True
    # with no verb to tell, "منذ أكثر من عام" reads as a length, "منذ عامين" as a point back
    return mod in ("MORE_THAN", "LESS_THAN") and not _has_perfective_before(norm, left, start)


_PERFECTIVE_HINT = re.compile(r"(?<![^\s])[وف]?(?:[^\W\d_]{2,}(?:ت|وا)|تم|كان|كانت)(?![^\W\d_])")


def _has_perfective_before(norm: str, left: int, start: int) -> bool:
    return bool(_PERFECTIVE_HINT.search(norm, left, start))


# ------------------------------------------------------------------------------------------------
# The public function


def _scheduled_day(spec: Spec, env: _Env, upcoming: _Resolved) -> _Resolved:
    """A day read as coming only because a present-tense scheduling verb precedes it: today's weekday
    is today ("يقام العرض مساء الثلاثاء" on a Tuesday), and a day of the month a few days past is the
    one still running ("تنظم ... المهرجان في الفترة من 22 إلى 30 يونيو" on the 23rd)."""
    env.force_past = True
    try:
        past = _resolve(spec, env)
    finally:
        env.force_past = False
    if past.interval is None or env.reference is None:
        return upcoming
    days_back = (env.reference - past.interval[0]).days
    window = 0 if spec.kind == "weekday" else 7
    if spec.kind != "weekday" and _RANGE_GAP.match(env.norm, env.tokens.ends[spec.last - 1]) and \
            spec.last < len(env.tokens.codes) and env.tokens.codes[spec.last] in ">-":
        window = 31                   # the start of a range that runs on ("تمتد من الأول من سبتمبر حتى ...")
    return past if 0 <= days_back <= window else upcoming


def _nearest_holiday(spec: Spec, env: _Env, by_tense: _Resolved) -> _Resolved:
    """A holiday named without a year is the occurrence news is about: one a few days ahead of the
    publication date or one of the last six weeks ("قررت الحكومة تعطيل الدوائر بمناسبة عيد الفطر"
    three days before it; "تزدان الشوارع بمناسبة عيد الميلاد"); otherwise the tense of the clause
    decides."""
    readings = []
    for flag in ("force_past", "force_future"):
        setattr(env, flag, True)
        try:
            readings.append(_resolve_holiday(spec, env))
        finally:
            setattr(env, flag, False)
    start, end = env.tokens.starts[spec.first], env.tokens.ends[spec.last - 1]
    if _sentence_is_future(env.norm, start, end):
        readings = readings[1:]          # "ستعطل المدارس في عيد الأضحى": a future marker rules out the past one
    # a coming occurrence only when days away ("قررت الحكومة تعطيل الدوائر بمناسبة عيد الفطر" three days
    # before it); "توافد الزوار على كربلاء في عاشوراء" a month before the next one is last year's
    near = [r for r in readings if r.interval is not None and -45 <= (r.interval[0] - env.reference).days <= 10]
    if not near:
        return by_tense
    return min(near, key=lambda r: abs((r.interval[0] - env.reference).days))


@functools.lru_cache(maxsize=1)
def _compared_re() -> re.Pattern:
    """A word that introduces what a figure is compared with (words.yaml), up to two words before the
    end of the searched text: "بانخفاض 9% عن فبراير 2017", "مقارنة مع الشهر ...", "مقابل ..."."""
    words = sorted(set(word_list("comparison_words")), key=len, reverse=True)
    return re.compile(r"(?<![^\s])(?:" + "|".join(re.escape(w) for w in words)
                      + r")\s+(?:مع\s+|ب)?(?:\S+\s+)?$")


def _compared_at(norm: str, start: int) -> bool:
    """Is the date starting at `start` what a figure is compared with?"""
    return _compared_re().search(norm, max(0, start - 40), start) is not None


# What may stand between the two ends of a range: "حتى", "إلى", "وحتى", "لغاية", a dash, "to", "until".
_RANGE_GAP = re.compile(r"\s*(?:[-\u2013\u2014]|و?حتي|و?الي|لغايه|to|until)\s*")


def parse_reference(reference: Any) -> dt.date | None:
    """The publication date as a date: accepts date, datetime, ISO strings (a UTC offset is ignored:
    "2018-02-25T11:00:59+04:00" is 2018-02-25 where it was published), or None."""
    if reference is None or reference == "":
        return None
    if isinstance(reference, dt.datetime):
        return reference.date()
    if isinstance(reference, dt.date):
        return reference
    text = str(reference).strip()
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        try:                                    # the usual "2018-02-25T11:00:59+04:00"
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            pass
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return timex.valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def tag(text: str, reference: Any = None) -> list[TimeExpression]:
    """Find and normalize every temporal expression in `text`.

    `reference` is the publication date (date, datetime, ISO string or None). Offsets are into the
    original `text`. Without a reference, absolute expressions are still normalized and relative ones
    come back with value None and a note saying why.
    """
    if not text:
        return []
    ref = parse_reference(reference)
    normalized = normalize(text)
    norm = normalized.text
    tokens = _tokenize(norm)
    if not tokens.codes:
        return []
    specs = _find_specs(tokens)
    env = _Env(ref, norm, tokens)
    out: list[TimeExpression] = []
    previous_end: int | None = None          # normalized end of the last expression
    for spec in specs:
        try:
            resolved = _resolve(spec, env)
            # the end of a range ("من الأول من سبتمبر حتى نهاية أكتوبر") does not come before its start:
            # a month or day without a year after "حتى/إلى" goes forward
            if (out and out[-1].interval and resolved.interval and spec.kind in ("bare_month", "partial_date")
                    and spec.args.get("rel") is None and resolved.interval[1] < out[-1].interval[0]
                    and _RANGE_GAP.fullmatch(norm, previous_end, tokens.starts[spec.first])):
                spec.args["rel"] = "future"
                resolved = _resolve(spec, env)
            if spec.first in env.scheduled and resolved.granularity == "day" and resolved.interval:
                resolved = _scheduled_day(spec, env, resolved)
            if spec.kind == "holiday" and spec.args.get("year") is None and not spec.args.get("rel") \
                    and resolved.interval:
                resolved = _nearest_holiday(spec, env, resolved)
        except (ValueError, OverflowError, TypeError, KeyError, IndexError) as error:
            # a value outside the calendar (year 0, month 13 ...): kept as text, never a crash
            resolved = _unresolved(f"cannot resolve: {error}")
        first, last = resolved.text_span or (spec.first, spec.last)
        n_start = tokens.starts[first] + tokens.prefixes[first]
        n_end = tokens.ends[last - 1]
        previous_end = n_end
        start, end = normalized.span_to_original(n_start, n_end)
        kind = resolved.type or spec.type
        value = resolved.value
        if value is not None and kind == TIME and resolved.granularity in ("day", "time"):
            if spec.clock is not None:
                value = f"{value}T{spec.clock[0]:02d}:{spec.clock[1]:02d}"
            elif spec.pod:
                value = f"{value}T{spec.pod}"
        elif kind == TIME and value is None:
            pass
        elif kind == TIME and resolved.granularity not in ("day", "time"):
            kind = DATE
        mod = spec.mod or resolved.mod
        interval = resolved.interval
        if interval is not None and mod in ("START", "MID", "END"):
            interval = timex.apply_mod(interval, mod)
        if kind == DATE and mod in ("APPROX",) and resolved.granularity == "day":
            pass
        expression = TimeExpression(
            text=text[start:end], start=start, end=end, type=kind, value=value, mod=mod,
            interval=interval, granularity=resolved.granularity if kind != DURATION else None,
            calendar=resolved.calendar,
            hijri=resolved.hijri or (timex.hijri_text(interval[0]) if interval and resolved.granularity in ("day", "time") else None),
            anchor=resolved.anchor if value is not None else None,
            anchor_text=env.previous_text if resolved.anchor == ANCHOR_PREVIOUS else None,
            note=resolved.note, bound=resolved.bound)
        out.append(expression)
        if value is not None and interval is not None and kind in (DATE, TIME) and resolved.granularity in (
                "day", "time", "week", "month", "quarter", "year") and spec.kind != "same_period":
            # (a "same period of last year" is a comparison point, not the date the text is about)
            env.history.append((interval[0], resolved.granularity, n_start, n_end))
            env.previous_text = expression.text
    return out
