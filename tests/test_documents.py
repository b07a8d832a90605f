"""timeline.documents: every input format and encoding, page structure, dates and bad input.

Fixtures are written by the tests themselves (small made-up articles); the real seed article is the
repo's seeds/ copy, and ../shared/corpus is read in place (skipped where it is absent).
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
import tracemalloc
import types
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline import documents as docs_mod
from timeline.documents import (
    decode_bytes, document_id, missing_date_error, parse_publication_date, read_paths,
    read_text_document,
)
from timeline.errors import InputError
from timeline.model import Document, TimeExpression
from timeline.paths import SEEDS_DIR

SEED = SEEDS_DIR / "000_9a5296bb7c38ec9b.txt"
SHARED = Path(__file__).parents[1] / ".." / "shared"

ARTICLE = (
    "وزير الخارجية يزور موسكو\n"
    "أعلن وزير الخارجية أنه سيزور موسكو الأسبوع المقبل لإجراء محادثات.\n"
    "وقال المتحدث إن الزيارة تأتي بعد لقاء الرئيسين في العام الماضي.\n"
)


def read(*paths, **kw) -> list:
    return list(read_paths(list(paths), **kw))


def documents(items) -> list[Document]:
    return [x for x in items if isinstance(x, Document)]


def errors(items) -> list[InputError]:
    return [x for x in items if isinstance(x, InputError)]


def spans_text(doc: Document) -> list[str]:
    return [doc.text[s:e] for s, e in doc.boilerplate]


def shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared is absent (a user's clone): {relative} not found")
    return path


# --- the seed article -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_docs() -> list[Document]:
    items = read(SEED)
    assert not errors(items)
    return documents(items)


def test_seed_header_title_date_source_tags(seed_docs):
    first = seed_docs[0]
    assert first.title == "الكرملين: اجتماع بوتين مع كيم سيكون ضمن زيارة شاملة"
    assert first.published == dt.date(2023, 9, 12)
    assert first.published_from == "header"
    assert first.published_raw == "12th, September 2023 GMT"
    assert first.source == "العربية"
    assert first.path == str(SEED)
    # Hashtags on the page ("كوريا_الشمالية") tell which words of the tag line go together.
    assert first.tags[:4] == ["كوريا الشمالية", "بوتين", "الكرملين", "روسيا"]


def test_seed_text_is_the_original_prefix_up_to_the_read_also_marker(seed_docs):
    original = SEED.read_text(encoding="utf-8")
    first = seed_docs[0]
    assert original.startswith(first.text)
    assert first.text.endswith("کوریا الشمالیة")
    assert "إقرأ أيضاً" not in first.text


def test_seed_boilerplate_spans_cover_header_and_footer_lines_only(seed_docs):
    first = seed_docs[0]
    texts = spans_text(first)
    assert texts[0] == "تاريخ النشر: 12th, September 2023 GMT"
    assert texts[1].startswith("مادة إعلانية تابعوا آخر أخبار العربية عبر Google News")
    assert texts[1].endswith("روسياالمصدر: العربية")    # the glued source is in the same line
    assert texts[2].startswith("كلمات دلالية:")
    assert len(texts) == 3
    # Spans are whole lines of the text, sorted and disjoint, and no body sentence is inside.
    for (s, e), (s2, _) in zip(first.boilerplate, first.boilerplate[1:]):
        assert e <= s2
    body_line = first.text.index("وقال بيسكوف")
    assert not any(s <= body_line < e for s, e in first.boilerplate)
    assert not any(s <= 0 < e for s, e in first.boilerplate)     # the title line is content


def test_seed_read_also_article_is_its_own_document(seed_docs):
    assert len(seed_docs) == 2
    first, second = seed_docs
    assert second.text.startswith("مزودة بقدرات خطيرة")
    assert second.title == "مزودة بقدرات خطيرة.. كوريا الشمالية تصنع أكبر سفينة حربية"
    assert second.published is None and second.published_from == "unknown"
    assert second.parent_id == first.id and first.parent_id is None
    assert second.id != first.id
    assert second.source == "العربية"
    assert second.boilerplate == []
    assert SEED.read_text(encoding="utf-8").endswith(second.text)
    assert missing_date_error(second).describe() == f"{SEED}: no publication date (give --published)"


def test_seed_ids_are_stable_across_reads(seed_docs):
    again = documents(read(SEED))
    assert [d.id for d in again] == [d.id for d in seed_docs]
    first = seed_docs[0]
    assert first.id == document_id(first.title, first.text)
    assert len(first.id) == 16 and int(first.id, 16) >= 0


def test_seed_user_date_does_not_override_the_header(seed_docs):
    items = documents(read(SEED, published="2020-01-01"))
    assert items[0].published == dt.date(2023, 9, 12) and items[0].published_from == "header"
    # The read-also article is not dated by the caller's date either: it is another article.
    assert items[1].published is None


# --- page structure in made-up text ---------------------------------------------------------


def test_read_also_links_inside_an_article_do_not_split_it():
    # As BBC/CNN Arabic pages do: links to other articles, then the article goes on.
    text = (
        "عنوان الخبر\n"
        "قال الوزير إن المحادثات مستمرة.\n"
        "اقرأ أيضا: روسيا تتهم بريطانيا بالمشاركة في الهجوم\n"
        "وأضاف الوزير أن الوفد سيعود غدا.\n"
        "اقرأ ايضاً:\n"
        "وفاة الممثل المصري نور الشريف\n"
        "رحيل الممثل المصري حسن مصطفى\n"
        "وتابع أن الاتفاق سيوقع الشهر المقبل.\n"
    )
    result = read_text_document(text)
    assert len(result) == 1
    doc = result[0]
    assert doc.text == text
    assert spans_text(doc) == [
        "اقرأ أيضا: روسيا تتهم بريطانيا بالمشاركة في الهجوم",
        "اقرأ ايضاً:",
        "وفاة الممثل المصري نور الشريف",
        "رحيل الممثل المصري حسن مصطفى",
    ]


def test_read_also_after_the_footer_splits_each_article():
    text = (
        "العنوان الأول\n"
        "نص المقال الأول عن الاجتماع الذي عقد في القاهرة أمس بين الوزيرين.\n"
        "كلمات دلالية: مصر, الأردن\n"
        "Read more: العنوان الثاني\n"
        "نص المقال الثاني عن الانتخابات التي ستجرى في الربيع المقبل في البلاد.\n"
        "المصدر: وكالات\n"
        "ذات صلة\n"
        "العنوان الثالث\n"
        "نص المقال الثالث عن المباراة التي انتهت بالتعادل في الدوحة مساء السبت.\n"
    )
    a, b, c = read_text_document(text, source="الموقع")
    assert a.text == "العنوان الأول\nنص المقال الأول عن الاجتماع الذي عقد في القاهرة أمس بين الوزيرين.\nكلمات دلالية: مصر, الأردن"
    assert a.tags == ["مصر", "الأردن"]
    assert b.title == "العنوان الثاني" and b.text.startswith("العنوان الثاني\nنص المقال الثاني")
    assert b.source == "الموقع"            # the caller's source wins over the footer's
    assert spans_text(b) == ["المصدر: وكالات"]
    assert c.title == "العنوان الثالث" and c.text.endswith("مساء السبت.\n")
    assert b.parent_id == c.parent_id == a.id
    assert len({a.id, b.id, c.id}) == 3


def test_glued_source_field_and_prose_that_mentions_a_source():
    text = (
        "عنوان\n"
        "وأضاف المصدر: \"ستعقد المحادثات غدا في العاصمة بحضور الوفدين\".\n"
        "وانتهى الاجتماع مساء أمس دون اتفاق.المصدر: رويترز\n"
    )
    doc = read_text_document(text)[0]
    assert doc.source == "رويترز"
    assert spans_text(doc) == ["المصدر: رويترز"]    # only the field, not the sentence before it


def test_boilerplate_lines_from_the_lexicon():
    text = (
        "عنوان\n"
        "انفجار في الميناء أسفر عن أضرار كبيرة.\n"
        "إعلان\n"
        "شارك هذا الخبر على فيسبوك وتويتر\n"
        "إعلان الرياض يدعو إلى وقف إطلاق النار.\n"     # "declaration", not an advert
        "تابعونا على تويتر\n"
        "جميع الحقوق محفوظة © 2023\n"
    )
    doc = read_text_document(text)[0]
    assert spans_text(doc) == ["إعلان", "شارك هذا الخبر على فيسبوك وتويتر", "تابعونا على تويتر",
                               "جميع الحقوق محفوظة © 2023"]


def test_share_and_app_notification_lines_are_boilerplate():
    text = (
        "عنوان\n"
        "شارك آلاف المتظاهرين في المسيرة وسط العاصمة.\n"     # a verb in prose, not a share button
        # a share widget glued to the article's first sentence is left in: cutting the line would
        # cut the article ("شارك من خلال تويتر فيسبوك أعلن المعهد ...")
        "شارك من خلال تويتر فيسبوك أعلن المعهد عن دورة جديدة.\n"
        "يمكنكم تلقي إشعارات بآخر الأخبار بعد تنزيل تطبيقنا على هواتفكم الذكية.\n"
        "يمكنكم تسلم إشعارات بأهم العناوين من تطبيقنا.\n"
        "يمكنكم استلام إشعارات فورية عند نشر أي خبر عاجل.\n"
        "فعّل الإشعارات لتصلك الأخبار العاجلة\n"
        "فعّلوا الإشعارات على متصفحكم\n"
        "اضغط هنا للاشتراك في النشرة اليومية\n"
        "انقر هنا للاشتراك في قناتنا\n"
    )
    doc = read_text_document(text)[0]
    assert spans_text(doc) == text.split("\n")[3:-1]


def test_crlf_text_keeps_exact_offsets():
    text = "عنوان\r\nتاريخ النشر: 2023-09-12\r\nنص الخبر.\r\n"
    doc = read_text_document(text)[0]
    assert doc.published == dt.date(2023, 9, 12)
    assert spans_text(doc) == ["تاريخ النشر: 2023-09-12"]


# --- plain text and publication dates ---------------------------------------------------------


def test_plain_text_takes_the_callers_date(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    doc = documents(read(tmp_path / "a.txt", published="2023-09-12"))[0]
    assert doc.published == dt.date(2023, 9, 12) and doc.published_from == "user"
    assert doc.published_raw == "2023-09-12"
    assert doc.title == "وزير الخارجية يزور موسكو"
    assert doc.text == ARTICLE
    # A date object and a date-time with an offset give the same local day.
    assert documents(read(tmp_path / "a.txt", published=dt.date(2023, 9, 12)))[0].published == dt.date(2023, 9, 12)
    assert documents(read(tmp_path / "a.txt", published="2023-09-12T23:30:00-05:00"))[0].published == dt.date(2023, 9, 12)


def test_plain_text_without_any_date_is_still_read(tmp_path):
    (tmp_path / "c.txt").write_text(ARTICLE, encoding="utf-8")
    items = read(tmp_path / "c.txt")
    assert errors(items) == []
    doc = documents(items)[0]
    assert doc.published is None and doc.published_from == "unknown"
    err = missing_date_error(doc)
    assert isinstance(err, InputError)
    assert str(err) == f"{tmp_path / 'c.txt'}: no publication date (give --published)"


def test_bad_published_argument_is_refused_at_once():
    with pytest.raises(InputError, match="--published 'next tuesday' is not a date"):
        read_paths(["x.txt"], published="next tuesday")


@pytest.mark.parametrize("head, expected", [
    ("طوباس 5-7-2012 وفا- أعادت قراءات ومداخلات أدبية حضور الأديب.", dt.date(2012, 7, 5)),
    ("رام الله 11-6-2012 وفا- زلفى شحرور", dt.date(2012, 6, 11)),
    ("2012-04-15", dt.date(2012, 4, 15)),
    ("18/12/2012 1:51 مساء", dt.date(2012, 12, 18)),
    ("الدوحة - علاء الدين قريعة | 2012-07-11", dt.date(2012, 7, 11)),
    ("الصباحنشر في الصباح يوم 25 - 09 - 2012", dt.date(2012, 9, 25)),
    ("Cairo, 12 September 2023", dt.date(2023, 9, 12)),
])
def test_dateline_in_the_first_lines(head, expected):
    text = f"عنوان الخبر\n{head}\nوقال الوزير إن الاتفاق سيوقع قريبا.\n"
    doc = read_text_document(text)[0]
    assert doc.published == expected
    assert doc.published_from == "dateline"
    assert doc.title == "عنوان الخبر"
    s, e = doc.boilerplate[0]
    assert doc.text[s:e].startswith(head.split()[0])


@pytest.mark.parametrize("text", [
    "ذكرى هجمات 11/09/2001 في نيويورك\nأحيا الأمريكيون الذكرى اليوم.\n",       # a title with a date
    "عنوان\nقال الوزير إنه التقى نظيره يوم 12/09/2023 في القاهرة.\n",          # a date in a sentence
    "عنوان\n\n\n\n\n\n\nسطر\nسطر\nسطر\nسطر\nسطر\nسطر\nسطر\n12/09/2023\n",          # too far down
])
def test_dates_that_are_not_datelines(text):
    doc = read_text_document(text)[0]
    assert doc.published is None and doc.published_from == "unknown"


def test_a_first_line_that_is_only_a_dateline_is_not_the_title():
    doc = read_text_document("12/09/2023\nالعنوان الحقيقي\nنص الخبر.\n")[0]
    assert doc.published == dt.date(2023, 9, 12)
    assert doc.title == "العنوان الحقيقي"


@pytest.mark.parametrize("raw, expected", [
    ("2018-02-18T21:35:43+04:00", dt.date(2018, 2, 18)),
    ("2018-02-18T23:30:00-05:00", dt.date(2018, 2, 18)),    # not the UTC day (the 19th)
    ("2018-02-18T01:00:00+09:00", dt.date(2018, 2, 18)),    # not the UTC day (the 17th)
    ("2018-02-18", dt.date(2018, 2, 18)),
    ("Sun, 25 Feb 2018 11:00:59 +0400", dt.date(2018, 2, 25)),
    ("12th, September 2023 GMT", dt.date(2023, 9, 12)),
    ("September 12, 2023", dt.date(2023, 9, 12)),
    ("2023/09/12", dt.date(2023, 9, 12)),
    ("12/09/2023", dt.date(2023, 9, 12)),               # day first
    ("12.09.2023", dt.date(2023, 9, 12)),
    ("١٢/٠٩/٢٠٢٣", dt.date(2023, 9, 12)),                # Arabic-Indic digits
    ("۲۰۲۳-۰۹-۱۲", dt.date(2023, 9, 12)),                # Persian digits
    (dt.datetime(2023, 9, 12, 23, 0), dt.date(2023, 9, 12)),
    (dt.date(2023, 9, 12), dt.date(2023, 9, 12)),
    ("31/02/2023", None),                               # impossible
    ("2023-02-30", None),
    ("30 February 2023", None),
    ("", None),
    (None, None),
    ("غير معروف", None),
    ("2231", None),                                     # a number, not a date
])
def test_parse_publication_date(raw, expected):
    assert parse_publication_date(raw) == expected


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_parse_publication_date_round_trips_numeric_forms(day):
    assert parse_publication_date(day.isoformat()) == day
    assert parse_publication_date(f"{day.day}/{day.month}/{day.year}") == day
    assert parse_publication_date(f"{day:%a, %d %b %Y} 10:00:00 +0300") == day


def _fake_tagger(monkeypatch, answers: dict[str, list[TimeExpression]]):
    """Stand in for timeline.tagger so the Arabic path is tested whatever state the tagger is in."""
    module = types.ModuleType("timeline.tagger")

    def tag(text, reference):
        assert reference is None
        out = []
        for needle, exprs in answers.items():
            at = text.find(needle)
            if at >= 0:
                for x in exprs:
                    out.append(TimeExpression(text=x.text, start=at + x.start, end=at + x.end, type=x.type,
                                              value=x.value, granularity=x.granularity))
        return sorted(out, key=lambda x: x.start)

    module.tag = tag
    monkeypatch.setitem(sys.modules, "timeline.tagger", module)


def test_arabic_dates_go_through_the_tagger(monkeypatch):
    _fake_tagger(monkeypatch, {
        "12 أيلول 2023": [TimeExpression("12 أيلول 2023", 0, 13, "DATE", "2023-09-12", granularity="day")],
        "أيلول 2023": [TimeExpression("أيلول 2023", 0, 10, "DATE", "2023-09", granularity="month")],
        "الخميس 12 أكتوبر 2023": [TimeExpression("الخميس 12 أكتوبر 2023", 0, 21, "DATE", "2023-10-12", granularity="day")],
    })
    assert parse_publication_date("12 أيلول 2023") == dt.date(2023, 9, 12)
    assert parse_publication_date("الخميس 12 أكتوبر 2023") == dt.date(2023, 10, 12)
    # A month is not a publication day.
    assert parse_publication_date("في أيلول 2023 فقط") is None
    # And a dateline written with month names.
    doc = read_text_document("عنوان\nالخميس 12 أكتوبر 2023\nنص الخبر.\n")[0]
    assert (doc.published, doc.published_from, doc.published_raw) == (
        dt.date(2023, 10, 12), "dateline", "الخميس 12 أكتوبر 2023")


def test_module_works_without_the_tagger(monkeypatch):
    monkeypatch.setitem(sys.modules, "timeline.tagger", None)    # import then raises ImportError
    assert docs_mod._tagger() is None
    assert parse_publication_date("2023-09-12") == dt.date(2023, 9, 12)
    assert read_text_document("عنوان\nنص.\n")[0].published is None


def test_real_tagger_reads_arabic_dates():
    tagger = pytest.importorskip("timeline.tagger", reason="timeline.tagger is not written yet")
    assert tagger.tag
    assert parse_publication_date("12 أيلول 2023") == dt.date(2023, 9, 12)
    assert parse_publication_date("الخميس 12 أكتوبر 2023") == dt.date(2023, 10, 12)
    assert parse_publication_date("١٢ سبتمبر ٢٠٢٣") == dt.date(2023, 9, 12)
    doc = read_text_document("عنوان\nالقاهرة - 5 مارس 2022\nنص الخبر.\n")[0]
    assert doc.published == dt.date(2022, 3, 5) and doc.published_from == "dateline"


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"),
    lambda t: t.encode("utf-8-sig"),
    lambda t: t.encode("utf-16"),                  # with BOM
    lambda t: t.encode("utf-16-le"),               # no BOM: NULs in odd positions
    lambda t: t.encode("utf-16-be"),               # no BOM: NULs in even positions
    lambda t: t.encode("utf-32"),
    lambda t: t.encode("cp1256"),
], ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "utf32", "cp1256"])
def test_text_encodings_give_the_same_document(tmp_path, encode):
    text = "تاريخ النشر: 2023-09-12\n" + ARTICLE
    path = tmp_path / "a.txt"
    path.write_bytes(encode(text))
    items = read(path)
    assert errors(items) == []
    doc = documents(items)[0]
    assert doc.text == text
    assert doc.published == dt.date(2023, 9, 12)
    assert doc.id == read_text_document(text)[0].id


WORDS = sorted(set(ARTICLE.split()) | {"2023", "،", "؟", "«الكرملين»", "\n", "ظل", "طائرة"})


# Text made of Arabic words (a string of only "ء" and "ط" is no language, and no detector can
# tell its encoding).
@given(st.lists(st.sampled_from(WORDS), min_size=3, max_size=80).map(" ".join)
       .filter(lambda t: sum("\u0621" <= c <= "\u064a" for c in t) >= 5))
@settings(max_examples=100, deadline=None)
def test_decode_round_trips_arabic(text):
    for encoding in ("utf-8", "utf-16", "cp1256"):
        decoded, _ = decode_bytes(text.encode(encoding))
        assert decoded == text


def test_cp1256_is_detected_as_such():
    text, encoding = decode_bytes(ARTICLE.encode("cp1256"))
    assert text == ARTICLE and encoding == "cp1256"
    # Latin text with a short Arabic quote, and another single-byte encoding entirely.
    assert decode_bytes("Reuters: قال الوزير إن".encode("cp1256")) == ("Reuters: قال الوزير إن", "cp1256")
    french = "L'été dernier, le ministre a visité Paris et a rencontré son homologue à l'Élysée."
    assert decode_bytes(french.encode("cp1252"))[0] == french


@pytest.mark.parametrize("data, message", [
    (b"", "empty file"),
    (b"\n \n\t\n", "empty file (only white space)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00\x5c\x72\xa8\x66",
     "binary file, not text"),
    (bytes(range(1, 32)) * 20, "binary file, not text"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nstream\n" + bytes(range(1, 256)) * 8, "binary file, not text"),
])
def test_bad_text_files(tmp_path, data, message):
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], InputError)
    assert str(items[0]) == f"{path}: {message}"


def test_truncated_utf8_names_the_byte_offset(tmp_path):
    data = ARTICLE.encode("utf-8")
    cut = data.rstrip(b".\n")[:-1]      # ends inside the final Arabic letter
    path = tmp_path / "cut.txt"
    path.write_bytes(cut)
    (err,) = read(path)
    assert isinstance(err, InputError)
    assert err.message.startswith("not valid UTF-8 (cut off at the end")
    assert f"byte offset {len(cut) - 1}" in err.message


def test_utf8_mojibake_read_as_cp1256_is_not_accepted(tmp_path):
    # UTF-8 Arabic with one stray byte in the middle: not UTF-8, and as cp1256 it is mojibake.
    data = ARTICLE.encode("utf-8")
    at = data.index(b" ", 30)
    data = data[:at] + b"\xff" + data[at:]
    (err,) = read_bytes_as(tmp_path, "m.txt", data)
    assert isinstance(err, InputError)
    assert f"not valid UTF-8 (invalid byte 0xff, byte offset {at})" in err.message


def read_bytes_as(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return read(path)


# --- JSON lines -----------------------------------------------------------------------------


def jsonl_row(i: int, **fields) -> str:
    row = {"id": f"r{i}", "title": f"عنوان {i}", "text": f"نص الخبر رقم {i}. قال الوزير إن الاجتماع عقد أمس.",
           "published": "2018-02-18T21:35:43+04:00", "source": "العربية", "url": f"http://x/{i}",
           "outlet": "extra columns are ignored"}
    row.update(fields)
    return json.dumps(row, ensure_ascii=False)


def test_jsonl_rows(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join([jsonl_row(1), jsonl_row(2, published="Sun, 25 Feb 2018 11:00:59 +0400")]) + "\n",
                    encoding="utf-8")
    a, b = read(path)
    assert (a.external_id, a.title, a.source, a.url) == ("r1", "عنوان 1", "العربية", "http://x/1")
    assert a.published == dt.date(2018, 2, 18) and a.published_from == "metadata"
    assert a.published_raw == "2018-02-18T21:35:43+04:00"
    assert a.path == f"{path}:1" and b.path == f"{path}:2"
    assert b.published == dt.date(2018, 2, 25)
    assert a.text == "نص الخبر رقم 1. قال الوزير إن الاجتماع عقد أمس."
    assert a.id == document_id("عنوان 1", a.text)


def test_jsonl_broken_line_in_the_middle(tmp_path):
    path = tmp_path / "a.jsonl"
    lines = [jsonl_row(i) for i in range(1, 10)]
    lines[6] = lines[6].replace('", "source"', '" "source"')     # line 7 lost a comma
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(path)
    (err,) = errors(items)
    assert str(err) == f"{path}:7: not valid JSON (Expecting ',' delimiter)"
    assert [d.external_id for d in documents(items)] == ["r1", "r2", "r3", "r4", "r5", "r6", "r8", "r9"]


def test_jsonl_bad_rows(tmp_path):
    path = tmp_path / "a.jsonl"
    rows = [jsonl_row(1, text="  "), "[1, 2]", json.dumps({"title": "x"}), jsonl_row(4, text=None),
            jsonl_row(5, text=12), "", jsonl_row(7, published="not a date"), jsonl_row(8, published=None)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    items = read(path, published="2023-01-01")
    assert [str(e) for e in errors(items)] == [
        f"{path}:1: empty text",
        f"{path}:2: expected a JSON object, found list",
        f"{path}:3: no 'text' field",
        f"{path}:4: empty text",
        f"{path}:5: 'text' is not a string (int)",
    ]
    seven, eight = documents(items)
    # An unreadable date in the row: the caller's date is used, the raw value is kept.
    assert seven.published == dt.date(2023, 1, 1) and seven.published_from == "user"
    assert eight.published == dt.date(2023, 1, 1) and eight.path == f"{path}:8"


def test_an_unexpected_failure_on_one_row_does_not_end_the_file(tmp_path, monkeypatch):
    real = docs_mod._build_documents

    def fragile(text, **kw):
        if "رقم 2." in text:
            raise RuntimeError("boom")
        return real(text, **kw)

    monkeypatch.setattr(docs_mod, "_build_documents", fragile)
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(jsonl_row(i) for i in (1, 2, 3)) + "\n", encoding="utf-8")
    items = read(path)
    assert [str(e) for e in errors(items)] == [f"{path}:2: cannot be read (RuntimeError: boom)"]
    assert [d.external_id for d in documents(items)] == ["r1", "r3"]


def test_jsonl_gz_and_encodings(tmp_path):
    body = "\n".join(jsonl_row(i) for i in range(1, 4)) + "\n"
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(body.encode("utf-8")))
    (tmp_path / "b.jsonl").write_bytes(body.encode("utf-8-sig"))
    (tmp_path / "c.jsonl").write_bytes(body.encode("utf-16"))
    (tmp_path / "d.jsonl").write_bytes(body.encode("cp1256"))
    items = read(tmp_path)
    assert errors(items) == []
    got = documents(items)
    assert len(got) == 12
    # Same rows in any encoding: same ids.
    ids = [d.id for d in got]
    assert ids[0:3] == ids[3:6] == ids[6:9] == ids[9:12]
    assert got[0].path == f"{tmp_path / 'a.jsonl.gz'}:1"


def test_damaged_gzip_is_reported(tmp_path):
    body = "\n".join(jsonl_row(i, text=f"{i} " + "نص " * 200) for i in range(1, 400)).encode("utf-8")
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzip.compress(body)[:-200])
    items = read(path)
    assert documents(items), "the rows before the damage are read"
    assert isinstance(items[-1], InputError)
    assert str(items[-1]).startswith(f"{path}: damaged compressed file (")


def test_jsonl_invalid_utf8_line(tmp_path):
    path = tmp_path / "a.jsonl"
    rows = [jsonl_row(1).encode(), jsonl_row(2).encode()[:10] + b"\xff\xfe" + jsonl_row(2).encode()[10:],
            jsonl_row(3).encode()]
    path.write_bytes(b"\n".join(rows) + b"\n")
    items = read(path)
    (err,) = errors(items)
    assert (err.line, err.message) == (2, "not valid UTF-8 (byte 10 of the line)")
    assert [d.external_id for d in documents(items)] == ["r1", "r3"]


def test_json_array_and_single_object(tmp_path):
    rows = [json.loads(jsonl_row(i)) for i in (1, 2)]
    (tmp_path / "a.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(rows[0], ensure_ascii=False, indent=2), encoding="utf-8")
    (tmp_path / "c.json").write_text('[{"text": "x"},', encoding="utf-8")
    items = read(tmp_path)
    assert [d.external_id for d in documents(items)] == ["r1", "r2", "r1"]
    (err,) = errors(items)
    assert err.path == str(tmp_path / "c.json") and err.message.startswith("not valid JSON")


def test_empty_jsonl(tmp_path):
    (tmp_path / "e.jsonl").write_bytes(b"")
    (tmp_path / "f.jsonl").write_text("\n\n", encoding="utf-8")
    assert [str(e) for e in read(tmp_path)] == [f"{tmp_path / 'e.jsonl'}: empty file",
                                                f"{tmp_path / 'f.jsonl'}: empty file"]


def test_jsonl_streams_in_bounded_memory(tmp_path):
    path = tmp_path / "big.jsonl"
    filler = "وقال المتحدث إن المحادثات ستستمر حتى نهاية الأسبوع المقبل. " * 150   # ~10 KB a row
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(2500):                                                     # ~25 MB
            fh.write(jsonl_row(i, text=f"{i} {filler}") + "\n")
    tracemalloc.start()
    count = 0
    for item in read_paths(path):
        assert isinstance(item, Document)
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 2500
    assert peak < 5 * 2**20, f"peak {peak} bytes: the file was not streamed"


# --- CSV, TSV and Parquet -------------------------------------------------------------------


def test_csv_rows_with_multiline_text(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        "id,title,text,published,source,url,extra\n"
        'x1,عنوان,"سطر أول.\nسطر ثان, مع فاصلة.",2023-09-12,العربية,http://a,zzz\n'
        "x2,عنوان 2,نص ثان.,12/09/2023,,,\n"
        "x3,عنوان 3,,2023-09-12,,,\n",
        encoding="utf-8")
    items = read(path)
    a, b = documents(items)
    assert a.text == "سطر أول.\nسطر ثان, مع فاصلة." and a.path == f"{path}:2"
    assert (a.external_id, a.source, a.url, a.published) == ("x1", "العربية", "http://a", dt.date(2023, 9, 12))
    assert b.path == f"{path}:4" and b.source is None and b.published == dt.date(2023, 9, 12)
    assert [str(e) for e in errors(items)] == [f"{path}:5: empty text"]


def test_csv_missing_text_column_is_one_error(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("id,title,body\n1,a,b\n2,c,d\n", encoding="utf-8")
    items = read(path)
    assert len(items) == 1
    assert str(items[0]) == f"{path}: missing column 'text' (it has 'id', 'title', 'body')"


def test_csv_cp1256_semicolon_and_tsv(tmp_path):
    (tmp_path / "a.csv").write_bytes("Title;TEXT;published\nعنوان;نص الخبر عن الوزير.;2023-09-12\n".encode("cp1256"))
    (tmp_path / "b.tsv").write_bytes("\ufefftitle\ttext\nعنوان\tنص الخبر عن الوزير.\n".encode("utf-8"))
    a, b = read(tmp_path)
    assert a.title == b.title == "عنوان" and a.text == b.text == "نص الخبر عن الوزير."
    assert a.published == dt.date(2023, 9, 12) and b.published is None


def test_parquet(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({
        "id": ["p1", "p2", "p3"],
        "title": ["عنوان", "عنوان 2", None],
        "text": ["نص أول.", "", "نص ثالث."],
        "published": pd.to_datetime(["2018-02-18T23:30:00-05:00"] * 3, utc=True).tz_convert("America/New_York"),
        "source": ["a", "b", "c"],
        "other": [1, 2, 3],
    })
    path = tmp_path / "a.parquet"
    frame.to_parquet(path)
    items = read(path)
    a, c = documents(items)
    assert (a.external_id, a.title, a.published, a.path) == ("p1", "عنوان", dt.date(2018, 2, 18), f"{path}:1")
    assert (c.title, c.path) == ("", f"{path}:3")
    assert [str(e) for e in errors(items)] == [f"{path}:2: empty text"]
    pd.DataFrame({"body": ["x"]}).to_parquet(tmp_path / "b.parquet")
    (tmp_path / "c.parquet").write_bytes(b"PAR1 not really")
    assert str(read(tmp_path / "b.parquet")[0]) == f"{tmp_path / 'b.parquet'}: missing column 'text' (it has 'body')"
    assert read(tmp_path / "c.parquet")[0].message.startswith("not a readable Parquet file")


# --- HTML -----------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head>
<meta charset="{charset}">
<title>زيارة الوزير إلى موسكو | الموقع</title>
<meta property="og:title" content="زيارة الوزير إلى موسكو">
<meta property="article:published_time" content="2023-09-12T23:30:00-05:00">
<meta property="og:site_name" content="الموقع الإخباري">
</head><body>
<nav><a href="/">الرئيسية</a> <a href="/news">أخبار</a></nav>
<article><h1>زيارة الوزير إلى موسكو</h1>
<p>أعلن وزير الخارجية أنه سيزور موسكو الأسبوع المقبل لإجراء محادثات مع نظيره الروسي حول الأزمة.</p>
<p>وقال المتحدث باسم الوزارة إن الزيارة تأتي بعد لقاء الرئيسين في العام الماضي في العاصمة.</p>
<p>وأضاف أن الجانبين سيبحثان التعاون الاقتصادي والأمني وملفات إقليمية عديدة خلال الزيارة.</p>
</article>
<footer>جميع الحقوق محفوظة</footer>
</body></html>
"""


