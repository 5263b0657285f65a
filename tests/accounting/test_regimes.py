"""Three totals from one line set (sector-methods.md §1): worked examples 6 and 8, supply never deducted by a
generator, biomass CO2 outside every total, the GWP set and factor versions each regime names."""
from datetime import date
from decimal import Decimal as D

import pytest

from app.accounting.engine import LineInput, Settings, compute
from app.accounting.library import Factor, FactorLibrary, seed_factors, seed_method_factors
from app.accounting.regimes import REGIMES, RegimeOptions, compute_regimes, inventory, regime_factors
from app.core.numbers import rounded

MONTH = date(2022, 6, 1)
NORTHEAST = RegimeOptions(sector="refining", grid_region="Northeast", location_series="regional_average")
FLARE_GAS = {"H2": 30, "CH4": 35, "C2H6": 10, "C3H8": 8, "C4H10": 5, "CO": 2, "CO2": 3, "N2": 7}
H2_FEED = {"CH4": 94, "C2H6": 3, "C3H8": 1, "CO2": 1, "N2": 1}
FUEL_GAS = {"H2": 25, "CH4": 45, "C2H6": 15, "C3H8": 5, "N2": 8, "CO2": 2}


@pytest.fixture(scope="module")
def library():
    return FactorLibrary(seed_factors() + seed_method_factors())


def method_line(source_id, method, quantity, unit, category="process", **fields):
    return LineInput(source_id, f"s{source_id}", category, fields.pop("material", ""), MONTH, D(quantity), unit,
                     method=method, **fields)


def plain_line(source_id, category, material, quantity, unit, **fields):
    return LineInput(source_id, f"s{source_id}", category, material, MONTH, D(quantity), unit, **fields)


def r3(value):
    return rounded(value, 3)


def refinery_month():
    """Worked example 6: examples 3 + 4 + 5, fuel gas, electricity in and out, CO2 recovered, an SF6 leak."""
    return [
        method_line(1, "fcc_coke_burn", "3200", "t"),
        method_line(2, "flare", "12.5", "10^4 Nm3", parameters={"composition": FLARE_GAS}),
        method_line(3, "hydrogen_production", "1500", "10^4 Nm3",
                    parameters={"composition": H2_FEED, "syngas_quantity": "120", "syngas_carbon_content": "1.2"}),
        method_line(4, "fuel_gas", "2000", "10^4 Nm3", "stationary_combustion", parameters={"composition": FUEL_GAS}),
        plain_line(5, "purchased_electricity", "electricity", "20000", "MWh"),
        plain_line(6, "exported_electricity", "electricity", "5000", "MWh"),
        method_line(7, "co2_recovery", "800", "10^4 Nm3", parameters={"purity": "99.5"}),
        plain_line(8, "fugitive", "SF6", "0.001", "t"),
    ]


def test_example_6_three_regimes(library):
    results = compute(refinery_month(), library, Settings())
    regimes = compute_regimes(results, library, MONTH, NORTHEAST)
    assert set(regimes) == set(REGIMES)

    ets = regimes["ets"]
    assert r3(ets.parts["direct_co2"]) == D("77645.371")
    assert r3(ets.parts["electricity"]) == D("8554.500")
    assert r3(ets.total) == D("86199.871")
    assert ets.memo["co2_recovered_t"] == D("15681.2") and "direct_SF6" not in ets.parts
    assert ets.gwp_set is None

    guideline = regimes["guideline"]
    assert r3(guideline.total) == D("70518.671")
    assert guideline.parts["co2_recovered"] == D("-15681.2")
    assert guideline.gwp_set == "SAR"

    inv = regimes["inventory"]
    assert r3(inv.parts["scope1"]) == D("77670.571")
    assert r3(inv.parts["scope2_location"]) == D("11128.000")
    assert r3(inv.total) == D("88798.571")
    assert r3(inv.total_market) == D("89382.571")
    assert inv.memo["co2_recovered_t"] == D("15681.2") and inv.memo["electricity_supplied_mwh"] == 5000
    assert inv.gwp_set == "AR6"
    assert any(kind == "gwp" and code == "SF6" for _id, kind, code, _s, _v in inv.factor_ids)
    assert any(code == "Northeast" for _id, _k, code, _s, _v in inv.factor_ids)


