"""Streamlit app: explore the event timeline, filter it, read the evidence, export it.

Thin on purpose: every computation is a function in `timeline/` (filters, figures, store, exports,
pipeline); this file wires widgets to them and caches the results.
Run: `streamlit run app.py` (the store is $TIMELINE_DB, default data/timeline.duckdb).
"""
from __future__ import annotations

import datetime as dt
import html
import os
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from timeline import figures, filters
from timeline.errors import TimelineError
from timeline.i18n import LANG_NAMES, LANGS, is_rtl, label, t
from timeline.paths import DEFAULT_DB, SEEDS_DIR
from timeline.store import Store

# Extraction and exports are separate stages: if one cannot load, the app still explores the store
# and says why the missing part is unavailable instead of showing nothing at all.
try:
    from timeline import pipeline
    PIPELINE_ERROR = None
except Exception as exc:  # noqa: BLE001 - any failure to load the extractor (bad lexicon, regex, ...)
    pipeline, PIPELINE_ERROR = None, f"{type(exc).__name__}: {exc}"
try:
    from timeline import exports
    EXPORTS_ERROR = None
except Exception as exc:  # noqa: BLE001
    exports, EXPORTS_ERROR = None, f"{type(exc).__name__}: {exc}"

DB_PATH = os.environ.get("TIMELINE_DB") or str(DEFAULT_DB)
MAX_FILES = 20
MAX_FILE_MB = 20          # keep equal to server.maxUploadSize in .streamlit/config.toml
MAX_TOTAL_MB = 50
TABLE_ROWS = 10_000       # rows sent to the browser table; downloads always hold every filtered row
EAGER_EXPORT_ROWS = 5_000   # above this, export bytes are built only when the button is clicked
SEED_SUFFIXES = {".txt", ".jsonl", ".csv", ".html", ".htm", ".json"}

st.set_page_config(page_title="Timeline · الخط الزمني", page_icon="🗓️", layout="wide")


# --- store and data ---------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def open_store(path: str) -> dict:
    """One store per process; a lock because Streamlit sessions run in threads and a DuckDB
    connection must not be used by two at once. `version` bumps after every ingest."""
    return {"store": Store(path), "lock": threading.RLock(), "version": 0, "seeded": False}


@st.cache_resource(show_spinner=False, max_entries=2)
def load_events(path: str, version: int) -> pd.DataFrame:
    res = open_store(path)
    with res["lock"]:
        frame = res["store"].events_frame()
    return filters.prepare_events(frame)   # shared read-only by every session: never mutated


@st.cache_resource(show_spinner=False, max_entries=2)
def load_actor_forms(path: str, version: int) -> dict[str, list[str]]:
    res = open_store(path)
    with res["lock"]:
        actors = res["store"].actors_frame()
    forms: dict[str, list[str]] = {}
    for canonical, aliases in zip(actors["canonical"], actors["aliases"]):
        forms.setdefault(canonical, []).extend(filters.as_list(aliases))
    return forms


@st.cache_resource(show_spinner=False, max_entries=2)
def load_options(path: str, version: int) -> dict:
    frame = load_events(path, version)
    docs = frame.drop_duplicates("document_id")[["document_id", "title", "published"]]
    return {
        "actors": filters.actor_options(frame),
        "sources": filters.value_counts(frame, "source"),
        "granularities": filters.value_counts(frame, "granularity"),
        "tenses": filters.value_counts(frame, "tense"),
        "documents": docs,
        "bounds": filters.date_bounds(frame),
    }


@st.cache_data(show_spinner=False, max_entries=64)
def load_document(path: str, version: int, document_id: str) -> dict | None:
    res = open_store(path)
    with res["lock"]:
        return res["store"].document(document_id)


@st.cache_resource(show_spinner=False, max_entries=8)
def build_figure(path: str, version: int, state: filters.FilterState, lanes: str, color: str, lang: str,
                 x_range: tuple | None):
    frame = filters.apply_filters(load_events(path, version), state)
    return figures.timeline_figure(frame, lanes=lanes, color=color, lang=lang, x_range=x_range)


