"""Materiality: are the uncorrected misstatements too large for a positive opinion? Pure arithmetic.

The threshold is a share of the annual total: `percent` (5 by default), or `large_percent` (2) when the
annual total is above `large_threshold_t` (500,000 tCO2e), as in EU ETS verification (AVR Art. 23).
The uncorrected misstatements count by absolute value (an understatement does not cancel an overstatement).
At exactly the threshold the statement is still fair: only more than the threshold is material.
"""
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Materiality:
    annual_total_t: Decimal
    percent: Decimal
    threshold_t: Decimal
    uncorrected_t: Decimal

    @property
    def material(self) -> bool:
        return self.uncorrected_t > self.threshold_t


def assess(annual_total_t: Decimal, misstatements_t, percent=5, large_percent=2,
           large_threshold_t=500_000) -> Materiality:
    total = Decimal(annual_total_t)
    chosen = Decimal(large_percent) if total > Decimal(large_threshold_t) else Decimal(percent)
    uncorrected = sum((abs(Decimal(m)) for m in misstatements_t), Decimal(0))
    return Materiality(total, chosen, abs(total) * chosen / 100, uncorrected)
