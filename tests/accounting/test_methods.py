"""The sector methods against sector-methods.md §11 (every example to 3 dp from unrounded values), their provenance
rules, their refusals and their plausibility bands (§10)."""
import ast
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from app.accounting.engine import CalculationError, LineInput, Settings, compute, line_factors, totals
from app.accounting.library import FactorLibrary, seed_factors, seed_method_factors
from app.accounting.methods import BLOCK, METHODS, WARN, check
from app.accounting.methods import defaults as method_defaults
from app.core.numbers import rounded

MONTH = date(2022, 6, 1)
AR5 = Settings()
MIGRATION = next((Path(__file__).resolve().parents[2] / "migrations" / "versions").glob("*_method_defaults.py"))

FLARE_GAS = {"H2": 30, "CH4": 35, "C2H6": 10, "C3H8": 8, "C4H10": 5, "CO": 2, "CO2": 3, "N2": 7}
H2_FEED = {"CH4": 94, "C2H6": 3, "C3H8": 1, "CO2": 1, "N2": 1}
FUEL_GAS = {"H2": 25, "CH4": 45, "C2H6": 15, "C3H8": 5, "N2": 8, "CO2": 2}
DAILY = [[50000, "21.200"], [60000, "21.600"], [40000, "21.700"]]
TESTED = {"ncv_daily": DAILY, "c_ad": "62.50", "m_ad": "2.50", "m_ar": "12.00"}


@pytest.fixture(scope="module")
def library():
    return FactorLibrary(seed_factors() + seed_method_factors())


def line(method, quantity, unit, category="process", source_id=1, month=MONTH, **fields):
    return LineInput(source_id, f"source {source_id}", category, fields.pop("material", ""), month, D(quantity), unit,
                     method=method, **fields)


def run(library, *lines, settings=AR5):
    return compute(lines, library, settings)


def one(library, *args, **kwargs):
    return run(library, line(*args, **kwargs))[0]


def r3(value):
    return rounded(value, 3)


def same(a, b):
    """Equal to 20 decimal places: the engine works at 34 digits, this process at 28."""
    return rounded(a, 20) == rounded(b, 20)


# ------------------------------------------------------------------------------------------- §11 examples

def test_example_1_tested_coal_weighted_ncv_and_air_dried_carbon(library):
    coal = one(library, "power_coal", "150000", "t", "stationary_combustion", parameters=TESTED)
    assert r3(coal.co2_t) == D("307153.846") and coal.co2e_t == coal.co2_t
    assert coal.substituted == () and coal.generating_unit
    params = coal.trace["parameters"]
    assert rounded(D(params["ncv_ar"]["value"]), 6) == D("21.493333")
    assert rounded(D(params["c_ar"]["value"]), 6) == D("56.410256")
    assert rounded(D(params["carbon_content"]["value"]), 7) == D("0.0262455")
    assert params["c_ad"]["provenance"] == "measured" and params["oxidation_rate"]["provenance"] == "plan_default"
    assert D(coal.trace["energy"]["gj"]) == D(3224000)
    electricity = LineInput(2, "unit 1 electricity", "purchased_electricity", "electricity", MONTH, D(1200), "MWh",
                            generating_unit=True)
    results = run(library, line("power_coal", "150000", "t", "stationary_combustion", parameters=TESTED),
                  electricity, settings=Settings(grid_series="ets_compliance"))
    assert r3(results[1].co2e_t) == D("684.360")
    assert r3(totals(results).total) == D("307838.206")


def test_example_2_untested_month_uses_the_power_default_flagged_substituted(library):
    untested = {"ncv_daily": DAILY}
    coal = one(library, "power_coal", "150000", "t", "stationary_combustion", parameters=untested)
    assert r3(coal.co2_t) == D("361041.252")
    assert coal.substituted == ("carbon_content",)
    cc = coal.trace["parameters"]["carbon_content"]
    assert cc["value"] == "0.03085" and cc["provenance"] == "substituted" and "carbon test" in cc["reason"]
    assert cc["factor"]["code"] == "power_coal.carbon_content_untested" and cc["factor"]["status"] == "unconfirmed"
    assert coal.trace["parameters"]["oxidation_rate"]["value"] == "0.99"
    tested = one(library, "power_coal", "150000", "t", "stationary_combustion", parameters=TESTED)
    assert rounded((coal.co2_t / tested.co2_t - 1) * 100, 2) == D("17.54")
    electricity = LineInput(2, "e", "purchased_electricity", "electricity", MONTH, D(1200), "MWh")
    results = run(library, line("power_coal", "150000", "t", "stationary_combustion", parameters=untested),
                  electricity, settings=Settings(grid_series="ets_compliance"))
    assert r3(totals(results).total) == D("361725.612")


