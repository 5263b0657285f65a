"""Peer benchmarks: how an enterprise's carbon intensity compares, from approved data only, so that the page always
says something.

Three metrics, each tCO2e (the calculation's total) over a denominator:
  "product": per unit of product, in the enterprise's product group (`products`: the national product benchmarks its
             production maps to, e.g. electricity supplied / heat supplied / both, else its main product by name
             and unit); the peers are every enterprise of the city in the same group, whatever its industry code;
  "value":   per 10^4 CNY of industrial output value (`Filing.output_value_10k_cny`);
  "energy":  per tce of energy (`Calculation.energy_tce`).

A month counts when its approved effective filing (the latest approved revision, as in
`footprint.services.effective_filings`) has a current calculation and a positive denominator. A year value is
Σ tCO2e / Σ denominator over those months and needs at least MIN_MONTHS of them; a month value is that month's ratio.

Peer groups need at least `peer_min_group` enterprises (itself included) with a year value:
- per unit of product: the product group, city-wide. When it is smaller (or dominated), the enterprise is compared
  with the national product benchmark of its product (`product_benchmarks`, the reference table), labelled so;
  without a national benchmark the page says so and shows the enterprise's own trend.
- per output value and per energy: the enterprise's GB/T 4754 industry at the most specific level (class, group,
  division, section) with enough members, else every enterprise of the city.
`stats.summarise` applies the disclosure rules.

Reading other enterprises' data is the one deliberate exception to the tenancy gate: the loaders below run
unscoped (`unscoped(...)`) and only ever return their rows to functions of this module. What an enterprise
user receives (`Benchmark`) holds its own figures, published aggregates and the national reference values, never a
peer's name, id or value. The authority's ranking (`industry_ranking`) names every enterprise: the regulator reads
all tenants anyway.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select

from app.accounting.models import Product, ProductBenchmark
from app.extensions import db
from app.filings.models import APPROVED, Calculation, Filing, ProductionLine
from app.organisations.industries import Industry, describe, normalise
from app.organisations.models import ENTERPRISE, Organisation
from app.settings.services import get_setting
from app.tenancy import unscoped

from . import products, stats
from .products import Group, National, ProductRow

MIN_MONTHS = 6
METRICS = ("product", "value", "energy")
UNSCOPED = unscoped("peer statistics: aggregates only, inside this module (see the docstring)")
CITY = ""  # the widest peer level: every enterprise of the city


# ----------------------------------------------------------------------------------------- what leaves here

@dataclass(frozen=True)
class ProductLabel:
    name: str
    name_en: str | None
    unit: str
    products: tuple[str, ...] = ()  # benchmark products (msgids) when the group is by benchmark


@dataclass(frozen=True)
class TrendPoint:
    period: date
    own: Decimal | None  # the enterprise's own month value
    median: Decimal | None  # the group's published median, None when that month is not shown
    status: str  # stats.OK, TOO_FEW or DOMINATED
    national: Decimal | None = None  # the national benchmark for the month's output ("product", when there is one)


@dataclass(frozen=True)
class NationalComparison:
    """The enterprise against the national product benchmark of its reference product."""

    value: Decimal  # tCO2 per unit: its own unit classes' benchmarks weighted by its output
    benchmarks: tuple[National, ...]  # the reference rows it comes from (source, period, status)
    own: Decimal | None  # the enterprise's year value, as in MetricBenchmark

    @property
    def ratio(self) -> Decimal | None:
        """Own value over the benchmark, in percent (100 = at the benchmark, lower is better)."""
        return (self.own * 100 / self.value).quantize(Decimal(1)) if self.own is not None and self.value else None


@dataclass(frozen=True)
class MetricBenchmark:
    metric: str
    own_value: Decimal | None
    own_months: int  # approved months with this metric's denominator
    product: ProductLabel | None  # "product" metric: the reference product of the enterprise's group
    level: Industry | None  # "value"/"energy": the peer group's industry
    level_code: str | None  # its code; CITY ("") for every enterprise of the city; None when too few anywhere
    stats: stats.PeerStats
    trend: tuple[TrendPoint, ...]
    national: NationalComparison | None = None  # "product": the national benchmark, when the table has one
    fallback: bool = False  # peers too few (or dominated): the national benchmark is the comparison

    @property
    def quarter(self) -> int | None:
        return stats.quarter(self.own_value, self.stats)

    @property
    def compared(self) -> bool:
        """The page shows a comparison: published peer statistics or the national benchmark."""
        return self.stats.shown or self.national is not None


@dataclass(frozen=True)
class Benchmark:
    """An enterprise's page: its own figures, published peer aggregates and national benchmarks only."""

    year: int
    industry_code: str | None
    rules: stats.Rules
    metrics: tuple[MetricBenchmark, ...]
    min_months: int = MIN_MONTHS

    def metric(self, name: str) -> MetricBenchmark:
        return next(m for m in self.metrics if m.metric == name)


