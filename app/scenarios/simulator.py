"""What-if simulator of the city index: pure functions over plain inputs, the factor library and the engine.

No Flask, no database, nothing is written: a scenario's figures come from the same accounting engine as the
filings (app.accounting.engine.compute) and its effect on the index from the same formula
(formula.compute_index) applied to the baseline inputs changed by a Delta (apply_to_index).

Rules (reference/city-index.md, "What-if rules"):
- new project: its added emissions are the engine's totals for its yearly activity; its scope 1 adds to the
  city's scope 1, its purchased electricity to the net imported electricity (X counts power once);
- energy substitution inside the city: only the net counts, ΔX = extra fuel at the plant − fuel no longer
  burned by the customers (each × its own factors); the steam supplied cannot exceed the extra fuel's energy
  × the boiler efficiency (`Substitution.possible`);
- new sinks: area × rate, reported beside X and never netted into it (S6 only);
- efficiency programmes: a percent reduction of each sector's emissions;
- top-down: the cut needed to reach a target, shared out in proportion to each sector's emissions, or to
  emissions × the regulator's weight;
- packages: several scenarios at once, their Deltas added (`combined`) and the index evaluated once.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, localcontext

from app.accounting import engine
from app.accounting.units import convert
from app.city_index.formula import CTX, CityInputs

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Which CityInputs figures a sector's emissions sit in: filing sectors in scope 1, the others in the
# regulator's non-filing estimate (transport and buildings also in S5's figure).
FILING_SECTORS = ("energy", "industry")
TRANSPORT_BUILDINGS = ("transport", "buildings")


def _dec(value, name="value") -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name}: pass a Decimal, int or str, not a float")
    return value if isinstance(value, Decimal) else Decimal(value)


@dataclass(frozen=True)
class Activity:
    """One line of yearly activity: a category and material of the engine, a quantity and its unit."""
    category: str
    material: str
    quantity: Decimal
    unit: str
    name: str = ""


@dataclass(frozen=True)
class Added:
    """Engine totals for a set of activity lines (tCO2e)."""
    scope1: Decimal
    scope2: Decimal
    total: Decimal
    by_gas: dict
    energy_tce: Decimal
    electricity_mwh: Decimal
    results: tuple = ()


@dataclass(frozen=True)
class Delta:
    """The change a scenario makes to one index month's inputs (tCO2 per year, MWh per year)."""
    scope1_tco2: Decimal = ZERO
    non_filing_tco2: Decimal = ZERO
    transport_buildings_tco2: Decimal = ZERO
    net_import_mwh: Decimal = ZERO
    sinks_tco2: Decimal = ZERO

    def x_change(self, grid_factor=None) -> Decimal:
        """ΔX: scope 1 + non-filing sectors + imported electricity × grid factor (sinks never count)."""
        with localcontext(CTX):
            imported = self.net_import_mwh * _dec(grid_factor) if grid_factor is not None else ZERO
            return self.scope1_tco2 + self.non_filing_tco2 + imported


def _lines(activity: Iterable[Activity], year: int) -> list[engine.LineInput]:
    month = date(year, 1, 1)
    return [engine.LineInput(source_id=k, source_name=a.name or f"{a.material} {k}", category=a.category,
                             material=a.material, month=month, quantity=_dec(a.quantity, "quantity"), unit=a.unit)
            for k, a in enumerate(activity, start=1)]


def compute(activity: Iterable[Activity], library, settings: engine.Settings, year: int) -> Added:
    """The engine's totals for a year of activity (booked on January of that year for the factor versions)."""
    lines = _lines(activity, year)
    results = engine.compute(lines, library, settings)
    t = engine.totals(results)

    mwh = ZERO
    for line in lines:
        if line.category == "purchased_electricity":
            mwh += convert(line.quantity, line.unit, "MWh")
    return Added(t.scope1, t.scope2, t.total, dict(t.by_gas), t.energy_tce, mwh, tuple(results))


# --- the five kinds ------------------------------------------------------------------------------------------

