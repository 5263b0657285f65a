"""Peer statistics and their disclosure control: plain numbers in, plain numbers out (no Flask, no database).

Definitions (lower intensity is better throughout):

- An enterprise's **value** for a metric is a ratio, Σ tCO2e / Σ denominator over its months (`Member`).
- **Quartiles** Q1, median, Q3 as published (`protected_quartiles`): sort the values x₀ ≤ … ≤ xₙ₋₁, take the
  position h = (n − 1)·p and average the values within min_contributors/2 places of it (at least
  min_contributors of them), so a quartile is never one member's value. The plain type-7 quantile (`quantile`,
  numpy's and Excel's default) stays for the regulator's own tables.
- **Percentile rank** of the enterprise: the share of the *other* members of its group whose value is higher
  (worse) than its own, ties counting half, in percent. 100 = the lowest intensity of the group, 0 = the highest;
  "better than 70 % of peers".
- **Top-10 % benchmark**: the plain mean of the k lowest values, k = max(⌈n / 10⌉, min_contributors), so it
  always rests on at least `min_contributors` enterprises.

Disclosure control, in this order (`summarise`):

1. A group smaller than `min_group` (or than `min_contributors`) shows nothing: TOO_FEW.
2. Dominance: when one member's tCO2e is more than `dominance_percent` % of the group's total tCO2e, the
   group's ratio statistics would mostly describe that one enterprise, so nothing is shown: DOMINATED.
   (Absolute values, so a negative net figure cannot hide a dominant member.)
3. The top-10 % benchmark is a mean of values, so the same rule is applied to its k values: when one of them is
   more than `dominance_percent` % of their sum, that benchmark alone is suppressed.
4. No minimum or maximum is ever computed.
5. `publish` rounds every statistic to 3 significant figures (the percentile rank to a whole percent) before it
   leaves the service, which makes differencing against the viewer's own value and rank less exact still.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

OK, TOO_FEW, DOMINATED = "ok", "too_few", "dominated"
SIGNIFICANT_FIGURES = 3


@dataclass(frozen=True)
class Rules:
    """The city's disclosure settings (peer_min_group, peer_min_contributors, peer_dominance_percent)."""

    min_group: int = 5
    min_contributors: int = 3
    dominance_percent: int = 60

    @property
    def smallest_group(self) -> int:
        return max(self.min_group, self.min_contributors)


@dataclass(frozen=True)
class Member:
    """One enterprise's contribution to a ratio statistic: tCO2e and the denominator (> 0)."""

    tco2e: Decimal
    denominator: Decimal

    @property
    def value(self) -> Decimal:
        return self.tco2e / self.denominator


@dataclass(frozen=True)
class PeerStats:
    """What may be shown about a group. Only aggregates: no member's value, no minimum or maximum."""

    status: str  # OK, TOO_FEW or DOMINATED
    size: int | None = None  # None when TOO_FEW: "too few" says enough
    q1: Decimal | None = None
    median: Decimal | None = None
    q3: Decimal | None = None
    top10: Decimal | None = None
    top10_count: int | None = None  # k, how many enterprises the benchmark averages
    top10_status: str | None = None  # OK or DOMINATED (when status is OK)
    percentile: Decimal | None = None  # the viewer's percentile rank, when it has a value

    @property
    def shown(self) -> bool:
        return self.status == OK


def quantile(values: list[Decimal], p: Decimal | str) -> Decimal:
    """Type-7 quantile (linear interpolation) of `values` (any order, at least one)."""
    if not values:
        raise ValueError("quantile of no values")
    xs = sorted(values)
    h = (len(xs) - 1) * Decimal(p)
    low = int(h)  # h >= 0, so int() is the floor
    if low + 1 >= len(xs):
        return xs[-1]
    return xs[low] + (h - low) * (xs[low + 1] - xs[low])


def quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    return quantile(values, "0.25"), quantile(values, "0.5"), quantile(values, "0.75")


