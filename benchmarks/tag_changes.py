"""What a change to the tagger changes on real news: the expressions that differ between a git revision
and the working tree, on the first N articles of ../shared/corpus/ant_news.jsonl.gz.

    python benchmarks/tag_changes.py --base HEAD~1 [--articles 4000] [--show 40]

Each side runs in its own subprocess (the base from a temporary `git worktree`); printed are the
number of expressions on each side, the number that appear, disappear or change value, and the first
--show differences with the words around them, to be read. A grammar change should be judged by
reading these, not only by the gold sets. A script, not a test: exit 0; it skips when ../shared is absent.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "ant_news.jsonl.gz"


def _articles(n: int) -> list[dict]:
    out = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(out) >= n:
                break
            out.append(json.loads(line))
    return out


def _worker(root: str, n: int) -> None:
    """Print one JSON line per expression: [article, start, end, type, value, mod]."""
    sys.path.insert(0, root)
    from timeline import tagger
    if not tagger.__file__.startswith(root):
        raise SystemExit(f"tag_changes: imported {tagger.__file__}, not the tagger under {root}")
    tag = tagger.tag
    print(json.dumps(["pass", tagger._split_classify.__module__ or "timeline._scan"]))
    for k, a in enumerate(_articles(n)):
        for e in tag(a.get("text") or "", a.get("published")):
            print(json.dumps([k, e.start, e.end, e.type, e.value, e.mod]))


def _run(root: Path, n: int, pure_python: bool = False) -> dict[tuple[int, int, int], tuple]:
    env = dict(os.environ, TIMELINE_PURE_PYTHON="1") if pure_python else None
    out = subprocess.run([sys.executable, __file__, "--worker", str(root), "--articles", str(n)],
                         capture_output=True, text=True, check=True, cwd=str(root), env=env).stdout
    found = {}
    for line in out.splitlines():
        if line.startswith('["pass"'):
            print(f"{root}: first pass from {json.loads(line)[1]}")
            continue
        k, start, end, *rest = json.loads(line)
        found[(k, start, end)] = tuple(rest)
    return found


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="HEAD", help="git revision to compare the working tree with")
    ap.add_argument("--articles", type=int, default=4000)
    ap.add_argument("--show", type=int, default=40, help="differences printed with their context")
    ap.add_argument("--base-pure-python", action="store_true",
                    help="run the base with the tagger's first pass in Python (TIMELINE_PURE_PYTHON=1): "
                         "with --base HEAD, checks the C pass against its reference on real news")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.articles)
        return 0
    if not CORPUS.exists():
        print(f"skipped: {CORPUS} is absent (the corpus stays in ../shared)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        base_root = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base_root), args.base],
                       check=True)
        try:
            before = _run(base_root, args.articles, args.base_pure_python)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base_root)], check=True)
    after = _run(ROOT, args.articles)
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    appeared = sum(1 for k in changed if k not in before)
    gone = sum(1 for k in changed if k not in after)
    print(f"{args.articles} articles: {len(before)} expressions at {args.base}, {len(after)} now; "
          f"{appeared} appear, {gone} disappear, {len(changed) - appeared - gone} change value or type")
    texts = _articles(args.articles)
    for k, start, end in changed[:args.show]:
        text = texts[k].get("text") or ""
        old, new = before.get((k, start, end)), after.get((k, start, end))
        context = (text[max(0, start - 60):start] + "[[" + text[start:end] + "]]" + text[end:end + 30]).replace("\n", " / ")
        print(f"{k} {str(texts[k].get('published'))[:10]} {old[1] if old else '-'} -> {new[1] if new else '-'} | {context}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
