"""Sign-in and out, lock-out, passwords, invitations, role navigation."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import User
from app.audit.models import AuditEvent
from app.core.types import utcnow
from tests.conftest import PASSWORD, csrf_token, login, post


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def enterprise(make_org):
    return make_org(name="锦湾石化有限公司")


@pytest.fixture
def admin(make_user, enterprise):
    return make_user(enterprise, "enterprise_admin", email="admin@petro.example.com", name="王芳")


# --- sign in and out ------------------------------------------------------------------------

def test_sign_in_and_out(client, admin):
    response = login(client, admin)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert "锦湾石化有限公司" in text(home) and "王芳" in text(home)

    response = post(client, "/logout")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_signing_out_ends_a_saved_session_cookie(client, admin):
    """Issue 16 #8: a copy of the session cookie taken before /logout no longer signs anyone in."""
    login(client, admin)
    saved = client.get_cookie("session").value
    assert client.get("/").status_code == 200
    post(client, "/logout")
    client.set_cookie("session", saved)  # replay the cookie as it was before signing out
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_wrong_password_keeps_email_and_says_why(client, admin):
    response = login(client, admin, "wrong-password-1")
    assert response.status_code == 200
    page = text(response)
    assert 'value="admin@petro.example.com"' in page
    assert 'data-field-error="password"' in page
    assert client.get("/").status_code == 302  # still signed out


def test_sign_in_email_is_case_insensitive(client, admin):
    assert login(client, "ADMIN@Petro.Example.com").status_code == 302


def test_next_parameter_only_follows_local_paths(client, admin):
    token = csrf_token(client, "/login")
    data = {"email": admin.email, "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"


def _sign_in_from(app, user_or_email, password, address):
    client = app.test_client()
    token = csrf_token(client, "/login")
    email = getattr(user_or_email, "email", user_or_email)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_repeated_failures_pause_that_address_only_and_never_lock_the_owner_out(app, admin, db):
    """Issue 16 #9: a stranger guessing from one address cannot lock the regulator out of their own office."""
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _sign_in_from(app, admin, "wrong-password-1", "203.0.113.9")
    refused = _sign_in_from(app, admin, PASSWORD, "203.0.113.9")  # even the right password, from there
    assert refused.status_code == 200 and 'data-field-error="email"' in text(refused)
    assert _sign_in_from(app, admin, PASSWORD, "198.51.100.7").status_code == 302  # the owner, elsewhere
    user = db.session.get(User, admin.id)
    db.session.refresh(user)
    assert user.locked_until is None
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == admin.id)).all()
    assert "auth.sign_in_throttled" in actions and "auth.account_locked" not in actions


def test_an_unknown_e_mail_is_answered_exactly_like_a_known_one(app, admin, db):
    """Same messages, in the same order, including the pause: the sign-in form tells nobody who has an account."""
    def answers(email):
        pages = [_sign_in_from(app, email, "wrong-password-1", f"192.0.2.{len(email)}")
                 for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1)]
        return [(p.status_code, re.findall(r'data-field-error="(\w+)"', text(p)),
                 re.sub(r"\d\d:\d\d", "HH:MM", re.sub(r'(?s).*<form|</form>.*|value="[^"]*"', "", text(p)))) for p in pages]

    known, unknown = answers(admin.email), answers("nobody-here@petro.example.com")
    assert known == unknown
    assert known[-1][1] == ["email"] and known[0][1] == ["password"]


def test_the_pause_ends_after_the_window_or_with_a_reset(app, db, admin, make_user, enterprise):
    with app.test_request_context():
        now = utcnow()
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            services.authenticate(admin.email, "wrong-password-1", now=now, address="203.0.113.9")
        paused = services.authenticate(admin.email, PASSWORD, now=now + timedelta(minutes=1), address="203.0.113.9")
        assert paused.error == "locked" and paused.locked_until == now + app.config["LOGIN_LOCKOUT"]
        later = now + app.config["LOGIN_LOCKOUT"] + timedelta(seconds=1)
        assert services.authenticate(admin.email, PASSWORD, now=later, address="203.0.113.9").user.id == admin.id

        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            services.authenticate(admin.email, "wrong-password-1", now=later, address="203.0.113.9")
        other_admin = make_user(enterprise, "enterprise_admin", email="boss@petro.example.com")
        temporary = services.reset_password(other_admin, admin, now=later)
        after_reset = services.authenticate(admin.email, temporary, now=later + timedelta(minutes=1),
                                            address="203.0.113.9")
        assert after_reset.user is not None and after_reset.user.id == admin.id


