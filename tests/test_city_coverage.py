"""Filing coverage on the city pages counts reporting months: an enterprise owes a month only from its first
reporting month to its last, and while active; registering one today changes no past month."""
from datetime import date, datetime, timezone

from app.city_index.index import month_inputs
from app.city_index.periods import add_months, latest_complete_month
from app.core.types import city_today
from app.extensions import db
from app.organisations import services as organisations
from app.organisations.credit_code import make_credit_code
from tests.helpers.city import filed_month, month_starts


def _coverage(year, month):
    got = month_inputs(year, month)
    return got.approved, got.expected


def test_registering_an_enterprise_today_does_not_lower_past_coverage(db, city, authority, make_user):
    regulator = make_user(authority, "regulator")
    last = latest_complete_month(city_today())
    past = [(2025, 6), last, add_months(*last, -5)]
    before = {m: _coverage(*m) for m in past}
    assert before[(2025, 6)] == (24, 36)
    organisations.register_enterprise(regulator, {
        "name": "新登记企业", "credit_code": make_credit_code("211102", "77770001"), "industry_code": "C3011"})
    db.session.commit()
    assert {m: _coverage(*m) for m in past} == before


def test_an_enterprise_owes_only_its_reporting_months(db, city, make_org):
    # Reporting from 2025-01 to 2025-04 (closed): 4 of the window's 12 months; its approved months outside them
    # (2024-12 before it began, 2025-05 after it closed) are not counted as covering anything.
    late = make_org(name="晚加入企业", first_reporting_month=date(2025, 1, 1), last_reporting_month=date(2025, 4, 1))
    for period in month_starts(2024, 12, 6):
        filed_month(late, period, "10")
    db.session.commit()
    assert _coverage(2025, 6) == (24 + 4, 36 + 4)


def test_an_inactive_enterprise_owes_nothing(db, city):
    city["logistics"].active = False
    db.session.commit()
    assert _coverage(2025, 6) == (24, 24)


def test_without_a_first_reporting_month_it_owes_from_its_first_filing(db, city, make_org):
    # An older row: created today, but filing since 2025-03 (4 months of the window, all approved).
    legacy = make_org(name="旧数据企业", created_at=datetime.now(timezone.utc))
    for period in month_starts(2025, 3, 4):
        filed_month(legacy, period, "10")
    db.session.commit()
    assert legacy.first_reporting_month is None
    assert _coverage(2025, 6) == (28, 40)
