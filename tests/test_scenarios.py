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


def _saved_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _error(page: str, field: str) -> str:
    assert f'data-field-error="{field}"' in page, page[:3000]
    return page.split(f'data-field-error="{field}"')[1].split("</div>")[0]


def test_substitution_names_the_real_sources_and_reads_their_fuels(client, city, boilers, authority, make_user,
                                                                   login_as):
    """Issue 18: the supplying plant and the receivers are chosen from the register; their fuels and units are
    the sources' own, so ΔX = extra coal at the plant × its factor − gas no longer burned × its factor."""
    login_as(make_user(authority, "regulator"))
    form = client.get(NEW + "substitution").get_data(as_text=True)
    assert "锦湾热电秘密有限公司 — 热电厂 · 2号机组锅炉 (" in form and "锦湾物流秘密有限公司 — 主厂区 · 导热油炉" in form
    data = {**FORMS["substitution"], "saved_quantity_1": "100", "receiver_source_2": str(boilers["chemical"].id),
            "saved_quantity_2": "50"}
    scenario_id = _saved_id(post(client, NEW + "substitution", data, token_from=NEW + "substitution"))
    scenario = db.session.get(Scenario, scenario_id)
    p = scenario.params
    assert p["supplier"]["fuel"] == "raw_coal" and p["supplier"]["unit"] == "t"
    assert p["supplier"]["org_id"] == city["power"].id
    assert [(r["org_id"], r["fuel"], r["quantity"]) for r in p["receivers"]] == [
        (city["steel"].id, "natural_gas", "100"), (city["logistics"].id, "natural_gas", "50")]
    page = client.get(f"/city/scenarios/{scenario_id}").get_data(as_text=True)
    assert "锦湾热电秘密有限公司" in page and "锦湾钢铁秘密有限公司" in page and "锦湾物流秘密有限公司" in page
    assert "1,127.4041" in page  # the same 150 × 10^4 Nm3 of gas in all, split over two receivers
    assert 'data-testid="heat-available">43,280<' in page  # 2,300 t × 20.908 GJ/t × 90 %


def test_impossible_heat_is_refused_beside_the_steam_field(client, city, boilers, authority, make_user, login_as,
                                                           app):
    """1.2 PJ of steam from 50 kt of raw coal (1.05 PJ of fuel) cannot be: refused, translated, beside the field;
    the boiler efficiency is a field (at 100 % the fuel's whole energy may become steam)."""
    regulator = make_user(authority, "regulator")
    login_as(regulator)
    issue = {**FORMS["substitution"], "steam_gj": "1200000", "extra_quantity": "50000"}
    error = _error(post(client, NEW + "substitution", issue, token_from=NEW + "substitution").get_data(as_text=True),
                   "steam_gj")
    assert "940,860" in error and "1,045,400" in error and "90%" in error and "热量" in error
    # 48,000 GJ of steam from 48,088.4 GJ of coal: only a perfect boiler could
    just = {**FORMS["substitution"], "steam_gj": "48000"}
    assert 'data-field-error="steam_gj"' in post(client, NEW + "substitution", just,
                                                 token_from=NEW + "substitution").get_data(as_text=True)
    for bad in ("0", "101", "abc"):
        page = post(client, NEW + "substitution", {**just, "boiler_efficiency": bad},
                    token_from=NEW + "substitution").get_data(as_text=True)
        _error(page, "boiler_efficiency")
    assert db.session.scalar(select(func.count(Scenario.id))) == 0
    _saved_id(post(client, NEW + "substitution", {**just, "boiler_efficiency": "100"},
                   token_from=NEW + "substitution"))
    regulator.locale = "en"
    db.session.commit()
    error = _error(post(client, NEW + "substitution", issue, token_from=NEW + "substitution").get_data(as_text=True),
                   "steam_gj")
    assert "The extra fuel can give at most 940,860 GJ of heat a year" in error


def test_substitution_refuses_missing_or_repeated_sources(client, city, boilers, authority, make_user, login_as):
    login_as(make_user(authority, "regulator"))

    def refused(data, field):
        return _error(post(client, NEW + "substitution", {**FORMS["substitution"], **data},
                           token_from=NEW + "substitution").get_data(as_text=True), field)

    refused({"supplier_source": ""}, "supplier_source")
    refused({"supplier_source": "999999"}, "supplier_source")
    refused({"receiver_source_1": "", "saved_quantity_1": ""}, "receiver_source_1")
    refused({"receiver_source_1": str(boilers["furnace"].id)}, "receiver_source_1")  # the supplier itself
    refused({"receiver_source_2": str(boilers["steel"].id), "saved_quantity_2": "5"}, "receiver_source_2")
    refused({"saved_quantity_1": ""}, "saved_quantity_1")
    refused({"steam_gj": ""}, "steam_gj")
    assert db.session.scalar(select(func.count(Scenario.id))) == 0


def test_a_substitution_saved_before_the_register_is_still_read(client, city, authority, make_user, login_as):
    """Old saved substitutions (one fuel each side, typed) keep their figures; an impossible one is flagged."""
    login_as(make_user(authority, "regulator"))
    old = Scenario(name="旧热电供汽", kind="substitution", params={
        "month": "2025-06", "sink_rate": "5", "steam_gj": "50000",
        "extra": {"fuel": "raw_coal", "quantity": "2300", "unit": "t"},
        "saved": {"fuel": "natural_gas", "quantity": "150", "unit": "10^4 Nm3"}})
    db.session.add(old)
    db.session.commit()
    page = client.get(f"/city/scenarios/{old.id}").get_data(as_text=True)
    assert "1,127.4041" in page and 'data-testid="dci-change"' in page
    assert 'data-testid="old-substitution"' in page and 'data-testid="impossible-heat"' in page
    compare = client.get(f"/city/scenarios/compare?id={old.id}").get_data(as_text=True)
    assert "旧热电供汽" in compare and "1,127.40" in compare


