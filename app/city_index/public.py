"""What the public page shows (no sign-in): the city's gross emissions X and their R12 trend against the path, and
the sector table with disclosure control on every figure that comes from enterprises' filings. Aggregates only.

Disclosure control (the benchmark rules, `benchmarking.services.rules`): a sector's filed figures (approved scope
1 plus the enterprises' estimates, which are made from their own filings) are withheld when they come from fewer
than `peer_min_contributors` enterprises or from one above `peer_dominance_percent` % of them. Because X itself is
published, and with it the filing enterprises' total, one withheld sector would still be X minus everything shown;
so the withheld group is widened with the smallest shown sectors until the group's combined figure reveals no one,
and that combined figure is shown as one merged row. When even all filing sectors together rest mostly on one
enterprise, the merged row is withheld too and the page says that X then mostly reflects large single sources.
The regulator's statistics (transport, buildings, other, net imported electricity) are never withheld.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.benchmarking.services import rules as disclosure_rules
from app.benchmarking.stats import dominated

from .breakdowns import (
    SECTORS,
    Row,
    directory,
    org_approved,
    org_estimates,
    sector_of,
    sector_totals,
)
from .loading import ZERO, IndexData
from .periods import add_months


def filed_by_sector(data: IndexData, year: int, month: int) -> dict[str, list[Decimal]]:
    """{sector: each enterprise's filed R12 (approved scope 1 + its estimates)}, enterprises with a figure only."""
    orgs = directory(data)
    per_org: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for org_id, (scope1, _months) in org_approved(data, year, month).items():
        per_org[org_id] += scope1
    for org_id, value in org_estimates(data, year, month).items():
        per_org[org_id] += value
    out: dict[str, list[Decimal]] = defaultdict(list)
    for org_id, amount in per_org.items():
        if amount:
            out[sector_of(orgs[org_id].industry_code if org_id in orgs else None)].append(amount)
    return out


@dataclass(frozen=True)
class PublicSectors:
    rows: list[Row]          # the five sectors; row.withheld: its filed figures (and total) are not shown
    merged: Row | None       # the withheld sectors' filed figures together; None when nothing is withheld
    merged_keys: list[str]   # the sectors in the merged row
    merged_withheld: bool    # even together they would reveal one enterprise
    imported: Decimal | None  # net imported electricity × the grid factor (R12)
    sinks: Decimal | None
    total: Decimal | None     # the sum of every row: X (None when a statistic is missing)


def public_sectors(year: int, month: int, data: IndexData) -> PublicSectors:
    rules = disclosure_rules()
    filed = filed_by_sector(data, year, month)

    def revealing(amounts: list[Decimal]) -> bool:
        return bool(amounts) and (len(amounts) < rules.min_contributors
                                  or dominated(amounts, rules.dominance_percent))

    withheld = {k for k in SECTORS if revealing(filed.get(k, []))}
    while withheld:
        group = [a for k in withheld for a in filed.get(k, [])]
        shown = [k for k in SECTORS if k not in withheld and filed.get(k)]
        if not revealing(group) or not shown:
            break
        withheld.add(min(shown, key=lambda k: (sum(filed[k]), k)))  # the smallest shown sector joins the group

    totals = sector_totals(year, month, data)
    rows = totals["sectors"]
    merged = None
    for row in rows:
        row.withheld = row.key in withheld
        if row.withheld:
            merged = merged or Row("merged")
            merged.scope1 += row.scope1
            merged.estimated += row.estimated
            merged.filings += row.filings
    group = [a for k in withheld for a in filed.get(k, [])]
    parts = [r.estimate for r in rows if r.key in ("transport", "buildings", "other")] + [totals["imported"]]
    total = None if None in parts else sum((r.total for r in rows), ZERO) + totals["imported"]
    return PublicSectors(rows, merged, [k for k in SECTORS if k in withheld], merged is not None and revealing(group),
                         totals["imported"], totals["sinks"], total)


def emissions_chart(points, first_month=None) -> dict:
    """The R12 gross emissions X and the path at each trend point (tCO2), provisional months marked. A window that
    starts before the first month any enterprise owed is left out: its sum would read as growth that is only the
    platform's data beginning."""
    def num(value):
        return float(round(value, 0)) if value is not None else None

    def whole(p) -> bool:
        y, m = add_months(p.year, p.month, -11)
        return first_month is None or date(y, m, 1) >= first_month
    return {"labels": [p.label for p in points], "provisional": [p.provisional for p in points],
            "gross": [num(p.result.gross_tco2) if p.result and whole(p) else None for p in points],
            "path": [num(p.result.path_target) if p.result else None for p in points]}
