"""Every kind of method input filed through the browser form (issue 17): a carbon balance's materials, equipment
counts, a process chosen from a list, a flag, day-by-day coal and NCV; each saved, shown again as filed, computed,
and refused beside its field when wrong, with nothing typed lost."""
import re
from decimal import Decimal as D

import pytest

from app.filings.models import Filing
from tests.conftest import login, post
from tests.helpers.filings import hidden_fields
from tests.helpers.methods import chemical_plant, oilfield, power_plant, r3, steelworks


def _open(client, enterprise) -> tuple[int, str]:
    login(client, enterprise["admin"])
    response = post(client, "/filings/open", {"period": "2022-06"}, token_from="/filings/")
    filing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return filing_id, client.get(f"/filings/{filing_id}").get_data(as_text=True)


def _save(client, filing_id, data):
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    return client.post(f"/filings/{filing_id}", data={**hidden_fields(page), **data})


def _errors(page) -> dict:
    return dict(re.findall(r'data-field-error="([^"]+)">([^<]*)<', page))


def _value(page, name) -> str | None:
    tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>([^<]*)', page)
    if tag is None:
        return None
    found = re.search(r'value="([^"]*)"', tag.group(0))
    return found.group(1) if found else tag.group(1).strip()


def _selected(page, name) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    found = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select)
    return next(g for g in found.groups() if g is not None) if found else None


# --- a carbon balance: materials in and out ------------------------------------------------------------------------

@pytest.fixture
def steel(db, make_org, make_user):
    return steelworks(db, make_org, make_user)


def _materials(sid, rows: dict) -> dict:
    """{("inputs", 0): ("焦炭", "330", "t", "85", "")} as the form's fields."""
    data = {}
    for (parameter, i), values in rows.items():
        for column, value in zip(("name", "quantity", "unit", "carbon_pct", "carbon_content"), values, strict=True):
            data[f"{parameter}_{i}_{column}_{sid}"] = value
    return data


# (Σ in × C − Σ out × C) × 44/12 = (330 × 85 % + 180 × 76 % − 1000 × 4.7 % − 100 × 2.3) × 44/12
BALANCE = {("inputs", 0): ("焦炭", "330", "t", "85", ""), ("inputs", 1): ("喷吹煤", "180", "t", "76", ""),
           ("outputs", 0): ("生铁", "1000", "t", "4.7", ""),
           ("outputs", 1): ("高炉煤气", "100", "10^4 Nm3", "", "2.3")}
BALANCE_CO2 = (D(330) * D("0.85") + D(180) * D("0.76") - D(1000) * D("0.047") - D(100) * D("2.3")) * 44 / 12


def test_a_carbon_balance_is_filed_through_the_form(client, db, steel):
    filing_id, page = _open(client, steel)
    sid = steel["sources"]["furnace"].id
    for parameter in ("inputs", "outputs"):
        assert f'data-testid="items-{parameter}-{sid}"' in page
        assert f'name="{parameter}_2_carbon_pct_{sid}"' in page and f'name="{parameter}_3_name_{sid}"' not in page
    assert "碳输入" in page and "万 Nm³" in page or "10⁴ Nm³" in page
    response = _save(client, filing_id, {f"quantity_{sid}": "1000", f"unit_{sid}": "t", **_materials(sid, BALANCE)})
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    filing = db.session.get(Filing, filing_id)
    line = filing.lines[0]
    assert line.parameters["inputs"] == [
        {"name": "焦炭", "quantity": "330", "unit": "t", "carbon_pct": "85"},
        {"name": "喷吹煤", "quantity": "180", "unit": "t", "carbon_pct": "76"}]
    assert line.parameters["outputs"][1] == {"name": "高炉煤气", "quantity": "100", "unit": "10^4 Nm3",
                                             "carbon_content": "2.3"}
    assert r3(filing.current_calculation.lines[0].co2_t) == r3(BALANCE_CO2) == D("514.433")
    # Reopened: the rows as filed, then three empty ones to add more.
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert _value(page, f"inputs_1_name_{sid}") == "喷吹煤" and _value(page, f"inputs_1_carbon_pct_{sid}") == "76"
    assert _selected(page, f"outputs_1_unit_{sid}") == "10^4 Nm3"
    assert _value(page, f"outputs_1_carbon_content_{sid}") == "2.3"
    assert _value(page, f"inputs_4_name_{sid}") == "" and f'name="inputs_5_name_{sid}"' not in page


