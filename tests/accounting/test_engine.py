"""The engine against shared/reference/worked-examples.md, every case to the precision it states, and its refusals."""
import json
from datetime import date
from decimal import Decimal as D
from decimal import localcontext

import pytest

from app.accounting.engine import (
    CTX,
    CalculationError,
    LineFactors,
    LineInput,
    Settings,
    compute,
    compute_line,
    line_factors,
    totals,
)
from app.accounting.library import FactorLibrary, seed_factors
from app.accounting.units import convert
from app.core.numbers import rounded

JUNE_2022 = date(2022, 6, 1)
AR5 = Settings()


@pytest.fixture(scope="module")
def library():
    return FactorLibrary(seed_factors())


def exact(expression):
    """The expected figure at the engine's precision (34 digits), not the test process's default 28."""
    with localcontext(CTX):
        return expression()


def line(category, material, quantity, unit, month=JUNE_2022, name="Boiler 1", source_id=1, **fields):
    return LineInput(source_id, name, category, material, month, D(quantity), unit, **fields)


def one(library, category, material, quantity, unit, settings=AR5, **fields):
    return compute([line(category, material, quantity, unit, **fields)], library, settings)[0]


# ------------------------------------------------------------------------------------- worked examples

@pytest.mark.parametrize("fuel, unit, per_unit", [
    ("natural_gas", "10^4 Nm3", "21.621888"),
    ("diesel", "t", "3.095910"),
    ("gasoline", "t", "2.925056"),
    ("fuel_oil", "t", "3.170461"),
    ("lpg", "t", "3.101330"),
    ("kerosene", "t", "3.033391"),
    ("crude_oil", "t", "3.020202"),
    ("coke", "t", "2.860419"),
])
def test_derived_factors_per_unit_of_fuel(library, fuel, unit, per_unit):
    result = one(library, "stationary_combustion", fuel, "1", unit)
    assert rounded(result.co2_t, 6) == D(per_unit)
    assert result.co2e_t == result.co2_t and result.scope == "1"


def test_natural_gas_factor_is_exact(library):
    # 389.31 × 0.0153 × 0.99 × 44 / 12 terminates: the engine must not have rounded anything on the way.
    assert one(library, "stationary_combustion", "natural_gas", "1", "10^4 Nm3").co2_t == D("21.62188809")


def test_case_1_natural_gas(library):
    result = one(library, "stationary_combustion", "natural_gas", "10", "10^4 Nm3")
    assert rounded(result.co2_t, 2) == D("216.22")
    assert result.co2_t == D("216.2188809")


def test_case_2_natural_gas_entered_in_nm3(library):
    result = one(library, "stationary_combustion", "natural_gas", "250000", "Nm3")
    assert result.trace["inputs"] == {"quantity": "250000", "unit": "Nm3", "factor_unit": "10^4 Nm3",
                                      "quantity_in_factor_unit": "25"}
    assert rounded(result.co2_t, 3) == D("540.547")
    assert result.co2_t == 25 * D("21.62188809")


def test_case_3_diesel_in_tonnes_and_kilograms(library):
    tonnes = one(library, "mobile_combustion", "diesel", "100", "t")
    assert rounded(tonnes.co2_t, 2) == D("309.59")
    kilograms = one(library, "mobile_combustion", "diesel", "12500", "kg")
    assert kilograms.trace["inputs"]["quantity_in_factor_unit"] == "12.5"
    assert rounded(kilograms.co2_t, 3) == D("38.699")
    assert kilograms.co2_t == one(library, "mobile_combustion", "diesel", "12.5", "t").co2_t


@pytest.mark.parametrize("series, ef, expected", [("ets_compliance", "0.5703", "570.3"),
                                                  ("national_average", "0.5366", "536.6")])
def test_case_4_electricity_with_either_grid_series(library, series, ef, expected):
    result = one(library, "purchased_electricity", "electricity", "1000", "MWh", settings=Settings(grid_series=series))
    assert result.co2e_t == result.co2_t == D(expected)
    assert result.scope == "2"
    used = result.trace["factors"][0]
    assert (used["series"], used["data_year"], used["values"]["ef"]) == (series, 2022, ef)
    assert result.trace["settings"]["grid_series"] == series


def test_case_5_purchased_heat(library):
    result = one(library, "purchased_heat", "heat", "1000", "GJ")
    assert result.co2e_t == D(110)
    assert result.trace["factors"][0]["values"] == {"ef": "0.11"}


