"""The filing state machine: draft → submitted → approved, or submitted → returned → draft again.

An approved filing is locked; it changes only through an amendment, a new revision that goes through
review again and, once approved, supersedes it. Each transition checks its own preconditions here (not
in the views), records an audit event and notifies the people who need to act. Callers commit.
"""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounting.models import EmissionSource
from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import city_date, city_today, utcnow
from app.extensions import db
from app.filings import parameters as method_parameters
from app.filings import plausibility, scale
from app.filings.lab_reports import copy_to as copy_lab_reports
from app.filings.models import (
    APPROVED,
    AUTHORITY_SIDE,
    DRAFT,
    RETURNED,
    SUBMITTED,
    Evidence,
    Filing,
    FilingLine,
    ProductionLine,
    ReviewComment,
)
from app.filings.services import copies_of, latest_filing, sources_judged
from app.filings.signals import filing_approved, filing_returned
from app.plans import check as plan_check
from app.settings.services import get_setting


def add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def due_date(period: date, due_day: int | None = None) -> date:
    """A month is due by the city's due day of the following month (pass due_day to save the lookup)."""
    return add_months(period, 1).replace(day=due_day or get_setting("filing_due_day"))


def effective_filing(org_id: int, period: date) -> Filing | None:
    """The revision that counts for a month: the latest approved one, else the latest of any state."""
    rows = db.session.scalars(select(Filing).where(Filing.org_id == org_id, Filing.period == period)
                              .order_by(Filing.revision.desc())).all()
    return next((f for f in rows if f.status == APPROVED), rows[0] if rows else None)


def findings_for(filing: Filing, today: date | None = None) -> list[plausibility.Finding | plan_check.Finding]:
    today = today or city_today()
    sources = db.session.scalars(select(EmissionSource).where(EmissionSource.org_id == filing.org_id,
                                                              EmissionSource.active)).all()
    other_open = db.session.scalar(select(Filing.id).where(
        Filing.org_id == filing.org_id, Filing.period == filing.period, Filing.id != filing.id,
        Filing.status == SUBMITTED).limit(1)) is not None
    copies = copies_of([filing.id]).get(filing.id)
    sources = sources_judged(filing, sources, copies[-1] if copies else None)
    calculation = filing.current_calculation
    return plausibility.check(
        filing, effective_filing(filing.org_id, add_months(filing.period, -1)),
        effective_filing(filing.org_id, add_months(filing.period, -12)), sources,
        get_setting("plausibility_change_percent"), today, other_open_revision=other_open,
        gross_tonnes=scale.gross(calculation) if calculation else None,
        reference=scale.reference(filing.organisation) if calculation else None) + method_parameters.findings(
        filing) + plan_check.check_filing(filing)


def submit(actor, filing: Filing, explanations: dict | None = None, now: datetime | None = None) -> None:
    now = now or utcnow()
    if filing.status not in (DRAFT, RETURNED):
        raise ServiceError(_l("Only a draft can be submitted."))
    if not filing.lines:
        raise ServiceError(_l("Enter the month's activity data before submitting."))
    if filing.current_calculation is None:
        raise ServiceError(_l("The emissions could not be computed: save the filing again and check its lines."))
    findings = findings_for(filing, city_date(now))
    errors = plausibility.blocking(findings)
    if errors:
        raise ServiceError(" ".join(str(f.message) for f in errors))
    explanations = {k: v.strip() for k, v in (explanations or {}).items() if v and v.strip()}
    missing = plausibility.unexplained(findings, explanations)
    if missing:
        raise ServiceError(_l("Explain each warning before submitting: %(warnings)s",
                              warnings=" ".join(str(f.message) for f in missing)), field="explanations")
    filing.explanations = {f.key: explanations[f.key] for f in findings if f.key in explanations}
    filing.status = SUBMITTED
    filing.submitted_at = now
    filing.submitted_by_id = actor.id
    record("filing.submitted", actor=actor, obj=filing, now=now,
           detail={"period": filing.period.isoformat(), "revision": filing.revision,
                   "explanations": filing.explanations})


