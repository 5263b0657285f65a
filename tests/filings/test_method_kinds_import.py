"""Every kind of method input from the Excel/CSV template (issue 17): choices, flags and equipment counts as columns
of the source's row, a carbon balance's materials on the Carbon balance sheet and a coal unit's daily coal on the
Daily coal sheet; the import files the same lines as the form, and a bad cell is reported at its place."""
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from app.filings.imports import services as imports
from app.filings.models import Filing
from tests.helpers.methods import JUNE, chemical_plant, oilfield, power_plant, r3, steelworks

ACTIVITY, CARBON, DAILY = "活动数据 Activity data", "碳平衡 Carbon balance", "入炉煤日报 Daily coal"
QUANTITY = "数量 Quantity"


def _book(org):
    return load_workbook(io.BytesIO(imports.build_template(org, [JUNE], "xlsx")))


def _columns(sheet) -> dict:
    return {cell.value: cell.column for cell in sheet[2]}


def _rows(sheet, source_id) -> list[int]:
    return [r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=3).value == source_id]


def _fill(sheet, row, values: dict) -> None:
    columns = _columns(sheet)
    for header, value in values.items():
        sheet.cell(row=row, column=columns[header]).value = value  # cell(value=None) would leave it as it was


def _import(enterprise, book):
    out = io.BytesIO()
    book.save(out)
    return imports.import_file(enterprise["admin"], enterprise["org"], "月报.xlsx", out.getvalue())


def _grey(sheet, row, header) -> bool:
    return sheet.cell(row=row, column=_columns(sheet)[header]).fill.fgColor.rgb.endswith("E7E6E6")


def _places(result) -> list[tuple]:
    return [(p.sheet, p.row, p.column) for p in result.problems]


# --- a carbon balance ----------------------------------------------------------------------------------------------

@pytest.fixture
def steel(db, make_org, make_user):
    return steelworks(db, make_org, make_user)


MATERIAL = ("投入/产出 In/out", "物料名称 Material", "数量 Quantity", "单位 Unit", "含碳量 % Carbon % by mass",
            "单位含碳量 tC/单位 Carbon tC per unit")
# The form's blast furnace (tests/filings/test_method_kinds_form.py): 514.433 tCO2.
BALANCE = [("投入", "焦炭", 330, None, 85, None), ("投入", "喷吹煤", "180", "t", "76", None),
           ("产出", "生铁", 1000, "吨", 4.7, None), ("产出", "高炉煤气", 100, "万Nm3", None, 2.3)]


def _materials(book, sid, materials):
    sheet = book[CARBON]
    rows = _rows(sheet, sid)
    for r in rows:  # the template's spare rows, their direction written in
        _fill(sheet, r, {MATERIAL[0]: None})
    for r, values in zip(rows, materials, strict=False):
        _fill(sheet, r, dict(zip(MATERIAL, values, strict=True)))
    return rows


def test_the_carbon_sheet_is_in_the_template_where_a_source_takes_it(app, steel, db, make_org, make_user):
    sid = steel["sources"]["furnace"].id
    with app.test_request_context():
        book = _book(steel["org"])
        assert book.sheetnames == [ACTIVITY, "产品产量 Production", "工业总产值 Output value", CARBON,
                                   "说明 Instructions"]
        sheet = book[CARBON]
        assert list(_columns(sheet))[4:] == list(MATERIAL)
        rows = _rows(sheet, sid)
        assert [sheet.cell(row=r, column=5).value for r in rows] == ["投入"] * 3 + ["产出"] * 3
        # the untouched template reads back without a problem of layout: it only has no figures
        result = _import(steel, book)
        assert [(p.sheet, p.row) for p in result.problems] == [(None, None)]  # "The file has no figures"
        coal = power_plant(db, make_org, make_user)
        assert CARBON not in _book(coal["org"]).sheetnames and DAILY in _book(coal["org"]).sheetnames


