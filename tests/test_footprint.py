"""Stored calculations, reproducibility, recalculation, the footprint pages and exports."""
import io
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
from app.filings import calculations, services
from app.filings.models import Calculation, Filing
from tests.conftest import login, post

MONTH = date(2022, 6, 1)  # worked example 7 uses the 2022 national average grid factor


def _file_example_7(app, db, plant, period=MONTH, gas="38"):
    s = plant["sources"]
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], period)
        services.set_activity(plant["admin"], filing, [
            {"source_id": s["gas"].id, "quantity": gas, "unit": "万Nm3"},
            {"source_id": s["diesel"].id, "quantity": "15.5", "unit": "t"},
            {"source_id": s["power"].id, "quantity": "2350.4", "unit": "MWh"},
            {"source_id": s["heat"].id, "quantity": "4200", "unit": "GJ"},
        ], production=[{"product_id": plant["product"].id, "quantity": "1000"}], output_value="5000")
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
    ({"quantity": "10", "unit": "MWh"}, "cannot convert"),
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
        with pytest.raises(ServiceError, match="神秘燃料, 2022-06"):
            services.set_activity(plant["admin"], filing, [{"source_id": odd.id, "quantity": "1", "unit": "t"}])
        db.session.rollback()


def test_footprint_page_and_how_computed(app, client, db, plant):
    _file_example_7(app, db, plant)
    _file_example_7(app, db, plant, period=date(2022, 7, 1), gas="40")
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


def test_exports_carry_the_stored_numbers(app, client, db, plant):
    filing_id = _file_example_7(app, db, plant)
    org = plant["org"]
    login(client, plant["admin"])
    total = db.session.scalar(select(Calculation.total_tco2e).where(Calculation.filing_id == filing_id))
    csv_text = client.get(f"/footprint/export/{org.id}/2022.csv").get_data(as_text=True)
    assert "2022-06" in csv_text and str(total.quantize(Decimal("0.000001"))) in csv_text and "tCO2e" in csv_text
    book = load_workbook(io.BytesIO(client.get(f"/footprint/export/{org.id}/2022.xlsx").data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[2][0] == "2022-06" and abs(rows[2][7] - float(total)) < 1e-6


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
