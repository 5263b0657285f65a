"""The emission calculation: activity data and resolved factors in, tonnes out, with a trace of how.

Pure functions over exact Decimals (GB/T 32150-2015 formulas): no Flask, no database, no rounding until
display. Every figure can be reproduced from its trace alone: the inputs as typed, the quantity in the
factor's unit, each factor's id, version, values and source, and whether a parameter was measured.
Anything that would need a guess (an unknown unit, a missing factor, a negative quantity) is a
CalculationError naming the source and the month, never a silent default.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from types import MappingProxyType
from typing import Any

from app.accounting.library import Factor, FactorLibrary, MissingFactor
from app.accounting.methods import DEFAULT_METHOD, LEGACY, LEGACY_CATEGORIES, METHODS, Inputs, Masses, MethodError
from app.accounting.units import UnitError, canonical_unit, convert, dimension

__all__ = [
    "SCOPES",
    "CalculationError",
    "LineFactors",
    "LineInput",
    "LineResult",
    "Masses",
    "Settings",
    "Totals",
    "compute",
    "compute_line",
    "line_factors",
    "totals",
]

SCOPES = {"stationary_combustion": "1", "mobile_combustion": "1", "process": "1", "fugitive": "1",
          "purchased_electricity": "2", "purchased_heat": "2",
          "exported_electricity": "export", "exported_heat": "export", "scope3": "3"}
FUEL_CATEGORIES = ("stationary_combustion", "mobile_combustion")
HEAT_MATERIALS = ("heat", "steam", "hot_water")
# Measured parameters a line may carry, by what it is; anything else is refused rather than ignored.
FUEL_PARAMETERS = ("ncv", "carbon_content", "oxidation_rate")

# decimal128 precision: every product of typed figures is exact; only the final /12, /1000 or a unit ratio
# such as GJ/tce rounds, at the 34th significant digit.
CTX = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
ZERO = Decimal(0)
EMPTY: Mapping = MappingProxyType({})
NO_NAMES: frozenset = frozenset()
THOUSAND = Decimal(1000)
TWELVE = Decimal(12)

FUEL_FORMULA = "CO2 = FC × NCV × CC × OF × 44/12"
NON_CO2_FORMULA = "CH4 = FC × NCV / 1000 × EF_CH4 (kg/TJ) / 1000; N2O likewise; CO2e = CO2 + CH4 × GWP + N2O × GWP"
PROCESS_FORMULA = "CO2 = carbonate (t) × EF (tCO2/t)"
PURITY_FORMULA = "CO2 = carbonate (t) × purity (%) / 100 × EF (tCO2/t)"
FUGITIVE_FORMULA = "CO2e = gas (t) × GWP"
ELECTRICITY_FORMULA = "CO2 = MWh × EF (tCO2/MWh)"
MARKET_FORMULA = "CO2 (market-based) = (MWh − green MWh) × residual-mix EF"
HEAT_FORMULA = "CO2 = GJ × EF (tCO2/GJ)"
STEAM_FORMULA = "GJ = t × (enthalpy kJ/kg − feedwater enthalpy kJ/kg) / 1000; CO2 = GJ × EF"
HOT_WATER_FORMULA = "GJ = t × (T °C − reference °C) × 4.1868 kJ/(kg·K) / 1000; CO2 = GJ × EF"
SCOPE3_FORMULA = "CO2e = quantity (declared unit) × declared factor (tCO2e per declared unit)"
ENERGY_NOTE = "energy_tce = GJ / 29.3076 (GB/T 2589); electricity at its calorific equivalent, 1 MWh = 3.6 GJ"


@dataclass(frozen=True)
class LineInput:
    source_id: int
    source_name: str
    category: str
    material: str
    month: date
    quantity: Decimal
    unit: str
    measured: Mapping[str, Decimal] = field(default_factory=dict)
    green_mwh: Decimal | None = None
    declared_factor: Decimal | None = None
    declared_unit: str | None = None
    declared_source: str | None = None
    # Calculation method (app.accounting.methods); None: the category's method of today (DEFAULT_METHOD).
    method: str | None = None
    # The method's inputs by their API names: numbers, a composition {"CH4": 35, ...}, items, pairs.
    parameters: Mapping[str, Any] = field(default_factory=dict)
    # Per parameter: "measured" (the default for a filed value) or "substituted", with its reason.
    provenance: Mapping[str, str] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
    # Parameters the monitoring plan says are measured: a default standing in for one is a substitution.
    planned_measured: frozenset = NO_NAMES
    # A generating unit (or method power_coal): electricity and heat supplied are never deducted.
    generating_unit: bool = False


@dataclass(frozen=True)
class Settings:
    gwp_set: str = "AR5"
    grid_series: str = "national_average"
    include_ch4_n2o: bool = False   # China's enterprise guidelines count CO2 only for fuel combustion
    grid_region: str = "China"      # "China", or a region name with grid_series="regional_average"


@dataclass(frozen=True)
class LineFactors:
    primary: Factor | None = None
    residual: Factor | None = None
    steam: Factor | None = None
    non_co2: Factor | None = None
    gwp: Mapping[str, Decimal] = field(default_factory=dict)
    defaults: Mapping[str, Factor] = field(default_factory=dict)  # a method's default parameters, by code


@dataclass(frozen=True)
class LineResult:
    source_id: int
    month: date
    category: str
    scope: str
    co2_t: Decimal
    ch4_t: Decimal
    n2o_t: Decimal
    other_t: Mapping[str, Decimal]
    co2e_t: Decimal
    co2e_market_t: Decimal | None
    energy_tce: Decimal
    trace: dict
    method: str = ""
    masses: Masses = Masses()  # gases and energy flows before any GWP (regimes are computed from these)
    generating_unit: bool = False
    substituted: tuple = ()    # names of the parameters that rest on substituted values


@dataclass(frozen=True)
class Totals:
    scope1: Decimal
    scope2: Decimal             # location-based
    scope2_market: Decimal      # market-based where a line has one, else that line's location-based figure
    scope3: Decimal             # reported separately, never in total
    exported: Decimal
    total: Decimal              # scope1 + scope2 − exported (GB/T 32150)
    total_market: Decimal       # scope1 + scope2_market − exported
    energy_tce: Decimal         # scope 1 and 2 energy in, minus energy exported
    by_gas: dict[str, Decimal]  # tonnes of each gas over the same lines as total (so Σ gas × GWP = total)
    supplied: Decimal = ZERO    # electricity/heat supplied by a set with a generating unit: never deducted


class CalculationError(ValueError):
    def __init__(self, source_name: str, month: date, message: str):
        self.source_name, self.month, self.message = source_name, month, message
        super().__init__(f"{source_name}, {_month_text(month)}: {message}")


class _Bad(Exception):
    """Raised inside a calculation; compute_line adds the source and month."""


def _month_text(month) -> str:
    try:
        return f"{month:%Y-%m}"
    except (TypeError, ValueError):
        return repr(month)


# ---------------------------------------------------------------------------------------- factor resolution

def line_factors(library: FactorLibrary, line: LineInput, settings: Settings) -> LineFactors:
    """The factors `line` needs for its month; a missing one is a CalculationError naming source and month."""
    try:
        _check_month(line.month)
        category, material, month = line.category, line.material, line.month
        code = _method_code(line)
        if code not in LEGACY:
            return _method_factors(library, line, METHODS[code], settings)
        if category in FUEL_CATEGORIES:
            primary = library.resolve("fuel", material, month)
            if not settings.include_ch4_n2o:
                return LineFactors(primary=primary)
            # Stationary defaults (IPCC Table 2.2) must not stand in for vehicles (IPCC Vol. 2 Ch. 3).
            series = "stationary" if category == "stationary_combustion" else "mobile"
            non_co2 = library.resolve("combustion_non_co2", material, month, series=series)
            return LineFactors(primary=primary, non_co2=non_co2, gwp=library.gwp(settings.gwp_set, month))
        if category == "process":
            return LineFactors(primary=library.resolve("process", material, month))
        if category == "fugitive":
            rows = library.gwp_factors(settings.gwp_set, month)
            gas = _gas_name(material, rows, settings.gwp_set)
            return LineFactors(primary=rows[gas], gwp={gas: rows[gas].values["gwp"]})
        if category in ("purchased_electricity", "exported_electricity"):
            primary = library.grid(settings.grid_series, month, settings.grid_region)
            residual = None
            if category == "purchased_electricity":
                try:
                    residual = library.grid("residual_mix", month, settings.grid_region)
                except MissingFactor:
                    residual = None  # no market-based figure; the result says so with co2e_market_t = None
            return LineFactors(primary=primary, residual=residual)
        if category in ("purchased_heat", "exported_heat"):
            primary = library.resolve("heat", "default", month)
            if material in ("steam", "hot_water") and dimension(line.unit) == "mass":
                return LineFactors(primary=primary, steam=library.resolve("steam_conversion", "default", month))
            return LineFactors(primary=primary)
        if category == "scope3":
            return LineFactors()
        raise _Bad(_unknown_category(category))
    except (MissingFactor, UnitError, _Bad) as e:
        raise CalculationError(line.source_name, line.month, str(e)) from e


def _method_code(line: LineInput) -> str:
    """The line's method: as named, or its category's method of today; a method of today fits its categories only."""
    code = line.method
    if code is None:
        code = DEFAULT_METHOD.get(line.category)
        if code is None:
            raise _Bad(_unknown_category(line.category))
        return code
    if code not in METHODS:
        raise _Bad(f"unknown method {code!r} (known: {', '.join(METHODS)})")
    if code in LEGACY and line.category not in LEGACY_CATEGORIES[code]:
        raise _Bad(f"method {code!r} does not fit category {line.category!r}")
    return code


def _method_factors(library: FactorLibrary, line: LineInput, method, settings: Settings) -> LineFactors:
    defaults = {}
    for code in method.defaults:
        try:
            defaults[code] = library.resolve("method_default", code, line.month)
        except MissingFactor:
            pass  # only an error if the line needs it (the method names the missing default then)
    return LineFactors(primary=check_reference(library, method.code, line.material, line.month), defaults=defaults,
                       gwp=library.gwp(settings.gwp_set, line.month))


# The methods whose plausibility checks hold a measured value against a library factor (see check_reference).
CHECKED_AGAINST_LIBRARY = frozenset({"power_coal"})


def check_reference(library: FactorLibrary, code: str, material: str | None, month: date) -> Factor | None:
    """The factor a method's plausibility checks hold a measured value against: a coal unit's NCV against its fuel's
    library NCV (sector-methods.md §10: outside ±20 % a warning, outside ±50 % a unit error). None for other methods."""
    if code not in CHECKED_AGAINST_LIBRARY:
        return None
    try:
        return library.resolve("fuel", material or "raw_coal", month)
    except MissingFactor:
        return None


def _gas_name(material: str, known: Mapping, set_name: str) -> str:
    if material in known:
        return material
    wanted = material.strip().casefold()
    for gas in known:
        if gas.casefold() == wanted:
            return gas
    raise _Bad(f"gas {material!r} has no GWP in the {set_name} set (known: {', '.join(sorted(known))})")


def _unknown_category(category) -> str:
    return f"unknown category {category!r} (expected one of: {', '.join(SCOPES)})"


def _check_month(month):
    if not isinstance(month, date) or month.day != 1:
        raise _Bad(f"month must be the first day of a month, got {month!r}")


# ------------------------------------------------------------------------------------------- calculation

def compute_line(line: LineInput, factors: LineFactors, settings: Settings) -> LineResult:
    """One source-month, exactly. Raises CalculationError naming the source and month."""
    try:
        code = line.method
        if code is None or code in LEGACY:
            calculate = _CALCULATORS.get(line.category)
            if calculate is None:
                raise _Bad(_unknown_category(line.category))
            if code is not None:
                _method_code(line)
        else:
            method = METHODS.get(code)
            if method is None:
                raise _Bad(f"unknown method {code!r} (known: {', '.join(METHODS)})")
            calculate = _method_calculator(method)
        _check_month(line.month)
        quantity = _number(line.quantity, "quantity")
        with localcontext(CTX):
            return calculate(line, quantity, factors, settings)
    except (_Bad, UnitError, MethodError) as e:
        raise CalculationError(line.source_name, line.month, str(e)) from e
    except DecimalException as e:
        raise CalculationError(line.source_name, line.month, f"arithmetic error ({type(e).__name__})") from e


def compute(lines: Iterable[LineInput], library: FactorLibrary, settings: Settings) -> list[LineResult]:
    """Every line or nothing: the first error raises and no partial result is returned."""
    resolved = {}
    results = []
    for line in lines:
        key = (line.category, line.material, line.month, line.unit, line.method)
        factors = resolved.get(key)
        if factors is None:
            factors = resolved[key] = line_factors(library, line, settings)
        results.append(compute_line(line, factors, settings))
    return results


def _number(value, what: str, positive: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise _Bad(f"{what} must be a Decimal, got {type(value).__name__} {value!r}")
    value = Decimal(value)
    if not value.is_finite():
        raise _Bad(f"{what} is not a finite number ({value})")
    if value < 0 or (positive and value == 0):
        raise _Bad(f"{what} must be {'positive' if positive else 'zero or more'}, got {value}")
    return value


def _measured(line: LineInput, allowed: tuple[str, ...]) -> Mapping[str, Decimal]:
    measured = line.measured
    if measured:
        unknown = [key for key in measured if key not in allowed]
        if unknown:
            expected = ", ".join(allowed) if allowed else "none for this kind of source"
            raise _Bad(f"unknown measured parameter {', '.join(map(repr, unknown))} (expected: {expected})")
    return measured


def _parameters(line: LineInput) -> Mapping[str, Decimal]:
    """The combustion method's parameters by their API names (ncv, carbon_content, oxidation_rate), as measured."""
    unknown = [key for key in line.parameters if key not in FUEL_PARAMETERS]
    if unknown:
        raise _Bad(f"unknown parameter {', '.join(map(repr, unknown))} (expected: {', '.join(FUEL_PARAMETERS)})")
    return {k: v if isinstance(v, Decimal) else _decimal(v, k) for k, v in line.parameters.items() if v is not None}


