"""Absurd data refused before it is stored (issue 15): a source's rated capacity, the enterprise's scale (100 ×
refused, 10 × a warning), measured parameters against their defaults, through the service the form, the import and
the API share; the register's capacity field; the reviewer's highlight."""
import html
import re
from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.accounting.models import EmissionSource
from app.core.numbers import rounded
from app.core.service_error import ServiceError
from app.filings import plausibility, scale, services, workflow
from app.filings.models import Filing, FilingLine
from tests.conftest import login, post
from tests.helpers.api import example_body
from tests.helpers.benchmarks import add_month
from tests.helpers.filings import JUNE, file_month, hidden_fields

MAY = date(2022, 5, 1)
FEB = date(2022, 2, 1)
EXAMPLE_7_TOTAL = Decimal("2592.843")  # tCO2e of worked example 7 (May and June alike)


def _lines(plant, **amounts):
    """Worked example 7's lines with some quantities (and units, measured values) replaced."""
    s = plant["sources"]
    lines = {key: {"source_id": s[key].id, "quantity": q, "unit": s[key].activity_unit}
             for key, q in {"gas": "38", "diesel": "15.5", "power": "2350.4", "heat": "4200"}.items()}
    for key, value in amounts.items():
        lines[key].update(value if isinstance(value, dict) else {"quantity": value})
    return list(lines.values())


