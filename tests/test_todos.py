"""The inbox's to-do list: each kind of item, where it leads, and nothing of another enterprise."""
import re
from datetime import date, datetime, timezone

import pytest

from app.filings import workflow
from app.filings.models import Filing
from app.tenancy import acting_on, cross_tenant_write, scope_of
from app.verification import services as verification
from app.verification.models import Engagement, VerificationFinding
from tests.conftest import csrf_token, login
from tests.helpers.filings import file_month

NOW = datetime(2022, 7, 8, 2, 0, tzinfo=timezone.utc)


def _todos(client) -> str:
    page = client.get("/inbox/").get_data(as_text=True)
    return page.split('data-testid="todos"', 1)[1].split('data-testid="notifications"', 1)[0]


def _item(todos: str, kind: str, month: str | None = None) -> str:
    marker = f'data-kind="{kind}"' + (f' data-month="{month}"' if month else "")
    assert marker in todos, f"no {marker} in {todos}"
    return todos.split(marker, 1)[1].split('<li class="list-group-item', 1)[0]  # up to the next item


def _href(item: str) -> str:
    return re.search(r'href="([^"]+)"', item).group(1)


def test_a_returned_month_shows_the_regulators_comments_and_opens_the_filing(app, client, db, plant, regulator,
                                                                             energy_manager):
    filing_id = file_month(app, db, plant)
    gas = plant["sources"]["gas"]
    with app.test_request_context():
        workflow.return_filing(regulator, db.session.get(Filing, filing_id), "请补充发票",
                               {gas.id: "天然气用量与发票不符"})
        db.session.commit()
    login(client, energy_manager)
    item = _item(_todos(client), "returned", "2022-06")
    assert _href(item) == f"/filings/{filing_id}"
    assert "请补充发票" in item
    assert "<strong>燃气锅炉</strong>: 天然气用量与发票不符" in item
    assert client.get(_href(item)).status_code == 200


def test_drafts_and_amendments_not_yet_submitted(app, client, db, plant, regulator, energy_manager):
    draft_id = file_month(app, db, plant, period=date(2022, 5, 1), submit=False)
    file_month(app, db, plant, period=date(2022, 4, 1), approve_by=regulator)
    with app.test_request_context():
        amendment = workflow.amend(plant["admin"], plant["org"], date(2022, 4, 1), "更正电量")
        db.session.commit()
        amendment_id = amendment.id
    login(client, energy_manager)
    todos = _todos(client)
    assert _href(_item(todos, "draft", "2022-05")) == f"/filings/{draft_id}"
    assert _href(_item(todos, "amendment_draft", "2022-04")) == f"/filings/{amendment_id}"
    assert todos.index('data-month="2022-05"') < todos.index('data-month="2022-04"')  # newest first


def test_overdue_and_due_soon_months_open_the_month(app, client, db, plant, energy_manager, monkeypatch):
    org = plant["org"]
    org.created_at, org.first_reporting_month = datetime(2026, 2, 10, tzinfo=timezone.utc), date(2026, 3, 1)
    db.session.commit()
    monkeypatch.setattr("app.notifications.views.city_today", lambda: date(2026, 5, 8))
    login(client, energy_manager)
    todos = _todos(client)
    overdue, due_soon = _item(todos, "overdue", "2026-03"), _item(todos, "due_soon", "2026-04")
    assert "23" in overdue  # days past 2026-04-15
    for item, period in ((overdue, "2026-03"), (due_soon, "2026-04")):
        assert 'action="/filings/open"' in item and f'name="period" value="{period}"' in item
    # The button opens a draft of the month and goes to it.
    response = client.post("/filings/open", data={"period": "2026-03", "csrf_token": csrf_token(client, "/inbox/")})
    db.session.expire_all()
    draft = db.session.query(Filing).filter_by(org_id=org.id, period=date(2026, 3, 1)).one()
    assert response.headers["Location"].endswith(f"/filings/{draft.id}")
    # Now the month is a draft to finish, still overdue.
    todos = _todos(client)
    assert _href(_item(todos, "draft", "2026-03")) == f"/filings/{draft.id}"
    assert 'list-group-item-danger" data-kind="draft" data-month="2026-03"' in todos


