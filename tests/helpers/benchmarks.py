"""Approved months for the benchmark tests (the `make_filed_enterprise` and `cement` fixtures use them)."""
from datetime import date
from decimal import Decimal as D

from app.filings.calculations import ENGINE_VERSION
from app.filings.models import Calculation, Filing, ProductionLine

YEAR = 2023
ALL_MONTHS = range(1, 13)


def add_month(db, org, product, month, tco2e, output=D(1000), energy=D(400), production=D(900), status="approved",
              revision=1, year=YEAR):
    """One filing revision with its stored calculation and production, as the filing services leave them."""
    filing = Filing(org_id=org.id, period=date(year, month, 1), revision=revision, status=status,
                    output_value_10k_cny=output)
    db.session.add(filing)
    db.session.flush()
    db.session.add(Calculation(org_id=org.id, filing_id=filing.id, engine_version=ENGINE_VERSION, settings={},
                               scope1_tco2e=tco2e, scope2_tco2e=D(0), scope3_tco2e=D(0), exported_tco2e=D(0),
                               total_tco2e=tco2e, energy_tce=energy))
    if product is not None and production is not None:
        db.session.add(ProductionLine(org_id=org.id, filing_id=filing.id, product_id=product.id,
                                      quantity=production, unit=product.unit))
    return filing


# Intensities per 10^4 CNY (tCO2e per month / 1,000): awkward numbers, so that a leaked one would be recognisable.
OWN = "812.3"
PEERS = {"华新水泥甲有限公司": "651.7", "海螺水泥乙有限公司": "739.1", "冀东水泥丙有限公司": "926.4",
         "金隅水泥丁有限公司": "1084.3", "山水水泥戊有限公司": "1237.9"}
