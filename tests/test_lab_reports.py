"""Laboratory reports per measured parameter of a filing line, and the plan's same-sample rule (issue 17)."""
import io
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace as NS

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.core.service_error import ServiceError
from app.filings import evidence as evidence_service
from app.filings import lab_reports, services, workflow
from app.filings.models import Evidence, LabReport
from app.plans import check
from app.plans import services as plans
from app.tenancy import acting_on, cross_tenant_write, scope_of
from app.verification import services as verification
from tests.conftest import login, post
from tests.helpers.filings import EXAMPLE_7, JUNE, hidden_fields

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
NOW = datetime(2022, 7, 8, 2, 0, tzinfo=timezone.utc)
SAMPLED = date(2022, 6, 30)


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_DIR", tmp_path / "evidence")
    return tmp_path / "evidence"


def _upload(name="化验报告.pdf", data=PDF):
    return NS(filename=name, stream=io.BytesIO(data))


def _plan(app, db, plant, regulator, same_sample=True):
    """The plant's approved 2022 plan: the gas boiler's NCV and carbon content measured, on one sample."""
    with app.test_request_context():
        version = plans.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        gas = next(s for s in version.sources if s.source_id == plant["sources"]["gas"].id)
        plans.update_source(plant["admin"], version, gas, {
            "method": "combustion", "tiers": {"ncv": "measured", "carbon_content": "measured"},
            "lab_name": "锦湾市计量检测研究院", "lab_accreditation": "CNAS L0467", "same_sample": same_sample})
        plans.submit(plant["admin"], version, now=NOW)
        plans.approve(regulator, version, now=NOW)
        db.session.commit()
        return version.id


def _draft(plant, measured=None):
    """June drafted (not committed) with the gas boiler's measured NCV and carbon content."""
    s = plant["sources"]
    filing = services.open_filing(plant["admin"], plant["org"], JUNE)
    services.set_activity(plant["admin"], filing, [
        {"source_id": s[key].id, "quantity": q, "unit": s[key].activity_unit,
         **({"parameters": measured or {"ncv": "389.31", "carbon_content": "0.01532"}} if key == "gas" else {})}
        for key, q in EXAMPLE_7.items()], [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
    return filing


def _attach(plant, filing, parameter, sample_id="S-2206-01", **fields):
    values = {"lab_name": "锦湾市计量检测研究院", "accreditation": "CNAS L0467", "sample_id": sample_id,
              "sample_date": SAMPLED, **fields}
    reports = lab_reports.attach(plant["admin"], filing, plant["sources"]["gas"].id, parameter, _upload(), now=NOW,
                                 **values)
    return reports[0] if isinstance(parameter, str) else reports


# --- the service --------------------------------------------------------------------------------------------------

def test_a_lab_report_is_kept_per_parameter_with_its_file_in_the_evidence(app, db, plant):
    with app.test_request_context():
        filing = _draft(plant)
        report = _attach(plant, filing, "ncv")
        assert (report.parameter, report.lab_name, report.accreditation, report.sample_id, report.sample_date) == (
            "ncv", "锦湾市计量检测研究院", "CNAS L0467", "S-2206-01", SAMPLED)
        assert report.evidence.filing_id == filing.id and report.evidence.source_id == plant["sources"]["gas"].id
        assert report.evidence.filename == "化验报告.pdf" and report.filing_id == filing.id
        # A second report of the same parameter replaces the first; the earlier file stays among the evidence.
        again = _attach(plant, filing, "ncv", sample_id="S-2206-02")
        db.session.commit()
        assert again.id == report.id and again.sample_id == "S-2206-02"
        assert db.session.scalar(select(LabReport.sample_id)) == "S-2206-02"
        assert len(filing.evidence) == 2
        details = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "lab_report.attached")).all()
        assert [d["sample_id"] for d in details] == ["S-2206-01", "S-2206-02"]
        assert details[0]["accreditation"] == "CNAS L0467" and details[0]["parameter"] == "ncv"


