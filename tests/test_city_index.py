"""The city dual-carbon index from the database: R12 inputs by hand, approved data only, the pages and who sees them."""
from datetime import date, datetime, timezone
from decimal import Decimal

from app.city_data.models import CityStatistic, IndexSettings
from app.city_index.breakdowns import (
    district_totals,
    division_totals,
    enterprises_under,
    sector_totals,
)
from app.city_index.formula import CityInputs, compute_index, index_time
from app.city_index.index import city_index, month_inputs
from app.city_index.loading import IndexData, load
from app.city_index.projection import gross_series, top_contributors, year_end_forecast
from app.city_index.settings import settings_in_force
from app.filings.models import SUBMITTED
from tests.conftest import post
from tests.helpers.city import SETTINGS, filed_month

D = Decimal


def test_r12_inputs_by_hand(db, city):
    got = month_inputs(2025, 6)
    assert (got.start, got.end) == (date(2024, 7, 1), date(2025, 6, 1))
    # steel 12 × 100; power 11 × 1000 + the amended March at 2000 (June 2024 is outside the window)
    assert got.scope1_r12 == D(1200) + D(11000) + D(2000)
    assert got.scope2_r12 == D(360)
    assert (got.approved, got.expected) == (24, 36)  # 3 enterprises × 12 months
    assert got.coverage == D(24) / D(36)
    i = got.inputs
    # June: 6/12 of 2025 and 6/12 of 2024
    assert i.gdp_r12 == D("16200000") / 2 + D("15000000") / 2
    assert i.non_filing_tco2_r12 == (D("3000000") + D("2900000")) / 2
    assert i.transport_buildings_tco2_r12 == (D("2400000") + D("2300000")) / 2
    assert i.net_import_mwh_r12 == D("2500000")
    assert i.non_fossil_share == D("0.17")
    assert i.grid_factor_tco2_per_mwh is not None and got.imported_tco2 == D("2500000") * i.grid_factor_tco2_per_mwh
    assert i.sinks_tco2 == D(70000)  # both sinks count in 2025
    assert i.sinks_base_tco2 == D(900000)  # from the settings, not from the sinks of 2020
    # R = Σ benchmark × output / Σ emissions of the enterprise-months producing it
    assert i.industrial_r == D("0.877") * D(12000) / D(13000)


def test_prorating_by_month_weights(db, city):
    march = month_inputs(2025, 3).inputs
    assert march.gdp_r12 == D(3) / 12 * D("16200000") + D(9) / 12 * D("15000000")
    december = month_inputs(2024, 12)
    assert december.inputs.gdp_r12 == D("15000000")
    assert not december.carried_forward
    later = month_inputs(2026, 2)  # no 2026 statistics yet: 2025's are carried forward
    assert later.carried_forward and later.inputs.gdp_r12 == D("16200000")


def test_quarterly_statistics_replace_the_annual_share_of_their_months(db, city):
    db.session.add_all([
        CityStatistic(year=2025, quarter=1, gdp_10k_cny=D("3800000"), source="统计季报 2025Q1"),
        CityStatistic(year=2025, quarter=2, gdp_10k_cny=D("4100000"), non_fossil_share_percent=D("20"),
                      transport_tco2=D("330000"), source="统计季报 2025Q2")])
    db.session.commit()
    got = month_inputs(2025, 6).inputs
    # GDP: Q1 + Q2 of 2025, then 6/12 of 2024's 15,000,000 (not 6/12 of 2025's annual figure)
    assert got.gdp_r12 == D("3800000") + D("4100000") + D("7500000")
    # share: Q2 20 % for 3 months, 2025's annual 18 % for Q1's 3 months, 2024's 16 % for 6 months
    assert got.non_fossil_share == D("0.20") * 3 / 12 + D("0.18") * 3 / 12 + D("0.16") * 6 / 12
    # transport: Q2 330,000 + 3/12 of 2025's 1,260,000 (Q1 has no transport figure) + 6/12 of 2024's 1,200,000
    transport = next(r for r in sector_totals(2025, 6)["sectors"] if r.key == "transport")
    assert transport.estimate == D("330000") + D("315000") + D("600000")
    # May (a Q2 month) in the forecast series: a third of Q2's transport, the annual twelfths otherwise
    data = load((2025, 5), (2025, 5))
    assert data.monthly(2025, 5, "transport_tco2") == D("110000")
    assert data.monthly(2025, 1, "transport_tco2") == D("105000")