@dataclass(frozen=True)
class RankedRow:
    org_id: int
    name: str
    name_en: str | None
    industry_code: str
    value: Decimal  # per unit of the group's reference product
    months: int
    tco2e: Decimal  # the reference product's tCO2e (the year's total when the group has one product)
    band: str | None  # "leader" (at or below Q1), "laggard" (at or above Q3) or None
    national: Decimal | None = None  # its national benchmark
    value_intensity: Decimal | None = None  # secondary: tCO2e per 10^4 CNY (the year's value, if it has one)
    energy_intensity: Decimal | None = None  # secondary: tCO2e per tce

    @property
    def ratio(self) -> Decimal | None:
        return (self.value * 100 / self.national).quantize(Decimal(1)) if self.national else None


@dataclass(frozen=True)
class Ranking:
    metric: str  # "product": ranked per unit of the group's product
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
    value_intensity: Decimal | None = None


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
    production: dict  # product id -> quantity


@dataclass
class _Org:
    id: int
    code: str | None
    products: list[ProductRow] = field(default_factory=list)  # the main one first, then by id
    months: dict[date, _Month] = field(default_factory=dict)
    group: Group | None = None


def _enterprises_under(code: str):
    if code == CITY:
        return Organisation.kind == ENTERPRISE
    return and_(Organisation.kind == ENTERPRISE, Organisation.industry_code.startswith(code))


def nationals() -> tuple[dict[str, National], list[str]]:
    """The latest version of every product benchmark by code, and the benchmark products in the table's order."""
    found: dict[str, National] = {}
    order: list[str] = []
    for b in db.session.scalars(select(ProductBenchmark).order_by(ProductBenchmark.id)):
        if b.code not in found or b.version > found[b.code].version:
            found[b.code] = b
        if b.product not in order:
            order.append(b.product)
    return ({code: National(code, b.product, b.unit_class, b.benchmark, b.unit, b.period, b.status, b.source)
             for code, b in found.items()}, order)