def _decimal(value, what: str) -> Decimal:
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str)):
        raise _Bad(f"{what} must be a Decimal, got {type(value).__name__} {value!r}")
    try:
        return Decimal(value)
    except ArithmeticError:
        raise _Bad(f"{what} is not a number ({value!r})") from None


def _require(factor: Factor | None, kind: str, line: LineInput) -> Factor:
    if factor is None or factor.kind != kind:
        raise _Bad(f"no {kind} factor resolved for {line.material!r}")
    return factor


def _cached(factor: Factor, name: str, build):
    """Per-factor-version memo kept on the (immutable) factor, like functools.cached_property."""
    found = factor.__dict__.get(name)
    if found is None:
        found = factor.__dict__[name] = build(factor)
    return found


_SETTINGS_TRACE: dict[Settings, dict] = {}
_MONTH_TEXT: dict[date, str] = {}  # strftime costs more than the arithmetic


def _trace(line: LineInput, formula: str, inputs: dict, factors: list, settings: Settings, **extra) -> dict:
    settings_trace = _SETTINGS_TRACE.get(settings)
    if settings_trace is None:
        settings_trace = _SETTINGS_TRACE[settings] = {
            "gwp_set": settings.gwp_set, "grid_series": settings.grid_series,
            "include_ch4_n2o": settings.include_ch4_n2o, "grid_region": settings.grid_region,
        }
    month = _MONTH_TEXT.get(line.month)
    if month is None:
        month = _MONTH_TEXT[line.month] = f"{line.month:%Y-%m}"
    trace = {
        "formula": formula,
        "line": {"source_id": line.source_id, "source_name": line.source_name, "category": line.category,
                 "scope": SCOPES[line.category], "material": line.material, "month": month},
        "inputs": inputs,
        "factors": [f.trace for f in factors],
        "settings": settings_trace,
    }
    trace.update(extra)
    return trace


