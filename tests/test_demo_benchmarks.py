"""The demo city's benchmarks always say something: every enterprise that files has a comparison on its benchmark
page (peer statistics or the national product benchmark), each plant whose product has a national benchmark is
compared per unit of product, and the regulator's power ranking keeps power-only, CHP and heat-only plants apart."""
from sqlalchemy import select

from app.benchmarking import services
from app.demo import city, city_stats
from app.extensions import db
from app.footprint.services import years_with_filings
from app.organisations.models import Organisation
from tests.conftest import login


def test_every_demo_enterprise_that_files_has_a_comparison(app):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    slugs = {row[1]: row[0] for row in city.ENTERPRISES + city.NEW_ENTERPRISES}
    mapped = {slug for slug, _product, _code in city_stats.PRODUCT_BENCHMARKS}
    seen_industries = set()
    with app.test_request_context():
        enterprises = db.session.scalars(select(Organisation).where(Organisation.kind == "enterprise")).all()
        for org in enterprises:
            years = years_with_filings(org.id)
            if not years:
                continue
            for year in years[:2]:
                page = services.benchmark(org, year)
                compared = [m.metric for m in page.metrics if m.compared]
                assert compared, (org.name, year)
                # Never an empty chart: every metric with approved months of its own draws them.
                for m in page.metrics:
                    assert not m.own_months or any(p.own is not None for p in m.trend), (org.name, m.metric)
                if slugs[org.name] in mapped:
                    product = page.metric("product")
                    assert product.national is not None and product.compared, (org.name, year)
            seen_industries.add(org.industry_code[:3])
        assert {"C25", "C26", "C30", "C31", "D44"} <= seen_industries

        # A year every long-registered enterprise filed whole (rows come in no set order: PostgreSQL differs).
        year = next(years[1] for years in (years_with_filings(o.id) for o in sorted(enterprises, key=lambda o: o.id))
                    if len(years) > 1)
        ranking = services.industry_ranking("D44", year)
        groups = {r.product.products: {row.name for row in r.rows} for r in ranking.rankings}
        assert set(groups) == {("electricity supplied",), ("electricity supplied", "heat supplied"),
                               ("heat supplied",)}
        assert groups[("electricity supplied",)] == {"锦湾滨海发电有限公司"}
        assert groups[("electricity supplied", "heat supplied")] == {"双河热电有限责任公司", "湾西热电有限公司"}

    # The README's enterprise (petrochemicals, no national benchmark for crude processed) on its page.
    client = app.test_client()
    login(client, "energy@jinwan-petro.com.cn", city.PASSWORD)
    page = client.get("/benchmarks/").get_data(as_text=True)
    assert 'data-testid="no-national"' in page and page.count('data-testid="median"') == 2
    assert "兴港炼油化工有限公司" not in page
