"""Actors: recognition (gazetteer + grammar), resolution within a document, the JSONL protocol.

Sentences here are written for the tests; real articles are read from ../shared/corpus when present.
"""
from __future__ import annotations

import gzip
import io
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from timeline.actors import (
    ActorMention, ActorResolver, actor_records, find_mentions, load_alias_table, mentions_jsonl,
    resolve_mentions,
)
from timeline.model import ActorRecord

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "000_9a5296bb7c38ec9b.txt"
MIXED = SHARED / "corpus" / "mixed_sample.jsonl"
ANT = SHARED / "corpus" / "ant_news.jsonl.gz"


def spans(text, resolved=True):
    ms = resolve_mentions(text) if resolved else find_mentions(text)
    for m in ms:
        assert text[m.start:m.end] == m.text
    return [(m.text, m.kind, m.canonical) for m in ms]


def has(text, surface, kind, canonical=None):
    got = spans(text)
    want = [g for g in got if g[0] == surface and g[1] == kind and (canonical is None or g[2] == canonical)]
    assert want, f"{surface!r} ({kind}, {canonical}) not in {got}"


def lacks(text, surface):
    got = spans(text)
    assert all(surface not in g[0] for g in got), f"{surface!r} should not be a mention: {got}"


# ---- countries: CLDR names, variants, proclitics, normalization --------------------------------

@pytest.mark.parametrize("text,surface,canonical", [
    ("وصل الوفد إلى روسيا أمس.", "روسيا", "روسيا"),
    ("وقعت الاتفاقية مع الولايات المتحدة الأمريكية.", "الولايات المتحدة الأمريكية", "الولايات المتحدة"),
    ("زار أميركا الشهر الماضي.", "أميركا", "الولايات المتحدة"),
    ("تعهدت روسيا الاتحادية بالرد.", "روسيا الاتحادية", "روسيا"),
    ("أطلقت كوريا الشمالية صاروخاً.", "كوريا الشمالية", "كوريا الشمالية"),
    ("ردت كوريا الجنوبية على الفور.", "كوريا الجنوبية", "كوريا الجنوبية"),
    ("استضافت الإمارات القمة.", "الإمارات", "الإمارات العربية المتحدة"),
    ("وزار المملكة العربية السعودية وفد رسمي.", "المملكة العربية السعودية", "المملكة العربية السعودية"),
    ("دعت السعودية إلى التهدئة.", "السعودية", "المملكة العربية السعودية"),
    ("أرسلت بريطانيا سفينة.", "بريطانيا", "المملكة المتحدة"),
    ("وقعت اشتباكات في سورية.", "سورية", "سوريا"),
    ("أعلنت المجر موقفها.", "المجر", "المجر"),
    ("فاز منتخب فرنسا.", "فرنسا", "فرنسا"),
])
def test_country_names_and_variants(text, surface, canonical):
    has(text, surface, "country", canonical)


@pytest.mark.parametrize("text,surface", [
    ("وصلت المساعدات لروسيا.", "روسيا"),
    ("العمليات العسكرية بأوكرانيا مستمرة.", "أوكرانيا"),
    ("وموسكو ترفض ذلك.", "موسكو"),
    ("فإيران لم ترد.", "إيران"),
    ("كالصين تماما.", "الصين"),
    ("وبالعراق جرت الانتخابات.", "العراق"),
    ("ولكوريا الشمالية حدود مع الصين.", "كوريا الشمالية"),
])
def test_proclitics_stay_outside_the_span(text, surface):
    got = spans(text)
    assert any(g[0] == surface for g in got), got


def test_lam_with_article_keeps_the_name_without_the_proclitic():
    text = "وجه انتقادات للكرملين أمس."
    (m,) = find_mentions(text)
    assert m.canonical == "الكرملين" and m.text == "لكرملين" and text[m.start - 1] == "ل"


@pytest.mark.parametrize("text,surface", [
    ("زار الرئيس رُوسْيَا.", "رُوسْيَا"),            # diacritics
    ("سافر الوفد إلى روسـيا.", "روسـيا"),            # tatweel
    ("وصل إلى اوكرانيا.", "اوكرانيا"),               # bare alef for أ
    ("قالت امريكا.", "امريكا"),
    ("زار سوريه.", "سوريه"),                          # ه for ة
])
def test_normalization_maps_back_to_original_offsets(text, surface):
    got = spans(text)
    assert any(g[0] == surface and g[1] == "country" for g in got), got


def test_offsets_with_diacritics_before_the_mention():
    text = "قَالَ الْمُتَحَدِّثُ إِنَّ مُوسْكُو تَرْفُضُ."
    ms = find_mentions(text)
    m = next(m for m in ms if m.canonical == "روسيا")
    assert text[m.start:m.end] == m.text == "مُوسْكُو"


def test_name_inside_a_longer_word_is_not_a_mention():
    lacks("هذه الإيرانيةجدا كلمة ملتصقة", "إيران")
    assert not [m for m in find_mentions("الروسيات؟ لا، المروسيا") if m.text == "روسيا"]