def trafilatura_or_skip():
    try:
        import trafilatura  # noqa: F401
    except ImportError as e:
        pytest.skip(f"trafilatura is not importable here ({e}); HTML input needs it")


@pytest.mark.parametrize("charset, codec", [("utf-8", "utf-8"), ("windows-1256", "cp1256")])
def test_html_page(tmp_path, charset, codec):
    trafilatura_or_skip()
    path = tmp_path / "page.html"
    path.write_bytes(HTML.format(charset=charset).encode(codec))
    items = read(path)
    assert errors(items) == []
    (doc,) = documents(items)
    assert doc.title == "زيارة الوزير إلى موسكو"
    assert doc.published == dt.date(2023, 9, 12) and doc.published_from == "metadata"
    assert "سيزور موسكو الأسبوع المقبل" in doc.text
    assert "الرئيسية" not in doc.text
    assert doc.source == "الموقع الإخباري"
    assert doc.path == str(path)


def test_html_without_article_text(tmp_path):
    trafilatura_or_skip()
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><title></title></head><body></body></html>", encoding="utf-8")
    assert [str(e) for e in read(path)] == [f"{path}: no article text found in the HTML page"]


def test_html_when_trafilatura_cannot_be_imported(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    path = tmp_path / "page.html"
    path.write_text(HTML.format(charset="utf-8"), encoding="utf-8")
    (err,) = read(path)
    assert isinstance(err, InputError) and err.message.startswith("cannot read HTML: trafilatura is not usable")


# --- folders and paths ------------------------------------------------------------------------


def test_folders_recursive_sorted_hidden_skipped(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b" / "deep" / "z.txt").write_text("زاي\nنص.\n", encoding="utf-8")
    (tmp_path / "b" / "a.txt").write_text("ألف\nنص.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("جيم\nنص.\n", encoding="utf-8")
    (tmp_path / ".secret.txt").write_text("مخفي\nنص.\n", encoding="utf-8")
    (tmp_path / ".hidden" / "h.txt").write_text("مخفي\nنص.\n", encoding="utf-8")
    (tmp_path / "notes").write_text("بلا امتداد\nنص.\n", encoding="utf-8")     # no suffix: sniffed as text
    titles = [d.title for d in read(tmp_path)]
    assert titles == ["ألف", "زاي", "جيم", "بلا امتداد"]
    assert [d.title for d in read(tmp_path, recursive=False)] == ["جيم", "بلا امتداد"]
    # A hidden file named explicitly is read.
    assert [d.title for d in read(tmp_path / ".secret.txt")] == ["مخفي"]


def test_missing_path_and_mixed_inputs(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    items = list(read_paths([tmp_path / "nope.txt", str(tmp_path / "a.txt")]))
    assert str(items[0]) == f"{tmp_path / 'nope.txt'}: no such file or folder"
    assert isinstance(items[1], Document)
    # A single path (not in a list) works too.
    assert len(list(read_paths(tmp_path / "a.txt"))) == 1


def test_same_article_twice_same_id(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "y" / "b.txt").write_bytes(ARTICLE.encode("cp1256"))
    nfd = unicodedata.normalize("NFD", "آ") + ARTICLE[1:]      # decomposed alef madda: same article
    (tmp_path / "y" / "c.txt").write_text(nfd, encoding="utf-8")
    a, b, c = read(tmp_path)
    assert a.id == b.id
    assert document_id("وزير", nfd) == document_id("وزير", unicodedata.normalize("NFC", nfd))
    assert documents(read_text_document(ARTICLE + "إضافة"))[0].id != a.id


def test_huge_plain_text_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(docs_mod, "MAX_TEXT_BYTES", 100)
    path = tmp_path / "big.txt"
    path.write_text(ARTICLE * 5, encoding="utf-8")
    (err,) = read(path)
    assert err.message.startswith("too large for one article")


# --- the real corpus (../shared) ------------------------------------------------------------


def test_mixed_sample_corpus():
    path = shared("corpus/mixed_sample.jsonl")
    items = read(path)
    assert errors(items) == []
    got = documents(items)
    assert len(got) == 300
    expected = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for doc, row in zip(got, expected):
        assert doc.external_id == row["id"]
        assert doc.published == dt.date.fromisoformat(row["published"])
        assert doc.published_from == "metadata"
        assert doc.text == row["text"]


def test_ant_corpus_local_dates_and_streaming():
    path = shared("corpus/ant_news.jsonl.gz")
    seen = 0
    for item in read_paths(path):
        if isinstance(item, InputError):
            assert item.message == "empty text"      # a few ANT rows have no text
            continue
        raw = item.published_raw
        assert item.published == dt.date.fromisoformat(raw[:10]), raw
        seen += 1
        if seen == 500:
            break
    assert seen == 500


def test_mixed_sample_datelines_recovered_without_metadata():
    """Strip the metadata and read title + text as a plain file: no dateline gives a wrong day
    (a Hijri dateline may land a day off the paper's own date, as Umm al-Qura and sighting do)."""
    path = shared("corpus/mixed_sample.jsonl")
    right, wrong = 0, []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        doc = read_text_document(f"{row['title'] or ''}\n{row['text']}")[0]
        if doc.published is None:
            continue
        expected = dt.date.fromisoformat(row["published"])
        if doc.published == expected:
            right += 1
        elif abs(doc.published - expected) > dt.timedelta(days=1):
            wrong.append((row["id"], doc.published_raw, doc.published, expected))
    assert wrong == []
    assert right >= 50      # numeric datelines alone; the tagger adds the ones with month names
