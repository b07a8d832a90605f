"""TIMEX3 values and the intervals they mean: calendar arithmetic, Gregorian and Hijri.

Hijri dates use the Umm al-Qura calendar through `hijridate` (the maintained successor of
hijri-converter); its range is 1343–1500 AH (1924–2077 CE). Outside it a Hijri date is kept as text
with a reason instead of a value.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools

from hijridate import Gregorian, Hijri

SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11)}   # WI spans the turn of the year


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def valid_date(year: int, month: int, day: int) -> dt.date | None:
    if not (1 <= month <= 12 and 1 <= year <= 9999):
        return None
    if not 1 <= day <= last_day(year, month):
        return None
    return dt.date(year, month, day)


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def shift_date(day: dt.date, unit: str, amount: int) -> dt.date:
    """`day` moved by `amount` units (negative: back); month arithmetic clamps to the month's end."""
    if unit in ("day",):
        return day + dt.timedelta(days=amount)
    if unit == "week":
        return day + dt.timedelta(weeks=amount)
    if unit in ("month", "year", "decade", "century"):
        months = amount * {"month": 1, "year": 12, "decade": 120, "century": 1200}[unit]
        y, m = add_months(day.year, day.month, months)
        y = max(1, min(9999, y))
        return dt.date(y, m, min(day.day, last_day(y, m)))
    if unit in ("hour", "minute"):
        hours = amount if unit == "hour" else amount / 60
        return (dt.datetime.combine(day, dt.time(12)) + dt.timedelta(hours=hours)).date()
    raise ValueError(unit)


# --- values and intervals for each granularity --------------------------------------------------

def day_value(d: dt.date) -> str:
    return d.isoformat()


def week_of(d: dt.date) -> tuple[str, tuple[dt.date, dt.date]]:
    iso = d.isocalendar()
    monday = d - dt.timedelta(days=d.weekday())
    return f"{iso[0]}-W{iso[1]:02d}", (monday, monday + dt.timedelta(days=6))


def month_of(year: int, month: int) -> tuple[str, tuple[dt.date, dt.date]]:
    return f"{year:04d}-{month:02d}", (dt.date(year, month, 1), dt.date(year, month, last_day(year, month)))


def year_of(year: int) -> tuple[str, tuple[dt.date, dt.date]]:
    return f"{year:04d}", (dt.date(year, 1, 1), dt.date(year, 12, 31))


def quarter_of(year: int, quarter: int) -> tuple[str, tuple[dt.date, dt.date]]:
    first = 3 * (quarter - 1) + 1
    return f"{year:04d}-Q{quarter}", (dt.date(year, first, 1), dt.date(year, first + 2, last_day(year, first + 2)))


def half_of(year: int, half: int) -> tuple[str, tuple[dt.date, dt.date]]:
    return f"{year:04d}-H{half}", ((dt.date(year, 1, 1), dt.date(year, 6, 30)) if half == 1
                                   else (dt.date(year, 7, 1), dt.date(year, 12, 31)))


def season_of(year: int, season: str) -> tuple[str, tuple[dt.date, dt.date]]:
    if season == "WI":   # the winter that ends in `year`: December before through February
        return f"{year:04d}-WI", (dt.date(year - 1, 12, 1) if year > 1 else dt.date(1, 1, 1),
                                  dt.date(year, 2, last_day(year, 2)))
    first, last = SEASON_MONTHS[season]
    return f"{year:04d}-{season}", (dt.date(year, first, 1), dt.date(year, last, last_day(year, last)))


def decade_of(first_year: int) -> tuple[str, tuple[dt.date, dt.date]]:
    return f"{first_year // 10:03d}", (dt.date(first_year, 1, 1), dt.date(first_year + 9, 12, 31))


def century_of(index: int) -> tuple[str, tuple[dt.date, dt.date]]:
    """`index` is the TIMEX3 century value: 19 means 1900–1999 (the twentieth century)."""
    first = max(1, index * 100)
    return f"{index:02d}", (dt.date(first, 1, 1), dt.date(index * 100 + 99, 12, 31))


def apply_mod(interval: tuple[dt.date, dt.date], mod: str | None) -> tuple[dt.date, dt.date]:
    """START/MID/END narrow an interval to its first, middle or last third."""
    if not mod or mod not in ("START", "MID", "END"):
        return interval
    first, last = interval
    days = (last - first).days + 1
    third = max(1, days // 3)
    if mod == "START":
        return first, first + dt.timedelta(days=third - 1)
    if mod == "END":
        return last - dt.timedelta(days=third - 1), last
    start = first + dt.timedelta(days=third)
    return start, min(last, start + dt.timedelta(days=third - 1))


# --- Hijri --------------------------------------------------------------------------------------

class HijriRangeError(ValueError):
    pass


def hijri_to_gregorian(year: int, month: int, day: int) -> dt.date:
    try:
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError) as error:
        raise HijriRangeError(str(error)) from error
    return dt.date(g.year, g.month, g.day)


def hijri_month_days(year: int, month: int) -> int:
    try:
        return Hijri(year, month, 1).month_length()
    except (ValueError, OverflowError) as error:
        raise HijriRangeError(str(error)) from error


def hijri_month_interval(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = hijri_to_gregorian(year, month, 1)
    return first, first + dt.timedelta(days=hijri_month_days(year, month) - 1)


def gregorian_to_hijri(d: dt.date) -> tuple[int, int, int] | None:
    try:
        h = Gregorian(d.year, d.month, d.day).to_hijri()
    except (ValueError, OverflowError):
        return None
    return h.year, h.month, h.day


@functools.lru_cache(maxsize=65536)
def hijri_text(d: dt.date) -> str | None:
    """The Hijri date of a Gregorian day as YYYY-MM-DD (Umm al-Qura), None out of range."""
    h = gregorian_to_hijri(d)
    return f"{h[0]:04d}-{h[1]:02d}-{h[2]:02d}" if h else None
