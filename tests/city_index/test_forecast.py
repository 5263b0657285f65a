"""The emissions forecast (damped Holt–Winters, seasonal-naive fallback), its interval and the year-end alerts.
Pure code: no app."""
import math
from decimal import Decimal as D
from itertools import pairwise

import pytest

from app.city_index.forecast import (
    AMBER_ABOVE,
    YearEnd,
    fit,
    forecast,
    forecast_alerts,
    year_end_projection,
)

SEASONAL = [1.00, 0.95, 0.90, 0.85, 0.85, 0.95, 1.10, 1.15, 1.05, 0.95, 1.00, 1.25]  # winter heating, summer cooling


def _truth(t):
    """A known series: 1 Mt a month growing 0.2% a month, a 12-month seasonal pattern and a small wiggle."""
    return 1_000_000 * (1 + 0.002 * t) * SEASONAL[t % 12] + 5_000 * math.sin(1.7 * t)


def _series(n, start=(2021, 1)):
    out, (y, m) = [], start
    for t in range(n):
        out.append(((y, m), _truth(t)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_holt_winters_recovers_the_seasonality():
    series = _series(48)
    got = forecast(series, 12)
    assert fit([v for _, v in series], 1).method == "holt-winters"
    assert [month for month, *_ in got] == [(2025, m) for m in range(1, 13)]
    for h, (_, value, low, high) in enumerate(got):
        expected = _truth(48 + h)
        assert isinstance(value, D) and value == value.to_integral_value()
        assert abs(float(value) / expected - 1) < 0.03, (h, value, expected)
        assert low <= value <= high
    # the seasonal shape is there: December above May, as in the known continuation
    assert got[11][1] > got[4][1] * D("1.3")


def test_interval_widens_with_the_horizon():
    got = forecast(_series(36), 18)
    widths = [high - low for _, _, low, high in got]
    assert all(b > a for a, b in pairwise(widths))
    assert widths[0] > 0


def test_fallback_seasonal_naive_with_trend_under_24_months():
    series = _series(18)
    f = fit([v for _, v in series], 6)
    assert f.method == "seasonal-naive"
    got = forecast(series, 6)
    for h, (_, value, _, _) in enumerate(got):
        assert abs(float(value) / _truth(18 + h) - 1) < 0.03
    # a flat series with less than a year: its mean
    assert [v for _, v, _, _ in forecast([((2025, 1), 10), ((2025, 2), 10)], 2)] == [D(10), D(10)]
    with pytest.raises(ValueError):
        forecast([], 3)
    assert forecast(series, 0) == []


def test_year_end_projection_adds_actual_months_and_forecast():
    series = _series(42)  # 2021-01 .. 2024-06
    got = year_end_projection(series)
    assert got.year == 2024 and got.actual_months == 6
    assert got.actual == sum(D(str(v)) for (y, _), v in series if y == 2024)
    assert [m for m, *_ in got.points] == [(2024, m) for m in range(7, 13)]
    assert abs(got.projected - got.actual - sum(p[1] for p in got.points)) <= 6  # the points are rounded
    assert got.low < got.projected < got.high
    full_year = sum(_truth(t) for t in range(36, 48))
    assert abs(float(got.projected) / full_year - 1) < 0.02
    december = year_end_projection(_series(48))  # the year is complete: nothing to forecast
    assert december.points == [] and december.low == december.projected == december.high


def _projection(projected, low, high):
    return YearEnd(2025, D(0), 6, [], D(projected), D(low), D(high), "holt-winters")


def test_alert_rules_by_hand():
    path = D(1000)
    assert forecast_alerts(_projection(1030, 990, 1070), path) == []  # exactly 3% above: not more than 3%
    amber = forecast_alerts(_projection(1031, 990, 1070), path)
    assert [(a.level, a.kind) for a in amber] == [("amber", "forecast")]
    assert amber[0].value == D("0.031") and amber[0].threshold == AMBER_ABOVE
    # lower bound above the path: red, even when the projection is less than 3% above
    red = forecast_alerts(_projection(1020, 1001, 1040), path)
    assert [a.level for a in red] == ["red"]
    assert [a.level for a in forecast_alerts(_projection(1200, 1100, 1300), path)] == ["red"]
    assert forecast_alerts(_projection(1200, 1000, 1300), path)[0].level == "amber"  # low equal to the path
    assert forecast_alerts(_projection(900, 800, 1000), path) == []