def new_project(activity_lines: Iterable[Activity], library, settings: engine.Settings, year: int) -> Added:
    """A new project's added emissions by scope and gas: exactly the engine's figures for its yearly activity."""
    return compute(activity_lines, library, settings, year)


def new_project_delta(added: Added, sector: str = "industry") -> Delta:
    """Its scope 1 joins the city's scope 1 (or the sector's estimate), its electricity the imports."""
    if sector in FILING_SECTORS:
        return Delta(scope1_tco2=added.scope1, net_import_mwh=added.electricity_mwh)
    tb = added.scope1 if sector in TRANSPORT_BUILDINGS else ZERO
    return Delta(non_filing_tco2=added.scope1, transport_buildings_tco2=tb, net_import_mwh=added.electricity_mwh)


DEFAULT_BOILER_EFFICIENCY = Decimal(90)  # percent of the fuel's energy that reaches the steam


@dataclass(frozen=True)
class Substitution:
    saved: Added        # fuel the customers no longer burn
    extra: Added        # the plant's extra fuel
    net: Decimal        # extra − saved (negative: the city emits less)
    steam_gj: Decimal | None = None
    efficiency: Decimal = DEFAULT_BOILER_EFFICIENCY  # percent

    @property
    def delta(self) -> Delta:
        return Delta(scope1_tco2=self.net)

    @property
    def fuel_gj(self) -> Decimal:
        """The energy of the plant's extra fuel (its net calorific value, as the engine computed it)."""
        with localcontext(CTX):
            return convert(self.extra.energy_tce, "tce", "GJ")

    @property
    def heat_available_gj(self) -> Decimal:
        """The most heat the extra fuel can give: its energy × the boiler efficiency."""
        with localcontext(CTX):
            return self.fuel_gj * self.efficiency / HUNDRED

    @property
    def possible(self) -> bool:
        """No more steam than the extra fuel can raise (physics, reference/city-index.md)."""
        return self.steam_gj is None or self.steam_gj <= self.heat_available_gj


def substitution(fuel_saved_lines: Iterable[Activity], extra_fuel_lines: Iterable[Activity], library,
                 settings: engine.Settings, year: int, steam_gj=None,
                 efficiency=DEFAULT_BOILER_EFFICIENCY) -> Substitution:
    """A plant supplies steam (or heat) to customers that stop firing their own boilers: both inside the city,
    so only the net scope 1 counts (the steam itself is a transfer between them and is not counted twice)."""
    saved = compute(fuel_saved_lines, library, settings, year)
    extra = compute(extra_fuel_lines, library, settings, year)
    with localcontext(CTX):
        net = extra.scope1 - saved.scope1
    return Substitution(saved, extra, net, None if steam_gj is None else _dec(steam_gj, "steam_gj"),
                        _dec(efficiency, "efficiency"))


def sinks(area_ha, rate) -> Decimal:
    """New sinks: area (ha) × rate (tCO2 per ha per year)."""
    area, rate = _dec(area_ha, "area_ha"), _dec(rate, "rate")
    if area < 0 or rate < 0:
        raise ValueError("area and rate must be zero or more")
    with localcontext(CTX):
        return area * rate


def sinks_delta(tco2) -> Delta:
    return Delta(sinks_tco2=_dec(tco2))


def efficiency(sector_totals: Mapping[str, Decimal], percent_by_sector: Mapping[str, Decimal]) -> dict:
    """Reductions (tCO2, positive) of each sector from a percent cut of its emissions."""
    out = {}
    with localcontext(CTX):
        for sector, pct in percent_by_sector.items():
            pct = _dec(pct, sector)
            if not ZERO <= pct <= HUNDRED:
                raise ValueError(f"{sector}: a percent between 0 and 100")
            out[sector] = _dec(sector_totals.get(sector, ZERO), sector) * pct / HUNDRED
    return out


def reductions_delta(reductions: Mapping[str, Decimal]) -> Delta:
    """The Delta of cuts by sector (positive tonnes cut)."""
    scope1 = non_filing = tb = ZERO
    with localcontext(CTX):
        for sector, cut in reductions.items():
            cut = _dec(cut, sector)
            if sector in FILING_SECTORS:
                scope1 -= cut
            else:
                non_filing -= cut
                if sector in TRANSPORT_BUILDINGS:
                    tb -= cut
    return Delta(scope1_tco2=scope1, non_filing_tco2=non_filing, transport_buildings_tco2=tb)


