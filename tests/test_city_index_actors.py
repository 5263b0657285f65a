"""Who must act, on the regulator's dashboard: each sector, division and district this R12 against a year earlier,
its intensity against its target and its contribution to the gap; totals that add up to X; the district page; the
XLSX export; and who may see them."""
import io
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from app.city_data.models import CityStatistic
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
from app.filings.models import Filing
from tests.conftest import post
from tests.helpers.city import filed_month, month_starts

D = Decimal


@pytest.fixture
def grown(db, city, make_org):
    """The test city with a year more of history and an enterprise with months to estimate: steel filed
    2023-07..2024-06 at 80 (so it rose 25 %), power 2023-07..2024-05 at 900 with output values, and a chemical
    plant (C2611, 兴港区) that filed every month from 2023-07 to 2025-03 at 100 and not April to June 2025; the
    city statistics of 2023 (those of 2024), so that the window a year earlier has an X too."""
    db.session.add(CityStatistic(year=2023, quarter=0, gdp_10k_cny=D("14000000"), non_fossil_share_percent=D("15"),
                                 transport_tco2=D("1150000"), buildings_tco2=D("1050000"), other_tco2=D("580000"),
                                 net_imported_electricity_mwh=D("2300000"), source="统计年鉴 2023"))
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
    # the year-earlier column is the index's own X of 2024-06, so the change is the city's
    assert sectors.total.year_ago.total == city_index(2024, 6).result.gross_tco2
    assert sectors.total.actor.change == month.result.gross_tco2 - city_index(2024, 6).result.gross_tco2


# The path of tests/helpers/city.py at t = 2024.5 and a year earlier, and the intensity path's rate over the year
# (default cut milestones, 18 % by 2025 against 2020: 16.2 % at t, 12.6 % a year earlier).
P_NOW, P_BEFORE = D(21_125_000), D(20_875_000)
INTENSITY_RATE = (1 - D("0.162")) / (1 - D("0.126"))


def test_year_on_year_intensity_and_contribution_of_each_sector(db, grown):
    data = load_for(2025, 6)
    paths = Paths.of(data, 2025, 6)
    assert (paths.now, paths.year_ago) == (P_NOW, P_BEFORE)
    assert round(paths.intensity_now / paths.intensity_year_ago, 20) == round(INTENSITY_RATE, 20)
    rows = {r.key: r for r in sector_table(data, 2025, 6, paths).rows}
    energy = rows["energy"]
    # power: 11 × 1,000 + the amended March at 2,000 now; 11 × 900 + June 2024's 1,000 a year earlier
    assert (energy.now.total, energy.actor.year_ago) == (D(13000), D(10900))
    assert energy.actor.change == D(2100) and round(energy.actor.change_percent, 2) == D("19.27")
    assert energy.actor.allowed == D(10900) * P_NOW / P_BEFORE
    assert round(energy.actor.contribution, 2) == D("1969.46")
    # intensity: 13,000 t over 12 × 500 (10⁴ CNY); its target is a year earlier's 10,900 / 6,000 at the city's rate
    assert energy.actor.intensity == D(13000) / D(6000)
    assert round(energy.actor.intensity_target, 20) == round(D(10900) / D(6000) * INTENSITY_RATE, 20)
    assert energy.actor.intensity_on_track is False
    industry = rows["industry"]
    # steel 12 × 100 + chemicals 9 × 100 approved and 3 × 100 estimated; a year earlier 12 × 80 + 12 × 100
    assert (industry.now.scope1, industry.now.estimated, industry.actor.year_ago) == (D(2100), D(300), D(2160))
    # the intensity counts only the filings that gave an output value (the chemical plant's), not steel's
    assert industry.actor.intensity == D(2) and round(industry.actor.intensity_target, 20) == round(2 * INTENSITY_RATE, 20)
    transport = rows["transport"]
    assert transport.now.estimate == D("1230000") and transport.actor.intensity is None
    # the contributions add up to the city's: X − X a year earlier × P(t) / P(t − 1)
    table = sector_table(data, 2025, 6, paths)
    assert round(sum(r.actor.contribution for r in table.rows), 9) == round(table.total.actor.contribution, 9)


def test_divisions_districts_and_top_emitters_against_a_year_earlier(db, grown):
    data = load_for(2025, 6)
    divisions = {r.key: r for r in division_table(data, 2025, 6)}
    assert set(divisions) == {"C31", "C26", "D44"}
    assert divisions["C31"].label.code == "C31"
    assert (divisions["C31"].now.total, divisions["C31"].actor.year_ago) == (D(1200), D(960))
    assert divisions["C31"].actor.change_percent == D(25)
    assert (divisions["C26"].now.estimated, divisions["C26"].actor.change) == (D(300), D(0))
    # who must act first: the largest contribution to the gap at the top
    ordered = division_table(data, 2025, 6)
    assert ordered[0].key == "D44" and [r.actor.contribution for r in ordered] == sorted(
        (r.actor.contribution for r in ordered), reverse=True)
    assert [r.key for r in division_table(data, 2025, 6, sector="industry", district="兴港区")] == ["C31", "C26"]
    assert {r.key for r in division_table(data, 2025, 6, sector="energy", district="兴港区")} == set()
    districts = {r.key: r for r in district_table(data, 2025, 6)}
    assert (districts["兴港区"].now.total, districts["兴港区"].actor.year_ago) == (D(2400), D(2160))
    assert districts["双河区"].now.total == D(13000)
    emitters = top_emitters(data, 2025, 6, in_district("兴港区"))
    assert [e.name for e in emitters] == ["锦湾钢铁秘密有限公司", "锦湾化工秘密有限公司"]  # 1,200 t each, by id
    steel, chem = emitters
    assert (steel.total, steel.year_ago, steel.change_percent, steel.months) == (D(1200), D(960), D(25), 12)
    assert (chem.approved, chem.estimated, chem.year_ago, chem.change) == (D(900), D(300), D(1200), D(0))


