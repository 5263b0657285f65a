"""No page scrolls sideways (issue 16, layout): every page a person reaches by links, as each role, from a phone's
width to a desktop's, in Chinese and in English.

Each role (the enterprise's admin, energy manager and viewer; the regulator and the authority's viewer; a
verifier; a stranger on the public pages) signs in once per language and follows every same-origin link from the
home page, breadth first (menus included; downloads, the API's JSON and the sign-out and language forms are not
pages; every link is a GET that changes nothing). Each page is measured at 390 (a phone), 1366 (a laptop) and
1600 px (a desktop) by resizing the open page, and each person's first page at 1200 px too (the narrowest width
the bar is expanded at). A page fails when the document is wider than the window, when an element reaches past
the window's right edge outside a box that scrolls or clips it (a table wrapper), or when a visible item of the
navigation bar lies outside the window (the English bar used to push the administration menu, the language
switch, the inbox and the user menu off-screen). Wide tables may scroll inside their `.table-responsive` box on a
phone, but from 1366 px a table that needs its own scroll bar fails too (the footprint's month table used to hide
its last column there). A link that does not answer 200 fails as well.

To stay fast: one page of each kind per person (`/factors/12` stands for every factor, `/city/industry?code=C31`
for every division: the path with its numbers blanked and the query's names), besides the start pages; and a
page whose markup below the bar was measured already (the same page another person of that language saw alike)
is only fetched, for its links, not drawn again.

The data is the browser tests' fixtures put together so that pages show real content: the city of the index tests,
the benchmark tests' cement makers, and the worked-example plant, at a hundred times its size, with an approved,
verified and certified year, a returned, a submitted and a draft month since, ledger entries and a scenario.

Every problem is collected and reported at once (role, language, page, width and the offending elements).
"""
import hashlib
import re
import time
from datetime import date, datetime, timezone
from html import unescape
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from app.assets import services as assets
from app.certificates import services as certificates
from app.core.types import city_date
from app.filings import workflow
from app.filings.models import Filing
from app.notifications.models import Notification
from app.scenarios.models import Scenario
from app.signing.services import sign_and_submit
from app.tenancy import acting_on, cross_tenant_write, scope_of
from app.verification import services as verification
from tests.browser.helpers import sign_in_ok
from tests.conftest import PASSWORD
from tests.helpers.filings import file_month, file_with_status

# A phone, a laptop (the issue saw 1280-1600), a desktop; and, for the bar, the narrowest width it is expanded at
# (Bootstrap's xl: the page below it is laid out as at 1366, in the same 1140 px container).
WIDTHS = (390, 1366, 1600)
BAR = 1200
HEIGHT = 900
WIDE = 1366  # from here on, tables fit without scrolling inside their box

# Not pages: files, the API's JSON, the sign-out and language forms' targets.
NOT_A_PAGE = re.compile(r"^/(static|bootstrap|api/v1)/|\.(pdf|csv|xlsx|json)$|^/(logout|language)$"
                        r"|^/filings/evidence/\d+$|^/reports/jobs/\d+/file$")