def test_ambiguous_country_names_need_their_long_form():
    lacks("تتحسن الأوضاع المالية وحجم الدعم مالي كبير.", "مالي")
    has("قتل جنود في جمهورية مالي.", "جمهورية مالي", "country", "مالي")
    lacks("جاء البنين والبنات.", "بنين")


# ---- demonyms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,surface,canonical", [
    ("قال الرئيس الروسي إن بلاده مستعدة.", "الروسي", "روسيا"),
    ("أكدت الحكومة، حسب وكالة روسية، ذلك.", "روسية", "روسيا"),
    ("قال مسؤولون أميركيون إن المحادثات تقدمت.", "أميركيون", "الولايات المتحدة"),
    ("ذكر مسؤولين أمريكيين ذلك.", "أمريكيين", "الولايات المتحدة"),
    ("التقى الزعيم الكوري الشمالي بضيوفه.", "الكوري الشمالي", "كوريا الشمالية"),
    ("أعلنت الصحف الكورية الجنوبية ذلك.", "الكورية الجنوبية", "كوريا الجنوبية"),
    ("وهو أميرال كوري جنوبي متقاعد.", "كوري جنوبي", "كوريا الجنوبية"),
    ("خرج الفرنسيون إلى الشوارع.", "الفرنسيون", "فرنسا"),
    ("التقى نظيره البريطاني.", "البريطاني", "المملكة المتحدة"),
    ("شارك فيه الروس والأتراك.", "الروس", "روسيا"),
    ("شارك فيه الروس والأتراك.", "الأتراك", "تركيا"),
    ("قال مسؤول سعودي كبير.", "سعودي", "المملكة العربية السعودية"),
    ("أعلنت الشركة اللبنانية إفلاسها.", "اللبنانية", "لبنان"),
    ("قالت مصادر فلسطينية.", "فلسطينية", "فلسطين"),
    ("صرح دبلوماسي إماراتي.", "إماراتي", "الإمارات العربية المتحدة"),
])
def test_demonyms_are_mentions_of_their_country(text, surface, canonical):
    has(text, surface, "country", canonical)


# ---- places and metonyms ----------------------------------------------------------------------

@pytest.mark.parametrize("text,surface,canonical", [
    ("أكدت بيونغ يانغ وموسكو القمة.", "بيونغ يانغ", "كوريا الشمالية"),
    ("جنوب غرب العاصمة بيونغيانغ.", "بيونغيانغ", "كوريا الشمالية"),
    ("أكدت بيونغ يانغ وموسكو القمة.", "موسكو", "روسيا"),
    ("ردت واشنطن بفرض عقوبات.", "واشنطن", "الولايات المتحدة"),
    ("وصل الوفد إلى طهران.", "طهران", "إيران"),
    ("وصل الوفد إلى أبو ظبي.", "أبو ظبي", "الإمارات العربية المتحدة"),
])
def test_capitals_stand_for_their_state(text, surface, canonical):
    has(text, surface, "country", canonical)
    m = next(m for m in find_mentions(text) if m.text == surface)
    assert m.place  # the capital itself is kept


@pytest.mark.parametrize("text,surface,country", [
    ("وصل إلى فلاديفوستوك بالقطار.", "فلاديفوستوك", "روسيا"),
    ("قصف في حلب.", "حلب", "سوريا"),
    ("توفيت في دبي أمس.", "دبي", "الإمارات العربية المتحدة"),
    ("تصاعد التوتر في الشرق الأوسط.", "الشرق الأوسط", None),
])
def test_other_places_are_locations(text, surface, country):
    has(text, surface, "location")
    m = next(m for m in find_mentions(text) if m.text == surface)
    assert m.country == country


@pytest.mark.parametrize("text,surface,country", [
    ("قال الكرملين إن الزيارة شاملة.", "الكرملين", "روسيا"),
    ("ورد البيت الأبيض على ذلك.", "البيت الأبيض", "الولايات المتحدة"),
    ("أعلن البنتاغون نشر قوات.", "البنتاغون", "الولايات المتحدة"),
    ("وأفاد الإليزيه بأن الرئيس سيسافر.", "الإليزيه", "فرنسا"),
    ("قالت داونينغ ستريت إن الاجتماع انتهى.", "داونينغ ستريت", "المملكة المتحدة"),
])
def test_seats_of_power_are_organizations_linked_to_a_country(text, surface, country):
    has(text, surface, "organization", surface)
    m = next(m for m in find_mentions(text) if m.text == surface)
    assert m.country == country


def test_kremlin_with_proclitic():
    has("تواصل بين بيونغ يانغ والكرملين.", "الكرملين", "organization")


