"""City data: statistics, sinks, versioned index settings and product benchmarks; authority only."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounting.models import Product
from app.audit.models import AuditEvent
from app.city_data import services as data
from app.accounting import services as register
from app.accounting.models import ProductBenchmark
from app.city_data.models import CityStatistic
from app.core.service_error import ServiceError
from tests.conftest import csrf_token, post

WRITE_ROUTES = ["/city-data/statistics/edit", "/city-data/sinks/new", "/city-data/settings",
                "/city-data/benchmarks/{bid}/new-version"]


def _stat(**over):
    return {"year": 2024, "quarter": 0, "gdp_10k_cny": "15000000", "population": "1400000",
            "transport_tco2": "2000000", "net_imported_electricity_mwh": "-1000", "source": "统计年鉴 2025", **over}


def test_upsert_statistic_creates_then_replaces(app, db, regulator):
    with app.test_request_context():
        data.upsert_statistic(regulator, _stat())
        data.upsert_statistic(regulator, _stat(gdp_10k_cny="15100000"))
        db.session.commit()
    rows = db.session.scalars(select(CityStatistic)).all()
    assert len(rows) == 1 and rows[0].gdp_10k_cny == Decimal("15100000")
    assert rows[0].net_imported_electricity_mwh == Decimal(-1000)  # a city may export power
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("city_data.statistic_saved") == 2


@pytest.mark.parametrize("over, field", [({"gdp_10k_cny": "-5"}, "gdp_10k_cny"), ({"source": "  "}, "source"),
                                         ({"non_fossil_share_percent": "120"}, "non_fossil_share_percent"),
                                         ({"year": 1800}, "year"), ({"quarter": 5}, "quarter")])
def test_statistic_validation(app, db, regulator, over, field):
    with app.test_request_context(), pytest.raises(ServiceError) as e:
        data.upsert_statistic(regulator, _stat(**over))
    assert e.value.field == field


def test_statistic_form_shows_error_beside_field(client, login_as, regulator, db):
    login_as(regulator)
    response = post(client, "/city-data/statistics/edit", _stat(gdp_10k_cny="-1"), token_from="/city-data/statistics/edit")
    assert response.status_code == 200
    assert 'data-field-error="gdp_10k_cny"' in response.get_data(as_text=True)
    response = post(client, "/city-data/statistics/edit", _stat(), token_from="/city-data/statistics/edit")
    assert response.status_code == 302
    assert client.get("/city-data/statistics").status_code == 200


def _settings(**over):
    values = {k: v for k, v in data.DEFAULT_INDEX_SETTINGS.items()}
    values.update(over)
    return values


def test_settings_version_in_force_by_month(app, db, regulator):
    with app.test_request_context():
        assert data.settings_for(date(2025, 6, 1)) is None
        assert data.settings_values_for(date(2025, 6, 1))["yp"] == 2028
        data.publish_settings(regulator, _settings(), date(2024, 1, 15))
        data.publish_settings(regulator, _settings(yp=2029), date(2025, 7, 1), "later peak")
        db.session.commit()
        assert data.settings_for(date(2023, 12, 1)) is None
        assert data.settings_for(date(2024, 1, 1)).values["yp"] == 2028  # valid_from is the first of its month
        assert data.settings_for(date(2025, 6, 30)).values["yp"] == 2028
        assert data.settings_for(date(2025, 7, 1)).values["yp"] == 2029


@pytest.mark.parametrize("over, field", [
    ({"weights": {"S1": "0.5", "S2": "0.15", "S3": "0.15", "S4": "0.2", "S5": "0.1", "S6": "0.15"}}, "weight_S1"),
    ({"weights": {"S1": "-0.1", "S2": "0.25", "S3": "0.25", "S4": "0.3", "S5": "0.1", "S6": "0.2"}}, "weight_S1"),
    ({"yp": 2031}, "yp"), ({"yp": 2020}, "yp"), ({"ep": "0"}, "ep"), ({"s60": "22000000"}, "s60"),
    ({"cut_milestones": "2025=0.18"}, "cut_milestones")])
def test_settings_validation(app, db, regulator, over, field):
    with app.test_request_context(), pytest.raises(ServiceError) as e:
        data.publish_settings(regulator, _settings(**over), date(2025, 1, 1))
    assert e.value.field == field


def test_settings_page_publishes_and_shows_weight_error(client, login_as, regulator, db):
    login_as(regulator)
    page = client.get("/city-data/settings").get_data(as_text=True)
    assert 'data-testid="settings-in-force"' in page
    form = {"valid_from": "2025-03", "y0": "2020", "e0": "20000000", "g0": "13000000", "yp": "2028",
            "ep": "22000000", "s60": "3000000", "cut_milestones": "2025:0.18",
            "non_fossil_milestones": "2025:0.20, 2030:0.25, 2060:0.80", "weight_S1": "0.3", "weight_S2": "0.15",
            "weight_S3": "0.15", "weight_S4": "0.2", "weight_S5": "0.1", "weight_S6": "0.15"}
    response = post(client, "/city-data/settings", form, token_from="/city-data/settings")
    assert 'data-field-error="weight_S1"' in response.get_data(as_text=True)
    response = post(client, "/city-data/settings", {**form, "weight_S1": "0.25"}, token_from="/city-data/settings")
    assert response.status_code == 302
    assert data.settings_for(date(2025, 3, 1)).values["weights"]["S1"] == "0.25"


def test_benchmark_publish_keeps_version_one(client, login_as, regulator, db):
    first = db.session.scalar(select(ProductBenchmark).where(ProductBenchmark.code == "cement-clinker"))
    login_as(regulator)
    url = f"/city-data/benchmarks/{first.id}/new-version"
    response = post(client, url, {"benchmark": "0.8200", "valid_from": "2026-01-01", "period": "2026",
                                  "status": "final", "source": "MEE 2026 cement allocation plan"}, token_from=url)
    assert response.status_code == 302
    versions = data.benchmark_history("cement-clinker")
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].benchmark == Decimal("0.8534") and versions[0].benchmark == Decimal("0.82")
    assert {b.code: b.version for b in register.latest_benchmarks()}["cement-clinker"] == 2
    assert "city_data.benchmark_published" in db.session.scalars(select(AuditEvent.action)).all()


def test_sinks_add_edit_retire(app, db, regulator):
    with app.test_request_context():
        sink = data.add_sink(regulator, {"name": "辽河口湿地", "kind": "wetland", "area_ha": "1000",
                                         "rate_tco2_per_ha_year": "9.5", "from_year": 2015, "source": "demo"})
        data.update_sink(regulator, sink, {"name": "辽河口湿地", "kind": "wetland", "area_ha": "1200",
                                           "rate_tco2_per_ha_year": "9.5", "from_year": 2015, "source": "demo"})
        data.retire_sink(regulator, sink, 2024)
        db.session.commit()
        assert data.sink_total(2024) == Decimal(11400) and data.sink_total(2025) == 0
        with pytest.raises(ServiceError):
            data.add_sink(regulator, {"name": "x", "kind": "wetland", "area_ha": "1", "rate_tco2_per_ha_year": "1",
                                      "from_year": 2020, "source": ""})


@pytest.mark.parametrize("role", ["enterprise_admin", "energy_manager", "viewer"])
def test_enterprise_users_get_403_everywhere(client, make_org, make_user, login_as, db, role):
    bid = db.session.scalar(select(ProductBenchmark.id).limit(1))
    login_as(make_user(make_org(), role))
    token = csrf_token(client)
    for url in WRITE_ROUTES + ["/city-data/statistics", "/city-data/sinks", "/city-data/benchmarks"]:
        url = url.format(bid=bid)
        assert client.get(url).status_code == 403, url
        if url in WRITE_ROUTES or "new-version" in url:
            assert client.post(url, data={"csrf_token": token, **_stat()}).status_code == 403, url
    assert db.session.scalar(select(CityStatistic.id)) is None


def test_authority_viewer_reads_but_cannot_write(client, authority, make_user, login_as, db):
    login_as(make_user(authority, "viewer"))
    assert client.get("/city-data/statistics").status_code == 200
    assert 'data-testid="settings-form"' not in client.get("/city-data/settings").get_data(as_text=True)
    assert client.get("/city-data/statistics/edit").status_code == 403
    assert post(client, "/city-data/settings", {}, token_from="/city-data/statistics").status_code == 403


def test_product_mapping(app, db, make_org, make_user, login_as, client, regulator):
    org = make_org()
    admin = make_user(org, "enterprise_admin")
    product = Product(org_id=org.id, name="熟料", unit="t")
    db.session.add(product)
    db.session.commit()
    with app.test_request_context():
        register.map_product(regulator, product, "cement-clinker")
        with pytest.raises(ServiceError):
            register.map_product(regulator, product, "no-such-code")
        db.session.commit()
    assert db.session.get(Product, product.id).benchmark_code == "cement-clinker"
    login_as(admin)
    url = f"/register/products/{product.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="primary-aluminium"' in page
    bad = post(client, url, {"name": "熟料", "unit": "t", "benchmark_code": "made-up"}, token_from=url)
    assert 'data-field-error="benchmark_code"' in bad.get_data(as_text=True)
    assert post(client, url, {"name": "熟料", "unit": "t", "benchmark_code": ""}, token_from=url).status_code == 302
    assert db.session.get(Product, product.id).benchmark_code is None


def test_product_benchmarks_read_in_the_readers_language(client, login_as, regulator, make_org, make_user, db):
    """Issue 16 (language): the benchmark table's products, unit classes, statuses and sources are Chinese in zh
    and English in en, on the city data page and in the register's product form."""
    org = make_org()
    admin = make_user(org, "enterprise_admin")
    product = Product(org_id=org.id, name="熟料", unit="t")
    db.session.add(product)
    db.session.commit()
    cases = {"zh": ["供电量 · 300 MW 以上常规燃煤机组", "水泥熟料 · 全部", "征求意见稿数值", "2017 年讨论稿",
                    "全国碳排放权交易市场水泥行业配额分配讨论稿（2017 年）"],
             "en": ["electricity supplied · conventional coal units above 300 MW", "cement clinker · all",
                    "draft value", "2017 draft", "China national ETS allocation discussion draft for cement (2017)"]}
    for user, url in ((regulator, "/city-data/benchmarks"), (admin, f"/register/products/{product.id}/edit")):
        login_as(user)
        for locale, texts in cases.items():
            user.locale = locale
            db.session.commit()
            page = client.get(url).get_data(as_text=True)
            shown = texts if "benchmarks" in url else texts[:2]  # the form's choices name product and unit class
            for text in shown:
                assert text in page, (url, locale, text)
            if locale == "zh":
                assert "electricity supplied" not in page and "cement clinker" not in page, url
        post(client, "/logout")
