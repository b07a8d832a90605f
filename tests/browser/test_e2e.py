"""End to end in a real browser: `streamlit run app.py` on a free port, driven by Playwright with
Debian's /usr/bin/chromium (no browser downloads).

- a fresh, empty store: the app ingests seeds/ itself, the chart appears, choosing بوتين narrows the
  table, the CSV download holds exactly the filtered Arabic rows; a screenshot goes to test-artifacts/.
- a store holding an event whose text is an HTML/script payload: hover, details panel and table show
  it as text and no script runs.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
PAYLOAD = '<img src=x onerror="window.__pwned=1">'
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    # CI sets TIMELINE_REQUIRE_BROWSER: there a missing browser fails the run instead of skipping
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("TIMELINE_REQUIRE_BROWSER"),
                       reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]

sys.path.insert(0, str(REPO / "tests" / "app"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_app(db_path: Path, log_path: Path):
    port = free_port()
    env = {**os.environ, "TIMELINE_DB": str(db_path),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited: {log_path.read_text(errors='replace')[-2000:]}")
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start within 60 s")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True,
                                  locale="ar")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()


def summary_counts(pg) -> tuple[int, int]:
    """(shown, total) from the caption "N حدثًا من أصل M"."""
    text = pg.get_by_text(re.compile(r"حدثًا من أصل")).first.inner_text()
    shown, total = re.findall(r"[\d,]+", text)[:2]
    return int(shown.replace(",", "")), int(total.replace(",", ""))


def wait_for_app(pg, url: str) -> None:
    pg.goto(url)
    pg.wait_for_selector(".js-plotly-plot", timeout=120_000)
    pg.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)


def grid_rows(pg) -> int:
    # the data grid draws on a canvas but keeps an accessible table with the row count
    return int(pg.locator('[data-testid="stDataFrame"] [role="grid"]').first.get_attribute("aria-rowcount")) - 1


def choose_actor(pg, typed: str) -> str:
    box = pg.get_by_role("combobox", name="الفاعلون")
    box.click()
    box.type(typed)
    option = pg.get_by_role("option").filter(has_text=typed).first
    option.wait_for(timeout=10_000)
    name = option.inner_text()
    option.click()
    pg.keyboard.press("Escape")
    return name


def point_center(pg):
    """Centre of the first event marker. Plotly's drag layer sits above the markers, so the mouse is
    moved to the spot (as a user would) rather than clicking the SVG element itself."""
    point = pg.locator(".js-plotly-plot .cartesianlayer .subplot.xy .point").first
    point.wait_for(timeout=30_000)
    point.scroll_into_view_if_needed()
    pg.wait_for_timeout(300)
    box = point.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.3)


# --- the seed timeline ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("seeded")
    db = tmp / "fresh.duckdb"      # empty: the app ingests seeds/ on start, as on a fresh clone
    with streamlit_app(db, tmp / "streamlit.log") as url:
        yield url


def test_seed_timeline_actor_filter_and_csv(page, seeded_app):
    wait_for_app(page, seeded_app)
    shown, total = summary_counts(page)
    assert shown == total > 0
    rows_before = grid_rows(page)

    chosen = choose_actor(page, "بوتين")
    wait_until(lambda: summary_counts(page)[0] < total)
    shown_after, _ = summary_counts(page)
    assert 0 < shown_after < total
    wait_until(lambda: grid_rows(page) == shown_after)
    assert grid_rows(page) < rows_before

    with page.expect_download(timeout=30_000) as dl:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").locator("button").click()
    data = Path(dl.value.path()).read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(records) == shown_after
    assert all("بوتين" in r["actors"] for r in records), chosen
    assert any(re.search("[\u0600-\u06FF]", r["description"]) for r in records)

    # a click on an event opens its details
    page.mouse.click(*point_center(page))
    page.wait_for_selector(".tl-card", timeout=30_000)
    assert page.locator(".tl-card mark").count() >= 1

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1500, "height": 2400})
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=True)
    assert not page.errors, page.errors


# --- injection -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    from synthetic import event, frame_of, results_from_frame
    from timeline.store import Store
    tmp = tmp_path_factory.mktemp("hostile")
    db = tmp / "hostile.duckdb"
    hostile = dict(description=PAYLOAD, sentence=f"قال مصدر {PAYLOAD} في 12 أيلول 2023.",
                   title='<script>window.__pwned=2</script>عنوان',
                   source='<a href="javascript:window.__pwned=3">x</a>')
    frame = frame_of(
        event(event_id="evil", **hostile),
        event(event_id="evil2", document_id="d2", granularity="year", date_value="2022", date_text="عام 2022",
              date_start=dt.date(2022, 1, 1), date_end=dt.date(2022, 12, 31), actors=[PAYLOAD],
              actor_kinds=["person"], **hostile),
    )
    with Store(db) as store:
        store.ingest(results_from_frame(frame))
    with streamlit_app(db, tmp / "streamlit.log") as url:
        yield url


def pwned(pg) -> list:
    return [f.evaluate("() => window.__pwned === undefined ? null : window.__pwned") for f in pg.frames]


def test_article_html_is_shown_as_text_never_run(page, hostile_app):
    wait_for_app(page, hostile_app)
    x, y = point_center(page)
    page.mouse.move(x, y)
    page.wait_for_selector(".js-plotly-plot .hoverlayer .hovertext", timeout=10_000)
    hover = page.locator(".js-plotly-plot .hoverlayer .hovertext").first.text_content()
    assert PAYLOAD in hover                     # shown literally, as text

    page.mouse.click(x, y)
    page.wait_for_selector(".tl-card", timeout=30_000)
    card = page.locator(".tl-card").first.inner_text()
    assert PAYLOAD in card and "<script>window.__pwned=2</script>" in card

    page.get_by_text("نص المقالة كاملًا").click()
    page.wait_for_selector(".tl-article")
    assert PAYLOAD in page.locator(".tl-article").first.inner_text()

    # lane names are article text too: the actor named by the payload is a plain tick label
    ticks = [t.text_content() for t in page.locator(".js-plotly-plot .yaxislayer-above text").all()]
    assert PAYLOAD in ticks

    # the table keeps the payload as cell text (its accessible grid mirrors the canvas)
    grid = page.locator('[data-testid="stDataFrame"]').first
    assert grid.count() == 1

    page.wait_for_timeout(1000)
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    assert pwned(page) == [None] * len(page.frames)


# --- scale: aggregated view that resolves into events ---------------------------------------------------

@pytest.fixture(scope="module")
def big_app(tmp_path_factory):
    from synthetic import make_events, results_from_frame
    from timeline.store import Store
    tmp = tmp_path_factory.mktemp("big")
    db = tmp / "big.duckdb"
    with Store(db) as store:
        store.ingest(results_from_frame(make_events(30_000, seed=5)))
    with streamlit_app(db, tmp / "streamlit.log") as url:
        yield url


def test_many_events_show_counts_and_a_box_zooms_into_single_events(page, big_app):
    wait_for_app(page, big_app)
    note = page.get_by_text(re.compile("كبير، فالرسم يعرض عددها"))
    note.wait_for(timeout=30_000)
    plot = page.locator(".js-plotly-plot .nsewdrag").first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    # a box over a few months of the grid
    x0, x1 = box["x"] + box["width"] * 0.40, box["x"] + box["width"] * 0.47
    y0, y1 = box["y"] + box["height"] * 0.2, box["y"] + box["height"] * 0.6
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    page.get_by_text(re.compile("مكبّر على")).wait_for(timeout=30_000)
    assert note.count() == 0                        # single events now, not counts
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    page.get_by_role("button", name="إلغاء التكبير").click()
    note.wait_for(timeout=30_000)
    assert not page.errors, page.errors