def test_rate_limit_on_sign_in_form(app, client, admin):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    token = csrf_token(client, "/login")
    codes = [client.post("/login", data={"email": f"x{i}@example.com", "password": "x", "csrf_token": token}).status_code
             for i in range(limit + 1)]
    assert codes[-1] == 429 and 429 not in codes[:-1]


def test_deactivated_user_cannot_sign_in(client, admin, db):
    admin.active = False
    db.session.commit()
    response = login(client, admin)
    assert response.status_code == 200 and 'data-field-error="email"' in text(response)


def test_remember_me_sets_a_secure_long_lived_cookie(client, admin):
    response = login(client, admin, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0]


def test_session_cookie_flags(client, admin):
    cookie = next(c for c in login(client, admin).headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


def test_production_requires_a_secret_key(monkeypatch):
    from app import create_app
    from config import ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


# --- CSRF ---------------------------------------------------------------------------------

def test_post_without_csrf_token_is_refused(client, admin):
    login(client, admin)
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_stale_form_keeps_what_was_typed(client, admin):
    login(client, admin)
    response = client.post(f"/organisations/{admin.org_id}/invite",
                           data={"email": "new.person@example.com", "role": "energy_manager",
                                 "csrf_token": "stale-token"})
    page = text(response)
    assert response.status_code == 200
    assert 'data-testid="stale-form"' in page and 'value="new.person@example.com"' in page


# --- passwords ------------------------------------------------------------------------------

def test_change_password(client, admin, db):
    login(client, admin)
    response = post(client, "/account/password", {"current_password": PASSWORD, "password": "Another-pass-77",
                                                  "confirm": "Another-pass-77"}, token_from="/account/password")
    assert response.status_code == 302
    post(client, "/logout")
    assert login(client, admin, PASSWORD).status_code == 200
    assert login(client, admin, "Another-pass-77").status_code == 302


@pytest.mark.parametrize("new,field,message", [
    ("short1", "password", "at least 10"),
    ("onlyletterslong", "password", "letters and digits"),
    ("password123", "password", "too easy"),
])
def test_weak_passwords_are_refused_beside_the_field(client, admin, new, field, message, app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    try:
        login(client, admin)
        response = post(client, "/account/password", {"current_password": PASSWORD, "password": new, "confirm": new},
                        token_from="/account/password")
    finally:
        app.config["BABEL_DEFAULT_LOCALE"] = "zh"
    page = text(response)
    assert response.status_code == 200
    assert f'data-field-error="{field}"' in page and message in page


def test_wrong_current_password(client, admin):
    login(client, admin)
    response = post(client, "/account/password", {"current_password": "nope", "password": "Another-pass-77",
                                                  "confirm": "Another-pass-77"}, token_from="/account/password")
    assert 'data-field-error="current_password"' in text(response)


def test_password_change_ends_other_sessions(app, admin):
    first, second = app.test_client(), app.test_client()
    login(first, admin)
    login(second, admin)
    post(first, "/account/password", {"current_password": PASSWORD, "password": "Another-pass-77",
                                      "confirm": "Another-pass-77"}, token_from="/account/password")
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_admin_resets_a_staff_password(app, client, admin, make_user, enterprise):
    staff = make_user(enterprise, "energy_manager", email="staff@petro.example.com")
    login(client, admin)
    response = post(client, f"/users/{staff.id}/reset-password", token_from="/users")
    assert response.status_code == 200
    temporary = response.get_data(as_text=True).split('data-testid="temporary-password">')[1].split("<")[0].strip()

    other = app.test_client()
    assert login(other, staff).status_code == 200  # the old password no longer works
    assert login(other, staff, temporary).status_code == 302
    # The temporary password only lets them choose a new one.
    assert other.get("/").headers["Location"] == "/account/password"
    response = post(other, "/account/password", {"current_password": temporary, "password": "Mine-at-last-9",
                                                 "confirm": "Mine-at-last-9"}, token_from="/account/password")
    assert response.status_code == 302 and other.get("/").status_code == 200


def test_a_password_reset_revokes_the_users_api_tokens_and_says_so(app, db, client, admin, make_user, enterprise,
                                                                   token_for):
    """Issue 16 #13: a token is a credential of the account; a reset that ends the sessions ends the tokens too."""
    staff = make_user(enterprise, "energy_manager", email="staff@petro.example.com")
    headers = token_for(staff, "read")
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    login(client, admin)
    response = post(client, f"/users/{staff.id}/reset-password", token_from="/users")
    assert 'data-testid="tokens-revoked"' in text(response)
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    revoked = db.session.execute(select(AuditEvent.actor_id, AuditEvent.detail)
                                 .where(AuditEvent.action == "api_token.revoked")).all()
    assert [(actor, detail["reason"]) for actor, detail in revoked] == [(admin.id, "password_reset")]


def test_energy_manager_cannot_reset_passwords(client, make_user, enterprise, admin):
    manager = make_user(enterprise, "energy_manager")
    login(client, manager)
    assert post(client, f"/users/{admin.id}/reset-password").status_code == 403


def test_deactivate_ends_access(app, client, admin, make_user, enterprise):
    staff = make_user(enterprise, "energy_manager")
    staff_client = app.test_client()
    login(staff_client, staff)
    login(client, admin)
    post(client, f"/users/{staff.id}/deactivate", token_from="/users")
    assert staff_client.get("/").status_code == 302


# --- invitations ------------------------------------------------------------------------------

def _invite(client, org_id, email, role):
    response = post(client, f"/organisations/{org_id}/invite", {"email": email, "role": role},
                    token_from=f"/organisations/{org_id}/invite")
    assert response.status_code == 200, text(response)[:500]
    page = text(response)
    return page.split('data-testid="invite-link"')[0].rsplit('value="', 1)[1].split('"')[0]


def test_invitation_flow_regulator_then_enterprise_admin(app, client, authority, make_user, db):
    regulator = make_user(authority, "regulator")
    login(client, regulator)
    response = post(client, "/organisations/new", {
        "name": "双河热电有限责任公司", "credit_code": "91350100M000100Y43", "industry_code": "d4412",
        "district": "双河区"}, token_from="/organisations/new")
    assert response.status_code == 302
    org_id = int(response.headers["Location"].split("/")[2])

    link = _invite(client, org_id, "First.Admin@shuanghe.example.com", "enterprise_admin")
    post(client, "/logout")

    newcomer = app.test_client()
    path = link.split("localhost", 1)[1]
    page = text(newcomer.get(path))
    assert "双河热电有限责任公司" in page and "first.admin@shuanghe.example.com" in page
    response = post(newcomer, path, {"name": "李强", "password": "Strong-pass-2026", "confirm": "Strong-pass-2026"},
                    token_from=path)
    assert response.status_code == 302
    assert "李强" in text(newcomer.get("/"))

    # The link works once.
    assert "already been used" in text(app.test_client().get(path, headers={"Accept-Language": "en"})) or \
        app.test_client().get(path).status_code == 410

    # The new enterprise admin invites their own staff the same way.
    link2 = _invite(newcomer, org_id, "energy@shuanghe.example.com", "energy_manager")
    staff = app.test_client()
    path2 = link2.split("localhost", 1)[1]
    assert post(staff, path2, {"name": "赵敏", "password": "Strong-pass-2027", "confirm": "Strong-pass-2027"},
                token_from=path2).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "energy@shuanghe.example.com"))
    assert user.org_id == org_id and user.role == "energy_manager"


