"""Issuing, revoking, superseding and verifying emission certificates.

A certificate states figures built only from the approved effective filings' stored calculations
(`certified_data`). Its digest is the SHA-256 of that statement's canonical JSON; the PDF given out is
stored byte for byte, so a download is always the same file and an uploaded copy can be compared with it.
Services flush; the request's edge commits (the PDF with its row, in one transaction). Writes for an
enterprise run inside the caller's `acting_on(org.id)`.
"""
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.certificates.approved import approved, months_between
from app.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from app.core import serials
from app.core.canonical import canonical, sha256_hex
from app.core.numbers import rounded
from app.core.public_url import public_base_url
from app.core.service_error import ServiceError
from app.core.types import city_date, utcnow
from app.extensions import db
from app.factors.services import series_label
from app.filings.models import APPROVED, Filing
from app.organisations.models import AUTHORITY, Organisation
from app.settings.services import get_setting
from app.tenancy import public_lookup, unscoped
from app.verification.services import confirmed_for

MAIN_SOURCES = 5
# Crockford's base32: no I, L, O or U, so a serial read aloud or typed is not misread.
ALPHABET = serials.ALPHABET
SERIAL = re.compile(r"TJ-(\d{4})-([0-9A-HJKMNP-TV-Z]{8})([0-9A-HJKMNP-TV-Z])")


# ------------------------------------------------------------------------------------------ the statement

def certified_data(org: Organisation, start: date, end: date, authority: Organisation | None = None) -> dict:
    """What a certificate for `org` over [start, end] states; refused unless every month is approved."""
    if start.day != 1 or end.day != 1 or start > end:
        raise ServiceError(_l("Choose a period of whole months, the first before the last."), field="period")
    if org.kind != "enterprise":
        raise ServiceError(_l("Certificates are issued to enterprises."))
    found = approved(org.id, start, end)
    if not found.complete:
        raise ServiceError(_l("Not every month of the period is approved; still open: %(months)s.",
                              months=", ".join(m.strftime("%Y-%m") for m in found.missing)), field="period")
    authority = authority or _authority()
    totals = found.totals
    data = {
        "version": 1,
        "enterprise": {"name": org.name, "name_en": org.name_en or "", "credit_code": org.credit_code or ""},
        "period": {"start": start.strftime("%Y-%m"), "end": end.strftime("%Y-%m"),
                   "months": len(months_between(start, end))},
        "totals_tco2e": {k: str(rounded(totals[k])) for k in ("total", "scope1", "scope2", "exported")},
        # The share of the total resting on substituted values (monitoring plan, sector-methods.md §8), 0–1.
        "substituted_share": str(found.substituted_share.quantize(Decimal("0.0001"))),
        "main_sources": [{"name": s.name, "scope": s.scope, "category": s.category, "tco2e": str(rounded(s.tco2e))}
                         for s in found.sources[:MAIN_SOURCES]],
        "factor_versions": found.factor_versions,
        "gwp_sets": found.gwp_sets,
        "grid_series": found.grid_series,
        "revisions": {p.strftime("%Y-%m"): f.revision for p, f in sorted(found.filings.items())},
        "authority": {"name": authority.name if authority else "", "name_en": (authority.name_en or "")
                      if authority else ""},
    }
    verified, verification = _verification(org, start, end)
    data["third_party_verified"] = verified
    if verification is not None:
        data["verification"] = verification
    return data


def _verification(org: Organisation, start: date, end: date) -> tuple[bool, dict | None]:
    """Whether the period was third-party verified: every calendar year it touches has a verification the
    regulator confirmed. For a period within one year, also what that verification says: the body, its
    opinion and the year's confirmed total. The certified figures stay those of the approved months; the
    confirmed total is the year's compliance figure (covered sources)."""
    engagements = [confirmed_for(org.id, year) for year in range(start.year, end.year + 1)]
    if not all(engagements):
        return False, None
    if len(engagements) > 1:
        return True, None
    engagement = engagements[0]
    return True, {"year": engagement.year, "body": engagement.verifier.name,
                  "body_en": engagement.verifier.name_en or "",
                  "accreditation_no": engagement.verifier.accreditation_no or "", "opinion": engagement.opinion,
                  "confirmed_total_tco2e": str(rounded(engagement.confirmed_total_tco2e)),
                  "confirmed_on": city_date(engagement.confirmed_at).isoformat()}


