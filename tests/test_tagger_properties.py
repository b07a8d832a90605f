"""Properties of timeline.tagger.tag on any input (hypothesis), and linear time on long input.

- `tag` never raises, whatever the text (mixed scripts, bidi and zero-width controls, diacritics and
  tatweel, digits of every script, very long tokens) and whatever the reference;
- every expression's offsets slice the original text to exactly its `text`, inside the text;
- tagging time grows linearly: a 1 MB article without punctuation takes no longer per character
  than a small input does, within a generous bound (no catastrophic backtracking).
"""
from __future__ import annotations

import datetime as dt
import random
import time

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from timeline.tagger import tag  # noqa: E402

# Pieces that make the tagger's grammar fire, mixed with noise below.
_WORDS = [
    "في", "منذ", "قبل", "بعد", "خلال", "نحو", "أكثر من", "أقل من", "تقريبا", "عام", "العام", "الماضي",
    "المقبل", "الجاري", "يوم", "الجمعة", "أمس", "غدا", "غد", "صباح", "مساء", "صباحا", "فجرا", "الساعة",
    "العاشرة", "والنصف", "إلا ربع", "كانون الثاني", "أيلول", "يناير", "رمضان", "شوال", "هـ", "م", "ق.م",
    "القرن", "الحادي", "والعشرين", "الـ", "التسعينيات", "الربع", "الأخير", "الأول", "من", "و", "بين",
    "إلى", "حتى", "كل", "يوم جمعة", "عيد الفطر", "أول أيام", "سنة", "واحدة", "شهرين", "أسبوعا", "سنوات",
    "الأشهر", "الستة", "مطلع", "نهاية", "بحلول", "will", "on", "Wednesday", "12th", "September", "last",
    "week", "2023", "1445", "15", "٢٠٢٣", "۱۴۴۵", "10:30", "12/2023", "1443/3/9", "١٤٤٣/٣/٩هـ", "2015-2018",
    "459", "قدما", "A320neo", "%", "،", ".", "(", ")", "/", "-", "\n",
]
_CONTROLS = ["\u200f", "\u200e", "\u202b", "\u202c", "\u2067", "\u2069", "\u200b", "\u200d", "\ufeff",
             "\u0640", "\u064b", "\u064c", "\u0651", "\u0670", "\u00ad"]
_DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹০১২৩४५६७"

_piece = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_CONTROLS),
    st.text(alphabet=_DIGITS + "/.-:", min_size=1, max_size=12),
    st.text(min_size=1, max_size=8),                                   # any Unicode at all
    st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويىةأإآؤئء", min_size=30, max_size=300),  # a very long token
)
_texts = st.lists(_piece, max_size=40).map(lambda parts: " ".join(parts)) | st.text(max_size=300)
_references = st.one_of(
    st.none(),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.sampled_from(["2023-09-12", "2018-02-25T11:00:59+04:00", "", "not a date", "2023-02-30", "0000-01-01"]),
)


def _check(text, reference):
    found = tag(text, reference)
    for e in found:
        assert 0 <= e.start <= e.end <= len(text), e
        assert text[e.start:e.end] == e.text, e
        assert e.type in ("DATE", "TIME", "DURATION", "SET"), e
    return found


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts, _references)
def test_tag_never_raises_and_offsets_slice(text, reference):
    _check(text, reference)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=60), _references, st.randoms(use_true_random=False))
def test_grammar_words_in_any_order(words, reference, rnd):
    # temporal words in random orders and with random controls between them: the grammar's
    # productions meet every combination of classes
    text = "".join(w + rnd.choice([" ", " ", "", "\u200f", "\u0640", "، "]) for w in words)
    _check(text, reference)


def _rate(text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        tag(text, "2023-09-12")
        best = min(best, time.perf_counter() - t0)
    return best / len(text)


def _article(n_chars: int, seed: int = 7) -> str:
    # no punctuation at all: one "sentence" of 1 MB, temporal words in it
    rnd = random.Random(seed)
    vocab = ["اعلن", "الوزير", "ان", "الحكومة", "ستعقد", "اجتماعا", "منذ", "نحو", "عام", "العام", "الماضي",
             "في", "يوم", "الجمعة", "صباحا", "قبل", "ثلاثة", "ايام", "كانون", "الثاني", "2023", "15",
             "من", "و", "الساعة", "العاشرة", "مساء", "خلال", "الاشهر", "الستة", "مطلع", "تعيش", "المدينة"]
    words = []
    size = 0
    while size < n_chars:
        w = rnd.choice(vocab)
        words.append(w)
        size += len(w) + 1
    return " ".join(words)[:n_chars]


def test_linear_time_on_a_long_article_without_punctuation():
    small = _article(20_000)
    big = _article(1_000_000)
    tag(small, "2023-09-12")                         # warm the lexicon and the grammar
    per_char_small = _rate(small)
    per_char_big = _rate(big, repeat=1)
    # linear: the per-character cost of 1 MB stays within a constant factor of 20 kB (a quadratic
    # or backtracking tagger would be ~50x slower per character here); 6x leaves room for a busy machine
    assert per_char_big <= 6 * per_char_small + 2e-6, (per_char_small, per_char_big)


# The tokenizer looks twice at number tokens only when a quick search of the text says the class
# table may have missed one; that search must never miss one.
_NUMBERY = st.text(alphabet="0123456789/.-:, xا١٢\n", max_size=40)


@given(_NUMBERY)
def test_number_hint_finds_every_number_the_table_misses(text):
    from timeline import tagger
    words = tagger._SPLIT.split(text)[1::2]
    table = tagger._code_table()
    missed = [w for w in words if w[:1].isdigit() and w not in table]
    assert not missed or tagger._UNKNOWN_NUMBER_HINT.search(text), missed