def _inputs(line: LineInput, unit: str, converted: Decimal) -> dict:
    return {"quantity": str(line.quantity), "unit": line.unit, "factor_unit": unit,
            "quantity_in_factor_unit": str(converted)}


def _fuel_default_parameters(factor: Factor) -> dict:
    return {name: {"value": str(factor.values[name]), "unit": _fuel_parameter_unit(name, factor), "origin": "default"}
            for name in FUEL_PARAMETERS}


def _fuel_parameter_unit(name: str, factor: Factor) -> str:
    return {"ncv": f"GJ/{factor.unit}", "carbon_content": "tC/GJ", "oxidation_rate": "1"}[name]


def _fuel(line, quantity, factors, settings):
    factor = _require(factors.primary, "fuel", line)
    fc = convert(quantity, line.unit, factor.unit)
    measured = _measured(line, FUEL_PARAMETERS) if line.measured or not line.parameters else _parameters(line)
    if measured:
        values = {}
        parameters = {}
        for name in FUEL_PARAMETERS:
            if name in measured:
                value = _number(measured[name], f"measured {name}", positive=True)
                if name == "oxidation_rate" and value > 1:
                    raise _Bad(f"measured oxidation_rate must be at most 1, got {value}")
                origin = "measured"
            else:
                value, origin = factor.values[name], "default"
            values[name] = value
            parameters[name] = {"value": str(value), "unit": _fuel_parameter_unit(name, factor), "origin": origin}
        ncv = values["ncv"]
        co2 = fc * ncv * values["carbon_content"] * values["oxidation_rate"] * 44 / TWELVE
    else:
        ncv = factor.values["ncv"]
        # NCV × CC × OF × 44 is an exact product kept per factor version; multiplying before /12 loses nothing.
        co2 = fc * factor.co2_times_12 / TWELVE
        parameters = _cached(factor, "_default_parameters", _fuel_default_parameters)
    gj = fc * ncv
    used = [factor]
    ch4 = n2o = ZERO
    co2e = co2
    formula = FUEL_FORMULA
    extra = {}
    if settings.include_ch4_n2o:
        non_co2 = _require(factors.non_co2, "combustion_non_co2", line)
        gwp = factors.gwp
        missing = [gas for gas in ("CH4", "N2O") if gas not in gwp]
        if missing:
            raise _Bad(f"no GWP for {', '.join(missing)} in the {settings.gwp_set} set")
        tj = gj / THOUSAND
        ch4 = tj * non_co2.values["ch4_kg_per_tj"] / THOUSAND
        n2o = tj * non_co2.values["n2o_kg_per_tj"] / THOUSAND
        co2e = co2 + ch4 * gwp["CH4"] + n2o * gwp["N2O"]
        used.append(non_co2)
        formula = f"{FUEL_FORMULA}; {NON_CO2_FORMULA}"
        extra["gwp"] = {"set": settings.gwp_set, "values": {"CH4": str(gwp["CH4"]), "N2O": str(gwp["N2O"])}}
    return LineResult(
        source_id=line.source_id, month=line.month, category=line.category, scope="1",
        co2_t=co2, ch4_t=ch4, n2o_t=n2o, other_t={}, co2e_t=co2e, co2e_market_t=None,
        energy_tce=convert(gj, "GJ", "tce"),
        trace=_trace(line, formula, _inputs(line, factor.unit, fc), used, settings,
                     parameters=parameters, energy={"gj": str(gj), "note": ENERGY_NOTE}, **extra),
        method="combustion", masses=Masses(co2_fossil_t=co2, ch4_fossil_t=ch4, n2o_t=n2o),
        generating_unit=line.generating_unit,
    )


