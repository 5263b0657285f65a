"""Calculation methods per source (sector-methods.md): what each takes, its defaults and plausibility bands.

The registry is the contract the filing, the API (`parameters` names) and the import template follow. The first eight
codes are today's categories' calculations, kept in app.accounting.engine so every existing result stays identical;
the others are small pure functions in the modules beside this one.
"""
from decimal import Decimal

from app.accounting.methods import balance, cement, chemicals, gases, oilgas, power, refinery
from app.accounting.methods.base import (
    BLOCK,
    WARN,
    Band,
    BandFamily,
    Inputs,
    Issue,
    Masses,
    Method,
    MethodError,
    Param,
    band_issues,
)

__all__ = ["BAND_FAMILIES", "BLOCK", "BandFamily", "DEFAULT_METHOD", "LEGACY", "METHODS", "WARN", "Inputs", "Issue", "Masses", "Method",
           "MethodError", "Param", "check", "method_for"]

PCT = Band(Decimal(0), Decimal(100))            # a share: [0, 100] %
PCT_OPEN = Band(Decimal(0), Decimal(100), low_open=True)
FRACTION = Band(Decimal(0), Decimal(1), low_open=True)   # OF: (0, 1]


def _pct(name, default=None, required=False, block=PCT, warn=None):
    return Param(name, "%", default=default, required=required, block=block, warn=warn)


def _of(default):
    return Param("oxidation_rate", "1", default=default, block=FRACTION)


COMPOSITION = Param("composition", "% vol", kind="composition")
T, NM3 = ("t",), ("10^4 Nm3",)

