"""The regulator's dashboard of a month, from ONE load."""
from __future__ import annotations

from dataclasses import dataclass

from .actor_tables import (
    Paths,
    SectorTable,
    TableRow,
    district_table,
    division_table,
    sector_table,
)
from .index import MonthIndex, levers, trend
from .loading import load
from .periods import add_months
from .projection import FORECAST_HISTORY, Projection, year_end_forecast


@dataclass(frozen=True)
class Dashboard:
    current: MonthIndex
    trend: list
    projection: Projection | None
    sectors: SectorTable         # adds up to X: sectors, then net imported electricity
    divisions: list[TableRow]    # who must act first
    districts: list[TableRow]
    levers: list            # index.levers(current)
    baseline: MonthIndex | None  # the latest month up to `current` that is not provisional: the forecast's start


def dashboard(year: int, month: int, trend_months: int = 24) -> Dashboard:
    """The regulator's dashboard for a month from ONE load: the index, its trend, the year-end forecast and the
    sector, division and district tables against a year earlier (the load spans the forecast's history, which
    covers the rest). The forecast starts from the latest month that is not provisional, never from a
    provisional one."""
    data = load(add_months(year, month, -(max(FORECAST_HISTORY, trend_months + 11, 24) - 1)), (year, month))
    points = trend(trend_months, year, month, data)
    baseline = next((p for p in reversed(points) if not p.provisional), None)
    projection = year_end_forecast(baseline.year, baseline.month, data) if baseline else None
    paths = Paths.of(data, year, month)
    return Dashboard(points[-1], points, projection, sector_table(data, year, month, paths),
                     division_table(data, year, month, paths=paths), district_table(data, year, month, paths),
                     levers(points[-1]), baseline)
