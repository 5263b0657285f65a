"""Who must act, as the dashboard's tables: each sector, industry division and district, this R12 against the same
window a year earlier, its intensity against its target and its contribution to the gap (actors.py), and the top
emitters with their own year-on-year change.

All from one load that spans both windows (`load_for`). The sector table adds up to the city's gross emissions X:
approved scope 1 + the enterprises' estimates + the regulator's figures for the sectors without filings + net
imported electricity as its own row. `top_emitters` names enterprises: authority pages only.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.organisations.industries import describe

from . import formula
from .actors import ActorRow, Figures, who_must_act
from .breakdowns import (
    SECTORS,
    Key,
    Row,
    by_district,
    by_division,
    directory,
    org_approved,
    org_estimates,
    sector_of,
    sector_totals,
    summed,
    total_of,
)
from .loading import ZERO, IndexData, load
from .periods import add_months

IMPORTED = "imported"  # the sector table's row of net imported electricity
TOTAL = "total"
FROM_STATISTICS = ("transport", "buildings", "other", IMPORTED)  # the rows with a figure of the regulator's


def load_for(year: int, month: int) -> IndexData:
    """One load covering the R12 window of the month and the window a year earlier."""
    return load(add_months(year, month, -23), (year, month))


@dataclass(frozen=True)
class Paths:
    """The city's path and intensity path at t and a year earlier (None without a target path)."""
    now: Decimal | None
    year_ago: Decimal | None
    intensity_now: Decimal | None
    intensity_year_ago: Decimal | None

    @classmethod
    def of(cls, data: IndexData, year: int, month: int) -> Paths:
        settings = data.settings(year, month)
        if settings.path is None:
            return cls(None, None, None, None)
        t = formula.index_time(year, month)
        path, y0 = settings.path, settings.path.y0
        i0 = path.e0 / path.g0
        return cls(path.at(t), path.at(t - 1),
                   i0 * (1 - formula.cut_at(t, y0, settings.cut_milestones)),
                   i0 * (1 - formula.cut_at(t - 1, y0, settings.cut_milestones)))


@dataclass(frozen=True)
class TableRow:
    key: str
    now: Row
    year_ago: Row | None
    actor: ActorRow
    label: object = None  # the Industry of a division

    @property
    def estimated_share(self) -> Decimal | None:
        return self.now.estimated / self.now.total if self.now.total else None


def _figures(row: Row) -> Figures:
    return Figures(row.total, row.output_value or None, row.output_scope1)


def _rows(now: dict[str, Row], before: dict[str, Row], paths: Paths, labels=None) -> list[TableRow]:
    """The rows of `now` and `before`, largest contribution to the gap first (who_must_act's order)."""
    acted = who_must_act({k: _figures(r) for k, r in now.items()}, {k: _figures(r) for k, r in before.items()},
                         paths.now or ZERO, paths.year_ago or ZERO, paths.intensity_now, paths.intensity_year_ago)
    return [TableRow(a.key, now.get(a.key, Row(a.key)), before.get(a.key), a,
                     labels(a.key) if labels else None) for a in acted]


def _sectors(data: IndexData, year: int, month: int) -> dict[str, Row]:
    totals = sector_totals(year, month, data)
    rows = {r.key: r for r in totals["sectors"]}
    rows[IMPORTED] = Row(IMPORTED, estimate=totals["imported"])
    return rows


@dataclass(frozen=True)
class SectorTable:
    rows: list[TableRow]   # the sectors in their fixed order, then net imported electricity
    total: TableRow        # their sum: the city's gross emissions X (when every figure is known)
    sinks: Decimal | None
    complete: bool         # every regulator figure is known, so the total is X