def test_regulator_may_only_invite_an_enterprise_admin(client, authority, make_user, enterprise):
    regulator = make_user(authority, "regulator")
    login(client, regulator)
    response = post(client, f"/organisations/{enterprise.id}/invite",
                    {"email": "x@example.com", "role": "energy_manager"},
                    token_from=f"/organisations/{enterprise.id}/invite")
    assert response.status_code == 200 and 'data-field-error="role"' in text(response)


def test_expired_invitation_says_so(app, db, admin, enterprise, client):
    with app.test_request_context():
        invitation, token = services.create_invitation(admin, enterprise, "late@example.com", "viewer")
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 410
    assert 'data-testid="invitation-problem"' in text(response)
    assert post(client, f"/invitations/{token}", {"name": "x", "password": "Strong-pass-2026",
                                                  "confirm": "Strong-pass-2026"}, token_from="/login").status_code == 410
    assert db.session.scalar(select(User).where(User.email == "late@example.com")) is None


def test_unknown_invitation_is_404(client):
    assert client.get("/invitations/not-a-token").status_code == 404


def test_invitation_weak_password_keeps_name(app, db, admin, enterprise, client):
    with app.test_request_context():
        _, token = services.create_invitation(admin, enterprise, "new@example.com", "viewer")
        db.session.commit()
    path = f"/invitations/{token}"
    response = post(client, path, {"name": "孙丽", "password": "short", "confirm": "short"}, token_from=path)
    assert response.status_code == 200
    assert 'value="孙丽"' in text(response) and 'data-field-error="password"' in text(response)