def test_city_index_uses_the_formula_with_the_settings_in_force(db, city):
    month = city_index(2025, 6)
    expected = compute_index(month.settings.path, month.inputs.inputs, index_time(2025, 6))
    assert month.dci == expected.dci and month.dci is not None
    assert month.provisional is False  # 24 of 36 = 66.7 % ≥ 65 %
    assert month.previous_dci is not None
    assert city_index(2025, 7).provisional is True  # steel has no July


def test_unapproved_filings_change_nothing(db, city):
    before = city_index(2025, 6)
    filed_month(city["steel"], date(2025, 6, 1), "99999", revision=2, status=SUBMITTED)
    filed_month(city["logistics"], date(2025, 5, 1), "55555", status=SUBMITTED)
    filed_month(city["logistics"], date(2025, 4, 1), "44444", status="returned")
    db.session.commit()
    after = city_index(2025, 6)
    assert after.inputs.scope1_r12 == before.inputs.scope1_r12
    assert after.inputs.approved == before.inputs.approved
    assert after.dci == before.dci
    totals = sector_totals(2025, 6)
    transport = next(r for r in totals["sectors"] if r.key == "transport")
    assert transport.scope1 == 0


def test_sector_industry_and_district_totals(db, city):
    totals = {r.key: r for r in sector_totals(2025, 6)["sectors"]}
    assert totals["energy"].scope1 == D(13000)
    assert totals["industry"].scope1 == D(1200)
    assert totals["transport"].estimate == D("1230000")
    assert totals["buildings"].total == D("1120000")
    divisions = {code: row for code, _, row in division_totals(2025, 6, "energy")}
    assert set(divisions) == {"D44"}
    districts = {r.key: r.scope1 for r in district_totals(2025, 6)}
    assert districts == {"兴港区": D(1200), "双河区": D(13000)}
    names = [row[1] for row in enterprises_under(2025, 6, "C31")]
    assert names == ["锦湾钢铁秘密有限公司"]


def test_public_page_without_sign_in_shows_no_enterprise(client, city):
    response = client.get("/city/public?month=2025-06")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "data-city-chart" in body and 'data-testid="dci-value"' in body
    for org in ("steel", "power", "logistics"):
        assert city[org].name not in body and city[org].name_en not in body
    assert "<script>" not in body  # the CSP forbids inline scripts


def test_enterprise_users_get_403(client, city, make_user, login_as):
    login_as(make_user(city["steel"], "enterprise_admin"))
    for url in ("/city/", "/city/methodology", "/city/industry?code=C31"):
        assert client.get(url).status_code == 403, url


def test_enterprise_viewer_gets_403(client, city, make_user, login_as):
    login_as(make_user(city["power"], "viewer"))
    assert client.get("/city/").status_code == 403
    assert client.get("/city/methodology").status_code == 403


def test_authority_pages(client, city, authority, make_user, login_as):
    login_as(make_user(authority, "regulator"))
    body = client.get("/city/?month=2025-06").get_data(as_text=True)
    assert 'data-testid="dci-value"' in body and "D44" in body
    method = client.get("/city/methodology?month=2025-06")
    assert method.status_code == 200 and "settings-version" in method.get_data(as_text=True)
    sector = client.get("/city/industry?code=industry&month=2025-06").get_data(as_text=True)
    assert "C31" in sector
    division = client.get("/city/industry?code=C31&month=2025-06").get_data(as_text=True)
    assert "锦湾钢铁秘密有限公司" in division and f"/footprint/org/{city['steel'].id}" in division
    assert client.get("/city/industry?code=toolongcode").status_code == 404


