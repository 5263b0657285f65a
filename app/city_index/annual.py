"""The city's figures for the months of a calendar year that have ended (the annual report): January to `last`,
summed as the city's gross emissions X count them, so that each table adds up to X.

- approved scope 1 of the months, by sector, GB/T 4754 division and district (the load's cells);
- the estimates of obliged enterprise-months without an approved filing (each under its enterprise's own sector,
  division and district; the same rule as the index, `estimates.estimate`);
- for sectors, the regulator's figures for the months (a quarter's own figure for its months, else the year's
  twelfths, as `IndexData.prorated` counts them) and net imported electricity × the grid factor as its own row.

For a complete year (`last` = 12) every figure equals the R12 of December, which is what the index counts for it.
`enterprises()` names enterprises: the regulator's report only.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func

from app.extensions import db
from app.filings.models import MonthlyTotal

from . import estimates
from .actor_tables import IMPORTED
from .breakdowns import (
    SECTORS,
    Key,
    Row,
    by_district,
    by_division,
    by_sector,
    directory,
    total_of,
)
from .loading import TWELVE, ZERO, IndexData, _approved
from .settings import as_decimal

STATISTICS = {"transport": "transport_tco2", "buildings": "buildings_tco2", "other": "other_tco2"}


def month_indexes(year: int, last: int) -> list[int]:
    return [year * 12 + m - 1 for m in range(1, last + 1)]


def org_figures(data: IndexData, year: int, last: int) -> dict[int, tuple[Decimal, int, Decimal]]:
    """{enterprise: (approved scope 1, approved months, estimated)} over January to `last`: the approved part in
    one grouped read of the rollup, the estimates from the history the load keeps of the enterprises short of
    approved months (the others have none to estimate)."""
    out: dict[int, list] = defaultdict(lambda: [ZERO, 0, ZERO])
    for org_id, scope1, months in db.session.execute(_approved(
            MonthlyTotal.org_id, func.sum(MonthlyTotal.scope1_tco2e), func.count(MonthlyTotal.id),
            start=date(year, 1, 1), end=date(year, last, 1)).group_by(MonthlyTotal.org_id)):
        out[org_id][0] += as_decimal(scope1) or ZERO
        out[org_id][1] += months
    for index in month_indexes(year, last):
        for org_id in data.obligations.obliged_in(index):
            history = data.history.get(org_id, {})
            if index not in history:
                value = estimates.estimate(history, index)
                if value is not None:
                    out[org_id][2] += value
    return {k: tuple(v) for k, v in out.items()}


def rows(data: IndexData, year: int, last: int, key: Key, figures: dict | None = None) -> dict[str, Row]:
    """Approved scope 1 and 2 and the estimates of January to `last`, keyed by `key(industry code, district)`."""
    wanted = set(month_indexes(year, last))
    out: dict[str, Row] = {}
    for c in data.cells:
        if c.period.year * 12 + c.period.month - 1 not in wanted:
            continue
        k = key(c.industry_code, c.district)
        if k is None:
            continue
        row = out.setdefault(k, Row(k))
        row.scope1 += c.scope1
        row.scope2 += c.scope2
        row.filings += c.filings
    orgs = directory(data)
    for org_id, (_scope1, _months, estimated) in (figures or org_figures(data, year, last)).items():
        org = orgs.get(org_id)
        k = key(org.industry_code if org else None, org.district if org else None)
        if k is not None and estimated:
            out.setdefault(k, Row(k)).estimated += estimated
    return out


def statistic(data: IndexData, year: int, last: int, attr: str) -> Decimal | None:
    """A flow statistic over January to `last`: a quarter's own figure / 3 for each of its months, else the
    year's (carried forward) / 12; None when a needed figure is missing."""
    annual_months, value = 0, ZERO
    quarters: dict[int, int] = defaultdict(int)
    for m in range(1, last + 1):
        q = (m - 1) // 3 + 1
        found = data.quarterly.get((year, q))
        if found is not None and getattr(found, attr) is not None:
            quarters[q] += 1
        else:
            annual_months += 1
    for q, k in sorted(quarters.items()):
        value += getattr(data.quarterly[(year, q)], attr) * Decimal(k) / 3
    if annual_months:
        stat, _used = data.statistic(year)
        raw = getattr(stat, attr) if stat is not None else None
        if raw is None:
            return None
        value += raw * Decimal(annual_months) / TWELVE
    return value


@dataclass(frozen=True)
class YearFigures:
    year: int
    last: int                      # the last month counted (12: the whole year)
    sectors: list[Row]             # the five sectors, then net imported electricity
    total: Row                     # their sum: X over the months (when `complete`)
    divisions: list[Row]           # largest first; they add up to the filing enterprises' part of X
    districts: list[Row]
    enterprises: dict              # org_figures(...)
    complete: bool                 # every regulator figure is known
    imported_mwh: Decimal | None

    @property
    def filed(self) -> Decimal:
        """The filing enterprises' part of X: approved scope 1 plus their estimates."""
        return sum((r.scope1 + r.estimated for r in self.sectors), ZERO)

    @property
    def estimated(self) -> Decimal:
        return self.total.estimated

    @property
    def estimated_share(self) -> Decimal | None:
        return self.total.estimated / self.total.total if self.total.total else None


def year_figures(data: IndexData, year: int, last: int = 12) -> YearFigures:
    """The figures of January to `last` of `year` from a load covering them (and the estimates' history)."""
    figures = org_figures(data, year, last)
    found = rows(data, year, last, by_sector, figures)
    sectors = {k: found.get(k, Row(k)) for k in SECTORS}
    for key, attr in STATISTICS.items():
        sectors[key].estimate = statistic(data, year, last, attr)
    mwh = statistic(data, year, last, "net_imported_electricity_mwh")
    grid = data.grid_factor(year, last)
    imported = Row(IMPORTED, estimate=mwh * grid if mwh is not None and grid is not None else None)
    ordered = [sectors[k] for k in SECTORS] + [imported]
    complete = all(r.estimate is not None for r in ordered if r.key in (*STATISTICS, IMPORTED))
    by_total = lambda found: sorted(found.values(), key=lambda r: (-r.total, r.key))
    return YearFigures(year, last, ordered, total_of("total", ordered),
                       by_total(rows(data, year, last, by_division, figures)),
                       by_total(rows(data, year, last, by_district, figures)), figures, complete, mwh)
