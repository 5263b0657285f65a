"""The city dual-carbon index (DCI) from the database: R12 inputs, the index of a month, its trend and breakdowns.

The formula itself lives in `formula.py` (pure); this module only gathers its inputs.

Reading across tenants: the index is a city-wide aggregate, so, like `app.benchmarking.services`, the loaders
below run unscoped (`unscoped(...)`) and sum APPROVED filings of every enterprise. What
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
  Where the regulator has entered a quarter's own figures, those months use them instead (k/3 of a quarter's
  flow for its k months in the window; a share weighs k/12).
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

from sqlalchemy import and_, func, select

from app.accounting.models import Product
from app.extensions import db
from app.filings.models import APPROVED, Calculation, Filing, ProductionLine
from app.organisations.industries import describe
from app.organisations.models import ENTERPRISE, Organisation
from app.tenancy import unscoped

from . import formula
from .models import CarbonSink, CityStatistic, IndexSettings, ProductBenchmark

ZERO = Decimal(0)
TWELVE = Decimal(12)
UNSCOPED = unscoped("the city's totals: aggregates only (see the docstring)")
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


def _settings(month: date, versions: list | None = None) -> tuple:
    """(the version row or None, its values with the defaults of the city data entry filled in); `versions`
    (every published row, latest first) saves the query when many months are indexed from one load."""
    from app.city_index.data import DEFAULT_INDEX_SETTINGS, settings_for

    if versions is None:
        row = settings_for(month)
    else:
        row = next((v for v in versions if v.valid_from <= month), None)
    return row, {**DEFAULT_INDEX_SETTINGS, **(row.values if row else {})}


def settings_in_force(year: int, month: int, versions: list | None = None) -> Settings:
    row, values = _settings(date(year, month, 1), versions)
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

def _approved(*columns, start: date, end: date):
    """A SELECT of `columns` over the effective approved filings between start and end, with their current
    calculation and organisation joined. The effective revision of a month is the approved one not superseded:
    approving an amendment stamps `superseded_at` on the older approved revision (workflow.approve)."""
    return (select(*columns)
            .select_from(Filing)
            .join(Calculation, and_(Calculation.filing_id == Filing.id, Calculation.is_current))
            .join(Organisation, Organisation.id == Filing.org_id)
            .where(Filing.status == APPROVED, Filing.superseded_at.is_(None),
                   Filing.period >= start, Filing.period <= end)
            .execution_options(**UNSCOPED))


@dataclass
class _Month:
    scope1: Decimal = ZERO
    scope2: Decimal = ZERO
    total: Decimal = ZERO
    filings: int = 0
    bench_output: dict = field(default_factory=dict)  # benchmark code -> Σ output
    bench_emissions: Decimal = ZERO


@dataclass(frozen=True)
class _Cell:
    """Approved totals of one month, industry code and district: what every breakdown is summed from."""
    period: date
    industry_code: str | None
    district: str | None
    scope1: Decimal
    scope2: Decimal
    filings: int


def _add_benchmarked(months: dict, start: date, end: date) -> None:
    """Add to `months` (period -> _Month) the output in benchmarked products and the emissions of the filings
    that produced it (each filing's total once, however many benchmarked products it has)."""
    benchmarked = (select(ProductionLine.filing_id).join(Product, Product.id == ProductionLine.product_id)
                   .where(Product.benchmark_code.is_not(None)))
    for period, code, quantity in db.session.execute(_approved(
            Filing.period, Product.benchmark_code, func.sum(ProductionLine.quantity), start=start, end=end)
            .join(ProductionLine, ProductionLine.filing_id == Filing.id)
            .join(Product, Product.id == ProductionLine.product_id)
            .where(Product.benchmark_code.is_not(None))
            .group_by(Filing.period, Product.benchmark_code)):
        months[period].bench_output[code] = _dec(quantity) or ZERO
    for period, total in db.session.execute(_approved(
            Filing.period, func.sum(Calculation.total_tco2e), start=start, end=end)
            .where(Filing.id.in_(benchmarked)).group_by(Filing.period)):
        months[period].bench_emissions = _dec(total) or ZERO


class _Data:
    """Everything the index and the dashboard need between two periods, in a handful of queries: the approved
    totals by month × industry × district (one aggregate), the benchmarked output, statistics, sinks, benchmarks
    and settings versions. Every month, trend point and breakdown is then computed from it in Python."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self.months: dict[date, _Month] = defaultdict(_Month)
        self.cells: list[_Cell] = []
        self._load_totals(start, end)
        _add_benchmarked(self.months, start, end)
        self.enterprises = db.session.scalar(
            select(func.count(Organisation.id)).where(Organisation.kind == ENTERPRISE, Organisation.active)
            .execution_options(**UNSCOPED)) or 0
        statistics = db.session.scalars(select(CityStatistic)).all()
        self.statistics = {s.year: s for s in statistics if s.quarter == 0}
        self.quarterly = {(s.year, s.quarter): s for s in statistics if s.quarter}
        self.sinks = db.session.scalars(select(CarbonSink)).all()
        self.benchmarks = db.session.scalars(select(ProductBenchmark).order_by(
            ProductBenchmark.code, ProductBenchmark.version)).all()
        self.versions = db.session.scalars(select(IndexSettings).order_by(
            IndexSettings.valid_from.desc(), IndexSettings.id.desc())).all()
        self._grid = {}
        self._settings = {}

    def _load_totals(self, start: date, end: date) -> None:
        for period, code, district, s1, s2, total, n in db.session.execute(_approved(
                Filing.period, Organisation.industry_code, Organisation.district,
                func.sum(Calculation.scope1_tco2e), func.sum(Calculation.scope2_tco2e),
                func.sum(Calculation.total_tco2e), func.count(Filing.id), start=start, end=end)
                .group_by(Filing.period, Organisation.industry_code, Organisation.district)):
            cell = _Cell(period, code, district, _dec(s1) or ZERO, _dec(s2) or ZERO, n)
            self.cells.append(cell)
            row = self.months[period]
            row.scope1 += cell.scope1
            row.scope2 += cell.scope2
            row.total += _dec(total) or ZERO
            row.filings += n

    def covers(self, start: date, end: date) -> bool:
        return self.start <= start and end <= self.end

    def settings(self, year: int, month: int) -> Settings:
        key = (year, month)
        if key not in self._settings:
            self._settings[key] = settings_in_force(year, month, self.versions)
        return self._settings[key]

    def cells_in(self, year: int, month: int) -> list[_Cell]:
        """The cells of the R12 window ending with the month."""
        start, end = window(year, month)
        assert self.covers(start, end), "the load does not cover the window"
        return [c for c in self.cells if start <= c.period <= end]

    # statistics ------------------------------------------------------------------------------------
    def statistic(self, year: int) -> tuple[CityStatistic | None, int | None]:
        """The statistics of `year`, else of the latest earlier year (carried forward)."""
        earlier = [y for y in self.statistics if y <= year]
        if not earlier:
            return None, None
        used = max(earlier)
        return self.statistics[used], used

    def prorated(self, year: int, month: int, attr: str, scale=None) -> tuple[Decimal | None, list]:
        """A statistic over the R12 window ending with the month: m/12 of year y + (12 − m)/12 of year y − 1,
        except that a quarter with its own figure counts that figure for its months in the window (k/3 of a
        quarter's flow; a share, `scale` given, weighs k/12 like a year's). None when a needed year is missing."""
        annual_months: dict[int, int] = defaultdict(int)
        quarter_months: dict[tuple, int] = defaultdict(int)
        for k in range(12):
            y, m = add_months(year, month, -k)
            q = (y, (m - 1) // 3 + 1)
            if q in self.quarterly and getattr(self.quarterly[q], attr) is not None:
                quarter_months[q] += 1
            else:
                annual_months[y] += 1
        value, used = ZERO, []
        for q, k in sorted(quarter_months.items()):
            raw = getattr(self.quarterly[q], attr)
            value += scale(raw) * Decimal(k) / TWELVE if scale else raw * Decimal(k) / 3
            used.append((q[0], q[0], Decimal(k) / TWELVE))
        for y in sorted(annual_months, reverse=True):
            stat, from_year = self.statistic(y)
            raw = getattr(stat, attr) if stat is not None else None
            if raw is None:
                return None, []
            weight = Decimal(annual_months[y]) / TWELVE
            value += weight * (scale(raw) if scale else raw)
            used.append((y, from_year, weight))
        return value, used

    def monthly(self, year: int, month: int, attr: str) -> Decimal | None:
        """One month's share of a flow statistic: its quarter's figure / 3 when there is one, else the year's
        (carried forward) / 12."""
        quarter = self.quarterly.get((year, (month - 1) // 3 + 1))
        if quarter is not None and getattr(quarter, attr) is not None:
            return getattr(quarter, attr) / 3
        stat, _ = self.statistic(year)
        raw = getattr(stat, attr) if stat is not None else None
        return raw / TWELVE if raw is not None else None

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
        first, last = date(y0, 1, 1), date(y0, 12, 1)
        months = defaultdict(_Month)
        if data.covers(first, last):
            months = data.months
        elif db.session.scalar(select(Filing.id).where(Filing.period >= first, Filing.period <= last).limit(1)
                               .execution_options(**UNSCOPED)) is not None:  # a cheap look before two scans
            _add_benchmarked(months, first, last)
        cache[y0] = _industrial_r(data, [m for p, m in months.items() if first <= p <= last], last)
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
    settings = data.settings(year, month)
    inputs = _inputs(data, settings, year, month)
    result = None
    if settings.path is not None:
        result = formula.compute_index(settings.path, inputs.inputs, formula.index_time(year, month),
                                       settings.weights, settings.cut_milestones, settings.non_fossil_milestones)
    found = formula.alerts(result.scores, result.dci, previous_dci) if result and with_alerts else []
    return MonthIndex(year, month, settings, inputs, result, formula.provisional(inputs.approved, inputs.expected),
                      found, previous_dci)


def city_index(year: int, month: int, data: _Data | None = None) -> MonthIndex:
    """The DCI of the month, with the alerts (the previous month's DCI for the drop alert)."""
    py, pm = add_months(year, month, -1)
    data = data or _Data(window(py, pm)[0], date(year, month, 1))
    previous = _index(data, py, pm, with_alerts=False)
    return _index(data, year, month, previous.dci)


def trend(last_n_months: int, year: int, month: int, data: _Data | None = None) -> list[MonthIndex]:
    """The index of each of the last n months ending with (year, month), oldest first, from one load."""
    first = add_months(year, month, -(last_n_months - 1))
    data = data or _Data(window(*first)[0], date(year, month, 1))
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
    withheld: bool = False  # public page: the filed figures would reveal one enterprise (disclosure control)

    @property
    def total(self) -> Decimal:
        return self.scope1 + (self.estimate or ZERO)


def _grouped(year: int, month: int, *columns):
    start, end = window(year, month)
    return db.session.execute(_approved(
        *columns, func.sum(Calculation.scope1_tco2e), func.sum(Calculation.scope2_tco2e), func.count(Filing.id),
        start=start, end=end).group_by(*columns)).all()


def load(first: tuple[int, int], last: tuple[int, int]) -> _Data:
    """One load for every month, trend point and breakdown from `first` to `last` ((year, month) each),
    including the R12 windows of the months from `first` + 11 on."""
    return _Data(date(*first, 1), date(*last, 1))


def _window_data(year: int, month: int, data: _Data | None) -> _Data:
    return data if data is not None else _Data(*window(year, month))


def _sum_cells(cells, key) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for c in cells:
        k = key(c)
        row = rows.setdefault(k, Row(k))
        row.scope1 += c.scope1
        row.scope2 += c.scope2
        row.filings += c.filings
    return rows


def sector_totals(year: int, month: int, data: _Data | None = None) -> dict:
    """R12 emissions by sector (scope 1 of filings + the regulator's estimates), with sinks apart.
    Aggregates only: safe for the public page."""
    data = _window_data(year, month, data)
    summed = _sum_cells(data.cells_in(year, month), lambda c: sector_of(c.industry_code))
    rows = {key: summed.get(key, Row(key)) for key in SECTORS}
    for key, attr in (("transport", "transport_tco2"), ("buildings", "buildings_tco2"), ("other", "other_tco2")):
        rows[key].estimate = data.prorated(year, month, attr)[0]
    return {"sectors": [rows[k] for k in SECTORS], "sinks": data.sinks_in(year)}


def public_sector_totals(year: int, month: int, data: _Data | None = None) -> dict:
    """`sector_totals` with the benchmark disclosure rules applied to each sector's filed figures, for the
    page without sign-in: a sector whose scope 1 comes from fewer than `peer_min_contributors` enterprises, or
    from one enterprise above `peer_dominance_percent` % of it, is withheld (its filed and total figures), since
    it would mostly publish that enterprise's own emissions. The regulator's estimates stay shown."""
    from app.benchmarking.services import rules as disclosure_rules
    from app.benchmarking.stats import dominated

    totals = sector_totals(year, month, data)
    rules = disclosure_rules()
    by_sector: dict[str, list[Decimal]] = defaultdict(list)
    for _org, code, s1, _s2, _n in _grouped(year, month, Organisation.id, Organisation.industry_code):
        if _dec(s1):
            by_sector[sector_of(code)].append(_dec(s1))
    for row in totals["sectors"]:
        amounts = by_sector.get(row.key, [])
        row.withheld = bool(amounts) and (len(amounts) < rules.min_contributors
                                          or dominated(amounts, rules.dominance_percent))
    return totals


def division_totals(year: int, month: int, sector: str | None = None, data: _Data | None = None) -> list[tuple]:
    """(division code, Industry or None, Row) by GB/T 4754 division, largest first."""
    cells = [c for c in _window_data(year, month, data).cells_in(year, month)
             if not sector or sector_of(c.industry_code) == sector]
    rows = _sum_cells(cells, lambda c: (c.industry_code or "")[:3] or "-")
    return [(k, describe(k) if k != "-" else None, r) for k, r in sorted(rows.items(), key=lambda kv: -kv[1].scope1)]


def district_totals(year: int, month: int, data: _Data | None = None) -> list[Row]:
    rows = _sum_cells(_window_data(year, month, data).cells_in(year, month), lambda c: c.district or "-")
    return sorted(rows.values(), key=lambda r: -r.scope1)


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
    """One month's gross emissions: approved scope 1 of the month + the month's share of the non-filing
    estimates (transport, buildings, other) + of the net imported electricity × the month's grid factor (1/3 of
    its quarter's figure, else 1/12 of its year's); statistics carried forward as for the index, a missing one
    counting 0 (so the series is scope 1 alone without them)."""
    row = data.months.get(date(year, month, 1))
    value = row.scope1 if row is not None else ZERO
    for attr in ("transport_tco2", "buildings_tco2", "other_tco2"):
        value += data.monthly(year, month, attr) or ZERO
    grid, imported = data.grid_factor(year, month), data.monthly(year, month, "net_imported_electricity_mwh")
    if imported is not None and grid is not None:
        value += imported * grid
    return value


def gross_series(year: int, month: int, months: int = FORECAST_HISTORY,
                 data: _Data | None = None) -> list[tuple[tuple[int, int], Decimal]]:
    """[((year, month), gross tCO2)] up to the month, oldest first, from the first month with approved filings
    (months before the platform's data would read as a collapse to the estimates alone)."""
    first = add_months(year, month, -(months - 1))
    data = data or _Data(date(*first, 1), date(year, month, 1))
    out = []
    for k in range(months):
        y, m = add_months(*first, k)
        if not out and date(y, m, 1) not in data.months:
            continue
        out.append(((y, m), _monthly_gross(data, y, m)))
    return out


def top_contributors(year: int, month: int, sectors: int = 3, enterprises: int = 5,
                     data: _Data | None = None) -> dict:
    """The sectors and enterprises whose R12 emissions rose most against the window a year earlier: sectors by
    total (approved scope 1 + the regulator's estimates), enterprises by approved scope 1; increases only,
    largest first. Names enterprises: authority pages only."""
    py, pm = year - 1, month
    if data is None or not data.covers(window(py, pm)[0], date(year, month, 1)):
        data = _Data(window(py, pm)[0], date(year, month, 1))
    now = {r.key: r.total for r in sector_totals(year, month, data)["sectors"]}
    before = {r.key: r.total for r in sector_totals(py, pm, data)["sectors"]}
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


def year_end_forecast(year: int, month: int, data: _Data | None = None) -> Projection | None:
    """The year-end projection of the gross emissions against the path, with the forecast alerts; None without
    any approved data."""
    from . import forecast

    series = gross_series(year, month, data=data)
    if not series:
        return None
    year_end = forecast.year_end_projection(series, year)
    path = (data.settings(year, month) if data else settings_in_force(year, month)).path
    path_value = path.at_year(year) if path is not None else None
    found = forecast.forecast_alerts(year_end, path_value) if path_value is not None else []
    return Projection(year, series, year_end, path_value, found,
                      top_contributors(year, month, data=data) if found else {})


# --------------------------------------------------------------------------------------------- dashboard

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
