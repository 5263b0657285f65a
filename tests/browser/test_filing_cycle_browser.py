"""The whole monthly filing cycle in a real browser (issue 4's acceptance).

An energy manager files June 2022 (worked example 7) through the form with its live preview, attaches
an invoice and submits; the regulator returns it with comments; the energy manager corrects and
resubmits; the regulator approves, which locks the month; an amendment then goes through review again
and, once approved, supersedes revision 1, which stays readable.

The people and the register are made in Python (the `plant` fixture of tests/test_footprint.py);
everything else happens in the browser, with database checks beside the page checks.

The filing pages' clock (`app.filings.views._today`) reads 8 July 2022; everything else keeps the real
clock. "File a month" offers only the last 24 months, so June 2022 is there only while it is recent.
"""
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.core.numbers import rounded
from app.filings import views as filing_views
from app.filings.models import Evidence, Filing, ReviewComment
from app.footprint.services import effective_filings
from app.notifications.models import Notification
from tests.browser.helpers import field, screenshot, sign_in_ok, zh
from tests.conftest import PASSWORD

JUNE, MONTH = date(2022, 6, 1), "2022-06"
TODAY = date(2022, 7, 8)  # the month has ended and is not yet due (15 July)
ENTERPRISE = "锦湾示范化工有限公司"
EXAMPLE_7 = {"gas": "38", "diesel": "15.5", "power": "2350.4", "heat": "4200"}
EXAMPLE_7_TOTAL = "2,592.843"
# tCO2 per unit of fuel, NCV × CC × OF × 44/12 with the city's default library (GB/T 2589, national guidelines).
GAS_PER_10K_NM3 = Decimal("389.31") * Decimal("0.0153") * Decimal("0.99") * 44 / 12  # 21.622
DIESEL_PER_T = Decimal("42.652") * Decimal("0.0202") * Decimal("0.98") * 44 / 12  # 3.096
CORRECTED_TOTAL = "2,582.032"  # gas 37.5 instead of 38: 10.811 t less
AMENDED_TOTAL = "2,583.580"  # and diesel 16 t instead of 15.5: 1.548 t more
INVOICE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def tonnes(value: Decimal) -> str:
    """As the pages show tonnes (the `t` filter)."""
    return f"{rounded(value, 3):,}"


def close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) < Decimal("0.000001")


# --- the people ----------------------------------------------------------------------------------------------

# Named, unlike the shared `manager` of tests/conftest.py.
@pytest.fixture
def manager(plant, make_user):
    return make_user(plant["org"], "energy_manager", email="wang.energy@chem.example.com", name="王能源", may_sign=True)


# Named, unlike the shared `regulator` of tests/conftest.py.
@pytest.fixture
def regulator(authority, make_user):
    return make_user(authority, "regulator", email="li.regulator@eco.jinwan.gov.cn", name="李监管")


@pytest.fixture
def july_2022(monkeypatch):
    monkeypatch.setattr(filing_views, "_today", lambda: TODAY)


# --- small steps -----------------------------------------------------------------------------------------------

def nav(page, href: str):
    return page.get_by_test_id("main-nav").locator(f'a[href="{href}"]')


def flash(page, kind: str = "success"):
    return page.locator(f".alert-{kind}")


def click(page, button: str) -> None:
    page.get_by_role("button", name=zh(button), exact=True).click()
    page.wait_for_load_state()


def quantity(page, source):
    return field(page, f"quantity_{source.id}")


def preview_total(page):
    return page.get_by_test_id("preview-panel").get_by_test_id("total")


def status_badge(page):
    return page.get_by_test_id("filing-status")


def filing(db, filing_id: int) -> Filing:
    """The filing as the server left it."""
    db.session.expire_all()
    return db.session.get(Filing, filing_id)


def filing_id_of(page) -> int:
    return int(re.search(r"/filings/(\d+)", page.url)[1])


