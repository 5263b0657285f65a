"""Readable names of source categories and scopes (GB/T 32150-2015 and the GHG Protocol)."""
from flask_babel import lazy_gettext as _l

from app.accounting import engine
from app.accounting.methods import METHODS, power
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
    "memo": _l("Memo item (outside the totals)"),
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


# The sector methods' formulas (app.accounting.methods; stored in each trace in this wording).
FORMULA_LABELS.update({
    METHODS["power_coal"].formula: _l(
        "CO₂ = coal as fired FC × element carbon as received C_ar/100 × oxidation rate OF × 44/12; C_ar = C_ad × "
        "(100 − M_ar)/(100 − M_ad); a month without a valid carbon test: CO₂ = FC × NCV_ar × 0.03085 × OF × 44/12"),
    METHODS["fuel_gas"].formula: _l("CO₂ = gas burned Q (10⁴ Nm³) × carbon content CC_g × OF × 44/12; CC_g = Σ 12 × "
                                    "carbon number × volume share / 22.4 × 10"),
    METHODS["flare"].formula: _l("CO₂ = gas flared Q × (carbon content of the non-CO₂ components × OF × 44/12 + CO₂ "
                                 "share × 19.7); methane slip = Q × CH₄ share × (1 − OF) × 7.17"),
    METHODS["accident_flare"].formula: _l("CO₂ = gas flow × hours × carbon number × OF × 44/22.4 × 10"),
    METHODS["hydrogen_production"].formula: _l("CO₂ = [feed × its carbon content − (syngas × its carbon content + "
                                               "residue × its carbon content)] × 44/12"),
    METHODS["co2_recovery"].formula: _l("CO₂ recovered = volume (10⁴ Nm³) × purity × 19.7"),
    METHODS["fcc_coke_burn"].formula: _l("CO₂ = coke burned × carbon fraction × OF × 44/12"),
    METHODS["catalyst_regeneration"].formula: _l("CO₂ = catalyst regenerated × (carbon before − carbon after)/(1 − "
                                                 "carbon after) × 44/12"),
    METHODS["carbon_balance"].formula: _l("CO₂ = (Σ inputs × their carbon − Σ outputs × their carbon) × 44/12"),
    METHODS["clinker"].formula: _l("CO₂ = (clinker + bypass dust) × [(CaO − non-carbonate CaO) × 44/56 + (MgO − "
                                   "non-carbonate MgO) × 44/40]"),
    METHODS["raw_meal"].formula: _l("CO₂ = raw meal × organic carbon × 44/12"),
    METHODS["alternative_fuel"].formula: _l("Fossil CO₂ = fuel × carbon × (1 − biomass share) × 44/12; biomass CO₂ "
                                            "reported beside the totals"),
    METHODS["nitric_acid"].formula: _l("N₂O = production × emission factor × (1 − removal efficiency × share of "
                                       "hours with abatement)"),
    METHODS["equipment_leaks"].formula: _l("CH₄ = Σ equipment count × emission factor × days / 365"),
    METHODS["venting"].formula: _l("CH₄ = vented gas × CH₄ share × 7.17; CO₂ = vented gas × CO₂ share × 19.7; or Σ "
                                   "equipment count × emission factor × days / 365"),
})

MASS_LABELS = {
    "co2_fossil_t": _l("Fossil CO₂ (t)"), "co2_bio_t": _l("Biomass CO₂, outside the totals (t)"),
    "ch4_fossil_t": _l("Fossil CH₄ (t)"), "ch4_bio_t": _l("Biogenic CH₄ (t)"), "n2o_t": _l("N₂O (t)"),
    "fgas_t": _l("Fluorinated gases (t)"), "elec_in_mwh": _l("Electricity in (MWh)"),
    "elec_out_mwh": _l("Electricity supplied (MWh)"), "elec_green_mwh": _l("Green electricity (MWh)"),
    "heat_in_gj": _l("Heat in (GJ)"), "heat_out_gj": _l("Heat supplied (GJ)"),
    "co2_recovered_t": _l("CO₂ recovered (t)"), "co2_stored_t": _l("CO₂ stored geologically (t)"),
    "ch4_recovered_t": _l("CH₄ recovered (t)"),
}


