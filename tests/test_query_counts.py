"""Query discipline: every list page and dashboard makes the same number of SQL statements however many rows it
lists (enterprises, months, sources, filings, accounts, invitations, ledger entries, certificates, engagements,
city data, scenarios): no N+1. The growth step takes each list from about 2 rows to about 6. The filters the pages
use are indexed."""
import hashlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import event, inspect, text

from app.accounting.models import EmissionSource, Facility, Product
from app.accounts.models import Invitation
from app.assets.models import AssetEntry
from app.certificates.models import Certificate
from app.city_data.models import CarbonSink, CityStatistic
from app.scenarios.models import Scenario
from app.verification.models import Engagement
from app.extensions import db as _db
from app.filings import services, workflow
from app.filings.models import Filing
from tests.conftest import login

NOW = datetime(2025, 8, 10, 2, 0, tzinfo=timezone.utc)
MONTHS = [date(2025, m, 1) for m in range(1, 8)]

ENTERPRISE_PAGES = ["/", "/filings/", "/footprint/?year=2025", "/register/", "/assets/", "/benchmarks/", "/inbox/",
                    "/filings/{filing}", "/users", "/audit/", "/certificates/", "/organisations/{org}"]
AUTHORITY_PAGES = ["/", "/review/", "/review/overdue", "/city/?month=2025-06", "/city/industry?code=C26",
                   "/city/industry?code=industry", "/city/district?name=%E5%85%B4%E6%B8%AF%E5%8C%BA",
                   "/city/export.xlsx?month=2025-06",
                   "/city/public?month=2025-06", "/organisations/", "/assets/overview", "/audit/", "/factors/",
                   "/review/filings/{submitted}", "/users", "/certificates/", "/verification/",
                   "/city-data/statistics", "/city-data/sinks", "/city-data/benchmarks", "/city/scenarios/",
                   "/benchmarks/industry?code=C26", "/organisations/{org}", "/register/org/{org}",
                   "/footprint/org/{org}?year=2025", "/assets/org/{org}"]
VERIFIER_PAGES = ["/verification/"]


def _enterprise(make_org, make_user, n_sources: int, months: list[date], regulator, app, body):
    org = make_org(industry_code="C2614")
    manager = make_user(org, "enterprise_admin")
    facility = Facility(org_id=org.id, name="厂区")
    _db.session.add(facility)
    _db.session.flush()
    sources = [EmissionSource(org_id=org.id, facility_id=facility.id, name=f"锅炉{k}", category="stationary_combustion",
                              material="natural_gas", activity_unit="10^4 Nm3") for k in range(n_sources)]
    product = Product(org_id=org.id, name="合成氨", unit="t", is_main=True)
    _db.session.add_all([*sources, product])
    _lists(org, manager, n_sources, make_user)
    _db.session.add(Engagement(org_id=org.id, verifier_org_id=body.id, year=2025, assigned_by_id=regulator.id))
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


def _lists(org, admin, n: int, make_user):
    """`n` rows of each list an enterprise has (staff, invitations, ledger entries, certificates) and one row of
    each list that grows with the number of enterprises (city statistics, sinks, scenarios)."""
    for k in range(n):
        make_user(org, "viewer")
        _db.session.add(Invitation(org_id=org.id, email=f"invitee{k}-{org.id}@example.com", role="viewer",
                                   token_hash=hashlib.sha256(f"{org.id}-{k}".encode()).hexdigest(),
                                   created_by_id=admin.id, expires_at=NOW + timedelta(days=7)))
        _db.session.add(AssetEntry(org_id=org.id, kind="purchase", instrument="allowance", compliance_year=2025,
                                   quantity_t=Decimal("10"), price_cny_per_t=Decimal("80"), trade_date=MONTHS[0],
                                   reason="test", created_by_id=admin.id))
        _db.session.add(Certificate(org_id=org.id, serial=f"T{org.id:06d}{k:02d}", period_start=MONTHS[0],
                                    period_end=MONTHS[k], total_tco2e=Decimal("1"), scope1_tco2e=Decimal("1"),
                                    scope2_tco2e=Decimal("0"), certified="{}", digest="0" * 64, pdf=b"%PDF",
                                    pdf_sha256="0" * 64, issued_by_id=admin.id, issued_at=NOW))
    _db.session.add(CityStatistic(year=1900 + org.id, quarter=0, gdp_10k_cny=Decimal("1000"), population=1000,
                                  source="test"))
    _db.session.add(CarbonSink(name=f"湿地{org.id}", kind="wetland", area_ha=Decimal("100"),
                               rate_tco2_per_ha_year=Decimal("9.5"), from_year=2015, source="test"))
    _db.session.add(Scenario(name=f"情景{org.id}", kind="sinks", params={"month": "2025-06", "sink_rate": "9.5", "area_ha": "100", "rate": "9.5"},
                            created_by_id=admin.id))
    _db.session.flush()


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


