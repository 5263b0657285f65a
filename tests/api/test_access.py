"""Who may do what through the API (the same rules as the web), idempotent writes, rate limits, token management."""
import re

import pytest
from sqlalchemy import func, select

from app.api.models import ApiToken, IdempotentRequest
from app.audit.models import AuditEvent
from app.filings.models import Filing
from tests.conftest import csrf_token, login, post
from tests.helpers.api import MONTH, example_body


def _code(response):
    return response.status_code, response.json["error"]["code"] if response.status_code >= 400 else None


@pytest.fixture
def submitted(client, plant, token_for):
    headers = token_for(plant["admin"])
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    return client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers).json["id"]


# --- roles, scopes, tenants ---------------------------------------------------------------------------

def test_an_energy_managers_token_cannot_approve(client, db, manager, token_for, submitted):
    headers = token_for(manager)
    assert _code(client.post(f"/api/v1/regulator/filings/{submitted}/approve", headers=headers)) == (403, "forbidden")
    assert _code(client.post(f"/api/v1/regulator/filings/{submitted}/return", headers=headers,
                             json={"comment": "x"})) == (403, "forbidden")
    assert _code(client.get("/api/v1/regulator/filings", headers=headers)) == (403, "forbidden")
    assert db.session.get(Filing, submitted).status == "submitted"


def test_another_enterprises_token_gets_404_for_our_filing_ids(client, db, make_org, make_user, token_for,
                                                                 submitted):
    b = make_org(name="乙企业")
    for role in ("enterprise_admin", "energy_manager", "viewer"):
        headers = token_for(make_user(b, role), "write" if role != "viewer" else "read")
        for method, url in (("GET", f"/api/v1/regulator/filings/{submitted}"),
                            ("POST", f"/api/v1/regulator/filings/{submitted}/approve"),
                            ("POST", f"/api/v1/regulator/filings/{submitted}/return")):
            response = client.open(url, method=method, headers=headers, json={"comment": "x"})
            expected = (403, "insufficient_scope") if role == "viewer" and method == "POST" else (404, "not_found")
            assert _code(response) == expected, (role, url)
        # B has no filing of that month: A's is not B's.
        assert _code(client.get(f"/api/v1/filings/{MONTH}", headers=headers)) == (404, "not_found")
    assert db.session.get(Filing, submitted).status == "submitted"


def test_a_read_token_cannot_write(client, db, plant, token_for):
    headers = token_for(plant["admin"], "read")
    assert _code(client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))) == \
        (403, "insufficient_scope")
    assert db.session.scalar(select(Filing)) is None


def test_a_viewer_cannot_file_even_with_a_write_scope_token(client, db, plant, make_user):
    from app.api import tokens

    viewer = make_user(plant["org"], "viewer")
    token, secret = tokens.create_token(plant["admin"], "x", "write")  # the viewer cannot get one; forge it
    token.user_id, token.scopes = viewer.id, "read write"
    db.session.commit()
    response = client.put(f"/api/v1/filings/{MONTH}", headers={"Authorization": f"Bearer {secret}",
                                                               "Idempotency-Key": "viewer-1"},
                          json=example_body(plant))
    assert _code(response) == (403, "forbidden")
    # @requires(FILE) refuses it after guarded: the API's JSON error, with the message it always had.
    assert response.json == {"error": {"code": "forbidden", "message": "Your role does not allow this."}}
    assert db.session.scalar(select(IdempotentRequest)) is None  # a role's refusal is not a stored answer