def approve(actor, filing: Filing, now: datetime | None = None) -> None:
    now = now or utcnow()
    if filing.status != SUBMITTED:
        raise ServiceError(_l("Only a submitted filing can be approved."))
    filing.status = APPROVED
    filing.reviewed_at = now
    filing.reviewed_by_id = actor.id
    superseded = []
    for older in db.session.scalars(select(Filing).where(
            Filing.org_id == filing.org_id, Filing.period == filing.period, Filing.revision < filing.revision,
            Filing.status == APPROVED, Filing.superseded_at.is_(None))):
        older.superseded_at = now  # stays readable; the new revision counts from now on
        superseded.append(older.revision)
    record("filing.approved", actor=actor, obj=filing, now=now,
           detail={"period": filing.period.isoformat(), "revision": filing.revision,
                   **({"supersedes_revisions": superseded} if superseded else {})})
    # The inbox tells the enterprise; certificates follow the approved numbers (app/*/receivers.py).
    filing_approved.send(filing, actor=actor, amended=bool(superseded), now=now)
    db.session.flush()  # inside the caller's acting_on(): the notifications belong to the enterprise


def return_filing(actor, filing: Filing, comment: str, line_comments: dict[int, str] | None = None,
                  now: datetime | None = None) -> None:
    now = now or utcnow()
    if filing.status != SUBMITTED:
        raise ServiceError(_l("Only a submitted filing can be returned."))
    comment = (comment or "").strip()
    line_comments = {int(k): v.strip() for k, v in (line_comments or {}).items() if v and v.strip()}
    if not comment and not line_comments:
        raise ServiceError(_l("Say what needs fixing: a comment on the filing or on a line."), field="comment")
    sources = {line.source_id for line in filing.lines}
    if set(line_comments) - sources:
        raise ServiceError(_l("A comment names a line that is not in this filing."), field="comment")
    filing.status = RETURNED
    filing.reviewed_at = now
    filing.reviewed_by_id = actor.id
    filing.review_comment = comment or None
    if comment:
        db.session.add(ReviewComment(org_id=filing.org_id, filing_id=filing.id, author_id=actor.id, text=comment,
                                     author_side=AUTHORITY_SIDE, created_at=now))
    for source_id, text in line_comments.items():
        db.session.add(ReviewComment(org_id=filing.org_id, filing_id=filing.id, source_id=source_id,
                                     author_id=actor.id, author_side=AUTHORITY_SIDE, text=text, created_at=now))
    record("filing.returned", actor=actor, obj=filing, now=now,
           detail={"period": filing.period.isoformat(), "revision": filing.revision, "comment": comment,
                   "line_comments": {str(k): v for k, v in line_comments.items()}})
    filing_returned.send(filing, actor=actor, comment=comment, now=now)
    db.session.flush()


def amend(actor, org, period: date, reason: str, now: datetime | None = None) -> Filing:
    """Open a new revision of an approved month, a copy of it to edit, with the reason for the change."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Give the reason for the amendment."), field="reason")
    latest = latest_filing(org.id, period)
    if latest is None or latest.status != APPROVED:
        raise ServiceError(_l("Only an approved month is amended; a month in progress is simply edited."))
    revision = Filing(org_id=org.id, period=period, revision=latest.revision + 1, status=DRAFT,
                      amends_id=latest.id, amendment_reason=reason, output_value_10k_cny=latest.output_value_10k_cny,
                      created_by_id=actor.id, created_at=now, updated_at=now)
    revision.lines = [FilingLine(org_id=org.id, source_id=line.source_id, quantity=line.quantity, unit=line.unit,
                                 measured=dict(line.measured or {}), green_mwh=line.green_mwh)
                      for line in latest.lines]
    revision.production = [ProductionLine(org_id=org.id, product_id=p.product_id, quantity=p.quantity, unit=p.unit)
                           for p in latest.production]
    db.session.add(revision)
    db.session.flush()
    # The evidence stays with the data it supports: the same files (same stored bytes) attach to the copy.
    copies = {}
    for item in latest.evidence:
        copies[item.id] = Evidence(org_id=org.id, filing_id=revision.id, source_id=item.source_id,
                                   description=item.description, filename=item.filename,
                                   content_type=item.content_type, size_bytes=item.size_bytes, sha256=item.sha256,
                                   uploaded_by_id=item.uploaded_by_id, uploaded_at=item.uploaded_at,
                                   active_content=item.active_content)
        db.session.add(copies[item.id])
    copy_lab_reports(revision, latest, copies)
    record("filing.amendment_opened", actor=actor, obj=revision, now=now,
           detail={"period": period.isoformat(), "revision": revision.revision, "amends": latest.revision,
                   "reason": reason})
    return revision
