"""The timeline chart: lanes of events over a date axis, built with plotly.graph_objects.

Design choices (see issue 4):
- A day (or a clock time) is a point; anything coarser (week, month, year, an open bound such as
  "before 2022-03-12") is a bar across its whole interval, so a year never looks like a day. Bars are
  go.Bar with `base` (px.timeline drops zero-length events; our bars are never zero-length because
  the end is inclusive: [start, end + 1 day)).
- Approximate dates (mod APPROX, vague PAST_REF-like values) and open bounds are drawn differently
  (hollow marker / hatched bar / arrow at the open end) with legend entries saying so.
- An event sits in the lane of each of its actors; events without an actor get their own lane.
- Every point carries its event_id in customdata[0] so a selection maps back to the event.
- Hover text is built here and HTML-escaped; Plotly renders it as text (bidi is the browser's job, so
  Arabic is never reshaped by hand).
- Scale: markers switch to WebGL (Scattergl) past SCATTERGL_THRESHOLD; past AGGREGATE_THRESHOLD events
  in view the figure shows counts per lane and day/week/month instead, and resolves into single
  events when `x_range` narrows the view enough.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import textwrap
from functools import lru_cache
from typing import Any, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from timeline.filters import as_list, prepare_events, undated_mask
from timeline.i18n import is_rtl, label, t

SCATTERGL_THRESHOLD = 2_000      # points (or bars) per figure above which WebGL is used
AGGREGATE_THRESHOLD = 20_000     # events in view above which counts are shown instead of events
MAX_LANES = 40                   # busiest lanes kept; the rest share one "Other" lane
BAR_WIDTH = 0.12                 # in lane units (a lane is 1)
POINT_GRANULARITIES = frozenset({"day", "time"})
DAY_MS = 86_400_000

KIND_COLORS = {
    "person": "#1f77b4", "organization": "#2ca02c", "country": "#d62728", "location": "#9467bd",
    "none": "#7f7f7f", "other": "#8c564b", "unknown": "#8c564b",
}
SOURCE_PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                  "#17becf", "#bcbd22", "#393b79", "#637939", "#8c6d31"]
FONT_FAMILY = "Noto Naskh Arabic, Noto Sans Arabic, Tahoma, DejaVu Sans, Arial, sans-serif"
HIJRI_MONTHS_AR = ["محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة", "رجب",
                   "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة"]
HIJRI_MONTHS_EN = ["Muharram", "Safar", "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Ula",
                   "Jumada al-Akhirah", "Rajab", "Shaban", "Ramadan", "Shawwal", "Dhu al-Qadah",
                   "Dhu al-Hijjah"]


# --- small helpers ---------------------------------------------------------------------------------

def _esc(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    # quote=False: Plotly decodes &lt; &gt; &amp; but shows &quot; literally, and a quote cannot
    # open markup once < and > are escaped
    return html.escape(str(value), quote=False)


def _wrap(text: str, width: int = 70, max_lines: int = 6) -> str:
    """Escaped text broken into <br>-separated lines; long clauses are cut with an ellipsis."""
    lines = textwrap.wrap(str(text), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += " …"
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def _ms(series: pd.Series) -> np.ndarray:
    """datetime64 column → epoch milliseconds (floats): Plotly reads numbers on a date axis as ms, and
    numeric arrays serialize far faster than 100k date strings."""
    return series.to_numpy(dtype="datetime64[ms]").astype("int64").astype("float64")


def _iso(ts: Any) -> str:
    return pd.Timestamp(ts).date().isoformat()


@lru_cache(maxsize=100_000)
def _hijri_of_day(day: dt.date, lang: str) -> str:
    from hijridate import Gregorian
    try:
        h = Gregorian(day.year, day.month, day.day).to_hijri()
    except (OverflowError, ValueError):
        return ""    # outside the Umm al-Qura table (1924–2077)
    return _format_hijri(h.year, h.month, h.day, lang)


def _format_hijri(year: int, month: int, day: int | None, lang: str) -> str:
    months = HIJRI_MONTHS_AR if lang == "ar" else HIJRI_MONTHS_EN
    name = months[month - 1] if 1 <= month <= 12 else str(month)
    suffix = "هـ" if lang == "ar" else "AH"
    return f"{day} {name} {year} {suffix}" if day else f"{name} {year} {suffix}"


def hijri_text(hijri: Any, start: Any, end: Any, lang: str = "ar") -> str:
    """The Hijri date for hover: the stored Hijri value when the text gave one ("1445-09-29"),
    otherwise the Umm al-Qura conversion of the interval (one day, or first – last day)."""
    if isinstance(hijri, str) and hijri:
        parts = hijri.split("-")
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            return hijri
        if len(nums) >= 2:
            return _format_hijri(nums[0], nums[1], nums[2] if len(nums) > 2 else None, lang)
        return f"{nums[0]} {'هـ' if lang == 'ar' else 'AH'}"
    if start is None or pd.isna(start):
        return ""
    s = pd.Timestamp(start).date()
    e = pd.Timestamp(end).date() if end is not None and not pd.isna(end) else s
    first = _hijri_of_day(s, lang)
    return first if e == s else f"{first} – {_hijri_of_day(e, lang)}"


def event_style(mod: Any, bound: Any, granularity: Any) -> str:
    """exact, approx or open: how sure the date is, which decides how it is drawn."""
    if isinstance(bound, str) and bound:
        return "open"
    if mod == "APPROX" or granularity == "ref":
        return "approx"
    return "exact"


def is_point(granularity: Any, bound: Any, start: Any, end: Any) -> bool:
    return (granularity in POINT_GRANULARITIES and not (isinstance(bound, str) and bound)
            and (end is None or pd.isna(end) or end == start))


# --- lanes ---------------------------------------------------------------------------------------------

def _lane_rows(ev: pd.DataFrame, lanes: str, color: str, lang: str) -> pd.DataFrame:
    """One row per (event, lane): `pos` (row in ev), `lane`, `color_key`."""
    if lanes == "actor":
        kinds = [list(k[: len(a)]) + [None] * (len(a) - len(k)) for a, k in zip(ev["actors"], ev["actor_kinds"])]
        long = pd.DataFrame({"pos": np.arange(len(ev)), "lane": ev["actors"].to_numpy(),
                             "kind": pd.Series(kinds, dtype=object).to_numpy()})
        long = long.explode(["lane", "kind"], ignore_index=True)
        long["lane"] = long["lane"].fillna(t("no_actor", lang))
        long["kind"] = long["kind"].fillna("none")
    else:
        titles = ev["title"].fillna("").astype(str).str.strip()
        doc = ev["document_id"].fillna("").astype(str)
        lane = titles.where(titles != "", doc)
        lane = lane.map(lambda s: s if len(s) <= 48 else s[:47] + "…")
        # two articles with the same (cut) title must not share a lane
        dup = pd.DataFrame({"lane": lane, "doc": doc}).drop_duplicates().duplicated("lane", keep=False)
        dup_lanes = set(pd.DataFrame({"lane": lane, "doc": doc}).drop_duplicates()[dup.to_numpy()]["lane"])
        if dup_lanes:
            lane = pd.Series([f"{l} ({d[:6]})" if l in dup_lanes else l for l, d in zip(lane, doc)],
                             index=ev.index)
        first_kind = [k[0] if len(k) else "none" for k in ev["actor_kinds"]]
        long = pd.DataFrame({"pos": np.arange(len(ev)), "lane": lane.to_numpy(), "kind": first_kind})
    # lane names and sources are article text too, and Plotly renders tick labels and legend names
    # as its own small HTML (links included): escape them like the hover text
    long["lane"] = long["lane"].map(lambda v: html.escape(str(v), quote=False))
    if color == "source":
        long["color_key"] = ev["source"].fillna("—").astype(str).to_numpy()[long["pos"].to_numpy()]
    else:
        long["color_key"] = long["kind"].where(long["kind"].isin(list(KIND_COLORS)), "other")
    return long


def _limit_lanes(long: pd.DataFrame, max_lanes: int, lang: str) -> tuple[pd.DataFrame, list[str], int]:
    """Keep the busiest lanes; fold the rest into one "Other (n)" lane (an event once per lane)."""
    counts = long.groupby("lane", sort=False)["pos"].nunique().sort_values(ascending=False, kind="stable")
    no_actor = t("no_actor", lang)
    ordered = [l for l in counts.index if l != no_actor]
    folded = 0
    if len(counts) > max_lanes:
        keep = set(ordered[: max_lanes - 1])
        rest = ~long["lane"].isin(keep | {no_actor})
        folded = long.loc[rest, "lane"].nunique()
        other = t("other_lanes", lang, n=folded)
        long = long.copy()
        long.loc[rest, "lane"] = other
        long = long.drop_duplicates(["pos", "lane"])
        ordered = [l for l in ordered if l in keep] + [other]
    if no_actor in counts.index:
        ordered.append(no_actor)
    return long, ordered, folded


def _color_map(keys: Sequence[str], color: str) -> dict[str, str]:
    if color == "source":
        return {k: SOURCE_PALETTE[i % len(SOURCE_PALETTE)] for i, k in enumerate(keys)}
    return {k: KIND_COLORS.get(k, KIND_COLORS["other"]) for k in keys}


def _color_label(key: str, color: str, lang: str) -> str:
    return label("kind", key, lang) if color == "kind" else html.escape(key, quote=False)


# --- hover ------------------------------------------------------------------------------------------

def _hover_texts(ev: pd.DataFrame, lang: str) -> list[str]:
    out = []
    cols = ["date_text", "date_value", "date_mod", "date_bound", "granularity", "_start", "_end", "hijri",
            "description", "actors", "source", "title"]
    for (date_text, value, mod, bound, gran, start, end, hijri, desc, actors, source, title) in zip(
            *(ev[c].to_numpy() for c in cols)):
        start_s, end_s = _iso(start), _iso(end)
        value_s = _esc(value)
        if isinstance(mod, str) and mod:
            value_s += f" ({_esc(mod)})"
        if isinstance(bound, str) and bound:
            value_s = f"{_esc(t('bound_' + bound, lang))} {value_s}"
        lines = [f"<b>{_esc(date_text)}</b>",
                 f"{_esc(t('hover_value', lang))}: {value_s} · {_esc(label('gran', gran, lang))}"]
        if end_s != start_s:
            lines.append(f"{_esc(t('hover_interval', lang))}: {start_s} – {end_s}")
        else:
            lines.append(start_s)
        h = hijri_text(hijri, start, end, lang)
        if h:
            lines.append(f"{_esc(t('hover_hijri', lang))}: {_esc(h)}")
        lines.append(_wrap(desc if isinstance(desc, str) else ""))
        if len(actors):
            lines.append(f"{_esc(t('hover_actors', lang))}: {_esc('، '.join(actors) if lang == 'ar' else ', '.join(actors))}")
        src = " · ".join(_esc(s) for s in (source, title) if isinstance(s, str) and s)
        if src:
            lines.append(f"<i>{_wrap(' · '.join(s for s in (source, title) if isinstance(s, str) and s), 70, 2)}</i>")
        out.append("<br>".join(lines))
    return out


# --- the figure -------------------------------------------------------------------------------------

def _base_layout(fig: go.Figure, lang: str, n_lanes: int, lanes_order: list[str], height: int | None) -> None:
    rtl = is_rtl(lang)
    fig.update_layout(
        height=height or int(min(2000, max(320, 210 + 48 * n_lanes))),
        margin=dict(l=10, r=10, t=100, b=10),   # room for a two-row legend under the modebar
        font=dict(family=FONT_FAMILY, size=13),
        hoverlabel=dict(align="right" if rtl else "left", font=dict(family=FONT_FAMILY, size=13),
                        namelength=-1),
        hovermode="closest",
        barmode="overlay",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right" if rtl else "left",
                    x=1 if rtl else 0, groupclick="toggleitem"),
        plot_bgcolor="white",
        uirevision="timeline",   # keeps the user's zoom/legend state across Streamlit reruns
        dragmode="zoom",         # drag to zoom the time axis (lanes are fixed); box select is in the modebar
    )
    # lanes are numbers 0..n-1 labelled with their names (not a categorical axis), so that within a
    # lane the periods can sit on their own row just under the day points instead of covering them
    n = max(n_lanes, 1)
    fig.update_yaxes(type="linear", tickmode="array", tickvals=list(range(len(lanes_order))),
                     ticktext=list(lanes_order), range=[n - 0.5, -0.5], fixedrange=True,
                     side="right" if rtl else "left", showgrid=False, zeroline=False, automargin=True,
                     tickfont=dict(size=13, color="#222"), title=None)
    # zebra bands tell the lanes apart without grid lines running through the points
    fig.update_layout(shapes=[dict(type="rect", xref="paper", x0=0, x1=1, yref="y", y0=i - 0.5, y1=i + 0.5,
                                   fillcolor="#f4f6f9", line_width=0, layer="below")
                              for i in range(0, len(lanes_order), 2)])
    if rtl:
        # numeric dates: plotly.js only ships English month names, and "Jan 2020" in an Arabic UI jars
        fig.update_xaxes(tickformatstops=[
            dict(dtickrange=[None, DAY_MS], value="%Y-%m-%d %H:%M"),
            dict(dtickrange=[DAY_MS, 28 * DAY_MS], value="%Y-%m-%d"),
            dict(dtickrange=[28 * DAY_MS, 365 * DAY_MS], value="%Y-%m"),
            dict(dtickrange=[365 * DAY_MS, None], value="%Y"),
        ])
    fig.update_xaxes(type="date", showgrid=True, gridcolor="#eeeeee", title=None,
                     rangeslider=dict(visible=True, thickness=0.06),
                     rangeselector=dict(buttons=[
                         dict(count=7, label="7d" if lang == "en" else "٧ أيام", step="day", stepmode="backward"),
                         dict(count=1, label="1m" if lang == "en" else "شهر", step="month", stepmode="backward"),
                         dict(count=1, label="1y" if lang == "en" else "سنة", step="year", stepmode="backward"),
                         dict(label="all" if lang == "en" else "الكل", step="all"),
                     ]))


def _style_legend(fig: go.Figure, lang: str, styles_present: set[str], has_points: bool, has_bars: bool) -> None:
    """Legend entries that explain the shapes: they carry no data (x=[None])."""
    entries = []
    if has_points:
        entries.append((t("day_point", lang), dict(symbol="circle", size=10, color="#555")))
    if has_bars:
        entries.append((t("period_bar", lang), dict(symbol="line-ew-open", size=14, color="#555",
                                                    line=dict(width=6, color="#555"))))
    if "approx" in styles_present:
        entries.append((t("style_approx", lang), dict(symbol="circle-open-dot", size=11, color="#555",
                                                      line=dict(width=2))))
    if "open" in styles_present:
        entries.append((t("style_open", lang), dict(symbol="triangle-left-open", size=11, color="#555",
                                                    line=dict(width=2))))
    for i, (name, marker) in enumerate(entries):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, marker=marker,
                                 legendgroup="__styles", showlegend=True, hoverinfo="skip"))


def timeline_figure(frame: pd.DataFrame, lanes: str = "actor", color: str = "kind", lang: str = "ar",
                    x_range: tuple[Any, Any] | None = None, *, height: int | None = None,
                    aggregate_threshold: int = AGGREGATE_THRESHOLD, max_lanes: int = MAX_LANES,
                    scattergl_threshold: int = SCATTERGL_THRESHOLD) -> go.Figure:
    """The timeline of the dated events in `frame` (undated events have no place on a date axis; the
    app lists them in the table). `x_range` (start, end) limits the view, e.g. to a zoom window."""
    if lanes not in ("actor", "article"):
        raise ValueError(f"lanes must be 'actor' or 'article', not {lanes!r}")
    if color not in ("kind", "source"):
        raise ValueError(f"color must be 'kind' or 'source', not {color!r}")
    frame = prepare_events(frame)
    undated = undated_mask(frame)
    ev = frame[~undated.to_numpy()]
    if x_range is not None and x_range[0] is not None and x_range[1] is not None:
        s, e = pd.Timestamp(x_range[0]), pd.Timestamp(x_range[1])
        ev = ev[(ev["_start"] <= e) & (ev["_end"] >= s)]
    ev = ev.reset_index(drop=True)
    meta = {"aggregated": False, "events": int(len(ev)), "undated": int(undated.sum()), "bin": None,
            "folded_lanes": 0}
    if ev.empty:
        fig = go.Figure()
        _base_layout(fig, lang, 1, [], height)
        fig.update_layout(meta=meta, height=height or 300)
        return _apply_range(fig, x_range)
    long = _lane_rows(ev, lanes, color, lang)
    long, order, folded = _limit_lanes(long, max_lanes, lang)
    meta["folded_lanes"] = folded
    if len(ev) > aggregate_threshold:
        fig = _aggregated_figure(ev, long, order, lang, height, x_range)
        meta.update(aggregated=True, bin=fig.layout.meta["bin"])
        fig.update_layout(meta=meta)
        return fig

    fig = go.Figure()
    _base_layout(fig, lang, len(order), order, height)
    starts, ends = ev["_start"], ev["_end"]
    point = np.array([is_point(g, b, s, e) for g, b, s, e in
                      zip(ev["granularity"], ev["date_bound"], starts, ends)], dtype=bool)
    style = np.array([event_style(m, b, g) for m, b, g in
                      zip(ev["date_mod"], ev["date_bound"], ev["granularity"])], dtype=object)
    bound = ev["date_bound"].to_numpy(dtype=object)
    hover = np.array(_hover_texts(ev, lang), dtype=object)
    ids = ev["event_id"].astype(str).to_numpy()
    start_ms, end_ms = _ms(starts), _ms(ends) + DAY_MS   # bars cover whole days: [start, end + 1 day)

    pos = long["pos"].to_numpy()
    lane_pos = {name: i for i, name in enumerate(order)}
    lane_i = long["lane"].map(lane_pos).to_numpy(dtype=float)
    is_pt = point[pos]
    lane, bar_lane = _lane_rows_y(lane_i, is_pt, start_ms[pos], end_ms[pos])
    ckey = long["color_key"].to_numpy(dtype=object)
    color_keys = list(pd.unique(long["color_key"]))
    if color == "kind":
        color_keys.sort(key=lambda k: list(KIND_COLORS).index(k) if k in KIND_COLORS else 99)
    cmap = _color_map(color_keys, color)
    n_points, n_bars = int(is_pt.sum()), int((~is_pt).sum())
    # one solid legend entry per colour; the data traces join its group (a click hides them all)
    for key in color_keys:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=_color_label(key, color, lang),
                                 legendgroup=key, showlegend=True, hoverinfo="skip",
                                 marker=dict(symbol="square", size=12, color=cmap[key])))

    use_gl_points = n_points > scattergl_threshold
    use_gl_bars = n_bars > scattergl_threshold
    shown_in_legend: set[str] = set(color_keys)   # the legend entries were added above

    # bars first, then points, so a day is never hidden under a year bar of another colour
    for geometry in ("bar", "point"):
        for key in color_keys:
            c = cmap[key]
            name = _color_label(key, color, lang)
            in_key = ckey == key
            for st in ("exact", "approx", "open"):
                m = in_key & (style[pos] == st) & (is_pt if geometry == "point" else ~is_pt)
                if not m.any():
                    continue
                p = pos[m]
                custom = np.stack([ids[p], hover[p]], axis=1)
                showlegend = key not in shown_in_legend
                shown_in_legend.add(key)
                if geometry == "point":
                    symbol = {"exact": "circle", "approx": "circle-open-dot", "open": "triangle-left-open"}[st]
                    trace_cls = go.Scattergl if use_gl_points else go.Scatter
                    fig.add_trace(trace_cls(
                        x=start_ms[p] + DAY_MS / 2, y=lane[m], mode="markers", name=name,
                        legendgroup=key, showlegend=showlegend,
                        marker=dict(symbol=symbol, size=11 if st == "exact" else 12, color=c,
                                    line=dict(width=2 if st != "exact" else 1,
                                              color=c if st != "exact" else "white")),
                        customdata=custom, hovertemplate="%{customdata[1]}<extra></extra>",
                    ))
                elif use_gl_bars:
                    b0, b1 = start_ms[p], end_ms[p]
                    if x_range is not None and x_range[0] is not None and x_range[1] is not None:
                        # WebGL drops a segment whose two ends are both outside the view, so a year
                        # seen through a one-week window would vanish: clip the ends to the window
                        lo_ms = pd.Timestamp(x_range[0]).value / 1e6
                        hi_ms = pd.Timestamp(x_range[1]).value / 1e6
                        b0, b1 = np.clip(b0, lo_ms, hi_ms), np.clip(b1, lo_ms, hi_ms)
                    _add_gl_bars(fig, b0, b1, bar_lane[m], ids[p], hover[p], c, st, name, key, showlegend)
                else:
                    fig.add_trace(go.Bar(
                        base=start_ms[p], x=end_ms[p] - start_ms[p], y=bar_lane[m], orientation="h", name=name,
                        width=BAR_WIDTH,
                        legendgroup=key, showlegend=showlegend,
                        marker=dict(color=c, opacity={"exact": 0.75, "approx": 0.5, "open": 0.35}[st],
                                    line=dict(color=c, width=1.5),
                                    pattern=dict(shape={"exact": "", "approx": "/", "open": "."}[st],
                                                 fgcolor="white" if st != "exact" else None, size=6)),
                        customdata=custom, hovertemplate="%{customdata[1]}<extra></extra>",
                    ))
                    if st == "open":
                        # an arrow at the open end: "before" is open to the left, "after" to the right
                        before = bound[p] == "before"
                        fig.add_trace(go.Scatter(
                            x=np.where(before, start_ms[p], end_ms[p]), y=bar_lane[m], mode="markers",
                            showlegend=False, legendgroup=key,
                            marker=dict(symbol=np.where(before, "triangle-left", "triangle-right").tolist(),
                                        size=12, color=c),
                            customdata=custom, hovertemplate="%{customdata[1]}<extra></extra>",
                        ))
    _style_legend(fig, lang, set(style), n_points > 0, n_bars > 0)
    fig.update_layout(meta=meta)
    if x_range is None:
        # a margin on both sides, so events on the first or last day are not cut at the frame
        lo, hi = starts.min(), ends.max() + pd.Timedelta(days=1)
        pad = max(pd.Timedelta(days=2), (hi - lo) * 0.03)
        fig.update_xaxes(range=[(lo - pad).isoformat(), (hi + pad).isoformat()])
    return _apply_range(fig, x_range)


POINT_ROWS = (-0.08, -0.2, -0.32)   # y offsets in a lane for events on the same day (stacked upward)
BAR_ROWS = (0.1, 0.24, 0.38)        # y offsets for periods, packed so overlapping ones do not hide


def _lane_rows_y(lane: np.ndarray, is_pt: np.ndarray, start: np.ndarray, end: np.ndarray):
    """y positions inside each lane: day points on rows above the centre (several events on one day
    stack up), periods on rows below (greedy interval packing, so overlapping periods sit on separate
    rows while there are rows left; beyond that they overlap on the last one)."""
    y_pt = lane.copy()
    y_bar = lane.copy()
    if is_pt.any():
        idx = np.flatnonzero(is_pt)
        key = pd.DataFrame({"lane": lane[idx], "day": start[idx]})
        rank = key.groupby(["lane", "day"], sort=False).cumcount().to_numpy()
        y_pt[idx] = lane[idx] + np.asarray(POINT_ROWS)[np.minimum(rank, len(POINT_ROWS) - 1)]
    if (~is_pt).any():
        idx = np.flatnonzero(~is_pt)
        order = idx[np.lexsort((start[idx], lane[idx]))]
        row_end: dict[float, list[float]] = {}
        for j in order:
            ends = row_end.setdefault(lane[j], [-np.inf] * len(BAR_ROWS))
            r = next((k for k, e in enumerate(ends) if e <= start[j]), len(BAR_ROWS) - 1)
            ends[r] = max(ends[r], end[j])
            y_bar[j] = lane[j] + BAR_ROWS[r]
    return y_pt, y_bar


def _add_gl_bars(fig, start, end, lane, ids, hover, c, st, name, key, showlegend) -> None:
    """Many bars as WebGL line segments (start→end, None between) plus a hover point at the middle:
    thousands of SVG rects would make the browser crawl."""
    n = len(start)
    xs = np.empty(n * 3, dtype=float)
    xs[0::3], xs[1::3], xs[2::3] = start, end, np.nan
    ys = np.empty(n * 3, dtype=float)
    ys[0::3], ys[1::3], ys[2::3] = lane, lane, np.nan
    dash = {"exact": "solid", "approx": "dot", "open": "dash"}[st]
    fig.add_trace(go.Scattergl(x=xs, y=ys, mode="lines", name=name, legendgroup=key, showlegend=showlegend,
                               line=dict(color=c, width=8, dash=dash), opacity=0.7, hoverinfo="skip"))
    fig.add_trace(go.Scattergl(x=(start + end) / 2, y=lane, mode="markers", legendgroup=key, showlegend=False,
                               marker=dict(color=c, size=5, symbol="line-ns-open"),
                               customdata=np.stack([ids, hover], axis=1),
                               hovertemplate="%{customdata[1]}<extra></extra>"))


def lane_name(fig: go.Figure, y: float) -> str:
    """The lane a drawn y position belongs to (points sit on the lane, periods just below it)."""
    return fig.layout.yaxis.ticktext[int(round(float(y)))]


def _apply_range(fig: go.Figure, x_range) -> go.Figure:
    # a new zoom window from the app must win over the zoom kept in the browser
    fig.update_layout(uirevision=f"timeline-{x_range}")
    if x_range is not None and x_range[0] is not None and x_range[1] is not None:
        fig.update_xaxes(range=[pd.Timestamp(x_range[0]).isoformat(), pd.Timestamp(x_range[1]).isoformat()])
    return fig


# --- aggregated view ----------------------------------------------------------------------------------

BIN_ORDER = ("day", "week", "month")
MAX_AGG_ROWS = 3_000_000   # (event, lane, bin) rows an aggregation may expand to before a coarser bin


def choose_bin(start: pd.Timestamp, end: pd.Timestamp) -> str:
    days = (end - start).days
    if days <= 180:
        return "day"
    if days <= 4 * 365:
        return "week"
    return "month"


def _bin_origin(lo: pd.Timestamp, bin_: str) -> pd.Timestamp:
    lo = lo.normalize()
    if bin_ == "week":
        return lo - pd.Timedelta(days=lo.weekday())
    if bin_ == "month":
        return lo.replace(day=1)
    return lo


def _bin_index(ts: pd.Series, origin: pd.Timestamp, bin_: str) -> np.ndarray:
    if bin_ == "month":
        return ((ts.dt.year - origin.year) * 12 + ts.dt.month - origin.month).to_numpy(dtype="int64")
    days = (ts.dt.normalize() - origin).dt.days.to_numpy(dtype="int64")
    return days // 7 if bin_ == "week" else days


def _bin_bounds(idx: np.ndarray, origin: pd.Timestamp, bin_: str) -> tuple[pd.Series, pd.Series]:
    if bin_ == "month":
        start = pd.Series([origin + pd.DateOffset(months=int(i)) for i in idx])
        return start, start + pd.offsets.MonthEnd(0)
    step = 7 if bin_ == "week" else 1
    start = pd.Series(origin + pd.to_timedelta(idx * step, unit="D"))
    return start, start + pd.Timedelta(days=step - 1)


def _aggregated_figure(ev, long, order, lang, height, x_range) -> go.Figure:
    """Events per lane and day/week/month as a grid of squares coloured by count. An event spread
    over k periods counts 1/k in each, so a year-long event does not pile up in January and the
    totals still add up to the number of events. Scattergl squares rather than a heatmap so that a
    click or a box selection works (the app zooms in on it)."""
    if x_range is not None and x_range[0] is not None:
        lo, hi = pd.Timestamp(x_range[0]), pd.Timestamp(x_range[1])
    else:
        lo, hi = ev["_start"].min(), ev["_end"].max()
    starts, ends = ev["_start"].clip(lower=lo, upper=hi), ev["_end"].clip(lower=lo, upper=hi)
    pos = long["pos"].to_numpy()
    for bin_ in BIN_ORDER[BIN_ORDER.index(choose_bin(lo, hi)):]:
        origin = _bin_origin(lo, bin_)
        first, last = _bin_index(starts, origin, bin_), _bin_index(ends, origin, bin_)
        k = np.maximum(last - first + 1, 1)
        if int(k[pos].sum()) <= MAX_AGG_ROWS or bin_ == "month":
            break
    kk = k[pos]
    rows = np.repeat(np.arange(len(pos)), kk)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(kk) - kk, kk)
    grid = pd.DataFrame({"lane": long["lane"].to_numpy()[rows], "bin": first[pos][rows] + offset,
                         "w": 1.0 / kk[rows]})
    counts = grid.groupby(["lane", "bin"], sort=False).agg(n=("w", "sum"), touching=("w", "size")).reset_index()
    bstart, bend = _bin_bounds(counts["bin"].to_numpy(), origin, bin_)
    width_ms = {"day": DAY_MS, "week": 7 * DAY_MS, "month": 30.44 * DAY_MS}[bin_]
    x = _ms(bstart) + width_ms / 2
    n_bins = max(1, int(((hi - lo).days * DAY_MS) / width_ms) + 1)
    size = float(np.clip(1000 / n_bins, 3, 22))
    bin_label = t(f"bin_{bin_}", lang)
    start_iso = bstart.dt.strftime("%Y-%m-%d").to_numpy()
    end_iso = bend.dt.strftime("%Y-%m-%d").to_numpy()
    n = counts["n"].to_numpy()
    hover = [f"<b>{l}</b><br>{_esc(t('hover_period', lang))} ({bin_label}): {s} – {e}<br>"
             f"{_esc(t('hover_count', lang))}: {c:,.1f} · {_esc(t('hover_touching', lang))}: {m:,}"
             for l, s, e, c, m in zip(counts["lane"], start_iso, end_iso, n, counts["touching"])]
    rtl = is_rtl(lang)
    fig = go.Figure(go.Scattergl(
        x=x, y=counts["lane"].map({name: i for i, name in enumerate(order)}).to_numpy(dtype=float),
        mode="markers", name=t("hover_count", lang),
        marker=dict(symbol="square", size=size, color=n, colorscale="YlOrRd", cmin=0, showscale=True,
                    # a horizontal bar above the plot: at the side it would cover the lane names
                    colorbar=dict(title=dict(text=t("count_axis", lang), side="top"), orientation="h",
                                  thickness=10, len=0.35, x=0 if rtl else 1, xanchor="left" if rtl else "right",
                                  y=1.02, yanchor="bottom")),
        customdata=np.stack([start_iso, end_iso, np.round(n, 2), np.array(hover, dtype=object)], axis=1),
        hovertemplate="%{customdata[3]}<extra></extra>", showlegend=False,
    ))
    _base_layout(fig, lang, len(order), order, height)
    # WebGL traces are not drawn in the range slider, which would be an empty strip here; zooming
    # is done by selecting cells (the app redraws), so the range buttons go too
    fig.update_xaxes(rangeslider_visible=False, rangeselector_visible=False)
    # dragging across a period selects it (the app then redraws it as single events); a client-side
    # zoom would only magnify the counts
    fig.update_layout(meta={"aggregated": True, "bin": bin_}, margin=dict(t=90), dragmode="select",
                      selectdirection="h")
    return _apply_range(fig, x_range)


# --- export -----------------------------------------------------------------------------------------

def figure_html(fig: go.Figure) -> bytes:
    """Self-contained interactive HTML (plotly.js inlined: works offline, unlike the CDN build)."""
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")


def figure_png(fig: go.Figure, width: int = 1400, height: int | None = None) -> bytes:
    """PNG through kaleido, which drives a Chrome: point it at Debian's chromium when present."""
    if "BROWSER_PATH" not in os.environ and os.path.exists("/usr/bin/chromium"):
        os.environ["BROWSER_PATH"] = "/usr/bin/chromium"
    fig = go.Figure(fig)
    # slider and range buttons are controls: on paper they only take space
    fig.update_layout(xaxis_rangeslider_visible=False, xaxis_rangeselector_visible=False)
    return fig.to_image(format="png", width=width, height=height or fig.layout.height or 600, scale=1)