@pytest.mark.parametrize("gwp_set, expected", [("AR5", "11.75"), ("AR6", "12.60"), ("SAR", "11.95")])
def test_case_6_sf6_leak(library, gwp_set, expected):
    result = one(library, "fugitive", "SF6", "0.5", "kg", settings=Settings(gwp_set=gwp_set))
    assert result.co2e_t == D(expected)
    assert result.other_t == {"SF6": D("0.0005")}
    assert result.co2_t == result.ch4_t == result.n2o_t == 0
    assert result.trace["gwp"]["set"] == gwp_set
    assert result.trace["factors"][0]["series"] == gwp_set


def test_case_7_a_month_at_one_enterprise(library):
    lines = [
        line("stationary_combustion", "natural_gas", "38", "10^4 Nm3", source_id=1),
        line("mobile_combustion", "diesel", "15.5", "t", source_id=2),
        line("purchased_electricity", "electricity", "2350.4", "MWh", source_id=3),
        line("purchased_heat", "heat", "4200", "GJ", source_id=4),
    ]
    t = totals(compute(lines, library, AR5))
    assert rounded(t.scope1) == D("869.618")
    assert rounded(t.scope2) == D("1723.225")
    assert rounded(t.total) == D("2592.843")
    assert t.scope2 == D("1723.22464")  # electricity and heat are exact products
    assert t.exported == t.scope3 == 0


# --------------------------------------------------------------------------------- measured parameters

def test_measured_parameters_override_defaults_one_by_one(library):
    result = one(library, "stationary_combustion", "diesel", "100", "t", measured={"ncv": D("43.0")})
    assert result.co2_t == exact(lambda: 100 * D("43.0") * D("0.0202") * D("0.98") * 44 / 12)
    parameters = result.trace["parameters"]
    assert parameters["ncv"] == {"value": "43.0", "unit": "GJ/t", "origin": "measured"}
    assert parameters["carbon_content"]["origin"] == parameters["oxidation_rate"]["origin"] == "default"
    assert result.energy_tce == convert(D("4300.0"), "GJ", "tce")

    default = one(library, "stationary_combustion", "diesel", "100", "t")
    assert {p["origin"] for p in default.trace["parameters"].values()} == {"default"}


def test_all_three_parameters_measured(library):
    measured = {"ncv": D("21.5"), "carbon_content": D("0.0260"), "oxidation_rate": D("0.95")}
    result = one(library, "stationary_combustion", "raw_coal", "10", "t", measured=measured)
    assert result.co2_t == exact(lambda: 10 * D("21.5") * D("0.0260") * D("0.95") * 44 / 12)
    assert {p["origin"] for p in result.trace["parameters"].values()} == {"measured"}


# ------------------------------------------------------------------------------------------ grid choice

def test_a_2026_month_uses_the_latest_published_national_average(library):
    result = one(library, "purchased_electricity", "electricity", "1000", "MWh", month=date(2026, 3, 1))
    assert result.co2e_t == D("530.6")
    assert result.trace["factors"][0]["data_year"] == 2023


def test_ets_series_for_2025_falls_back_to_2022(library):
    result = one(library, "purchased_electricity", "electricity", "1000", "MWh", month=date(2025, 1, 1),
                 settings=Settings(grid_series="ets_compliance"))
    assert result.co2e_t == D("570.3")
    assert result.trace["factors"][0]["data_year"] == 2022


def test_kwh_are_converted(library):
    result = one(library, "purchased_electricity", "electricity", "2350400", "kWh")
    assert result.co2e_t == D("1261.22464")


# ---------------------------------------------------------------------------------------- market-based

def test_market_based_with_green_electricity(library):
    result = one(library, "purchased_electricity", "electricity", "1000", "MWh", green_mwh=D(200))
    assert result.co2e_t == D("536.6")
    assert result.co2e_market_t == 800 * D("0.5856")
    assert result.trace["inputs"]["green_mwh"] == "200"
    assert [f["series"] for f in result.trace["factors"]] == ["national_average", "residual_mix"]


def test_market_based_without_green_uses_the_residual_mix(library):
    result = one(library, "purchased_electricity", "electricity", "1000", "MWh")
    assert result.co2e_market_t == D("585.6")


def test_no_residual_mix_published_means_no_market_figure(library):
    result = one(library, "purchased_electricity", "electricity", "1000", "MWh", month=date(2021, 6, 1))
    assert result.co2e_t == D("556.8")
    assert result.co2e_market_t is None
    t = totals([result])
    assert t.scope2_market == t.scope2 == D("556.8")


