"""Registering and maintaining enterprises. Plain functions; callers commit."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import utcnow
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
    values = _clean(data)
    _check(values)
    org = Organisation(kind=ENTERPRISE, created_at=now or utcnow(), **values)
    db.session.add(org)
    db.session.flush()
    record("organisation.registered", actor=actor, obj=org, detail={"credit_code": org.credit_code}, now=now)
    return org


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
