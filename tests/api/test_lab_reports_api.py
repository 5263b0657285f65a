"""Lab reports through the government link (issue 17): POST /api/v1/filings/{month}/lab-reports as multipart with one
file for the parameters of one sample, the same checks as the filing page, and each line's `lab_reports` in
GET /api/v1/filings/{month} and in the copy of record."""
import io
import json

import pytest
from sqlalchemy import select

from app.accounting.models import Facility
from app.filings.models import CopyOfRecord, Evidence, LabReport
from tests.helpers.certificates import pdf_text

MONTH = "2022-06"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
TESTED = {"ncv_ar": "21.493", "c_ad": "62.50", "m_ad": "2.50", "m_ar": "12.00"}
FIELDS = {"parameters": "ncv_ar,c_ad,m_ad,m_ar", "lab_name": "辽宁省煤炭质量检测中心",
          "accreditation": "CNAS L0467", "sample_id": "JW1-2206-M", "sample_date": "2022-06-30"}


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_DIR", tmp_path / "evidence")


@pytest.fixture
def plant(client, db, make_org, make_user, token_for):
    org = make_org(name="锦湾热电有限公司", industry_code="D4411")
    admin = make_user(org, "enterprise_admin", may_sign=True)
    facility = Facility(org_id=org.id, name="一号厂区")
    db.session.add(facility)
    db.session.commit()
    headers = token_for(admin)
    coal = client.post("/api/v1/sources", headers=headers, json={
        "facility_id": facility.id, "name": "1号机组入炉煤", "method": "power_coal", "unit": "t",
        "material": "raw_coal", "commissioned": "2020-01", "generating_unit": True, "covered": True}).json
    response = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json={"lines": [
        {"source_id": coal["id"], "quantity": "150000", "unit": "t", "parameters": TESTED}]})
    assert response.status_code == 201, response.get_data(as_text=True)
    return {"org": org, "admin": admin, "headers": headers, "coal": coal}


def _post(client, plant, data=None, file=(PDF, "化验报告.pdf"), headers=None):
    body = {"source_id": str(plant["coal"]["id"]), **FIELDS, **(data or {})}
    if file is not None:
        body["file"] = (io.BytesIO(file[0]), file[1])
    return client.post(f"/api/v1/filings/{MONTH}/lab-reports", headers=headers or plant["headers"],
                       data={k: v for k, v in body.items() if v is not None}, content_type="multipart/form-data")


def test_one_report_gives_the_four_coal_parameters_of_one_sample(client, db, plant):
    response = _post(client, plant)
    assert response.status_code == 201, response.get_data(as_text=True)
    answer = response.json
    assert answer["source_id"] == plant["coal"]["id"] and answer["month"] == MONTH
    assert [r["parameter"] for r in answer["lab_reports"]] == ["ncv_ar", "c_ad", "m_ad", "m_ar"]
    assert {(r["sample_id"], r["accreditation"], r["sample_date"], r["filename"]) for r in answer["lab_reports"]} == {
        ("JW1-2206-M", "CNAS L0467", "2022-06-30", "化验报告.pdf")}
    assert db.session.scalar(select(Evidence.sha256)) == answer["lab_reports"][0]["sha256"]
    assert len(db.session.scalars(select(LabReport)).all()) == 4
    line = client.get(f"/api/v1/filings/{MONTH}", headers=plant["headers"]).json["lines"][0]
    assert line["lab_reports"] == sorted(answer["lab_reports"], key=lambda r: r["parameter"])


