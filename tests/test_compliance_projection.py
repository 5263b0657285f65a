"""The compliance position does not mislead: a year not yet over (or not verified) shows the approved months to
date, the same share of the allocation and a year-end projection, labelled as such in neutral colours;
"verified" only once the year's verification is confirmed. Every figure worked by hand."""
import re
from datetime import date, datetime, timezone
from decimal import Decimal

from flask_babel import force_locale, gettext

from app.assets import projection, services
from app.core.types import city_today
from app.verification.models import CONFIRMED, Engagement
from tests.conftest import login
from tests.helpers.assets import _month, record

D = Decimal


def _months(db, firm, year, tonnes_by_month: dict):
    for month, tonnes in tonnes_by_month.items():
        _month(db, firm["org"], date(year, month, 1), [(firm["kiln"], "1", str(tonnes))])


def _allocate(app, db, firm, year, allocated, bought=None, price=None):
    with app.test_request_context():
        record(firm, "allocation", quantity=str(allocated), compliance_year=year, trade_date=date(year, 1, 10))
        if bought:
            record(firm, "purchase", instrument="allowance", compliance_year=year, trade_date=date(year, 2, 1),
                   counterparty="上海环境能源交易所", quantity=bought, price=price)
        db.session.commit()


def _card(body: str) -> str:
    start = body.index('data-testid="compliance-position"')
    return body[start:body.index('<div class="row g-4 mb-4">', start)]


def test_ten_months_of_the_current_year_project_the_year_from_the_average_month(app, db, firm):
    # 2026, on 20 November: January–October approved at 1,000 t each; no 2025 figures to give a profile.
    _months(db, firm, 2026, {m: 1000 for m in range(1, 11)})
    _allocate(app, db, firm, 2026, 13000, bought="100", price="80")
    with app.test_request_context():
        position = services.compliance_position(firm["org"], 2026, today=date(2026, 11, 20))
    p = position.projection
    assert position.projected and not position.is_verified and not position.year_over
    assert (p.months, p.due, p.approved, p.approved_t) == (12, 10, 10, D(10000))
    # The same share of the allocation: 13,000 × 10/12.
    assert position.allocation_share_t == D(13000) * 10 / 12
    # The average approved month × 12: 10,000 / 10 × 12 = 12,000 t.
    assert p.method == projection.AVERAGE and position.projected_t == D(12000)
    # Allowances 13,000 + 100 bought; no offsets: 13,100 − 12,000 = a projected surplus of 1,100 t, × 80 CNY/t.
    assert position.projected_balance_t == D(1100) and position.projected_balance_cny == D(88000)
    assert position.shown_balance_t == D(1100) and not position.short
    # What the old page showed as a "surplus" (the full allocation against ten months) is not what it shows now.
    assert position.balance_t == D(3100)


def test_last_years_seasonal_profile_projects_a_winter_heavy_year(app, db, firm):
    # 2025 (approved, whole year): 800 t a month to October, 1,500 t in November and December = 11,000 t.
    _months(db, firm, 2025, {**{m: 800 for m in range(1, 11)}, 11: 1500, 12: 1500})
    _months(db, firm, 2026, {m: 1000 for m in range(1, 11)})
    _allocate(app, db, firm, 2026, 13000)
    with app.test_request_context():
        position = services.compliance_position(firm["org"], 2026, today=date(2026, 11, 20))
    p = position.projection
    # 10,000 × 11,000 (last year's 12 months) / 8,000 (last year's January–October) = 13,750 t.
    assert p.method == projection.SEASONAL and (p.last_year_all_t, p.last_year_same_t) == (D(11000), D(8000))
    assert position.projected_t == D(13750)
    assert position.projected_balance_t == D(-750) and position.short
    assert position.price is None and position.projected_balance_cny is None


def test_a_late_first_reporting_month_shortens_the_year(app, db, firm):
    firm["org"].first_reporting_month = date(2026, 3, 1)
    _months(db, firm, 2026, {m: 900 for m in range(3, 11)})  # March–October: 8 of its 10 months
    _allocate(app, db, firm, 2026, 10000)
    with app.test_request_context():
        position = services.compliance_position(firm["org"], 2026, today=date(2026, 12, 3))
    p = position.projection
    assert (p.months, p.due, p.approved) == (10, 9, 8)
    assert position.allocation_share_t == D(10000) * 8 / 10 == D(8000)
    assert position.projected_t == D(7200) / 8 * 10 == D(9000)
    assert position.projected_balance_t == D(1000)


def test_a_past_year_with_months_missing_is_still_projected(app, db, firm):
    _months(db, firm, 2025, {m: 1000 for m in range(1, 12)})  # December not approved
    with app.test_request_context():
        position = services.compliance_position(firm["org"], 2025, today=date(2026, 3, 1))
    assert position.year_over and position.projected and position.projected_t == D(12000)