def test_materials_from_the_carbon_sheet_give_the_forms_line(app, db, steel):
    sid = steel["sources"]["furnace"].id
    with app.test_request_context():
        book = _book(steel["org"])
        _fill(book[ACTIVITY], _rows(book[ACTIVITY], sid)[0], {QUANTITY: 1000})
        _materials(book, sid, BALANCE)
        result = _import(steel, book)
        assert result.problems == [], [str(p) for p in result.problems]
        filing = db.session.get(Filing, result.months[0].filing_id)
        assert filing.lines[0].parameters == {
            "inputs": [{"name": "焦炭", "quantity": "330", "unit": "t", "carbon_pct": "85"},
                       {"name": "喷吹煤", "quantity": "180", "unit": "t", "carbon_pct": "76"}],
            "outputs": [{"name": "生铁", "quantity": "1000", "unit": "t", "carbon_pct": "4.7"},
                        {"name": "高炉煤气", "quantity": "100", "unit": "10^4 Nm3", "carbon_content": "2.3"}]}
        assert r3(filing.current_calculation.lines[0].co2_t) == D("514.433")


@pytest.mark.parametrize(("material", "column"), [
    (("投入", "焦粉", None, None, 80, None), "数量 Quantity"),
    (("投入", "焦炉煤气", 20, "万Nm3", 40, None), "含碳量 % Carbon % by mass"),
    (("投入", "焦粉", 20, None, 180, None), "含碳量 % Carbon % by mass"),
    (("投入", "焦粉", "abc", None, 80, None), "数量 Quantity"),
    (("进出", "焦粉", 20, None, 80, None), "投入/产出 In/out"),
    (("投入", "焦粉", 20, "kWh", 80, None), "单位 Unit"),
])
def test_a_bad_material_is_reported_at_its_cell(app, db, steel, material, column):
    sid = steel["sources"]["furnace"].id
    with app.test_request_context():
        book = _book(steel["org"])
        _fill(book[ACTIVITY], _rows(book[ACTIVITY], sid)[0], {QUANTITY: 1000})
        rows = _materials(book, sid, [BALANCE[0], material, *BALANCE[1:]])
        result = _import(steel, book)
        assert _places(result) == [(CARBON, rows[1], column)], [str(p) for p in result.problems]
        assert db.session.query(Filing).count() == 0


def test_a_balance_the_service_refuses_points_at_the_carbon_sheet(app, db, steel):
    sid = steel["sources"]["furnace"].id
    with app.test_request_context():
        book = _book(steel["org"])
        _fill(book[ACTIVITY], _rows(book[ACTIVITY], sid)[0], {QUANTITY: 1000})
        rows = _materials(book, sid, [*BALANCE[:3], ("产出", "高炉煤气", 300, "万Nm3", None, 2.3)])
        result = _import(steel, book)
        # more carbon out (737 tC) than in (417.3 tC): at the first output's quantity
        assert _places(result) == [(CARBON, rows[2], QUANTITY)] and "737" in str(result.problems[0].message)
        # a quantity on the activity sheet without any material: at that quantity
        book = _book(steel["org"])
        activity_row = _rows(book[ACTIVITY], sid)[0]
        _fill(book[ACTIVITY], activity_row, {QUANTITY: 1000})
        result = _import(steel, book)
        assert _places(result) == [(ACTIVITY, activity_row, QUANTITY)]
        # materials without the source's quantity: at the material's month
        book = _book(steel["org"])
        rows = _materials(book, sid, BALANCE)
        result = _import(steel, book)
        assert _places(result) == [(CARBON, r, "月份 Month") for r in rows[:4]]


def test_materials_of_a_source_without_a_balance_are_refused(app, db, make_org, make_user):
    coal = power_plant(db, make_org, make_user)
    with app.test_request_context():
        book = _book(coal["org"])
        sheet = book.create_sheet(CARBON)
        sheet.append(["月份 Month", "设施 Facility", "排放源编号 Source ID", "排放源名称 Source name", *MATERIAL])
        sheet.append(["2022-06", None, coal["sources"]["coal"].id, None, "投入", "焦炭", 330, None, 85, None])
        result = _import(coal, book)
        assert (CARBON, 2, "排放源编号 Source ID") in _places(result)


