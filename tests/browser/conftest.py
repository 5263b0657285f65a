"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), the test app on a live server.

- `browser` (session): Chromium from /usr/bin/chromium (or TANJI_CHROMIUM). Missing, the browser suite is
  skipped, unless TANJI_REQUIRE_BROWSER=1 (CI), where every browser test errors instead.
- `live_server` (session): the `app` fixture served by Werkzeug on 127.0.0.1, on a port the OS picks.
  Requests run in the server's own threads, so each gets a fresh app context and database session;
  the data a test makes with `make_org`/`make_user` is committed and visible to it.
- `open_page()`: a new browser context (its own cookies, locale zh-CN) with one page; `page` is the
  first one. Relative URLs (`page.goto("/login")`) go to the live server.
- Every context's console is watched: a Content-Security-Policy violation or an uncaught JavaScript
  error fails the test (`browser_console` holds what was seen). On failure each open page is
  screenshot into test-artifacts/.
"""
import os
import re
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("TANJI_CHROMIUM", "/usr/bin/chromium")  # Debian's; `playwright install` cannot download here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 5_000  # a local server answers in milliseconds; fail fast rather than wait 30 s

_CONSOLE = pytest.StashKey["ConsoleLog"]()
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def _browser_required() -> bool:
    return os.environ.get("TANJI_REQUIRE_BROWSER") == "1"


def _unavailable(reason: str):
    if _browser_required():
        pytest.fail(f"TANJI_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set TANJI_REQUIRE_BROWSER=1 to make this an error)")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-wqy-zenhei)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tanji-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- the console: CSP violations and JavaScript errors fail the test -------------------------

_CSP = re.compile(r"Content[- ]Security[- ]Policy", re.IGNORECASE)


@dataclass
class ConsoleLog:
    """What the browser said during one test, across all its contexts."""

    errors: list[str] = field(default_factory=list)          # every console error, for the record
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)      # uncaught exceptions
    contexts: list = field(default_factory=list)

    def on_console(self, message):
        if message.type not in ("error", "warning"):
            return
        text = f"{message.type}: {message.text} ({message.page.url if message.page else '?'})"
        if _CSP.search(message.text):
            self.csp_violations.append(text)
        if message.type == "error":
            self.errors.append(text)

    def on_web_error(self, web_error):
        self.page_errors.append(f"{web_error.error} ({web_error.page.url if web_error.page else '?'})")

    def flush(self):
        """A round trip to each open page, so events already sent by the browser are dispatched."""
        for context in self.contexts:
            for page in context.pages:
                with suppress(PlaywrightError):  # closed or navigating: nothing more to wait for
                    page.evaluate("0")

    def problems(self) -> list[str]:
        return ([f"CSP violation: {v}" for v in self.csp_violations]
                + [f"JavaScript error: {e}" for e in self.page_errors])


@pytest.fixture
def browser_console(request):
    log = ConsoleLog()
    request.node.stash[_CONSOLE] = log
    return log


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # a failing test raises here and is reported as it is
    log = item.stash.get(_CONSOLE, None)
    if log is not None:
        log.flush()
        if log.problems():
            pytest.fail("The browser reported:\n  " + "\n  ".join(log.problems())
                        + ("\nAll console errors:\n  " + "\n  ".join(log.errors) if log.errors else ""),
                        pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


# --- contexts and pages -------------------------------------------------------------------------

@pytest.fixture
def open_page(browser, live_server, browser_console, request):
    """Open a page in a new browser context: a separate person with their own cookies."""

    def open_(locale: str = "zh-CN"):
        context = browser.new_context(base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", browser_console.on_console)
        context.on("weberror", browser_console.on_web_error)
        browser_console.contexts.append(context)
        return context.new_page()

    yield open_

    report = request.node.stash.get(_CALL_REPORT, None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for i, context in enumerate(browser_console.contexts):
            for j, page in enumerate(context.pages):
                with suppress(PlaywrightError):
                    page.screenshot(path=str(ARTIFACTS / f"failed-{name}-{i}-{j}.png"), full_page=True)
    for context in browser_console.contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()
