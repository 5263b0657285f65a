"""The regulator's user administration (issue 16): search and filters across organisations, deactivate and
reactivate and reset behind a confirmation page, tenancy for enterprise admins."""
import re

import pytest
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import User
from app.audit.models import AuditEvent
from tests.conftest import login, post


def text(response):
    return response.get_data(as_text=True)


def listed(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-testid="user-(\d+)">', page)]


@pytest.fixture
def orgs(make_org, make_user, authority):
    steel = make_org(name="锦湾钢铁有限公司")
    power = make_org(name="锦湾热电有限公司")
    return {
        "steel": steel, "power": power,
        "regulator": make_user(authority, "regulator", email="reg@city.gov.cn", name="李监管"),
        "platform_admin": make_user(authority, "platform_admin", email="root@city.gov.cn", name="平台管理员"),
        "steel_admin": make_user(steel, "enterprise_admin", email="admin@steel.example.com", name="王钢"),
        "steel_manager": make_user(steel, "energy_manager", email="energy@steel.example.com", name="赵能源"),
        "power_admin": make_user(power, "enterprise_admin", email="admin@power.example.com", name="孙电"),
        "power_manager": make_user(power, "energy_manager", email="energy@power.example.com", name="周热"),
    }


def test_the_regulator_lists_every_organisations_accounts_and_searches_them(client, orgs, login_as):
    login_as(orgs["regulator"])
    everyone = listed(text(client.get("/users")))
    assert {u.id for u in orgs.values() if isinstance(u, User)} <= set(everyone)
    # By name or e-mail, case-insensitive; a % is looked for as a character, not a wildcard.
    assert listed(text(client.get("/users?q=赵能"))) == [orgs["steel_manager"].id]
    assert set(listed(text(client.get("/users?q=ENERGY@")))) == {orgs["steel_manager"].id, orgs["power_manager"].id}
    assert listed(text(client.get("/users?q=%25"))) == []
    # By organisation: its name or credit code, or one organisation by id.
    assert set(listed(text(client.get("/users?organisation=热电")))) == {orgs["power_admin"].id,
                                                                        orgs["power_manager"].id}
    assert set(listed(text(client.get(f"/users?organisation={orgs['steel'].credit_code}")))) == {orgs["steel_admin"].id,
                                                                            orgs["steel_manager"].id}
    assert f'href="/users?org_id={orgs["steel"].id}"' in text(client.get(f"/organisations/{orgs['steel'].id}"))
    page = text(client.get(f"/users?org_id={orgs['steel'].id}"))
    assert set(listed(page)) == {orgs["steel_admin"].id, orgs["steel_manager"].id}
    assert 'data-testid="only-org"' in page and "锦湾钢铁有限公司" in page
    # By role and by status, combined with the rest.
    assert set(listed(text(client.get("/users?role=energy_manager")))) == {orgs["steel_manager"].id,
                                                                          orgs["power_manager"].id}
    assert listed(text(client.get("/users?role=energy_manager&organisation=钢铁"))) == [orgs["steel_manager"].id]
    assert listed(text(client.get("/users?status=inactive"))) == []
    empty = text(client.get("/users?q=nobody-here"))
    assert 'data-testid="no-users"' in empty and "没有符合条件的账户" in empty


def test_the_list_is_paged(app, db, client, orgs, login_as):
    login_as(orgs["regulator"])
    with app.test_request_context():
        first = services.list_users(per_page=4)
        last = services.list_users(per_page=4, page=99)  # past the end: the last page
    assert first.total == 6 and first.pages == 2 and len(first.users) == 4
    assert last.page == 2 and len(last.users) == 2
    assert {u.id for u in first.users + last.users} == {u.id for u in orgs.values() if isinstance(u, User)}
    # On the page: one page at a time, with a link to the next.
    page = text(client.get("/users?page=1")).replace("&amp;", "&")
    assert len(listed(page)) == 6 and 'data-testid="users-pager"' not in page


def test_an_enterprise_admin_still_sees_only_their_own_staff(client, orgs, login_as):
    login_as(orgs["steel_admin"])
    assert set(listed(text(client.get("/users")))) == {orgs["steel_admin"].id, orgs["steel_manager"].id}
    # Filters cannot reach past the gate.
    assert listed(text(client.get(f"/users?org_id={orgs['power'].id}"))) == []
    assert listed(text(client.get("/users?q=power.example.com"))) == []
    page = text(client.get("/users"))
    assert 'name="organisation"' not in page  # no organisation filter at home
    other = orgs["power_manager"]
    for action in ("deactivate", "reset-password"):
        assert client.get(f"/users/{other.id}/{action}").status_code == 404
        assert post(client, f"/users/{other.id}/{action}", token_from="/users").status_code == 404
    assert other.active


def test_deactivating_asks_first_then_ends_the_sessions_and_is_audited(app, db, client, orgs, login_as, token_for):
    target = orgs["steel_manager"]
    headers = token_for(target, "read")
    theirs = app.test_client()
    assert login(theirs, target).status_code == 302
    login_as(orgs["regulator"])
    assert f'href="/users?org_id={orgs["steel"].id}"' in text(client.get(f"/organisations/{orgs['steel'].id}"))
    page = text(client.get(f"/users?org_id={orgs['steel'].id}"))
    assert f'href="/users/{target.id}/deactivate?next=' in page  # a link to the confirmation, not a form

    confirm = client.get(f"/users/{target.id}/deactivate?next=/users?org_id%3D{orgs['steel'].id}")
    body = text(confirm)
    assert confirm.status_code == 200 and 'data-testid="confirm-deactivate"' in body
    assert "停用" in body and target.email in body and "锦湾钢铁有限公司" in body
    db.session.expire_all()
    assert db.session.get(User, target.id).active  # looking changes nothing
    assert theirs.get("/").status_code == 200

    done = post(client, f"/users/{target.id}/deactivate", {"next": f"/users?org_id={orgs['steel'].id}"},
                token_from=f"/users/{target.id}/deactivate")
    assert done.status_code == 302 and done.headers["Location"] == f"/users?org_id={orgs['steel'].id}"
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False
    assert theirs.get("/").status_code == 302  # signed out
    assert login(app.test_client(), target).status_code == 200  # and cannot sign in
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401  # nor use the API
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
    assert event.actor_id == orgs["regulator"].id and event.object_id == target.id
    listing = text(client.get("/users?status=inactive"))
    assert listed(listing) == [target.id] and f'/users/{target.id}/activate' in listing

    # Again (a stale page): refused with a message, nothing recorded twice.
    again = post(client, f"/users/{target.id}/deactivate", token_from="/users")
    assert again.status_code == 302
    assert "已停用" in text(client.get("/users"))
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.deactivated")).all()) == 1


def test_reactivating_asks_first_and_lets_the_person_sign_in_again(app, db, client, orgs, login_as):
    target = orgs["power_manager"]
    with app.test_request_context():
        services.set_user_active(orgs["platform_admin"], db.session.get(User, target.id), False)
        db.session.commit()
    login_as(orgs["regulator"])
    confirm = client.get(f"/users/{target.id}/activate")
    assert 'data-testid="confirm-activate"' in text(confirm)
    db.session.expire_all()
    assert db.session.get(User, target.id).active is False
    assert post(client, f"/users/{target.id}/activate", token_from="/users").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, target.id).active is True
    assert login(app.test_client(), target).status_code == 302
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "user.activated")) == \
        orgs["regulator"].id
    # The confirmation of an account that is already active has nothing to ask: back to the list.
    assert client.get(f"/users/{target.id}/activate").status_code == 302