def test_a_revoked_token_gets_401(client, db, plant, token_for):
    from app.api import tokens

    headers = token_for(plant["admin"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    tokens.revoke_token(plant["admin"], db.session.scalar(select(ApiToken)))
    db.session.commit()
    assert _code(client.get("/api/v1/me", headers=headers)) == (401, "invalid_token")


def test_the_session_cookie_never_authenticates_the_api(client, db, plant):
    login(client, plant["admin"])
    assert client.get("/").status_code == 200  # signed in on the web
    assert _code(client.get("/api/v1/me")) == (401, "unauthorized")
    assert _code(client.put(f"/api/v1/filings/{MONTH}", json=example_body(plant))) == (401, "unauthorized")
    assert db.session.scalar(select(Filing)) is None


def test_a_password_reset_does_not_send_the_api_to_the_password_page(client, db, plant, token_for):
    headers = token_for(plant["admin"])
    plant["admin"].must_change_password = True
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200


# --- idempotency ------------------------------------------------------------------------------------

def test_a_repeated_put_with_the_same_key_changes_nothing(client, db, plant, token_for):
    headers = {**token_for(plant["admin"]), "Idempotency-Key": "ems-2025-06-run-1"}
    first = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    version = db.session.scalar(select(Filing.version))
    second = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
    assert db.session.scalar(select(Filing.version)) == version


def test_the_same_key_with_another_body_is_refused(client, db, plant, token_for):
    headers = {**token_for(plant["admin"]), "Idempotency-Key": "k1"}
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    response = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant, gas="40"))
    assert _code(response) == (422, "idempotency_key_reused")
    assert client.get(f"/api/v1/filings/{MONTH}", headers=headers).json["lines"][0]["quantity"] == "38"


def test_a_refused_write_is_remembered_too(client, db, plant, token_for):
    headers = {**token_for(plant["admin"]), "Idempotency-Key": "k2"}
    assert client.put(f"/api/v1/filings/{MONTH}", headers=headers, json={"lines": 3}).status_code == 422
    assert db.session.scalar(select(Filing)) is None
    assert db.session.scalar(select(IdempotentRequest)).status_code == 422


def test_a_repeated_approval_returns_the_first_answer(client, db, regulator, token_for, submitted):
    headers = {**token_for(regulator), "Idempotency-Key": "approve-1"}
    first = client.post(f"/api/v1/regulator/filings/{submitted}/approve", headers=headers)
    second = client.post(f"/api/v1/regulator/filings/{submitted}/approve", headers=headers)
    assert first.status_code == second.status_code == 200 and first.json == second.json
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "filing.approved")) == 1


def test_a_body_the_view_ignores_is_still_checked(client, db, regulator, token_for, submitted):
    """The approval reads no body, yet a NUL in it (400), a body that is not JSON (415) or one over the limit,
    chunked (413), is refused before the view runs, as on every other write route; the filing stays submitted."""
    import io

    from app.api.views import MAX_BODY_BYTES

    url, headers = f"/api/v1/regulator/filings/{submitted}/approve", token_for(regulator)
    assert _code(client.post(url, headers=headers, json={"comment": "a\x00b"})) == (400, "invalid_json")
    assert client.post(url, headers=headers, data={"comment": "x"}).status_code == 415
    chunked = {**headers, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    response = client.post(url, headers=chunked, input_stream=io.BytesIO(b"[" + b"0," * MAX_BODY_BYTES + b"0]"),
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and response.is_json
    assert db.session.get(Filing, submitted).status == "submitted"
    # No body (curl -d '' still says it is a form) is still an approval.
    assert client.post(url, headers=headers, content_type="application/x-www-form-urlencoded").status_code == 200


def test_keys_belong_to_their_user(client, db, plant, manager, token_for):
    headers = {"Idempotency-Key": "shared-key"}
    client.put(f"/api/v1/filings/{MONTH}", headers={**token_for(plant["admin"]), **headers}, json=example_body(plant))
    other = client.put(f"/api/v1/filings/{MONTH}", headers={**token_for(manager), **headers},
                       json=example_body(plant, gas="40"))
    assert other.status_code == 200 and "Idempotent-Replayed" not in other.headers


def test_a_bad_key_is_400(client, plant, token_for):
    headers = {**token_for(plant["admin"]), "Idempotency-Key": "with space"}
    assert _code(client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))) == \
        (400, "invalid_idempotency_key")


# --- rate limits ---------------------------------------------------------------------------------

def test_rate_limit_per_token(app, client, plant, manager, token_for):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        busy, quiet = token_for(plant["admin"]), token_for(manager)
        assert [client.get("/api/v1/me", headers=busy).status_code for _ in range(3)] == [200] * 3
        response = client.get("/api/v1/me", headers=busy)
        assert _code(response) == (429, "rate_limited")
        assert "Retry-After" in response.headers
        assert client.get("/api/v1/me", headers=quiet).status_code == 200  # another token has its own budget
    finally:
        app.config["API_RATE_LIMIT"] = "120 per minute"


