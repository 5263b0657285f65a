"""The city dual-carbon index (DCI) of a month and its trend, from the load: the R12 inputs, then the formula.

The formula itself lives in `formula.py` (pure); this module only gathers its inputs.

- R12: the twelve months ending with the index month.
- Annual city statistics are prorated to the R12 window: for the window ending in month m of year y,
  m/12 of year y and (12 − m)/12 of year y − 1. A year without statistics is replaced by the latest earlier
  year (carried forward, and the result says so), so the current year can be indexed before its statistics.
  Where the regulator has entered a quarter's own figures, those months use them instead (k/3 of a quarter's
  flow for its k months in the window; a share weighs k/12).
- Coverage: approved enterprise-months in the window that were owed / the enterprise-months owed in it (each
  active enterprise's reporting months: from its first reporting month to its last).
- Industrial efficiency R = Σ(benchmark × output) / Σ emissions (calculation total) of the enterprise-months that
  produced a product mapped to a benchmark (`Product.benchmark_code`); the output is taken in the benchmark's
  unit of product (MWh, GJ, t), the latest benchmark version valid at the index month. The base-year R is the
  settings' value or, when empty, R over the approved filings of the base year.
- Settings: the version in force (`settings.settings_in_force`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from . import formula
from .loading import ZERO, IndexData, Month, base_year_months
from .periods import add_months, window
from .settings import Settings, settings_in_force


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
    estimated_tco2: Decimal = ZERO  # the estimates of obliged enterprise-months without an approved filing
    estimated_months: int = 0
    unknown_months: int = 0         # obliged, unfiled and without any history to estimate from
    month_approved: int = 0         # the index month itself: its obliged enterprises with an approved filing
    month_expected: int = 0
    industrial_emissions: Decimal | None = None  # the emissions behind R (for the industry lever)

    @property
    def coverage(self) -> Decimal | None:
        return Decimal(self.approved) / Decimal(self.expected) if self.expected else None

    @property
    def month_coverage(self) -> Decimal | None:
        return Decimal(self.month_approved) / Decimal(self.month_expected) if self.month_expected else None


def _industrial_r(data: IndexData, rows: list[Month], on: date) -> Decimal | None:
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



def _benchmarked_emissions(data: IndexData, rows: list[Month], on: date) -> Decimal | None:
    """Σ emissions of the months that count in R (those with benchmarked output)."""
    total = sum((r.bench_emissions for r in rows
                 if any(data.benchmark(code, on) is not None for code in r.bench_output)), ZERO)
    return total or None


def _base_r(data: IndexData, y0: int) -> Decimal | None:
    """The base-year R from the approved filings of y0 (when the settings give none), once per load."""
    cache = data.__dict__.setdefault("_base_r", {})
    if y0 not in cache:
        last = date(y0, 12, 1)
        cache[y0] = _industrial_r(data, base_year_months(data, y0), last)
    return cache[y0]


def _inputs(data: IndexData, settings: Settings, year: int, month: int) -> MonthInputs:
    start, end = window(year, month)
    periods = [date(*add_months(year, month, -k), 1) for k in range(12)]
    rows = [data.months[p] for p in periods if p in data.months]
    scope1 = sum((r.scope1 for r in rows), ZERO)
    scope2 = sum((r.scope2 for r in rows), ZERO)
    approved = sum(r.owed_filings for r in rows)
    expected = sum(data.owing(p) for p in periods)
    estimated = [data.estimated(p) for p in periods]
    estimated_tco2 = sum((e.tco2 for e in estimated), ZERO)

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
        scope1_tco2_r12=scope1 + estimated_tco2, non_filing_tco2_r12=non_filing, net_import_mwh_r12=imported_mwh,
        grid_factor_tco2_per_mwh=grid, gdp_r12=gdp, non_fossil_share=share, non_fossil_base_share=base_share,
        industrial_r=industrial_r, industrial_base_r=base_r,
        transport_buildings_tco2_r12=transport_buildings, transport_buildings_base_tco2=base_tb,
        sinks_tco2=data.sinks_in(year), sinks_base_tco2=k0)
    this_month = data.months.get(end)
    return MonthInputs(year, month, start, end, inputs, scope1, scope2, approved, expected, used,
                       any(y != from_year for y, from_year, _ in used), grid,
                       imported_mwh * grid if imported_mwh is not None and grid is not None else None,
                       estimated_tco2, sum(e.months for e in estimated), sum(e.unknown for e in estimated),
                       this_month.owed_filings if this_month else 0, data.owing(end),
                       _benchmarked_emissions(data, rows, end))


def month_inputs(year: int, month: int, data: IndexData | None = None) -> MonthInputs:
    """`data`: a load covering the month's window, shared with other readers of the month (else one of its own)."""
    data = data if data is not None else IndexData(*window(year, month))
    return _inputs(data, settings_in_force(year, month), year, month)


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

    @property
    def methodology(self) -> int:
        return self.settings.methodology

    @property
    def estimated_tco2(self) -> Decimal:
        return self.inputs.estimated_tco2

    @property
    def estimated_share(self) -> Decimal | None:
        """The estimated part of the city's gross emissions X (of approved plus estimated scope 1 without X)."""
        whole = self.result.gross_tco2 if self.result and self.result.gross_tco2 else self.inputs.inputs.scope1_tco2_r12
        return self.inputs.estimated_tco2 / whole if whole else None


def _index(data: IndexData, year: int, month: int, previous_dci=None, with_alerts=True) -> MonthIndex:
    settings = data.settings(year, month)
    inputs = _inputs(data, settings, year, month)
    result = None
    if settings.path is not None:
        result = formula.compute_index(settings.path, inputs.inputs, formula.index_time(year, month),
                                       **settings.formula_options)
    found = formula.alerts(result.scores, result.dci, previous_dci) if result and with_alerts else []
    provisional = formula.provisional(inputs.approved, inputs.expected, inputs.month_approved, inputs.month_expected)
    return MonthIndex(year, month, settings, inputs, result, provisional, found, previous_dci)


def city_index(year: int, month: int, data: IndexData | None = None) -> MonthIndex:
    """The DCI of the month, with the alerts (the previous month's DCI for the drop alert)."""
    py, pm = add_months(year, month, -1)
    data = data or IndexData(window(py, pm)[0], date(year, month, 1))
    previous = _index(data, py, pm, with_alerts=False)
    return _index(data, year, month, previous.dci)


def trend(last_n_months: int, year: int, month: int, data: IndexData | None = None) -> list[MonthIndex]:
    """The index of each of the last n months ending with (year, month), oldest first, from one load."""
    first = add_months(year, month, -(last_n_months - 1))
    data = data or IndexData(window(*first)[0], date(year, month, 1))
    out, previous = [], None
    for k in range(last_n_months):
        y, m = add_months(*first, k)
        point = _index(data, y, m, previous)
        out.append(point)
        previous = point.dci
    return out


def levers(point: MonthIndex) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """The lever table of the month: the DCI after and its change for 100,000 t less of each sector's emissions
    and 100,000 t/yr more sinks, by re-evaluating the formula with the month's settings ([] without a DCI)."""
    if point.result is None or point.dci is None:
        return []
    return formula.lever_table(point.settings.path, point.inputs.inputs, point.result.t,
                               point.inputs.industrial_emissions, **point.settings.formula_options)
