"""Benchmarks by product group: power-only, combined heat-and-power and heat-only plants apart, the national product
benchmark when the city has fewer than 5 peers (and saying so), no benchmark at all said as such, the disclosure
rules kept, and no peer identified on an enterprise's page."""
from datetime import date
from decimal import Decimal as D

from app.accounting.models import Product
from app.benchmarking import services
from app.benchmarking.stats import OK, TOO_FEW
from app.filings.calculations import ENGINE_VERSION
from app.filings.models import Calculation, Filing, ProductionLine
from app.settings.services import set_setting
from tests.conftest import login
from tests.helpers.benchmarks import ALL_MONTHS, YEAR

POWER_300_PLUS = "electricity-coal-300mw-plus"  # seeded: 0.877 tCO2/MWh
HEAT_COAL = "heat-coal"  # seeded: 0.126 tCO2/GJ


def _plant(db, make_org, name, code, tco2e, products, output=D(1000), months=ALL_MONTHS):
    """An enterprise with approved months of `tco2e` and, per month, each product's quantity.

    `products`: (name, unit, benchmark code or None, monthly quantity), the first one main."""
    org = make_org(name=name, industry_code=code)
    rows = []
    for i, (product, unit, bench, _quantity) in enumerate(products):
        rows.append(Product(org_id=org.id, name=product, unit=unit, is_main=i == 0, benchmark_code=bench))
    db.session.add_all(rows)
    db.session.flush()
    for month in months:
        filing = Filing(org_id=org.id, period=date(YEAR, month, 1), revision=1, status="approved",
                        output_value_10k_cny=output)
        db.session.add(filing)
        db.session.flush()
        db.session.add(Calculation(org_id=org.id, filing_id=filing.id, engine_version=ENGINE_VERSION, settings={},
                                   scope1_tco2e=D(tco2e), scope2_tco2e=D(0), scope3_tco2e=D(0), exported_tco2e=D(0),
                                   total_tco2e=D(tco2e), energy_tce=D(400)))
        for row, (_n, unit, _b, quantity) in zip(rows, products):
            db.session.add(ProductionLine(org_id=org.id, filing_id=filing.id, product_id=row.id,
                                          quantity=D(quantity), unit=unit))
    db.session.commit()
    return org


def _power(db, make_org, name, tco2e, code="D4411"):
    return _plant(db, make_org, name, code, tco2e, [("上网电量", "MWh", POWER_300_PLUS, "1000")])


def _chp(db, make_org, name, tco2e):
    return _plant(db, make_org, name, "D4412", tco2e,
                  [("供热量", "GJ", HEAT_COAL, "4000"), ("供电量", "MWh", POWER_300_PLUS, "500")])


def _heat(db, make_org, name, tco2e):
    return _plant(db, make_org, name, "D4430", tco2e, [("供热量", "GJ", HEAT_COAL, "5000")])


def test_power_only_chp_and_heat_only_plants_are_three_groups(app, db, make_org):
    power = [_power(db, make_org, f"纯凝电厂{n}有限公司", t) for n, t in enumerate(["900", "880", "950", "1000"])]
    chp = _chp(db, make_org, "热电联产有限公司", "1000")
    heat = _heat(db, make_org, "供热站有限公司", "500")
    with app.test_request_context():
        ranking = services.industry_ranking("D44", YEAR)
        chp_metric = services.benchmark(chp, YEAR).metric("product")
        heat_metric = services.benchmark(heat, YEAR).metric("product")
    groups = {r.product.products: [row.org_id for row in r.rows] for r in ranking.rankings}
    assert groups == {("electricity supplied",): [power[1].id, power[0].id, power[2].id, power[3].id],
                      ("electricity supplied", "heat supplied"): [chp.id], ("heat supplied",): [heat.id]}
    assert all(r.metric == "product" for r in ranking.rankings)
    # Power-only: 880 / 1,000 MWh = 0.88 ... 1.0; quartiles only among the four of them.
    power_rows = ranking.rankings[0].rows
    assert [row.value for row in power_rows] == [D("0.88"), D("0.9"), D("0.95"), D(1)]
    assert [row.band for row in power_rows] == ["leader", None, None, "laggard"]
    assert power_rows[0].national == D("0.877") and power_rows[0].ratio == 100  # 0.88 / 0.877 = 100.3 %
    # CHP: 1,000 t shared by benchmark emissions, electricity 500 MWh × 0.877 = 438.5 t of 438.5 + 4,000 GJ × 0.126
    # = 942.5 t; its electricity intensity = 1,000 × 438.5 / 942.5 / 500 = 0.930504 t/MWh, per MWh like the
    # power-only plants but ranked apart; the 10^4 CNY intensity is a secondary column (1,000 t / 1,000).
    (chp_row,) = next(r for r in ranking.rankings if len(r.product.products) == 2).rows
    assert round(chp_row.value, 6) == D("0.930504") and chp_row.band is None
    assert chp_row.national == D("0.877") and chp_row.value_intensity == D(1)
    assert chp_metric.product.products == ("electricity supplied", "heat supplied") and chp_metric.product.unit == "MWh"
    assert chp_metric.own_value == chp_row.value and chp_metric.fallback
    # Heat-only: 500 t / 5,000 GJ = 0.1 t/GJ against 0.126.
    assert heat_metric.own_value == D("0.1") and heat_metric.national.value == D("0.126")
    assert heat_metric.national.ratio == 79