@st.cache_data(show_spinner=False, max_entries=16)
def export_bytes(path: str, version: int, state: filters.FilterState, fmt: str) -> bytes:
    """Export of the filtered events, cached so reruns (a click on the chart) do not rebuild it."""
    frame = filters.public_columns(filters.apply_filters(load_events(path, version), state))
    return {"csv": exports.to_csv_bytes, "jsonl": exports.to_jsonl_bytes,
            "parquet": exports.to_parquet_bytes}[fmt](frame)


@st.cache_resource(show_spinner=False)
def png_problem() -> str | None:
    """Why PNG export cannot work here, or None. Checked once: kaleido must find a Chrome."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "kaleido is not installed"
    if not (os.environ.get("BROWSER_PATH") or Path("/usr/bin/chromium").exists()):
        return "no Chrome/Chromium for kaleido (set BROWSER_PATH)"
    return None


def seed_if_empty(res: dict, lang: str) -> None:
    """A fresh clone shows the seed articles' timeline at once instead of an empty page."""
    with res["lock"]:
        if res["seeded"]:
            return
        res["seeded"] = True
        if res["store"].has_documents() or pipeline is None:
            return
        paths = sorted(p for p in SEEDS_DIR.iterdir() if p.suffix.lower() in SEED_SUFFIXES)
        if not paths:
            return
        with st.spinner(t("seeding", lang)):
            summary = pipeline.ingest_paths(paths, res["store"])
        res["version"] += 1
        for err in summary.errors:
            st.warning(str(err))


# --- helpers for widgets ------------------------------------------------------------------------------

def inject_css(lang: str) -> None:
    rtl = is_rtl(lang)
    direction = "rtl" if rtl else "ltr"
    align = "right" if rtl else "left"
    st.html(f"""<style>
    .stApp, [data-testid="stSidebar"], [data-testid="stMain"] {{ direction: {direction}; }}
    [data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], .stTextInput input,
    .stTextArea textarea, [data-testid="stWidgetLabel"], [data-testid="stExpander"] summary {{ text-align: {align}; }}
    /* time runs left to right in both languages, and the data grid draws itself on a canvas */
    [data-testid="stPlotlyChart"], [data-testid="stDataFrame"], .js-plotly-plot {{ direction: ltr; }}
    /* digits and slashes of a date would be reordered by the RTL bidi context */
    [data-testid="stDateInput"] input {{ direction: ltr; text-align: {align}; }}
    .tl-card {{ direction: {direction}; text-align: {align}; line-height: 1.9; font-size: 1.02rem; }}
    .tl-card .tl-meta {{ color: #555; font-size: 0.9rem; }}
    .tl-card .tl-sentence {{ font-size: 1.15rem; padding: .4rem .6rem; background: #fafafa;
                             border-inline-start: 4px solid #1f77b4; margin: .4rem 0; }}
    mark.tl-date {{ background: #ffe08a; padding: 0 .15rem; border-radius: 3px; }}
    mark.tl-actor {{ background: #bde0ff; padding: 0 .15rem; border-radius: 3px; }}
    mark.tl-date.tl-actor {{ background: #d7c6ff; }}
    span.tl-clause {{ text-decoration: underline; text-decoration-color: #1f77b4;
                      text-decoration-thickness: 2px; text-underline-offset: 5px; }}
    .tl-article {{ white-space: pre-wrap; direction: rtl; text-align: right; line-height: 1.9;
                   max-height: 28rem; overflow-y: auto; }}
    .tl-muted {{ color: #777; }}
    </style>""")


def mb(n_bytes: int) -> str:
    return f"{n_bytes / 1_048_576:.1f}"


def actor_label(option: str, info: dict, lang: str) -> str:
    kind, count = info.get(option, (None, 0))
    return f"{option} · {label('kind', kind, lang)} · {count}"


def clean_row(row: dict) -> dict:
    """NaN/NaT (pandas' missing values) as None, so text fields can be tested and escaped plainly."""
    out = {}
    for k, v in row.items():
        if isinstance(v, (list, tuple)) or hasattr(v, "__len__") and not isinstance(v, str):
            out[k] = v
        else:
            out[k] = None if pd.isna(v) else v
    return out


