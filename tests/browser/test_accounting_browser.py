"""Carbon accounting in a real browser: the source register, the footprint and how it was computed,
publishing a new factor version and recalculating with it, the city settings.

Monthly filing has no web form yet, so the filings are made in the test's setup through
`app.filings.services`, as tests/test_footprint.py does; everything after that happens in the browser.
"""
import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounting.models import EmissionFactor, EmissionSource, Facility, Product
from app.core.numbers import rounded
from app.filings import services as filing_services
from app.filings import workflow
from app.filings.models import Calculation
from app.settings.services import all_settings
from tests.browser.helpers import field, field_error, screenshot, sign_in_ok, submit, zh
from tests.conftest import PASSWORD

JUNE = date(2022, 6, 1)  # worked example 7 uses the 2022 national average grid factor (0.5366 tCO2/MWh)
JULY = date(2022, 7, 1)
# Worked example 7, June 2022 (GB/T 32150-2015 formulas, the city's default factor library, AR5, CO2 only).
EXAMPLE_7 = {"gas": ("38", "万Nm3"), "diesel": ("15.5", "t"), "power": ("2350.4", "MWh"), "heat": ("4200", "GJ")}
JUNE_TOTAL, JUNE_SCOPE1, JUNE_SCOPE2 = "2,592.843", "869.618", "1,723.225"

ENTERPRISE = "锦湾示范化工有限公司"


def tonnes(value: Decimal, places: int = 3) -> str:
    """As the pages show tonnes: rounded half up, thousands separated (the `t` template filter)."""
    return f"{rounded(value, places):,}"


def nav(page, href: str):
    """A link of the main navigation; for the authority, opens the Administration menu if it is in there."""
    link = page.get_by_test_id("main-nav").locator(f'a[href="{href}"]')
    admin_menu = page.get_by_test_id("nav-admin")
    if link.count() and not link.first.is_visible() and admin_menu.count():
        admin_menu.click()
    return link


def flash(page, kind: str = "success"):
    return page.locator(f".alert-{kind}")


def month_row(page, month: str):
    return page.get_by_test_id("by-month").locator("tbody tr", has_text=month)


def provisional_row(page, month: str):
    """A month not approved yet: listed apart from the approved months, never in the totals."""
    return page.get_by_test_id("provisional").locator("tbody tr", has_text=month)


# --- the people and the plant ------------------------------------------------------------------------

@pytest.fixture
def enterprise(make_org):
    return make_org(name=ENTERPRISE, industry_code="C2614")


@pytest.fixture
def admin(enterprise, make_user):
    return make_user(enterprise, "enterprise_admin", email="zhou.admin@chem.example.com", name="周管理")


# Named, unlike the shared `regulator` of tests/conftest.py.
@pytest.fixture
def regulator(authority, make_user):
    return make_user(authority, "regulator", email="li.regulator@eco.jinwan.gov.cn", name="李监管")


# Not the shared `plant` of tests/conftest.py: the register of this module's `enterprise`, without an admin.
@pytest.fixture
def plant(db, enterprise):
    """The register of worked example 7: one facility, its four sources and a main product."""
    facility = Facility(org_id=enterprise.id, name="一号厂区")
    db.session.add(facility)
    db.session.flush()

    def source(name, category, material, unit):
        return EmissionSource(org_id=enterprise.id, facility_id=facility.id, name=name, category=category,
                              material=material, activity_unit=unit)

    sources = {
        "gas": source("燃气锅炉", "stationary_combustion", "natural_gas", "10^4 Nm3"),
        "diesel": source("厂内车辆", "mobile_combustion", "diesel", "t"),
        "power": source("外购电力", "purchased_electricity", "electricity", "MWh"),
        "heat": source("外购热力", "purchased_heat", "heat", "GJ"),
    }
    db.session.add_all(sources.values())
    product = Product(org_id=enterprise.id, name="醋酸", name_en="Acetic acid", unit="t", is_main=True)
    db.session.add(product)
    db.session.commit()
    return {"facility": facility, "sources": sources, "product": product}