def protected_quantile(values: list[Decimal], p: Decimal | str, k: int) -> Decimal:
    """The mean of the order statistics within k/2 places of the p-quantile's position (at least k of them).

    A plain quartile of a small group is one member's value (the median of 5 is the third one) or a blend
    of two; averaging the values around it means every published quartile comes from at least k
    enterprises, as the disclosure rules ask. The window is centred: the median of 6 averages 4 values.
    """
    xs = sorted(values)
    n = len(xs)
    k = min(k, n)
    position = (n - 1) * Decimal(p)
    window = [i for i in range(n) if abs(i - position) <= Decimal(k) / 2]
    if len(window) < k:  # at an end of the range: the k nearest
        window = sorted(range(n), key=lambda i: (abs(i - position), i))[:k]
    return sum((xs[i] for i in window), Decimal(0)) / len(window)


def protected_quartiles(values: list[Decimal], k: int) -> tuple[Decimal, Decimal, Decimal]:
    return tuple(protected_quantile(values, p, k) for p in ("0.25", "0.5", "0.75"))


def percentile_rank(own: Decimal, others: list[Decimal]) -> Decimal | None:
    """Percent of `others` with a higher (worse) value than `own`, ties counting half; None without others."""
    if not others:
        return None
    higher = sum(1 for v in others if v > own)
    ties = sum(1 for v in others if v == own)
    return (Decimal(higher) + Decimal(ties) / 2) * 100 / len(others)


def top_count(n: int, min_contributors: int) -> int:
    return max(math.ceil(n / 10), min_contributors)


def top_decile(values: list[Decimal], min_contributors: int) -> tuple[Decimal, int]:
    """Mean of the best (lowest) max(⌈n/10⌉, min_contributors) values, and how many that is."""
    k = top_count(len(values), min_contributors)
    if k > len(values):
        raise ValueError("fewer values than contributors")
    best = sorted(values)[:k]
    return sum(best, Decimal(0)) / k, k


def dominated(amounts: list[Decimal], percent: int) -> bool:
    """One amount is more than `percent` % of the total (in absolute terms); an all-zero total is not dominated."""
    sizes = [abs(a) for a in amounts]
    total = sum(sizes, Decimal(0))
    return total > 0 and max(sizes) * 100 > total * percent


def summarise(peers: list[Member], own: Member | None, rules: Rules) -> PeerStats:
    """The group statistics of `peers` plus the viewer (`own`, when it has a value), under the rules above."""
    members = [*peers, *([own] if own is not None else [])]
    n = len(members)
    if n < rules.smallest_group:
        return PeerStats(TOO_FEW)
    if dominated([m.tco2e for m in members], rules.dominance_percent):
        return PeerStats(DOMINATED, size=n)
    values = sorted(m.value for m in members)
    q1, median, q3 = protected_quartiles(values, rules.min_contributors)
    top10, k = top_decile(values, rules.min_contributors)
    top_status = DOMINATED if dominated(values[:k], rules.dominance_percent) else OK
    return PeerStats(OK, size=n, q1=q1, median=median, q3=q3,
                     top10=top10 if top_status == OK else None, top10_count=k, top10_status=top_status,
                     percentile=percentile_rank(own.value, [p.value for p in peers]) if own is not None else None)


def round_significant(value: Decimal | None, figures: int = SIGNIFICANT_FIGURES) -> Decimal | None:
    """Rounded half up to `figures` significant figures (0 stays 0)."""
    if value is None or value == 0:
        return value
    return value.quantize(Decimal(1).scaleb(value.adjusted() - figures + 1), rounding=ROUND_HALF_UP)


def publish(stats: PeerStats) -> PeerStats:
    """The statistics as they may leave the service: rounded (see the module notes)."""
    return replace(stats, q1=round_significant(stats.q1), median=round_significant(stats.median),
                   q3=round_significant(stats.q3), top10=round_significant(stats.top10),
                   percentile=stats.percentile.quantize(Decimal(1), rounding=ROUND_HALF_UP)
                   if stats.percentile is not None else None)


def quarter(value: Decimal | None, stats: PeerStats) -> int | None:
    """Which quarter of the group `value` falls in: 1 (at or below Q1, the best) to 4 (above Q3)."""
    if value is None or not stats.shown:
        return None
    if value <= stats.q1:
        return 1
    if value <= stats.median:
        return 2
    return 3 if value <= stats.q3 else 4