def test_the_report_is_in_the_copy_of_record_when_the_month_is_submitted(app, client, db, plant, login_as):
    assert _post(client, plant).status_code == 201
    submitted = client.post(f"/api/v1/filings/{MONTH}/submit", headers=plant["headers"], json={
        "explanations": {f["key"]: "本月无异常" for f in client.get(
            f"/api/v1/filings/{MONTH}", headers=plant["headers"]).json["findings"] if f["level"] == "warning"}})
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    receipt = submitted.json["receipt"]["number"]
    document = client.get(f"/api/v1/records/{receipt}.json", headers=plant["headers"]).json
    (line,) = document["lines"]
    assert [r["parameter"] for r in line["lab_reports"]] == ["c_ad", "m_ad", "m_ar", "ncv_ar"]
    assert {r["sample_id"] for r in line["lab_reports"]} == {"JW1-2206-M"}
    copy = db.session.scalar(select(CopyOfRecord))
    assert json.loads(copy.document)["lines"][0]["lab_reports"] == line["lab_reports"]
    # The copy's page and PDF list the report by source, parameter (named), laboratory, sample and file digest.
    login_as(plant["admin"])
    page = client.get(f"/filings/records/{copy.id}").get_data(as_text=True)
    assert page.count('data-testid="record-lab-report"') == 1  # one report file, its four parameters together
    assert "空气干燥基元素碳含量" in page  # c_ad by its name, in the reader's language (Chinese by default)
    assert "辽宁省煤炭质量检测中心 · CNAS L0467" in page and "JW1-2206-M · 2022-06-30" in page
    assert ">c_ad<" not in page and line["lab_reports"][0]["sha256"] in page.split('data-testid="record-lab-reports"')[0]
    text = pdf_text(client.get(f"/filings/records/{copy.id}/document.pdf").data)
    assert "Laboratory reports" in text and "JW1-2206-M" in text and "CNAS L0467" in text
    assert "Element carbon, air-dried" in text
    # Submitted: no more reports (409), and nothing is stored.
    again = _post(client, plant)
    assert again.status_code == 409 and again.json["error"]["code"] == "not_editable"


@pytest.mark.parametrize("data, file, field", [
    ({"parameters": "c_ar_typo"}, (PDF, "r.pdf"), "parameters"),      # not a measured input of power_coal
    ({"parameters": ""}, (PDF, "r.pdf"), "parameters"),
    ({"accreditation": "ISO 17025"}, (PDF, "r.pdf"), "accreditation"),
    ({"sample_date": "30/06/2022"}, (PDF, "r.pdf"), "sample_date"),
    ({"sample_date": "2999-01-01"}, (PDF, "r.pdf"), "sample_date"),   # in the future
    ({"source_id": "99999"}, (PDF, "r.pdf"), "parameters"),            # not a line of this filing
    ({}, (b"MZ\x90\x00", "r.pdf"), "file"),                            # a renamed executable
    ({}, None, "file"),
    ({"colour": "red"}, (PDF, "r.pdf"), "colour"),
])
def test_a_bad_report_is_refused_naming_its_field(client, db, plant, data, file, field):
    response = _post(client, plant, data, file)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.json["error"]["fields"]
    assert db.session.scalar(select(Evidence.id)) is None and db.session.scalar(select(LabReport.id)) is None


def test_json_is_refused_and_the_body_limit_is_the_evidence_limit(client, app, plant):
    response = client.post(f"/api/v1/filings/{MONTH}/lab-reports", headers=plant["headers"], json=FIELDS)
    assert response.status_code == 415 and "multipart/form-data" in response.json["error"]["message"]
    # A 2 MB report passes the API's 1 MB JSON limit on this route; above the evidence limit it is refused.
    big = PDF + b"%" * (2 * 1024 * 1024)
    assert _post(client, plant, file=(big, "big.pdf")).status_code == 201
    too_big = PDF + b"%" * (app.config["EVIDENCE_MAX_BYTES"] + 80 * 1024)
    assert _post(client, plant, file=(too_big, "huge.pdf")).status_code == 413
    # Elsewhere the JSON limit holds.
    assert client.put(f"/api/v1/filings/{MONTH}", headers=plant["headers"],
                      data=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                      content_type="application/json").status_code == 413


def test_another_enterprises_token_cannot_attach_to_this_line(client, db, plant, make_org, make_user, token_for):
    other = make_org(name="另一家企业", industry_code="D4411")
    headers = token_for(make_user(other, "enterprise_admin", may_sign=True))
    response = _post(client, plant, headers=headers)
    assert response.status_code == 404  # the other enterprise has no filing for the month
    assert db.session.scalar(select(LabReport.id)) is None


def test_a_read_token_cannot_attach(client, plant, token_for):
    headers = token_for(plant["admin"], scope="read")
    assert _post(client, plant, headers=headers).status_code == 403
