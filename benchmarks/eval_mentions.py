"""Score `timeline mentions` against gold NER spans (PER, ORG, LOC), as an NER annotator marks them.

    python benchmarks/eval_mentions.py --gold tests/gold/mentions_dev.jsonl --cmd "timeline mentions"
        [--errors] [--count-demonyms] [--json]

The gold file has one JSON object a line: {"id", "text", "entities": [{"text", "start", "end", "type"}]}
with type PER, ORG or LOC. The command gets {"id", "text"} lines on stdin and must print
{"id", "actors": [{"text", "start", "end", "kind", ...}]} lines. Kinds map to gold types:
person → PER, organization → ORG, country and location → LOC. A mention flagged `"demonym": true`
("الروسي", "أميركيين") is not a name in NER annotation, so it is left out unless --count-demonyms
(which shows what a scorer that ignores the flag would see).

Scores: strict (same start, end and type) and relaxed (same type, overlapping spans, each gold and
each predicted span matched at most once), micro-averaged over all sentences, overall and per type.
The "country list only" baseline marks every country name of data/actors/countries.yaml (names and
variants, no demonyms, proclitics outside the span) as LOC: the figure to beat.

Prints a table and exits 0; --errors lists the misses and false alarms per sentence.
"""
from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = ("PER", "ORG", "LOC")
KIND_TO_TYPE = {"person": "PER", "organization": "ORG", "country": "LOC", "location": "LOC"}


def load_gold(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    for r in rows:
        for e in r["entities"]:
            assert r["text"][e["start"]:e["end"]] == e["text"], (r["id"], e)
    return rows


def run_command(cmd: str, rows: list[dict]) -> tuple[dict[str, list[dict]], float]:
    payload = "".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in rows)
    t0 = time.perf_counter()
    proc = subprocess.run(shlex.split(cmd), input=payload, capture_output=True, text=True, encoding="utf-8")
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"command failed ({proc.returncode}): {proc.stderr.strip()[:2000]}")
    out: dict[str, list[dict]] = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            rec = json.loads(line)
            out[rec["id"]] = rec.get("actors") or []
    return out, elapsed


def predictions(actors: list[dict], count_demonyms: bool) -> list[tuple[int, int, str]]:
    spans = []
    for a in actors:
        if a.get("demonym") and not count_demonyms:
            continue
        t = KIND_TO_TYPE.get(a.get("kind"))
        if t:
            spans.append((a["start"], a["end"], t))
    return spans


def country_list_baseline(text: str, rx: re.Pattern) -> list[tuple[int, int, str]]:
    return [(m.start(2), m.end(2), "LOC") for m in rx.finditer(text)]


def baseline_regex() -> re.Pattern:
    import yaml
    doc = yaml.safe_load((ROOT / "data" / "actors" / "countries.yaml").read_text(encoding="utf-8"))
    names = set()
    for c in doc.get("countries", []):
        if c.get("bare", True):
            names.add(c["name"])
        names.update(c.get("variants") or [])
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(r"(?<![\w])([وفبلك]?)(" + alt + r")(?!\w)")


class Score:
    def __init__(self):
        self.tp = defaultdict(int)
        self.fp = defaultdict(int)
        self.fn = defaultdict(int)

    def add(self, gold: list[tuple[int, int, str]], pred: list[tuple[int, int, str]], relaxed: bool):
        used = set()
        matched_gold = set()
        for gi, g in enumerate(gold):
            for pi, p in enumerate(pred):
                if pi in used or p[2] != g[2]:
                    continue
                if (p[0] == g[0] and p[1] == g[1]) if not relaxed else (p[0] < g[1] and g[0] < p[1]):
                    used.add(pi)
                    matched_gold.add(gi)
                    self.tp[g[2]] += 1
                    break
        for gi, g in enumerate(gold):
            if gi not in matched_gold:
                self.fn[g[2]] += 1
        for pi, p in enumerate(pred):
            if pi not in used:
                self.fp[p[2]] += 1

    def prf(self, types=TYPES) -> tuple[float, float, float, int, int, int]:
        tp = sum(self.tp[t] for t in types)
        fp = sum(self.fp[t] for t in types)
        fn = sum(self.fn[t] for t in types)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f, tp, fp, fn


def evaluate(rows, preds_by_id) -> dict[str, Score]:
    strict, relaxed = Score(), Score()
    for r in rows:
        gold = [(e["start"], e["end"], e["type"]) for e in r["entities"]]
        pred = preds_by_id.get(r["id"], [])
        strict.add(gold, pred, relaxed=False)
        relaxed.add(gold, pred, relaxed=True)
    return {"strict": strict, "relaxed": relaxed}


def report(title: str, scores: dict[str, Score]) -> dict:
    print(f"\n{title}")
    print(f"  {'':8} {'':6} {'P':>6} {'R':>6} {'F1':>6}   tp/fp/fn")
    summary = {}
    for mode, sc in scores.items():
        for label, types in (("all", TYPES), *((t, (t,)) for t in TYPES)):
            p, r, f, tp, fp, fn = sc.prf(types)
            summary[f"{mode}/{label}"] = round(f, 4)
            print(f"  {mode:8} {label:6} {p:6.3f} {r:6.3f} {f:6.3f}   {tp}/{fp}/{fn}")
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", default=str(ROOT / "tests" / "gold" / "mentions_dev.jsonl"))
    ap.add_argument("--cmd", default="timeline mentions")
    ap.add_argument("--errors", action="store_true", help="list misses and false alarms")
    ap.add_argument("--count-demonyms", action="store_true", help="score demonym mentions as LOC")
    ap.add_argument("--json", action="store_true", help="print the F1 figures as one JSON line at the end")
    args = ap.parse_args(argv)

    rows = load_gold(Path(args.gold))
    n_ent = sum(len(r["entities"]) for r in rows)
    print(f"gold: {args.gold}: {len(rows)} sentences, {n_ent} entities")
    raw, elapsed = run_command(args.cmd, rows)
    preds = {rid: predictions(a, args.count_demonyms) for rid, a in raw.items()}
    missing = [r["id"] for r in rows if r["id"] not in raw]
    if missing:
        print(f"warning: no output for {len(missing)} ids, e.g. {missing[:3]}")
    summary = report(f"command: {args.cmd}  ({elapsed:.1f}s"
                     f"{', demonyms counted as LOC' if args.count_demonyms else ''})", evaluate(rows, preds))

    rx = baseline_regex()
    base = {r["id"]: country_list_baseline(r["text"], rx) for r in rows}
    base_summary = report("baseline: country list only", evaluate(rows, base))

    if args.errors:
        print("\nerrors (- missed gold, + false alarm; strict):")
        for r in rows:
            gold = {(e["start"], e["end"], e["type"]) for e in r["entities"]}
            pred = set(preds.get(r["id"], []))
            if gold == pred:
                continue
            print(f"[{r['id']}] {r['text']}")
            for s, e, t in sorted(gold - pred):
                print(f"   - {t} {r['text'][s:e]}")
            for s, e, t in sorted(pred - gold):
                print(f"   + {t} {r['text'][s:e]}")
    if args.json:
        print(json.dumps({"system": summary, "baseline": base_summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
