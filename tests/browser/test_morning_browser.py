"""The regulator's morning in a real browser (issue 18): the home page (this month's filing completion, the
overdue enterprises) → one overdue enterprise reminded from there → the dashboard's lever table → a new project
assessed and a decision recorded → the annual city report started as a job and its PDF downloaded.

The data is the `city` fixture of tests/conftest.py (index settings, statistics, sinks, three enterprises with
approved months up to 2025-06 and owing every month since): each of them is overdue today. Every figure asserted
is the one the services compute.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.city_index.index import city_index
from app.city_index.index import levers as levers_of
from app.city_index.months import settled_month
from app.core.numbers import rounded
from app.core.types import city_today
from app.extensions import db
from app.home.services import authority_home
from app.notifications.models import ReminderSent
from app.report_jobs.models import DONE, ReportJob
from app.scenarios.models import ProjectDecision
from tests.browser.helpers import field, sign_in_ok, zh
from tests.conftest import PASSWORD


def shown(value, places: int = 2) -> str:
    return "—" if value is None else f"{rounded(value, places):,}"


@pytest.fixture
def regulator(authority, make_user):
    return make_user(authority, "regulator", email="wang.regulator@eco.jinwan.gov.cn", name="王监管")


def test_the_regulators_morning(page, city, regulator, browser_console):
    today = city_today()
    home = authority_home(today)
    steel = city["steel"]

    # 1. The home page: the month just ended, where each enterprise's filing stands, who is overdue.
    sign_in_ok(page, "王监管", regulator.email, PASSWORD)
    page.goto("/")
    period = home["period"].strftime("%Y-%m")
    approved = home["counts"].get("approved", 0)
    expect(page.get_by_test_id("month-approved")).to_have_text(f"{approved} / {home['owing']}")
    completion = page.get_by_test_id("month-completion")
    for org in (city["steel"], city["power"], city["logistics"]):
        expect(completion.locator(f'tr[data-org="{org.id}"]')).to_have_count(1)  # none has filed {period}
    assert home["owing"] == 3 and approved == 0, period
    expect(page.get_by_test_id("late-total")).to_have_text(str(home["late_total"]))
    late = {e.organisation.id: e for e in home["late"]}
    assert set(late) == {steel.id, city["power"].id, city["logistics"].id}
    row = page.get_by_test_id("late-enterprises").locator(f'tr[data-org="{steel.id}"]')
    expect(row.locator("td").nth(1)).to_have_text(str(late[steel.id].months))
    expect(row.locator("td").nth(2)).to_have_text(late[steel.id].oldest.strftime("%Y-%m"))

    # 2. Remind the steelworks only, from its row: back on the home page with the count said in words.
    row.get_by_test_id("home-remind-one").locator("button").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".alert-success")).to_contain_text(
        zh("Reminded %(n)d enterprises of %(months)d overdue months.", n=1, months=late[steel.id].months))
    db.session.commit()  # end the test's own read transaction: see what the server committed
    reminded = dict(db.session.execute(select(ReminderSent.org_id, func.count(ReminderSent.id))
                                       .group_by(ReminderSent.org_id)).all())
    assert reminded == {steel.id: late[steel.id].months}

    # 3. The dashboard opens on the latest month that is not provisional, with its lever table.
    page.get_by_test_id("main-nav").locator('a[href="/city/"]').click()
    expect(page).to_have_url(re.compile(r"/city/$"))
    year, month = settled_month(today)
    current = city_index(year, month)
    levers = page.get_by_test_id("levers")
    expect(levers).to_be_visible()
    expected = levers_of(current)
    assert expected
    for key, _after, change in expected:
        cell = levers.locator(f'tr[data-lever="{key}"] td').nth(2)
        expect(cell).to_have_text("—" if change is None else ("+" if change > 0 else "") + shown(change))

    # 4. A new project: assessed against the path in every year to 2035, then decided.
    page.goto("/city/scenarios/projects/assess")
    expect(page.get_by_test_id("baseline-month")).to_contain_text(f"{year}-{month:02d}")
    field(page, "name").fill("锦湾乙烯二期")
    field(page, "annual_tco2e").fill("1520000")
    field(page, "first_year").fill("2027")
    field(page, "first_year_share").fill("0.5")
    page.get_by_test_id("assess").click()
    expect(page.get_by_test_id("verdict")).to_be_visible()
    years = page.get_by_test_id("assessment-years").locator("tbody tr")
    expect(years).to_have_count(2035 - 2027 + 1)
    expect(years.first).to_have_attribute("data-year", "2027")
    field(page, "decision").select_option("approved_with_conditions")
    field(page, "note").fill("须在投产前落实 1.52 Mt/年的排放抵消。")
    page.get_by_test_id("decide").click()
    expect(page).to_have_url(re.compile(r"/city/scenarios/projects/\d+$"))
    expect(page.get_by_test_id("decision")).to_have_text(zh("Approved with conditions"))
    expect(page.get_by_test_id("decision-note")).to_have_text("须在投产前落实 1.52 Mt/年的排放抵消。")
    db.session.commit()
    decision = db.session.scalars(select(ProjectDecision)).one()
    assert (decision.name, decision.decision, decision.decided_by_id) == (
        "锦湾乙烯二期", "approved_with_conditions", regulator.id)
    assert decision.result["baseline_month"] == f"{year}-{month:02d}"
    assert [y["year"] for y in decision.result["years"]] == list(range(2027, 2036))
    assert decision.inputs["annual_tco2e"] == "1520000"

    # 5. The annual city report of the dashboard's year: a job, its PDF downloaded.
    page.goto("/city/")
    page.get_by_test_id("city-report").click()
    expect(page).to_have_url(re.compile(r"/reports/jobs/\d+$"))
    download_link = page.get_by_test_id("report-download")
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        download_link.click()
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    db.session.commit()
    job = db.session.scalars(select(ReportJob)).one()
    assert (job.kind, job.status, job.params["year"]) == ("city_annual", DONE, year)

    browser_console.flush()
    assert browser_console.errors == []
