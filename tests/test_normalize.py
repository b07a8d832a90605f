"""The one folding table (timeline.normalize.FOLD_TABLE): date matching, actor matching and the app's
search agree on which spellings are the same, and every normalized offset maps back exactly."""
from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from timeline.actors import AliasTable, _Normalized, _norm, _with_hamza_seat_forms, find_mentions
from timeline.filters import _FOLD_TABLE, fold_arabic, fold_series
from timeline.normalize import FOLD_TABLE, TRANSLATE_TABLE, _fold_chars, fold, normalize
from timeline.tagger import tag

# (a, b, same): two spellings and whether matching takes them for the same word.
PAIRS = [
    ("أحمد", "احمد", True),                        # hamza on alef
    ("إسرائيل", "اسرائيل", True),                  # hamza under alef
    ("آسيا", "اسيا", True),                        # madda
    ("ٱلله", "الله", True),                        # alef wasla
    ("ٲكد", "أكد", True),                          # alef with wavy hamza (typed for أ)
    ("مسؤول", "مسئول", True),                      # hamza seat: waw or yeh (Egyptian spelling)
    ("حلفاؤه", "حلفائه", True),                    # hamza seat changing with case
    ("قائد", "قايد", False),                       # a seat written as a plain yeh or waw: not merged
    ("مؤتمر", "موتمر", False),
    ("فائز", "فايز", False),                       # (which keeps these apart)
    ("لئلا", "ليلا", False),
    ("مدينة", "مدينه", True),                      # ta marbuta
    ("مستشفى", "مستشفي", True),                    # alef maqsura
    ("بـــوتين", "بوتين", True),                   # tatweel
    ("غداً", "غدا", True),                         # tanwin
    ("مُحَمَّد", "محمد", True),                    # harakat and shadda
    ("صلى الله عليه وسلمؐ", "صلى الله عليه وسلم", True),   # honorific sign
    ("٢٠١٩", "2019", True),                        # Arabic-Indic digits
    ("۲۰۱۹", "2019", True),                        # Persian digits
    ("٥٠٪", "50%", True),                          # Arabic percent sign
    ("ﻣﺤﻤﺪ", "محمد", True),                        # presentation forms (positional letters)
    ("اﻷسبوع", "الأسبوع", True),                   # presentation form ligature (lam-alef)
    ("ﻻ", "لا", True),
    ("ﷲ", "الله", True),
    ("الھیئة", "الهيئة", True),                    # Persian-keyboard heh and yeh
    ("الأمیرکي", "الأميركي", True),                # Persian-keyboard yeh and kaf
    ("ليڤربول", "ليفربول", True),                  # veh
    ("ڨابس", "قابس", True),                        # Maghreb gaf
    ("گوگل", "كوكل", True),                        # gaf
    ("كيم\u200fجونغ", "كيمجونغ", True),            # bidi mark
    ("بو\u00adتين", "بوتين", True),                # soft hyphen
    ("\u202bبوتين\u202c", "بوتين", True),          # bidi embedding
    ("NATO", "nato", True),                        # Latin case
    ("Élysée", "élysée", True),
    ("بوتين", "بوتان", False),                     # distinct letters stay distinct
    ("شيء", "شي", False),                          # a bare hamza is a letter
    ("سماء", "سما", False),
]


def _verdicts(a: str, b: str) -> dict[str, bool]:
    return {
        "fold (lexicons, keys)": fold(a) == fold(b),
        "normalize (date tagger)": normalize(a).text == normalize(b).text,
        "actors (_Normalized)": _Normalized(a).text == _Normalized(b).text,
        "actors (_norm: gazetteer)": _norm(a) == _norm(b),
        "filters (fold_arabic)": fold_arabic(a) == fold_arabic(b),
        "filters (fold_series)": fold_series(pd.Series([a])).iloc[0] == fold_series(pd.Series([b])).iloc[0],
    }


@pytest.mark.parametrize("a, b, same", PAIRS)
def test_the_three_uses_agree_on_spelling_pairs(a, b, same):
    verdicts = _verdicts(a, b)
    assert all(v == same for v in verdicts.values()), verdicts


@pytest.mark.parametrize("a, b, same", PAIRS)
def test_the_three_uses_give_the_same_matching_form(a, b, same):
    for s in (a, b):
        f = fold(s)
        assert normalize(s).text == f
        assert _Normalized(s).text == f
        assert _norm(s) == " ".join(f.replace("-", " ").split())
        assert fold_arabic(s) == f
        assert s.translate(TRANSLATE_TABLE) == f
        assert s.translate(_FOLD_TABLE) == f