def selected_event_ids(chart_state, table_state, shown: pd.DataFrame) -> list[str]:
    ids: list[str] = []
    try:
        for p in chart_state.selection.points:
            cd = p.get("customdata")
            if cd:
                ids.append(str(cd[0]))
    except (AttributeError, KeyError, TypeError):
        pass
    try:
        for r in table_state.selection.rows:
            if 0 <= r < len(shown):
                ids.append(str(shown.iloc[r]["event_id"]))
    except (AttributeError, KeyError, TypeError):
        pass
    return list(dict.fromkeys(ids))


def zoom_from_aggregate(chart_state) -> tuple | None:
    """In the aggregated view a clicked cell or a box becomes the new x range (resolve on zoom)."""
    try:
        sel = chart_state.selection
    except AttributeError:
        return None
    if sel.get("box"):
        xs = sel["box"][0].get("x") or []
        if len(xs) >= 2:
            lo, hi = sorted(pd.Timestamp(x) for x in xs[:2])
            return (lo.date().isoformat(), hi.date().isoformat())
    cells = [p.get("customdata") for p in sel.get("points", []) if p.get("customdata")]
    if cells:
        return (min(c[0] for c in cells), max(c[1] for c in cells))
    return None


# --- sidebar: articles in -----------------------------------------------------------------------------

def sidebar_ingest(res: dict, lang: str) -> None:
    with st.sidebar.expander(t("add_articles", lang), expanded=False):
        st.caption(t("upload_limits", lang, count=MAX_FILES, size=MAX_FILE_MB, total=MAX_TOTAL_MB))
        if pipeline is None:
            st.info(t("pipeline_missing", lang))
            st.caption(PIPELINE_ERROR or "")
            return
        n = st.session_state.setdefault("upload_round", 0)
        files = st.file_uploader(t("upload_label", lang), type=["txt", "jsonl", "csv", "html", "htm"],
                                 accept_multiple_files=True, key=f"upload-{n}")
        pasted_title = st.text_input(t("paste_title", lang), key=f"paste-title-{n}")
        pasted = st.text_area(t("paste_label", lang), height=140, key=f"paste-{n}")
        set_date = st.checkbox(t("use_published", lang), key=f"use-pub-{n}")
        published = st.date_input(t("published_for_upload", lang), value=dt.date.today(),
                                  key=f"pub-{n}", disabled=not set_date)
        if not st.button(t("extract_button", lang), type="primary", key=f"extract-{n}"):
            return
        published = published if set_date else None
        items, problems = [], []
        files = files or []
        if len(files) > MAX_FILES:
            st.error(t("too_many_files", lang, n=len(files), count=MAX_FILES))
            return
        total = sum(f.size for f in files)
        if total > MAX_TOTAL_MB * 1_048_576:
            st.error(t("total_too_large", lang, size=mb(total), limit=MAX_TOTAL_MB))
            return
        for f in files:
            if f.size > MAX_FILE_MB * 1_048_576:
                problems.append(t("file_too_large", lang, name=f.name, size=mb(f.size), limit=MAX_FILE_MB))
                continue
            # bytes, never our own path: pipeline.extract_uploads writes them under a safe name in a
            # private temporary folder
            items.append((f.name, f.getvalue(), published))
        if pasted.strip():
            items.append((t("paste_label", lang), pasted, published))
        if not items:
            for p in problems:
                st.error(p)
            if not problems:
                st.warning(t("nothing_to_extract", lang))
            return
        bar = st.progress(0.0, text=t("extracting", lang, done=0, total=len(items)))
        results, errors = [], list(problems)
        for i, (name, content, pub) in enumerate(items, 1):
            # one file at a time so the bar moves and one bad file cannot stop the others
            try:
                if isinstance(content, str):
                    results.extend(pipeline.extract_text(content, pub, title=pasted_title.strip() or None))
                else:
                    got, errs = pipeline.extract_uploads([(name, content)], pub)
                    results.extend(got)
                    errors.extend(str(e) for e in errs)
            except TimelineError as exc:
                errors.append(f"{name}: {exc}")
            bar.progress(i / len(items), text=t("extracting", lang, done=i, total=len(items)))
        with res["lock"]:
            try:
                report = res["store"].ingest(results)
            except TimelineError as exc:
                st.error(str(exc))
                return
            res["version"] += 1
        bar.progress(1.0, text=t("ingest_done", lang, documents=report.documents_added, events=report.events_added))
        st.session_state["ingest_report"] = (report.documents_added, report.events_added, errors)
        st.session_state["upload_round"] = n + 1   # new widget keys clear the uploader and the text
        st.rerun()


