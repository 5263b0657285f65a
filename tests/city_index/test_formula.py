"""The DCI formula: the worked example of the definition, the path's shape, clipping, dropped sub-indices, coverage
and alerts. Pure code: no app."""
from decimal import Decimal as D
from decimal import localcontext
from itertools import pairwise

import pytest

from app.city_data.defaults import DEFAULT_WEIGHTS
from app.city_index.formula import (
    CTX,
    CityInputs,
    TargetPath,
    alerts,
    compute_index,
    cut_at,
    index_time,
    milestone_value,
    non_fossil_target_at,
    normalise_higher_better,
    normalise_lower_better,
    provisional,
    rescale_weights,
)

PATH = TargetPath(y0=2020, e0=D(20_000_000), g0=D(13_000_000), yp=2028, ep=D(22_000_000), s60=D(3_000_000))
T = index_time(2025, 6)
EXAMPLE = CityInputs(
    scope1_tco2_r12=D(17_000_000), non_filing_tco2_r12=D(3_000_000),
    net_import_mwh_r12=D(2_500_000), grid_factor_tco2_per_mwh=D("0.6"),  # 1,500,000 tCO2
    gdp_r12=D(16_000_000),
    non_fossil_share=D("0.17"), non_fossil_base_share=D("0.10"),
    industrial_r=D("0.97"), industrial_base_r=D("0.92"),
    transport_buildings_tco2_r12=D(2_400_000), transport_buildings_base_tco2=D(2_200_000),
    sinks_tco2=D(1_100_000), sinks_base_tco2=D(900_000),
)


def close(value, stated):
    """Equal to the figure as printed: within half a unit of its last digit."""
    stated = D(stated)
    return abs(value - stated) <= D(1).scaleb(stated.as_tuple().exponent) / 2


@pytest.fixture(scope="module")
def example():
    return compute_index(PATH, EXAMPLE, T)


def test_index_time():
    assert T == D("2024.5")
    assert index_time(2025, 12) == 2025
    with pytest.raises(ValueError):
        index_time(2025, 13)


def test_worked_example_path():
    assert PATH.at_year(2024) == 21_000_000
    assert PATH.at_year(2025) == 21_250_000
    assert PATH.at(T) == 21_125_000
    assert cut_at(T, 2020) == D("0.162")
    assert non_fossil_target_at(T, 2020, D("0.10")) == D("0.19")


def test_worked_example_sub_indices(example):
    s = example.sub_indices
    assert example.gross_tco2 == 21_500_000
    assert example.gross_parts["imported_electricity"] == 1_500_000
    assert s["S1"].target == 21_125_000 and close(s["S1"].reference, "24615384.6") and s["S1"].x == 21_500_000
    assert close(s["S1"].score, "89.26")
    assert s["S2"].x == D("1.34375") and close(s["S2"].reference, "1.538462") and close(s["S2"].target, "1.289231")
    assert s["S2"].detail["cut"] == D("0.162")
    # 78.125 exactly: the definition prints 78.12 (round half to even), half-up would say 78.13.
    assert abs(s["S2"].score - D("78.125")) < D("1e-28") and close(s["S2"].score, "78.12")
    assert s["S3"].target == D("0.19") and close(s["S3"].score, "77.78")
    assert s["S4"].target == 1 and s["S4"].score == D("62.5")
    assert s["S5"].target == 2_323_750 and close(s["S5"].reference, "2707692.3") and close(s["S5"].score, "80.14")
    assert s["S6"].target == 1_136_250 and close(s["S6"].score, "84.66")
    assert not any(sub.fallback for sub in s.values())
    assert example.dropped == {}
    assert example.weights_used == DEFAULT_WEIGHTS


def test_worked_example_dci_from_unrounded(example):
    assert close(example.dci, "78.91")
    with localcontext(CTX):
        assert example.dci == sum(example.contributions.values())
    assert sum(example.weights_used.values()) == 1


def test_path_declines_to_s60_in_2060():
    assert PATH.at_year(2028) == 22_000_000
    assert abs(PATH.at_year(2060) - 3_000_000) < D("1e-20")
    years = PATH.yearly(range(2028, 2061))
    values = [v for _, v in years]
    assert all(a > b for a, b in pairwise(values))
    # a constant yearly decline d
    d = PATH.decline
    assert abs(PATH.at_year(2040) / PATH.at_year(2039) - (1 - d)) < D("1e-30")
    assert abs(PATH.at_year(2028) * (1 - d) ** 32 - 3_000_000) < D("1e-20")


def test_path_interpolates_between_years_after_the_peak():
    t = D("2040.25")
    a, b = PATH.at_year(2040), PATH.at_year(2041)
    with localcontext(CTX):
        assert PATH.at(t) == a + (b - a) * D("0.25")


def test_monthly_reads_each_month_at_its_index_time():
    months = PATH.monthly((2024, 11), (2025, 2))
    assert [m for m, _ in months] == [(2024, 11), (2024, 12), (2025, 1), (2025, 2)]
    assert months[1][1] == PATH.at_year(2024)
    assert months[0][1] == PATH.at(index_time(2024, 11))


