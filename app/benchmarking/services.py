"""Peer benchmarks: how an enterprise's carbon intensity compares with its industry, from approved data only.

Three metrics, each tCO2e (the calculation's total) over a denominator:
  "product": per unit of the main product (the product marked main, else the first; `Footprint.main_product`),
             comparable only between enterprises whose main products share name and unit;
  "value":   per 10^4 CNY of industrial output value (`Filing.output_value_10k_cny`);
  "energy":  per tce of energy (`Calculation.energy_tce`).

A month counts when its approved effective filing (the latest approved revision, as in
`footprint.services.effective_filings`) has a current calculation and a positive denominator. A year value is
Σ tCO2e / Σ denominator over those months and needs at least MIN_MONTHS of them; a month value is that month's ratio.

The peer group is the enterprise's GB/T 4754 industry at the most specific level (class, then group, then
division) at which at least `peer_min_group` enterprises (itself included) have a year value; the monthly
medians of the trend use the same level. `stats.summarise` applies the disclosure rules.

Reading other enterprises' data is the one deliberate exception to the tenancy gate: the loaders below run
unscoped (`unscoped(...)`) and only ever return their rows to functions of this module. What an enterprise
user receives (`Benchmark`) holds its own figures and published aggregates, never a peer's name, id or value.
The authority's ranking (`industry_ranking`) names every enterprise: the regulator reads all tenants anyway.
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
from app.organisations.industries import Industry, describe, normalise
from app.organisations.models import ENTERPRISE, Organisation
from app.settings.services import get_setting
from app.tenancy import unscoped

from . import stats

MIN_MONTHS = 6
METRICS = ("product", "value", "energy")
UNSCOPED = unscoped("peer statistics: aggregates only, inside this module (see the docstring)")


# ----------------------------------------------------------------------------------------- what leaves here

@dataclass(frozen=True)
class ProductLabel:
    name: str
    name_en: str | None
    unit: str


@dataclass(frozen=True)
class TrendPoint:
    period: date
    own: Decimal | None  # the enterprise's own month value
    median: Decimal | None  # the group's published median, None when that month is not shown
    status: str  # stats.OK, TOO_FEW or DOMINATED


@dataclass(frozen=True)
class MetricBenchmark:
    metric: str
    own_value: Decimal | None
    own_months: int  # approved months with this metric's denominator
    product: ProductLabel | None  # "product" metric: the enterprise's main product
    level: Industry | None  # the peer group's industry, None when no level has enough peers
    level_code: str | None
    stats: stats.PeerStats
    trend: tuple[TrendPoint, ...]

    @property
    def quarter(self) -> int | None:
        return stats.quarter(self.own_value, self.stats)


@dataclass(frozen=True)
class Benchmark:
    """An enterprise's page: its own figures and published peer aggregates only."""

    year: int
    industry_code: str | None
    rules: stats.Rules
    metrics: tuple[MetricBenchmark, ...]
    min_months: int = MIN_MONTHS


@dataclass(frozen=True)
class RankedRow:
    org_id: int
    name: str
    name_en: str | None
    industry_code: str
    value: Decimal
    months: int
    tco2e: Decimal
    band: str | None  # "leader" (at or below Q1), "laggard" (at or above Q3) or None


@dataclass(frozen=True)
class Ranking:
    metric: str
    product: ProductLabel | None
    rows: tuple[RankedRow, ...]  # best first
    q1: Decimal | None
    median: Decimal | None
    q3: Decimal | None


@dataclass(frozen=True)
class Unranked:
    org_id: int
    name: str
    name_en: str | None
    industry_code: str
    months: int  # approved months in the year


@dataclass(frozen=True)
class IndustryBenchmark:
    code: str
    industry: Industry | None
    year: int
    rankings: tuple[Ranking, ...]
    unranked: tuple[Unranked, ...]
    enterprises: int
    min_months: int = MIN_MONTHS


# --------------------------------------------------------------------------------------------- loading

@dataclass(frozen=True)
class _Month:
    tco2e: Decimal | None
    output_value: Decimal | None
    energy_tce: Decimal | None
    product_quantity: Decimal | None


@dataclass
class _Org:
    id: int
    code: str
    product: ProductLabel | None = None
    product_id: int | None = None
    months: dict[date, _Month] = field(default_factory=dict)

    @property
    def product_key(self) -> tuple[str, str] | None:
        return _product_key(self.product)


def _product_key(product: ProductLabel | None) -> tuple[str, str] | None:
    return (product.name.strip().casefold(), product.unit.strip().casefold()) if product else None


def _enterprises_under(code: str):
    return and_(Organisation.kind == ENTERPRISE, Organisation.industry_code.startswith(code))