METHODS: dict[str, Method] = {m.code: m for m in (
    # --- today's calculations (engine.py) -------------------------------------------------------------------------
    Method("combustion", "combustion", "stationary_combustion", (), (
        Param("ncv", "GJ/unit"), Param("carbon_content", "tC/GJ"), _of(None)),
        "CO2 = FC × NCV × CC × OF × 44/12", combustion=True),
    Method("carbonate", "balance", "process", (), (_pct("purity", block=PCT_OPEN),),
           "CO2 = carbonate (t) × purity × EF (tCO2/t)"),
    Method("fugitive_gas", "fugitive", "fugitive", (), (), "CO2e = gas (t) × GWP"),
    Method("electricity_in", "energy", "purchased_electricity", (), (), "CO2 = MWh × EF (tCO2/MWh)"),
    Method("electricity_out", "energy", "exported_electricity", (), (), "CO2 = MWh × EF (tCO2/MWh)"),
    Method("heat_in", "energy", "purchased_heat", (), (
        Param("enthalpy_kj_per_kg", "kJ/kg"), Param("temperature_c", "°C")), "CO2 = GJ × EF (tCO2/GJ)"),
    Method("heat_out", "energy", "exported_heat", (), (
        Param("enthalpy_kj_per_kg", "kJ/kg"), Param("temperature_c", "°C")), "CO2 = GJ × EF (tCO2/GJ)"),
    Method("scope3", "scope3", "scope3", (), (), "CO2e = quantity × declared factor"),
    # --- power (§2) --------------------------------------------------------------------------------------------
    Method("power_coal", "power", "stationary_combustion", T, (
        Param("ncv_ar", "GJ/t"), Param("ncv_daily", "t, GJ/t", kind="pairs"),
        _pct("c_ar"), _pct("c_ad"), _pct("c_d"), _pct("m_ad"), _pct("m_ar"),
        Param("carbon_content", "tC/GJ", default=power.UNTESTED_CC),
        _of("power_coal.oxidation_rate")),
        "CO2 = FC × C_ar/100 × OF × 44/12; C_ar = C_ad × (100 − M_ar)/(100 − M_ad); untested month: "
        "CO2 = FC × NCV_ar × 0.03085 × OF × 44/12",
        calculate=power.power_coal, checks=power.checks, combustion=True,
        defaults=(power.UNTESTED_CC, "power_coal.oxidation_rate")),
    # --- gases (§3, §7) ------------------------------------------------------------------------------------------
    Method("fuel_gas", "gases", "stationary_combustion", NM3, (
        COMPOSITION, _of("fuel_gas.oxidation_rate"), Param("ncv", "GJ/10^4 Nm3")),
        "CO2 = Q × CC_g × OF × 44/12; CC_g = Σ 12 × CN_i × V_i / 22.4 × 10",
        calculate=gases.fuel_gas, checks=gases.gas_checks, combustion=True, defaults=("fuel_gas.oxidation_rate",)),
    Method("flare", "gases", "process", NM3, (
        COMPOSITION, _of("flare.oxidation_rate"), Param("ch4_slip", "", kind="flag")),
        "CO2 = Q × (CC_nonCO2 × OF × 44/12 + V_CO2 × 19.7); CH4 slip = Q × V_CH4 × (1 − OF) × 7.17",
        calculate=gases.flare, checks=gases.gas_checks, defaults=("flare.oxidation_rate",)),
    Method("accident_flare", "gases", "process", NM3, (
        Param("hours", "h"), Param("industry", "", kind="choice", choices=gases.ACCIDENT_INDUSTRIES),
        Param("carbon_number", "1"), _of("accident_flare.oxidation_rate")),
        "CO2 = GF × T × CN × OF × 44/22.4 × 10",
        calculate=gases.accident_flare, checks=gases.accident_checks,
        defaults=("accident_flare.oxidation_rate", "accident_flare.carbon_number_refining",
                  "accident_flare.carbon_number_chemicals")),
    Method("hydrogen_production", "gases", "process", ("10^4 Nm3", "t"), (
        COMPOSITION, Param("feed_carbon_content", "tC/unit"),
        Param("syngas_quantity", "unit"), Param("syngas_carbon_content", "tC/unit"),
        Param("residue_quantity", "unit"), Param("residue_carbon_content", "tC/unit")),
        "CO2 = [AD_f × CC_f − (Q_sg × CC_sg + Q_r × CC_r)] × 44/12",
        calculate=gases.hydrogen_production, checks=gases.gas_checks),
    Method("co2_recovery", "gases", "process", NM3, (
        _pct("purity", block=PCT_OPEN), Param("geological_storage", "", kind="flag")),
        "R = Q × PUR × 19.7", calculate=gases.co2_recovery, checks=gases.purity_checks, scope="memo"),
    # --- refinery (§3) -------------------------------------------------------------------------------------------
    Method("fcc_coke_burn", "refinery", "process", T, (
        _pct("carbon_fraction", default="fcc_coke_burn.carbon_fraction", block=PCT_OPEN),
        _of("fcc_coke_burn.oxidation_rate"), Param("feed", "t")),
        "CO2 = MC × CF × OF × 44/12", calculate=refinery.fcc_coke_burn, checks=refinery.fcc_checks,
        defaults=("fcc_coke_burn.carbon_fraction", "fcc_coke_burn.oxidation_rate")),
    Method("catalyst_regeneration", "refinery", "process", T, (
        _pct("cf_pre", required=True), _pct("cf_post", required=True)),
        "CO2 = MC × (CF_pre − CF_post)/(1 − CF_post) × 44/12", calculate=refinery.catalyst_regeneration),
    # --- balances (§4, §5) ---------------------------------------------------------------------------------------
    Method("carbon_balance", "balance", "process", (), (
        Param("inputs", "t", kind="items", required=True), Param("outputs", "t", kind="items")),
        "CO2 = (Σ M_in × C_in − Σ M_out × C_out) × 44/12", calculate=balance.carbon_balance),
    # --- cement (§6) ---------------------------------------------------------------------------------------------
    Method("clinker", "cement", "process", T, (
        _pct("cao", required=True), _pct("cao_nc", required=True), _pct("mgo", required=True),
        _pct("mgo_nc", required=True), Param("bypass_dust", "t")),
        "CO2 = (Q_cl + Q_dust) × [(CaO − CaO_nc) × 44/56 + (MgO − MgO_nc) × 44/40]",
        calculate=cement.clinker, checks=cement.clinker_checks),
    Method("raw_meal", "cement", "process", T, (_pct("organic_carbon", default="raw_meal.organic_carbon"),),
           "CO2 = Q_rm × C_org × 44/12", calculate=cement.raw_meal, defaults=("raw_meal.organic_carbon",)),
    Method("alternative_fuel", "cement", "stationary_combustion", T, (
        _pct("carbon_pct", required=True), _pct("biomass_fraction", required=True), Param("ncv", "GJ/t")),
        "CO2 fossil = Q × C × (1 − BF) × 44/12; biomass Q × C × BF × 44/12 (memo)",
        calculate=cement.alternative_fuel, combustion=True),
    # --- chemicals (§4) ------------------------------------------------------------------------------------------
    Method("nitric_acid", "chemicals", "process", T, (
        Param("process", "", kind="choice", choices=chemicals.NITRIC_PROCESSES), Param("ef", "t N2O/t"),
        _pct("removal_efficiency", default="nitric_acid.nscr_efficiency"), _pct("abatement_use")),
        "N2O = AD × EF × (1 − η × μ)", calculate=chemicals.nitric_acid,
        defaults=tuple(f"nitric_acid.ef_{p}" for p in chemicals.NITRIC_PROCESSES) + ("nitric_acid.nscr_efficiency",)),
    Method("adipic_acid", "chemicals", "process", T, (
        Param("ef", "t N2O/t", default="adipic_acid.ef"),
        _pct("removal_efficiency", default="nitric_acid.nscr_efficiency"), _pct("abatement_use")),
        "N2O = AD × EF × (1 − η × μ)", calculate=chemicals.adipic_acid,
        defaults=("adipic_acid.ef", "nitric_acid.nscr_efficiency")),
    # --- oil and gas (§7) ----------------------------------------------------------------------------------------
    Method("equipment_leaks", "oilgas", "fugitive", ("d",), (
        Param("equipment", "units", kind="counts", required=True, choices=oilgas.LEAK_EQUIPMENT),),
           "CH4 = Σ N_k × EF_k × d/365", calculate=oilgas.equipment_leaks,
           defaults=tuple(f"equipment_leaks.ef_{k}" for k in oilgas.LEAK_EQUIPMENT)),
    Method("venting", "oilgas", "fugitive", ("10^4 Nm3", "d"), (
        _pct("ch4_fraction"), _pct("co2_fraction"),
        Param("equipment", "units", kind="counts", choices=oilgas.VENT_EQUIPMENT),
        Param("recovered_volume", "10^4 Nm3"), _pct("recovered_purity")),
        "CH4 = Q × V_CH4 × 7.17; CO2 = Q × V_CO2 × 19.7; or Σ N_k × EF_k × d/365; recovered CH4 = Q_r × PUR × 7.17",
        calculate=oilgas.venting, defaults=tuple(f"venting.ef_{k}" for k in oilgas.VENT_EQUIPMENT)),
)}

