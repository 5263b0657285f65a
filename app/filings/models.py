"""Monthly filings: the activity data of one enterprise-month, and its stored calculations.

A filing is one revision of a month. Approved data is never edited in place: an amendment is a new
revision. Each save computes a Calculation that keeps the exact factor versions, GWP set and
parameter values used; a later recalculation adds a new Calculation and leaves the old one.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounting.models import Quantity, Tonnes
from app.core.types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import TenantScoped

Share = ExactDecimal(20, 10)  # a fraction of a total, 0..1
DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"
STATUSES = (DRAFT, SUBMITTED, APPROVED, RETURNED)


class Filing(TenantScoped, db.Model):
    __tablename__ = "filings"
    __table_args__ = (UniqueConstraint("org_id", "period", "revision", name="uq_filings_org_period_revision"),
                      # Which months each enterprise filed (review.owed_months): answered from the index alone.
                      Index("ix_filings_status_org_period", "status", "org_id", "period", "superseded_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[date] = mapped_column(Date, index=True)  # first day of the month
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    output_value_10k_cny: Mapped[Decimal | None] = mapped_column(Quantity)  # industrial output value, 10^4 CNY
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    # Written explanations for plausibility warnings, by warning key, given at submission.
    explanations: Mapped[dict] = mapped_column(JSON, default=dict)
    # An amendment is a new revision of an approved month; the approved one stays readable.
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"))
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: a save based on an older version is refused rather than overwriting.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation = relationship("Organisation")
    lines = relationship("FilingLine", back_populates="filing", order_by="FilingLine.id",
                         cascade="all, delete-orphan")
    production = relationship("ProductionLine", back_populates="filing", order_by="ProductionLine.id",
                              cascade="all, delete-orphan")
    calculations = relationship("Calculation", back_populates="filing", order_by="Calculation.id")
    evidence = relationship("Evidence", back_populates="filing", order_by="Evidence.id")
    comments = relationship("ReviewComment", back_populates="filing", order_by="ReviewComment.id")
    amends = relationship("Filing", remote_side="Filing.id")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])

    @property
    def current_calculation(self):
        return next((c for c in reversed(self.calculations) if c.is_current), None)


class Evidence(TenantScoped, db.Model):
    """An uploaded file (invoice, meter reading, lab report) of a filing, optionally of one of its lines.

    The bytes live under the evidence folder, named by their SHA-256 (see app.filings.evidence).
    """

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("emission_sources.id"))
    description: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A PDF with scripts or automatic actions (/JavaScript, /OpenAction, /Launch …): accepted, never run here
    # (downloads are attachments), and flagged to whoever opens it.
    active_content: Mapped[bool] = mapped_column(default=False, server_default=false())

    filing = relationship("Filing", back_populates="evidence")
    source = relationship("EmissionSource")


class StoredFile(db.Model):
    """One stored content (evidence bytes under their SHA-256), shared by every evidence row that names it.

    Not an enterprise's row: it holds only the digest. Its row lock orders "store and reference" against
    "unreference and delete" (app.filings.evidence), so bytes are never deleted under a new reference.
    """

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size_bytes: Mapped[int]
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FilingLine(TenantScoped, db.Model):
    """One emission source's activity in the month, as entered: quantity, unit, measured parameters."""

    __tablename__ = "filing_lines"
    __table_args__ = (UniqueConstraint("filing_id", "source_id", name="uq_filing_lines_filing_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("emission_sources.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[str] = mapped_column(String(20))
    # Lab-tested or metered parameters that replace the defaults, as decimal strings (e.g. carbon_content).
    measured: Mapped[dict] = mapped_column(JSON, default=dict)
    green_mwh: Mapped[Decimal | None] = mapped_column(Quantity)  # green certificates / direct green supply
    # The method's inputs by their API names (numbers as decimal strings, a composition as {species: %}).
    parameters: Mapped[dict | None] = mapped_column(JSON, default=dict)
    # Per parameter: {"provenance": "measured" | "substituted", "reason": ...}; a parameter the plan says is
    # measured and that was not filed is recorded here as substituted, with its reason.
    provenance: Mapped[dict | None] = mapped_column(JSON, default=dict)

    filing = relationship("Filing", back_populates="lines")
    source = relationship("EmissionSource")
    lab_reports = relationship("LabReport", back_populates="line", order_by="LabReport.parameter",
                               cascade="all, delete-orphan")


class LabReport(TenantScoped, db.Model):
    """The laboratory report behind one measured parameter of a line (sector-methods.md §2, §9): the file is an
    Evidence row of the filing; the lab, its CMA/CNAS number, the sample and its date are kept here, so the
    same-sample rule (app.plans.check) can compare the sample ids of a line's carbon, NCV and moisture."""

    __tablename__ = "lab_reports"
    __table_args__ = (UniqueConstraint("filing_line_id", "parameter", name="uq_lab_reports_line_parameter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)  # the verifier's window reads it
    filing_line_id: Mapped[int] = mapped_column(ForeignKey("filing_lines.id"), index=True)
    parameter: Mapped[str] = mapped_column(String(40))  # the method's input name, e.g. c_ad, ncv_ar
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    lab_name: Mapped[str] = mapped_column(String(200))
    accreditation: Mapped[str] = mapped_column(String(60))  # CMA or CNAS number
    sample_id: Mapped[str] = mapped_column(String(60))
    sample_date: Mapped[date] = mapped_column(Date)

    line = relationship("FilingLine", back_populates="lab_reports")
    evidence = relationship("Evidence")


class ProductionLine(TenantScoped, db.Model):
    __tablename__ = "production_lines"
    __table_args__ = (UniqueConstraint("filing_id", "product_id", name="uq_production_lines_filing_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit: Mapped[str] = mapped_column(String(20))

    filing = relationship("Filing", back_populates="production")
    product = relationship("Product")


class Calculation(TenantScoped, db.Model):
    """The emissions computed for one filing revision, with everything needed to reproduce them."""

    __tablename__ = "calculations"
    # The current calculation of given filings (lists and joins); not is_current alone, which nearly every row has.
    __table_args__ = (Index("ix_calculations_filing_id_is_current", "filing_id", "is_current"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(100), default="saved")
    engine_version: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict] = mapped_column(JSON)  # gwp_set, grid_series, include_ch4_n2o
    is_current: Mapped[bool] = mapped_column(default=True)
    scope1_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    scope2_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    scope2_market_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    scope3_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    exported_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    total_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    energy_tce: Mapped[Decimal] = mapped_column(Tonnes)
    # The three regimes' totals (app.accounting.regimes; None: computed before they were kept), the regime that
    # total_tco2e follows (None: inventory, as before) and the share of total_tco2e resting on substituted values.
    ets_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    guideline_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    inventory_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    inventory_market_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    regime: Mapped[str | None] = mapped_column(String(20))
    substituted_share: Mapped[Decimal | None] = mapped_column(Share)

    filing = relationship("Filing", back_populates="calculations")
    lines = relationship("CalculationLine", back_populates="calculation", order_by="CalculationLine.id",
                         cascade="all, delete-orphan")


class MonthlyTotal(TenantScoped, db.Model):
    """The effective approved totals of one enterprise-month (its latest approved revision's current
    calculation): a rollup kept by app.filings.rollups in the same flush as the approval, amendment or
    recalculation that changes it, so the city's pages sum these rows instead of joining filings and
    calculations. `flask rollups rebuild` writes them from scratch; both use the same SQL."""

    __tablename__ = "monthly_totals"
    __table_args__ = (Index("ix_monthly_totals_period_org", "period", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[date] = mapped_column(Date)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    calculation_id: Mapped[int] = mapped_column(ForeignKey("calculations.id"))
    scope1_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    scope2_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    scope2_market_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    scope3_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    exported_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    total_tco2e: Mapped[Decimal] = mapped_column(Tonnes)
    energy_tce: Mapped[Decimal] = mapped_column(Tonnes)
    output_value_10k_cny: Mapped[Decimal | None] = mapped_column(Quantity)  # the filing's, for intensities
    # The totals by reporting regime (sector-methods.md §1), as the calculation has them (None before 0030).
    ets_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    guideline_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)
    inventory_tco2e: Mapped[Decimal | None] = mapped_column(Tonnes)


class RollupGeneration(db.Model):
    """The data generation: a row appended in the same transaction as every write of the rollup (and of the other
    data the city's pages are computed from); the latest row's value is the generation. Caches of those pages key
    on it, so a commit invalidates them in every worker at once and a rollback leaves them valid. Appended, never
    updated, so that concurrent writers lock nothing of it (app.filings.rollups.bump)."""

    __tablename__ = "rollup_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class CalculationLine(TenantScoped, db.Model):
    __tablename__ = "calculation_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    calculation_id: Mapped[int] = mapped_column(ForeignKey("calculations.id"), index=True)
    filing_line_id: Mapped[int] = mapped_column(ForeignKey("filing_lines.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("emission_sources.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(10))
    co2_t: Mapped[Decimal] = mapped_column(Tonnes)
    ch4_t: Mapped[Decimal] = mapped_column(Tonnes)
    n2o_t: Mapped[Decimal] = mapped_column(Tonnes)
    other_t: Mapped[dict] = mapped_column(JSON, default=dict)
    co2e_t: Mapped[Decimal] = mapped_column(Tonnes)
    co2e_market_t: Mapped[Decimal | None] = mapped_column(Tonnes)
    energy_tce: Mapped[Decimal] = mapped_column(Tonnes)
    trace: Mapped[dict] = mapped_column(JSON)
    method: Mapped[str | None] = mapped_column(String(40))
    masses: Mapped[dict | None] = mapped_column(JSON)  # Masses.as_text(): gases before GWP, as decimal strings
    substituted: Mapped[list | None] = mapped_column(JSON)  # names of the parameters resting on substituted values

    calculation = relationship("Calculation", back_populates="lines")
    source = relationship("EmissionSource")
    filing_line = relationship("FilingLine")


AUTHORITY_SIDE, ENTERPRISE_SIDE = "authority", "enterprise"


class ReviewComment(TenantScoped, db.Model):
    """One message of a month's conversation: the regulator's comments (on returning a filing or later) and the
    enterprise's replies, on the whole filing or on one source's line (app.filings.conversation).

    `author_side` is stored when it is written, so the conversation reads the same after a user changes role."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("emission_sources.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_side: Mapped[str] = mapped_column(String(20), default=AUTHORITY_SIDE)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("review_comments.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    filing = relationship("Filing", back_populates="comments")
    source = relationship("EmissionSource")


# --- the copy of record: one submission's exact content, frozen as canonical JSON with its SHA-256 ------------
# Rows are written once and never changed: there is no update path, and the ORM refuses an UPDATE or DELETE of
# one (the listeners below), so an amendment or a review leaves every earlier copy as it was. app.signing makes
# them; they belong to the filing, like its evidence and review comments.

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
