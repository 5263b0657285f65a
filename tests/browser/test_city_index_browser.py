"""The city dual-carbon index (双碳指数) in a real browser: the regulator's dashboard and its drill-down to an
enterprise's footprint, the methodology page's figures, the public page without sign-in, a what-if scenario.

The data is that of tests/test_city_index.py (its `city` fixture: index settings, two years of city statistics,
two carbon sinks, three enterprises with approved months up to 2025-06); every figure asserted is the one the
services compute, formatted as the pages show it.
"""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.city_index.breakdowns import division_totals
from app.city_index.index import city_index
from app.city_index.index import levers as levers_of
from app.city_index.months import settled_month
from app.core.numbers import rounded
from app.core.types import city_today
from app.footprint.services import footprint
from app.scenarios.models import Scenario
from app.scenarios.services import evaluate
from tests.browser.helpers import field, sign_in_ok, submit, zh
from tests.conftest import PASSWORD

YEAR, MONTH = 2025, 6
MONTH_VALUE = f"{YEAR}-{MONTH:02d}"


def shown(value, places: int = 2) -> str:
    """As the `t` template filter shows a figure: rounded half up, thousands separated."""
    return "—" if value is None else f"{rounded(value, places):,}"


def nav(page, href: str):
    """A link of the main navigation; opens the Administration menu if the link is in there."""
    link = page.get_by_test_id("main-nav").locator(f'a[href="{href}"]')
    admin_menu = page.get_by_test_id("nav-admin")
    if link.count() and not link.first.is_visible() and admin_menu.count():
        admin_menu.click()
    return link


def choose_month(page, value: str) -> None:
    """The month picker above the index pages (an <input type=month>), then Show."""
    form = page.locator("form", has=page.locator('input[name="month"]')).first
    form.locator('input[name="month"]').fill(value)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()


def chart_drawn(page) -> dict:
    """The trend canvas: its laid-out size, whether Chart.js owns it and whether anything was painted."""
    return page.locator("canvas[data-city-chart]").evaluate("""(canvas) => {
        const box = canvas.getBoundingClientRect();
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted++; } }
        return {width: box.width, height: box.height, chart: !!(window.Chart && Chart.getChart(canvas)),
                datasets: Chart.getChart(canvas) ? Chart.getChart(canvas).data.datasets.length : 0, painted};
    }""")


# Named, unlike the shared `regulator` of tests/conftest.py.
@pytest.fixture
def regulator(authority, make_user):
    return make_user(authority, "regulator", email="li.regulator@eco.jinwan.gov.cn", name="李监管")


# --- 1. the dashboard and the drill-down -------------------------------------------------------------------

