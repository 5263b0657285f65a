from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import CityWide, TenantScoped


class AuditEvent(TenantScoped, db.Model):
    """One entry of the hash-chained, append-only audit trail.

    hash = SHA-256(prev_hash + canonical JSON of the entry), so changing or removing any entry
    breaks every hash after it. Rows of an organisation are readable by it through the tenancy
    gate (org_id); events with no organisation (e.g. an unknown e-mail at sign-in) only by the authority.
    """

    __tablename__ = "audit_events"
    # Written by the system on behalf of anyone, including anonymous sign-in attempts.
    tenancy_write_guard = False

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[int | None]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA256 of `hash` with the audit key, which is not in the database: whoever can write the database
    # can recompute hashes, but not these. Empty for events written before the key existed.
    mac: Mapped[str | None] = mapped_column(String(64))

    actor = relationship("User")
    organisation = relationship("Organisation")


class AuditHead(CityWide, db.Model):
    """The single row that holds the end of the chain; updating it first serialises writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))  # of "seq:hash": a head set back to cut the tail is found


class AuditCheckpoint(CityWide, db.Model):
    """A point up to which the chain was verified (keyed like the events), so a check can start from there."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    whole: Mapped[bool]  # the chain was checked from its start (the CLI), not from an earlier checkpoint
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