def test_measured_ncv_alone_never_falls_back_to_the_generic_coal_defaults(library):
    coal = one(library, "power_coal", "1000", "t", "stationary_combustion", parameters={"ncv_ar": "20.908"})
    generic = one(library, "combustion", "1000", "t", "stationary_combustion", material="raw_coal")
    assert same(coal.co2_t, D(1000) * D("20.908") * D("0.03085") * D("0.99") * 44 / 12)
    assert coal.co2_t != generic.co2_t and coal.substituted == ("carbon_content",)
    assert all(f["code"] != "raw_coal" for f in coal.trace["factors"])


def test_power_coal_without_any_ncv_is_refused_not_guessed(library):
    with pytest.raises(CalculationError, match="needs the month's as-fired NCV"):
        one(library, "power_coal", "1000", "t", "stationary_combustion", parameters={"c_ar": "55"})


def test_air_dried_carbon_without_moisture_is_refused(library):
    with pytest.raises(CalculationError, match="needs m_ad and m_ar"):
        one(library, "power_coal", "1000", "t", "stationary_combustion", parameters={"ncv_ar": "21", "c_ad": "60"})


def test_dry_basis_carbon(library):
    coal = one(library, "power_coal", "100", "t", "stationary_combustion",
               parameters={"ncv_ar": "21", "c_d": "64", "m_ar": "12"})
    assert same(coal.co2_t, D(100) * D("0.5632") * D("0.99") * 44 / 12)


def test_a_plan_substitution_named_by_the_enterprise_keeps_its_reason(library):
    coal = one(library, "power_coal", "100", "t", "stationary_combustion",
               parameters={"ncv_ar": "22.1"}, provenance={"ncv_ar": "substituted"},
               reasons={"ncv_ar": "highest monthly NCV of the last 12 months"})
    assert set(coal.substituted) == {"ncv_ar", "carbon_content"}
    assert coal.trace["parameters"]["ncv_ar"]["reason"] == "highest monthly NCV of the last 12 months"


def test_example_3_fcc_coke_burn(library):
    fcc = one(library, "fcc_coke_burn", "3200", "t", parameters={"feed": "80000"})
    assert r3(fcc.co2_t) == D("11498.667")
    assert fcc.trace["parameters"]["carbon_fraction"]["provenance"] == "plan_default"
    measured = one(library, "fcc_coke_burn", "3200", "t", parameters={"carbon_fraction": "100"})
    assert measured.co2_t == fcc.co2_t


def test_example_4_normal_flare(library):
    flare = one(library, "flare", "12.5", "10^4 Nm3", parameters={"composition": FLARE_GAS})
    assert r3(flare.co2_t) == D("250.419")
    assert rounded(D(flare.trace["parameters"]["carbon_content_non_co2"]["value"]), 6) == D("5.410714")
    in_nm3 = one(library, "flare", "125000", "Nm3", parameters={"composition": FLARE_GAS})
    assert in_nm3.co2_t == flare.co2_t


def test_example_5_hydrogen_plant_mass_balance(library):
    h2 = one(library, "hydrogen_production", "1500", "10^4 Nm3",
             parameters={"composition": H2_FEED, "syngas_quantity": "120", "syngas_carbon_content": "1.2"})
    assert r3(h2.co2_t) == D("30114.857")
    assert rounded(D(h2.trace["parameters"]["feed_carbon_content"]["value"]), 6) == D("5.571429")


