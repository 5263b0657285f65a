"""Reminders of months owed, as Notifications to the enterprise's admins and energy managers (so they are in the
inbox and e-mailed like any other notice), never sent twice: each is a row of reminders_sent, unique per
enterprise, month and stage.

- The daily command (`flask notifications send-due`): REMINDER_DAYS before the due date (10 and 3 by default) and
  on the first overdue day. A month gets only the latest stage it has reached, so a day the command missed is
  caught up without the older stages; the overdue stage only within REMINDER_CATCH_UP_DAYS of the due date.
- The regulator's button on the overdue list: every overdue enterprise of the list, or one; an enterprise-month
  at most once a day.
Plain functions that flush; the caller commits (the command, or the request's edge).
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.roles import ENERGY_MANAGER, ENTERPRISE_ADMIN
from app.audit.services import record
from app.core.types import utcnow
from app.extensions import db
from app.notifications.models import Notification, ReminderSent
from app.review.services import OwedMonth, overdue, owed_months
from app.tenancy import acting_on, unscoped

OVERDUE = "overdue"


def stages() -> list[tuple[str, int]]:
    """(stage, days left at which it is reached), earliest first: before:10, before:3, overdue."""
    days = sorted(set(current_app.config["REMINDER_DAYS"]), reverse=True)
    return [(f"before:{d}", d) for d in days] + [(OVERDUE, -1)]


def stage_reached(days_left: int) -> str | None:
    """The latest stage a month has reached with this many days left (negative: overdue); None: not yet."""
    reached = [stage for stage, at in stages() if days_left <= at]
    if not reached:
        return None
    if reached[-1] == OVERDUE and -days_left > current_app.config["REMINDER_CATCH_UP_DAYS"]:
        return None  # overdue for long: the regulator reminds those from the overdue list
    return reached[-1]


@dataclass(frozen=True)
class Sent:
    org_id: int
    period: date
    stage: str
    recipients: int


def send_due(today: date) -> list[Sent]:
    """The reminders due today that were not sent yet, stored as notifications; what was sent."""
    order = [stage for stage, _at in stages()]
    due = []
    for month in owed_months(today):
        stage = stage_reached(month.days_left)
        if stage is not None:
            due.append((month, stage))
    if not due:
        return []
    already = _stages_sent({m.organisation.id for m, _stage in due})
    people = _filers({m.organisation.id for m, _stage in due})
    sent = []
    for month, stage in due:
        done = already.get((month.organisation.id, month.period), set())
        # Never the same stage twice, nor an earlier one after a later (e.g. after the days were changed).
        if any(order.index(s) >= order.index(stage) for s in done if s in order):
            continue
        kind = "reminder.overdue" if stage == OVERDUE else "reminder.due_soon"
        recipients = people.get(month.organisation.id, [])
        with acting_on(month.organisation.id):
            db.session.add(ReminderSent(org_id=month.organisation.id, period=month.period, stage=stage,
                                        sent_at=utcnow()))
            _notify(month, recipients, kind, {"days": abs(month.days_overdue)})
        sent.append(Sent(month.organisation.id, month.period, stage, len(recipients)))
    db.session.flush()
    return sent


@dataclass(frozen=True)
class Reminded:
    enterprises: int
    months: int
    skipped: int  # enterprise-months reminded already today


def remind_overdue(actor, today: date, org_id: int | None = None, **filters) -> Reminded:
    """The regulator reminds every enterprise with an overdue month (of the filtered list), or one enterprise:
    one notice per person listing its months; an enterprise-month already reminded today is left out."""
    stage = f"regulator:{today.isoformat()}"
    late = overdue(today, org_id, **filters)
    by_org = defaultdict(list)
    for month in late:
        by_org[month.organisation.id].append(month)
    reminded_today = {(o, p) for o, p in db.session.execute(
        select(ReminderSent.org_id, ReminderSent.period).where(ReminderSent.stage == stage,
                                                               ReminderSent.org_id.in_(list(by_org))))}
    people = _filers(set(by_org))
    enterprises = months = skipped = 0
    now = utcnow()
    for oid, owed in by_org.items():
        fresh = sorted((m for m in owed if (oid, m.period) not in reminded_today), key=lambda m: m.period)
        skipped += len(owed) - len(fresh)
        if not fresh:
            continue
        with acting_on(oid):
            for month in fresh:
                db.session.add(ReminderSent(org_id=oid, period=month.period, stage=stage, sent_at=now,
                                            sent_by_id=actor.id))
            listed = [m.period.strftime("%Y-%m") for m in fresh]
            _notify(fresh[0], people.get(oid, []), "reminder.regulator", {"months": listed})
            record("notifications.reminded", actor=actor, org_id=oid, now=now, detail={"months": listed})
        enterprises += 1
        months += len(fresh)
    db.session.flush()
    return Reminded(enterprises, months, skipped)


def _notify(month: OwedMonth, recipients: list[int], kind: str, detail: dict) -> None:
    detail = {"period": month.period.isoformat(), "due": month.due.isoformat(), **detail}
    for user_id in recipients:
        db.session.add(Notification(org_id=month.organisation.id, user_id=user_id, kind=kind, detail=detail))


def _stages_sent(org_ids: set[int]) -> dict[tuple[int, date], set[str]]:
    found = defaultdict(set)
    for oid, period, stage in db.session.execute(select(ReminderSent.org_id, ReminderSent.period, ReminderSent.stage)
                                                 .where(ReminderSent.org_id.in_(org_ids))):
        found[(oid, period)].add(stage)
    return found


def _filers(org_ids: set[int]) -> dict[int, list[int]]:
    """The active admins and energy managers of each enterprise: those who file, so those reminded."""
    found = defaultdict(list)
    for oid, user_id in db.session.execute(
            select(User.org_id, User.id).where(User.org_id.in_(org_ids), User.active,
                                               User.role.in_((ENTERPRISE_ADMIN, ENERGY_MANAGER))).order_by(User.id)
            .execution_options(**unscoped("the people of each enterprise reminded"))):
        found[oid].append(user_id)
    return found