@pytest.mark.parametrize("parameter, fields, field", [
    ("c_ar", {}, "parameters"),  # not an input of the combustion method
    ("ncv", {"accreditation": "ISO 17025"}, "accreditation"),
    ("ncv", {"accreditation": "  "}, "accreditation"),
    ("ncv", {"lab_name": ""}, "lab_name"),
    ("ncv", {"sample_id": ""}, "sample_id"),
    ("ncv", {"sample_date": None}, "sample_date"),
    ("ncv", {"sample_date": date(2022, 7, 9)}, "sample_date"),  # after today (NOW is 8 July)
])
def test_a_lab_report_is_refused_beside_the_field_at_fault(app, db, plant, parameter, fields, field):
    with app.test_request_context():
        filing = _draft(plant)
        with pytest.raises(ServiceError) as refused:
            _attach(plant, filing, parameter, **fields)
        assert refused.value.field == field
        assert db.session.scalar(select(Evidence.id)) is None  # nothing stored for a refused report


def test_one_report_of_one_sample_gives_several_parameters(app, db, plant, regulator):
    """A laboratory's report gives NCV and carbon content of one sample: one file among the evidence, one report
    row per parameter, and the plan's same-sample rule is met."""
    _plan(app, db, plant, regulator)
    with app.test_request_context():
        filing = _draft(plant)
        reports = _attach(plant, filing, ["ncv", "carbon_content", "ncv"])
        db.session.commit()
        assert [r.parameter for r in reports] == ["ncv", "carbon_content"]
        assert len(filing.evidence) == 1 and {r.evidence_id for r in reports} == {filing.evidence[0].id}
        assert filing.evidence[0].description.count(",") == 1
        assert not [f for f in workflow.findings_for(filing) if f.key.startswith("plan:")]
        assert lab_reports.as_record(reports[1]) == {
            "parameter": "carbon_content", "lab_name": "锦湾市计量检测研究院", "accreditation": "CNAS L0467",
            "sample_id": "S-2206-01", "sample_date": "2022-06-30", "filename": "化验报告.pdf",
            "sha256": filing.evidence[0].sha256}
        with pytest.raises(ServiceError) as refused:
            _attach(plant, filing, [])
        assert refused.value.field == "parameters"


def test_cma_numbers_are_accepted():
    assert lab_reports._ACCREDITATION.fullmatch("CMA 201519002257")
    assert lab_reports._ACCREDITATION.fullmatch("201519002257")
    assert lab_reports._ACCREDITATION.fullmatch("cnas l12345")
    assert not lab_reports._ACCREDITATION.fullmatch("2015190022")


def test_the_lab_parameters_of_a_method():
    assert lab_reports.lab_parameters("power_coal") == ("ncv_ar", "c_ar", "c_ad", "c_d", "m_ad", "m_ar")
    assert lab_reports.lab_parameters("combustion") == ("ncv", "carbon_content", "oxidation_rate")
    assert lab_reports.lab_parameters("electricity_in") == ()
    assert lab_reports.lab_parameters(None) == ()


def test_removing_the_file_removes_its_lab_report(app, db, plant):
    with app.test_request_context():
        filing = _draft(plant)
        report = _attach(plant, filing, "ncv")
        db.session.commit()
        with acting_on(plant["org"].id):
            evidence_service.remove_evidence(plant["admin"], report.evidence)
        db.session.commit()
        assert db.session.scalar(select(LabReport.id)) is None


def test_an_amendment_keeps_the_lab_reports_on_the_copies_of_their_files(app, db, plant, regulator):
    with app.test_request_context():
        filing = _draft(plant)
        _attach(plant, filing, "ncv")
        _attach(plant, filing, "carbon_content")
        workflow.submit(plant["admin"], filing, now=NOW)
        workflow.approve(regulator, filing, now=NOW)
        db.session.commit()
        with pytest.raises(ServiceError):  # the approved month keeps its reports as filed
            _attach(plant, filing, "ncv")
        revision = workflow.amend(plant["admin"], plant["org"], JUNE, "化验复核", now=NOW)
        db.session.commit()
        copied = db.session.scalars(select(LabReport).where(LabReport.filing_id == revision.id)
                                    .order_by(LabReport.parameter)).all()
        assert [(r.parameter, r.sample_id) for r in copied] == [("carbon_content", "S-2206-01"),
                                                                ("ncv", "S-2206-01")]
        assert {r.evidence.filing_id for r in copied} == {revision.id}
        assert db.session.scalar(select(LabReport.id).where(LabReport.filing_id == filing.id)) is not None