# --- the details panel --------------------------------------------------------------------------------

def _valid_span(text: str, start: Any, end: Any) -> tuple[int, int] | None:
    try:
        s, e = int(start), int(end)
    except (TypeError, ValueError):
        return None
    return (s, e) if 0 <= s < e <= len(text) else None


def find_sentence(document_text: str | None, sentence: str, evidence_start: Any) -> int | None:
    """Offset of `sentence` in the document: the occurrence that holds the clause's start."""
    if not document_text or not sentence:
        return None
    try:
        anchor = int(evidence_start)
    except (TypeError, ValueError):
        anchor = None
    best, i = None, document_text.find(sentence)
    while i != -1:
        if anchor is None or i <= anchor < i + len(sentence):
            return i
        best = i if best is None else best
        i = document_text.find(sentence, i + 1)
    return best


def sentence_spans(row: dict, sentence_start: int | None, actor_forms: dict[str, list[str]]) -> list[tuple[int, int, str]]:
    """(start, end, class) spans in the sentence: the clause, the time expression and actor mentions.

    Offsets in the record are document offsets; each span is checked against the text it should cover
    (the date span must read `date_text`), and found by search when the offsets do not fit."""
    sentence = row.get("sentence") or ""
    spans: list[tuple[int, int, str]] = []
    base = sentence_start or 0

    def shifted(a, b):
        if sentence_start is None:
            return None
        try:
            return _valid_span(sentence, int(a) - base, int(b) - base)
        except (TypeError, ValueError):
            return None

    clause = shifted(row.get("evidence_start"), row.get("evidence_end"))
    if clause:
        spans.append((*clause, "tl-clause"))
    date_text = row.get("date_text") or ""
    date = None
    for cand in (shifted(row.get("date_start_offset"), row.get("date_end_offset")),
                 _valid_span(sentence, row.get("date_start_offset"), row.get("date_end_offset"))):
        if cand and (not date_text or sentence[cand[0]:cand[1]] == date_text):
            date = cand
            break
    if date is None and date_text:
        i = sentence.find(date_text)
        date = (i, i + len(date_text)) if i >= 0 else None
    if date:
        spans.append((*date, "tl-date"))
    for actor in as_list(row.get("actors")):
        forms = sorted({actor, *actor_forms.get(actor, [])}, key=len, reverse=True)
        taken: list[tuple[int, int]] = []
        for form in forms:
            if not form:
                continue
            i = sentence.find(form)
            while i != -1:
                j = i + len(form)
                if not any(a < j and i < b for a, b in taken):
                    taken.append((i, j))
                    spans.append((i, j, "tl-actor"))
                i = sentence.find(form, j)
    return spans


def highlight_html(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Escaped text with spans marked: the text is cut at span borders, every piece is escaped, and
    only then the <mark>/<span> tags go around it, so nothing in the article can become markup."""
    if not text:
        return ""
    cuts = {0, len(text)}
    for s, e, _ in spans:
        cuts.update((max(0, s), min(len(text), e)))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:]):
        classes = sorted({c for s, e, c in spans if s <= a and b <= e})
        piece = html.escape(text[a:b], quote=True)
        marks = [c for c in classes if c != "tl-clause"]
        if marks:
            piece = f'<mark class="{" ".join(marks)}">{piece}</mark>'
        if "tl-clause" in classes:
            piece = f'<span class="tl-clause">{piece}</span>'
        out.append(piece)
    return "".join(out)


def safe_url(url: Any) -> str | None:
    """Only http(s) links are shown as links; javascript: and friends stay text."""
    if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")):
        return html.escape(url.strip(), quote=True)
    return None