def _process(line, quantity, factors, settings):
    factor = _require(factors.primary, "process", line)
    _measured(line, ())
    tonnes = convert(quantity, line.unit, factor.unit)
    co2 = tonnes * factor.values["ef"]
    extra = {}
    formula = PROCESS_FORMULA
    if line.parameters:
        unknown = [key for key in line.parameters if key != "purity"]
        if unknown:
            raise _Bad(f"unknown parameter {', '.join(map(repr, unknown))} (expected: purity)")
        purity = _number(_decimal(line.parameters["purity"], "purity"), "purity", positive=True)
        if purity > 100:
            raise _Bad(f"purity is a percentage of at most 100, got {purity}")
        co2 = co2 * purity / 100
        formula = PURITY_FORMULA
        extra["parameters"] = {"purity": {"value": str(purity), "unit": "%",
                                          "provenance": line.provenance.get("purity", "measured")}}
    return LineResult(
        source_id=line.source_id, month=line.month, category=line.category, scope="1",
        co2_t=co2, ch4_t=ZERO, n2o_t=ZERO, other_t={}, co2e_t=co2, co2e_market_t=None, energy_tce=ZERO,
        trace=_trace(line, formula, _inputs(line, factor.unit, tonnes), [factor], settings, **extra),
        method="carbonate", masses=Masses(co2_fossil_t=co2), generating_unit=line.generating_unit,
    )