# ---- organizations ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,surface,canonical", [
    ("فرضت الأمم المتحدة عقوبات.", "الأمم المتحدة", "الأمم المتحدة"),
    ("اجتمع مجلس الأمن الدولي.", "مجلس الأمن الدولي", "مجلس الأمن"),
    ("حذرت منظمة الصحة العالمية.", "منظمة الصحة العالمية", "منظمة الصحة العالمية"),
    ("وفق رويترز.", "رويترز", "رويترز"),
    ("بحسب فرانس برس.", "فرانس برس", "وكالة الأنباء الفرنسية"),
    ("نقلت وكالة الأنباء الفرنسية الخبر.", "وكالة الأنباء الفرنسية", "وكالة الأنباء الفرنسية"),
    ("اجتمع وزراء حلف الناتو.", "حلف الناتو", "حلف شمال الأطلسي"),
    ("قال الناتو إن التدريبات انتهت.", "الناتو", "حلف شمال الأطلسي"),
    ("اجتمع قادة حلف شمال الأطلسي.", "حلف شمال الأطلسي", "حلف شمال الأطلسي"),
    ("وأعلن الاتحاد الأوروبي حزمة جديدة.", "الاتحاد الأوروبي", "الاتحاد الأوروبي"),
    ("أطلقت حماس صواريخ.", "حماس", "حماس"),
    ("قال حزب الله إنه رد.", "حزب الله", "حزب الله"),
    ("هاجم تنظيم داعش القرية.", "داعش", "تنظيم الدولة الإسلامية"),   # the descriptor head stays outside
])
def test_known_organizations(text, surface, canonical):
    has(text, surface, "organization", canonical)


@pytest.mark.parametrize("text,surface", [
    ("وفقا لتحليل مركز الدراسات الاستراتيجية والدولية.", "مركز الدراسات الاستراتيجية والدولية"),
    ("أعلنت وزارة الخارجية الروسية الأسبوع الماضي رفضها.", "وزارة الخارجية الروسية"),
    ("قالت وزارة الدفاع إن القوات انسحبت.", "وزارة الدفاع"),
    ("أصدرت جامعة القاهرة بيانا.", "جامعة القاهرة"),
    ("فاز حزب العمال البريطاني.", "حزب العمال"),   # a party keeps no demonym (NER gold convention)
    ("أعلنت شركة الخطوط الجوية القطرية.", "الخطوط الجوية القطرية"),   # a descriptor head stays outside
    ("وقالت لجنة الانتخابات المركزية اليوم إن النتائج جاهزة.", "لجنة الانتخابات المركزية"),
])
def test_organizations_from_head_nouns(text, surface):
    has(text, surface, "organization")


@pytest.mark.parametrize("text,surface", [
    ("قال الجيش الروسي إنه تقدم.", "الجيش الروسي"),
    ("ردت الحكومة العراقية.", "الحكومة العراقية"),
    ("مدمرات البحرية الأميركية من فئة أرلي بيرك.", "البحرية الأميركية"),
    ("خفض البنك المركزي المصري الفائدة.", "البنك المركزي المصري"),
])
def test_definite_institutions_with_a_demonym(text, surface):
    has(text, surface, "organization")


def test_head_noun_alone_is_no_organization():
    lacks("قالت الوزارة إن الأمر انتهى.", "الوزارة")
    lacks("احتل مركز متقدما.", "مركز")


# ---- people -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,surface,canonical", [
    ("اجتمع مع الرئيس فلاديمير بوتين هما ضمن زيارة.", "فلاديمير بوتين", "فلاديمير بوتين"),
    ("قال بوتين إن العلاقات جيدة.", "بوتين", "فلاديمير بوتين"),
    ("مع الرئيس الأميركي السابق دونالد ترمب.", "دونالد ترمب", "دونالد ترامب"),
    ("ورد ترامب بتغريدة.", "ترامب", "دونالد ترامب"),
    ("زعيم كوريا الشمالية كيم يونغ أون يزور روسيا.", "كيم يونغ أون", "كيم جونغ أون"),
    ("التقى كيم جونج أون بالوفد.", "كيم جونج أون", "كيم جونغ أون"),
    ("صرح ماكرون للصحفيين.", "ماكرون", "إيمانويل ماكرون"),
    ("وقال نتانياهو إن الحرب طويلة.", "نتانياهو", "بنيامين نتنياهو"),
    ("وجه غوتيريس نداء.", "غوتيريس", "أنطونيو غوتيريش"),
])
def test_known_people_and_their_spellings(text, surface, canonical):
    has(text, surface, "person", canonical)