def digest(data: dict) -> str:
    return sha256_hex(canonical(data))


def _authority() -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kind == AUTHORITY).order_by(Organisation.id))


# ------------------------------------------------------------------------------------------------- serials

def new_serial(year: int) -> str:
    """TJ-<year>-<8 random characters><check character>: not guessable, typing errors caught."""
    return serials.new_number("TJ", year)


def serial_ok(serial: str) -> bool:
    return serials.number_ok("TJ", serial)


def verify_url(serial: str) -> str:
    return f"{public_base_url()}/verify/{serial}"


# -------------------------------------------------------------------------------------------- the lifecycle

def series_names(codes) -> dict[str, str]:
    """Each grid series named in Chinese and English, for the bilingual certificate."""
    names = {}
    for code in codes:
        with force_locale("zh"):
            zh = series_label(code)
        with force_locale("en"):
            en = series_label(code)
        names[code] = f"{zh} {en}"
    return names


def issue(actor, org: Organisation, start: date, end: date, now: datetime | None = None,
          auto: bool = False) -> Certificate:
    from reports.certificate import CertificateContent, build

    now = now or utcnow()
    existing = db.session.scalar(select(Certificate).where(
        Certificate.org_id == org.id, Certificate.period_start == start, Certificate.period_end == end,
        Certificate.status == VALID))
    if existing is not None:
        raise ServiceError(_l("A valid certificate for this period exists already: %(serial)s.",
                              serial=existing.serial), field="period")
    authority = actor.organisation if actor is not None and actor.organisation.kind == AUTHORITY else None
    data = certified_data(org, start, end, authority)
    serial = new_serial(end.year)
    while db.session.scalar(select(Certificate.id).where(Certificate.serial == serial)
                            .execution_options(**unscoped("serials are unique across the city"))) is not None:
        serial = new_serial(end.year)
    data_digest = digest(data)
    pdf = build(CertificateContent(serial=serial, digest=data_digest, data=data, issued_on=city_date(now),
                                   verify_url=verify_url(serial), names=series_names(data["grid_series"])))
    totals = data["totals_tco2e"]
    cert = Certificate(org_id=org.id, serial=serial, period_start=start, period_end=end, status=VALID,
                       total_tco2e=Decimal(totals["total"]), scope1_tco2e=Decimal(totals["scope1"]),
                       scope2_tco2e=Decimal(totals["scope2"]), certified=canonical(data), digest=data_digest,
                       pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(), auto_issued=auto,
                       issued_by_id=getattr(actor, "id", None), issued_at=now)
    db.session.add(cert)
    db.session.flush()
    record("certificate.issued", actor=actor, obj=cert, now=now,
           detail={"serial": serial, "period": [data["period"]["start"], data["period"]["end"]],
                   "total_tco2e": totals["total"], "digest": data_digest, "automatic": auto})
    return cert


