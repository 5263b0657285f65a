"""Monitoring plans: versions immutable and effective from a month, approval again on a method or tier change,
the check of a filing against the plan in force, and the pages of both sides."""
from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace as NS

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.core.service_error import ServiceError
from app.filings import workflow
from app.notifications.models import Notification
from app.plans import check, services
from app.plans.models import (
    APPROVED,
    DEFAULT,
    MEASURED,
    RETURNED,
    SUBMITTED,
    FrozenPlan,
    PlanVersion,
)
from tests.conftest import csrf_token, post
from tests.helpers.filings import draft_month

NOW = datetime(2022, 1, 5, 2, 0, tzinfo=timezone.utc)


def _approved_plan(app, db, plant, regulator, year=2022, tiers=None, meters=None):
    """The plant's first plan for `year`, approved, with `tiers` {source key: {code: tier}} and `meters`."""
    with app.test_request_context():
        version = services.start_draft(plant["admin"], plant["org"], year, now=NOW)
        for key, source in plant["sources"].items():
            planned = next(s for s in version.sources if s.source_id == source.id)
            services.update_source(plant["admin"], version, planned, {
                "method": planned.method, "tiers": (tiers or {}).get(key, {}), "meters": (meters or {}).get(key, []),
                "responsible_person": "王工"})
        assert services.submit(plant["admin"], version, now=NOW) is True
        services.approve(regulator, version, now=NOW)
        db.session.commit()
        return version.id


def _source(version, source):
    return next(s for s in version.sources if s.source_id == source.id)


# --- services ---------------------------------------------------------------------------------------------------

def test_a_first_plan_lists_every_source_at_its_default_method_and_needs_approval(app, db, plant, regulator):
    with app.test_request_context():
        version = services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        methods = {s.source.name: (s.method, s.tiers) for s in version.sources}
        assert methods == {"燃气锅炉": ("combustion", {"ncv": DEFAULT, "carbon_content": DEFAULT,
                                                       "oxidation_rate": DEFAULT}),
                           "厂内车辆": ("combustion", {"ncv": DEFAULT, "carbon_content": DEFAULT,
                                                       "oxidation_rate": DEFAULT}),
                           "外购电力": ("electricity_in", {}), "外购热力": ("heat_in", {})}
        assert version.effective_from == date(2022, 1, 1)
        assert services.submit(plant["admin"], version, now=NOW) is True
        assert version.status == SUBMITTED
        assert services.plan_in_force(plant["org"].id, date(2022, 3, 1)) is None  # not before approval
        services.approve(regulator, version, now=NOW)
        db.session.commit()
        assert services.plan_in_force(plant["org"].id, date(2022, 3, 15)).id == version.id
        assert services.plan_in_force(plant["org"].id, date(2023, 3, 1)) is None  # a plan is for its year
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("plan.%")).order_by(AuditEvent.seq)).all()
        assert actions == ["plan.drafted", "plan.submitted", "plan.approved"]


def test_an_approved_version_is_never_edited(app, db, plant, regulator):
    version_id = _approved_plan(app, db, plant, regulator)
    with app.test_request_context():
        version = services.load_version(version_id)
        planned = _source(version, plant["sources"]["gas"])
        with pytest.raises(ServiceError):
            services.update_source(plant["admin"], version, planned, {"method": "combustion"})
        with pytest.raises(ServiceError):
            services.update_details(plant["admin"], version, date(2022, 2, 1), "")
        planned.responsible_person = "改动"  # past the services: the model refuses it
        with pytest.raises(FrozenPlan):
            db.session.flush()
        db.session.rollback()
        version = services.load_version(version_id)
        version.effective_from = date(2022, 6, 1)
        with pytest.raises(FrozenPlan):
            db.session.flush()
        db.session.rollback()


