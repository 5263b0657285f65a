"""The /api/v1 contract: every endpoint's answer and each error status, in JSON."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounting.models import EmissionSource, Facility
from app.audit.models import AuditEvent
from app.filings.models import Calculation, Filing
from tests.helpers.api import MONTH, example_body, example_lines


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    assert response.json["error"]["code"] == code, response.json
    return response.json["error"]


# --- authentication ---------------------------------------------------------------------------------

def test_me_names_the_tokens_user_role_and_organisation(client, plant, token_for):
    response = client.get("/api/v1/me", headers=token_for(plant["admin"], "read", name="ems"))
    assert response.status_code == 200
    assert response.json["user"]["email"] == plant["admin"].email
    assert response.json["user"]["role"] == "enterprise_admin"
    assert response.json["organisation"]["name"] == "锦湾示范化工有限公司"
    assert response.json["token"]["scopes"] == ["read"] and response.json["token"]["name"] == "ems"
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("header, code", [(None, "unauthorized"), ("Bearer tanji_not-a-real-token", "invalid_token"),
                                          ("Basic dXNlcjpwYXNz", "unauthorized"), ("Bearer ", "unauthorized")])
def test_without_a_live_token_401(client, header, code):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    _error(response, 401, code)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_users_token_is_refused(client, db, plant, token_for):
    headers = token_for(plant["admin"])
    plant["admin"].active = False
    db.session.commit()
    _error(client.get("/api/v1/me", headers=headers), 401, "invalid_token")


def test_last_used_is_recorded(client, db, plant, token_for):
    from app.api.models import ApiToken

    client.get("/api/v1/me", headers=token_for(plant["admin"]))
    assert db.session.scalar(select(ApiToken)).last_used_at is not None


# --- the register -------------------------------------------------------------------------------------

def test_sources_lists_facilities_sources_and_products(client, plant, token_for):
    response = client.get("/api/v1/sources", headers=token_for(plant["admin"], "read"))
    assert response.status_code == 200
    [facility] = response.json["facilities"]
    by_name = {s["name"]: s for s in facility["sources"]}
    gas = by_name["燃气锅炉"]
    assert gas == {**gas, "id": plant["sources"]["gas"].id, "category": "stationary_combustion",
                   "material": "natural_gas", "unit": "10^4 Nm3", "scope": "1", "active": True}
    assert by_name["外购电力"]["scope"] == "2"
    assert response.json["products"][0]["unit"] == "t"


def test_sources_are_an_enterprise_matter(client, regulator, token_for):
    _error(client.get("/api/v1/sources", headers=token_for(regulator)), 403, "forbidden")


# --- a month ------------------------------------------------------------------------------------------

def test_put_creates_the_draft_and_get_returns_it_with_computed_emissions(client, db, plant, token_for):
    headers = token_for(plant["admin"])
    assert client.get(f"/api/v1/filings/{MONTH}", headers=headers).status_code == 404
    created = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    assert created.status_code == 201, created.json
    again = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    assert again.status_code == 200
    body = client.get(f"/api/v1/filings/{MONTH}", headers=headers).json
    assert body["month"] == MONTH and body["status"] == "draft" and body["revision"] == 1
    lines = {line["source_id"]: line for line in body["lines"]}
    diesel = lines[plant["sources"]["diesel"].id]
    assert diesel["quantity"] == "15.5" and diesel["unit"] == "t" and Decimal(diesel["tco2e"]) > 0
    assert body["production"] == [{"product_id": plant["product"].id, "quantity": "1000", "unit": "t"}]
    assert body["output_value_10k_cny"] == "5000"
    calc = db.session.scalar(select(Calculation).join(Filing).where(Calculation.is_current))
    # The stored Calculation, exactly (as a string, not a float).
    assert Decimal(body["total_tco2e"]) == calc.total_tco2e
    assert Decimal(body["scope1_tco2e"]) == calc.scope1_tco2e and Decimal(body["scope2_tco2e"]) == calc.scope2_tco2e
    assert sum(Decimal(line["tco2e"]) for line in body["lines"]) == calc.total_tco2e
    assert isinstance(body["findings"], list)


def test_put_replaces_lines_and_keeps_production_when_left_out(client, plant, token_for):
    headers = token_for(plant["admin"])
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    body = client.put(f"/api/v1/filings/{MONTH}", headers=headers,
                      json={"lines": example_lines(plant)[:2]}).json
    assert len(body["lines"]) == 2
    assert body["production"][0]["quantity"] == "1000" and body["output_value_10k_cny"] == "5000"


@pytest.mark.parametrize("line, field, message", [
    ({"quantity": "-1"}, "lines[1].quantity", "must be ≥ 0"),
    ({"quantity": "abc"}, "lines[1].quantity", "decimal"),
    ({"quantity": "1.1234567"}, "lines[1].quantity", "decimal places"),
    ({"quantity": "1e30"}, "lines[1].quantity", "less than"),
    ({"quantity": "NaN"}, "lines[1].quantity", "finite"),
    ({"quantity": True}, "lines[1].quantity", "decimal"),
    ({"quantity": "6070,3"}, "lines[1].quantity", "use a point for decimals"),
    ({"quantity": "1.234,5"}, "lines[1].quantity", "use a point for decimals"),
    ({"quantity": "6070_3"}, "lines[1].quantity", "use a point for decimals"),
    ({"source_id": 999999}, "lines[1].source_id", "unknown emission source"),
    ({"source_id": "1"}, "lines[1].source_id", "integer"),
    ({"unit": "furlongs"}, "lines[1].unit", "unknown unit"),
    ({"colour": "red"}, "lines[1].colour", "unknown field"),
])
def test_put_refuses_bad_lines_with_the_field_path(client, db, plant, token_for, line, field, message):
    lines = example_lines(plant)
    lines[1] = {**lines[1], **line}
    error = _error(client.put(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"]), json={"lines": lines}),
                   422, "validation_failed")
    assert message in error["fields"][field]
    assert db.session.scalar(select(Filing)) is None  # all or nothing


def test_a_decimal_comma_is_refused_wherever_a_number_goes_and_nothing_is_stored(client, db, plant, token_for):
    """"6070,3" is never guessed (60703 or 6070.3): each field names the problem; the API takes no separators."""
    body = example_body(plant, gas="6070,3")
    body["lines"][0]["measured"] = {"ncv": "38,93"}
    body["lines"][2]["green_mwh"] = "1,234"
    body["production"][0]["quantity"] = "1,000,00"
    body["output_value_10k_cny"] = "5000,5"
    error = _error(client.put(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"]), json=body),
                   422, "validation_failed")
    expected = "use a point for decimals and no thousands separators, e.g. \"6070.3\""
    assert error["fields"] == {"lines[0].quantity": expected, "lines[0].measured.ncv": expected,
                               "lines[2].green_mwh": expected, "production[0].quantity": expected,
                               "output_value_10k_cny": expected}
    assert db.session.scalar(select(Filing)) is None
    # A JSON number is a number: 40.3 is read as it is.
    created = client.put(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"]),
                         json={**example_body(plant), "lines": [{**example_lines(plant)[0], "quantity": 40.3}]})
    assert created.status_code == 201 and created.json["lines"][0]["quantity"] == "40.3"


def test_put_refuses_another_tenants_source_like_a_missing_one(client, db, plant, make_org, token_for):
    other = make_org(name="乙公司")
    facility = Facility(org_id=other.id, name="乙厂")
    db.session.add(facility)
    db.session.flush()
    foreign = EmissionSource(org_id=other.id, facility_id=facility.id, name="乙锅炉", category="stationary_combustion",
                             material="diesel", activity_unit="t")
    db.session.add(foreign)
    db.session.commit()
    error = _error(client.put(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"]),
                              json={"lines": [{"source_id": foreign.id, "quantity": "1", "unit": "t"}]}),
                   422, "validation_failed")
    assert error["fields"] == {"lines[0].source_id": "unknown emission source"}
    assert "乙" not in str(error)


def test_put_refuses_duplicate_sources_and_unknown_products(client, plant, token_for):
    lines = example_lines(plant)
    error = _error(client.put(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"]),
                              json={"lines": lines + lines[:1], "production": [{"product_id": 0, "quantity": "1"}]}),
                   422, "validation_failed")
    assert error["fields"]["lines[4].source_id"] == "this source appears twice"
    assert error["fields"]["production[0].product_id"] == "unknown product"


@pytest.mark.parametrize("body, status, code", [
    (b"{not json", 400, "invalid_json"), (b"", 400, "invalid_json"), (b"[1, 2]", 422, "validation_failed"),
    (b'{"lines": "all of them"}', 422, "validation_failed"), (b"[" * 100000, 400, "invalid_json"),
])
def test_put_refuses_malformed_bodies(client, plant, token_for, body, status, code):
    _error(client.put(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"]), data=body,
                      content_type="application/json"), status, code)


def test_put_wants_json(client, plant, token_for):
    _error(client.put(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"]), data={"lines": "x"}),
           415, "unsupported_media_type")


def test_put_refuses_a_huge_body(client, plant, token_for):
    _error(client.put(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"]),
                      data=b"{" + b" " * (1024 * 1024 + 1) + b"}", content_type="application/json"),
           413, "payload_too_large")


@pytest.mark.parametrize("month", ["2025-13", "2025-1", "25-01", "2025-00", "1999-12", "abcd-ef"])
def test_bad_months_are_400(client, plant, token_for, month):
    error = _error(client.get(f"/api/v1/filings/{month}", headers=token_for(plant["admin"])), 400, "invalid_month")
    assert "month" in error["fields"]


def test_a_month_that_has_not_begun_is_refused(client, plant, token_for):
    error = _error(client.put("/api/v1/filings/2099-01", headers=token_for(plant["admin"]),
                              json={"lines": example_lines(plant)}), 422, "validation_failed")
    assert error["fields"] == {"month": "has not begun yet"}


def test_put_after_submission_is_409(client, plant, token_for):
    headers = token_for(plant["admin"])
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    assert client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers, json={}).status_code == 200
    _error(client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant)), 409, "not_editable")
    _error(client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers), 409, "not_editable")


# --- submission -----------------------------------------------------------------------------------

def test_submit_without_a_body_submits(client, db, plant, token_for):
    headers = token_for(plant["admin"])
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    response = client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers)
    assert response.status_code == 200 and response.json["status"] == "submitted"
    assert response.json["submitted_at"].endswith("Z")


def test_submit_of_a_missing_month_is_404(client, plant, token_for):
    _error(client.post(f"/api/v1/filings/{MONTH}/submit", headers=token_for(plant["admin"])), 404, "not_found")


def test_submit_with_an_unexplained_warning_names_it_then_accepts_the_explanation(client, plant, token_for):
    headers = token_for(plant["admin"])
    body = example_body(plant)
    body["production"][0]["quantity"] = "0"  # fuel burnt without output: a warning
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=body)
    findings = client.get(f"/api/v1/filings/{MONTH}", headers=headers).json["findings"]
    assert {"key": "zero-output", "level": "warning"}.items() <= next(
        f for f in findings if f["key"] == "zero-output").items()
    error = _error(client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers, json={"explanations": {}}),
                   422, "explanations_required")
    assert "explanations.zero-output" in error["fields"]
    response = client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers,
                           json={"explanations": {"zero-output": "检修停产"}})
    assert response.status_code == 200
    assert response.json["explanations"] == {"zero-output": "检修停产"}


def test_submit_with_a_blocking_error_is_422(client, plant, token_for):
    headers = token_for(plant["admin"])
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json={"lines": example_lines(plant)[:2]})
    error = _error(client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers), 422, "plausibility_errors")
    assert all(key.startswith("findings.") for key in error["fields"])


def test_submit_refuses_bad_explanations(client, plant, token_for):
    headers = token_for(plant["admin"])
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    error = _error(client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers,
                               json={"explanations": {"x": 5}}), 422, "validation_failed")
    assert error["fields"] == {"explanations.x": "must be a string"}


# --- the regulator ------------------------------------------------------------------------------

@pytest.fixture
def submitted(client, plant, token_for):
    headers = token_for(plant["admin"])
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    return client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers).json["id"]


def test_regulator_lists_submitted_filings_by_month(client, plant, regulator, token_for, submitted):
    headers = token_for(regulator, "read")
    page = client.get(f"/api/v1/regulator/filings?status=submitted&month={MONTH}", headers=headers).json
    assert page["total"] == 1 and page["filings"][0]["id"] == submitted
    assert page["filings"][0]["organisation"]["name"] == "锦湾示范化工有限公司"
    assert client.get("/api/v1/regulator/filings?month=2025-05", headers=headers).json["total"] == 0
    assert client.get("/api/v1/regulator/filings?status=approved", headers=headers).json["filings"] == []
    assert client.get(f"/api/v1/regulator/filings/{submitted}", headers=headers).json["status"] == "submitted"


@pytest.mark.parametrize("query, field", [("status=lost", "status"), ("month=2025-6", "month"), ("page=0", "page"),
                                          ("per_page=1000", "per_page"), ("page=x", "page")])
def test_regulator_list_refuses_bad_parameters(client, regulator, token_for, query, field):
    error = _error(client.get(f"/api/v1/regulator/filings?{query}", headers=token_for(regulator)), 400,
                   "invalid_month" if field == "month" else "invalid_parameter")
    assert field in error["fields"]


def test_regulator_approves_then_cannot_approve_again(client, db, regulator, token_for, submitted):
    headers = token_for(regulator)
    response = client.post(f"/api/v1/regulator/filings/{submitted}/approve", headers=headers)
    assert response.status_code == 200 and response.json["status"] == "approved"
    _error(client.post(f"/api/v1/regulator/filings/{submitted}/approve", headers=headers), 409, "not_submitted")
    _error(client.post(f"/api/v1/regulator/filings/{submitted}/return", headers=headers, json={"comment": "x"}),
           409, "not_submitted")


def test_regulator_returns_with_a_comment(client, db, regulator, token_for, submitted):
    headers = token_for(regulator)
    error = _error(client.post(f"/api/v1/regulator/filings/{submitted}/return", headers=headers, json={}),
                   422, "validation_failed")
    assert "comment" in error["fields"]
    response = client.post(f"/api/v1/regulator/filings/{submitted}/return", headers=headers,
                           json={"comment": "请补充燃气发票"})
    assert response.status_code == 200
    assert response.json["status"] == "returned" and response.json["review_comment"] == "请补充燃气发票"


def test_unknown_filing_id_is_404(client, regulator, token_for):
    _error(client.post("/api/v1/regulator/filings/987654/approve", headers=token_for(regulator)), 404, "not_found")
    _error(client.get("/api/v1/regulator/filings/99999999999999", headers=token_for(regulator)), 404, "not_found")


# --- the city index --------------------------------------------------------------------------------

def test_city_index_of_a_year(client, regulator, token_for):
    response = client.get("/api/v1/city/index?year=2025", headers=token_for(regulator, "read"))
    assert response.status_code == 200
    body = response.json
    assert body["year"] == 2025 and [m["month"] for m in body["months"]] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert {row["key"] for row in body["sector_totals"]["sectors"]} == {"energy", "industry", "transport",
                                                                         "buildings", "other"}
    assert client.get("/api/v1/city/index?year=2100", headers=token_for(regulator)).json["months"] == []
    _error(client.get("/api/v1/city/index?year=20x5", headers=token_for(regulator)), 400, "invalid_parameter")


def test_city_index_is_the_authoritys(client, plant, token_for):
    _error(client.get("/api/v1/city/index", headers=token_for(plant["admin"])), 403, "forbidden")


# --- errors are JSON everywhere under /api/ ---------------------------------------------------------

def test_unknown_paths_and_methods_answer_json(client, plant, token_for):
    headers = token_for(plant["admin"])
    _error(client.get("/api/v1/nothing/here", headers=headers), 404, "not_found")
    _error(client.get("/api/v2/me", headers=headers), 404, "not_found")
    _error(client.delete("/api/v1/me", headers=headers), 405, "method_not_allowed")
    _error(client.patch(f"/api/v1/filings/{MONTH}", headers=headers), 405, "method_not_allowed")


def test_messages_in_chinese_on_request(client, plant, token_for):
    headers = {**token_for(plant["admin"]), "Accept-Language": "zh-CN,zh;q=0.9"}
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers)
    body = client.get(f"/api/v1/filings/{MONTH}", headers=headers).json
    assert body["status"] == "submitted"  # codes stay English


def test_every_api_write_is_audited_with_its_token(client, db, plant, token_for, regulator, submitted):
    from app.api.models import ApiToken

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ("filing.created", "filing.saved", "filing.submitted")))).all()
    assert {e.action for e in events} == {"filing.created", "filing.saved", "filing.submitted"}
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == plant["admin"].id))
    assert all(e.detail["via"] == "api" and e.detail["token_id"] == token_id for e in events)
    client.post(f"/api/v1/regulator/filings/{submitted}/approve", headers=token_for(regulator))
    approved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.approved"))
    assert approved.detail["via"] == "api" and approved.actor_id == regulator.id


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.")
    assert {"/me", "/sources", "/filings/{month}", "/filings/{month}/submit", "/filings/{month}/comments",
            "/regulator/filings",
            "/regulator/filings/{filing_id}/approve", "/regulator/filings/{filing_id}/return",
            "/city/index"} <= set(doc["paths"])
    assert "certificates" in {tag["name"] for tag in doc["tags"]}




@pytest.mark.parametrize("unit", ["万kWh", "万千瓦时", "10^4 kWh"])
def test_electricity_in_ten_thousand_kwh_as_chinese_bills_write_it(client, db, plant, token_for, unit):
    """Issue 16 #14: 235.04 万千瓦时 is the 2,350.4 MWh of the example month, to the gram."""
    headers = token_for(plant["admin"])
    power = plant["sources"]["power"].id
    in_mwh = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant)).json
    lines = [dict(line, quantity="235.04", unit=unit) if line["source_id"] == power else line
             for line in example_lines(plant)]
    response = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json={**example_body(plant), "lines": lines})
    assert response.status_code == 200, response.json
    line = next(x for x in response.json["lines"] if x["source_id"] == power)
    assert line["unit"] == "10^4 kWh" and line["quantity"] == "235.04"
    assert line["tco2e"] == next(x for x in in_mwh["lines"] if x["source_id"] == power)["tco2e"]
