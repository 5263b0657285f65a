"""City statistics, carbon sinks, index settings (versioned) and product benchmarks (versioned)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import CityWide


class CityStatistic(CityWide, db.Model):
    """The regulator's city figures for a year (quarter 0) or a quarter (1-4), each with its source.

    Emissions of sectors without filings (transport, buildings, other) are estimates from the city's
    energy statistics; net imported electricity is multiplied by the grid factor in the index.
    """

    __tablename__ = "city_statistics"
    __table_args__ = (UniqueConstraint("year", "quarter", name="uq_city_statistics_year_quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    quarter: Mapped[int] = mapped_column(default=0)  # 0 = the whole year
    gdp_10k_cny: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 4))
    population: Mapped[int | None]
    energy_tce: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 4))
    non_fossil_share_percent: Mapped[Decimal | None] = mapped_column(ExactDecimal(10, 4))
    transport_tco2: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 4))
    buildings_tco2: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 4))
    other_tco2: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 4))
    net_imported_electricity_mwh: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 4))
    source: Mapped[str] = mapped_column(String(500))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarbonSink(CityWide, db.Model):
    """An area that takes up carbon: area × rate, from the year it counts."""

    __tablename__ = "carbon_sinks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # wetland, forest, coastal, ocean, other
    area_ha: Mapped[Decimal] = mapped_column(ExactDecimal(20, 4))
    rate_tco2_per_ha_year: Mapped[Decimal] = mapped_column(ExactDecimal(20, 6))
    from_year: Mapped[int]
    to_year: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(500))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IndexSettings(CityWide, db.Model):
    """One version of the index settings (target path, milestones, weights); a month uses the version
    in force for it, so a published month can be recomputed exactly as it was."""

    __tablename__ = "index_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, index=True)
    values: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("User")
