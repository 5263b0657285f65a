"""What-if scenario pages: create each kind, the result beside the baseline, compare, who may do what, and
that a scenario never changes real data."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounting.models import EmissionFactor
from app.audit.models import AuditEvent
from app.city_data.models import CarbonSink, CityStatistic, IndexSettings
from app.extensions import db
from app.filings.models import Calculation, CalculationLine, Filing, ProductionLine
from app.scenarios.models import Scenario
from tests.conftest import login, post
from tests.helpers.city import combustion_source


@pytest.fixture
def boilers(city):
    """The register's sources of a substitution: the power plant's coal furnace, the steelworks' gas boiler and a
    chemical plant's gas boiler; FORMS["substitution"] supplies from the first to the second."""
    furnace = combustion_source(city["power"], "2号机组锅炉", "raw_coal", "t", facility="热电厂")
    steel_boiler = combustion_source(city["steel"], "燃气锅炉", "natural_gas", "10^4 Nm3")
    chemical = combustion_source(city["logistics"], "导热油炉", "natural_gas", "10^4 Nm3")
    db.session.commit()
    FORMS["substitution"].update(supplier_source=str(furnace.id), receiver_source_1=str(steel_boiler.id))
    return {"furnace": furnace, "steel": steel_boiler, "chemical": chemical}

NEW = "/city/scenarios/new?kind="
FORMS = {
    "new_project": {"name": "新建化工项目", "month": "2025-06", "sink_rate": "5", "sector": "industry",
                    "fuel_1": "natural_gas", "quantity_1": "100", "unit_1": "", "electricity_mwh": "",
                    "output": "1000", "output_unit": "t"},
    # 2,300 t of raw coal give 48,088.4 GJ: 43,279.56 GJ of steam at 90 %; the source fields are set by `boilers`
    "substitution": {"name": "热电联产供汽", "month": "2025-06", "sink_rate": "5", "steam_gj": "40000",
                     "boiler_efficiency": "90", "extra_quantity": "2300", "extra_unit": "",
                     "saved_quantity_1": "150", "saved_unit_1": ""},
    "sinks": {"name": "滨海造林", "month": "2025-06", "area_ha": "2000", "rate": "7.5"},
    "efficiency": {"name": "工业节能", "month": "2025-06", "percent_industry": "5", "percent_energy": "2"},
    "top_down": {"name": "2030 目标", "month": "2025-06", "target_year": "2030", "target_tco2": "20000000"},
}


def _counts():
    audit = select(func.count(AuditEvent.id)).where(AuditEvent.action.not_like("scenario.%"))
    return [db.session.scalar(select(func.count(m.id))) for m in
            (Filing, Calculation, CalculationLine, ProductionLine, CarbonSink, CityStatistic, IndexSettings,
             EmissionFactor)] + [db.session.scalar(audit),
                                 db.session.scalar(select(func.sum(Calculation.scope1_tco2e)))]


def test_create_every_kind_shows_the_delta_and_changes_no_real_data(client, city, boilers, authority, make_user,
                                                                     login_as):
    login_as(make_user(authority, "regulator"))
    before = _counts()
    pages = {}
    for kind, data in FORMS.items():
        response = post(client, NEW + kind, data, token_from=NEW + kind)
        assert response.status_code == 302, (kind, response.get_data(as_text=True)[:3000])
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        pages[kind] = page.get_data(as_text=True)
        assert 'data-testid="side-by-side"' in pages[kind] and 'data-testid="dci-change"' in pages[kind], kind
    # The engine's figure for 100 × 10^4 Nm3 of natural gas, and the offset it needs.
    assert "2,162.1888" in pages["new_project"] and 'data-testid="offset"' in pages["new_project"]
    assert "1,127.4041" in pages["substitution"]  # coal 4,370.6874 − gas 3,243.2832
    assert "15,000.00" in pages["sinks"]
    assert _counts() == before
    assert db.session.scalar(select(func.count(Scenario.id))) == 5
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "scenario.created")) == 5
    ids = db.session.scalars(select(Scenario.id)).all()
    compare = client.get("/city/scenarios/compare?" + "&".join(f"id={i}" for i in ids))
    assert compare.status_code == 200
    body = compare.get_data(as_text=True)
    assert all(data["name"] in body for data in FORMS.values())
    assert _counts() == before


