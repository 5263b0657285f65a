"""Verification bodies, engagements, findings, opinions and the regulator's confirmation. These flush;
the request's edge commits.

Who may do what is checked here (the capability is on the route): the regulator assigns and confirms, the
body's verifiers raise findings and issue the opinion, the enterprise answers findings. Reads and writes
across organisations go through the tenancy gate: the verifier's reach is app.tenancy.VERIFIABLE.
"""
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounting.models import EmissionSource
from app.accounts.models import User
from app.accounts.roles import ENERGY_MANAGER, ENTERPRISE_ADMIN, REGULATOR, VERIFIER
from app.audit.services import record
from app.core.numbers import parse_decimal, tonnes
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.filings.calculations import SUBSTITUTION_THRESHOLD
from app.footprint.services import verified_by_month
from app.notifications.models import Notification
from app.organisations.models import ENTERPRISE, Organisation
from app.organisations.models import VERIFIER as VERIFIER_KIND
from app.settings.services import get_setting
from app.tenancy import notifying, unscoped
from app.verification import materiality
from app.verification.models import (
    ANSWERED,
    CONFIRMED,
    CORRECTED,
    IN_PROGRESS,
    MISSTATEMENT,
    NOT_VERIFIED,
    OPEN,
    OPINION_ISSUED,
    OPINIONS,
    RESOLVED,
    SEVERITIES,
    WITHDRAWN,
    Engagement,
    VerificationFinding,
)

ZERO = Decimal(0)
THOUSANDTH = Decimal("0.001")


# ------------------------------------------------------------------------------------------------ bodies

def register_body(actor, data: dict, now: datetime | None = None) -> Organisation:
    """An accredited verification body, registered by the authority; its verifiers are then invited."""
    name = (data.get("name") or "").strip()
    accreditation_no = (data.get("accreditation_no") or "").strip()
    if not name:
        raise ServiceError(_l("The name is required."), field="name")
    if not accreditation_no:
        raise ServiceError(_l("The accreditation number is required."), field="accreditation_no")
    taken = db.session.scalar(select(Organisation.id).where(Organisation.accreditation_no == accreditation_no)
                              .execution_options(**unscoped("an accreditation number is taken by any body")))
    if taken is not None:
        raise ServiceError(_l("A body with this accreditation number is already registered."),
                           field="accreditation_no")
    org = Organisation(kind=VERIFIER_KIND, name=name, name_en=(data.get("name_en") or "").strip() or None,
                       accreditation_no=accreditation_no,
                       contact_email=(data.get("contact_email") or "").strip() or None, created_at=now or utcnow())
    db.session.add(org)
    db.session.flush()
    record("organisation.registered", actor=actor, obj=org, now=now,
           detail={"kind": VERIFIER_KIND, "accreditation_no": accreditation_no})
    return org


def bodies() -> list[Organisation]:
    return db.session.scalars(select(Organisation).where(Organisation.kind == VERIFIER_KIND)
                              .order_by(Organisation.name)).all()


# ------------------------------------------------------------------------------------------- engagements

def assign(actor, org: Organisation, body: Organisation, year: int, now: datetime | None = None) -> Engagement:
    now = now or utcnow()
    if org.kind != ENTERPRISE:
        raise ServiceError(_l("Choose an enterprise."), field="org_id")
    if body.kind != VERIFIER_KIND or not body.active:
        raise ServiceError(_l("Choose an accredited verification body."), field="verifier_org_id")
    if not 2000 <= year <= now.year:
        raise ServiceError(_l("Enter a year from %(low)d to %(high)d.", low=2000, high=now.year), field="year")
    if active_engagement(org.id, year) is not None:
        raise ServiceError(_l("This enterprise-year has a verification body already; withdraw it first."),
                           field="org_id")
    engagement = Engagement(org_id=org.id, verifier_org_id=body.id, year=year, status=IN_PROGRESS,
                            assigned_by_id=actor.id, assigned_at=now)
    db.session.add(engagement)
    db.session.flush()
    record("verification.assigned", actor=actor, obj=engagement, now=now,
           detail={"year": year, "verifier": body.name, "verifier_org_id": body.id})
    _notify(body.id, (VERIFIER,), "verification.assigned", engagement, now)
    _notify(org.id, (ENTERPRISE_ADMIN, ENERGY_MANAGER), "verification.assigned", engagement, now)
    return engagement