def _fugitive(line, quantity, factors, settings):
    _measured(line, ())
    gas = _gas_name(line.material, factors.gwp, settings.gwp_set)
    gwp = factors.gwp[gas]
    tonnes = convert(quantity, line.unit, "t")
    co2e = tonnes * gwp
    co2 = ch4 = n2o = ZERO
    other = {}
    if gas == "CO2":
        co2 = tonnes
        masses = Masses(co2_fossil_t=tonnes)
    elif gas in ("CH4", "CH4-fossil", "CH4-non-fossil"):
        ch4 = tonnes
        masses = Masses(ch4_bio_t=tonnes) if gas == "CH4-non-fossil" else Masses(ch4_fossil_t=tonnes)
    elif gas == "N2O":
        n2o = tonnes
        masses = Masses(n2o_t=tonnes)
    else:
        other = {gas: tonnes}
        masses = Masses(fgas_t=other)
    used = [factors.primary] if factors.primary is not None else []
    return LineResult(
        source_id=line.source_id, month=line.month, category=line.category, scope="1",
        co2_t=co2, ch4_t=ch4, n2o_t=n2o, other_t=other, co2e_t=co2e, co2e_market_t=None, energy_tce=ZERO,
        trace=_trace(line, FUGITIVE_FORMULA, _inputs(line, "t", tonnes), used, settings,
                     gwp={"set": settings.gwp_set, "values": {gas: str(gwp)}}),
        method="fugitive_gas", masses=masses, generating_unit=line.generating_unit,
    )