def sector_table(data: IndexData, year: int, month: int, paths: Paths | None = None) -> SectorTable:
    paths = paths or Paths.of(data, year, month)
    now, before = _sectors(data, year, month), _sectors(data, year - 1, month)
    # a row whose city statistics are missing a year earlier has no year-earlier figure (not a zero)
    known_before = {k: r for k, r in before.items() if k not in FROM_STATISTICS or r.estimate is not None}
    by_key = {r.key: r for r in _rows(now, known_before, paths)}
    rows = [by_key[k] for k in (*SECTORS, IMPORTED)]
    complete = all(now[k].estimate is not None for k in FROM_STATISTICS)
    total_before = {TOTAL: total_of(TOTAL, before.values())} if len(known_before) == len(before) else {}
    total = _rows({TOTAL: total_of(TOTAL, now.values())}, total_before, paths)[0]
    return SectorTable(rows, total, data.sinks_in(year), complete)


def table(data: IndexData, year: int, month: int, key: Key, paths: Paths | None = None, labels=None) -> list[TableRow]:
    """Rows keyed by `key(industry code, district)` (None: not counted), who must act first."""
    paths = paths or Paths.of(data, year, month)
    return _rows(summed(data, year, month, key), summed(data, year - 1, month, key), paths, labels)


def division_table(data, year, month, sector: str | None = None, district: str | None = None, paths=None):
    def key(code, d):
        if (sector and sector_of(code) != sector) or (district is not None and by_district(code, d) != district):
            return None
        return by_division(code, d)
    return table(data, year, month, key, paths, lambda k: describe(k) if k != "-" else None)


def district_table(data, year, month, paths=None):
    return table(data, year, month, by_district, paths)


# ------------------------------------------------------------------------------------------ top emitters

@dataclass(frozen=True)
class Emitter:
    """One enterprise's R12 (approved + estimated) now and a year earlier. Names an enterprise: authority only."""
    id: int
    name: str
    name_en: str | None
    industry_code: str | None
    district: str | None
    approved: Decimal
    months: int            # approved months in the window
    estimated: Decimal
    year_ago: Decimal | None

    @property
    def total(self) -> Decimal:
        return self.approved + self.estimated

    @property
    def change(self) -> Decimal | None:
        return self.total - self.year_ago if self.year_ago is not None else None

    @property
    def change_percent(self) -> Decimal | None:
        return self.change / self.year_ago * 100 if self.year_ago else None


def top_emitters(data: IndexData, year: int, month: int, key: Key, limit: int | None = None) -> list[Emitter]:
    """The enterprises whose (industry code, district) `key` accepts, largest R12 first."""
    orgs = directory(data)
    approved, estimated = org_approved(data, year, month), org_estimates(data, year, month)
    before_approved, before_estimated = org_approved(data, year - 1, month), org_estimates(data, year - 1, month)
    out = []
    for org_id in set(approved) | set(estimated):
        org = orgs.get(org_id)
        if org is None or not key(org.industry_code, org.district):
            continue
        s1, months = approved.get(org_id, (ZERO, 0))
        before = None
        if org_id in before_approved or org_id in before_estimated:
            before = before_approved.get(org_id, (ZERO, 0))[0] + before_estimated.get(org_id, ZERO)
        out.append(Emitter(org.id, org.name, org.name_en, org.industry_code, org.district, s1, months,
                           estimated.get(org_id, ZERO), before))
    out.sort(key=lambda e: (-e.total, e.id))
    return out[:limit] if limit else out


def under_code(code: str) -> Key:
    """The enterprises under an industry code ("-": those without one, as the division table keys them)."""
    code = code.upper()
    if code == "-":
        return lambda industry, _d: not industry or None
    return lambda industry, _d: (industry or "").upper().startswith(code) or None


def in_sector(sector: str) -> Key:
    return lambda industry, _d: sector_of(industry) == sector or None


def in_district(name: str) -> Key:
    return lambda _code, district: by_district(_code, district) == name or None


def districts(data: IndexData) -> set[str]:
    """The districts that have an enterprise."""
    return {by_district(None, org.district) for org in directory(data).values()}
