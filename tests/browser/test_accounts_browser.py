"""Accounts in a real browser: sign-in, onboarding by invitation, language, navigation by role, CSP."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.organisations.models import Organisation
from tests.browser.helpers import (
    accept_invitation,
    field,
    field_error,
    has_zh_catalogue,
    html_lang,
    invite,
    screenshot,
    sign_in,
    sign_in_ok,
    sign_out,
    submit,
    zh,
)
from tests.conftest import PASSWORD

VALID_CREDIT_CODE = "91350100M000100Y43"
MISTYPED_CREDIT_CODE = "91350100M000100Y44"  # the check character does not match


# Named, unlike the shared `regulator` of tests/conftest.py.
@pytest.fixture
def regulator(authority, make_user):
    return make_user(authority, "regulator", email="li.regulator@eco.jinwan.gov.cn", name="李监管")


@pytest.fixture
def enterprise(make_org):
    return make_org(name="锦湾热电有限公司", industry_code="D4411")


# Not the shared `energy_manager` (of the plant) of tests/conftest.py: a named one of this module's `enterprise`.
@pytest.fixture
def energy_manager(enterprise, make_user):
    return make_user(enterprise, "energy_manager", email="zhao.energy@thermal.example.com", name="赵能源")


# --- sign in and out ----------------------------------------------------------------------------

def test_sign_in_shows_home_then_sign_out_through_user_menu(page, regulator):
    sign_in(page, regulator.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("user-menu")).to_contain_text("李监管")
    expect(page.locator(".alert-success")).to_contain_text(zh("Welcome, %(name)s.", name="李监管"))
    expect(page.locator("h1")).to_have_text(zh("City overview"))

    sign_out(page)
    expect(page.locator(".alert-info")).to_contain_text(zh("You have signed out."))
    # Signed out for real: the home page sends back to the sign-in form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def test_wrong_password_is_explained_beside_the_field_and_email_kept(page, regulator):
    sign_in(page, regulator.email, "Wrong-horse-41")

    expect(page).to_have_url(re.compile(r"/login$"))
    error = field_error(page, "password")
    expect(error).to_be_visible()
    expect(error).to_have_text(zh("The e-mail or the password is not correct."))
    expect(field(page, "password")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(field(page, "email")).to_have_value(regulator.email)
    expect(field(page, "password")).to_have_value("")  # a password is never sent back
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


# --- onboarding: regulator registers, invites the admin, the admin invites staff --------------

def test_onboarding_an_enterprise_in_the_browser(page, open_page, regulator, db):
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    page.get_by_test_id("nav-admin").click()  # registering an enterprise sits in the admin menu
    page.get_by_test_id("main-nav").locator('a[href="/organisations/new"]').click()
    expect(page).to_have_url(re.compile(r"/organisations/new$"))

    # First with a mistyped credit code: the message is beside that field, the rest is kept.
    field(page, "name").fill("锦湾新能源有限公司")
    field(page, "name_en").fill("Jinwan New Energy Co., Ltd.")
    field(page, "credit_code").fill(MISTYPED_CREDIT_CODE)
    field(page, "industry_code").fill("D4412")
    field(page, "district").select_option("双河区")
    field(page, "contact_email").fill("contact@newenergy.example.com")
    submit(page, "enterprise-form")

    expect(page).to_have_url(re.compile(r"/organisations/new$"))
    expect(field_error(page, "credit_code")).to_have_text(
        zh("The check character (the 18th) does not match: please check the code for a typing error."))
    expect(page.locator("[data-field-error]")).to_have_count(1)
    expect(field(page, "credit_code")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(field(page, "name")).to_have_value("锦湾新能源有限公司")
    expect(field(page, "name_en")).to_have_value("Jinwan New Energy Co., Ltd.")
    expect(field(page, "credit_code")).to_have_value(MISTYPED_CREDIT_CODE)
    expect(field(page, "industry_code")).to_have_value("D4412")
    expect(field(page, "district")).to_have_value("双河区")
    expect(field(page, "contact_email")).to_have_value("contact@newenergy.example.com")
    screenshot(page, "register-form-with-errors")

    field(page, "credit_code").fill(VALID_CREDIT_CODE)
    submit(page, "enterprise-form")

    expect(page).to_have_url(re.compile(r"/organisations/\d+/invite$"))
    org_id = int(re.search(r"/organisations/(\d+)/invite$", page.url).group(1))
    org = db.session.get(Organisation, org_id)
    assert (org.name, org.credit_code, org.industry_code, org.district) == (
        "锦湾新能源有限公司", VALID_CREDIT_CODE, "D4412", "双河区")

    admin_link = invite(page, org_id, "first.admin@newenergy.example.com", "enterprise_admin")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/invitations/[\w-]{20,}", admin_link), admin_link
    sign_out(page)

    # The first administrator opens the link in their own browser.
    admin_page = open_page()
    accept_invitation(admin_page, admin_link, "周管理", PASSWORD)
    expect(admin_page).to_have_url(re.compile(r"/$"))
    expect(admin_page.get_by_test_id("user-menu")).to_contain_text("周管理")
    expect(admin_page.locator("h1")).to_have_text("锦湾新能源有限公司")
    expect(admin_page.get_by_test_id("staff-count")).to_have_text("1")

    # The link works once.
    again = open_page()
    response = again.goto(admin_link)
    assert response.status == 410
    expect(again.get_by_test_id("accept-form")).to_have_count(0)

    # The administrator invites an energy manager from the enterprise home.
    admin_page.locator(f'a[href="/organisations/{org_id}/invite"]').click()
    manager_link = invite(admin_page, org_id, "energy.manager@newenergy.example.com", "energy_manager")

    manager_page = open_page()
    accept_invitation(manager_page, manager_link, "钱能管", PASSWORD)
    expect(manager_page).to_have_url(re.compile(r"/$"))
    expect(manager_page.get_by_test_id("user-menu")).to_contain_text("钱能管")
    expect(manager_page.locator("h1")).to_have_text("锦湾新能源有限公司")
    expect(manager_page.get_by_test_id("staff-count")).to_have_text("2")

    db.session.expire_all()
    staff = db.session.execute(select(User.email, User.role).where(User.org_id == org_id).order_by(User.email)).all()
    assert staff == [("energy.manager@newenergy.example.com", "energy_manager"),
                     ("first.admin@newenergy.example.com", "enterprise_admin")]


# --- language ----------------------------------------------------------------------------------

def test_language_switch_is_remembered_for_the_user(page, open_page, regulator, energy_manager, db):
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    assert html_lang(page) == "zh-CN"
    expect(page.locator("h1")).to_have_text(zh("City overview"))
    if has_zh_catalogue():
        assert zh("City overview") != "City overview", "the zh catalogue does not translate 'City overview'"
        expect(page.get_by_test_id("lang-en")).to_have_text("English")

    page.get_by_test_id("lang-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("City overview")
    expect(page.get_by_test_id("sign-out")).to_have_text("Sign out")
    expect(page.get_by_test_id("lang-zh")).to_have_text("中文")
    expect(page.get_by_test_id("lang-en")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(User, regulator.id).locale == "en"

    # Signing out and in again, in this browser and in a fresh one, keeps English for this user.
    sign_out(page)
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    elsewhere = open_page()
    elsewhere.goto("/login")
    assert html_lang(elsewhere) == "zh-CN"  # nobody signed in yet: the default
    sign_in_ok(elsewhere, "李监管", regulator.email, PASSWORD)
    expect(elsewhere.locator("html")).to_have_attribute("lang", "en")
    expect(elsewhere.locator("h1")).to_have_text("City overview")

    # It is this user's choice, not the browser's: the next person here gets Chinese.
    sign_out(elsewhere)
    sign_in_ok(elsewhere, "赵能源", energy_manager.email, PASSWORD)
    expect(elsewhere.locator("html")).to_have_attribute("lang", "zh-CN")

    # Signing out ends every session of the user (issue 16 #8), so the first browser signs in again; and back
    # to Chinese.
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("lang-zh").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text(zh("City overview"))
    db.session.expire_all()
    assert db.session.get(User, regulator.id).locale == "zh"


# --- navigation by role ------------------------------------------------------------------------

def test_main_navigation_follows_the_role(page, open_page, authority, enterprise, regulator, energy_manager,
                                          make_org, make_user):
    make_org(name="锦湾水泥股份有限公司", industry_code="C3011", district="大洼区")
    make_org(name="湾西钢铁有限公司", industry_code="C3120", district="湾西县")
    make_user(enterprise, "enterprise_admin", name="孙管理")

    sign_in_ok(page, "赵能源", energy_manager.email, PASSWORD)
    nav = page.get_by_test_id("main-nav")
    expect(nav.locator('a[href="/"]')).to_be_visible()
    expect(nav.locator(f'a[href="/organisations/{enterprise.id}"]')).to_be_visible()
    for href in ("/users", "/audit/", "/organisations/", "/organisations/new"):
        expect(nav.locator(f'a[href="{href}"]')).to_have_count(0)
    expect(nav).not_to_contain_text(zh("Users"))
    expect(nav).not_to_contain_text(zh("Audit trail"))
    expect(page.locator("h1")).to_have_text("锦湾热电有限公司")
    # Typing the address does not help either.
    assert page.goto("/users").status == 403

    regulator_page = open_page()
    sign_in_ok(regulator_page, "李监管", regulator.email, PASSWORD)
    nav = regulator_page.get_by_test_id("main-nav")
    expect(nav.locator('a[href="/users"]')).to_have_text(zh("Users"))
    expect(nav.locator('a[href="/audit/"]')).to_have_text(zh("Audit trail"))
    expect(nav.locator('a[href="/organisations/"]')).to_be_visible()
    expect(nav.locator('a[href="/organisations/new"]')).to_have_count(1)  # in the admin menu
    expect(regulator_page.get_by_test_id("enterprise-total")).to_have_text("3")
    screenshot(regulator_page, "regulator-home")

    regulator_page.get_by_test_id("nav-admin").click()  # administration links sit in one menu
    nav.locator('a[href="/audit/"]').click()
    expect(regulator_page).to_have_url(re.compile(r"/audit/$"))


# --- the Content-Security-Policy ---------------------------------------------------------------

def test_csp_is_enforced_and_violations_are_caught(page, regulator, browser_console):
    """The page fixture's watch works: an inline script is refused, and the refusal is seen."""
    response = page.goto("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true';
        document.body.appendChild(s);
    }""")
    assert page.evaluate("() => window.inlineRan") is None
    browser_console.flush()
    assert browser_console.csp_violations, browser_console.errors
    browser_console.csp_violations.clear()  # expected here; anything else still fails the test

    # The real pages carry no inline script or style: Bootstrap's dropdown works under the CSP.
    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    sign_out(page)


@pytest.mark.parametrize("how", ["sign-in", "accept-invitation"])
def test_language_chosen_before_signing_in_is_kept(page, open_page, regulator, enterprise, make_user, how):
    if how == "sign-in":
        page.goto("/login")
        page.get_by_test_id("lang-en").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    else:
        admin = make_user(enterprise, "enterprise_admin", email="sun.admin@thermal.example.com", name="孙管理")
        admin_page = open_page()
        sign_in_ok(admin_page, "孙管理", admin.email, PASSWORD)
        link = invite(admin_page, enterprise.id, "new.colleague@thermal.example.com", "energy_manager")
        page.goto(link)
        page.get_by_test_id("lang-en").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        accept_invitation(page, link, "Alex Chen", PASSWORD)
        expect(page.get_by_test_id("user-menu")).to_contain_text("Alex Chen")
    assert html_lang(page) == "en"


# --- the regulator's user administration (issue 16) -------------------------------------------------------

def test_regulator_finds_an_account_deactivates_it_after_confirming_and_reactivates_it(page, open_page, regulator,
                                                                                       enterprise, energy_manager,
                                                                                       make_org, make_user, db):
    make_user(make_org(name="湾西钢铁有限公司"), "energy_manager", email="zhao.steel@steel.example.com", name="赵钢")
    theirs = open_page()
    sign_in_ok(theirs, "赵能源", energy_manager.email, PASSWORD)

    sign_in_ok(page, "李监管", regulator.email, PASSWORD)
    page.goto("/users")
    field(page, "q").fill("zhao")
    field(page, "organisation").fill("热电")
    page.get_by_test_id("users-filter").locator('button[type="submit"]').click()
    expect(page.get_by_test_id("users-total")).to_have_text("1")
    expect(page.get_by_test_id("users-table")).to_contain_text("赵能源")
    expect(page.get_by_test_id("users-table")).not_to_contain_text("赵钢")

    page.get_by_test_id(f"deactivate-{energy_manager.id}").click()
    expect(page.get_by_test_id("confirm-title")).to_have_text(zh("Deactivate %(name)s?", name="赵能源"))
    page.get_by_test_id("confirm-deactivate").click()
    # Back on the list as it was left, with the account marked.
    expect(page).to_have_url(re.compile(r"/users\?q=zhao&organisation="))
    expect(page.get_by_test_id(f"status-{energy_manager.id}")).to_have_text(zh("Deactivated"))
    theirs.reload()
    expect(theirs).to_have_url(re.compile(r"/login"))  # their session ended

    page.get_by_test_id(f"activate-{energy_manager.id}").click()
    page.get_by_test_id("confirm-activate").click()
    expect(page.get_by_test_id(f"status-{energy_manager.id}")).to_have_text(zh("Active"))
    sign_in_ok(theirs, "赵能源", energy_manager.email, PASSWORD)
