"""The safety nets around every request: the transaction edge, city-wide tables and deliberate bypasses."""
import pathlib
import re

import pytest
from flask import Blueprint

from app.accounts.roles import ENTERPRISE_ADMIN, REGULATOR, SIGNED_IN, requires
from app.core.service_error import ServiceError
from app.extensions import db as _db
from app.organisations.models import Organisation
from app.settings.models import CitySetting
from app.tenancy import CityWide, TenantViolation, scope_of, unscoped
from tests.conftest import login

APP_DIR = pathlib.Path(__file__).resolve().parent.parent / "app"


@pytest.fixture(scope="module")
def edge_app(app):
    """An app of its own (same database) with three throwaway routes that write an organisation's phone
    number, then return, refuse or crash."""
    from app import create_app
    from tests.conftest import IsolatedClient

    edge = create_app("test")
    edge.test_client_class = IsolatedClient
    bp = Blueprint("edge_test", __name__, url_prefix="/edge-test")

    def write(org_id):
        _db.session.get(Organisation, org_id).contact_phone = "0427-1234567"
        _db.session.flush()

    @bp.post("/ok/<int:org_id>")
    @requires(SIGNED_IN)
    def ok(org_id):
        write(org_id)
        return "done"

    @bp.post("/refused/<int:org_id>")
    @requires(SIGNED_IN)
    def refused(org_id):
        write(org_id)
        raise ServiceError("不可以")

    @bp.post("/crash/<int:org_id>")
    @requires(SIGNED_IN)
    def crash(org_id):
        write(org_id)
        raise RuntimeError("boom")

    from app.extensions import csrf
    csrf.exempt(bp)
    edge.register_blueprint(bp)
    return edge


def _phone(org):
    _db.session.expire_all()
    return _db.session.get(Organisation, org.id).contact_phone


def test_the_edge_commits_a_view_that_returns(edge_app, make_org, make_user):
    client = edge_app.test_client()
    org = make_org()
    login(client, make_user(org, ENTERPRISE_ADMIN))
    assert client.post(f"/edge-test/ok/{org.id}").status_code == 200
    assert _phone(org) == "0427-1234567"


def test_a_failing_service_leaves_nothing_written(edge_app, make_org, make_user):
    client = edge_app.test_client()
    org = make_org(contact_phone="0427-0000000")
    login(client, make_user(org, ENTERPRISE_ADMIN))
    response = client.post(f"/edge-test/refused/{org.id}")
    assert response.status_code == 400
    assert "不可以" in response.get_data(as_text=True)  # the refusal's message, not a bare error page
    assert _phone(org) == "0427-0000000"


def test_an_exception_in_a_view_leaves_nothing_written(edge_app, make_org, make_user):
    org = make_org(contact_phone="0427-0000000")
    edge_app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        client = edge_app.test_client()
        login(client, make_user(org, ENTERPRISE_ADMIN))
        assert client.post(f"/edge-test/crash/{org.id}").status_code == 500
    finally:
        edge_app.config["PROPAGATE_EXCEPTIONS"] = None
    assert _phone(org) == "0427-0000000"


def test_an_enterprise_session_writing_a_city_wide_row_is_refused(db, make_org, make_user):
    user = make_user(make_org(), ENTERPRISE_ADMIN)
    with scope_of(user):
        db.session.add(CitySetting(key="filing_due_day", value=1))
        with pytest.raises(TenantViolation, match="CitySetting"):
            db.session.flush()
    db.session.rollback()
    assert db.session.get(CitySetting, "filing_due_day") is None


def test_the_authority_writes_city_wide_rows(db, authority, make_user):
    with scope_of(make_user(authority, REGULATOR)):
        db.session.add(CitySetting(key="test_only_setting", value=7))
        db.session.flush()
    db.session.rollback()


def test_city_wide_tables_are_marked():
    names = {cls.__name__ for cls in CityWide.__subclasses__()}
    assert {"CarbonSink", "CityStatistic", "IndexSettings", "ProductBenchmark", "Scenario", "CitySetting",
            "EmissionFactor", "AuditHead"} <= names


def test_every_bypass_of_the_gate_names_its_reason():
    """A bypass is `unscoped("why")`, never a bare `tenancy_bypass=True`, so one search lists them all."""
    bare = [str(path.relative_to(APP_DIR)) for path in APP_DIR.rglob("*.py")
            if path.name != "tenancy.py" and re.search(r"tenancy_bypass", path.read_text(encoding="utf-8"))]
    assert bare == []
    with pytest.raises(ValueError):
        unscoped("  ")