def test_the_regulator_resets_an_enterprise_password_after_confirming(app, db, client, orgs, login_as):
    target = orgs["power_admin"]
    login_as(orgs["regulator"])
    confirm = text(client.get(f"/users/{target.id}/reset-password"))
    assert 'data-testid="confirm-reset"' in confirm and "API" in confirm
    assert login(app.test_client(), target).status_code == 302  # the old password still works
    response = post(client, f"/users/{target.id}/reset-password", token_from=f"/users/{target.id}/reset-password")
    temporary = text(response).split('data-testid="temporary-password">')[1].split("<")[0].strip()
    assert login(app.test_client(), target).status_code == 200
    assert login(app.test_client(), target, temporary).status_code == 302
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "auth.password_reset")) == \
        orgs["regulator"].id


def test_the_regulator_may_not_touch_the_platform_admin_nor_themselves(client, db, orgs, login_as):
    login_as(orgs["regulator"])
    page = text(client.get("/users"))
    for user in (orgs["platform_admin"], orgs["regulator"]):
        assert f"/users/{user.id}/deactivate" not in page and f"/users/{user.id}/reset-password" not in page
        assert client.get(f"/users/{user.id}/deactivate").status_code == 403
        assert post(client, f"/users/{user.id}/reset-password", token_from="/users").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, orgs["platform_admin"].id).active


def test_the_service_refuses_what_the_actor_may_not_do(app, db, orgs):
    with app.test_request_context():
        steel_admin = db.session.get(User, orgs["steel_admin"].id)
        with pytest.raises(services.AccountError):
            services.set_user_active(steel_admin, db.session.get(User, orgs["power_manager"].id), False)
        with pytest.raises(services.AccountError):
            services.set_user_active(steel_admin, steel_admin, False)
        with pytest.raises(services.AccountError):  # already active
            services.set_user_active(steel_admin, db.session.get(User, orgs["steel_manager"].id), True)


def test_energy_managers_and_viewers_have_no_user_administration(client, orgs, make_user, authority, login_as):
    login_as(orgs["steel_manager"])
    assert client.get("/users").status_code == 403
    assert client.get(f"/users/{orgs['steel_admin'].id}/deactivate").status_code == 403
    other = client.application.test_client()
    login(other, make_user(authority, "viewer"))
    assert other.get(f"/users/{orgs['steel_admin'].id}/deactivate").status_code == 403
