"""Registering and maintaining enterprises, and the months they owe filings for. Plain functions; they flush and
raise, the request's edge commits."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import city_date, utcnow
from app.extensions import db
from app.organisations import credit_code, industries
from app.organisations.models import AUTHORITY, ENTERPRISE, Organisation
from app.tenancy import unscoped

PROFILE_FIELDS = ("name", "name_en", "credit_code", "industry_code", "district", "address",
                  "contact_name", "contact_phone", "contact_email")


def _clean(data: dict) -> dict:
    values = {k: (data.get(k) or "").strip() or None for k in PROFILE_FIELDS}
    values["credit_code"] = credit_code.normalise(values["credit_code"] or "") or None
    values["industry_code"] = industries.normalise(values["industry_code"] or "") or None
    return values


def _check(values: dict, existing: Organisation | None = None) -> None:
    if not values["name"]:
        raise ServiceError(_l("The name is required."), field="name")
    error = credit_code.credit_code_error(values["credit_code"] or "")
    if error:
        raise ServiceError(_l(error), field="credit_code")
    error = industries.industry_code_error(values["industry_code"] or "")
    if error:
        raise ServiceError(_l(error), field="industry_code")
    # Unscoped on purpose: a code registered by any organisation is taken, whoever asks.
    other = db.session.scalar(select(Organisation).where(Organisation.credit_code == values["credit_code"])
                              .execution_options(**unscoped("a credit code is taken by any organisation")))
    if other is not None and other is not existing:
        raise ServiceError(_l("An organisation with this credit code is already registered."), field="credit_code")


def register_enterprise(actor, data: dict, now: datetime | None = None) -> Organisation:
    """Register an enterprise; it owes filings from `data["first_reporting_month"]`, by default the month after
    its registration (in the city's date)."""
    now = now or utcnow()
    values = _clean(data)
    _check(values)
    first = data.get("first_reporting_month") or _month_after(city_date(now))
    org = Organisation(kind=ENTERPRISE, created_at=now, first_reporting_month=_first_of_month(first, "first"),
                       **values)
    db.session.add(org)
    db.session.flush()
    record("organisation.registered", actor=actor, obj=org, now=now,
           detail={"credit_code": org.credit_code, "first_reporting_month": org.first_reporting_month.isoformat()})
    return org


def set_reporting_months(actor, org: Organisation, first: date, last: date | None, reason: str,
                         now: datetime | None = None) -> None:
    """The regulator moves an enterprise's first reporting month or sets its last one (closure), saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Give the reason for the change."), field="reason")
    if org.kind != ENTERPRISE:
        raise ServiceError(_l("Only an enterprise files monthly."))
    first = _first_of_month(first, "first")
    last = _first_of_month(last, "last") if last is not None else None
    if last is not None and last < first:
        raise ServiceError(_l("The last reporting month cannot come before the first."), field="last")
    changes = {key: [old.isoformat() if old else None, new.isoformat() if new else None]
               for key, old, new in (("first_reporting_month", org.first_reporting_month, first),
                                     ("last_reporting_month", org.last_reporting_month, last)) if old != new}
    if not changes:
        return
    org.first_reporting_month, org.last_reporting_month = first, last
    db.session.flush()
    record("organisation.reporting_months_changed", actor=actor, obj=org, now=now,
           detail={"changes": changes, "reason": reason})


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _first_of_month(value, field: str) -> date:
    if not isinstance(value, date):
        raise ServiceError(_l("Choose a month."), field=field)
    return value.replace(day=1)


def update_enterprise(actor, org: Organisation, data: dict, now: datetime | None = None) -> None:
    values = _clean(data)
    _check(values, existing=org)
    changes = {k: [getattr(org, k), v] for k, v in values.items() if getattr(org, k) != v}
    for key, (_old, new) in changes.items():
        setattr(org, key, new)
    if changes:
        record("organisation.updated", actor=actor, obj=org, detail={"changes": changes}, now=now)


def create_authority(name: str, name_en: str | None = None, now: datetime | None = None, **fields) -> Organisation:
    now = now or utcnow()
    org = Organisation(kind=AUTHORITY, name=name, name_en=name_en, created_at=now, **fields)
    db.session.add(org)
    db.session.flush()
    record("organisation.registered", obj=org, detail={"kind": AUTHORITY}, now=now)
    return org


def find_organisation(key: str) -> Organisation | None:
    """By credit code, else by exact name (Chinese or English): for the CLI."""
    key = (key or "").strip()
    return (db.session.scalar(select(Organisation).where(Organisation.credit_code == credit_code.normalise(key)))
            or db.session.scalar(select(Organisation).where((Organisation.name == key) | (Organisation.name_en == key))))
