"""The enterprise's register: facilities, emission sources, products; who may read and change it."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounting import services
from app.accounting.models import EmissionFactor, EmissionSource, Facility, Product
from app.audit.models import AuditEvent
from app.filings.models import Filing, FilingLine
from tests.conftest import csrf_token, login, post

# The few library rows the tests need (the migration may have seeded them already).
FACTORS = (
    ("fuel", "diesel", None, "t", {"ncv": "43.33", "carbon_content": "0.0202", "oxidation_rate": "0.98"},
     "柴油", "Diesel"),
    ("fuel", "natural_gas", None, "10^4 Nm3", {"ncv": "389.31", "carbon_content": "0.01532", "oxidation_rate": "0.99"},
     "天然气", "Natural gas"),
    ("process", "limestone", None, "t", {"ef": "0.43971"}, "石灰石/方解石", "Limestone / calcite (CaCO3)"),
    ("gwp", "SF6", "AR5", "1", {"gwp": "23500"}, "", "SF6"),
)


@pytest.fixture
def factors(db):
    for kind, code, series, unit, values, name_zh, name_en in FACTORS:
        exists = db.session.scalar(select(EmissionFactor.id).where(EmissionFactor.kind == kind,
                                                                   EmissionFactor.code == code))
        if exists is None:
            db.session.add(EmissionFactor(kind=kind, code=code, series=series, version=1, unit=unit, values=values,
                                          valid_from=date(2000, 1, 1), name_zh=name_zh, name_en=name_en,
                                          source="test"))
    db.session.commit()


@pytest.fixture
def org(make_org):
    return make_org(name="甲水泥有限公司")


@pytest.fixture
def admin(org, make_user):
    return make_user(org, "enterprise_admin")


@pytest.fixture
def facility(db, org, admin, factors):
    facility = services.create_facility(admin, org, {"name": "一号厂区", "name_en": "Plant 1", "address": "兴港路1号"})
    db.session.commit()
    return facility


def _source_data(facility, **overrides):
    return {"facility_id": facility.id, "name": "2号锅炉", "category": "stationary_combustion", "material": "diesel",
            "activity_unit": "t", "covered": "y", **overrides}


@pytest.fixture
def source(db, org, admin, facility):
    source = services.create_source(admin, org, _source_data(facility))
    db.session.commit()
    return source


@pytest.fixture
def product(db, org, admin):
    product = services.create_product(admin, org, {"name": "水泥", "name_en": "Cement", "unit": "吨", "is_main": True})
    db.session.commit()
    return product


def _source(db, name):
    return db.session.scalar(select(EmissionSource).where(EmissionSource.name == name))


# --- the admin builds the register -----------------------------------------------------------------

def test_admin_creates_facility_and_sources_of_every_kind(client, db, org, admin, factors):
    login(client, admin)
    response = post(client, "/register/facilities/new", {"name": "一号厂区", "name_en": "Plant 1"},
                    token_from="/register/facilities/new")
    assert response.status_code == 302
    facility = db.session.scalar(select(Facility).where(Facility.name == "一号厂区"))
    assert facility.org_id == org.id and facility.active

    sources = [
        ("2号锅炉", "stationary_combustion", "diesel", "吨", {}, "t"),
        ("燃气锅炉", "stationary_combustion", "natural_gas", "万Nm³", {}, "10^4 Nm3"),
        ("叉车", "mobile_combustion", "diesel", "kg", {}, "kg"),
        ("窑线", "process", "limestone", "t", {}, "t"),
        ("开关柜", "fugitive", "SF6", "kg", {}, "kg"),
        ("外购电", "purchased_electricity", "electricity", "度", {}, "kWh"),
        ("外购蒸汽", "purchased_heat", "steam", "t", {}, "t"),
        ("余热外供", "exported_heat", "heat", "GJ", {}, "GJ"),
        ("差旅", "scope3", "", "t·km",
         {"material_text": "公路货运", "declared_factor": "0.000105", "declared_unit": "t·km",
          "declared_source": "供应商声明 2025"}, "t·km"),
    ]
    for name, category, material, unit, extra, _canonical in sources:
        response = post(client, f"/register/sources/new?facility_id={facility.id}",
                        {"facility_id": facility.id, "name": name, "category": category, "material": material,
                         "activity_unit": unit, "covered": "y", **extra},
                        token_from="/register/sources/new")
        assert response.status_code == 302, (name, response.get_data(as_text=True)[-3000:])
    for name, category, material, _unit, extra, canonical in sources:
        row = _source(db, name)
        assert (row.org_id, row.facility_id, row.category, row.activity_unit) == (org.id, facility.id, category,
                                                                                  canonical)
        assert row.material == (material or extra["material_text"])
    scope3 = _source(db, "差旅")
    assert scope3.declared_factor == Decimal("0.000105") and scope3.declared_source == "供应商声明 2025"
    assert _source(db, "2号锅炉").declared_factor is None

    page = client.get("/register/").get_data(as_text=True)
    for text in ("一号厂区", "固定源燃料燃烧（范围一）", "外购电力（范围二）", "柴油", "石灰石", "SF6", "10⁴ Nm³", "公路货运"):
        assert text in page, text
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.org_id == org.id)).all()
    assert actions.count("source.created") == len(sources) and "facility.created" in actions


def test_the_source_form_groups_materials_by_category(client, admin, facility):
    login(client, admin)
    page = client.get(f"/register/sources/new?facility_id={facility.id}").get_data(as_text=True)
    assert "<optgroup" in page
    assert 'data-categories="stationary_combustion mobile_combustion"' in page
    assert f'<option selected value="{facility.id}">' in page or f'value="{facility.id}" selected' in page
    assert "js/register.js" in page and "<script>" not in page


@pytest.mark.parametrize("material, unit", [("diesel", "MWh"), ("natural_gas", "m3"), ("diesel", "barrels")])
def test_unit_must_fit_the_material(client, db, admin, facility, material, unit):
    login(client, admin)
    response = post(client, "/register/sources/new", _source_data(facility, name="坏单位", material=material,
                                                                 activity_unit=unit),
                    token_from="/register/sources/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-field-error="activity_unit"' in page
    assert f'value="{unit}"' in page and 'value="坏单位"' in page  # what was typed is kept
    assert _source(db, "坏单位") is None


def test_material_must_belong_to_the_category(client, db, admin, facility):
    login(client, admin)
    response = post(client, "/register/sources/new",
                    _source_data(facility, name="错配", category="fugitive", material="diesel"),
                    token_from="/register/sources/new")
    assert 'data-field-error="material"' in response.get_data(as_text=True)
    response = post(client, "/register/sources/new",
                    _source_data(facility, name="错配", category="purchased_heat", material="electricity",
                                 activity_unit="GJ"),
                    token_from="/register/sources/new")
    assert 'data-field-error="material"' in response.get_data(as_text=True)
    assert _source(db, "错配") is None


def test_scope3_needs_its_declared_factor_and_others_refuse_one(client, db, admin, facility):
    login(client, admin)
    base = _source_data(facility, name="外购原料", category="scope3", material="", material_text="外购熟料",
                        activity_unit="t")
    for missing in ("declared_factor", "declared_unit", "declared_source"):
        data = {**base, "declared_factor": "0.86", "declared_unit": "t", "declared_source": "行业数据库 2024"}
        data[missing] = ""
        page = post(client, "/register/sources/new", data, token_from="/register/sources/new").get_data(as_text=True)
        assert f'data-field-error="{missing}"' in page, missing
        assert 'value="外购熟料"' in page
    for bad_factor in ("-1", "abc", "1e-12", "1e20"):
        bad = {**base, "declared_factor": bad_factor, "declared_unit": "t", "declared_source": "x"}
        page = post(client, "/register/sources/new", bad, token_from="/register/sources/new").get_data(as_text=True)
        assert 'data-field-error="declared_factor"' in page, bad_factor
    mismatched = {**base, "declared_factor": "0.86", "declared_unit": "MWh", "declared_source": "x"}
    assert 'data-field-error="declared_unit"' in post(client, "/register/sources/new", mismatched,
                                                      token_from="/register/sources/new").get_data(as_text=True)
    assert _source(db, "外购原料") is None

    diesel = _source_data(facility, name="带因子的柴油", declared_factor="3.1", declared_unit="t",
                          declared_source="自定")
    assert 'data-field-error="declared_factor"' in post(client, "/register/sources/new", diesel,
                                                        token_from="/register/sources/new").get_data(as_text=True)
    assert _source(db, "带因子的柴油") is None

    ok = {**base, "declared_factor": "0.86", "declared_unit": "吨", "declared_source": "行业数据库 2024"}
    assert post(client, "/register/sources/new", ok, token_from="/register/sources/new").status_code == 302
    assert _source(db, "外购原料").declared_unit == "t"


def test_editing_a_source_keeps_what_was_typed_on_error(client, db, admin, source):
    login(client, admin)
    page = client.get(f"/register/sources/{source.id}/edit").get_data(as_text=True)
    assert 'value="2号锅炉"' in page
    response = post(client, f"/register/sources/{source.id}/edit",
                    _source_data(source.facility, name="改名锅炉", activity_unit="GJ"),
                    token_from=f"/register/sources/{source.id}/edit")
    page = response.get_data(as_text=True)
    assert 'data-field-error="activity_unit"' in page and 'value="改名锅炉"' in page
    response = post(client, f"/register/sources/{source.id}/edit",
                    _source_data(source.facility, name="改名锅炉", activity_unit="kg", covered=""),
                    token_from=f"/register/sources/{source.id}/edit")
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(EmissionSource, source.id)
    assert (edited.name, edited.activity_unit, edited.covered) == ("改名锅炉", "kg", False)


def test_a_source_used_in_filings_keeps_its_category_and_material(client, db, org, admin, source):
    filing = Filing(org_id=org.id, period=date(2026, 1, 1))
    db.session.add(filing)
    db.session.flush()
    db.session.add(FilingLine(org_id=org.id, filing_id=filing.id, source_id=source.id, quantity=Decimal(1),
                              unit="t"))
    db.session.commit()
    login(client, admin)
    response = post(client, f"/register/sources/{source.id}/edit",
                    _source_data(source.facility, material="natural_gas", activity_unit="10^4 Nm3"),
                    token_from=f"/register/sources/{source.id}/edit")
    assert 'data-field-error="material"' in response.get_data(as_text=True)
    response = post(client, f"/register/sources/{source.id}/edit", _source_data(source.facility, name="新名字"),
                    token_from=f"/register/sources/{source.id}/edit")
    assert response.status_code == 302  # the name and the rest may change


# --- deactivating, never deleting --------------------------------------------------------------------

def test_deactivating_keeps_the_row_and_shows_it_inactive(client, db, admin, facility, source, product):
    login(client, admin)
    assert post(client, f"/register/sources/{source.id}/deactivate", token_from="/register/").status_code == 302
    db.session.expire_all()
    assert db.session.get(EmissionSource, source.id).active is False
    page = client.get("/register/").get_data(as_text=True)
    row = page.split(f'data-testid="source-{source.id}"')[1].split("</tr>")[0]
    assert "已停用" in row and "2号锅炉" in row and "重新启用" in row

    assert post(client, f"/register/sources/{source.id}/activate", token_from="/register/").status_code == 302
    db.session.expire_all()
    assert db.session.get(EmissionSource, source.id).active is True

    assert post(client, f"/register/products/{product.id}/deactivate", token_from="/register/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id).active is False

    # A facility takes its sources with it; they come back one by one, once the facility is back.
    assert post(client, f"/register/facilities/{facility.id}/deactivate", token_from="/register/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Facility, facility.id).active is False
    assert db.session.get(EmissionSource, source.id).active is False
    post(client, f"/register/sources/{source.id}/activate", token_from="/register/")
    db.session.expire_all()
    assert db.session.get(EmissionSource, source.id).active is False
    post(client, f"/register/facilities/{facility.id}/activate", token_from="/register/")
    post(client, f"/register/sources/{source.id}/activate", token_from="/register/")
    db.session.expire_all()
    assert db.session.get(EmissionSource, source.id).active is True
    assert db.session.scalar(select(func.count(EmissionSource.id))) == 1
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"source.deactivated", "source.activated", "facility.deactivated", "product.deactivated"} <= set(actions)


# --- products ------------------------------------------------------------------------------------------

def test_products_have_a_canonical_unit_and_one_main_product(client, db, org, admin, product):
    assert product.unit == "t" and product.is_main
    login(client, admin)
    response = post(client, "/register/products/new", {"name": "熟料", "unit": "箱"}, token_from="/register/products/new")
    page = response.get_data(as_text=True)
    assert 'data-field-error="unit"' in page and 'value="熟料"' in page
    response = post(client, "/register/products/new", {"name": "熟料", "name_en": "Clinker", "unit": "t",
                                                        "is_main": "y"}, token_from="/register/products/new")
    assert response.status_code == 302
    db.session.expire_all()
    main = db.session.scalars(select(Product.name).where(Product.is_main)).all()
    assert main == ["熟料"]
    response = post(client, f"/register/products/{product.id}/edit", {"name": "水泥", "unit": "吨", "is_main": "y"},
                    token_from=f"/register/products/{product.id}/edit")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Product.name).where(Product.is_main)).all() == ["水泥"]


def test_names_are_unique_where_it_matters(db, org, admin, facility, source):
    from app.core.service_error import ServiceError

    with pytest.raises(ServiceError) as e:
        services.create_facility(admin, org, {"name": "一号厂区"})
    assert e.value.field == "name"
    with pytest.raises(ServiceError):
        services.create_source(admin, org, _source_data(facility))


# --- who may read and write -----------------------------------------------------------------------------

def _write_requests(facility, source, product):
    gets = ["/register/facilities/new", f"/register/facilities/{facility.id}/edit", "/register/sources/new",
            f"/register/sources/{source.id}/edit", "/register/products/new", f"/register/products/{product.id}/edit"]
    posts = gets + [f"/register/{kind}/{obj.id}/{verb}" for kind, obj in
                    (("facilities", facility), ("sources", source), ("products", product))
                    for verb in ("deactivate", "activate")]
    return gets, posts


@pytest.mark.parametrize("role", ["energy_manager", "viewer"])
def test_energy_manager_and_viewer_read_but_cannot_write(client, db, org, make_user, facility, source, product, role):
    login(client, make_user(org, role))
    page = client.get("/register/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "2号锅炉" in body and "水泥" in body and 'data-testid="read-only"' in body
    assert "/register/facilities/new" not in body and "/edit" not in body
    token = csrf_token(client)
    gets, posts = _write_requests(facility, source, product)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"csrf_token": token, "name": "hijack"}).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(EmissionSource, source.id).active and db.session.get(Facility, facility.id).name == "一号厂区"


@pytest.mark.parametrize("role", ["regulator", "platform_admin", "viewer"])
def test_authority_reads_any_register_but_cannot_write(client, db, authority, make_user, org, facility, source,
                                                       product, role):
    login(client, make_user(authority, role))
    response = client.get(f"/register/org/{org.id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "甲水泥有限公司" in body and "2号锅炉" in body and "水泥" in body and "/edit" not in body
    assert client.get("/register/").status_code == 302  # the authority has no register of its own
    assert client.get(f"/register/org/{authority.id}").status_code == 404
    token = csrf_token(client)
    gets, posts = _write_requests(facility, source, product)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={"csrf_token": token, "name": "hijack"}).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(EmissionSource, source.id).active


def test_enterprise_users_have_only_their_own_register(app, client, make_org, make_user, org, admin, facility):
    other = make_org(name="乙化工有限公司")
    login(client, make_user(org, "viewer"))
    assert client.get(f"/register/org/{org.id}").status_code == 302
    assert client.get(f"/register/org/{other.id}").status_code == 404
    admin_client = app.test_client()
    login(admin_client, admin)
    assert admin_client.get(f"/register/org/{org.id}").status_code == 403


def test_enterprise_a_cannot_reach_b_objects(client, db, make_org, make_user, admin, factors):
    b = make_org(name="乙化工有限公司")
    b_admin = make_user(b, "enterprise_admin")
    facility_b = services.create_facility(b_admin, b, {"name": "乙秘密厂区"})
    db.session.flush()
    source_b = services.create_source(b_admin, b, _source_data(facility_b, name="乙秘密锅炉"))
    product_b = services.create_product(b_admin, b, {"name": "乙秘密产品", "unit": "t"})
    db.session.commit()

    login(client, admin)
    token = csrf_token(client, "/register/")
    gets, posts = _write_requests(facility_b, source_b, product_b)
    for url in [u for u in gets if "/new" not in u]:
        assert client.get(url).status_code == 404, url
    for url in [u for u in posts if "/new" not in u]:
        assert client.post(url, data={"csrf_token": token, "name": "hijack"}).status_code == 404, url
    for secret in ("乙秘密厂区", "乙秘密锅炉", "乙秘密产品"):
        assert secret not in client.get("/register/").get_data(as_text=True)
    assert "乙秘密厂区" not in client.get(f"/register/sources/new?facility_id={facility_b.id}").get_data(as_text=True)
    # Naming B's facility in the form does not put a source there.
    response = post(client, "/register/sources/new", _source_data(facility_b, name="偷渡"),
                    token_from="/register/sources/new")
    assert 'data-field-error="facility_id"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert _source(db, "偷渡") is None
    assert db.session.get(Facility, facility_b.id).name == "乙秘密厂区"
    assert db.session.get(EmissionSource, source_b.id).active and db.session.get(Product, product_b.id).active


def test_nav_links_the_register_for_enterprise_users(client, org, make_user):
    login(client, make_user(org, "energy_manager"))
    assert 'href="/register/"' in client.get("/").get_data(as_text=True)


def test_a_filed_source_keeps_its_category_and_material(db, org, admin, source):
    """The register asks through a signal (accounting.signals.source_in_use) and filings answer: a filed month
    is recalculated from the source's material, so it can no longer change; its name still can."""
    from app.core.service_error import ServiceError
    from app.filings.models import Filing, FilingLine

    changed = _source_data(source.facility, material="natural_gas", activity_unit="10^4 Nm3")
    filing = Filing(org_id=org.id, period=date(2026, 3, 1))
    db.session.add(filing)
    db.session.flush()
    db.session.add(FilingLine(org_id=org.id, filing_id=filing.id, source_id=source.id, quantity=1, unit="t"))
    db.session.flush()
    with pytest.raises(ServiceError) as refused:
        services.update_source(admin, org, source, changed)
    assert refused.value.field == "material"
    services.update_source(admin, org, source, _source_data(source.facility, name="2号锅炉（改）"))
    assert source.name == "2号锅炉（改）"
    db.session.rollback()


def test_an_unfiled_source_may_change_its_material(db, org, admin, source):
    services.update_source(admin, org, source, _source_data(source.facility, material="natural_gas",
                                                            activity_unit="10^4 Nm3"))
    assert source.material == "natural_gas"
    db.session.rollback()


def test_the_source_form_sets_the_months_in_service(client, db, admin, source):
    login(client, admin)
    url = f"/register/sources/{source.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="commissioned_month"' in page and 'type="month"' in page
    form = {**_source_data(source.facility), "commissioned_month": "2025-04", "decommissioned_month": "2025-03"}
    refused = post(client, url, form, token_from=url)
    assert refused.status_code == 200 and 'value="2025-04"' in refused.get_data(as_text=True)  # typing kept
    assert post(client, url, {**form, "decommissioned_month": ""}, token_from=url).status_code == 302
    db.session.expire_all()
    saved = db.session.get(EmissionSource, source.id)
    assert (saved.commissioned_month, saved.decommissioned_month) == (date(2025, 4, 1), None)