def _electricity(line, quantity, factors, settings):
    factor = _require(factors.primary, "electricity", line)
    if line.material != "electricity":
        raise _Bad(f"material {line.material!r} is not electricity")
    _measured(line, ())
    if canonical_unit(line.unit) == "tce":
        # Electricity in tce depends on the method (calorific 0.1229 or coal-equivalent); the meter reads kWh.
        raise _Bad("enter electricity in kWh or MWh as metered, not tce")
    mwh = convert(quantity, line.unit, factor.unit)
    co2 = mwh * factor.values["ef"]
    market = None
    green = line.green_mwh
    used = [factor]
    inputs = _inputs(line, factor.unit, mwh)
    formula = ELECTRICITY_FORMULA
    if line.category == "purchased_electricity":
        if green is not None:
            green = _number(green, "green_mwh")
            if green > mwh:
                raise _Bad(f"green_mwh ({green}) exceeds the electricity purchased ({mwh} MWh)")
            inputs["green_mwh"] = str(green)
        residual = factors.residual
        if residual is not None:
            market = (mwh - (green or ZERO)) * _require(residual, "electricity", line).values["ef"]
            used.append(residual)
            formula = f"{ELECTRICITY_FORMULA}; {MARKET_FORMULA}"
    elif green is not None:
        raise _Bad("green_mwh applies only to purchased electricity")
    gj = convert(mwh, "MWh", "GJ")  # exact: 3.6
    if line.category == "purchased_electricity":
        method, masses = "electricity_in", Masses(elec_in_mwh=mwh, elec_green_mwh=green or ZERO)
    else:
        method, masses = "electricity_out", Masses(elec_out_mwh=mwh)
    return LineResult(
        source_id=line.source_id, month=line.month, category=line.category, scope=SCOPES[line.category],
        co2_t=co2, ch4_t=ZERO, n2o_t=ZERO, other_t={}, co2e_t=co2, co2e_market_t=market,
        energy_tce=convert(mwh, "MWh", "tce"),
        trace=_trace(line, formula, inputs, used, settings, energy={"gj": str(gj), "note": ENERGY_NOTE}),
        method=method, masses=masses, generating_unit=line.generating_unit,
    )


def _heat(line, quantity, factors, settings):
    factor = _require(factors.primary, "heat", line)
    material = line.material
    if material not in HEAT_MATERIALS:
        raise _Bad(f"material {material!r} is not one of {', '.join(HEAT_MATERIALS)}")
    extra = {}
    if material == "heat" or dimension(line.unit) == "energy":
        _measured(line, ())
        gj = convert(quantity, line.unit, factor.unit)
        inputs = _inputs(line, factor.unit, gj)
        formula = HEAT_FORMULA
        used = [factor]
    else:
        steam = _require(factors.steam, "steam_conversion", line)
        tonnes = convert(quantity, line.unit, "t")
        values = steam.values
        if material == "steam":
            name = "enthalpy_kj_per_kg"
            _measured(line, (name,))
            if name not in line.measured:
                raise _Bad(f"steam in tonnes needs its measured {name} (from its temperature and pressure)")
            enthalpy = _number(line.measured[name], f"measured {name}", positive=True)
            feedwater = values["feedwater_enthalpy_kj_per_kg"]
            if enthalpy < feedwater:
                raise _Bad(f"measured {name} ({enthalpy}) is below the feedwater enthalpy ({feedwater})")
            gj = tonnes * (enthalpy - feedwater) / THOUSAND
            formula = STEAM_FORMULA
            parameters = {name: {"value": str(enthalpy), "unit": "kJ/kg", "origin": "measured"}}
        else:
            name = "temperature_c"
            _measured(line, (name,))
            if name not in line.measured:
                raise _Bad(f"hot water in tonnes needs its measured {name}")
            temperature = _number(line.measured[name], f"measured {name}")
            reference = values["water_ref_temp_c"]
            if temperature < reference:
                raise _Bad(f"measured {name} ({temperature}) is below the reference {reference} °C")
            gj = tonnes * (temperature - reference) * values["water_heat_capacity_kj_per_kg_k"] / THOUSAND
            formula = HOT_WATER_FORMULA
            parameters = {name: {"value": str(temperature), "unit": "°C", "origin": "measured"}}
        inputs = _inputs(line, "t", tonnes)
        inputs["gj"] = str(gj)
        used = [steam, factor]
        extra["parameters"] = parameters
    co2 = gj * factor.values["ef"]
    if line.category == "purchased_heat":
        method, masses = "heat_in", Masses(heat_in_gj=gj)
    else:
        method, masses = "heat_out", Masses(heat_out_gj=gj)
    return LineResult(
        source_id=line.source_id, month=line.month, category=line.category, scope=SCOPES[line.category],
        co2_t=co2, ch4_t=ZERO, n2o_t=ZERO, other_t={}, co2e_t=co2, co2e_market_t=None,
        energy_tce=convert(gj, "GJ", "tce"),
        trace=_trace(line, formula, inputs, used, settings, energy={"gj": str(gj), "note": ENERGY_NOTE}, **extra),
        method=method, masses=masses, generating_unit=line.generating_unit,
    )


