"""Normalization for matching only, with a map back to the original offsets.

Arabic text is stored and shown exactly as written. To match it we fold what news spelling varies on
and delete what carries no meaning for matching. `FOLD_TABLE` below is the project's one folding
table: the date tagger (this module's `normalize`, and the lexicon through `fold`), actor matching
(timeline.actors) and the app's search (timeline.filters) all fold through it, so a search, an actor
name and a date word agree on which letters are the same.

Each entry of the table maps one character to
- one character (a fold: أ→ا, ٣→3): offsets are unchanged;
- nothing (a deletion: tatweel, diacritics, invisible format characters);
- several characters (an expansion: only presentation-form ligatures, ﻻ→لا, ﷲ→الله).
Deletions and expansions are recorded, so any span of the normalized text maps back to the original.
"""
from __future__ import annotations

import bisect
import itertools
import operator
import re
import unicodedata
from dataclasses import dataclass


def _build_table() -> dict[str, str]:
    table: dict[str, str] = {
        # Alef with hamza or madda, alef wasla, and alef with wavy hamza (typed for أ/إ by some
        # Maghreb outlets: "ٲكد"، "الٲسبوع"): a bare alef. Writers drop the hamza on alef freely.
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        # Hamza on waw or on yeh: the hamza ء. The seat follows the vowels around the hamza, so it
        # changes with grammatical case (حلفاؤه/حلفائه، آراؤهم/آرائهم) and with national spelling
        # (Egyptian مسئول، شئون beside مسؤول، شؤون): both seats fold alike. Folding them to ء rather
        # than to و/ي keeps apart the many words that differ only by the hamza (فائز/فايز، زائد/زايد،
        # الهادئ/الهادي، لئلا/ليلا) and keeps a past سئل from reading as a future verb س+يل.
        # The price: a seat written as a plain و/ي (موتمر، قايد) no longer matches.
        "ؤ": "ء", "ئ": "ء",
        # Final yeh written dotless (Egyptian فى، على/علي), Persian-keyboard yeh, Uyghur/Pashto E.
        "ى": "ي", "ی": "ي", "ې": "ي",
        # Ta marbuta written as heh (مدينه); Persian and Kurdish heh forms (ۀ، ە); heh doachashmee,
        # which Persian/Urdu keyboards type for ه ("الھيئة"، "الاستھلاکي").
        "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه",
        # Kaf: Persian keheh (Persian keyboards: "الأمیرکي"), swash kaf, gaf.
        "ک": "ك", "ڪ": "ك", "گ": "ك",
        # Letters for sounds Arabic lacks, in transliterated names: v (ڤ: ليڤربول = ليفربول), the
        # Maghreb g (ڨ: ڨابس = قابس), p (پ), ch (چ); news otherwise writes ف، ق، ب، ج.
        "ڤ": "ف", "ڨ": "ق", "پ": "ب", "چ": "ج",
        # Arabic punctuation: the ASCII sign.
        "،": ",", "؛": ";", "؟": "?", "٫": ".", "٬": ",", "٪": "%",
    }
    table.update({chr(0x0660 + i): str(i) for i in range(10)})   # Arabic-Indic digits
    table.update({chr(0x06F0 + i): str(i) for i in range(10)})   # Persian digits
    # Latin (and Greek, Cyrillic ...) capitals: lower case, where lower case is one character.
    for cp in itertools.chain(range(0x41, 0x5B), range(0xC0, 0x590), range(0x10A0, 0x1100), range(0x1E00, 0x2000)):
        c = chr(cp)
        low = c.lower()
        if low != c and len(low) == 1:
            table[c] = low
    # Deleted: tatweel; harakat, tanwin, shadda, sukun and the marks after them; superscript alef;
    # Quranic marks and honorific signs (ؐ); invisible format characters (Arabic letter mark, zero-width
    # space/joiners, bidi marks, embeddings and isolates, BOM, soft hyphen).
    for cp in itertools.chain([0x0640, 0x0670, 0x061C, 0xFEFF, 0x00AD], range(0x0610, 0x061B),
                              range(0x064B, 0x0660), range(0x06D6, 0x06EE), range(0x200B, 0x2010),
                              range(0x202A, 0x202F), range(0x2066, 0x206A)):
        table[chr(cp)] = ""
    # Presentation forms (text from PDFs and old systems, "اﻟﻤﺪى اﻟﻤﺘﻮﺳﻂ"): their NFKC letters, folded as
    # above. A positional form is one letter; a ligature expands (ﻷ→لا); a spacing haraka is deleted.
    for cp in itertools.chain(range(0xFB50, 0xFE00), range(0xFE70, 0xFEFF)):
        c = chr(cp)
        letters = unicodedata.normalize("NFKC", c)
        if letters == c:
            continue                                    # unassigned
        folded = "".join(table.get(x, x) for x in letters)
        table[c] = folded if folded.strip() else ""
    return table


FOLD_TABLE: dict[str, str] = _build_table()