def test_index_without_settings_or_data(client, db, authority, make_user, login_as):
    month = city_index(2025, 6)  # no version published: the defaults, and no data
    assert month.settings.id is None and month.dci is None and month.provisional
    login_as(make_user(authority, "regulator"))
    assert client.get("/city/").status_code == 200
    assert client.get("/city/public").status_code == 200


def test_city_inputs_stay_exact(db, city):
    assert isinstance(month_inputs(2025, 6).inputs, CityInputs)


def test_base_r_from_the_base_year_filings_when_not_set(db, city):
    db.session.add(IndexSettings(valid_from=date(2025, 1, 1), values={**SETTINGS, "y0": 2024,
                                                                      "industrial_base_r": None}))
    db.session.commit()
    got = month_inputs(2025, 6).inputs
    assert got.industrial_base_r == D("0.877")  # power's approved months of 2024: R = 0.877 × 7000 / 7000


# --- forecast ------------------------------------------------------------------------------------------------

def test_gross_series_starts_with_the_first_approved_month(db, city):
    series = gross_series(2025, 6)
    assert series[0][0] == (2024, 6) and len(series) == 13
    data = IndexData(date(2025, 3, 1), date(2025, 3, 1))
    grid = data.grid_factor(2025, 3)
    march = dict(series)[(2025, 3)]
    assert march == D(2000) + D(100) + D("3000000") / 12 + D("2600000") / 12 * grid


def test_top_contributors_by_year_over_year_increase(db, city):
    got = top_contributors(2025, 6)
    # against the window ending 2024-06: power had June 2024 only, steel nothing
    assert [(name, rise) for _, name, _, _, rise in got["enterprises"]] == [
        ("锦湾热电秘密有限公司", D(13000) - D(1000)), ("锦湾钢铁秘密有限公司", D(1200))]
    # no 2023 statistics: the estimates of the earlier window are missing and the non-filing sectors rise most
    assert [k for k, _ in got["sectors"]] == ["transport", "buildings", "other"]


def test_dashboard_shows_the_projection_without_alert_on_a_high_path(client, city, authority, make_user, login_as):
    login_as(make_user(authority, "regulator"))
    body = client.get("/city/?month=2025-06").get_data(as_text=True)
    assert 'data-testid="projection"' in body and 'data-testid="forecast-alert"' not in body
    assert "&#34;forecast&#34;" in body or '"forecast"' in body  # the chart data carries the forecast


def test_dashboard_shows_a_forecast_alert_when_the_path_is_low(client, db, city, authority, make_user, login_as):
    low = {**SETTINGS, "e0": "200000", "ep": "220000", "s60": "30000"}
    db.session.add(IndexSettings(valid_from=date(2025, 1, 1), values=low, note="low path"))
    db.session.commit()
    projection = year_end_forecast(2025, 6)
    assert projection.path_value == settings_in_force(2025, 6).path.at_year(2025)
    assert projection.year_end.low > projection.path_value
    assert [a.level for a in projection.alerts] == ["red"]
    login_as(make_user(authority, "regulator"))
    body = client.get("/city/?month=2025-06").get_data(as_text=True)
    assert 'data-testid="forecast-alert"' in body and "alert-danger" in body
    assert "锦湾热电秘密有限公司" in body  # the enterprise rising most is named (regulator page)
    public = client.get("/city/public?month=2025-06").get_data(as_text=True)
    assert "forecast-alert" not in public and "锦湾热电秘密有限公司" not in public


