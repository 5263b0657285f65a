"""Forecast of the city's monthly gross emissions and the year-end forecast alerts (reference/city-index.md, "Alerts").

Pure: no Flask, no database. Unlike `formula.py` this works in floats — a projection is not an account, and the
grid search would be slow in Decimals — and returns Decimals rounded to the tonne for display.

Model: damped additive Holt–Winters (level ℓ, trend b damped by φ, 12-month seasonality s):

    ŷ(t+h) = ℓ(t) + (φ + φ² + … + φ^h)·b(t) + s(t + h − 12·k)        (k so that the season is the latest one)
    ℓ(t) = α·(y(t) − s(t−12)) + (1 − α)·(ℓ(t−1) + φ·b(t−1))
    b(t) = β·(ℓ(t) − ℓ(t−1)) + (1 − β)·φ·b(t−1)
    s(t) = γ·(y(t) − ℓ(t)) + (1 − γ)·s(t−12)

initialised from the first two years (ℓ the first year's mean, b the change of the yearly means / 12, s the first
year's deviations from its mean), then run over the rest; α, β, γ (coarse grid) and φ ∈ {0.9, 0.98} minimise the
sum of squared one-step-ahead errors. It needs 24 months; with fewer, seasonal-naive with trend: the value twelve
months earlier plus the average year-over-year change (0 with less than 13 months; with less than 12 months the
mean of the series, flat).

80% prediction interval — an approximation, documented here: σ is the standard deviation of the one-step-ahead
residuals, and the h-step error is taken as the sum of h independent one-step errors, so the half-width is
z₀.₉·σ·√h (z₀.₉ = 1.2816). This ignores parameter uncertainty and the model's own error propagation, and is
conservative for small α. For the year total (a sum of monthly forecasts) the monthly errors are taken as fully
correlated, i.e. the bounds of the months are summed — conservative too: it makes the red alert (the lower bound
above the path) harder to raise, never easier.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import product

from .formula import Alert

__all__ = ["AMBER_ABOVE", "YearEnd", "fit", "forecast", "forecast_alerts", "year_end_projection"]

SEASON = 12
Z80 = 1.2815515655446004  # two-sided 80%: the 90th percentile of the normal distribution
ALPHAS = (0.1, 0.2, 0.4, 0.6, 0.8)
BETAS = (0.01, 0.05, 0.1, 0.2)
GAMMAS = (0.05, 0.1, 0.3, 0.5)
PHIS = (0.9, 0.98)
AMBER_ABOVE = Decimal("0.03")  # the year-end forecast more than 3% above the path


def _tonnes(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)


def _next(year: int, month: int, n: int = 1) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


@dataclass(frozen=True)
class Fit:
    method: str            # "holt-winters" or "seasonal-naive" (or "mean" with less than a year)
    params: dict           # alpha, beta, gamma, phi (Holt–Winters) or drift (seasonal naive)
    sigma: float           # standard deviation of the one-step-ahead residuals
    points: list           # h = 1..horizon: the point forecasts (floats)


def _hw_run(y, alpha, beta, gamma, phi, horizon=0):
    """(SSE of the one-step errors from the 13th month on, their count, the forecasts for h = 1..horizon)."""
    m = SEASON
    first, second = sum(y[:m]) / m, sum(y[m:2 * m]) / m
    level, trend = first, (second - first) / m
    season = [v - first for v in y[:m]]
    # ℓ and b as at the middle of the first year: bring the level to its end before running
    level += (m - 1) / 2 * trend
    sse, n = 0.0, 0
    for t in range(m, len(y)):
        s_old = season[t - m]
        err = y[t] - (level + phi * trend + s_old)
        sse += err * err
        n += 1
        new_level = alpha * (y[t] - s_old) + (1 - alpha) * (level + phi * trend)
        trend = beta * (new_level - level) + (1 - beta) * phi * trend
        level = new_level
        season.append(gamma * (y[t] - level) + (1 - gamma) * s_old)
    points, damp = [], 0.0
    for h in range(1, horizon + 1):
        damp += phi ** h
        points.append(level + damp * trend + season[len(y) - m + (h - 1) % m])
    return sse, n, points


def fit(values: Sequence, horizon: int) -> Fit:
    """Fit the model to a monthly series (oldest first) and forecast `horizon` months ahead."""
    y = [float(v) for v in values]
    n = len(y)
    if n == 0:
        raise ValueError("an empty series cannot be forecast")
    if n >= 2 * SEASON:
        best = None
        for alpha, beta, gamma, phi in product(ALPHAS, BETAS, GAMMAS, PHIS):
            sse = _hw_run(y, alpha, beta, gamma, phi)[0]
            if best is None or sse < best[0]:
                best = (sse, alpha, beta, gamma, phi)
        sse, alpha, beta, gamma, phi = best
        _, count, points = _hw_run(y, alpha, beta, gamma, phi, horizon)
        return Fit("holt-winters", {"alpha": alpha, "beta": beta, "gamma": gamma, "phi": phi},
                   math.sqrt(sse / count), points)
    if n >= SEASON:
        changes = [y[t] - y[t - SEASON] for t in range(SEASON, n)]
        drift = sum(changes) / len(changes) / SEASON if changes else 0.0  # per month
        residuals = [c - SEASON * drift for c in changes]
        if len(residuals) > 1:
            sigma = math.sqrt(sum(r * r for r in residuals) / len(residuals))
        else:  # no residual to speak of: the month-to-month spread of the year, seasonality included
            mean = sum(y) / n
            sigma = math.sqrt(sum((v - mean) ** 2 for v in y) / n)
        points = []
        for h in range(1, horizon + 1):
            base = n - SEASON + (h - 1) % SEASON
            points.append(y[base] + drift * (n - 1 + h - base))
        return Fit("seasonal-naive", {"drift": drift}, sigma, points)
    mean = sum(y) / n
    sigma = math.sqrt(sum((v - mean) ** 2 for v in y) / n)
    return Fit("mean", {}, sigma, [mean] * horizon)


def _half_width(sigma: float, h: int) -> float:
    return Z80 * sigma * math.sqrt(h)


def forecast(series: Sequence[tuple[tuple[int, int], object]], horizon: int) -> list[tuple]:
    """[(month, value, low, high)] for the `horizon` months after the series, month as (year, month), values
    tCO2 rounded to the tonne. The series is [((year, month), value)], consecutive months, oldest first."""
    if horizon <= 0:
        return []
    if not series:
        raise ValueError("an empty series cannot be forecast")
    f = fit([v for _, v in series], horizon)
    last = tuple(series[-1][0])
    out = []
    for h, value in enumerate(f.points, start=1):
        w = _half_width(f.sigma, h)
        out.append((_next(*last, h), _tonnes(value), _tonnes(value - w), _tonnes(value + w)))
    return out


@dataclass(frozen=True)
class YearEnd:
    """The calendar year's gross emissions: the actual months so far plus the forecast to December."""
    year: int
    actual: Decimal        # Σ of the year's months in the series
    actual_months: int
    points: list           # forecast(...) for the months after the series up to December
    projected: Decimal
    low: Decimal
    high: Decimal
    method: str