# --- sidebar: filters -----------------------------------------------------------------------------------

FILTER_KEYS = ("f_actors", "f_dates", "f_dates_bounds", "f_sources", "f_docs", "f_gran", "f_tense", "f_pub",
               "f_undated", "f_text")


def wkey(key: str, lang: str, default) -> str:
    """The widget key for `key` in this language, seeded from the language-independent value.

    A widget whose labels change with the language keeps showing the old labels (an Arabic chip in
    the English UI), so each language gets its own widget; `key` itself holds the value across them."""
    k = f"{key}.{lang}"
    if k not in st.session_state:
        st.session_state[k] = st.session_state.get(key, default)
    return k


def keep(key: str, value):
    st.session_state[key] = value
    return value


def reset_filters() -> None:
    for k in list(st.session_state.keys()):
        if k.split(".")[0] in FILTER_KEYS:
            del st.session_state[k]
    st.session_state.pop("x_range", None)


def sidebar_filters(opts: dict, lang: str) -> filters.FilterState:
    sb = st.sidebar
    sb.subheader(t("filters", lang))
    actor_frame = opts["actors"]
    info = {a: (k, c) for a, k, c in zip(actor_frame["actor"], actor_frame["kind"], actor_frame["count"])}
    actor_names = list(actor_frame["actor"])
    # drop remembered choices that no longer exist (another store, or filtered-out data)
    st.session_state["f_actors"] = [a for a in st.session_state.get("f_actors", []) if a in info]
    chosen_actors = keep("f_actors", sb.multiselect(
        t("actors", lang), options=actor_names, key=wkey("f_actors", lang, []),
        format_func=lambda a: actor_label(a, info, lang), placeholder=t("actors_placeholder", lang)))
    text = keep("f_text", sb.text_input(t("search", lang), key=wkey("f_text", lang, ""),
                                        help=t("search_help", lang)))

    date_from = date_to = None
    bounds = opts["bounds"]
    if bounds:
        # the default is the data's whole span; when new articles widen it, an untouched range follows
        # (otherwise the old span would silently hide the new events)
        prev = st.session_state.get("f_dates_bounds")
        current = st.session_state.get("f_dates")
        if current is None or (prev != bounds and tuple(current) == tuple(prev or ())):
            st.session_state["f_dates"] = bounds
            for lg in LANGS:
                st.session_state.pop(f"f_dates.{lg}", None)
        st.session_state["f_dates_bounds"] = bounds
        picked = keep("f_dates", sb.date_input(t("date_range", lang), min_value=dt.date(1800, 1, 1),
                                               max_value=dt.date(2200, 12, 31),
                                               key=wkey("f_dates", lang, bounds)))
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            if tuple(picked) != tuple(bounds):   # the full span is no filter (keeps new data visible)
                date_from, date_to = picked

    def multi(key: str, label_key: str, options: list, fmt) -> list:
        st.session_state[key] = [o for o in st.session_state.get(key, []) if o in options]
        return keep(key, sb.multiselect(t(label_key, lang), options=options, key=wkey(key, lang, []),
                                        format_func=fmt, placeholder=t("all", lang)))

    sources = opts["sources"]
    chosen_sources = multi("f_sources", "sources", list(sources.index), lambda s: f"{s} · {sources.get(s, 0)}")
    docs = opts["documents"]
    titles = {d: (ti or d) for d, ti in zip(docs["document_id"], docs["title"])}
    chosen_docs = multi("f_docs", "documents", list(docs["document_id"]), lambda d: titles.get(d, d)[:70])
    grans = opts["granularities"]
    chosen_grans = multi("f_gran", "granularity", list(grans.index),
                         lambda g: f"{label('gran', g, lang)} · {grans.get(g, 0)}")
    chosen_tenses = multi("f_tense", "tense", list(opts["tenses"].index), lambda x: label("tense", x, lang))
    include_pub = keep("f_pub", sb.toggle(t("include_published", lang), key=wkey("f_pub", lang, True)))
    include_undated = keep("f_undated", sb.toggle(t("include_undated", lang), key=wkey("f_undated", lang, True)))
    sb.button(t("reset_filters", lang), on_click=reset_filters)
    return filters.FilterState(
        actors=tuple(chosen_actors), date_from=date_from, date_to=date_to,
        sources=tuple(chosen_sources), documents=tuple(chosen_docs),
        granularities=tuple(chosen_grans) if chosen_grans else None,
        tenses=tuple(chosen_tenses) if chosen_tenses else None,
        include_published=include_pub, include_undated=include_undated, text=text or "")