# --- equipment counts, choices and flags as columns ----------------------------------------------------------------

def test_equipment_counts_are_columns_of_the_sources_row(app, db, make_org, make_user):
    field = oilfield(db, make_org, make_user)
    leaks, vent = field["sources"]["leaks"].id, field["sources"]["vent"].id
    with app.test_request_context():
        book = _book(field["org"])
        sheet = book[ACTIVITY]
        leak_row, vent_row = _rows(sheet, leaks)[0], _rows(sheet, vent)[0]
        assert not _grey(sheet, leak_row, "气井井口数量 Gas wellheads in operation")
        assert _grey(sheet, vent_row, "气井井口数量 Gas wellheads in operation")
        assert not _grey(sheet, vent_row, "联合站数量 Combined stations in operation")
        _fill(sheet, leak_row, {QUANTITY: 30, "油井井口数量 Oil wellheads in operation": 120,
                                "联合站数量 Combined stations in operation": "1"})
        result = _import(field, book)
        assert result.problems == [], [str(p) for p in result.problems]
        filing = db.session.get(Filing, result.months[0].filing_id)
        assert filing.lines[0].parameters == {"equipment": {"oil_wellhead": 120, "combined_station": 1}}
        assert r3(filing.current_calculation.lines[0].ch4_t) == r3((120 * D("0.23") + D("1.40")) * 30 / 365)
        # a count that is not a whole number, a kind the vent does not count: at their cells
        _fill(sheet, leak_row, {"油井井口数量 Oil wellheads in operation": "12.5"})
        _fill(sheet, vent_row, {QUANTITY: 30, "气井井口数量 Gas wellheads in operation": 3})
        result = _import(field, book)
        assert sorted(_places(result)) == sorted([
            (ACTIVITY, leak_row, "油井井口数量 Oil wellheads in operation"),
            (ACTIVITY, vent_row, "气井井口数量 Gas wellheads in operation")])


def test_a_choice_and_a_flag_are_read_by_their_names(app, db, make_org, make_user):
    from tests.helpers.methods import FLARE_GAS

    plant = chemical_plant(db, make_org, make_user)
    s = plant["sources"]
    with app.test_request_context():
        book = _book(plant["org"])
        sheet = book[ACTIVITY]
        nitric, flare = _rows(sheet, s["nitric"].id)[0], _rows(sheet, s["flare"].id)[0]
        assert _grey(sheet, flare, "硝酸生产工艺 Nitric acid process")
        _fill(sheet, nitric, {QUANTITY: 1000, "硝酸生产工艺 Nitric acid process": "双加压法"})
        _fill(sheet, flare, {QUANTITY: 12.5, "计入火炬甲烷逃逸 是/否 Count flare CH4 slip yes/no": "是",
                             **{f"{sp} 体积分数 % {sp} % vol": pct for sp, pct in FLARE_GAS.items()}})
        result = _import(plant, book)
        assert result.problems == [], [str(p) for p in result.problems]
        filing = db.session.get(Filing, result.months[0].filing_id)
        lines = {x.source_id: x for x in filing.lines}
        assert lines[s["nitric"].id].parameters == {"process": "dual_pressure"}
        assert lines[s["flare"].id].parameters["ch4_slip"] is True
        computed = {x.source_id: x for x in filing.current_calculation.lines}
        assert computed[s["nitric"].id].n2o_t == D("8.0000")
        assert r3(computed[s["flare"].id].ch4_t) == r3(D("12.5") * D("0.35") * D("0.02") * D("7.17"))
        # English names and codes are read too; anything else is refused at its cell
        _fill(sheet, nitric, {"硝酸生产工艺 Nitric acid process": "Dual-pressure process"})
        assert _import(plant, book).problems == []
        _fill(sheet, nitric, {"硝酸生产工艺 Nitric acid process": "等离子法"})
        _fill(sheet, flare, {"计入火炬甲烷逃逸 是/否 Count flare CH4 slip yes/no": "也许"})
        result = _import(plant, book)
        assert sorted(_places(result)) == sorted([
            (ACTIVITY, nitric, "硝酸生产工艺 Nitric acid process"),
            (ACTIVITY, flare, "计入火炬甲烷逃逸 是/否 Count flare CH4 slip yes/no")])
        assert "双加压法" in str(result.problems[0].message) + str(result.problems[1].message)


