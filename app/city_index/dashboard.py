"""The regulator's dashboard of a month, from ONE load."""
from __future__ import annotations

from dataclasses import dataclass

from .breakdowns import district_totals, division_totals, sector_totals
from .index import MonthIndex, trend
from .loading import load
from .periods import add_months
from .projection import FORECAST_HISTORY, Projection, year_end_forecast


@dataclass(frozen=True)
class Dashboard:
    current: MonthIndex
    trend: list
    projection: Projection | None
    sectors: dict
    divisions: list
    districts: list


def dashboard(year: int, month: int, trend_months: int = 24) -> Dashboard:
    """The regulator's dashboard for a month from ONE load: the index, its trend, the year-end forecast and the
    sector, division and district tables (the load spans the forecast's history, which covers the rest)."""
    data = load(add_months(year, month, -(max(FORECAST_HISTORY, trend_months + 11) - 1)), (year, month))
    points = trend(trend_months, year, month, data)
    return Dashboard(points[-1], points, year_end_forecast(year, month, data), sector_totals(year, month, data),
                     division_totals(year, month, data=data), district_totals(year, month, data))