# --- main area ------------------------------------------------------------------------------------------

def render_details(row: dict, doc: dict | None, forms: dict, lang: str) -> None:
    sentence = row.get("sentence") or row.get("description") or ""
    start = figures.find_sentence(doc.get("text") if doc else None, sentence, row.get("evidence_start"))
    spans = figures.sentence_spans({**row, "sentence": sentence}, start, forms)
    title = (doc or {}).get("title") or row.get("title") or ""
    source = (doc or {}).get("source") or row.get("source") or ""
    published = (doc or {}).get("published") or row.get("published")
    pub = pd.Timestamp(published).date().isoformat() if published is not None and not pd.isna(published) else "—"
    hijri = figures.hijri_text(row.get("hijri"), row.get("_start"), row.get("_end"), lang)
    value = row.get("date_value") or "—"
    interval = ""
    if row.get("_start") is not None and not pd.isna(row.get("_start")):
        s, e = pd.Timestamp(row["_start"]).date(), pd.Timestamp(row["_end"]).date()
        interval = s.isoformat() if s == e else f"{s.isoformat()} – {e.isoformat()}"
    url = figures.safe_url((doc or {}).get("url"))
    esc = html.escape
    link = f' · <a href="{url}" target="_blank" rel="noopener noreferrer">{esc(t("open_source", lang))}</a>' if url else ""
    actors = "، ".join(filters.as_list(row.get("actors"))) if lang == "ar" else ", ".join(filters.as_list(row.get("actors")))
    st.html(f"""<div class="tl-card">
      <div><b>{esc(title)}</b></div>
      <div class="tl-meta">{esc(source)} · {esc(t('col_published', lang))}: {esc(pub)}{link}</div>
      <div class="tl-sentence">{figures.highlight_html(sentence, spans)}</div>
      <div class="tl-meta">{esc(t('hover_date_text', lang))}: <b>{esc(row.get('date_text') or '—')}</b>
        {('(' + esc(t('dated_by_publication', lang)) + ')') if not row.get('date_text') and row.get('date_anchor') == 'published' else ''}
        · {esc(t('hover_value', lang))}: {esc(str(value))} {esc(row.get('date_mod') or '')}
        · {esc(label('gran', row.get('granularity'), lang))} {('· ' + esc(interval)) if interval else ''}
        {('· ' + esc(t('hover_hijri', lang)) + ': ' + esc(hijri)) if hijri else ''}</div>
      <div class="tl-meta">{esc(t('hover_actors', lang))}: {esc(actors) or '—'}
        · {esc(t('col_tense', lang))}: {esc(label('tense', row.get('tense'), lang))}</div>
      <div class="tl-meta">{t('legend_marks', lang)}</div>
    </div>""")
    with st.expander(t("full_article", lang)):
        text = (doc or {}).get("text")
        if text:
            clause = figures._valid_span(text, row.get("evidence_start"), row.get("evidence_end"))
            st.html(f'<div class="tl-article">{figures.highlight_html(text, [(*clause, "tl-clause")] if clause else [])}</div>')
        else:
            st.caption(t("article_missing", lang))