def test_a_tier_change_needs_approval_and_takes_effect_from_its_month(app, db, plant, regulator):
    first_id = _approved_plan(app, db, plant, regulator)
    with app.test_request_context():
        change = services.start_draft(plant["admin"], plant["org"], 2022, effective_from=date(2022, 4, 1), now=NOW)
        assert change.number == 2 and change.based_on_id == first_id
        with pytest.raises(ServiceError):  # one change at a time
            services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        gas = _source(change, plant["sources"]["gas"])
        services.update_source(plant["admin"], change, gas, {"method": "combustion",
                                                             "tiers": {"carbon_content": MEASURED}})
        rows = {row.name: row for row in services.diff(change, change.based_on)}
        assert rows["燃气锅炉"].kind == "changed" and rows["燃气锅炉"].needs_approval
        assert rows["外购电力"].kind == "same"
        assert services.submit(plant["admin"], change, now=NOW) is True
        assert change.status == SUBMITTED
        assert services.plan_in_force(plant["org"].id, date(2022, 5, 1)).id == first_id  # until approved
        services.approve(regulator, change, now=NOW)
        db.session.commit()
        assert services.plan_in_force(plant["org"].id, date(2022, 3, 1)).id == first_id
        assert services.plan_in_force(plant["org"].id, date(2022, 4, 1)).id == change.id
        assert _source(services.load_version(first_id), plant["sources"]["gas"]).tiers["carbon_content"] == DEFAULT


def test_a_meter_swap_takes_effect_on_notice_and_tells_the_regulator(app, db, plant, regulator):
    _approved_plan(app, db, plant, regulator, meters={"gas": [{"meter_id": "FT-01"}]})
    with app.test_request_context():
        change = services.start_draft(plant["admin"], plant["org"], 2022, effective_from=date(2022, 7, 1), now=NOW)
        gas = _source(change, plant["sources"]["gas"])
        services.update_source(plant["admin"], change, gas, {
            "method": "combustion", "tiers": dict(gas.tiers), "responsible_person": "王工",
            "meters": [{"meter_id": "FT-02", "accuracy_class": "0.5", "calibrated_on": date(2022, 6, 20),
                        "calibration_due": date(2023, 6, 19)}]})
        assert services.submit(plant["admin"], change, now=NOW) is False
        db.session.commit()
        assert change.status == APPROVED and change.by_notice and change.approved_by_id is None
        assert services.plan_in_force(plant["org"].id, date(2022, 7, 1)).id == change.id
        told = db.session.scalars(select(Notification).where(Notification.kind == "plan.notified")).all()
        assert [n.user_id for n in told] == [regulator.id]


def test_a_version_that_changes_nothing_is_not_submitted(app, db, plant, regulator):
    _approved_plan(app, db, plant, regulator)
    with app.test_request_context():
        change = services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        with pytest.raises(ServiceError):
            services.submit(plant["admin"], change, now=NOW)


def test_the_regulator_returns_with_a_comment_and_the_enterprise_resubmits(app, db, plant, regulator):
    with app.test_request_context():
        version = services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        services.submit(plant["admin"], version, now=NOW)
        with pytest.raises(ServiceError):
            services.return_version(regulator, version, "  ", now=NOW)
        services.return_version(regulator, version, "请补充计量器具信息", now=NOW)
        db.session.commit()
        assert version.status == RETURNED and version.return_comment == "请补充计量器具信息"
        told = db.session.scalars(select(Notification).where(Notification.kind == "plan.returned")).all()
        assert {n.user_id for n in told} == {plant["admin"].id}
        gas = _source(version, plant["sources"]["gas"])
        services.update_source(plant["admin"], version, gas, {"method": "combustion",
                                                              "meters": [{"meter_id": "FT-01"}]})
        assert services.submit(plant["admin"], version, now=NOW) is True
        assert version.status == SUBMITTED and version.return_comment is None


