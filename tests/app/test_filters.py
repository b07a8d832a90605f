"""timeline.filters: Arabic folding for search and each filter of the sidebar, on small frames."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from synthetic import event, frame_of, make_events
from timeline.filters import (FilterState, actor_options, apply_filters, date_bounds, fold_arabic,
                              prepare_events, public_columns)
from timeline.model import EVENT_FIELDS


@pytest.mark.parametrize("a, b", [
    ("إِسْرَائِيلُ", "اسرائيل"),            # harakat and hamza under alef
    ("أوكرانيا", "اوكرانيا"),               # hamza on alef
    ("آسيا", "اسيا"),                       # madda
    ("مدرسة", "مدرسه"),                     # ta marbuta
    ("مصطفى", "مصطفي"),                     # alef maqsura
    ("بـــوتين", "بوتين"),                  # tatweel
    ("مسؤول", "مسئول"),                     # hamza on waw vs on ya
    ("ﻻ", "لا"),                            # presentation form ligature
    ("عام ٢٠١٩", "عام 2019"),               # Arabic-Indic digits
    ("NATO", "nato"),
    ("كيم\u200fجونغ", "كيمجونغ"),           # bidi mark inside a word
])
def test_fold_arabic_equates_spelling_variants(a, b):
    assert fold_arabic(a) == fold_arabic(b)


def test_fold_arabic_keeps_distinct_letters_apart():
    assert fold_arabic("بوتين") != fold_arabic("بوتان")
    assert fold_arabic(None) == ""


@pytest.fixture
def frame():
    return frame_of(
        event(event_id="day", actors=["فلاديمير بوتين", "روسيا"], actor_kinds=["person", "country"],
              source="العربية", document_id="d1"),
        event(event_id="year", date_text="عام 2019", date_value="2019", granularity="year",
              date_start=dt.date(2019, 1, 1), date_end=dt.date(2019, 12, 31),
              actors=["كيم جونغ أون"], actor_kinds=["person"], source="الجزيرة", document_id="d2",
              description="زار كيمُ فلاديفوستوك"),
        event(event_id="future", tense="future", date_start=dt.date(2023, 10, 1), date_end=dt.date(2023, 10, 1),
              date_value="2023-10-01", actors=["روسيا"], actor_kinds=["country"], description="ستعقد القمة المقبلة"),
        event(event_id="yesterday", date_anchor="published", date_text="أمس",
              date_start=dt.date(2023, 9, 11), date_end=dt.date(2023, 9, 11), actors=[], actor_kinds=[],
              description="أعلن المسؤول عن الاتفاقية"),
        event(event_id="undated", date_text=None, date_value=None, date_type=None, date_start=None,
              date_end=None, granularity=None, date_anchor=None, actors=["الأمم المتحدة"],
              actor_kinds=["organization"], description="رحبت الأمم المتحدة بالإعلان"),
    )


def ids(frame):
    return set(frame["event_id"])


def test_no_filter_keeps_everything(frame):
    assert ids(apply_filters(frame, FilterState())) == ids(frame)


def test_actor_filter_matches_any_of_the_events_actors(frame):
    assert ids(apply_filters(frame, FilterState(actors=("روسيا",)))) == {"day", "future"}
    assert ids(apply_filters(frame, FilterState(actors=("كيم جونغ أون", "فلاديمير بوتين")))) == {"day", "year"}
    # whole names only: a prefix of a name is not the name
    assert ids(apply_filters(frame, FilterState(actors=("فلاديمير",)))) == set()


def test_date_range_keeps_intervals_that_overlap(frame):
    got = apply_filters(frame, FilterState(date_from=dt.date(2019, 6, 1), date_to=dt.date(2019, 6, 30),
                                           include_undated=False))
    assert ids(got) == {"year"}           # the year 2019 overlaps June 2019
    got = apply_filters(frame, FilterState(date_from=dt.date(2023, 9, 12), date_to=dt.date(2023, 12, 31)))
    assert ids(got) == {"day", "future", "undated"}   # undated is governed by its own toggle


def test_source_and_document_filters(frame):
    assert ids(apply_filters(frame, FilterState(sources=("الجزيرة",)))) == {"year"}
    assert ids(apply_filters(frame, FilterState(documents=("d1",)))) == {"day", "future", "yesterday", "undated"}


def test_granularity_filter(frame):
    got = apply_filters(frame, FilterState(granularities=("year",), include_undated=False))
    assert ids(got) == {"year"}


def test_tense_filter_can_drop_planned_events(frame):
    got = apply_filters(frame, FilterState(tenses=("past", "present")))
    assert "future" not in ids(got) and "day" in ids(got)
    assert ids(apply_filters(frame, FilterState(tenses=("future",)))) == {"future"}


def test_dated_by_publication_and_undated_toggles(frame):
    # "dated by publication" is a statement with no date of its own; "أمس" has its own date, which is
    # merely resolved against the publication date, so it stays
    statement = event(event_id="statement", date_anchor="published", date_text=None,
                      date_start=dt.date(2023, 9, 12), date_end=dt.date(2023, 9, 12),
                      actors=["دميتري بيسكوف"], actor_kinds=["person"], description="وقال بيسكوف إن المحادثات ستعقد")
    with_statement = frame_of(*frame.to_dict("records"), statement)
    without = ids(apply_filters(with_statement, FilterState(include_published=False)))
    assert "statement" not in without and "yesterday" in without
    assert "statement" in ids(apply_filters(with_statement, FilterState()))
    assert "undated" not in ids(apply_filters(frame, FilterState(include_undated=False)))


def test_text_search_ignores_diacritics_hamza_and_ta_marbuta(frame):
    assert ids(apply_filters(frame, FilterState(text="الاتفاقيه"))) == {"yesterday"}
    assert ids(apply_filters(frame, FilterState(text="المسئول"))) == {"yesterday"}
    assert ids(apply_filters(frame, FilterState(text="كيم فلاديفوستوك"))) == {"year"}   # all words
    assert ids(apply_filters(frame, FilterState(text="الأمم"))) == {"undated"}           # actor names too


def test_filters_combine(frame):
    got = apply_filters(frame, FilterState(actors=("روسيا",), tenses=("past",)))
    assert ids(got) == {"day"}


def test_filtered_frame_keeps_event_fields(frame):
    got = public_columns(apply_filters(frame, FilterState(actors=("روسيا",))))
    assert list(got.columns) == EVENT_FIELDS


def test_actor_options_counts_grouped_by_kind(frame):
    opts = actor_options(frame)
    assert list(opts["kind"]) == ["person", "person", "organization", "country"]
    counts = dict(zip(opts["actor"], opts["count"]))
    assert counts == {"فلاديمير بوتين": 1, "كيم جونغ أون": 1, "الأمم المتحدة": 1, "روسيا": 2}


def test_date_bounds(frame):
    assert date_bounds(frame) == (dt.date(2019, 1, 1), dt.date(2023, 10, 1))


def test_actor_lists_from_numpy_arrays_are_accepted():
    import numpy as np
    f = frame_of(event(actors=np.array(["روسيا"]), actor_kinds=np.array(["country"])))
    assert ids(apply_filters(f, FilterState(actors=("روسيا",)))) == {"e1"}


def test_filters_are_fast_on_100k_rows():
    big = prepare_events(make_events(100_000, seed=3))
    t0 = time.perf_counter()
    got = apply_filters(big, FilterState(actors=("فلاديمير بوتين", "روسيا"), text="اتفاقيه تعاون",
                                         date_from=dt.date(2020, 1, 1), date_to=dt.date(2021, 12, 31),
                                         include_published=False))
    elapsed = time.perf_counter() - t0
    assert 0 < len(got) < len(big)
    # the speed target itself is checked by benchmarks/bench_app.py, not by a timed unit test
    print(f"filters on 100k rows: {elapsed:.3f} s")