def table_frame(shown: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict, list[str]]:
    cols = ["date_text", "date_start", "date_end", "granularity", "description", "actors", "tense",
            "source", "title", "published", "confidence", "event_id"]
    frame = shown[[c for c in cols if c in shown.columns]].copy()
    for c in ("date_start", "date_end", "published"):
        frame[c] = pd.to_datetime(frame[c], errors="coerce")
    frame["granularity"] = frame["granularity"].map(lambda g: label("gran", g, lang) if isinstance(g, str) else None)
    frame["tense"] = frame["tense"].map(lambda x: label("tense", x, lang) if isinstance(x, str) else None)
    cc = st.column_config
    config = {
        "date_text": cc.TextColumn(t("col_date_text", lang), width="medium"),
        "date_start": cc.DateColumn(t("col_date_start", lang), format="YYYY-MM-DD", width="small"),
        "date_end": cc.DateColumn(t("col_date_end", lang), format="YYYY-MM-DD", width="small"),
        "granularity": cc.TextColumn(t("col_granularity", lang), width="small"),
        "description": cc.TextColumn(t("col_description", lang), width="large"),
        "actors": cc.ListColumn(t("col_actors", lang), width="medium"),
        "tense": cc.TextColumn(t("col_tense", lang), width="small"),
        "source": cc.TextColumn(t("col_source", lang), width="small"),
        "title": cc.TextColumn(t("col_title", lang), width="medium"),
        "published": cc.DateColumn(t("col_published", lang), format="YYYY-MM-DD", width="small"),
        "confidence": cc.ProgressColumn(t("col_confidence", lang), min_value=0.0, max_value=1.0, format="%.2f",
                                        width="small"),
        "event_id": None,   # hidden: the key for selection, not for reading
    }
    # LTR column order in both languages: the grid does not mirror, and reversed columns would push
    # the date off-screen to the right on a laptop
    order = [c for c in cols if c != "event_id"]
    return frame, config, order


def render_downloads(shown: pd.DataFrame, fig, state: filters.FilterState, version: int, lang: str) -> None:
    st.subheader(t("downloads", lang), anchor=False)
    c1, c2, c3, c4, c5 = st.columns(5)
    if exports is None:
        st.info(t("exports_missing", lang) + f" ({EXPORTS_ERROR})")
    else:
        eager = len(shown) <= EAGER_EXPORT_ROWS

        def data(fmt):
            if eager:
                return export_bytes(DB_PATH, version, state, fmt)
            return lambda: export_bytes(DB_PATH, version, state, fmt)
        c1.download_button(t("download_csv", lang), data("csv"), file_name="timeline-events.csv",
                           mime="text/csv", key="dl_csv", on_click="ignore", icon=":material/download:")
        c2.download_button(t("download_jsonl", lang), data("jsonl"), file_name="timeline-events.jsonl",
                           mime="application/x-ndjson", key="dl_jsonl", on_click="ignore",
                           icon=":material/download:")
        c3.download_button(t("download_parquet", lang), data("parquet"), file_name="timeline-events.parquet",
                           mime="application/vnd.apache.parquet", key="dl_parquet", on_click="ignore",
                           icon=":material/download:")
    c4.download_button(t("download_html", lang), lambda: figures.figure_html(fig), file_name="timeline.html",
                       mime="text/html", key="dl_html", on_click="ignore", icon=":material/download:")
    problem = png_problem()
    if problem:
        c5.caption(t("png_unavailable", lang, reason=problem))
    else:
        c5.download_button(t("download_png", lang), lambda: figures.figure_png(fig), file_name="timeline.png",
                           mime="image/png", key="dl_png", on_click="ignore", icon=":material/download:")