def withdraw(actor, engagement: Engagement, now: datetime | None = None) -> None:
    now = now or utcnow()
    if not engagement.active:
        raise ServiceError(_l("This engagement is withdrawn already."))
    if engagement.status == CONFIRMED:
        raise ServiceError(_l("A confirmed verification stays on record; it cannot be withdrawn."))
    engagement.withdrawn_at = now
    engagement.withdrawn_by_id = actor.id
    engagement.status = WITHDRAWN
    record("verification.withdrawn", actor=actor, obj=engagement, now=now,
           detail={"year": engagement.year, "verifier_org_id": engagement.verifier_org_id})


def active_engagement(org_id: int, year: int) -> Engagement | None:
    return db.session.scalar(select(Engagement).where(Engagement.org_id == org_id, Engagement.year == year,
                                                      Engagement.withdrawn_at.is_(None)))


def engagements(year: int | None = None, include_withdrawn: bool = False) -> list[Engagement]:
    """What the gate lets the caller see: the regulator all, an enterprise its own, a body its active ones."""
    stmt = select(Engagement).options(selectinload(Engagement.organisation), selectinload(Engagement.verifier),
                                      selectinload(Engagement.findings))
    if year is not None:
        stmt = stmt.where(Engagement.year == year)
    if not include_withdrawn:
        stmt = stmt.where(Engagement.withdrawn_at.is_(None))
    return db.session.scalars(stmt.order_by(Engagement.year.desc(), Engagement.id.desc())).all()


def confirmed_for(org_id: int, year: int) -> Engagement | None:
    return confirmed_by_org([org_id], year).get(org_id)


def confirmed_by_org(org_ids: list[int], year: int) -> dict[int, Engagement]:
    """The confirmed verifications of `year` of these enterprises (one query, for overviews)."""
    if not org_ids:
        return {}
    rows = db.session.scalars(select(Engagement).options(selectinload(Engagement.verifier)).where(
        Engagement.org_id.in_(org_ids), Engagement.year == year, Engagement.status == CONFIRMED,
        Engagement.withdrawn_at.is_(None))).all()
    return {e.org_id: e for e in rows}


def confirmed_count(year: int) -> int:
    return len(db.session.scalars(select(Engagement.org_id).where(
        Engagement.year == year, Engagement.status == CONFIRMED, Engagement.withdrawn_at.is_(None)).distinct()).all())


def year_statuses(org_ids, year: int) -> dict[int, str]:
    """{enterprise: the status of its active engagement of `year`} for these enterprises (one query); an
    enterprise without one is not in the answer (its verification has not started)."""
    ids = list(org_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Engagement.org_id, Engagement.status).where(
        Engagement.org_id.in_(ids), Engagement.year == year, Engagement.withdrawn_at.is_(None))).all())


# --------------------------------------------------------------------------------------------- the year

def substitutions(filings: list) -> list[tuple]:
    """(filing, share) of each month's latest revision whose total rests on substituted values above the threshold
    (sector-methods.md §8: the verifier's checklist raises it)."""
    latest = {}
    for filing in filings:
        if filing.period not in latest or filing.revision > latest[filing.period].revision:
            latest[filing.period] = filing
    found = []
    for period in sorted(latest):
        calc = latest[period].current_calculation
        if calc is not None and calc.substituted_share is not None and calc.substituted_share > SUBSTITUTION_THRESHOLD:
            found.append((latest[period], calc.substituted_share))
    return found


def reported_total(org_id: int, year: int) -> tuple[Decimal, list]:
    """The enterprise's reported annual total as the compliance position counts it (covered scope 1 + 2 −
    exported, approved months), and the months."""
    months = verified_by_month(org_id, year)
    return sum((m.verified_t for m in months if m.counted), ZERO), months


def assess(engagement: Engagement, annual_total: Decimal | None = None) -> materiality.Materiality:
    total = annual_total if annual_total is not None else reported_total(engagement.org_id, engagement.year)[0]
    return materiality.assess(total, [f.amount_tco2e for f in engagement.findings if f.counts_as_misstatement],
                              percent=get_setting("materiality_percent"),
                              large_percent=get_setting("materiality_large_percent"),
                              large_threshold_t=get_setting("materiality_large_threshold_tco2e"))


def _in_progress(engagement: Engagement) -> None:
    if not engagement.active or engagement.status != IN_PROGRESS:
        raise ServiceError(_l("This engagement is not in progress."))


# ---------------------------------------------------------------------------------------------- findings

