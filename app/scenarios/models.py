"""What-if scenarios of the city index: named, saved, city-wide (the authority's, not a tenant's).

A scenario only stores its parameters; its result is computed on demand from the approved data and the
settings in force, and never writes anything else (see app.scenarios.simulator).
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import CityWide

SCENARIO_KINDS = ("new_project", "substitution", "sinks", "efficiency", "top_down")


class Scenario(CityWide, db.Model):
    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # one of SCENARIO_KINDS
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # figures as typed (strings), read exactly
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