_NAMES = [(a, b, same) for a, b, same in PAIRS
          if all(unicodedata.category(c)[0] in "LM" or c in "\u0640\u200f\u00ad\u202b\u202c" for c in a + b)
          and fold(a).isalpha()]


@pytest.mark.parametrize("a, b, same", _NAMES)
def test_actor_matching_finds_a_name_written_the_other_way(a, b, same):
    table = AliasTable([("test", {"organizations": [{"canonical": a}]})])
    found = [m for m in find_mentions(f"وقال {b} اليوم", table) if m.source == "gazetteer"]
    assert bool(found) == same
    if found:
        (m,) = found
        assert m.canonical == a and fold(m.text) == fold(b)


REF = "2019-03-20"
DATE_PAIRS = [
    ("وصل الأربعاء الماضي", "وصل الاربعاء الماضي"),
    ("في ١٥ مارس ٢٠١٩", "في 15 مارس 2019"),
    ("في ۱۵ مارس ۲۰۱۹", "في 15 مارس 2019"),
    ("يصل غداً", "يصل غدا"),
    ("اﻷسبوع الماضي", "الأسبوع الماضي"),
    ("في ﻣﺎﺭﺱ 2019", "في مارس 2019"),
    ("يوم الثلاثـــاء المقبل", "يوم الثلاثاء المقبل"),
    ("في 15 \u200fمارس 2019", "في 15 مارس 2019"),
    ("في ١٥ آذار ٢٠١٩", "في 15 اذار 2019"),
]


@pytest.mark.parametrize("a, b", DATE_PAIRS)
def test_date_matching_agrees_on_spelling_variants(a, b):
    ta, tb = tag(a, REF), tag(b, REF)
    assert ta and [(t.type, t.value) for t in ta] == [(t.type, t.value) for t in tb]
    for t in ta:
        assert a[t.start:t.end] == t.text           # offsets into the text as written
    assert fold_arabic(a) == fold_arabic(b)         # and the search takes them for the same text


def test_a_date_over_a_ligature_keeps_the_ligature_in_its_text():
    (t,) = tag("قال اﻷسبوع الماضي إن", REF)
    assert t.text == "اﻷسبوع الماضي" and t.value == "2019-W11"


@pytest.mark.parametrize("text, ref, expected", [
    # a past verb with a hamza on yeh (سئلت) is no future verb س+يلت: the weekday is the past one
    ("سئلت المتحدثة باسم الوزارة، في مؤتمر صحفي، الثلاثاء، عما إذا كان", "2018-08-01", [("الثلاثاء", "2018-07-31")]),
    ("نشرت نتائجه الأربعاء، من الأشخاص الذين سئلوا آراءهم", "2018-05-03", [("الأربعاء", "2018-05-02")]),
    ("محاولة تغييرها لئلا يبدو أن", "2018-04-20", []),      # لئلا is not ليلا (at night)
])
def test_a_hamza_seat_is_not_a_plain_yeh_for_the_tagger(text, ref, expected):
    assert [(t.text, t.value) for t in tag(text, ref)] == expected


def test_a_common_word_list_built_with_the_old_seat_fold_is_read_in_the_new_form():
    stale = {"رييس", "مسوول", "قايله", "ابناء"}      # built when ئ/ؤ folded to ي/و
    read = _with_hamza_seat_forms(stale)
    assert {fold("قائلة"), fold("رئيس"), fold("مسؤول"), "ابناء"} <= read
    assert "ءايله" not in read                        # a first letter is never a seat
    rebuilt = {fold("رئيس"), fold("مسؤول"), "ابناء"}  # rebuilt with the current fold: taken as it is
    assert _with_hamza_seat_forms(rebuilt) == rebuilt


# ---------------------------------------------------------------------------------------------
# The table itself

def test_the_table_never_chains():
    # every replacement is already in matching form, so one pass (or any order of replacements) folds
    for source, target in FOLD_TABLE.items():
        assert not any(c in FOLD_TABLE for c in target), (source, target)


def test_presentation_forms_fold_as_their_letters():
    for cp in list(range(0xFB50, 0xFE00)) + list(range(0xFE70, 0xFEFF)):
        c = chr(cp)
        letters = unicodedata.normalize("NFKC", c)
        if letters != c:
            assert fold(c) == fold(letters).strip() or not fold(letters).strip(), hex(cp)