def test_a_package_adds_its_scenarios_effects_and_computes_the_index_once(client, city, boilers, authority,
                                                                          make_user, login_as, app):
    from app.scenarios import simulator
    from app.scenarios.services import evaluate

    login_as(make_user(authority, "regulator"))
    ids = [_saved_id(post(client, NEW + kind, FORMS[kind], token_from=NEW + kind))
           for kind in ("new_project", "substitution", "sinks", "efficiency")]
    # From the list: tick scenarios, "combine": the package form opens with them ticked
    form = client.get("/city/scenarios/new?kind=package&" + "&".join(f"id={i}" for i in ids[:2])).get_data(
        as_text=True)
    assert f'value="{ids[0]}" id="member-{ids[0]}" checked' in form and f'id="member-{ids[2]}" checked' not in form
    package_id = _saved_id(post(client, NEW + "package", {"name": "组合方案", "month": "2025-06", "sink_rate": "5",
                                                          "members": [str(i) for i in ids]},
                                token_from=NEW + "package"))
    package = db.session.get(Scenario, package_id)
    assert package.kind == "package" and package.params["members"] == ids
    with app.test_request_context():
        alone = [evaluate(db.session.get(Scenario, i)) for i in ids]
        together = evaluate(package)
        assert together.error is None
        assert together.x_change == sum(o.x_change for o in alone)
        assert together.delta.sinks_tco2 == Decimal(15000)
        # The index recomputed once, on the baseline changed by the summed effects
        assert together.baseline.dci == alone[0].baseline.dci
        assert together.delta == simulator.combined(o.delta for o in alone)
        assert together.result.gross_tco2 == together.baseline.gross_tco2 + together.x_change
    page = client.get(f"/city/scenarios/{package_id}").get_data(as_text=True)
    assert 'data-testid="package-members"' in page and all(FORMS[k]["name"] in page for k in
                                                           ("new_project", "substitution", "sinks", "efficiency"))
    assert 'data-testid="dci-change"' in page
    compare = client.get(f"/city/scenarios/compare?id={ids[0]}&id={package_id}").get_data(as_text=True)
    assert "组合方案" in compare and "组合" in compare

    # A package of packages, or of fewer than two scenarios, is refused beside the field
    for members in ([str(ids[0]), str(package_id)], [str(ids[0])], [], ["999999", str(ids[0])]):
        page = post(client, NEW + "package", {"name": "再组合", "month": "2025-06", "sink_rate": "5",
                                              "members": members}, token_from=NEW + "package").get_data(as_text=True)
        _error(page, "members")

    # Deleting a member: the confirmation names the package, which is then computed without it
    confirm = client.get(f"/city/scenarios/{ids[2]}/delete").get_data(as_text=True)
    assert 'data-testid="in-packages"' in confirm and "组合方案" in confirm
    assert post(client, f"/city/scenarios/{ids[2]}/delete",
                token_from=f"/city/scenarios/{ids[2]}/delete").status_code == 302
    page = client.get(f"/city/scenarios/{package_id}").get_data(as_text=True)
    assert 'data-testid="members-missing"' in page and FORMS["sinks"]["name"] not in page
    with app.test_request_context():
        db.session.expire_all()
        assert evaluate(db.session.get(Scenario, package_id)).x_change == sum(
            alone[k].x_change for k in (0, 1, 3))


def test_top_down_target_year_not_before_the_baseline_year(client, city, authority, make_user, login_as):
    login_as(make_user(authority, "regulator"))
    page = post(client, NEW + "top_down", {**FORMS["top_down"], "target_year": "2024"},
                token_from=NEW + "top_down").get_data(as_text=True)
    assert "2025" in _error(page, "target_year")
    assert db.session.scalar(select(func.count(Scenario.id))) == 0
    _saved_id(post(client, NEW + "top_down", {**FORMS["top_down"], "target_year": "2025"},
                   token_from=NEW + "top_down"))


def test_a_top_down_target_is_measured_against_the_projection_for_its_year(app, db, city):
    """city-index.md: the cut needed in the target year against F(target year), not against the last 12 months."""
    from app.city_index.projection import gross_series
    from app.scenarios.assessment import yearly_baseline
    from app.scenarios.services import evaluate, target_year_growth

    with app.test_request_context():
        series = gross_series(2025, 6)
        now = sum((v for _m, v in series[-12:]), Decimal(0))
        growth = target_year_growth(2025, 6, 2030)
        assert growth == yearly_baseline(series, last_year=2030)[2030] / now
        scenario = Scenario(name="2030 目标", kind="top_down", params={
            "month": "2025-06", "sink_rate": "5", "target_year": 2030, "target_tco2": "1000", "weights": None})
        out = evaluate(scenario)
        plan, current = out.detail["plan"], {k: v / growth for k, v in out.detail["totals"].items()}
        assert round(plan.projected, 9) == round(sum(out.detail["totals"].values()), 9)
        assert round(plan.projected, 6) == round(sum(current.values()) * growth, 6)
        assert round(plan.cut, 9) == round(plan.projected - Decimal(1000), 9)
