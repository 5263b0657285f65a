"""A year's allowance allocation from a spreadsheet: the regulator's template, an all-or-nothing import whose every
bad row is reported with its number, an entry and an audit event per enterprise; the enterprise cannot import."""
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.assets import allocation_import, services
from app.assets.models import AssetEntry
from app.audit.models import AuditEvent
from app.core.service_error import ServiceError
from tests.conftest import csrf_token, login

URL = "/assets/allocations/import"
TEMPLATE = "/assets/allocations/template.xlsx"
YEAR = 2025
KEYS = [c.key for c in allocation_import.COLUMNS]
NOTICE = "锦环发〔2026〕12号 2025年度配额核定"


@pytest.fixture
def steel(make_org):
    return make_org(name="锦湾测试钢铁有限公司", industry_code="C3120")


@pytest.fixture
def rice(make_org):
    return make_org(name="锦湾米业有限公司", industry_code="C1311")  # not in emissions trading


def _template_book(client, year=YEAR):
    response = client.get(f"{TEMPLATE}?year={year}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def _rows(sheet) -> dict:
    """name -> row number of the enterprises the template lists."""
    return {sheet.cell(row=r, column=KEYS.index("name") + 1).value: r for r in range(3, sheet.max_row + 1)
            if sheet.cell(row=r, column=KEYS.index("name") + 1).value}


def _fill(sheet, row, **values):
    for key, value in values.items():
        sheet.cell(row=row, column=KEYS.index(key) + 1, value=value)


def _blank_book():
    """The template's layout without any enterprise (rows are written by the test)."""
    return load_workbook(io.BytesIO(allocation_import.build_template(YEAR, [])))


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, blob: bytes, reason=NOTICE, trade_date="2026-03-15", filename="2025年度配额.xlsx"):
    token = csrf_token(client, URL)
    return client.post(URL, data={"csrf_token": token, "file": (io.BytesIO(blob), filename), "reason": reason,
                                  "trade_date": trade_date}, content_type="multipart/form-data")


def _counts(db):
    return (db.session.scalar(select(func.count(AssetEntry.id))),
            db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "asset.recorded")))


def _problems(response) -> list[list[str]]:
    """The problems table: sheet, row, column, cell, message of each problem."""
    body = html.unescape(response.get_data(as_text=True))
    return [[cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for row in re.findall(r'<tr data-testid="import-problem">(.*?)</tr>', body, re.DOTALL)]


def test_the_template_round_trips_into_exact_entries_each_audited(client, db, firm, steel, rice):
    regulator = firm["regulator"]
    login(client, regulator)
    overview = client.get(f"/assets/overview?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="import-allocation"' in overview
    assert client.get(URL).status_code == 200

    book = _template_book(client)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]] == [c.label for c in allocation_import.COLUMNS]
    rows = _rows(sheet)
    assert set(rows) == {firm["org"].name, steel.name}  # the enterprises in emissions trading, not the rice mill
    cement_row, steel_row = rows[firm["org"].name], rows[steel.name]
    assert [sheet.cell(row=cement_row, column=c).value for c in (1, 2, 3)] == [
        firm["org"].credit_code, firm["org"].name, YEAR]
    assert [c.title for c in book.worksheets] == [allocation_import.SHEET_TITLE, allocation_import.INSTRUCTIONS_TITLE]

    _fill(sheet, cement_row, quantity="95,000.125")  # typed as text, with a thousands separator
    _fill(sheet, steel_row, quantity=1234567.5, reason="锦环发〔2026〕13号")  # a number cell; its own reference
    response = _upload(client, _bytes(book))
    assert response.status_code == 302, _problems(response) or response.get_data(as_text=True)[-2000:]
    assert response.headers["Location"].endswith(f"/assets/overview?year={YEAR}")

    entries = {e.org_id: e for e in db.session.scalars(select(AssetEntry))}
    assert set(entries) == {firm["org"].id, steel.id}
    cement, steel_entry = entries[firm["org"].id], entries[steel.id]
    assert (cement.kind, cement.instrument, cement.compliance_year, cement.quantity_t, cement.reason,
            cement.trade_date, cement.created_by_id) == (
        "allocation", "allowance", YEAR, Decimal("95000.125"), NOTICE, date(2026, 3, 15), regulator.id)
    assert steel_entry.quantity_t == Decimal("1234567.5") and steel_entry.reason == "锦环发〔2026〕13号"
    events = {e.org_id: e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "asset.recorded"))}
    assert set(events) == {firm["org"].id, steel.id}
    for org_id, event in events.items():
        assert event.actor_id == regulator.id and event.object_id == entries[org_id].id
        assert event.detail["kind"] == "allocation" and event.detail["import"] == "2025年度配额.xlsx"
    assert events[firm["org"].id].detail["quantity_t"] == "95,000.125"

    # The enterprise sees the allocation, recorded by the regulator, and its position counts it.
    with client.application.test_request_context():
        assert services.compliance_position(firm["org"], YEAR).allocated_t == Decimal("95000.125")

    # The same file again is refused, row by row: it was imported before.
    again = _upload(client, _bytes(book))
    assert again.status_code == 422
    problems = _problems(again)
    assert sorted(int(p[1]) for p in problems) == sorted([cement_row, steel_row])
    assert any(p[1] == str(cement_row) and f"{cement.id}" in p[4] for p in problems)
    assert _counts(db) == (2, 2)


