"""API tokens in a real browser: from the user menu, create one, see it once, use it, revoke it."""
import re
import urllib.request

from playwright.sync_api import expect

from tests.browser.helpers import field, sign_in_ok, zh
from tests.conftest import PASSWORD


def _status(url: str, secret: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def test_create_see_once_use_and_revoke_a_token(page, live_server, make_org, make_user):
    org = make_org(name="锦湾能源有限公司")
    make_user(org, "energy_manager", email="ems@jinwan-energy.cn", name="王能源")
    sign_in_ok(page, "王能源", "ems@jinwan-energy.cn", PASSWORD)

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("nav-api-tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("API tokens"))
    field(page, "name").fill("能源管理系统")
    field(page, "scope").select_option("write")
    page.get_by_test_id("create-token").click()
    secret = page.get_by_test_id("new-token-secret").inner_text().strip()
    assert re.fullmatch(r"tanji_[A-Za-z0-9_-]{43}", secret)
    assert _status(f"{live_server}/api/v1/me", secret) == 200

    page.goto("/account/tokens")  # shown once: not on the list
    expect(page.get_by_test_id("token-list")).to_contain_text("能源管理系统")
    expect(page.get_by_test_id("token-list")).not_to_contain_text(secret)
    expect(page.get_by_test_id("new-token")).to_have_count(0)

    page.get_by_test_id("token-list").get_by_role("button").click()
    expect(page.get_by_test_id("token-list")).to_contain_text(zh("Revoked"))
    assert _status(f"{live_server}/api/v1/me", secret) == 401

    page.get_by_test_id("api-reference-link").click()
    expect(page.get_by_test_id("api-endpoints")).to_contain_text("/api/v1/filings/{YYYY-MM}")
