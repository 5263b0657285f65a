"""Can the city approve a new project? The version-2 rule of reference/city-index.md ("What-if rules"), pure.

For every year y from the project's first year to 2035: headroom H(y) = P(y) − F(y), the path less the baseline
projection, and need O(y) = max(0, ΔE(y) − H(y)), where ΔE is the project's yearly emissions (its first-year share
in the first year). The answer is the largest need and its year (the tightest year: often after the peak, when the
path falls), so a project that fits in 2027 but not in 2031 is not approved on the strength of 2027.

The baseline F(y) is a yearly projection from ONE fixed month (the latest month that is not provisional): the
calendar-year sums of the actual months and of the monthly forecast (app.city_index.forecast) after it. It never
depends on the month a page shows, so neither does the answer.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.city_index import forecast

LAST_YEAR = 2035
ZERO = Decimal(0)
ONE = Decimal(1)


class AssessmentError(ValueError):
    """Inputs that cannot be assessed (said in the user's language by the caller, by `field`)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Year:
    year: int
    path: Decimal       # P(y), tCO2
    baseline: Decimal   # F(y), tCO2
    project: Decimal    # ΔE(y), tCO2
    headroom: Decimal   # P(y) − F(y); negative: the baseline is above the path already
    need: Decimal       # max(0, ΔE(y) − H(y))


@dataclass(frozen=True)
class Assessment:
    years: list[Year]
    tightest_year: int
    offset_needed: Decimal

    @property
    def fits(self) -> bool:
        return self.offset_needed == 0

    @property
    def headroom_after(self) -> Decimal:
        """The least headroom left in any year once the project runs (negative: short by that much)."""
        return min(y.headroom - y.project for y in self.years)


def yearly_baseline(series: Sequence[tuple[tuple[int, int], Decimal]],
                    last_year: int = LAST_YEAR) -> dict[int, Decimal]:
    """F(y) for each calendar year from the series' last year to `last_year`: the year's actual months plus the
    forecast of the rest (rounded to the tonne). `series`: [((year, month), gross tCO2)], consecutive months, oldest
    first, ending with the baseline month."""
    if not series:
        raise AssessmentError("baseline", "no approved month to project from")
    (end_year, end_month) = series[-1][0]
    horizon = (last_year - end_year) * 12 + 12 - end_month
    years: dict[int, Decimal] = {end_year: sum((Decimal(v) for (y, _m), v in series if y == end_year), ZERO)}
    for (y, _m), value, _low, _high in forecast.forecast(series, horizon):
        years[y] = years.get(y, ZERO) + value
    return dict(sorted(years.items()))


def assess(path: Mapping[int, Decimal], baseline: Mapping[int, Decimal], annual_tco2e: Decimal, first_year: int,
           first_year_share: Decimal = Decimal("0.5"), last_year: int = LAST_YEAR) -> Assessment:
    """The project's need for room in every year it runs to `last_year`. `path` and `baseline` by year (tCO2)."""
    if annual_tco2e < 0:
        raise AssessmentError("annual_tco2e", "a project's emissions cannot be negative")
    if not ZERO < first_year_share <= ONE:
        raise AssessmentError("first_year_share", "the first year's share must be above 0 and at most 1")
    first_baseline = min(baseline) if baseline else None
    if first_baseline is None or first_year < first_baseline:
        raise AssessmentError("first_year", "the first year must not be before the baseline year")
    if first_year > last_year:
        raise AssessmentError("first_year", "the first year is after the last year assessed")
    years = []
    for y in range(first_year, last_year + 1):
        if y not in path or y not in baseline:
            raise AssessmentError("first_year", f"no path or baseline for {y}")
        project = annual_tco2e * (first_year_share if y == first_year else ONE)
        headroom = path[y] - baseline[y]
        years.append(Year(y, path[y], baseline[y], project, headroom, max(ZERO, project - headroom)))
    # The tightest year: the largest need; where every year fits, the one with the least room left (to the
    # tonne, so that the path's last digits do not pick among equal years: then the earliest).
    tightest = max(years, key=lambda r: (round(r.need), round(r.project - r.headroom), -r.year))
    return Assessment(years, tightest.year, tightest.need)
