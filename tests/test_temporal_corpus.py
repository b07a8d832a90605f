"""The temporal test corpus (tests/corpus/temporal/*.yaml), Duckling-style.

Every YAML file holds groups of sentences that share one expected result:

    reference: 2023-09-12          # publication date (a group may override it; null = none)
    groups:
      - expect: {text: "...", type: DATE, value: "2023-09-12", mod: null}
        sentences: ["...", "..."]
      - expect_all: [{...}, {...}]  # several expressions in each sentence
        sentences: [...]
      - expect: {...}
        only: true                  # and nothing else is found in these sentences
        sentences: [...]
      - expect: null                # no time expression at all
        impossible: true            # optional: an impossible date; nothing, or only null values
        sentences: [...]

`text` is the exact span the tagger must return; `value: "*"` (or `type: "*"`) accepts any; `value: null` requires
an unresolved expression. One test per sentence, id = file:group:index.

A second test checks that every surface form of the project's lexicon (data/lexicon/*.yaml) occurs in
at least one corpus sentence, so the corpus keeps up with the lexicon.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(__file__).resolve().parent / "corpus" / "temporal"
LEXICON_DIR = ROOT / "data" / "lexicon"
ANY = "*"


# ---------------------------------------------------------------- loading

def _load_cases():
    cases = []
    for path in sorted(CORPUS_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        file_ref = doc.get("reference")
        for gi, group in enumerate(doc["groups"]):
            ref = group.get("reference", file_ref)
            if "expect_all" in group:
                expects = list(group["expect_all"])
            elif group.get("expect") is None:
                expects = None
            else:
                expects = [group["expect"]]
            for si, sentence in enumerate(group["sentences"]):
                cases.append(pytest.param(
                    sentence, ref, expects, bool(group.get("impossible")), bool(group.get("only")),
                    id=f"{path.stem}:{gi}:{si}"))
    return cases


CASES = _load_cases()


def _tagger():
    if importlib.util.find_spec("timeline.tagger") is None:
        pytest.skip("timeline.tagger does not exist yet")
    from timeline.tagger import tag   # a broken tagger module fails here, loudly
    return tag


def _show(exprs):
    return "\n".join(f"    {e.text!r} [{e.start}:{e.end}] {e.type} {e.value!r} mod={e.mod!r}" for e in exprs) or "    (nothing)"


def _matches(e, want):
    if e.text != want["text"]:
        return False
    if want["type"] != ANY and e.type != want["type"]:
        return False
    if want["value"] != ANY and e.value != want["value"]:
        return False
    return e.mod == want.get("mod")


# ---------------------------------------------------------------- the corpus

def test_corpus_is_large_and_well_formed():
    assert len(CASES) >= 600, f"only {len(CASES)} sentences in {CORPUS_DIR}"
    for p in CASES:
        sentence, _ref, expects, _imp, _only = p.values
        for want in expects or []:
            assert want["text"] in sentence, (p.id, want["text"])
            assert want["type"] in ("DATE", "TIME", "DURATION", "SET", ANY), p.id


@pytest.mark.parametrize("sentence, reference, expects, impossible, only", CASES)
def test_sentence(sentence, reference, expects, impossible, only):
    tag = _tagger()
    found = tag(sentence, reference)
    if expects is None:
        if impossible:
            valued = [e for e in found if e.value is not None]
            assert not valued, f"impossible date given a value in {sentence!r}:\n{_show(found)}"
        else:
            assert not found, f"false find in {sentence!r}:\n{_show(found)}"
    else:
        for want in expects:
            if not any(_matches(e, want) for e in found):
                same_span = [e for e in found if e.text == want["text"]]
                why = "wrong type/value/mod" if same_span else "span not found"
                pytest.fail(f"{why}: expected {want['text']!r} {want['type']} {want['value']!r} "
                            f"mod={want.get('mod')!r} in {sentence!r} (reference {reference})\n"
                            f"  found:\n{_show(found)}")
        if only:
            extra = [e for e in found if not any(_matches(e, want) for want in expects)]
            assert not extra, f"found more than expected in {sentence!r}:\n{_show(extra)}"
    for e in found:
        assert sentence[e.start:e.end] == e.text, f"offsets do not slice to text: {e!r}"


# ---------------------------------------------------------------- lexicon coverage

_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")   # diacritics + tatweel
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LETTER = re.compile("[\u0600-\u06ffA-Za-z]")
_REGEX_META = re.compile(r"[\\()\[\]|?*+{}^$]")


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    s = _TASHKEEL.sub("", s).translate(_DIGITS)
    s = re.sub("[أإآٱ]", "ا", s)
    s = s.replace("ى", "ي").replace("ة", "ه").replace("ؤ", "و").replace("ئ", "ي")
    return re.sub(r"\s+", " ", s).strip().lower()


# Sections of a lexicon file that are not surface forms of time expressions: exception lists and
# letter prefixes (e.g. words.yaml `not_future`, `future_prefixes`).
NOT_SURFACE = re.compile(r"^not_|prefix|exception|stop", re.I)


def _strings(node):
    """Every string value in a YAML tree (keys are ids: numbers, codes, family names)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            if isinstance(k, str) and NOT_SURFACE.search(k):
                continue
            yield from _strings(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _strings(v)


def _surface_forms(path: Path):
    forms = set()
    for s in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
        if _LETTER.search(s) and not _REGEX_META.search(s) and len(_norm(s)) >= 2:
            forms.add(s)
    return sorted(forms)


def _corpus_text():
    return " \n ".join(_norm(p.values[0]) for p in CASES)


# Lexicon files that hold no temporal vocabulary (page furniture read by timeline/documents.py).
NOT_TEMPORAL = {"boilerplate.yaml", "clauses.yaml", "event_actors.yaml"}   # page structure, clauses, event actors: not dates
LEXICON_FILES = sorted(({"months.yaml", "words.yaml"}
                        | ({p.name for p in LEXICON_DIR.glob("*.yaml")} if LEXICON_DIR.is_dir() else set()))
                       - NOT_TEMPORAL)


@pytest.mark.parametrize("name", LEXICON_FILES)
def test_lexicon_forms_occur_in_corpus(name):
    path = LEXICON_DIR / name
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} does not exist (yet): nothing to cover")
    forms = _surface_forms(path)
    if not forms:
        pytest.skip(f"{path.relative_to(ROOT)} lists no surface forms")
    corpus = _corpus_text()
    # the tagger's own tokens too: an English ordinal suffix is a token of "12th"
    from timeline.tagger import _SPLIT
    tokens = set(_SPLIT.split(corpus.lower())[1::2])
    missing = []
    for form in forms:
        f = _norm(form)
        # a form may carry a proclitic/article before it and a tanwin/dual/plural ending after it
        pat = r"(?<!\w)(?:[وفبلك]{0,2}(?:ال)?)?" + re.escape(f) + r"(?:ا|ين|ان|ات)?(?!\w)"
        if f not in tokens and not re.search(pat, corpus):
            missing.append(form)
    assert not missing, (f"{len(missing)} of {len(forms)} surface forms in {name} occur in no corpus "
                         f"sentence (add sentences to tests/corpus/temporal/): {missing}")
