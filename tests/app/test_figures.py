"""timeline.figures: how events are drawn, what hover shows, escaping, and the aggregated view."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from synthetic import event, frame_of, make_events
from timeline.figures import (DAY_MS, figure_html, highlight_html, hijri_text, lane_name, safe_url,
                              sentence_spans, timeline_figure)


def ms(day: str) -> float:
    return pd.Timestamp(day).value / 1e6


def event_traces(fig):
    """Traces that carry events (legend-only entries have no customdata)."""
    return [tr for tr in fig.data if tr.customdata is not None]


def ids_in(fig):
    return {row[0] for tr in event_traces(fig) for row in tr.customdata}


def test_a_day_event_is_a_marker_at_its_day():
    fig = timeline_figure(frame_of(event()))
    (tr,) = event_traces(fig)
    assert isinstance(tr, go.Scatter) and tr.mode == "markers"
    assert tr.x[0] == ms("2023-09-12") + DAY_MS / 2
    assert lane_name(fig, tr.y[0]) == "فلاديمير بوتين"
    assert tr.customdata[0][0] == "e1"


def test_a_year_event_is_a_bar_spanning_the_year():
    fig = timeline_figure(frame_of(event(granularity="year", date_value="2019", date_text="عام 2019",
                                         date_start=dt.date(2019, 1, 1), date_end=dt.date(2019, 12, 31))))
    (tr,) = event_traces(fig)
    assert isinstance(tr, go.Bar) and tr.orientation == "h"
    assert tr.base[0] == ms("2019-01-01")
    assert tr.base[0] + tr.x[0] == ms("2020-01-01")      # the whole of 2019, end inclusive


def test_approximate_and_open_dates_are_drawn_differently():
    fig = timeline_figure(frame_of(
        event(event_id="exact"),
        event(event_id="approx", date_mod="APPROX", date_text="نحو 12 أيلول"),
        event(event_id="month", granularity="month", date_start=dt.date(2023, 9, 1), date_end=dt.date(2023, 9, 30)),
        event(event_id="month-approx", granularity="month", date_mod="APPROX",
              date_start=dt.date(2023, 8, 1), date_end=dt.date(2023, 8, 31)),
        event(event_id="before", granularity="day", date_bound="before", date_text="قبل 12 آذار 2022",
              date_start=dt.date(2021, 12, 12), date_end=dt.date(2022, 3, 11)),
    ))
    by_id = {row[0]: tr for tr in event_traces(fig) for row in tr.customdata}
    assert by_id["exact"].marker.symbol != by_id["approx"].marker.symbol
    assert by_id["month"].marker.pattern.shape != by_id["month-approx"].marker.pattern.shape
    assert isinstance(by_id["before"], (go.Bar, go.Scatter))
    open_bars = [tr for tr in event_traces(fig) if isinstance(tr, go.Bar) and tr.customdata[0][0] == "before"]
    assert open_bars and open_bars[0].marker.pattern.shape not in ("", None, by_id["month"].marker.pattern.shape)
    # an arrow marks the open end of "before": at the interval's start
    arrows = [tr for tr in event_traces(fig) if isinstance(tr, go.Scatter) and tr.customdata[0][0] == "before"]
    assert arrows and arrows[0].x[0] == ms("2021-12-12")
    legend = {tr.name for tr in fig.data if tr.customdata is None}
    assert any("تقريبي" in n for n in legend) and any("مفتوح" in n for n in legend)


def test_an_event_is_in_the_lane_of_each_actor_and_actorless_events_get_their_own_lane():
    fig = timeline_figure(frame_of(
        event(event_id="two", actors=["فلاديمير بوتين", "روسيا"], actor_kinds=["person", "country"]),
        event(event_id="none", actors=[], actor_kinds=[]),
    ))
    lanes = {}
    for tr in event_traces(fig):
        for y, row in zip(tr.y, tr.customdata):
            lanes.setdefault(row[0], set()).add(lane_name(fig, y))
    assert lanes["two"] == {"فلاديمير بوتين", "روسيا"}
    assert lanes["none"] == {"بدون فاعل"}
    en = timeline_figure(frame_of(event(actors=[], actor_kinds=[])), lang="en")
    assert lane_name(en, event_traces(en)[0].y[0]) == "No actor"


def test_custom_data_holds_every_dated_event_id():
    frame = make_events(300, seed=5)
    fig = timeline_figure(frame)
    dated = set(frame.loc[frame["date_value"].notna(), "event_id"])
    assert ids_in(fig) == dated


def test_hover_shows_date_text_value_hijri_and_escaped_clause():
    payload = '<img src=x onerror="window.__pwned=1">'
    fig = timeline_figure(frame_of(event(description=payload, title="<b>عنوان</b>")))
    hover = event_traces(fig)[0].customdata[0][1]
    assert "<img" not in hover and "&lt;img src=x onerror=\"window.__pwned=1\"&gt;" in hover
    assert "&lt;b&gt;عنوان" in hover
    assert "12 أيلول 2023" in hover and "2023-09-12" in hover
    assert "27 صفر 1445 هـ" in hover               # Umm al-Qura for 2023-09-12
    assert fig.layout.hoverlabel.align == "right"


def test_stored_hijri_value_is_preferred():
    assert hijri_text("1445-09-29", None, None, "ar") == "29 رمضان 1445 هـ"
    assert hijri_text(None, pd.Timestamp("2023-09-12"), pd.Timestamp("2023-09-12"), "en") == "27 Safar 1445 AH"


def test_lanes_by_article_and_colour_by_source():
    fig = timeline_figure(frame_of(event(title="قمة بوتين وكيم", source="العربية"),
                                   event(event_id="e2", document_id="d2", title="مقالة أخرى", source="الجزيرة")),
                          lanes="article", color="source")
    lanes = {lane_name(fig, y) for tr in event_traces(fig) for y in tr.y}
    assert lanes == {"قمة بوتين وكيم", "مقالة أخرى"}
    assert {tr.name for tr in event_traces(fig)} == {"العربية", "الجزيرة"}


def test_many_points_use_webgl():
    fig = timeline_figure(make_events(6_000, seed=2))
    assert not fig.layout.meta["aggregated"]
    assert any(isinstance(tr, go.Scattergl) for tr in event_traces(fig))


def test_100k_events_give_an_aggregated_figure_that_resolves_when_zoomed():
    frame = make_events(100_000, seed=1)
    fig = timeline_figure(frame)
    assert fig.layout.meta["aggregated"] is True
    (tr,) = [t for t in fig.data if t.customdata is not None]
    assert isinstance(tr, go.Scattergl)
    # an event counts once per lane, spread over the periods it covers: the counts add up exactly
    lanes_per_event = frame.loc[frame["date_value"].notna(), "actors"].map(lambda a: max(len(a), 1)).sum()
    assert np.sum(tr.marker.color) == pytest.approx(lanes_per_event)
    zoomed = timeline_figure(frame, x_range=("2020-03-01", "2020-03-07"))
    assert zoomed.layout.meta["aggregated"] is False
    assert 0 < zoomed.layout.meta["events"] < 20_000
    assert list(zoomed.layout.xaxis.range)[0].startswith("2020-03-01")


def test_aggregation_spreads_a_long_event_over_its_periods():
    year = event(granularity="year", date_start=dt.date(2022, 1, 1), date_end=dt.date(2022, 12, 31))
    fig = timeline_figure(frame_of(year, event(event_id="e2")), aggregate_threshold=1)
    (tr,) = [t for t in fig.data if t.customdata is not None]
    assert fig.layout.meta["bin"] == "week"
    in_2022 = [w for row, w in zip(tr.customdata, tr.marker.color) if row[0] < "2023"]
    assert len(in_2022) == 53 and max(in_2022) <= 1 / 52      # not the whole year piled on one week
    assert sum(tr.marker.color) == pytest.approx(2)


def test_undated_events_are_counted_not_drawn():
    fig = timeline_figure(frame_of(event(), event(event_id="u", date_value=None, date_start=None, date_end=None,
                                                  granularity=None)))
    assert ids_in(fig) == {"e1"} and fig.layout.meta["undated"] == 1


def test_empty_frame_gives_an_empty_figure():
    fig = timeline_figure(frame_of(event()).iloc[0:0])
    assert ids_in(fig) == set()


def test_range_slider_and_html_export_work_offline():
    fig = timeline_figure(frame_of(event()))
    assert fig.layout.xaxis.rangeslider.visible
    page = figure_html(fig).decode("utf-8")
    assert 'src="https://cdn.plot.ly' not in page and len(page) > 1_000_000   # plotly.js inlined


def test_highlight_escapes_before_marking():
    sentence = 'التقى بوتين <script>x</script> في 12 أيلول 2023.'
    row = {"sentence": sentence, "date_text": "12 أيلول 2023", "date_start_offset": 100 + sentence.index("12"),
           "date_end_offset": 100 + sentence.index("12") + len("12 أيلول 2023"), "evidence_start": 100,
           "evidence_end": 100 + 11, "actors": ["فلاديمير بوتين"]}
    spans = sentence_spans(row, 100, {"فلاديمير بوتين": ["بوتين"]})
    out = highlight_html(sentence, spans)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert '<mark class="tl-date">12 أيلول 2023</mark>' in out
    assert '<mark class="tl-actor">بوتين</mark>' in out
    assert '<span class="tl-clause">التقى </span>' in out


def test_date_span_found_by_text_when_offsets_do_not_fit():
    row = {"sentence": "زار كيم روسيا عام 2019.", "date_text": "عام 2019", "date_start_offset": 999,
           "date_end_offset": 1005, "actors": []}
    spans = sentence_spans(row, None, {})
    assert ("زار كيم روسيا عام 2019."[spans[0][0]:spans[0][1]]) == "عام 2019"


def test_only_http_links_are_links():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url('https://example.org/a"b') == "https://example.org/a&quot;b"


def test_lane_names_and_sources_are_escaped_too():
    payload = '<a href="javascript:alert(1)">x</a>'
    fig = timeline_figure(frame_of(event(actors=[payload], actor_kinds=["person"], source=payload)), color="source")
    (tr,) = event_traces(fig)
    assert lane_name(fig, tr.y[0]) == '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;'
    assert tr.name.startswith("&lt;a href")


def test_periods_sit_on_their_own_row_under_the_day_points():
    fig = timeline_figure(frame_of(event(), event(event_id="y", granularity="year", date_start=dt.date(2023, 1, 1),
                                                  date_end=dt.date(2023, 12, 31))))
    by_id = {row[0]: tr for tr in event_traces(fig) for row in tr.customdata}
    point_y, bar_y = by_id["e1"].y[0], by_id["y"].y[0]
    assert point_y != bar_y and lane_name(fig, point_y) == lane_name(fig, bar_y)


def test_lanes_beyond_the_limit_are_folded_into_other():
    events = [event(event_id=f"e{i}", actors=[f"فاعل {i}"], actor_kinds=["person"]) for i in range(60)]
    events += [event(event_id=f"x{i}", actors=["فاعل 0"], actor_kinds=["person"]) for i in range(3)]
    fig = timeline_figure(frame_of(*events), max_lanes=10)
    lanes = list(fig.layout.yaxis.ticktext)
    assert len(lanes) == 10 and lanes[0] == "فاعل 0" and lanes[-1] == "أخرى (51)"
    assert fig.layout.meta["folded_lanes"] == 51
    assert ids_in(fig) == {f"e{i}" for i in range(60)} | {f"x{i}" for i in range(3)}


@pytest.mark.skipif(not __import__("os").path.exists("/usr/bin/chromium") and not __import__("os").environ.get("TIMELINE_REQUIRE_BROWSER"),
                    reason="kaleido needs a Chrome: Debian's chromium is not installed")
def test_png_export_of_the_timeline():
    from timeline.figures import figure_png, timeline_figure
    frame = frame_of(event(event_id="a"), event(event_id="b", date_text="عام 2019", date_value="2019",
                                                   granularity="year", date_start=dt.date(2019, 1, 1),
                                                   date_end=dt.date(2019, 12, 31)))
    png = figure_png(timeline_figure(frame), width=600, height=300)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