def test_path_rejects_a_late_peak_or_rising_tail():
    with pytest.raises(ValueError):
        TargetPath(2020, D(1), D(1), 2031, D(2), D(1))
    with pytest.raises(ValueError):
        TargetPath(2020, D(1), D(1), 2028, D(2), D(3))
    with pytest.raises(TypeError):
        TargetPath(2020, 1.0, D(1), 2028, D(2), D(1))


def test_milestones_are_flat_outside_their_range():
    points = [(2025, D("0.2")), (2030, D("0.25"))]
    assert milestone_value(points, D(2020)) == D("0.2")
    assert milestone_value(points, D("2027.5")) == D("0.225")
    assert milestone_value(points, D(2035)) == D("0.25")
    assert cut_at(D(2027), 2020) == D("0.18")
    assert non_fossil_target_at(D(2045), 2020, D("0.10")) == D("0.525")


def test_clipping_keeps_the_unclipped_value():
    assert normalise_lower_better(D(80), D(90), D(100)) == (100, D(200))
    assert normalise_lower_better(D(110), D(90), D(100)) == (0, D(-100))
    assert normalise_higher_better(D(120), D(100), D(80)) == (100, D(200))
    assert normalise_higher_better(D(70), D(100), D(80)) == (0, D(-50))
    assert normalise_higher_better(D(90), D(100), D(80)) == (50, 50)


def test_reference_fallbacks():
    # B at or beyond the target, or missing, becomes 1.1·T (lower better) or 0.9·T (higher better)
    assert normalise_lower_better(D(105), D(100), D(100)) == (50, 50)
    assert normalise_lower_better(D(105), D(100), D(90)) == (50, 50)
    assert normalise_lower_better(D(105), D(100)) == (50, 50)
    assert normalise_higher_better(D(95), D(100), D(100)) == (50, 50)
    assert normalise_higher_better(D(95), D(100), D(120)) == (50, 50)


def test_fallback_is_recorded_in_the_result():
    inputs = CityInputs(industrial_r=D("0.95"), industrial_base_r=D("1.02"))
    s4 = compute_index(PATH, inputs, T).sub_indices["S4"]
    assert s4.fallback and s4.reference == D("0.9") and s4.reference_given == D("1.02")
    assert s4.score == 50


def test_a_sub_index_without_data_drops_out_and_weights_rescale(example):
    inputs = CityInputs(**{**EXAMPLE.__dict__, "sinks_tco2": None})
    result = compute_index(PATH, inputs, T)
    assert set(result.dropped) == {"S6"}
    assert set(result.weights_used) == {"S1", "S2", "S3", "S4", "S5"}
    with localcontext(CTX):
        assert abs(sum(result.weights_used.values()) - 1) < D("1e-32")
        assert result.weights_used["S1"] == D("0.25") / D("0.85")
        expected = sum(DEFAULT_WEIGHTS[k] * example.sub_indices[k].score for k in result.weights_used) / D("0.85")
        assert abs(result.dci - expected) < D("1e-30")


def test_incomplete_gross_emissions_drop_s1_and_s2():
    inputs = CityInputs(**{**EXAMPLE.__dict__, "grid_factor_tco2_per_mwh": None})
    result = compute_index(PATH, inputs, T)
    assert result.gross_tco2 is None
    assert list(result.dropped) == ["S1", "S2"]
    assert set(result.sub_indices) == {"S3", "S4", "S5", "S6"}


def test_no_data_at_all_gives_no_dci():
    result = compute_index(PATH, CityInputs(), T)
    assert result.dci is None and result.weights_used == {} and len(result.dropped) == 6


def test_weights_are_passed_in():
    weights = {**DEFAULT_WEIGHTS, "S1": D(0), "S2": D(0), "S3": D(0), "S5": D(0), "S6": D(0), "S4": D(1)}
    assert compute_index(PATH, EXAMPLE, T, weights=weights).dci == D("62.5")
    assert rescale_weights(weights, ["S1", "S2"]) == {}
    with pytest.raises(ValueError):
        compute_index(PATH, EXAMPLE, T, weights={"S1": D(1)})


def test_provisional_below_65_percent():
    assert provisional(64, 100)
    assert not provisional(65, 100)
    assert provisional(12, 19)        # 63.2%
    assert not provisional(13, 20)    # exactly 65%
    assert provisional(0, 0)


def test_alert_thresholds():
    scores = {"S1": D(60), "S2": D("59.99"), "S3": D(40), "S4": D("39.99")}
    found = {(a.key, a.level) for a in alerts(scores)}
    assert found == {("S2", "amber"), ("S3", "amber"), ("S4", "red")}


def test_dci_drop_alert():
    assert alerts({}, dci=D(70), previous_dci=D(75)) == []
    [alert] = alerts({}, dci=D("69.9"), previous_dci=D(75))
    assert (alert.level, alert.kind, alert.value) == ("amber", "dci_drop", D("5.1"))
    assert alerts({}, dci=D(70), previous_dci=None) == []


def test_example_raises_no_alerts(example):
    assert alerts(example.scores, example.dci, previous_dci=D(80)) == []