def test_market_figure_only_for_purchased_electricity(library):
    heat = one(library, "purchased_heat", "heat", "1000", "GJ")
    exported = one(library, "exported_electricity", "electricity", "10", "MWh")
    assert heat.co2e_market_t is None and exported.co2e_market_t is None
    t = totals([heat, one(library, "purchased_electricity", "electricity", "1000", "MWh", green_mwh=D(1000))])
    assert t.scope2 == D(110) + D("536.6")
    assert t.scope2_market == D(110)
    assert t.total_market == D(110)


@pytest.mark.parametrize("green", ["-1", "1000.01"])
def test_green_mwh_out_of_range(library, green):
    with pytest.raises(CalculationError, match=r"^Boiler 1, 2022-06: .*green_mwh"):
        one(library, "purchased_electricity", "electricity", "1000", "MWh", green_mwh=D(green))


def test_green_mwh_on_other_lines_is_refused(library):
    with pytest.raises(CalculationError, match="only to purchased electricity"):
        one(library, "exported_electricity", "electricity", "10", "MWh", green_mwh=D(1))


# ------------------------------------------------------------------------------------------- exported

def test_exported_electricity_and_heat_are_subtracted(library):
    results = compute([
        line("stationary_combustion", "natural_gas", "10", "10^4 Nm3", source_id=1),
        line("purchased_electricity", "electricity", "1000", "MWh", source_id=2),
        line("exported_electricity", "electricity", "100", "MWh", source_id=3),
        line("exported_heat", "heat", "500", "GJ", source_id=4),
    ], library, AR5)
    assert [r.scope for r in results] == ["1", "2", "export", "export"]
    assert results[2].co2e_t == D("53.66") and results[3].co2e_t == D(55)
    t = totals(results)
    assert t.exported == D("108.66")
    assert t.total == D("216.2188809") + D("536.6") - D("108.66")
    assert t.by_gas["CO2"] == t.total
    energy = exact(lambda: sum(r.energy_tce for r in results[:2]) - sum(r.energy_tce for r in results[2:]))
    assert abs(t.energy_tce - energy) < D("1e-28")  # tce figures end at the 34th digit; the order of sums differs


# ------------------------------------------------------------------------------------ steam, hot water

def test_steam_in_tonnes_with_measured_enthalpy(library):
    result = one(library, "purchased_heat", "steam", "100", "t", measured={"enthalpy_kj_per_kg": D("2780.5")})
    assert result.trace["inputs"]["gj"] == "269.676"
    assert result.co2e_t == D("269.676") * D("0.11")
    assert [f["kind"] for f in result.trace["factors"]] == ["steam_conversion", "heat"]
    assert result.trace["factors"][0]["status"] == "to confirm"


def test_hot_water_in_tonnes(library):
    result = one(library, "purchased_heat", "hot_water", "100000", "kg", measured={"temperature_c": D(95)})
    assert result.co2e_t == 100 * 75 * D("4.1868") / 1000 * D("0.11")


def test_steam_metered_in_gj_needs_no_enthalpy(library):
    assert one(library, "purchased_heat", "steam", "1000", "GJ").co2e_t == D(110)


def test_steam_without_enthalpy(library):
    with pytest.raises(CalculationError, match=r"^Boiler 1, 2022-06: steam in tonnes needs its measured "
                                                r"enthalpy_kj_per_kg"):
        one(library, "purchased_heat", "steam", "100", "t")


def test_hot_water_without_temperature(library):
    with pytest.raises(CalculationError, match="temperature_c"):
        one(library, "purchased_heat", "hot_water", "100", "t")


# ---------------------------------------------------------------------------------------- other kinds

def test_process_carbonate(library):
    result = one(library, "process", "limestone", "2000", "kg")
    assert result.co2e_t == 2 * D("0.43971")
    assert result.energy_tce == 0


def test_fugitive_methane_and_co2(library):
    ch4 = one(library, "fugitive", "ch4", "2", "t")
    assert (ch4.ch4_t, ch4.co2e_t, ch4.co2_t) == (2, 56, 0)
    co2 = one(library, "fugitive", "CO2", "3", "t")
    assert (co2.co2_t, co2.co2e_t) == (3, 3)


def test_scope3_is_reported_apart_from_the_total(library):
    results = compute([
        line("scope3", "business travel", "1200", "tkm", declared_factor=D("0.0001"), declared_unit="tkm",
             declared_source="supplier EPD 2023"),
        line("scope3", "purchased cement", "2000", "kg", declared_factor=D("0.6"), declared_unit="t",
             declared_source="GB/T 32151.8 sector default"),
        line("purchased_heat", "heat", "10", "GJ"),
    ], library, AR5)
    assert [r.co2e_t for r in results[:2]] == [D("0.12"), D("1.2")]
    t = totals(results)
    assert t.scope3 == D("1.32") and t.total == D("1.1")


