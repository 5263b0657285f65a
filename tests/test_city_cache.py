"""The city pages read the rollup, and the public page is computed once per month, settings version, language and
data generation: the same figures as a direct aggregate over the filings, a second request computes nothing, and
an approval, a statistic or an enterprise changes what the next request shows."""
import os
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import and_, delete, func, select

from app.city_data.models import CityStatistic
from app.city_index import views
from app.city_index.breakdowns import sector_of
from app.city_index.dashboard import dashboard
from app.city_index.loading import _estimate, load
from app.city_index.periods import window
from app.extensions import db
from app.filings import workflow
from app.filings.models import APPROVED, SUBMITTED, Calculation, Filing, MonthlyTotal
from app.organisations.models import Organisation
from app.tenancy import unscoped
from tests.helpers.city import filed_month, month_starts

URL = "/city/public?month=2025-06"


def _direct(year: int, month: int) -> list[tuple]:
    """(industry code, district, Σ scope 1, Σ scope 2, filings) of the R12 window straight from the filings and
    their current calculations: the effective approved revision of each enterprise-month."""
    start, end = window(year, month)
    return db.session.execute(
        select(Organisation.industry_code, Organisation.district, func.sum(Calculation.scope1_tco2e),
               func.sum(Calculation.scope2_tco2e), func.count(Filing.id))
        .join(Calculation, and_(Calculation.filing_id == Filing.id, Calculation.is_current))
        .join(Organisation, Organisation.id == Filing.org_id)
        .where(Filing.status == APPROVED, Filing.superseded_at.is_(None), Filing.period >= start, Filing.period <= end)
        .group_by(Organisation.industry_code, Organisation.district)
        .execution_options(**unscoped("test: the direct aggregate"))).all()


def _summed(rows, key) -> dict:
    out = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for code, district, s1, s2, n in rows:
        row = out[key(code, district)]
        row[0] += Decimal(s1)
        row[1] += Decimal(s2)
        row[2] += n
    return {k: tuple(v) for k, v in out.items()}


def test_the_dashboards_figures_from_the_rollup_equal_a_direct_aggregate_over_the_filings(db, city):
    # Unapproved revisions beside the approved ones (and the fixture's approved amendment of 2025-03)
    filed_month(city["steel"], date(2025, 6, 1), "99999", revision=2, status=SUBMITTED)
    filed_month(city["logistics"], date(2025, 5, 1), "55555", status=SUBMITTED)
    db.session.commit()
    board = dashboard(2025, 6)
    direct = _direct(2025, 6)
    city_total = _summed(direct, lambda code, district: "city")["city"]
    assert (board.current.inputs.scope1_r12, board.current.inputs.scope2_r12) == city_total[:2]
    assert city_total[0] == Decimal(1200 + 11000 + 2000)  # as worked by hand in test_city_index
    sectors = _summed(direct, lambda code, district: sector_of(code))
    def approved(rows):  # the tables' approved part (their estimates are apart, in `estimated`)
        return {r.key: (r.now.scope1, r.now.scope2, r.now.filings) for r in rows if r.now.filings}

    assert approved(board.sectors.rows) == sectors
    assert approved(board.districts) == _summed(direct, lambda code, district: district)
    assert approved(board.divisions) == _summed(direct, lambda code, district: code[:3])
    for point in board.trend:  # every trend point's window, too
        assert point.inputs.scope1_r12 == sum((Decimal(r[2]) for r in _direct(point.year, point.month)),
                                              Decimal(0)) + point.inputs.estimated_tco2


def test_the_index_reads_the_rollup_not_the_calculations(db, city):
    assert dashboard(2025, 6).current.inputs.scope1_r12 == Decimal(14200)
    db.session.execute(delete(MonthlyTotal).execution_options(**unscoped("test: empty the rollup")))
    assert dashboard(2025, 6).current.inputs.scope1_r12 == 0  # the filings are still there


def test_estimates_read_only_the_enterprises_with_gaps_and_match_the_rule_over_everyone(db, city, make_org):
    # A fourth enterprise with a hole in the middle of the window and none of 2025-06; logistics never filed.
    glass = make_org(name="锦湾玻璃", industry_code="C3041", district="大洼区", first_reporting_month=date(2023, 7, 1))
    for period in month_starts(2023, 7, 23):
        if period not in (date(2024, 11, 1), date(2024, 12, 1)):
            filed_month(glass, period, str(300 + period.month), "0")
    db.session.commit()
    data = load((2024, 1), (2025, 6))
    assert data._short == {glass.id, city["logistics"].id}  # steel and power approved every month they owe
    everyone = data._read_history(date(2022, 7, 1), date(2025, 6, 1), None, {})
    for period in month_starts(2024, 1, 18):
        index = period.year * 12 + period.month - 1
        assert data.estimated(period) == _estimate(index, data.obligations.obliged_in(index), everyone), period
    assert data.estimated(date(2024, 11, 1)).months == 1  # glass's hole, by the rule


@pytest.fixture
def computed(monkeypatch):
    """The months whose public page body was computed (rather than taken from the cache)."""
    calls = []
    real = views._public_body
    monkeypatch.setattr(views, "_public_body", lambda year, month: calls.append((year, month)) or real(year, month))
    return calls


