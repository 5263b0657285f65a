"""The returned month's conversation in a real browser (issue 15's acceptance).

The regulator returns June 2022 with a comment on the gas line; the energy manager sees it in the inbox, opens the
month, answers the line's comment (no figure changes), corrects the gas, and signs and submits again; the regulator
is told, and sees the answer beside the gas line on the review page. The month is filed in Python (the `plant`
fixture and tests/helpers/filings.py); everything else happens in the browser, with database checks beside.
"""
import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.filings.models import CopyOfRecord, Filing, ReviewComment
from tests.browser.helpers import screenshot, sign_in_ok, zh
from tests.conftest import PASSWORD
from tests.helpers.filings import file_month

MONTH = "2022-06"
LINE_COMMENT = "发票为 37.5 万Nm3，请核对"
ANSWER = "已核对发票，燃气用量更正为 37.5"


@pytest.fixture
def manager(plant, make_user):
    return make_user(plant["org"], "energy_manager", email="zhao.energy@chem.example.com", name="赵能源", may_sign=True)


@pytest.fixture
def regulator(authority, make_user):
    return make_user(authority, "regulator", email="qian.regulator@eco.jinwan.gov.cn", name="钱监管")


def click(page, button: str) -> None:
    page.get_by_role("button", name=zh(button), exact=True).click()
    page.wait_for_load_state()


def stored(db, filing_id: int) -> Filing:
    db.session.expire_all()
    return db.session.get(Filing, filing_id)


def test_return_answer_correct_resign_and_the_regulator_reads_the_answer(open_page, app, db, plant, manager,
                                                                        regulator):
    gas = plant["sources"]["gas"]
    june_id = file_month(app, db, plant)  # submitted
    reg, me = open_page(), open_page()

    # 1. The regulator returns the month with a comment on the gas line only.
    sign_in_ok(reg, "钱监管", regulator.email, PASSWORD)
    reg.goto(f"/review/filings/{june_id}")
    reg.get_by_role("textbox", name=zh("Comment on %(source)s", source=gas.name)).fill(LINE_COMMENT)
    click(reg, "Return for correction")
    assert stored(db, june_id).status == "returned"

    # 2. The energy manager finds it in the inbox and opens the month.
    sign_in_ok(me, "赵能源", manager.email, PASSWORD)
    me.get_by_test_id("nav-inbox").click()
    note = me.get_by_test_id("notifications").locator('[data-kind="filing.returned"]')
    expect(note).to_have_count(1)
    note.get_by_test_id("notification-link").click()
    assert re.search(rf"/filings/{june_id}$", me.url)
    gas_row = me.get_by_test_id("activity").locator(f'tr[data-source="{gas.id}"]')
    expect(gas_row.get_by_test_id(f"line-comment-{gas.id}")).to_contain_text(LINE_COMMENT)

    # 3. It answers the line's comment: nothing else changes, the month stays returned.
    asked = db.session.scalar(select(ReviewComment).where(ReviewComment.filing_id == june_id))
    total = stored(db, june_id).current_calculation.total_tco2e
    gas_row.get_by_test_id(f"line-reply-{asked.id}").click()
    form = me.get_by_test_id("comment-form")
    expect(form.get_by_test_id("answering")).to_contain_text(LINE_COMMENT)
    expect(form.locator('select[name="source_id"]')).to_have_value(str(gas.id))
    form.locator('textarea[name="text"]').fill(ANSWER)
    click(me, "Send comment")
    expect(me.locator(".alert-success")).to_contain_text(
        zh("Your comment is added to the conversation on %(month)s.", month=MONTH))
    expect(gas_row.locator('[data-side="enterprise"]')).to_contain_text(ANSWER)
    expect(me.get_by_test_id("conversation").locator("[data-comment]")).to_have_count(2)
    screenshot(me, "filing-conversation-answered")
    answered = stored(db, june_id)
    assert answered.status == "returned" and answered.current_calculation.total_tco2e == total

    # 4. It corrects the gas and signs and submits again.
    me.locator(f'[name="quantity_{gas.id}"]').fill("37.5")
    click(me, "Save as draft")
    expect(me.locator(".alert-success")).to_contain_text(zh("%(month)s is saved as a draft.", month=MONTH))
    me.get_by_test_id("go-submit").click()
    me.fill("#password", PASSWORD)
    click(me, "Sign and submit")
    expect(me.get_by_test_id("filing-status")).to_have_text(zh("Submitted"))
    resubmitted = stored(db, june_id)
    assert resubmitted.status == "submitted" and resubmitted.current_calculation.total_tco2e < total
    copy = db.session.scalar(select(CopyOfRecord).where(CopyOfRecord.filing_id == june_id))
    assert [c["text"] for c in json.loads(copy.document)["conversation"]] == [LINE_COMMENT, ANSWER]

    # 5. The regulator is told and reads the answer beside the gas line.
    reg.goto("/")
    reg.get_by_test_id("nav-inbox").click()
    told = reg.get_by_test_id("notifications").locator('[data-kind="filing.enterprise_commented"]')
    expect(told).to_contain_text(ANSWER)
    told.get_by_test_id("notification-link").click()
    assert re.search(rf"/review/filings/{june_id}$", reg.url)
    expect(reg.get_by_test_id("filing-status")).to_have_text(zh("Submitted"))
    line = reg.get_by_test_id("review-lines").locator(f'tr[data-source="{gas.id}"]')
    expect(line.locator('[data-testid="line-comment"][data-side="authority"]')).to_contain_text(LINE_COMMENT)
    expect(line.locator('[data-testid="line-comment"][data-side="enterprise"]')).to_contain_text(ANSWER)
    screenshot(reg, "review-conversation-answer-beside-line")
