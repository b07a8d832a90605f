"""Actors in Arabic news text: people, organizations, countries and locations.

Two sources of knowledge, both data in `data/actors/*.yaml` (see the header of each file):
- a gazetteer (countries from CLDR with variants and demonyms, capitals and cities, well-known
  people and organizations with their aliases), compiled once into a single trie-shaped regex over
  the normalized text;
- a small grammar (titles, reporting verbs, organization head nouns, stopwords) that finds names no
  list holds: "الأميرال كيم دوك كي", "وقال بيسكوف:", "مركز الدراسات الاستراتيجية والدولية".

`find_mentions(text)` returns the mentions of one document; `ActorResolver().resolve(mentions)`
merges them into actors (a surname alone → the full name seen in the same document; spelling
variants → one canonical name); `actor_records` lists the actors. `mentions_jsonl` speaks the
`timeline mentions` protocol.

Choices worth knowing:
- A capital ("موسكو", "بيونغ يانغ") is read as a metonym of its state: kind "country",
  canonical = the country, `place` = the capital. Other places are kind "location".
- Seats of power ("الكرملين", "البيت الأبيض") are organizations of their own, with a `country` link,
  because "قال الكرملين" quotes the presidency rather than the whole country.
- A demonym ("الروسي", "أميركيين", "كوري جنوبي") is a mention of its country (kind "country").
- Spans never include a proclitic (و ف ب ل ك) nor a title: "والكرملين" → "الكرملين",
  "المتحدث باسم الكرملين دميتري بيسكوف" → "الكرملين" + "دميتري بيسكوف".
"""
from __future__ import annotations

import bisect
import itertools
import json
import operator
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import IO, Iterable

import yaml

from .errors import InputError
from .model import ActorRecord
from .normalize import _DELETE, fold, normalize
from .paths import ACTORS_DIR

PERSON, ORGANIZATION, COUNTRY, LOCATION = "person", "organization", "country", "location"
KINDS = (PERSON, ORGANIZATION, COUNTRY, LOCATION)

# ----------------------------------------------------------------------------------------------
# Normalization for matching only: the project's one folding table (timeline.normalize.FOLD_TABLE),
# so actor names fold as the date tagger's words and the app's search do. Folds are one character for
# one; deletions (and the rare expanded presentation-form ligature) are mapped back to the original.

_TANWEEN_CHARS = re.compile("[\u064b-\u064d]")