def test_scope3_without_a_declared_factor(library):
    with pytest.raises(CalculationError, match="declared factor"):
        one(library, "scope3", "commuting", "10", "t")
    with pytest.raises(CalculationError, match="source"):
        one(library, "scope3", "commuting", "10", "t", declared_factor=D(1), declared_unit="t")


def test_zero_quantity_is_fine(library):
    result = one(library, "stationary_combustion", "diesel", "0", "t")
    assert result.co2e_t == 0 and result.energy_tce == 0


def test_energy_content(library):
    assert one(library, "stationary_combustion", "natural_gas", "10", "10^4 Nm3").energy_tce == \
        convert(D("3893.1"), "GJ", "tce")
    electricity = one(library, "purchased_electricity", "electricity", "1000", "MWh")
    assert electricity.energy_tce == convert(D(3600), "GJ", "tce")
    assert rounded(electricity.energy_tce) == D("122.835")  # calorific equivalent, 0.1229 tce/MWh
    assert one(library, "purchased_heat", "heat", "29.3076", "GJ").energy_tce == 1


def test_traces_are_json_safe(library):
    results = compute([
        line("stationary_combustion", "natural_gas", "10", "10^4 Nm3"),
        line("purchased_electricity", "electricity", "10", "MWh", green_mwh=D(1)),
        line("purchased_heat", "steam", "10", "t", measured={"enthalpy_kj_per_kg": D(2700)}),
        line("fugitive", "HFC-134a", "3", "kg"),
        line("process", "dolomite", "1", "t"),
    ], library, Settings(include_ch4_n2o=True))
    for result in results:
        text = json.dumps(result.trace, ensure_ascii=False)
        assert json.loads(text)["line"]["month"] == "2022-06"


# ----------------------------------------------------------------------------------------- CH4 and N2O

def test_ch4_and_n2o_when_the_city_turns_them_on(library):
    settings = Settings(include_ch4_n2o=True)
    result = one(library, "stationary_combustion", "natural_gas", "10", "10^4 Nm3", settings=settings)
    # 3893.1 GJ = 3.8931 TJ; CH4 1 kg/TJ, N2O 0.1 kg/TJ; AR5 28 and 265.
    assert result.ch4_t == D("0.0038931")
    assert result.n2o_t == D("0.00038931")
    assert result.co2_t == D("216.2188809")
    assert result.co2e_t == D("216.2188809") + D("0.0038931") * 28 + D("0.00038931") * 265
    assert result.co2e_t > result.co2_t
    assert result.trace["gwp"] == {"set": "AR5", "values": {"CH4": "28", "N2O": "265"}}
    assert result.trace["factors"][1]["kind"] == "combustion_non_co2"
    t = totals([result])
    assert t.by_gas == {"CO2": result.co2_t, "CH4": result.ch4_t, "N2O": result.n2o_t}


def test_ch4_and_n2o_off_by_default(library):
    result = one(library, "stationary_combustion", "natural_gas", "10", "10^4 Nm3")
    assert result.ch4_t == result.n2o_t == 0 and result.co2e_t == result.co2_t
    assert "gwp" not in result.trace


def test_vehicles_do_not_borrow_stationary_non_co2_factors(library):
    with pytest.raises(CalculationError, match=r"^Truck 7, 2022-06: no combustion_non_co2 factor for 'diesel' "
                                                r"\(mobile\)"):
        compute([line("mobile_combustion", "diesel", "1", "t", name="Truck 7")], library,
                Settings(include_ch4_n2o=True))


def test_missing_non_co2_factor_given_to_compute_line(library):
    diesel = line("stationary_combustion", "diesel", "1", "t")
    factors = line_factors(library, diesel, AR5)  # resolved with the setting off
    with pytest.raises(CalculationError, match="no combustion_non_co2 factor resolved"):
        compute_line(diesel, factors, Settings(include_ch4_n2o=True))


# ------------------------------------------------------------------------------------------------ errors

