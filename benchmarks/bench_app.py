"""Benchmark: the app's figure and a filter change on 100,000 synthetic Arabic events.

    python benchmarks/bench_app.py [--events 100000] [--repeat 3]

Times (best of --repeat):
- prepare: the one-time per data version work (parse intervals, fold search text), cached by the app;
- figure: timeline_figure on all events (aggregated view past 20k events) plus its JSON, as sent to
  the browser;
- filter round-trip: a filter change — apply_filters + timeline_figure + JSON — for an actor filter,
  a text search and a zoom window that resolves into single events.
Targets (issue 4): figure < 1.5 s, filter round-trip < 1 s. Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "app")]

from synthetic import make_events  # noqa: E402
from timeline.figures import timeline_figure  # noqa: E402
from timeline.filters import FilterState, apply_filters, prepare_events  # noqa: E402

FIGURE_TARGET = 1.5
ROUND_TRIP_TARGET = 1.0


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    raw = make_events(args.events, seed=42)
    print(f"generated {len(raw):,} synthetic events in {time.perf_counter() - t0:.2f} s")
    t_prep, frame = best(lambda: prepare_events(raw), 1)
    print(f"prepare (once per data version, cached) {t_prep:8.3f} s")

    t_fig, fig = best(lambda: (f := timeline_figure(frame), f.to_json())[0], args.repeat)
    meta = fig.layout.meta
    print(f"figure, all events + JSON                {t_fig:8.3f} s   target < {FIGURE_TARGET} s   "
          f"(aggregated={meta['aggregated']}, per {meta['bin']}, {meta['events']:,} dated events)")

    changes = {
        "actor فلاديمير بوتين": FilterState(actors=("فلاديمير بوتين",)),
        "text 'اتفاقيه تعاون'": FilterState(text="اتفاقيه تعاون"),
        "two actors + 2020-2021": FilterState(actors=("روسيا", "أوكرانيا"), date_from=dt.date(2020, 1, 1),
                                              date_to=dt.date(2021, 12, 31), include_undated=False),
        "zoom to one week": FilterState(date_from=dt.date(2020, 3, 1), date_to=dt.date(2020, 3, 7)),
    }
    worst = 0.0
    for name, state in changes.items():
        x_range = (state.date_from, state.date_to) if state.date_from else None

        def round_trip():
            shown = apply_filters(frame, state)
            f = timeline_figure(shown, x_range=x_range)
            f.to_json()
            return shown, f

        t_rt, (shown, f) = best(round_trip, args.repeat)
        worst = max(worst, t_rt)
        print(f"filter round-trip: {name:28s} {t_rt:8.3f} s   target < {ROUND_TRIP_TARGET} s   "
              f"({len(shown):,} rows, aggregated={f.layout.meta['aggregated']})")

    ok = t_fig < FIGURE_TARGET and worst < ROUND_TRIP_TARGET
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
