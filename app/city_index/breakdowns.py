"""The index's tables: R12 emissions by sector, GB/T 4754 industry division and district, summed from the load.

Every table counts what the city's gross emissions X count: approved scope 1, the estimates of obliged
enterprise-months without an approved filing (each enterprise's estimate under its own sector, division and
district, shown apart as estimated) and, for sectors, the regulator's figures. Aggregates only, except
`enterprises_under()` and `directory()`, which name enterprises (authority pages only). The public page's sectors,
with disclosure control, are app.city_index.public's.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext
from sqlalchemy import select

from app.extensions import db
from app.organisations.industries import describe
from app.organisations.models import ENTERPRISE, Organisation

from . import estimates
from .loading import UNSCOPED, ZERO, IndexData, grouped, window_data
from .periods import add_months
from .settings import as_decimal

SECTORS = ("energy", "industry", "transport", "buildings", "other")
# "Industry" the sector (工业) is not "Industry" an enterprise's classification (所属行业): its own context.
# (Imported as `pgettext`, the name pybabel extracts with its context.)
SECTOR_LABELS = {"energy": _l("Energy"), "industry": pgettext("sector", "Industry"), "transport": _l("Transport"),
                 "buildings": _l("Buildings"), "other": _l("Other")}


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


@dataclass
class Row:
    key: str
    scope1: Decimal = ZERO
    scope2: Decimal = ZERO
    filings: int = 0
    estimate: Decimal | None = None  # the regulator's figure (transport, buildings, other; imported electricity)
    withheld: bool = False  # public page: the filed figures would reveal one enterprise (disclosure control)
    estimated: Decimal = ZERO       # estimates of obliged enterprise-months without an approved filing
    output_value: Decimal = ZERO    # Σ output value (10⁴ CNY) of the approved filings that gave one
    output_scope1: Decimal = ZERO   # Σ scope 1 of those filings (an intensity's numerator)

    @property
    def total(self) -> Decimal:
        return self.scope1 + self.estimated + (self.estimate or ZERO)


def total_of(key: str, rows) -> Row:
    """The rows added up, as one row named `key` (a table's total line)."""
    total = Row(key, estimate=ZERO)
    for r in rows:
        total.scope1 += r.scope1
        total.scope2 += r.scope2
        total.filings += r.filings
        total.estimated += r.estimated
        total.estimate += r.estimate or ZERO
        total.output_value += r.output_value
        total.output_scope1 += r.output_scope1
    return total


@dataclass(frozen=True)
class Enterprise:
    id: int
    name: str
    name_en: str | None
    industry_code: str | None
    district: str | None


def directory(data: IndexData) -> dict[int, Enterprise]:
    """Every enterprise's name, industry and district, once per load (one query): to place each estimate."""
    cache = data.__dict__.setdefault("_directory", {})
    if not cache:
        for row in db.session.execute(select(Organisation.id, Organisation.name, Organisation.name_en,
                                             Organisation.industry_code, Organisation.district)
                                      .where(Organisation.kind == ENTERPRISE).execution_options(**UNSCOPED)):
            cache[row[0]] = Enterprise(*row)
    return cache


def _index(year: int, month: int) -> int:
    return year * 12 + month - 1


def org_estimates(data: IndexData, year: int, month: int) -> dict[int, Decimal]:
    """{enterprise: Σ estimates over the R12 window ending with the month}: the enterprise-months its obligation
    covers without an approved filing, by the same rule as `IndexData.estimated` (so they add up to it)."""
    cache = data.__dict__.setdefault("_org_estimates", {})
    if (year, month) not in cache:
        out: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for k in range(12):
            index = _index(*add_months(year, month, -k))
            for org_id in data.obligations.obliged_in(index):
                history = data.history.get(org_id, {})
                if index not in history:
                    value = estimates.estimate(history, index)
                    if value is not None:
                        out[org_id] += value
        cache[(year, month)] = dict(out)
    return cache[(year, month)]


def org_approved(data: IndexData, year: int, month: int) -> dict[int, tuple[Decimal, int]]:
    """{enterprise: (Σ approved scope 1, approved months)} over the R12 window ending with the month (one grouped
    read of the rollup per window: the load keeps the history only of enterprises with gaps)."""
    cache = data.__dict__.setdefault("_org_approved", {})
    if (year, month) not in cache:
        cache[(year, month)] = {org_id: (as_decimal(s1) or ZERO, n)
                                for org_id, s1, _s2, n in grouped(year, month, Organisation.id)}
    return cache[(year, month)]


Key = Callable[[str | None, str | None], str | None]  # (industry code, district) -> row key, None: not counted


def summed(data: IndexData, year: int, month: int, key: Key) -> dict[str, Row]:
    """Rows of the R12 window ending with the month: the approved cells and each enterprise's estimate, keyed by
    `key(industry code, district)`."""
    rows: dict[str, Row] = {}
    for c in data.cells_in(year, month):
        k = key(c.industry_code, c.district)
        if k is None:
            continue
        row = rows.setdefault(k, Row(k))
        row.scope1 += c.scope1
        row.scope2 += c.scope2
        row.filings += c.filings
        row.output_value += c.output_value
        row.output_scope1 += c.output_scope1
    orgs = directory(data)
    for org_id, value in org_estimates(data, year, month).items():
        org = orgs.get(org_id)
        k = key(org.industry_code if org else None, org.district if org else None)
        if k is not None:
            rows.setdefault(k, Row(k)).estimated += value
    return rows


def by_sector(code, _district):
    return sector_of(code)


def by_division(code, _district):
    return (code or "")[:3] or "-"


def by_district(_code, district):
    return district or "-"


def imported_tco2(data: IndexData, year: int, month: int) -> Decimal | None:
    """Net imported electricity × the grid factor over the R12 window (as X counts it)."""
    mwh, _ = data.prorated(year, month, "net_imported_electricity_mwh")
    grid = data.grid_factor(year, month)
    return mwh * grid if mwh is not None and grid is not None else None


def sector_totals(year: int, month: int, data: IndexData | None = None) -> dict:
    """R12 emissions by sector (approved scope 1 + the enterprises' estimates + the regulator's estimates), with
    net imported electricity and sinks apart. Aggregates only: safe for the public page."""
    data = window_data(year, month, data)
    found = summed(data, year, month, by_sector)
    rows = {key: found.get(key, Row(key)) for key in SECTORS}
    for key, attr in (("transport", "transport_tco2"), ("buildings", "buildings_tco2"), ("other", "other_tco2")):
        rows[key].estimate = data.prorated(year, month, attr)[0]
    return {"sectors": [rows[k] for k in SECTORS], "sinks": data.sinks_in(year),
            "imported": imported_tco2(data, year, month)}


def division_totals(year: int, month: int, sector: str | None = None, data: IndexData | None = None) -> list[tuple]:
    """(division code, Industry or None, Row) by GB/T 4754 division, largest first."""
    data = window_data(year, month, data)
    rows = summed(data, year, month, lambda code, d: by_division(code, d)
                  if not sector or sector_of(code) == sector else None)
    return [(k, describe(k) if k != "-" else None, r) for k, r in sorted(rows.items(), key=lambda kv: -kv[1].total)]


def district_totals(year: int, month: int, data: IndexData | None = None) -> list[Row]:
    rows = summed(window_data(year, month, data), year, month, by_district)
    return sorted(rows.values(), key=lambda r: -r.total)


def enterprises_under(year: int, month: int, code: str) -> list[tuple]:
    """(org id, name, name_en, industry code, Row) of the enterprises under a division: authority pages only."""
    out = []
    for org_id, name, name_en, industry, s1, s2, n in grouped(
            year, month, Organisation.id, Organisation.name, Organisation.name_en, Organisation.industry_code):
        if (industry or "").upper().startswith(code.upper()):
            out.append((org_id, name, name_en, industry, Row(str(org_id), as_decimal(s1) or ZERO, as_decimal(s2) or ZERO, n)))
    return sorted(out, key=lambda r: -r[4].scope1)

