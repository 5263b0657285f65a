"""Estimates (nowcasts) of obliged enterprise-months without an approved filing (reference/city-index.md,
"Obligations, estimates and provisional months"). Pure: no database; months are month indexes (year·12 + m − 1).

For the month p of an enterprise obliged then but without an approved filing:
- its approved value of p − 12 × its trend g, where g = the approved total of its latest (up to) 3 months with
  approved data among the 6 months before p, over the same months a year earlier, clipped to [0.5, 1.5]; only the
  months whose year-earlier month was approved too are compared, and with none of them g = 1;
- without an approved p − 12: the mean of its latest (up to) 3 approved months among the 18 before p;
- with none: no estimate (the month is counted as unknown).

"Before p" rather than before the index month, so an enterprise-month has one estimate whichever R12 window it
falls in; 18 months back is as far as the rule itself reaches (the year-earlier months of the trend).
Estimates are never stored as filings: the index computes them from the approved history each time.
"""
from collections.abc import Mapping
from decimal import Decimal

G_LOW, G_HIGH = Decimal("0.5"), Decimal("1.5")
TREND_MONTHS, TREND_LOOKBACK, FALLBACK_LOOKBACK = 3, 6, 18


def trend(history: Mapping[int, Decimal], month: int) -> Decimal:
    """g for month `month`: latest up to 3 approved months of the 6 before it against a year earlier, clipped."""
    recent = [k for k in range(month - 1, month - TREND_LOOKBACK - 1, -1) if k in history][:TREND_MONTHS]
    paired = [k for k in recent if k - 12 in history]
    earlier = sum((history[k - 12] for k in paired), Decimal(0))
    if not paired or earlier <= 0:
        return Decimal(1)
    g = sum((history[k] for k in paired), Decimal(0)) / earlier
    return min(max(g, G_LOW), G_HIGH)


def estimate(history: Mapping[int, Decimal], month: int) -> Decimal | None:
    """The estimate of an enterprise's month from its approved history ({month index: tCO2}), None without any."""
    if month - 12 in history:
        return history[month - 12] * trend(history, month)
    latest = [history[k] for k in range(month - 1, month - FALLBACK_LOOKBACK - 1, -1) if k in history]
    latest = latest[:TREND_MONTHS]
    return sum(latest, Decimal(0)) / len(latest) if latest else None