def test_example_6_sf6_with_the_old_ar6_value_would_be_24_300(library):
    """The corrected AR6 SF6 (25,200) is a new version; a library that only had version 1 (24,300) gives 24.300."""
    old = [f for f in seed_factors() + seed_method_factors()
           if not (f.kind == "gwp" and f.code == "SF6" and f.series == "AR6")]
    old.append(Factor(id=None, kind="gwp", code="SF6", series="AR6", data_year=None, version=1, unit="1",
                      values={"gwp": D(24300)}, valid_from=date(2000, 1, 1), valid_to=None, source="typo"))
    old_library = FactorLibrary(old)
    results = compute([plain_line(8, "fugitive", "SF6", "0.001", "t")], old_library, Settings())
    assert r3(compute_regimes(results, old_library, MONTH, NORTHEAST)["inventory"].total) == D("24.300")
    results = compute([plain_line(8, "fugitive", "SF6", "0.001", "t")], library, Settings())
    assert r3(compute_regimes(results, library, MONTH, NORTHEAST)["inventory"].total) == D("25.200")


def generator_month(library, supplied_heat=False):
    lines = [method_line(1, "power_coal", "400000", "t", "stationary_combustion",
                         parameters={"ncv_ar": "21", "c_ar": "55.00"}),
             plain_line(2, "purchased_electricity", "electricity", "800", "MWh"),
             plain_line(3, "exported_electricity", "electricity", "1000000", "MWh")]
    if supplied_heat:
        lines.append(plain_line(4, "exported_heat", "heat", "50000", "GJ"))
    return compute(lines, library, Settings())


def test_example_8_generator_in_every_regime(library):
    options = RegimeOptions(sector="power", grid_region="Northeast", location_series="regional_average")
    regimes = compute_regimes(generator_month(library), library, MONTH, options)
    assert r3(regimes["ets"].total) == D("799056.240")
    assert r3(regimes["inventory"].total) == D("799045.120")
    assert r3(regimes["guideline"].total) == D("799056.240")  # in only: a generator never nets its supply
    for regime in regimes.values():
        assert regime.memo["electricity_supplied_mwh"] == 1000000


@pytest.mark.parametrize("sector", ["power", "refining", "cement", ""])
@pytest.mark.parametrize("marked", [False, True])
def test_supply_is_never_deducted_for_a_generator(library, sector, marked):
    """Whatever the enterprise's sector, a set with a generating unit deducts no electricity or heat supplied."""
    if marked:  # a captive unit filed with today's combustion method, marked as a generating unit
        lines = [plain_line(1, "stationary_combustion", "raw_coal", "1000", "t", generating_unit=True),
                 plain_line(3, "exported_electricity", "electricity", "2000", "MWh"),
                 plain_line(4, "exported_heat", "heat", "3000", "GJ")]
        results = compute(lines, library, Settings())
    else:
        results = generator_month(library, supplied_heat=True)
    without_supply = [r for r in results if r.category not in ("exported_electricity", "exported_heat")]
    options = RegimeOptions(sector=sector)
    with_supply = compute_regimes(results, library, MONTH, options)
    alone = compute_regimes(without_supply, library, MONTH, options)
    for name in REGIMES:
        assert with_supply[name].total == alone[name].total, name
        assert all(v >= 0 for v in with_supply[name].parts.values()), name