def test_invitation_for_existing_email_is_refused_beside_the_field(client, admin, enterprise):
    login(client, admin)
    response = post(client, f"/organisations/{enterprise.id}/invite",
                    {"email": admin.email, "role": "viewer"}, token_from=f"/organisations/{enterprise.id}/invite")
    assert 'data-field-error="email"' in text(response) and f'value="{admin.email}"' in text(response)


def test_new_invitation_replaces_the_pending_one(app, db, admin, enterprise):
    with app.test_request_context():
        first, _ = services.create_invitation(admin, enterprise, "twice@example.com", "viewer")
        second, _ = services.create_invitation(admin, enterprise, "twice@example.com", "viewer")
        db.session.commit()
        assert first.status(utcnow()) == "revoked" and second.status(utcnow()) == "pending"


def test_withdraw_invitation(app, client, db, admin, enterprise):
    with app.test_request_context():
        invitation, token = services.create_invitation(admin, enterprise, "maybe@example.com", "viewer")
        db.session.commit()
    login(client, admin)
    post(client, f"/invitations/{invitation.id}/revoke", token_from=f"/organisations/{enterprise.id}")
    assert app.test_client().get(f"/invitations/{token}").status_code == 410


# --- navigation by role -----------------------------------------------------------------------

NAV = {
    "platform_admin": ({"/organisations/new", "/users", "/audit/", "/organisations/"}, set()),
    "regulator": ({"/organisations/new", "/users", "/audit/", "/organisations/"}, set()),
    "enterprise_admin": ({"/users", "/audit/"}, {"/organisations/new", "/organisations/"}),
    "energy_manager": (set(), {"/organisations/new", "/users", "/audit/", "/organisations/"}),
    "viewer": (set(), {"/organisations/new", "/users", "/audit/", "/organisations/"}),
}


@pytest.mark.parametrize("role", sorted(NAV))
def test_navigation_by_role(client, authority, enterprise, make_user, role):
    org = authority if role in ("platform_admin", "regulator") else enterprise
    user = make_user(org, role)
    login(client, user)
    nav = text(client.get("/")).split('data-testid="main-nav"')[1].split("</ul>")[0]
    shown, hidden = NAV[role]
    for href in shown:
        assert f'href="{href}"' in nav, (role, href)
        assert client.get(href).status_code == 200, (role, href)
    for href in hidden:
        assert f'href="{href}"' not in nav, (role, href)
    if role != "platform_admin" and role != "regulator":
        assert f'href="/organisations/{enterprise.id}"' in nav