def _save(plant, period=JUNE, **amounts):
    filing = services.open_filing(plant["admin"], plant["org"], period)
    services.set_activity(plant["admin"], filing, _lines(plant, **amounts),
                          [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
    return filing


def _refused(app, db, plant, period=JUNE, **amounts) -> ServiceError:
    """The refusal of a month's save, after which nothing of it is stored (the edge rolls back)."""
    with app.test_request_context():
        with pytest.raises(ServiceError) as caught:
            _save(plant, period, **amounts)
        db.session.rollback()
    assert not _lines_of(db, plant, period)
    return caught.value


def _lines_of(db, plant, period):
    return db.session.scalars(select(FilingLine).join(Filing, Filing.id == FilingLine.filing_id).where(
        Filing.org_id == plant["org"].id, Filing.period == period)).all()


def _set_capacity(db, source, capacity, per):
    source.rated_capacity, source.rated_capacity_per = Decimal(capacity), per
    db.session.commit()


# --- rated capacity ------------------------------------------------------------------------------------------

def test_capacity_per_month_refuses_a_quantity_above_it_naming_the_capacity(app, db, plant):
    gas = plant["sources"]["gas"]
    _set_capacity(db, gas, "100", "month")
    e = _refused(app, db, plant, gas="100.5")
    assert e.field == f"quantity_{gas.id}"
    with app.test_request_context():
        text = str(e.message)
        assert "燃气锅炉" in text and "100.5" in text and "100" in text
        filing = _save(plant, gas="100")  # at the capacity exactly: saved
        db.session.commit()
    assert [line.quantity for line in _lines_of(db, plant, JUNE) if line.source_id == gas.id] == [Decimal("100")]


def test_capacity_per_hour_counts_the_hours_of_the_month(app, db, plant):
    power = plant["sources"]["power"]
    _set_capacity(db, power, "3", "hour")  # 3 MWh an hour: 2,160 MWh in June (720 h), 2,016 in February (672 h)
    assert scale.monthly_capacity(power, JUNE) == Decimal("2160")
    assert scale.monthly_capacity(power, FEB) == Decimal("2016")
    e = _refused(app, db, plant, JUNE, power="2160.1")
    with app.test_request_context():
        assert "720" in str(e.message) and "2,160" in str(e.message)
    e = _refused(app, db, plant, FEB, power="2100")  # fits June, not February
    with app.test_request_context():
        assert "672" in str(e.message)
        _save(plant, JUNE, power="2100")
        db.session.commit()
    assert len(_lines_of(db, plant, JUNE)) == 4


def test_capacity_is_compared_after_converting_the_unit_typed(app, db, plant):
    gas = plant["sources"]["gas"]
    _set_capacity(db, gas, "100", "month")  # 100 × 10⁴ Nm³ = 1,000,000 Nm³
    e = _refused(app, db, plant, gas={"quantity": "1000001", "unit": "Nm3"})
    with app.test_request_context():
        assert "(= 100.0001" in str(e.message)
        filing = _save(plant, gas={"quantity": "999999", "unit": "Nm3"})
        db.session.commit()
        assert filing.current_calculation is not None
    diesel = plant["sources"]["diesel"]
    _set_capacity(db, diesel, "20", "month")  # t; 20,001 kg is above it, 19,999 kg is not
    _refused(app, db, plant, FEB, diesel={"quantity": "20001", "unit": "kg"})


def test_a_source_without_capacity_is_not_limited(app, db, plant):
    with app.test_request_context():
        _save(plant, power="99999999")  # no capacity, no approved month anywhere: nothing to compare with
        db.session.commit()
    assert len(_lines_of(db, plant, JUNE)) == 4


# --- the enterprise's scale ----------------------------------------------------------------------------------

def test_more_than_100_times_the_largest_approved_month_is_refused(app, db, plant, regulator):
    file_month(app, db, plant, MAY, approve_by=regulator)
    with app.test_request_context():
        ref = scale.reference(plant["org"])
    assert (ref.basis, rounded(ref.tonnes)) == (scale.OWN, EXAMPLE_7_TOTAL)
    # 13,000 × 10⁴ Nm³ of gas: about 283,000 t, 109 times May
    e = _refused(app, db, plant, gas="13000")
    assert e.field == f"quantity_{plant['sources']['gas'].id}"  # beside the line that weighs most
    with app.test_request_context():
        text = str(e.message)
    assert "2,592.843" in text and "2022-06" in text and "100" in text
    assert not _lines_of(db, plant, JUNE)


def test_more_than_10_times_is_a_warning_that_needs_an_explanation(app, db, plant, regulator, client):
    file_month(app, db, plant, MAY, approve_by=regulator)
    with app.test_request_context():
        filing = _save(plant, gas="1300")  # about 29,900 t: 11.5 times May
        db.session.commit()
        findings = workflow.findings_for(filing, date(2022, 7, 8))
        warning = next(f for f in findings if f.key == plausibility.SCALE)
        assert warning.level == plausibility.WARNING and "2,592.843" in str(warning.message)
        gas_change = f"change:prev:{plant['sources']['gas'].id}"
        with pytest.raises(ServiceError) as caught:
            workflow.submit(plant["admin"], filing, {gas_change: "新线投产"})
        assert "2,592.843" in str(caught.value.message)
        db.session.rollback()
        filing = db.session.get(Filing, filing.id)
        workflow.submit(plant["admin"], filing, {gas_change: "新线投产", plausibility.SCALE: "二号锅炉投运，产能翻十倍"})
        db.session.commit()
        filing_id = filing.id
    # The reviewer sees it highlighted, with the enterprise's explanation.
    login(client, regulator)
    page = html.unescape(client.get(f"/review/filings/{filing_id}").get_data(as_text=True))
    highlight = re.search(r'data-testid="scale-highlight">(.*?)</div>\s*</div>', page, re.S)
    assert highlight and "2,592.843" in highlight.group(1) and "二号锅炉投运，产能翻十倍" in highlight.group(1)
    # The queue counts it among the month's warnings.
    with app.test_request_context():
        from app.review.services import QueueFilter, queue as review_queue
        from app.tenancy import scope_of

        with scope_of(regulator):
            rows, _total = review_queue(QueueFilter(status="submitted"))
    assert [row.warnings for row in rows if row.filing.id == filing_id] == [2]  # the gas change and the scale


def test_under_10_times_no_scale_warning(app, db, plant, regulator):
    file_month(app, db, plant, MAY, approve_by=regulator)
    with app.test_request_context():
        filing = _save(plant, gas="400")  # about 10,400 t: 4 times
        assert not [f for f in workflow.findings_for(filing, date(2022, 7, 8)) if f.key == plausibility.SCALE]


def test_without_history_the_industry_then_the_city_is_the_reference(app, db, plant, regulator, make_org):
    file_month(app, db, plant, MAY, approve_by=regulator)  # the plant: C3011, 2,592.843 t
    power_plant = make_org(name="锦湾电厂", industry_code="D4411")
    add_month(db, power_plant, None, 5, Decimal("400000"), year=2022)
    add_month(db, power_plant, None, 6, Decimal("900000"), status="submitted", year=2022)  # not approved: not counted
    glass = make_org(name="锦湾玻璃", industry_code="C3041")  # division C30, like the plant
    haulier = make_org(name="锦湾物流", industry_code="G5430")  # nobody in G54
    coder = make_org(name="无代码企业", industry_code=None)
    db.session.commit()
    with app.test_request_context():
        refs = scale.references([glass, haulier, coder, power_plant])
    assert (refs[glass.id].basis, refs[glass.id].division, rounded(refs[glass.id].tonnes)) == (
        scale.INDUSTRY, "C30", EXAMPLE_7_TOTAL)
    assert (refs[haulier.id].basis, refs[haulier.id].tonnes) == (scale.CITY, Decimal("400000"))
    assert refs[coder.id].basis == scale.CITY
    assert (refs[power_plant.id].basis, refs[power_plant.id].tonnes) == (scale.OWN, Decimal("400000"))
    with app.test_request_context():
        assert scale.scale_refusal(JUNE, Decimal("259284.2987"), refs[glass.id]) is None  # exactly 100 times
        refused = scale.scale_refusal(JUNE, Decimal("259284.4"), refs[glass.id])
        assert "C30" in str(refused)
        assert scale.scale_refusal(JUNE, Decimal("40000001"), refs[haulier.id]) is not None
        assert scale.scale_refusal(JUNE, Decimal("39000000"), refs[haulier.id]) is None


def test_a_new_enterprise_of_the_industry_is_refused_at_100_times_the_industry(app, db, plant, regulator, make_org,
                                                                              make_user):
    file_month(app, db, plant, MAY, approve_by=regulator)
    from app.accounting.models import Facility

    glass = make_org(name="锦湾玻璃", industry_code="C3041")
    admin = make_user(glass, "enterprise_admin")
    facility = Facility(org_id=glass.id, name="浮法线")
    db.session.add(facility)
    db.session.flush()
    kiln = EmissionSource(org_id=glass.id, facility_id=facility.id, name="熔窑天然气",
                          category="stationary_combustion", material="natural_gas", activity_unit="10^4 Nm3")
    db.session.add(kiln)
    db.session.commit()
    with app.test_request_context():
        filing = services.open_filing(admin, glass, JUNE)
        with pytest.raises(ServiceError) as caught:
            services.set_activity(admin, filing, [{"source_id": kiln.id, "quantity": "12500"}])  # ~270,000 t
        assert "C30" in str(caught.value.message)
        db.session.rollback()
        filing = services.open_filing(admin, glass, JUNE)
        services.set_activity(admin, filing, [{"source_id": kiln.id, "quantity": "11000"}])  # ~238,000 t: 92 times
        db.session.commit()


def test_no_approved_month_anywhere_no_scale_check(app, db, plant):
    with app.test_request_context():
        assert scale.reference(plant["org"]) is None
        filing = _save(plant, gas="13000")
        assert not [f for f in workflow.findings_for(filing, date(2022, 7, 8)) if f.key == plausibility.SCALE]


# --- measured parameters -------------------------------------------------------------------------------------

@pytest.fixture
def coal(db, plant):
    """A coal boiler beside the plant's sources (raw coal: NCV 20.908 GJ/t, CC 0.02637 tC/GJ by default)."""
    source = EmissionSource(org_id=plant["org"].id, facility_id=plant["facility"].id, name="燃煤锅炉",
                            category="stationary_combustion", material="raw_coal", activity_unit="t")
    db.session.add(source)
    db.session.commit()
    plant["sources"]["coal"] = source
    return source


def _coal_line(coal, measured, unit="t", quantity="1000"):
    return {"source_id": coal.id, "quantity": quantity, "unit": unit, "measured": measured}


def _refused_line(app, db, plant, line) -> ServiceError:
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], JUNE)
        with pytest.raises(ServiceError) as caught:
            services.set_activity(plant["admin"], filing, [line])
        with force_locale("en"):
            caught.value.text = str(caught.value.message)
        db.session.rollback()
    assert not _lines_of(db, plant, JUNE)
    return caught.value