def _load(code: str, year: int) -> dict[int, _Org]:
    """Every enterprise under industry `code` with its approved effective months of `year`, in four queries."""
    in_industry = _enterprises_under(code)
    orgs = {oid: _Org(oid, industry_code) for oid, industry_code in db.session.execute(
        select(Organisation.id, Organisation.industry_code).where(in_industry).execution_options(**UNSCOPED))}
    if not orgs:
        return orgs
    in_year = and_(Filing.status == APPROVED, Filing.period >= date(year, 1, 1), Filing.period <= date(year, 12, 1))

    for org_id, product_id, name, name_en, unit in db.session.execute(
            select(Product.org_id, Product.id, Product.name, Product.name_en, Product.unit)
            .join(Organisation, Organisation.id == Product.org_id).where(in_industry)
            .order_by(Product.org_id, Product.is_main.desc(), Product.id).execution_options(**UNSCOPED)):
        org = orgs[org_id]
        if org.product_id is None:  # the main one, else the first: as Footprint.main_product
            org.product_id, org.product = product_id, ProductLabel(name, name_en, unit)

    # The latest approved revision of each month counts (as effective_filings): ordered by revision, last wins.
    chosen: dict[tuple[int, date], tuple] = {}
    for row in db.session.execute(
            select(Filing.id, Filing.org_id, Filing.period, Filing.output_value_10k_cny,
                   Calculation.total_tco2e, Calculation.energy_tce)
            .join(Organisation, Organisation.id == Filing.org_id)
            .outerjoin(Calculation, and_(Calculation.filing_id == Filing.id, Calculation.is_current))
            .where(in_industry, in_year)
            .order_by(Filing.org_id, Filing.period, Filing.revision, Calculation.id).execution_options(**UNSCOPED)):
        chosen[(row.org_id, row.period)] = row

    production: dict[tuple[int, int], Decimal] = {}
    for filing_id, product_id, quantity in db.session.execute(
            select(ProductionLine.filing_id, ProductionLine.product_id, ProductionLine.quantity)
            .join(Filing, Filing.id == ProductionLine.filing_id)
            .join(Organisation, Organisation.id == Filing.org_id)
            .where(in_industry, in_year).execution_options(**UNSCOPED)):
        production[(filing_id, product_id)] = quantity

    for (org_id, period), row in chosen.items():
        org = orgs[org_id]
        org.months[period] = _Month(row.total_tco2e, row.output_value_10k_cny, row.energy_tce,
                                    production.get((row.id, org.product_id)))
    return orgs


# ------------------------------------------------------------------------------------------ computing

def _pair(month: _Month | None, metric: str) -> stats.Member | None:
    if month is None or month.tco2e is None:
        return None
    denominator = {"product": month.product_quantity, "value": month.output_value,
                   "energy": month.energy_tce}[metric]
    return stats.Member(month.tco2e, denominator) if denominator is not None and denominator > 0 else None


def _year_value(org: _Org, metric: str) -> tuple[stats.Member | None, int]:
    """The year's member (Σ tCO2e, Σ denominator) when at least MIN_MONTHS months count, and the count."""
    pairs = [p for p in (_pair(m, metric) for m in org.months.values()) if p is not None]
    if len(pairs) < MIN_MONTHS:
        return None, len(pairs)
    return stats.Member(sum((p.tco2e for p in pairs), Decimal(0)),
                        sum((p.denominator for p in pairs), Decimal(0))), len(pairs)


def _industry(code: str) -> Industry | None:
    """The table's entry for exactly this code (a group or class missing from the table has no name here)."""
    found = describe(code)
    return found if found and found.code == code else None


def _levels(code: str) -> list[str]:
    """Class, group, division: the levels of `code`, most specific first."""
    code = normalise(code)
    return [code[:n] for n in (5, 4, 3) if len(code) >= n]


def _candidates(orgs: dict[int, _Org], level: str, metric: str, product_key) -> list[_Org]:
    return [o for o in orgs.values()
            if o.code and o.code.startswith(level) and (metric != "product" or o.product_key == product_key)]


def rules() -> stats.Rules:
    return stats.Rules(min_group=get_setting("peer_min_group"),
                       min_contributors=get_setting("peer_min_contributors"),
                       dominance_percent=get_setting("peer_dominance_percent"))


def benchmark(org: Organisation, year: int) -> Benchmark:
    """The peer benchmark of enterprise `org` for `year`: its own values and the published group statistics."""
    rule_set = rules()
    if not org.industry_code:
        return Benchmark(year, None, rule_set, tuple(
            MetricBenchmark(m, None, 0, None, None, None, stats.PeerStats(stats.TOO_FEW), ()) for m in METRICS))
    orgs = _load(normalise(org.industry_code)[:3], year)
    me = orgs.get(org.id) or _Org(org.id, org.industry_code)
    return Benchmark(year, org.industry_code, rule_set,
                     tuple(_metric(me, orgs, metric, year, rule_set) for metric in METRICS))


