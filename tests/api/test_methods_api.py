"""The government link takes the sector methods (issue 17's public contract): POST /api/v1/sources with a method,
filing lines with `parameters`, and GET /api/v1/filings/{month} with totals_by_regime and each line's gases.
Worked examples 1, 2, 4, 7 and 8 of sector-methods.md reproduce exactly."""
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from app.accounting.models import Facility
from app.plans import services as plans
from app.plans.models import MEASURED
from tests.helpers.methods import CLINKER, DAILY_NCV, FLARE_GAS, TESTED_COAL, r3

MONTH = "2022-06"


@pytest.fixture
def power(db, make_org, make_user):
    org = make_org(name="锦湾热电有限公司", industry_code="D4411")
    admin = make_user(org, "enterprise_admin", may_sign=True)
    facility = Facility(org_id=org.id, name="一号厂区")
    db.session.add(facility)
    db.session.commit()
    return {"org": org, "admin": admin, "facility": facility}


def _source(client, headers, facility, **body):
    response = client.post("/api/v1/sources", headers=headers, json={"facility_id": facility.id, **body})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def _coal_unit(client, headers, facility):
    coal = _source(client, headers, facility, name="1号机组入炉煤", method="power_coal", unit="t", material="raw_coal",
                   commissioned="2020-01", generating_unit=True, covered=True)
    bought = _source(client, headers, facility, name="外购电力", method="electricity_in", unit="MWh",
                     material="electricity", covered=True)
    supplied = _source(client, headers, facility, name="供电量", method="electricity_out", unit="MWh", covered=True)
    return coal, bought, supplied


def _put(client, headers, lines):
    response = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json={"lines": lines})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return client.get(f"/api/v1/filings/{MONTH}", headers=headers).json


def _line(filing, source):
    return next(line for line in filing["lines"] if line["source_id"] == source["id"])


def test_a_source_is_created_with_its_method_and_generating_unit(client, power, token_for):
    headers = token_for(power["admin"])
    coal, _bought, _supplied = _coal_unit(client, headers, power["facility"])
    assert coal["id"] and coal["method"] == "power_coal" and coal["generating_unit"] is True
    assert (coal["category"], coal["unit"], coal["material"], coal["commissioned"]) == (
        "stationary_combustion", "t", "raw_coal", "2020-01")
    listed = client.get("/api/v1/sources", headers=headers).json["facilities"][0]["sources"]
    assert {s["name"]: s["method"] for s in listed}["1号机组入炉煤"] == "power_coal"


@pytest.mark.parametrize("body, field", [
    ({"method": "guesswork", "unit": "t"}, "method"),
    ({"method": "fcc_coke_burn", "unit": "MWh"}, "unit"),
    ({"method": "power_coal", "unit": "t", "commissioned": "2020-13"}, "commissioned"),
    ({"method": "power_coal", "unit": "t", "generating_unit": "yes"}, "generating_unit"),
])
def test_a_bad_source_is_refused_by_field(client, power, token_for, body, field):
    response = client.post("/api/v1/sources", headers=token_for(power["admin"]),
                           json={"facility_id": power["facility"].id, "name": "新源", **body})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.json["error"]["fields"]


def test_only_an_enterprise_admin_with_write_scope_adds_a_source(client, power, token_for, make_user):
    body = {"facility_id": power["facility"].id, "name": "新源", "method": "power_coal", "unit": "t"}
    assert client.post("/api/v1/sources", headers=token_for(power["admin"], "read"), json=body).status_code == 403
    filer = make_user(power["org"], "energy_manager")
    assert client.post("/api/v1/sources", headers=token_for(filer), json=body).status_code == 403


def test_example_1_tested_coal_through_the_api(client, power, token_for):
    headers = token_for(power["admin"])
    coal, bought, _supplied = _coal_unit(client, headers, power["facility"])
    filing = _put(client, headers, [{"source_id": coal["id"], "quantity": "150000", "parameters": TESTED_COAL},
                                    {"source_id": bought["id"], "quantity": "1200"}])
    line = _line(filing, coal)
    assert (line["method"], r3(line["co2_tco2"]), line["ch4_t"], line["n2o_t"], line["substituted"]) == (
        "power_coal", D("307153.846"), "0", "0", False)
    assert r3(filing["totals_by_regime"]["ets"]) == D("307838.206")
    assert filing["total_regime"] == "inventory" and D(filing["substituted_share"]) == 0
    assert set(filing["totals_by_regime"]) == {"ets", "guideline", "inventory"}


def test_example_2_an_untested_month_through_the_api(client, power, token_for):
    headers = token_for(power["admin"])
    coal, bought, _supplied = _coal_unit(client, headers, power["facility"])
    filing = _put(client, headers, [{"source_id": coal["id"], "quantity": "150000",
                                     "parameters": {"ncv_daily": DAILY_NCV}},
                                    {"source_id": bought["id"], "quantity": "1200"}])
    line = _line(filing, coal)
    assert (r3(line["tco2e"]), line["substituted"]) == (D("361041.252"), True)
    assert r3(filing["totals_by_regime"]["ets"]) == D("361725.612")
    assert D(filing["substituted_share"]) > D("0.99")