def test_an_ncv_typed_per_kg_is_refused_showing_both_in_the_unit_of_the_factor(app, db, plant, coal):
    e = _refused_line(app, db, plant, _coal_line(coal, {"ncv": "0.0209"}, unit="kg", quantity="1000000"))
    assert e.field == f"ncv_{coal.id}"
    assert "20.908 GJ/t expected, 0.0209 typed" in e.text
    assert "GJ/kg" in e.text and "20.9" in e.text  # what it looks like, and the value per t
    # within ±50 % of the default it is saved; 0.5 × and 1.5 × are the edges
    for ncv in ("10.454", "31.362", "21.5"):
        with app.test_request_context():
            filing = services.open_filing(plant["admin"], plant["org"], JUNE)
            services.set_activity(plant["admin"], filing, [_coal_line(coal, {"ncv": ncv})])
            db.session.rollback()
    _refused_line(app, db, plant, _coal_line(coal, {"ncv": "31.37"}))


def test_a_gas_ncv_per_nm3_or_in_mj_is_refused_and_named(app, db, plant):
    gas = plant["sources"]["gas"]
    e = _refused_line(app, db, plant, {"source_id": gas.id, "quantity": "38", "measured": {"ncv": "0.0389"}})
    assert "389.31 GJ/10⁴ Nm³ expected, 0.0389 typed" in e.text or "389.31 GJ/" in e.text
    assert "GJ/Nm" in e.text
    e = _refused_line(app, db, plant, {"source_id": gas.id, "quantity": "38", "measured": {"ncv": "38.9"}})
    assert "MJ/Nm" in e.text


