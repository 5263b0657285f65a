"""Shared fixtures: one app per session on a migrated database, emptied after every test; and the set-up
several test modules use (the worked-example plant, its regulator and managers, ...). Plain helper functions
are in tests/helpers/.

The database is TEST_DATABASE_URL (PostgreSQL in CI's second pass) or a fresh SQLite file.
Rows are deleted after each test rather than rolled back, so a live server thread (browser tests)
sees the same committed data as the test.
"""
import contextvars
import itertools
import os
import re
import tempfile
from datetime import date, datetime, timezone
from decimal import Decimal as D

# Each test run gets its own SQLite file unless a database is given (CI's PostgreSQL pass),
# so two runs at once never drop each other's tables.
os.environ.setdefault("TEST_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='tanji-test-')}/test.db")

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import MetaData, delete, func, insert, select, update

from app import create_app
from app.accounting.models import EmissionSource, Facility, Product
from app.accounts import services as account_services
from app.api import tokens
from app.audit.models import AuditHead
from app.audit.services import GENESIS
from app.city_data.models import CarbonSink, CityStatistic, IndexSettings
from app.extensions import db as _db
from app.filings.models import Filing
from app.organisations.credit_code import make_credit_code
from app.organisations.models import Organisation
from tests.helpers.benchmarks import ALL_MONTHS, OWN, PEERS, add_month
from tests.helpers.city import BENCHMARK, SETTINGS, filed_month, month_starts

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


# --- the worked-example plant and the people around it ----------------------------------------

@pytest.fixture
def plant(db, make_org, make_user):
    """An enterprise with the four sources of worked example 7 and one product."""
    org = make_org(name="锦湾示范化工有限公司")
    admin = make_user(org, "enterprise_admin")
    facility = Facility(org_id=org.id, name="一号厂区")
    db.session.add(facility)
    db.session.flush()
    sources = {
        "gas": EmissionSource(org_id=org.id, facility_id=facility.id, name="燃气锅炉", category="stationary_combustion",
                              material="natural_gas", activity_unit="10^4 Nm3"),
        "diesel": EmissionSource(org_id=org.id, facility_id=facility.id, name="厂内车辆", category="mobile_combustion",
                                 material="diesel", activity_unit="t"),
        "power": EmissionSource(org_id=org.id, facility_id=facility.id, name="外购电力",
                                category="purchased_electricity", material="electricity", activity_unit="MWh"),
        "heat": EmissionSource(org_id=org.id, facility_id=facility.id, name="外购热力", category="purchased_heat",
                               material="heat", activity_unit="GJ"),
    }
    db.session.add_all(sources.values())
    product = Product(org_id=org.id, name="醋酸", name_en="Acetic acid", unit="t", is_main=True)
    db.session.add(product)
    db.session.commit()
    return {"org": org, "admin": admin, "facility": facility, "sources": sources, "product": product}


@pytest.fixture
def regulator(authority, make_user):
    """A regulator of the city's authority."""
    return make_user(authority, "regulator")


@pytest.fixture
def manager(plant, make_user):
    """The plant's energy manager, who may sign its submissions."""
    return make_user(plant["org"], "energy_manager", may_sign=True)


@pytest.fixture
def energy_manager(plant, make_user):
    """The plant's energy manager, who may not sign."""
    return make_user(plant["org"], "energy_manager")


@pytest.fixture
def people(make_org, make_user, authority):
    """One user of each role of the authority and of an enterprise."""
    enterprise = make_org()
    return {"regulator": make_user(authority, "regulator"), "platform_admin": make_user(authority, "platform_admin"),
            "city_viewer": make_user(authority, "viewer"),
            "enterprise_admin": make_user(enterprise, "enterprise_admin"),
            "energy_manager": make_user(enterprise, "energy_manager"),
            "enterprise_viewer": make_user(enterprise, "viewer")}


# --- the API --------------------------------------------------------------------------------------

@pytest.fixture
def token_for(app, db):
    """token_for(user, scope="write") → the headers of a request with a new token of that user."""

    def make(user, scope="write", name="test"):
        with app.test_request_context():
            _token, secret = tokens.create_token(user, name, scope)
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


# --- carbon assets, benchmarks, the city index ---------------------------------------------------

@pytest.fixture
def firm(db, make_org, make_user, authority):
    """A cement works (covered) with its staff, one covered and one uncovered source, and the regulator."""
    org = make_org(name="锦湾测试水泥有限公司", industry_code="C3011")
    facility = Facility(org_id=org.id, name="熟料线")
    db.session.add(facility)
    db.session.flush()
    kiln = EmissionSource(org_id=org.id, facility_id=facility.id, name="回转窑燃煤", category="stationary_combustion",
                          material="raw_coal", activity_unit="t")
    canteen = EmissionSource(org_id=org.id, facility_id=facility.id, name="食堂燃气", category="stationary_combustion",
                             material="natural_gas", activity_unit="10^4 Nm3", covered=False)
    db.session.add_all([kiln, canteen])
    db.session.commit()
    return {"org": org, "kiln": kiln, "canteen": canteen,
            "admin": make_user(org, "enterprise_admin"), "manager": make_user(org, "energy_manager"),
            "viewer": make_user(org, "viewer"), "regulator": make_user(authority, "regulator")}


