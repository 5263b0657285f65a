"""Carbon assets and peer benchmarks in a real browser, with the numbers worked by hand.

1. The ledger: an enterprise admin buys allowances through the form, is refused a surrender beyond the
   balance (the message beside the field, what was typed kept), surrenders what it holds, reverses the
   purchase; the compliance position follows every step. The regulator then records an allocation from
   the enterprise's page and the enterprise sees it.
2. Peer benchmarks: an enterprise sees its own value, the group's median and the top-10 % benchmark (as
   `app.benchmarking.services.benchmark` computes them) and no other enterprise; the chart is drawn; the
   regulator ranks the industry with every name.

The approved months are set up in Python, as tests/test_assets.py and tests/test_benchmarking.py do
(their fixtures are reused); everything after that happens in the browser.
"""
import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.assets.models import AssetEntry
from app.benchmarking import services as benchmarking
from app.benchmarking.stats import OK
from app.core.numbers import rounded
from tests.browser.helpers import field, field_error, screenshot, sign_in_ok, submit, zh
from tests.conftest import PASSWORD
from tests.helpers.assets import YEAR as ASSET_YEAR
from tests.helpers.assets import record, ten_thousand_tonnes
from tests.helpers.benchmarks import PEERS
from tests.helpers.benchmarks import YEAR as BENCHMARK_YEAR


def tonnes(value, places: int = 0) -> str:
    """As the pages show tonnes (the `t` filter): rounded half up, thousands separated."""
    return f"{rounded(Decimal(value), places):,}"


def statistic(value) -> str:
    """As the benchmark page shows a published statistic (the `sig` filter)."""
    return f"{Decimal(value):,f}"


def flash(page, kind: str = "success"):
    return page.locator(f".alert-{kind}")


def figure(page, name: str):
    return page.get_by_test_id("compliance-position").locator(f'[data-figure="{name}"]')


def balance_label(page):
    """The heading above the balance figure: 盈余 (surplus) or 缺口 (shortfall)."""
    return figure(page, "balance").locator("xpath=preceding-sibling::div[1]")


def expect_position(page, *, verified: int, allowances: int, surplus: bool, balance: int, holding: str) -> None:
    expect(figure(page, "emissions")).to_have_text(tonnes(verified))
    expect(page.get_by_test_id("emissions-label")).to_have_text(zh("Approved emissions (not verified)"))
    expect(figure(page, "allowances")).to_have_text(tonnes(allowances))
    expect(figure(page, "eligible-offsets")).to_have_text("0")
    expect(balance_label(page)).to_have_text(zh("Surplus") if surplus else zh("Shortfall"))
    expect(figure(page, "balance")).to_have_text(tonnes(balance))
    expect(figure(page, "balance")).to_have_class(re.compile(r"\btext-success\b" if surplus else r"\btext-danger\b"))
    expect(page.get_by_test_id("holdings").locator(f'[data-holding="{ASSET_YEAR}"]')).to_have_text(holding)


def entry_row(page, entry_id: int):
    return page.get_by_test_id("ledger").locator(f'tr[data-entry="{entry_id}"]')


def newest_entry(db, org_id: int, kind: str) -> AssetEntry:
    db.session.expire_all()  # the live server committed it in its own session
    return db.session.scalar(select(AssetEntry).where(AssetEntry.org_id == org_id, AssetEntry.kind == kind)
                             .order_by(AssetEntry.id.desc()))


# --- 1. the ledger -------------------------------------------------------------------------------------