# --- the same-sample rule (pure) ---------------------------------------------------------------------------------

def _planned(method="combustion", same_sample=True):
    return NS(number=1, sources=[NS(source_id=1, method=method, tiers={}, meters=[], same_sample=same_sample)])


def _line(method="combustion", parameters=("ncv", "carbon_content"), samples=()):
    return check.LineFacts(1, "锅炉", method, Decimal(10), frozenset(parameters), tuple(samples))


def test_one_sample_for_carbon_ncv_and_moisture_passes():
    assert check.check([_line(samples=[("ncv", "S1"), ("carbon_content", "S1")])], _planned(), JUNE) == []
    coal = _line("power_coal", ("ncv_ar", "c_ad", "m_ad", "m_ar"),
                 [("ncv_ar", "C-06"), ("c_ad", "C-06"), ("m_ad", "C-06"), ("m_ar", "C-06")])
    assert check.check([coal], _planned("power_coal"), JUNE) == []


def test_different_samples_are_a_warning_naming_them():
    coal = _line("power_coal", ("ncv_ar", "c_ad", "m_ad", "m_ar"),
                 [("ncv_ar", "C-06"), ("c_ad", "C-07"), ("m_ad", "C-07"), ("m_ar", "C-07")])
    found = check.check([coal], _planned("power_coal"), JUNE)
    assert [(f.key, f.level, f.source_id) for f in found] == [("plan:same_sample:1", "warning", 1)]
    assert "C-06" in str(found[0].message) and "C-07" in str(found[0].message)


def test_a_measured_value_without_its_lab_report_is_a_warning_where_the_plan_asks_for_one_sample():
    found = check.check([_line(samples=[("ncv", "S1")])], _planned(), JUNE)
    assert [(f.key, f.level) for f in found] == [("plan:lab_report:1", "warning")]
    # Without the plan's flag, neither rule applies.
    assert check.check([_line(samples=[("ncv", "S1"), ("carbon_content", "S2")])], _planned(same_sample=False),
                       JUNE) == []


# --- through the filing, the review and the verifier -----------------------------------------------------------

def test_the_rule_on_a_filing_needs_an_explanation_at_submission(app, db, plant, regulator):
    _plan(app, db, plant, regulator)
    gas = plant["sources"]["gas"].id
    with app.test_request_context():
        filing = _draft(plant)
        _attach(plant, filing, "ncv", sample_id="S-1")
        _attach(plant, filing, "carbon_content", sample_id="S-2")
        keys = {f.key: f.level for f in workflow.findings_for(filing, date(2022, 7, 8))}
        assert keys[f"plan:same_sample:{gas}"] == "warning"
        with pytest.raises(ServiceError):
            workflow.submit(plant["admin"], filing, now=NOW)
        _attach(plant, filing, "carbon_content", sample_id="S-1")
        assert f"plan:same_sample:{gas}" not in {f.key for f in workflow.findings_for(filing, date(2022, 7, 8))}


def _page_form(page: str, sid: int) -> dict:
    return {"csrf_token": hidden_fields(page)["csrf_token"],
            f"lab{sid}-csrf_token": re.search(rf'name="lab{sid}-csrf_token"[^>]*value="([^"]+)"', page)[1]}