# --- tokens on the web and the CLI -----------------------------------------------------------------

def test_a_token_is_created_on_the_account_page_shown_once_and_revoked(client, db, plant):
    login(client, plant["admin"])
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "API" in page
    response = post(client, "/account/tokens", {"name": "能源管理系统", "scope": "write"}, token_from="/account/tokens")
    body = response.get_data(as_text=True)
    secret = re.search(r'data-testid="new-token-secret">(tanji_[^<]+)<', body)[1]
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash != secret and secret not in str(token.__dict__)
    assert token.scope_list == ["read", "write"] and token.name == "能源管理系统"
    assert secret not in client.get("/account/tokens").get_data(as_text=True)  # shown once
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert post(client, f"/account/tokens/{token.id}/revoke", token_from="/account/tokens").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("api_token.%"))).all()
    assert sorted(actions) == ["api_token.created", "api_token.revoked"]


def test_another_users_token_cannot_be_revoked(client, db, plant, manager, token_for):
    token_for(manager)
    login(client, plant["admin"])  # the enterprise admin of the same organisation
    token = db.session.scalar(select(ApiToken))
    assert post(client, f"/account/tokens/{token.id}/revoke", token_from="/account/tokens").status_code == 404
    assert f"token-row-{token.id}" not in client.get("/account/tokens").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_a_viewer_creates_read_tokens_only(client, db, plant, make_user):
    viewer = make_user(plant["org"], "viewer")
    login(client, viewer)
    assert 'value="write"' not in client.get("/account/tokens").get_data(as_text=True)
    post(client, "/account/tokens", {"name": "x", "scope": "write"}, token_from="/account/tokens")
    assert db.session.scalar(select(ApiToken)) is None


def test_the_token_form_needs_csrf_and_a_name(client, db, plant):
    login(client, plant["admin"])
    client.post("/account/tokens", data={"name": "x", "scope": "read"})
    post(client, "/account/tokens", {"name": " ", "scope": "read"}, token_from="/account/tokens")
    assert db.session.scalar(select(ApiToken)) is None


def test_cli_creates_a_working_token(app, client, plant):
    result = app.test_cli_runner().invoke(args=["api-token", "create", plant["admin"].email, "--scope", "write",
                                                "--name", "script"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json["token"]["scopes"] == \
        ["read", "write"]
    assert app.test_cli_runner().invoke(args=["api-token", "create", "nobody@example.com"]).exit_code != 0


def test_the_reference_page_in_both_languages(client, plant):
    assert "Authorization: Bearer" in client.get("/help/api").get_data(as_text=True)
    login(client, plant["admin"])
    page = client.get("/help/api").get_data(as_text=True)
    assert "身份认证" in page and "/api/v1/filings/{YYYY-MM}" in page
    assert 'data-testid="footer-api"' in page and 'data-testid="nav-api-tokens"' in page
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client), "next": "/help/api"})
    assert "Authentication" in client.get("/help/api").get_data(as_text=True)


def test_a_key_on_a_path_no_route_has_is_still_a_clean_error(client, db, plant, token_for):
    headers = {**token_for(plant["admin"]), "Idempotency-Key": "long"}
    response = client.put("/api/v1/filings/" + "9" * 600, headers=headers, json=example_body(plant))
    assert _code(response) == (400, "invalid_month")
    assert db.session.scalar(select(IdempotentRequest)) is None


def test_no_api_route_lets_an_enterprise_record_an_allocation(app, client, plant, token_for):
    """Allocations come from the authority only (issue 15): the API has no ledger-writing route at all, so an
    enterprise token has nothing to post an allocation to."""
    writes = [rule.rule for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") and ({"POST", "PUT", "PATCH", "DELETE"} & rule.methods)]
    assert writes and not [r for r in writes if "asset" in r or "allocat" in r or "ledger" in r]
    headers = token_for(plant["admin"])
    for url in ("/api/v1/assets", "/api/v1/allocations", "/api/v1/assets/allocations"):
        assert client.post(url, headers=headers, json={"kind": "allocation", "quantity": "1000000"}).status_code == 404
