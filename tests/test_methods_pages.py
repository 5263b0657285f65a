"""The sector methods on the pages (issue 17): the register's method and generating unit, a filing's method inputs
(composition as species fields, coal C_ad/M_ad/M_ar), the "how computed" page, and the share of a total resting on
substituted values on the filing, review and verifier pages, the copy of record (page and PDF) and the checklist."""
import re
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app.accounting.models import EmissionSource
from app.filings import services, workflow
from app.filings.models import CalculationLine, CopyOfRecord, Filing
from app.signing import services as signing
from app.verification import services as verification
from tests.conftest import PASSWORD, login, post
from tests.helpers.filings import hidden_fields
from tests.helpers.methods import DAILY_NCV, FLARE_GAS, JUNE, power_plant, r3, refinery


@pytest.fixture
def coal(db, make_org, make_user):
    return power_plant(db, make_org, make_user)


def _untested_month(app, db, coal, submit=False):
    s = coal["sources"]
    with app.test_request_context():
        filing = services.open_filing(coal["admin"], coal["org"], JUNE)
        services.set_activity(coal["admin"], filing, [
            {"source_id": s["coal"].id, "quantity": "150000", "unit": "t", "parameters": {"ncv_daily": DAILY_NCV}},
            {"source_id": s["power"].id, "quantity": "1200", "unit": "MWh"},
            {"source_id": s["supply"].id, "quantity": "0", "unit": "MWh"}],
            [{"product_id": coal["product"].id, "quantity": "400000"}], "50000")
        if submit:
            warnings = {f.key: "首月填报" for f in workflow.findings_for(filing) if f.level == "warning"}
            signing.sign_and_submit(coal["admin"], filing, warnings, password=PASSWORD)
        db.session.commit()
        return filing.id


