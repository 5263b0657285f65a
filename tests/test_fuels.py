"""Issue 17: the regulator adds a fuel to the library (refusals beside the field, audited), and it is filed at once."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from app.accounting import services as register
from app.accounting.models import EmissionFactor, Facility
from app.audit.models import AuditEvent
from app.core.service_error import ServiceError
from app.factors import fuels
from app.filings import services as filings
from tests.conftest import post

URL = "/factors/fuels/new"


def _data(**overrides):
    return {"code": "coal_gangue", "name_zh": "煤矸石", "name_en": "Coal gangue", "unit": "t", "ncv": "8.363",
            "carbon_content": "0.02541", "oxidation_rate": "0.90", "valid_from": "", "status": "to_confirm",
            "source": "某省地方核算指南 表A.1（2023）", "note": "地方常用燃料", **overrides}


def _fuel_rows(db, code):
    db.session.expire_all()
    return db.session.scalars(select(EmissionFactor).where(EmissionFactor.kind == "fuel",
                                                            EmissionFactor.code == code)).all()


def test_regulator_adds_a_fuel_audited_and_offered_as_a_material(client, login_as, people, db, app):
    login_as(people["regulator"])
    page = client.get("/factors/").get_data(as_text=True)
    assert 'data-testid="add-fuel"' in page
    response = post(client, URL, _data(), token_from=URL)
    assert response.status_code == 302
    [row] = _fuel_rows(db, "coal_gangue")
    assert (row.version, row.unit, row.valid_from, row.status) == (1, "t", date(2000, 1, 1), "to_confirm")
    assert row.values == {"ncv": "8.363", "carbon_content": "0.02541", "oxidation_rate": "0.9"}
    assert row.published_by_id == people["regulator"].id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "factor.published")
                              .order_by(AuditEvent.id.desc()))
    assert event.detail["new_fuel"] is True and event.detail["changes"]["ncv"] == [None, "8.363"]
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "煤矸石" in shown and "待按原文核实" in shown and "某省地方核算指南" in shown
    with app.test_request_context():
        assert register.materials_by_family()["fuel"]["coal_gangue"].unit == "t"


def test_a_new_fuel_is_filed_at_once(app, db, regulator, plant):
    with app.test_request_context():
        row = fuels.add_fuel(regulator, "petcoke_local", "本地石油焦", "Local petroleum coke", "t", "32.5",
                             "0.0275", "0.98", None, "confirmed", "某省指南表A.1")
        org, admin = plant["org"], plant["admin"]
        facility = db.session.scalar(select(Facility).where(Facility.org_id == org.id))
        source = register.create_source(admin, org, {
            "facility_id": str(facility.id), "name": "石油焦锅炉", "category": "stationary_combustion",
            "material": row.code, "activity_unit": "t", "commissioned_month": "", "covered": True})
        filing = filings.open_filing(admin, org, date(2025, 3, 1))
        filings.set_activity(admin, filing, [{"source_id": source.id, "quantity": "100", "unit": "t"}])
        line = filing.current_calculation.lines[0]
        assert line.co2e_t.quantize(D("1e-10")) == (D("100") * D("32.5") * D("0.0275") * D("0.98") * 44 / 12).quantize(D("1e-10"))
        assert line.trace["factors"][0]["id"] == row.id


@pytest.mark.parametrize("overrides, field, words", [
    ({"code": "natural_gas"}, "code", "已有"),  # a seeded fuel's code
    ({"code": "Petroleum Coke"}, "code", "小写"),
    ({"name_zh": "天然气"}, "name_zh", "同名"),
    ({"ncv": "31000"}, "ncv", "GJ"),  # MJ/t typed for GJ/t
    ({"unit": "10^4 Nm3", "ncv": "3.769"}, "ncv", "GJ"),  # per Nm³ typed for per 10⁴ Nm³
    ({"carbon_content": "27.5"}, "carbon_content", "tC/GJ"),  # tC/TJ typed for tC/GJ
    ({"oxidation_rate": "98"}, "oxidation_rate", "0.98"),
    ({"oxidation_rate": "0.5"}, "oxidation_rate", "0.98"),
    ({"ncv": "32,5"}, "ncv", "小数点"),  # a decimal comma is refused, never guessed
    ({"status": ""}, "status", "核实"),
    ({"source": ""}, "source", "来源"),
])
def test_refusals_are_shown_beside_the_field_and_keep_what_was_typed(client, login_as, people, db, overrides, field,
                                                                     words):
    login_as(people["regulator"])
    before = db.session.scalar(select(func.count(EmissionFactor.id)))
    data = _data(**overrides)
    response = post(client, URL, data, token_from=URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    feedback = page.split(f'id="{field}"')[1].split("</div>")[0:3]
    assert "is-invalid" in page.split(f'id="{field}"')[0][-400:] + page.split(f'id="{field}"')[1][:200]
    assert any(words in part for part in feedback), (field, feedback)
    for key in ("name_zh", "name_en", "ncv", "carbon_content", "source", "note"):
        if data[key]:
            assert data[key] in page, key  # nothing typed is lost
    db.session.expire_all()
    assert db.session.scalar(select(func.count(EmissionFactor.id))) == before


@pytest.mark.parametrize("role", ["enterprise_admin", "energy_manager", "city_viewer"])
def test_only_the_city_adds_fuels(client, login_as, people, role):
    login_as(people[role])
    assert client.get(URL).status_code == 403
    assert 'data-testid="add-fuel"' not in client.get("/factors/").get_data(as_text=True)


def test_service_refuses_a_second_fuel_of_the_same_code(app, db, regulator):
    with app.test_request_context():
        fuels.add_fuel(regulator, "coal_gangue", "煤矸石", "Coal gangue", "t", "8.363", "0.02541", "0.9", None,
                       "to_confirm", "x")
        with pytest.raises(ServiceError) as e:
            fuels.add_fuel(regulator, "coal_gangue", "煤矸石二", "Coal gangue 2", "t", "8.363", "0.02541", "0.9",
                           None, "to_confirm", "x")
        assert e.value.field == "code"
