"""The index settings in force for a month, as the formula reads them: the version the city published
(app.city_data) with the defaults filled in, figures as Decimals, a target path when the values make one."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.city_data.defaults import (
    CURRENT_METHODOLOGY,
    DEFAULT_CUT_MILESTONES,
    DEFAULT_LEADING_MARGIN,
    DEFAULT_NON_FOSSIL_MILESTONES,
    DEFAULT_WEIGHTS,
    METHODOLOGIES,
    SUB_INDICES,
)
from app.city_data.services import settings_for, stored_values

from . import formula


@dataclass(frozen=True)
class Settings:
    """The index settings version in force for a month (None path: no target path set yet)."""
    id: int | None
    valid_from: date | None
    path: formula.TargetPath | None
    weights: dict
    cut_milestones: tuple
    non_fossil_milestones: tuple
    non_fossil_base_share: Decimal | None = None
    industrial_base_r: Decimal | None = None
    transport_buildings_base_tco2: Decimal | None = None
    sinks_base_tco2: Decimal | None = None
    values: dict = field(default_factory=dict)
    methodology: int = CURRENT_METHODOLOGY
    leading_margin: Decimal = DEFAULT_LEADING_MARGIN

    @property
    def formula_options(self) -> dict:
        """compute_index's keywords for this version (weights, milestones, methodology and margin)."""
        return {"weights": self.weights, "cut_milestones": self.cut_milestones,
                "non_fossil_milestones": self.non_fossil_milestones, "methodology": self.methodology,
                "margin": self.leading_margin}


def _get(values: dict, *keys):
    for key in keys:
        if values.get(key) not in (None, ""):
            return values[key]
    return None


def as_decimal(value) -> Decimal | None:
    """A stored figure (a JSON string, an SQL numeric) as a Decimal; None when empty."""
    return None if value in (None, "") else Decimal(str(value))


def _milestones(raw, default) -> tuple:
    if not raw:
        return default
    items = raw.items() if isinstance(raw, dict) else raw
    return tuple((int(y), Decimal(str(v))) for y, v in items)


def _share(value) -> Decimal | None:
    """A share given as a fraction (0.17) or as a percentage (17)."""
    value = as_decimal(value)
    return value / 100 if value is not None and value > 1 else value


def _settings(month: date, versions: list | None = None) -> tuple:
    """(the version row or None, its values with the defaults of the city data entry filled in); `versions`
    (every published row, latest first) saves the query when many months are indexed from one load."""
    if versions is None:
        row = settings_for(month)
    else:
        row = next((v for v in versions if v.valid_from <= month), None)
    return row, stored_values(row)


def settings_in_force(year: int, month: int, versions: list | None = None) -> Settings:
    row, values = _settings(date(year, month, 1), versions)
    if not isinstance(values, dict):
        values = {}
    path = None
    try:
        y0, e0, g0 = _get(values, "y0", "base_year"), _get(values, "e0", "E0"), _get(values, "g0", "G0")
        yp, ep, s60 = _get(values, "yp", "peak_year"), _get(values, "ep", "Ep"), _get(values, "s60", "S60")
        if None not in (y0, e0, g0, yp, ep, s60):
            path = formula.TargetPath(int(y0), as_decimal(e0), as_decimal(g0), int(yp), as_decimal(ep), as_decimal(s60))
    except (ValueError, ArithmeticError):
        path = None
    try:
        methodology = int(values.get("methodology"))
    except (TypeError, ValueError):
        methodology = CURRENT_METHODOLOGY
    methodology = methodology if methodology in METHODOLOGIES else CURRENT_METHODOLOGY
    margin = as_decimal(values.get("leading_margin"))
    margin = margin if margin is not None and 0 < margin < 1 else DEFAULT_LEADING_MARGIN
    raw_weights = values.get("weights") or {}
    weights = {k: as_decimal(raw_weights.get(k, DEFAULT_WEIGHTS[k])) for k in SUB_INDICES}
    return Settings(
        getattr(row, "id", None), getattr(row, "valid_from", None), path, weights,
        _milestones(values.get("cut_milestones"), DEFAULT_CUT_MILESTONES),
        _milestones(values.get("non_fossil_milestones"), DEFAULT_NON_FOSSIL_MILESTONES),
        _share(_get(values, "non_fossil_base_share", "non_fossil_base_share_percent")),
        as_decimal(_get(values, "industrial_base_r", "base_r")),
        as_decimal(_get(values, "transport_buildings_base_tco2")),
        as_decimal(_get(values, "sinks_base_tco2", "k0", "K0")),
        values, methodology, margin)