def test_scenario_raises_x_and_lowers_the_dci(client, city, authority, make_user, login_as, app):
    from app.scenarios.services import evaluate

    scenario = Scenario(name="x", kind="new_project", params={"month": "2025-06", "sink_rate": "5",
                        "sector": "industry", "fuels": [{"fuel": "natural_gas", "quantity": "100", "unit": "10^4 Nm3"}]})
    with app.test_request_context():
        outcome = evaluate(scenario)
    assert outcome.error is None
    assert outcome.result.gross_tco2 - outcome.baseline.gross_tco2 == outcome.x_change
    assert round(outcome.x_change, 4) == Decimal("2162.1888")
    assert outcome.dci_change <= 0  # the S1 and S2 scores are clipped at 100 here; unclipped they fall
    assert outcome.result.sub_indices["S1"].unclipped < outcome.baseline.sub_indices["S1"].unclipped
    # The test city is far below its path: the headroom takes the project, nothing needs to be offset.
    assert outcome.offset.headroom > outcome.x_change and outcome.offset.needed == 0 and outcome.offset.hectares == 0


def test_form_errors_beside_the_field(client, city, authority, make_user, login_as):
    login_as(make_user(authority, "platform_admin"))
    response = post(client, NEW + "sinks", {"name": "", "month": "2025-06", "area_ha": "abc", "rate": "5"},
                    token_from=NEW + "sinks")
    assert response.status_code == 200 and 'data-field-error="name"' in response.get_data(as_text=True)
    response = post(client, NEW + "sinks", {"name": "s", "month": "2025-06", "area_ha": "abc", "rate": "5"},
                    token_from=NEW + "sinks")
    assert 'data-field-error="area_ha"' in response.get_data(as_text=True)
    assert client.get(NEW + "nonsense").status_code == 404
    assert db.session.scalar(select(func.count(Scenario.id))) == 0


def test_who_may_do_what(client, city, authority, make_user, login_as):
    login_as(make_user(authority, "regulator"))
    response = post(client, NEW + "sinks", FORMS["sinks"], token_from=NEW + "sinks")
    scenario_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    for role, org in (("enterprise_admin", city["steel"]), ("viewer", city["power"])):
        other = client.application.test_client()
        assert login(other, make_user(org, role)).status_code == 302
        for url in ("/city/scenarios/", f"/city/scenarios/{scenario_id}", NEW + "sinks",
                    f"/city/scenarios/compare?id={scenario_id}"):
            assert other.get(url).status_code == 403, (role, url)
        assert post(other, f"/city/scenarios/{scenario_id}/delete").status_code == 403
        assert post(other, NEW + "sinks", FORMS["sinks"]).status_code == 403
    assert db.session.get(Scenario, scenario_id) is not None
    assert db.session.scalar(select(func.count(Scenario.id))) == 1


def test_authority_viewer_reads_regulator_deletes(client, city, authority, make_user, login_as):
    regulator = make_user(authority, "regulator")
    login_as(regulator)
    response = post(client, NEW + "sinks", FORMS["sinks"], token_from=NEW + "sinks")
    scenario_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    viewer_client = client.application.test_client()
    login(viewer_client, make_user(authority, "viewer"))
    assert viewer_client.get("/city/scenarios/").status_code == 200
    assert viewer_client.get(f"/city/scenarios/{scenario_id}").status_code == 200
    assert viewer_client.get(NEW + "sinks").status_code == 403
    assert post(viewer_client, f"/city/scenarios/{scenario_id}/delete").status_code == 403
    assert viewer_client.get(f"/city/scenarios/{scenario_id}/delete").status_code == 403
    # Deleting asks first (issue 16): the pages link to a confirmation, which deletes nothing by itself.
    assert f'href="/city/scenarios/{scenario_id}/delete"' in client.get("/city/scenarios/").get_data(as_text=True)
    assert f'href="/city/scenarios/{scenario_id}/delete"' in client.get(
        f"/city/scenarios/{scenario_id}").get_data(as_text=True)
    confirm = client.get(f"/city/scenarios/{scenario_id}/delete").get_data(as_text=True)
    assert 'data-testid="confirm-delete"' in confirm and "删除情景" in confirm
    assert db.session.get(Scenario, scenario_id) is not None
    assert post(client, f"/city/scenarios/{scenario_id}/delete",
                token_from=f"/city/scenarios/{scenario_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Scenario, scenario_id) is None
    assert client.get(f"/city/scenarios/{scenario_id}/delete").status_code == 404


def test_the_form_defaults_to_the_month_the_citys_date_implies(client, authority, make_user, login_as, monkeypatch):
    # 20:00 UTC on 30 November is 04:00 on 1 December in the city: November is its latest complete month
    monkeypatch.setattr("app.core.types.utcnow", lambda: datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc))
    login_as(make_user(authority, "regulator"))
    body = client.get(NEW + "sinks").get_data(as_text=True)
    assert 'value="2026-11"' in body and 'value="2026-10"' not in body


