"""Registering enterprises: codes validated, messages beside the field, typed values kept."""
import pytest
from sqlalchemy import select

from app.organisations import credit_code, industries
from app.organisations.models import Organisation
from tests.conftest import login, post

VALID = "91350100M000100Y43"


def test_credit_code_check_character():
    assert credit_code.credit_code_error(VALID) is None
    assert credit_code.credit_code_error(VALID.lower()) is None  # normalised
    assert "check character" in credit_code.credit_code_error(VALID[:17] + "X")
    assert "18 characters" in credit_code.credit_code_error("9135")
    assert "capital letters" in credit_code.credit_code_error("91350100M000100I43")  # I is not allowed


def test_made_credit_codes_are_valid():
    for n in range(200):
        code = credit_code.make_credit_code("211102", f"{n:08d}")
        assert credit_code.credit_code_error(code) is None, code


@pytest.mark.parametrize("code,ok", [("C3011", True), ("c30", True), ("D4411", True), ("C3019", True),
                                     ("C", False), ("Z301", False), ("C99", False), ("3011", False)])
def test_industry_codes(code, ok):
    assert (industries.industry_code_error(code) is None) is ok


def test_industry_lineage_names_each_known_level():
    names = [i.name_zh for i in industries.lineage("C3011")]
    assert names == ["制造业", "非金属矿物制品业", "水泥、石灰和石膏制造", "水泥制造"]
    assert industries.describe("C3019").code == "C301"  # an unlisted class falls back to its group


FORM = {"name": "湾西水泥有限公司", "name_en": "Wanxi Cement Co., Ltd.", "credit_code": VALID,
        "industry_code": "C3011", "district": "湾西县", "address": "湾西县工业园 8 号", "contact_name": "周伟",
        "contact_phone": "0427-1234567", "contact_email": "zhou@wanxi-cement.example.com"}


def test_register_an_enterprise(client, regulator, db):
    login(client, regulator)
    response = post(client, "/organisations/new", FORM, token_from="/organisations/new")
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.credit_code == VALID))
    assert org.kind == "enterprise" and org.industry_code == "C3011" and org.district == "湾西县"
    assert response.headers["Location"] == f"/organisations/{org.id}/invite"
    from app.core.types import city_today

    today = city_today()  # it owes filings from the month after its registration
    assert org.first_reporting_month == today.replace(year=today.year + today.month // 12, month=today.month % 12 + 1,
                                                      day=1)


@pytest.mark.parametrize("field,value", [
    ("credit_code", "91350100M000100Y44"),
    ("credit_code", "12345"),
    ("industry_code", "C99"),
    ("contact_email", "not-an-email"),
    ("name", ""),
    ("district", ""),
])
def test_bad_input_is_reported_beside_the_field_and_typing_is_kept(client, regulator, db, field, value):
    login(client, regulator)
    response = post(client, "/organisations/new", {**FORM, field: value}, token_from="/organisations/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-field-error="{field}"' in page
    for other, typed in FORM.items():
        if other not in (field, "district"):
            assert typed in page, other
    assert db.session.scalar(select(Organisation).where(Organisation.name == FORM["name"])) is None


def test_duplicate_credit_code_is_refused(client, regulator, make_org):
    existing = make_org()
    login(client, regulator)
    response = post(client, "/organisations/new", {**FORM, "credit_code": existing.credit_code},
                    token_from="/organisations/new")
    assert 'data-field-error="credit_code"' in response.get_data(as_text=True)


def test_enterprise_admin_edits_own_profile_and_it_is_audited(client, make_org, make_user, db):
    from app.audit.models import AuditEvent

    org = make_org()
    admin = make_user(org, "enterprise_admin")
    login(client, admin)
    response = post(client, f"/organisations/{org.id}/edit",
                    {**FORM, "credit_code": org.credit_code, "name": "新名称有限公司"},
                    token_from=f"/organisations/{org.id}/edit")
    assert response.status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.updated"))
    assert event.detail["changes"]["name"][1] == "新名称有限公司" and event.actor_id == admin.id


def test_energy_manager_cannot_edit_the_profile(client, make_org, make_user):
    org = make_org()
    login(client, make_user(org, "energy_manager"))
    assert client.get(f"/organisations/{org.id}/edit").status_code == 403


def test_enterprise_list_filters(client, regulator, make_org):
    make_org(name="兴港热电", industry_code="D4412", district="兴港区")
    make_org(name="双河水泥", industry_code="C3011", district="双河区")
    login(client, regulator)
    page = client.get("/organisations/?division=D44").get_data(as_text=True)
    assert "兴港热电" in page and "双河水泥" not in page
    page = client.get("/organisations/?district=双河区").get_data(as_text=True)
    assert "双河水泥" in page and "兴港热电" not in page
    page = client.get("/organisations/?q=水泥").get_data(as_text=True)
    assert "双河水泥" in page and "兴港热电" not in page


def test_the_regulator_sets_the_reporting_months_with_a_reason(client, regulator, make_org, db):
    from datetime import date

    from app.audit.models import AuditEvent

    org = make_org()
    login(client, regulator)
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert f"/organisations/{org.id}/reporting-months" in page
    url = f"/organisations/{org.id}/reporting-months"
    refused = post(client, url, {"first": "2026-09", "last": "", "reason": ""}, token_from=url)
    assert refused.status_code == 200 and 'value="2026-09"' in refused.get_data(as_text=True)  # typing kept
    assert post(client, url, {"first": "2026-09", "last": "2026-08", "reason": "关闭"},
                token_from=url).status_code == 200  # the last before the first: refused beside the field
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).last_reporting_month is None
    response = post(client, url, {"first": "2026-09", "last": "", "reason": "自9月起列入重点排放单位名录"},
                    token_from=url)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Organisation, org.id)
    assert (saved.first_reporting_month, saved.last_reporting_month) == (date(2026, 9, 1), None)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.reporting_months_changed"))
    assert event.detail["reason"] == "自9月起列入重点排放单位名录" and event.actor_id == regulator.id
    assert "2026-09" in client.get(f"/organisations/{org.id}").get_data(as_text=True)


def test_an_enterprise_cannot_change_its_own_reporting_months(client, make_org, make_user, db):
    org = make_org()
    login(client, make_user(org, "enterprise_admin"))
    url = f"/organisations/{org.id}/reporting-months"
    assert client.get(url).status_code == 403
    assert post(client, url, {"first": "2030-01", "reason": "x"}, token_from=f"/organisations/{org.id}").status_code == 403
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).first_reporting_month is None
