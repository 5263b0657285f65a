"""An issued emission certificate: the certified figures, their digest and the exact PDF bytes given out."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.accounting.models import Tonnes
from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import TenantScoped

VALID, SUPERSEDED, REVOKED = "valid", "superseded", "revoked"


class Certificate(TenantScoped, db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    period_start: Mapped[date] = mapped_column(Date)  # first day of the first month
    period_end: Mapped[date] = mapped_column(Date)  # first day of the last month
    status: Mapped[str] = mapped_column(String(20), default=VALID, index=True)
    total_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    scope1_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    scope2_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    # The canonical JSON of what the certificate states; `digest` is its SHA-256.
    certified: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    # The file given out, byte for byte: a second download returns the same file.
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    auto_issued: Mapped[bool] = mapped_column(default=False)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_reason: Mapped[str | None] = mapped_column(Text)

    organisation = relationship("Organisation")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
