"""Normalization for matching only, with a map back to the original offsets.

Arabic text is stored and shown exactly as written. To match it against the lexicon we fold what
news spelling varies on — alef and hamza forms, ى/ي, ة/ه, Persian letters, Arabic-Indic and Persian
digits, Latin case — and delete what carries no meaning for matching: tatweel, diacritics (tanwin
included), and invisible format characters (bidi marks, zero-width joiners). Folding is one character
for one character; deletions are recorded so any span of the normalized text maps back to the
original text.
"""
from __future__ import annotations

import bisect
import itertools
import operator
import re
from dataclasses import dataclass

_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ي",
    "ة": "ه", "ۀ": "ه", "ە": "ه",
    "ؤ": "و",
    "ک": "ك", "ڪ": "ك",
    "٫": ".", "٬": ",", "،": ",", "؛": ";", "؟": "?",
}
_FOLD.update({chr(0x0660 + i): str(i) for i in range(10)})   # Arabic-Indic digits
_FOLD.update({chr(0x06F0 + i): str(i) for i in range(10)})   # Persian digits
_FOLD.update({chr(ord("A") + i): chr(ord("a") + i) for i in range(26)})
_TABLE = str.maketrans(_FOLD)

# Tatweel, harakat and tanwin, superscript alef, Quranic marks, and invisible format characters.
_DELETE = re.compile("[\u0640\u064B-\u065F\u0670\u06D6-\u06ED\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\u00AD]")


@dataclass(frozen=True)
class Normalized:
    text: str
    # Piecewise map: normalized offset norm_starts[k] corresponds to original offset orig_starts[k],
    # and the run that starts there is copied one for one. None when nothing was deleted.
    norm_starts: tuple[int, ...] | None = None
    orig_starts: tuple[int, ...] | None = None

    def to_original(self, index: int) -> int:
        """The original offset of normalized offset `index` (a start offset)."""
        if self.norm_starts is None:
            return index
        k = bisect.bisect_right(self.norm_starts, index) - 1
        return self.orig_starts[k] + (index - self.norm_starts[k])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized [start, end) span to the original text.

        Marks deleted right after the span's last letter belong to it (the tanwin of "غداً"), so the
        end maps to where the next kept character starts."""
        if self.norm_starts is None:
            return start, end
        return self.to_original(start), self.to_original(end)


def _fold_chars(text: str) -> str:
    # str.translate walks a non-ASCII string one dict lookup per character; replacing only the
    # characters that occur is several times faster on news text. The letters most texts hold are
    # looked for one by one; the rare ones (other digits, Persian letters, capitals) through one
    # search, and replaced only when it finds one.
    if text.isascii():
        return text.translate(_TABLE)
    for source, target in _COMMON_ITEMS:
        if source in text:
            text = text.replace(source, target)
    if _RARE.search(text):
        for source in set(_RARE.findall(text)):
            text = text.replace(source, _FOLD[source])
    return text


_COMMON = "أإآىئةؤ،؛؟"
_COMMON_ITEMS = tuple((source, _FOLD[source]) for source in _COMMON)
_RARE = re.compile("[" + "".join(re.escape(source) for source in _FOLD if source not in _COMMON) + "]")


def fold(text: str) -> str:
    """The matching form of a word or phrase (no offset map): for building lexicons and keys."""
    return _DELETE.sub("", _fold_chars(text))


def normalize(text: str) -> Normalized:
    folded = _fold_chars(text)               # one for one: offsets unchanged
    kept = _DELETE.split(folded)             # the runs between deleted characters
    if len(kept) == 1:
        return Normalized(folded)
    # one map entry per deleted character: where the next kept run starts in each text
    norm_starts = list(itertools.accumulate(map(len, kept[:-1]), initial=0))
    orig_starts = list(map(operator.add, norm_starts, range(len(norm_starts))))
    return Normalized("".join(kept), tuple(norm_starts), tuple(orig_starts))