def raise_finding(actor, engagement: Engagement, data: dict, now: datetime | None = None) -> VerificationFinding:
    now = now or utcnow()
    _in_progress(engagement)
    month = data.get("month")
    try:
        period = month if isinstance(month, date) else date(engagement.year, int(month), 1)
    except (TypeError, ValueError):
        raise ServiceError(_l("Choose a month of the year."), field="month") from None
    if period.year != engagement.year:
        raise ServiceError(_l("Choose a month of the year."), field="month")
    severity = data.get("severity")
    if severity not in SEVERITIES:
        raise ServiceError(_l("Choose the severity."), field="severity")
    amount = parse_decimal(data.get("amount_tco2e"), "amount_tco2e", required=severity == MISSTATEMENT,
                           missing=_l("Enter an amount in tCO2e."))
    if severity == MISSTATEMENT and amount == 0:
        raise ServiceError(_l("A misstatement has an amount other than zero."), field="amount_tco2e")
    source_id = data.get("source_id") or None
    if source_id is not None:
        source = db.session.get(EmissionSource, int(source_id))
        if source is None or source.org_id != engagement.org_id:
            raise ServiceError(_l("Choose one of the enterprise's sources."), field="source_id")
    text = (data.get("text") or "").strip()
    if not text:
        raise ServiceError(_l("Describe the finding."), field="text")
    finding = VerificationFinding(org_id=engagement.org_id, engagement_id=engagement.id,
                                  verifier_org_id=engagement.verifier_org_id, period=period,
                                  source_id=int(source_id) if source_id else None, severity=severity,
                                  amount_tco2e=amount if severity == MISSTATEMENT else None, text=text, status=OPEN,
                                  raised_by_id=actor.id, raised_at=now)
    db.session.add(finding)
    db.session.flush()
    record("verification.finding_raised", actor=actor, obj=finding, now=now,
           detail={"year": engagement.year, "month": period.strftime("%Y-%m"), "severity": severity,
                   "amount_tco2e": str(amount) if amount is not None else None, "text": text})
    _notify(engagement.org_id, (ENTERPRISE_ADMIN, ENERGY_MANAGER), "verification.finding_raised", engagement, now)
    return finding


def answer_finding(actor, finding: VerificationFinding, text: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    _in_progress(finding.engagement)
    if finding.closed:
        raise ServiceError(_l("This finding is closed."))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_l("Write the answer."), field="answer")
    finding.answer = text
    finding.answered_by_id = actor.id
    finding.answered_at = now
    finding.status = ANSWERED
    record("verification.finding_answered", actor=actor, obj=finding, now=now, detail={"answer": text})
    _notify(finding.verifier_org_id, (VERIFIER,), "verification.finding_answered", finding.engagement, now)


def close_finding(actor, finding: VerificationFinding, status: str, now: datetime | None = None) -> None:
    """Resolved (accepted as it stands) or corrected (the enterprise amended the data: no longer counts)."""
    now = now or utcnow()
    _in_progress(finding.engagement)
    if status not in (RESOLVED, CORRECTED):
        raise ServiceError(_l("Choose resolved or corrected."))
    if finding.closed:
        raise ServiceError(_l("This finding is closed."))
    finding.status = status
    finding.closed_by_id = actor.id
    finding.closed_at = now
    record("verification.finding_closed", actor=actor, obj=finding, now=now, detail={"status": status})


# ----------------------------------------------------------------------------------------------- opinion

def issue_opinion(actor, engagement: Engagement, opinion: str, verified_total, text: str = "",
                  now: datetime | None = None) -> materiality.Materiality:
    now = now or utcnow()
    _in_progress(engagement)
    if opinion not in OPINIONS:
        raise ServiceError(_l("Choose the opinion."), field="opinion")
    total = parse_decimal(verified_total, "verified_total_tco2e", missing=_l("Enter an amount in tCO2e."))
    if total < 0:
        raise ServiceError(_l("The verified total cannot be negative."), field="verified_total_tco2e")
    if any(f.status in (OPEN, ANSWERED) for f in engagement.findings) and opinion != NOT_VERIFIED:
        raise ServiceError(_l("Close every finding (resolved or corrected) before a positive opinion."),
                           field="opinion")
    check = assess(engagement)
    if check.material and opinion != NOT_VERIFIED:
        raise ServiceError(_l("Refused: the uncorrected misstatements (%(uncorrected)s tCO2e) are above the "
                              "materiality threshold (%(threshold)s tCO2e, %(percent)s percent of "
                              "%(total)s tCO2e). Only a not verified opinion can be issued.",
                              uncorrected=_t(check.uncorrected_t), threshold=_t(check.threshold_t),
                              percent=check.percent, total=_t(check.annual_total_t)), field="opinion")
    engagement.opinion = opinion
    engagement.verified_total_tco2e = total
    engagement.opinion_text = (text or "").strip() or None
    engagement.opinion_at = now
    engagement.opinion_by_id = actor.id
    engagement.status = OPINION_ISSUED
    engagement.sent_back_comment = None
    record("verification.opinion_issued", actor=actor, obj=engagement, now=now,
           detail={"year": engagement.year, "opinion": opinion, "verified_total_tco2e": str(total),
                   "uncorrected_tco2e": str(check.uncorrected_t), "threshold_tco2e": str(check.threshold_t)})
    _notify_regulators(engagement, "verification.opinion_issued", now)
    _notify(engagement.org_id, (ENTERPRISE_ADMIN,), "verification.opinion_issued", engagement, now)
    return check