def test_the_register_form_takes_a_method_and_a_generating_unit(client, db, coal):
    login(client, coal["admin"])
    facility = coal["facility"]
    page = client.get(f"/register/sources/new?facility_id={facility.id}").get_data(as_text=True)
    assert 'name="method"' in page and 'name="generating_unit"' in page and "元素碳" in page
    response = post(client, f"/register/sources/new?facility_id={facility.id}", {
        "facility_id": facility.id, "name": "2号机组入炉煤", "category": "stationary_combustion",
        "method": "power_coal", "material": "raw_coal", "activity_unit": "t", "covered": "y"},
        token_from="/register/sources/new")
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    source = db.session.scalar(select(EmissionSource).where(EmissionSource.name == "2号机组入炉煤"))
    assert (source.method, source.generating_unit) == ("power_coal", True)
    # A method that does not fit the category is refused beside the method, with what was typed kept.
    response = post(client, f"/register/sources/new?facility_id={facility.id}", {
        "facility_id": facility.id, "name": "火炬", "category": "purchased_electricity", "method": "flare",
        "material": "", "activity_unit": "10^4 Nm3"}, token_from="/register/sources/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "is-invalid" in re.search(r'<select[^>]*name="method"[^>]*>', page).group(0)
    assert 'value="火炬"' in page


def test_the_filing_form_takes_coal_and_composition_inputs(client, db, make_org, make_user, coal):
    login(client, coal["admin"])
    response = post(client, "/filings/open", {"period": "2022-06"}, token_from="/filings/")
    filing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    s = coal["sources"]
    cid = s["coal"].id
    for name in ("c_ad", "m_ad", "m_ar", "ncv_ar"):
        assert f'name="{name}_{cid}"' in page
    data = {**hidden_fields(page), f"quantity_{cid}": "150000", f"unit_{cid}": "t", f"ncv_ar_{cid}": "21.4",
            f"c_ad_{cid}": "62.50", f"m_ad_{cid}": "2.50", f"m_ar_{cid}": "12.00",
            f"quantity_{s['power'].id}": "1200", f"unit_{s['power'].id}": "MWh"}
    response = client.post(f"/filings/{filing_id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    filing = db.session.get(Filing, filing_id)
    line = next(x for x in filing.current_calculation.lines if x.source_id == cid)
    assert r3(line.co2_t) == D("307153.846")
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert f'name="c_ad_{cid}"' in page and 'value="62.5"' in page  # shown again as filed
    # A moisture out of order is refused beside its field, and nothing typed is lost.
    response = client.post(f"/filings/{filing_id}", data={**data, **hidden_fields(page), f"m_ar_{cid}": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f'data-field-error="m_ar_{cid}"' in page and 'value="62.50"' in page


def test_a_flare_is_filed_by_its_composition_fields(client, db, make_org, make_user):
    plant = refinery(db, make_org, make_user)
    login(client, plant["admin"])
    response = post(client, "/filings/open", {"period": "2022-06"}, token_from="/filings/")
    filing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    fid = plant["sources"]["flare"].id
    assert f'data-testid="composition-{fid}"' in page
    data = {**hidden_fields(page), f"quantity_{fid}": "12.5", f"unit_{fid}": "10^4 Nm3"}
    data.update({f"comp{sp}_{fid}": pct for sp, pct in FLARE_GAS.items()})
    assert client.post(f"/filings/{filing_id}", data=data).status_code == 302
    filing = db.session.get(Filing, filing_id)
    assert filing.lines[0].parameters["composition"]["CH4"] == "35"
    assert r3(filing.current_calculation.lines[0].co2_t) == D("250.419")
    # A composition that does not add up is refused beside its first component.
    data[f"compCH4_{fid}"] = "80"
    fresh = hidden_fields(client.get(f"/filings/{filing_id}").get_data(as_text=True))
    page = client.post(f"/filings/{filing_id}", data={**data, **fresh}).get_data(as_text=True)
    assert f'data-field-error="compCH4_{fid}"' in page and 'value="80"' in page


def test_how_computed_shows_formula_provenance_masses_and_regimes(app, client, db, coal):
    filing_id = _untested_month(app, db, coal)
    login(client, coal["admin"])
    line = db.session.scalar(select(CalculationLine).where(CalculationLine.source_id == coal["sources"]["coal"].id))
    page = client.get(f"/footprint/lines/{line.id}").get_data(as_text=True)
    assert "0.03085" in page and "收到基元素碳含量" in page  # the method's formula in Chinese
    assert 'data-testid="substituted"' in page and "当月无有效元素碳检测" in page
    assert 'data-testid="trace-masses"' in page and "361041.252" in page
    assert 'data-testid="regime-totals"' in page and "361,725.612" in page
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="substituted-share"' in page and "99.8 %" in page and 'data-testid="line-substituted"' in page


def test_review_copy_of_record_and_verifier_say_substituted(app, client, db, coal, regulator, make_org, make_user):
    filing_id = _untested_month(app, db, coal, submit=True)
    login(client, regulator)
    page = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="review-substituted"' in page and "99.8 %" in page
    copy = db.session.scalar(select(CopyOfRecord).where(CopyOfRecord.filing_id == filing_id))
    doc = signing.parsed(copy)
    assert doc["calculation"]["regime"] == "inventory" and D(doc["calculation"]["substituted_share"]) > D("0.99")
    coal_line = next(x for x in doc["lines"] if x["source_id"] == coal["sources"]["coal"].id)
    assert coal_line["method"] == "power_coal" and coal_line["result"]["substituted"] == ["carbon_content"]
    page = client.get(f"/filings/records/{copy.id}").get_data(as_text=True)
    assert 'data-testid="record-substituted"' in page and "99.8 %" in page
    pdf = client.get(f"/filings/records/{copy.id}/document.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # The verifier's checklist raises a month above 5 %.
    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        [(raised, share)] = verification.substitutions([filing])
        assert raised.id == filing_id and share > D("0.05")


def test_review_shows_a_method_warning_and_its_explanation(app, client, db, coal, regulator):
    """A power month with C_ar 38 % (warning band 40–75 %): the reviewer sees the warning, translated,
    with the parameter, value, band and unit, beside the enterprise's explanation."""
    s = coal["sources"]
    with app.test_request_context():
        filing = services.open_filing(coal["admin"], coal["org"], JUNE)
        services.set_activity(coal["admin"], filing, [
            {"source_id": s["coal"].id, "quantity": "150000", "unit": "t",
             "parameters": {"ncv_ar": "14", "c_ar": "38"}},
            {"source_id": s["power"].id, "quantity": "1200", "unit": "MWh"},
            {"source_id": s["supply"].id, "quantity": "300000", "unit": "MWh"}],
            [{"product_id": coal["product"].id, "quantity": "300000"}], "50000")
        warnings = {f.key: "掺烧煤泥" for f in workflow.findings_for(filing) if f.level == "warning"}
        key = f"method:{s['coal'].id}:outside_band:c_ar"
        assert key in warnings
        signing.sign_and_submit(coal["admin"], filing, warnings, password=PASSWORD)
        db.session.commit()
        filing_id = filing.id
    login(client, regulator)
    page = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert "元素碳含量" in page or "Element carbon" in page
    assert "38 %" in page and "40–75 %" in page and "掺烧煤泥" in page


DAILY_LABEL = "每日入炉煤量及低位发热量"


def test_a_submitted_month_shows_its_method_inputs_by_name(app, client, db, coal):
    """Once submitted the form is gone: the read-only table names each method input as filed (the daily coal as its
    number of days) and links to the "how computed" page."""
    filing_id = _untested_month(app, db, coal, submit=True)
    login(client, coal["admin"])
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    read_only = page.split('data-testid="activity-read-only"')[1].split("</table>")[0]
    assert re.findall(r'data-testid="filed-parameter">([^<]+)<', read_only) == [f"{DAILY_LABEL}: 3 天"]
    line_id = db.session.scalar(select(CalculationLine.id).where(CalculationLine.source_id == coal["sources"]["coal"].id))
    assert f"/footprint/lines/{line_id}" in read_only and "ncv_daily" not in read_only


def test_filed_inputs_are_named_for_reading(app):
    from app.filings.labels import parameters_text

    with app.test_request_context():
        found = list(parameters_text({
            "equipment": {"oil_wellhead": 120}, "composition": {"CH4": "35", "H2": "30"}, "ch4_slip": True,
            "process": "dual_pressure", "inputs": [{"name": "焦炭", "quantity": "330", "unit": "t", "carbon_pct": "85"}],
            "ncv_daily": DAILY_NCV, "purity": "99.5"}))
    assert [text for _label, text in found] == ["油井井口 120", "CH4 35 %, H2 30 %", "是", "双加压法", "焦炭 330 t",
                                                "3 天", "99.5"]
    assert all(label and "_" not in label for label, _text in found)  # every input by its name, never its code
