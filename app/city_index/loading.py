"""The one aggregate load behind every month, trend point and breakdown of the index.

Reading across tenants: the index is a city-wide aggregate, so, like `app.benchmarking.services`, the queries
below run unscoped (`UNSCOPED`) and sum the approved months of every enterprise. They read the rollup
(`MonthlyTotal`, kept by app.filings.rollups in the same transaction as every approval, amendment and
recalculation), never the filings' calculations, so a page costs one row per enterprise-month at most.
What leaves the package is an aggregate (city, sector, industry division, district, month), except `breakdowns.enterprises_under()` and
`projection.top_contributors()`, which name enterprises and are called only from the authority's pages.

A month counts once per enterprise: its latest APPROVED revision (as `footprint.services.effective_filings`,
restricted to approved data; the rollup holds exactly these); drafts, submitted and returned revisions are
ignored entirely.

Coverage counts reporting months: an active enterprise owes a month from its first reporting month to its last
(closure), as `app.review.services.owed_months` says; none set (older rows): from its first filing or the month
after its registration, whichever is earlier. Registering an enterprise today therefore changes no past month.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from app.accounting.library import MissingFactor
from app.accounting.models import Product, ProductBenchmark
from app.city_data.models import CarbonSink, CityStatistic, IndexSettings
from app.core.types import city_date
from app.extensions import db
from app.filings.calculations import load_library
from app.filings.models import Filing, MonthlyTotal, ProductionLine
from app.organisations.models import ENTERPRISE, Organisation
from app.tenancy import unscoped

from . import estimates
from .periods import add_months, window
from .settings import Settings, as_decimal, settings_in_force

ZERO = Decimal(0)
TWELVE = Decimal(12)
UNSCOPED = unscoped("the city's totals: aggregates only (see app.city_index.loading)")


def _approved(*columns, start: date, end: date):
    """A SELECT of `columns` over the effective approved enterprise-months between start and end: the rollup
    (`MonthlyTotal`, one row per enterprise-month: its approved revision not superseded, with its current
    calculation, kept by app.filings.rollups in the approval's own transaction), with the organisation joined."""
    return (select(*columns)
            .select_from(MonthlyTotal)
            .join(Organisation, Organisation.id == MonthlyTotal.org_id)
            .where(MonthlyTotal.period >= start, MonthlyTotal.period <= end)
            .execution_options(**UNSCOPED))


@dataclass
class Month:
    scope1: Decimal = ZERO
    scope2: Decimal = ZERO
    total: Decimal = ZERO
    filings: int = 0
    owed_filings: int = 0  # approved months that an active enterprise owed (the numerator of coverage)
    bench_output: dict = field(default_factory=dict)  # benchmark code -> Σ output
    bench_emissions: Decimal = ZERO


@dataclass(frozen=True)
class Cell:
    """Approved totals of one month, industry code and district: what every breakdown is summed from."""
    period: date
    industry_code: str | None
    district: str | None
    scope1: Decimal
    scope2: Decimal
    filings: int
    owed_filings: int = 0
    output_value: Decimal = ZERO   # Σ output value (10⁴ CNY) of the filings that gave one
    output_scope1: Decimal = ZERO  # Σ scope 1 of those same filings: the numerator of an intensity


# An approved month that its (active) enterprise owed: inside its reporting months. A NULL first reporting
# month sets no lower bound here, as the fallback start (`_month_index` below) is never after its first filing.
_OWED = and_(Organisation.active,
             or_(Organisation.first_reporting_month.is_(None),
                 MonthlyTotal.period >= Organisation.first_reporting_month),
             or_(Organisation.last_reporting_month.is_(None),
                 MonthlyTotal.period <= Organisation.last_reporting_month))


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _date(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Estimated:
    """The estimates of one month: their total, how many enterprise-months they stand for, and how many obliged
    enterprise-months have neither a filing nor any history to estimate from (unknown)."""
    tco2: Decimal
    months: int
    unknown: int


def _estimate(index: int, obliged: list[int], history: dict) -> Estimated:
    """The estimates of month `index` for the enterprises obliged in it, from their approved history."""
    total, estimated, unknown = ZERO, 0, 0
    for org_id in obliged:
        own = history.get(org_id, {})
        if index in own:
            continue
        value = estimates.estimate(own, index)
        if value is None:
            unknown += 1
        else:
            total += value
            estimated += 1
    return Estimated(total, estimated, unknown)


class Obligations:
    """Who owes which months: the reporting months of every active enterprise (one query), from its first
    reporting month to its last; none set (older rows), from its first filing or the month after its
    registration, whichever is earlier. `low`..`high` (month indexes) are precomputed as running counts."""

    def __init__(self, low: int | None = None, high: int | None = None):
        first_filed = (select(func.min(Filing.period)).where(Filing.org_id == Organisation.id)
                       .correlate(Organisation).scalar_subquery())
        rows = db.session.execute(
            select(Organisation.id, Organisation.first_reporting_month, Organisation.last_reporting_month,
                   Organisation.created_at, case((Organisation.first_reporting_month.is_(None), first_filed)))
            .where(Organisation.kind == ENTERPRISE, Organisation.active).execution_options(**UNSCOPED)).all()
        self.ranges: list[tuple[int, int, int | None]] = []
        for org_id, first, last, created_at, filed in rows:
            if first is None:
                after_registration = _month_index(city_date(created_at)) + 1
                first_index = min(after_registration, _month_index(filed)) if filed else after_registration
            else:
                first_index = _month_index(first)
            self.ranges.append((org_id, first_index, _month_index(last) if last else None))
        self._owing: dict[int, int] = {}
        if low is not None and high is not None:
            # How many owe each month: a running sum over the starts and ends (no loop per month and org).
            change = defaultdict(int)
            for _org, first_index, last_index in self.ranges:
                change[max(first_index, low)] += 1
                if last_index is not None:
                    change[max(last_index + 1, low)] -= 1
            running = 0
            for index in range(low, high + 1):
                running += change.get(index, 0)
                self._owing[index] = running

    @property
    def first_month(self) -> date | None:
        """The first month anyone owes (None without enterprises): the index has no data before it."""
        if not self.ranges:
            return None
        first = min(first for _org, first, _last in self.ranges)
        return date(first // 12, first % 12 + 1, 1)

    def owing(self, index: int) -> int:
        if index in self._owing:
            return self._owing[index]
        return sum(1 for _org, first, last in self.ranges if first <= index and (last is None or index <= last))

    def obliged_in(self, index: int) -> list[int]:
        return [org for org, first, last in self.ranges if first <= index and (last is None or index <= last)]


def owed_approved(start: date, end: date) -> dict[date, int]:
    """{month: approved filings that their enterprise owed} between start and end: coverage's numerator, in one
    aggregate (for the default month, without loading everything else)."""
    return {period: int(n or 0) for period, n in db.session.execute(_approved(
        MonthlyTotal.period, func.sum(case((_OWED, 1), else_=0)), start=start, end=end)
        .group_by(MonthlyTotal.period))}


def add_benchmarked(months: dict, start: date, end: date) -> None:
    """Add to `months` (period -> Month) the output in benchmarked products and the emissions of the filings
    that produced it (each filing's total once, however many benchmarked products it has)."""
    benchmarked = (select(ProductionLine.filing_id).join(Product, Product.id == ProductionLine.product_id)
                   .where(Product.benchmark_code.is_not(None)))
    for period, code, quantity in db.session.execute(_approved(
            MonthlyTotal.period, Product.benchmark_code, func.sum(ProductionLine.quantity), start=start, end=end)
            .join(ProductionLine, ProductionLine.filing_id == MonthlyTotal.filing_id)
            .join(Product, Product.id == ProductionLine.product_id)
            .where(Product.benchmark_code.is_not(None))
            .group_by(MonthlyTotal.period, Product.benchmark_code)):
        months[period].bench_output[code] = as_decimal(quantity) or ZERO
    for period, total in db.session.execute(_approved(
            MonthlyTotal.period, func.sum(MonthlyTotal.total_tco2e), start=start, end=end)
            .where(MonthlyTotal.filing_id.in_(benchmarked)).group_by(MonthlyTotal.period)):
        months[period].bench_emissions = as_decimal(total) or ZERO


class IndexData:
    """Everything the index and the dashboard need between two periods, in a handful of queries: the approved
    totals by month × industry × district (one aggregate), the benchmarked output, statistics, sinks, benchmarks
    and settings versions. Every month, trend point and breakdown is then computed from it in Python."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self.months: dict[date, Month] = defaultdict(Month)
        self.cells: list[Cell] = []
        self._load_totals(start, end)
        add_benchmarked(self.months, start, end)
        self._load_obligations()
        self._load_history()
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
        with_output = MonthlyTotal.output_value_10k_cny.is_not(None)
        for period, code, district, s1, s2, total, n, owed, output, output_s1 in db.session.execute(_approved(
                MonthlyTotal.period, Organisation.industry_code, Organisation.district,
                func.sum(MonthlyTotal.scope1_tco2e), func.sum(MonthlyTotal.scope2_tco2e),
                func.sum(MonthlyTotal.total_tco2e), func.count(MonthlyTotal.id),
                func.sum(case((_OWED, 1), else_=0)), func.sum(MonthlyTotal.output_value_10k_cny),
                func.sum(case((with_output, MonthlyTotal.scope1_tco2e), else_=0)), start=start, end=end)
                .group_by(MonthlyTotal.period, Organisation.industry_code, Organisation.district)):
            cell = Cell(period, code, district, as_decimal(s1) or ZERO, as_decimal(s2) or ZERO, n, int(owed or 0),
                        as_decimal(output) or ZERO, as_decimal(output_s1) or ZERO)
            self.cells.append(cell)
            row = self.months[period]
            row.scope1 += cell.scope1
            row.scope2 += cell.scope2
            row.total += as_decimal(total) or ZERO
            row.filings += n
            row.owed_filings += cell.owed_filings

    def _load_obligations(self) -> None:
        self.obligations = Obligations(_month_index(self.start) - 11, _month_index(self.end))

    def owing(self, period: date) -> int:
        """How many active enterprises owe the month (coverage's denominator, month by month)."""
        return self.obligations.owing(_month_index(period))

    def _load_history(self) -> None:
        """The approved scope 1 by month of the enterprises the estimates need, from as far back as they reach.

        Only where an estimate is made: a month of the load in which fewer owed filings were approved than
        enterprises owe it has a gap (`Month.owed_filings` counts exactly the obliged enterprises' approved
        months), and only the enterprises short of approved months from the first such month on can be
        missing one. On a city that has filed everything this reads nothing."""
        self.history: dict[int, dict[int, Decimal]] = defaultdict(dict)
        self._estimates: dict[date, Estimated] = {}
        self._gapless_before = date.max  # no gap in the load's months before this one
        self._short: set[int] = set()  # the enterprises with a gap from that month on
        low, high = _month_index(self.start), _month_index(self.end)
        first_gap = next((k for k in range(low, high + 1) if self.obligations.owing(k) > (
            self.months[_date(k)].owed_filings if _date(k) in self.months else 0)), None)
        if first_gap is None:
            return
        self._gapless_before = _date(first_gap)
        approved = dict(db.session.execute(_approved(
            MonthlyTotal.org_id, func.count(MonthlyTotal.id), start=_date(first_gap), end=self.end)
            .where(_OWED).group_by(MonthlyTotal.org_id)).all())
        for org_id, first, last in self.obligations.ranges:
            owed = min(high, last if last is not None else high) - max(first_gap, first) + 1
            if owed > 0 and approved.get(org_id, 0) < owed:
                self._short.add(org_id)
        short = sorted(self._short)
        # a few IN lists, or everyone when most are short anyway
        chunks = ([short[k:k + 500] for k in range(0, len(short), 500)]
                  if len(short) < len(self.obligations.ranges) / 2 else [None])
        for chunk in chunks:
            self._read_history(_date(first_gap - estimates.FALLBACK_LOOKBACK), self.end, chunk)

    def _read_history(self, start: date, end: date, org_ids: list[int] | None, into: dict | None = None) -> dict:
        history = self.history if into is None else into
        query = _approved(MonthlyTotal.org_id, MonthlyTotal.period, func.sum(MonthlyTotal.scope1_tco2e),
                          start=start, end=end)
        if org_ids is not None:
            query = query.where(MonthlyTotal.org_id.in_(org_ids))
        for org_id, period, s1 in db.session.execute(query.group_by(MonthlyTotal.org_id, MonthlyTotal.period)):
            history.setdefault(org_id, {})[_month_index(period)] = as_decimal(s1) or ZERO
        return history

    def estimated(self, period: date) -> Estimated:
        """The estimates of the month: of every enterprise obliged in it without an approved filing for it."""
        if period not in self._estimates:
            index = _month_index(period)
            if not self.start <= period <= self.end:  # outside the load (no caller asks today): read for it
                history = self._read_history(_date(index - estimates.FALLBACK_LOOKBACK), period, None, {})
                self._estimates[period] = _estimate(index, self.obligations.obliged_in(index), history)
            elif period < self._gapless_before:
                self._estimates[period] = Estimated(ZERO, 0, 0)
            else:  # those not short approved every month they owe from the first gap on
                self._estimates[period] = _estimate(
                    index, [o for o in self.obligations.obliged_in(index) if o in self._short], self.history)
        return self._estimates[period]

    def covers(self, start: date, end: date) -> bool:
        return self.start <= start and end <= self.end

    def settings(self, year: int, month: int) -> Settings:
        key = (year, month)
        if key not in self._settings:
            self._settings[key] = settings_in_force(year, month, self.versions)
        return self._settings[key]

    def cells_in(self, year: int, month: int) -> list[Cell]:
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
            if not hasattr(self, "_library"):
                self._library = load_library()
            try:
                self._grid[key] = self._library.grid("national_average", date(year, month, 1)).values["ef"]
            except (MissingFactor, KeyError):
                self._grid[key] = None
        return self._grid[key]


def grouped(year: int, month: int, *columns):
    """(columns..., Σ scope 1, Σ scope 2, filings) of the R12 window ending with the month, grouped by `columns`
    (which may name enterprises: the callers decide what leaves the package)."""
    start, end = window(year, month)
    return db.session.execute(_approved(
        *columns, func.sum(MonthlyTotal.scope1_tco2e), func.sum(MonthlyTotal.scope2_tco2e),
        func.count(MonthlyTotal.id), start=start, end=end).group_by(*columns)).all()


def load(first: tuple[int, int], last: tuple[int, int]) -> IndexData:
    """One load for every month, trend point and breakdown from `first` to `last` ((year, month) each),
    including the R12 windows of the months from `first` + 11 on."""
    return IndexData(date(*first, 1), date(*last, 1))


def window_data(year: int, month: int, data: IndexData | None) -> IndexData:
    return data if data is not None else IndexData(*window(year, month))


def base_year_months(data: IndexData, year: int) -> list[Month]:
    """The benchmarked output and emissions of each month of `year`: from the load when it covers the year,
    else from two more scans (for the base year's R, when the settings give none)."""
    first, last = date(year, 1, 1), date(year, 12, 1)
    months: dict[date, Month] = defaultdict(Month)
    if data.covers(first, last):
        months = data.months
    elif db.session.scalar(select(MonthlyTotal.id).where(MonthlyTotal.period >= first, MonthlyTotal.period <= last)
                           .limit(1).execution_options(**UNSCOPED)) is not None:  # a cheap look before two scans
        add_benchmarked(months, first, last)
    return [m for p, m in months.items() if first <= p <= last]