def test_enterprises_named_by_name_alone(app, db, firm, steel):
    book = _blank_book()
    sheet = book.worksheets[0]
    _fill(sheet, 3, name=f" {steel.name_en.upper()} ", year=YEAR, quantity="800")  # the English name, any case
    _fill(sheet, 4, name=firm["org"].name, year=str(YEAR), quantity="１２００")  # full-width digits
    with app.test_request_context():
        result = allocation_import.import_allocation(firm["regulator"], _bytes(book), NOTICE, date(2026, 3, 15))
        assert result.ok, [str(p) for p in result.problems]
        assert sorted(e.quantity_t for e in result.entries) == [Decimal(800), Decimal(1200)]
        assert result.total_t == Decimal(2000) and result.years == [YEAR]


def test_a_bad_file_stores_nothing_and_reports_every_row(client, db, firm, steel, make_org):
    make_org(name=steel.name)  # another enterprise with the same name: the name alone is ambiguous
    login(client, firm["regulator"])
    book = _blank_book()
    sheet = book.worksheets[0]
    code = firm["org"].credit_code
    _fill(sheet, 3, credit_code=code, name=firm["org"].name, year=YEAR, quantity="95000")  # good
    _fill(sheet, 4, credit_code=steel.credit_code, year=YEAR, quantity="6070,3")  # a decimal comma
    _fill(sheet, 5, credit_code="91211100MA0000000X", year=YEAR, quantity="100")  # no such enterprise
    _fill(sheet, 6, credit_code=code, name=steel.name, year=YEAR + 1, quantity="100")  # code and name disagree
    _fill(sheet, 7, name=steel.name, year=YEAR, quantity="100")  # two enterprises have this name
    _fill(sheet, 8, credit_code=steel.credit_code, year=1999, quantity="100")  # before emissions trading
    _fill(sheet, 9, credit_code=steel.credit_code, year=YEAR, quantity="-5")  # negative
    _fill(sheet, 10, credit_code=steel.credit_code, year=YEAR, quantity="1.1234567")  # seven decimals
    _fill(sheet, 11, credit_code=code, year=YEAR, quantity="100")  # the cement works twice for 2025
    _fill(sheet, 12, credit_code=steel.credit_code, year=YEAR + 1, reason="补充")  # no tonnes
    _fill(sheet, 13, credit_code=steel.credit_code, year=YEAR + 1, quantity="=B2*2")  # a formula
    _fill(sheet, 14, year=YEAR, quantity="10")  # no enterprise
    response = _upload(client, _bytes(book))
    assert response.status_code == 422
    assert 'data-testid="import-refused"' in response.get_data(as_text=True)
    problems = _problems(response)
    assert {int(p[1]) for p in problems} == set(range(4, 15)), problems  # every bad row, by its number
    assert all(p[1] != "3" for p in problems)  # the good row has nothing to report
    by_row = {int(p[1]): p for p in problems}
    assert "6070,3" in by_row[4][4] and by_row[4][3] == "D4"  # the cell named too
    assert "91211100MA0000000X" in by_row[5][4] and steel.name in by_row[7][4]
    assert _counts(db) == (0, 0)
    # Nothing typed on the page is lost.
    assert NOTICE in html.unescape(response.get_data(as_text=True))