def test_carbon_content_outside_30_percent_is_refused_and_tc_per_tj_named(app, db, plant, coal):
    e = _refused_line(app, db, plant, _coal_line(coal, {"carbon_content": "26.37"}))
    assert e.field == f"carbon_content_{coal.id}"
    assert "0.02637 tC/GJ expected, 26.37 typed" in e.text and "tC/TJ" in e.text
    _refused_line(app, db, plant, _coal_line(coal, {"carbon_content": "0.0343"}))  # +30.07 %
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], JUNE)
        services.set_activity(plant["admin"], filing, [_coal_line(coal, {"carbon_content": "0.0342"})])


def test_an_oxidation_rate_above_1_or_zero_is_refused(app, db, plant, coal):
    e = _refused_line(app, db, plant, _coal_line(coal, {"oxidation_rate": "98"}))
    assert e.field == f"oxidation_rate_{coal.id}" and "0.98" in e.text
    _refused_line(app, db, plant, _coal_line(coal, {"oxidation_rate": "1.01"}))
    _refused_line(app, db, plant, _coal_line(coal, {"oxidation_rate": "0"}))
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], JUNE)
        services.set_activity(plant["admin"], filing, [_coal_line(coal, {"oxidation_rate": "1"})])


# --- the web form, the API and the register ------------------------------------------------------------------

def test_the_form_shows_the_capacity_refusal_beside_the_quantity(app, db, client, plant, manager):
    gas = plant["sources"]["gas"]
    _set_capacity(db, gas, "100", "month")
    login(client, manager)
    response = post(client, "/filings/open", {"period": "2022-06"}, token_from="/filings/")
    filing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    data = {f"quantity_{gas.id}": "1e12", f"unit_{gas.id}": "10^4 Nm3"}
    response = client.post(f"/filings/{filing_id}", data={**hidden_fields(page), **data})
    page = html.unescape(response.get_data(as_text=True))
    found = re.search(rf'data-field-error="quantity_{gas.id}">([^<]*)<', page)
    assert found and "100" in found.group(1) and "燃气锅炉" in found.group(1)
    assert not _lines_of(db, plant, JUNE)


def test_the_api_refuses_with_422_naming_the_line(app, db, client, plant, manager, token_for, regulator):
    file_month(app, db, plant, MAY, approve_by=regulator)
    headers = token_for(manager)
    body = example_body(plant)
    body["lines"][0]["quantity"] = "13000"  # 109 times May
    response = client.put("/api/v1/filings/2022-06", json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert "lines[0].quantity" in fields and "2,592.843" in fields["lines[0].quantity"]
    body["lines"][0]["quantity"] = "38"
    body["lines"][0]["measured"] = {"ncv": "0.0389"}
    response = client.put("/api/v1/filings/2022-06", json=body, headers=headers)
    assert response.status_code == 422 and "lines[0].measured.ncv" in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count(Filing.id)).where(Filing.period == JUNE)) == 0


def test_the_register_sets_a_capacity_per_hour_or_month(app, db, client, plant):
    login(client, plant["admin"])
    gas = plant["sources"]["gas"]
    url = f"/register/sources/{gas.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="rated_capacity"' in page and 'name="rated_capacity_per"' in page
    form = {"facility_id": str(plant["facility"].id), "name": gas.name, "category": gas.category,
            "material": gas.material, "activity_unit": "10^4 Nm3", "covered": "y", "commissioned_month": "2020-01",
            "rated_capacity": "6070,3", "rated_capacity_per": "hour"}
    response = post(client, url, form, token_from=url)
    assert response.status_code == 200 and 'data-field-error="rated_capacity"' in response.get_data(as_text=True)
    response = post(client, url, {**form, "rated_capacity": "0.5"}, token_from=url)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.refresh(gas)
    assert (gas.rated_capacity, gas.rated_capacity_per) == (Decimal("0.5"), "hour")
    register = client.get("/register/").get_data(as_text=True)
    assert 'data-testid="rated-capacity"' in register
    assert 'value="0.5"' in client.get(url).get_data(as_text=True)
    response = post(client, url, {**form, "rated_capacity": ""}, token_from=url)
    db.session.refresh(gas)
    assert gas.rated_capacity is None and gas.rated_capacity_per is None