def _scope3(line, quantity, factors, settings):
    _measured(line, ())
    if line.declared_factor is None or not line.declared_unit:
        raise _Bad("scope 3 needs a declared factor (tCO2e per declared unit) with its unit and source")
    if not (line.declared_source or "").strip():
        raise _Bad("the declared scope 3 factor needs a source (a citation the regulator can check)")
    declared = _number(line.declared_factor, "declared factor")
    if line.unit.strip() == line.declared_unit.strip():
        converted = quantity  # units such as tkm or CNY are outside the unit registry; same text, no conversion
    else:
        converted = convert(quantity, line.unit, line.declared_unit)
    co2e = converted * declared
    inputs = _inputs(line, line.declared_unit, converted)
    return LineResult(
        source_id=line.source_id, month=line.month, category=line.category, scope="3",
        co2_t=ZERO, ch4_t=ZERO, n2o_t=ZERO, other_t={}, co2e_t=co2e, co2e_market_t=None, energy_tce=ZERO,
        trace=_trace(line, SCOPE3_FORMULA, inputs, [], settings,
                     declared={"factor": str(declared), "unit": line.declared_unit, "source": line.declared_source}),
        method="scope3",
    )


_METHOD_CALCULATORS: dict[str, object] = {}


def _method_calculator(method):
    found = _METHOD_CALCULATORS.get(method.code)
    if found is None:
        def calculate(line, quantity, factors, settings):
            return _by_method(method, line, quantity, factors, settings)
        found = _METHOD_CALCULATORS[method.code] = calculate
    return found


_TARGET_UNIT: dict[tuple, str | None] = {}


def _target_unit(accepted: tuple, unit: str) -> str | None:
    key = (accepted, unit)
    if key not in _TARGET_UNIT:
        found = None
        for target in accepted:
            if target == "d" or unit == "d":
                if target == unit:
                    found = target
                    break
                continue
            if dimension(unit) == dimension(target):
                found = target
                break
        _TARGET_UNIT[key] = found
    return _TARGET_UNIT[key]


def _method_quantity(method, line: LineInput, quantity: Decimal) -> tuple[Decimal, str]:
    """The quantity in the method's unit; "d" (days in operation) and unit-less methods take it as typed."""
    accepted = method.quantity_units
    if not accepted:
        return quantity, line.unit
    target = _target_unit(accepted, line.unit)
    if target is None:
        raise _Bad(f"method {method.code} takes its quantity in {' or '.join(accepted)}, not {line.unit!r}")
    return (quantity, target) if target == "d" else (convert(quantity, line.unit, target), target)


