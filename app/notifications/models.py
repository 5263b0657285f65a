"""A notification stored for one user (written by the filing workflow and verification), each user's e-mail
choices, and the reminders already sent."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import TenantScoped


class Notification(TenantScoped, db.Model):
    """Something a user should act on or know: a filing returned or approved, an amendment to review."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    filing = relationship("Filing")


class EmailChoice(TenantScoped, db.Model):
    """A user's choice of whether one topic of notices reaches their e-mail; no row: the topic's default."""

    __tablename__ = "notification_email_choices"
    __table_args__ = (UniqueConstraint("user_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    topic: Mapped[str] = mapped_column(String(40))
    email: Mapped[bool]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSent(TenantScoped, db.Model):
    """One reminder of one month sent to an enterprise, so that none is sent twice.

    stage: "before:<days>" and "overdue" (the daily command), "regulator:<YYYY-MM-DD>" (the regulator's button,
    once a day at most).
    """

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("org_id", "period", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(30))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
