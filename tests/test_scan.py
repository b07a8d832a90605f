"""The tagger's first pass in C (timeline/_scan.c) against its Python reference
(timeline.tagger._split_classify_py): the same tokens, offsets, classes and unknown numbers on any
text, and the same tag output whichever of the two runs.

Where the extension was not built (no C compiler) the comparisons skip, saying so; in CI
(TIMELINE_REQUIRE_EXTENSION=1, set by scripts/test) a missing extension is a failure.
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from timeline import tagger  # noqa: E402

try:
    from timeline import _scan
except ImportError:                                    # not built here
    _scan = None

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ant_news.jsonl.gz"
TEMPORAL = Path(__file__).resolve().parent / "corpus" / "temporal"


@pytest.fixture(scope="module")
def split_classify():
    if _scan is None:
        if os.environ.get("TIMELINE_REQUIRE_EXTENSION"):
            pytest.fail("timeline._scan is not built: `pip install -e .` needs a C compiler (gcc) and the Python headers")
        pytest.skip("timeline._scan is not built (no C compiler at install): the tagger uses the Python reference")
    return _scan.split_classify


def test_the_tagger_uses_the_extension_when_it_is_built(split_classify):
    assert tagger._split_classify is split_classify


def _same(split_classify, text: str, table: dict[str, str], default: str = "x00") -> None:
    assert split_classify(text, table, default) == tagger._split_classify_py(text, table, default)


# Characters of every kind the tokenizer tells apart: Arabic letters, tatweel and marks, Latin,
# digits of several scripts, the marks inside numbers, punctuation, every sort of space, '_',
# control characters, letters that are numbers (², ½, Ⅻ), astral characters, a lone surrogate.
_ALPHABET = ("ابتثجحخدذرسشصضطظعغفقكلمنهويءآأإؤئىة" "ـًٌٍَُِّْٰ" "abcXYZéßµª" "0123456789٠١٢٣٩۰۱۹০१"
             "/.-:," "()[]«»،؛؟!?\"'%+*#@&=~`^|\\{}<>$€" " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2000\u2028\u3000"
             "_\x00\x01\x7f\u200b\u200f\ufeff" "²½Ⅻ三" "𝟘𝟙𝐀😀" "\ud800")


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=80))
def test_same_as_the_reference_on_mixed_characters(split_classify, text):
    _same(split_classify, text, tagger._code_mark_table())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_same_as_the_reference_on_any_unicode(split_classify, text):
    _same(split_classify, text, tagger._code_mark_table())


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.text(alphabet="اب12/-٣ a", min_size=1, max_size=5), max_size=8),
       text=st.text(alphabet="اب12/-٣ a\n.", max_size=40))
def test_same_as_the_reference_with_any_table(split_classify, words, text):
    # the reference's quick test for unknown numbers assumes what the tagger's table holds: every
    # plain number up to four digits; the words are anything else
    table = {k: v for k, v in tagger._code_mark_table().items() if k[:1].isdigit()}
    table.update({w: f"{len(w)}{w[:1]}" for w in words})
    _same(split_classify, text, table, default="?")


def test_offsets_slice_to_the_tokens(split_classify):
    text = "وفي 12/05/2023، قال (المسؤول) إن 3.5% من 2015-2018 ... الساعة 10:30\nغداً"
    words, starts, ends, letters, unknown = split_classify(text, tagger._code_mark_table(), "x00")
    assert [text[s:e] for s, e in zip(starts, ends)] == words
    assert "12/05/2023" in words and "10:30" in words and "2015-2018" in words and "\n" in words
    assert len(letters) == 3 * len(words)
    assert [words[i] for i in unknown] == ["12/05/2023", "3.5", "2015-2018", "10:30"]


def test_bad_arguments_raise_type_errors_not_crashes(split_classify):
    with pytest.raises(TypeError):
        split_classify(b"bytes", {}, "x")
    with pytest.raises(TypeError):
        split_classify("text", [], "x")
    with pytest.raises(TypeError):
        split_classify("عام", {"عام": 4}, "x")          # table values are class strings


def _temporal_sentences() -> list[str]:
    import yaml
    sentences = []
    for path in sorted(TEMPORAL.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for group in doc.get("groups", []):
            sentences += [s for s in group.get("sentences", []) if isinstance(s, str)]
    return sentences


def test_tag_output_is_the_same_with_either_pass(split_classify, monkeypatch):
    sentences = _temporal_sentences()
    assert len(sentences) > 1000
    reference = "2023-09-12"
    with_c = [[(e.start, e.end, e.type, e.value, e.mod) for e in tagger.tag(s, reference)] for s in sentences]
    monkeypatch.setattr(tagger, "_split_classify", tagger._split_classify_py)
    with_python = [[(e.start, e.end, e.type, e.value, e.mod) for e in tagger.tag(s, reference)] for s in sentences]
    assert with_c == with_python


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is absent (a clone without the shared data)")
def test_same_as_the_reference_on_news(split_classify):
    from timeline.normalize import normalize
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= 300:
                break
            text = json.loads(line)["text"] or ""
            _same(split_classify, normalize(text).text, tagger._code_mark_table())
            _same(split_classify, text, tagger._code_mark_table())      # unnormalized too
