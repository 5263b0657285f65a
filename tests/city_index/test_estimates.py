"""Estimates of obliged enterprise-months without an approved filing: the rule of reference/city-index.md.
Pure code: no app."""
from decimal import Decimal as D

from app.city_index.estimates import estimate, trend


def idx(year, month):
    return year * 12 + month - 1


def history(values: dict) -> dict:
    return {idx(*k): D(v) for k, v in values.items()}


def test_same_month_last_year_times_the_trend():
    # 2024 at 100 a month, 2025-01..05 at 120: g = 360 / 300 = 1.2 over the latest 3 months (March to May)
    h = history({**{(2024, m): 100 for m in range(1, 13)}, **{(2025, m): 120 for m in range(1, 6)}})
    assert trend(h, idx(2025, 6)) == D("1.2")
    assert estimate(h, idx(2025, 6)) == D(120)


def test_the_trend_is_clipped():
    h = history({**{(2024, m): 100 for m in range(1, 13)}, **{(2025, m): 400 for m in range(1, 6)}})
    assert estimate(h, idx(2025, 6)) == D(150)  # g = 4 clipped to 1.5
    h = history({**{(2024, m): 100 for m in range(1, 13)}, **{(2025, m): 10 for m in range(1, 6)}})
    assert estimate(h, idx(2025, 6)) == D(50)   # g = 0.1 clipped to 0.5


def test_the_trend_uses_the_latest_three_months_with_data_in_the_six_before():
    # 2025-05 and 2025-04 missing: the latest three with data are January to March; December 2024 is older
    h = history({**{(2024, m): 100 for m in range(1, 13)}, (2025, 1): 110, (2025, 2): 130, (2025, 3): 120})
    assert trend(h, idx(2025, 6)) == D("1.2")
    assert estimate(h, idx(2025, 6)) == D(120)


def test_no_year_earlier_data_means_no_trend():
    # June 2024 is known but nothing else a year before the recent months: g = 1
    h = history({(2024, 6): 80, (2025, 3): 200, (2025, 4): 200, (2025, 5): 200})
    assert trend(h, idx(2025, 6)) == 1 and estimate(h, idx(2025, 6)) == D(80)


def test_without_the_same_month_a_year_earlier_the_mean_of_the_latest_three():
    h = history({(2025, 1): 10, (2025, 2): 20, (2025, 3): 30, (2025, 4): 40, (2025, 5): 50})
    assert estimate(h, idx(2025, 6)) == D(40)
    assert estimate(history({(2025, 5): 7}), idx(2025, 6)) == D(7)


def test_without_any_approved_month_nothing():
    assert estimate({}, idx(2025, 6)) is None
    # only data after the month, or older than 18 months: nothing either
    assert estimate(history({(2025, 7): 10, (2023, 11): 10}), idx(2025, 6)) is None
