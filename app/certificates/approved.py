"""The approved numbers of an enterprise over a run of months: what certificates and reports are made from.

Only the effective approved revision of each month counts (an approved amendment replaces the revision it
amends); its stored current calculation is used as is, never recomputed.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.filings.models import APPROVED, Calculation, CalculationLine, Filing

ZERO = Decimal(0)
TOTALS = {"total": "total_tco2e", "scope1": "scope1_tco2e", "scope2": "scope2_tco2e", "scope3": "scope3_tco2e",
          "exported": "exported_tco2e", "energy_tce": "energy_tce"}


def months_between(start: date, end: date) -> list[date]:
    """First days of the months from start to end, both included."""
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(first, last + 1)]


@dataclass
class SourceTotal:
    name: str
    scope: str
    category: str
    tco2e: Decimal = ZERO


@dataclass
class Approved:
    """The approved months of one enterprise in [start, end]."""

    start: date
    end: date
    filings: dict[date, Filing]  # period -> the effective approved revision
    totals: dict = field(default_factory=dict)  # TOTALS keys -> Decimal
    by_month: dict = field(default_factory=dict)  # period -> {TOTALS keys -> Decimal, "output_value": ...}
    sources: list[SourceTotal] = field(default_factory=list)  # largest first
    factor_versions: list[str] = field(default_factory=list)
    gwp_sets: list[str] = field(default_factory=list)
    grid_series: list[str] = field(default_factory=list)
    output_value: Decimal | None = None  # 10^4 CNY over the approved months that state it
    substituted_tco2e: Decimal = ZERO  # of the total, the tonnes resting on substituted values (each month's share)

    @property
    def substituted_share(self) -> Decimal:
        """The share (0–1) of the period's total resting on substituted values."""
        total = self.totals.get("total") or ZERO
        return min(Decimal(1), self.substituted_tco2e / total) if total > 0 else ZERO

    @property
    def missing(self) -> list[date]:
        return [m for m in months_between(self.start, self.end) if m not in self.filings]

    @property
    def complete(self) -> bool:
        return not self.missing


def _factor_label(f: dict) -> str:
    parts = [f["kind"], f["code"], *(str(f[k]) for k in ("series", "data_year") if f.get(k))]
    return f"{'/'.join(parts)} v{f['version']}"


def approved(org_id: int, start: date, end: date) -> Approved:
    rows = db.session.scalars(
        select(Filing).where(Filing.org_id == org_id, Filing.period >= start, Filing.period <= end,
                             Filing.status == APPROVED)
        .options(selectinload(Filing.calculations).selectinload(Calculation.lines)
                 .selectinload(CalculationLine.source))
        .order_by(Filing.period, Filing.revision)).all()
    filings = {}
    for filing in rows:  # by revision: the latest approved one wins
        if filing.current_calculation is not None:
            filings[filing.period] = filing
    result = Approved(start, end, filings, totals={k: ZERO for k in TOTALS})
    sources: dict[int, SourceTotal] = {}
    factors, gwp, grid = set(), set(), set()
    outputs = []
    for period, filing in sorted(filings.items()):
        calc = filing.current_calculation
        month = {k: getattr(calc, attr) for k, attr in TOTALS.items()}
        month["output_value"] = filing.output_value_10k_cny
        result.by_month[period] = month
        for k in TOTALS:
            result.totals[k] += month[k]
        if calc.substituted_share and calc.total_tco2e:
            result.substituted_tco2e += calc.substituted_share * calc.total_tco2e
        if filing.output_value_10k_cny is not None:
            outputs.append(filing.output_value_10k_cny)
        gwp.add(calc.settings.get("gwp_set"))
        grid.add(calc.settings.get("grid_series"))
        for line in calc.lines:
            row = sources.setdefault(line.source_id, SourceTotal(line.source.name, line.scope, line.category))
            row.tco2e += line.co2e_t
            factors.update(_factor_label(f) for f in (line.trace or {}).get("factors", []))
    result.sources = sorted(sources.values(), key=lambda s: (-s.tco2e, s.name))
    result.factor_versions = sorted(factors)
    result.gwp_sets = sorted(x for x in gwp if x)
    result.grid_series = sorted(x for x in grid if x)
    result.output_value = sum(outputs, ZERO) if outputs else None
    return result


def by_scope(sources: list[SourceTotal]) -> dict[str, Decimal]:
    out = defaultdict(lambda: ZERO)
    for s in sources:
        out[s.scope] += s.tco2e
    return dict(out)