def _load(where, year: int, reference=None) -> dict[int, _Org]:
    """Every enterprise matching `where` with its products and approved effective months of `year`, in four
    queries; each gets its product group when `reference` (`nationals()`) is given."""
    where = and_(Organisation.kind == ENTERPRISE, where)
    orgs = {oid: _Org(oid, industry_code) for oid, industry_code in db.session.execute(
        select(Organisation.id, Organisation.industry_code).where(where).execution_options(**UNSCOPED))}
    if not orgs:
        return orgs
    in_year = and_(Filing.status == APPROVED, Filing.period >= date(year, 1, 1), Filing.period <= date(year, 12, 1))

    for product in db.session.execute(
            select(Product.org_id, Product.id, Product.name, Product.name_en, Product.unit, Product.benchmark_code)
            .join(Organisation, Organisation.id == Product.org_id).where(where)
            .order_by(Product.org_id, Product.is_main.desc(), Product.id).execution_options(**UNSCOPED)):
        orgs[product.org_id].products.append(ProductRow(product.id, product.name, product.name_en, product.unit,
                                                        product.benchmark_code))

    # The latest approved revision of each month counts (as effective_filings): ordered by revision, last wins.
    chosen: dict[tuple[int, date], tuple] = {}
    for row in db.session.execute(
            select(Filing.id, Filing.org_id, Filing.period, Filing.output_value_10k_cny,
                   Calculation.total_tco2e, Calculation.energy_tce)
            .join(Organisation, Organisation.id == Filing.org_id)
            .outerjoin(Calculation, and_(Calculation.filing_id == Filing.id, Calculation.is_current))
            .where(where, in_year)
            .order_by(Filing.org_id, Filing.period, Filing.revision, Calculation.id).execution_options(**UNSCOPED)):
        chosen[(row.org_id, row.period)] = row

    production: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for filing_id, product_id, quantity in db.session.execute(
            select(ProductionLine.filing_id, ProductionLine.product_id, ProductionLine.quantity)
            .join(Filing, Filing.id == ProductionLine.filing_id)
            .join(Organisation, Organisation.id == Filing.org_id)
            .where(where, in_year).execution_options(**UNSCOPED)):
        production[filing_id][product_id] = quantity

    for (org_id, period), row in chosen.items():
        orgs[org_id].months[period] = _Month(row.total_tco2e, row.output_value_10k_cny, row.energy_tce,
                                             production.get(row.id, {}))
    if reference is not None:
        for org in orgs.values():
            org.group = products.group_of(org.products, *reference)
    return orgs


def _same_group_where(group: Group, reference) -> object:
    """Enterprises that may share `group`: a product mapped to one of its benchmark products, or a product of the
    same name (each candidate's group is then compared exactly)."""
    by_code, _order = reference
    if group.by_benchmark:
        codes = [code for code, n in by_code.items() if n.product in group.products]
        return Organisation.id.in_(select(Product.org_id).where(Product.benchmark_code.in_(codes)))
    return Organisation.id.in_(select(Product.org_id).where(func.lower(Product.name) == group.name.strip().lower()))


# ------------------------------------------------------------------------------------------ computing

def _pair(org: _Org, month: _Month | None, metric: str) -> stats.Member | None:
    if month is None or month.tco2e is None:
        return None
    if metric == "product":
        found = products.share(org.group, month.tco2e, month.production) if org.group else None
        return found.member if found else None
    denominator = {"value": month.output_value, "energy": month.energy_tce}[metric]
    return stats.Member(month.tco2e, denominator) if denominator is not None and denominator > 0 else None


def _year_value(org: _Org, metric: str) -> tuple[stats.Member | None, int]:
    """The year's member (Σ tCO2e, Σ denominator) when at least MIN_MONTHS months count, and the count."""
    pairs = [p for p in (_pair(org, m, metric) for m in org.months.values()) if p is not None]
    if len(pairs) < MIN_MONTHS:
        return None, len(pairs)
    return stats.Member(sum((p.tco2e for p in pairs), Decimal(0)),
                        sum((p.denominator for p in pairs), Decimal(0))), len(pairs)


def _national(org: _Org, period: date | None = None) -> Decimal | None:
    """The enterprise's national benchmark for its reference product: Σ benchmark × output / Σ output over the
    months that count (or over `period` alone)."""
    if not org.group or not org.group.by_benchmark:
        return None
    bench, output = Decimal(0), Decimal(0)
    for month_period, month in org.months.items():
        if period is not None and month_period != period:
            continue
        found = products.share(org.group, month.tco2e, month.production)
        if found is not None:
            bench += found.benchmark_tco2
            output += found.member.denominator
    return bench / output if output else None


def _industry(code: str) -> Industry | None:
    """The table's entry for exactly this code (a group or class missing from the table has no name here)."""
    found = describe(code)
    return found if found and found.code == code else None


