"""The year-end projection of an enterprise's emissions, for a compliance year not yet verified.

Plain arithmetic on the months the compliance position already counts (footprint.services.MonthCount: covered
scope 1 + 2 − exported, approved months only), exact in Decimal:

- The year's months: the enterprise's reporting months that fall in the year (from its first reporting month
  to its last; none set: the whole year), and any month approved outside them. N = how many.
- The approved months to date: k of them, adding up to A t.
- The projection, in the first way that applies:
  1. COMPLETE: all N months approved: A itself.
  2. SEASONAL: last year has approved figures for every one of the same N calendar months, and those of the
     same k months add up to more than zero: A × (last year's N months) / (last year's same k months). The
     enterprise's own seasonal profile: a winter-heavy plant with only its summer approved is not under-projected.
  3. AVERAGE: A / k × N (the average approved month, for each of the year's months).
  4. NONE: no month approved yet: nothing to project from.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)
COMPLETE, SEASONAL, AVERAGE, NONE = "complete", "seasonal", "average", "none"


@dataclass(frozen=True)
class Projection:
    months: int  # N: the year's reporting months
    due: int  # of them, the months that have ended by today
    approved: int  # k: of them, the months approved
    approved_t: Decimal  # A: their emissions
    projected_t: Decimal | None  # the year-end estimate (None: no month approved yet)
    method: str
    last_year_same_t: Decimal | None = None  # SEASONAL: last year's same k months
    last_year_all_t: Decimal | None = None  # SEASONAL: last year's N months

    @property
    def complete(self) -> bool:
        return self.approved == self.months


def year_months(first: date | None, last: date | None, year: int) -> list[int]:
    """The calendar months of `year` an enterprise owes, from its first reporting month to its last."""
    low = 1 if first is None or first.year < year else 13 if first.year > year else first.month
    high = 12 if last is None or last.year > year else 0 if last.year < year else last.month
    return list(range(low, high + 1))


def project(owed: list[int], months: list, last_year: list | None, today: date, year: int) -> Projection | None:
    """The projection of `year` from its 12 MonthCounts (`months`), last year's (`last_year`, or None) and the
    calendar months owed; None when the enterprise owes no month of the year and has none approved."""
    counted = {m.period.month: m.verified_t for m in months if m.counted}
    chosen = sorted(set(owed) | set(counted))
    if not chosen:
        return None
    n, k = len(chosen), len(counted)
    approved_t = sum(counted.values(), ZERO)
    due = sum(1 for m in chosen if date(year, m, 1) < today.replace(day=1))
    if k == 0:
        return Projection(n, due, 0, ZERO, None, NONE)
    if k == n:
        return Projection(n, due, k, approved_t, approved_t, COMPLETE)
    before = {m.period.month: m.verified_t for m in last_year or () if m.counted}
    if all(m in before for m in chosen):
        same = sum((before[m] for m in counted), ZERO)
        every = sum((before[m] for m in chosen), ZERO)
        if same > 0:
            return Projection(n, due, k, approved_t, approved_t * every / same, SEASONAL, same, every)
    return Projection(n, due, k, approved_t, approved_t / k * n, AVERAGE)
