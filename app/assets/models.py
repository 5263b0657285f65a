"""The carbon asset ledger: every movement of allowances and offsets is an immutable entry."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import TenantScoped

ALLOWANCE, OFFSET = "allowance", "offset"
INSTRUMENTS = (ALLOWANCE, OFFSET)
# Entry kinds and the sign of their quantity on the holder's balance.
KINDS = {
    "allocation": +1,   # allowances allocated for a compliance year (only the authority records them)
    "purchase": +1,     # bought from a counterparty (allowances or offsets)
    "sale": -1,         # sold to a counterparty
    "offset_acquired": +1,  # offsets credited (e.g. CCER issued to or transferred to the enterprise)
    "surrender": -1,    # surrendered for a compliance year
    "reversal": 0,      # corrects an earlier entry: the opposite of what it reverses
}


class AssetEntry(TenantScoped, db.Model):
    """One ledger movement. Never edited: a mistake is corrected by a reversal entry that points at it.

    `quantity` is signed (tCO2e; + adds to the holding, − takes from it), so a balance is a plain sum.
    """

    __tablename__ = "asset_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    instrument: Mapped[str] = mapped_column(String(20), index=True)
    compliance_year: Mapped[int | None] = mapped_column(index=True)  # allowances and surrenders
    quantity_t: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    price_cny_per_t: Mapped[Decimal | None] = mapped_column(ExactDecimal(20, 4))
    counterparty: Mapped[str | None] = mapped_column(String(200))
    # Offsets: the credit type (CCER...), project id and vintage.
    offset_type: Mapped[str | None] = mapped_column(String(40))
    project_id: Mapped[str | None] = mapped_column(String(100))
    vintage: Mapped[int | None]
    trade_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("asset_entries.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reverses = relationship("AssetEntry", remote_side="AssetEntry.id")
    created_by = relationship("User")
