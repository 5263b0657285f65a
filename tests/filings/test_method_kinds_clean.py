"""The service's check of every kind of method input (issue 17), as the API, the form and the import file them:
each refusal is a ServiceError naming the form field at fault, never the method's own error text."""
import pytest

from app.core.service_error import ServiceError
from app.filings import services
from app.filings.models import Filing
from tests.helpers.methods import JUNE, chemical_plant, oilfield, power_plant, steelworks

COKE = {"name": "焦炭", "quantity": "330", "carbon_pct": "85"}


def _refusal(app, enterprise, key, quantity, unit, parameters) -> ServiceError:
    source = enterprise["sources"][key]
    with app.test_request_context():
        filing = services.open_filing(enterprise["admin"], enterprise["org"], JUNE)
        with pytest.raises(ServiceError) as caught:
            services.set_activity(enterprise["admin"], filing, [
                {"source_id": source.id, "quantity": quantity, "unit": unit, "parameters": parameters}])
        return caught.value


@pytest.mark.parametrize(("parameters", "field"), [
    ({"inputs": "coke"}, "inputs_{sid}"),
    ({"inputs": [COKE, {"quantity": "10", "carbon_pct": "80"}]}, "inputs_1_name_{sid}"),
    ({"inputs": [COKE, {"name": "焦粉", "quantity": "-1", "carbon_pct": "80"}]}, "inputs_1_quantity_{sid}"),
    ({"inputs": [{**COKE, "unit": "kg"}]}, "inputs_0_unit_{sid}"),
    ({"inputs": [{**COKE, "carbon_content": "0.85"}]}, "inputs_0_carbon_content_{sid}"),
    ({"inputs": [{**COKE, "colour": "black"}]}, "inputs_0_name_{sid}"),
    ({"inputs": [{"name": "焦炉煤气", "quantity": "10", "unit": "10^4 Nm3"}]}, "inputs_0_carbon_content_{sid}"),
    ({"outputs": [{"name": "生铁", "quantity": "1000", "carbon_pct": "4.7"}]}, "inputs_{sid}"),
    ({"inputs": [COKE], "outputs": [{"name": "生铁", "quantity": "10000", "carbon_pct": "4.7"}]}, "outputs_{sid}"),
])
def test_a_carbon_balance_is_refused_beside_the_material_at_fault(app, db, make_org, make_user, parameters, field):
    steel = steelworks(db, make_org, make_user)
    refused = _refusal(app, steel, "furnace", "1000", "t", parameters)
    assert refused.field == field.format(sid=steel["sources"]["furnace"].id), str(refused.message)


@pytest.mark.parametrize(("key", "unit", "parameters", "field"), [
    ("leaks", "d", {}, "equipment_{sid}"),
    ("leaks", "d", {"equipment": {"oil_wellhead": "12.5"}}, "equipment_oil_wellhead_{sid}"),
    ("leaks", "d", {"equipment": {"oil_wellhead": -3}}, "equipment_oil_wellhead_{sid}"),
    ("leaks", "d", {"equipment": {"pumpjack": 3}}, "equipment_{sid}"),
    ("leaks", "d", {"equipment": [["oil_wellhead", 3]]}, "equipment_{sid}"),
    ("vent", "d", {"ch4_fraction": "76"}, "equipment_{sid}"),  # a vent counted by equipment over its days
    ("vent", "d", {"equipment": {"gas_wellhead": 3}}, "equipment_{sid}"),  # not a vent's equipment
])
def test_equipment_counts_are_refused_beside_the_count_at_fault(app, db, make_org, make_user, key, unit, parameters,
                                                                 field):
    field_ = oilfield(db, make_org, make_user)
    if unit == "d" and key == "vent":
        field_["sources"]["vent"].activity_unit = "d"
        db.session.commit()
    refused = _refusal(app, field_, key, "30", unit, parameters)
    assert refused.field == field.format(sid=field_["sources"][key].id), str(refused.message)


@pytest.mark.parametrize(("key", "parameters", "field"), [
    ("nitric", {"process": "plasma"}, "process_{sid}"),
    ("nitric", {}, "process_{sid}"),
    ("accident", {"industry": "mining"}, "industry_{sid}"),
    ("recovery", {"purity": "99", "geological_storage": "maybe"}, "geological_storage_{sid}"),
])
def test_a_choice_or_flag_is_refused_beside_its_field(app, db, make_org, make_user, key, parameters, field):
    plant = chemical_plant(db, make_org, make_user)
    unit = "t" if key == "nitric" else "10^4 Nm3"
    refused = _refusal(app, plant, key, "10", unit, parameters)
    assert refused.field == field.format(sid=plant["sources"][key].id), str(refused.message)


@pytest.mark.parametrize("pairs", ["50000 21.2", [["50000"]], [["50000", "0"]], [["0", "21.2"]],
                                   [["abc", "21.2"]]])
def test_daily_pairs_are_refused_beside_their_field(app, db, make_org, make_user, pairs):
    coal = power_plant(db, make_org, make_user)
    refused = _refusal(app, coal, "coal", "150000", "t", {"ncv_daily": pairs})
    assert refused.field == f"ncv_daily_{coal['sources']['coal'].id}", str(refused.message)


def test_the_api_forms_are_kept_as_checked(app, db, make_org, make_user):
    """Flags as true/false, counts as whole numbers, materials with their unit, pairs as decimal strings."""
    plant = chemical_plant(db, make_org, make_user)
    s = plant["sources"]
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], JUNE)
        services.set_activity(plant["admin"], filing, [
            {"source_id": s["recovery"].id, "quantity": "10", "unit": "10^4 Nm3",
             "parameters": {"purity": 99, "geological_storage": "true"}},
            {"source_id": s["nitric"].id, "quantity": "1000", "unit": "t", "parameters": {"process": "combined"}}])
        lines = {x.source_id: x.parameters for x in db.session.get(Filing, filing.id).lines}
        assert lines[s["recovery"].id] == {"purity": "99", "geological_storage": True}
        assert lines[s["nitric"].id] == {"process": "combined"}
