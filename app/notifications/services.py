"""Notifications stored for one user (written by the filing workflow), where each one leads, which of them reach
the user's e-mail, and the to-do list computed on reading (app.notifications.todos).

Plain functions; callers commit. Which user's rows these are is the caller's argument: the tenancy gate
only scopes them to the organisation.
"""
from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.services import record
from app.core.markers import N_
from app.core.types import utcnow
from app.extensions import db
from app.notifications import todos
from app.notifications.models import EmailChoice, Notification
from app.organisations.models import AUTHORITY

PAGE_SIZE = 30

MESSAGES = {
    "filing.returned": N_("%(month)s was returned for correction."),
    "filing.approved": N_("%(month)s was approved."),
    "filing.regulator_commented": N_("The regulator wrote about %(month)s."),
    "filing.enterprise_commented": N_("The enterprise answered about %(month)s."),
    "filing.signed": N_("%(month)s was received: receipt %(receipt)s, SHA-256 %(digest)s."),
    "reminder.due_soon": N_("%(month)s is due on %(due)s, in %(days)d days."),
    "reminder.overdue": N_("%(month)s is overdue: it was due on %(due)s."),
    "reminder.regulator": N_("The regulator reminds you of months overdue: %(months)s."),
    "verification.assigned": N_("A verification body is assigned for %(year)s."),
    "verification.finding_raised": N_("The verification of %(year)s has a new finding to answer."),
    "verification.finding_answered": N_("A finding of the verification of %(year)s was answered."),
    "verification.opinion_issued": N_("A verification opinion for %(year)s awaits confirmation."),
    "verification.confirmed": N_("The verification of %(year)s is confirmed by the regulator."),
    "verification.sent_back": N_("The verification opinion for %(year)s was sent back."),
    "plan.submitted": N_("%(enterprise)s: the monitoring plan for %(year)s (version %(number)s) waits for approval."),
    "plan.notified": N_("%(enterprise)s: the monitoring plan for %(year)s changed meters or laboratories (version "
                        "%(number)s), on notice."),
    "plan.approved": N_("Your monitoring plan for %(year)s (version %(number)s) was approved."),
    "plan.returned": N_("Your monitoring plan for %(year)s (version %(number)s) was returned: %(comment)s"),
}


def message(notification: Notification) -> str:
    """The notification as a sentence in the reader's language; an unknown kind shows its code."""
    text = MESSAGES.get(notification.kind)
    if text is None:
        return notification.kind
    detail = notification.detail or {}
    return gettext(text, month=detail.get("period", "")[:7], receipt=detail.get("receipt_number", ""),
                   digest=detail.get("sha256", ""), year=detail.get("year", ""), due=detail.get("due", ""),
                   days=detail.get("days", 0), months=", ".join(detail.get("months", ())),
                   number=detail.get("number", ""), comment=detail.get("comment", ""),
                   enterprise=detail.get("enterprise", ""))


def link_of(notification: Notification, reader_kind: str) -> tuple[str, dict] | None:
    """Where a notification leads (endpoint, values), for the reader's kind of organisation; None: nowhere."""
    detail = notification.detail or {}
    if detail.get("plan_version_id"):
        return "plans.show", {"version_id": detail["plan_version_id"]}
    if detail.get("engagement_id"):
        return "verification.show", {"engagement_id": detail["engagement_id"]}
    if notification.filing_id:
        if reader_kind == AUTHORITY:
            return "review.show", {"filing_id": notification.filing_id}
        return "filings.show", {"filing_id": notification.filing_id}
    if notification.kind.startswith("reminder.") and detail.get("period"):
        return "filings.index", {"year": int(detail["period"][:4])}  # the year where the month is opened
    return None


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id,
                                                                       Notification.read_at.is_(None))) or 0


def for_user(user, page: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[Notification], int]:
    """A page of the user's notifications, newest first."""
    mine = Notification.user_id == user.id
    total = db.session.scalar(select(func.count(Notification.id)).where(mine))
    rows = db.session.scalars(
        select(Notification).where(mine).order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(page_size).offset((max(page, 1) - 1) * page_size)).all()
    return rows, total


def mark_read(notification: Notification, now: datetime | None = None) -> None:
    if notification.read_at is None:
        notification.read_at = now or utcnow()




def mark_all_read(user, now: datetime | None = None) -> int:
    now = now or utcnow()
    unread = db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                           Notification.read_at.is_(None))).all()
    for notification in unread:
        notification.read_at = now
    db.session.flush()
    return len(unread)


def reminders(user, today: date) -> list[todos.Todo]:
    """The user's to-do list (app.notifications.todos)."""
    return todos.todo_list(user, today)


# --- which notices reach the e-mail ---------------------------------------------------------------------------
# Topics a user chooses, with their defaults: what asks the user to act is on, a receipt they already saw is off.
TOPICS = {
    "returned": (_l("A month is returned for correction"), True),
    "comment": (_l("Comments and replies on a filing"), True),
    "reminder": (_l("Reminders of months due and overdue"), True),
    "approved": (_l("A month is approved"), True),
    "verification": (_l("Verification: assignment, findings, opinion"), True),
    "received": (_l("Receipt of a signed submission"), False),
    "other": (_l("Other notices"), True),
}
_KIND_TOPICS = {"filing.returned": "returned", "filing.approved": "approved", "filing.signed": "received"}


def topic_of(kind: str) -> str:
    if kind in _KIND_TOPICS:
        return _KIND_TOPICS[kind]
    prefix = kind.split(".", 1)[0]
    if prefix in ("reminder", "verification"):
        return prefix
    if "comment" in kind or "repl" in kind:  # the conversation on a filing, whatever its kinds are named
        return "comment"
    return "other"


def email_choices(user) -> dict[str, bool]:
    """The user's choice for every topic: their own where they made one, else the default."""
    chosen = dict(db.session.execute(select(EmailChoice.topic, EmailChoice.email)
                                     .where(EmailChoice.user_id == user.id)).all())
    return {topic: chosen.get(topic, default) for topic, (_label, default) in TOPICS.items()}


def set_email_choices(user, emailed: set[str], now: datetime | None = None) -> list[str]:
    """Store the user's choices (the topics to e-mail; the rest not); the topics changed, audited."""
    now = now or utcnow()
    before = email_choices(user)
    rows = {row.topic: row for row in db.session.scalars(select(EmailChoice).where(EmailChoice.user_id == user.id))}
    changed = []
    for topic in TOPICS:
        wanted = topic in emailed
        if topic in rows:
            rows[topic].email = wanted
            rows[topic].updated_at = now
        else:
            db.session.add(EmailChoice(org_id=user.org_id, user_id=user.id, topic=topic, email=wanted,
                                       updated_at=now))
        if before[topic] != wanted:
            changed.append(topic)
    db.session.flush()
    if changed:
        record("notifications.email_choices", actor=user, org_id=user.org_id, now=now,
               detail={"emailed": sorted(emailed & set(TOPICS)), "changed": changed})
    return changed
