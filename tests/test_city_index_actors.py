"""Who must act, on the regulator's dashboard: each sector, division and district this R12 against a year earlier,
its intensity against its target and its contribution to the gap; totals that add up to X; the district page; the
XLSX export; and who may see them."""
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from app.city_index.actor_tables import (
    IMPORTED,
    Paths,
    district_table,
    division_table,
    in_district,
    load_for,
    sector_table,
    top_emitters,
)
from app.city_index.index import city_index
from app.extensions import db
from app.filings.models import Filing
from tests.helpers.city import filed_month, month_starts

D = Decimal


@pytest.fixture
def grown(db, city, make_org):
    """The test city with a year more of history and an enterprise with months to estimate: steel filed
    2023-07..2024-06 at 80 (so it rose 25 %), power 2023-07..2024-05 at 900 with output values, and a chemical
    plant (C2611, 兴港区) that filed every month from 2023-07 to 2025-03 at 100 and not April to June 2025."""
    for period in month_starts(2023, 7, 12):
        filed_month(city["steel"], period, "80", "20")
    for period in month_starts(2023, 7, 11):
        filed_month(city["power"], period, "900")
    chem = make_org(name="锦湾化工秘密有限公司", industry_code="C2611",
                    district="兴港区", first_reporting_month=date(2023, 7, 1))
    for period in month_starts(2023, 7, 21):
        filed_month(chem, period, "100")
    # output values (10⁴ CNY) on the power plant's and the chemical plant's filings, for intensities
    db.session.execute(update(Filing).where(Filing.org_id == city["power"].id).values(output_value_10k_cny=D(500)))
    db.session.execute(update(Filing).where(Filing.org_id == chem.id).values(output_value_10k_cny=D(50)))
    db.session.commit()
    return {**city, "chem": chem}


def test_the_sector_table_adds_up_to_the_citys_gross_emissions(db, grown):
    month = city_index(2025, 6)
    assert month.estimated_tco2 > 0  # the chemical plant's April to June are estimated
    data = load_for(2025, 6)
    sectors = sector_table(data, 2025, 6)
    assert [r.key for r in sectors.rows] == ["energy", "industry", "transport", "buildings", "other", IMPORTED]
    assert sectors.complete
    assert sum(r.now.total for r in sectors.rows) == sectors.total.now.total == month.result.gross_tco2
    industry = next(r for r in sectors.rows if r.key == "industry")
    assert industry.now.estimated == month.estimated_tco2  # the estimates sit in the chemical plant's sector
    imported = next(r for r in sectors.rows if r.key == IMPORTED)
    assert imported.now.total == month.inputs.imported_tco2