def test_scenario_errors_are_translated_and_beside_their_field(client, db, city, boilers, authority, make_user,
                                                               login_as):
    """Issue 16 (language): the engine's English ("cannot convert ...", "no fuel factor ...") never reaches the
    page; the refusal is a translated message beside the field it concerns."""
    regulator = make_user(authority, "regulator")
    login_as(regulator)
    engine_words = ("cannot convert", "unknown unit", "accepted units", "no sector carries", "factor library for",
                    "could not be computed:")

    def refused(kind, data, field):
        page = post(client, NEW + kind, {**FORMS[kind], **data}, token_from=NEW + kind).get_data(as_text=True)
        error = page.split(f'data-field-error="{field}"')[1].split("</div>")[0]
        assert not [w for w in engine_words if w in page.lower()], page
        return error

    assert "不适用于该燃料" in refused("new_project", {"unit_1": "kg"}, "unit_1")
    assert "未知单位" in refused("new_project", {"unit_1": "furlong"}, "unit_1")
    assert "不适用于该燃料" in refused("substitution", {"saved_unit_1": "MWh"}, "saved_unit_1")
    weights = {f"weight_{k}": "0" for k in ("energy", "industry", "transport", "buildings", "other")}
    assert "至少为一个部门" in refused("top_down", weights, "weight_energy")
    assert db.session.scalar(select(func.count(Scenario.id))) == 0

    # A saved scenario the engine can no longer compute (its fuel left the library) says so in words.
    scenario = Scenario(name="旧方案", kind="new_project", params={
        "month": "2025-06", "sink_rate": "5", "sector": "industry",
        "fuels": [{"line": 2, "fuel": "retired_fuel", "quantity": "100", "unit": "t"}]})
    db.session.add(scenario)
    db.session.commit()
    for locale, text in (("zh", "无法用 2025 年适用的因子库计算该燃料"),
                         ("en", "This fuel cannot be computed with the factor library in force for 2025")):
        regulator.locale = locale
        db.session.commit()
        page = client.get(f"/city/scenarios/{scenario.id}").get_data(as_text=True)
        assert text in page and "retired_fuel" not in page and "no fuel factor" not in page
    regulator.locale = "en"
    db.session.commit()
    assert "does not fit this fuel" in refused("new_project", {"unit_1": "kg"}, "unit_1")


def test_comparing_ten_scenarios_loads_each_month_once_with_the_same_results(client, city, boilers, authority,
                                                                            make_user, login_as, app):
    """Issue 18: ten scenarios side by side; the scenarios of one month share its load, and each shows what its own
    page shows."""
    from sqlalchemy import event

    from app.scenarios.services import evaluate

    login_as(make_user(authority, "regulator"))
    for k in range(2):
        for kind, data in FORMS.items():
            assert post(client, NEW + kind, {**data, "name": f"{data['name']} {k}"},
                        token_from=NEW + kind).status_code == 302
    ids = db.session.scalars(select(Scenario.id).order_by(Scenario.id)).all()
    assert len(ids) == 10

    def statements(url):
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            body = client.get(url).get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen), body

    five, _ = statements("/city/scenarios/compare?" + "&".join(f"id={i}" for i in ids[:5]))  # one of each kind
    ten, body = statements("/city/scenarios/compare?" + "&".join(f"id={i}" for i in ids))
    assert ten == five  # one month: loaded once, however many scenarios of each kind
    assert all(f"{data['name']} {k}" in body for data in FORMS.values() for k in range(2))
    with app.test_request_context():
        months = {}
        for scenario in db.session.scalars(select(Scenario).order_by(Scenario.id)):
            shared, alone = evaluate(scenario, months=months), evaluate(scenario)
            assert (shared.x_change, shared.dci_change, shared.error) == (alone.x_change, alone.dci_change,
                                                                           alone.error)
        assert list(months) == [(2025, 6)]