@pytest.mark.parametrize("text,surface", [
    ("أعلن المتحدث باسم الكرملين دميتري بيسكوف أن الرحلة شاملة.", "دميتري بيسكوف"),
    ("قال وزير الخارجية الأردني أيمن الصفدي إن الحل سياسي.", "أيمن الصفدي"),
    ("أكد رئيس الوزراء العراقي مصطفى الكاظمي ذلك.", "مصطفى الكاظمي"),
    ("وقال الأميرال المتقاعد جون كيربي إن السفينة كبيرة.", "جون كيربي"),
    ("استقبل الملك عبد الله الثاني الوفد.", "عبد الله الثاني"),
    ("وصرحت المتحدثة باسم وزارة الخارجية الروسية ماريا زاخاروفا بأن الرد قادم.", "ماريا زاخاروفا"),
    ("قال الأمين العام للأمم المتحدة أنطونيو غوتيريش إن الوضع خطير.", "أنطونيو غوتيريش"),
    ("قال المبعوث الأممي مارتن غريفيث إن المحادثات مستمرة.", "مارتن غريفيث"),
    ("أشار الشيخ محمد بن راشد إلى الخطة.", "محمد بن راشد"),
    ("صرح السفير الأمريكي ديفيد فريدمان للصحفيين.", "ديفيد فريدمان"),
])
def test_names_after_titles(text, surface):
    has(text, surface, "person")
    # the title is not part of the span
    got = spans(text)
    assert not any(g[1] == "person" and g[0] != surface and surface in g[0] for g in got)


@pytest.mark.parametrize("text,surface", [
    ("وقال بيسكوف: ستعقد محادثات.", "بيسكوف"),
    ("وقال كيم دوك كي، وهو أميرال كوري جنوبي متقاعد، إنه يعتقد ذلك.", "كيم دوك كي"),
    ("وأضاف سامر الخطيب إن الأوضاع صعبة.", "سامر الخطيب"),
    ("وقالت جين ساكي في مؤتمر صحفي إن الإدارة تتابع.", "جين ساكي"),
    ("وفقا لتحليل أجراه جوزيف بيرموديز جونيور وجنيفر جون في مركز الدراسات.", "جوزيف بيرموديز جونيور"),
    ("وفقا لتحليل أجراه جوزيف بيرموديز جونيور وجنيفر جون في مركز الدراسات.", "جنيفر جون"),
])
def test_names_after_reporting_verbs(text, surface):
    has(text, surface, "person")


@pytest.mark.parametrize("text", [
    "وقال مصدر في الحكومة إن الاجتماع انتهى.",
    "وقال مسؤولون أمريكيون إن الصفقة قريبة.",
    "وأضاف البيان أن الحادث وقع ليلا.",
    "قال إن الاجتماع كان مثمرا.",
    "وذكرت وسائل إعلام محلية أن الطريق أغلق.",
    "نقلت إنذاراً إلى السكان.",
    "الرئيس التنفيذي لأرسنال سيغادر.",
    "نعاها الرئيس بعبارات مؤثرة.",
    "لمساعدة روسيا في عمليتها العسكرية.",
    "قال المتحدث إن الوزير ووزير الدفاع سيجتمعان.",
])
def test_no_person_in_ordinary_phrases(text):
    people = [g for g in spans(text) if g[1] == "person"]
    assert people == [], people


# ---- resolution inside a document ---------------------------------------------------------------

def test_surname_alone_resolves_to_the_full_name_seen_earlier():
    text = ("أعلن المتحدث باسم الكرملين دميتري بيسكوف أن الرحلة شاملة. "
            "وقال بيسكوف: ستعقد محادثات.")
    people = [g for g in spans(text) if g[1] == "person"]
    assert [p[2] for p in people] == ["دميتري بيسكوف", "دميتري بيسكوف"]


def test_rule_found_surname_resolves_within_the_document():
    text = "قال وزير الخارجية الأردني أيمن الصفدي إن الحل سياسي. وأضاف الصفدي أن الحوار مستمر."
    people = [g for g in spans(text) if g[1] == "person"]
    assert people[-1] == ("الصفدي", "person", "أيمن الصفدي")


def test_short_form_only_where_the_full_name_appears():
    assert not [g for g in spans("وفعل كيم ذلك.") if g[1] == "person"]
    text = "زعيم كوريا الشمالية كيم يونغ أون يصل. وفعل كيم ذلك على الرغم من العقوبات."
    people = [g for g in spans(text) if g[1] == "person"]
    assert people[-1] == ("كيم", "person", "كيم جونغ أون")


def test_a_different_person_sharing_a_token_stays_apart():
    text = ("زعيم كوريا الشمالية كيم يونغ أون يصل. وقال كيم دوك كي، وهو أميرال متقاعد، إنه يعتقد ذلك. "
            "وانخرط نظام الزعيم الكوري الشمالي كيم جونغ أون في التحديث. وفعل كيم ذلك.")
    people = [g for g in spans(text) if g[1] == "person"]
    canon = [p[2] for p in people]
    assert canon == ["كيم جونغ أون", "كيم دوك كي", "كيم جونغ أون", "كيم جونغ أون"]
    records = {r.canonical: r for r in actor_records(resolve_mentions(text)) if r.kind == "person"}
    assert set(records) == {"كيم جونغ أون", "كيم دوك كي"}
    assert set(records["كيم جونغ أون"].aliases) == {"كيم يونغ أون", "كيم جونغ أون", "كيم"}


