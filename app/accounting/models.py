"""Facilities, emission sources, products (tenant-owned) and the factor library (city-wide)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import CityWide, TenantScoped

# Results to 10^-10 t (stated storage rounding); entered quantities to 6 decimals.
Tonnes = ExactDecimal(30, 10)
Quantity = ExactDecimal(24, 6)
PER_HOUR, PER_MONTH = "hour", "month"
RATED_PER = (PER_HOUR, PER_MONTH)


class Facility(TenantScoped, db.Model):
    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sources = relationship("EmissionSource", back_populates="facility", order_by="EmissionSource.id")


class EmissionSource(TenantScoped, db.Model):
    """Something that emits (or exports) in one facility: its category, fuel or material and activity unit."""

    __tablename__ = "emission_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))  # a key of engine.SCOPES
    material: Mapped[str] = mapped_column(String(60))  # fuel / carbonate / gas code, electricity, heat, steam...
    activity_unit: Mapped[str] = mapped_column(String(20))  # canonical unit (units.canonical_unit)
    # Covered by emissions trading (counts toward the compliance position).
    covered: Mapped[bool] = mapped_column(default=True)
    # Scope 3 lines have no default factor: the enterprise declares one, with its citation.
    declared_factor: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 10))
    declared_unit: Mapped[str | None] = mapped_column(String(20))
    declared_source: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Expected in a month's filing only while in service (None: since always / still in service).
    commissioned_month: Mapped[date | None] = mapped_column(Date)
    decommissioned_month: Mapped[date | None] = mapped_column(Date)
    # What it can handle at most, in its activity unit per hour or per month (RATED_PER): a month above it is refused.
    rated_capacity: Mapped[Decimal | None] = mapped_column(Quantity)
    rated_capacity_per: Mapped[str | None] = mapped_column(String(10))
    # Calculation method (app.accounting.methods); None: its category's method of today (methods.DEFAULT_METHOD).
    method: Mapped[str | None] = mapped_column(String(40))
    # A generating unit never deducts the electricity or heat it supplies, in any regime.
    generating_unit: Mapped[bool] = mapped_column(default=False, server_default=false())

    def in_service(self, period: date) -> bool:
        return ((self.commissioned_month is None or period >= self.commissioned_month)
                and (self.decommissioned_month is None or period <= self.decommissioned_month))

    facility = relationship("Facility", back_populates="sources")


class Product(TenantScoped, db.Model):
    """A product whose monthly output is reported, for intensity (tCO2e per unit of product)."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))  # e.g. t, MWh, GJ
    is_main: Mapped[bool] = mapped_column(default=False)
    # The product benchmark (code) this product is measured against, for the industrial-efficiency sub-index.
    benchmark_code: Mapped[str | None] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def factor_identity(kind: str, code: str, series: str | None, data_year: int | None) -> str:
    """One string naming a factor across its versions (NULLs would defeat a unique constraint)."""
    return f"{kind}|{code}|{series or ''}|{data_year or ''}"


def _identity_default(context) -> str:
    p = context.get_current_parameters()
    return factor_identity(p["kind"], p["code"], p.get("series"), p.get("data_year"))


class EmissionFactor(CityWide, db.Model):
    """One version of a factor in the city's library. Versions are never edited or deleted.

    Reference data shared by all tenants (not tenant-owned). `values` holds decimal strings.
    """

    __tablename__ = "emission_factors"
    __table_args__ = (UniqueConstraint("identity", "version", name="uq_emission_factors_identity_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(160), default=_identity_default)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    code: Mapped[str] = mapped_column(String(60))
    series: Mapped[str | None] = mapped_column(String(40))
    data_year: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)
    unit: Mapped[str] = mapped_column(String(20))
    values: Mapped[dict] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    published_by = relationship("User")

    def to_engine(self):
        from app.accounting.library import Factor

        return Factor(id=self.id, kind=self.kind, code=self.code, series=self.series, data_year=self.data_year,
                      version=self.version, unit=self.unit, values={k: Decimal(v) for k, v in self.values.items()},
                      valid_from=self.valid_from, valid_to=self.valid_to, source=self.source, status=self.status,
                      name_zh=self.name_zh, name_en=self.name_en)


class ProductBenchmark(CityWide, db.Model):
    """An intensity benchmark for a product (tCO2 per unit of output): reference data versioned like the factors,
    published on the city data pages, measured against in the register, peer benchmarks and the city index."""

    __tablename__ = "product_benchmarks"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_product_benchmarks_code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), index=True)  # e.g. "electricity-coal-above-300mw"
    product: Mapped[str] = mapped_column(String(100))
    unit_class: Mapped[str] = mapped_column(String(200))
    benchmark: Mapped[Decimal] = mapped_column(ExactDecimal(20, 6))
    unit: Mapped[str] = mapped_column(String(30))  # tCO2/MWh, tCO2/GJ, tCO2/t
    period: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)
    valid_from: Mapped[date] = mapped_column(Date)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
