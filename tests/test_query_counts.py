"""Query discipline: the main list pages and dashboards make the same number of SQL statements however many
enterprises, months, sources and filings there are (no N+1), and the filters they use are indexed."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event, inspect

from app.accounting.models import EmissionSource, Facility, Product
from app.extensions import db as _db
from app.filings import services, workflow
from app.filings.models import Filing
from tests.conftest import login

NOW = datetime(2025, 8, 10, 2, 0, tzinfo=timezone.utc)
MONTHS = [date(2025, m, 1) for m in range(1, 8)]

ENTERPRISE_PAGES = ["/", "/filings/", "/footprint/?year=2025", "/register/", "/assets/", "/benchmarks/", "/inbox/",
                    "/filings/{filing}"]
AUTHORITY_PAGES = ["/", "/review/", "/review/overdue", "/city/?month=2025-06", "/city/industry?code=C26",
                   "/city/public?month=2025-06", "/organisations/", "/assets/overview", "/audit/", "/factors/",
                   "/review/filings/{submitted}"]


def _enterprise(make_org, make_user, n_sources: int, months: list[date], regulator, app):
    org = make_org(industry_code="C2614")
    manager = make_user(org, "enterprise_admin")
    facility = Facility(org_id=org.id, name="厂区")
    _db.session.add(facility)
    _db.session.flush()
    sources = [EmissionSource(org_id=org.id, facility_id=facility.id, name=f"锅炉{k}", category="stationary_combustion",
                              material="natural_gas", activity_unit="10^4 Nm3") for k in range(n_sources)]
    product = Product(org_id=org.id, name="合成氨", unit="t", is_main=True)
    _db.session.add_all([*sources, product])
    _db.session.commit()
    filings = []
    with app.test_request_context():
        for i, period in enumerate(months):
            filing = services.open_filing(manager, org, period, now=NOW)
            services.set_activity(manager, filing, [{"source_id": s.id, "quantity": "10", "unit": "10^4 Nm3"}
                                                    for s in sources],
                                  [{"product_id": product.id, "quantity": "100"}], "500", now=NOW)
            workflow.submit(manager, filing, now=NOW)
            if i < len(months) - 1:  # the last month waits in the review queue
                with workflow_acting(org.id):
                    workflow.approve(regulator, filing, now=NOW)
            filings.append(filing)
        _db.session.commit()
    return org, manager, filings


def workflow_acting(org_id):
    from app.tenancy import acting_on

    return acting_on(org_id)


def _count(app, client, url: str) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)


@pytest.fixture
def city(app, db, make_org, make_user, authority):
    regulator = make_user(authority, "regulator")
    built = [_enterprise(make_org, make_user, 2, MONTHS[:3], regulator, app) for _ in range(2)]
    return {"regulator": regulator, "enterprises": built}


def _grow(app, make_org, make_user, city):
    """Three times the enterprises; the new ones have twice the sources and more than twice the months."""
    for _ in range(4):
        city["enterprises"].append(_enterprise(make_org, make_user, 4, MONTHS, city["regulator"], app))


def _urls(pages, filing_id, submitted_id):
    return [p.format(filing=filing_id, submitted=submitted_id) for p in pages]


def test_enterprise_pages_make_the_same_statements_however_much_data(app, db, client, make_org, make_user, city):
    org, manager, filings = city["enterprises"][0]
    login(client, manager)
    client.get("/")  # first request of the session: the language and the like settle
    before = {url: _count(app, client, url) for url in _urls(ENTERPRISE_PAGES, filings[-1].id, None)}
    _grow(app, make_org, make_user, city)
    # the same enterprise with more months, sources and filings of its own
    bigger_org, bigger_manager, bigger_filings = city["enterprises"][-1]
    other = app.test_client()
    login(other, bigger_manager)
    other.get("/")
    after = {url.replace(str(bigger_filings[-1].id), str(filings[-1].id)): _count(app, other, url)
             for url in _urls(ENTERPRISE_PAGES, bigger_filings[-1].id, None)}
    assert after == before


def test_authority_pages_make_the_same_statements_however_many_enterprises(app, db, client, make_org, make_user,
                                                                          city):
    submitted = city["enterprises"][0][2][-1]
    login(client, city["regulator"])
    client.get("/")
    before = {url: _count(app, client, url) for url in _urls(AUTHORITY_PAGES, None, submitted.id)}
    _grow(app, make_org, make_user, city)
    other = city["enterprises"][-1][2][-1]
    after = {url.replace(str(other.id), str(submitted.id)): _count(app, client, url)
             for url in _urls(AUTHORITY_PAGES, None, other.id)}
    assert after == before


def test_review_queue_and_dashboard_filters_are_indexed(db):
    indexed = {(table, tuple(ix["column_names"])) for table in ("filings", "organisations", "calculations")
               for ix in inspect(db.engine).get_indexes(table)}
    for table, column in [("filings", "status"), ("filings", "period"), ("filings", "org_id"),
                          ("organisations", "industry_code"), ("organisations", "district"),
                          ("calculations", "filing_id")]:
        assert any(t == table and cols[0] == column for t, cols in indexed), (table, column)
    unique = {tuple(u["column_names"]) for u in inspect(db.engine).get_unique_constraints("filings")}
    assert ("org_id", "period", "revision") in unique
    assert Filing.__table__.c.period.index
