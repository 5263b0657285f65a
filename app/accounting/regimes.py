"""One line set, three totals (sector-methods.md §0, §1): pure functions of computed lines' gas masses.

- `ets`: the national market's rules for the enterprise's sector: CO2 only (aluminium adds CF4 and C2F6); purchased
  electricity for power units, nothing indirect for cement, steel and aluminium, net electricity and heat for the
  sectors reporting with the supplementary data sheet; recovered CO2 and biomass are memo items.
- `guideline`: the NDRC 24-industry guidelines at SAR GWPs: net electricity and heat, recovered CO2 and CH4 deducted.
- `inventory`: the GHG Protocol: scope 1 with every gas at AR6 (methane by origin), scope 2 location- and
  market-based (purchases only), biogenic CO2 outside the scopes.

A set with a generating unit (method power_coal, or a line marked generating unit) never deducts electricity or heat
supplied, in any regime. Lines never deduct anything themselves; only a regime does.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext

from app.accounting.engine import CTX, LineResult
from app.accounting.library import Factor, FactorLibrary, MissingFactor
from app.accounting.methods import METHODS

__all__ = ["REGIMES", "RegimeFactors", "RegimeOptions", "RegimeTotal", "compute_regimes", "ets", "guideline",
           "inventory", "regime_factors"]

REGIMES = ("ets", "guideline", "inventory")
ZERO = Decimal(0)

ETS_DIRECT_ONLY = frozenset({"cement", "steel", "aluminium"})  # no indirect emissions under their ETS guidelines [M5]
ETS_ELECTRICITY_IN_ONLY = frozenset({"power"})
ETS_PFC_SECTORS = {"aluminium": ("CF4", "C2F6")}
# F-gases the 24-industry guideline of a sector names (grid: SF6 in switchgear; magnesium: SF6 cover gas; aluminium:
# anode-effect PFCs; chemicals: HFC-23 from HCFC-22). Other sectors' guidelines count no F-gas (worked example 6).
GUIDELINE_FGAS = {"power_grid": ("SF6",), "magnesium": ("SF6",), "aluminium": ("CF4", "C2F6"),
                  "chemicals": ("HFC-23",), "electronics": ("SF6", "NF3", "CF4", "C2F6", "HFC-23")}


@dataclass(frozen=True)
class RegimeOptions:
    sector: str = ""                          # power, cement, steel, aluminium, refining, chemicals, ...
    grid_region: str = "China"                # inventory location-based: a region with location_series regional
    location_series: str = "national_average"
    ets_series: str = "ets_compliance"        # the MEE notice's factor, keyed by reporting year
    guideline_series: str = "ets_compliance"
    inventory_gwp_set: str = "AR6"
    guideline_gwp_set: str = "SAR"
    ets_gwp_set: str = "AR5"                  # aluminium PFCs only; CETS-AG-04.01's set UNCONFIRMED


@dataclass(frozen=True)
class RegimeFactors:
    """The factor versions a regime applies to masses (resolved once per reporting month)."""

    gwp_set: str | None
    gwp: Mapping[str, Factor] = field(default_factory=dict)
    grid: Factor | None = None
    market: Factor | None = None
    heat: Factor | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegimeTotal:
    regime: str
    total: Decimal                   # tCO2e; the inventory's is location-based
    parts: Mapping[str, Decimal]     # what the total is made of (deductions negative)
    memo: Mapping[str, Decimal]      # reported beside the total, never in it
    gwp_set: str | None
    factor_ids: tuple                # (id, kind, code, series, version) of every factor version applied
    total_market: Decimal | None = None
    notes: tuple[str, ...] = ()


def _ids(factors: Iterable[Factor]) -> tuple:
    seen = []
    for f in factors:
        key = (f.id, f.kind, f.code, f.series, f.version)
        if key not in seen:
            seen.append(key)
    return tuple(seen)


class _Sums:
    """Mass sums over the lines, split as the regimes need them."""

    def __init__(self, lines: Iterable[LineResult]):
        self.lines = list(lines)
        self.generator = any(r.generating_unit for r in self.lines)
        names = ("co2", "co2_bio", "ch4_fossil", "ch4_bio", "ch4_recovered", "ch4_fossil_net", "n2o",
                 "ch4_process", "n2o_process", "ch4_combustion", "n2o_combustion", "elec_in", "elec_out",
                 "elec_green", "heat_in", "heat_out", "co2_recovered", "co2_stored", "scope3")
        for name in names:
            setattr(self, name, ZERO)
        self.fgas: dict[str, Decimal] = {}
        self.has_combustion = False
        with localcontext(CTX):
            for r in self.lines:
                self._add(r)

    def _add(self, r: LineResult):
        if r.scope == "3":
            self.scope3 += r.co2e_t
            return
        m = r.masses
        method = METHODS.get(r.method)
        combustion = method is not None and method.combustion
        self.has_combustion |= combustion
        self.co2 += m.co2_fossil_t
        self.co2_bio += m.co2_bio_t
        self.ch4_fossil += m.ch4_fossil_t
        self.ch4_bio += m.ch4_bio_t
        self.ch4_recovered += m.ch4_recovered_t
        self.ch4_fossil_net += max(ZERO, m.ch4_fossil_t - m.ch4_recovered_t)  # only from the vent it came from
        self.n2o += m.n2o_t
        if combustion:
            self.ch4_combustion += m.ch4_fossil_t + m.ch4_bio_t
            self.n2o_combustion += m.n2o_t
        else:
            self.ch4_process += m.ch4_fossil_t + m.ch4_bio_t
            self.n2o_process += m.n2o_t
        for gas, t in m.fgas_t.items():
            self.fgas[gas] = self.fgas.get(gas, ZERO) + t
        self.elec_in += m.elec_in_mwh
        self.elec_out += m.elec_out_mwh
        self.elec_green += m.elec_green_mwh
        self.heat_in += m.heat_in_gj
        self.heat_out += m.heat_out_gj
        self.co2_recovered += m.co2_recovered_t
        self.co2_stored += m.co2_stored_t

    def supply_memo(self) -> dict:
        memo = {}
        if self.elec_out:
            memo["electricity_supplied_mwh"] = self.elec_out
        if self.heat_out:
            memo["heat_supplied_gj"] = self.heat_out
        return memo


def _gwp(factors: RegimeFactors, gas: str, used: list) -> Decimal:
    factor = factors.gwp.get(gas)
    if factor is None:
        raise MissingFactor("gwp", gas, factors.gwp_set, None)
    used.append(factor)
    return factor.values["gwp"]


def _need(factor: Factor | None, what: str) -> Factor:
    if factor is None:
        raise MissingFactor(what, "regime", None, None)
    return factor


def _finish(regime, parts, memo, factors, used, notes=(), total_market=None) -> RegimeTotal:
    with localcontext(CTX):
        total = sum(parts.values(), ZERO)
    return RegimeTotal(regime=regime, total=total, parts=parts, memo={k: v for k, v in memo.items() if v},
                       gwp_set=factors.gwp_set, factor_ids=_ids(used), total_market=total_market,
                       notes=tuple(notes) + factors.notes)


def ets(lines: Iterable[LineResult], factors: RegimeFactors, sector: str = "") -> RegimeTotal:
    s = lines if isinstance(lines, _Sums) else _Sums(lines)
    used: list = []
    notes = []
    with localcontext(CTX):
        parts = {"direct_co2": s.co2}
        for gas in ETS_PFC_SECTORS.get(sector, ()):
            if s.fgas.get(gas):
                parts[f"direct_{gas}"] = s.fgas[gas] * _gwp(factors, gas, used)
                notes.append("aluminium PFC GWPs per CETS-AG-04.01: set unconfirmed")
        if sector not in ETS_DIRECT_ONLY:
            in_only = sector in ETS_ELECTRICITY_IN_ONLY or s.generator
            elec = s.elec_in if in_only else s.elec_in - s.elec_out
            if elec:
                grid = _need(factors.grid, "electricity")
                used.append(grid)
                parts["electricity"] = elec * grid.values["ef"]
            if sector not in ETS_ELECTRICITY_IN_ONLY:
                heat = s.heat_in if s.generator else s.heat_in - s.heat_out
                if heat:
                    factor = _need(factors.heat, "heat")
                    used.append(factor)
                    parts["heat"] = heat * factor.values["ef"]
                    notes.append("heat in the supplementary data sheet: net × 0.11 (unconfirmed)")
        memo = {"biomass_co2_t": s.co2_bio, "co2_recovered_t": s.co2_recovered, **s.supply_memo()}
        outside = s.ch4_fossil + s.ch4_bio + s.n2o
        if outside:
            memo["non_co2_outside_t"] = outside
    return _finish("ets", parts, memo, factors, used, notes)


def guideline(lines: Iterable[LineResult], factors: RegimeFactors, sector: str = "") -> RegimeTotal:
    s = lines if isinstance(lines, _Sums) else _Sums(lines)
    used: list = []
    with localcontext(CTX):
        parts = {"direct_co2": s.co2}
        if s.ch4_process:
            parts["direct_ch4"] = s.ch4_process * _gwp(factors, "CH4", used)
        if s.n2o_process:
            parts["direct_n2o"] = s.n2o_process * _gwp(factors, "N2O", used)
        for gas in GUIDELINE_FGAS.get(sector, ()):
            if s.fgas.get(gas):
                parts[f"direct_{gas}"] = s.fgas[gas] * _gwp(factors, gas, used)
        elec = s.elec_in if s.generator else s.elec_in - s.elec_out
        if elec:
            grid = _need(factors.grid, "electricity")
            used.append(grid)
            parts["electricity"] = elec * grid.values["ef"]
        heat = s.heat_in if s.generator else s.heat_in - s.heat_out
        if heat:
            factor = _need(factors.heat, "heat")
            used.append(factor)
            parts["heat"] = heat * factor.values["ef"]
        if s.co2_recovered:
            parts["co2_recovered"] = -s.co2_recovered
        if s.ch4_recovered:
            parts["ch4_recovered"] = -s.ch4_recovered * _gwp(factors, "CH4", used)
        memo = {"biomass_co2_t": s.co2_bio, **(s.supply_memo() if s.generator else {})}
        if s.ch4_combustion or s.n2o_combustion:
            memo["combustion_ch4_n2o_outside_t"] = s.ch4_combustion + s.n2o_combustion
    return _finish("guideline", parts, memo, factors, used)


def inventory(lines: Iterable[LineResult], factors: RegimeFactors) -> RegimeTotal:
    s = lines if isinstance(lines, _Sums) else _Sums(lines)
    used: list = []
    notes = []
    with localcontext(CTX):
        scope1 = s.co2 - s.co2_stored
        if s.ch4_fossil_net:
            gas = "CH4-fossil" if "CH4-fossil" in factors.gwp else "CH4"
            scope1 += s.ch4_fossil_net * _gwp(factors, gas, used)
        if s.ch4_bio:
            gas = "CH4-non-fossil" if "CH4-non-fossil" in factors.gwp else "CH4"
            scope1 += s.ch4_bio * _gwp(factors, gas, used)
        if s.n2o:
            scope1 += s.n2o * _gwp(factors, "N2O", used)
        for gas, t in sorted(s.fgas.items()):
            if t:
                scope1 += t * _gwp(factors, gas, used)
        location = market = ZERO
        if s.elec_in:
            grid = _need(factors.grid, "electricity")
            used.append(grid)
            location = s.elec_in * grid.values["ef"]
            if factors.market is not None:
                used.append(factors.market)
                market = (s.elec_in - s.elec_green) * factors.market.values["ef"]
            else:
                market = location
                notes.append("no residual-mix factor: market-based scope 2 equals location-based")
        if s.heat_in:
            factor = _need(factors.heat, "heat")
            used.append(factor)
            heat = s.heat_in * factor.values["ef"]
            location += heat
            market += heat
        if s.has_combustion and not (s.ch4_combustion or s.n2o_combustion):
            notes.append("combustion CH4/N2O not computed (settings): omitted from scope 1")
        parts = {"scope1": scope1, "scope2_location": location}
        memo = {"biomass_co2_t": s.co2_bio, "scope2_market": market, "co2_recovered_t": s.co2_recovered,
                "co2_stored_t": s.co2_stored, "scope3": s.scope3, **s.supply_memo()}
        total_market = scope1 + market
    return _finish("inventory", parts, memo, factors, used, notes, total_market=total_market)


# ------------------------------------------------------------------------------------------ factor resolution

def _gwp_rows(library: FactorLibrary, set_name: str, month: date) -> dict[str, Factor]:
    return library.gwp_factors(set_name, month)


def regime_factors(library: FactorLibrary, regime: str, month: date, options: RegimeOptions = RegimeOptions()
                   ) -> RegimeFactors:
    """The factor versions `regime` applies for a reporting month. MissingFactor if the library lacks one."""
    heat = library.resolve("heat", "default", month)
    if regime == "ets":
        gwp = _gwp_rows(library, options.ets_gwp_set, month) if options.sector in ETS_PFC_SECTORS else {}
        return RegimeFactors(options.ets_gwp_set if gwp else None, gwp,
                             library.grid(options.ets_series, month, "China"), None, heat)
    if regime == "guideline":
        return RegimeFactors(options.guideline_gwp_set, _gwp_rows(library, options.guideline_gwp_set, month),
                             library.grid(options.guideline_series, month, "China"), None, heat)
    if regime == "inventory":
        notes = ()
        try:
            grid = library.grid(options.location_series, month, options.grid_region)
        except MissingFactor:  # province > region > national
            grid = library.grid("national_average", month, "China")
            notes = (f"no {options.location_series} factor for {options.grid_region}: national average used",)
        try:
            market = library.grid("residual_mix", month, "China")
        except MissingFactor:
            market = None
        return RegimeFactors(options.inventory_gwp_set, _gwp_rows(library, options.inventory_gwp_set, month),
                             grid, market, heat, notes)
    raise ValueError(f"unknown regime {regime!r} (known: {', '.join(REGIMES)})")


def compute_regimes(lines: Iterable[LineResult], library: FactorLibrary, month: date,
                    options: RegimeOptions = RegimeOptions()) -> dict[str, RegimeTotal]:
    """Every regime's total of one line set (an enterprise's month)."""
    sums = _Sums(lines)
    return {
        "ets": ets(sums, regime_factors(library, "ets", month, options), options.sector),
        "guideline": guideline(sums, regime_factors(library, "guideline", month, options), options.sector),
        "inventory": inventory(sums, regime_factors(library, "inventory", month, options)),
    }
