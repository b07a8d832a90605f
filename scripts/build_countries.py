"""Build data/actors/countries.yaml from CLDR (babel) plus hand-kept supplements.

CLDR gives the Arabic name of every territory; it has no variant spellings, no demonyms and no
notion of which names are also ordinary words, so those are kept here as small tables. The output
is readable YAML that users may edit or extend by hand; rerun this script to regenerate it:

    python scripts/build_countries.py > data/actors/countries.yaml
"""
from __future__ import annotations

import re
import sys

import yaml
from babel import Locale

# Not countries (CLDR groupings, pseudo-locales) or tiny dependencies rarely in the news: skipped so the
# gazetteer stays small and does not fire on words like "جيرسي" inside "نيو جيرسي".
SKIP = set(
    "AC AI AQ AS AW AX BL BM BQ BV CC CK CP CW CX DG EA EU EZ FK FO GF GG GP GS GU HM IC IM IO JE KY MF "
    "MP MQ MS NC NF NU PF PM PN QO RE SH SJ SX TA TC TF TK UM UN VG VI WF XA XB YT ZZ".split()
)

# Canonical names the news uses rather than CLDR's (CLDR's stays a variant).
CANONICAL = {
    "PS": "فلسطين", "HK": "هونغ كونغ", "MO": "ماكاو", "MM": "ميانمار", "CD": "الكونغو الديمقراطية",
    "CG": "الكونغو", "DK": "الدنمارك", "HU": "المجر", "TL": "تيمور الشرقية", "OM": "سلطنة عمان",
}

# Variant spellings and official long forms seen in Arabic news.
VARIANTS = {
    "US": ["الولايات المتحدة الأمريكية", "الولايات المتحدة الأميركية", "أمريكا", "أميركا"],
    "RU": ["روسيا الاتحادية", "جمهورية روسيا الاتحادية"],
    "GB": ["بريطانيا", "بريطانيا العظمى"],
    "KP": ["جمهورية كوريا الديمقراطية الشعبية", "كوريا الديمقراطية"],
    "KR": ["جمهورية كوريا"],
    "SA": ["السعودية", "المملكة السعودية"],
    "AE": ["الإمارات", "دولة الإمارات", "دولة الإمارات العربية المتحدة"],
    "CN": ["جمهورية الصين الشعبية", "الصين الشعبية"],
    "IR": ["الجمهورية الإسلامية الإيرانية", "جمهورية إيران الإسلامية"],
    "SY": ["سورية", "الجمهورية العربية السورية"],
    "EG": ["جمهورية مصر العربية"],
    "PS": ["دولة فلسطين", "الأراضي الفلسطينية"],
    "HU": ["هنغاريا"],
    "CZ": ["جمهورية التشيك", "التشيك"],
    "BY": ["روسيا البيضاء", "بيلاروسيا"],
    "MK": ["مقدونيا"],
    "CI": ["كوت ديفوار"],
    "MM": ["بورما"],
    "IE": ["إيرلندا", "ايرلندا"],
    "IS": ["أيسلندا"],
    "MA": ["المملكة المغربية"],
    "JO": ["المملكة الأردنية الهاشمية", "المملكة الأردنية"],
    "BH": ["مملكة البحرين"],
    "KW": ["دولة الكويت"],
    "QA": ["دولة قطر"],
    "DK": ["الدانمرك", "الدانمارك"],
    "CD": ["جمهورية الكونغو الديمقراطية", "الكونغو - كينشاسا"],
    "CG": ["الكونغو - برازافيل", "جمهورية الكونغو"],
    "TR": ["تركية"],
    "NL": ["هولاندا"],
    "ML": ["جمهورية مالي", "دولة مالي"],
    "BJ": ["جمهورية بنين", "دولة بنين"],
    "OM": ["عُمان"],
    "TL": ["تيمور - ليشتي"],
    "VA": ["دولة الفاتيكان"],
    "LY": ["دولة ليبيا"],
    "SD": ["جمهورية السودان"],
    "IQ": ["جمهورية العراق"],
    "YE": ["الجمهورية اليمنية"],
    "UA": ["أوكرانية"],
}

# Names that are also ordinary words: the bare name does not count as a mention, only the variants
# ("مالي" = financial, "بنين" = sons, "عمان" = Amman or Oman).
NOT_BARE = {"ML", "BJ", "OM"}