def revoke(actor, cert: Certificate, reason: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Give the reason for the revocation."), field="reason")
    if cert.status == REVOKED:
        raise ServiceError(_l("This certificate is revoked already."))
    cert.status = REVOKED
    cert.revoked_at = now
    cert.revoked_by_id = actor.id
    cert.revoked_reason = reason
    record("certificate.revoked", actor=actor, obj=cert, now=now, detail={"serial": cert.serial, "reason": reason})


def mark_superseded_for(actor, org_id: int, period: date, now: datetime | None = None) -> list[Certificate]:
    """An amendment of `period` was approved: every valid certificate covering that month no longer holds."""
    now = now or utcnow()
    certs = db.session.scalars(select(Certificate).where(
        Certificate.org_id == org_id, Certificate.status == VALID, Certificate.period_start <= period,
        Certificate.period_end >= period)).all()
    for cert in certs:
        cert.status = SUPERSEDED
        cert.superseded_at = now
        record("certificate.superseded", actor=actor, obj=cert, now=now,
               detail={"serial": cert.serial, "amended_month": period.strftime("%Y-%m")})
    return certs


def after_approval(actor, filing, amended: bool, now: datetime) -> None:
    """Called by the filing workflow once a month is approved (inside its acting_on)."""
    if amended:
        mark_superseded_for(actor, filing.org_id, filing.period, now)
    if get_setting("certificate_auto_issue") != "annual":
        return
    start, end = date(filing.period.year, 1, 1), date(filing.period.year, 12, 1)
    if not approved_year_complete(filing.org_id, start, end):
        return
    try:
        issue(actor, filing.organisation, start, end, now=now, auto=True)
    except ServiceError:
        pass  # already certified for the year (a valid certificate stands): nothing to add


def approved_year_complete(org_id: int, start: date, end: date) -> bool:
    months = db.session.scalars(select(Filing.period).where(
        Filing.org_id == org_id, Filing.period >= start, Filing.period <= end, Filing.status == APPROVED)
        .distinct()).all()
    return len(set(months)) == len(months_between(start, end))


# ------------------------------------------------------------------------------------------- verification

def find_by_serial(serial: str) -> Certificate | None:
    """The public path: anyone may look a certificate up by its serial (and see only what it states)."""
    serial = (serial or "").strip().upper()
    if not serial_ok(serial):
        return None
    with public_lookup():
        return db.session.scalar(select(Certificate).where(Certificate.serial == serial))


GENUINE, ALTERED, UNKNOWN, UNREADABLE = "genuine", "altered", "unknown", "unreadable"
FIGURE = re.compile(r"-?\d[\d,]*\.\d{3}")


@dataclass
class PdfCheck:
    outcome: str  # GENUINE, ALTERED, UNKNOWN or UNREADABLE
    serial: str | None = None
    certificate: Certificate | None = None
    differences: list[str] = field(default_factory=list)  # what differs from the issued file

    @property
    def status(self) -> str | None:
        return self.certificate.status if self.certificate else None


def _pdf_text(reader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def verify_pdf(data: bytes) -> PdfCheck:
    """Check an uploaded certificate: its embedded serial names the issued one, and it must be that very file.

    Identical bytes are genuine. Anything else is reported as altered, with what differs: the embedded
    digest, the figures in the text, or the rest of the text.
    """
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        text = _pdf_text(reader)
        meta = reader.metadata or {}
    except Exception:  # noqa: BLE001 - anyone's bytes: whatever the parser fails on (limits, unknown filters) is unreadable
        return PdfCheck(UNREADABLE)
    embedded = dict(re.findall(r"(serial|digest)=(\S+)", str(meta.get("/Keywords") or "")))
    in_text = SERIAL.search(text)
    serial = embedded.get("serial") or (in_text.group(0) if in_text else None)
    if not serial:
        return PdfCheck(UNREADABLE)
    cert = find_by_serial(serial)
    if cert is None:
        return PdfCheck(UNKNOWN, serial)
    if hashlib.sha256(data).hexdigest() == cert.pdf_sha256:
        return PdfCheck(GENUINE, serial, cert)
    differences = []
    if embedded.get("digest") != cert.digest:
        differences.append(str(_l("The embedded digest differs from the certified data's digest.")))
    original = _pdf_text(PdfReader(io.BytesIO(cert.pdf)))
    stated, found = FIGURE.findall(original), FIGURE.findall(text)
    changed = [(a, b) for a, b in zip(stated, found) if a != b]
    for a, b in changed:
        differences.append(str(_l("A figure reads %(found)s where the certificate states %(stated)s.",
                                  found=b, stated=a)))
    if len(stated) != len(found):
        differences.append(str(_l("The file has a different number of figures than the certificate.")))
    if not changed and text != original:
        differences.append(str(_l("The text differs from the issued certificate.")))
    if not differences:
        differences.append(str(_l("The file is not the one issued (its bytes differ).")))
    return PdfCheck(ALTERED, serial, cert, differences)


def stated(cert: Certificate) -> dict:
    """What the certificate states, for the public page: its own statement, nothing else of the enterprise."""
    return json.loads(cert.certified)
