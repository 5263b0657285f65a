"""The year-end projection: the monthly gross emissions from the load, their forecast (`forecast.py`, pure)
against the target path, and who drove a rise when the forecast raises an alert."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.organisations.models import Organisation

from . import forecast
from .breakdowns import SECTORS, sector_totals
from .loading import ZERO, IndexData, grouped
from .periods import add_months, window
from .settings import as_decimal, settings_in_force

FORECAST_HISTORY = 48  # months of history fed to the forecast


def _monthly_gross(data: IndexData, year: int, month: int) -> Decimal:
    """One month's gross emissions: approved scope 1 of the month + the month's share of the non-filing
    estimates (transport, buildings, other) + of the net imported electricity × the month's grid factor (1/3 of
    its quarter's figure, else 1/12 of its year's); statistics carried forward as for the index, a missing one
    counting 0 (so the series is scope 1 alone without them)."""
    period = date(year, month, 1)
    row = data.months.get(period)
    value = row.scope1 if row is not None else ZERO
    if period >= data.start:  # the estimates of obliged months without a filing (the history reaches back so far)
        value += data.estimated(period).tco2
    for attr in ("transport_tco2", "buildings_tco2", "other_tco2"):
        value += data.monthly(year, month, attr) or ZERO
    grid, imported = data.grid_factor(year, month), data.monthly(year, month, "net_imported_electricity_mwh")
    if imported is not None and grid is not None:
        value += imported * grid
    return value


def gross_series(year: int, month: int, months: int = FORECAST_HISTORY,
                 data: IndexData | None = None) -> list[tuple[tuple[int, int], Decimal]]:
    """[((year, month), gross tCO2)] up to the month, oldest first, from the first month with approved filings
    (months before the platform's data would read as a collapse to the estimates alone)."""
    first = add_months(year, month, -(months - 1))
    data = data or IndexData(date(*first, 1), date(year, month, 1))
    if date(*first, 1) < data.start:  # a baseline before the load's end: only the months loaded
        first, months = (data.start.year, data.start.month), months - (
            (data.start.year - first[0]) * 12 + data.start.month - first[1])
    out = []
    for k in range(months):
        y, m = add_months(*first, k)
        if not out and date(y, m, 1) not in data.months:
            continue
        out.append(((y, m), _monthly_gross(data, y, m)))
    return out


def top_contributors(year: int, month: int, sectors: int = 3, enterprises: int = 5,
                     data: IndexData | None = None) -> dict:
    """The sectors and enterprises whose R12 emissions rose most against the window a year earlier: sectors by
    total (approved scope 1 + the regulator's estimates), enterprises by approved scope 1; increases only,
    largest first. Names enterprises: authority pages only."""
    py, pm = year - 1, month
    if data is None or not data.covers(window(py, pm)[0], date(year, month, 1)):
        data = IndexData(window(py, pm)[0], date(year, month, 1))
    now = {r.key: r.total for r in sector_totals(year, month, data)["sectors"]}
    before = {r.key: r.total for r in sector_totals(py, pm, data)["sectors"]}
    sector_rise = sorted(((k, now[k] - before.get(k, ZERO)) for k in SECTORS), key=lambda kv: -kv[1])
    columns = (Organisation.id, Organisation.name, Organisation.name_en, Organisation.industry_code)
    previous = {row[0]: as_decimal(row[4]) or ZERO for row in grouped(py, pm, *columns)}
    rises = []
    for org_id, name, name_en, industry, s1, _s2, _n in grouped(year, month, *columns):
        rise = (as_decimal(s1) or ZERO) - previous.get(org_id, ZERO)
        if rise > 0:
            rises.append((org_id, name, name_en, industry, rise))
    rises.sort(key=lambda r: (-r[4], r[0]))
    return {"sectors": [(k, v) for k, v in sector_rise if v > 0][:sectors], "enterprises": rises[:enterprises]}


@dataclass(frozen=True)
class Projection:
    year: int
    series: list            # gross_series(...)
    year_end: object        # forecast.YearEnd
    path_value: Decimal | None  # the path for the calendar year (R12 ending December), None without a path
    alerts: list            # formula.Alert of kind "forecast"
    contributors: dict      # top_contributors(...) when there is an alert, else {}


def year_end_forecast(year: int, month: int, data: IndexData | None = None) -> Projection | None:
    """The year-end projection of the gross emissions against the path, with the forecast alerts; None without
    any approved data."""
    series = gross_series(year, month, data=data)
    if not series:
        return None
    year_end = forecast.year_end_projection(series, year)
    path = (data.settings(year, month) if data else settings_in_force(year, month)).path
    path_value = path.at_year(year) if path is not None else None
    found = forecast.forecast_alerts(year_end, path_value) if path_value is not None else []
    return Projection(year, series, year_end, path_value, found,
                      top_contributors(year, month, data=data) if found else {})

