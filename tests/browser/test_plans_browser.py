"""A monitoring plan in a real browser: the enterprise admin drafts this year's plan, has a meter refused beside its
field with everything typed kept, corrects it and submits; the regulator finds it from the nav and approves it."""
from playwright.sync_api import expect
from sqlalchemy import select

from app.plans.models import PlanVersion
from tests.browser.helpers import field, field_error, sign_in_ok, submit, zh
from tests.conftest import PASSWORD


def _version(db) -> PlanVersion:
    db.session.expire_all()
    return db.session.scalar(select(PlanVersion))


def test_the_enterprise_drafts_and_submits_and_the_regulator_approves(open_page, db, plant, regulator):
    gas = plant["sources"]["gas"].id
    me, reg = open_page(), open_page()
    sign_in_ok(me, plant["admin"].name, plant["admin"].email, PASSWORD)
    me.get_by_test_id("nav-plans").first.click()
    submit(me, "start-draft")
    form = me.get_by_test_id(f"source-form-{gas}")
    expect(form).to_be_visible()

    field(me, f"s{gas}-tier-carbon_content").select_option("measured")
    field(me, f"s{gas}-lab_name").fill("锦湾检测中心")
    field(me, f"s{gas}-meters-0-meter_id").fill("FT-01")
    field(me, f"s{gas}-meters-0-calibrated_on").fill("2026-05-01")
    field(me, f"s{gas}-meters-0-calibration_due").fill("2026-04-01")
    submit(me, f"source-form-{gas}")
    expect(field_error(me, f"s{gas}-meters").or_(me.locator(".alert-danger"))).to_contain_text("FT-01")
    expect(field(me, f"s{gas}-lab_name")).to_have_value("锦湾检测中心")  # nothing typed is lost
    expect(field(me, f"s{gas}-tier-carbon_content")).to_have_value("measured")

    field(me, f"s{gas}-meters-0-calibration_due").fill("2027-04-30")
    submit(me, f"source-form-{gas}")
    planned = next(s for s in _version(db).sources if s.source_id == gas)
    assert planned.tiers["carbon_content"] == "measured" and planned.meters[0].meter_id == "FT-01"
    submit(me, "submit-plan")
    expect(me.get_by_test_id("plan-status")).to_have_text(zh("Waiting for approval"))

    sign_in_ok(reg, regulator.name, regulator.email, PASSWORD)
    reg.get_by_test_id("nav-admin").click()  # the regulator's plans are in the menu (the bar stays on one line)
    reg.get_by_test_id("nav-plans").first.click()
    version = _version(db)
    reg.get_by_test_id(f"open-{version.id}").click()
    reg.get_by_test_id("approve-plan").click()
    reg.wait_for_load_state()
    assert _version(db).status == "approved" and _version(db).approved_by_id == regulator.id
