"""Measured fuel parameters against the library's defaults, refused at save when they cannot be right.

Bands (Tanji settings, from ../shared/reference/sector-methods.md §10 "Plausibility", the "Block" column):
net calorific value within ±50 % of the default (outside is a unit error: kg for t, Nm³ for 10⁴ Nm³), carbon content
within ±30 %, oxidation rate in (0, 1]. The net calorific value is in GJ per unit of the fuel's factor (GJ/t,
GJ/10⁴ Nm³) whatever unit the quantity is typed in, as the engine uses it; the message shows the value typed and the
default in that unit, and names the unit a misplaced value looks like it was typed in (0.0267 is GJ/kg of coal).
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.accounting import units
from app.core.numbers import grouped, rounded
from app.factors.services import display_unit

BANDS = {"ncv": (Decimal("0.5"), Decimal("1.5")), "carbon_content": (Decimal("0.7"), Decimal("1.3"))}
_ENERGY = (("GJ", Decimal(1)), ("MJ", Decimal(1000)), ("kJ", Decimal(1000000)))


def _shown(value: Decimal) -> str:
    return grouped(rounded(value, 6).normalize()) if value != 0 else "0"


def _ncv_alternatives(factor_unit: str):
    """(unit text, the default per factor unit → per that unit) for units a value is often typed in by mistake."""
    try:
        dimension = units.dimension(factor_unit)
    except units.UnitError:
        return []
    found = []
    for unit in units.UNITS:
        if units.dimension(unit) != dimension:
            continue
        per = units.convert(Decimal(1), unit, factor_unit)  # factor units in one `unit`
        for energy, scale in _ENERGY:
            if unit == factor_unit and energy == "GJ":
                continue
            found.append((f"{energy}/{display_unit(unit)}", per * scale))
    return found


_ALTERNATIVES = {
    "carbon_content": lambda _unit: [("tC/TJ", Decimal(1000)), ("kgC/GJ", Decimal(1000))],
    "ncv": _ncv_alternatives,
}


def problem(name: str, value: Decimal, factor, what: str):
    """The message refusing measured parameter `name` = `value` against `factor`'s default, or None if plausible.

    `what` names the line ("锅炉燃煤, 2026-10")."""
    if name == "oxidation_rate":
        if 0 < value <= 1:
            return None
        hint = ""
        if 1 < value <= 100:
            hint = _l(" A percentage is entered as a fraction: %(percent)s is %(fraction)s.",
                      percent=f"{_shown(value)} %", fraction=_shown(value / 100))
        return _l("%(what)s: oxidation rate %(value)s typed; it is a fraction above 0 and at most 1 (default "
                  "%(default)s).%(hint)s", what=what, value=_shown(value), default=_shown(factor.values[name]),
                  hint=hint)
    band = BANDS.get(name)
    if band is None or name not in factor.values:
        return None
    default = factor.values[name]
    low, high = default * band[0], default * band[1]
    if low <= value <= high:
        return None
    unit = f"GJ/{display_unit(factor.unit)}" if name == "ncv" else "tC/GJ"
    label = _l("net calorific value") if name == "ncv" else _l("carbon content")
    hint = ""
    for other, ratio in _ALTERNATIVES[name](factor.unit):
        if low * ratio <= value <= high * ratio:
            hint = _l(" %(value)s looks like a value in %(other)s: in %(unit)s it is %(converted)s.",
                      value=_shown(value), other=other, unit=unit, converted=_shown(value / ratio))
            break
    return _l("%(what)s: %(label)s %(expected)s %(unit)s expected, %(value)s typed (accepted from %(low)s to %(high)s "
              "%(unit)s, the default ±%(percent)s).%(hint)s", what=what, label=label, expected=_shown(default),
              unit=unit, value=_shown(value), low=_shown(low), high=_shown(high),
              percent=f"{int((band[1] - 1) * 100)} %", hint=hint)