# Why a value was substituted (the engine's and the plan check's reasons, stored in English or as a code).
SUBSTITUTION_REASONS = {
    power.NO_TEST: _l("No valid element-carbon test for the month: the guideline's default carbon content "
                      "(0.03085 tC/GJ) applies."),
    "measured in the plan, missing this month": _l("The monitoring plan says it is measured, but none was filed "
                                                   "this month: the conservative default applies."),
    "measured_parameter_missing": _l("The monitoring plan says it is measured, but none was filed this month: the "
                                     "conservative default applies."),
    "no measured purity: a deduction takes the lowest value, zero": _l(
        "No measured purity: a deduction takes the lowest value, zero."),
}


def substitution_reason(reason: str | None) -> str:
    return str(SUBSTITUTION_REASONS.get(reason or "", reason or _l("substituted")))


def mass_label(key: str) -> str:
    return str(MASS_LABELS.get(key, key))


def provenance_label(code: str | None) -> str:
    return str(PROVENANCE_LABELS.get(code, code or ""))


def regime_label(code: str | None) -> str:
    return str(REGIME_LABELS.get(code or "inventory", code))


def trace_label(key: str) -> str:
    """A readable name for a key of a calculation trace (the key itself stays in the stored trace)."""
    return str(TRACE_LABELS.get(key) or PARAMETER_LABELS.get(key, key))


def formula_label(formula: str) -> str:
    """The trace's formula in the reader's language; a trace may join two formulas with "; "."""
    for known in sorted(FORMULA_LABELS, key=len, reverse=True):
        formula = formula.replace(known, str(FORMULA_LABELS[known])) if formula else ""
    return formula or ""


# The calculation methods (app.accounting.methods) as people name them.
METHOD_LABELS = {
    "combustion": _l("Fuel combustion"),
    "carbonate": _l("Carbonate decomposition"),
    "fugitive_gas": _l("Fugitive gases"),
    "electricity_in": _l("Purchased electricity"),
    "electricity_out": _l("Exported electricity"),
    "heat_in": _l("Purchased heat"),
    "heat_out": _l("Exported heat"),
    "scope3": _l("Scope 3 (other indirect)"),
    "power_coal": _l("Coal in a generating unit (element carbon)"),
    "fuel_gas": _l("Fuel gas from its composition"),
    "flare": _l("Flare (normal operation)"),
    "accident_flare": _l("Flare (accident)"),
    "hydrogen_production": _l("Hydrogen production"),
    "co2_recovery": _l("CO2 recovered"),
    "fcc_coke_burn": _l("FCC coke burn-off"),
    "catalyst_regeneration": _l("Catalyst regeneration"),
    "carbon_balance": _l("Carbon mass balance"),
    "clinker": _l("Cement clinker"),
    "raw_meal": _l("Raw meal organic carbon"),
    "alternative_fuel": _l("Alternative fuel (fossil and biomass carbon)"),
    "nitric_acid": _l("Nitric acid (N2O)"),
    "adipic_acid": _l("Adipic acid (N2O)"),
    "equipment_leaks": _l("Equipment leaks"),
    "venting": _l("Venting"),
}