def test_the_default_month_follows_the_citys_date_not_utc(client, authority, make_user, login_as, monkeypatch):
    # 20:00 UTC on 30 November is 04:00 on 1 December in the city (Asia/Shanghai): November is complete there,
    # while by UTC's date the latest complete month would still be October.
    monkeypatch.setattr("app.core.types.utcnow", lambda: datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc))
    assert 'name="month" value="2026-11"' in client.get("/city/public").get_data(as_text=True)
    login_as(make_user(authority, "regulator"))
    for url in ("/city/", "/city/methodology"):
        assert 'name="month" value="2026-11"' in client.get(url).get_data(as_text=True), url


def test_a_dropped_sub_index_says_why_in_the_readers_language(client, db, city, authority, make_user, login_as):
    """Issue 16 (language): no engine English ("no industrial efficiency ratio (now or base year)") on the
    dashboard or the public page, but a translated reason why S4 is left out."""
    city["product"].benchmark_code = None  # no benchmarked output: no industrial efficiency ratio
    db.session.commit()
    assert city_index(2025, 6).result.dropped == {"S4": "no_industrial_ratio"}
    zh = "近 12 个月没有已通过的填报报告有基准值产品的产量，无法计算工业能效比。"
    en = ("No approved filing of the last 12 months reports output of a product with a benchmark, so the "
          "industrial efficiency ratio cannot be computed.")
    public = client.get("/city/public?month=2025-06").get_data(as_text=True)
    assert f'data-testid="dropped-S4">{zh}<' in public and "now or base year" not in public
    post(client, "/language", {"locale": "en", "next": "/city/public"}, token_from="/city/public")
    public = client.get("/city/public?month=2025-06").get_data(as_text=True)
    assert f'data-testid="dropped-S4">{en}<' in public
    regulator = make_user(authority, "regulator")
    login_as(regulator)
    for locale, text in (("zh", zh), ("en", en)):
        regulator.locale = locale
        db.session.commit()
        body = client.get("/city/?month=2025-06").get_data(as_text=True)
        assert f'data-testid="dropped-S4">{text}<' in body and "no_industrial_ratio" not in body


def test_the_industry_sector_is_labelled_industry_not_an_enterprises_classification(client, db, city, authority,
                                                                                    make_user, login_as):
    """Issue 16 (language): the sector is 工业 ("Industry"), not 所属行业 (an enterprise's industry column)."""
    regulator = make_user(authority, "regulator")
    login_as(regulator)
    body = client.get("/city/?month=2025-06").get_data(as_text=True)
    sectors = body.split('data-testid="sectors"')[1].split("</table>")[0]
    assert ">工业</a>" in sectors and "所属行业" not in sectors
    industry = client.get("/city/industry?code=industry&month=2025-06").get_data(as_text=True)
    assert '<h1 class="h3">工业 <small' in industry
    public = client.get("/city/public?month=2025-06").get_data(as_text=True)
    assert ">工业<" in public.split('data-testid="sectors"')[1] and "所属行业" not in public
    regulator.locale = "en"
    db.session.commit()
    body = client.get("/city/?month=2025-06").get_data(as_text=True)
    assert ">Industry</a>" in body.split('data-testid="sectors"')[1].split("</table>")[0]


def test_district_names_are_translated_in_english(client, db, city, authority, make_user, login_as):
    """Issue 16 (language): the stored district stays Chinese; the English dashboard names it in English."""
    regulator = make_user(authority, "regulator")
    login_as(regulator)
    rows = client.get("/city/?month=2025-06").get_data(as_text=True).split('data-testid="districts"')[1]
    assert ">兴港区</a>" in rows and ">双河区</a>" in rows  # each district links to its page
    regulator.locale = "en"
    db.session.commit()
    rows = client.get("/city/?month=2025-06").get_data(as_text=True).split('data-testid="districts"')[1]
    rows = rows.split("</table>")[0]
    assert ">Xinggang District</a>" in rows and ">Shuanghe District</a>" in rows and ">兴港区<" not in rows
    assert {o.district for o in (city["steel"], city["power"])} == {"兴港区", "双河区"}
