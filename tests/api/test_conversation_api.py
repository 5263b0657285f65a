"""The month's conversation over the API (issue 15): GET /filings/{month} lists it, POST .../comments replies."""
import pytest
from sqlalchemy import func, select

from app.filings.models import Filing, ReviewComment
from app.notifications.models import Notification
from tests.helpers.api import MONTH, example_body


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["code"] == code, response.json
    return response.json["error"]


@pytest.fixture
def returned(client, plant, regulator, token_for):
    """The plant's month, submitted over the API and returned with a comment on the filing and on the gas line."""
    headers = token_for(plant["admin"])
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    filing_id = client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers).json["id"]
    response = client.post(f"/api/v1/regulator/filings/{filing_id}/return", headers=token_for(regulator),
                           json={"comment": "请核对燃气", "line_comments": {str(plant["sources"]["gas"].id): "与发票不符"}})
    assert response.status_code == 200
    return filing_id


def test_get_lists_the_conversation_in_order(client, plant, returned, token_for):
    gas = plant["sources"]["gas"].id
    headers = token_for(plant["admin"])
    reply = client.post(f"/api/v1/filings/{MONTH}/comments", headers=headers,
                        json={"text": "发票为 37.5 万Nm3", "source_id": gas})
    assert reply.status_code == 201
    assert reply.json["author_role"] == "enterprise" and reply.json["source_id"] == gas
    assert reply.json["created_at"].endswith("Z") and reply.json["text"] == "发票为 37.5 万Nm3"
    comments = client.get(f"/api/v1/filings/{MONTH}", headers=token_for(plant["admin"], "read")).json["comments"]
    assert [(c["author_role"], c["source_id"], c["text"]) for c in comments] == [
        ("regulator", None, "请核对燃气"), ("regulator", gas, "与发票不符"), ("enterprise", gas, "发票为 37.5 万Nm3")]
    assert comments[-1]["id"] == reply.json["id"]


def test_a_reply_changes_no_figure_or_status_and_tells_the_regulator(client, db, plant, regulator, returned,
                                                                     token_for):
    headers = token_for(plant["admin"])
    before = client.get(f"/api/v1/filings/{MONTH}", headers=headers).json
    assert client.post(f"/api/v1/filings/{MONTH}/comments", headers=headers, json={"text": "已核对"}).status_code == 201
    after = client.get(f"/api/v1/filings/{MONTH}", headers=headers).json
    assert {k: v for k, v in after.items() if k != "comments"} == {k: v for k, v in before.items() if k != "comments"}
    assert after["status"] == "returned"
    [note] = db.session.scalars(select(Notification).where(Notification.kind == "filing.enterprise_commented")).all()
    assert (note.user_id, note.filing_id, note.detail["comment"]) == (regulator.id, returned, "已核对")


@pytest.mark.parametrize("body, field", [
    ({}, "text"), ({"text": ""}, "text"), ({"text": "   "}, "text"), ({"text": 5}, "text"),
    ({"text": "长" * 4001}, "text"), ({"text": "好", "source_id": "1"}, "source_id"),
    ({"text": "好", "source_id": 999999}, "source_id"), ({"text": "好", "colour": "red"}, "colour")])
def test_bad_comments_are_422_and_store_nothing(client, db, plant, returned, token_for, body, field):
    error = _error(client.post(f"/api/v1/filings/{MONTH}/comments", headers=token_for(plant["admin"]), json=body),
                   422, "validation_failed")
    assert field in error["fields"]
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 2  # the regulator's two


def test_a_nul_character_in_a_comment_is_refused_before_anything_reads_it(client, db, plant, returned, token_for):
    """Every JSON body of the API refuses NUL (issue 16 #6) with a 400 that says so; nothing is stored."""
    error = _error(client.post(f"/api/v1/filings/{MONTH}/comments", headers=token_for(plant["admin"]),
                               json={"text": "a\u0000b"}), 400, "invalid_json")
    assert "NUL" in error["message"]
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 2


def test_a_repeated_idempotency_key_adds_one_comment(client, db, plant, returned, token_for):
    headers = {**token_for(plant["admin"]), "Idempotency-Key": "reply-1"}
    first = client.post(f"/api/v1/filings/{MONTH}/comments", headers=headers, json={"text": "已核对"})
    again = client.post(f"/api/v1/filings/{MONTH}/comments", headers=headers, json={"text": "已核对"})
    assert (first.status_code, again.status_code) == (201, 201) and first.json == again.json
    assert db.session.scalar(select(func.count(ReviewComment.id)).where(ReviewComment.author_side == "enterprise")) == 1


def test_who_may_reply(client, db, plant, returned, token_for, make_user, regulator):
    url = f"/api/v1/filings/{MONTH}/comments"
    _error(client.post(url, headers=token_for(plant["admin"], "read"), json={"text": "x"}), 403, "insufficient_scope")
    # A viewer only ever holds a read token (app.api.tokens), so its reply stops at the scope.
    _error(client.post(url, headers=token_for(make_user(plant["org"], "viewer"), "read"), json={"text": "x"}), 403,
           "insufficient_scope")
    _error(client.post(url, headers=token_for(regulator), json={"text": "x"}), 403, "forbidden")
    _error(client.post(url, json={"text": "x"}), 401, "unauthorized")
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 2


def test_another_tenants_month_is_404(client, db, plant, returned, token_for, make_org, make_user):
    other = make_user(make_org(name="别家企业"), "enterprise_admin")
    headers = token_for(other)
    _error(client.get(f"/api/v1/filings/{MONTH}", headers=headers), 404, "not_found")
    _error(client.post(f"/api/v1/filings/{MONTH}/comments", headers=headers, json={"text": "x"}), 404, "not_found")
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 2
    assert db.session.get(Filing, returned).status == "returned"


def test_openapi_documents_the_conversation(client):
    doc = client.get("/api/v1/openapi.json").json
    post = doc["paths"]["/filings/{month}/comments"]["post"]
    assert {"201", "404", "422"} <= set(post["responses"])
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/CommentInput")
    assert doc["components"]["schemas"]["Filing"]["properties"]["comments"]["items"]["$ref"].endswith("/Comment")
    assert set(doc["components"]["schemas"]["Comment"]["required"]) >= {"author_role", "text", "created_at",
                                                                        "source_id"}