# Derived forms of the table, for speed.
_FOLD = {k: v for k, v in FOLD_TABLE.items() if len(v) == 1}           # one for one
_EXPAND = {k: v for k, v in FOLD_TABLE.items() if len(v) > 1}          # ligatures
_DELETED = "".join(k for k, v in FOLD_TABLE.items() if not v)
_TABLE = str.maketrans(_FOLD)
_EXPAND_TABLE = str.maketrans(_EXPAND)
TRANSLATE_TABLE = str.maketrans(FOLD_TABLE)   # the whole table for str.translate: text.translate(T) == fold(text)


def _char_class(chars) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


_DELETE = re.compile(_char_class(_DELETED))
_EDIT = re.compile(_char_class(_DELETED + "".join(_EXPAND)))    # deletions and expansions


@dataclass(frozen=True)
class Normalized:
    text: str
    # Piecewise map: normalized offset norm_starts[k] corresponds to original offset orig_starts[k],
    # and the run that starts there is copied one for one. None when nothing was deleted or expanded.
    # The letters of an expansion all map to the ligature they come from.
    norm_starts: tuple[int, ...] | None = None
    orig_starts: tuple[int, ...] | None = None
    expanded: bool = False     # a ligature was expanded: an end offset may fall inside one

    def to_original(self, index: int) -> int:
        """The original offset of normalized offset `index` (a start offset)."""
        if self.norm_starts is None:
            return index
        k = bisect.bisect_right(self.norm_starts, index) - 1
        return self.orig_starts[k] + (index - self.norm_starts[k])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized [start, end) span to the original text.

        Marks deleted right after the span's last letter belong to it (the tanwin of "غداً"), so the
        end maps to where the next kept character starts. A span that ends inside an expanded
        ligature takes in the whole ligature."""
        if self.norm_starts is None:
            return start, end
        orig_end = self.to_original(end)
        if self.expanded and end > start:
            orig_end = max(orig_end, self.to_original(end - 1) + 1)
        return self.to_original(start), orig_end

    def deleted(self) -> list[tuple[int, int]]:
        """(normalized offset, original offset) of each deleted character, in text order: the
        normalized offset is where the character was dropped."""
        if self.norm_starts is None:
            return []
        ns, os_ = self.norm_starts, self.orig_starts
        return [(ns[k], os_[k] - 1) for k in range(1, len(ns))
                if os_[k] - os_[k - 1] - (ns[k] - ns[k - 1]) == 1]


def _fold_one_for_one(text: str) -> tuple[str, bool]:
    # str.translate walks a non-ASCII string one dict lookup per character; replacing only the
    # characters that occur is several times faster on news text. The letters most texts hold are
    # looked for one by one; the rare ones (other digits, Persian letters, capitals, presentation
    # forms) through one search, and replaced only when it finds one. Ligatures are left in place;
    # the second value says whether there is one.
    if text.isascii():
        return text.lower(), False          # only A-Z fold in ASCII
    for source, target in _COMMON_ITEMS:
        if source in text:
            text = text.replace(source, target)
    ligature = False
    first = _RARE.search(text)
    if first:
        for source in set(_RARE.findall(text, first.start())):
            target = _FOLD.get(source)
            if target is None:
                ligature = True
            else:
                text = text.replace(source, target)
    return text, ligature


def _fold_chars(text: str) -> str:
    """The one-for-one folds of the table (no deletion, no expansion): offsets are unchanged."""
    return _fold_one_for_one(text)[0]


_COMMON = "أإآىئةؤ،؛؟"
_COMMON_ITEMS = tuple((source, _FOLD[source]) for source in _COMMON)
_RARE = re.compile(_char_class([source for source in itertools.chain(_FOLD, _EXPAND) if source not in _COMMON]))


def fold(text: str) -> str:
    """The matching form of a word or phrase (no offset map): for building lexicons and keys."""
    folded, ligature = _fold_one_for_one(text)
    if ligature:
        folded = folded.translate(_EXPAND_TABLE)
    return _DELETE.sub("", folded)


def normalize(text: str) -> Normalized:
    folded, ligature = _fold_one_for_one(text)   # one for one: offsets unchanged
    if ligature:
        return _normalize_with_ligatures(folded)
    kept = _DELETE.split(folded)                 # the runs between deleted characters
    if len(kept) == 1:
        return Normalized(folded)
    # one map entry per deleted character: where the next kept run starts in each text
    norm_starts = list(itertools.accumulate(map(len, kept[:-1]), initial=0))
    orig_starts = list(map(operator.add, norm_starts, range(len(norm_starts))))
    return Normalized("".join(kept), tuple(norm_starts), tuple(orig_starts))


def _normalize_with_ligatures(folded: str) -> Normalized:
    # Rare (a few texts in a thousand): one map entry per deleted character, as above, and one per
    # letter of an expanded ligature, each mapping to the ligature.
    out: list[str] = []
    norm_starts, orig_starts = [0], [0]
    pos = n = 0
    for m in _EDIT.finditer(folded):
        i = m.start()
        out.append(folded[pos:i])
        n += i - pos
        letters = _EXPAND.get(folded[i], "")
        for k in range(len(letters)):
            norm_starts.append(n + k)
            orig_starts.append(i)
        out.append(letters)
        n += len(letters)
        norm_starts.append(n)
        orig_starts.append(i + 1)
        pos = i + 1
    out.append(folded[pos:])
    return Normalized("".join(out), tuple(norm_starts), tuple(orig_starts), expanded=True)