def submit_month(page, total: str) -> None:
    """From the month's page: check the summary, find nothing unusual, certify and submit."""
    page.get_by_test_id("go-submit").click()
    expect(page.locator("h1")).to_have_text(zh("Submit %(month)s for review", month=MONTH))
    expect(page.get_by_test_id("certification-summary").get_by_test_id("total")).to_have_text(total)
    expect(page.get_by_test_id("submit-form")).to_contain_text(zh("The plausibility checks found nothing unusual."))
    expect(page.locator("textarea[name^='explanation-']")).to_have_count(0)  # no warning to explain
    # Submitting is a signature: the statement is shown, and a wrong password submits nothing.
    expect(page.get_by_test_id("statement")).to_contain_text("真实、准确、完整")
    page.fill("#password", "not-my-password")
    click(page, "Sign and submit")
    expect(page.get_by_test_id("password-error")).to_have_text(zh("This is not your password: nothing was submitted."))
    page.fill("#password", PASSWORD)
    click(page, "Sign and submit")
    expect(flash(page)).to_contain_text(re.compile(r"RC-\d{4}-[0-9A-Z]{9}"))
    expect(page.get_by_test_id("copies-of-record")).to_contain_text("RC-")
    expect(status_badge(page)).to_have_text(zh("Submitted"))
    expect(page.get_by_test_id("save")).to_have_count(0)  # under review: read-only


def open_for_review(page, filing_id: int, total: str):
    """The regulator, from the queue to the filing; returns the queue row as it was."""
    page.get_by_test_id("nav-review").click()
    row = page.get_by_test_id("queue-table").locator(f'tr[data-filing="{filing_id}"]')
    expect(row).to_contain_text(ENTERPRISE)
    expect(row).to_contain_text(MONTH)
    expect(row.get_by_test_id("queue-total")).to_have_text(total)
    row.get_by_role("link", name=zh("Review")).click()
    expect(page.locator("h1")).to_have_text(f"{ENTERPRISE} · {MONTH}")
    expect(page.get_by_test_id("review-total")).to_have_text(total)
    return row


def approve(page) -> None:
    click(page, "Approve")
    expect(flash(page)).to_contain_text(zh("%(enterprise)s, %(month)s: approved.", enterprise=ENTERPRISE, month=MONTH))


# --- the cycle -------------------------------------------------------------------------------------------------

