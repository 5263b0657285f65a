"""The copy of record: one submission's exact content, frozen as canonical JSON with its SHA-256.

Rows are written once and never changed: there is no update path, and the ORM refuses an UPDATE or
DELETE of one (see the listeners below), so an amendment or a review leaves every earlier copy as it was.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import TenantScoped

WEB, API = "web", "api"


class CopyOfRecord(TenantScoped, db.Model):
    __tablename__ = "copies_of_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    revision: Mapped[int]
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    document: Mapped[str] = mapped_column(Text)  # canonical JSON, UTF-8; the bytes that are hashed
    sha256: Mapped[str] = mapped_column(String(64))
    signer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    statement_version: Mapped[int]
    channel: Mapped[str] = mapped_column(String(10))  # web or api
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    filing = relationship("Filing")
    signer = relationship("User")


class FrozenRecord(Exception):
    """A copy of record was about to be changed or deleted."""


@event.listens_for(CopyOfRecord, "before_update")
@event.listens_for(CopyOfRecord, "before_delete")
def _refuse_changes(mapper, connection, target) -> None:
    raise FrozenRecord(f"copy of record {target.id} is frozen")