# --- daily coal ----------------------------------------------------------------------------------------------------

DAY = ("日期 Date", "入炉煤量 t Coal fired t", "入炉煤低位发热量 GJ/t NCV as fired GJ/t")


def test_daily_coal_gives_the_weighted_ncv(app, db, make_org, make_user):
    coal = power_plant(db, make_org, make_user)
    cid = coal["sources"]["coal"].id
    with app.test_request_context():
        book = _book(coal["org"])
        _fill(book[ACTIVITY], _rows(book[ACTIVITY], cid)[0], {
            QUANTITY: 150000, "空气干燥基元素碳含量 C_ad % C_ad %": "62.50", "空气干燥基水分 M_ad % M_ad %": "2.50",
            "收到基全水分 M_ar % M_ar %": "12.00"})
        sheet = book[DAILY]
        days = _rows(sheet, cid)
        assert len(days) == 30 and sheet.cell(row=days[0], column=5).value == "2022-06-01"
        for r, (coal_t, ncv) in zip(days[::10], (("50,000", "21.200"), (60000, 21.6), (40000, "21.7")), strict=True):
            _fill(sheet, r, {DAY[1]: coal_t, DAY[2]: ncv})
        result = _import(coal, book)
        assert result.problems == [], [str(p) for p in result.problems]
        filing = db.session.get(Filing, result.months[0].filing_id)
        line = next(x for x in filing.lines if x.source_id == cid)
        assert line.parameters["ncv_daily"] == [["50000", "21.200"], ["60000", "21.6"], ["40000", "21.7"]]
        computed = next(x for x in filing.current_calculation.lines if x.source_id == cid)
        assert r3(D(computed.trace["parameters"]["ncv_ar"]["value"])) == D("21.493")
        assert r3(computed.co2_t) == D("307153.846")
        # a day's NCV that is no number, a date outside the month, a day without its NCV: at their cells
        _fill(sheet, days[0], {DAY[2]: "2l.2"})
        _fill(sheet, days[10], {DAY[0]: "2022-07-01"})
        _fill(sheet, days[20], {DAY[2]: None})
        result = _import(coal, book)
        assert _places(result) == [(DAILY, days[0], DAY[2]), (DAILY, days[10], DAY[0]), (DAILY, days[20], DAY[2])]


def test_a_csv_carries_the_carbon_table_too(app, db, steel):
    sid = steel["sources"]["furnace"].id
    with app.test_request_context():
        text = imports.build_template(steel["org"], [JUNE], "csv").decode("utf-8-sig")
        assert "碳平衡" not in text.splitlines()[0] and "投入/产出 In/out" in text
        lines = text.splitlines()
        activity = next(i for i, x in enumerate(lines) if x.startswith(f"2022-06,一号厂区,{sid},"))
        cells = lines[activity].split(",")
        cells[7] = "1000"
        lines[activity] = ",".join(cells)
        spare = [i for i, x in enumerate(lines)
                 if x.startswith(tuple(f"2022-06,一号厂区,{sid},高炉碳平衡,{d}," for d in ("投入", "产出")))]
        for i, (direction, name, q, unit, pct, content) in zip(spare, BALANCE, strict=False):
            lines[i] = ",".join(str(v) if v is not None else "" for v in (
                "2022-06", "一号厂区", sid, "高炉碳平衡", direction, name, q, unit, pct, content))
        data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        result = imports.import_file(steel["admin"], steel["org"], "月报.csv", data)
        assert result.problems == [], [str(p) for p in result.problems]
        filing = db.session.get(Filing, result.months[0].filing_id)
        assert r3(filing.current_calculation.lines[0].co2_t) == D("514.433")
