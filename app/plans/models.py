"""A monitoring plan per enterprise and year, its versions, and per version how each source is monitored.

A version is drafted, submitted, then approved or returned. An approved version is never changed (the listeners
below refuse it); a change is a new version, effective from a month, that starts as a copy of the one in force.
"""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import TenantScoped

DRAFT, SUBMITTED, APPROVED, RETURNED = "draft", "submitted", "approved", "returned"
STATUSES = (DRAFT, SUBMITTED, APPROVED, RETURNED)
EDITABLE = (DRAFT, RETURNED)
MEASURED, DEFAULT = "measured", "default"
TIERS = (MEASURED, DEFAULT)


class MonitoringPlan(TenantScoped, db.Model):
    __tablename__ = "monitoring_plans"
    __table_args__ = (UniqueConstraint("org_id", "year", name="uq_monitoring_plans_org_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")
    versions = relationship("PlanVersion", back_populates="plan", order_by="PlanVersion.number")


class PlanVersion(TenantScoped, db.Model):
    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_versions_plan_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("monitoring_plans.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    effective_from: Mapped[date] = mapped_column(Date)  # first day of a month of the plan's year
    change_note: Mapped[str | None] = mapped_column(Text)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id"))  # the version it changes
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Approved on notice: only meters, laboratories, people or backups changed, which the regulator is told of.
    by_notice: Mapped[bool] = mapped_column(default=False, server_default=false())
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_comment: Mapped[str | None] = mapped_column(Text)

    plan = relationship("MonitoringPlan", back_populates="versions")
    based_on = relationship("PlanVersion", remote_side="PlanVersion.id")
    sources = relationship("PlanSource", back_populates="version", order_by="PlanSource.id",
                           cascade="all, delete-orphan")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    returned_by = relationship("User", foreign_keys=[returned_by_id])

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


class PlanSource(TenantScoped, db.Model):
    """How one emission source is monitored under one version: method, tiers, laboratory, people, backup."""

    __tablename__ = "plan_sources"
    __table_args__ = (UniqueConstraint("version_id", "source_id", name="uq_plan_sources_version_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("emission_sources.id"), index=True)
    method: Mapped[str] = mapped_column(String(40))  # a code of app.plans.method_catalogue
    tiers: Mapped[dict] = mapped_column(JSON, default=dict)  # parameter code -> measured | default
    lab_name: Mapped[str | None] = mapped_column(String(200))
    lab_accreditation: Mapped[str | None] = mapped_column(String(60))  # CMA / CNAS number
    sampling_frequency: Mapped[str | None] = mapped_column(String(100))
    lab_standard: Mapped[str | None] = mapped_column(String(200))
    responsible_person: Mapped[str | None] = mapped_column(String(100))
    backup_source: Mapped[str | None] = mapped_column(String(200))
    backup_method: Mapped[str | None] = mapped_column(String(300))
    # The lab reports of a line's carbon, NCV and moisture must name one sample (sector-methods.md §2).
    same_sample: Mapped[bool] = mapped_column(default=False, server_default=false())

    version = relationship("PlanVersion", back_populates="sources")
    source = relationship("EmissionSource")
    meters = relationship("PlanMeter", back_populates="plan_source", order_by="PlanMeter.id",
                          cascade="all, delete-orphan")


class PlanMeter(TenantScoped, db.Model):
    __tablename__ = "plan_meters"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_source_id: Mapped[int] = mapped_column(ForeignKey("plan_sources.id"), index=True)
    meter_id: Mapped[str] = mapped_column(String(60))  # the enterprise's own number on the meter
    meter_type: Mapped[str | None] = mapped_column(String(100))
    accuracy_class: Mapped[str | None] = mapped_column(String(20))
    calibrated_on: Mapped[date | None] = mapped_column(Date)
    calibration_due: Mapped[date | None] = mapped_column(Date)

    plan_source = relationship("PlanSource", back_populates="meters")


class FrozenPlan(Exception):
    """An approved or submitted plan version was about to be changed."""


def _status(connection, version_id: int | None) -> str | None:
    # Read from the database: a row being deleted may already have left its parent's collection.
    table = PlanVersion.__table__
    return connection.scalar(select(table.c.status).where(table.c.id == version_id)) if version_id else None


@event.listens_for(PlanVersion, "before_update")
def _version_frozen(mapper, connection, target) -> None:
    # Approved stays approved, with what it says; only submitted → approved/returned and edits of a draft pass.
    was = inspect(target).attrs.status.history
    before = was.deleted[0] if was.deleted else target.status
    if before == APPROVED:
        raise FrozenPlan(f"plan version {target.id} is approved and cannot change")
    if before == SUBMITTED and not was.deleted:
        raise FrozenPlan(f"plan version {target.id} is submitted: approve or return it first")


@event.listens_for(PlanVersion, "before_delete")
@event.listens_for(PlanSource, "before_insert")
@event.listens_for(PlanSource, "before_delete")
@event.listens_for(PlanSource, "before_update")
@event.listens_for(PlanMeter, "before_insert")
@event.listens_for(PlanMeter, "before_delete")
@event.listens_for(PlanMeter, "before_update")
def _content_frozen(mapper, connection, target) -> None:
    if isinstance(target, PlanVersion):
        version_id = target.id
    elif isinstance(target, PlanSource):
        version_id = target.version_id if target.version_id else getattr(target.version, "id", None)
    else:
        sources = PlanSource.__table__
        version_id = connection.scalar(select(sources.c.version_id).where(sources.c.id == target.plan_source_id))
    if _status(connection, version_id) not in (None, *EDITABLE):
        raise FrozenPlan(f"{type(target).__name__} {target.id} belongs to a plan version that is not a draft")
