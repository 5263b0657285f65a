"""Third-party verification of an enterprise's annual emissions.

An engagement assigns an accredited verification body to one enterprise and one compliance year. While it
is active (not withdrawn) the body's verifiers read that enterprise-year's filings through the tenancy gate
(app.tenancy.VERIFIABLE), raise findings, and issue an opinion; the regulator then confirms it (or sends it
back), and the confirmed total is the year's verified emissions.

Both tables belong to the enterprise (org_id), so it reads them through the gate like its own data, and
carry the body's id (verifier_org_id): the gate lets the body read and write its own engagements' rows.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounting.models import Tonnes
from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import TenantScoped

# Engagement statuses.
IN_PROGRESS, OPINION_ISSUED, CONFIRMED, WITHDRAWN = "in_progress", "opinion_issued", "confirmed", "withdrawn"
# Opinions.
VERIFIED, VERIFIED_WITH_COMMENTS, NOT_VERIFIED = "verified", "verified_with_comments", "not_verified"
OPINIONS = (VERIFIED, VERIFIED_WITH_COMMENTS, NOT_VERIFIED)
# Finding severities and statuses.
MISSTATEMENT, NON_CONFORMITY, OBSERVATION = "misstatement", "non_conformity", "observation"
SEVERITIES = (MISSTATEMENT, NON_CONFORMITY, OBSERVATION)
OPEN, ANSWERED, RESOLVED, CORRECTED = "open", "answered", "resolved", "corrected"


class Engagement(TenantScoped, db.Model):
    __tablename__ = "verification_engagements"

    id: Mapped[int] = mapped_column(primary_key=True)
    verifier_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS, index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The verifier's opinion.
    opinion: Mapped[str | None] = mapped_column(String(30))
    verified_total_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    opinion_text: Mapped[str | None] = mapped_column(Text)
    opinion_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opinion_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The regulator's confirmation (or its reason for sending the opinion back).
    confirmed_total_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_back_comment: Mapped[str | None] = mapped_column(Text)

    organisation = relationship("Organisation", foreign_keys="Engagement.org_id")
    verifier = relationship("Organisation", foreign_keys=[verifier_org_id])
    findings = relationship("VerificationFinding", back_populates="engagement",
                            order_by="VerificationFinding.id")

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class VerificationFinding(TenantScoped, db.Model):
    __tablename__ = "verification_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("verification_engagements.id"), index=True)
    verifier_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period: Mapped[date] = mapped_column(Date)  # the month it concerns (first day)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("emission_sources.id"))
    severity: Mapped[str] = mapped_column(String(20))
    amount_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)  # misstatements: signed, + overstated
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    engagement = relationship("Engagement", back_populates="findings")
    source = relationship("EmissionSource")

    @property
    def counts_as_misstatement(self) -> bool:
        return self.severity == MISSTATEMENT and self.status != CORRECTED and self.amount_tco2e is not None

    @property
    def closed(self) -> bool:
        return self.status in (RESOLVED, CORRECTED)
