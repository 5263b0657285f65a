"""What a person does in the browser, as small steps the tests read like a story."""
import re
from pathlib import Path

from babel.support import Translations
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
ZH_CATALOGUE = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo"


def zh(msgid: str, **params) -> str:
    """The text the app shows in Chinese for `msgid`: the msgid itself while no catalogue is compiled."""
    text = Translations.load(str(TRANSLATIONS), ["zh"]).gettext(msgid)
    return text % params if params else text


def has_zh_catalogue() -> bool:
    return ZH_CATALOGUE.exists()


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang")


def sign_in(page: Page, email: str, password: str) -> None:
    """Fill the sign-in form and submit it (the caller checks where it lands)."""
    page.goto("/login")
    form = page.get_by_test_id("login-form")
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill(password)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()


def sign_in_ok(page: Page, user_name: str, email: str, password: str) -> None:
    sign_in(page, email, password)
    expect(page.get_by_test_id("user-menu")).to_contain_text(user_name)


def sign_out(page: Page) -> None:
    """Through the user menu (a Bootstrap dropdown: needs Bootstrap's JavaScript to open)."""
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_test_id("login-form")).to_be_visible()


def field(page: Page, name: str):
    return page.locator(f'[name="{name}"]')


def field_error(page: Page, name: str):
    return page.locator(f'[data-field-error="{name}"]')


def submit(page: Page, form_testid: str) -> None:
    page.get_by_test_id(form_testid).locator('button[type="submit"]').click()
    page.wait_for_load_state()


def invite(page: Page, org_id: int, email: str, role: str) -> str:
    """Create an invitation on the invite page; returns the one-time link shown."""
    if not page.url.endswith(f"/organisations/{org_id}/invite"):
        page.goto(f"/organisations/{org_id}/invite")
    field(page, "email").fill(email)
    field(page, "role").select_option(role)
    submit(page, "invite-form")
    link = page.get_by_test_id("invite-link")
    expect(link).to_be_visible()
    return link.input_value()


def accept_invitation(page: Page, link: str, name: str, password: str) -> None:
    page.goto(link)
    expect(page.get_by_test_id("accept-form")).to_be_visible()
    field(page, "name").fill(name)
    field(page, "password").fill(password)
    field(page, "confirm").fill(password)
    submit(page, "accept-form")


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
