"""Synthetic Arabic events with exactly EVENT_FIELDS, for figure/filter tests and the benchmark.

Deterministic for a given seed. The mix mirrors real output: mostly day events, some weeks, months and
years, a few approximate dates and open bounds, some dated from the publication date, some undated.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from timeline.model import EVENT_FIELDS

ACTORS = [
    ("فلاديمير بوتين", "person"), ("كيم جونغ أون", "person"), ("دميتري بيسكوف", "person"),
    ("جو بايدن", "person"), ("فولوديمير زيلينسكي", "person"), ("رجب طيب أردوغان", "person"),
    ("الأمم المتحدة", "organization"), ("حلف شمال الأطلسي", "organization"), ("الكرملين", "organization"),
    ("روسيا", "country"), ("كوريا الشمالية", "country"), ("الولايات المتحدة", "country"),
    ("أوكرانيا", "country"), ("تركيا", "country"), ("موسكو", "location"), ("فلاديفوستوك", "location"),
]
SOURCES = ["العربية", "الجزيرة", "سكاي نيوز عربية", "بي بي سي عربي", "فرانس 24"]
VERBS = ["التقى", "أعلن", "زار", "وقّع", "ناقش", "سيعقد", "أكد", "رفض", "اجتمع مع", "حذّر"]
OBJECTS = ["اتفاقية تعاون", "محادثات ثنائية", "صفقة أسلحة", "قمة إقليمية", "مؤتمرا صحفيا",
           "عقوبات جديدة", "زيارة رسمية", "خطة سلام"]


def _row(i: int, rng: np.random.Generator, base: dt.date, span_days: int) -> dict:
    doc = int(rng.integers(0, max(1, 1 + i // 20)))
    published = base + dt.timedelta(days=int(rng.integers(0, span_days)))
    n_actors = int(rng.choice([0, 1, 1, 2, 2, 3]))
    picks = rng.choice(len(ACTORS), size=n_actors, replace=False) if n_actors else []
    actors = [ACTORS[k][0] for k in picks]
    kinds = [ACTORS[k][1] for k in picks]
    kind = rng.choice(["day", "day", "day", "day", "week", "month", "year", "approx", "before",
                       "published", "undated"])
    day = published - dt.timedelta(days=int(rng.integers(0, 30)))
    granularity, mod, bound, anchor = "day", None, None, "absolute"
    start = end = day
    value = day.isoformat()
    date_text = f"{day.day} {day.month}/{day.year}"
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
        granularity, value, date_text = "week", f"{start.isocalendar()[0]}-W{start.isocalendar()[1]:02d}", "الأسبوع الماضي"
        anchor = "published"
    elif kind == "month":
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        granularity, value, date_text = "month", start.strftime("%Y-%m"), "الشهر الماضي"
    elif kind == "year":
        start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
        granularity, value, date_text = "year", str(day.year), f"عام {day.year}"
    elif kind == "approx":
        mod, date_text = "APPROX", f"نحو {day.day}/{day.month}/{day.year}"
    elif kind == "before":
        start, end = day - dt.timedelta(days=90), day - dt.timedelta(days=1)
        granularity, bound, date_text = "day", "before", f"قبل {day.day}/{day.month}/{day.year}"
        value = day.isoformat()
    elif kind == "published":
        anchor, date_text = "published", "أمس"
    description = f"{' و'.join(actors) or 'مصدر'} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    sentence = f"وقال مصدر إن {description} {date_text}."
    dated = kind != "undated"
    doc_id = hashlib.sha256(f"doc{doc}".encode()).hexdigest()[:16]
    return {
        "event_id": hashlib.sha256(f"ev{i}".encode()).hexdigest()[:16],
        "document_id": doc_id,
        "title": f"مقالة رقم {doc}",
        "source": SOURCES[doc % len(SOURCES)],
        "published": published,
        "date_text": date_text if dated else None,
        "date_value": value if dated else None,
        "date_type": "DATE" if dated else None,
        "date_mod": mod,
        "date_start": start if dated else None,
        "date_end": end if dated else None,
        "granularity": granularity if dated else None,
        "date_anchor": anchor if dated else None,
        "date_bound": bound,
        "calendar": "gregorian",
        "hijri": None,
        "tense": "future" if "سيعقد" in description else "past",
        "description": description,
        "sentence": sentence,
        "evidence_start": 0,
        "evidence_end": len(description),
        "date_start_offset": len(sentence) - len(date_text) - 1 if dated else None,
        "date_end_offset": len(sentence) - 1 if dated else None,
        "actors": actors,
        "actor_kinds": kinds,
        "location": None,
        "confidence": float(np.round(rng.uniform(0.4, 1.0), 2)),
    }


def make_events(n: int, seed: int = 0, start: dt.date = dt.date(2019, 1, 1), span_days: int = 1500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [_row(i, rng, start, span_days) for i in range(n)]
    return pd.DataFrame(rows, columns=EVENT_FIELDS)


def event(**overrides) -> dict:
    """One day event with every field set; override what a test is about."""
    base = {
        "event_id": "e1", "document_id": "d1", "title": "عنوان", "source": "العربية",
        "published": dt.date(2023, 9, 12), "date_text": "12 أيلول 2023", "date_value": "2023-09-12",
        "date_type": "DATE", "date_mod": None, "date_start": dt.date(2023, 9, 12),
        "date_end": dt.date(2023, 9, 12), "granularity": "day", "date_anchor": "absolute",
        "date_bound": None, "calendar": "gregorian", "hijri": None, "tense": "past",
        "description": "التقى بوتين كيم", "sentence": "التقى بوتين كيم في 12 أيلول 2023.",
        "evidence_start": 0, "evidence_end": 15, "date_start_offset": 19, "date_end_offset": 31,
        "actors": ["فلاديمير بوتين"], "actor_kinds": ["person"], "location": None, "confidence": 0.9,
    }
    base.update(overrides)
    return base


def frame_of(*events: dict) -> pd.DataFrame:
    return pd.DataFrame(list(events), columns=EVENT_FIELDS)


def results_from_frame(frame: pd.DataFrame) -> list:
    """ExtractResults (one per document) for Store.ingest, with article texts that contain the
    sentences, so the details panel can find them."""
    from timeline.model import ActorRecord, Document, ExtractResult
    out = []
    for doc_id, group in frame.groupby("document_id", sort=False):
        first = group.iloc[0]
        text_parts, events = [], []
        offset = 0
        for ev in group.astype(object).where(group.notna(), None).to_dict("records"):
            sentence = ev["sentence"]
            ev = dict(ev)
            shift = offset
            ev["evidence_start"] = shift + sentence.find(ev["description"]) if ev["description"] in sentence else shift
            ev["evidence_end"] = ev["evidence_start"] + len(ev["description"] or "")
            if ev["date_start_offset"] is not None:
                ev["date_start_offset"] = int(ev["date_start_offset"]) + shift
                ev["date_end_offset"] = int(ev["date_end_offset"]) + shift
            else:
                ev["date_start_offset"] = ev["date_end_offset"] = None
            text_parts.append(sentence)
            offset += len(sentence) + 1
            events.append(ev)
        actors = {}
        for ev in events:
            for name, kind in zip(ev["actors"], ev["actor_kinds"]):
                actors[(name, kind)] = ActorRecord(canonical=name, kind=kind, aliases=[name.split()[-1]])
        doc = Document(id=doc_id, text="\n".join(text_parts), title=first["title"], published=first["published"],
                       source=first["source"], url="https://example.org/" + doc_id)
        out.append(ExtractResult(document=doc, time_expressions=[], events=events, actors=list(actors.values())))
    return out
