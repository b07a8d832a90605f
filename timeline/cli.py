"""The `timeline` command line: tag, mentions, extract, events, actors."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO


def _tag_stream(source: TextIO, out: TextIO) -> int:
    """The `timeline tag` protocol: JSON lines {"id", "text", "reference"} in, {"id", "times"} out."""
    from .tagger import tag

    failures = 0
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("text", ""), str):
                raise ValueError("expected an object with a string 'text'")
        except ValueError as error:
            failures += 1
            out.write(json.dumps({"id": None, "line": number, "error": f"not a valid input line: {error}"},
                                 ensure_ascii=False) + "\n")
            continue
        try:
            times = [t.to_json() for t in tag(row.get("text") or "", row.get("reference"))]
            out.write(json.dumps({"id": row.get("id"), "times": times}, ensure_ascii=False) + "\n")
        except Exception as error:  # one bad text must not stop a batch: report it on its own line
            failures += 1
            out.write(json.dumps({"id": row.get("id"), "times": [], "error": f"{type(error).__name__}: {error}"},
                                 ensure_ascii=False) + "\n")
    out.flush()
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="timeline", description="Arabic news to event timelines.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_tag = sub.add_parser("tag", help="tag temporal expressions: JSON lines on stdin, JSON lines on stdout")
    p_tag.add_argument("--input", type=argparse.FileType("r", encoding="utf-8"), default=None)
    args = parser.parse_args(argv)
    if args.command == "tag":
        source = args.input or sys.stdin
        if source is sys.stdin:
            sys.stdin.reconfigure(encoding="utf-8")
        sys.stdout.reconfigure(encoding="utf-8")
        return _tag_stream(source, sys.stdout)
    return 2


if __name__ == "__main__":
    sys.exit(main())