# A method's inputs, by their API names (the same name means the same thing in every method).
PARAMETER_LABELS = {
    "ncv": _l("Net calorific value"),
    "carbon_content": _l("Carbon content per unit of heat"),
    "oxidation_rate": _l("Oxidation rate"),
    "enthalpy_kj_per_kg": _l("Steam enthalpy"),
    "temperature_c": _l("Hot water temperature"),
    "purity": _l("Purity"),
    "ncv_ar": _l("Net calorific value, as received"),
    "ncv_daily": _l("Daily coal and net calorific value"),
    "c_ar": _l("Element carbon, as received"),
    "c_ad": _l("Element carbon, air-dried"),
    "c_d": _l("Element carbon, dry basis"),
    "m_ad": _l("Moisture, air-dried"),
    "m_ar": _l("Moisture, as received"),
    "composition": _l("Gas composition"),
    "ch4_slip": _l("Count methane slip"),
    "hours": _l("Hours of the events"),
    "industry": _l("Industry"),
    "carbon_number": _l("Average carbon number"),
    "feed_carbon_content": _l("Carbon content of the feed"),
    "syngas_quantity": _l("Syngas out"),
    "syngas_carbon_content": _l("Carbon content of the syngas"),
    "residue_quantity": _l("Residue out"),
    "residue_carbon_content": _l("Carbon content of the residue"),
    "geological_storage": _l("Stored geologically"),
    "carbon_fraction": _l("Carbon fraction of the coke"),
    "feed": _l("Feed"),
    "cf_pre": _l("Carbon on catalyst before regeneration"),
    "cf_post": _l("Carbon on catalyst after regeneration"),
    "inputs": _l("Carbon inputs"),
    "outputs": _l("Carbon outputs"),
    "cao": _l("CaO in clinker"),
    "cao_nc": _l("CaO from non-carbonate sources"),
    "mgo": _l("MgO in clinker"),
    "mgo_nc": _l("MgO from non-carbonate sources"),
    "bypass_dust": _l("Bypass dust"),
    "organic_carbon": _l("Organic carbon of the raw meal"),
    "carbon_pct": _l("Carbon content"),
    "biomass_fraction": _l("Biomass share of the carbon"),
    "process": _l("Production process"),
    "ef": _l("Emission factor"),
    "removal_efficiency": _l("Removal efficiency"),
    "abatement_use": _l("Share of hours with abatement"),
    "equipment": _l("Equipment counts"),
    "ch4_fraction": _l("Methane share of the gas"),
    "co2_fraction": _l("CO2 share of the gas"),
    "recovered_volume": _l("Gas recovered"),
    "recovered_purity": _l("Purity of the gas recovered"),
}

PROVENANCE_LABELS = {
    "measured": _l("measured"),
    "plan_default": _l("default"),
    "substituted": _l("substituted"),
    "calculated": _l("calculated"),
}

REGIME_LABELS = {
    "ets": _l("National ETS (sector guideline)"),
    "guideline": _l("24-industry guidelines"),
    "inventory": _l("GHG Protocol inventory"),
}


# The codes a choice input takes (app.accounting.methods: Param.choices), as people name them.
CHOICE_LABELS = {
    "industry": {"refining": _l("Petroleum refining"), "chemicals": _l("Chemicals")},
    "process": {"high_pressure": _l("High-pressure process"), "medium_pressure": _l("Medium-pressure process"),
                "atmospheric": _l("Atmospheric-pressure process"), "dual_pressure": _l("Dual-pressure process"),
                "combined": _l("Combined process"), "low_pressure": _l("Low-pressure process")},
}
# The equipment an oil or gas field counts for its leaks and venting (sector-methods.md §7).
EQUIPMENT_LABELS = {
    "oil_wellhead": _l("Oil wellheads"),
    "single_well_tank": _l("Single-well oil storage"),
    "transfer_station": _l("Transfer stations"),
    "combined_station": _l("Combined stations"),
    "gas_wellhead": _l("Gas wellheads"),
    "gathering_station": _l("Gas gathering stations"),
    "metering_station": _l("Metering and distribution stations"),
    "storage_station": _l("Gas storage stations"),
}


def choice_label(parameter: str, code: str | None) -> str:
    return str(CHOICE_LABELS.get(parameter, {}).get(code, code or ""))


def equipment_label(kind: str) -> str:
    return str(EQUIPMENT_LABELS.get(kind, kind))


def method_label(code: str | None) -> str:
    return str(METHOD_LABELS.get(code, code or "—"))


def parameter_label(name: str) -> str:
    return str(PARAMETER_LABELS.get(name, name))
