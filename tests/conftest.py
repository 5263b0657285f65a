"""Shared fixtures: one app per session on a migrated database, emptied after every test.

The database is TEST_DATABASE_URL (PostgreSQL in CI's second pass) or a fresh SQLite file.
Rows are deleted after each test rather than rolled back, so a live server thread (browser tests)
sees the same committed data as the test.
"""
import contextvars
import itertools
import os
import re
import tempfile

# Each test run gets its own SQLite file unless a database is given (CI's PostgreSQL pass),
# so two runs at once never drop each other's tables.
os.environ.setdefault("TEST_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='tanji-test-')}/test.db")

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData, delete, func, insert, select

from app import create_app
from app.accounts import services as account_services
from app.audit.models import AuditHead
from app.audit.services import GENESIS
from app.extensions import db as _db
from app.organisations.credit_code import make_credit_code
from app.organisations.models import Organisation

PASSWORD = "Correct-horse-42"
SEEDED_TABLES = ("emission_factors", "product_benchmarks")  # reference data the migrations load
_counter = itertools.count(1)


def _recreate_schema(app):
    with app.app_context():
        existing = MetaData()
        existing.reflect(_db.engine)
        existing.drop_all(_db.engine)
        upgrade()
        app.config["_SEEDED_MAX_ID"] = {
            name: _db.session.scalar(select(func.max(_db.metadata.tables[name].c.id))) or 0 for name in SEEDED_TABLES}
        _db.session.remove()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production, even while a test holds one.

    (Flask reuses an already pushed app context, which would share `g` and the database
    session between the test and every request it makes.)
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            _db.session.expire_all()  # the test sees what the request committed
        return response


@pytest.fixture(scope="session")
def app():
    app = create_app("test")
    app.test_client_class = IsolatedClient
    _recreate_schema(app)
    return app


@pytest.fixture(autouse=True)
def _empty_database_after(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                if table.name in SEEDED_TABLES:
                    # What the migrations seed stays; rows added in a test go.
                    conn.execute(delete(table).where(table.c.id > app.config["_SEEDED_MAX_ID"][table.name]))
                else:
                    conn.execute(delete(table))
            conn.execute(insert(AuditHead.__table__).values(id=1, seq=0, hash=GENESIS))
    from app.extensions import limiter

    limiter.reset()


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


@pytest.fixture
def make_org(db):
    def make(kind="enterprise", name=None, industry_code="C3011", district="兴港区", **fields):
        n = next(_counter)
        org = Organisation(
            kind=kind, name=name or f"测试企业{n}", name_en=f"Test Enterprise {n}",
            credit_code=make_credit_code("211102", f"{n:08d}"),
            industry_code=industry_code if kind == "enterprise" else None,
            district=district if kind == "enterprise" else None, **fields)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(db):
    def make(org, role, email=None, password=PASSWORD, name=None, may_sign=False):
        n = next(_counter)
        user = account_services.create_user(org, email or f"user{n}@example.com", name or f"用户{n}", password, role)
        user.may_sign = may_sign  # an energy manager signs submissions only when allowed (app.signing)
        db.session.commit()
        return user

    return make


@pytest.fixture
def authority(make_org):
    return make_org(kind="authority", name="锦湾市生态环境局")


@pytest.fixture
def client(app):
    return app.test_client()


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url="/"):
    """The session's CSRF token, read from a page that carries a form."""
    page = client.get(url).get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, user_or_email, password=PASSWORD, remember=False):
    email = getattr(user_or_email, "email", user_or_email)
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token,
                                       **({"remember": "y"} if remember else {})})


def post(client, url, data=None, token_from="/"):
    """POST a form as the browser would, with the session's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, token_from)})


@pytest.fixture
def login_as(client):
    def do(user, password=PASSWORD):
        response = login(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return client

    return do