def test_a_year_without_an_approved_month_has_nothing_to_project(app, db, firm):
    with app.test_request_context():
        position = services.compliance_position(firm["org"], 2026, today=date(2026, 5, 1))
    assert position.projected and position.projection.method == projection.NONE
    assert position.projected_t is None and position.shown_balance_t is None and not position.short


def _confirm(db, firm, make_org, year, total):
    body = make_org(kind="verifier", name="锦湾核查中心")
    db.session.add(Engagement(org_id=firm["org"].id, verifier_org_id=body.id, year=year, status=CONFIRMED,
                              opinion="verified", verified_total_tco2e=D(total), confirmed_total_tco2e=D(total),
                              confirmed_at=datetime(year + 1, 4, 1, tzinfo=timezone.utc)))
    db.session.commit()


def test_verified_only_once_the_verification_is_confirmed(app, db, firm, make_org):
    _months(db, firm, 2025, {m: 1000 for m in range(1, 13)})
    _allocate(app, db, firm, 2025, 12500)
    with app.test_request_context():
        approved = services.compliance_position(firm["org"], 2025, today=date(2026, 3, 1))
    # The year is over and every month approved: a balance, but of approved emissions, not verified ones.
    assert not approved.is_verified and not approved.projected and approved.verified_t == D(12000)
    assert approved.balance_t == D(500)
    _confirm(db, firm, make_org, 2025, "12100")
    with app.test_request_context():
        verified = services.compliance_position(firm["org"], 2025, today=date(2026, 3, 1))
    assert verified.is_verified and not verified.projected and verified.projection is None
    assert verified.verified_t == D(12100) and verified.balance_t == D(400) and verified.surplus


def _zh(msgid: str) -> str:
    with force_locale("zh"):
        return gettext(msgid)


def test_the_current_year_page_projects_and_never_says_verified(app, db, client, firm):
    this = city_today().year
    done = city_today().month - 1 or 1  # the months ended so far this year (at least January)
    _months(db, firm, this, {m: 1000 for m in range(1, done + 1)})
    _allocate(app, db, firm, this, 1_000_000)  # far more than the year needs: the old page's green "surplus"
    login(client, firm["admin"])
    with app.test_request_context():
        position = services.compliance_position(firm["org"], this)
    card = _card(client.get(f"/assets/?year={this}").get_data(as_text=True))
    assert 'data-state="projected"' in card and 'data-testid="position-projection"' in card
    label = re.search(r'data-testid="projected-balance-label">([^<]*)<', card).group(1)
    assert label in (_zh("Projected surplus"), "Projected surplus")
    balance = re.search(r'<div class="stat-value ([^"]*)" data-figure="projected-balance">([^<]*)<', card)
    assert "text-success" not in balance.group(1) and "text-danger" not in balance.group(1)
    assert balance.group(2) == f"{round(position.projected_balance_t):,}"
    for word in ("Verified emissions", "Surplus"):
        assert f">{_zh(word)}<" not in card and f">{word}<" not in card
    assert 'class="stat-value text-success"' not in card
    assert re.search(r'data-figure="emissions">([^<]*)<', card).group(1) == f"{1000 * done:,}"
    home = client.get("/").get_data(as_text=True)  # the home page shows last year: approved, not verified
    assert 'data-testid="home-position"' in home and _zh("Verified emissions") not in home


def test_the_regulator_overview_marks_projections(app, db, client, firm, make_org):
    this = city_today().year
    _months(db, firm, this, {1: 1000})
    _allocate(app, db, firm, this, 1_000_000)
    login(client, firm["regulator"])
    body = client.get(f"/assets/overview?year={this}").get_data(as_text=True)
    row = re.search(rf'<tr data-org="{firm["org"].id}" data-state="([a-z]+)">(.*?)</tr>', body, re.S)
    assert row.group(1) == "projected" and "text-success" not in row.group(2)
    assert _zh("Projected") in row.group(2) or "Projected" in row.group(2)


def test_a_past_confirmed_year_says_verified_on_the_page(app, db, client, firm, make_org):
    _months(db, firm, 2025, {m: 1000 for m in range(1, 13)})
    _allocate(app, db, firm, 2025, 12500)
    _confirm(db, firm, make_org, 2025, "12100")
    login(client, firm["admin"])
    card = _card(client.get("/assets/?year=2025").get_data(as_text=True))
    assert 'data-state="verified"' in card
    label = re.search(r'data-testid="emissions-label">([^<]*)<', card).group(1)
    assert label in (_zh("Verified emissions"), "Verified emissions")
    assert re.search(r'data-figure="emissions">([^<]*)<', card).group(1) == "12,100"
    assert re.search(r'class="stat-value text-success" data-figure="balance">([^<]*)<', card).group(1) == "400"
