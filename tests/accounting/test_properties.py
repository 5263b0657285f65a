"""Properties of the engine over generated inputs: linear in quantity, blind to the unit chosen, totals add up."""
from datetime import date
from decimal import Decimal as D
from decimal import localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from app.accounting.engine import CTX, LineInput, Settings, compute, totals
from app.accounting.library import FactorLibrary, seed_factors

LIBRARY = FactorLibrary(seed_factors())
FAST = settings(max_examples=100, deadline=None)

# (category, material, unit, measured): every kind of line the engine computes.
KINDS = [
    ("stationary_combustion", "natural_gas", "10^4 Nm3", {}),
    ("stationary_combustion", "raw_coal", "t", {"ncv": D("21.5"), "oxidation_rate": D("0.95")}),
    ("stationary_combustion", "coke_oven_gas", "Nm3", {}),
    ("stationary_combustion", "lpg", "kg", {}),
    ("mobile_combustion", "diesel", "t", {}),
    ("mobile_combustion", "gasoline", "kg", {}),
    ("process", "limestone", "t", {}),
    ("process", "soda_ash", "kg", {}),
    ("fugitive", "SF6", "kg", {}),
    ("fugitive", "CH4", "t", {}),
    ("fugitive", "HFC-134a", "kg", {}),
    ("purchased_electricity", "electricity", "kWh", {}),
    ("purchased_electricity", "electricity", "MWh", {}),
    ("exported_electricity", "electricity", "MWh", {}),
    ("purchased_heat", "heat", "GJ", {}),
    ("purchased_heat", "steam", "t", {"enthalpy_kj_per_kg": D("2780.5")}),
    ("purchased_heat", "hot_water", "t", {"temperature_c": D(85)}),
    ("exported_heat", "heat", "TJ", {}),
]
MONTHS = [date(year, month, 1) for year in range(2022, 2027) for month in (1, 6, 12)]

quantities = st.decimals(min_value=0, max_value=10_000_000, places=4, allow_nan=False, allow_infinity=False)
multipliers = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
city_settings = st.builds(Settings, gwp_set=st.sampled_from(["SAR", "AR4", "AR5", "AR6"]),
                          grid_series=st.sampled_from(["national_average", "ets_compliance"]),
                          include_ch4_n2o=st.booleans())


def make(kind, quantity, month, unit=None, source_id=1):
    category, material, default_unit, measured = kind
    # Vehicles have no default CH4/N2O factor (IPCC Table 2.2 is stationary); keep them out when it is on.
    return LineInput(source_id, f"source {source_id}", category, material, month, quantity, unit or default_unit,
                     measured=measured)


def kinds_for(settings_):
    return [k for k in KINDS if not (settings_.include_ch4_n2o and k[0] == "mobile_combustion")]


def close(a: D, b: D) -> bool:
    """Equal to 20 decimal places relative to the size of the figure (the engine keeps 34 significant digits)."""
    with localcontext(CTX):
        return abs(a - b) <= D("1e-20") * max(abs(a), abs(b), D(1))


def scaled(k, value):
    with localcontext(CTX):
        return None if value is None else k * value


@FAST
@given(data=st.data(), q=quantities, k=multipliers, month=st.sampled_from(MONTHS), city=city_settings)
def test_results_scale_linearly_with_quantity(data, q, k, month, city):
    kind = data.draw(st.sampled_from(kinds_for(city)))
    [base] = compute([make(kind, q, month)], LIBRARY, city)
    with localcontext(CTX):
        kq = k * q
    [big] = compute([make(kind, kq, month)], LIBRARY, city)
    for name in ("co2_t", "ch4_t", "n2o_t", "co2e_t", "energy_tce"):
        assert close(getattr(big, name), scaled(k, getattr(base, name))), name
    if base.co2e_market_t is None:
        assert big.co2e_market_t is None
    else:
        assert close(big.co2e_market_t, scaled(k, base.co2e_market_t))
    for gas, tonnes in base.other_t.items():
        assert close(big.other_t[gas], scaled(k, tonnes))


# (kind, another unit, how many of it make one of the kind's unit)
EQUIVALENT_UNITS = [
    (KINDS[0], "Nm3", D(10000)),             # natural gas 10^4 Nm3 -> Nm3
    (KINDS[0], "万Nm³", D(1)),
    (KINDS[1], "kg", D(1000)),               # coal t -> kg
    (KINDS[4], "公斤", D(1000)),             # diesel t -> kg
    (KINDS[6], "kg", D(1000)),               # limestone
    (KINDS[8], "t", D("0.001")),             # SF6 kg -> t
    (KINDS[11], "MWh", D("0.001")),          # electricity kWh -> MWh
    (KINDS[12], "度", D(1000)),              # electricity MWh -> kWh
    (KINDS[13], "GJ", D("3.6")),             # exported electricity MWh -> GJ
    (KINDS[14], "TJ", D("0.001")),           # heat GJ -> TJ
    (KINDS[14], "MWh", 1 / D("3.6")),        # inexact on purpose: equal to 20 places, not exactly
    (KINDS[15], "kg", D(1000)),              # steam t -> kg
]


@FAST
@given(case=st.sampled_from(EQUIVALENT_UNITS), q=quantities, month=st.sampled_from(MONTHS), city=city_settings)
def test_the_unit_chosen_does_not_change_the_result(case, q, month, city):
    kind, other_unit, per_unit = case
    if city.include_ch4_n2o and kind[0] == "mobile_combustion":
        city = Settings(city.gwp_set, city.grid_series, include_ch4_n2o=False)
    with localcontext(CTX):
        q_other = q * per_unit
    [a] = compute([make(kind, q, month)], LIBRARY, city)
    [b] = compute([make(kind, q_other, month, unit=other_unit)], LIBRARY, city)
    exact = per_unit != 1 / D("3.6")
    for name in ("co2_t", "ch4_t", "n2o_t", "co2e_t", "co2e_market_t", "energy_tce"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None:
            assert y is None
        elif exact:
            assert x == y, name
        else:
            assert close(x, y), name


@FAST
@given(data=st.data(), city=city_settings, month=st.sampled_from(MONTHS))
def test_totals_are_the_sum_of_their_parts(data, city, month):
    kinds = kinds_for(city)
    specs = data.draw(st.lists(st.tuples(st.sampled_from(kinds), quantities), min_size=1, max_size=25))
    lines = [make(kind, q, month, source_id=i) for i, (kind, q) in enumerate(specs)]
    results = compute(lines, LIBRARY, city)
    t = totals(results)

    def total_of(scope, name="co2e_t"):
        with localcontext(CTX):
            return sum((getattr(r, name) for r in results if r.scope == scope), D(0))

    assert close(t.scope1, total_of("1"))
    assert close(t.scope2, total_of("2"))
    assert close(t.exported, total_of("export"))
    assert close(t.scope3, total_of("3"))
    with localcontext(CTX):
        assert t.total == t.scope1 + t.scope2 - t.exported
        assert t.total_market == t.scope1 + t.scope2_market - t.exported
        market = sum((r.co2e_t if r.co2e_market_t is None else r.co2e_market_t for r in results if r.scope == "2"),
                     D(0))
        energy = total_of("1", "energy_tce") + total_of("2", "energy_tce") - total_of("export", "energy_tce")
        gwp = LIBRARY.gwp(city.gwp_set, month)
        weighted = sum((tonnes * gwp[gas] for gas, tonnes in t.by_gas.items()), D(0))
    assert close(t.scope2_market, market)
    assert close(t.energy_tce, energy)
    # Every tonne of CO2e in the total is a tonne of some gas times its GWP.
    assert close(weighted, t.total)
