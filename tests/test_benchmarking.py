"""Peer benchmarks with the database: approved data only, peer levels, disclosure control on the page, the regulator's
ranking, access, and the number of queries."""
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import event, select

from app.accounting.models import Product
from app.benchmarking import services
from app.benchmarking.stats import DOMINATED, OK, TOO_FEW
from app.core.numbers import rounded
from app.extensions import db as _db
from app.footprint.services import effective_filings, footprint
from app.settings.services import set_setting
from tests.conftest import login
from tests.helpers.benchmarks import OWN, PEERS, YEAR, add_month
from tests.helpers.filings import file_month


def _intensities(tco2e: str) -> dict:
    t = D(tco2e)
    return {"value": t / 1000, "energy": t / 400, "product": t / 900}


def _forms(value: D) -> set[str]:
    """How a peer's own figure would appear on a page: as the own value is shown (4 places).

    (Published statistics are rounded to 3 significant figures and are means of at least 3 values, so one
    may coincide with a peer's rounded value without telling it; that the statistics are never a single
    member's value is tested in test_benchmark_stats.)"""
    return {f"{rounded(value, 4):,}"}


def test_enterprise_sees_its_value_and_group_statistics_but_no_peer(app, client, cement):
    with app.test_request_context():
        result = services.benchmark(cement["own"], YEAR)
        by_metric = {m.metric: m for m in result.metrics}
        result_value = by_metric["value"]
    # Six enterprises with a year value: the two that must not count are left out.
    assert result_value.level_code == "C3011" and result_value.stats.size == 6
    assert result_value.own_value == D("0.8123") and result_value.own_months == 12
    values = sorted(D(t) / 1000 for t in [OWN, *PEERS.values()])  # 0.6517 0.7391 0.8123 0.9264 1.0843 1.2379
    # n = 6, h = 5p, each quartile the mean of the values within 1.5 places of h (at least 3 enterprises):
    # Q1 (h 1.25) = (x0 + x1 + x2) / 3 = 0.73437; median (h 2.5) = (x1 + x2 + x3 + x4) / 4 = 0.890525;
    # Q3 (h 3.75) = (x3 + x4 + x5) / 3 = 1.08287
    s = result_value.stats
    assert (s.q1, s.median, s.q3) == (D("0.734"), D("0.891"), D("1.08"))
    assert s.top10 == D("0.734") and s.top10_count == 3  # (0.6517 + 0.7391 + 0.8123) / 3 = 0.73437
    assert s.percentile == 60  # three of five peers are higher
    assert values[2] == D("0.8123") and result_value.quarter == 2
    # The month trend, under the same rules: January to May also count the enterprise with only those five months
    # approved (0.4444), so the median of seven is the mean of the middle three, (0.7391 + 0.8123 + 0.9264) / 3
    # = 0.82593; from June the six again (0.890525).
    assert [p.median for p in result_value.trend] == [D("0.826")] * 5 + [D("0.891")] * 7
    assert by_metric["product"].product.name == "水泥熟料" and by_metric["product"].stats.status == OK

    login(client, cement["own_user"])
    page = client.get(f"/benchmarks/?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="own-value">0.8123<' in page
    assert 'data-testid="median">0.891<' in page and 'data-testid="top10">0.734<' in page
    assert 'data-testid="percentile">60<' in page and 'data-testid="own-quarter"' in page
    others = [*cement["peers"].values(), cement["pending"], cement["short"]]
    for org in others:
        assert org.name not in page and org.name_en not in page and org.credit_code not in page
    for tco2e in [*PEERS.values(), "555.5", "444.4"]:
        for intensity in _intensities(tco2e).values():
            for shown in _forms(intensity):
                assert shown not in page, (tco2e, shown)
        assert tco2e not in page  # nor their monthly tonnes


def test_page_in_chinese_names_the_peer_group(app, client, cement):
    login(client, cement["own_user"])
    page = client.get(f"/benchmarks/?year={YEAR}").get_data(as_text=True)
    assert "C3011 水泥制造" in page and "同行对标" in page and "6 家企业" in page


def test_a_dominated_group_is_suppressed(app, client, make_filed_enterprise, make_user):
    own = make_filed_enterprise("本厂化工有限公司", code="C2614", tco2e="800")
    for n, t in enumerate(["700", "900", "650"]):
        make_filed_enterprise(f"小化工{n}有限公司", code="C2614", tco2e=t)
    make_filed_enterprise("巨无霸化工有限公司", code="C2614", tco2e="9000")  # 9,000 of 12,050 t: 75 %
    with app.test_request_context():
        result = services.benchmark(own, YEAR)
    assert {m.stats.status for m in result.metrics} == {DOMINATED}
    assert all(m.stats.median is None and m.stats.percentile is None for m in result.metrics)
    assert {p.status for m in result.metrics for p in m.trend} == {DOMINATED}
    login(client, make_user(own, "viewer"))
    page = client.get(f"/benchmarks/?year={YEAR}").get_data(as_text=True)
    assert page.count('data-testid="dominated"') == 3
    assert 'data-testid="median"' not in page and "巨无霸" not in page and "9.0000" not in page


def test_a_group_of_four_has_too_few_peers(app, client, make_filed_enterprise, make_user):
    own = make_filed_enterprise("本热力有限公司", code="D4430", tco2e="800", product=("蒸汽", "GJ"))
    for n, t in enumerate(["700", "900", "650"]):
        make_filed_enterprise(f"别家热力{n}有限公司", code="D4430", tco2e=t, product=("蒸汽", "GJ"))
    with app.test_request_context():
        result = services.benchmark(own, YEAR)
    assert {m.stats.status for m in result.metrics} == {TOO_FEW}
    assert all(m.stats.size is None and m.level_code is None for m in result.metrics)
    assert result.metrics[1].own_value == D("0.8")  # its own value is still shown
    login(client, make_user(own, "viewer"))
    page = client.get(f"/benchmarks/?year={YEAR}").get_data(as_text=True)
    assert page.count('data-testid="too-few"') == 2 and "0.7000" not in page and "别家" not in page
    # Steam is in no national benchmark: the page says so and shows the enterprise's own trend.
    assert page.count('data-testid="no-national"') == 1 and 'data-testid="trend-product"' in page


def test_the_peer_level_widens_until_the_group_is_big_enough(app, make_filed_enterprise):
    own = make_filed_enterprise("本水泥有限公司", code="C3011", tco2e="800")
    for n, t in enumerate(["700", "900"]):
        make_filed_enterprise(f"水泥{n}有限公司", code="C3011", tco2e=t)
    for n, t in enumerate(["600", "1000", "1100"]):
        make_filed_enterprise(f"石灰{n}有限公司", code="C3012", tco2e=t, product=("石灰", "t"))
    make_filed_enterprise("玻璃有限公司", code="C3041", tco2e="500", product=("平板玻璃", "重量箱"))
    with app.test_request_context():
        by_metric = {m.metric: m for m in services.benchmark(own, YEAR).metrics}
    value = by_metric["value"]
    # Class C3011 has 3, group C301 has 6: the group is the peer group; the glass maker (C304) is not in it.
    assert (value.level_code, value.level.name_zh, value.stats.size) == ("C301", "水泥、石灰和石膏制造", 6)
    assert value.stats.median == D("0.850")  # 0.6 0.7 0.8 0.9 1.0 1.1 -> (0.7 + 0.8 + 0.9 + 1.0) / 4
    # Per unit of product only the three clinker makers compare, even at division level: too few.
    assert by_metric["product"].stats.status == TOO_FEW


def test_the_minimum_group_size_follows_the_city_setting(app, cement, regulator):
    with app.test_request_context():
        set_setting(regulator, "peer_min_group", 7)
        assert services.benchmark(cement["own"], YEAR).metrics[1].stats.status == TOO_FEW


def test_the_latest_approved_revision_counts_as_in_the_footprint(app, db, make_filed_enterprise):
    org = make_filed_enterprise("修订水泥有限公司", tco2e="800", months=range(1, 8))
    product = db.session.scalar(select(Product).where(Product.org_id == org.id))
    # January: amended and the amendment approved (600 t). February: an amendment under review (9,999 t).
    # August: only a submitted revision. The year: Jan 600 + Feb..Jul 6 x 800 = 5,400 t over 7 x 1,000.
    add_month(db, org, product, 1, D(600), revision=2)
    add_month(db, org, product, 2, D(9999), revision=2, status="submitted")
    add_month(db, org, product, 8, D(9999), status="submitted")
    db.session.commit()
    with app.test_request_context():
        loaded = services._load(services._enterprises_under("C30"), YEAR)[org.id]
        effective = effective_filings(org.id, YEAR)
        approved = {p: f for p, f in effective.items() if f.status == "approved"}
        assert set(loaded.months) == set(approved)
        assert {p: m.tco2e for p, m in loaded.months.items()} == \
            {p: f.current_calculation.total_tco2e for p, f in approved.items()}
        value = services.benchmark(org, YEAR).metrics[1]
    assert (value.own_value, value.own_months) == (D(5400) / 7000, 7)


def test_months_filed_through_the_workflow_count(app, db, plant, regulator):
    """The real filing path (services, submit, approve) feeds the benchmark, and agrees with the footprint."""
    now = datetime(2022, 7, 8, 2, 0, tzinfo=UTC)
    for month in range(1, 7):
        file_month(app, db, plant, period=date(2022, month, 1), approve_by=regulator, now=now)
    with app.test_request_context():
        result = {m.metric: m for m in services.benchmark(plant["org"], 2022).metrics}
        fp = footprint(plant["org"].id, 2022)
        assert result["value"].own_value == fp.intensity("value")
        assert result["energy"].own_value == fp.intensity("energy")
        assert result["product"].own_value == fp.intensity("product", fp.main_product)
        assert result["value"].own_months == 6


def _queries(app, work) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context():
            work()
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    return len(statements)


def test_no_query_per_enterprise(app, db, make_filed_enterprise, cement):
    own_id = cement["own"].id

    def both():
        services.benchmark(db.session.get(type(cement["own"]), own_id), YEAR)
        services.industry_ranking("C30", YEAR)

    db.session.expire_all()
    before = _queries(app, both)
    for n in range(10):
        make_filed_enterprise(f"更多水泥{n}有限公司", tco2e=str(700 + n * 37))
    db.session.expire_all()
    after = _queries(app, both)
    assert after == before and before <= 20, (before, after)


def test_regulator_ranks_the_industry_with_names(app, client, cement, regulator):
    login(client, regulator)
    page = client.get(f"/benchmarks/industry?code=C30&year={YEAR}").get_data(as_text=True)
    for org in [cement["own"], *cement["peers"].values()]:
        assert org.name in page
        assert f'/footprint/org/{org.id}?year={YEAR}' in page
    # Ranked per t of clinker (900 t a month): 651.7 / 900 = 0.7241 ... 1,237.9 / 900 = 1.3754; per 10^4 CNY
    # (0.6517 ... 1.2379) is a secondary column.
    assert "0.7241" in page and "1.3754" in page and "0.6517" in page and "1.2379" in page
    # Leaders (at or below Q1) and laggards (at or above Q3).
    ranking = page.split('data-testid="ranking-product"', 1)[1].split("</section>", 1)[0]
    assert ranking.count('data-band="leader"') == 2 and ranking.count('data-band="laggard"') == 2
    assert ranking.index("华新水泥甲") < ranking.index("锦湾本厂水泥") < ranking.index("山水水泥戊")
    assert "待审水泥有限公司" not in ranking  # submitted only: no year value
    unranked = page.split('data-testid="unranked"', 1)[1].split("</ul>", 1)[0]
    assert "半年水泥有限公司" in unranked and "待审水泥有限公司" in unranked
    with app.test_request_context():
        result = services.industry_ranking("C3011", YEAR)
    (product,) = result.rankings
    assert product.metric == "product" and product.product.name == "水泥熟料"
    assert [row.name for row in product.rows][:2] == ["华新水泥甲有限公司", "海螺水泥乙有限公司"]
    assert [row.band for row in product.rows] == ["leader", "leader", None, None, "laggard", "laggard"]
    assert product.rows[0].value == D("651.7") / 900 and product.rows[0].value_intensity == D("0.6517")


def test_regulator_chooses_an_industry(client, cement, regulator):
    login(client, regulator)
    page = client.get("/benchmarks/industry").get_data(as_text=True)
    assert 'data-testid="industry-choices"' in page and "C30" in page
    assert client.get("/benchmarks/industry?code=ZZ9").status_code == 400
    assert client.get("/benchmarks/").status_code == 302  # the enterprise page is for enterprises


@pytest.mark.parametrize("role", ["enterprise_admin", "energy_manager", "viewer"])
def test_enterprise_users_cannot_open_the_industry_ranking(client, cement, make_user, role):
    login(client, make_user(cement["own"], role))
    response = client.get(f"/benchmarks/industry?code=C30&year={YEAR}")
    assert response.status_code == 403
    assert all(name not in response.get_data(as_text=True) for name in PEERS)


def test_nav_links_to_benchmarks(app, cement, regulator):
    for user, href in ((cement["own_user"], 'href="/benchmarks/"'), (regulator, 'href="/benchmarks/industry"')):
        client = app.test_client()
        login(client, user)
        assert href in client.get("/").get_data(as_text=True)
