"""Event precision and recall against the hand-made gold file (tests/gold/events_mixed_sample.jsonl).

    python benchmarks/eval_events.py [--gold FILE] [--corpus FILE] [--verbose]

The articles are read from ../shared/corpus/mixed_sample.jsonl (never copied into the repo) and
extracted with the same code the CLI runs. Scored are the events dated by an expression of their
own (date_text set); statements dated by publication are not in the gold.

A system event matches a gold event of the same article when their date texts overlap (one
contains the other, after folding) and their values are equal — a gold TIME with a part of day
("2017-02-17TEV") also accepts the same day as a DATE. Each gold and each system event matches at
most once; among candidates, the one whose description contains the gold evidence quote wins.
Actor precision and recall are counted over matched events, names compared after folding, a
name matching when the words of one contain the words of the other ("الحكومة السعودية" ~ "السعودية").
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from timeline.documents import read_paths  # noqa: E402
from timeline.events import extract_events  # noqa: E402
from timeline.model import Document  # noqa: E402
from timeline.normalize import fold  # noqa: E402

GOLD = REPO / "tests" / "gold" / "events_mixed_sample.jsonl"
CORPUS = REPO.parent / "shared" / "corpus" / "mixed_sample.jsonl"


def _key(s: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", fold(s or "")).replace("_", " ").split())


def _text_overlap(a: str, b: str) -> bool:
    a, b = _key(a), _key(b)
    return bool(a and b) and (a in b or b in a)


def _value_match(gold: str, system: str | None) -> bool:
    if system is None:
        return False
    if gold == system:
        return True
    # a part of day refines a day: "2017-02-17TEV" in the gold accepts "2017-02-17"
    return "T" in gold and gold.split("T")[0] == system


def _name_match(a: str, b: str) -> bool:
    ta, tb = set(_key(a).split()), set(_key(b).split())
    return bool(ta and tb) and (ta <= tb or tb <= ta)


def _system_events(gold_ids: set[str], corpus: Path) -> dict[str, list[dict]]:
    """Dated events per article id: the article and any 'read also' article split off it."""
    by_id: dict[str, list[dict]] = {i: [] for i in gold_ids}
    parents: dict[str, str] = {}
    for item in read_paths([corpus]):
        if not isinstance(item, Document):
            continue
        article = item.external_id if item.external_id in gold_ids else parents.get(item.parent_id or "")
        if article is None:
            continue
        parents[item.id] = article
        by_id[article].extend(e for e in extract_events(item).events if e["date_text"])
    return by_id


def evaluate(gold_path: Path = GOLD, corpus: Path = CORPUS, verbose: bool = False) -> dict:
    gold = [json.loads(line) for line in Path(gold_path).read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = {g["article_id"] for g in gold}
    system = _system_events(ids, Path(corpus))
    matched = 0
    evidence_hits = 0
    actor_tp = actor_gold = actor_sys = 0
    lines = []
    for article in sorted(ids):
        events = system[article]
        used: set[int] = set()
        for g in (g for g in gold if g["article_id"] == article):
            candidates = [k for k, e in enumerate(events) if k not in used
                          and _text_overlap(g["date_text"], e["date_text"]) and _value_match(g["date_value"], e["date_value"])]
            candidates.sort(key=lambda k: _key(g["evidence"]) not in _key(events[k]["description"]))
            if not candidates:
                lines.append(f"  MISS {article} {g['date_text']!r} {g['date_value']} «{g['evidence']}»")
                continue
            k = candidates[0]
            used.add(k)
            matched += 1
            e = events[k]
            evidence_hits += _key(g["evidence"]) in _key(e["description"])
            gold_actors, sys_actors = g["actors"], e["actors"]
            actor_gold += len(gold_actors)
            actor_sys += len(sys_actors)
            actor_tp += sum(any(_name_match(a, s) for s in sys_actors) for a in gold_actors)
        for k, e in enumerate(events):
            if k not in used:
                lines.append(f"  EXTRA {article} {e['date_text']!r} {e['date_value']} «{e['description'][:70]}»")
    n_system = sum(len(v) for v in system.values())
    report = {
        "articles": len(ids), "gold_events": len(gold), "system_events": n_system, "matched": matched,
        "precision": round(matched / n_system, 3) if n_system else 0.0,
        "recall": round(matched / len(gold), 3) if gold else 0.0,
        "evidence_in_description": round(evidence_hits / matched, 3) if matched else 0.0,
        "actor_precision": round(actor_tp / actor_sys, 3) if actor_sys else 0.0,
        "actor_recall": round(actor_tp / actor_gold, 3) if actor_gold else 0.0,
    }
    if verbose:
        report["details"] = lines
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--verbose", action="store_true", help="list missed and extra events")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"skipped: {args.corpus} is absent (the corpus stays in ../shared)")
        return 0
    report = evaluate(args.gold, args.corpus, args.verbose)
    for line in report.pop("details", []):
        print(line)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