# Not the shared `city` of tests/conftest.py (the index tests' city): enterprises filed through the services, with a verifier.
@pytest.fixture
def city(app, db, make_org, make_user, authority):
    regulator = make_user(authority, "regulator")
    body = make_org(kind="verifier", name="核查机构")
    verifier = make_user(body, "verifier")
    built = [_enterprise(make_org, make_user, 2, MONTHS[:3], regulator, app, body) for _ in range(2)]
    return {"regulator": regulator, "body": body, "verifier": verifier, "enterprises": built}


def _grow(app, make_org, make_user, city):
    """Three times the enterprises; the new ones have twice the sources and more than twice the months."""
    for _ in range(4):
        city["enterprises"].append(_enterprise(make_org, make_user, 4, MONTHS, city["regulator"], app,
                                                 city["body"]))


def _counts(app, client, pages, **ids) -> dict:
    return {page: _count(app, client, page.format(**ids)) for page in pages}


def test_enterprise_pages_make_the_same_statements_however_much_data(app, db, client, make_org, make_user, city):
    org, manager, filings = city["enterprises"][0]
    login(client, manager)
    client.get("/")  # first request of the session: the language and the like settle
    before = _counts(app, client, ENTERPRISE_PAGES, filing=filings[-1].id, org=org.id)
    _grow(app, make_org, make_user, city)
    # another enterprise with more months, sources, filings, staff, invitations and ledger entries of its own
    bigger_org, bigger_manager, bigger_filings = city["enterprises"][-1]
    other = app.test_client()
    login(other, bigger_manager)
    other.get("/")
    after = _counts(app, other, ENTERPRISE_PAGES, filing=bigger_filings[-1].id, org=bigger_org.id)
    assert after == before


def test_authority_pages_make_the_same_statements_however_many_enterprises(app, db, client, make_org, make_user,
                                                                          city):
    # Grown once first, so both counts see the same shape of data (some enterprises with months to estimate,
    # which reads their history: two statements, whatever their number).
    _grow(app, make_org, make_user, city)
    org, _manager, filings = city["enterprises"][-1]
    login(client, city["regulator"])
    client.get("/")
    before = _counts(app, client, AUTHORITY_PAGES, submitted=filings[-1].id, org=org.id)
    _grow(app, make_org, make_user, city)
    bigger_org, _manager, bigger_filings = city["enterprises"][-1]
    after = _counts(app, client, AUTHORITY_PAGES, submitted=bigger_filings[-1].id, org=bigger_org.id)
    assert after == before


def test_verifier_pages_make_the_same_statements_however_many_engagements(app, db, client, make_org, make_user,
                                                                          city):
    login(client, city["verifier"])
    client.get("/verification/")
    before = _counts(app, client, VERIFIER_PAGES)
    _grow(app, make_org, make_user, city)
    assert _counts(app, client, VERIFIER_PAGES) == before


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


def test_the_current_calculation_of_filings_is_looked_up_by_filing(db):
    """Not by the current flag alone (true for nearly every row), which SQLite took without statistics for
    "filing_id IN (...) AND is_current" and for joins on the current calculation: a scan per filing."""
    indexes = {tuple(ix["column_names"]) for ix in inspect(db.engine).get_indexes("calculations")}
    assert ("filing_id", "is_current") in indexes and ("is_current",) not in indexes
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(row) for row in db.session.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM calculations WHERE filing_id IN (1, 2, 3) AND is_current = 1")))
        assert "ix_calculations_filing_id_is_current" in plan