def test_short_form_before_the_full_name_takes_the_first_later_one():
    text = "اجتماع بوتين مع كيم سيكون شاملا. وكان زعيم كوريا الشمالية كيم يونغ أون قد وصل."
    people = [g for g in spans(text) if g[1] == "person"]
    assert ("كيم", "person", "كيم جونغ أون") in people


def test_spelling_key_merges_transliteration_variants_not_in_the_table():
    text = "قال المبعوث الأمريكي توم باراك إن الوضع صعب. وأضاف المبعوث توم برّاك أن الحل بعيد."
    people = [g for g in spans(text) if g[1] == "person"]
    assert [p[0] for p in people] == ["توم باراك", "توم برّاك"]
    assert {p[2] for p in people} == {"توم باراك"}


def test_resolver_merges_organization_and_country_spellings():
    text = "أعلنت الولايات المتحدة الأميركية عقوبات. وردت أمريكا على روسيا. وقالت الأمم المتّحدة إنها قلقة."
    recs = actor_records(resolve_mentions(text))
    by = {(r.canonical, r.kind): r for r in recs}
    assert set(by[("الولايات المتحدة", "country")].aliases) == {"الولايات المتحدة الأميركية", "أمريكا"}
    assert ("الأمم المتحدة", "organization") in by
    assert all(isinstance(r, ActorRecord) for r in recs)


def test_resolver_is_a_pure_function_of_its_mentions():
    text = SEED.read_text(encoding="utf-8") if SEED.exists() else "قال بوتين إن روسيا مستعدة."
    ms = find_mentions(text)
    before = [(m.text, m.canonical) for m in ms]
    ActorResolver().resolve(ms)
    assert [(m.text, m.canonical) for m in ms] == before


# ---- the seed article ---------------------------------------------------------------------------

@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not present")
def test_seed_article_actors():
    text = SEED.read_text(encoding="utf-8")
    ms = resolve_mentions(text)
    got = {(m.text, m.kind, m.canonical) for m in ms}
    for want in [
        ("دميتري بيسكوف", "person", "دميتري بيسكوف"),
        ("بيسكوف", "person", "دميتري بيسكوف"),
        ("كيم يونغ أون", "person", "كيم جونغ أون"),
        ("كيم جونغ أون", "person", "كيم جونغ أون"),
        ("كيم", "person", "كيم جونغ أون"),
        ("فلاديمير بوتين", "person", "فلاديمير بوتين"),
        ("دونالد ترمب", "person", "دونالد ترامب"),
        ("كيم دوك كي", "person", "كيم دوك كي"),
        ("جوزيف بيرموديز جونيور", "person", "جوزيف بيرموديز جونيور"),
        ("جنيفر جون", "person", "جنيفر جون"),
        ("مركز الدراسات الاستراتيجية والدولية", "organization", "مركز الدراسات الاستراتيجية والدولية"),
        ("الكرملين", "organization", "الكرملين"),
        ("رويترز", "organization", "رويترز"),
        ("الأمم المتحدة", "organization", "الأمم المتحدة"),
        ("روسيا", "country", "روسيا"),
        ("أوكرانيا", "country", "أوكرانيا"),
        ("بيونغ يانغ", "country", "كوريا الشمالية"),
        ("موسكو", "country", "روسيا"),
    ]:
        assert want in got, want
    persons = {m.canonical for m in ms if m.kind == "person"}
    assert persons == {"فلاديمير بوتين", "كيم جونغ أون", "دميتري بيسكوف", "دونالد ترامب", "كيم دوك كي",
                       "جوزيف بيرموديز جونيور", "جنيفر جون"}
    # no span carries a title or a proclitic
    assert not any(m.text.startswith(("الرئيس", "المتحدث", "الزعيم", "و")) and m.kind == "person" for m in ms)


# ---- real articles ------------------------------------------------------------------------------

