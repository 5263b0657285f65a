from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import UTCDateTime, utcnow
from app.extensions import db

ENTERPRISE = "enterprise"
AUTHORITY = "authority"
VERIFIER = "verifier"  # an accredited third-party verification body
ORG_KINDS = (ENTERPRISE, AUTHORITY, VERIFIER)


class Organisation(db.Model):
    """A tenant: an enterprise that files, the authority (the city regulator), or a verification body."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    industry_code: Mapped[str | None] = mapped_column(String(5), index=True)
    district: Mapped[str | None] = mapped_column(String(100), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    accreditation_no: Mapped[str | None] = mapped_column(String(50))  # verification bodies only
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An enterprise owes a filing for every month from the first to the last (None: still reporting).
    first_reporting_month: Mapped[date | None] = mapped_column(Date)
    last_reporting_month: Mapped[date | None] = mapped_column(Date)

    users = relationship("User", back_populates="organisation", order_by="User.email")

    @property
    def is_enterprise(self) -> bool:
        return self.kind == ENTERPRISE

    @property
    def industry(self):
        from app.organisations.industries import describe

        return describe(self.industry_code) if self.industry_code else None

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"