def test_example_6_fuel_gas_and_recovery_lines(library):
    gas = one(library, "fuel_gas", "2000", "10^4 Nm3", "stationary_combustion", parameters={"composition": FUEL_GAS})
    assert r3(gas.co2_t) == D("35781.429")
    recovery = one(library, "co2_recovery", "800", "10^4 Nm3", parameters={"purity": "99.5"})
    assert recovery.masses.co2_recovered_t == D("15681.2")
    assert recovery.scope == "memo" and recovery.co2e_t == 0


def test_example_7_cement(library):
    oxides = {"cao": "65.20", "cao_nc": "0.80", "mgo": "2.10", "mgo_nc": "0.10"}
    clinker = one(library, "clinker", "100000", "t", parameters=oxides)
    assert r3(clinker.co2_t) == D("52800.000")
    assert D(clinker.trace["parameters"]["ef_clinker"]["value"]) == D("0.528")
    with_dust = one(library, "clinker", "100000", "t", parameters={**oxides, "bypass_dust": "300"})
    assert r3(with_dust.co2_t) == D("52958.400")
    meal = one(library, "raw_meal", "155000", "t")
    assert r3(meal.co2_t) == D("1136.667")
    assert meal.trace["parameters"]["organic_carbon"]["factor"]["status"] == "unconfirmed"
    fuel = one(library, "alternative_fuel", "2000", "t", "stationary_combustion",
               parameters={"carbon_pct": "40", "biomass_fraction": "60"})
    assert r3(fuel.co2_t) == D("1173.333") and r3(fuel.masses.co2_bio_t) == D("1760.000")
    assert fuel.co2e_t == fuel.co2_t  # biomass CO2 beside the total, not in it
    assert r3(totals([fuel]).total) == D("1173.333")


def test_example_8_generator_selling_power_deducts_nothing(library):
    results = run(library,
                  line("power_coal", "400000", "t", "stationary_combustion",
                       parameters={"ncv_ar": "21", "c_ar": "55.00"}),
                  LineInput(2, "bought", "purchased_electricity", "electricity", MONTH, D(800), "MWh"),
                  LineInput(3, "supplied", "exported_electricity", "electricity", MONTH, D(1000000), "MWh"),
                  settings=Settings(grid_series="ets_compliance"))
    assert r3(results[0].co2_t) == D("798600.000")
    t = totals(results)
    assert r3(t.total) == D("799056.240")
    assert r3(t.supplied) == D("570300.000") and t.exported == 0
    assert rounded(t.total / D(1000000), 4) == D("0.7991")


# ----------------------------------------------------------------------------------------- other methods

def test_catalyst_regeneration(library):
    regen = one(library, "catalyst_regeneration", "100", "t", parameters={"cf_pre": "5", "cf_post": "0.5"})
    assert same(regen.co2_t, D(100) * (D("0.05") - D("0.005")) / (1 - D("0.005")) * 44 / 12)


def test_accident_flare_default_carbon_number_by_industry(library):
    refining = one(library, "accident_flare", "10", "10^4 Nm3", parameters={"hours": "4"})
    chemicals = one(library, "accident_flare", "10", "10^4 Nm3", parameters={"hours": "4", "industry": "chemicals"})
    assert same(refining.co2_t, D(10) * 5 * D("0.98") * 44 * 10 / D("22.4"))
    assert same(chemicals.co2_t, D(10) * 3 * D("0.98") * 44 * 10 / D("22.4"))


def test_carbon_balance_with_carbon_fixed_in_products(library):
    balance = one(library, "carbon_balance", "1", "t", parameters={
        "inputs": [{"name": "coke", "quantity": "400", "carbon_pct": "85"},
                   {"name": "BF gas in", "quantity": "10", "unit": "10^4 Nm3", "carbon_content": "2"}],
        "outputs": [{"name": "crude steel", "quantity": "1000", "carbon_pct": "0.4"},
                    {"name": "slag", "quantity": "50"}]})
    assert same(balance.co2_t, (D(340) + D(20) - D(4)) * 44 / 12)
    assert balance.substituted == ("outputs:slag",)