def _by_method(method, line, quantity, factors, settings):
    """A line computed by one of the sector methods: gas masses first, then CO2e with the settings' GWP set."""
    converted, unit = _method_quantity(method, line, quantity)
    allowed = method.param_names
    unknown = [name for name in line.parameters if name not in allowed]
    if unknown:
        raise _Bad(f"unknown parameter {', '.join(map(repr, unknown))} for method {method.code} "
                   f"(expected: {', '.join(p.name for p in method.params) or 'none'})")
    if line.measured:
        raise _Bad(f"method {method.code} takes its values as parameters, not as measured fuel parameters")
    inputs = Inputs(method, line, converted, factors.defaults)
    masses = method.calculate(inputs)
    gwp = factors.gwp
    ch4 = masses.ch4_fossil_t + masses.ch4_bio_t - masses.ch4_recovered_t
    if ch4 < 0:
        ch4 = ZERO  # recovered methane only offsets the vent it came from
    co2e = masses.co2_fossil_t
    used_gwp = {}
    for gas, tonnes in (("CH4", ch4), ("N2O", masses.n2o_t), *masses.fgas_t.items()):
        if tonnes:
            if gas not in gwp:
                raise _Bad(f"no GWP for {gas} in the {settings.gwp_set} set")
            co2e += tonnes * gwp[gas]
            used_gwp[gas] = str(gwp[gas])
    extra = {"method": method.code, "parameters": inputs.traced, "masses": masses.as_text()}
    if inputs.substituted:
        extra["substituted"] = list(inputs.substituted)
    if used_gwp:
        extra["gwp"] = {"set": settings.gwp_set, "values": used_gwp}
    gj = inputs.energy_gj
    if gj:
        extra["energy"] = {"gj": str(gj), "note": ENERGY_NOTE}
    trace = _trace(line, method.formula, {"quantity": str(line.quantity), "unit": line.unit, "method_unit": unit,
                                          "quantity_in_method_unit": str(converted)},
                   inputs.used, settings, **extra)
    trace["line"]["scope"] = method.scope
    return LineResult(
        source_id=line.source_id, month=line.month, category=line.category, scope=method.scope,
        co2_t=masses.co2_fossil_t, ch4_t=ch4, n2o_t=masses.n2o_t, other_t=dict(masses.fgas_t),
        co2e_t=co2e if method.scope != "memo" else ZERO, co2e_market_t=None,
        energy_tce=convert(gj, "GJ", "tce") if gj else ZERO, trace=trace, method=method.code, masses=masses,
        generating_unit=line.generating_unit or method.code == "power_coal", substituted=tuple(inputs.substituted),
    )


_CALCULATORS = {
    "stationary_combustion": _fuel, "mobile_combustion": _fuel, "process": _process, "fugitive": _fugitive,
    "purchased_electricity": _electricity, "exported_electricity": _electricity,
    "purchased_heat": _heat, "exported_heat": _heat, "scope3": _scope3,
}


# ------------------------------------------------------------------------------------------------ totals

def totals(results: Iterable[LineResult]) -> Totals:
    """Sums by scope. total = scope 1 + scope 2 − exported (GB/T 32150); scope 3 stays outside the total.

    A set with a generating unit deducts nothing it supplies (`supplied` instead of `exported`); memo lines (CO2
    recovered) count in no total here: the regimes (app.accounting.regimes) say where each belongs."""
    results = results if isinstance(results, (list, tuple)) else list(results)
    generator = any(r.generating_unit for r in results)
    scope1 = scope2 = scope2_market = scope3 = exported = energy = supplied = ZERO
    gases = {"CO2": ZERO, "CH4": ZERO, "N2O": ZERO}
    with localcontext(CTX):
        for r in results:
            scope = r.scope
            if scope == "3":
                scope3 += r.co2e_t
                continue
            if scope == "memo":
                continue
            if scope == "export" and generator:
                supplied += r.co2e_t
                continue
            sign = 1
            if scope == "1":
                scope1 += r.co2e_t
            elif scope == "2":
                scope2 += r.co2e_t
                scope2_market += r.co2e_t if r.co2e_market_t is None else r.co2e_market_t
            elif scope == "export":
                exported += r.co2e_t
                sign = -1
            else:
                raise ValueError(f"unknown scope {scope!r} in a result for source {r.source_id}")
            energy += sign * r.energy_tce
            gases["CO2"] += sign * r.co2_t
            gases["CH4"] += sign * r.ch4_t
            gases["N2O"] += sign * r.n2o_t
            for gas, tonnes in r.other_t.items():
                gases[gas] = gases.get(gas, ZERO) + sign * tonnes
        return Totals(
            scope1=scope1, scope2=scope2, scope2_market=scope2_market, scope3=scope3, exported=exported,
            total=scope1 + scope2 - exported, total_market=scope1 + scope2_market - exported,
            energy_tce=energy, by_gas=gases, supplied=supplied,
        )