def test_a_second_request_computes_nothing(client, city, computed, monkeypatch):
    first = client.get(URL).get_data(as_text=True)
    loads = []
    monkeypatch.setattr(views, "load", lambda *a: loads.append(a))  # a load now would fail the page
    second = client.get(URL).get_data(as_text=True)
    assert second == first and 'data-testid="dci-value"' in second
    assert computed == [(2025, 6)] and loads == []


def test_each_language_and_month_has_its_own_entry(client, city, computed):
    zh = client.get(URL).get_data(as_text=True)
    with client.session_transaction() as session:
        session["locale"] = "en"
    en = client.get(URL).get_data(as_text=True)
    assert "Emissions by sector" in en and "Emissions by sector" not in zh
    client.get("/city/public?month=2025-05")
    client.get(URL)
    assert computed == [(2025, 6), (2025, 6), (2025, 5)]


def test_an_approval_changes_what_the_cached_page_shows(app, client, city, regulator, computed):
    assert "24 / 36" in client.get(URL).get_data(as_text=True)  # approved / owed enterprise-months (R12)
    june = filed_month(city["logistics"], date(2025, 6, 1), "500", status=SUBMITTED)
    db.session.commit()
    assert "24 / 36" in client.get(URL).get_data(as_text=True)  # submitted: counts nowhere
    with app.test_request_context():
        workflow.approve(regulator, db.session.get(Filing, june.id))
        assert "24 / 36" in client.get(URL).get_data(as_text=True)  # not committed yet: the old page is right
        db.session.commit()
    assert "25 / 36" in client.get(URL).get_data(as_text=True)
    assert len(computed) == 2  # first, and after the approval's commit: a submitted month changes nothing shown


def test_statistics_and_enterprises_change_the_generation_too(client, city, computed, make_org):
    before = client.get(URL).get_data(as_text=True)
    statistic = db.session.scalar(select(CityStatistic).where(CityStatistic.year == 2025))
    statistic.transport_tco2 = Decimal(9_990_000)
    db.session.commit()
    after = client.get(URL).get_data(as_text=True)
    assert "5,595,000" in after and "5,595,000" not in before  # transport: 6/12 × 9,990,000 + 6/12 × 1,200,000
    make_org(name="锦湾新材料", industry_code="C2614", district="大洼区", first_reporting_month=date(2024, 7, 1))
    db.session.commit()
    assert "24 / 48" in client.get(URL).get_data(as_text=True)  # a fourth enterprise owes the window
    assert len(computed) == 3


def test_a_redis_that_does_not_answer_costs_the_cache_not_the_page(app, client, city, computed, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.delitem(app.extensions, "city_cache", raising=False)
    assert 'data-testid="dci-value"' in client.get(URL).get_data(as_text=True)
    assert 'data-testid="dci-value"' in client.get(URL).get_data(as_text=True)
    assert computed == [(2025, 6)]  # kept in the process meanwhile


REDIS_URL = os.environ.get("TANJI_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL and os.environ.get("TANJI_REQUIRE_REDIS") != "1",
                    reason="no Redis server (TANJI_TEST_REDIS_URL)")
def test_workers_share_the_page_through_redis(app, client, city, computed, monkeypatch):
    assert REDIS_URL, "TANJI_REQUIRE_REDIS=1 but TANJI_TEST_REDIS_URL is not set"
    monkeypatch.setitem(app.config, "PAGE_CACHE_URL", REDIS_URL)
    monkeypatch.delitem(app.extensions, "city_cache", raising=False)
    def body():  # the layout around the cached body carries a CSRF token signed with the time: left out
        return re.sub(r'name="csrf_token" value="[^"]*"', "", client.get(URL).get_data(as_text=True))

    first = body()
    del app.extensions["city_cache"]  # another worker: nothing in its own memory
    assert body() == first
    assert computed == [(2025, 6)]


def test_the_dashboards_figures_are_computed_once_per_generation(client, city, authority, make_user, login_as,
                                                                   monkeypatch):
    calls = []
    real = views.dashboard
    monkeypatch.setattr(views, "dashboard", lambda *a: calls.append(a) or real(*a))
    login_as(make_user(authority, "regulator"))
    assert "24 / 36" in client.get("/city/?month=2025-06").get_data(as_text=True)
    assert "24 / 36" in client.get("/city/?month=2025-06").get_data(as_text=True) and len(calls) == 1
    filed_month(city["logistics"], date(2025, 6, 1), "500")  # approved: the rollup changes
    db.session.commit()
    assert "25 / 36" in client.get("/city/?month=2025-06").get_data(as_text=True) and len(calls) == 2


def test_opening_a_month_keeps_the_cache_unless_the_first_filing_stands_for_the_first_month(db, city, make_org):
    """Filing day must not empty the cache: a draft changes nothing the figures read. Only where an enterprise
    has no first reporting month (older rows) does its first filing set the months it owes."""
    from app.city_index.cache import generation

    with_month = city["steel"]
    before = generation()
    db.session.add(Filing(org_id=with_month.id, period=date(2025, 7, 1), revision=1, status="draft"))
    db.session.commit()
    assert generation() == before
    legacy = make_org(name="锦湾旧企业", industry_code="C2614", district="大洼区")
    legacy.first_reporting_month = None
    db.session.commit()
    before = generation()
    db.session.add(Filing(org_id=legacy.id, period=date(2025, 5, 1), revision=1, status="draft"))
    db.session.commit()
    assert generation() != before
