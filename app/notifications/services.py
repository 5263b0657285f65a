"""Notifications stored for one user (written by the filing workflow) and reminders computed on reading.

Plain functions; callers commit. Which user's rows these are is the caller's argument: the tenancy gate
only scopes them to the organisation.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.roles import (
    ENERGY_MANAGER,
    ENTERPRISE_ADMIN,
    PLATFORM_ADMIN,
    REGULATOR,
)
from app.core.markers import N_
from app.core.types import utcnow
from app.extensions import db
from app.filings.models import Filing
from app.notifications.models import Notification
from app.organisations.models import ENTERPRISE
from app.review import services as review_services

PAGE_SIZE = 30

MESSAGES = {
    "filing.returned": N_("%(month)s was returned for correction."),
    "filing.approved": N_("%(month)s was approved."),
    "filing.regulator_commented": N_("The regulator wrote about %(month)s."),
    "filing.enterprise_commented": N_("The enterprise answered about %(month)s."),
    "filing.signed": N_("%(month)s was received: receipt %(receipt)s, SHA-256 %(digest)s."),
    "verification.assigned": N_("A verification body is assigned for %(year)s."),
    "verification.finding_raised": N_("The verification of %(year)s has a new finding to answer."),
    "verification.finding_answered": N_("A finding of the verification of %(year)s was answered."),
    "verification.opinion_issued": N_("A verification opinion for %(year)s awaits confirmation."),
    "verification.confirmed": N_("The verification of %(year)s is confirmed by the regulator."),
    "verification.sent_back": N_("The verification opinion for %(year)s was sent back."),
}


def message(notification: Notification) -> str:
    """The notification as a sentence in the reader's language; an unknown kind shows its code."""
    text = MESSAGES.get(notification.kind)
    if text is None:
        return notification.kind
    detail = notification.detail or {}
    return gettext(text, month=detail.get("period", "")[:7], receipt=detail.get("receipt_number", ""),
                   digest=detail.get("sha256", ""), year=detail.get("year", ""))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id,
                                                                       Notification.read_at.is_(None))) or 0


def for_user(user, page: int = 1, page_size: int = PAGE_SIZE) -> tuple[list[Notification], int]:
    """A page of the user's notifications, newest first, with their filings loaded for the links."""
    mine = Notification.user_id == user.id
    total = db.session.scalar(select(func.count(Notification.id)).where(mine))
    rows = db.session.scalars(
        select(Notification).where(mine).order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(page_size).offset((max(page, 1) - 1) * page_size)
        .options(selectinload(Notification.filing).selectinload(Filing.calculations))).all()
    return rows, total


def mark_read(notification: Notification, now: datetime | None = None) -> None:
    if notification.read_at is None:
        notification.read_at = now or utcnow()


def mark_read_for_filing(user, filing_id: int, now: datetime | None = None) -> int:
    """Opening a filing reads the user's notifications about it."""
    unread = db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.filing_id == filing_id, Notification.read_at.is_(None))).all()
    for notification in unread:
        notification.read_at = now or utcnow()
    return len(unread)


def mark_all_read(user, now: datetime | None = None) -> int:
    now = now or utcnow()
    unread = db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                           Notification.read_at.is_(None))).all()
    for notification in unread:
        notification.read_at = now
    db.session.flush()
    return len(unread)


@dataclass(frozen=True)
class Reminder:
    """Something computed when the inbox is read, never stored: it goes away once done."""

    kind: str  # "overdue", "due_soon", "to_review" or "amendments_to_review"
    period: date | None = None
    due: date | None = None
    days: int | None = None  # overdue: days past the due date; due soon: days left
    count: int | None = None


def reminders(user, today: date) -> list[Reminder]:
    """Enterprise filers: their months overdue and due soon. The regulator: filings waiting for review."""
    items = []
    if user.organisation.kind == ENTERPRISE and user.role in (ENERGY_MANAGER, ENTERPRISE_ADMIN):
        items += [Reminder("overdue", m.period, m.due, m.days_overdue)
                  for m in review_services.overdue(today, user.org_id)]
        items += [Reminder("due_soon", m.period, m.due, m.days_left)
                  for m in review_services.due_soon(today, user.org_id)]
    elif user.organisation.kind != ENTERPRISE and user.role in (REGULATOR, PLATFORM_ADMIN):
        first, amendments = review_services.waiting_counts()
        if first:
            items.append(Reminder("to_review", count=first))
        if amendments:
            items.append(Reminder("amendments_to_review", count=amendments))
    return items