def test_meter_and_month_refusals_name_their_field(app, db, plant):
    with app.test_request_context():
        version = services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        gas = _source(version, plant["sources"]["gas"])
        with pytest.raises(ServiceError) as refused:
            services.update_source(plant["admin"], version, gas, {"method": "combustion", "meters": [
                {"meter_id": "A", "calibrated_on": date(2022, 5, 1), "calibration_due": date(2022, 4, 1)}]})
        assert refused.value.field == "meters"
        with pytest.raises(ServiceError) as refused:
            services.update_source(plant["admin"], version, gas, {"method": "guesswork"})
        assert refused.value.field == "method"
        with pytest.raises(ServiceError) as refused:
            services.update_details(plant["admin"], version, date(2023, 1, 1), "")
        assert refused.value.field == "effective_from"


# --- the check, pure --------------------------------------------------------------------------------------------

def _plan(*sources, number=3):
    return NS(number=number, sources=[NS(source_id=i, method=m, tiers=t, meters=meters)
                                      for i, m, t, meters in sources])


def _line(source_id, method="combustion", quantity="10", parameters=()):
    return check.LineFacts(source_id, f"源{source_id}", method, Decimal(quantity), frozenset(parameters))


JUNE = date(2022, 6, 1)


def test_a_source_not_in_the_plan_is_an_error_and_another_method_too():
    plan = _plan((1, "combustion", {}, []))
    found = check.check([_line(1), _line(2), _line(1, "power_coal")], plan, JUNE)
    assert [(f.key, f.level) for f in found] == [("plan:unplanned:2", "error"), ("plan:method:1", "error")]
    assert "源2" in str(found[0].message) and "3" in str(found[0].message)


def test_a_meter_past_its_due_date_at_month_end_is_a_warning():
    meters = [NS(meter_id="FT-01", calibration_due=date(2022, 6, 29)), NS(meter_id="FT-02",
                                                                          calibration_due=date(2022, 6, 30)),
              NS(meter_id="FT-03", calibration_due=None)]
    found = check.check([_line(1)], _plan((1, "combustion", {}, meters)), JUNE)
    assert [(f.key, f.level, f.source_id) for f in found] == [("plan:meter:1:FT-01", "warning", 1)]


def test_a_measured_parameter_missing_is_flagged_substituted_with_its_reason():
    plan = _plan((1, "combustion", {"carbon_content": MEASURED, "ncv": MEASURED, "oxidation_rate": DEFAULT}, []))
    found = check.check([_line(1, parameters={"ncv"})], plan, JUNE)
    assert [(f.key, f.level, f.parameter, f.reason) for f in found] == [
        ("substituted:1:carbon_content", "notice", "carbon_content", check.MISSING_MEASUREMENT)]
    assert check.check([_line(1, quantity="0")], plan, JUNE) == []  # nothing burned: nothing to measure


def test_power_coal_carbon_may_be_filed_air_dried():
    plan = _plan((1, "power_coal", {"ncv_ar": MEASURED, "c_ar": MEASURED, "m_ad": MEASURED}, []))
    assert check.check([_line(1, "power_coal", parameters={"ncv_ar", "c_ad", "m_ad", "m_ar"})], plan, JUNE) == []
    assert check.check([_line(1, "power_coal", parameters={"ncv_ar", "c_ar"})], plan, JUNE) == []
    found = check.check([_line(1, "power_coal", parameters={"c_ar"})], plan, JUNE)
    assert [f.parameter for f in found] == ["ncv_ar"]


def test_no_plan_in_force_and_scope_3_lines_are_not_checked():
    assert check.check([_line(1)], None, JUNE) == []
    assert check.check([_line(9, method=None)], _plan((1, "combustion", {}, [])), JUNE) == []


# --- the check on a filing --------------------------------------------------------------------------------------