def _levels(code: str | None) -> list[str]:
    """Class, group, division, section, then the whole city: the levels of `code`, most specific first."""
    code = normalise(code or "")
    return [*(code[:n] for n in (5, 4, 3, 1) if len(code) >= n), CITY]


def rules() -> stats.Rules:
    return stats.Rules(min_group=get_setting("peer_min_group"),
                       min_contributors=get_setting("peer_min_contributors"),
                       dominance_percent=get_setting("peer_dominance_percent"))


class _Loader:
    """Loads enterprises by industry prefix on demand (the division first; the section or the city only when a
    narrower level has too few members), each prefix once."""

    def __init__(self, year: int, reference):
        self.year, self.reference, self.loaded = year, reference, {}

    def under(self, prefix: str) -> dict[int, _Org]:
        broadest = min((p for p in self.loaded if prefix.startswith(p)), key=len, default=None)
        if broadest is None:
            self.loaded[prefix] = _load(_enterprises_under(prefix), self.year, self.reference)
            broadest = prefix
        return {i: o for i, o in self.loaded[broadest].items() if (o.code or "").startswith(prefix)}


def benchmark(org: Organisation, year: int) -> Benchmark:
    """The benchmark of enterprise `org` for `year`: its own values, the published group statistics and, per unit
    of product, the national benchmark when its peers are too few."""
    rule_set = rules()
    reference = nationals()
    loader = _Loader(year, reference)
    division = normalise(org.industry_code)[:3] if org.industry_code else None
    me = (loader.under(division) if division else {}).get(org.id)
    if me is None:  # no industry code: the enterprise alone
        me = _load(Organisation.id == org.id, year, reference).get(org.id) or _Org(org.id, org.industry_code)
    return Benchmark(year, org.industry_code, rule_set, (
        _product_metric(me, year, rule_set, reference),
        *(_industry_metric(me, loader, metric, year, rule_set) for metric in ("value", "energy"))))


def _published(me: _Org, group: list[_Org], metric: str, rule_set: stats.Rules) -> stats.PeerStats:
    own = _year_value(me, metric)[0]
    peers = [v for o in group if o.id != me.id and (v := _year_value(o, metric)[0]) is not None]
    return stats.publish(stats.summarise(peers, own, rule_set))


def _trend(me: _Org, group: list[_Org] | None, metric: str, year: int, rule_set: stats.Rules,
           national: bool = False) -> tuple[TrendPoint, ...]:
    points = []
    for month in range(1, 13):
        period = date(year, month, 1)
        own_month = _pair(me, me.months.get(period), metric)
        if group is not None:
            month_peers = [p for p in (_pair(o, o.months.get(period), metric) for o in group if o.id != me.id) if p]
            month_stats = stats.summarise(month_peers, own_month, rule_set)
        else:
            month_stats = stats.PeerStats(stats.TOO_FEW)
        reference = _national(me, period) if national else None
        points.append(TrendPoint(period, own_month.value if own_month else None,
                                 stats.round_significant(month_stats.median), month_stats.status,
                                 stats.round_significant(reference)))
    return tuple(points)


def _with_values(orgs, metric: str) -> int:
    return sum(1 for o in orgs if _year_value(o, metric)[0] is not None)


def _industry_metric(me: _Org, loader: _Loader, metric: str, year: int, rule_set: stats.Rules) -> MetricBenchmark:
    own, own_months = _year_value(me, metric)
    level, group = None, None
    for candidate in _levels(me.code):
        members = list(loader.under(candidate).values())
        if _with_values(members, metric) >= rule_set.smallest_group:
            level, group = candidate, members
            break
    summary = _published(me, group, metric, rule_set) if group is not None else stats.PeerStats(stats.TOO_FEW)
    return MetricBenchmark(metric, own.value if own else None, own_months, None,
                           _industry(level) if level else None, level, summary,
                           _trend(me, group, metric, year, rule_set))


