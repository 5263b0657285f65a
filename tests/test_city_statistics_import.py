"""City statistics from a spreadsheet: template, all-or-nothing import, every bad cell reported; regulator only."""
import html
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.city_data import statistics_import
from app.city_data.models import CityStatistic
from tests.conftest import csrf_token

URL = "/city-data/statistics/import"
TEMPLATE = "/city-data/statistics/template.xlsx"
KEYS = [c.key for c in statistics_import.COLUMNS]


def _template_book(client):
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def _fill(sheet, row, **values):
    for key, value in values.items():
        sheet.cell(row=row, column=KEYS.index(key) + 1, value=value)


def _good(sheet, row=3, **over):
    values = {"gdp_10k_cny": "15,000,000", "population": 1400000, "energy_tce": 9000000.5,
              "non_fossil_share_percent": "35%", "transport_tco2": "２000000", "buildings_tco2": 1500000,
              "other_tco2": 0, "net_imported_electricity_mwh": -1000, "source": "锦湾统计年鉴 2025 表3-1", **over}
    _fill(sheet, row, **values)


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, blob: bytes, filename="统计.xlsx"):
    token = csrf_token(client, URL)
    return client.post(URL, data={"csrf_token": token, "file": (io.BytesIO(blob), filename)},
                       content_type="multipart/form-data")


def _count(db) -> int:
    return db.session.scalar(select(func.count(CityStatistic.id)))


def test_template_has_the_bilingual_header_row():
    book = load_workbook(io.BytesIO(statistics_import.build_template([2023, 2024])))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]] == [
        "年份 Year", "季度 Quarter (0 = whole year)", "GDP (10⁴ CNY)", "人口 Population", "能源消费 Energy (tce)",
        "非化石能源占比 Non-fossil share (%)", "交通 Transport (tCO2)", "建筑 Buildings (tCO2)", "其他 Other (tCO2)",
        "净调入电力 Net imported electricity (MWh)", "数据来源 Source"]
    assert [sheet.cell(row=r, column=1).value for r in (3, 4)] == [2023, 2024]


def test_round_trip_saves_the_years(client, login_as, regulator, db):
    login_as(regulator)
    assert 'data-testid="import-statistics"' in client.get("/city-data/statistics").get_data(as_text=True)
    book = _template_book(client)
    sheet = book.worksheets[0]
    first = sheet.cell(row=3, column=1).value
    _good(sheet, 3)
    _good(sheet, 4, gdp_10k_cny=16000000)
    _fill(sheet, 8, year=first, quarter=2, gdp_10k_cny=4000000, source="季报 2025Q2")
    response = _upload(client, _bytes(book))
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[-3000:]
    rows = {(r.year, r.quarter): r for r in db.session.scalars(select(CityStatistic))}
    assert set(rows) == {(first, 0), (first + 1, 0), (first, 2)}  # the years left empty are skipped
    row = rows[(first, 0)]
    assert row.gdp_10k_cny == Decimal(15000000) and row.population == 1400000
    assert row.non_fossil_share_percent == Decimal(35) and row.transport_tco2 == Decimal(2000000)
    assert row.net_imported_electricity_mwh == Decimal(-1000) and row.source == "锦湾统计年鉴 2025 表3-1"
    assert rows[(first + 1, 0)].gdp_10k_cny == Decimal(16000000)
    page = html.unescape(client.get("/city-data/statistics").get_data(as_text=True))
    assert f"{first}, {first + 1}" in page  # the flash names the years saved


def test_bad_cells_are_each_reported_and_nothing_is_saved(client, login_as, regulator, db):
    login_as(regulator)
    book = _template_book(client)
    sheet = book.worksheets[0]
    _good(sheet, 3)                                             # a good row: not saved either
    _good(sheet, 4, energy_tce="lots")                          # text in a number cell
    _good(sheet, 5, gdp_10k_cny=-5)                             # negative GDP
    _good(sheet, 6, source=None)                                # no source
    _good(sheet, 7, non_fossil_share_percent=120)               # over 100
    _good(sheet, 8, year=2019, buildings_tco2="=B3*2")          # a formula
    response = _upload(client, _bytes(book))
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert page.count('data-testid="import-problem"') == 5
    for row, column in ((4, "能源消费 Energy (tce)"), (5, "GDP (10⁴ CNY)"), (6, "数据来源 Source"),
                        (7, "非化石能源占比 Non-fossil share (%)"), (8, "建筑 Buildings (tCO2)")):
        assert f'<td class="text-end">{row}</td>\n      <td>{column}</td>' in page, (row, column)
    assert "lots" in page and "=B3*2" in page
    assert _count(db) == 0


@pytest.mark.parametrize("blob", [b"%PDF-1.4 not a workbook", b"year,gdp\n2024,1\n", b""])
def test_a_non_spreadsheet_file_is_refused(client, login_as, regulator, db, blob):
    login_as(regulator)
    response = _upload(client, blob, "statistics.pdf")
    assert response.status_code in (200, 422)
    assert _count(db) == 0
    if blob:
        assert 'data-testid="import-problem"' in response.get_data(as_text=True)


def test_parse_reports_sheet_row_and_column():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "2024"
    sheet.append(["Year", "GDP", "Source"])       # English-only headers, another order is fine too
    sheet.append([2024, "abc", "年鉴"])
    sheet.append([2024, "1,000", "年鉴"])
    parsed = statistics_import.parse_statistics(_bytes(book))
    assert not parsed.ok and len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert (problem.sheet, problem.row, problem.column, problem.cell) == ("2024", 2, "GDP (10⁴ CNY)", "B2")
    assert parsed.rows[0]["gdp_10k_cny"] == Decimal(1000)


@pytest.mark.parametrize("role", ["enterprise_admin", "energy_manager", "viewer"])
def test_enterprise_users_get_403(client, login_as, make_org, make_user, role):
    login_as(make_user(make_org(), role))
    assert client.get(URL).status_code == 403
    assert client.get(TEMPLATE).status_code == 403


def test_authority_viewer_cannot_import(client, login_as, authority, make_user):
    login_as(make_user(authority, "viewer"))
    assert client.get(URL).status_code == 403
    assert client.get(TEMPLATE).status_code == 403