def test_the_regulator_sees_reviews_waiting_and_overdue_enterprises(app, client, db, plant, regulator, make_org):
    file_month(app, db, plant)
    today = date.today()
    make_org(name="逾期测试有限公司", first_reporting_month=date(today.year - 1, today.month, 1))
    login(client, regulator)
    todos = _todos(client)
    assert _href(_item(todos, "to_review")) == "/review/"
    item = _item(todos, "overdue_enterprises")
    assert _href(item) == "/review/overdue"
    assert re.search(r"(Enterprises with overdue months|有逾期月份的企业)\S*\s*1\b", item)


@pytest.fixture
def engagement(app, db, plant, regulator, make_org, make_user):
    """The plant's 2022 verified by a body, with one finding raised."""
    file_month(app, db, plant, period=date(2022, 1, 1), approve_by=regulator)
    with app.test_request_context(), scope_of(regulator):
        with cross_tenant_write():
            body = verification.register_body(regulator, {"name": "锦湾碳核查中心", "accreditation_no": "CNAS-V-9"})
        db.session.commit()
    verifier = make_user(body, "verifier")
    with app.test_request_context(), scope_of(regulator), acting_on(plant["org"].id):
        found = verification.assign(regulator, plant["org"], body, 2022, now=NOW)
        db.session.commit()
        engagement_id = found.id
    with app.test_request_context(), scope_of(verifier):
        finding = verification.raise_finding(verifier, db.session.get(Engagement, engagement_id),
                                             {"month": 1, "severity": "observation", "text": "计量器具未校准"}, now=NOW)
        db.session.commit()
        finding_id = finding.id
    return {"id": engagement_id, "verifier": verifier, "finding": finding_id}


def test_verification_findings_and_opinions_to_do(app, client, db, plant, regulator, engagement):
    url = f"/verification/engagements/{engagement['id']}"
    login(client, plant["admin"])
    item = _item(_todos(client), "findings_to_answer")
    assert _href(item) == url and "1" in item
    with app.test_request_context(), scope_of(plant["admin"]):
        verification.answer_finding(plant["admin"], db.session.get(VerificationFinding, engagement["finding"]),
                                    "已校准", now=NOW)
        db.session.commit()
    assert 'data-kind="findings_to_answer"' not in _todos(client)

    verifier_client = app.test_client()
    login(verifier_client, engagement["verifier"])
    assert _href(_item(_todos(verifier_client), "findings_to_close")) == url
    with app.test_request_context(), scope_of(engagement["verifier"]):
        verification.issue_opinion(engagement["verifier"], db.session.get(Engagement, engagement["id"]),
                                   "not_verified", "1", "资料不全", now=NOW)
        db.session.commit()
    regulator_client = app.test_client()
    login(regulator_client, regulator)
    assert _href(_item(_todos(regulator_client), "opinions_to_confirm")) == url


def test_nothing_of_another_enterprise(app, client, db, plant, regulator, engagement, make_org, make_user):
    filing_id = file_month(app, db, plant)
    with app.test_request_context():
        workflow.return_filing(regulator, db.session.get(Filing, filing_id), "秘密意见")
        db.session.commit()
    file_month(app, db, plant, period=date(2022, 5, 1), submit=False)
    other = make_org(name="别家企业有限公司")
    login(client, make_user(other, "energy_manager"))
    todos = _todos(client)
    assert "秘密意见" not in todos and f"/filings/{filing_id}" not in todos
    assert 'data-kind="returned"' not in todos and 'data-kind="draft"' not in todos
    assert 'data-kind="findings_to_answer"' not in todos
    assert 'data-testid="nothing-to-do"' in todos


def test_viewers_have_no_filing_to_dos(app, client, db, plant, regulator, make_user):
    file_month(app, db, plant, submit=False)
    login(client, make_user(plant["org"], "viewer"))
    assert 'data-kind="draft"' not in _todos(client)