def file_month(app, db, admin, org, plant, period: date, gas: str = "38", approve_by=None) -> int:
    """File a month of activity data as the (not yet built) filing form will (and approve it if `approve_by` is
    given); returns the current calculation."""
    quantities = {**EXAMPLE_7, "gas": (gas, "万Nm3")}
    with app.test_request_context():
        filing = filing_services.open_filing(admin, org, period)
        filing_services.set_activity(admin, filing, [
            {"source_id": plant["sources"][key].id, "quantity": quantity, "unit": unit}
            for key, (quantity, unit) in quantities.items()
        ], production=[{"product_id": plant["product"].id, "quantity": "1000"}], output_value="5000")
        if approve_by is not None:
            workflow.submit(admin, filing)
            workflow.approve(approve_by, filing)
        db.session.commit()
        return filing.current_calculation.id


def current_calculations(db, org) -> list[Calculation]:
    db.session.expire_all()
    return db.session.scalars(select(Calculation).where(Calculation.org_id == org.id, Calculation.is_current)
                              .order_by(Calculation.id)).all()


# --- 1. the register -----------------------------------------------------------------------------------

def add_source(page, facility_id: int, name: str, category: str, material: str, unit: str,
               covered: bool = True) -> None:
    page.get_by_test_id(f"facility-{facility_id}").get_by_role("link", name=zh("Add a source")).click()
    expect(page.get_by_test_id("source-form")).to_be_visible()
    expect(field(page, "facility_id")).to_have_value(str(facility_id))  # preselected from the card
    field(page, "name").fill(name)
    field(page, "category").select_option(category)  # register.js then offers only the fitting materials
    field(page, "material").select_option(material)
    field(page, "activity_unit").fill(unit)
    field(page, "covered").set_checked(covered)
    submit(page, "source-form")


