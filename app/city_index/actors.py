"""Who must act: each sector, industry division or district against the same window a year earlier and the path.

Pure functions over R12 figures. A row's "allowed" emissions are what the city's path allowed it from its level a
year earlier: `year_ago × P(t) / P(t − 1)`, the path's own rate of change applied to the row. What it emits above
that is its contribution to the gap to the path (negative: it is ahead). The contributions of rows that partition
the city add up to `X − X_year_ago × P(t)/P(t − 1)`, which is the city's gap `X − P(t)` when the city was on its
path a year earlier: so the table says where the gap comes from. Intensity likewise: a row's target is its
intensity a year earlier reduced at the rate the city's intensity target falls over the year.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Figures:
    """A row's R12 emissions (tCO2) and, where known, its output value (10⁴ CNY) over the same months.
    `intensity_tco2`: the emissions that go with that output value when they are not all of `tco2` (estimates
    and the regulator's figures come without an output value)."""
    tco2: Decimal
    output_value: Decimal | None = None
    intensity_tco2: Decimal | None = None

    @property
    def intensity(self) -> Decimal | None:
        tco2 = self.tco2 if self.intensity_tco2 is None else self.intensity_tco2
        return tco2 / self.output_value if self.output_value else None


@dataclass(frozen=True)
class ActorRow:
    key: str
    now: Decimal
    year_ago: Decimal | None
    allowed: Decimal | None           # year_ago × P(t)/P(t − 1)
    intensity: Decimal | None          # tCO2 per 10⁴ CNY
    intensity_target: Decimal | None   # last year's intensity × the city's intensity path over the year

    @property
    def change(self) -> Decimal | None:
        return self.now - self.year_ago if self.year_ago is not None else None

    @property
    def change_percent(self) -> Decimal | None:
        return (self.now - self.year_ago) / self.year_ago * HUNDRED if self.year_ago else None

    @property
    def contribution(self) -> Decimal | None:
        """tCO2 above what the path allowed (its part of the gap); negative when ahead."""
        return self.now - self.allowed if self.allowed is not None else None

    @property
    def intensity_on_track(self) -> bool | None:
        if self.intensity is None or self.intensity_target is None:
            return None
        return self.intensity <= self.intensity_target


def who_must_act(now: Mapping[str, Figures], year_ago: Mapping[str, Figures], path_now: Decimal,
                 path_year_ago: Decimal, intensity_path_now: Decimal | None = None,
                 intensity_path_year_ago: Decimal | None = None) -> list[ActorRow]:
    """One row per key of `now` or `year_ago`, largest contribution to the gap first (those that must act at the
    top); rows without a year-earlier figure (new) come after, largest first."""
    intensity_rate = (intensity_path_now / intensity_path_year_ago
                      if intensity_path_now is not None and intensity_path_year_ago else None)
    rows = []
    for key in set(now) | set(year_ago):
        current, before = now.get(key, Figures(ZERO)), year_ago.get(key)
        allowed = before.tco2 * path_now / path_year_ago if before is not None and path_year_ago else None
        target = (before.intensity * intensity_rate
                  if before is not None and before.intensity is not None and intensity_rate is not None else None)
        rows.append(ActorRow(key, current.tco2, before.tco2 if before is not None else None, allowed,
                             current.intensity, target))
    return sorted(rows, key=lambda r: (r.contribution is None, -(r.contribution if r.contribution is not None
                                                                 else r.now), r.key))


def gap_explained(rows: list[ActorRow]) -> Decimal:
    """Σ contributions: the city's gap to the path when the rows partition the city and it was on its path a
    year earlier."""
    return sum((r.contribution for r in rows if r.contribution is not None), ZERO)
