"""The what-if simulator, pure: the engine's own figures, the steam substitution by hand, sinks, efficiency,
top-down shares and the effect on the index through the same formula."""
from datetime import date
from decimal import Decimal

import pytest

from app.accounting import engine
from app.accounting.library import FactorLibrary, seed_factors
from app.city_index.formula import CityInputs, TargetPath, compute_index, index_time
from app.core.numbers import rounded
from app.scenarios import simulator
from app.scenarios.simulator import Activity

D = Decimal
LIBRARY = FactorLibrary(seed_factors())
SETTINGS = engine.Settings()
GAS = "stationary_combustion", "natural_gas"


def test_new_project_equals_the_engine_for_the_same_activity():
    activity = [Activity(*GAS, D(100), "10^4 Nm3"), Activity("purchased_electricity", "electricity", D(1000), "MWh")]
    added = simulator.new_project(activity, LIBRARY, SETTINGS, 2025)
    lines = [engine.LineInput(1, "gas", *GAS, month=date(2025, 1, 1), quantity=D(100),
                              unit="10^4 Nm3"),
             engine.LineInput(2, "power", "purchased_electricity", "electricity",
                              month=date(2025, 1, 1), quantity=D(1000), unit="MWh")]
    direct = engine.totals(engine.compute(lines, LIBRARY, SETTINGS))
    assert added.scope1 == direct.scope1 and added.scope2 == direct.scope2 and added.total == direct.total
    # By hand: 100 × 389.31 GJ/10^4 Nm3 × 0.0153 tC/GJ × 0.99 × 44/12.
    assert added.scope1 == D(100) * D("389.31") * D("0.0153") * D("0.99") * 44 / D(12)
    assert rounded(added.scope1, 4) == D("2162.1888")
    assert added.electricity_mwh == 1000
    delta = simulator.new_project_delta(added, "industry")
    assert delta.scope1_tco2 == added.scope1 and delta.net_import_mwh == 1000


def test_steam_substitution_by_hand():
    # 50,000 GJ of steam from the power plant replaces the chemical plants' gas boilers (150 × 10^4 Nm3);
    # the plant burns 2,300 t more raw coal.
    result = simulator.substitution([Activity(*GAS, D(150), "10^4 Nm3")],
                                    [Activity("stationary_combustion", "raw_coal", D(2300), "t")],
                                    LIBRARY, SETTINGS, 2025, steam_gj=D(50000))
    saved = D(150) * D("389.31") * D("0.0153") * D("0.99") * 44 / D(12)       # 3,243.2832135
    coal = D(2300) * D("20.908") * D("0.02637") * D("0.94") * 44 / D(12)       # 4,370.68735224
    assert rounded(result.saved.scope1, 2) == D("3243.28")
    assert rounded(result.extra.scope1, 5) == D("4370.68735")
    assert result.net == coal - saved
    assert rounded(result.net, 4) == D("1127.4041")
    assert result.delta.scope1_tco2 == result.net and result.steam_gj == 50000


def test_sinks_and_efficiency():
    assert simulator.sinks(D(2000), D("7.5")) == D(15000)
    with pytest.raises(ValueError):
        simulator.sinks(D(-1), D(5))
    cuts = simulator.efficiency({"industry": D(1000000), "transport": D(200000)}, {"industry": D(5), "transport": D(10)})
    assert cuts == {"industry": D(50000), "transport": D(20000)}
    delta = simulator.reductions_delta(cuts)
    assert delta.scope1_tco2 == -50000 and delta.non_filing_tco2 == -20000 and delta.transport_buildings_tco2 == -20000
    with pytest.raises(ValueError):
        simulator.efficiency({"industry": D(1)}, {"industry": D(101)})


def test_top_down_proportional_and_weighted():
    projection = {"energy": D(600), "industry": D(300), "transport": D(100)}
    plan = simulator.top_down(D(900), projection)
    assert plan.cut == 100
    assert plan.by_sector == {"energy": D(60), "industry": D(30), "transport": D(10)}
    assert all(p == 10 for p in plan.percent_by_sector.values())
    weighted = simulator.top_down(D(900), projection, {"energy": D(2), "industry": D(1), "transport": D(0)})
    # basis 1200 : 300 : 0 → 80 : 20 : 0
    assert weighted.by_sector == {"energy": D(80), "industry": D(20), "transport": D(0)}
    assert simulator.top_down(D(5000), projection).cut == 0


def test_apply_to_index_and_offset():
    path = TargetPath(2020, D(20000000), D(13000000), 2028, D(22000000), D(3000000))
    base = CityInputs(scope1_tco2_r12=D(17000000), non_filing_tco2_r12=D(3000000), net_import_mwh_r12=D(1500000),
                      grid_factor_tco2_per_mwh=D(1), gdp_r12=D(16000000), non_fossil_share=D("0.17"),
                      non_fossil_base_share=D("0.10"), industrial_r=D("0.97"), industrial_base_r=D("0.92"),
                      transport_buildings_tco2_r12=D(2400000), transport_buildings_base_tco2=D(2200000),
                      sinks_tco2=D(1100000), sinks_base_tco2=D(900000))
    t = index_time(2025, 6)
    before = compute_index(path, base, t)
    assert round(before.dci, 2) == D("78.91")
    delta = simulator.Delta(scope1_tco2=D(100000), sinks_tco2=D(20000))
    after = compute_index(path, simulator.apply_to_index(base, delta), t)
    assert after.gross_tco2 - before.gross_tco2 == delta.x_change(D(1)) == 100000
    assert after.sub_indices["S6"].x == D(1120000)
    assert after.sub_indices["S1"].score < before.sub_indices["S1"].score
    assert simulator.apply_to_index(CityInputs(), delta) == CityInputs()  # no data stays no data
    # X is above the path by 375,000: nothing of a project's 1,000 t fits, so all of it must be made room for.
    offset = simulator.offset_needed(D(1000), before.path_target - before.gross_tco2, D(5))
    assert offset.needed == 1000 and offset.hectares == 200
    assert simulator.offset_needed(D(1000), D(400), D(5)).needed == 600