def test_example_8_a_generators_supply_is_never_deducted(client, power, token_for):
    headers = token_for(power["admin"])
    coal, bought, supplied = _coal_unit(client, headers, power["facility"])
    filing = _put(client, headers, [
        {"source_id": coal["id"], "quantity": "400000", "parameters": {"ncv_ar": "20.5", "c_ar": "55.00"}},
        {"source_id": bought["id"], "quantity": "800"}, {"source_id": supplied["id"], "quantity": "1000000"}])
    assert r3(_line(filing, coal)["co2_tco2"]) == D("798600.000")
    assert r3(filing["totals_by_regime"]["ets"]) == D("799056.240")
    for total in (filing["total_tco2e"], *filing["totals_by_regime"].values()):
        assert D(total) > D(798600)  # never 228,756.240


def test_example_8_inventory_with_the_northeast_grid(app, db, client, power, token_for, regulator):
    """The city's inventory grid region is Northeast: GHG Protocol 798,600.000 + 800 × 0.5564 = 799,045.120, while
    the ETS keeps the national compliance factor (799,056.240)."""
    from app.settings.services import set_setting

    with app.test_request_context():
        set_setting(regulator, "inventory_grid_region", "Northeast")
        db.session.commit()
    headers = token_for(power["admin"])
    coal, bought, supplied = _coal_unit(client, headers, power["facility"])
    filing = _put(client, headers, [
        {"source_id": coal["id"], "quantity": "400000", "parameters": {"ncv_ar": "20.5", "c_ar": "55.00"}},
        {"source_id": bought["id"], "quantity": "800"}, {"source_id": supplied["id"], "quantity": "1000000"}])
    assert r3(filing["totals_by_regime"]["inventory"]) == D("799045.120")
    assert r3(filing["totals_by_regime"]["ets"]) == D("799056.240")


def test_a_plan_measuring_carbon_monthly_with_none_filed_takes_0_03085(app, client, power, token_for, regulator):
    headers = token_for(power["admin"])
    coal, bought, _supplied = _coal_unit(client, headers, power["facility"])
    now = datetime(2022, 1, 5, tzinfo=UTC)
    with app.test_request_context():
        version = plans.start_draft(power["admin"], power["org"], 2022, now=now)
        for planned in version.sources:
            tiers = {"c_ar": MEASURED} if planned.source_id == coal["id"] else {}
            plans.update_source(power["admin"], version, planned, {"method": planned.method, "tiers": tiers,
                                                                   "lab_name": "锦湾检测中心", "sampling_frequency": "每月"})
        plans.submit(power["admin"], version, now=now)
        plans.approve(regulator, version, now=now)
        from app.extensions import db

        db.session.commit()
    filing = _put(client, headers, [{"source_id": coal["id"], "quantity": "150000",
                                     "parameters": {"ncv_ar": "21.5"}},
                                    {"source_id": bought["id"], "quantity": "1200"}])
    line = _line(filing, coal)
    assert line["substituted"] is True and "c_ar" in line["substituted_parameters"]
    assert line["provenance"]["c_ar"] == {"provenance": "substituted", "reason": "measured_parameter_missing"}
    assert r3(line["co2_tco2"]) == r3(D(150000) * D("21.5") * D("0.03085") * D("0.99") * 44 / 12)
    assert any(f["key"] == f"substituted:{coal['id']}:c_ar" for f in filing["findings"])


def test_example_4_a_normal_flare_through_the_api(client, db, make_org, make_user, token_for):
    org = make_org(name="锦湾石化有限公司", industry_code="C2511")
    admin = make_user(org, "enterprise_admin")
    facility = Facility(org_id=org.id, name="炼油区")
    db.session.add(facility)
    db.session.commit()
    headers = token_for(admin)
    flare = _source(client, headers, facility, name="火炬", method="flare", unit="10^4 Nm3", covered=True)
    assert flare["category"] == "process"
    filing = _put(client, headers, [{"source_id": flare["id"], "quantity": "12.5",
                                     "parameters": {"composition": FLARE_GAS}}])
    assert r3(_line(filing, flare)["co2_tco2"]) == D("250.419")
    assert r3(filing["totals_by_regime"]["ets"]) == D("250.419")


def test_example_7_clinker_through_the_api(client, db, make_org, make_user, token_for):
    org = make_org(name="锦湾水泥有限公司", industry_code="C3011")
    admin = make_user(org, "enterprise_admin")
    facility = Facility(org_id=org.id, name="熟料线")
    db.session.add(facility)
    db.session.commit()
    headers = token_for(admin)
    clinker = _source(client, headers, facility, name="熟料", method="clinker", unit="t", covered=True)
    filing = _put(client, headers, [{"source_id": clinker["id"], "quantity": "100000", "parameters": CLINKER}])
    assert r3(_line(filing, clinker)["co2_tco2"]) == D("52958.400")
    assert r3(filing["total_tco2e"]) == D("52958.400")


def test_a_bad_parameter_is_named_by_its_path(client, power, token_for):
    headers = token_for(power["admin"])
    coal, _bought, _supplied = _coal_unit(client, headers, power["facility"])
    response = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json={"lines": [
        {"source_id": coal["id"], "quantity": "150000", "parameters": {"ncv_ar": "21.5", "c_ar": "95"}}]})
    assert response.status_code == 422
    assert "lines[0].parameters.c_ar" in response.json["error"]["fields"]
    response = client.put(f"/api/v1/filings/{MONTH}", headers=headers, json={"lines": [
        {"source_id": coal["id"], "quantity": "150000", "parameters": {"ncv_ar": 21.5}}]})
    assert "lines[0].parameters.ncv_ar" in response.json["error"]["fields"]
