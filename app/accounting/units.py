"""Units of activity data: the spellings people type, and exact Decimal conversions between them.

Pint knows the physics; we ask it once per pair of units for the two base-unit magnitudes and keep them,
so a conversion at run time is a dict lookup and one multiplication (plus one division when the ratio does
not terminate, e.g. GJ to tce, so that converting there and back returns the same number).

A normal cubic metre (Nm3: gas at 0 °C and 101.325 kPa) is its own dimension: turning an actual m3 of gas
into Nm3 needs the metered temperature and pressure, and Tanji never guesses them.
"""
import re
import unicodedata
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import cache, lru_cache

import pint

__all__ = ["UNITS", "UnitError", "canonical_unit", "convert", "dimension", "ureg"]

ureg = pint.UnitRegistry(non_int_type=Decimal)
ureg.define("normal_cubic_metre = [normal_volume] = Nm3")
ureg.define("ten_thousand_normal_cubic_metre = 10000 * normal_cubic_metre")
ureg.define("ten_thousand_kilowatt_hour = 10000 * kilowatt_hour")  # 万千瓦时, how Chinese power bills count
# GB/T 2589: 1 kgce = 29.3076 MJ (7000 kcal), so one tonne of coal equivalent is 29.3076 GJ.
ureg.define("tonne_coal_equivalent = 29.3076 * gigajoule = tce")

# Canonical code -> Pint expression. The codes are what the database and the factor library store.
_PINT = {
    "t": "metric_ton",
    "kg": "kilogram",
    "10^4 Nm3": "ten_thousand_normal_cubic_metre",
    "Nm3": "normal_cubic_metre",
    "m3": "meter ** 3",
    "L": "liter",
    "kWh": "kilowatt_hour",
    "10^4 kWh": "ten_thousand_kilowatt_hour",
    "MWh": "megawatt_hour",
    "GJ": "gigajoule",
    "TJ": "terajoule",
    "tce": "tonne_coal_equivalent",
}
UNITS = tuple(_PINT)

# Spellings, after _normalise (NFKC, no whitespace, lower case). Lower case is safe: no two codes above
# differ only by case, and nobody meters fuel in milliwatt-hours.
_SPELLINGS = {
    "t": ("t", "吨", "tonne", "tonnes"),
    "kg": ("kg", "千克", "公斤"),
    "10^4 Nm3": ("10^4nm3", "万nm3", "万标方", "万标准立方米"),
    "Nm3": ("nm3", "标方", "标准立方米"),
    "m3": ("m3", "立方米"),
    "L": ("l", "升", "litre", "litres", "liter", "liters"),
    "kWh": ("kwh", "千瓦时", "度"),
    "10^4 kWh": ("10^4kwh", "万kwh", "万千瓦时", "万度"),
    "MWh": ("mwh", "兆瓦时"),
    "GJ": ("gj", "吉焦"),
    "TJ": ("tj", "太焦"),
    "tce": ("tce", "吨标准煤", "吨标煤"),
}
_LOOKUP = {spelling: code for code, spellings in _SPELLINGS.items() for spelling in spellings}

# Superscripts become "^n" before NFKC, which would otherwise turn "10⁴" into "104".
_SUPERSCRIPTS = str.maketrans({"⁴": "^4", "³": "^3"})
_SPACES = re.compile(r"\s+")

_DIMENSION_NAMES = {
    ureg.get_dimensionality("[mass]"): "mass",
    ureg.get_dimensionality("[length] ** 3"): "volume",
    ureg.get_dimensionality("[normal_volume]"): "normal_volume",
    ureg.get_dimensionality("[energy]"): "energy",
}

# Conversions are exact where the ratio terminates; otherwise rounded to 34 significant digits (decimal128).
_CTX = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
_ONE = Decimal(1)


class UnitError(ValueError):
    pass


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS))
    text = _SPACES.sub("", text).lower().replace("**", "^")
    # "kW·h", "kW*h", "m^3" are common in Chinese standards and spreadsheets.
    return text.replace("·", "").replace("⋅", "").replace("*", "").replace("m^3", "m3")


def _accepted() -> str:
    return ", ".join(UNITS) + " (or 吨, 千克, 公斤, 万Nm³, 标方, 立方米, 升, 千瓦时, 度, 兆瓦时, 吉焦, 吨标准煤)"


@lru_cache(maxsize=1024)
def canonical_unit(text: str) -> str:
    """The canonical code ("t", "10^4 Nm3", "kWh", ...) for a unit as typed; UnitError if unknown."""
    if not isinstance(text, str):
        raise UnitError(f"unit must be text, got {text!r}; accepted units: {_accepted()}")
    code = _LOOKUP.get(_normalise(text))
    if code is None:
        raise UnitError(f"unknown unit {text!r}; accepted units: {_accepted()}")
    return code


@cache
def _base(code: str) -> tuple[Decimal, object]:
    """Magnitude of one `code` in Pint's base units, and its dimensionality."""
    with localcontext(_CTX):
        q = ureg.Quantity(_ONE, _PINT[code]).to_base_units()
    return _plain(Decimal(q.magnitude)), q.dimensionality


def _plain(value: Decimal) -> Decimal:
    """1E+3 as 1000, so that traces show 12500 kg as 12.5 t rather than 1.25E+1."""
    if value == value.to_integral_value():
        return value.quantize(_ONE, context=_CTX)
    return value.normalize(_CTX)


def dimension(unit: str) -> str:
    """"mass", "volume", "normal_volume" or "energy" for any accepted spelling."""
    return _DIMENSION_NAMES[_base(canonical_unit(unit))[1]]


# (from as given, to as given) -> (multiplier, divisor); divisor is None when the ratio is exact.
_FACTORS: dict[tuple[str, str], tuple[Decimal, Decimal | None]] = {}


def _factor(from_unit: str, to_unit: str) -> tuple[Decimal, Decimal | None]:
    src, dst = canonical_unit(from_unit), canonical_unit(to_unit)
    (src_base, src_dim), (dst_base, dst_dim) = _base(src), _base(dst)
    if src_dim != dst_dim:
        hint = ""
        if {src_dim, dst_dim} == {_base("Nm3")[1], _base("m3")[1]}:
            hint = (" (Nm3 is gas at 0 °C and 101.325 kPa; an actual volume needs the metered temperature and "
                    "pressure: enter the quantity in Nm3 or 10^4 Nm3)")
        raise UnitError(f"cannot convert {src} to {dst}: {_DIMENSION_NAMES[src_dim]} is not "
                        f"{_DIMENSION_NAMES[dst_dim]}{hint}")
    ctx = _CTX.copy()
    ratio = ctx.divide(src_base, dst_base)
    if ctx.flags[Inexact]:
        return src_base, dst_base
    return _plain(ratio), None


def convert(quantity: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """`quantity` in `from_unit` expressed in `to_unit`, exactly (34 significant digits where the ratio does not end)."""
    key = (from_unit, to_unit)
    factor = _FACTORS.get(key)
    if factor is None:
        factor = _FACTORS[key] = _factor(from_unit, to_unit)
    multiplier, divisor = factor
    if divisor is None:
        return _CTX.multiply(quantity, multiplier)
    return _CTX.divide(_CTX.multiply(quantity, multiplier), divisor)
