"""Methodology version 2 of the DCI: worked examples A and B, the levers, and version 1 unchanged beside it.
Pure code: no app."""
from dataclasses import replace
from decimal import Decimal as D

import pytest

from app.city_index.formula import (
    CityInputs,
    TargetPath,
    compute_index,
    dci_change,
    index_time,
    lever_table,
    normalise_higher_better_v2,
    normalise_lower_better_v2,
    provisional,
)

PATH = TargetPath(y0=2020, e0=D(20_000_000), g0=D(13_000_000), yp=2028, ep=D(22_000_000), s60=D(3_000_000))
T = index_time(2025, 6)
A = CityInputs(
    scope1_tco2_r12=D(17_000_000), non_filing_tco2_r12=D(3_000_000),
    net_import_mwh_r12=D(2_500_000), grid_factor_tco2_per_mwh=D("0.6"),  # 1,500,000 tCO2
    gdp_r12=D(16_000_000),
    non_fossil_share=D("0.17"), non_fossil_base_share=D("0.10"),
    industrial_r=D("0.97"), industrial_base_r=D("0.92"),
    transport_buildings_tco2_r12=D(2_400_000), transport_buildings_base_tco2=D(2_200_000),
    sinks_tco2=D(1_100_000), sinks_base_tco2=D(900_000),
)
# B: 1,500,000 t less scope 1; non-filing sectors 2,900,000 of which transport and buildings 2,300,000
B = replace(A, scope1_tco2_r12=D(15_500_000), non_filing_tco2_r12=D(2_900_000),
            transport_buildings_tco2_r12=D(2_300_000))


def close(value, stated):
    """Equal to the figure as printed: within half a unit of its last digit."""
    stated = D(stated)
    return abs(value - stated) <= D(1).scaleb(stated.as_tuple().exponent) / 2


def test_example_a_the_city_behind_its_path():
    got = compute_index(PATH, A, T, methodology=2)
    assert got.methodology == 2 and got.margin == D("0.10")
    s = got.sub_indices
    for key, stated in (("S1", "53.55"), ("S2", "46.87"), ("S3", "46.67"), ("S4", "37.50"), ("S5", "48.08"),
                        ("S6", "42.08")):
        assert close(s[key].score, stated), key
        assert s[key].score == s[key].unclipped, key  # between 0 and 100: nothing clipped
    assert close(s["S6"].x, "0.051163") and close(s["S6"].target, "0.053787") and s["S6"].reference == D("0.045")
    assert s["S6"].label == "progress to neutrality"
    assert s["S1"].leading == D("0.9") * 21_125_000
    assert close(got.dci, "46.04")


def test_example_b_the_city_ahead_of_its_path():
    got = compute_index(PATH, B, T, methodology=2)
    s = got.sub_indices
    assert got.gross_tco2 == 19_900_000 and s["S1"].leading == D(19012500)
    for key, stated in (("S1", "83.20"), ("S2", "74.11"), ("S3", "46.67"), ("S4", "37.50"), ("S5", "64.09"),
                        ("S6", "71.08")):
        assert close(s[key].score, stated), key
    assert close(s["S6"].x, "0.055276")
    assert close(got.dci, "63.49")


def test_levers_from_example_a():
    after, change = dci_change(PATH, A, T, scope1_cut=493_000, methodology=2)
    assert close(after, "50.55") and close(change, "4.51")
    after, change = dci_change(PATH, A, T, sinks_added=13_500, methodology=2)
    assert close(after, "46.68") and close(change, "0.64")


def test_version_1_is_unchanged_beside_version_2():
    assert close(compute_index(PATH, A, T).dci, "78.91")
    assert close(compute_index(PATH, A, T, methodology=1).dci, "78.91")
    assert compute_index(PATH, A, T).methodology == 1
    # version 1 in a city ahead of its path: S1 sits at 100 and a cut moves only S2, S5 and S6 a little
    ahead = compute_index(PATH, B, T)
    assert ahead.sub_indices["S1"].score == 100 and ahead.sub_indices["S1"].unclipped > 100
    # version 2 rewards every tonne: a cut in city B still raises S1
    v2_cut = dci_change(PATH, B, T, scope1_cut=100_000, methodology=2)[1]
    assert v2_cut > 0 and compute_index(PATH, replace(B, scope1_tco2_r12=D(15_400_000)), T,
                                        methodology=2).sub_indices["S1"].score > 83


def test_lever_table_reevaluates_the_formula_for_each_sector():
    table = {key: (after, change) for key, after, change in
             lever_table(PATH, A, T, industrial_emissions=D(5_000_000), methodology=2)}
    assert list(table) == ["energy", "industry", "transport_buildings", "sinks"]
    energy = dci_change(PATH, A, T, scope1_cut=100_000, methodology=2)
    assert table["energy"] == energy and energy[1] > 0
    # industry at unchanged output: the benchmarked enterprises (5 of the 17 Mt) take 5/17 of the cut, so
    # R = 0.97 × 5,000,000 / (5,000,000 − 100,000 × 5/17), S4 moves too and the lever is worth more
    assert table["industry"][1] > table["energy"][1]
    r = D("0.97") * 5_000_000 / (5_000_000 - D(100_000) * 5 / 17)
    with_r = compute_index(PATH, replace(A, scope1_tco2_r12=D(16_900_000), industrial_r=r), T, methodology=2)
    assert abs(table["industry"][0] - with_r.dci) < D("1e-20")
    # transport and buildings cut the regulator's estimate: S5 moves as well as X
    tb = compute_index(PATH, replace(A, non_filing_tco2_r12=D(2_900_000), transport_buildings_tco2_r12=D(2_300_000)),
                       T, methodology=2)
    assert table["transport_buildings"][0] == tb.dci
    assert table["sinks"][0] == compute_index(PATH, replace(A, sinks_tco2=D(1_200_000)), T, methodology=2).dci


def test_three_anchor_scale():
    # lower is better, T = 100, B = 200, L = 90: 0 at B, 60 at T, 100 at L, unclipped beyond
    assert normalise_lower_better_v2(200, 100, 200) == (0, 0)
    assert normalise_lower_better_v2(100, 100, 200) == (60, 60)
    assert normalise_lower_better_v2(90, 100, 200) == (100, 100)
    assert normalise_lower_better_v2(80, 100, 200) == (100, 140)
    assert normalise_lower_better_v2(250, 100, 200) == (0, -30)
    assert normalise_lower_better_v2(95, 100, 200, margin=D("0.2")) == (70, 70)
    # higher is better with a physical limit: L = min(1.1 × 0.95, 1) = 1
    assert normalise_higher_better_v2(D("0.975"), D("0.95"), D("0.5"), limit=1) == (80, 80)
    assert normalise_higher_better_v2(1, 1, D("0.5"), limit=1) == (60, 60)
    with pytest.raises(ValueError):
        normalise_lower_better_v2(1, 1, 2, margin=0)


def test_version_2_s6_needs_gross_emissions():
    got = compute_index(PATH, replace(A, scope1_tco2_r12=None), T, methodology=2)
    assert "S6" in got.dropped and "S1" in got.dropped
    with pytest.raises(ValueError):
        compute_index(PATH, A, T, methodology=3)


def test_provisional_by_the_month_itself_or_its_window():
    assert not provisional(24, 36, 2, 3)        # 66.7 % and 66.7 %
    assert provisional(24, 36, 1, 3)            # the month itself: 33 %
    assert provisional(20, 36, 3, 3)            # the window: 55.6 %
    assert provisional(24, 36, 0, 0)            # nobody obliged in the month
    assert not provisional(24, 36)              # version 1's window rule alone