def test_admin_builds_the_register(page, enterprise, admin, db):
    sign_in_ok(page, "周管理", admin.email, PASSWORD)
    nav(page, "/register/").click()
    expect(page).to_have_url(re.compile(r"/register/$"))
    expect(page.get_by_test_id("register-org")).to_have_text(ENTERPRISE)
    expect(page.get_by_test_id("no-facilities")).to_be_visible()

    # A facility.
    page.get_by_role("link", name=zh("Add a facility")).click()
    field(page, "name").fill("一号厂区")
    field(page, "name_en").fill("Plant No. 1")
    field(page, "address").fill("锦湾市兴港区临港大道 88 号")
    submit(page, "facility-form")
    expect(page).to_have_url(re.compile(r"/register/$"))
    expect(flash(page)).to_contain_text(
        zh("The facility %(name)s is registered. Now add its emission sources.", name="一号厂区"))
    facility = db.session.scalar(select(Facility).where(Facility.org_id == enterprise.id))
    card = page.get_by_test_id(f"facility-{facility.id}")
    expect(card).to_contain_text("一号厂区")
    expect(card).to_contain_text(zh("No emission sources yet."))

    # Natural gas, in the unit as people write it: stored as the canonical code.
    add_source(page, facility.id, "燃气锅炉", "stationary_combustion", "natural_gas", "万Nm3")
    expect(page).to_have_url(re.compile(r"/register/$"))
    expect(flash(page)).to_contain_text(zh("The source %(name)s is registered.", name="燃气锅炉"))
    gas = db.session.scalar(select(EmissionSource).where(EmissionSource.name == "燃气锅炉"))
    assert (gas.category, gas.material, gas.activity_unit, gas.covered) == (
        "stationary_combustion", "natural_gas", "10^4 Nm3", True)

    # Diesel metered in MWh: refused beside the unit, everything else typed is kept.
    add_source(page, facility.id, "厂内车辆", "mobile_combustion", "diesel", "MWh", covered=False)
    expect(page).to_have_url(re.compile(r"/register/sources/new"))
    expect(field_error(page, "activity_unit")).to_have_text(
        zh("%(unit)s does not fit %(material)s: use a unit such as %(examples)s.",
           unit="MWh", material="柴油", examples="t, kg"))
    expect(page.locator("[data-field-error]")).to_have_count(1)
    expect(field(page, "activity_unit")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(field(page, "activity_unit")).to_have_value("MWh")
    expect(field(page, "facility_id")).to_have_value(str(facility.id))
    expect(field(page, "name")).to_have_value("厂内车辆")
    expect(field(page, "category")).to_have_value("mobile_combustion")
    expect(field(page, "material")).to_have_value("diesel")
    expect(field(page, "covered")).not_to_be_checked()
    assert db.session.scalar(select(EmissionSource).where(EmissionSource.name == "厂内车辆")) is None

    field(page, "activity_unit").fill("t")
    submit(page, "source-form")
    expect(page).to_have_url(re.compile(r"/register/$"))
    expect(flash(page)).to_contain_text(zh("The source %(name)s is registered.", name="厂内车辆"))
    diesel = db.session.scalar(select(EmissionSource).where(EmissionSource.name == "厂内车辆"))
    assert (diesel.category, diesel.material, diesel.activity_unit, diesel.covered) == (
        "mobile_combustion", "diesel", "t", False)

    # The main product, its unit typed in Chinese.
    page.get_by_role("link", name=zh("Add a product")).click()
    field(page, "name").fill("醋酸")
    field(page, "name_en").fill("Acetic acid")
    field(page, "unit").fill("吨")
    field(page, "is_main").check()
    submit(page, "product-form")
    expect(flash(page)).to_contain_text(zh("The product %(name)s is registered.", name="醋酸"))
    product = db.session.scalar(select(Product).where(Product.org_id == enterprise.id))
    assert (product.name, product.unit, product.is_main) == ("醋酸", "t", True)

    # The register lists them, each source with the scope it counts toward.
    gas_row, diesel_row = page.get_by_test_id(f"source-{gas.id}"), page.get_by_test_id(f"source-{diesel.id}")
    expect(gas_row.locator("td")).to_have_text([
        "燃气锅炉", zh("%(category)s (%(scope)s)", category=zh("Stationary fuel combustion"), scope=zh("Scope 1")),
        "天然气", "10⁴ Nm³", zh("Yes"), zh("Active"), re.compile(zh("Edit"))])
    expect(diesel_row.locator("td")).to_have_text([
        "厂内车辆", zh("%(category)s (%(scope)s)", category=zh("Mobile combustion"), scope=zh("Scope 1")),
        "柴油", "t", zh("No"), zh("Active"), re.compile(zh("Edit"))])
    expect(page.get_by_test_id(f"product-{product.id}").locator("td")).to_have_text([
        "醋酸", "t", zh("Yes"), zh("Active"), re.compile(zh("Edit"))])
    screenshot(page, "register")


# --- 2. the footprint, how it was computed, the CSV ---------------------------------------------------

def test_footprint_how_computed_and_csv(page, app, db, enterprise, admin, plant, live_server, browser_console,
                                        regulator):
    # June approved, July a draft: the footprint counts June only and lists July apart.
    june_id = file_month(app, db, admin, enterprise, plant, JUNE, approve_by=regulator)
    july_id = file_month(app, db, admin, enterprise, plant, JULY, gas="40")
    calcs = current_calculations(db, enterprise)
    assert [c.id for c in calcs] == [june_id, july_id]
    year_total = calcs[0].total_tco2e
    june = calcs[0]
    assert (tonnes(june.total_tco2e), tonnes(june.scope1_tco2e), tonnes(june.scope2_tco2e)) == (
        JUNE_TOTAL, JUNE_SCOPE1, JUNE_SCOPE2)

    foreign = []  # every asset, Chart.js included, comes from this server
    page.on("request", lambda request: None if request.url.startswith(live_server) else foreign.append(request.url))

    sign_in_ok(page, "周管理", admin.email, PASSWORD)
    nav(page, "/footprint/").click()
    expect(page).to_have_url(re.compile(r"/footprint/$"))  # the year with filings is the default
    expect(page.locator("h1")).to_have_text(zh("Carbon footprint %(year)d", year=2022))
    expect(page.get_by_test_id("year-total")).to_have_text(tonnes(year_total))
    expect(page.locator('[data-total="total"]')).to_have_text(tonnes(year_total, 1))
    expect(month_row(page, "2022-06")).to_contain_text(JUNE_TOTAL)
    expect(month_row(page, "2022-07")).to_contain_text(zh("provisional, not included in the totals"))
    expect(month_row(page, "2022-07")).not_to_contain_text(tonnes(calcs[1].total_tco2e))
    expect(provisional_row(page, "2022-07")).to_contain_text(tonnes(calcs[1].total_tco2e))
    expect(provisional_row(page, "2022-07")).to_contain_text(zh("Draft"))
    expect(month_row(page, "2022-05")).to_contain_text(zh("Not filed"))

    # The chart is drawn by the local Chart.js, with the stored numbers.
    chart = page.locator("#month-chart")
    box = chart.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50, box
    drawn = page.evaluate("""() => {
        const chart = Chart.getChart(document.getElementById('month-chart'));
        return chart && {labels: chart.data.labels, scope1: chart.data.datasets[0].data,
                         scope2: chart.data.datasets[1].data};
    }""")
    assert drawn, "Chart.js did not draw on the canvas"
    june_at = drawn["labels"].index("2022-06")
    assert drawn["scope1"][june_at] == pytest.approx(float(june.scope1_tco2e))
    assert drawn["scope2"][june_at] == pytest.approx(float(june.scope2_tco2e))
    assert drawn["scope1"][drawn["labels"].index("2022-07")] is None  # a draft is not drawn
    assert page.evaluate("""() => {
        const canvas = document.getElementById('month-chart'), blank = document.createElement('canvas');
        [blank.width, blank.height] = [canvas.width, canvas.height];
        return canvas.toDataURL() !== blank.toDataURL();
    }"""), "the chart canvas is blank"
    browser_console.flush()
    assert browser_console.errors == []
    assert foreign == []
    screenshot(page, "footprint-2022")

    # How June was computed, then the natural gas line's formula and factors.
    month_row(page, "2022-06").get_by_role("link", name=zh("How computed")).click()
    expect(page).to_have_url(re.compile(rf"/footprint/calculations/{june_id}$"))
    expect(page.locator("h1")).to_have_text(zh("How %(month)s was computed", month="2022-06"))
    expect(page.get_by_test_id("calc-total")).to_have_text(JUNE_TOTAL)
    lines = page.get_by_test_id("calculation-lines")
    expect(lines.locator("tfoot tr").nth(0)).to_contain_text(JUNE_SCOPE1)
    expect(lines.locator("tfoot tr").nth(1)).to_contain_text(JUNE_SCOPE2)
    # Not its approved month: only the regulator recalculates that.
    expect(page.get_by_role("link", name=zh("Compare with today's factors"))).to_have_count(0)

    lines.locator("tbody tr", has_text="燃气锅炉").get_by_role("link", name=zh("Formula and factors")).click()
    expect(page.locator("h1")).to_have_text("燃气锅炉 · 2022-06")
    # Issue 16: the formula, parameters and factors by their names, not the engine's codes.
    expect(page.get_by_test_id("formula")).to_have_text(zh("CO₂ = fuel consumed FC × net calorific value NCV × "
                                                            "carbon content CC × oxidation rate OF × 44/12"))
    expect(page.get_by_test_id("trace-parameters").locator("tr", has_text=zh("Net calorific value (NCV)"))
           ).to_contain_text("389.31")
    factors = page.get_by_test_id("trace-factors")
    expect(factors).to_contain_text("天然气")
    expect(factors).not_to_contain_text("natural_gas")
    expect(factors).to_contain_text("GB/T 2589")
    expect(factors).to_contain_text(zh("Net calorific value") + " = 389.31")
    expect(factors).to_contain_text("v1")
    gas_line = next(line for line in june.lines if line.source.name == "燃气锅炉")
    expect(page.get_by_test_id("line-co2e")).to_have_text(tonnes(gas_line.co2e_t, 6))

    # The CSV, through the button on the footprint page.
    page.get_by_role("link", name=zh("Back to the month")).click()
    expect(page.get_by_test_id("calc-total")).to_have_text(JUNE_TOTAL)
    nav(page, "/footprint/").click()
    # An enterprise admin may compare its own draft month, opened from the provisional months.
    provisional_row(page, "2022-07").get_by_role("link", name=zh("How computed")).click()
    expect(page).to_have_url(re.compile(rf"/footprint/calculations/{july_id}$"))
    expect(page.get_by_role("link", name=zh("Compare with today's factors"))).to_be_visible()
    nav(page, "/footprint/").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"footprint-{enterprise.credit_code}-2022.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == [ENTERPRISE, enterprise.credit_code, "2022"]
    by_month = {row[0]: row for row in rows if row and re.fullmatch(r"\d{4}-\d{2}", row[0])}
    assert sorted(by_month) == ["2022-06", "2022-07"]
    places = Decimal("0.000001")
    assert by_month["2022-06"][1:3] == [zh("approved"), zh("Approved")]  # labels, not codes (issue 16)
    assert by_month["2022-07"][1:3] == [zh("provisional"), zh("Draft")]
    assert by_month["2022-06"][3:5] == [str(june.scope1_tco2e.quantize(places)),
                                        str(june.scope2_tco2e.quantize(places))]
    assert by_month["2022-06"][8] == str(june.total_tco2e.quantize(places))
    assert Decimal(by_month["2022-06"][8]).quantize(Decimal("0.001")) == Decimal("2592.843")


# --- 3. a new factor version, and recalculating a stored month with it --------------------------------

CITATION = "锦湾市生态环境局 2024 年第 3 号公告：天然气单位热值含碳量更正为 0.0160 tC/GJ"


def publish_gas_version(page) -> None:
    nav(page, "/factors/").click()
    page.get_by_test_id("factor-row-fuel-natural_gas").get_by_role("link", name="天然气").click()
    expect(page.get_by_test_id("factor-history").locator("tbody tr")).to_have_count(1)
    page.get_by_test_id("publish-version").click()
    expect(page.get_by_test_id("publish-form")).to_be_visible()
    expect(field(page, "carbon_content")).to_have_value("0.0153")
    field(page, "carbon_content").fill("0.0160")
    field(page, "valid_from").fill("2000-01-01")
    field(page, "source").fill(CITATION)
    field(page, "note").fill("更正单位热值含碳量")
    submit(page, "publish-form")


def test_regulator_publishes_a_factor_version_and_recalculates(page, app, db, enterprise, admin, plant,
                                                                regulator):
    june_id = file_month(app, db, admin, enterprise, plant, JUNE)
    stored = db.session.get(Calculation, june_id)
    old_total = stored.total_tco2e
    # Only the gas line changes: FC × NCV × ΔCC × OF × 44/12.
    expected_new = old_total + (Decimal(38) * Decimal("389.31") * (Decimal("0.0160") - Decimal("0.0153"))
                                * Decimal("0.99") * Decimal(44) / Decimal(12))

    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    publish_gas_version(page)
    expect(flash(page)).to_contain_text(zh(
        "Version %(version)s is published. Stored results keep the versions they were calculated with until "
        "they are recalculated.", version=2))
    history = page.get_by_test_id("factor-history")
    expect(history.locator("tbody tr")).to_have_count(2)
    v2, v1 = page.get_by_test_id("factor-version-2"), page.get_by_test_id("factor-version-1")
    expect(v2).to_contain_text(zh("latest"))
    expect(v2).to_contain_text("0.016")
    expect(v2).to_contain_text(CITATION)
    expect(v2).to_contain_text("李监管")
    expect(v1).to_contain_text("0.0153")
    expect(v1).to_contain_text("GB/T 2589")
    gas_v2 = db.session.scalar(select(EmissionFactor).where(EmissionFactor.code == "natural_gas",
                                                            EmissionFactor.version == 2))
    assert gas_v2.valid_from == date(2000, 1, 1) and Decimal(gas_v2.values["carbon_content"]) == Decimal("0.016")
    db.session.expire_all()
    assert db.session.get(Calculation, june_id).total_tco2e == old_total  # publishing changes no stored result

    # From the enterprise list to June's calculation.
    nav(page, "/organisations/").click()
    page.get_by_test_id("enterprise-table").get_by_role("link", name=ENTERPRISE).click()
    expect(page.get_by_test_id("org-name")).to_have_text(ENTERPRISE)
    page.locator("main").get_by_role("link", name=zh("Carbon footprint")).click()
    expect(page).to_have_url(re.compile(rf"/footprint/org/{enterprise.id}$"))
    expect(page.get_by_test_id("year-total")).to_have_text(tonnes(Decimal(0)))  # June is a draft: provisional
    expect(provisional_row(page, "2022-06")).to_contain_text(JUNE_TOTAL)
    provisional_row(page, "2022-06").get_by_role("link", name=zh("How computed")).click()
    expect(page.get_by_test_id("calc-total")).to_have_text(JUNE_TOTAL)

    # Compare: the stored result beside today's, nothing stored yet.
    page.get_by_role("link", name=zh("Compare with today's factors")).click()
    expect(page).to_have_url(re.compile(rf"/footprint/calculations/{june_id}/recalculate$"))
    table = page.get_by_test_id("recalc-table")
    gas_row = table.locator("tbody tr", has_text="燃气锅炉")
    expect(gas_row).to_contain_text("天然气: v1 → v2")
    expect(table.locator("tbody tr", has_text="厂内车辆")).to_contain_text("柴油: v1")
    expect(table.locator("tfoot td")).to_have_text([
        zh("Total"), JUNE_TOTAL, tonnes(expected_new), tonnes(expected_new - old_total), ""])
    assert len(db.session.scalars(select(Calculation).where(Calculation.filing_id == stored.filing_id)).all()) == 1

    page.get_by_role("button", name=zh("Store the new result")).click()
    expect(flash(page)).to_contain_text(zh("Recalculated: the new result is current and the previous one is kept."))
    expect(page.get_by_test_id("calc-total")).to_have_text(tonnes(expected_new))
    expect(page.locator(".alert-info")).to_be_visible()  # the current calculation
    kept = page.locator("table", has=page.locator("th", has_text=zh("Why"))).locator("tbody tr")
    expect(kept).to_have_count(2)
    expect(kept.nth(0)).to_have_class(re.compile(r"fw-semibold"))  # the current one, first
    expect(kept.nth(0).locator("td").last).to_have_text(tonnes(expected_new))
    expect(kept.nth(1).locator("td").last).to_have_text(JUNE_TOTAL)

    db.session.expire_all()
    rows = db.session.scalars(select(Calculation).where(Calculation.filing_id == stored.filing_id)
                              .order_by(Calculation.id)).all()
    assert [(c.is_current, c.reason) for c in rows] == [(False, "saved"), (True, "recalculated")]
    assert rows[0].total_tco2e == old_total
    assert tonnes(rows[1].total_tco2e) == tonnes(expected_new)
    assert page.url.endswith(f"/footprint/calculations/{rows[1].id}")

    # The earlier calculation is still there, marked as kept for the record, and cannot be recalculated.
    kept.nth(1).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/footprint/calculations/{june_id}$"))
    expect(page.locator(".alert-warning")).to_contain_text(zh("This is an earlier calculation, kept for the record."))
    expect(page.get_by_test_id("calc-total")).to_have_text(JUNE_TOTAL)
    expect(page.get_by_role("link", name=zh("Compare with today's factors"))).to_have_count(0)


# --- 4. city settings ------------------------------------------------------------------------------------

def test_regulator_changes_the_gwp_set_and_enterprises_cannot(page, open_page, db, admin, regulator):
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    nav(page, "/settings/").click()
    expect(page.locator("h1")).to_have_text(zh("City settings"))
    expect(field(page, "gwp_set")).to_have_value("AR5")
    field(page, "gwp_set").select_option("AR6")
    submit(page, "settings-form")

    change = f"{zh('GWP set (100-year)')}: {zh('IPCC AR5 (2014)')} → {zh('IPCC AR6 (2021)')}"
    expect(flash(page)).to_have_text(zh(
        "Saved. Changed: %(changes)s. New calculations use the new settings; stored results keep theirs until "
        "they are recalculated.", changes=change))
    expect(field(page, "gwp_set")).to_have_value("AR6")
    expect(field(page, "grid_series")).to_have_value("national_average")
    db.session.expire_all()
    settings = all_settings()
    assert (settings["gwp_set"], settings["grid_series"], settings["include_ch4_n2o"]) == (
        "AR6", "national_average", False)  # only the GWP set changed

    # An enterprise sees the setting in force on the factor library, but may not open the settings.
    admin_page = open_page()
    sign_in_ok(admin_page, "周管理", admin.email, PASSWORD)
    expect(nav(admin_page, "/settings/")).to_have_count(0)
    nav(admin_page, "/factors/").click()
    expect(admin_page.get_by_test_id("settings-in-force")).to_contain_text(zh("IPCC AR6 (2021)"))
    response = admin_page.goto("/settings/")
    assert response.status == 403
    expect(admin_page.get_by_test_id("error-page")).to_contain_text(zh("Not allowed"))
    expect(admin_page.get_by_test_id("settings-form")).to_have_count(0)