class NothingToShare(ValueError):
    """A top-down cut with no weighted emissions to share it out over."""


@dataclass(frozen=True)
class TopDown:
    target: Decimal
    projected: Decimal
    cut: Decimal                      # projected − target, 0 when already below
    by_sector: dict                   # sector -> tonnes to cut
    percent_by_sector: dict           # sector -> percent of its own emissions
    shares: dict = field(default_factory=dict)  # sector -> share of the cut


def top_down(target, year_projection: Mapping[str, Decimal], weights: Mapping[str, Decimal] | None = None) -> TopDown:
    """The cut each sector must make for the year's emissions to reach the target: in proportion to its
    emissions, or to emissions × weight when the regulator weights the sectors (a weight of 0 spares one)."""
    target = _dec(target, "target")
    projection = {k: _dec(v, k) for k, v in year_projection.items()}
    with localcontext(CTX):
        projected = sum(projection.values(), ZERO)
        cut = max(projected - target, ZERO)
        basis = {k: v * (_dec(weights.get(k, 1), k) if weights else 1) for k, v in projection.items()}
        total = sum(basis.values(), ZERO)
        if cut and total <= 0:
            raise NothingToShare("no sector carries any weight: the cut cannot be shared out")
        shares = {k: (b / total if total else ZERO) for k, b in basis.items()}
        by_sector = {k: cut * s for k, s in shares.items()}
        percent = {k: (HUNDRED * by_sector[k] / projection[k] if projection[k] else ZERO) for k in projection}
    return TopDown(target, projected, cut, by_sector, percent, shares)


def combined(deltas: Iterable[Delta]) -> Delta:
    """A package: the effects of its scenarios add (on X, the electricity imports and the sinks)."""
    total = Delta()
    with localcontext(CTX):
        for d in deltas:
            total = Delta(total.scope1_tco2 + d.scope1_tco2, total.non_filing_tco2 + d.non_filing_tco2,
                          total.transport_buildings_tco2 + d.transport_buildings_tco2,
                          total.net_import_mwh + d.net_import_mwh, total.sinks_tco2 + d.sinks_tco2)
    return total


# --- the index ------------------------------------------------------------------------------------------------

def _plus(base: Decimal | None, change: Decimal) -> Decimal | None:
    if base is None:
        return None
    with localcontext(CTX):
        return base + change


def apply_to_index(baseline: CityInputs, delta: Delta) -> CityInputs:
    """The baseline inputs changed by the scenario; a figure without data stays without data."""
    return replace(
        baseline,
        scope1_tco2_r12=_plus(baseline.scope1_tco2_r12, delta.scope1_tco2),
        non_filing_tco2_r12=_plus(baseline.non_filing_tco2_r12, delta.non_filing_tco2),
        transport_buildings_tco2_r12=_plus(baseline.transport_buildings_tco2_r12, delta.transport_buildings_tco2),
        net_import_mwh_r12=_plus(baseline.net_import_mwh_r12, delta.net_import_mwh),
        sinks_tco2=_plus(baseline.sinks_tco2, delta.sinks_tco2),
    )


@dataclass(frozen=True)
class Offset:
    """What makes room for added emissions: tonnes to cut elsewhere, or hectares of new sinks at a rate."""
    added: Decimal
    headroom: Decimal | None   # path − baseline X (negative: already above the path)
    needed: Decimal            # tonnes beyond the headroom
    hectares: Decimal | None   # needed / rate


def offset_needed(added, headroom=None, rate=None) -> Offset:
    added = _dec(added, "added")
    with localcontext(CTX):
        room = max(_dec(headroom, "headroom"), ZERO) if headroom is not None else ZERO
        needed = max(added - room, ZERO)
        hectares = needed / _dec(rate, "rate") if rate is not None and _dec(rate, "rate") > 0 else None
    return Offset(added, None if headroom is None else _dec(headroom), needed, hectares)