# Irregular demonyms (masculine singular, without ال); multi-word ones inflect word by word.
DEMONYMS = {
    "US": ["أمريكي", "أميركي"], "GB": ["بريطاني"], "AT": ["نمساوي"], "CD": ["كونغولي"], "CG": ["كونغولي"],
    "CI": ["إيفواري"], "PE": ["بيروفي"], "PS": ["فلسطيني"], "KP": ["كوري شمالي"], "KR": ["كوري جنوبي"],
    "ZA": ["جنوب أفريقي"], "SS": ["جنوب سوداني"], "EH": ["صحراوي"], "DK": ["دنماركي"], "HU": ["مجري"],
    "CZ": ["تشيكي"], "BY": ["بيلاروسي"], "NZ": ["نيوزيلندي"], "AE": ["إماراتي"], "SA": ["سعودي"],
    "MK": ["مقدوني"], "BA": ["بوسني"], "SY": ["سوري"], "IR": ["إيراني"], "OM": ["عماني"], "CY": ["قبرصي"],
    "IE": ["إيرلندي", "أيرلندي"], "IS": ["أيسلندي"], "EG": ["مصري"], "TL": [], "VA": [], "HK": [], "MO": [],
    "ML": [], "BJ": [], "NE": ["نيجري"], "GE": ["جورجي"], "KZ": ["كازاخستاني"],
}

# Broken plurals ("الروس" = the Russians), written without ال.
PLURALS = {"RU": ["روس"], "TR": ["أتراك"], "DE": ["ألمان"], "GB": ["إنجليز", "إنكليز"]}


def clean(name: str) -> tuple[str, list[str]]:
    """CLDR names may carry a parenthesised alternative: "ميانمار (بورما)" -> ("ميانمار", ["بورما"])."""
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if m:
        return m.group(1).strip(), [m.group(2).strip()]
    return name.strip(), []


def regular_demonym(name: str) -> list[str]:
    """The regular nisba of a one-word country name: روسيا → روسي، فرنسا → فرنسي، لبنان → لبناني."""
    if " " in name or "-" in name:
        return []  # multi-word names need an explicit entry (كوريا الشمالية → كوري شمالي)
    stem = name[2:] if name.startswith("ال") else name
    if stem.endswith("يا"):
        return [stem[:-1]]
    if stem.endswith("ية") or stem.endswith("ة"):
        return [stem[:-1] + ("" if stem.endswith("ية") else "ي")]
    if stem.endswith("ا"):
        return [stem[:-1] + "ي"]
    if stem.endswith("ي"):
        return [stem]
    return [stem + "ي"]


def build() -> dict:
    territories = Locale("ar").territories
    out = []
    for code, cldr_name in sorted(territories.items()):
        if len(code) != 2 or code in SKIP:
            continue
        name, extra = clean(cldr_name)
        canonical = CANONICAL.get(code, name)
        variants = [v for v in [name, *extra, *VARIANTS.get(code, [])] if v != canonical]
        demonyms = DEMONYMS[code] if code in DEMONYMS else regular_demonym(name)
        entry = {"code": code, "name": canonical}
        if variants:
            entry["variants"] = list(dict.fromkeys(variants))
        if demonyms:
            entry["demonyms"] = demonyms
        if code in PLURALS:
            entry["plurals"] = PLURALS[code]
        if code in NOT_BARE:
            entry["bare"] = False
        out.append(entry)
    return {"countries": out}


HEADER = """\
# Countries: Arabic names from CLDR (babel) plus variant spellings and demonyms.
# GENERATED by scripts/build_countries.py — edit the tables there, or add entries by hand below.
#
# Format (one entry per country):
#   - code: RU                      # ISO 3166 code
#     name: روسيا                   # canonical name, used as the actor's canonical
#     variants: [روسيا الاتحادية]    # other names matched as this country
#     demonyms: [روسي]              # masculine singular nisba without ال; الروسي، الروسية، روسيون،
#                                   #   الروسيين، روسيات ... are generated from it (multi-word: كوري شمالي)
#     plurals: [روس]                # broken plurals as written, without ال (الروس)
#     bare: false                   # the name alone is a common word: only variants match
"""


def main() -> None:
    sys.stdout.write(HEADER)
    sys.stdout.write(yaml.safe_dump(build(), allow_unicode=True, sort_keys=False, width=200))


if __name__ == "__main__":
    main()