# The method a source has when it names none: its category's calculation of today.
DEFAULT_METHOD = {
    "stationary_combustion": "combustion", "mobile_combustion": "combustion", "process": "carbonate",
    "fugitive": "fugitive_gas", "purchased_electricity": "electricity_in", "exported_electricity": "electricity_out",
    "purchased_heat": "heat_in", "exported_heat": "heat_out", "scope3": "scope3",
}
LEGACY = frozenset(DEFAULT_METHOD.values())
# The categories each of today's methods serves (combustion: fixed and mobile).
LEGACY_CATEGORIES = {code: frozenset(c for c, m in DEFAULT_METHOD.items() if m == code) for code in LEGACY}


def method_for(code: str) -> Method:
    method = METHODS.get(code)
    if method is None:
        raise MethodError(f"unknown method {code!r} (known: {', '.join(METHODS)})")
    return method


# The §10 bands a city may set (app.settings keeps its choices): key -> family, in the order the settings show them.
BAND_FAMILIES: dict[str, BandFamily] = {f.key: f for f in (
    power.C_AR, power.COAL_CC, gases.COMPOSITION_SUM, refinery.COKE_FEED, cement.CLINKER_EF)}


def check(code: str, parameters: dict, quantity: Decimal, factors=None, bands=None) -> list[Issue]:
    """Plausibility of one line's parameters (sector-methods.md §10): declared bands, then the method's own checks.

    `factors`: the line's resolved factors (LineFactors), for checks against a default (e.g. coal NCV).
    `bands`: the city's bands, family key -> (warn, block); a family not given keeps its default."""
    method = method_for(code)
    issues = band_issues(method, parameters)
    if method.checks is not None:
        issues.extend(method.checks(parameters, quantity, factors, bands))
    return issues
