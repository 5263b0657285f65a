"""What the inbox does when a filing is approved, returned or commented on (connected at start-up)."""
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.roles import ENERGY_MANAGER, ENTERPRISE_ADMIN, REGULATOR
from app.extensions import db
from app.filings import conversation
from app.filings.models import AUTHORITY_SIDE
from app.filings.signals import (
    filing_approved,
    filing_commented,
    filing_returned,
)
from app.notifications.models import Notification
from app.plans.signals import plan_approved, plan_notified, plan_returned, plan_submitted
from app.tenancy import notifying, unscoped


@filing_approved.connect
def _approved(filing, *, now, **_):
    _tell_enterprise(filing, "filing.approved", {"period": filing.period.isoformat()}, now)


@filing_returned.connect
def _returned(filing, *, comment, now, **_):
    _tell_enterprise(filing, "filing.returned", {"period": filing.period.isoformat(), "comment": comment}, now)


@filing_commented.connect
def _commented(filing, *, comment, now, **_):
    """The regulator's comment tells the enterprise's filers; the enterprise's, the regulator concerned."""
    detail = {"period": filing.period.isoformat(), "comment": comment.text, "comment_id": comment.id,
              "source_id": comment.source_id}
    if comment.author_side == AUTHORITY_SIDE:
        _tell_enterprise(filing, "filing.regulator_commented", detail, now)
        return
    active = select(User).where(User.active, User.role == REGULATOR).execution_options(
        **unscoped("the regulator an enterprise's comment is for"))
    concerned = conversation.regulator_concerned(filing)
    people = db.session.scalars(active.where(User.id == concerned)).all() if concerned else []
    with notifying():  # the authority's rows, written while the enterprise's user acts
        for user in people or db.session.scalars(active).all():
            db.session.add(Notification(org_id=user.org_id, user_id=user.id, kind="filing.enterprise_commented",
                                        filing_id=filing.id, detail=detail, created_at=now))
        db.session.flush()


def _tell_enterprise(filing, kind: str, detail: dict, now) -> None:
    """The enterprise's admins and energy managers (the submitter is one of them)."""
    people = db.session.scalars(select(User).where(User.org_id == filing.org_id, User.active,
                                                   User.role.in_((ENTERPRISE_ADMIN, ENERGY_MANAGER)))).all()
    for user in people:
        db.session.add(Notification(org_id=filing.org_id, user_id=user.id, kind=kind, filing_id=filing.id,
                                    detail=detail, created_at=now))


# --- monitoring plans: the regulator hears of a version submitted or changed on notice, the enterprise of the answer

def _plan_detail(version, **extra) -> dict:
    return {"plan_version_id": version.id, "year": version.plan.year, "number": version.number, **extra}


@plan_submitted.connect
def _plan_submitted(version, *, now, **_):
    _tell_regulators("plan.submitted", _plan_detail(version, enterprise=version.plan.organisation.name), now)


@plan_notified.connect
def _plan_notified(version, *, now, **_):
    _tell_regulators("plan.notified", _plan_detail(version, enterprise=version.plan.organisation.name), now)


@plan_approved.connect
def _plan_approved(version, *, now, **_):
    _tell_enterprise_of_plan(version, "plan.approved", _plan_detail(version), now)


@plan_returned.connect
def _plan_returned(version, *, comment, now, **_):
    _tell_enterprise_of_plan(version, "plan.returned", _plan_detail(version, comment=comment), now)


def _tell_regulators(kind: str, detail: dict, now) -> None:
    active = select(User).where(User.active, User.role == REGULATOR).execution_options(
        **unscoped("the regulators a plan waits for"))
    with notifying():  # the authority's rows, written while the enterprise's user acts
        for user in db.session.scalars(active).all():
            db.session.add(Notification(org_id=user.org_id, user_id=user.id, kind=kind, detail=detail,
                                        created_at=now))
        db.session.flush()


def _tell_enterprise_of_plan(version, kind: str, detail: dict, now) -> None:
    people = db.session.scalars(select(User).where(User.org_id == version.org_id, User.active,
                                                   User.role.in_((ENTERPRISE_ADMIN, ENERGY_MANAGER)))).all()
    for user in people:
        db.session.add(Notification(org_id=version.org_id, user_id=user.id, kind=kind, detail=detail,
                                    created_at=now))
