"""What-if scenarios of the city index: named, saved, city-wide (the authority's, not a tenant's).

A scenario only stores its parameters; its result is computed on demand from the approved data and the
settings in force, and never writes anything else (see app.scenarios.simulator).
"""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import CityWide

PACKAGE = "package"  # several saved scenarios evaluated together; params["members"]: their ids
SCENARIO_KINDS = ("new_project", "substitution", "sinks", "efficiency", "top_down", PACKAGE)


class Scenario(CityWide, db.Model):
    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # one of SCENARIO_KINDS
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # figures as typed (strings), read exactly
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

APPROVED, WITH_CONDITIONS, REFUSED = "approved", "approved_with_conditions", "refused"
DECISIONS = (APPROVED, WITH_CONDITIONS, REFUSED)


class ProjectDecision(CityWide, db.Model):
    """A project assessed against the path and the regulator's decision on it: recorded once, never edited
    (a new assessment is a new row). Keeps the inputs as typed and the answer as it was given (`result`: the
    years, the tightest year, the offset needed, the baseline month), so a decision can be read years later
    whatever the data has become since."""

    __tablename__ = "project_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)   # figures as typed (strings)
    result: Mapped[dict] = mapped_column(JSON, default=dict)   # the assessment as shown, figures as strings
    baseline_month: Mapped[date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(30))  # one of DECISIONS
    note: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