def test_fewer_than_five_peers_compares_with_the_national_benchmark_and_says_so(app, db, client, make_org,
                                                                               make_user):
    own = _power(db, make_org, "锦湾本厂电力有限公司", "900")
    peers = [_power(db, make_org, f"别家电厂{n}有限公司", t) for n, t in enumerate(["951.3", "847.9"])]
    with app.test_request_context():
        product = services.benchmark(own, YEAR).metric("product")
    assert product.stats.status == TOO_FEW and product.fallback and product.compared
    assert product.own_value == D("0.9") and product.national.value == D("0.877")
    assert product.national.ratio == 103  # 0.9 / 0.877 = 102.6 %
    (row,) = product.national.benchmarks
    assert (row.code, row.period, row.status) == (POWER_300_PLUS, "2019-2020", "verified")
    assert [p.national for p in product.trend] == [D("0.877")] * 12

    login(client, make_user(own, "viewer"))
    page = client.get(f"/benchmarks/?year={YEAR}").get_data(as_text=True)
    section = page.split('data-testid="metric-product"', 1)[1].split("</section>", 1)[0]
    assert "全国基准值（本市同行过少）" in section and 'data-testid="national-value">0.877<' in section
    assert "为基准值的 103%：高出 3%" in section and "全国碳排放权交易市场 2019—2020 年度发电行业配额分配方案" in section
    assert "300 MW 以上常规燃煤机组" in section and "单位供电量排放强度" in section
    assert 'data-testid="too-few"' not in section and 'data-testid="median"' not in section
    assert '"national": [0.877' in section.replace("&#34;", '"')  # the chart draws the benchmark line
    for org in peers:
        assert org.name not in page
    assert "0.9513" not in page and "0.8479" not in page


def test_five_peers_show_the_group_with_the_national_figure_for_reference(app, db, client, make_org, make_user,
                                                                        regulator):
    own = _power(db, make_org, "锦湾本厂电力有限公司", "900")
    for n, t in enumerate(["951.3", "847.9", "1012.7", "933.1"]):
        # Whatever the industry code: a steelworks' power plant supplies electricity too.
        _power(db, make_org, f"别家电厂{n}有限公司", t, code="C3110" if n == 3 else "D4411")
    with app.test_request_context():
        product = services.benchmark(own, YEAR).metric("product")
        assert product.stats.status == OK and product.stats.size == 5 and not product.fallback
        assert product.national.value == D("0.877")
        # The disclosure rules hold for the product group: a group of 5 under a minimum of 6 shows nothing.
        set_setting(regulator, "peer_min_group", 6)
        smaller = services.benchmark(own, YEAR).metric("product")
    assert smaller.stats.status == TOO_FEW and smaller.stats.median is None and smaller.fallback
    # (back to 5 for the page)
    with app.test_request_context():
        set_setting(regulator, "peer_min_group", 5)
    db.session.commit()
    login(client, make_user(own, "viewer"))
    page = client.get(f"/benchmarks/?year={YEAR}").get_data(as_text=True)
    section = page.split('data-testid="metric-product"', 1)[1].split("</section>", 1)[0]
    assert 'data-testid="median"' in section and 'data-testid="national-reference"' in section
    assert "全国基准值（本市同行过少）" not in section and "5 家企业" in section
    for value in ("0.9513", "0.8479", "1.0127", "0.9331"):
        assert value not in page


def test_a_product_without_national_benchmark_says_so_and_shows_the_own_trend(app, db, client, make_org,
                                                                             make_user):
    own = _plant(db, make_org, "锦湾炼油有限公司", "C2511", "1200", [("原油加工量", "t", None, "30000")])
    _plant(db, make_org, "兴港炼油有限公司", "C2511", "1500", [("原油加工量", "t", None, "36000")])
    with app.test_request_context():
        product = services.benchmark(own, YEAR).metric("product")
    assert product.national is None and not product.compared and product.own_value == D("0.04")
    login(client, make_user(own, "viewer"))
    page = client.get(f"/benchmarks/?year={YEAR}").get_data(as_text=True)
    section = page.split('data-testid="metric-product"', 1)[1].split("</section>", 1)[0]
    assert "原油加工量 没有全国产品基准值" in section and "下方显示本企业自身的月度趋势" in section
    assert 'data-testid="trend-product"' in section and "0.0400" in section
    assert "兴港炼油" not in page


def test_the_benchmark_page_identifies_no_peer(app, db, client, make_org, make_user):
    own = _heat(db, make_org, "锦湾本厂热力有限公司", "500")
    peers = [_heat(db, make_org, f"同城热力{n}有限公司", t) for n, t in enumerate(["611.1", "433.3", "577.7", "522.2"])]
    others = [_power(db, make_org, f"同城电厂{n}有限公司", t) for n, t in enumerate(["901.1", "888.8"])]
    login(client, make_user(own, "enterprise_admin"))
    page = client.get(f"/benchmarks/?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="median"' in page  # five heat-only plants: a group
    for org in [*peers, *others]:
        assert org.name not in page and org.credit_code not in page
        assert f"/org/{org.id}" not in page
    for tco2e in ("611.1", "433.3", "577.7", "522.2", "901.1", "888.8"):
        assert tco2e not in page
        assert f"{D(tco2e) / 5000:.4f}" not in page  # per GJ
    assert client.get(f"/benchmarks/industry?code=D44&year={YEAR}").status_code == 403
