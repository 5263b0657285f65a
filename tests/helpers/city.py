"""The city of the index tests (the `city` fixture): index settings, and months with stored calculations."""
from datetime import date
from decimal import Decimal

from app.city_index.periods import add_months
from app.extensions import db
from app.filings.calculations import ENGINE_VERSION
from app.filings.models import APPROVED, Calculation, Filing, ProductionLine

D = Decimal
# The worked example's path (reference/city-index.md).
SETTINGS = {"y0": 2020, "e0": "20000000", "g0": "13000000", "yp": 2028, "ep": "22000000", "s60": "3000000",
            "industrial_base_r": "0.70", "sinks_base_tco2": "900000", "non_fossil_base_share": "0.10",
            "transport_buildings_base_tco2": "2200000"}
BENCHMARK = "electricity-coal-300mw-plus"  # seeded: 0.877 tCO2/MWh


def filed_month(org, period, scope1, scope2="0", status=APPROVED, revision=1, product=None, output=None):
    filing = Filing(org_id=org.id, period=period, revision=revision, status=status)
    db.session.add(filing)
    db.session.flush()
    db.session.add(Calculation(org_id=org.id, filing_id=filing.id, engine_version=ENGINE_VERSION, settings={},
                               scope1_tco2e=D(scope1), scope2_tco2e=D(scope2), scope3_tco2e=D(0),
                               exported_tco2e=D(0), total_tco2e=D(scope1) + D(scope2), energy_tce=D(0)))
    if product is not None:
        db.session.add(ProductionLine(org_id=org.id, filing_id=filing.id, product_id=product.id,
                                      quantity=D(output), unit="MWh"))
    return filing


def month_starts(start_year, start_month, n):
    return [date(*add_months(start_year, start_month, k), 1) for k in range(n)]


def combustion_source(org, name, fuel, unit, facility="主厂区"):
    """A stationary-combustion source of `org` in the register (a boiler or a power plant's furnace)."""
    from app.accounting.models import EmissionSource, Facility

    site = Facility(org_id=org.id, name=facility)
    db.session.add(site)
    db.session.flush()
    source = EmissionSource(org_id=org.id, facility_id=site.id, name=name, category="stationary_combustion",
                            material=fuel, activity_unit=unit)
    db.session.add(source)
    db.session.flush()
    return source
