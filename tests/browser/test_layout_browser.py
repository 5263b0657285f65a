"""No page scrolls sideways (issue 16, layout): the main pages at a phone's, a laptop's and a desktop's width.

An energy manager, an enterprise admin and the regulator, each in Chinese and in English, open the pages
they use most, then every other page of their navigation bar (menus included), at 390, 1200 (the
narrowest expanded bar), 1366 and 1600 px. A page fails when the document is wider than the window (a
table or a form row sticks out) or when a visible item of the navigation bar lies outside the window
(the English bar used to push the administration menu, the language switch, the inbox and the user
menu off-screen). Wide tables may scroll inside their own `.table-responsive` box on a phone, but from
1366 px a table that needs its own scroll bar fails too (the footprint's month table used to hide its
last column there).

One browser, one seeded dataset, one sign-in per person: the widths change on the open page.
Every problem is collected and reported at once, so one run shows the whole picture.
"""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from app.notifications.models import Notification
from tests.browser.helpers import sign_in_ok
from tests.conftest import PASSWORD
from tests.helpers.filings import file_with_status

# A phone; the narrowest expanded bar (Bootstrap's xl) and a laptop (the issue saw 1280-1600); a desktop.
WIDTHS = (390, 1200, 1366, 1600)
HEIGHT = 900
WIDE = 1366  # from here on, tables fit without scrolling inside their box

# What sticks out: the document's own overflow, and any visible nav item beyond the window's edges.
OVERFLOW_JS = """async (WIDE) => {
  // Charts follow their box on the next frames (a ResizeObserver): let them settle first.
  for (let i = 0; i < 3; i++) await new Promise(r => requestAnimationFrame(r));
  const width = window.innerWidth;
  const problems = [];
  const doc = document.documentElement.scrollWidth;
  if (doc > width) {
    const out = [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > width + 0.5 && e.getClientRects().length)
      .filter(e => !e.closest('.table-responsive, .dropdown-menu'));
    const wide = out.filter(e => !out.some(o => o !== e && e.contains(o)))  // the innermost culprits
      .slice(0, 3)
      .map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
                                           ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
    problems.push(`document ${doc}px wide in a ${width}px window (${wide.join(', ')})`);
  }
  for (const item of document.querySelectorAll(
      '.tanji-nav .navbar-brand, .tanji-nav .navbar-toggler, .tanji-nav .nav-link, .tanji-nav .btn')) {
    if (item.closest('.dropdown-menu')) continue;  // shown only when opened
    const r = item.getBoundingClientRect();
    if (!item.getClientRects().length || r.width === 0) continue;  // collapsed away
    if (r.left < -0.5 || r.right > width + 0.5) {
      problems.push(`nav item "${item.textContent.trim().replace(/\\s+/g, ' ')}" at ${Math.round(r.left)}`
                    + `–${Math.round(r.right)}px`);
    }
  }
  if (width >= WIDE) {  // on a laptop or wider, no table should need its own scroll bar
    for (const box of document.querySelectorAll('main .table-responsive')) {
      if (box.scrollWidth > box.clientWidth + 0.5) {
        const table = box.querySelector('table');
        const name = table && table.dataset.testid || (box.closest('[id]') || {}).id || '';
        problems.push(`table ${name} ${box.scrollWidth}px wide in a `
                      + `${box.clientWidth}px box (its last columns are cut off)`);
      }
    }
  }
  return problems;
}"""


NAV_LINKS_JS = """() => [...new Set([...document.querySelectorAll('[data-testid=main-nav] a[href^="/"]')]
                                   .map(a => a.getAttribute('href')))]"""


@pytest.fixture
def seeded(app, db, plant, make_user, regulator):
    """The plant with an approved, a submitted and a draft month; a Chinese and an English user of each role."""
    people = {}
    for locale in ("zh", "en"):
        manager = make_user(plant["org"], "energy_manager", name=f"能源{locale}")
        # A long English name: the bar cuts it short rather than grow.
        reg = regulator if locale == "zh" else make_user(regulator.organisation, "regulator",
                                                         name="Alexandra Wang-Lindqvist")
        admin = plant["admin"] if locale == "zh" else make_user(plant["org"], "enterprise_admin", name="Admin en")
        for role, user in (("energy_manager", manager), ("enterprise_admin", admin), ("regulator", reg)):
            user.locale = locale
            people[(role, locale)] = user
    db.session.commit()
    june = file_with_status(app, db, plant, date(2022, 6, 1), status="approved", regulator=regulator)
    july = file_with_status(app, db, plant, date(2022, 7, 1), status="submitted")
    august = file_with_status(app, db, plant, date(2022, 8, 1))
    # A dozen unread notices each: the inbox's badge widens the bar by two digits.
    db.session.add_all(Notification(org_id=user.org_id, user_id=user.id, kind="reminder.due_soon",
                                    detail={"period": "2022-08-01", "due": "2022-09-15", "days": 3})
                       for user in people.values() for _ in range(12))
    db.session.commit()
    manager_pages = ["/", "/filings/", f"/filings/{august}", f"/filings/{june}", "/footprint/", "/inbox/",
                     "/assets/", "/benchmarks/"]
    regulator_pages = ["/", "/inbox/", "/review/", f"/review/filings/{july}", "/city/", "/assets/overview",
                       "/benchmarks/industry", f"/footprint/org/{plant['org'].id}"]
    # The enterprise admin's own pages (users, audit trail, source register) come from its navigation bar.
    return {"people": people, "pages": {"energy_manager": manager_pages, "enterprise_admin": ["/"],
                                        "regulator": regulator_pages}}


def test_main_pages_fit_from_phone_to_desktop_in_both_languages(open_page, seeded):
    problems, seen = [], set()
    for (role, locale), user in seeded["people"].items():
        page = open_page("zh-CN" if locale == "zh" else "en-GB")
        sign_in_ok(page, user.name, user.email, PASSWORD)
        # The pages named, then every other page of this person's navigation bar (its menus included).
        linked = page.evaluate(NAV_LINKS_JS)
        side = "authority" if role == "regulator" else "enterprise"
        for url in seeded["pages"][role] + [h for h in linked if h not in seeded["pages"][role]]:
            if (side, locale, url) in seen and url != "/":
                continue  # the enterprise admin sees the energy manager's pages as they are
            seen.add((side, locale, url))
            response = page.goto(url)
            assert response.status == 200, f"{role} ({locale}) {url}: {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if locale == "zh" else "en")
            if url == "/":
                expect(page.get_by_test_id("inbox-unread")).to_contain_text(re.compile(r"^1\d\b"))
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": HEIGHT})
                for problem in page.evaluate(OVERFLOW_JS, WIDE):
                    problems.append(f"{role} ({locale}) {url} at {width}px: {problem}")
    assert not problems, "Pages that scroll sideways or hide the navigation:\n  " + "\n  ".join(problems)