def main() -> None:
    lang = st.session_state.get("lang", LANGS[0])
    inject_css(lang)
    st.sidebar.radio(t("language", lang), LANGS, format_func=LANG_NAMES.get, key="lang", horizontal=True)
    lang = st.session_state["lang"]

    try:
        res = open_store(DB_PATH)
    except TimelineError as exc:
        st.error(str(exc))
        st.stop()
    seed_if_empty(res, lang)
    sidebar_ingest(res, lang)
    report = st.session_state.pop("ingest_report", None)
    version = res["version"]
    frame = load_events(DB_PATH, version)
    opts = load_options(DB_PATH, version)
    state = sidebar_filters(opts, lang)
    st.sidebar.subheader(t("display", lang))
    lanes = keep("lanes", st.sidebar.radio(t("lanes", lang), ["actor", "article"], horizontal=True,
                                           key=wkey("lanes", lang, "actor"),
                                           format_func=lambda v: t(f"lanes_{v}", lang)))
    color = keep("color", st.sidebar.radio(t("color_by", lang), ["kind", "source"], horizontal=True,
                                           key=wkey("color", lang, "kind"),
                                           format_func=lambda v: t(f"color_{v}", lang)))

    st.title(t("app_title", lang), anchor=False)
    if report:
        docs_n, events_n, errors = report
        st.success(t("ingest_done", lang, documents=docs_n, events=events_n))
        if errors:
            st.error(t("ingest_errors", lang) + "\n\n" + "\n".join(f"- `{e}`" for e in errors))
    if frame.empty:
        st.info(t("store_empty", lang))
        if PIPELINE_ERROR:
            st.warning(f"{t('pipeline_missing', lang)} ({PIPELINE_ERROR})")
        return

    shown = filters.apply_filters(frame, state)
    st.caption(t("summary", lang, shown=f"{len(shown):,}", total=f"{len(frame):,}",
                 documents=f"{shown['document_id'].nunique():,}"))
    if shown.empty:
        st.warning(t("no_events", lang))
        return

    # zoom window: a selection in the aggregated view, else the date filter
    x_range = st.session_state.get("x_range")
    if x_range is None and (state.date_from or state.date_to):
        lo = state.date_from or opts["bounds"][0]
        hi = state.date_to or opts["bounds"][1]
        x_range = (lo.isoformat(), (hi + dt.timedelta(days=1)).isoformat())
    fig = build_figure(DB_PATH, version, state, lanes, color, lang, x_range)
    meta = fig.layout.meta or {}
    if meta.get("aggregated"):
        st.info(t("aggregated_note", lang, n=f"{meta['events']:,}", bin=t(f"bin_{meta['bin']}", lang)))
    if st.session_state.get("x_range"):
        z1, z2 = st.columns([4, 1])
        z1.caption(t("zoomed_to", lang, start=x_range[0], end=x_range[1]))
        if z2.button(t("reset_zoom", lang)):
            st.session_state.pop("x_range", None)
            st.session_state["chart_round"] = st.session_state.get("chart_round", 0) + 1
            st.rerun()
    chart_key = f"chart-{st.session_state.get('chart_round', 0)}"
    chart = st.plotly_chart(fig, key=chart_key, on_select="rerun", selection_mode=("points", "box"),
                            config={"displaylogo": False, "scrollZoom": True})
    notes = [t("chart_help", lang)]
    if meta.get("undated"):
        notes.append(t("undated_lane_note", lang, n=meta["undated"]))
    if meta.get("folded_lanes"):
        notes.append(t("lane_limit_note", lang, n=figures.MAX_LANES - 1,
                       other=t("other_lanes", lang, n=meta["folded_lanes"])))
    st.caption(" ".join(notes))

    if meta.get("aggregated"):
        zoom = zoom_from_aggregate(chart)
        if zoom:
            st.session_state["x_range"] = zoom
            st.session_state["chart_round"] = st.session_state.get("chart_round", 0) + 1
            st.rerun()

    table_src = shown.head(TABLE_ROWS)
    ids = selected_event_ids(chart, st.session_state.get("table"), table_src)
    by_id = shown.set_index("event_id", drop=False)
    ids = [i for i in ids if i in by_id.index]
    if ids:
        st.subheader(t("details", lang), anchor=False)
        if len(ids) > 1:
            st.caption(t("selected_n", lang, n=len(ids)))
            options = {i: by_id.loc[i] for i in ids}
            chosen = st.selectbox(t("choose_event", lang), ids, key="chosen_event",
                                  format_func=lambda i: f"{options[i]['date_text'] or '—'} · {str(options[i]['description'])[:80]}")
        else:
            chosen = ids[0]
        row = by_id.loc[chosen]
        row = clean_row((row.iloc[0] if isinstance(row, pd.DataFrame) else row).to_dict())
        render_details(row, load_document(DB_PATH, version, row["document_id"]),
                       load_actor_forms(DB_PATH, version), lang)

    st.subheader(t("table", lang), anchor=False)
    table, config, order = table_frame(table_src, lang)
    st.dataframe(table, column_config=config, column_order=order, hide_index=True, key="table",
                 on_select="rerun", selection_mode="single-row", placeholder="—",
                 height=min(440, 38 + 35 * (len(table) + 1)))
    if len(shown) > len(table_src):
        st.caption(t("table_truncated", lang, shown=f"{len(table_src):,}", total=f"{len(shown):,}"))
    render_downloads(shown, fig, state, version, lang)


main()
