"""What the inbox does when a filing is approved, returned or opened (connected at start-up)."""
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.roles import ENERGY_MANAGER, ENTERPRISE_ADMIN
from app.extensions import db
from app.filings.signals import filing_approved, filing_opened, filing_returned
from app.notifications.models import Notification
from app.notifications.services import mark_read_for_filing


@filing_approved.connect
def _approved(filing, *, now, **_):
    _tell_enterprise(filing, "filing.approved", {"period": filing.period.isoformat()}, now)


@filing_returned.connect
def _returned(filing, *, comment, now, **_):
    _tell_enterprise(filing, "filing.returned", {"period": filing.period.isoformat(), "comment": comment}, now)


@filing_opened.connect
def _opened(filing, *, user, **_):
    mark_read_for_filing(user, filing.id)


def _tell_enterprise(filing, kind: str, detail: dict, now) -> None:
    """The enterprise's admins and energy managers (the submitter is one of them)."""
    people = db.session.scalars(select(User).where(User.org_id == filing.org_id, User.active,
                                                   User.role.in_((ENTERPRISE_ADMIN, ENERGY_MANAGER)))).all()
    for user in people:
        db.session.add(Notification(org_id=filing.org_id, user_id=user.id, kind=kind, filing_id=filing.id,
                                    detail=detail, created_at=now))
