"""The index's tables: R12 emissions by sector, GB/T 4754 industry division and district, summed from the load.

Aggregates only, except `enterprises_under()`, which names enterprises (authority pages only). The public page
uses `public_sector_totals()`, which withholds a sector's filed figures where they would reveal one enterprise.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext

from app.benchmarking.services import rules as disclosure_rules
from app.benchmarking.stats import dominated
from app.organisations.industries import describe
from app.organisations.models import Organisation

from .loading import ZERO, IndexData, grouped, window_data
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
    estimate: Decimal | None = None  # the regulator's estimate (transport, buildings, other)
    withheld: bool = False  # public page: the filed figures would reveal one enterprise (disclosure control)

    @property
    def total(self) -> Decimal:
        return self.scope1 + (self.estimate or ZERO)



def _sum_cells(cells, key) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for c in cells:
        k = key(c)
        row = rows.setdefault(k, Row(k))
        row.scope1 += c.scope1
        row.scope2 += c.scope2
        row.filings += c.filings
    return rows


def sector_totals(year: int, month: int, data: IndexData | None = None) -> dict:
    """R12 emissions by sector (scope 1 of filings + the regulator's estimates), with sinks apart.
    Aggregates only: safe for the public page."""
    data = window_data(year, month, data)
    summed = _sum_cells(data.cells_in(year, month), lambda c: sector_of(c.industry_code))
    rows = {key: summed.get(key, Row(key)) for key in SECTORS}
    for key, attr in (("transport", "transport_tco2"), ("buildings", "buildings_tco2"), ("other", "other_tco2")):
        rows[key].estimate = data.prorated(year, month, attr)[0]
    return {"sectors": [rows[k] for k in SECTORS], "sinks": data.sinks_in(year)}


def public_sector_totals(year: int, month: int, data: IndexData | None = None) -> dict:
    """`sector_totals` with the benchmark disclosure rules applied to each sector's filed figures, for the
    page without sign-in: a sector whose scope 1 comes from fewer than `peer_min_contributors` enterprises, or
    from one enterprise above `peer_dominance_percent` % of it, is withheld (its filed and total figures), since
    it would mostly publish that enterprise's own emissions. The regulator's estimates stay shown."""

    totals = sector_totals(year, month, data)
    rules = disclosure_rules()
    by_sector: dict[str, list[Decimal]] = defaultdict(list)
    for _org, code, s1, _s2, _n in grouped(year, month, Organisation.id, Organisation.industry_code):
        if as_decimal(s1):
            by_sector[sector_of(code)].append(as_decimal(s1))
    for row in totals["sectors"]:
        amounts = by_sector.get(row.key, [])
        row.withheld = bool(amounts) and (len(amounts) < rules.min_contributors
                                          or dominated(amounts, rules.dominance_percent))
    return totals


def division_totals(year: int, month: int, sector: str | None = None, data: IndexData | None = None) -> list[tuple]:
    """(division code, Industry or None, Row) by GB/T 4754 division, largest first."""
    cells = [c for c in window_data(year, month, data).cells_in(year, month)
             if not sector or sector_of(c.industry_code) == sector]
    rows = _sum_cells(cells, lambda c: (c.industry_code or "")[:3] or "-")
    return [(k, describe(k) if k != "-" else None, r) for k, r in sorted(rows.items(), key=lambda kv: -kv[1].scope1)]


def district_totals(year: int, month: int, data: IndexData | None = None) -> list[Row]:
    rows = _sum_cells(window_data(year, month, data).cells_in(year, month), lambda c: c.district or "-")
    return sorted(rows.values(), key=lambda r: -r.scope1)


def enterprises_under(year: int, month: int, code: str) -> list[tuple]:
    """(org id, name, name_en, industry code, Row) of the enterprises under a division: authority pages only."""
    out = []
    for org_id, name, name_en, industry, s1, s2, n in grouped(
            year, month, Organisation.id, Organisation.name, Organisation.name_en, Organisation.industry_code):
        if (industry or "").upper().startswith(code.upper()):
            out.append((org_id, name, name_en, industry, Row(str(org_id), as_decimal(s1) or ZERO, as_decimal(s2) or ZERO, n)))
    return sorted(out, key=lambda r: -r[4].scope1)