# What sticks out: the document's own overflow, any element past the window's right edge that no scrolling or
# clipping box holds, and any visible nav item beyond the window's edges.
OVERFLOW_JS = """async (WIDE) => {
  // Charts follow their box on the next frames (a ResizeObserver): let them settle first.
  if (document.querySelector('canvas')) for (let i = 0; i < 3; i++) await new Promise(r => requestAnimationFrame(r));
  const width = window.innerWidth;
  const problems = [];
  const name = e => e.tagName.toLowerCase() + (e.dataset.testid ? `[data-testid=${e.dataset.testid}]` : '')
      + (e.id ? '#' + e.id : '')
      + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const held = e => {  // inside a box that scrolls or clips sideways and itself fits
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return a.getBoundingClientRect().right <= width + 0.5;
    }
    return false;
  };
  const doc = document.documentElement.scrollWidth;
  const out = [...document.body.querySelectorAll('*')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > width + 0.5 && r.width > 0 && r.height > 0 && !e.closest('.visually-hidden')
      && getComputedStyle(e).visibility !== 'hidden' && !held(e);
  });
  const culprits = out.filter(e => !out.some(o => o !== e && e.contains(o)));  // the innermost
  if (doc > width || culprits.length) {
    const shown = culprits.slice(0, 4).map(e => {
      const text = (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
      return `${name(e)}${text ? ' "' + text + '"' : ''} to ${Math.round(e.getBoundingClientRect().right)}px`;
    });
    problems.push(`document ${doc}px wide in a ${width}px window: ${shown.join('; ') || '?'}`);
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
        const label = table && table.dataset.testid || (box.closest('[id]') || {}).id || '';
        const row = box.querySelector('tr');  // the columns' widths say which one will not give way
        const columns = row ? [...row.children].map(c => `${c.textContent.trim().replace(/\\s+/g, ' ').slice(0, 15)}`
                                                          + ` ${Math.round(c.getBoundingClientRect().width)}`) : [];
        problems.push(`table ${label} ${box.scrollWidth}px wide in a ${box.clientWidth}px box `
                      + `(its last columns are cut off; columns: ${columns.join(', ')})`);
      }
    }
  }
  return problems;
}"""

_TOKEN = re.compile(r'name="csrf_token"[^>]*>')
_ANCHOR = re.compile(r"<a\b([^>]*)>")
_HREF = re.compile(r'\shref="([^"]*)"')


def markup(html: str) -> str:
    """A digest of what lays out the page below the bar (the bar differs by person), without the session's tokens."""
    lang = re.search(r'<html lang="([^"]*)"', html)
    return hashlib.sha1((lang[1] if lang else "") .encode() + _TOKEN.sub("", html[html.find("<main"):]).encode()).hexdigest()


def links(html: str, base: str) -> list[str]:
    """The page's same-origin links (not downloads), as path and query."""
    origin, found = urlsplit(base).netloc, []
    for attributes in _ANCHOR.findall(html):
        href = _HREF.search(attributes)
        if href and not re.search(r"\sdownload\b", attributes):
            target = urljoin(base, unescape(href[1]))
            if urlsplit(target).netloc == origin and urlsplit(target).scheme in ("http", "https"):
                found.append(path_of(target))
    return found


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_kind(url: str) -> tuple:
    """Pages of one kind: the path with its numbers blanked, and the query's names (not its values)."""
    parts = urlsplit(url)
    return re.sub(r"/\d+(?=/|\.|$)", "/#", parts.path), tuple(sorted({k for k, _ in parse_qsl(parts.query)}))


# --- the data: the browser tests' fixtures put together --------------------------------------------------

ROLES = (  # (role, organisation kind): the person signing in; per side, the one who sees the most first
    ("enterprise_admin", "enterprise"), ("energy_manager", "enterprise"), ("viewer", "enterprise"),
    ("regulator", "authority"), ("platform_admin", "authority"), ("viewer", "authority"), ("verifier", "verifier"))


# The worked example a hundred times over: a large plant's figures (some 258,000 t a month, 3.1 Mt a year) are the
# widest numbers the tables hold.
BIG = {"gas": "3800", "diesel": "1550", "power": "235040", "heat": "420000"}


