"""Which months the index answers for: none before the first obligation or after the current month, and by
default the latest month that is not provisional (reference/city-index.md, "Provisional")."""
from __future__ import annotations

from datetime import date

from . import formula
from .loading import Obligations, _month_index, owed_approved
from .periods import latest_complete_month

LOOKBACK = 36  # months searched back for one that is not provisional
BEFORE_DATA, AFTER_CURRENT = "before_data", "after_current"


def _date(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def out_of_range(year: int, month: int, today: date, obligations: Obligations | None = None) -> str | None:
    """Why the month cannot be scored (BEFORE_DATA, AFTER_CURRENT), None when it can."""
    if (year, month) > (today.year, today.month):
        return AFTER_CURRENT
    first = (obligations or Obligations()).first_month
    if first is not None and date(year, month, 1) < first:
        return BEFORE_DATA
    return None


def provisional_months(today: date, lookback: int = LOOKBACK) -> tuple[dict[tuple[int, int], bool], Obligations]:
    """{(year, month): provisional} for the current month and the `lookback` before it, from the first obligation
    on, by the month's own coverage and its window's (two queries: obligations and approved counts)."""
    current = _month_index(date(today.year, today.month, 1))
    low = current - lookback
    obligations = Obligations(low - 11, current)
    owed = owed_approved(_date(low - 11), _date(current))
    first = obligations.first_month
    out = {}
    for index in range(low, current + 1):
        if first is not None and _date(index) < first:
            continue
        window = range(index - 11, index + 1)
        out[(index // 12, index % 12 + 1)] = formula.provisional(
            sum(owed.get(_date(k), 0) for k in window), sum(obligations.owing(k) for k in window),
            owed.get(_date(index), 0), obligations.owing(index))
    return out, obligations


def settled_month(today: date) -> tuple[int, int]:
    """The latest month up to the current one that is not provisional; without one (no data yet), the latest
    complete month, which the pages then show as provisional."""
    months, _ = provisional_months(today)
    settled = [m for m, provisional in months.items() if not provisional]
    return max(settled) if settled else latest_complete_month(today)