def test_carbonate_with_purity_and_today_without(library):
    plain = LineInput(1, "kiln", "process", "limestone", MONTH, D(1000), "t")
    pure = LineInput(1, "kiln", "process", "limestone", MONTH, D(1000), "t", parameters={"purity": "90"})
    a, b = run(library, plain), run(library, pure)
    assert a[0].co2_t == D("439.71") and b[0].co2_t == D("395.739") and b[0].method == "carbonate"


def test_nitric_acid_with_abatement(library):
    n2o = one(library, "nitric_acid", "1000", "t",
              parameters={"process": "high_pressure", "removal_efficiency": "85", "abatement_use": "90"})
    assert n2o.n2o_t == D(1000) * D("0.0139") * (1 - D("0.85") * D("0.9"))
    assert n2o.co2e_t == n2o.n2o_t * 265  # AR5 setting
    default_eta = one(library, "nitric_acid", "1000", "t", parameters={"process": "high_pressure",
                                                                         "abatement_use": "90"})
    assert default_eta.n2o_t == n2o.n2o_t
    assert default_eta.trace["parameters"]["removal_efficiency"]["provenance"] == "plan_default"


def test_equipment_leaks_and_venting_with_recovery(library):
    leaks = one(library, "equipment_leaks", "30", "d", "fugitive",
                parameters={"equipment": {"oil_wellhead": 120, "combined_station": 1}})
    assert same(leaks.masses.ch4_fossil_t, (120 * D("0.23") + D("1.40")) * 30 / 365)
    vent = one(library, "venting", "10", "10^4 Nm3", "fugitive",
               parameters={"ch4_fraction": "80", "co2_fraction": "5", "recovered_volume": "2",
                           "recovered_purity": "95"})
    assert vent.masses.ch4_fossil_t == D("57.36") and vent.masses.co2_fossil_t == D("9.85")
    assert vent.masses.ch4_recovered_t == D("13.623")
    assert vent.ch4_t == D("57.36") - D("13.623")  # recovery offsets its own vent


def test_flare_ch4_slip(library):
    flare = one(library, "flare", "12.5", "10^4 Nm3", parameters={"composition": FLARE_GAS, "ch4_slip": True})
    assert flare.masses.ch4_fossil_t == D("12.5") * D("0.35") * D("0.02") * D("7.17")


def test_existing_categories_name_their_method_and_masses(library):
    lines = [LineInput(1, "gas", "stationary_combustion", "natural_gas", MONTH, D(10), "10^4 Nm3"),
             LineInput(2, "grid", "purchased_electricity", "electricity", MONTH, D(100), "MWh", green_mwh=D(10)),
             LineInput(3, "sold", "exported_heat", "heat", MONTH, D(50), "GJ"),
             LineInput(4, "switchgear", "fugitive", "SF6", MONTH, D("0.5"), "kg")]
    gas, grid, heat, sf6 = run(library, *lines)
    assert (gas.method, gas.masses.co2_fossil_t) == ("combustion", gas.co2_t)
    assert (grid.method, grid.masses.elec_in_mwh, grid.masses.elec_green_mwh) == ("electricity_in", 100, 10)
    assert (heat.method, heat.masses.heat_out_gj) == ("heat_out", 50)
    assert sf6.masses.fgas_t == {"SF6": D("0.0005")}


def test_combustion_parameters_by_their_api_names(library):
    measured = LineInput(1, "b", "stationary_combustion", "raw_coal", MONTH, D(100), "t", measured={"ncv": D(22)})
    named = LineInput(1, "b", "stationary_combustion", "raw_coal", MONTH, D(100), "t", method="combustion",
                      parameters={"ncv": "22"})
    assert run(library, measured)[0].co2_t == run(library, named)[0].co2_t


@pytest.mark.parametrize("fields, message", [
    ({"method": "power_coal", "parameters": {"ncv_ar": "21", "colour": "black"}}, "unknown parameter 'colour'"),
    ({"method": "warp_drive"}, "unknown method"),
    ({"method": "electricity_in"}, "does not fit category"),
    ({"method": "fuel_gas", "parameters": {"composition": {"Xe": 100}}}, "unknown component 'Xe'"),
    ({"method": "clinker", "parameters": {"cao": "60"}}, "needs cao_nc"),
    ({"method": "co2_recovery", "unit_": "t"}, "takes its quantity in 10\\^4 Nm3"),
])
def test_refusals_name_the_source_and_month(library, fields, message):
    unit = fields.pop("unit_", "10^4 Nm3" if fields["method"] in ("fuel_gas", "co2_recovery") else "t")
    with pytest.raises(CalculationError, match=message) as e:
        run(library, LineInput(1, "Unit 7", "stationary_combustion", "", MONTH, D(10), unit, **fields))
    assert "Unit 7, 2022-06" in str(e.value)