def _label(group: Group | None) -> ProductLabel | None:
    return ProductLabel(group.name, group.name_en, group.unit, group.products) if group else None


def _product_metric(me: _Org, year: int, rule_set: stats.Rules, reference) -> MetricBenchmark:
    own, own_months = _year_value(me, "product")
    if me.group is None:
        return MetricBenchmark("product", None, 0, None, None, None, stats.PeerStats(stats.TOO_FEW), ())
    members = [o for o in _load(_same_group_where(me.group, reference), year, reference).values()
               if o.group and o.group.key == me.group.key]
    if all(o.id != me.id for o in members):
        members.append(me)
    enough = _with_values(members, "product") >= rule_set.smallest_group
    summary = _published(me, members, "product", rule_set) if enough else stats.PeerStats(stats.TOO_FEW)
    national = None
    if me.group.by_benchmark:
        value = _national(me) if own is not None else None
        codes = {m.national.code for m in me.group.mapped if m.national.product == me.group.name}
        rows = tuple(n for n in reference[0].values() if n.code in codes)
        if value is None:  # no year value of its own: the benchmark of its unit class(es) as the table gives it
            value = sum((n.value for n in rows), Decimal(0)) / len(rows)
        national = NationalComparison(value, rows, own.value if own else None)
    return MetricBenchmark("product", own.value if own else None, own_months, _label(me.group), None,
                           None, summary, _trend(me, members if enough else None, "product", year, rule_set,
                                                 national=national is not None),
                           national, fallback=national is not None and not summary.shown)


# ------------------------------------------------------------------------------------ the authority's view

def industry_ranking(code: str, year: int) -> IndustryBenchmark:
    """Every enterprise under industry `code` ranked per unit of product within its product group (power-only,
    CHP and heat-only plants apart), with per 10^4 CNY and per tce as secondary columns: for authority users only."""
    code = normalise(code)
    reference = nationals()
    orgs = _load(_enterprises_under(code), year, reference)
    names = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(orgs)))} \
        if orgs else {}
    groups: dict = defaultdict(list)  # product group key -> rows
    labels: dict = {}
    ranked_ids = set()
    for org in orgs.values():
        member, months = _year_value(org, "product")
        if member is None or org.id not in names:
            continue
        labels.setdefault(org.group.key, _label(org.group))
        groups[org.group.key].append((org, member, months))
        ranked_ids.add(org.id)
    order = reference[1]

    def group_order(key):
        first = labels[key].products[0] if labels[key].products else None
        return (0 if first else 1, order.index(first) if first else 0, len(labels[key].products),
                -len(groups[key]), key)

    rankings = []
    for key in sorted(groups, key=group_order):
        rows = sorted(groups[key], key=lambda r: (r[1].value, names[r[0].id].name))
        values = [m.value for _, m, _ in rows]
        # Quartile bands say something only with a few enterprises to compare.
        q1, median, q3 = stats.quartiles(values) if len(values) >= 4 else (None, None, None)
        rankings.append(Ranking("product", labels[key], tuple(
            RankedRow(org.id, names[org.id].name, names[org.id].name_en, org.code, member.value, months,
                      member.tco2e, _band(member.value, q1, q3), _national(org), _secondary(org, "value"),
                      _secondary(org, "energy"))
            for org, member, months in rows), q1, median, q3))
    unranked = tuple(sorted(
        (Unranked(o.id, names[o.id].name, names[o.id].name_en, o.code, len(o.months), _secondary(o, "value"))
         for o in orgs.values() if o.id in names and o.id not in ranked_ids),
        key=lambda u: (-u.months, u.name)))
    return IndustryBenchmark(code, _industry(code), year, tuple(rankings), unranked, len(names))


def _secondary(org: _Org, metric: str) -> Decimal | None:
    member = _year_value(org, metric)[0]
    return member.value if member else None


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
