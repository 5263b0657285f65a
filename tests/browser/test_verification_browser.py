"""A whole verification year in a real browser: twelve approved months (set up by the services); the regulator
assigns the verification body; the verifier raises a misstatement; the enterprise answers and corrects the
month through an amendment (edited, signed and submitted in the browser), which the regulator approves; the verifier marks the finding corrected and issues
the opinion; the regulator confirms it, the compliance position takes the confirmed total, and the annual
certificate states the verification."""
import json
import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.certificates.models import Certificate
from app.filings.models import Filing
from app.tenancy import cross_tenant_write, scope_of
from app.verification import services as verification
from app.verification.models import Engagement, VerificationFinding
from tests.browser.helpers import field, sign_in_ok, submit, zh
from tests.conftest import PASSWORD
from tests.helpers.certificates import YEAR, approve_year

BODY = "锦湾碳核查中心"


def flash(page, kind="success"):
    return page.locator(f".alert-{kind}")


def test_a_verification_year_from_assignment_to_certificate(app, db, plant, regulator, make_user,
                                                            open_page):
    approve_year(app, db, plant, regulator)
    with app.test_request_context(), scope_of(regulator), cross_tenant_write():
        body = verification.register_body(regulator, {"name": BODY, "accreditation_no": "CNCA-HC-2024-017"})
        db.session.commit()
    verifier = make_user(body, "verifier", name="李核查")
    org, admin = plant["org"], plant["admin"]

    # 1. The regulator assigns the body to the enterprise for the year.
    reg = open_page()
    sign_in_ok(reg, regulator.name, regulator.email, PASSWORD)
    reg.get_by_test_id("nav-verification").click()
    reg.get_by_test_id("assign-link").click()
    field(reg, "org_id").select_option(str(org.id))
    field(reg, "verifier_org_id").select_option(str(body.id))
    field(reg, "year").fill(str(YEAR))
    submit(reg, "assign-form")
    expect(reg.get_by_test_id("engagement-status")).to_have_attribute("data-status", "in_progress")
    engagement_id = int(re.search(r"/engagements/(\d+)", reg.url)[1])
    engagement_url = reg.url

    # 2. The verifier sees the year read-only and raises a misstatement on June.
    ver = open_page()
    sign_in_ok(ver, verifier.name, verifier.email, PASSWORD)
    ver.locator(f'tr[data-engagement="{engagement_id}"] a').click()
    ver.get_by_test_id("filing-link").first.click()
    expect(ver.get_by_test_id("filing-lines")).to_contain_text("燃气锅炉")
    ver.go_back()
    form = ver.get_by_test_id("finding-form")
    form.locator('[name="month"]').select_option("6")
    form.locator('[name="source_id"]').select_option(str(plant["sources"]["diesel"].id))
    form.locator('[name="severity"]').select_option("misstatement")
    form.locator('[name="amount_tco2e"]').fill("-1.548")
    form.locator('[name="text"]').fill("六月柴油加油记录漏计 0.5 t。")
    submit(ver, "finding-form")
    expect(flash(ver)).to_contain_text(zh("The finding is recorded; the enterprise is told."))
    expect(ver.get_by_test_id("finding")).to_have_attribute("data-status", "open")
    expect(ver.locator('[data-figure="uncorrected"]')).to_have_text("1.548 t")

    # 3. The enterprise answers, then corrects June through an amendment.
    ent = open_page()
    sign_in_ok(ent, admin.name, admin.email, PASSWORD)
    ent.goto(engagement_url)
    ent.get_by_test_id("answer-form").locator('textarea[name="answer"]').fill("已补录，提交更正。")
    submit(ent, "answer-form")
    expect(ent.get_by_test_id("finding-answer")).to_contain_text("已补录")
    ent.get_by_test_id("amend-link").click()
    ent.get_by_test_id("amend-form").locator('textarea[name="reason"]').fill("核查发现：柴油漏计 0.5 t。")
    submit(ent, "amend-form")
    amendment_id = int(re.search(r"/filings/(\d+)", ent.url)[1])
    # The amendment in the filing form: 0.5 t more diesel, saved, then signed with the password and submitted.
    field(ent, f"quantity_{plant['sources']['diesel'].id}").fill("16")
    ent.get_by_role("button", name=zh("Save as draft"), exact=True).click()
    ent.wait_for_load_state()
    expect(flash(ent)).to_contain_text(zh("%(month)s is saved as a draft.", month=f"{YEAR}-06"))
    ent.get_by_test_id("go-submit").click()
    for explanation in ent.locator("textarea[name^='explanation-']").all():  # warnings, if any, explained
        explanation.fill("核查发现柴油漏计，已更正。")
    ent.fill("#password", PASSWORD)
    ent.get_by_role("button", name=zh("Sign and submit"), exact=True).click()
    ent.wait_for_load_state()
    expect(flash(ent)).to_contain_text(re.compile(r"RC-\d{4}-[0-9A-Z]{9}"))
    assert db.session.get(Filing, amendment_id).status == "submitted"

    # 4. The regulator approves the amendment.
    reg.goto(f"/review/filings/{amendment_id}")
    reg.get_by_role("button", name=zh("Approve"), exact=True).click()
    reg.wait_for_load_state()
    assert db.session.get(Filing, amendment_id).status == "approved"

    # 5. The verifier marks the finding corrected and issues the opinion; above materiality it would be refused.
    ver.reload()
    expect(ver.locator('[data-figure="uncorrected"]')).to_have_text("1.548 t")
    submit(ver, "close-form")  # "corrected" is the first choice
    expect(ver.get_by_test_id("finding")).to_have_attribute("data-status", "corrected")
    expect(ver.locator('[data-figure="uncorrected"]')).to_have_text("0.000 t")
    expect(ver.get_by_test_id("materiality-verdict")).to_have_attribute("data-material", "no")
    form = ver.get_by_test_id("opinion-form")
    form.locator('[name="opinion"]').select_option("verified")
    form.locator('[name="verified_total_tco2e"]').fill("30000")  # the verifier's figure (covered sources)
    submit(ver, "opinion-form")
    expect(ver.get_by_test_id("engagement-status")).to_have_attribute("data-status", "opinion_issued")

    # 6. The regulator confirms; the compliance position and the annual certificate follow.
    reg.goto(engagement_url)
    reg.get_by_test_id("confirm").click()
    reg.wait_for_load_state()
    expect(reg.get_by_test_id("engagement-status")).to_have_attribute("data-status", "confirmed")
    reg.goto(f"/assets/org/{org.id}?year={YEAR}")
    expect(reg.get_by_test_id("position-verified-by")).to_contain_text(BODY)
    expect(reg.locator('[data-figure="emissions"]').first).to_have_text("30,000")
    expect(reg.get_by_test_id("emissions-label").first).to_have_text(zh("Verified emissions"))
    reg.goto("/certificates/issue")
    field(reg, "org_id").select_option(str(org.id))
    field(reg, "year").fill(str(YEAR))
    submit(reg, "issue-form")
    cert = db.session.scalar(select(Certificate).where(Certificate.org_id == org.id))
    stated = json.loads(cert.certified)
    assert stated["verification"]["body"] == BODY and stated["verification"]["opinion"] == "verified"
    engagement = db.session.get(Engagement, engagement_id)
    assert engagement.status == "confirmed" and engagement.confirmed_total_tco2e is not None
    assert db.session.scalar(select(VerificationFinding.status)) == "corrected"
