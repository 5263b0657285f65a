"""GET /api/v1/obligations: the owed months of the token's enterprise (an authority token names one), each with
its effective state, due date (the 15th of the next month) and days overdue."""
from datetime import date, timedelta

import pytest

from app.api.openapi import document
from app.core.types import city_today
from app.filings.models import Filing
from app.filings.workflow import add_months


def _file(db, org, period, *statuses):
    """Revisions 1, 2, … of a month in these states."""
    for revision, status in enumerate(statuses, start=1):
        db.session.add(Filing(org_id=org.id, period=period, revision=revision, status=status))
    db.session.commit()


@pytest.fixture
def owing(db, plant):
    """The plant reports from 2025-01; its months to 2025-06 in every state."""
    org = plant["org"]
    org.first_reporting_month = date(2025, 1, 1)
    _file(db, org, date(2024, 12, 1), "approved")  # before its first reporting month: never listed
    _file(db, org, date(2025, 2, 1), "draft")
    _file(db, org, date(2025, 3, 1), "submitted")
    _file(db, org, date(2025, 4, 1), "returned")  # returned to the enterprise: owed again
    _file(db, org, date(2025, 5, 1), "approved", "draft")  # an amendment in draft: the approved one counts
    _file(db, org, date(2025, 6, 1), "approved")
    return plant


def _overdue(due: str) -> int:
    return max((city_today() - date.fromisoformat(due)).days, 0)


def test_the_months_owed_with_state_due_date_and_days_overdue(client, owing, token_for):
    response = client.get("/api/v1/obligations?from=2024-10&to=2025-06", headers=token_for(owing["admin"], "read"))
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["org_id"], body["from"], body["to"]) == (owing["org"].id, "2024-10", "2025-06")
    months = body["months"]
    assert [(m["month"], m["status"], m["due_date"]) for m in months] == [
        ("2025-01", "owed", "2025-02-15"), ("2025-02", "draft", "2025-03-15"),
        ("2025-03", "submitted", "2025-04-15"), ("2025-04", "returned", "2025-05-15"),
        ("2025-05", "approved", "2025-06-15"), ("2025-06", "approved", "2025-07-15")]
    # Days past the due date while nothing is submitted or approved (owed, draft, returned); else 0.
    assert [m["overdue_days"] for m in months] == [
        _overdue("2025-02-15"), _overdue("2025-03-15"), 0, _overdue("2025-05-15"), 0, 0]
    assert months[0]["overdue_days"] == (city_today() - date(2025, 2, 15)).days > 0


def test_default_range_is_the_twelve_ended_months(client, db, plant, token_for):
    plant["org"].first_reporting_month = date(2020, 1, 1)
    db.session.commit()
    current = city_today().replace(day=1)
    response = client.get("/api/v1/obligations", headers=token_for(plant["admin"], "read"))
    months = [m["month"] for m in response.json["months"]]
    assert months == [add_months(current, k).strftime("%Y-%m") for k in range(-12, 0)]
    assert all(m["status"] == "owed" for m in response.json["months"])


def test_a_new_enterprise_owes_nothing_before_its_first_reporting_month(client, db, plant, token_for):
    current = city_today().replace(day=1)
    plant["org"].first_reporting_month = add_months(current, 1)  # registered today: owes from next month
    db.session.commit()
    response = client.get(f"/api/v1/obligations?from=2020-01&to={current:%Y-%m}",
                          headers=token_for(plant["admin"], "read"))
    assert response.status_code == 200 and response.json["months"] == []


def test_closure_ends_the_months_owed_and_the_future_is_not_listed(client, db, owing, token_for):
    owing["org"].last_reporting_month = date(2025, 3, 1)
    db.session.commit()
    response = client.get("/api/v1/obligations?from=2025-01&to=2100-12", headers=token_for(owing["admin"], "read"))
    assert [m["month"] for m in response.json["months"]] == ["2025-01", "2025-02", "2025-03"]


def test_the_current_month_is_listed_when_asked_for_and_not_overdue(client, db, plant, token_for):
    current = city_today().replace(day=1)
    plant["org"].first_reporting_month = date(2020, 1, 1)
    db.session.commit()
    response = client.get(f"/api/v1/obligations?from={current:%Y-%m}&to=2100-01",
                          headers=token_for(plant["admin"], "read"))
    [month] = response.json["months"]
    assert month["month"] == f"{current:%Y-%m}" and month["overdue_days"] == 0
    assert date.fromisoformat(month["due_date"]) > city_today() - timedelta(days=1)


def test_a_regulator_names_the_enterprise(client, owing, regulator, token_for):
    headers = token_for(regulator, "read")
    response = client.get(f"/api/v1/obligations?org_id={owing['org'].id}&from=2025-01&to=2025-02", headers=headers)
    assert response.status_code == 200
    assert [m["status"] for m in response.json["months"]] == ["owed", "draft"]
    missing = client.get("/api/v1/obligations", headers=headers)
    assert missing.status_code == 422 and missing.json["error"]["fields"] == {"org_id": "required"}
    assert client.get("/api/v1/obligations?org_id=999999", headers=headers).status_code == 404
    authority_id = regulator.org_id  # not an enterprise
    assert client.get(f"/api/v1/obligations?org_id={authority_id}", headers=headers).status_code == 404


def test_an_enterprise_passing_another_org_id_gets_404(client, owing, make_org, token_for):
    other = make_org(name="别家企业")
    headers = token_for(owing["admin"], "read")
    response = client.get(f"/api/v1/obligations?org_id={other.id}", headers=headers)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    own = client.get(f"/api/v1/obligations?org_id={owing['org'].id}&from=2025-01&to=2025-01", headers=headers)
    assert own.status_code == 200 and own.json["months"][0]["status"] == "owed"


@pytest.mark.parametrize("query, field", [("from=2025-13", "from"), ("to=25-01", "to"), ("from=2025-1", "from"),
                                          ("from=2025-06&to=2025-01", "from"), ("from=2000-01&to=2100-12", "to"),
                                          ("org_id=abc", "org_id")])
def test_a_bad_month_or_range_is_422_with_a_message(client, plant, token_for, query, field):
    response = client.get(f"/api/v1/obligations?{query}", headers=token_for(plant["admin"], "read"))
    assert response.status_code == 422
    error = response.json["error"]
    assert field in error["fields"] and error["message"]


def test_read_scope_suffices_and_a_token_is_needed(client, plant, token_for):
    assert client.get("/api/v1/obligations").status_code == 401
    assert client.get("/api/v1/obligations", headers=token_for(plant["admin"], "read")).status_code == 200


def test_the_openapi_document_describes_it():
    operation = document()["paths"]["/obligations"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "org_id"}
    assert {"200", "404", "422"} <= set(operation["responses"])
    item = document()["components"]["schemas"]["Obligations"]["properties"]["months"]["items"]
    assert item["properties"]["status"]["enum"] == ["owed", "draft", "submitted", "approved", "returned"]
