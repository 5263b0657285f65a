"""Readable names of source categories and scopes (GB/T 32150-2015 and the GHG Protocol)."""
from flask_babel import lazy_gettext as _l

from app.accounting import engine
from app.audit_log.labels import name_values

CATEGORY_LABELS = {
    "stationary_combustion": _l("Stationary fuel combustion"),
    "mobile_combustion": _l("Mobile combustion"),
    "process": _l("Industrial process"),
    "fugitive": _l("Fugitive emissions"),
    "purchased_electricity": _l("Purchased electricity"),
    "purchased_heat": _l("Purchased heat and steam"),
    "exported_electricity": _l("Exported electricity"),
    "exported_heat": _l("Exported heat"),
    "scope3": _l("Scope 3 (other indirect)"),
}

SCOPE_LABELS = {
    "1": _l("Scope 1"),
    "2": _l("Scope 2"),
    "3": _l("Scope 3"),
    "export": _l("Exported (deducted)"),
}


name_values(CATEGORY_LABELS, "category")
name_values(SCOPE_LABELS, "scope")


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


def scope_label(code: str) -> str:
    return SCOPE_LABELS.get(code, code)

TRACE_LABELS = {
    "quantity": _l("Activity data as entered"),
    "unit": _l("Unit as entered"),
    "factor_unit": _l("Unit of the factor"),
    "quantity_in_factor_unit": _l("Activity data in the factor's unit"),
    "ncv": _l("Net calorific value (NCV)"),
    "carbon_content": _l("Carbon content per unit of heat (CC)"),
    "oxidation_rate": _l("Oxidation rate (OF)"),
    "enthalpy_kj_per_kg": _l("Steam enthalpy"),
    "temperature_c": _l("Hot water temperature"),
    "green_mwh": _l("Green electricity (certificates or direct supply)"),
    "gj": _l("Heat (GJ)"),
}

# The engine's formulas (stored in every trace in this wording) as people read them.
FORMULA_LABELS = {
    engine.FUEL_FORMULA: _l("CO₂ = fuel consumed FC × net calorific value NCV × carbon content CC × "
                            "oxidation rate OF × 44/12"),
    engine.NON_CO2_FORMULA: _l("CH₄ = FC × NCV / 1000 × CH₄ emission factor (kg/TJ) / 1000; N₂O likewise; "
                               "CO₂e = CO₂ + CH₄ × GWP + N₂O × GWP"),
    engine.PROCESS_FORMULA: _l("CO₂ = carbonate consumed (t) × emission factor (tCO₂/t)"),
    engine.FUGITIVE_FORMULA: _l("CO₂e = gas released (t) × GWP"),
    engine.ELECTRICITY_FORMULA: _l("CO₂ = electricity (MWh) × grid emission factor (tCO₂/MWh)"),
    engine.MARKET_FORMULA: _l("CO₂ (market-based) = (MWh − green electricity MWh) × residual-mix emission factor"),
    engine.HEAT_FORMULA: _l("CO₂ = heat (GJ) × emission factor (tCO₂/GJ)"),
    engine.STEAM_FORMULA: _l("GJ = steam (t) × (enthalpy kJ/kg − feedwater enthalpy kJ/kg) / 1000; "
                             "CO₂ = GJ × emission factor"),
    engine.HOT_WATER_FORMULA: _l("GJ = hot water (t) × (temperature °C − reference °C) × 4.1868 kJ/(kg·K) / 1000; "
                                 "CO₂ = GJ × emission factor"),
    engine.SCOPE3_FORMULA: _l("CO₂e = quantity (declared unit) × declared factor (tCO₂e per declared unit)"),
}


def trace_label(key: str) -> str:
    """A readable name for a key of a calculation trace (the key itself stays in the stored trace)."""
    return str(TRACE_LABELS.get(key, key))


def formula_label(formula: str) -> str:
    """The trace's formula in the reader's language; a trace may join two formulas with "; "."""
    for known in sorted(FORMULA_LABELS, key=len, reverse=True):
        formula = formula.replace(known, str(FORMULA_LABELS[known])) if formula else ""
    return formula or ""