def confirm(actor, engagement: Engagement, now: datetime | None = None) -> None:
    now = now or utcnow()
    if not engagement.active or engagement.status != OPINION_ISSUED:
        raise ServiceError(_l("Only an issued opinion can be confirmed."))
    engagement.status = CONFIRMED
    engagement.confirmed_total_tco2e = engagement.verified_total_tco2e
    engagement.confirmed_at = now
    engagement.confirmed_by_id = actor.id
    record("verification.confirmed", actor=actor, obj=engagement, now=now,
           detail={"year": engagement.year, "opinion": engagement.opinion,
                   "confirmed_total_tco2e": str(engagement.confirmed_total_tco2e)})
    _notify(engagement.verifier_org_id, (VERIFIER,), "verification.confirmed", engagement, now)
    _notify(engagement.org_id, (ENTERPRISE_ADMIN, ENERGY_MANAGER), "verification.confirmed", engagement, now)
    _settle_notices(engagement, now)


def _settle_notices(engagement: Engagement, now: datetime) -> None:
    """Once confirmed, the engagement's earlier notices (assigned, findings, opinion to confirm) ask for nothing
    any more: they are read for everyone, so no inbox keeps a to-do that is done."""
    unread = db.session.scalars(select(Notification).where(
        Notification.kind.like("verification.%"), Notification.kind != "verification.confirmed",
        Notification.read_at.is_(None)).execution_options(**unscoped("the engagement's notices, whoever they are for")))
    with notifying():
        for notice in unread:
            if (notice.detail or {}).get("engagement_id") == engagement.id:
                notice.read_at = now
        db.session.flush()


def send_back(actor, engagement: Engagement, comment: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    if not engagement.active or engagement.status != OPINION_ISSUED:
        raise ServiceError(_l("Only an issued opinion can be sent back."))
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError(_l("Say why the opinion is sent back."), field="comment")
    record("verification.sent_back", actor=actor, obj=engagement, now=now,
           detail={"year": engagement.year, "opinion": engagement.opinion, "comment": comment})
    engagement.status = IN_PROGRESS
    engagement.sent_back_comment = comment
    engagement.opinion = None
    engagement.verified_total_tco2e = None
    engagement.opinion_at = None
    engagement.opinion_by_id = None
    _notify(engagement.verifier_org_id, (VERIFIER,), "verification.sent_back", engagement, now)


# ------------------------------------------------------------------------------------------ notifications

def _t(value: Decimal) -> str:
    return tonnes(value, rounding=ROUND_HALF_EVEN)  # notices have always rounded ties to even


def _notify(org_id: int, roles: tuple, kind: str, engagement: Engagement, now: datetime) -> None:
    people = db.session.scalars(select(User.id).where(User.org_id == org_id, User.active, User.role.in_(roles))
                                .execution_options(**unscoped("who to tell at the other organisation"))).all()
    detail = {"year": engagement.year, "engagement_id": engagement.id}
    with notifying():
        for user_id in people:
            db.session.add(Notification(org_id=org_id, user_id=user_id, kind=kind, detail=detail, created_at=now))
        db.session.flush()


def _notify_regulators(engagement: Engagement, kind: str, now: datetime) -> None:
    authority_ids = db.session.scalars(select(User.org_id).where(User.role == REGULATOR, User.active)
                                       .execution_options(**unscoped("which authority to tell")).distinct()).all()
    for org_id in authority_ids:
        _notify(org_id, (REGULATOR,), kind, engagement, now)