def months_ago(today: date, n: int) -> date:
    k = today.year * 12 + today.month - 1 - n
    return date(k // 12, k % 12 + 1, 1)


@pytest.fixture
def city_at_work(app, db, city, cement, make_filed_enterprise, plant, regulator, make_user):
    """The city of the index tests and the cement makers of the benchmark tests, with an enterprise at every stage
    near today (so that the pages' default years show it): an approved, verified and certified year, and a
    returned, a submitted and a draft month since; and a Chinese and an English user of every role."""
    org, admin = plant["org"], plant["admin"]
    now = datetime.now(timezone.utc)
    with app.app_context():
        today = city_date(now)
    year = months_ago(today, 4).year - 1  # twelve approved months, before the three of the months since
    # A cement maker of the plant's size: the months' scale check compares with the division's largest.
    make_filed_enterprise("海螺水泥锦湾有限公司", tco2e="300000", year=year)
    approved = [file_month(app, db, plant, date(year, m, 1), BIG, approve_by=regulator, now=now) for m in range(1, 13)]
    with app.test_request_context(), scope_of(regulator), acting_on(org.id):
        serial = certificates.issue(regulator, org, date(year, 1, 1), date(year, 12, 1), now=now).serial
        db.session.commit()
    returned = file_with_status(app, db, plant, months_ago(today, 3), BIG, status="submitted")
    with app.test_request_context():
        workflow.return_filing(regulator, db.session.get(Filing, returned), "请补充天然气发票。",
                               {plant["sources"]["gas"].id: "用量与发票不符，请核对。"})
        db.session.commit()
    submitted = file_with_status(app, db, plant, months_ago(today, 2), BIG)
    with app.test_request_context():  # signed, as the API submits: a copy of record and its receipt
        sign_and_submit(admin, db.session.get(Filing, submitted), channel="api", now=now)
        db.session.commit()
    draft = file_with_status(app, db, plant, months_ago(today, 1), BIG)
    # A verification of the approved year with a finding the enterprise answered.
    with app.test_request_context(), scope_of(regulator):
        with cross_tenant_write():
            body = verification.register_body(regulator, {"name": "锦湾碳核查中心", "accreditation_no": "CNAS-V-0001"})
        db.session.commit()
    verifier = make_user(body, "verifier", name="李核查")
    with app.test_request_context(), scope_of(regulator), acting_on(org.id):
        engagement = verification.assign(regulator, org, body, year)
        db.session.commit()
    with app.test_request_context(), scope_of(verifier):
        finding = verification.raise_finding(verifier, engagement, {
            "month": 6, "severity": "misstatement", "amount_tco2e": "-1.548", "source_id": plant["sources"]["diesel"].id,
            "text": "六月柴油加油记录漏计 0.5 t，请核对加油卡流水并提交更正。"})
        db.session.commit()
    with app.test_request_context(), scope_of(admin):
        verification.answer_finding(admin, finding, "已补录，提交更正。")
        db.session.commit()
    # The ledger: the regulator's allocation, a purchase and offsets bought by the enterprise.
    with app.test_request_context(), acting_on(org.id):
        assets.record_entry(regulator, org, "allocation", {
            "quantity": "28000", "compliance_year": year, "trade_date": date(year, 3, 1), "reason": "锦环发〔2022〕7号"})
        assets.record_entry(admin, org, "purchase", {
            "instrument": "allowance", "quantity": "1500", "compliance_year": year, "price": "82.50",
            "counterparty": "上海环境能源交易所", "trade_date": date(year, 6, 1), "reason": "成交单 SH-0601"})
        assets.record_entry(admin, org, "offset_acquired", {
            "quantity": "300", "offset_type": "CCER", "project_id": "CCER-14-2017-001", "vintage": year - 1,
            "price": "45", "trade_date": date(year, 7, 1), "reason": "国家核证自愿减排量"})
        db.session.commit()
    db.session.add(Scenario(name="滨海红树林修复 10 万公顷", kind="sinks",
                            params={"month": "2025-06", "sink_rate": "5", "area_ha": "100000", "rate": "9.5"}))
    db.session.commit()

    home = {"enterprise": org, "authority": regulator.organisation, "verifier": body}
    people = {}
    for locale in ("zh", "en"):
        for role, kind in ROLES:
            # Long English names: the bar cuts them short rather than grow.
            name = f"{role}·{locale}" if locale == "zh" else f"Alexandra Wang-Lindqvist ({role})"
            user = make_user(home[kind], role, name=name)
            user.locale = locale
            people[(role, kind, locale)] = user
    # A dozen unread notices each: the inbox's badge widens the bar by two digits.
    db.session.add_all(Notification(org_id=user.org_id, user_id=user.id, kind="reminder.due_soon",
                                    detail={"period": months_ago(today, 1).isoformat(), "due": today.isoformat(),
                                            "days": 3})
                       for user in people.values() for _ in range(12))
    db.session.commit()
    # Where each side starts: home, and the months at each stage (one page of a kind is walked per person,
    # and these differ by state).
    june = approved[5]
    return {"people": people, "start": {
        "enterprise": ["/", f"/filings/{returned}", f"/filings/{submitted}", f"/filings/{draft}", f"/filings/{june}",
                       f"/filings/?year={year}", f"/footprint/?year={year}"],
        "authority": ["/", f"/review/filings/{submitted}", f"/review/filings/{june}",
                      f"/footprint/org/{org.id}?year={year}"],
        "verifier": ["/"],
        "public": ["/", "/city/public", "/verify", f"/verify/{serial}"]}}


# --- the walk ----------------------------------------------------------------------------------------------

def walk(page, who: str, start: list[str], done: dict, problems: list[str]) -> list[str]:
    """Open every page reachable by links from `start` (each of them, then one page of each kind), measuring
    each whose markup was not measured yet; returns the pages opened.

    `done` is what earlier people left: the digests of the markup measured, and the URLs served. A page someone
    else opened before is fetched first: when its markup is one measured already, it need not be drawn again."""
    queue, kinds, opened = list(start), set(), []
    while queue:
        url = queue.pop(0)
        if NOT_A_PAGE.search(urlsplit(url).path) or url in opened or (url not in start and page_kind(url) in kinds):
            continue
        kinds.add(page_kind(url))
        first = not opened  # the bar differs by person: their first page is measured whatever its markup
        fetched = None
        if not first and url in done["served"]:
            response = page.request.get(url)
            html = response.text() if response.ok else ""
            if response.ok and markup(html) in done["measured"]:
                kinds.add(page_kind(path_of(response.url)))
                opened.append(url)
                queue.extend(link for link in links(html, response.url) if page_kind(link) not in kinds)
                continue
            if response.ok and response.url == urljoin(page.url, url):  # draw what was fetched: one request fewer
                fetched = html
                page.route(lambda target, wanted=response.url: target == wanted,
                           lambda route, answer=response: route.fulfill(response=answer), times=1)
        response = page.goto(url, wait_until="domcontentloaded")
        kinds.add(page_kind(path_of(page.url)))  # where it landed: a redirect's target is walked
        if response is None or response.status != 200:
            problems.append(f"{who} {url}: status {response.status if response else '?'}")
            continue
        opened.append(url)
        done["served"].add(url)
        html = fetched or response.text()  # (a fulfilled response has no body to read back)
        digest = markup(html)
        if first or digest not in done["measured"]:
            done["measured"].add(digest)
            widths = WIDTHS + ((BAR,) if first else ())
            current = page.viewport_size["width"]  # measure the open width first: one resize fewer
            for width in sorted(widths, key=lambda w: w != current):
                if width != current:
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                problems.extend(f"{who} {url} at {width}px: {p}" for p in page.evaluate(OVERFLOW_JS, WIDE))
        queue.extend(link for link in links(html, page.url) if page_kind(link) not in kinds)
    return opened


def test_every_linked_page_fits_from_phone_to_desktop_for_every_role(open_page, city_at_work):
    problems, covered, measured = [], {}, 0
    started = time.monotonic()
    for locale in ("zh", "en"):
        done = {"measured": set(), "served": set()}  # by the people of this language
        for role, kind in ROLES + (("anonymous", "public"),):
            page = open_page("zh-CN" if locale == "zh" else "en-GB")
            if role == "anonymous":
                page.goto("/login")
                if locale == "en":  # a stranger picks the language with the bar's switch
                    page.get_by_test_id("lang-en").click()
                    page.wait_for_load_state()
            else:
                user = city_at_work["people"][(role, kind, locale)]
                sign_in_ok(page, user.name, user.email, PASSWORD)
            expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if locale == "zh" else "en")
            who = f"{role} of the {kind} ({locale})"
            covered[who] = walk(page, who, city_at_work["start"][kind], done, problems)
            page.context.close()
            measured += len(done["measured"]) if role == "anonymous" else 0
    print("\n".join(f"{who}: {len(urls)} pages: {' '.join(urls)}" for who, urls in covered.items()),
          f"\n{measured} layouts measured in {time.monotonic() - started:.1f} s")
    assert not problems, "Pages that scroll sideways or hide the navigation:\n  " + "\n  ".join(problems)