def test_file_return_correct_approve_amend(open_page, db, plant, manager, regulator, july_2022):
    gas, diesel = plant["sources"]["gas"], plant["sources"]["diesel"]
    product = plant["product"]
    me, reg = open_page(), open_page()

    # 1. The energy manager files June 2022 with the live preview, saves, attaches the invoice, submits.
    sign_in_ok(me, "王能源", manager.email, PASSWORD)
    nav(me, "/filings/").click()
    expect(me.locator("h1")).to_have_text(zh("Monthly filings"))
    expect(me.get_by_test_id("import-link")).to_have_text(zh("Import from Excel"))
    expect(me.get_by_test_id("import-link")).to_have_attribute("href", "/filings/import/")
    expect(me.locator(f'tr[data-month="{MONTH}"]')).to_have_attribute("data-status", "not_started")
    opener = me.get_by_test_id("open-month")
    expect(opener.get_by_label(zh("File a month"))).to_have_value(MONTH)  # last month comes first
    opener.get_by_label(zh("File a month")).select_option(MONTH)
    opener.get_by_role("button", name=zh("Open")).click()
    expect(me.locator("h1")).to_have_text(zh("Filing for %(month)s", month=MONTH))
    june_id = filing_id_of(me)
    expect(status_badge(me)).to_have_text(zh("Draft"))
    expect(preview_total(me)).to_have_text("—")

    for key, source in plant["sources"].items():
        quantity(me, source).fill(EXAMPLE_7[key])
    field(me, f"production_{product.id}").fill("1000")
    field(me, "output_value").fill("5000")
    expect(preview_total(me)).to_have_text(EXAMPLE_7_TOTAL)  # computed by the server, nothing stored yet
    expect(me.locator("[data-preview-status]")).to_have_text(zh("Preview of what you entered (not saved yet)."))
    expect(me.locator('[data-preview-total="scope1"]')).to_have_text("869.618")
    expect(me.locator('[data-preview-total="scope2"]')).to_have_text("1,723.225")
    screenshot(me, "filing-live-preview")
    assert filing(db, june_id).lines == [] and filing(db, june_id).current_calculation is None

    click(me, "Save as draft")
    expect(flash(me)).to_contain_text(zh("%(month)s is saved as a draft.", month=MONTH))
    me.reload()
    for key, source in plant["sources"].items():
        expect(quantity(me, source)).to_have_value(EXAMPLE_7[key])
    expect(field(me, f"production_{product.id}")).to_have_value("1000")
    expect(field(me, "output_value")).to_have_value("5000")
    expect(preview_total(me)).to_have_text(EXAMPLE_7_TOTAL)  # as stored
    saved = filing(db, june_id)
    first_total = saved.current_calculation.total_tco2e
    assert (saved.status, saved.revision, tonnes(first_total)) == ("draft", 1, EXAMPLE_7_TOTAL)
    assert {line.source_id: line.quantity for line in saved.lines} == {
        s.id: Decimal(EXAMPLE_7[k]) for k, s in plant["sources"].items()}

    evidence_form = me.get_by_test_id("evidence-form")
    evidence_form.locator('input[name="file"]').set_input_files(
        {"name": "天然气发票-2022-06.pdf", "mimeType": "application/pdf", "buffer": INVOICE})
    evidence_form.locator('select[name="source_id"]').select_option(str(gas.id))
    evidence_form.locator('input[name="description"]').fill("6 月天然气发票")
    click(me, "Attach")
    expect(flash(me)).to_contain_text(zh("%(name)s is attached to %(month)s.", name="天然气发票-2022-06.pdf",
                                         month=MONTH))
    attached = me.get_by_test_id("evidence").locator("tbody tr")
    expect(attached).to_have_count(1)
    expect(attached.locator("td").nth(0)).to_have_text("天然气发票-2022-06.pdf")
    expect(attached.locator("td").nth(1)).to_have_text(gas.name)
    expect(attached.locator("td").nth(2)).to_have_text("6 月天然气发票")
    stored = db.session.scalars(select(Evidence).where(Evidence.filing_id == june_id)).all()
    assert [(e.filename, e.source_id, e.size_bytes) for e in stored] == [
        ("天然气发票-2022-06.pdf", gas.id, len(INVOICE))]

    submit_month(me, EXAMPLE_7_TOTAL)
    assert filing(db, june_id).status == "submitted" and filing(db, june_id).submitted_by_id == manager.id

    # 2. The regulator finds it in the queue, reads the invoice, returns it with comments.
    sign_in_ok(reg, "李监管", regulator.email, PASSWORD)
    open_for_review(reg, june_id, EXAMPLE_7_TOTAL)
    expect(status_badge(reg)).to_have_text(zh("Submitted"))
    expect(reg.get_by_test_id("no-findings")).to_be_visible()
    with reg.expect_download() as download:
        reg.get_by_test_id("evidence").get_by_role("link", name="天然气发票-2022-06.pdf").click()
    assert Path(download.value.path()).read_bytes() == INVOICE

    reg.get_by_label(zh("What needs fixing")).fill("请核对天然气用量，与发票不一致。")
    reg.get_by_role("textbox", name=zh("Comment on %(source)s", source=gas.name)).fill("发票为 37.5 万Nm3")
    screenshot(reg, "review-before-return")
    click(reg, "Return for correction")
    expect(flash(reg)).to_contain_text(zh("%(enterprise)s, %(month)s: returned to the enterprise with your "
                                          "comments.", enterprise=ENTERPRISE, month=MONTH))
    expect(reg.get_by_test_id("queue-table").locator(f'tr[data-filing="{june_id}"]')).to_have_count(0)
    assert filing(db, june_id).status == "returned"
    comments = db.session.scalars(select(ReviewComment).where(ReviewComment.filing_id == june_id)).all()
    assert {(c.source_id, c.text) for c in comments} == {
        (None, "请核对天然气用量，与发票不一致。"), (gas.id, "发票为 37.5 万Nm3")}

    # 3. The energy manager reads the notification, corrects the gas line and submits again.
    me.goto("/")
    # Unread: the receipt of the submission (opening the filing's page reads nothing) and the return.
    expect(me.get_by_test_id("inbox-unread")).to_contain_text("2")
    me.get_by_test_id("nav-inbox").click()
    note = me.get_by_test_id("notifications").locator('[data-kind="filing.returned"]')
    expect(note).to_have_count(1)
    expect(note).to_have_attribute("data-read", "no")
    expect(note.get_by_test_id("notification-link")).to_have_text(
        zh("%(month)s was returned for correction.", month=MONTH))
    expect(note).to_contain_text(f"{zh('Comment')}: 请核对天然气用量，与发票不一致。")
    note.get_by_test_id("notification-link").click()
    assert filing_id_of(me) == june_id
    expect(status_badge(me)).to_have_text(zh("Returned"))
    expect(me.get_by_test_id("conversation")).to_contain_text("请核对天然气用量，与发票不一致。")
    gas_row = me.get_by_test_id("activity").locator(f'tr[data-source="{gas.id}"]')
    expect(gas_row.get_by_test_id(f"line-comment-{gas.id}")).to_contain_text("发票为 37.5 万Nm3")
    expect(me.get_by_test_id("activity").locator("[data-testid^='line-comment-']")).to_have_count(1)  # gas only
    screenshot(me, "filing-returned-with-comments")

    quantity(me, gas).fill("37.5")
    expect(preview_total(me)).to_have_text(CORRECTED_TOTAL)
    click(me, "Save as draft")
    expect(flash(me)).to_contain_text(zh("%(month)s is saved as a draft.", month=MONTH))
    expect(status_badge(me)).to_have_text(zh("Draft"))  # corrected: a draft again
    expect(quantity(me, gas)).to_have_value("37.5")
    corrected = filing(db, june_id)
    corrected_total = corrected.current_calculation.total_tco2e
    assert corrected.status == "draft" and tonnes(corrected_total) == CORRECTED_TOTAL
    assert close(first_total - corrected_total, GAS_PER_10K_NM3 / 2)
    submit_month(me, CORRECTED_TOTAL)

    # 4. The regulator approves: the month is locked.
    open_for_review(reg, june_id, CORRECTED_TOTAL)
    expect(reg.get_by_test_id("conversation")).to_contain_text("发票为 37.5 万Nm3")  # the earlier round
    approve(reg)
    approved = filing(db, june_id)
    assert (approved.status, approved.reviewed_by_id) == ("approved", regulator.id)

    me.reload()
    expect(status_badge(me)).to_have_text(zh("Approved"))
    expect(me.get_by_test_id("filing-form")).to_have_count(0)
    expect(me.get_by_test_id("save")).to_have_count(0)
    expect(me.get_by_test_id("go-submit")).to_have_count(0)
    expect(me.get_by_test_id("evidence-form")).to_have_count(0)
    expect(me.get_by_test_id("activity-read-only").locator(f'tr[data-source="{gas.id}"]')).to_contain_text(
        "37.5 10⁴ Nm³")
    # Opening the month again only shows it.
    nav(me, "/filings/").click()
    expect(me.locator(f'tr[data-month="{MONTH}"]')).to_have_attribute("data-status", "approved")
    me.get_by_test_id("open-month").get_by_label(zh("File a month")).select_option(MONTH)
    me.get_by_test_id("open-month").get_by_role("button", name=zh("Open")).click()
    expect(flash(me, "info")).to_contain_text(zh("%(month)s is %(status)s: it is shown here as filed.",
                                                 month=MONTH, status=zh("Approved")))
    assert filing_id_of(me) == june_id
    expect(me.get_by_test_id("save")).to_have_count(0)
    assert db.session.scalars(select(Notification.kind).where(Notification.user_id == manager.id)
                              .order_by(Notification.id)).all() == ["filing.signed", "filing.returned",
                                                                    "filing.signed", "filing.approved"]

    # 5. An amendment: revision 2 with more diesel, reviewed again, supersedes revision 1 once approved.
    me.get_by_test_id("go-amend").click()
    me.get_by_test_id("amend-form").locator('textarea[name="reason"]').fill("柴油加油记录漏计 0.5 t，已补录。")
    click(me, "Open the amendment")
    expect(flash(me)).to_contain_text(zh(
        "Revision %(n)d of %(month)s is open as a draft, a copy of the approved data. The approved revision stays "
        "in force until this one is approved.", n=2, month=MONTH))
    amendment_id = filing_id_of(me)
    assert amendment_id != june_id
    expect(me.get_by_test_id("filing-meta")).to_contain_text(zh("revision %(n)d", n=2))
    expect(status_badge(me)).to_have_text(zh("Draft"))
    expect(quantity(me, gas)).to_have_value("37.5")  # a copy of the approved data
    expect(quantity(me, diesel)).to_have_value("15.5")
    expect(preview_total(me)).to_have_text(CORRECTED_TOTAL)
    quantity(me, diesel).fill("16")
    expect(preview_total(me)).to_have_text(AMENDED_TOTAL)
    click(me, "Save as draft")
    expect(flash(me)).to_contain_text(zh("%(month)s is saved as a draft.", month=MONTH))
    expect(quantity(me, diesel)).to_have_value("16")
    amended = filing(db, amendment_id).current_calculation.total_tco2e
    assert tonnes(amended) == AMENDED_TOTAL
    assert close(amended - corrected_total, DIESEL_PER_T / 2)
    submit_month(me, AMENDED_TOTAL)
    assert filing(db, june_id).status == "approved"
    assert effective_filings(plant["org"].id, 2022)[JUNE].id == june_id  # in force while under review

    row = open_for_review(reg, amendment_id, AMENDED_TOTAL)
    expect(reg.get_by_test_id("amendment")).to_contain_text("柴油加油记录漏计 0.5 t，已补录。")
    approve(reg)
    expect(row).to_have_count(0)

    rev1, rev2 = filing(db, june_id), filing(db, amendment_id)
    assert (rev1.status, rev1.superseded_at is not None) == ("approved", True)
    assert (rev2.status, rev2.revision, rev2.amends_id, rev2.superseded_at) == ("approved", 2, june_id, None)
    assert effective_filings(plant["org"].id, 2022)[JUNE].id == amendment_id

    # The filing list and the footprint count revision 2; revision 1 stays readable, marked superseded.
    nav(me, "/filings/").click()
    june_row = me.locator(f'tr[data-month="{MONTH}"]')
    expect(june_row).to_have_attribute("data-status", "approved")
    expect(june_row.locator("td").nth(2)).to_have_text(f"2 ({zh('%(n)d revisions', n=2)})")
    expect(june_row.locator("td").nth(4)).to_have_text(AMENDED_TOTAL)
    nav(me, "/footprint/").click()
    month = me.get_by_test_id("by-month").locator("tbody tr", has_text=MONTH)
    expect(month).to_contain_text(zh("revision %(n)d", n=2))
    expect(month).to_contain_text(AMENDED_TOTAL)
    expect(me.get_by_test_id("year-total")).to_have_text(AMENDED_TOTAL)

    nav(me, "/filings/").click()
    june_row.get_by_role("link", name=zh("View")).click()
    assert filing_id_of(me) == amendment_id
    revisions = me.get_by_test_id("revisions")
    expect(revisions).to_contain_text(zh("revision %(n)d (%(status)s)", n=2, status=zh("Approved")))
    revisions.get_by_role("link", name=zh("revision %(n)d (%(status)s, superseded)", n=1,
                                          status=zh("Approved"))).click()
    assert filing_id_of(me) == june_id
    expect(me.get_by_test_id("superseded")).to_be_visible()
    screenshot(me, "filing-superseded-revision")
    expect(preview_total(me)).to_have_text(CORRECTED_TOTAL)
    lines = me.get_by_test_id("activity-read-only")
    expect(lines.locator(f'tr[data-source="{diesel.id}"]')).to_contain_text("15.5 t")
    expect(lines.locator(f'tr[data-source="{gas.id}"]')).to_contain_text("37.5 10⁴ Nm³")
    expect(me.get_by_test_id("go-amend")).to_have_count(0)  # only the revision in force is amended
