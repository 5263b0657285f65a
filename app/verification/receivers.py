"""What verification adds to each user's to-do list in the inbox (connected at start-up).

The enterprise answers open findings; the body's verifiers close answered findings and redo an opinion sent back;
the regulator confirms issued opinions. One query for whoever reads, through the tenancy gate.
"""
from sqlalchemy import func, select

from app.accounts.roles import ENERGY_MANAGER, ENTERPRISE_ADMIN, PLATFORM_ADMIN, REGULATOR, VERIFIER
from app.core.types import city_date
from app.extensions import db
from app.notifications.signals import todos_requested
from app.notifications.todos import Todo
from app.organisations.models import AUTHORITY, ENTERPRISE
from app.organisations.models import VERIFIER as VERIFIER_KIND
from app.verification.models import ANSWERED, IN_PROGRESS, OPEN, OPINION_ISSUED, Engagement, VerificationFinding


@todos_requested.connect
def _verification_todos(user, **_):
    kind = user.organisation.kind
    if kind == ENTERPRISE and user.role in (ENTERPRISE_ADMIN, ENERGY_MANAGER):
        return _findings(OPEN, "findings_to_answer", Engagement.org_id == user.org_id)
    if kind == VERIFIER_KIND and user.role == VERIFIER:
        return (_findings(ANSWERED, "findings_to_close", Engagement.verifier_org_id == user.org_id)
                + _sent_back(user.org_id))
    if kind == AUTHORITY and user.role in (REGULATOR, PLATFORM_ADMIN):
        waiting = db.session.scalars(select(Engagement.id).where(Engagement.status == OPINION_ISSUED,
                                                                 Engagement.withdrawn_at.is_(None))).all()
        if waiting:
            return [Todo("opinions_to_confirm", count=len(waiting),
                         engagement_id=waiting[0] if len(waiting) == 1 else None)]
    return []


def _findings(status: str, todo_kind: str, whose) -> list[Todo]:
    """Findings in this status of the engagements in progress, one item per engagement."""
    rows = db.session.execute(
        select(Engagement.id, Engagement.year, func.count(VerificationFinding.id),
               func.max(VerificationFinding.raised_at))
        .join(VerificationFinding, VerificationFinding.engagement_id == Engagement.id)
        .where(whose, Engagement.status == IN_PROGRESS, Engagement.withdrawn_at.is_(None),
               VerificationFinding.status == status)
        .group_by(Engagement.id, Engagement.year)).all()
    return [Todo(todo_kind, count=count, engagement_id=eid, year=year, newest=city_date(latest) if latest else None)
            for eid, year, count, latest in rows]


def _sent_back(verifier_org_id: int) -> list[Todo]:
    rows = db.session.execute(select(Engagement.id, Engagement.year).where(
        Engagement.verifier_org_id == verifier_org_id, Engagement.status == IN_PROGRESS,
        Engagement.withdrawn_at.is_(None), Engagement.sent_back_comment.is_not(None))).all()
    return [Todo("opinion_sent_back", engagement_id=eid, year=year) for eid, year in rows]