@pytest.mark.parametrize("category, material, unit, message", [
    ("stationary_combustion", "diesel", "MWh", "cannot convert MWh to t"),
    ("stationary_combustion", "natural_gas", "m3", "cannot convert m3 to 10\\^4 Nm3"),
    ("stationary_combustion", "diesel", "L", "cannot convert L to t"),
    ("purchased_electricity", "electricity", "t", "cannot convert t to MWh"),
    ("purchased_electricity", "electricity", "tce", "not tce"),
    ("purchased_heat", "heat", "t", "cannot convert t to GJ"),
    ("fugitive", "SF6", "Nm3", "cannot convert Nm3 to t"),
    ("stationary_combustion", "diesel", "barrels", "unknown unit 'barrels'"),
])
def test_wrong_unit(library, category, material, unit, message):
    with pytest.raises(CalculationError, match=rf"^Boiler 1, 2022-06: .*{message}") as e:
        one(library, category, material, "1", unit)
    assert (e.value.source_name, e.value.month) == ("Boiler 1", JUNE_2022)


@pytest.mark.parametrize("quantity, message", [
    (D(-1), "quantity must be zero or more, got -1"),
    (D("NaN"), "not a finite number"),
    (D("Infinity"), "not a finite number"),
    (1.5, "quantity must be a Decimal, got float"),
])
def test_bad_quantity(library, quantity, message):
    bad = LineInput(1, "Boiler 1", "stationary_combustion", "diesel", JUNE_2022, quantity, "t")
    with pytest.raises(CalculationError, match=rf"^Boiler 1, 2022-06: .*{message}"):
        compute([bad], library, AR5)


@pytest.mark.parametrize("category, material, month, settings, message", [
    ("purchased_electricity", "electricity", date(2021, 6, 1), Settings(grid_series="ets_compliance"),
     r"no electricity factor for 'China' \(ets_compliance\) valid for 2021-06"),
    ("purchased_electricity", "electricity", date(2019, 6, 1), AR5, "national_average"),
    ("stationary_combustion", "peat", JUNE_2022, AR5, "no fuel factor for 'peat'"),
    ("process", "siderite", JUNE_2022, AR5, "no process factor for 'siderite'"),
    ("fugitive", "HFC-999", JUNE_2022, AR5, "gas 'HFC-999' has no GWP in the AR5 set"),
    ("fugitive", "NF3", JUNE_2022, Settings(gwp_set="SAR"), "gas 'NF3' has no GWP in the SAR set"),
    ("fugitive", "SF6", JUNE_2022, Settings(gwp_set="AR9"), r"no gwp factor"),
])
def test_missing_factor(library, category, material, month, settings, message):
    with pytest.raises(CalculationError, match=rf"^Boiler 1, {month:%Y-%m}: .*{message}"):
        compute([line(category, material, "1", "t" if category != "purchased_electricity" else "MWh", month=month)],
                library, settings)


def test_unknown_category(library):
    bad = line("scope4", "x", "1", "t")
    with pytest.raises(CalculationError, match="^Boiler 1, 2022-06: unknown category 'scope4'"):
        compute([bad], library, AR5)
    with pytest.raises(CalculationError, match="unknown category"):
        compute_line(bad, LineFactors(), AR5)


def test_month_must_be_a_first_day(library):
    with pytest.raises(CalculationError, match="first day of a month"):
        compute([line("purchased_heat", "heat", "1", "GJ", month=date(2022, 6, 15))], library, AR5)


def test_unknown_measured_parameter_is_refused(library):
    with pytest.raises(CalculationError, match="unknown measured parameter 'NCV'"):
        one(library, "stationary_combustion", "diesel", "1", "t", measured={"NCV": D(43)})
    with pytest.raises(CalculationError, match="unknown measured parameter"):
        one(library, "purchased_heat", "heat", "1", "GJ", measured={"temperature_c": D(90)})


@pytest.mark.parametrize("measured, message", [
    ({"oxidation_rate": D("1.2")}, "at most 1"),
    ({"ncv": D(0)}, "must be positive"),
    ({"carbon_content": D("-0.01")}, "must be positive"),
])
def test_implausible_measured_values(library, measured, message):
    with pytest.raises(CalculationError, match=message):
        one(library, "stationary_combustion", "diesel", "1", "t", measured=measured)


def test_compute_is_all_or_nothing(library):
    lines = [line("purchased_heat", "heat", "1", "GJ", name="Heat meter"),
             line("stationary_combustion", "diesel", "-5", "t", name="Generator 2")]
    with pytest.raises(CalculationError) as e:
        compute(lines, library, AR5)
    assert str(e.value) == "Generator 2, 2022-06: quantity must be zero or more, got -5"


def test_display_rounds_half_up():
    assert rounded(D("2.0005")) == D("2.001")
    assert rounded(D("2592.842986798666")) == D("2592.843")
    assert rounded(D("0.125"), 2) == D("0.13")
    assert rounded(D("-0.125"), 2) == D("-0.13")
