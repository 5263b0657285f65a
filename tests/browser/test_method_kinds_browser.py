"""Every kind of method input in the browser (issue 17): a blast furnace's materials typed into their table give the
live preview's figure and are saved; the steelworks', oilfield's, chemical plant's and coal unit's filing pages fit a
phone and a laptop in both languages, their tables without a scroll bar of their own from 1366 px."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.filings import services
from tests.browser.helpers import sign_in_ok
from tests.conftest import PASSWORD
from tests.helpers.methods import JUNE, chemical_plant, oilfield, power_plant, steelworks

SHOTS = os.environ.get("TANJI_SHOTS")  # a folder: each page measured is also photographed there

# What sticks out past the window, and at a laptop's width, a table box that scrolls.
FITS_JS = """(wide) => {
  const width = window.innerWidth, problems = [], doc = document.documentElement.scrollWidth;
  if (doc > width) problems.push(`document ${doc}px`);
  if (wide) for (const box of document.querySelectorAll('main .table-responsive')) {
    if (box.scrollWidth > box.clientWidth + 0.5) problems.push(`table ${box.scrollWidth}px in ${box.clientWidth}px`);
  }
  return problems;
}"""


def _draft(app, db, enterprise) -> int:
    with app.test_request_context():
        filing = services.open_filing(enterprise["admin"], enterprise["org"], JUNE)
        db.session.commit()
        return filing.id


def _fits(page, name: str) -> None:
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        for details in page.locator("[data-method-inputs] details").all():
            details.evaluate("d => d.open = true")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        assert page.evaluate(FITS_JS, width >= 1366) == [], (name, width)


def test_a_blast_furnace_is_typed_previewed_and_saved(app, open_page, db, make_org, make_user):
    steel = steelworks(db, make_org, make_user)
    filing_id = _draft(app, db, steel)
    sid = steel["sources"]["furnace"].id
    page = open_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_ok(page, steel["admin"].name, steel["admin"].email, PASSWORD)
    page.goto(f"/filings/{filing_id}")
    page.locator(f'[name="quantity_{sid}"]').fill("1000")
    for parameter, i, name, quantity, unit, pct, content in (
            ("inputs", 0, "焦炭", "330", "t", "85", ""), ("inputs", 1, "喷吹煤", "180", "t", "76", ""),
            ("outputs", 0, "生铁", "1000", "t", "4.7", ""), ("outputs", 1, "高炉煤气", "100", "10^4 Nm3", "", "2.3")):
        page.locator(f'[name="{parameter}_{i}_name_{sid}"]').fill(name)
        page.locator(f'[name="{parameter}_{i}_quantity_{sid}"]').fill(quantity)
        page.locator(f'[name="{parameter}_{i}_unit_{sid}"]').select_option(unit)
        if pct:
            page.locator(f'[name="{parameter}_{i}_carbon_pct_{sid}"]').fill(pct)
        if content:
            page.locator(f'[name="{parameter}_{i}_carbon_content_{sid}"]').fill(content)
    expect(page.locator(f'[data-preview-line="{sid}"]')).to_have_text("514.433")
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    expect(page.locator(f'[name="outputs_1_name_{sid}"]')).to_have_value("高炉煤气")
    expect(page.locator(f'[name="outputs_1_unit_{sid}"]')).to_have_value("10^4 Nm3")
    expect(page.locator(f'[data-preview-line="{sid}"]')).to_have_text("514.433")
    _fits(page, "steel-zh")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_sector_filing_pages_fit(app, open_page, db, make_org, make_user, locale):
    for name, make in (("steel", steelworks), ("oilfield", oilfield), ("chemicals", chemical_plant),
                       ("coal", power_plant)):
        enterprise = make(db, make_org, make_user)
        filing_id = _draft(app, db, enterprise)
        page = open_page(locale)
        sign_in_ok(page, enterprise["admin"].name, enterprise["admin"].email, PASSWORD)
        page.goto(f"/filings/{filing_id}")
        _fits(page, f"{name}-{locale}")