def test_one_for_one_folds_keep_length():
    text = "قال أحمد، ﻣﺤﻤﺪ اﻷسبوع ٢٠١٩ الھیئة NATO غداً\u200f"
    assert len(_fold_chars(text)) == len(text)


def test_search_folds_none_and_nan():
    assert fold_arabic(None) == "" and fold_arabic(float("nan")) == ""
    assert fold_series(pd.Series(["ﻻ", None, "NATO"])).tolist() == ["لا", "", "nato"]


# ---------------------------------------------------------------------------------------------
# Offsets map back exactly

_PIECES = ["قال", "أحمد", "إسرائيل", "مؤتمر", "رئيس", "مدينة", "مستشفى", " ", "  ", "\n", "،", "غداً", "2019",
           "٢٠١٩", "ﻣﺤﻤﺪ", "اﻷسبوع", "ﻻ", "ﷺ", "ﷲ", "\ufe70", "الھیئة", "ڤ", "NATO", "É"]
_MARKS = ["\u0640", "\u064b", "\u064c", "\u064d", "\u064e", "\u0651", "\u0652", "\u0670", "\u0610", "\u061c",
          "\u200b", "\u200c", "\u200f", "\u202b", "\u202c", "\u2067", "\u2069", "\ufeff", "\u00ad"]
_texts = st.lists(st.sampled_from(_PIECES + _MARKS) | st.text(max_size=3), max_size=25).map("".join)


def _check_map(text: str) -> None:
    n = normalize(text)
    assert n.text == fold(text)
    # each normalized character comes from the original character it maps to
    for i, ch in enumerate(n.text):
        o = n.to_original(i)
        assert ch in FOLD_TABLE.get(text[o], text[o]), (i, o)
    # a span over whole characters folds back to the same normalized text
    cuts = [i for i in range(len(n.text) + 1)
            if i in (0, len(n.text)) or n.to_original(i) != n.to_original(i - 1)]
    for s in cuts:
        for e in cuts:
            if s <= e:
                a, b = n.span_to_original(s, e)
                assert 0 <= a <= b <= len(text)
                assert fold(text[a:b]) == n.text[s:e], (s, e, a, b)
    # any span, also one cut inside a ligature, covers what it matched
    for s in range(len(n.text) + 1):
        for e in range(s, len(n.text) + 1):
            a, b = n.span_to_original(s, e)
            assert n.text[s:e] in fold(text[a:b])
    # actors read the same map
    an = _Normalized(text)
    assert an.text == n.text
    assert [an.original(i) for i in range(len(n.text) + 1)] == [n.to_original(i) for i in range(len(n.text) + 1)]
    assert an.tanween == [k for k, o in n.deleted() if text[o] in "\u064b\u064c\u064d"]


@settings(max_examples=150, deadline=None)
@given(_texts)
def test_offsets_map_back_exactly(text):
    _check_map(text)


@pytest.mark.parametrize("text", [
    "", "abc", "غداً", "اﻷسبوع", "ﻻﻻ", "ﷺً", "ًﷺ", "ـاﻷـ", "\ufe70ﻻ\ufe70", "قال: ﷲ أكبر، ﻣﺤﻤﺪ ٢٠١٩\u200f.",
])
def test_offsets_map_back_exactly_on_edges(text):
    _check_map(text)


def test_deleted_characters_are_listed_where_they_were_dropped():
    n = normalize("غداً ﻻ مُحمد")
    assert n.text == "غدا لا محمد"
    assert n.deleted() == [(3, 3), (8, 8)]      # the tanwin after غدا, the damma after م
    assert n.span_to_original(5, 6) == (5, 6)   # "ا" of the ligature: the whole ligature
    assert n.span_to_original(4, 5) == (5, 6)   # "ل" of the ligature: the whole ligature


def test_the_store_search_folds_as_the_table():
    """The DuckDB macro behind `timeline events --actor` is built from the same table."""
    import duckdb

    from timeline.store import _NORM_MACRO

    con = duckdb.connect()
    con.execute(_NORM_MACRO)
    for a, b, same in PAIRS:
        fa, fb = (con.execute("SELECT tl_norm(?)", [w]).fetchone()[0] for w in (a, b))
        assert fa == fold(a).lower() and fb == fold(b).lower(), (a, b)
        assert (fa == fb) == same, (a, b)