def test_ledger_purchase_refused_surrender_reversal_and_allocation(app, db, open_page, firm,
                                                                    browser_console):
    org, admin, regulator = firm["org"], firm["admin"], firm["regulator"]
    # Twelve approved months whose covered scope 1 + 2 − exported are exactly 10,000 t (see tests/test_assets.py),
    # and the regulator's preliminary allocation of 8,000 allowances for 2025.
    ten_thousand_tonnes(db, firm)
    with app.test_request_context():
        record(firm, "allocation", actor=regulator, quantity="8000", compliance_year=ASSET_YEAR,
                trade_date=date(ASSET_YEAR, 3, 1), reason="锦环发〔2025〕7号 配额预分配")
        db.session.commit()

    page = open_page()
    sign_in_ok(page, admin.name, admin.email, PASSWORD)
    page.get_by_test_id("nav-assets").click()
    expect(page).to_have_url(re.compile(r"/assets/$"))
    expect(page.locator("h1")).to_have_text(zh("Carbon assets"))
    page.locator("#year").select_option(str(ASSET_YEAR))
    page.get_by_test_id("position-form").locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(rf"/assets/\?year={ASSET_YEAR}"))
    # 8,000 allowances − 10,000 t verified = a shortfall of 2,000 t.
    expect_position(page, verified=10_000, allowances=8_000, surplus=False, balance=2_000, holding="8,000")
    expect(page.get_by_test_id("compliance-position")).not_to_contain_text(zh("Provisional"))

    # A purchase of 1,500 allowances at 82.50 CNY/t, through the form.
    page.get_by_test_id("record-purchase").click()
    expect(page.locator("h1")).to_have_text(zh("Record a purchase"))
    expect(field(page, "compliance_year")).to_have_value(str(ASSET_YEAR))  # from the ledger's year
    field(page, "instrument").select_option("allowance")
    field(page, "quantity").fill("1500")
    field(page, "price").fill("82.50")
    field(page, "counterparty").fill("上海环境能源交易所")
    field(page, "trade_date").fill("2025-06-18")
    field(page, "reason").fill("挂牌协议转让 成交单 SHEEX-2025-0618-031")
    submit(page, "asset-form")
    expect(page).to_have_url(re.compile(rf"/assets/\?year={ASSET_YEAR}$"))
    expect(flash(page)).to_contain_text(zh("Recorded: %(kind)s of %(quantity)s t.", kind=zh("Purchase"),
                                           quantity="1,500"))
    purchase = newest_entry(db, org.id, "purchase")
    assert (purchase.quantity_t, purchase.price_cny_per_t, purchase.counterparty, purchase.trade_date,
            purchase.created_by_id) == (Decimal(1500), Decimal("82.50"), "上海环境能源交易所", date(2025, 6, 18),
                                        admin.id)
    row = entry_row(page, purchase.id)
    expect(row).to_have_attribute("data-reversed", "no")
    expect(row).to_contain_text("+1,500")
    expect(row).to_contain_text("82.50")
    expect(row).to_contain_text("上海环境能源交易所")
    expect(row).to_contain_text("SHEEX-2025-0618-031")
    # 8,000 + 1,500 − 10,000 = a shortfall of 500 t, valued at the year's average purchase price:
    # 500 × 82.50 = 41,250.00 CNY.
    expect_position(page, verified=10_000, allowances=9_500, surplus=False, balance=500, holding="9,500")
    expect(figure(page, "balance-cny")).to_have_text("-41,250.00 CNY")

    # A surrender of 10,000 from a holding of 9,500: refused beside the quantity, what was typed kept.
    page.get_by_test_id("record-surrender").click()
    expect(page.locator("h1")).to_have_text(zh("Record a surrender"))
    field(page, "instrument").select_option("allowance")
    field(page, "compliance_year").fill(str(ASSET_YEAR))
    field(page, "quantity").fill("10000")
    field(page, "trade_date").fill("2025-06-30")
    field(page, "reason").fill("2025年度配额清缴（第一批）")
    submit(page, "asset-form")
    expect(page).to_have_url(re.compile(rf"/assets/org/{org.id}/new/surrender"))
    expect(field_error(page, "quantity")).to_have_text(zh(
        "Not enough held: %(holding)s has a balance of %(balance)s t, so %(quantity)s t cannot be taken from it.",
        holding=zh("Allowances for %(year)s", year=ASSET_YEAR), balance="9,500", quantity="10,000"))
    expect(page.locator("[data-field-error]")).to_have_count(1)
    expect(field(page, "quantity")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(field(page, "quantity")).to_have_value("10000")
    expect(field(page, "instrument")).to_have_value("allowance")
    expect(field(page, "compliance_year")).to_have_value(str(ASSET_YEAR))
    expect(field(page, "trade_date")).to_have_value("2025-06-30")
    expect(field(page, "reason")).to_have_value("2025年度配额清缴（第一批）")
    assert newest_entry(db, org.id, "surrender") is None

    # 6,000 is within the balance.
    field(page, "quantity").fill("6000")
    submit(page, "asset-form")
    expect(page).to_have_url(re.compile(rf"/assets/\?year={ASSET_YEAR}$"))
    expect(flash(page)).to_contain_text(zh("Recorded: %(kind)s of %(quantity)s t.", kind=zh("Surrender"),
                                           quantity="6,000"))
    surrender = newest_entry(db, org.id, "surrender")
    assert surrender.quantity_t == Decimal(-6000)
    expect(entry_row(page, surrender.id)).to_contain_text("-6,000")
    # A surrender settles the year: it does not change the year's allowances (9,500) nor the shortfall (500);
    # 9,500 − 6,000 = 3,500 are still held.
    expect_position(page, verified=10_000, allowances=9_500, surplus=False, balance=500, holding="3,500")

    # The purchase was booked twice by mistake: reverse it.
    entry_row(page, purchase.id).get_by_test_id(f"reverse-{purchase.id}").click()
    expect(page).to_have_url(re.compile(rf"/assets/entries/{purchase.id}/reverse$"))
    expect(page.get_by_test_id("entry")).to_contain_text("上海环境能源交易所")
    field(page, "reason").fill("成交单重复录入")
    page.get_by_role("button", name=zh("Reverse the entry")).click()
    expect(page).to_have_url(re.compile(rf"/assets/\?year={ASSET_YEAR}$"))
    expect(flash(page)).to_contain_text(zh("The entry is reversed; both stay in the ledger."))
    reversal = newest_entry(db, org.id, "reversal")
    assert (reversal.reverses_id, reversal.quantity_t, reversal.reason) == (purchase.id, Decimal(-1500), "成交单重复录入")
    row = entry_row(page, purchase.id)
    expect(row).to_have_attribute("data-reversed", "yes")
    expect(row).to_have_class(re.compile(r"\btext-decoration-line-through\b"))
    assert "line-through" in row.evaluate("el => getComputedStyle(el).textDecorationLine")
    expect(row.get_by_test_id("reversed-by")).to_have_text(zh("reversed by entry %(id)s", id=reversal.id))
    expect(row.get_by_test_id(f"reverse-{purchase.id}")).to_have_count(0)  # once only
    expect(entry_row(page, reversal.id)).to_contain_text("-1,500")
    expect(entry_row(page, reversal.id)).to_contain_text("成交单重复录入")
    # Back to 8,000 allowances for the year: a shortfall of 2,000 t again; 3,500 − 1,500 = 2,000 held. With the
    # only purchase reversed there is no average price, so no value in CNY.
    expect_position(page, verified=10_000, allowances=8_000, surplus=False, balance=2_000, holding="2,000")
    expect(figure(page, "balance-cny")).to_have_text("—")
    screenshot(page, "assets-ledger-enterprise")

    # The regulator allocates 2,500 more from the enterprise's page.
    officer = open_page()
    sign_in_ok(officer, regulator.name, regulator.email, PASSWORD)
    officer.goto(f"/organisations/{org.id}")
    officer.get_by_test_id("org-assets").click()
    expect(officer).to_have_url(re.compile(rf"/assets/org/{org.id}$"))
    expect(officer.get_by_test_id("record-buttons").locator("a")).to_have_count(1)  # allocations only
    officer.get_by_test_id("record-allocation").click()
    expect(officer.locator("h1")).to_have_text(zh("Record an allocation"))
    field(officer, "compliance_year").fill(str(ASSET_YEAR))
    field(officer, "quantity").fill("2500")
    field(officer, "trade_date").fill("2025-09-15")
    field(officer, "reason").fill("锦环发〔2025〕31号 配额补充分配")
    submit(officer, "asset-form")
    expect(officer).to_have_url(re.compile(rf"/assets/org/{org.id}\?year={ASSET_YEAR}$"))
    expect(flash(officer)).to_contain_text(zh("Recorded: %(kind)s of %(quantity)s t.", kind=zh("Allocation"),
                                              quantity="2,500"))
    allocation = newest_entry(db, org.id, "allocation")
    assert (allocation.quantity_t, allocation.created_by_id) == (Decimal(2500), regulator.id)
    # 8,000 + 2,500 − 10,000 = a surplus of 500 t.
    expect_position(officer, verified=10_000, allowances=10_500, surplus=True, balance=500, holding="4,500")

    # The enterprise sees it, recorded by the regulator, and cannot reverse it.
    page.reload()
    row = entry_row(page, allocation.id)
    expect(row).to_contain_text(zh("Allocation"))
    expect(row).to_contain_text("+2,500")
    expect(row).to_contain_text("锦环发〔2025〕31号")
    expect(row).to_contain_text(zh("the regulator"))
    expect(row).not_to_contain_text(regulator.name)
    expect(row.locator("a.btn")).to_have_count(0)
    expect_position(page, verified=10_000, allowances=10_500, surplus=True, balance=500, holding="4,500")
    expect(page.get_by_test_id("position-formation")).to_contain_text(f"{tonnes(500, 3)} t")
    screenshot(page, "assets-ledger-after-allocation")

    browser_console.flush()
    assert browser_console.errors == []


# --- 2. peer benchmarks --------------------------------------------------------------------------------

def test_benchmarks_show_group_statistics_and_the_regulator_ranks_by_name(app, db, open_page, cement,
                                                                          make_user, authority, browser_console):
    own = cement["own"]
    others = [*cement["peers"].values(), cement["pending"], cement["short"]]
    with app.test_request_context():
        result = benchmarking.benchmark(own, BENCHMARK_YEAR)
        ranking = benchmarking.industry_ranking("C30", BENCHMARK_YEAR)
    metrics = {m.metric: m for m in result.metrics}
    assert set(metrics) == {"product", "value", "energy"}
    assert {m.stats.status for m in result.metrics} == {OK} and {m.stats.size for m in result.metrics} == {6}
    # By hand for the output value (tests/test_benchmarking.py): own 812.3 t / 1,000 × 10⁴ CNY = 0.8123; of the six,
    # median (h = 2.5) = (0.7391 + 0.8123 + 0.9264 + 1.0843) / 4 = 0.890525 → 0.891 (3 significant figures);
    # top 10 % = the best three (at least 3 contribute): (0.6517 + 0.7391 + 0.8123) / 3 = 0.73437 → 0.734.
    value = metrics["value"]
    assert (value.own_value, value.stats.median, value.stats.top10) == (Decimal("0.8123"), Decimal("0.891"),
                                                                        Decimal("0.734"))

    user = cement["own_user"]
    page = open_page()
    sign_in_ok(page, user.name, user.email, PASSWORD)
    page.get_by_test_id("nav-benchmarks").click()
    expect(page).to_have_url(re.compile(r"/benchmarks/$"))
    expect(page.locator("h1")).to_have_text(zh("Peer benchmarks %(year)d", year=BENCHMARK_YEAR))
    for metric, m in metrics.items():
        section = page.get_by_test_id(f"metric-{metric}")
        expect(section.get_by_test_id("own-value")).to_have_text(tonnes(m.own_value, 4))
        expect(section.get_by_test_id("median")).to_have_text(statistic(m.stats.median))
        expect(section.get_by_test_id("top10")).to_have_text(statistic(m.stats.top10))
        expect(section.get_by_test_id("percentile")).to_have_text(str(m.stats.percentile))
        expect(section.get_by_test_id("peer-group")).to_contain_text(zh("%(n)d enterprises", n=6))
    section = page.get_by_test_id("metric-value")
    expect(section.get_by_test_id("own-value")).to_have_text("0.8123")
    expect(section.get_by_test_id("median")).to_have_text("0.891")
    expect(section.get_by_test_id("top10")).to_have_text("0.734")

    # No other enterprise is named anywhere, in the markup or the text.
    html, text = page.content(), page.locator("body").inner_text()
    for org in others:
        for mark in (org.name, org.name_en, org.credit_code):
            assert mark not in html and mark not in text, mark
    assert own.name in text

    # The three charts are drawn by the local Chart.js, with the service's monthly figures, and nothing complained.
    canvases = page.locator("canvas[data-benchmark-chart]")
    expect(canvases).to_have_count(3)
    for i, m in enumerate(result.metrics):
        canvas = canvases.nth(i)
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
        drawn = canvas.evaluate("""c => {
            const chart = Chart.getChart(c);
            if (!chart) return null;
            const blank = document.createElement('canvas');
            [blank.width, blank.height] = [c.width, c.height];
            return {labels: chart.data.labels, own: chart.data.datasets[0].data,
                    median: chart.data.datasets[1].data, painted: c.toDataURL() !== blank.toDataURL()};
        }""")
        assert drawn, f"Chart.js did not draw the {m.metric} chart"
        assert drawn["painted"], f"the {m.metric} chart is blank"
        assert drawn["labels"] == [p.period.strftime("%Y-%m") for p in m.trend]
        assert drawn["own"] == pytest.approx([float(p.own) for p in m.trend])
        assert drawn["median"] == pytest.approx([float(p.median) for p in m.trend])
    browser_console.flush()
    assert browser_console.errors == []
    screenshot(page, "benchmarks-enterprise")

    # The regulator ranks the industry, every enterprise named.
    regulator = make_user(authority, "regulator", name="韩监管")
    officer = open_page()
    sign_in_ok(officer, regulator.name, regulator.email, PASSWORD)
    officer.get_by_test_id("nav-benchmarks").click()
    expect(officer).to_have_url(re.compile(r"/benchmarks/industry$"))
    officer.get_by_test_id("industry-choices").locator("a", has_text=re.compile(r"^\s*C30\b")).click()
    expect(officer).to_have_url(re.compile(r"/benchmarks/industry\?code=C30"))
    expect(officer.get_by_test_id("industry-title")).to_contain_text("C30")
    ranked = [own.name, *PEERS]
    (by_product,) = ranking.rankings  # one product group: clinker (900 t a month each)
    # Lowest intensity first, per t of clinker: 651.7 / 900 = 0.7241 ... 1,237.9 / 900 = 1.3754; per 10^4 CNY
    # (0.6517 ... 1.2379) is a secondary column.
    expected = ["华新水泥甲有限公司", "海螺水泥乙有限公司", own.name, "冀东水泥丙有限公司", "金隅水泥丁有限公司",
                "山水水泥戊有限公司"]
    assert [row.name for row in by_product.rows] == expected and sorted(expected) == sorted(ranked)
    rows = officer.get_by_test_id("ranking-product").locator("tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.locator("td:nth-child(2)")).to_have_text(expected)
    expect(rows.locator("td:nth-child(1)")).to_have_text([str(n) for n in range(1, 7)])
    expect(rows.locator("td:nth-child(4)")).to_have_text([tonnes(row.value, 4) for row in by_product.rows])
    expect(rows.locator("td:nth-child(4)")).to_have_text(["0.7241", "0.8212", "0.9026", "1.0293", "1.2048", "1.3754"])
    expect(rows.locator("td:nth-child(8)")).to_have_text(["0.6517", "0.7391", "0.8123", "0.9264", "1.0843", "1.2379"])
    unranked = officer.get_by_test_id("unranked")
    expect(unranked).to_contain_text(cement["pending"].name)
    expect(unranked).to_contain_text(cement["short"].name)
    screenshot(officer, "benchmarks-industry-ranking")
    browser_console.flush()
    assert browser_console.errors == []