def test_missing_purity_on_a_deduction_counts_zero_flagged(library):
    recovery = one(library, "co2_recovery", "800", "10^4 Nm3")
    assert recovery.masses.co2_recovered_t == 0 and recovery.substituted == ("purity",)


def test_a_default_where_the_plan_says_measured_is_a_substitution(library):
    fcc = one(library, "fcc_coke_burn", "3200", "t", planned_measured=frozenset({"carbon_fraction"}))
    assert fcc.substituted == ("carbon_fraction",)
    assert fcc.trace["parameters"]["carbon_fraction"]["provenance"] == "substituted"


# ------------------------------------------------------------------------------------------ plausibility

def codes(issues):
    return {(i.level, i.code, i.parameter) for i in issues}


def test_plausibility_coal(library):
    factors = line_factors(library, line("power_coal", "1", "t", "stationary_combustion"), AR5)
    assert check("power_coal", TESTED, D(150000), factors) == []
    assert (WARN, "outside_band", "ncv_ar") in codes(check("power_coal", {"ncv_ar": "16"}, D(1), factors))
    assert (BLOCK, "outside_band", "ncv_ar") in codes(check("power_coal", {"ncv_ar": "0.021"}, D(1), factors))
    assert (WARN, "outside_band", "c_ar") in codes(check("power_coal", {"ncv_ar": "21", "c_ar": "38"}, D(1), factors))
    assert (BLOCK, "outside_band", "c_ar") in codes(check("power_coal", {"ncv_ar": "21", "c_ar": "85"}, D(1),
                                                          factors))
    assert (BLOCK, "outside_band", "carbon_content") in codes(
        check("power_coal", {"ncv_ar": "15", "c_ar": "60"}, D(1), factors))
    assert (BLOCK, "moisture_order", "m_ar") in codes(
        check("power_coal", {"ncv_ar": "21", "c_ad": "60", "m_ad": "12", "m_ar": "8"}, D(1), factors))
    assert (BLOCK, "outside_band", "oxidation_rate") in codes(
        check("power_coal", {"ncv_ar": "21", "oxidation_rate": "0"}, D(1), factors))


def test_plausibility_gases_coke_clinker_hours():
    assert check("flare", {"composition": FLARE_GAS}, D(1)) == []
    assert (WARN, "composition_sum", "composition") in codes(
        check("flare", {"composition": {**FLARE_GAS, "N2": "8.5"}}, D(1)))
    assert (BLOCK, "composition_sum", "composition") in codes(
        check("fuel_gas", {"composition": {**FLARE_GAS, "N2": "10"}}, D(1)))
    assert check("fcc_coke_burn", {"feed": "80000"}, D(3200)) == []
    assert (WARN, "coke_to_feed", "feed") in codes(check("fcc_coke_burn", {"feed": "30000"}, D(3200)))
    assert (BLOCK, "coke_to_feed", "feed") in codes(check("fcc_coke_burn", {"feed": "20000"}, D(3200)))
    oxides = {"cao": "65.20", "cao_nc": "0.80", "mgo": "2.10", "mgo_nc": "0.10"}
    assert check("clinker", oxides, D(1)) == []
    assert (WARN, "clinker_ef", "ef_clinker") in codes(check("clinker", {**oxides, "cao": "70"}, D(1)))
    assert (BLOCK, "clinker_ef", "ef_clinker") in codes(check("clinker", {**oxides, "cao": "80"}, D(1)))
    assert (BLOCK, "more_hours_than_month", "hours") in codes(
        check("accident_flare", {"hours": "745", "_hours_in_month": D(744)}, D(1)))
    assert (BLOCK, "outside_band", "purity") in codes(check("co2_recovery", {"purity": "0"}, D(1)))