def test_regulator_reads_the_index_and_drills_down_to_an_enterprise(page, city, regulator, browser_console):
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    link = nav(page, "/city/")
    expect(link).to_have_text(zh("City index"))
    link.click()
    expect(page).to_have_url(re.compile(r"/city/$"))

    # By default the latest month that is not provisional (2025-06: every later month lacks its filings).
    assert settled_month(city_today()) == (YEAR, MONTH)
    default = city_index(*settled_month(city_today()))
    expect(page.get_by_test_id("dci-value")).to_have_text(shown(default.dci))

    # The month of the data.
    choose_month(page, MONTH_VALUE)
    expect(page).to_have_url(re.compile(rf"/city/\?month={MONTH_VALUE}$"))
    current = city_index(YEAR, MONTH)
    assert current.dci is not None and current.result is not None
    expect(page.get_by_test_id("dci-value")).to_have_text(shown(current.dci))
    expect(page.get_by_test_id("dci-card")).to_contain_text(f"{current.inputs.approved} / {current.inputs.expected}")
    expect(page.get_by_test_id("provisional")).to_have_count(1 if current.provisional else 0)
    rows = page.get_by_test_id("sub-indices").locator("tbody tr")
    for key, s in current.result.sub_indices.items():
        expect(rows.filter(has=page.locator("td", has_text=re.compile(rf"^{key} "))).locator("td").nth(1)).to_have_text(shown(s.score))

    # The trend chart is drawn: a laid-out canvas Chart.js painted on, and no console errors at all.
    canvas = page.locator("canvas[data-city-chart]")
    expect(canvas).to_be_visible()
    drawn = chart_drawn(page)
    assert drawn["width"] > 0 and drawn["height"] > 0, drawn
    assert drawn["chart"] and drawn["datasets"] >= 7 and drawn["painted"] > 0, drawn

    # The lever table of the month: each line the formula re-evaluated (the test city files too little for a
    # 100,000 t cut of its scope 1, so those lines say so).
    levers = page.get_by_test_id("levers")
    for key, _after, change in levers_of(current):
        cell = levers.locator(f'tr[data-lever="{key}"] td').nth(2)
        expect(cell).to_have_text("—" if change is None else ("+" if change > 0 else "") + shown(change))
    expect(page.get_by_test_id("methodology-version")).to_have_text(zh("Methodology version %(n)s", n=1))
    browser_console.flush()
    assert browser_console.errors == []

    # Sector -> industry division -> enterprise -> its footprint.
    steel = city["steel"]
    page.get_by_test_id("sectors").locator(f'a[href="/city/industry?code=industry&month={MONTH_VALUE}"]').click()
    expect(page).to_have_url(re.compile(r"/city/industry\?code=industry"))
    divisions = division_totals(YEAR, MONTH, "industry")
    assert [code for code, _, _ in divisions] == ["C31"]
    c31 = page.get_by_test_id("divisions").locator("tbody tr", has_text="C31")
    expect(c31.locator("td").nth(1)).to_have_text(shown(divisions[0][2].scope1, 0))  # 1,200 approved scope 1

    c31.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/city/industry\?code=C31"))
    enterprises = page.get_by_test_id("enterprises").locator("tbody tr")
    expect(enterprises).to_have_count(1)
    # its R12 (approved, months, estimated, total) against a year earlier: steel has no filings before the window
    expect(enterprises.locator("td")).to_have_text([steel.name, "C3110", "兴港区", "1,200", "12", "0", "1,200",
                                                    "—", "—", "—"])

    enterprises.get_by_role("link", name=steel.name).click()
    expect(page).to_have_url(re.compile(rf"/footprint/org/{steel.id}\?year={YEAR}$"))
    expect(page.locator("main, body").first).to_contain_text(steel.name)
    fp = footprint(steel.id, YEAR)
    expect(page.locator('[data-total="total"]')).to_have_text(shown(fp.totals["total"], 1))
    expect(page.locator('[data-total="scope1"]')).to_have_text(shown(fp.totals["scope1"], 1))
    assert fp.totals["scope1"] == Decimal(600)  # January to June 2025, 100 t a month


def test_regulator_opens_a_district_from_the_dashboard(page, city, regulator):
    """The district column is clickable: the district page lists its divisions and its top emitters."""
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    page.goto(f"/city/?month={MONTH_VALUE}")
    districts = page.get_by_test_id("districts")
    expect(districts.locator('tr[data-row="兴港区"] td').nth(3)).to_have_text("1,200")  # the R12 total
    districts.get_by_role("link", name="兴港区").click()
    expect(page).to_have_url(re.compile(r"/city/district\?name="))
    expect(page.get_by_test_id("district-name")).to_contain_text("兴港区")
    expect(page.get_by_test_id("divisions").locator('tr[data-row="C31"]')).to_have_count(1)
    expect(page.get_by_test_id("enterprises").locator("tbody tr")).to_have_count(1)  # logistics has no figures
    expect(page.get_by_test_id("enterprises")).to_contain_text(city["steel"].name)
    # every table of the dashboard as one workbook
    page.goto(f"/city/?month={MONTH_VALUE}")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename == f"city-index-{MONTH_VALUE}.xlsx"


# --- 2. the methodology ------------------------------------------------------------------------------------

def test_methodology_shows_x_t_and_b_as_computed(page, city, regulator):
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    page.goto(f"/city/methodology?month={MONTH_VALUE}")
    current = city_index(YEAR, MONTH)
    result = current.result
    expect(page.get_by_test_id("settings-version")).to_contain_text(current.settings.valid_from.isoformat())
    expect(page.get_by_test_id("dci-value")).to_have_text(shown(current.dci))
    expect(page.locator("li", has_text=re.compile(r"^X = "))).to_have_text(f"X = {shown(result.gross_tco2, 0)} tCO2")

    table = page.get_by_test_id("sub-indices")
    for key in ("S1", "S6"):
        s = result.sub_indices[key]
        cells = table.locator("tbody tr", has=page.locator("td", has_text=re.compile(rf"^{key} "))).locator("td")
        expect(cells).to_have_text([re.compile(rf"^{key} "), shown(s.score), shown(s.unclipped), shown(s.x, 4),
                                    shown(s.target, 4), re.compile(re.escape(shown(s.reference, 4))),
                                    shown(result.weights_used[key], 3)])
    # S1: X is the gross emissions, T the path at t; S6: X the sinks counted in 2025 (wetland + new forest).
    assert result.sub_indices["S1"].x == result.gross_tco2
    assert result.sub_indices["S1"].target == result.path_target
    assert result.sub_indices["S6"].x == Decimal(70000)