def test_a_filing_is_checked_against_the_plan_in_force(app, db, plant, regulator):
    _approved_plan(app, db, plant, regulator, tiers={"gas": {"carbon_content": MEASURED}},
                   meters={"diesel": [{"meter_id": "DT-9", "calibration_due": date(2022, 6, 10)}]})
    with app.test_request_context():
        filing = draft_month(plant)
        keys = {f.key: f.level for f in workflow.findings_for(filing, date(2022, 7, 8))}
        gas, diesel = plant["sources"]["gas"].id, plant["sources"]["diesel"].id
        assert keys[f"substituted:{gas}:carbon_content"] == "notice"
        assert keys[f"plan:meter:{diesel}:DT-9"] == "warning"
        with pytest.raises(ServiceError) as refused:  # the meter's warning needs an explanation
            workflow.submit(plant["admin"], filing, now=datetime(2022, 7, 8, 2, 0, tzinfo=timezone.utc))
        assert "DT-9" in str(refused.value.message)


def test_a_source_left_out_of_the_plan_blocks_the_submission(app, db, plant, regulator):
    with app.test_request_context():
        version = services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        services.remove_source(plant["admin"], version, _source(version, plant["sources"]["heat"]))
        services.submit(plant["admin"], version, now=NOW)
        services.approve(regulator, version, now=NOW)
        db.session.commit()
        filing = draft_month(plant)
        with pytest.raises(ServiceError) as refused:
            workflow.submit(plant["admin"], filing, now=datetime(2022, 7, 8, 2, 0, tzinfo=timezone.utc))
        assert "外购热力" in str(refused.value.message)


# --- pages ------------------------------------------------------------------------------------------------------

def _version_of(db, number=1):
    return db.session.scalar(select(PlanVersion).where(PlanVersion.number == number))


def test_the_enterprise_drafts_keeps_what_it_typed_on_a_refusal_and_submits(app, client, db, plant, login_as):
    login_as(plant["admin"])
    assert 'data-testid="no-plans"' in client.get("/plans/").get_data(as_text=True)
    response = post(client, "/plans/draft", {"year": "2022"}, token_from="/plans/")
    version = _version_of(db)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/plans/versions/{version.id}")
    gas = plant["sources"]["gas"].id
    page = client.get(f"/plans/versions/{version.id}").get_data(as_text=True)
    assert f'data-testid="source-form-{gas}"' in page
    bad = post(client, f"/plans/versions/{version.id}/sources/{gas}", {
        f"s{gas}-method": "combustion", f"s{gas}-tier-carbon_content": "measured", f"s{gas}-lab_name": "锦湾检测中心",
        f"s{gas}-meters-0-meter_id": "FT-01", f"s{gas}-meters-0-calibrated_on": "2022-05-01",
        f"s{gas}-meters-0-calibration_due": "2022-04-01"}, token_from=f"/plans/versions/{version.id}")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert "锦湾检测中心" in body and 'value="FT-01"' in body  # nothing typed is lost
    assert "invalid-feedback" in body
    db.session.expire_all()
    assert _version_of(db).sources[0].lab_name is None  # and nothing was written
    good = post(client, f"/plans/versions/{version.id}/sources/{gas}", {
        f"s{gas}-method": "combustion", f"s{gas}-tier-carbon_content": "measured", f"s{gas}-lab_name": "锦湾检测中心",
        f"s{gas}-lab_accreditation": "CNAS L1234", f"s{gas}-meters-0-meter_id": "FT-01",
        f"s{gas}-meters-0-calibration_due": "2023-04-01"}, token_from=f"/plans/versions/{version.id}")
    assert good.status_code == 302
    db.session.expire_all()
    planned = next(s for s in _version_of(db).sources if s.source_id == gas)
    assert planned.tiers["carbon_content"] == MEASURED and planned.lab_accreditation == "CNAS L1234"
    assert [(m.meter_id, m.calibration_due) for m in planned.meters] == [("FT-01", date(2023, 4, 1))]
    assert post(client, f"/plans/versions/{version.id}/submit", token_from=f"/plans/versions/{version.id}"
                ).status_code == 302
    db.session.expire_all()
    assert _version_of(db).status == SUBMITTED