def test_the_enterprise_attaches_a_report_on_the_filing_page_and_keeps_its_typing_on_an_error(
        app, client, db, plant, regulator, login_as):
    _plan(app, db, plant, regulator)
    with app.test_request_context():
        filing_id = _draft(plant).id
        db.session.commit()
    gas = plant["sources"]["gas"].id
    login_as(plant["admin"])
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert f'id="lab-form-{gas}"' in page and f'name="lab{gas}-parameters"' in page
    fields = {f"lab{gas}-parameters": "ncv", f"lab{gas}-lab_name": "锦湾市计量检测研究院",
              f"lab{gas}-accreditation": "ISO 17025", f"lab{gas}-sample_id": "S-2206-01",
              f"lab{gas}-sample_date": "2022-06-30"}
    url = f"/filings/{filing_id}/lines/{gas}/lab-report"
    refused = client.post(url, content_type="multipart/form-data", data={
        **_page_form(page, gas), **fields, f"lab{gas}-file": (io.BytesIO(PDF), "报告.pdf")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert f'data-field-error="lab{gas}-accreditation"' in text and "CNAS L1234" in text
    assert 'value="S-2206-01"' in text and 'value="锦湾市计量检测研究院"' in text  # nothing typed is lost
    assert db.session.scalar(select(LabReport.id)) is None
    fields[f"lab{gas}-accreditation"] = "CNAS L0467"
    done = client.post(url, content_type="multipart/form-data", data={
        **_page_form(page, gas), **fields, f"lab{gas}-file": (io.BytesIO(PDF), "报告.pdf")})
    assert done.status_code == 302
    report = db.session.scalar(select(LabReport))
    assert (report.parameter, report.sample_id) == ("ncv", "S-2206-01")
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert f'data-testid="lab-report-{gas}-ncv"' in page and f"/filings/evidence/{report.evidence_id}" in page
    # The carbon content has no report yet: the plan's same-sample rule says so.
    assert f'data-key="plan:lab_report:{gas}"' in page


def test_the_review_page_and_the_verifier_list_the_reports_and_the_finding(app, client, db, plant, regulator,
                                                                           make_user, login_as):
    _plan(app, db, plant, regulator)
    gas = plant["sources"]["gas"].id
    with app.test_request_context():
        filing = _draft(plant)
        first = _attach(plant, filing, "ncv", sample_id="S-1")
        _attach(plant, filing, "carbon_content", sample_id="S-2")
        workflow.submit(plant["admin"], filing, {f"plan:same_sample:{gas}": "碳含量复检样品"}, now=NOW)
        db.session.commit()
        filing_id, evidence_id = filing.id, first.evidence_id
    login_as(regulator)
    page = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert f'data-key="plan:same_sample:{gas}"' in page and "碳含量复检样品" in page
    assert page.count('data-testid="lab-report"') == 2 and f"/filings/evidence/{evidence_id}" in page
    with app.test_request_context(), scope_of(regulator), cross_tenant_write():
        body = verification.register_body(regulator, {"name": "锦湾碳核查中心", "accreditation_no": "CNAS-V-0001"})
        db.session.commit()
    verifier = make_user(body, "verifier")
    with app.test_request_context(), scope_of(regulator), acting_on(plant["org"].id):
        engagement = verification.assign(regulator, plant["org"], body, 2022, now=NOW)
        db.session.commit()
    other = app.test_client()
    login(other, verifier)
    page = other.get(f"/verification/engagements/{engagement.id}/filings/{filing_id}").get_data(as_text=True)
    assert page.count('data-testid="lab-report"') == 2 and "S-2" in page and "CNAS L0467" in page
    assert other.get(f"/filings/evidence/{evidence_id}").status_code == 200


def test_the_plan_form_sets_the_same_sample_rule(app, client, db, plant, login_as):
    with app.test_request_context():
        version = plans.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        db.session.commit()
        version_id = version.id
    gas = plant["sources"]["gas"].id
    login_as(plant["admin"])
    response = post(client, f"/plans/versions/{version_id}/sources/{gas}",
                    {f"s{gas}-method": "combustion", f"s{gas}-same_sample": "y"}, token_from=f"/plans/versions/{version_id}")
    assert response.status_code == 302
    db.session.expire_all()
    with app.test_request_context():
        planned = next(s for s in plans.load_version(version_id).sources if s.source_id == gas)
        assert planned.same_sample is True
    page = client.get(f"/plans/versions/{version_id}").get_data(as_text=True)
    assert f'name="s{gas}-same_sample"' in page and "checked" in page