def _mixed():
    if not MIXED.exists():
        pytest.skip("../shared/corpus/mixed_sample.jsonl is not present")
    with open(MIXED, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_mixed_sample_offsets_and_kinds():
    arts = _mixed()
    total = 0
    for a in arts:
        text = a["text"]
        for m in resolve_mentions(text):
            assert text[m.start:m.end] == m.text and m.text.strip() == m.text
            assert m.kind in ("person", "organization", "country", "location")
            assert m.canonical
            total += 1
    assert total > 3000


def _find(arts, id_):
    for a in arts:
        if a["id"] == id_:
            return a["text"]
    pytest.skip(f"{id_} not in the sample")


@pytest.mark.parametrize("id_,expected", [
    ("antm:AL-economy-1070-20180723", [("دونالد ترمب", "person", "دونالد ترامب"),
                                       ("مجموعة العشرين", "organization", "مجموعة العشرين"),
                                       ("المفوضية الأوروبية", "organization", "المفوضية الأوروبية"),
                                       ("بكين", "country", "الصين"), ("الأرجنتين", "country", "الأرجنتين")]),
    ("antm:AL-internationalNews-1977-20180717", [("حماس", "organization", "حماس"),
                                                  ("وزارة الدفاع الإسرائيلية", "organization", None),
                                                  ("غزة", "location", "غزة"), ("مصر", "country", "مصر")]),
    ("antm:AL-internationalNews-1822-20180709", [("تيريزا ماي", "person", "تيريزا ماي"),
                                                  ("ماي", "person", "تيريزا ماي"),
                                                  ("بروكسل", "country", "بلجيكا"),
                                                  ("الاتحاد الأوروبي", "organization", "الاتحاد الأوروبي")]),
    ("antm:AL-economy-35-20180212", [("البنك المركزي المصري", "organization", None),
                                      ("صندوق النقد الدولي", "organization", "صندوق النقد الدولي"),
                                      ("وزارة المالية", "organization", None)]),
])
def test_real_articles(id_, expected):
    text = _find(_mixed(), id_)
    got = resolve_mentions(text)
    for surface, kind, canonical in expected:
        assert any(m.text == surface and m.kind == kind and (canonical is None or m.canonical == canonical)
                   for m in got), (surface, kind, canonical)


def test_real_articles_people_precision():
    """Rule-found people in the first 60 articles are mostly names: few common nouns slip in."""
    arts = _mixed()[:60]
    found = [m.text for a in arts for m in resolve_mentions(a["text"]) if m.kind == "person" and m.source == "rule"]
    assert len(found) > 60
    # common nouns that once passed as names must not come back
    for bad in ("إنذاراً", "بعبارات", "وسائل إعلام", "لمدة خمس سنوات", "عمليتها"):
        assert bad not in found


# ---- the alias table is data --------------------------------------------------------------------

def test_user_alias_file_extends_the_table(tmp_path, monkeypatch):
    extra = tmp_path / "mine.yaml"
    extra.write_text("people:\n  - canonical: سامي الفلاني\n    aliases: [أبو سمير]\n"
                     "organizations:\n  - {canonical: جمعية الفجر, aliases: [الفجر للتنمية]}\n"
                     "actors:\n  - {canonical: وادي الريان, kind: location}\n", encoding="utf-8")
    table = load_alias_table([extra])
    text = "وقال أبو سمير إن الفجر للتنمية تعمل في وادي الريان."
    got = {(m.text, m.kind, m.canonical) for m in find_mentions(text, table)}
    assert ("أبو سمير", "person", "سامي الفلاني") in got
    assert ("الفجر للتنمية", "organization", "جمعية الفجر") in got
    assert ("وادي الريان", "location", "وادي الريان") in got
    monkeypatch.setenv("TIMELINE_ACTORS", str(extra))
    assert ("أبو سمير", "person", "سامي الفلاني") in {(m.text, m.kind, m.canonical) for m in find_mentions(text)}


def test_bad_user_file_names_the_file(tmp_path):
    from timeline.errors import InputError
    bad = tmp_path / "bad.yaml"
    bad.write_text("people:\n  - aliases: [x]\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.yaml"):
        load_alias_table([bad])
    bad.write_text("people: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_alias_table([bad])
    bad.write_text("actors:\n  - {canonical: س, kind: planet}\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown kind"):
        load_alias_table([bad])


def test_every_data_file_documents_its_format():
    from timeline.paths import ACTORS_DIR
    for f in ACTORS_DIR.glob("*.yaml"):
        head = f.read_text(encoding="utf-8").splitlines()[:3]
        assert head and head[0].startswith("#"), f


def test_countries_file_is_what_the_build_script_makes():
    import subprocess
    import sys
    from timeline.paths import ACTORS_DIR, REPO_ROOT
    out = subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "build_countries.py")],
                         capture_output=True, text=True, check=True).stdout
    assert out == (ACTORS_DIR / "countries.yaml").read_text(encoding="utf-8")


# ---- the JSONL protocol ---------------------------------------------------------------------------

