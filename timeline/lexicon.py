"""The temporal lexicon: data/lexicon/*.yaml compiled into lookup tables for the tagger.

Every surface form is folded (timeline.normalize.fold) and expanded with the proclitics Arabic
attaches to words (و ف ب ل ك, and لل for ال words), so one dictionary lookup classifies a token.
Multi-word forms ("كانون الثاني", "أول من أمس") are compiled into one regular expression tried at
each token start, longest first.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .normalize import fold
from .paths import LEXICON_DIR


@dataclass(frozen=True)
class Entry:
    code: str          # one-character word class used by the grammar (see tagger.py)
    payload: Any       # what the word means: a month number, an offset, a mod ...
    form: str          # the folded lexicon form (without proclitics)


# Word classes, in order of precedence when a form appears in two lists.
# (code, section path in the YAML, how to read the payload)
_PROCLITICS = ["و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"]
_PROCLITICS_BEFORE_AL = ["و", "ف", "ب", "ك", "وب", "وك", "فب", "فك"]


def _variants(form: str) -> list[tuple[str, int]]:
    """Surface variants of a folded form with attached proclitics, and the proclitic's length."""
    out = [(form, 0)]
    if form.startswith("ال") and len(form) > 3:
        out += [(p + form, len(p)) for p in _PROCLITICS_BEFORE_AL]
        stem = form[2:]
        # ل + ال contracts to لل: "للعام المقبل"; the span starts at the article's ل.
        out += [("لل" + stem, 1), ("ولل" + stem, 2), ("فلل" + stem, 2)]
    elif len(form) > 1 and not form.isascii():
        out += [(p + form, len(p)) for p in _PROCLITICS]
    return out


@functools.lru_cache(maxsize=1)
def load_raw() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("months.yaml", "words.yaml", "function_words.yaml"):
        with open(LEXICON_DIR / name, encoding="utf-8") as handle:
            data[name.split(".")[0]] = yaml.safe_load(handle)
    return data


