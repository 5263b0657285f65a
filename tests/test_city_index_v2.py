"""Methodology version 2 from the database: settings versions name their methodology, estimates of obliged months
without an approved filing, provisional months by their own coverage, months outside the data refused, the lever
table and the API's month fields."""
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.city_data import services as city_data
from app.city_data.models import IndexSettings
from app.city_index.index import city_index, levers, month_inputs
from app.city_index.loading import load
from app.city_index.months import settled_month
from app.extensions import db
from app.filings.models import Filing
from tests.helpers.city import SETTINGS, filed_month, month_starts

D = Decimal
V2 = {**SETTINGS, "methodology": 2, "leading_margin": "0.10"}
# A path near the test city's size (X ≈ 4.4 Mt), so no sub-index sits clipped at 0 or 100.
LOW_V2 = {**V2, "e0": "4600000", "g0": "13000000", "ep": "4800000", "s60": "600000", "sinks_base_tco2": "50000"}


@pytest.fixture
def frozen(monkeypatch):
    """The city's today: 5 July 2025 (July is the current month, June the latest complete one)."""
    monkeypatch.setattr("app.core.types.utcnow", lambda: datetime(2025, 7, 5, 4, 0, tzinfo=UTC))


def _amend(org, period, scope1, **output):
    """An approved amendment of an approved month: revision 2 counts, revision 1 is superseded."""
    filed_month(org, period, scope1, revision=2, **output)
    db.session.execute(update(Filing).where(Filing.org_id == org.id, Filing.period == period, Filing.revision == 1)
                       .values(superseded_at=datetime(2025, 7, 1, tzinfo=UTC)))
    db.session.commit()


# --- settings versions and their methodology ------------------------------------------------------------------

def test_a_version_without_a_methodology_stays_on_version_1_and_new_ones_default_to_2(db, city, regulator):
    june = city_index(2025, 6)
    assert june.methodology == 1 and june.result.methodology == 1  # the fixture's version predates version 2
    published_v1 = june.dci
    row = city_data.publish_settings(regulator, {**SETTINGS, "cut_milestones": "2025:0.18",
                                                 "non_fossil_milestones": "2025:0.20, 2030:0.25, 2060:0.80",
                                                 "weights": {"S1": "0.25", "S2": "0.15", "S3": "0.15", "S4": "0.20",
                                                             "S5": "0.10", "S6": "0.15"}},
                                     date(2025, 7, 1))
    db.session.commit()
    assert row.values["methodology"] == 2 and row.values["leading_margin"] == "0.1"
    assert city_index(2025, 7).methodology == 2
    assert city_index(2025, 6).dci == published_v1  # the month published under version 1 keeps its value


def test_settings_refuse_an_unknown_methodology_or_margin(db, regulator):
    from app.core.service_error import ServiceError
    base = {**SETTINGS, "cut_milestones": "2025:0.18", "non_fossil_milestones": "2025:0.20",
            "weights": {"S1": "0.25", "S2": "0.15", "S3": "0.15", "S4": "0.20", "S5": "0.10", "S6": "0.15"}}
    with pytest.raises(ServiceError) as e:
        city_data.publish_settings(regulator, {**base, "methodology": "3"}, date(2025, 1, 1))
    assert e.value.field == "methodology"
    with pytest.raises(ServiceError) as e:
        city_data.publish_settings(regulator, {**base, "leading_margin": "0"}, date(2025, 1, 1))
    assert e.value.field == "leading_margin"


def test_an_approved_amendment_that_lowers_a_month_raises_its_version_2_dci(db, city):
    db.session.add(IndexSettings(valid_from=date(2025, 1, 1), values=LOW_V2, note="version 2"))
    db.session.commit()
    before = city_index(2025, 6)
    assert before.methodology == 2 and not before.provisional
    assert all(0 < s.score < 100 for k, s in before.result.sub_indices.items() if k in ("S1", "S2", "S6"))
    _amend(city["power"], date(2025, 6, 1), "400", product=city["product"], output="1000")  # 1,000 t → 400 t
    after = city_index(2025, 6)
    assert after.inputs.scope1_r12 == before.inputs.scope1_r12 - 600
    assert after.dci > before.dci
    assert after.result.sub_indices["S1"].score > before.result.sub_indices["S1"].score


# --- estimates ------------------------------------------------------------------------------------------------

def test_an_obliged_month_without_an_approved_filing_is_estimated_by_the_rule(db, city, make_org):
    late = make_org(name="迟报企业", industry_code="C2611", first_reporting_month=date(2024, 1, 1))
    for period in month_starts(2024, 1, 12):
        filed_month(late, period, "100")
    for period in month_starts(2025, 1, 5):
        filed_month(late, period, "120")
    db.session.commit()
    data = load((2025, 6), (2025, 6))
    june = data.estimated(date(2025, 6, 1))
    # June 2024 (100) × g, g = (March..May 2025: 360) / (March..May 2024: 300) = 1.2; logistics has no history
    assert june.tco2 == D(120) and june.months == 1 and june.unknown == 1
    got = month_inputs(2025, 6)
    assert got.estimated_tco2 == D(120) and got.estimated_months == 1
    assert got.inputs.scope1_tco2_r12 == got.scope1_r12 + D(120)
    assert not db.session.query(Filing).filter_by(org_id=late.id, period=date(2025, 6, 1)).count()  # never stored
    month = city_index(2025, 6)
    assert month.estimated_tco2 == D(120)
    assert month.estimated_share == D(120) / month.result.gross_tco2


