"""The to-do list at the top of the inbox: what needs this user now, computed when read, never stored.

Enterprise filers: returned months (with the regulator's comments), drafts not yet submitted, months overdue and
due soon (from review.owed_months, which honours the reporting months). The regulator: filings waiting for
review and the enterprises with overdue months. Other packages add their own items (verification findings to
answer, opinions to confirm) by answering the `todos_requested` signal, since they sit above this one.

A few queries whatever the number of months or filings: the owed months (two), the open filings, their comments.
"""
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.accounting.models import EmissionSource
from app.accounts.roles import ENERGY_MANAGER, ENTERPRISE_ADMIN, PLATFORM_ADMIN, REGULATOR
from app.extensions import db
from app.filings.models import AUTHORITY_SIDE, DRAFT, RETURNED, Filing, ReviewComment
from app.notifications.signals import todos_requested
from app.organisations.models import AUTHORITY, ENTERPRISE
from app.review import services as review_services

# Within one month, the order of the items (the month's most pressing first).
KIND_ORDER = ("returned", "overdue", "draft", "due_soon", "amendment_draft")


@dataclass(frozen=True)
class Comment:
    text: str
    source_name: str | None  # None: on the whole filing
    created_at: object


@dataclass(frozen=True)
class Todo:
    """One thing to do. `kind` decides the sentence and the link (see notifications/index.html)."""

    kind: str
    period: date | None = None  # the month it concerns
    due: date | None = None  # the month's due date, when the month is owed
    days: int | None = None  # overdue: days past the due date; otherwise days left
    count: int | None = None  # for items that count (filings to review, enterprises overdue, findings)
    filing_id: int | None = None
    engagement_id: int | None = None
    year: int | None = None
    comments: tuple[Comment, ...] = field(default=())
    extra: int | None = None  # a second count (overdue months besides overdue enterprises)
    newest: date | None = None  # when the obligation arose, for the order; None: now

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.days is not None and self.days > 0 and self.kind != "due_soon"


def due_soon_days() -> int:
    """The inbox says "due soon" from the first reminder (10 days before the due date by default)."""
    return max(current_app.config["REMINDER_DAYS"], default=10)


def todo_list(user, today: date) -> list[Todo]:
    items = []
    kind = user.organisation.kind
    if kind == ENTERPRISE and user.role in (ENERGY_MANAGER, ENTERPRISE_ADMIN):
        items += _filer_items(user.org_id, today)
    elif kind == AUTHORITY and user.role in (REGULATOR, PLATFORM_ADMIN):
        items += _regulator_items(today)
    for _receiver, answered in todos_requested.send(user, today=today):
        items += answered or []
    # Newest obligations first; what has no month (counts of things waiting) is "now", on top.
    return sorted(items, key=lambda t: (-(t.newest or today).toordinal(),
                                        KIND_ORDER.index(t.kind) if t.kind in KIND_ORDER else -1))


def _filer_items(org_id: int, today: date) -> list[Todo]:
    window = due_soon_days()
    owed = {m.period: m for m in review_services.owed_months(today, org_id)}
    open_filings = db.session.scalars(select(Filing).where(Filing.org_id == org_id,
                                                           Filing.status.in_((DRAFT, RETURNED)))).all()
    comments = _comments([f.id for f in open_filings if f.status == RETURNED])
    items, covered = [], set()
    for filing in open_filings:
        month = owed.get(filing.period)
        due, days = (month.due, month.days_overdue) if month else (None, None)
        if filing.status == RETURNED:
            kind = "returned"
        else:
            kind = "amendment_draft" if filing.amends_id else "draft"
            if due is not None and days <= 0:
                days = -days  # days left, as a due-soon item says
        items.append(Todo(kind, filing.period, due, days, filing_id=filing.id,
                          comments=tuple(comments.get(filing.id, ())), newest=filing.period))
        covered.add(filing.period)
    for period, month in owed.items():
        if period in covered:
            continue
        if month.days_overdue > 0:
            items.append(Todo("overdue", period, month.due, month.days_overdue, newest=period))
        elif month.days_left <= window:
            items.append(Todo("due_soon", period, month.due, month.days_left, newest=period))
    return items


def _comments(filing_ids: list[int]) -> dict[int, list[Comment]]:
    """The regulator's comments on each returned filing (not the enterprise's replies), in order, with the line's
    source named."""
    if not filing_ids:
        return {}
    rows = db.session.execute(select(ReviewComment.filing_id, ReviewComment.text, ReviewComment.source_id,
                                     ReviewComment.created_at)
                              .where(ReviewComment.filing_id.in_(filing_ids), ReviewComment.author_side == AUTHORITY_SIDE)
                              .order_by(ReviewComment.created_at, ReviewComment.id)).all()
    source_ids = {r.source_id for r in rows if r.source_id}
    names = dict(db.session.execute(select(EmissionSource.id, EmissionSource.name)
                                    .where(EmissionSource.id.in_(source_ids))).all()) if source_ids else {}
    found = {}
    for row in rows:
        found.setdefault(row.filing_id, []).append(
            Comment(row.text, names.get(row.source_id) if row.source_id else None, row.created_at))
    return found


def _regulator_items(today: date) -> list[Todo]:
    items = []
    first, amendments = review_services.waiting_counts()
    if first:
        items.append(Todo("to_review", count=first))
    if amendments:
        items.append(Todo("amendments_to_review", count=amendments))
    enterprises, months = review_services.overdue_counts(today)
    if enterprises:
        items.append(Todo("overdue_enterprises", count=enterprises, extra=months))
    return items
