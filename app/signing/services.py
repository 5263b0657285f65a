"""Signing a submission, freezing its copy of record and acknowledging it with a receipt.

Plain functions with the acting user passed in; they flush, callers commit. Writes for an enterprise run
inside the caller's `acting_on(filing.org_id)`.
"""
import hashlib
import json
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.roles import ENERGY_MANAGER, ENTERPRISE_ADMIN
from app.audit.services import record
from app.core import serials
from app.core.canonical import canonical
from app.core.numbers import plain
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.filings import conversation, lab_reports, workflow
from app.filings.models import API, WEB, CopyOfRecord, Filing
from app.notifications.models import Notification
from app.organisations.models import ENTERPRISE
from app.security import verify_password
from app.signing.statement import STATEMENT_VERSION, STATEMENTS, statement
from app.tenancy import unscoped

DOCUMENT = "tanji.copy_of_record"
DOCUMENT_VERSION = 1


class NotASigner(ServiceError):
    """The user may prepare the filing but not sign it."""


# ------------------------------------------------------------------------------------------ who signs

def may_sign(user) -> bool:
    """Enterprise admins always; energy managers only when their admin has allowed it."""
    if user is None or not getattr(user, "active", False) or user.organisation.kind != ENTERPRISE:
        return False
    return user.role == ENTERPRISE_ADMIN or (user.role == ENERGY_MANAGER and bool(user.may_sign))


def signers_of(org_id: int) -> list[User]:
    """The people who may sign for the enterprise (named on the submit page of those who may not)."""
    people = db.session.scalars(select(User).where(User.org_id == org_id, User.active,
                                                   User.role.in_((ENTERPRISE_ADMIN, ENERGY_MANAGER)))
                                .order_by(User.role.desc(), User.name)).all()
    return [u for u in people if may_sign(u)]


def set_may_sign(actor, user, allowed: bool, now: datetime | None = None) -> None:
    """The enterprise admin allows (or stops) one of their energy managers to sign submissions."""
    if actor.role != ENTERPRISE_ADMIN or actor.org_id != user.org_id:
        raise ServiceError(_l("Only the enterprise's admin decides who signs its submissions."))
    if user.role != ENERGY_MANAGER:
        raise ServiceError(_l("Only energy managers are allowed to sign one by one; admins always may."))
    if bool(user.may_sign) == allowed:
        return
    user.may_sign = allowed
    record("user.signing_allowed" if allowed else "user.signing_withdrawn", actor=actor, obj=user, now=now,
           detail={"email": user.email})


# -------------------------------------------------------------------------------------- the document

def _d(value) -> str | None:
    """A decimal as a plain string without exponent or trailing zeros, the same on every database."""
    return None if value is None else plain(value)


def _user(user) -> dict:
    return {"id": user.id, "name": user.name, "email": user.email, "role": user.role}


