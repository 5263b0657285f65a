"""Calculation methods wired into filings (issue 17): a source's method and parameters through the services, the
plan in force making a missing measured parameter a flagged substitute, the regimes and the substituted share kept."""
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from app.filings import calculations, services
from app.plans import services as plans
from app.plans.models import MEASURED
from tests.helpers.methods import JUNE, TESTED_COAL, power_plant, r3

NOW = datetime(2022, 1, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
def coal(db, make_org, make_user):
    return power_plant(db, make_org, make_user)


def _file(enterprise, lines):
    s = enterprise["sources"]
    filing = services.open_filing(enterprise["admin"], enterprise["org"], JUNE)
    services.set_activity(enterprise["admin"], filing, [
        {"source_id": s[key].id, "quantity": q, "unit": s[key].activity_unit, "parameters": p}
        for key, (q, p) in lines.items()])
    return filing


def _plan(enterprise, regulator, tiers):
    version = plans.start_draft(enterprise["admin"], enterprise["org"], 2022, now=NOW)
    for planned in version.sources:
        key = next(k for k, s in enterprise["sources"].items() if s.id == planned.source_id)
        plans.update_source(enterprise["admin"], version, planned, {
            "method": planned.method, "tiers": tiers.get(key, {}), "responsible_person": "王工"})
    plans.submit(enterprise["admin"], version, now=NOW)
    plans.approve(regulator, version, now=NOW)


def test_tested_coal_keeps_its_masses_regimes_and_no_substitution(app, coal):
    """Worked example 1: 307,153.846 tCO2 from C_ad with its moistures; the unit's ETS total 307,838.206."""
    with app.test_request_context():
        filing = _file(coal, {"coal": ("150000", TESTED_COAL), "power": ("1200", None)})
        calc = filing.current_calculation
        line = next(x for x in calc.lines if x.source_id == coal["sources"]["coal"].id)
        assert (line.method, r3(line.co2_t), line.substituted) == ("power_coal", D("307153.846"), [])
        assert r3(D(line.masses["co2_fossil_t"])) == D("307153.846")
        assert r3(calc.ets_tco2e) == D("307838.206")
        assert calc.regime == "inventory" and calc.substituted_share == 0
        # total_tco2e keeps its meaning: scope 1 + scope 2 at the city's grid series (national average 0.5366)
        assert r3(calc.total_tco2e) == r3(D("307153.846153846") + D(1200) * D("0.5366"))
        assert filing.lines[0].parameters["c_ad"] == "62.50"


def test_an_untested_month_takes_0_03085_flagged_substituted(app, coal):
    """Worked example 2: no carbon test, 3,224,000 GJ × 0.03085 × 0.99 × 44/12 = 361,041.252; never 0.02637/0.94."""
    with app.test_request_context():
        filing = _file(coal, {"coal": ("150000", {"ncv_daily": TESTED_COAL["ncv_daily"]}), "power": ("1200", None)})
        calc = filing.current_calculation
        line = next(x for x in calc.lines if x.source_id == coal["sources"]["coal"].id)
        assert r3(line.co2e_t) == D("361041.252")
        assert line.substituted == ["carbon_content"]
        assert line.trace["parameters"]["carbon_content"]["provenance"] == "substituted"
        assert r3(calc.ets_tco2e) == D("361725.612")
        assert calc.substituted_share.quantize(D("1E-10")) == (line.co2e_t / calc.total_tco2e).quantize(D("1E-10"))
        assert calc.substituted_share > D("0.99")


def test_a_plan_saying_carbon_measured_with_none_filed_flags_the_line(app, coal, regulator):
    with app.test_request_context():
        _plan(coal, regulator, {"coal": {"c_ar": MEASURED, "ncv_ar": MEASURED}})
        assert calculations.planned_measured(coal["org"].id, JUNE)[coal["sources"]["coal"].id] == {"c_ar", "ncv_ar"}
        filing = _file(coal, {"coal": ("150000", {"ncv_ar": "21.5"}), "power": ("1200", None)})
        coal_line = next(x for x in filing.lines if x.source_id == coal["sources"]["coal"].id)
        assert coal_line.provenance == {"ncv_ar": {"provenance": "measured"},
                                        "c_ar": {"provenance": "substituted", "reason": "measured_parameter_missing"}}
        calc = filing.current_calculation
        line = next(x for x in calc.lines if x.source_id == coal["sources"]["coal"].id)
        assert D(line.trace["parameters"]["carbon_content"]["value"]) == D("0.03085")
        assert set(line.substituted) == {"carbon_content", "c_ar"}
        assert calc.substituted_share > D("0.05")


def test_a_generator_never_deducts_its_supply(app, coal):
    """Worked example 8: 400,000 t at C_ar 55 % and 1,000,000 MWh supplied: 799,056.240 under the ETS, not 228,756."""
    with app.test_request_context():
        filing = _file(coal, {"coal": ("400000", {"ncv_ar": "20", "c_ar": "55.00"}), "power": ("800", None),
                              "supply": ("1000000", None)})
        calc = filing.current_calculation
        assert r3(calc.ets_tco2e) == D("799056.240")
        assert calc.exported_tco2e == 0
        for total in (calc.total_tco2e, calc.guideline_tco2e, calc.inventory_tco2e):
            assert total > D(798600)


def test_existing_sources_keep_their_figures_and_gain_masses(app, plant):
    from tests.helpers.filings import draft_month

    with app.test_request_context():
        filing = draft_month(plant)
        calc = filing.current_calculation
        assert r3(calc.total_tco2e) == r3(calc.scope1_tco2e + calc.scope2_tco2e - calc.exported_tco2e)
        assert {line.method for line in calc.lines} == {"combustion", "electricity_in", "heat_in"}
        assert all(line.substituted == [] for line in calc.lines)
        assert calc.inventory_tco2e is not None and calc.guideline_tco2e is not None


def test_a_method_parameter_out_of_its_band_is_refused_beside_its_field(app, coal):
    from app.core.service_error import ServiceError

    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            _file(coal, {"coal": ("150000", {"ncv_ar": "21.5", "c_ar": "95"})})
        assert refused.value.field == f"c_ar_{coal['sources']['coal'].id}"
        with pytest.raises(ServiceError) as refused:
            _file(coal, {"coal": ("150000", {"ncv_ar": "21.5", "cao": "50"})})
        assert refused.value.field == f"cao_{coal['sources']['coal'].id}"


def test_a_coal_ncv_far_from_its_default_is_refused_at_saving(app, coal):
    """sector-methods.md §10: a measured NCV more than 50 % away from its fuel's default (raw coal 20.908 GJ/t) is a
    unit error, refused beside the field before anything is stored; the daily NCVs are held to the same band."""
    from app.core.service_error import ServiceError
    from app.filings.models import Filing

    source_id = coal["sources"]["coal"].id
    with app.test_request_context():
        for parameters, field in (({"ncv_ar": "5020", "c_ar": "55"}, "ncv_ar"), ({"ncv_ar": "9.8"}, "ncv_ar"),
                                  ({"ncv_daily": [["100", "9.2"], ["50", "10.1"]]}, "ncv_daily")):
            with pytest.raises(ServiceError) as refused:
                _file(coal, {"coal": ("150000", parameters)})
            assert refused.value.field == f"{field}_{source_id}"
            assert "10.45–31.36" in str(refused.value)
        assert not Filing.query.filter_by(org_id=coal["org"].id).first().lines
        assert _file(coal, {"coal": ("150000", {"ncv_ar": "11", "c_ar": "30.1"})}).lines  # lignite-like: kept


def test_equipment_counted_over_days_in_operation_files_in_days(app, db, make_org, make_user):
    """An oilfield's equipment leaks take the month's days in operation as their quantity ("d", not a unit of the
    library): 30 days of 120 oil wellheads and a combined station."""
    from tests.helpers.methods import sector_enterprise

    field = sector_enterprise(db, make_org, make_user, "湾西油田", "B0711", {
        "leaks": {"name": "设备逸散", "category": "fugitive", "material": "equipment_leaks", "activity_unit": "d",
                  "method": "equipment_leaks"}})
    with app.test_request_context():
        filing = _file(field, {"leaks": ("30", {"equipment": {"oil_wellhead": 120, "combined_station": 1}})})
        line = filing.current_calculation.lines[0]
        assert filing.lines[0].unit == "d"
        assert r3(line.ch4_t) == r3((120 * D("0.23") + D("1.40")) * 30 / 365)


def _method_findings(filing):
    from app.filings import workflow

    return [f for f in workflow.findings_for(filing) if f.key.startswith("method:")]


def test_a_parameter_in_its_warning_band_needs_an_explanation_at_submission(app, coal):
    """C_ar 38 % is outside the warning band 40–75 % but inside the blocking 30–80 %: saved, then a warning naming
    the parameter, the value, the band and the unit that must be explained before the month is submitted."""
    from app.core.service_error import ServiceError
    from app.filings import workflow

    with app.test_request_context():
        filing = _file(coal, {"coal": ("150000", {"ncv_ar": "14", "c_ar": "38"}), "power": ("1200", None),
                              "supply": ("300000", None)})
        found = [f for f in _method_findings(filing) if f.key.endswith(":c_ar")]
        assert [(f.key, f.level, f.source_id) for f in found] == [
            (f"method:{coal['sources']['coal'].id}:outside_band:c_ar", "warning", coal["sources"]["coal"].id)]
        message = str(found[0].message)
        assert "1号机组入炉煤" in message and "38 %" in message and "40–75 %" in message
        # NCV 14 GJ/t is also more than 20 % below raw coal's default 20.908 GJ/t: a warning of its own.
        (ncv,) = [f for f in _method_findings(filing) if f.key.endswith(":ncv_ar")]
        assert "14 GJ/t" in str(ncv.message) and "16.73–25.09 GJ/t" in str(ncv.message)
        others = {f.key: "说明" for f in workflow.findings_for(filing) if f.level == "warning" and f not in found}
        assert ncv.key in others
        with pytest.raises(ServiceError) as refused:
            workflow.submit(coal["admin"], filing, others)
        assert refused.value.field == "explanations" and "38 %" in str(refused.value)
        workflow.submit(coal["admin"], filing, {**others, found[0].key: "本月掺烧低热值煤泥"})
        assert filing.status == "submitted" and filing.explanations[found[0].key] == "本月掺烧低热值煤泥"


def test_a_derived_figure_in_its_warning_band_is_named_for_what_it_measures(app, coal):
    """Coal CC = C_ar / NCV_ar: 0.55 / 17.5 = 0.0314 tC/GJ, outside 0.024–0.030 but under the block 0.035."""
    with app.test_request_context():
        filing = _file(coal, {"coal": ("150000", {"ncv_ar": "17.5", "c_ar": "55"})})
        (finding,) = _method_findings(filing)
        assert finding.key.endswith(":outside_band:carbon_content")
        assert "0.0314 tC/GJ" in str(finding.message) and "0.024–0.03 tC/GJ" in str(finding.message)


def test_the_citys_bands_decide_warnings_and_refusals(app, coal, regulator):
    """The bands are city settings: widening the warning band removes the warning; narrowing the blocking band
    refuses the value at saving, beside its field."""
    from app.core.service_error import ServiceError
    from app.settings.services import set_setting

    with app.test_request_context():
        set_setting(regulator, "band_coal_c_ar", {"warn_low": "35", "warn_high": "75", "block_low": "30",
                                                  "block_high": "80"})
        filing = _file(coal, {"coal": ("150000", {"ncv_ar": "14", "c_ar": "38"})})
        assert [f.key for f in _method_findings(filing)] == [f"method:{coal['sources']['coal'].id}:outside_band:ncv_ar"]
        set_setting(regulator, "band_coal_c_ar", {"warn_low": "45", "warn_high": "75", "block_low": "40",
                                                  "block_high": "80"})
        with pytest.raises(ServiceError) as refused:
            _file(coal, {"coal": ("150000", {"ncv_ar": "14", "c_ar": "38"})})
        assert refused.value.field == f"c_ar_{coal['sources']['coal'].id}" and "40–80" in str(refused.value)