def test_a_non_generator_nets_its_supply_in_the_guideline_only(library):
    lines = [plain_line(1, "stationary_combustion", "natural_gas", "100", "10^4 Nm3"),
             plain_line(2, "purchased_electricity", "electricity", "1000", "MWh"),
             plain_line(3, "exported_electricity", "electricity", "400", "MWh")]
    regimes = compute_regimes(compute(lines, library, Settings()), library, MONTH, RegimeOptions(sector="refining"))
    assert regimes["guideline"].parts["electricity"] == 600 * D("0.5703")
    assert regimes["ets"].parts["electricity"] == 600 * D("0.5703")  # supplementary sheet: net
    assert regimes["inventory"].parts["scope2_location"] == 1000 * D("0.5366")
    cement = compute_regimes(compute(lines, library, Settings()), library, MONTH, RegimeOptions(sector="cement"))
    assert "electricity" not in cement["ets"].parts  # direct emissions only


def test_biomass_co2_is_outside_every_total_and_reported_beside_it(library):
    fuel = method_line(1, "alternative_fuel", "2000", "t", "stationary_combustion",
                       parameters={"carbon_pct": "40", "biomass_fraction": "60"})
    regimes = compute_regimes(compute([fuel], library, Settings()), library, MONTH, RegimeOptions(sector="cement"))
    for name in REGIMES:
        assert r3(regimes[name].total) == D("1173.333"), name
        assert r3(regimes[name].memo["biomass_co2_t"]) == D("1760.000"), name


def test_inventory_counts_every_gas_with_methane_by_origin(library):
    lines = [method_line(1, "venting", "10", "10^4 Nm3", "fugitive",
                         parameters={"ch4_fraction": "80", "recovered_volume": "2", "recovered_purity": "95"}),
             plain_line(2, "fugitive", "CH4-non-fossil", "1", "t"),
             method_line(3, "nitric_acid", "1000", "t", parameters={"process": "high_pressure"})]
    results = compute(lines, library, Settings(gwp_set="AR6"))
    regimes = compute_regimes(results, library, MONTH, RegimeOptions(sector="chemicals"))
    ch4_net = D("57.36") - D("13.623")
    assert regimes["inventory"].total == ch4_net * D("29.8") + 1 * D("27.0") + D("13.9") * 273
    # 24-industry at SAR: vent CH4 minus recovered CH4, both × 21; process N2O × 310
    assert regimes["guideline"].total == (D("57.36") + 1) * 21 - D("13.623") * 21 + D("13.9") * 310
    assert regimes["ets"].total == 0 and regimes["ets"].memo["non_co2_outside_t"] > 0


def test_stored_co2_is_deducted_in_the_inventory_only_with_geological_storage(library):
    gas = method_line(1, "fuel_gas", "100", "10^4 Nm3", "stationary_combustion", parameters={"composition": FUEL_GAS})
    sold = method_line(2, "co2_recovery", "10", "10^4 Nm3", parameters={"purity": "100"})
    stored = method_line(2, "co2_recovery", "10", "10^4 Nm3", parameters={"purity": "100", "geological_storage": True})
    base = compute([gas], library, Settings())
    a = inventory(compute([gas, sold], library, Settings()), regime_factors(library, "inventory", MONTH))
    b = inventory(compute([gas, stored], library, Settings()), regime_factors(library, "inventory", MONTH))
    c = inventory(base, regime_factors(library, "inventory", MONTH))
    assert a.total == c.total and rounded(c.total - b.total, 20) == 197


def test_inventory_says_when_combustion_ch4_n2o_were_not_computed(library):
    lines = [plain_line(1, "stationary_combustion", "natural_gas", "100", "10^4 Nm3")]
    without = compute_regimes(compute(lines, library, Settings()), library, MONTH)["inventory"]
    with_them = compute_regimes(compute(lines, library, Settings(include_ch4_n2o=True)), library, MONTH)["inventory"]
    assert any("omitted" in note for note in without.notes)
    assert with_them.total > without.total and not any("omitted" in n for n in with_them.notes)