@pytest.fixture
def make_filed_enterprise(db, make_org):
    """An enterprise with a main product and `months` filed at a constant monthly tCO2e (per 1,000 x 10^4 CNY)."""

    def make(name, code="C3011", tco2e="800", months=ALL_MONTHS, status="approved", product=("水泥熟料", "t"),
             **month_fields):
        org = make_org(name=name, industry_code=code)
        main = Product(org_id=org.id, name=product[0], unit=product[1], is_main=True) if product else None
        if main:
            db.session.add(main)
            db.session.flush()
        for month in months:
            add_month(db, org, main, month, D(tco2e), status=month_fields.get("status_of", {}).get(month, status),
                      **{k: v for k, v in month_fields.items() if k != "status_of"})
        db.session.commit()
        return org

    return make


@pytest.fixture
def cement(make_filed_enterprise, make_user):
    """Six cement makers with twelve approved months each, plus two that must not count."""
    own = make_filed_enterprise("锦湾本厂水泥有限公司", tco2e=OWN)
    peers = {name: make_filed_enterprise(name, tco2e=t) for name, t in PEERS.items()}
    # Submitted but never approved: not data yet.
    pending = make_filed_enterprise("待审水泥有限公司", tco2e="555.5", status="submitted")
    # Five approved months (and seven drafts) are not enough for a year value.
    short = make_filed_enterprise("半年水泥有限公司", tco2e="444.4",
                                   status_of={m: "approved" if m <= 5 else "draft" for m in ALL_MONTHS})
    return {"own": own, "peers": peers, "pending": pending, "short": short,
            "own_user": make_user(own, "viewer")}


@pytest.fixture
def city(db, make_org, authority):
    """The city of the index tests: settings, statistics, sinks, and three enterprises' approved months."""
    db.session.add(IndexSettings(valid_from=date(2020, 1, 1), values=SETTINGS, note="test"))
    db.session.add_all([
        CityStatistic(year=2024, quarter=0, gdp_10k_cny=D("15000000"), non_fossil_share_percent=D("16"),
                      transport_tco2=D("1200000"), buildings_tco2=D("1100000"), other_tco2=D("600000"),
                      net_imported_electricity_mwh=D("2400000"), source="统计年鉴 2024"),
        CityStatistic(year=2025, quarter=0, gdp_10k_cny=D("16200000"), non_fossil_share_percent=D("18"),
                      transport_tco2=D("1260000"), buildings_tco2=D("1140000"), other_tco2=D("600000"),
                      net_imported_electricity_mwh=D("2600000"), source="统计年鉴 2025"),
        CarbonSink(name="滨海湿地", kind="wetland", area_ha=D("10000"), rate_tco2_per_ha_year=D("5"),
                   from_year=2018, source="林草局"),
        CarbonSink(name="新造林", kind="forest", area_ha=D("2000"), rate_tco2_per_ha_year=D("10"),
                   from_year=2023, source="林草局"),
    ])
    # Reporting months from before the window: each owes the 12 months of the R12 window ending 2025-06.
    steel = make_org(name="锦湾钢铁秘密有限公司", industry_code="C3110", district="兴港区",
                     first_reporting_month=date(2024, 7, 1))
    power = make_org(name="锦湾热电秘密有限公司", industry_code="D4411", district="双河区",
                     first_reporting_month=date(2024, 6, 1))
    logistics = make_org(name="锦湾物流秘密有限公司", industry_code="G5430", district="兴港区",
                         first_reporting_month=date(2024, 1, 1))
    db.session.flush()
    unit = Product(org_id=power.id, name="上网电量", unit="MWh", is_main=True, benchmark_code=BENCHMARK)
    db.session.add(unit)
    db.session.flush()
    for period in month_starts(2024, 7, 12):  # steel: exactly the R12 window ending 2025-06
        filed_month(steel, period, "100", "30")
    for period in month_starts(2024, 6, 13):  # power: one month before the window, which must not count
        filed_month(power, period, "1000", "0", product=unit, output="1000")
    # An approved amendment of 2025-03: revision 2 counts, not revision 1 (which approving it stamps superseded).
    filed_month(power, date(2025, 3, 1), "2000", "0", revision=2, product=unit, output="1000")
    db.session.execute(update(Filing).where(Filing.org_id == power.id, Filing.period == date(2025, 3, 1),
                                            Filing.revision == 1)
                       .values(superseded_at=datetime(2025, 4, 20, tzinfo=timezone.utc)))
    db.session.commit()
    return {"steel": steel, "power": power, "logistics": logistics, "product": unit}
