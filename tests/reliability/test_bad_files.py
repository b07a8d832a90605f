"""Bad files through the CLI (`timeline extract ... --db tmp`): all of them in one real subprocess
run, and each alone through `timeline.cli.main` (the same entry point, in this process, for speed).

Every run mixes the bad file with good articles before and after it. For each bad file: a clear
`timeline: FILE[:LINE]: message` on stderr, the good records are in the store, and the exit code is
non-zero. Legacy encodings that can be read exactly (Windows-1256, UTF-16 without BOM) are read:
the stored text equals the original and the run succeeds.
"""
from __future__ import annotations

import codecs
import json
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import article_rows, main_cli, run_cli, write_jsonl

GOOD = ("تاريخ النشر: 2023-09-12\nأعلن الرئيس فلاديمير بوتين يوم الاثنين في موسكو اتفاقا جديدا مع الصين. "
        "وقال وزير الخارجية سيرغي لافروف أمس إن المفاوضات ستستمر حتى نهاية العام.")


def stored(db: Path) -> dict[str, str]:
    """path -> text of every stored document."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT path, text FROM documents").fetchall())
    finally:
        con.close()


def extract(tmp_path: Path, bad: Path, *extra: str, runner=main_cli):
    """good_a.txt, the bad file, good_b.jsonl (3 rows) in one run; returns (process, store contents)."""
    a = tmp_path / "good_a.txt"
    a.write_text(GOOD.replace("الصين", "الهند"), encoding="utf-8")
    b = write_jsonl(tmp_path / "good_b.jsonl", article_rows(3, seed=5))
    db = tmp_path / "store.duckdb"
    done = runner("extract", str(a), str(bad), str(b), "--db", str(db), "--no-output", "--quiet",
                  "--workers", "1", *extra)
    docs = stored(db)
    assert str(a) in docs, "the good file before the bad one is stored"
    assert {f"{b}:{i}" for i in (1, 2, 3)} <= set(docs), "the good rows after the bad file are stored"
    return done, docs


def assert_reported(done, pattern: str):
    err = done.stderr.decode("utf-8")
    assert re.search(pattern, err, re.M), err
    assert "Traceback" not in err, err
    assert done.returncode != 0, err


CASES = {
    "empty": (".txt", b"", r"^timeline: {path}: empty file$"),
    "binary": (".txt", bytes(range(256)) * 64, r"^timeline: {path}: binary file, not text$"),
    "binary-png": (".txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 16, r"^timeline: {path}: binary file, not text$"),
    "truncated-utf8": (".txt", GOOD.encode("utf-8")[:-2],     # ends inside the last Arabic letter
                       r"^timeline: {path}: not valid UTF-8 \(cut off at the end, byte offset \d+\)"),
    "only-whitespace": (".txt", b" \n\t\r\n  ", r"^timeline: {path}: empty file"),
    "csv-missing-column": (".csv", "id,title,published\n1,عنوان,2023-09-12\n".encode("utf-8"),
                           r"^timeline: {path}: missing column 'text' \(it has 'id', 'title', 'published'\)$"),
    "csv-short-row": (".csv", f"id,published,text\n1,2023-09-12,{GOOD.splitlines()[1]}\n2,2023-09-12\n"
                              f"3,2023-09-12,{GOOD.splitlines()[1]} ثانية\n".encode("utf-8"),
                      r"^timeline: {path}:3: no 'text' field"),
    "jsonl-broken-line": (".jsonl", None, r"^timeline: {path}:3: not valid JSON"),
    "jsonl-not-object": (".jsonl", b'{"text": "\xd9\x86\xd8\xb5 \xd8\xa3\xd9\x88\xd9\x84 \xd8\xb7\xd9\x88\xd9\x8a\xd9\x84 \xd8\xac\xd8\xaf\xd8\xa7", "published": "2023-09-12"}\n[1, 2]\n',
                         r"^timeline: {path}:2: expected a JSON object, found list$"),
    "jsonl-bad-utf8-line": (".jsonl", None, r"^timeline: {path}:2: not valid UTF-8"),
    "gzip-damaged": (".jsonl.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 40, r"^timeline: {path}: .*(damaged|cannot be read|empty)"),
}


def write_case(folder: Path, case: str) -> Path:
    suffix, data, _ = CASES[case]
    bad = folder / f"bad-{case}{suffix}"
    if case == "jsonl-broken-line":
        rows = [json.dumps(r, ensure_ascii=False) for r in article_rows(4, seed=9)]
        rows.insert(2, '{"id": "broken", "text": "نص مقطوع في الوسط')       # line 3, cut mid-string
        data = ("\n".join(rows) + "\n").encode("utf-8")
    elif case == "jsonl-bad-utf8-line":
        rows = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in article_rows(3, seed=11)]
        rows.insert(1, b'{"id": "x", "text": "\xd9\x86\xff\xfe"}')
        data = b"\n".join(rows) + b"\n"
    bad.write_bytes(data)
    return bad


GOOD_AROUND = {"jsonl-broken-line": (1, 2, 4, 5), "jsonl-bad-utf8-line": (1, 3, 4), "csv-short-row": (2, 4)}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_named_good_records_stored_exit_nonzero(tmp_path, case):
    bad = write_case(tmp_path, case)
    done, docs = extract(tmp_path, bad)
    assert_reported(done, CASES[case][2].format(path=re.escape(str(bad))))
    for line in GOOD_AROUND.get(case, ()):       # the records before and after the bad one
        assert f"{bad}:{line}" in docs, sorted(docs)


def test_all_bad_files_in_one_real_cli_run(tmp_path):
    # the real `timeline extract` process over every bad file, each between good articles
    args = []
    for i, case in enumerate(sorted(CASES)):
        good = tmp_path / f"good-{i:02d}.txt"
        good.write_text(GOOD.replace("الصين", f"الصين ({i})"), encoding="utf-8")
        args += [str(good), str(write_case(tmp_path, case))]
    tail = write_jsonl(tmp_path / "good-tail.jsonl", article_rows(3, seed=5))
    db = tmp_path / "store.duckdb"
    done = run_cli("extract", *args, str(tail), "--db", str(db), "--no-output", "--quiet")
    err = done.stderr.decode("utf-8")
    assert done.returncode != 0 and "Traceback" not in err, err
    docs = stored(db)
    for case in CASES:
        bad = tmp_path / f"bad-{case}{CASES[case][0]}"
        assert re.search(CASES[case][2].format(path=re.escape(str(bad))), err, re.M), (case, err)
        for line in GOOD_AROUND.get(case, ()):
            assert f"{bad}:{line}" in docs, (case, sorted(docs))
    assert {a for a in args if "good-" in a} <= set(docs)
    assert {f"{tail}:{n}" for n in (1, 2, 3)} <= set(docs)


@pytest.mark.parametrize("encoding", ["cp1256", "utf-16-le", "utf-16-be"])
def test_legacy_encodings_are_read_exactly(tmp_path, encoding):
    # Windows-1256 and UTF-16 without a BOM are text, not errors: decoded exactly, stored, exit 0
    bad = tmp_path / f"legacy-{encoding}.txt"
    bad.write_bytes(GOOD.encode(encoding))
    assert not bad.read_bytes().startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    done, docs = extract(tmp_path, bad)
    assert done.returncode == 0, done.stderr.decode()
    assert docs[str(bad)].replace("\r\n", "\n").endswith(GOOD.splitlines()[1])


@pytest.mark.slow
def test_a_50_mb_file_is_recorded_and_skipped(tmp_path):
    # 50 MB of Arabic without a line break: read, found too long for one article, recorded, skipped;
    # the run goes on and the good files are stored
    sentence = GOOD.splitlines()[1] + " "
    data = (sentence * (50_000_000 // len(sentence.encode("utf-8")) + 1)).encode("utf-8")[:50_000_000]
    big = tmp_path / "huge.txt"
    big.write_bytes(data.decode("utf-8", "ignore").encode("utf-8"))
    done, docs = extract(tmp_path, big, "--published", "2023-09-12", runner=run_cli)
    assert_reported(done, rf"^timeline: {re.escape(str(big))}: article too long \([\d,]+ characters; "
                          r"the limit is [\d,]+\)")
    assert str(big) not in docs


def test_over_50_mib_plain_file_is_refused_unread(tmp_path):
    # a sparse file just over the plain-text limit: refused before decoding (no memory spent on it)
    from timeline.documents import MAX_TEXT_BYTES

    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_TEXT_BYTES + 1)
    done, docs = extract(tmp_path, big)
    assert_reported(done, rf"^timeline: {re.escape(str(big))}: too large for one article")


def test_missing_file_and_directory_of_bad_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    done, _ = extract(tmp_path, folder)
    err = done.stderr.decode()
    assert f"timeline: {folder / 'a.txt'}: empty file" in err
    assert f"timeline: {folder / 'b.txt'}: binary file, not text" in err
    done = main_cli("extract", str(tmp_path / "nope.txt"), "--db", str(tmp_path / "s.duckdb"), "--quiet",
                   "--no-output", "--workers", "1")
    assert f"timeline: {tmp_path / 'nope.txt'}: no such file or folder" in done.stderr.decode()
    assert done.returncode != 0


def test_input_errors_cross_process_boundaries():
    # read errors travel to the worker pool inside partitions: they must survive pickling (they did
    # not, and a CSV without a 'text' column killed every worker and aborted the run)
    import pickle

    from timeline.errors import InputError

    error = InputError("a.csv", "missing column 'text'", 7)
    back = pickle.loads(pickle.dumps(error))
    assert (back.path, back.message, back.line, str(back)) == ("a.csv", "missing column 'text'", 7,
                                                               "a.csv:7: missing column 'text'")