def test_a_partly_filled_material_is_refused_beside_its_field(client, db, steel):
    filing_id, _page = _open(client, steel)
    sid = steel["sources"]["furnace"].id
    rows = {**BALANCE, ("inputs", 2): ("石灰石", "", "t", "12", "")}
    response = _save(client, filing_id, {f"quantity_{sid}": "1000", f"unit_{sid}": "t", **_materials(sid, rows)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert list(_errors(page)) == [f"inputs_2_quantity_{sid}"] and "石灰石" in _errors(page)[f"inputs_2_quantity_{sid}"]
    assert _value(page, f"inputs_2_name_{sid}") == "石灰石" and _value(page, f"inputs_0_carbon_pct_{sid}") == "85"
    # An input without its carbon; a gas given a carbon share by mass; a negative quantity: each at its cell.
    for row, field in ((("焦粉", "20", "t", "", ""), "carbon_pct"), (("焦炉煤气", "20", "10^4 Nm3", "40", ""),
                                                                      "carbon_pct"),
                       (("焦粉", "-20", "t", "80", ""), "quantity")):
        response = _save(client, filing_id, {f"quantity_{sid}": "1000", f"unit_{sid}": "t",
                                             **_materials(sid, {**BALANCE, ("inputs", 2): row})})
        assert list(_errors(response.get_data(as_text=True))) == [f"inputs_2_{field}_{sid}"], row
    assert db.session.get(Filing, filing_id).lines == []


def test_more_carbon_out_than_in_is_refused_beside_the_outputs(client, db, steel):
    filing_id, _page = _open(client, steel)
    sid = steel["sources"]["furnace"].id
    rows = {**BALANCE, ("outputs", 1): ("高炉煤气", "300", "10^4 Nm3", "", "2.3")}
    page = _save(client, filing_id, {f"quantity_{sid}": "1000", f"unit_{sid}": "t",
                                     **_materials(sid, rows)}).get_data(as_text=True)
    errors = _errors(page)
    assert list(errors) == [f"outputs_0_quantity_{sid}"] and "737" in errors[f"outputs_0_quantity_{sid}"]
    # No material at all: refused beside the first input's name.
    page = _save(client, filing_id, {f"quantity_{sid}": "1000", f"unit_{sid}": "t"}).get_data(as_text=True)
    assert list(_errors(page)) == [f"inputs_0_name_{sid}"]


def test_rows_posted_beyond_the_page_are_kept(client, db, steel):
    """A page that grew rows (a script, or a second save) posts more than three blank rows: none is dropped."""
    filing_id, _page = _open(client, steel)
    sid = steel["sources"]["furnace"].id
    rows = {**BALANCE, ("inputs", 6): ("焦粉", "10", "t", "80", "")}
    assert _save(client, filing_id, {f"quantity_{sid}": "1000", f"unit_{sid}": "t",
                                     **_materials(sid, rows)}).status_code == 302
    line = db.session.get(Filing, filing_id).lines[0]
    assert [item["name"] for item in line.parameters["inputs"]] == ["焦炭", "喷吹煤", "焦粉"]
    assert r3(line.filing.current_calculation.lines[0].co2_t) == r3(BALANCE_CO2 + D(8) * 44 / 12)


def test_the_preview_computes_the_materials_typed(client, db, steel):
    filing_id, page = _open(client, steel)
    sid = steel["sources"]["furnace"].id
    body = client.post(f"/filings/{filing_id}/preview", data={
        **hidden_fields(page), f"quantity_{sid}": "1000", f"unit_{sid}": "t", **_materials(sid, BALANCE)}).get_json()
    assert body.get("errors") is None, body
    assert D(body["lines"][0]["tco2e"]) == r3(BALANCE_CO2)
    # A balance without any material: the service's words, not the engine's (which are English and technical).
    body = client.post(f"/filings/{filing_id}/preview", data={
        **hidden_fields(page), f"quantity_{sid}": "1000", f"unit_{sid}": "t"}).get_json()
    (error,) = body["errors"]
    assert "碳" in error and "carbon_balance" not in error and "inputs" not in error


# --- equipment counts ----------------------------------------------------------------------------------------------

@pytest.fixture
def field(db, make_org, make_user):
    return oilfield(db, make_org, make_user)


def test_equipment_counts_are_filed_per_kind(client, db, field):
    filing_id, page = _open(client, field)
    leaks, vent = field["sources"]["leaks"].id, field["sources"]["vent"].id
    for name in ("油井井口", "单井储油装置", "接转站", "联合站", "气井井口", "集气站", "计量/配气站", "储气站"):
        assert name in page
    assert f'name="equipment_gas_wellhead_{leaks}"' in page and f'name="equipment_gas_wellhead_{vent}"' not in page
    data = {f"quantity_{leaks}": "30", f"unit_{leaks}": "d", f"equipment_oil_wellhead_{leaks}": "120",
            f"equipment_combined_station_{leaks}": "1", f"quantity_{vent}": "2.2", f"unit_{vent}": "10^4 Nm3",
            f"ch4_fraction_{vent}": "76"}
    response = _save(client, filing_id, data)
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    filing = db.session.get(Filing, filing_id)
    line = next(x for x in filing.lines if x.source_id == leaks)
    assert line.parameters == {"equipment": {"oil_wellhead": 120, "combined_station": 1}}
    computed = {x.source_id: x for x in filing.current_calculation.lines}
    assert r3(computed[leaks].ch4_t) == r3((120 * D("0.23") + D("1.40")) * 30 / 365)
    assert r3(computed[vent].ch4_t) == r3(D("2.2") * D("0.76") * D("7.17"))
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert _value(page, f"equipment_oil_wellhead_{leaks}") == "120"
    assert _value(page, f"equipment_transfer_station_{leaks}") == ""


def test_a_count_that_is_not_a_whole_number_is_refused_beside_it(client, db, field):
    filing_id, _page = _open(client, field)
    leaks = field["sources"]["leaks"].id
    for typed in ("12.5", "-3"):
        page = _save(client, filing_id, {f"quantity_{leaks}": "30", f"unit_{leaks}": "d",
                                         f"equipment_oil_wellhead_{leaks}": typed,
                                         f"equipment_gas_wellhead_{leaks}": "4"}).get_data(as_text=True)
        assert list(_errors(page)) == [f"equipment_oil_wellhead_{leaks}"], typed
        assert _value(page, f"equipment_oil_wellhead_{leaks}") == typed
        assert _value(page, f"equipment_gas_wellhead_{leaks}") == "4"
    # Days in operation without any count: refused beside the first kind.
    page = _save(client, filing_id, {f"quantity_{leaks}": "30", f"unit_{leaks}": "d"}).get_data(as_text=True)
    assert list(_errors(page)) == [f"equipment_oil_wellhead_{leaks}"]
    assert db.session.get(Filing, filing_id).lines == []


# --- a choice and a flag -------------------------------------------------------------------------------------------

@pytest.fixture
def chemicals(db, make_org, make_user):
    return chemical_plant(db, make_org, make_user)


def test_a_process_chosen_from_the_list_takes_its_default_factor(client, db, chemicals):
    filing_id, page = _open(client, chemicals)
    s = chemicals["sources"]
    nitric, accident = s["nitric"].id, s["accident"].id
    options = re.search(rf'<select[^>]*name="process_{nitric}"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    assert "双加压法" in options and ">dual_pressure<" not in options and "炼油" in page
    data = {f"quantity_{nitric}": "1000", f"unit_{nitric}": "t", f"process_{nitric}": "dual_pressure",
            f"quantity_{accident}": "10", f"unit_{accident}": "10^4 Nm3", f"industry_{accident}": "chemicals"}
    response = _save(client, filing_id, data)
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    filing = db.session.get(Filing, filing_id)
    computed = {x.source_id: x for x in filing.current_calculation.lines}
    assert computed[nitric].n2o_t == D(1000) * D("0.0080")
    # accident flare, chemicals: carbon number 3, OF 0.98
    assert r3(computed[accident].co2_t) == r3(D(10) * 3 * D("0.98") * 44 * 10 / D("22.4"))
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert _selected(page, f"process_{nitric}") == "dual_pressure"
    assert _selected(page, f"industry_{accident}") == "chemicals"
    # A code that is not on the list is refused beside the list; so is no process without a measured factor.
    page = _save(client, filing_id, {**data, f"process_{nitric}": "plasma"}).get_data(as_text=True)
    assert list(_errors(page)) == [f"process_{nitric}"] and "双加压法" in _errors(page)[f"process_{nitric}"]
    page = _save(client, filing_id, {**data, f"process_{nitric}": ""}).get_data(as_text=True)
    assert list(_errors(page)) == [f"process_{nitric}"]
    assert _save(client, filing_id, {**data, f"process_{nitric}": "", f"ef_{nitric}": "0.009"}).status_code == 302


def test_flags_are_checkboxes(client, db, chemicals):
    from tests.helpers.methods import FLARE_GAS

    filing_id, page = _open(client, chemicals)
    s = chemicals["sources"]
    flare, recovery = s["flare"].id, s["recovery"].id
    assert re.search(rf'<input[^>]*type="checkbox"[^>]*name="ch4_slip_{flare}"|<input[^>]*name="ch4_slip_{flare}"'
                     rf'[^>]*type="checkbox"', page)
    data = {f"quantity_{flare}": "12.5", f"unit_{flare}": "10^4 Nm3", f"ch4_slip_{flare}": "y",
            f"quantity_{recovery}": "10", f"unit_{recovery}": "10^4 Nm3", f"purity_{recovery}": "99",
            f"geological_storage_{recovery}": "y"}
    data.update({f"comp{sp}_{flare}": pct for sp, pct in FLARE_GAS.items()})
    response = _save(client, filing_id, data)
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    filing = db.session.get(Filing, filing_id)
    lines = {x.source_id: x for x in filing.lines}
    assert lines[flare].parameters["ch4_slip"] is True and lines[recovery].parameters["geological_storage"] is True
    computed = {x.source_id: x for x in filing.current_calculation.lines}
    # methane slip = Q × CH4 share × (1 − OF) × 7.17
    assert r3(computed[flare].ch4_t) == r3(D("12.5") * D("0.35") * (1 - D("0.98")) * D("7.17"))
    assert D(computed[recovery].masses["co2_stored_t"]) == D(10) * D("0.99") * D("19.7")
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert re.search(rf'<input[^>]*checked[^>]*name="ch4_slip_{flare}"|<input[^>]*name="ch4_slip_{flare}"'
                     rf'[^>]*checked', page)
    # Unticked and saved: no slip.
    data.pop(f"ch4_slip_{flare}")
    assert _save(client, filing_id, data).status_code == 302
    filing = db.session.get(Filing, filing_id)
    assert "ch4_slip" not in next(x for x in filing.lines if x.source_id == flare).parameters


# --- day-by-day coal and NCV ---------------------------------------------------------------------------------------

@pytest.fixture
def coal(db, make_org, make_user):
    return power_plant(db, make_org, make_user)


def test_daily_coal_and_ncv_give_the_weighted_ncv(client, db, coal):
    filing_id, page = _open(client, coal)
    cid = coal["sources"]["coal"].id
    assert '<textarea' in page and f'name="ncv_daily_{cid}"' in page
    # comma, tab (a paste from Excel) and spaces, a blank line, thousands separated
    typed = "50,000, 21.200\n60000\t21.6\n\n40000   21.7\n"
    response = _save(client, filing_id, {f"quantity_{cid}": "150000", f"unit_{cid}": "t", f"ncv_daily_{cid}": typed,
                                         f"c_ad_{cid}": "62.50", f"m_ad_{cid}": "2.50", f"m_ar_{cid}": "12.00"})
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    filing = db.session.get(Filing, filing_id)
    line = next(x for x in filing.lines if x.source_id == cid)
    assert line.parameters["ncv_daily"] == [["50000", "21.200"], ["60000", "21.6"], ["40000", "21.7"]]
    computed = next(x for x in filing.current_calculation.lines if x.source_id == cid)
    # weighted NCV = 3,224,000 GJ / 150,000 t (worked example 1); C_ar from C_ad gives example 1's CO2
    assert r3(D(computed.trace["parameters"]["ncv_ar"]["value"])) == r3(D(3224000) / 150000) == D("21.493")
    assert r3(computed.co2_t) == D("307153.846")
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert _value(page, f"ncv_daily_{cid}") == "50000, 21.2\n60000, 21.6\n40000, 21.7"


def test_a_bad_daily_line_is_refused_naming_its_line(client, db, coal):
    filing_id, _page = _open(client, coal)
    cid = coal["sources"]["coal"].id
    for typed, line in (("50000, 21.2\n60000; 2l.6", "2"), ("50000, 21.2\n\n60000", "3"), ("50000, 0", "1")):
        page = _save(client, filing_id, {f"quantity_{cid}": "150000", f"unit_{cid}": "t",
                                         f"ncv_daily_{cid}": typed}).get_data(as_text=True)
        errors = _errors(page)
        assert list(errors) == [f"ncv_daily_{cid}"], (typed, errors)
        assert f"第 {line} 行" in errors[f"ncv_daily_{cid}"] or f"line {line}" in errors[f"ncv_daily_{cid}"]
        assert _value(page, f"ncv_daily_{cid}") == typed  # the text typed comes back


# --- the page in Chinese -------------------------------------------------------------------------------------------

SHOWN_AS_IS = {"API", "English", "JPG", "PDF", "PNG", "XLSX", "Excel", "MWh", "kWh", "tCO", "vol"}  # names, units


@pytest.mark.parametrize("make", [steelworks, oilfield, chemical_plant, power_plant])
def test_the_inputs_speak_chinese(client, db, make_org, make_user, make):
    """No code (dual_pressure, oil_wellhead), no 10^4 and no English label among the Chinese page's inputs."""
    from tests.helpers.crawl import read_html

    _filing_id, page = _open(client, make(db, make_org, make_user))
    prose = " ".join(read_html(page)[0].prose)
    assert not re.findall(r"[a-z0-9]+_[a-z0-9_]+|10\^\d", prose)
    assert set(re.findall(r"[A-Za-z]{3,}", prose)) <= SHOWN_AS_IS