def _entries(raw: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(surface form, code, payload) for every lexicon form, in order of precedence."""
    months, words = raw["months"], raw["words"]
    out: list[tuple[str, str, Any]] = []

    def add(forms, code, payload):
        for form in forms:
            out.append((str(form), code, payload))

    # names that hold a time word ("اليوم السابع", "تيار المستقبل"): one filler word, first of all
    add(words["names_with_time_words"], "x", "name")
    # multi-word phrases that contain other classes' words come first
    for kind, forms in words["narrative"].items():
        add(forms, "N", kind)
    for offset, forms in words["relative_nights"].items():
        add(forms, "L", int(offset))
    for value, forms in words["vague"].items():
        add(forms, "V", value)
    for value, forms in words["sets"].items():
        add(forms, "Q", value)
    # "كل يوم جمعة", "كل أحد", "كل يوم الاثنين": a weekday every week. The bare weekday (جمعة، أحد)
    # is a weekday only here, after كل or كل يوم ("كل اثنين" is "every two": left out).
    for number, forms in words["weekdays"].items():
        for form in forms:
            folded = fold(form)
            bare = folded[2:] if folded.startswith("ال") else folded
            value = f"XXXX-WXX-{number}"
            add([f"كل يوم {bare}", f"كل يوم {folded}", f"كل {folded}"], "Q", value)
            if bare != "اثنين":
                add([f"كل {bare}"], "Q", value)
    for md, forms in words["holidays"]["gregorian"].items():
        add(forms, "Y", tuple(int(x) for x in md.split("-")))
    for md, forms in words["holidays"]["hijri"].items():
        add(forms, "A", tuple(int(x) for x in md.split("-")))
    for month in months["gregorian"]:
        for family in ("egyptian_gulf", "levantine", "maghrebi"):
            add(month.get(family, []), "M", month["number"])
    for month in months["hijri"]:
        add(month["forms"], "H", month["number"])
    for month in months["english"]:
        add(month["forms"], "E", month["number"])
    for number, forms in words["hijri_months"].items() if "hijri_months" in words else []:
        add(forms, "Z", int(number))
    for number, forms in words["holidays"]["hijri_months"].items():
        add(forms, "Z", int(number))
    add(words["periods"]["weekend"], "G", "weekend")
    for offset, forms in words["relative_days"].items():
        add(forms, "R", int(offset))
    for number, forms in words["weekdays"].items():
        add(forms, "W", int(number))
    for number, forms in words["english_weekdays"].items():
        add(forms, "W", int(number))
    for code, forms in words["parts_of_day"].items():
        add(forms, "P", code)
    for minutes, forms in words["clock_fractions"].items():
        add(forms, "F", int(minutes))
    for mod, forms in words["quantity_mods"].items():
        add(forms, "g", mod)
    for mod, forms in words["period_mods"].items():
        add(forms, "D", mod)
    for direction, forms in words["relative_modifiers"].items():
        for form in forms:
            flavour = direction
            folded = fold(form)
            if folded.startswith("التالي"):
                flavour = "next"            # narrative when an earlier date exists
            out.append((form, "r", flavour))
    for direction, forms in words["english_relative"].items():
        add(forms, "r", direction)
    add(words["year_nouns"], "a", "year")
    add(words["hour_nouns"], "t", "hour")
    for unit, forms in words["periods"].items():
        if unit == "weekend":
            continue
        add(forms, {"week": "w", "month": "m", "year": "a", "quarter": "q", "decade": "c"}[unit], unit)
    for unit, forms in words["english_periods"].items():
        add(forms, {"week": "w", "month": "m", "year": "a", "quarter": "q"}[unit], unit)
    for value, forms in words["english_cardinals"].items():
        add(forms, "k", int(value))
    for value, forms in words["english_ordinals"].items():
        add(forms, "o", int(value))
    add(words["month_nouns"], "m", "month")
    add(words["day_nouns"], "d", "day")
    for unit, groups in words["units"].items():
        for number_form, forms in groups.items():
            add(forms, "u", (unit, number_form))
    for unit, forms in words["definite_plural_units"].items():
        add(forms, "U", unit)
    for unit, forms in words["definite_dual_units"].items():
        add(forms, "U", (unit, 2))
    for count, forms in words["times"].items():
        add(forms, "O", count)
    for value, forms in words["cardinals"].items():
        add(forms, "k", int(value))
    for value, forms in words["ordinals"].items():
        add(forms, "o", int(value))
    for code, forms in words["seasons"].items():
        add(forms, "S", code)
        add(["ال" + fold(f) for f in forms], "S", code)
    add(words["halves"], "h", "half")
    for denominator, forms in words["fractions_of_unit"].items():
        add(forms, "h", int(denominator))
    for digit, forms in words["decade_words"].items():
        add(forms, "C", int(digit))
        add([fold(f)[2:] for f in forms if fold(f).startswith("ال")], "C", int(digit))
    add(words["century_words"], "X", "century")
    add(words["era_markers"]["gregorian"], "e", "gregorian")
    add(words["era_markers"]["hijri"], "j", "hijri")
    add(words["era_markers"]["bc"], "n", "bc")
    for direction, forms in words["offset_prepositions"].items():
        add(forms, {"before": "b", "after": "B", "since": "s"}[direction], direction)
    for direction, forms in words["offset_postpositions"].items():
        add(forms, "b", direction)            # the class of قبل; the payload tells it follows the length
    add(words["duration_prepositions"], "l", "during")
    # function words the grammar needs (data/lexicon/function_words.yaml); a form listed above keeps
    # its first class ("خلال" stays a duration preposition)
    for part, forms in raw["function_words"].items():
        add(forms, _FUNCTION_CLASSES[part], _FUNCTION_PAYLOADS.get(part, part))
    return out


# The class letter and payload of each part in function_words.yaml.
_FUNCTION_CLASSES = {"in": "i", "of": "f", "until": ">", "between": "<", "and": "&", "each": "K",
                     "article": "z", "of_time": "~", "ordinal_suffix": "°", "years": "a"}
_FUNCTION_PAYLOADS = {"article": "al", "of_time": "of time", "ordinal_suffix": "ordinal suffix"}


@dataclass
class Lexicon:
    single: dict[str, tuple[Entry, int]]       # surface → (entry, proclitic length)
    multi: dict[str, tuple[Entry, int]]        # folded multi-word surface (single spaces) → ...
    multi_pattern: str                         # alternation of multi-word forms, longest first
    raw: dict[str, Any]


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = load_raw()
    single: dict[str, tuple[Entry, int]] = {}
    multi: dict[str, tuple[Entry, int]] = {}
    for form, code, payload in _entries(raw):
        folded = " ".join(fold(form).lower().split())
        if not folded:
            continue
        if "." in folded and len(folded) > 1:
            # "ق.م": the tokenizer cuts at the dot, so the form is matched as the words "ق . م"
            folded = " ".join(w for w in re.split(r"(\.)|\s+", folded) if w)
        entry = Entry(code, payload, folded)
        target = multi if " " in folded else single
        for surface, prefix in _variants(folded):
            target.setdefault(surface, (entry, prefix))
    # only the bare multi-word forms go into the pattern; proclitics are matched by the tokenizer
    bare = sorted({e.form for e, p in multi.values()}, key=len, reverse=True)
    pattern = "|".join(r"\s+".join(re.escape(w) for w in form.split()) for form in bare)
    return Lexicon(single, {k: v for k, v in multi.items() if v[1] == 0}, pattern, raw)


def word_list(*path: str) -> list[str]:
    """Folded forms of a plain list in words.yaml, e.g. word_list("future_markers")."""
    node: Any = load_raw()["words"]
    for key in path:
        node = node[key]
    return [fold(str(x)) for x in node]
