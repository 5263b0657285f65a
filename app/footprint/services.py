"""The carbon footprint of one enterprise and year, from the stored calculations of its filings.

The totals, breakdowns and intensities count APPROVED months only: each month's latest approved revision (an approved month with a
newer amendment under way still counts its approved revision). A month with no approved revision yet, and an amendment not yet
approved, is provisional: listed apart with its own figures and status, never added into the totals. Nothing is recomputed here,
so every figure shown is one that was stored with its factors and can be explained line by line.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from app.accounting.models import EmissionSource, Product
from app.core.types import city_today
from app.extensions import db
from app.filings.models import (
    APPROVED,
    DRAFT,
    RETURNED,
    SUBMITTED,
    Calculation,
    CalculationLine,
    Filing,
)

ZERO = Decimal(0)


@dataclass
class MonthRow:
    period: date
    filing: Filing | None
    calculation: Calculation | None
    production: dict = field(default_factory=dict)  # product id -> quantity
    amends_approved: bool = False  # a provisional row: a newer revision of a month whose approved one still counts

    def value(self, attr: str) -> Decimal | None:
        return getattr(self.calculation, attr) if self.calculation else None


@dataclass
class SourceRow:
    source: EmissionSource
    scope: str
    co2e: Decimal = ZERO
    months: dict = field(default_factory=dict)  # period -> co2e


@dataclass
class MonthCounts:
    """How the months of the year stand; only months up to the current one can be missing."""
    approved: int = 0
    submitted: int = 0
    draft: int = 0  # drafts and returned months: back with the enterprise
    not_filed: int = 0
    due: int = 12  # the months of the year up to the current month


@dataclass
class Footprint:
    """`months` (one row a month) carry the approved revision only; `provisional` lists what is not approved yet."""
    year: int
    months: list[MonthRow]
    sources: list[SourceRow]
    products: list[Product]
    totals: dict  # scope1, scope2, scope2_market, scope3, exported, total, energy_tce
    facilities: list[tuple]  # (facility, co2e)
    output_value: Decimal | None
    provisional: list[MonthRow] = field(default_factory=list)
    counts: MonthCounts = field(default_factory=MonthCounts)
    pending: dict = field(default_factory=dict)  # period -> the provisional row of a month (shown beside it)

    @property
    def approved_months(self) -> int:
        return self.counts.approved

    def intensity(self, per: str, product: Product | None = None) -> Decimal | None:
        """tCO2e per 10^4 CNY ("value"), per unit of a product ("product") or per tce ("energy")."""
        total = self.totals["total"]
        if per == "value":
            denominator = self.output_value
        elif per == "energy":
            denominator = self.totals["energy_tce"]
        else:
            denominator = sum((m.production.get(product.id, ZERO) for m in self.months), ZERO)
        return total / denominator if denominator else None

    def month_intensity(self, month: MonthRow, per: str, product: Product | None = None) -> Decimal | None:
        total = month.value("total_tco2e")
        if total is None:
            return None
        if per == "value":
            denominator = month.filing.output_value_10k_cny
        elif per == "energy":
            denominator = month.value("energy_tce")
        else:
            denominator = month.production.get(product.id)
        return total / denominator if denominator else None

    @property
    def main_product(self) -> Product | None:
        return next((p for p in self.products if p.is_main), self.products[0] if self.products else None)


TOTAL_FIELDS = {"scope1": "scope1_tco2e", "scope2": "scope2_tco2e", "scope2_market": "scope2_market_tco2e",
                "scope3": "scope3_tco2e", "exported": "exported_tco2e", "total": "total_tco2e",
                "energy_tce": "energy_tce"}


def _row(period: date, filing: Filing | None, amends_approved: bool = False) -> MonthRow:
    calculation = filing.current_calculation if filing else None
    production = {line.product_id: line.quantity for line in filing.production} if filing else {}
    return MonthRow(period, filing, calculation, production, amends_approved)


def months_due(year: int, today: date | None = None) -> int:
    """How many months of `year` have begun by `today` (the city's date): 12 for a past year, 0 for a future one."""
    today = today or city_today()
    if year < today.year:
        return 12
    return today.month if year == today.year else 0


def footprint(org_id: int, year: int, today: date | None = None) -> Footprint:
    """The approved footprint of the year, with the provisional months beside it (`today` decides which months are due)."""
    revisions = _latest_revisions_of([org_id], year).get(org_id, {})
    months, provisional = [], []
    counts = MonthCounts(due=months_due(year, today))
    for m in range(1, 13):
        period = date(year, m, 1)
        approved, latest = revisions.get(period, (None, None))
        months.append(_row(period, approved))
        if latest is not None and latest is not approved:
            provisional.append(_row(period, latest, amends_approved=approved is not None))
        status = approved.status if approved else latest.status if latest else None
        if status == APPROVED:
            counts.approved += 1
        elif status == SUBMITTED:
            counts.submitted += 1
        elif status in (DRAFT, RETURNED):
            counts.draft += 1
        elif m <= counts.due:
            counts.not_filed += 1

    totals = {key: ZERO for key in TOTAL_FIELDS}
    market_known = False
    for month in months:
        if not month.calculation:
            continue
        for key, attr in TOTAL_FIELDS.items():
            value = getattr(month.calculation, attr)
            if value is not None:
                totals[key] += value
                market_known |= key == "scope2_market"
    if not market_known:
        totals["scope2_market"] = None

    calculation_ids = [m.calculation.id for m in months if m.calculation]
    lines = db.session.scalars(
        select(CalculationLine).where(CalculationLine.calculation_id.in_(calculation_ids))
        .options(selectinload(CalculationLine.source).selectinload(EmissionSource.facility),
                 selectinload(CalculationLine.calculation).selectinload(Calculation.filing))).all() \
        if calculation_ids else []
    sources: dict[int, SourceRow] = {}
    facilities = defaultdict(lambda: ZERO)
    for line in lines:
        row = sources.setdefault(line.source_id, SourceRow(line.source, line.scope))
        signed = -line.co2e_t if line.scope == "export" else line.co2e_t
        row.co2e += line.co2e_t
        row.months[line.calculation.filing.period] = line.co2e_t
        if line.scope in ("1", "2", "export"):
            facilities[line.source.facility] += signed
    products = db.session.scalars(select(Product).where(Product.org_id == org_id)
                                  .order_by(Product.is_main.desc(), Product.id)).all()
    output_values = [m.filing.output_value_10k_cny for m in months
                     if m.calculation and m.filing.output_value_10k_cny is not None]
    return Footprint(
        year=year, months=months, products=products, totals=totals,
        sources=sorted(sources.values(), key=lambda r: (r.scope, -r.co2e)),
        facilities=sorted(facilities.items(), key=lambda kv: -kv[1]),
        output_value=sum(output_values, ZERO) if output_values else None,
        provisional=provisional, counts=counts, pending={row.period: row for row in provisional})


def effective_filings(org_id: int, year: int) -> dict[date, Filing]:
    """The revision that counts for each month: the latest approved one, else the latest. The org_id says which enterprise is asked
    about (a regulator may look at any); the tenancy gate still decides what may be seen."""
    return effective_filings_of([org_id], year).get(org_id, {})


def _filings_of(org_ids: list[int], year: int) -> list[Filing]:
    """Every revision of the year's months, ordered by enterprise, month and revision."""
    return db.session.scalars(
        select(Filing).where(Filing.org_id.in_(org_ids), Filing.period >= date(year, 1, 1),
                             Filing.period <= date(year, 12, 1))
        .options(selectinload(Filing.calculations), selectinload(Filing.production))
        .order_by(Filing.org_id, Filing.period, Filing.revision)).all() if org_ids else []


def _latest_revisions_of(org_ids: list[int], year: int) -> dict[int, dict[date, tuple[Filing | None, Filing]]]:
    """{org_id: {period: (its latest approved revision or None, its latest revision)}}."""
    out: dict[int, dict[date, tuple[Filing | None, Filing]]] = {}
    for filing in _filings_of(org_ids, year):  # ordered by revision
        months = out.setdefault(filing.org_id, {})
        approved, _latest = months.get(filing.period, (None, None))
        months[filing.period] = (filing if filing.status == APPROVED else approved, filing)
    return out


def effective_filings_of(org_ids: list[int], year: int) -> dict[int, dict[date, Filing]]:
    """`effective_filings` of several enterprises in one query: {org_id: {period: Filing}}."""
    chosen: dict[int, dict[date, Filing]] = {}
    for filing in _filings_of(org_ids, year):  # ordered by revision
        months = chosen.setdefault(filing.org_id, {})
        current = months.get(filing.period)
        # An approved revision counts until an amendment of it is approved in turn.
        if current is None or filing.status == "approved" or current.status != "approved":
            months[filing.period] = filing
    return chosen


def years_with_filings(org_id: int) -> list[int]:
    periods = db.session.scalars(select(Filing.period).where(Filing.org_id == org_id).distinct())
    return sorted({p.year for p in periods}, reverse=True)


# --- verified emissions by month (the compliance position and verification count these) ---------------

@dataclass
class MonthCount:
    period: date
    status: str | None  # the counting revision's status; None when the month has no filing
    verified_t: Decimal | None  # None unless approved

    @property
    def counted(self) -> bool:
        return self.verified_t is not None


def verified_by_month(org_id: int, year: int) -> list[MonthCount]:
    """Scope 1 + scope 2 − exported of covered sources, for approved months only (the revision that counts)."""
    return verified_by_month_of([org_id], year)[org_id]


def _effective_months_of(org_ids: list[int], year: int) -> dict[int, dict[date, tuple[str, int | None]]]:
    """{org_id: {period: (status, current calculation id or None)}} of the revision `effective_filings_of`
    chooses, from plain columns: no Filing, Calculation or production objects for 500 enterprises × 12 months."""
    chosen: dict[int, dict[date, tuple[str, int | None]]] = {}
    if not org_ids:
        return chosen
    current = {}  # filing id -> its current calculation (the last one, as Filing.current_calculation)
    rows = db.session.execute(
        select(Filing.id, Filing.org_id, Filing.period, Filing.status, Calculation.id)
        .outerjoin(Calculation, and_(Calculation.filing_id == Filing.id, Calculation.is_current))
        .where(Filing.org_id.in_(org_ids), Filing.period >= date(year, 1, 1), Filing.period <= date(year, 12, 1))
        .order_by(Filing.org_id, Filing.period, Filing.revision, Calculation.id)).all()
    for filing_id, org_id, period, status, calculation_id in rows:
        current[filing_id] = calculation_id
        months = chosen.setdefault(org_id, {})
        held = months.get(period)
        # The rule of effective_filings_of: an approved revision counts until an amendment of it is approved.
        if held is None or held[0] == filing_id or status == APPROVED or held[1] != APPROVED:
            months[period] = (filing_id, status)
    return {org_id: {period: (status, current[filing_id]) for period, (filing_id, status) in months.items()}
            for org_id, months in chosen.items()}


def verified_by_month_of(org_ids: list[int], year: int) -> dict[int, list[MonthCount]]:
    """`verified_by_month` of several enterprises in two queries of plain columns (the regulator's overview)."""
    chosen = _effective_months_of(org_ids, year)
    approved = {calculation_id: (org_id, period) for org_id, months in chosen.items()
                for period, (status, calculation_id) in months.items()
                if status == APPROVED and calculation_id is not None}
    sums = {key: ZERO for key in approved.values()}
    if approved:
        # The lines of the year's approved calculations, by enterprise rather than by a list of thousands of
        # calculation ids; those of revisions that no longer count are skipped here.
        rows = db.session.execute(
            select(CalculationLine.calculation_id, CalculationLine.scope, CalculationLine.co2e_t)
            .join(Calculation, Calculation.id == CalculationLine.calculation_id)
            .join(Filing, Filing.id == Calculation.filing_id)
            .join(EmissionSource, EmissionSource.id == CalculationLine.source_id)
            .where(Filing.org_id.in_(org_ids), Filing.period >= date(year, 1, 1), Filing.period <= date(year, 12, 1),
                   Filing.status == APPROVED, Calculation.is_current, EmissionSource.covered.is_(True),
                   CalculationLine.scope.in_(("1", "2", "export")))).all()
        for calculation_id, scope, co2e in rows:
            key = approved.get(calculation_id)
            if key is not None:
                sums[key] += -co2e if scope == "export" else co2e
    out = {}
    for org_id in org_ids:
        months = []
        for m in range(1, 13):
            period = date(year, m, 1)
            status, _calculation_id = chosen.get(org_id, {}).get(period, (None, None))
            months.append(MonthCount(period, status, sums.get((org_id, period))))
        out[org_id] = months
    return out