def test_an_energy_manager_drafts_but_only_the_admin_submits(app, client, db, plant, energy_manager, login_as):
    with app.test_request_context():
        version = services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        db.session.commit()
    login_as(energy_manager)
    assert post(client, f"/plans/versions/{version.id}/submit").status_code == 403
    assert _version_of(db).status == "draft"


def test_the_regulator_sees_the_change_against_the_version_in_force_and_approves(app, client, db, plant, regulator,
                                                                                login_as):
    _approved_plan(app, db, plant, regulator)
    with app.test_request_context():
        change = services.start_draft(plant["admin"], plant["org"], 2022, effective_from=date(2022, 5, 1), now=NOW)
        gas = _source(change, plant["sources"]["gas"])
        services.update_source(plant["admin"], change, gas, {"method": "combustion",
                                                             "tiers": {"ncv": MEASURED}})
        services.submit(plant["admin"], change, now=NOW)
        db.session.commit()
        change_id = change.id
    login_as(regulator)
    waiting = client.get("/plans/waiting").get_data(as_text=True)
    assert f"/plans/versions/{change_id}" in waiting and plant["org"].name in waiting
    page = client.get(f"/plans/versions/{change_id}").get_data(as_text=True)
    assert 'data-testid="plan-diff"' in page and 'data-testid="approve-plan"' in page
    assert f'data-testid="diff-{plant["sources"]["gas"].id}"' in page
    assert f'data-testid="diff-{plant["sources"]["power"].id}"' not in page  # unchanged sources are not listed
    refused = post(client, f"/plans/versions/{change_id}/return", {"comment": ""},
                   token_from=f"/plans/versions/{change_id}")
    assert refused.status_code == 200 and 'data-field-error="comment"' in refused.get_data(as_text=True)
    assert post(client, f"/plans/versions/{change_id}/approve", token_from=f"/plans/versions/{change_id}"
                ).status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanVersion, change_id).status == APPROVED
    assert db.session.get(PlanVersion, change_id).approved_by_id == regulator.id


def test_another_enterprises_plan_is_a_404(app, client, db, plant, make_org, make_user, login_as):
    with app.test_request_context():
        version = services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        db.session.commit()
    other = make_org(name="别家企业")
    login_as(make_user(other, "enterprise_admin"))
    assert client.get(f"/plans/versions/{version.id}").status_code == 404
    gas = plant["sources"]["gas"].id
    assert post(client, f"/plans/versions/{version.id}/sources/{gas}", {f"s{gas}-method": "flare"}
                ).status_code == 404
    assert "锦湾示范化工" not in client.get("/plans/").get_data(as_text=True)


def test_the_filing_and_review_pages_show_the_plans_findings(app, client, db, plant, regulator, login_as):
    _approved_plan(app, db, plant, regulator, tiers={"gas": {"carbon_content": MEASURED}})
    with app.test_request_context():
        filing = draft_month(plant)
        db.session.commit()
        filing_id = filing.id
    gas = plant["sources"]["gas"].id
    login_as(plant["admin"])
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert f'data-key="substituted:{gas}:carbon_content"' in page
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login_as(regulator)
    page = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert f'data-key="substituted:{gas}:carbon_content"' in page


def test_a_form_posted_to_a_submitted_version_says_it_is_locked(app, client, db, plant, login_as):
    with app.test_request_context():
        version = services.start_draft(plant["admin"], plant["org"], 2022, now=NOW)
        services.submit(plant["admin"], version, now=NOW)
        db.session.commit()
    login_as(plant["admin"])
    gas = plant["sources"]["gas"].id
    response = post(client, f"/plans/versions/{version.id}/sources/{gas}",
                    {f"s{gas}-method": "flare", f"s{gas}-lab_name": "改动"})
    assert response.status_code == 302
    db.session.expire_all()
    assert _source(_version_of(db), plant["sources"]["gas"]).method == "combustion"
