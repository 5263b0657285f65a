"""The conversation on a filing: the regulator's comments, the enterprise's replies and the regulator's follow-ups.

A month has one conversation across its revisions: a reply written on a resubmitted or amended revision answers
the comments made on the earlier ones, so every page and the copy of record read the comments of all the
month's revisions, oldest first. Each comment stays attached to the revision it was written on.

Adding to the conversation never changes a figure or a status: the enterprise answers whatever the month's
status, the regulator follows up without returning. Plain functions; callers commit (writes for an
enterprise run inside the caller's `acting_on(filing.org_id)`).
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.roles import FILE, REVIEW, can
from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.filings.models import AUTHORITY_SIDE, ENTERPRISE_SIDE, Filing, ReviewComment
from app.filings.signals import filing_commented
from app.organisations.models import AUTHORITY
from app.tenancy import unscoped

MAX_TEXT = 4000


def month_comments(filing: Filing) -> list[ReviewComment]:
    """Every comment of the filing's month, on any revision, in the order they were written."""
    revisions = select(Filing.id).where(Filing.org_id == filing.org_id, Filing.period == filing.period)
    return list(db.session.scalars(
        select(ReviewComment).where(ReviewComment.filing_id.in_(revisions))
        .options(selectinload(ReviewComment.source), selectinload(ReviewComment.filing))
        .order_by(ReviewComment.created_at, ReviewComment.id)))


def authors(comments: list[ReviewComment]) -> dict[int, User]:
    """The people who wrote them, by id: the enterprise reads the regulator's name beside the comment."""
    ids = {c.author_id for c in comments if c.author_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)).execution_options(
        **unscoped("the names of the people in a filing's conversation, from both sides")))}


def side_of(user, filing: Filing) -> str | None:
    """Which side the user speaks for on this filing, or None if they may not write to its conversation."""
    if user.organisation.kind == AUTHORITY and can(user, REVIEW):
        return AUTHORITY_SIDE
    if user.org_id == filing.org_id and can(user, FILE):
        return ENTERPRISE_SIDE
    return None


def add_comment(actor, filing: Filing, text: str, source_id: int | None = None, reply_to_id: int | None = None,
                now: datetime | None = None) -> ReviewComment:
    """Add the actor's comment (a reply, a follow-up) to the month's conversation, on the filing or one line."""
    now = now or utcnow()
    side = side_of(actor, filing)
    if side is None:
        raise ServiceError(_l("Only the enterprise's filers and the regulator write in a filing's conversation."))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_l("Write your comment."), field="text")
    if len(text) > MAX_TEXT:
        raise ServiceError(_l("A comment has at most %(n)d characters.", n=MAX_TEXT), field="text")
    reply_to = None
    if reply_to_id is not None:
        reply_to = next((c for c in month_comments(filing) if c.id == reply_to_id), None)
        if reply_to is None:
            raise ServiceError(_l("The comment you answer is not in this month's conversation."), field="text")
        if source_id is None:
            source_id = reply_to.source_id  # an answer to a line's comment concerns that line
    if source_id is not None and source_id not in {line.source_id for line in filing.lines}:
        raise ServiceError(_l("Choose a line of this filing, or the whole filing."), field="source_id")
    comment = ReviewComment(org_id=filing.org_id, filing_id=filing.id, source_id=source_id, author_id=actor.id,
                            author_side=side, reply_to_id=reply_to_id, text=text, created_at=now)
    db.session.add(comment)
    db.session.flush()
    record("filing.commented", actor=actor, obj=filing, now=now,
           detail={"period": filing.period.isoformat(), "revision": filing.revision, "comment": comment.id,
                   "side": side, "source_id": source_id, "reply_to": reply_to_id, "text": text})
    # The other side's inbox (app/notifications/receivers.py).
    filing_commented.send(filing, actor=actor, comment=comment, now=now)
    db.session.flush()
    return comment


def regulator_concerned(filing: Filing) -> int | None:
    """The regulator an enterprise's comment is for: who last wrote on the authority's side in the month's
    conversation (who returned it, or followed up since), else who reviewed this revision; None: nobody yet."""
    theirs = [c.author_id for c in month_comments(filing) if c.author_side == AUTHORITY_SIDE and c.author_id]
    return theirs[-1] if theirs else filing.reviewed_by_id