# --- 3. the public page ------------------------------------------------------------------------------------

def test_public_page_without_sign_in_shows_the_index_and_no_enterprise(open_page, city):
    page = open_page()  # a fresh context: no session cookie
    page.goto(f"/city/public?month={MONTH_VALUE}")
    expect(page).to_have_url(re.compile(rf"/city/public\?month={MONTH_VALUE}$"))  # not sent to sign in
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    current = city_index(YEAR, MONTH)
    expect(page.get_by_test_id("dci-value")).to_have_text(shown(current.dci))
    drawn = chart_drawn(page)
    assert drawn["width"] > 0 and drawn["height"] > 0 and drawn["chart"] and drawn["painted"] > 0, drawn
    body = page.locator("body").inner_text()
    html = page.content()
    for key in ("steel", "power", "logistics"):
        org = city[key]
        for name in (org.name, org.name_en):
            assert name not in body and name not in html, name
    expect(page.locator('a[href^="/footprint/"], a[href^="/city/industry"]')).to_have_count(0)


# --- 4. a what-if scenario ---------------------------------------------------------------------------------

def test_regulator_creates_a_new_sinks_scenario(page, db, city, regulator):
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    nav(page, "/city/scenarios/").click()
    expect(page).to_have_url(re.compile(r"/city/scenarios/$"))
    page.goto("/city/scenarios/new?kind=sinks")
    expect(page.get_by_test_id("scenario-form")).to_be_visible()
    field(page, "name").fill("滨海红树林修复 10 万公顷")
    field(page, "month").fill(MONTH_VALUE)
    field(page, "area_ha").fill("100,000")
    field(page, "rate").fill("10")
    submit(page, "scenario-form")

    scenario = db.session.query(Scenario).filter_by(name="滨海红树林修复 10 万公顷").one()
    assert scenario.kind == "sinks"
    assert (scenario.params["month"], Decimal(scenario.params["area_ha"]), Decimal(scenario.params["rate"])) == (
        MONTH_VALUE, Decimal(100000), Decimal(10))
    expect(page).to_have_url(re.compile(rf"/city/scenarios/{scenario.id}$"))
    expect(page.locator(".alert-success")).to_contain_text("滨海红树林修复 10 万公顷")
    expect(page.get_by_test_id("sinks")).to_contain_text("1,000,000.00")

    outcome = evaluate(scenario)
    baseline, result = outcome.baseline, outcome.result
    assert baseline.sub_indices["S6"].score < result.sub_indices["S6"].score  # more sinks, S6 higher
    assert baseline.gross_tco2 == result.gross_tco2  # sinks are never netted from X

    def cells(label):
        return page.get_by_test_id("side-by-side").locator("tbody tr", has=page.locator("th", has_text=label)) \
            .locator("td")

    def num(value, places=2):
        return f"{Decimal(value):,.{places}f}"

    expect(cells("S6")).to_have_text([num(baseline.sub_indices["S6"].score), num(result.sub_indices["S6"].score),
                                      num(result.sub_indices["S6"].score - baseline.sub_indices["S6"].score)])
    expect(cells("S1")).to_have_text([num(baseline.sub_indices["S1"].score)] * 2 + ["0.00"])
    expect(cells("DCI")).to_have_text([num(baseline.dci), num(result.dci), num(outcome.dci_change)])
    expect(page.get_by_test_id("x-change")).to_have_text("0.00")
    shown_s6 = [Decimal(t.replace(",", "")) for t in cells("S6").all_inner_texts()]
    assert shown_s6[1] > shown_s6[0]
    # The baseline is the dashboard's index of the same month.
    assert num(baseline.dci) == num(city_index(YEAR, MONTH).dci)