def _metric(me: _Org, orgs: dict[int, _Org], metric: str, year: int, rule_set: stats.Rules) -> MetricBenchmark:
    own, own_months = _year_value(me, metric)
    product_key = me.product_key
    level, peers = None, []
    if metric != "product" or product_key is not None:
        for candidate in _levels(me.code):
            values = {o.id: _year_value(o, metric)[0] for o in _candidates(orgs, candidate, metric, product_key)}
            if sum(1 for v in values.values() if v is not None) >= rule_set.smallest_group:
                level = candidate
                peers = [v for org_id, v in values.items() if v is not None and org_id != me.id]
                break
    summary = stats.publish(stats.summarise(peers, own, rule_set)) if level else stats.PeerStats(stats.TOO_FEW)

    trend = []
    group = _candidates(orgs, level, metric, product_key) if level else []
    for month in range(1, 13):
        period = date(year, month, 1)
        own_month = _pair(me.months.get(period), metric)
        month_peers = [p for p in (_pair(o.months.get(period), metric) for o in group if o.id != me.id) if p]
        month_stats = stats.summarise(month_peers, own_month, rule_set) if level else stats.PeerStats(stats.TOO_FEW)
        trend.append(TrendPoint(period, own_month.value if own_month else None,
                                stats.round_significant(month_stats.median), month_stats.status))
    return MetricBenchmark(metric, own.value if own else None, own_months,
                           me.product if metric == "product" else None,
                           _industry(level) if level else None, level, summary, tuple(trend))


# ------------------------------------------------------------------------------------ the authority's view

def industry_ranking(code: str, year: int) -> IndustryBenchmark:
    """Every enterprise under industry `code` ranked by each metric, with names: for authority users only."""
    code = normalise(code)
    orgs = _load(code, year)
    names = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(orgs)))} \
        if orgs else {}
    rankings = []
    for metric in METRICS:
        groups: dict = defaultdict(list)  # product key (None for the other metrics) -> rows
        labels: dict = {}
        for org in orgs.values():
            member, months = _year_value(org, metric)
            if member is None or org.id not in names:
                continue
            key = org.product_key if metric == "product" else None
            labels.setdefault(key, org.product if metric == "product" else None)
            groups[key].append((org, member, months))
        for key in sorted(groups, key=lambda k: (-len(groups[k]), k or ())):
            rows = sorted(groups[key], key=lambda r: (r[1].value, names[r[0].id].name))
            values = [m.value for _, m, _ in rows]
            # Quartile bands say something only with a few enterprises to compare.
            q1, median, q3 = stats.quartiles(values) if len(values) >= 4 else (None, None, None)
            rankings.append(Ranking(metric, labels[key], tuple(
                RankedRow(org.id, names[org.id].name, names[org.id].name_en, org.code, member.value, months,
                          member.tco2e, _band(member.value, q1, q3))
                for org, member, months in rows), q1, median, q3))
    unranked = tuple(sorted(
        (Unranked(o.id, names[o.id].name, names[o.id].name_en, o.code, len(o.months))
         for o in orgs.values() if o.id in names and all(_year_value(o, m)[0] is None for m in METRICS)),
        key=lambda u: (-u.months, u.name)))
    return IndustryBenchmark(code, _industry(code), year, tuple(rankings), unranked, len(names))


def _band(value: Decimal, q1: Decimal | None, q3: Decimal | None) -> str | None:
    if q1 is None:
        return None
    if value <= q1:
        return "leader"
    return "laggard" if value >= q3 else None


def industries_with_enterprises() -> list[tuple[Industry, int]]:
    """Divisions that have enterprises, with how many (for the authority's chooser)."""
    counts: dict[str, int] = defaultdict(int)
    division = func.substr(Organisation.industry_code, 1, 3)  # one expression: PostgreSQL matches GROUP BY by it
    for code, n in db.session.execute(
            select(division, func.count(Organisation.id))
            .where(Organisation.kind == ENTERPRISE, Organisation.industry_code.is_not(None))
            .group_by(division)):
        counts[code] += n
    return [(industry, counts[code]) for code in sorted(counts) if (industry := _industry(code))]


def latest_year(code: str) -> int | None:
    """The latest year with an approved filing of an enterprise under `code`."""
    period = db.session.scalar(
        select(func.max(Filing.period)).join(Organisation, Organisation.id == Filing.org_id)
        .where(_enterprises_under(normalise(code)), Filing.status == APPROVED))
    return period.year if period else None