# --- provisional months and the default month ------------------------------------------------------------------

@pytest.fixture
def half_filed_june(db, make_org, frozen):
    """Four enterprises filing every month from 2024-01; in June 2025 only two of them have filed (50 %), while
    the R12 window ending in June is 46 of 48 (95.8 %)."""
    db.session.add(IndexSettings(valid_from=date(2020, 1, 1), values=V2))
    orgs = [make_org(name=f"按时企业{n}", first_reporting_month=date(2024, 1, 1)) for n in range(4)]
    for n, org in enumerate(orgs):
        for period in month_starts(2024, 1, 17 if n < 2 else 18):
            filed_month(org, period, "100")
    db.session.commit()
    return orgs


def test_a_month_under_65_percent_of_its_own_filings_is_provisional_and_never_the_default(
        client, half_filed_june, authority, make_user, login_as, token_for):
    june = city_index(2025, 6)
    assert (june.inputs.month_approved, june.inputs.month_expected) == (2, 4)
    assert (june.inputs.approved, june.inputs.expected) == (46, 48)
    assert june.provisional
    assert not city_index(2025, 5).provisional
    assert settled_month(date(2025, 7, 5)) == (2025, 5)
    login_as(make_user(authority, "regulator"))
    for url in ("/city/", "/city/methodology", "/city/public"):
        assert 'name="month" value="2025-05"' in client.get(url).get_data(as_text=True), url
    body = client.get("/city/?month=2025-06").get_data(as_text=True)
    assert 'data-testid="provisional"' in body
    # the forecast does not start from June: its baseline is May
    assert 'data-testid="forecast-baseline"' in body and "2025-05" in body


def test_months_outside_the_data_are_refused(client, half_filed_june, authority, make_user, login_as):
    login_as(make_user(authority, "regulator"))
    for url in ("/city/?month=2030-01", "/city/?month=2025-08", "/city/public?month=2023-12",
                "/city/methodology?month=2019-05"):
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.get_data(as_text=True)
        assert 'data-testid="month-refused"' in body and 'data-testid="dci-value"' not in body, url
    body = client.get("/city/?month=2030-01", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "2030-01" in body
    assert client.get("/city/?month=2025-07").status_code == 200  # the current month: shown, provisional


# --- the lever table ------------------------------------------------------------------------------------------

def test_the_dashboard_shows_the_lever_table_of_the_month(client, db, city, authority, make_user, login_as):
    db.session.add(IndexSettings(valid_from=date(2025, 1, 1), values=LOW_V2))
    db.session.commit()
    month = city_index(2025, 6)
    table = {key: change for key, _after, change in levers(month)}
    assert list(table) == ["energy", "industry", "transport_buildings", "sinks"]
    assert table["transport_buildings"] > 0 and table["sinks"] > 0
    # the test city files 14,200 t: 100,000 t less of it is no lever, and says so
    assert table["energy"] is None and table["industry"] is None
    # power is the benchmarked enterprise (13,000 t): the industry lever at unchanged output also raises R
    assert month.inputs.industrial_emissions == D(13000)
    login_as(make_user(authority, "regulator"))
    body = client.get("/city/?month=2025-06").get_data(as_text=True)
    assert 'data-testid="levers"' in body and 'data-lever="sinks"' in body
    assert f"+{table['sinks']:.2f}" in body
    method = client.get("/city/methodology?month=2025-06").get_data(as_text=True)
    assert 'data-testid="methodology-in-force"' in method and "L</th>" in method


# --- the API ---------------------------------------------------------------------------------------------------

def test_api_answers_for_the_latest_month_that_is_not_provisional(client, half_filed_june, regulator, token_for):
    body = client.get("/api/v1/city/index", headers=token_for(regulator, "read")).json
    assert body["month"] == "2025-05" and body["year"] == 2025
    assert [m["month"] for m in body["months"]] == [f"2025-{m:02d}" for m in range(1, 6)]
    may = body["months"][-1]
    assert may["provisional"] is False and may["methodology_version"] == 2
    assert D(may["coverage"]) == 1 and D(may["month_coverage"]) == 1
    assert D(may["estimated_tco2"]) == 0 and D(may["estimated_share"]) == 0
    june = client.get("/api/v1/city/index?month=2025-06", headers=token_for(regulator)).json["months"][-1]
    assert june["provisional"] is True and D(june["month_coverage"]) == D("0.5")
    # the two missing June months are estimated from their own history (June 2024 × g = 100 × 1)
    assert D(june["estimated_tco2"]) == 200
    refused = client.get("/api/v1/city/index?month=2030-01", headers=token_for(regulator))
    assert refused.status_code == 404 and refused.json["error"]["code"] == "month_out_of_range"
    bad = client.get("/api/v1/city/index?month=2025-13", headers=token_for(regulator))
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_parameter"