def test_the_problems_say_why(app, db, firm, steel):
    book = _blank_book()
    sheet = book.worksheets[0]
    _fill(sheet, 3, credit_code=steel.credit_code, year=YEAR, quantity="6070,3")
    _fill(sheet, 4, credit_code=firm["org"].credit_code, year=YEAR, quantity="100")
    _fill(sheet, 5, credit_code=firm["org"].credit_code, year=YEAR, quantity="200")
    with app.test_request_context():
        result = allocation_import.import_allocation(firm["regulator"], _bytes(book), NOTICE, date(2026, 3, 15))
        with force_locale("en"):
            messages = {p.row: str(p) for p in result.problems}
    assert not result.ok and result.entries == []
    assert set(messages) == {3, 5}
    assert "6070,3" in messages[3] and "use a point for decimals" in messages[3]  # refused, never read as 60703
    assert "appears twice" in messages[5] and "row 4" in messages[5]


def test_files_that_are_not_the_template_are_refused(app, db, firm):
    with app.test_request_context():
        for blob in (b"", b"%PDF-1.4 ...", "企业,年度,配额\n甲,2025,100\n".encode(),
                     _bytes(load_workbook(io.BytesIO(allocation_import.build_template(YEAR, []))))):
            result = allocation_import.import_allocation(firm["regulator"], blob, NOTICE, date(2026, 3, 15))
            assert not result.ok and result.entries == []
        with pytest.raises(ServiceError) as refused:  # the notice concerns every row
            allocation_import.import_allocation(firm["regulator"], b"", "  ", date(2026, 3, 15))
        assert refused.value.field == "reason"
    assert db.session.scalar(select(func.count(AssetEntry.id))) == 0


def test_the_page_asks_for_the_notice_and_keeps_the_file_out(client, db, firm):
    login(client, firm["regulator"])
    book = _blank_book()
    _fill(book.worksheets[0], 3, credit_code=firm["org"].credit_code, year=YEAR, quantity="100")
    response = _upload(client, _bytes(book), reason="")
    assert response.status_code == 422 and 'data-field-error="reason"' in response.get_data(as_text=True)
    response = _upload(client, _bytes(book), trade_date="2999-01-01")
    assert response.status_code == 422 and 'data-field-error="trade_date"' in response.get_data(as_text=True)
    assert _counts(db) == (0, 0)


def test_an_enterprise_cannot_import_an_allocation(app, db, client, firm):
    book = _blank_book()
    _fill(book.worksheets[0], 3, credit_code=firm["org"].credit_code, year=YEAR, quantity="1000000")
    with app.test_request_context(), pytest.raises(ServiceError):
        allocation_import.import_allocation(firm["admin"], _bytes(book), NOTICE, date(2026, 3, 15))
    login(client, firm["admin"])
    token = csrf_token(client, "/assets/")
    response = client.post(URL, data={"csrf_token": token, "file": (io.BytesIO(_bytes(book)), "a.xlsx"),
                                      "reason": NOTICE, "trade_date": "2026-03-15"},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert client.get(f"{TEMPLATE}?year={YEAR}").status_code == 403
    assert 'data-testid="import-allocation"' not in client.get("/assets/").get_data(as_text=True)
    assert _counts(db) == (0, 0)
