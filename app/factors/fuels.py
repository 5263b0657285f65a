"""Adding a fuel to the library: version 1 of a new fuel factor, audited like any published version. Callers commit.

A fuel is known by its code (what sources store as their material), so a code is never reused; its values are checked
against broad physical bands, wide enough for every fuel of the national tables (lignite to LPG, blast-furnace gas to
propane) and narrow enough to catch a unit slip (MJ for GJ, kg for t, Nm³ for 10⁴ Nm³, tC/TJ for tC/GJ, a percentage
for a fraction).
"""
import re
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounting.factor_texts import STATUS_LABELS
from app.accounting.models import EmissionFactor
from app.audit.services import record
from app.core.numbers import parse_decimal
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.factors.services import _check_common, _describe, _insert, _store

# The activity units a fuel is metered in (canonical codes), and the NCV band of each, GJ per unit.
FUEL_UNITS = ("t", "10^4 Nm3")
NCV_BANDS = {"t": (Decimal("5"), Decimal("60")), "10^4 Nm3": (Decimal("20"), Decimal("1300"))}
CC_BAND = (Decimal("0.005"), Decimal("0.080"))  # tC/GJ: hydrogen-rich gases to blast-furnace gas (0.0708)
OF_BAND = (Decimal("0.80"), Decimal("1"))
CODE = re.compile(r"^[a-z][a-z0-9_]{1,58}$")


def _number(key: str, text) -> Decimal:
    return parse_decimal(text, key, positive=True)


def _in_band(key: str, value: Decimal, band: tuple[Decimal, Decimal], message) -> Decimal:
    if not value.is_finite() or not band[0] <= value <= band[1]:
        raise ServiceError(message, field=key)
    return value


def add_fuel(actor, code: str, name_zh: str, name_en: str, unit: str, ncv, carbon_content, oxidation_rate,
             valid_from: date | None, status: str, source: str, note: str | None = None) -> EmissionFactor:
    """Publish version 1 of a new fuel; it is offered as a material at once and filed like any other."""
    code = (code or "").strip()
    if not CODE.match(code):
        raise ServiceError(_l("Use 2 to 59 lower-case Latin letters, digits or underscores, starting with a "
                              "letter."), field="code")
    if db.session.scalar(select(EmissionFactor.id).where(EmissionFactor.kind == "fuel", EmissionFactor.code == code)
                         .limit(1)) is not None:
        raise ServiceError(_l("The library already has a fuel with this code: publish a new version of it "
                              "instead."), field="code")
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh:
        raise ServiceError(_l("Enter the Chinese name."), field="name_zh")
    if not name_en:
        raise ServiceError(_l("Enter the English name."), field="name_en")
    for field, name, column in (("name_zh", name_zh, EmissionFactor.name_zh),
                                ("name_en", name_en, EmissionFactor.name_en)):
        if len(name) > 100:
            raise ServiceError(_l("Use at most %(n)d characters.", n=100), field=field)
        taken = db.session.scalar(select(EmissionFactor.code).where(
            EmissionFactor.kind == "fuel", func.lower(column) == name.lower()).limit(1))
        if taken is not None:
            raise ServiceError(_l("Another fuel already has this name: two fuels of one name could not be told "
                                  "apart in the register."), field=field)
    if unit not in FUEL_UNITS:
        raise ServiceError(_l("Choose one of the listed values."), field="unit")
    low, high = NCV_BANDS[unit]
    ncv = _in_band("ncv", _number("ncv", ncv), NCV_BANDS[unit], _l(
        "A net calorific value per %(unit)s lies between %(low)s and %(high)s GJ: check the unit (GJ, not MJ; "
        "per tonne or per 10⁴ Nm³).", unit="t" if unit == "t" else "10⁴ Nm³", low=low, high=high))
    carbon_content = _in_band("carbon_content", _number("carbon_content", carbon_content), CC_BAND, _l(
        "A carbon content per unit of heat lies between 0.005 and 0.080 tC/GJ: check the unit (tC/GJ, not tC/TJ)."))
    oxidation_rate = _in_band("oxidation_rate", _number("oxidation_rate", oxidation_rate), OF_BAND, _l(
        "An oxidation rate is a fraction between 0.80 and 1, e.g. 0.98 (not 98)."))
    if status not in STATUS_LABELS:
        raise ServiceError(_l("Choose how far the values are confirmed."), field="status")
    valid_from = valid_from or date(2000, 1, 1)
    source, status = _check_common(valid_from, None, source, status)
    values = {"ncv": _store(ncv), "carbon_content": _store(carbon_content), "oxidation_rate": _store(oxidation_rate)}
    row = EmissionFactor(
        kind="fuel", code=code, series=None, data_year=None, version=1, unit=unit, values=values,
        valid_from=valid_from, valid_to=None, name_zh=name_zh, name_en=name_en, status=status, source=source,
        note=(note or "").strip() or None, published_at=utcnow(), published_by_id=getattr(actor, "id", None))
    _insert(row)
    record("factor.published", actor=actor, obj=row,
           detail={"factor": _describe(row), "version": 1, "new_fuel": True, "name": name_zh, "unit": unit,
                   "changes": {**{key: [None, value] for key, value in values.items()},
                               "valid_from": [None, valid_from.isoformat()], "status": [None, status],
                               "source": [None, source]},
                   **({"note": row.note} if row.note else {})})
    return row