# --- the pages ------------------------------------------------------------------------------------------------

def test_every_row_of_the_dashboard_is_clickable(client, grown, regulator, login_as):
    login_as(regulator)
    body = client.get("/city/?month=2025-06").get_data(as_text=True)
    for sector in ("energy", "industry", "transport", "buildings", "other"):
        assert f'href="/city/industry?code={sector}&amp;month=2025-06"' in body, sector
    for code in ("C31", "C26", "D44"):
        assert f'href="/city/industry?code={code}&amp;month=2025-06"' in body, code
    for name in ("兴港区", "双河区"):
        assert f'href="/city/district?name={quote(name)}&amp;month=2025-06"' in body, name
    assert 'data-row="imported"' in body and 'data-testid="sector-total"' in body
    assert 'data-testid="estimated-mark"' in body
    assert '+1,969' in body  # energy's contribution to the gap
    assert 'href="/city/export.xlsx?month=2025-06"' in body


def test_the_district_page_lists_its_divisions_and_top_emitters(client, grown, regulator, login_as):
    login_as(regulator)
    response = client.get(f"/city/district?name={quote('兴港区')}&month=2025-06")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'data-testid="district-name"' in body and "兴港区" in body
    assert 'data-row="C31"' in body and 'data-row="C26"' in body and 'data-row="D44"' not in body
    assert "锦湾钢铁秘密有限公司" in body and "锦湾化工秘密有限公司" in body and "锦湾热电秘密有限公司" not in body
    assert f"/footprint/org/{grown['steel'].id}" in body and "+25.0" in body
    assert client.get(f"/city/district?name={quote('不存在区')}&month=2025-06").status_code == 404
    assert client.get("/city/district?month=2025-06").status_code == 404
    # a division and a sector: their own row against a year earlier, and their enterprises with their trend
    division = client.get("/city/industry?code=C31&month=2025-06").get_data(as_text=True)
    assert 'data-testid="summary"' in division and "锦湾钢铁秘密有限公司" in division and "+25.0" in division
    sector = client.get("/city/industry?code=industry&month=2025-06").get_data(as_text=True)
    assert 'data-row="C26"' in sector and "锦湾化工秘密有限公司" in sector


def _sheet(book, index):
    return list(book.worksheets[index].iter_rows(values_only=True))


def test_the_export_has_a_sheet_per_table_with_numbers_and_translated_headers(client, grown, regulator, login_as):
    login_as(regulator)
    response = client.get("/city/export.xlsx?month=2025-06")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.worksheets) == 6
    sectors = _sheet(book, 2)
    assert sectors[1][0] == "部门" and "2025-06" in sectors[0]
    month = city_index(2025, 6)
    total = next(r for r in sectors if r[0] == "城市总排放量 X")
    assert isinstance(total[4], (int, float)) and abs(total[4] - float(month.result.gross_tco2)) < 1e-3
    energy = sectors[2]
    assert energy[1] == 13000.0 and energy[5] == 10900.0 and abs(energy[10] - 1969.46) < 0.01
    districts = {r[0]: r for r in _sheet(book, 4)[2:]}
    assert districts["兴港区"][3] == 2400.0 and districts["兴港区"][4] == 2160.0
    post(client, "/language", {"locale": "en", "next": "/city/"})
    english = load_workbook(io.BytesIO(client.get("/city/export.xlsx?month=2025-06").data))
    assert [s.title for s in english.worksheets] == ["Index", "Levers", "Sectors", "Industries", "Districts", "Trend"]
    assert _sheet(english, 2)[1][:2] == ("Sector", "Approved scope 1, tCO2")


def test_the_export_never_writes_a_district_name_as_a_formula(client, db, grown, make_org, regulator, login_as):
    odd = make_org(name="某企业", industry_code="C3011", district='=HYPERLINK("http://evil.example","x")')
    filed_month(odd, date(2025, 6, 1), "10")
    db.session.commit()
    login_as(regulator)
    book = load_workbook(io.BytesIO(client.get("/city/export.xlsx?month=2025-06").data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in [c.value for c in cells]


# --- who may see them -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["enterprise_admin", "viewer"])
def test_no_enterprise_reaches_these_pages(client, grown, make_user, login_as, role):
    login_as(make_user(grown["chem"], role))
    for url in ("/city/?month=2025-06", f"/city/district?name={quote('兴港区')}&month=2025-06",
                "/city/industry?code=C26&month=2025-06", "/city/export.xlsx?month=2025-06"):
        response = client.get(url)
        assert response.status_code == 403, (role, url)
        assert "锦湾钢铁秘密有限公司" not in response.get_data(as_text=True)


def test_the_public_page_never_names_an_enterprise_and_withholds_an_estimate_that_would_reveal_one(client, grown):
    body = client.get("/city/public?month=2025-06").get_data(as_text=True)
    for org in ("steel", "power", "logistics", "chem"):
        assert grown[org].name not in body and grown[org].name_en not in body
    assert "/city/district" not in body and "/footprint/" not in body
    # industry rests on two enterprises (below the minimum of contributors): its estimate is withheld too
    assert body.count('data-testid="withheld"') == 2 and ">300<" not in body
