"""The city dual-carbon index (DCI) from the database: R12 inputs, the index of a month, its trend and breakdowns.

The formula itself lives in `formula.py` (pure); this module only gathers its inputs.

Reading across tenants: the index is a city-wide aggregate, so, like `app.benchmarking.services`, the loaders
below run unscoped (`execution_options(tenancy_bypass=True)`) and sum APPROVED filings of every enterprise. What
leaves this module is an aggregate (city, sector, industry division, district, month), except
`enterprises_under()`, which names enterprises and is called only from the authority's pages. The public page
uses `city_index()`, `trend()` and `sector_totals()` only, which never carry an enterprise's name or id.

Rules:
- A month counts once per enterprise: its latest APPROVED revision (as `footprint.services.effective_filings`,
  restricted to approved data); drafts, submitted and returned revisions are ignored entirely.
- R12: the twelve months ending with the index month.
- Annual city statistics are prorated to the R12 window: for the window ending in month m of year y,
  m/12 of year y and (12 − m)/12 of year y − 1. A year without statistics is replaced by the latest earlier
  year (carried forward, and the result says so), so the current year can be indexed before its statistics.
- Coverage: approved enterprise-months in the window / (active enterprises × 12).
- Industrial efficiency R = Σ(benchmark × output) / Σ emissions (calculation total) of the enterprise-months that
  produced a product mapped to a benchmark (`Product.benchmark_code`); the output is taken in the benchmark's
  unit of product (MWh, GJ, t), the latest benchmark version valid at the index month. The base-year R is the
  settings' value or, when empty, R over the approved filings of the base year.
- Settings: the version in force (`app.city_index.data.settings_for`), its values completed with the defaults
  of the city data entry (`settings_values_for`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, exists, func, select

from app.accounting.models import Product
from app.extensions import db
from app.filings.models import APPROVED, Calculation, Filing, ProductionLine
from app.organisations.industries import describe
from app.organisations.models import ENTERPRISE, Organisation

from . import formula
from .models import CarbonSink, CityStatistic, IndexSettings, ProductBenchmark

ZERO = Decimal(0)
TWELVE = Decimal(12)
UNSCOPED = {"tenancy_bypass": True}  # see the module docstring: aggregates only
SECTORS = ("energy", "industry", "transport", "buildings", "other")


# ------------------------------------------------------------------------------------------------ months

def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def window(year: int, month: int) -> tuple[date, date]:
    """The first and last period (first day of a month) of the R12 window ending with the month."""
    sy, sm = add_months(year, month, -11)
    return date(sy, sm, 1), date(year, month, 1)


def latest_complete_month(today: date) -> tuple[int, int]:
    return add_months(today.year, today.month, -1)


def sector_of(industry_code: str | None) -> str:
    """energy: section D and B07 (oil and gas extraction); industry: other B and C; transport: section G."""
    code = (industry_code or "").upper()
    if code.startswith(("D", "B07")):
        return "energy"
    if code[:1] in ("B", "C"):
        return "industry"
    if code.startswith("G"):
        return "transport"
    return "other"


# ---------------------------------------------------------------------------------------------- settings

@dataclass(frozen=True)
class Settings:
    """The index settings version in force for a month (None path: no target path set yet)."""
    id: int | None
    valid_from: date | None
    path: formula.TargetPath | None
    weights: dict
    cut_milestones: tuple
    non_fossil_milestones: tuple
    non_fossil_base_share: Decimal | None = None
    industrial_base_r: Decimal | None = None
    transport_buildings_base_tco2: Decimal | None = None
    sinks_base_tco2: Decimal | None = None
    values: dict = field(default_factory=dict)


def _get(values: dict, *keys):
    for key in keys:
        if values.get(key) not in (None, ""):
            return values[key]
    return None


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _milestones(raw, default) -> tuple:
    if not raw:
        return default
    items = raw.items() if isinstance(raw, dict) else raw
    return tuple((int(y), Decimal(str(v))) for y, v in items)


def _share(value) -> Decimal | None:
    """A share given as a fraction (0.17) or as a percentage (17)."""
    value = _dec(value)
    return value / 100 if value is not None and value > 1 else value


def _settings(month: date) -> tuple:
    """(the version row or None, its values with the defaults of the city data entry filled in)."""
    try:  # the city data entry (app.city_index.data), when present
        from app.city_index.data import settings_for, settings_values_for
    except ImportError:
        row = db.session.scalar(select(IndexSettings).where(IndexSettings.valid_from <= month)
                                .order_by(IndexSettings.valid_from.desc(), IndexSettings.id.desc()).limit(1))
        return row, dict(row.values or {}) if row is not None else {}
    return settings_for(month), settings_values_for(month)


def settings_in_force(year: int, month: int) -> Settings:
    row, values = _settings(date(year, month, 1))
    if not isinstance(values, dict):
        values = {}
    path = None
    try:
        y0, e0, g0 = _get(values, "y0", "base_year"), _get(values, "e0", "E0"), _get(values, "g0", "G0")
        yp, ep, s60 = _get(values, "yp", "peak_year"), _get(values, "ep", "Ep"), _get(values, "s60", "S60")
        if None not in (y0, e0, g0, yp, ep, s60):
            path = formula.TargetPath(int(y0), _dec(e0), _dec(g0), int(yp), _dec(ep), _dec(s60))
    except (ValueError, ArithmeticError):
        path = None
    raw_weights = values.get("weights") or {}
    weights = {k: _dec(raw_weights.get(k, formula.DEFAULT_WEIGHTS[k])) for k in formula.SUB_INDICES}
    return Settings(
        getattr(row, "id", None), getattr(row, "valid_from", None), path, weights,
        _milestones(values.get("cut_milestones"), formula.DEFAULT_CUT_MILESTONES),
        _milestones(values.get("non_fossil_milestones"), formula.DEFAULT_NON_FOSSIL_MILESTONES),
        _share(_get(values, "non_fossil_base_share", "non_fossil_base_share_percent")),
        _dec(_get(values, "industrial_base_r", "base_r")),
        _dec(_get(values, "transport_buildings_base_tco2")),
        _dec(_get(values, "sinks_base_tco2", "k0", "K0")),
        values)


# ----------------------------------------------------------------------------------------------- loading

def _effective_approved():
    """(org_id, period, revision): the latest approved revision of each enterprise-month."""
    return (select(Filing.org_id, Filing.period, func.max(Filing.revision).label("revision"))
            .where(Filing.status == APPROVED).group_by(Filing.org_id, Filing.period).subquery())


def _approved(*columns, start: date, end: date):
    """A SELECT of `columns` over the effective approved filings between start and end, with their current
    calculation and organisation joined."""
    eff = _effective_approved()
    return (select(*columns)
            .select_from(Filing)
            .join(eff, and_(eff.c.org_id == Filing.org_id, eff.c.period == Filing.period,
                            eff.c.revision == Filing.revision))
            .join(Calculation, and_(Calculation.filing_id == Filing.id, Calculation.is_current))
            .join(Organisation, Organisation.id == Filing.org_id)
            .where(Filing.period >= start, Filing.period <= end)
            .execution_options(**UNSCOPED))


@dataclass
class _Month:
    scope1: Decimal = ZERO
    scope2: Decimal = ZERO
    total: Decimal = ZERO
    filings: int = 0
    bench_output: dict = field(default_factory=dict)  # benchmark code -> Σ output
    bench_emissions: Decimal = ZERO


class _Data:
    """Everything the index needs between two periods, in a handful of queries."""

    def __init__(self, start: date, end: date):
        self.months: dict[date, _Month] = defaultdict(_Month)
        for period, s1, s2, total, n in db.session.execute(_approved(
                Filing.period, func.sum(Calculation.scope1_tco2e), func.sum(Calculation.scope2_tco2e),
                func.sum(Calculation.total_tco2e), func.count(Filing.id), start=start, end=end)
                .group_by(Filing.period)):
            self.months[period] = _Month(_dec(s1) or ZERO, _dec(s2) or ZERO, _dec(total) or ZERO, n)
        for period, code, quantity in db.session.execute(_approved(
                Filing.period, Product.benchmark_code, func.sum(ProductionLine.quantity), start=start, end=end)
                .join(ProductionLine, ProductionLine.filing_id == Filing.id)
                .join(Product, Product.id == ProductionLine.product_id)
                .where(Product.benchmark_code.is_not(None))
                .group_by(Filing.period, Product.benchmark_code)):
            self.months[period].bench_output[code] = _dec(quantity) or ZERO
        benchmarked = exists().where(ProductionLine.filing_id == Filing.id, Product.id == ProductionLine.product_id,
                                     Product.benchmark_code.is_not(None))
        for period, total in db.session.execute(_approved(
                Filing.period, func.sum(Calculation.total_tco2e), start=start, end=end)
                .where(benchmarked).group_by(Filing.period)):
            self.months[period].bench_emissions = _dec(total) or ZERO
        self.enterprises = db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.kind == ENTERPRISE, Organisation.active)
            .execution_options(**UNSCOPED)) or 0
        self.statistics = {s.year: s for s in db.session.scalars(
            select(CityStatistic).where(CityStatistic.quarter == 0))}
        self.sinks = db.session.scalars(select(CarbonSink)).all()
        self.benchmarks = db.session.scalars(select(ProductBenchmark).order_by(
            ProductBenchmark.code, ProductBenchmark.version)).all()
        self._grid = {}

    # statistics ------------------------------------------------------------------------------------
    def statistic(self, year: int) -> tuple[CityStatistic | None, int | None]:
        """The statistics of `year`, else of the latest earlier year (carried forward)."""
        earlier = [y for y in self.statistics if y <= year]
        if not earlier:
            return None, None
        used = max(earlier)
        return self.statistics[used], used

    def prorated(self, year: int, month: int, attr: str, scale=None) -> tuple[Decimal | None, list]:
        """m/12 of year y + (12 − m)/12 of year y − 1 of a statistic; None when one of them is missing."""
        parts = [(year, Decimal(month) / TWELVE)]
        if month < 12:
            parts.append((year - 1, Decimal(12 - month) / TWELVE))
        value, used = ZERO, []
        for y, weight in parts:
            stat, from_year = self.statistic(y)
            raw = getattr(stat, attr) if stat is not None else None
            if raw is None:
                return None, []
            value += weight * (scale(raw) if scale else raw)
            used.append((y, from_year, weight))
        return value, used

    def sinks_in(self, year: int) -> Decimal | None:
        active = [s for s in self.sinks if s.from_year <= year and (s.to_year is None or s.to_year >= year)]
        if not self.sinks:
            return None
        return sum((s.area_ha * s.rate_tco2_per_ha_year for s in active), ZERO)

    def benchmark(self, code: str, on: date) -> Decimal | None:
        found = None
        for b in self.benchmarks:
            if b.code == code and b.valid_from <= on:
                found = b.benchmark  # ordered by version: the last valid one wins
        return found

    def grid_factor(self, year: int, month: int) -> Decimal | None:
        key = (year, month)
        if key not in self._grid:
            from app.accounting.library import MissingFactor
            from app.filings.calculations import load_library

            if not hasattr(self, "_library"):
                self._library = load_library()
            try:
                self._grid[key] = self._library.grid("national_average", date(year, month, 1)).values["ef"]
            except (MissingFactor, KeyError):
                self._grid[key] = None
        return self._grid[key]


# ----------------------------------------------------------------------------------------------- inputs

@dataclass(frozen=True)
class MonthInputs:
    year: int
    month: int
    start: date
    end: date
    inputs: formula.CityInputs
    scope1_r12: Decimal
    scope2_r12: Decimal
    approved: int
    expected: int
    statistics_years: list  # (year, statistics year used, weight)
    carried_forward: bool
    grid_factor: Decimal | None
    imported_tco2: Decimal | None

    @property
    def coverage(self) -> Decimal | None:
        return Decimal(self.approved) / Decimal(self.expected) if self.expected else None


def _industrial_r(data: _Data, rows: list[_Month], on: date) -> Decimal | None:
    """R = Σ(benchmark × output) / Σ emissions of the months with benchmarked output."""
    bench_value, bench_emissions = ZERO, ZERO
    for r in rows:
        value = ZERO
        for code, quantity in r.bench_output.items():
            b = data.benchmark(code, on)
            if b is not None:
                value += b * quantity
        if value:
            bench_value += value
            bench_emissions += r.bench_emissions
    return bench_value / bench_emissions if bench_emissions > 0 else None



def _base_r(data: _Data, y0: int) -> Decimal | None:
    """The base-year R from the approved filings of y0 (when the settings give none), once per load."""
    cache = data.__dict__.setdefault("_base_r", {})
    if y0 not in cache:
        base = _Data(date(y0, 1, 1), date(y0, 12, 1))
        cache[y0] = _industrial_r(base, [base.months[p] for p in list(base.months)], date(y0, 12, 1))
    return cache[y0]


def _inputs(data: _Data, settings: Settings, year: int, month: int) -> MonthInputs:
    start, end = window(year, month)
    periods = [date(*add_months(year, month, -k), 1) for k in range(12)]
    rows = [data.months[p] for p in periods if p in data.months]
    scope1 = sum((r.scope1 for r in rows), ZERO)
    scope2 = sum((r.scope2 for r in rows), ZERO)
    approved = sum(r.filings for r in rows)

    gdp, used = data.prorated(year, month, "gdp_10k_cny")
    transport, _ = data.prorated(year, month, "transport_tco2")
    buildings, _ = data.prorated(year, month, "buildings_tco2")
    other, _ = data.prorated(year, month, "other_tco2")
    imported_mwh, _ = data.prorated(year, month, "net_imported_electricity_mwh")
    share, _ = data.prorated(year, month, "non_fossil_share_percent", lambda v: v / 100)
    non_filing = None if None in (transport, buildings, other) else transport + buildings + other
    transport_buildings = None if None in (transport, buildings) else transport + buildings
    grid = data.grid_factor(year, month)

    industrial_r = _industrial_r(data, rows, end)

    base_share = settings.non_fossil_base_share
    base_tb = settings.transport_buildings_base_tco2
    k0 = settings.sinks_base_tco2
    base_r = settings.industrial_base_r
    if settings.path is not None:
        y0 = settings.path.y0
        base = data.statistics.get(y0)
        if base_share is None and base is not None and base.non_fossil_share_percent is not None:
            base_share = base.non_fossil_share_percent / 100
        if base_tb is None and base is not None and None not in (base.transport_tco2, base.buildings_tco2):
            base_tb = base.transport_tco2 + base.buildings_tco2
        if k0 is None:
            k0 = data.sinks_in(y0)
        if base_r is None:
            base_r = _base_r(data, y0)

    inputs = formula.CityInputs(
        scope1_tco2_r12=scope1, non_filing_tco2_r12=non_filing, net_import_mwh_r12=imported_mwh,
        grid_factor_tco2_per_mwh=grid, gdp_r12=gdp, non_fossil_share=share, non_fossil_base_share=base_share,
        industrial_r=industrial_r, industrial_base_r=base_r,
        transport_buildings_tco2_r12=transport_buildings, transport_buildings_base_tco2=base_tb,
        sinks_tco2=data.sinks_in(year), sinks_base_tco2=k0)
    return MonthInputs(year, month, start, end, inputs, scope1, scope2, approved, data.enterprises * 12, used,
                       any(y != from_year for y, from_year, _ in used), grid,
                       imported_mwh * grid if imported_mwh is not None and grid is not None else None)


def month_inputs(year: int, month: int) -> MonthInputs:
    start, end = window(year, month)
    return _inputs(_Data(start, end), settings_in_force(year, month), year, month)


# ------------------------------------------------------------------------------------------------ index

@dataclass(frozen=True)
class MonthIndex:
    year: int
    month: int
    settings: Settings
    inputs: MonthInputs
    result: formula.IndexResult | None  # None without a target path
    provisional: bool
    alerts: list
    previous_dci: Decimal | None = None

    @property
    def dci(self) -> Decimal | None:
        return self.result.dci if self.result else None

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


def _index(data: _Data, year: int, month: int, previous_dci=None, with_alerts=True) -> MonthIndex:
    settings = settings_in_force(year, month)
    inputs = _inputs(data, settings, year, month)
    result = None
    if settings.path is not None:
        result = formula.compute_index(settings.path, inputs.inputs, formula.index_time(year, month),
                                       settings.weights, settings.cut_milestones, settings.non_fossil_milestones)
    found = formula.alerts(result.scores, result.dci, previous_dci) if result and with_alerts else []
    return MonthIndex(year, month, settings, inputs, result, formula.provisional(inputs.approved, inputs.expected),
                      found, previous_dci)


def city_index(year: int, month: int) -> MonthIndex:
    """The DCI of the month, with the alerts (the previous month's DCI for the drop alert)."""
    py, pm = add_months(year, month, -1)
    data = _Data(window(py, pm)[0], date(year, month, 1))
    previous = _index(data, py, pm, with_alerts=False)
    return _index(data, year, month, previous.dci)


def trend(last_n_months: int, year: int, month: int) -> list[MonthIndex]:
    """The index of each of the last n months ending with (year, month), oldest first, from one load."""
    first = add_months(year, month, -(last_n_months - 1))
    data = _Data(window(*first)[0], date(year, month, 1))
    out, previous = [], None
    for k in range(last_n_months):
        y, m = add_months(*first, k)
        point = _index(data, y, m, previous)
        out.append(point)
        previous = point.dci
    return out


# -------------------------------------------------------------------------------------------- breakdowns

@dataclass
class Row:
    key: str
    scope1: Decimal = ZERO
    scope2: Decimal = ZERO
    filings: int = 0
    estimate: Decimal | None = None  # the regulator's estimate (transport, buildings, other)

    @property
    def total(self) -> Decimal:
        return self.scope1 + (self.estimate or ZERO)


def _grouped(year: int, month: int, *columns):
    start, end = window(year, month)
    return db.session.execute(_approved(
        *columns, func.sum(Calculation.scope1_tco2e), func.sum(Calculation.scope2_tco2e), func.count(Filing.id),
        start=start, end=end).group_by(*columns)).all()


def sector_totals(year: int, month: int) -> dict:
    """R12 emissions by sector (scope 1 of filings + the regulator's estimates), with sinks apart.
    Aggregates only: safe for the public page."""
    rows = {key: Row(key) for key in SECTORS}
    for code, s1, s2, n in _grouped(year, month, Organisation.industry_code):
        row = rows[sector_of(code)]
        row.scope1 += _dec(s1) or ZERO
        row.scope2 += _dec(s2) or ZERO
        row.filings += n
    end = window(year, month)[1]
    data = _Data(end, end)  # statistics and sinks only; the month's own filings are not used here
    for key, attr in (("transport", "transport_tco2"), ("buildings", "buildings_tco2"), ("other", "other_tco2")):
        rows[key].estimate = data.prorated(year, month, attr)[0]
    return {"sectors": [rows[k] for k in SECTORS], "sinks": data.sinks_in(year)}


def division_totals(year: int, month: int, sector: str | None = None) -> list[tuple]:
    """(division code, Industry or None, Row) by GB/T 4754 division, largest first."""
    rows: dict[str, Row] = {}
    for code, s1, s2, n in _grouped(year, month, Organisation.industry_code):
        if sector and sector_of(code) != sector:
            continue
        division = (code or "")[:3] or "-"
        row = rows.setdefault(division, Row(division))
        row.scope1 += _dec(s1) or ZERO
        row.scope2 += _dec(s2) or ZERO
        row.filings += n
    return [(k, describe(k) if k != "-" else None, r) for k, r in sorted(rows.items(), key=lambda kv: -kv[1].scope1)]


def district_totals(year: int, month: int) -> list[Row]:
    rows = []
    for district, s1, s2, n in _grouped(year, month, Organisation.district):
        rows.append(Row(district or "-", _dec(s1) or ZERO, _dec(s2) or ZERO, n))
    return sorted(rows, key=lambda r: -r.scope1)


def enterprises_under(year: int, month: int, code: str) -> list[tuple]:
    """(org id, name, name_en, industry code, Row) of the enterprises under a division: authority pages only."""
    out = []
    for org_id, name, name_en, industry, s1, s2, n in _grouped(
            year, month, Organisation.id, Organisation.name, Organisation.name_en, Organisation.industry_code):
        if (industry or "").upper().startswith(code.upper()):
            out.append((org_id, name, name_en, industry, Row(str(org_id), _dec(s1) or ZERO, _dec(s2) or ZERO, n)))
    return sorted(out, key=lambda r: -r[4].scope1)


# ---------------------------------------------------------------------------------------------- forecast

FORECAST_HISTORY = 48  # months of history fed to the forecast


def _monthly_gross(data: _Data, year: int, month: int) -> Decimal:
    """One month's gross emissions: approved scope 1 of the month + 1/12 of the year's non-filing estimates
    (transport, buildings, other) + 1/12 of its net imported electricity × the month's grid factor; statistics
    carried forward as for the index, a missing one counting 0 (so the series is scope 1 alone without them)."""
    row = data.months.get(date(year, month, 1))
    value = row.scope1 if row is not None else ZERO
    stat, _ = data.statistic(year)
    if stat is not None:
        for attr in ("transport_tco2", "buildings_tco2", "other_tco2"):
            value += (getattr(stat, attr) or ZERO) / TWELVE
        grid = data.grid_factor(year, month)
        if stat.net_imported_electricity_mwh is not None and grid is not None:
            value += stat.net_imported_electricity_mwh / TWELVE * grid
    return value


def gross_series(year: int, month: int, months: int = FORECAST_HISTORY) -> list[tuple[tuple[int, int], Decimal]]:
    """[((year, month), gross tCO2)] up to the month, oldest first, from the first month with approved filings
    (months before the platform's data would read as a collapse to the estimates alone)."""
    first = add_months(year, month, -(months - 1))
    data = _Data(date(*first, 1), date(year, month, 1))
    out = []
    for k in range(months):
        y, m = add_months(*first, k)
        if not out and date(y, m, 1) not in data.months:
            continue
        out.append(((y, m), _monthly_gross(data, y, m)))
    return out


def top_contributors(year: int, month: int, sectors: int = 3, enterprises: int = 5) -> dict:
    """The sectors and enterprises whose R12 emissions rose most against the window a year earlier: sectors by
    total (approved scope 1 + the regulator's estimates), enterprises by approved scope 1; increases only,
    largest first. Names enterprises: authority pages only."""
    py, pm = year - 1, month
    now = {r.key: r.total for r in sector_totals(year, month)["sectors"]}
    before = {r.key: r.total for r in sector_totals(py, pm)["sectors"]}
    sector_rise = sorted(((k, now[k] - before.get(k, ZERO)) for k in SECTORS), key=lambda kv: -kv[1])
    columns = (Organisation.id, Organisation.name, Organisation.name_en, Organisation.industry_code)
    previous = {row[0]: _dec(row[4]) or ZERO for row in _grouped(py, pm, *columns)}
    rises = []
    for org_id, name, name_en, industry, s1, _s2, _n in _grouped(year, month, *columns):
        rise = (_dec(s1) or ZERO) - previous.get(org_id, ZERO)
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


def year_end_forecast(year: int, month: int) -> Projection | None:
    """The year-end projection of the gross emissions against the path, with the forecast alerts; None without
    any approved data."""
    from . import forecast

    series = gross_series(year, month)
    if not series:
        return None
    year_end = forecast.year_end_projection(series, year)
    path = settings_in_force(year, month).path
    path_value = path.at_year(year) if path is not None else None
    found = forecast.forecast_alerts(year_end, path_value) if path_value is not None else []
    return Projection(year, series, year_end, path_value, found, top_contributors(year, month) if found else {})