def document(filing: Filing, signer, statement_version: int, channel: str, token_id: int | None,
             receipt_number: str, received_at: datetime) -> dict:
    """Everything the signer certified, as plain data: the basis of the copy of record."""
    calc = filing.current_calculation
    if calc is None:
        raise ServiceError(_l("The emissions could not be computed: save the filing again and check its lines."))
    results = {cl.filing_line_id: cl for cl in calc.lines}
    org = filing.organisation
    lines = []
    for line in filing.lines:
        source = line.source
        r = results.get(line.id)
        entry = {
            "source_id": source.id, "source_name": source.name, "category": source.category,
            "material": source.material, "quantity": _d(line.quantity), "unit": line.unit,
            "measured": {k: _d(v) for k, v in sorted((line.measured or {}).items())},
            "green_mwh": _d(line.green_mwh),
            "result": None if r is None else {
                "scope": r.scope, "co2_t": _d(r.co2_t), "ch4_t": _d(r.ch4_t), "n2o_t": _d(r.n2o_t),
                "other_t": {k: _d(v) for k, v in sorted((r.other_t or {}).items())}, "co2e_t": _d(r.co2e_t),
                "co2e_market_t": _d(r.co2e_market_t), "energy_tce": _d(r.energy_tce),
                "factors": (r.trace or {}).get("factors", []), "formula": (r.trace or {}).get("formula")},
        }
        # A sector method's line says which method, its inputs with their provenance and what was substituted.
        if source.method:
            entry["method"] = source.method
        if line.parameters:
            entry["parameters"] = dict(sorted(line.parameters.items()))
        if line.provenance:
            entry["provenance"] = dict(sorted(line.provenance.items()))
        if r is not None and r.substituted:
            entry["result"]["substituted"] = list(r.substituted)
        if line.lab_reports:  # the laboratory evidence of its measured parameters, file by digest
            entry["lab_reports"] = [lab_reports.as_record(report) for report in line.lab_reports]
        lines.append(entry)
    return {
        "document": DOCUMENT, "document_version": DOCUMENT_VERSION,
        "receipt": {"number": receipt_number, "received_at": received_at.isoformat(timespec="microseconds")},
        "enterprise": {"id": org.id, "name": org.name, "name_en": org.name_en or "",
                       "credit_code": org.credit_code or ""},
        "filing": {"id": filing.id, "period": filing.period.strftime("%Y-%m"), "revision": filing.revision,
                   "amends_filing_id": filing.amends_id, "amendment_reason": filing.amendment_reason},
        "lines": lines,
        "calculation": {
            "id": calc.id, "engine_version": calc.engine_version, "computed_at":
                calc.computed_at.isoformat(timespec="microseconds"),
            "gwp_set": (calc.settings or {}).get("gwp_set"), "settings": calc.settings or {},
            "totals_tco2e": {"scope1": _d(calc.scope1_tco2e), "scope2": _d(calc.scope2_tco2e),
                             "scope2_market": _d(calc.scope2_market_tco2e), "scope3": _d(calc.scope3_tco2e),
                             "exported": _d(calc.exported_tco2e), "total": _d(calc.total_tco2e)},
            "energy_tce": _d(calc.energy_tce), **_regimes(calc)},
        "production": [{"product_id": p.product_id, "product_name": p.product.name, "quantity": _d(p.quantity),
                        "unit": p.unit} for p in filing.production],
        "output_value_10k_cny": _d(filing.output_value_10k_cny),
        "explanations": dict(sorted((filing.explanations or {}).items())),
        "evidence": [{"filename": e.filename, "sha256": e.sha256, "size_bytes": e.size_bytes,
                      "source_id": e.source_id, "description": e.description} for e in filing.evidence],
        "conversation": _conversation(filing),
        "signer": _user(signer),
        "statement": statement(statement_version),
        "channel": {"kind": channel, "token_id": token_id},
    }


def _regimes(calc) -> dict:
    """The regime the total follows, every regime's total and the share of the total resting on substituted values
    (calculations made before the regimes were kept have none of these keys)."""
    if calc.ets_tco2e is None and calc.guideline_tco2e is None and calc.inventory_tco2e is None:
        return {}
    return {"regime": calc.regime or "inventory",
            "totals_by_regime": {"ets": _d(calc.ets_tco2e), "guideline": _d(calc.guideline_tco2e),
                                 "inventory": _d(calc.inventory_tco2e)},
            "substituted_share": _d(calc.substituted_share)}


def _conversation(filing: Filing) -> list[dict]:
    """The month's conversation so far (every revision's comments and replies, oldest first), as signed with it.
    Copies made before it was recorded have no such key: their stored text and digest are what they were."""
    comments = conversation.month_comments(filing)
    names = conversation.authors(comments)
    return [{"id": c.id, "side": c.author_side, "author_id": c.author_id,
             "author_name": names[c.author_id].name if c.author_id in names else None,
             "created_at": c.created_at.isoformat(timespec="microseconds"), "revision": c.filing.revision,
             "source_id": c.source_id, "source_name": c.source.name if c.source else None,
             "reply_to": c.reply_to_id, "text": c.text} for c in comments]


def text_of(data: dict) -> str:
    """The canonical JSON (sorted keys, no spaces, decimals as strings) of a copy of record."""
    return canonical(data)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parsed(copy: CopyOfRecord) -> dict:
    return json.loads(copy.document)


# -------------------------------------------------------------------------------------------- receipts

def new_receipt_number(year: int) -> str:
    """RC-<year>-<8 random characters><check character>, like certificate serials (app.core.serials)."""
    while True:
        number = serials.new_number("RC", year)
        if db.session.scalar(select(CopyOfRecord.id).where(CopyOfRecord.receipt_number == number)
                             .execution_options(**unscoped("receipt numbers are unique across the city"))) is None:
            return number


def receipt_number_ok(number: str) -> bool:
    return serials.number_ok("RC", number)