def test_supply_intensity_warning():
    from app.accounting.methods.power import supply_intensity_issue

    assert supply_intensity_issue(D("798600"), D(1000000)) is None
    assert supply_intensity_issue(D("228756.24"), D(1000000)).code == "supply_intensity"


# ---------------------------------------------------------------------------------------------- defaults

def test_every_method_default_is_seeded_with_a_citation_and_status():
    seeded = {f.code: f for f in seed_method_factors() if f.kind == method_defaults.KIND}
    for method in METHODS.values():
        for code in method.defaults:
            assert code in seeded, (method.code, code)
    assert all(f.source and f.status == "unconfirmed" and not f.confirmed for f in seeded.values())
    assert seeded["power_coal.carbon_content_untested"].values == {"value": D("0.03085")}


def test_migration_0023_inserts_the_same_rows_as_the_seed():
    tree = ast.parse(MIGRATION.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and \
                node.targets[0].id in ("ROWS", "GWP_ROWS"):
            found[node.targets[0].id] = ast.literal_eval(node.value)
    assert found["ROWS"] == [tuple(r) for r in method_defaults.ROWS]
    assert [r[:3] for r in found["GWP_ROWS"]] == [tuple(r) for r in method_defaults.GWP_ROWS]


# ------------------------------------------------------------------ worked-examples.md through method names

@pytest.mark.parametrize("category, material, quantity, unit, method, expected, places, settings", [
    ("stationary_combustion", "natural_gas", "10", "10^4 Nm3", "combustion", "216.22", 2, AR5),
    ("stationary_combustion", "natural_gas", "250000", "Nm3", "combustion", "540.547", 3, AR5),
    ("mobile_combustion", "diesel", "100", "t", "combustion", "309.59", 2, AR5),
    ("mobile_combustion", "diesel", "12500", "kg", "combustion", "38.699", 3, AR5),
    ("purchased_electricity", "electricity", "1000", "MWh", "electricity_in", "570.3", 1,
     Settings(grid_series="ets_compliance")),
    ("purchased_electricity", "electricity", "1000", "MWh", "electricity_in", "536.6", 1, AR5),
    ("purchased_heat", "heat", "1000", "GJ", "heat_in", "110", 0, AR5),
    ("fugitive", "SF6", "0.5", "kg", "fugitive_gas", "11.75", 2, AR5),
    ("fugitive", "SF6", "0.5", "kg", "fugitive_gas", "12.60", 2, Settings(gwp_set="AR6")),
    ("fugitive", "SF6", "0.5", "kg", "fugitive_gas", "11.95", 2, Settings(gwp_set="SAR")),
])
def test_worked_examples_by_method_name_equal_the_category_path(library, category, material, quantity, unit, method,
                                                                expected, places, settings):
    by_category = LineInput(1, "s", category, material, MONTH, D(quantity), unit)
    by_method = LineInput(1, "s", category, material, MONTH, D(quantity), unit, method=method)
    a, b = run(library, by_category, settings=settings)[0], run(library, by_method, settings=settings)[0]
    assert rounded(b.co2e_t, places) == D(expected)
    assert (a.co2e_t, a.trace, a.method, a.masses) == (b.co2e_t, b.trace, b.method, b.masses)


def test_worked_example_7_month_in_the_inventory_regime(library):
    from app.accounting.regimes import RegimeOptions, compute_regimes

    lines = [LineInput(1, "gas", "stationary_combustion", "natural_gas", MONTH, D(38), "10^4 Nm3"),
             LineInput(2, "diesel", "mobile_combustion", "diesel", MONTH, D("15.5"), "t"),
             LineInput(3, "grid", "purchased_electricity", "electricity", MONTH, D("2350.4"), "MWh"),
             LineInput(4, "heat", "purchased_heat", "heat", MONTH, D(4200), "GJ")]
    inv = compute_regimes(run(library, *lines), library, MONTH, RegimeOptions())["inventory"]
    assert r3(inv.parts["scope1"]) == D("869.618")
    assert r3(inv.parts["scope2_location"]) == D("1723.225")
    assert r3(inv.total) == D("2592.843")
