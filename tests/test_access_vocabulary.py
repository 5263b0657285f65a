"""One access vocabulary: every route names the capability it allows, and the capabilities mean what they say."""
import pathlib
import re

import pytest

from app.accounts.roles import (
    ADMINISTER_CITY, ALL_ROLES, CAPABILITIES, ENTERPRISE_ADMIN, FILE, PUBLIC, READ_CITY, REGULATOR, SIGNED_IN,
    VIEWER, Capability, can, requires)

APP_DIR = pathlib.Path(__file__).resolve().parent.parent / "app"
SERVED_BY_FLASK = {"static", "bootstrap.static"}  # files, not views


def test_every_route_declares_a_capability(app):
    undeclared = sorted(endpoint for endpoint, view in app.view_functions.items()
                        if endpoint not in SERVED_BY_FLASK and not isinstance(getattr(view, "capability", None),
                                                                               Capability))
    assert undeclared == [], "routes without @requires(...):\n" + "\n".join(undeclared)


def test_a_route_without_a_capability_fails_that_test(app):
    """The check above is real: an undecorated view is found."""
    from flask import Flask

    probe = Flask("probe")
    probe.add_url_rule("/x", "x", lambda: "x")
    assert not hasattr(probe.view_functions["x"], "capability")


def test_requires_takes_only_capabilities():
    with pytest.raises(TypeError):
        requires("regulator")
    with pytest.raises(TypeError):
        requires(FILE, to_read="viewer")


def test_no_bespoke_access_decorators_or_role_tuples_remain():
    """The old per-module decorators and copied role tuples are gone; roles are compared only in roles.py."""
    found = []
    pattern = re.compile(r"def (editors_form|filer_form|admin_form|_writer_form|role_form|authority_required|"
                         r"authority_read|require_role)\b|^(EDITORS|FILERS|WRITERS|READERS|ACTORS|PUBLISHERS)\s*=|"
                         r"@login_required", re.M)
    for path in APP_DIR.rglob("*.py"):
        if pattern.search(path.read_text(encoding="utf-8")):
            found.append(str(path.relative_to(APP_DIR)))
    assert found == []


class _User:
    def __init__(self, role, kind):
        self.role, self.is_authenticated = role, True
        self.organisation = type("Org", (), {"kind": kind})()


def test_capabilities_follow_role_and_organisation():
    assert can(_User(REGULATOR, "authority"), ADMINISTER_CITY)
    assert not can(_User(ENTERPRISE_ADMIN, "enterprise"), ADMINISTER_CITY)
    assert can(_User(VIEWER, "authority"), READ_CITY)
    # the viewer role exists in enterprises too; it reads its own enterprise, not the city
    assert not can(_User(VIEWER, "enterprise"), READ_CITY)
    assert can(_User(ENTERPRISE_ADMIN, "enterprise"), FILE)
    assert not can(_User(VIEWER, "enterprise"), FILE)
    anonymous = type("Anon", (), {"is_authenticated": False})()
    assert can(anonymous, PUBLIC) and not can(anonymous, SIGNED_IN)


def test_every_role_named_by_a_capability_exists():
    for capability in CAPABILITIES.values():
        assert capability.roles is None or capability.roles <= set(ALL_ROLES), capability.name


@pytest.mark.parametrize("url", ["/settings/", "/city/", "/review/", "/organisations/"])
def test_an_enterprise_viewer_is_refused_the_authoritys_pages(url, client, make_org, make_user, login_as):
    login_as(make_user(make_org(), VIEWER))
    assert client.get(url).status_code == 403


def test_a_refused_post_checks_its_csrf_token_first(client, make_org, make_user, login_as):
    """A forged cross-site POST learns nothing about roles: 400 for the token before 403 for the role."""
    login_as(make_user(make_org(), VIEWER))
    assert client.post("/settings/", data={}).status_code == 400