# ------------------------------------------------------------------------------------------- signing

def freeze(filing: Filing, signer, now: datetime, *, statement_version: int = STATEMENT_VERSION,
           channel: str = WEB, token_id: int | None = None, notify: bool = True,
           notified_read: bool = False) -> CopyOfRecord:
    """Freeze the submitted filing as a copy of record, chain its digest into the audit trail, acknowledge it."""
    number = new_receipt_number(now.year)
    text = text_of(document(filing, signer, statement_version, channel, token_id, number, now))
    digest = sha256_of(text)
    copy = CopyOfRecord(org_id=filing.org_id, filing_id=filing.id, revision=filing.revision, receipt_number=number,
                        document=text, sha256=digest, signer_id=signer.id, statement_version=statement_version,
                        channel=channel, token_id=token_id, received_at=now)
    db.session.add(copy)
    db.session.flush()
    record("filing.signed", actor=signer, obj=filing, now=now,
           detail={"period": filing.period.isoformat(), "revision": filing.revision, "copy_of_record": copy.id,
                   "receipt_number": number, "sha256": digest, "statement_version": statement_version,
                   "channel": channel})
    if notify:
        _acknowledge(copy, filing, signer, now, read=notified_read)
    return copy


def _acknowledge(copy: CopyOfRecord, filing: Filing, signer, now: datetime, read: bool = False) -> None:
    """The receipt in the inbox of the signer and of the enterprise's admins."""
    admins = db.session.scalars(select(User).where(User.org_id == filing.org_id, User.active,
                                                   User.role == ENTERPRISE_ADMIN)).all()
    people = {signer.id: signer, **{u.id: u for u in admins}}
    for user_id in sorted(people):
        db.session.add(Notification(org_id=filing.org_id, user_id=user_id, kind="filing.signed",
                                    filing_id=filing.id, created_at=now, read_at=now if read else None,
                                    detail={"period": filing.period.isoformat(), "copy_id": copy.id,
                                            "receipt_number": copy.receipt_number, "sha256": copy.sha256}))


class PasswordMissing(ServiceError):
    """A signature without a password: the form is sent back, no failure is counted."""


def sign_and_submit(signer, filing: Filing, explanations: dict | None = None, *, password: str | None = None,
                    channel: str = WEB, token_id: int | None = None, statement_version: int = STATEMENT_VERSION,
                    now: datetime | None = None) -> CopyOfRecord:
    """Submit as a signature: check the signer (and on the web their password), submit, freeze, acknowledge."""
    now = now or utcnow()
    if not may_sign(signer):
        raise NotASigner(_l("You may prepare this month, but only the enterprise's admin or an energy manager "
                            "they have allowed may sign and submit it."))
    if statement_version not in STATEMENTS:
        raise ServiceError(_l("The certification statement has changed: read it again before signing."))
    if channel == WEB:
        if not password:  # nothing typed is no guess: say so, count nothing
            raise PasswordMissing(_l("Enter your password to sign: nothing was submitted."), field="password")
        if not verify_password(signer.password_hash, password):
            raise ServiceError(_l("This is not your password: nothing was submitted."), field="password")
        signer.failed_logins = 0  # the right password ends a run of failures, as at sign-in
    if channel not in (WEB, API):
        raise ValueError(channel)
    workflow.submit(signer, filing, explanations, now=now)
    return freeze(filing, signer, now, statement_version=statement_version, channel=channel, token_id=token_id)


def record_refusal(signer, filing: Filing, now: datetime | None = None) -> bool:
    """A signature refused for a wrong password leaves a trace (the submission itself was rolled back) and
    counts like a failed sign-in: after LOGIN_MAX_FAILURES in a row the account is locked and its sessions end,
    so a session left open cannot be used to guess the password. True when it locked the account."""
    now = now or utcnow()
    record("filing.signature_refused", actor=signer, obj=filing, now=now,
           detail={"period": filing.period.isoformat(), "revision": filing.revision, "reason": "password"})
    signer.failed_logins += 1
    if signer.failed_logins < current_app.config["LOGIN_MAX_FAILURES"]:
        return False
    signer.locked_until = now + current_app.config["LOGIN_LOCKOUT"]
    signer.failed_logins = 0
    signer.session_version += 1  # signs this session out too
    record("auth.account_locked", obj=signer, now=now,
           detail={"until": signer.locked_until.isoformat(), "after": "signature_refused"})
    return True
