"""An untested coal month (issue 17): its review page says the total rests on a substituted value."""
from playwright.sync_api import expect

from app.filings import services, workflow
from tests.browser.helpers import sign_in_ok, zh
from tests.conftest import PASSWORD
from tests.helpers.methods import DAILY_NCV, JUNE, power_plant


def test_the_review_page_of_an_untested_coal_month_says_substituted(app, open_page, db, make_org, make_user,
                                                                     regulator):
    coal = power_plant(db, make_org, make_user)
    s = coal["sources"]
    with app.test_request_context():
        filing = services.open_filing(coal["admin"], coal["org"], JUNE)
        services.set_activity(coal["admin"], filing, [
            {"source_id": s["coal"].id, "quantity": "150000", "unit": "t", "parameters": {"ncv_daily": DAILY_NCV}},
            {"source_id": s["power"].id, "quantity": "1200", "unit": "MWh"},
            {"source_id": s["supply"].id, "quantity": "0", "unit": "MWh"}],
            [{"product_id": coal["product"].id, "quantity": "400000"}], "50000")
        warnings = {f.key: "首月填报，无可比数据" for f in workflow.findings_for(filing) if f.level == "warning"}
        workflow.submit(coal["admin"], filing, warnings)
        db.session.commit()
        filing_id = filing.id
    page = open_page()
    sign_in_ok(page, regulator.name, regulator.email, PASSWORD)
    page.goto(f"/review/filings/{filing_id}")
    share = page.get_by_test_id("substituted-share")
    expect(share).to_contain_text(zh("Resting on substituted values: %(share)s of the total", share="99.8 %"))
    expect(page.get_by_test_id("line-substituted").first).to_have_text(zh("substituted"))