def test_mentions_jsonl_protocol():
    lines = [
        json.dumps({"id": "a", "text": "قال بوتين إن روسيا مستعدة.", "reference": None}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": 7, "text": 12}),
        "",
        json.dumps(["a list"]),
        json.dumps({"id": "b", "text": ""}),
    ]
    out = io.StringIO()
    errors = mentions_jsonl(io.StringIO("\n".join(lines) + "\n"), out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert errors == 3 and len(rows) == 5
    assert rows[0]["id"] == "a"
    assert rows[0]["actors"][0] == {"text": "بوتين", "start": 4, "end": 9, "kind": "person",
                                    "canonical": "فلاديمير بوتين"}
    assert rows[1] == {"id": None, "error": rows[1]["error"]} and "line 2" in rows[1]["error"]
    assert rows[2]["id"] == 7 and "error" in rows[2]
    assert rows[3]["id"] is None and "error" in rows[3]
    assert rows[4] == {"id": "b", "actors": []}


# ---- properties -------------------------------------------------------------------------------------

_alphabet = st.sampled_from(list("ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآىةؤئ ًٌٍَُِّْـ،.:\n") +
                            ["روسيا", "موسكو", "الرئيس ", "قال ", "بوتين", "كيم ", "وزارة ", "الخارجية "])


@settings(max_examples=200, deadline=None)
@given(st.lists(_alphabet, max_size=40).map("".join))
def test_offsets_always_point_into_the_original(text):
    ms = resolve_mentions(text)
    last = -1
    for m in ms:
        assert text[m.start:m.end] == m.text and m.start < m.end
        assert m.start >= last  # in order, no overlaps
        last = m.end


# ---- speed ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_runs_on_real_news():
    if not ANT.exists():
        pytest.skip("../shared/corpus/ant_news.jsonl.gz is not present")
    texts = []
    with gzip.open(ANT, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= 1500:
                break
            texts.append(json.loads(line)["text"])
    table = load_alias_table()
    resolve_mentions(texts[0], table)
    size = sum(len(t.encode("utf-8")) for t in texts)
    t0 = time.perf_counter()
    for t in texts:
        resolve_mentions(t, table)
    rate = size / (time.perf_counter() - t0) / 1e6
    # reported, not asserted: speed targets are checked by benchmarks, not timed unit tests
    print(f"actors: {rate:.2f} MB/s on {len(texts)} articles")


# ---- NER-style scoring on the gold sets (tests/gold/mentions_*.jsonl) -------------------------------
# Spans as an NER annotator marks them: no titles, no proclitics, no demonyms; PER, ORG, LOC.
# benchmarks/eval_mentions.py prints the full table; these floors sit below the measured figures
# (dev: strict F1 0.90, relaxed 0.95; held-out: strict 0.86, relaxed 0.90) with a margin.

GOLD = Path(__file__).resolve().parent / "gold"


def _gold_f1(name: str) -> tuple[float, float]:
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "eval_mentions", Path(__file__).resolve().parents[1] / "benchmarks" / "eval_mentions.py")
    ev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ev)
    rows = ev.load_gold(GOLD / name)
    table = load_alias_table()
    preds = {r["id"]: ev.predictions([m.to_json() for m in resolve_mentions(r["text"], table)], False)
             for r in rows}
    scores = ev.evaluate(rows, preds)
    return scores["strict"].prf()[2], scores["relaxed"].prf()[2]


def test_dev_gold_f1():
    strict, relaxed = _gold_f1("mentions_dev.jsonl")
    assert strict >= 0.85, strict
    assert relaxed >= 0.92, relaxed


def test_heldout_gold_f1():
    strict, relaxed = _gold_f1("mentions_test.jsonl")
    assert strict >= 0.78, strict
    assert relaxed >= 0.85, relaxed


def test_gold_offsets_are_exact():
    for name in ("mentions_dev.jsonl", "mentions_test.jsonl"):
        for line in (GOLD / name).read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            for e in rec["entities"]:
                assert rec["text"][e["start"]:e["end"]] == e["text"], (rec["id"], e)
                assert e["type"] in ("PER", "ORG", "LOC")


# ---- rules added for NER-style spans -----------------------------------------------------------------

def kinds(text):
    return [(m.text, m.kind) for m in resolve_mentions(text) if not m.demonym]


@pytest.mark.parametrize("text,expected", [
    # a given name opens a name without a title or a verb
    ("سجل يوسف بلايلي هدفا رائعا.", ("يوسف بلايلي", "person")),
    ("وصل جون كيربي إلى عمان.", ("جون كيربي", "person")),
    # names stop at common words counted over real news
    ("أكد المبعوث الخاص عبد الله باتيلي ضرورة الحوار.", ("عبد الله باتيلي", "person")),
    ("تحيي الفنانة فيروز حفلا خاصا.", ("فيروز", "person")),
    # after بن / ولد / آل any word is part of the name
    ("قال المخرج محمد بن عطية إن الفيلم جاهز.", ("محمد بن عطية", "person")),
    ("وقع الرئيس محمد ولد الشيخ الغزواني مرسوما.", ("محمد ولد الشيخ الغزواني", "person")),
    # علي written with ي is a name, على is a preposition
    ("قال الوزير علي بن أحمد الكواري إن الموازنة متوازنة.", ("علي بن أحمد الكواري", "person")),
    # a definite demonym used as a noun before a name
    ("خسرت أمام التشيكية ماركيتا فوندروسوفا.", ("ماركيتا فوندروسوفا", "person")),
])
def test_person_rules(text, expected):
    assert expected in kinds(text), kinds(text)


@pytest.mark.parametrize("text,expected", [
    # descriptor heads stay outside: شركة، نادي، صحيفة، حركة، منظمة + a name without the article
    ("أعلنت شركة هاليبرتون الأمريكية عن أرباحها.", ("هاليبرتون", "organization")),
    ("فاز نادي الزمالك على ضيفه في مباراة الدوري.", ("الزمالك", "organization")),
    ("نشرت صحيفة الشروق تقريرا.", ("الشروق", "organization")),
    ("قال المتحدث باسم حركة حماس إن الهدنة صامدة.", ("حماس", "organization")),
    ("قررت منظمة أوبك خفض الإنتاج.", ("أوبك", "organization")),
    ("أعلنت مجموعة أوراسكوم للإنشاءات فوزها بعقد.", ("أوراسكوم للإنشاءات", "organization")),
    ("وقعت شركة نفط الكويت عقدا.", ("نفط الكويت", "organization")),
    # other heads keep their name, its ل-genitives, و-coordinations and the demonym
    ("وأكد رئيس الاتحاد الجزائري لكرة القدم أن المدرب باق.", ("الاتحاد الجزائري لكرة القدم", "organization")),
    ("كشف الجهاز المركزي للتعبئة العامة والإحصاء عن الأرقام.",
     ("الجهاز المركزي للتعبئة العامة والإحصاء", "organization")),
    ("أعلنت وزارة الداخلية الكويتية القبض على شبكة.", ("وزارة الداخلية الكويتية", "organization")),
    ("أكد رئيس مجلس النواب اللبناني أن الجلسة ستعقد.", ("مجلس النواب اللبناني", "organization")),
    ("استضافت مؤسسة عبد الحميد شومان أمسية.", ("مؤسسة عبد الحميد شومان", "organization")),
    ("وصلت قافلة من الهلال الأحمر الإماراتي.", ("الهلال الأحمر الإماراتي", "organization")),
    # ... but a party or a club keeps no demonym
    ("وأصدر حزب العدالة والتنمية المغربي بيانا.", ("حزب العدالة والتنمية", "organization")),
])
def test_organization_rules(text, expected):
    assert expected in kinds(text), kinds(text)


@pytest.mark.parametrize("text,absent", [
    ("التقى وزير الخارجية الأردني نظيره.", "الخارجية الأردني"),     # the title's complement, no ministry
    ("استقبلت وزيرة الخارجية الإيطالية الوفد.", "الخارجية الإيطالية"),
    ("ارتفعت حركة الشراء في الأسواق.", "الشراء"),                   # descriptor + common noun
    ("أرسلت السلطات سيارات إلى موقع الحادث.", "الحادث"),
    ("قالت الشركة اللبنانية إنها ستوسع أعمالها.", "الشركة اللبنانية"),  # a generic head + demonym
    ("ناقش الوزراء الاتفاق مع إيران في فيينا.", "الاتفاق"),          # a club name outside sport
    ("وصل جده إلى المدينة.", "جده"),                                # his grandfather, not Jeddah
    ("قال اللاعب إنه سيغادر.", "سيغادر"),
    ("وقال كريس يونغ ينتظر الحكم.", "ينتظر"),
])
def test_rules_do_not_overreach(text, absent):
    assert all(absent not in t for t, _ in kinds(text)), kinds(text)


@pytest.mark.parametrize("text,expected", [
    ("اجتاحت السيول مدينة درنة في شرق ليبيا.", ("درنة", "location")),       # head outside
    ("ضرب زلزال إقليم الحوز جنوب مراكش.", ("الحوز", "location")),
    ("ارتفع منسوب نهر دجلة في الموصل.", ("نهر دجلة", "location")),          # head inside
    ("قرب مطار دمشق الدولي.", ("مطار دمشق الدولي", "location")),
    ("احتشد الآلاف في ميدان التحرير.", ("ميدان التحرير", "location")),
    ("افتتح معرضا في حي الزمالك بالقاهرة.", ("الزمالك", "location")),       # a club's name as a place
    ("في بلدة القبيات شمال لبنان.", ("القبيات", "location")),
])
def test_place_rules(text, expected):
    assert expected in kinds(text), kinds(text)


def test_demonyms_are_flagged_in_the_protocol():
    out = io.StringIO()
    mentions_jsonl(io.StringIO(json.dumps({"id": 1, "text": "قال المسؤول الروسي إن روسيا سترد."},
                                          ensure_ascii=False) + "\n"), out)
    actors = json.loads(out.getvalue())["actors"]
    flagged = {a["text"]: a.get("demonym", False) for a in actors}
    assert flagged == {"الروسي": True, "روسيا": False}, actors
    assert all({"text", "start", "end", "kind", "canonical"} <= set(a) for a in actors)


def test_demonyms_can_be_left_out_of_the_protocol():
    out = io.StringIO()
    mentions_jsonl(io.StringIO(json.dumps({"id": 1, "text": "قال المسؤول الروسي إن روسيا سترد."},
                                          ensure_ascii=False) + "\n"), out, demonyms=False)
    assert [a["text"] for a in json.loads(out.getvalue())["actors"]] == ["روسيا"]
