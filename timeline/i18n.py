"""UI strings in Arabic and English, kept as data in `data/ui_strings.yaml`.

`t(key, lang, **fields)` looks a string up and fills `{fields}`. A missing key or language falls back
to English, then to the key itself, so a gap in the translation shows up as readable text, not a crash.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from timeline.paths import DATA_DIR, REPO_ROOT

LANGS = ("ar", "en")
DEFAULT_LANG = "ar"
RTL_LANGS = frozenset({"ar"})
LANG_NAMES = {"ar": "العربية", "en": "English"}


def _strings_path() -> Path:
    # TIMELINE_DATA may point at a data folder without UI strings; the repo copy is the fallback.
    path = DATA_DIR / "ui_strings.yaml"
    return path if path.exists() else REPO_ROOT / "data" / "ui_strings.yaml"


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, str]]:
    with open(_strings_path(), encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return {str(k): {str(lk): str(lv) for lk, lv in v.items()} for k, v in data.items()}


def t(key: str, lang: str = DEFAULT_LANG, **fields) -> str:
    entry = strings().get(key)
    if entry is None:
        text = key
    else:
        text = entry.get(lang) or entry.get("en") or key
    return text.format(**fields) if fields else text


def is_rtl(lang: str) -> bool:
    return lang in RTL_LANGS


def label(prefix: str, value: str | None, lang: str) -> str:
    """Label for a vocabulary value (kind_person, gran_year, tense_past...); unknown values as is."""
    key = f"{prefix}_{value if value is not None else 'none'}"
    return t(key, lang) if key in strings() else (value or t(f"{prefix}_none", lang))