class _Normalized:
    """The matching form of a text and the way back to original offsets."""

    __slots__ = ("text", "_map", "has_deletions", "tanween")

    def __init__(self, original: str):
        n = normalize(original)
        self._map = n
        self.text = n.text
        self.has_deletions = n.norm_starts is not None     # deletions or expansions: offsets differ
        # tanween: the normalized offsets at which a tanween was dropped
        self.tanween = ([k for k, o in n.deleted() if "\u064b" <= original[o] <= "\u064d"]
                        if self.has_deletions and _TANWEEN_CHARS.search(original) else [])

    def original(self, offset: int) -> int:
        """Original offset of a normalized offset; an end offset takes in the marks that follow."""
        return self._map.to_original(offset)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of a normalized span (an end inside an expanded ligature takes it in)."""
        return self._map.span_to_original(start, end)


@lru_cache(maxsize=65536)
def _norm(s: str) -> str:
    """Normalize a lexicon entry: the text form plus one space between words (hyphens are spaces)."""
    return " ".join(fold(s).replace("-", " ").split())


def _display(s: str) -> str:
    """A readable canonical from a surface form: marks and tatweel dropped, spacing tidied."""
    return " ".join(_DELETE.sub("", s).split())


# ----------------------------------------------------------------------------------------------
# Records

@dataclass
class ActorMention:
    text: str                     # exactly as written in the original text
    start: int
    end: int
    kind: str                     # person, organization, country, location
    canonical: str
    country: str | None = None    # the country it belongs to or stands for, when known
    place: str | None = None      # for a capital read as its state: the capital's name
    source: str = "gazetteer"     # gazetteer, rule (grammar) or short (a short form of a known name)
    demonym: bool = False         # a nisba adjective or plural of a country (الروسي، الأميركيين)

    def to_json(self) -> dict:
        out = {"text": self.text, "start": self.start, "end": self.end, "kind": self.kind,
               "canonical": self.canonical}
        if self.demonym:
            out["demonym"] = True   # not a name: NER annotation leaves it out
        return out


@dataclass(frozen=True)
class _Entry:
    kind: str
    canonical: str
    country: str | None = None
    place: str | None = None
    short: bool = False           # only in a document where the full name appears
    sport: bool = False           # a club: only in a text about sport


# ----------------------------------------------------------------------------------------------
# Loading the alias table

_PROCLITIC = "[وف]?[بلك]?"
_SEP = "[ \t\u00a0-]+"           # between the words of a name: never a line break


def _trie_regex(words: Iterable[str]) -> str:
    """One regex for many words, shaped like a trie so the engine never tries words one by one."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            piece = _SEP if ch == " " else re.escape(ch)
            branches.append(piece + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:  # a shorter word ends here: the longer continuation is optional (tried first)
            return "(?:" + body + ")?" if len(branches) == 1 else body + "?"
        return body

    return emit(trie)


def _first_chars(words: Iterable[str]) -> str:
    """A look-ahead for the characters a match of _PROCLITIC + _trie_regex(words) can start with: the
    engine then gives up at once at a word's end instead of trying the whole trie there."""
    words = set(words)
    if not words or "" in words:
        return ""    # the trie matches an empty string: any character may follow
    first = {w[0] for w in words} | set("وفبلك")
    return "(?=[" + "".join(re.escape(c) for c in sorted(first)) + "])"


def _demonym_forms(stem: str) -> list[str]:
    """Inflections of a nisba, word by word for multi-word ones: كوري شمالي → الكورية الشمالية ..."""
    words = stem.split()
    forms = []
    for suffix in ("", "ه", "ون", "ين", "ات", "ان", "تان", "تين"):
        inflected = [w + suffix for w in words]
        forms.append(" ".join(inflected))
        forms.append(" ".join("ال" + w for w in inflected))
    return forms


def _with_hamza_seat_forms(words: set[str]) -> set[str]:
    """The common-word list read in the current matching form.

    common_words.yaml is GENERATED in the matching form of the day it was built. A list built when the
    hamza seats ؤ/ئ folded to و/ي (it holds "رييس" and "مسوول") is stale now that they fold to ء: any
    و/ي after a word's first letter may have been a seat, so its ء-forms are added ("قايله" → "قاءله"),
    which keeps the list's reach. Rebuilt with scripts/build_common_words.py, the list holds the
    ء-forms itself and is taken as it is."""
    if not {"رييس", "مسوول"} <= words:
        return words
    out = set(words)
    for w in words:
        seats = [i for i in range(1, len(w)) if w[i] in "وي"]
        for r in range(1, len(seats) + 1):
            for chosen in itertools.combinations(seats, r):
                letters = list(w)
                for i in chosen:
                    letters[i] = "ء"
                out.add("".join(letters))
    return out


class AliasTable:
    """The gazetteer and grammar, compiled for matching. Build it with `load_alias_table`."""

    def __init__(self, docs: list[tuple[str, dict]]):
        self._docs = [doc for _, doc in docs]
        self.entries: dict[str, _Entry] = {}     # normalized name → entry
        self.bare_places: dict[str, _Entry] = {}  # places whose name alone is a common word
        self.person_keys: dict[str, str | None] = {}   # spelling key → canonical (None: ambiguous)
        grammar: dict[str, set[str]] = {}
        # Priority when two lists claim one name: people, organizations, countries, places.
        for section in ("actors", "people", "organizations", "countries", "places"):
            for path, doc in docs:
                items = doc.get(section) or []
                if not isinstance(items, list):
                    raise InputError(path, f"'{section}' must be a list")
                for item in items:
                    if not isinstance(item, dict):
                        raise InputError(path, f"'{section}': each entry must be a mapping, got {item!r}")
                    self._add(section, item, path)
        for path, doc in docs:
            for key, words in doc.items():
                if key in ("actors", "people", "organizations", "countries", "places"):
                    continue
                if not isinstance(words, list):
                    raise InputError(path, f"'{key}' must be a list of words")
                grammar.setdefault(key, set()).update(_norm(str(w)) for w in words)
        self.grammar = grammar
        self._compile()

    # -- building --

    def _put(self, name: str, entry: _Entry) -> None:
        key = _norm(name)
        if key and key not in self.entries:
            self.entries[key] = entry

    def _add(self, section: str, item: dict, path: str) -> None:
        def names(field_name: str) -> list[str]:
            value = item.get(field_name) or []
            if isinstance(value, str):
                value = [value]
            return [str(v) for v in value]

        if section == "countries":
            name = item.get("name")
            if not name:
                raise InputError(path, f"country entry without a name: {item!r}")
            entry = _Entry(COUNTRY, name, country=name)
            if item.get("bare", True):
                self._put(name, entry)
            for v in names("variants"):
                self._put(v, entry)
            for stem in names("demonyms"):
                for form in _demonym_forms(_norm(stem)):
                    self._put(form, entry)
            for plural in names("plurals"):
                self._put("ال" + _norm(plural), entry)
            return
        if section == "places":
            name = item.get("name")
            if not name:
                raise InputError(path, f"place entry without a name: {item!r}")
            country = item.get("country")
            if item.get("capital") and country:
                entry = _Entry(COUNTRY, country, country=country, place=name)
            else:
                entry = _Entry(LOCATION, name, country=country)
            if item.get("bare", True):
                self._put(name, entry)
            else:   # the name alone is a common word: found after a place head only (مدينة العين)
                self.bare_places[_norm(name)] = entry
            for v in names("variants"):
                self._put(v, entry)
            return
        canonical = item.get("canonical")
        if not canonical:
            raise InputError(path, f"'{section}' entry without a canonical name: {item!r}")
        kind = item.get("kind") or {"people": PERSON, "organizations": ORGANIZATION}.get(section)
        if kind not in KINDS:
            raise InputError(path, f"unknown kind {kind!r} for {canonical!r} (one of {', '.join(KINDS)})")
        entry = _Entry(kind, canonical, country=item.get("country"), sport=bool(item.get("sport")))
        full = ([canonical] if item.get("bare", True) else []) + names("aliases")
        for v in full:
            self._put(v, entry)
        for v in names("short"):
            self._put(v, _Entry(kind, canonical, country=item.get("country"), short=True))
        if kind == PERSON:
            for v in [canonical, *names("aliases")]:
                if len(_norm(v).split()) > 1:
                    k = _person_key(_norm(v))
                    prev = self.person_keys.get(k, canonical)
                    self.person_keys[k] = canonical if prev == canonical else None

    def _compile(self) -> None:
        names = set(self.entries)
        # "للكرملين" = ل + الكرملين with the article's alef dropped: index the ل-form too.
        self.lam_forms = {"ل" + n[2:]: n for n in names if n.startswith("ال") and len(n) > 3}
        self.gazetteer_re = re.compile(
            r"\b" + _first_chars(names | set(self.lam_forms)) + r"(" + _PROCLITIC + r")("
            + _trie_regex(names | set(self.lam_forms)) + r")\b")
        g = self.grammar
        self.titles = g.get("titles", set())
        self.construct_titles = g.get("construct_titles", set())
        verbs = g.get("reporting_verbs", set())
        self.verbs = verbs | {_feminine(v) for v in verbs}
        self.weak = g.get("weak_triggers", set())
        self.org_heads = g.get("org_heads", set())
        self.def_org_heads = g.get("definite_org_heads", set())
        self.connectors = g.get("connectors", set())
        self.particles = g.get("name_particles", set())
        self.time_words = g.get("time_words", set())
        self.stopwords = g.get("stopwords", set())
        self.given = g.get("given_names", set())
        self.weak_given = g.get("weak_given_names", set())
        self.strong_given = self.given - self.weak_given
        self.common = _with_hamza_seat_forms(g.get("common_words", set())) - self.given - self.weak_given
        self.strict_org_heads = g.get("definite_org_heads_strict", set())
        self.descriptor_heads = g.get("descriptor_heads", set())
        self.descriptor_heads_indef = g.get("descriptor_heads_indefinite", set())
        self.all_descriptor_heads = self.descriptor_heads | self.descriptor_heads_indef
        self.org_stopwords = self.stopwords - _ORG_ADJECTIVES
        self.loc_heads = g.get("location_heads", set())
        self.loc_name_heads = g.get("location_name_heads", set())
        self.sport_words = g.get("sport_words", set())
        self.not_names = (self.stopwords | self.titles | self.construct_titles | self.verbs
                          | self.org_heads | self.def_org_heads | self.time_words | self.weak
                          | self.strict_org_heads | self.loc_heads | self.loc_name_heads | self.common)
        # Country names and variants, then demonyms: the other country keys (الروسي، أميركيين)
        country_names: set[str] = set()
        for path_doc in self._docs:
            for item in path_doc.get("countries") or []:
                if isinstance(item, dict):
                    if item.get("name"):
                        country_names.add(_norm(item["name"]))
                    for v in item.get("variants") or []:
                        country_names.add(_norm(str(v)))
        self.demonyms = {n for n, e in self.entries.items() if e.kind == COUNTRY and e.place is None
                         and n not in country_names}
        triggers = (self.titles | self.construct_titles | self.verbs | self.weak | self.org_heads
                    | self.def_org_heads | self.strict_org_heads | self.loc_heads | self.loc_name_heads)
        self.trigger_lam_forms = {"ل" + w[2:]: w for w in triggers if w.startswith("ال") and len(w) > 3}
        trig_forms = set(triggers) | set(self.trigger_lam_forms)
        self.trigger_words = trig_forms
        # one pass finds triggers and given names alike
        self.trigger_re = re.compile(r"\b" + _first_chars(trig_forms | self.strong_given) + r"(" + _PROCLITIC
                                     + r")(" + _trie_regex(trig_forms | self.strong_given) + r")\b")
        self.sport_re = re.compile(r"\b" + _first_chars(self.sport_words) + _PROCLITIC
                                   + "(?:" + _trie_regex(self.sport_words) + r")\b")

    def lookup(self, matched: str) -> _Entry | None:
        entry = self.entries.get(matched)
        if entry is not None and matched not in self.lam_forms:
            return entry    # the usual case: a name matched as written in the table
        key = " ".join(matched.replace("-", " ").split()) if (" " in matched or "-" in matched
                                                              or "\t" in matched) else matched
        key = self.lam_forms.get(key, key)
        return self.entries.get(key)


def _feminine(verb: str) -> str:
    """قال → قالت، نفى → نفت، دعا → دعت (normalized forms: ى is already ي)."""
    if verb.endswith(("ي", "ا")) and len(verb) > 2:
        return verb[:-1] + "ت"
    return verb + "ت"


def _read_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"not valid YAML: {exc}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise InputError(str(path), "an actors file must be a mapping (people:, organizations:, ...)")
    return doc


def load_alias_table(extra_paths: Iterable[str | os.PathLike] = ()) -> AliasTable:
    """The gazetteer of data/actors/*.yaml plus user files (and those named by $TIMELINE_ACTORS,
    separated by the OS path separator). Entries from later files never override earlier ones for
    the same name; they add names. Cached per set of files."""
    env = os.environ.get("TIMELINE_ACTORS", "")
    paths = tuple(str(p) for p in extra_paths) + tuple(p for p in env.split(os.pathsep) if p)
    stamps = tuple(_stamp(Path(p)) for p in paths)
    return _load_cached(str(ACTORS_DIR), paths, stamps)


def _stamp(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


@lru_cache(maxsize=8)
def _load_cached(actors_dir: str, paths: tuple[str, ...], _stamps: tuple[float, ...]) -> AliasTable:
    # User files come first so that their entries win over the shipped ones for the same name.
    files = [Path(p) for p in paths] + sorted(Path(actors_dir).glob("*.yaml"))
    return AliasTable([(str(f), _read_yaml(f)) for f in files])


# ----------------------------------------------------------------------------------------------
# Finding mentions

_TOKEN = re.compile(r"[ \t\u00a0]*([^\W\d_]+)")
_MISSING = object()
_PREV_WORD = re.compile(r"([^\W\d_]+)[ \t\u00a0]+$")
_BLANKS = " \t\u00a0"


def _prev_word(s: str, pos: int) -> str | None:
    """The word right before the blanks that end at pos: `_PREV_WORD.search(s, 0, pos).group(1)`,
    read backwards from pos instead of searched for from the start of the text (`$` also matches
    before a newline that ends the text; a letter of the pattern is alphanumeric and no digit)."""
    end = pos - 1 if pos > 0 and s[pos - 1] == "\n" else pos
    b = end
    while b > 0 and s[b - 1] in _BLANKS:
        b -= 1
    if b == end:
        return None
    a = b
    while a > 0 and s[a - 1].isalnum() and not s[a - 1].isdecimal():
        a -= 1
    return s[a:b] if a < b else None


_NEXT = re.compile(r"[ \t\u00a0]*(\S)")
_BOUNDARY_PUNCT = set("،,:؛;.!؟?\"«»“”()[]\n-–—/")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+$")
_NASAB = {"بن", "ابن", "بنت", "ولد", "ال", "ابو", "ابي", "ابا"}
_SHORT_NAME_PARTS = {"كي", "لي", "ني", "سي", "مي"}   # end East Asian names, also function words
_FUTURE_VERB = re.compile("س[يتن][^ا]{3,}(?:ان|ون|وا)$")
_TANWEEN = re.compile("[\u064b-\u064d]")
_FOLLOWERS = {"ان", "انه", "انها", "انهم", "في", "خلال", "عبر", "امام", "لدي", "يوم", "اليوم", "امس",
              "بعد", "عقب", "قبل", "الي", "علي", "عن", "من", "مع", "وهو", "وهي", "الذي", "التي", "بان",
              "بانه", "بانها", "حيث", "كما", "اثناء", "ضمن", "منذ", "مساء", "صباح", "الاثنين", "الثلاثاء",
              "الاربعاء", "الخميس", "الجمعه", "السبت", "الاحد", "للبلاد", "ذلك", "هذا", "هذه", "متجه"}


@dataclass
class _Span:
    start: int        # normalized offsets of the name (proclitic excluded)
    end: int
    entry: _Entry | None
    kind: str
    source: str
    token_start: int  # start of the whole word, proclitic included


class _Scanner:
    """One document's recognition: gazetteer, organizations, then people."""

    def __init__(self, table: AliasTable, text: str):
        self.t = table
        self.original = text
        self.norm = _Normalized(text)
        self.s = self.norm.text
        self._spans: list[_Span] = []
        self._removed: dict[int, _Span] = {}   # removed spans (by id), left out of `spans` when read
        self.at: dict[int, _Span] = {}   # word start → span there (gazetteer or organization)
        self._tokens: dict[int, tuple[int, int, str] | None] = {}   # token(pos), read once

    # -- helpers over the normalized text --

    def token(self, pos: int) -> tuple[int, int, str] | None:
        tk = self._tokens.get(pos, _MISSING)     # the passes read the same words again and again
        if tk is _MISSING:
            m = _TOKEN.match(self.s, pos)
            tk = self._tokens[pos] = (m.start(1), m.end(1), m.group(1)) if m else None
        return tk

    def next_char(self, pos: int) -> str:
        m = _NEXT.match(self.s, pos)
        return m.group(1) if m else ""

    def is_name_token(self, tok: str, prev: str | None, after_ends_clause: bool = False) -> bool:
        t = self.t
        if len(tok) < 2 or not _ARABIC_WORD.match(tok):
            return False
        if tok in t.given and tok not in t.stopwords and not tok.startswith("ال"):
            return True
        if tok in t.not_names:
            return False
        if len(tok) > 3 and tok[-1] in "اهي" and tok[:-1] in t.common:
            return False  # an accusative or a pronoun suffix on a common word: مصنعا، قبوله
        if len(tok) > 4 and tok[-2:] in ("ها", "هم", "نا", "كم") and tok[:-2] in t.common:
            return False
        if tok[0] == "س" and len(tok) > 4 and tok[1] in "يتن" and tok[1:] in t.common:
            return False  # a future verb: سيغادر، ستواصل
        if tok.startswith("ال"):
            if prev is None:
                return False
            if prev in t.connectors or tok in t.particles:
                return True  # عبد الله، نور الدين، آل ثاني
            # a family name of the nisba shape after a given name: بشار الأسد is in the list,
            # but السيسي، الحريري، العبادي are found by the shape
            return (tok not in t.demonyms and len(tok) > 3 and not tok.endswith(("ين", "ون", "ات"))
                    and (tok.endswith("ي") or after_ends_clause))
        if tok.endswith(("ان", "ين", "ون")) and tok[:-2] in t.not_names:
            return False  # a dual or plural of a common noun: مصدران، مسؤولين
        if tok[0] in "وف" and tok[1:] in t.not_names:
            return False  # ووزير، فقال
        if tok[0] in "بلك" and len(tok) > 3 and tok[1:] in t.common:
            return False  # بميدالية، لحظة
        if len(tok) > 4 and tok[-2:] in ("تا", "تي") and tok[:-2] + "ه" in t.common:
            return False  # a dual in construct: شركتا، حكومتي
        if _FUTURE_VERB.match(tok):
            return False  # سيجتمعان، ستعقدون
        if len(tok) > 4 and tok.endswith(("ها", "هم", "هما", "كم")):
            return False  # a pronoun suffix: عمليتها، قادتهم
        if tok[0] in "وفبلك" and tok[1:3] == "ال":
            return False  # a proclitic on a definite noun: والرئيس، بالقرب
        if tok.startswith("لل"):
            return False
        return True

    def read_name(self, pos: int, max_tokens: int = 4,
                  first_no_lam: bool = False) -> tuple[int, int, list[str]] | None:
        """Up to four name tokens from pos (connectors inside); None if there is no name there."""
        toks: list[tuple[int, int, str]] = []
        p = pos
        tanween = self.norm.tanween
        while len(toks) < max_tokens:
            tk = self.token(p)
            if not tk:
                break
            ts, te, tok = tk
            if ts in self.at or (toks and tok[0] == "و" and len(tok) > 3
                                 and self.is_name_token(tok[1:], None)):
                break  # a known actor or "وجنيفر": the name ends here
            prev = toks[-1][2] if toks else None
            if tanween and bisect.bisect_right(tanween, ts) != bisect.bisect_right(tanween, te):
                break  # tanween (dropped from the normalized word: after ts, at te at most) marks an
                # indefinite common noun: إنذاراً
            if tok == "علي":
                if self.original[self.norm.original(te) - 1] == "ى":
                    break  # the preposition على; a name is written علي (علي بن أحمد)
                toks.append(tk)
                p = te
                continue
            if prev in _NASAB and tok not in self.t.stopwords and _ARABIC_WORD.match(tok) \
                    and len(tok) > 1 and ts not in self.at:
                toks.append(tk)   # محمد بن عطية، عبد الرحمن آل رشي: after بن any word is a name
                p = te
                if tok.startswith("ال") and tok not in self.t.particles:
                    break
                continue
            if len(tok) >= 5 and tok.endswith("ات"):
                break  # a feminine plural: عبارات، معدلات
            if not toks and tok[0] in "لب" and (tok.endswith("ه") or (first_no_lam and len(tok) > 4)):
                break  # "الرئيس التنفيذي لأرسنال": ل/ب + a noun after a complement
            if toks and tok[0] == "ل" and len(tok) >= 4 and (tok[1:] in self.t.not_names or tok.startswith("لل")
                                                             or tok[1:] in self.t.given):
                break  # "لعدد"، "لموقف": a prepositional phrase after the name
            if not toks and (tok[:2] in ("يت", "تت", "نت") or (
                    tok[0] == "و" and len(tok) > 4 and (tok[1:] in self.t.common or tok[1:] in self.t.given))):
                break  # an imperfect verb (نتوقع) or a coordinated word (ودعم، وعثمان)
            if not toks and tok in self.t.connectors and tok not in ("عبد", "ابو", "ابن", "بن"):
                break
            if not self.is_name_token(tok, prev, tok.startswith("ال") and self.ends_clause(te)) \
                    and not (prev and tok in self.t.connectors):
                # a short last part that is also a function word, right before punctuation:
                # "كيم دوك كي،" (كي = "so that")
                if len(toks) >= 2 and tok in _SHORT_NAME_PARTS \
                        and self.next_char(te) in _BOUNDARY_PUNCT and self.next_char(te):
                    toks.append(tk)
                break
            toks.append(tk)
            p = te
            if tok.startswith("ال") and prev not in self.t.connectors and tok not in self.t.particles:
                break  # a nisba family name closes the name
        while toks and toks[-1][2] in self.t.connectors:
            toks.pop()
        if not toks or (len(toks) == 1 and toks[0][2][0] in "لب"):
            return None  # one word after ل/ب is a prepositional phrase far more often than a name
        return toks[0][0], toks[-1][1], [x[2] for x in toks]

    def ends_clause(self, pos: int) -> bool:
        """After a name read without a title: punctuation, end of text, or a word like إن، في."""
        ch = self.next_char(pos)
        if not ch or ch in _BOUNDARY_PUNCT:
            return True
        tk = self.token(pos)
        if not tk:
            return True
        tok = tk[2]
        if tok[0] == "و" and len(tok) > 3 and self.is_name_token(tok[1:], None):
            return True  # "... وجنيفر جون": another name follows
        return (tok in _FOLLOWERS or tok in self.t.stopwords or tk[0] in self.at
                or (tok.startswith("ل") and len(tok) > 3) or tok in self.t.titles
                or tok in self.t.construct_titles or tok in self.t.verbs)

    def add(self, span: _Span) -> None:
        self._spans.append(span)
        self.at.setdefault(span.token_start, span)

    # -- passes --

    def gazetteer(self) -> None:
        sporty = None
        t = self.t
        lookup = t.lookup
        spans, at = self._spans, self.at
        for m in t.gazetteer_re.finditer(self.s):
            name = m.group(2)
            entry = lookup(name)
            if entry is None or entry.short:
                continue
            if entry.kind != ORGANIZATION and entry.canonical.endswith("ة") and " " not in name \
                    and self.original[self.norm.original(m.end(2)) - 1] == "ه" and name[:-1] in t.common:
                continue  # "جده" (his grandfather) written with ه is not جدة
            if entry.sport:
                if sporty is None:   # two sport words at least: one "كأس" is no sport page
                    it = t.sport_re.finditer(self.s)
                    sporty = next(it, None) is not None and next(it, None) is not None
                if not sporty:
                    continue
            a, b = m.span(2)
            token_start = m.start(1)
            if entry.kind == ORGANIZATION and " " in name:
                head, rest = name.split(None, 1)
                if head in t.descriptor_heads or (head in t.descriptor_heads_indef
                                                  and not rest.startswith("ال")):
                    # "حركة حماس" → حماس; past the separator, which may hold a hyphen ("تنظيم -الدولة")
                    a += len(head)
                    while self.s[a] in " \t\u00a0-":
                        a += 1
                    token_start = a
            sp = _Span(a, b, entry, entry.kind, "gazetteer", token_start)
            spans.append(sp)               # self.add, inlined
            at.setdefault(token_start, sp)
        # a known organization + a demonym is one name: الهلال الأحمر الإماراتي، الأهلي المصري
        for sp in list(self.spans):
            if sp.kind != ORGANIZATION:
                continue
            tk = self.token(sp.end)
            if not tk:
                continue
            nxt = self.at.get(tk[0])
            if nxt is not None and nxt is not sp and self.is_demonym(nxt) and nxt.token_start == nxt.start \
                    and self.s.startswith("ال", nxt.start) and not self.after_descriptor(sp.token_start) \
                    and self.s[sp.start:sp.end].split()[0] not in _NO_DEMONYM_HEADS:
                self.remove(nxt)
                end = self.lam_genitive_end(nxt.end) if sp.entry and sp.entry.sport else nxt.end
                self.add(_Span(sp.start, end, sp.entry, ORGANIZATION, "gazetteer", sp.token_start))

    def lam_genitive_end(self, pos: int) -> int:
        """The end of a ل-genitive right after pos (لكرة القدم، للإحصاء), else pos."""
        nt = self.token(pos)
        if not nt or nt[2][0] != "ل" or nt[0] in self.at:
            return pos
        if nt[2].startswith("لل"):
            return nt[1] if len(nt[2]) > 3 and self._org_word("ال" + nt[2][2:]) else pos
        nn = self.token(nt[1])
        if nn and self._definite(nn[2]) and self._org_word(nn[2]) and len(nt[2]) > 2 \
                and nt[2][1:] not in _FUNCTION_AFTER_LAM:
            return nn[1]
        return pos

    def after_descriptor(self, pos: int) -> bool:
        """Whether the word before pos is a descriptor head (شركة، نادي، صحيفة ...)."""
        w = _prev_word(self.s, pos)
        if not w:
            return False
        heads = self.t.all_descriptor_heads
        return w in heads or (w[0] in "وفبلك" and w[1:] in heads)

    def is_demonym(self, sp: "_Span") -> bool:
        return sp.kind == COUNTRY and sp.entry is not None and sp.entry.place is None \
            and _norm_text(self.s, sp.start, sp.end) in self.t.demonyms

    @property
    def spans(self) -> list[_Span]:
        """The spans found so far, in the order they were added."""
        if self._removed:
            removed = self._removed
            self._spans = [x for x in self._spans if id(x) not in removed]
            removed.clear()
        return self._spans

    def remove(self, sp: "_Span") -> None:
        # marked now, dropped from the list when it is next read: a list.remove per span is
        # quadratic on a long text
        self._removed[id(sp)] = sp
        if self.at.get(sp.token_start) is sp:
            del self.at[sp.token_start]

    def triggers(self) -> list[tuple[int, int, int, str]]:
        """(word start, trigger start, trigger end, trigger word) for each title, verb or head."""
        t = self.t
        lam, trig, given = t.trigger_lam_forms, t.trigger_words, t.strong_given
        out, hits = [], []
        for m in t.trigger_re.finditer(self.s):
            proclitic, w = m.groups()
            if w in trig:
                out.append((m.start(1), m.start(2), m.end(2), lam.get(w, w)))
            if w in given:
                hits.append((m.start(1), m.start(2), proclitic, w))
        self.given_hits = hits
        return out

    def organizations(self, triggers) -> None:
        t = self.t
        for word_start, start, end, word in triggers:
            known = self.at.get(word_start)
            if known is not None:
                # "مجلس الأمن القومي", "مجلس النواب اللبناني": a known name + a nisba adjective is longer
                if known.kind != ORGANIZATION or known.start != start or known.entry is None:
                    continue
                nt = self.token(known.end)
                if not nt or not nt[2].startswith("ال") or not nt[2].endswith(("ي", "يه")) \
                        or nt[2] in t.time_words or nt[2] in t.stopwords:
                    continue
            if word in t.org_heads:
                self._org_after_head(start, end, word)
            elif word in t.strict_org_heads:
                self._org_after_head(start, end, word, strict=True)
            elif word in t.def_org_heads:
                self._org_with_demonym(start, end, word)

    def _definite(self, tok: str) -> str | None:
        """The definite word a token stands for (للجنة → اللجنة), or None."""
        if tok.startswith("لل") and len(tok) > 3:
            return "ال" + tok[2:]
        if tok.startswith("ال") and len(tok) > 3:
            return tok
        return None

    def _org_word(self, word: str) -> bool:
        t = self.t
        return (word not in t.time_words and word not in t.org_stopwords
                and word not in t.titles and word not in t.verbs)

    def _org_after_head(self, start: int, end: int, head: str, strict: bool = False) -> None:
        """Head noun + its name: the definite words, known places, ل-genitives and و-coordinations
        that follow (وزارة الخارجية الروسية، الاتحاد الجزائري لكرة القدم، حزب العدالة والتنمية);
        after a descriptor head (شركة، نادي) the proper name alone (شركة توتال إنرجيز → توتال إنرجيز)."""
        t = self.t
        descriptor = head in t.descriptor_heads or head in t.descriptor_heads_indef
        p, last, count = end, None, 0
        name_start = None           # where a proper name (no article) begins
        after_demonym = lam_phrases = 0
        demonym_at_end = False

        def take(new_end: int, n: int = 1) -> None:
            nonlocal last, p, count, demonym_at_end
            last = p = new_end
            count += n
            demonym_at_end = False

        while count < 7:
            tk = self.token(p)
            if not tk:
                break
            ts, te, tok = tk
            known = self.at.get(ts)
            if known is not None and known.kind in (COUNTRY, LOCATION, ORGANIZATION):
                if known.token_start != known.start and not self.s.startswith("ل", known.token_start):
                    break  # "... وروسيا", "... بالرياض": another phrase
                if self.is_demonym(known):
                    if not self.s.startswith("ال", known.start) or after_demonym:
                        break  # an indefinite adjective ("وكالة روسية") does not name the body
                    if descriptor and name_start is not None:
                        break  # شركة هاليبرتون الأمريكية → هاليبرتون
                    if head in _NO_DEMONYM_HEADS and last is not None:
                        break  # نادي الشارقة الإماراتي → الشارقة; حزب الأمة القومي السوداني
                    take(known.end)
                    after_demonym = 1
                    demonym_at_end = True
                    continue
                if after_demonym:
                    break
                if known.kind in (COUNTRY, LOCATION):
                    take(known.end)
                    nt = self.token(known.end)
                    if nt and nt[2].startswith("ال") and (nt[2] in _ORG_SUFFIX_ADJ or (
                            nt[2].endswith(("ي", "يه")) and nt[2] not in t.time_words
                            and self.at.get(nt[0]) is None)):
                        take(nt[1])   # بنك الكويت الوطني، بترول أبوظبي الوطنية
                    nt2 = self.token(p)
                    if not nt2 or not (nt2[0] in self.at or nt2[2].startswith("لل")):
                        break   # شرطة دبي القبض: a definite noun after the place is no part of the name
                    continue
                if count == 0 and descriptor and known.kind == ORGANIZATION:
                    # شركة مايكروسوفت: the known name stands alone, with its ل-genitive if any
                    nt = self.token(known.end)
                    if nt and nt[2].startswith("لل") and self._org_word("ال" + nt[2][2:]):
                        self.add(_Span(known.start, nt[1], None, ORGANIZATION, "rule", known.start))
                    return
                take(known.end)
                continue
            word = self._definite(tok)
            nxt = self.token(te)
            nxt_def = self._definite(nxt[2]) if nxt else None
            if after_demonym:
                # after the demonym only a ل-genitive: الاتحاد الجزائري لكرة القدم
                if lam_phrases:
                    break
                if tok[0] == "ل" and not tok.startswith("لل") and len(tok) > 2 and nxt_def \
                        and self._org_word(nxt_def):
                    take(nxt[1], 2)
                    lam_phrases += 1
                    continue
                if tok.startswith("لل") and word and self._org_word(word):
                    take(te)
                    lam_phrases += 1
                    continue
                break
            if count == 0 and head not in t.descriptor_heads and (tok in t.org_heads or tok in t.given
                                                  or tok in t.weak_given or tok in _HONORIFICS):
                if tok in t.org_heads:
                    take(te)    # حزب حركة الشعب، هيئة قناة السويس
                    continue
                # named after a person: مؤسسة عبد الحميد شومان، جامعة الملك سعود، مستشفى ناصر
                q = te if tok in _HONORIFICS else ts
                name = self.read_name(q, max_tokens=3)
                if name:
                    take(name[1], len(name[2]))
                break
            if word and self._org_word(word) and (name_start is None or word in _ORG_SUFFIX_ADJ):
                take(te)
                continue
            if tok.startswith("وال") and last is not None and self._org_word(tok[1:]) and name_start is None:
                take(te)   # حزب العدالة والتنمية، للتعبئة العامة والإحصاء
                continue
            if last is not None and tok[0] == "ل" and not tok.startswith("لل") and len(tok) > 2 \
                    and nxt_def and self._org_word(nxt_def) and tok[1:] not in t.stopwords:
                take(nxt[1], 2)   # مجلس التعاون لدول الخليج العربية، ... لكرة القدم
                continue
            if last is not None and word and tok.startswith("لل") and name_start is not None:
                take(te)    # مجموعة أوراسكوم للإنشاءات
                break
            if tok in _CONSTRUCT_ORG and nxt_def:
                take(nxt[1], 2)   # قوات خفر السواحل، المرصد السوري لحقوق الإنسان
                continue
            if not word and count < 3 and (last is None or name_start is not None):
                # a proper name: شركة توتال إنرجيز، منظمة أوبك، مجموعة أوراسكوم للإنشاءات
                nxt_known = self.at.get(nxt[0]) if nxt else None
                if last is None and nxt_known is not None and nxt_known.kind in (COUNTRY, LOCATION) \
                        and not self.is_demonym(nxt_known) and tok not in t.stopwords and len(tok) > 2 \
                        and _ARABIC_WORD.match(tok) and nxt_known.token_start == nxt_known.start:
                    name_start = ts
                    take(nxt_known.end, 2)   # شركة نفط الكويت، موانئ دبي
                    continue
                if self.is_name_token(tok, None) and tok not in t.given and not self.token_is_verbish(tok):
                    if name_start is None:
                        name_start = ts
                    take(te)
                    continue
            break
        if last is None:
            return
        span_start = start
        if name_start is not None and descriptor:
            span_start = name_start
        elif head in t.descriptor_heads and not strict:
            nt = self.token(end)
            span_start = nt[0] if nt else start
        if strict:
            if count < 2:
                return  # "الشركة اللبنانية" is no name; "المجلس الوطني الكردي" is
            ft = self.token(end)
            fw = ft[2] if ft else ""
            if not (fw.endswith(("ي", "يه")) or fw in _ORG_ADJECTIVES or fw in _ORG_SUFFIX_ADJ
                    or fw in ("العليا", "الاعلي", "العامه", "العام")):
                return  # an adjective comes first in such a name: not "الأكاديمية المواد الدراسية"
        if head in t.descriptor_heads and name_start is None and count == 1 and not strict \
                and head not in _MEDIA_HEADS:
            ft = self.token(end)
            if ft and ft[2] in t.common:
                return  # "حركة الشراء", "موقع الحادث": a common noun, not a name
        if span_start >= last:
            return
        self.add(_Span(span_start, last, None, ORGANIZATION, "rule", span_start))

    def token_is_verbish(self, tok: str) -> bool:
        return tok[:1] in "يتن" and len(tok) > 3 and tok in self.t.common

    def _org_with_demonym(self, start: int, end: int, head: str) -> None:
        """الجيش الروسي، القوات المسلحة الأوكرانية، البنك المركزي المصري: up to a demonym that agrees
        with the head ("وزير الخارجية الأردني" names no ministry: الأردني agrees with وزير)."""
        feminine = head.endswith(("ه", "ات"))
        w = _prev_word(self.s, start) if feminine else None
        if w and w in self.t.construct_titles and w.endswith("ه"):
            return  # وزيرة الخارجية الإيطالية: the adjective may go with the title: no ministry named
        p = end
        for _ in range(3):
            tk = self.token(p)
            if not tk:
                return
            ts, te, tok = tk
            known = self.at.get(ts)
            if known is not None and self.is_demonym(known):
                if known.token_start != known.start:
                    return  # "الجيش والروسي" is no name
                dem = _norm_text(self.s, known.start, known.end).split()[0]
                if dem.endswith(("يه", "يات")) != feminine:
                    return
                self.remove(known)
                self.add(_Span(start, self.lam_genitive_end(known.end), None, ORGANIZATION, "rule", start))
                return
            if not tok.startswith("ال") or tok in self.t.time_words:
                return
            p = te

    def places(self, triggers) -> None:
        """Place heads: مدينة درنة → درنة; نهر دجلة، ملعب لوسيل، مطار إسطنبول as whole names."""
        t = self.t
        for word_start, start, end, word in triggers:
            if word in t.loc_heads:
                self._place_after_head(start, end, inclusive=False)
            elif word in t.loc_name_heads:
                self._place_after_head(start, end, inclusive=True)

    def _place_after_head(self, start: int, end: int, inclusive: bool) -> None:
        t = self.t
        tk = self.token(end)
        if not tk:
            return
        if inclusive and _norm_text(self.s, start, end) in _STREET_HEADS and tk[0] not in self.at \
                and tk[2].startswith("ال") and len(tk[2]) > 3 and tk[2] not in t.time_words \
                and tk[2] not in t.stopwords and tk[2] not in t.titles:
            self.add(_Span(start, tk[1], None, LOCATION, "rule", start))   # ميدان التحرير، ساحة النجمة
            return
        known = self.at.get(tk[0])
        if known is not None and not inclusive and self.is_demonym(known) and known.token_start == known.start:
            tk = self.token(known.end)    # العاصمة الكينية نيروبي
            if not tk:
                return
            known = self.at.get(tk[0])
        ts, te, tok = tk
        if known is not None:
            if known.token_start != known.start:
                return
            if known.kind in (COUNTRY, LOCATION) and not self.is_demonym(known):
                if inclusive:
                    after = self.token(known.end)
                    if after and after[2] in ("المالي", "الماليه"):
                        self.add(_Span(start, after[1], None, ORGANIZATION, "rule", start))  # سوق دبي المالي
                    elif after and after[2] in _PLACE_ADJ and after[0] not in self.at:
                        self.add(_Span(start, after[1], None, LOCATION, "rule", start))  # مطار دمشق الدولي
                    else:
                        self.add(_Span(start, known.end, None, LOCATION, "rule", start))
            elif known.kind == ORGANIZATION and known.entry is not None and known.entry.sport:
                self.remove(known)  # حي الزمالك، مدينة العين: the place, not the club
                self.add(_Span(known.start, known.end, None, LOCATION, "rule", known.token_start))
            return
        entry = t.bare_places.get(tok)
        if entry is not None:
            self.add(_Span(ts, te, entry, LOCATION, "gazetteer", ts))
            return
        toks = []
        p = end
        while len(toks) < 3:
            nt = self.token(p)
            if not nt:
                break
            a, b, w = nt
            if a in self.at:
                break
            if w.startswith("ال"):
                ok = (w not in t.not_names or (inclusive and toks and w in _ORDINALS)
                      or (inclusive and not toks and w in _HONORIFICS)) and len(w) > 3 \
                    and not w.endswith(("ون", "ين")) or w in t.particles
                if not ok or (toks and not inclusive and w not in t.particles):
                    break
            elif not self.is_name_token(w, None) and not (toks and w in t.connectors):
                break
            toks.append(nt)
            p = b
            if w.startswith("ال") and not (toks and toks[0][2] in _HONORIFICS) and w not in t.particles \
                    and len(toks) > 1:
                break
        while toks and toks[-1][2] in t.connectors:
            toks.pop()
        if not toks:
            return
        first = toks[0][2]
        if first[0] in "لب" and not first.startswith("ال"):
            return
        s0 = start if inclusive else toks[0][0]
        self.add(_Span(s0, toks[-1][1], None, LOCATION, "rule", s0))

    def demonym_names(self) -> None:
        """A definite demonym used as a noun before a name: أمام التشيكية ماركيتا فوندروسوفا."""
        t = self.t
        for sp in list(self.spans):
            if not self.is_demonym(sp) or sp.token_start != sp.start or not self.s.startswith("ال", sp.start):
                continue
            tk = self.token(sp.end)
            if not tk or tk[0] in self.at or tk[2] in t.common or tk[2] in t.weak_given:
                continue
            name = self.read_name(tk[0], max_tokens=3)
            if name and len(name[2]) >= 2 and not any(w in t.common for w in name[2]) \
                    and self.ends_clause(name[1]):
                self._add_person(*name)

    def given_names(self) -> None:
        """A given name followed by a name-shaped word opens a person's name: يوسف النصيري، جون كيربي."""
        t = self.t
        covered = sorted((sp.token_start, sp.end) for sp in self.spans)
        for word_start, pos, proclitic, word in self.given_hits:
            if proclitic:
                full = proclitic + word
                if full in t.given or full in t.weak_given or full in t.common:
                    continue   # بسام is a name of its own, not ب + سام
            i = bisect.bisect_right(covered, (pos, 10**12)) - 1
            if i >= 0 and covered[i][1] > word_start:
                continue
            name = self.read_name(pos, max_tokens=4)
            if not name or len(name[2]) < 2 or all(w in t.connectors for w in name[2][1:]):
                continue
            if name[2][1] in t.given and len(name[2]) == 2 and name[2][1] in t.weak_given:
                pass
            self._add_person(*name)

    def people(self, triggers) -> None:
        t = self.t
        for word_start, start, end, word in triggers:
            if word in t.titles or word in t.construct_titles:
                self._after_title(end, needs_complement=word not in t.titles)
            elif word in t.verbs or word in t.weak:
                if word_start in self.at:
                    continue
                self._after_verb(end)

    def _after_title(self, end: int, needs_complement: bool) -> None:
        """Title + complements (الروسي، السابق، باسم الكرملين، كوريا الشمالية) + a name."""
        t = self.t
        p, complements = end, 0
        for _ in range(8):
            tk = self.token(p)
            if not tk:
                return
            ts, te, tok = tk
            known = self.at.get(ts)
            if known is not None:
                if known.kind == PERSON:
                    return  # the name is already known
                p = known.end
                complements += 1
                continue
            if complements and tok in t.construct_titles and (tok in t.given or tok in t.weak_given):
                nt = self.token(te)
                if nt and not nt[2].startswith("ال") and nt[0] not in self.at:
                    break   # وزير الاقتصاد اللبناني أمين سلام: أمين is the name here
            if tok == "باسم" or tok.startswith("ال") or (
                    tok[:1] in "ولبف" and tok[1:3] in ("ال", "لل")) or tok.startswith("لل") \
                    or tok in t.construct_titles or tok in _CONSTRUCT_NOUNS:
                if tok in t.time_words and tok not in _TITLE_ADJECTIVES:
                    return
                p = te
                complements += 1
                continue
            break
        if needs_complement and not complements:
            return
        name = self.read_name(p, max_tokens=5, first_no_lam=complements > 0)
        if name:
            self._add_person(*name)

    def _after_verb(self, end: int) -> None:
        name = self.read_name(end, max_tokens=3)
        if name and self.ends_clause(name[1]):
            self._add_person(*name)

    def _add_person(self, start: int, end: int, toks: list[str]) -> None:
        self.add(_Span(start, end, None, PERSON, "rule", start))
        # "X وY": a second name coordinated with the first (جوزيف بيرموديز وجنيفر جون)
        tk = self.token(end)
        if tk and tk[2][0] == "و" and len(tk[2]) > 3 and self.is_name_token(tk[2][1:], None):
            second = self.read_name(tk[0] + 1, max_tokens=3)
            if second and self.ends_clause(second[1]) and len(second[2]) + len(toks) > 2:
                self.add(_Span(second[0], second[1], None, PERSON, "rule", tk[0]))

    def short_forms(self) -> None:
        """Short forms of people named in full in this document: بيسكوف، كيم (only then)."""
        t = self.t
        wanted: set[str] = set()
        canon_here = {sp.entry.canonical for sp in self.spans if sp.entry and sp.kind == PERSON}
        for sp in self.spans:
            if sp.kind != PERSON:
                continue
            toks = self.s[sp.start:sp.end].split()
            if len(toks) > 1:
                last = toks[-1]
                if len(last) > 2 and last not in t.not_names and last not in t.connectors:
                    wanted.add(last)
        wanted |= {n for n in t.short_index_for(canon_here)}
        if not wanted:
            return
        covered = sorted((sp.token_start, sp.end) for sp in self.spans)
        text = self.s
        found = []
        for w in wanted:   # str.find per word: cheaper than compiling a regex per document
            i = text.find(w)
            while i >= 0:
                j = i + len(w)
                k = i
                while k > 0 and i - k < 2 and text[k - 1] in "وفبلك":
                    k -= 1
                if (j >= len(text) or not text[j].isalpha()) and (k == 0 or not text[k - 1].isalpha()):
                    found.append((i, j, k))
                i = text.find(w, j)
        for i, j, k in found:
            c = bisect.bisect_right(covered, (i, 10**12)) - 1
            if c >= 0 and covered[c][1] > k:
                continue  # inside a mention already found
            self.add(_Span(i, j, None, PERSON, "short", k))

    def mentions(self) -> list[ActorMention]:
        # longest first, then gazetteer before rules, then leftmost; drop overlaps
        order = _SOURCE_ORDER
        chosen: list[_Span] = []
        # chosen spans never overlap; a span overlaps one chosen before it when it covers a character
        # one covers (an empty span: when it lies strictly inside one). One byte per character: a
        # sorted list with insertions is quadratic on a long text.
        cover = bytearray(len(self.s) + 1)
        first = bytearray(len(self.s) + 1)
        for sp in sorted(self.spans, key=lambda x: (x.start - x.end, order[x.source], x.start)):
            a, b = sp.start, sp.end
            if (cover.find(1, a, b) != -1) if a < b else (cover[a] and not first[a]):
                continue
            chosen.append(sp)
            if a < b:
                cover[a:b] = b"\x01" * (b - a)
                first[a] = 1
        chosen.sort(key=_START)
        out = []
        span = self.norm.span if self.norm.has_deletions else None
        text, s, demonyms = self.original, self.s, self.t.demonyms
        for sp in chosen:
            a, b = span(sp.start, sp.end) if span else (sp.start, sp.end)
            # an end offset takes in trailing marks but never trailing blanks
            surface = text[a:b]
            e = sp.entry
            if e is not None:
                demonym = e.kind == COUNTRY and e.place is None and _norm_text(s, sp.start, sp.end) in demonyms
                out.append(ActorMention(surface, a, b, e.kind, e.canonical, e.country, e.place, sp.source,
                                        demonym))
            else:
                out.append(ActorMention(surface, a, b, sp.kind, _display(surface), None, None, sp.source))
        return out


_SOURCE_ORDER = {"gazetteer": 0, "rule": 1, "short": 2}
_START = operator.attrgetter("start")


def _norm_text(s: str, a: int, b: int) -> str:
    x = s[a:b]
    return x if x.isalpha() else " ".join(x.split())   # one word has nothing to tidy


# Adjectives that may follow a title before the name (الرئيس الأميركي السابق دونالد ترمب).
_TITLE_ADJECTIVES = {_norm(w) for w in (
    "السابق", "السابقة", "الأسبق", "الحالي", "الحالية", "الجديد", "الجديدة", "المنتخب", "المنتخبة",
    "المكلف", "المؤقت", "التنفيذي", "التنفيذية", "العام", "العامة", "الأعلى", "الأول", "الأولى", "الثاني",
    "الخاص", "الخاصة", "الراحل", "الراحلة", "الأممي", "المساعد", "الدائم", "الفخري", "المنتهية", "ولايته")}
# Indefinite first words of a construct chain inside an organization's name: قوات خفر السواحل.
_CONSTRUCT_ORG = {_norm(w) for w in ("خفر", "حرس", "حقوق", "شؤون", "قوى", "أمن", "دول", "رعاية", "تنمية")}
_ORDINALS = {_norm(w) for w in ("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن",
                                 "التاسع", "العاشر", "الكبير", "الجديد", "الجديدة", "القديم", "القديمة")}
_NO_DEMONYM_HEADS = {_norm(w) for w in ("نادي", "فريق", "صحيفة", "جريدة", "مجلة", "قناة", "حزب", "حركة",
                                         "تيار", "جماعة", "ائتلاف", "تحالف", "جبهة")}
_ORG_SUFFIX_ADJ = {_norm(w) for w in ("الوطنية", "الوطني", "العالمية", "الدولية", "الدولي", "القابضة", "المتحدة",
                                       "العقارية", "الأهلي", "الأهلية", "الإسلامي", "الإسلامية", "التجاري",
                                       "التجارية", "العربي", "العربية", "الأول", "المركزي")}
_PLACE_ADJ = {_norm(w) for w in ("الدولي", "الكبير", "الكبرى", "القديمة", "القديم", "الجديد", "الجديدة",
                                  "المركزي", "الرئيسي", "الشرقي", "الغربي", "الشمالي", "الجنوبي")}
_FUNCTION_AFTER_LAM = {"ذلك", "هذا", "هذه", "ان", "كل", "بعض", "اي", "ما", "من", "حين"}
_MEDIA_HEADS = {_norm(w) for w in ("صحيفة", "جريدة", "مجلة", "قناة")}   # their names are common words
_STREET_HEADS = {_norm(w) for w in ("ميدان", "ساحة", "شارع")}
_HONORIFICS = {_norm(w) for w in ("الشيخ", "الملك", "الأمير", "الإمام", "الرئيس", "السلطان", "الشهيد")}
# Adjectives that may sit inside an organization's name although they are stopwords for names.
_ORG_ADJECTIVES = {_norm(w) for w in ("العام", "العامة", "الأعلى", "الخاص", "الخاصة", "الأول", "الأولى",
                                      "الثاني", "الجديد", "الجديدة", "الدائم", "الأممي", "التنفيذي", "التنفيذية")}
# Indefinite nouns of a construct chain between a title and a name: وزير خارجية روسيا، رئيس هيئة الأركان.
_CONSTRUCT_NOUNS = {_norm(w) for w in (
    "خارجية", "دفاع", "داخلية", "حكومة", "وزراء", "مجلس", "هيئة", "وزارة", "جهاز", "إدارة", "شؤون",
    "أركان", "جيش", "حزب", "حركة", "منظمة", "مكتب", "لجنة", "جمهورية", "مملكة", "دولة", "إمارة", "سلطنة",
    "مدينة", "ولاية", "بلدية", "محافظة", "مجموعة", "شركة", "بنك", "صندوق", "اتحاد", "نادي", "منتخب",
    "وكالة", "مركز", "جامعة", "معهد", "قوات", "باسم", "عام", "أعلى")}


def _table_short_index(self: AliasTable, canonicals: set[str]) -> set[str]:
    """Normalized short forms of the given people (seed `short:` entries)."""
    if not canonicals:
        return set()
    index = self.__dict__.get("_short_by_canonical")
    if index is None:
        index = {}
        for n, e in self.entries.items():
            if e.short:
                index.setdefault(e.canonical, set()).add(n)
        self._short_by_canonical = index
    return set().union(*(index.get(c, set()) for c in canonicals))


AliasTable.short_index_for = _table_short_index


def find_mentions(text: str, table: AliasTable | None = None) -> list[ActorMention]:
    """Mentions of actors in one document, in text order, with offsets into `text`.

    Canonical names come from the alias table where the name is known, else the surface form;
    `ActorResolver.resolve` then merges surnames and spelling variants within the document."""
    if not text:
        return []
    sc = _Scanner(table or load_alias_table(), text)
    sc.gazetteer()
    trig = sc.triggers()
    sc.organizations(trig)
    sc.places(trig)
    sc.people(trig)
    sc.given_names()
    sc.demonym_names()
    sc.short_forms()
    return sc.mentions()


# ----------------------------------------------------------------------------------------------
# Resolving mentions into actors

@lru_cache(maxsize=65536)
def _person_key(normalized_name: str) -> str:
    """A conservative spelling key for transliterated names: ترمب = ترامب, جونج = جونغ.

    Only internal alefs are dropped and a final نج read as نغ; anything bolder (ي/ج/غ in Korean
    names) merges different people, so those variants live in the alias table instead."""
    out = []
    for tok in normalized_name.split():
        tok = tok[0] + tok[1:].replace("ا", "") if len(tok) > 2 else tok
        if tok.endswith("نج"):
            tok = tok[:-1] + "غ"
        tok = re.sub(r"(.)\1+", r"\1", tok)
        out.append(tok)
    return " ".join(out)


class ActorResolver:
    """Merges one document's mentions into actors; use one resolver per document."""

    def __init__(self, table: AliasTable | None = None):
        self.table = table or load_alias_table()

    def resolve(self, mentions: list[ActorMention]) -> list[ActorMention]:
        t = self.table
        out: list[ActorMention] = []
        by_key: dict[tuple[str, str], str] = {}          # (kind, spelling key) → canonical in this doc
        full_people: list[tuple[int, list[str], list[str], str]] = []   # start, tokens, keys, canonical
        pending: list[int] = []                           # indexes of single-token people
        for m in sorted(mentions, key=_START):
            n = _norm(m.text)
            canonical = m.canonical
            if m.kind == PERSON:
                toks = n.split()
                if m.source != "gazetteer":
                    canonical = t.person_keys.get(_person_key(n)) or canonical
                if len(toks) == 1 and (m.source != "gazetteer" or _norm(canonical) == n):
                    out.append(m if m.canonical == canonical else replace(m, canonical=canonical))
                    pending.append(len(out) - 1)
                    continue
                key = _person_key(_norm(canonical))
                canonical = by_key.setdefault((PERSON, key), canonical)
                ctoks = _norm(canonical).split()
                full_people.append((m.start, toks + ctoks, [_person_key(x) for x in toks + ctoks], canonical))
            else:
                canonical = by_key.setdefault((m.kind, _norm(canonical)), canonical)
            out.append(m if m.canonical == canonical else replace(m, canonical=canonical))
        if not pending or not full_people:
            return out
        # The full names holding a word (as written; as a spelling key), as indexes into
        # full_people, whose starts are sorted: the nearest before a mention is found by bisection.
        names_by_tok: dict[str, list[int]] = {}
        names_by_key: dict[str, list[int]] = {}
        for j, fp in enumerate(full_people):
            for index, words in ((names_by_tok, fp[1]), (names_by_key, fp[2])):
                for w in words:
                    hits = index.setdefault(w, [])
                    if hits[-1:] != [j]:
                        hits.append(j)
        starts = [fp[0] for fp in full_people]
        for i in pending:
            m = out[i]
            tok = _norm(m.text)
            k = _person_key(tok)
            # the matching full names: those holding tok among their words or k among their keys
            lists = [h for h in (names_by_tok.get(tok), names_by_key.get(k)) if h]
            if not lists:
                continue
            nb = bisect.bisect_left(starts, m.start)         # full_people[:nb] start before m
            best_j = -1
            for h in lists:
                c = bisect.bisect_left(h, nb) - 1
                if c >= 0 and h[c] > best_j:
                    best_j = h[c]
            if best_j < 0:
                best_j = min(h[0] for h in lists)           # none before: the first after
            best = full_people[best_j]
            out[i] = m if m.canonical == best[3] else replace(m, canonical=best[3])
        return out


def resolve_mentions(text: str, table: AliasTable | None = None) -> list[ActorMention]:
    """find_mentions then ActorResolver.resolve: the actors of one document, merged."""
    table = table or load_alias_table()
    return ActorResolver(table).resolve(find_mentions(text, table))


def actor_records(mentions: list[ActorMention]) -> list[ActorRecord]:
    """One record per actor of resolved mentions, in order of first mention; aliases are the
    surface forms seen (diacritics kept), each once."""
    records: dict[tuple[str, str], ActorRecord] = {}
    for m in mentions:
        rec = records.setdefault((m.canonical, m.kind), ActorRecord(m.canonical, m.kind, []))
        if m.text not in rec.aliases:
            rec.aliases.append(m.text)
    return list(records.values())


# ----------------------------------------------------------------------------------------------
# The `timeline mentions` protocol

def mentions_jsonl(in_stream: IO[str], out_stream: IO[str], table: AliasTable | None = None,
                   demonyms: bool = True) -> int:
    """Read {"id", "text", ...} JSON lines, write {"id", "actors": [...]} lines in the same order.

    Demonym mentions (الروسي) carry "demonym": true; with demonyms=False they are left out, as NER
    annotation leaves them out (a scorer that ignores the flag counts them as false LOC mentions).

    A line that cannot be read yields {"id": <id or null>, "error": "..."}; blank lines are skipped.
    Returns the number of error lines written."""
    table = table or load_alias_table()
    errors = 0
    for lineno, line in enumerate(in_stream, 1):
        if not line.strip():
            continue
        rid = None
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("a line must be a JSON object")
            rid = rec.get("id")
            text = rec.get("text")
            if not isinstance(text, str):
                raise ValueError("'text' must be a string")
            actors = [m.to_json() for m in resolve_mentions(text, table) if demonyms or not m.demonym]
            out = {"id": rid, "actors": actors}
        except (ValueError, TypeError) as exc:   # json.JSONDecodeError is a ValueError
            errors += 1
            out = {"id": rid if isinstance(rid, (str, int)) else None, "error": f"line {lineno}: {exc}"}
        out_stream.write(json.dumps(out, ensure_ascii=False) + "\n")
    return errors
