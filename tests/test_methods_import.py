"""The Excel template and import carry a sector method's inputs (issue 17): coal's C_ad/M_ad/M_ar and NCV_ar, a
gas composition as one column per component, with the same cell-level errors as every other column."""
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from app.filings.imports import services as imports
from app.filings.models import Filing
from tests.helpers.methods import FLARE_GAS, JUNE, power_plant, r3, refinery

ACTIVITY = "活动数据 Activity data"


def _book(org):
    return load_workbook(io.BytesIO(imports.build_template(org, [JUNE], "xlsx")))


def _columns(sheet) -> dict:
    return {cell.value: cell.column for cell in sheet[2]}


def _row(sheet, source_id) -> int:
    return next(r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=3).value == source_id)


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def coal(db, make_org, make_user):
    return power_plant(db, make_org, make_user)


def test_the_template_has_coal_columns_that_apply_to_the_coal_unit_only(app, coal):
    with app.test_request_context():
        sheet = _book(coal["org"])[ACTIVITY]
    columns = _columns(sheet)
    for header in ("空气干燥基元素碳含量 C_ad % C_ad %", "空气干燥基水分 M_ad % M_ad %", "收到基全水分 M_ar % M_ar %",
                   "CH4 体积分数 % CH4 % vol"):
        assert header in columns
    coal_row, power_row = _row(sheet, coal["sources"]["coal"].id), _row(sheet, coal["sources"]["power"].id)
    c_ad = columns["空气干燥基元素碳含量 C_ad % C_ad %"]
    assert not sheet.cell(row=coal_row, column=c_ad).fill.fgColor.rgb.endswith("E7E6E6")
    assert sheet.cell(row=power_row, column=c_ad).fill.fgColor.rgb.endswith("E7E6E6")
    # today's measured NCV column does not apply to a sector method's source
    assert sheet.cell(row=coal_row, column=columns["实测低位发热量 GJ/单位 Measured NCV GJ/unit"]).fill.fgColor.rgb.endswith(
        "E7E6E6")


def test_coal_inputs_round_trip_to_example_1(app, db, coal):
    with app.test_request_context():
        book = _book(coal["org"])
        sheet = book[ACTIVITY]
        columns = _columns(sheet)
        r = _row(sheet, coal["sources"]["coal"].id)
        for header, value in (("数量 Quantity", 150000), ("收到基低位发热量 GJ/t NCV_ar GJ/t", "21.4"),
                              ("空气干燥基元素碳含量 C_ad % C_ad %", "62.50"), ("空气干燥基水分 M_ad % M_ad %", "2.50"),
                              ("收到基全水分 M_ar % M_ar %", "12.00")):
            sheet.cell(row=r, column=columns[header], value=value)
        result = imports.import_file(coal["admin"], coal["org"], "月报.xlsx", _bytes(book))
        assert result.problems == [], [str(p) for p in result.problems]
        filing = db.session.get(Filing, result.months[0].filing_id)
        assert filing.lines[0].parameters == {"ncv_ar": "21.4", "c_ad": "62.50", "m_ad": "2.50", "m_ar": "12.00"}
        assert r3(filing.current_calculation.lines[0].co2_t) == D("307153.846")


def test_a_moisture_out_of_order_is_refused_at_its_cell(app, db, coal):
    with app.test_request_context():
        book = _book(coal["org"])
        sheet = book[ACTIVITY]
        columns = _columns(sheet)
        r = _row(sheet, coal["sources"]["coal"].id)
        for header, value in (("数量 Quantity", 150000), ("收到基低位发热量 GJ/t NCV_ar GJ/t", "21.4"),
                              ("空气干燥基元素碳含量 C_ad % C_ad %", "62.50"), ("空气干燥基水分 M_ad % M_ad %", "12.50"),
                              ("收到基全水分 M_ar % M_ar %", "2.00")):
            sheet.cell(row=r, column=columns[header], value=value)
        result = imports.import_file(coal["admin"], coal["org"], "月报.xlsx", _bytes(book))
        [problem] = result.problems
        assert (problem.row, problem.column) == (r, "收到基全水分 M_ar % M_ar %")
        assert db.session.query(Filing).count() in (0, 1)


def test_a_flare_composition_is_read_from_one_column_per_component(app, db, make_org, make_user):
    plant = refinery(db, make_org, make_user)
    with app.test_request_context():
        book = _book(plant["org"])
        sheet = book[ACTIVITY]
        columns = _columns(sheet)
        r = _row(sheet, plant["sources"]["flare"].id)
        sheet.cell(row=r, column=columns["数量 Quantity"], value="12.5")
        for species, pct in FLARE_GAS.items():
            sheet.cell(row=r, column=columns[f"{species} 体积分数 % {species} % vol"], value=pct)
        result = imports.import_file(plant["admin"], plant["org"], "月报.xlsx", _bytes(book))
        assert result.problems == [], [str(p) for p in result.problems]
        filing = db.session.get(Filing, result.months[0].filing_id)
        assert filing.lines[0].parameters["composition"]["C2H6"] == "10"
        assert r3(filing.current_calculation.lines[0].co2_t) == D("250.419")
        # A component where none applies (a coal column on the flare) is refused at its cell.
        sheet.cell(row=r, column=columns["空气干燥基元素碳含量 C_ad % C_ad %"], value="60")
        result = imports.import_file(plant["admin"], plant["org"], "月报.xlsx", _bytes(book))
        assert [p.column for p in result.problems] == ["空气干燥基元素碳含量 C_ad % C_ad %"]