def year_end_projection(series: Sequence[tuple[tuple[int, int], object]], year: int | None = None) -> YearEnd:
    """Actual months of `year` (by default the year of the series' last month) + the forecast to its December."""
    if not series:
        raise ValueError("an empty series cannot be projected")
    last_year, last_month = series[-1][0]
    year = last_year if year is None else year
    if year != last_year:
        raise ValueError("the series must end in the year projected")
    in_year = [Decimal(str(v)) for (y, _), v in series if y == year]
    actual = sum(in_year, Decimal(0))
    horizon = 12 - last_month
    f = fit([v for _, v in series], horizon) if horizon else None
    points, projected, low, high = [], float(actual), float(actual), float(actual)
    for h in range(1, horizon + 1):
        value, w = f.points[h - 1], _half_width(f.sigma, h)
        points.append((_next(last_year, last_month, h), _tonnes(value), _tonnes(value - w), _tonnes(value + w)))
        projected, low, high = projected + value, low + value - w, high + value + w
    return YearEnd(year, actual, len(in_year), points, _tonnes(projected), _tonnes(low), _tonnes(high),
                   f.method if f else "actual")


def forecast_alerts(projection: YearEnd, path_value) -> list[Alert]:
    """Red when the lower bound of the 80% interval is above the path at the year end; otherwise amber when the
    projection is more than 3% above it. Value and threshold are shares above the path (0.05 is 5%)."""
    path_value = Decimal(str(path_value))
    if path_value <= 0:
        return []
    excess = projection.projected / path_value - 1
    if projection.low > path_value:
        return [Alert("red", "forecast", None, excess, Decimal(0))]
    if excess > AMBER_ABOVE:
        return [Alert("amber", "forecast", None, excess, AMBER_ABOVE)]
    return []
