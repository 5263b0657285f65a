"""The factor library: everyone signed in reads it with its citations; the regulator publishes new versions."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.accounting.library import seed_factors
from app.accounting.models import EmissionFactor
from app.audit.models import AuditEvent
from app.core.service_error import ServiceError
from app.factors import services
from tests.conftest import login, post

NG_SOURCE = "NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines"
NG_CITATION = "低位发热量：GB/T 2589 附录A；单位热值含碳量和碳氧化率：国家各行业企业温室气体排放核算方法与报告指南"


def _v1(db, kind, code, series=None, data_year=None):
    return db.session.scalar(select(EmissionFactor).where(
        EmissionFactor.kind == kind, EmissionFactor.code == code, EmissionFactor.version == 1,
        EmissionFactor.series.is_(None) if series is None else EmissionFactor.series == series,
        EmissionFactor.data_year.is_(None) if data_year is None else EmissionFactor.data_year == data_year))


@pytest.fixture
def add_factor(db):
    """Version 1 of a factor: the migration's seed row when the test database has it, else a new row."""
    def add(**fields):
        row = _v1(db, fields["kind"], fields["code"], fields.get("series"), fields.get("data_year"))
        if row is None:
            row = EmissionFactor(**{"version": 1, "valid_from": date(2000, 1, 1), "status": "verified", **fields})
            db.session.add(row)
            db.session.commit()
        assert row.values == fields["values"]
        return row

    return add


@pytest.fixture
def natural_gas(add_factor):
    return add_factor(kind="fuel", code="natural_gas", unit="10^4 Nm3", name_zh="天然气", name_en="Natural gas",
                      values={"ncv": "389.31", "carbon_content": "0.0153", "oxidation_rate": "0.99"},
                      source=NG_SOURCE)


@pytest.fixture
def grid_2022(add_factor):
    return add_factor(kind="electricity", code="China", series="national_average", data_year=2022, unit="MWh",
                      values={"ef": "0.5366"}, source="MEE/NBS announcement (20 Dec 2024)",
                      name_en="China grid, national average, 2022")


@pytest.fixture
def library(db):
    """The whole seeded library (every kind), as the migration loads it."""
    for f in seed_factors():
        if _v1(db, f.kind, f.code, f.series, f.data_year) is None:
            db.session.add(EmissionFactor(
                kind=f.kind, code=f.code, series=f.series, data_year=f.data_year, version=f.version, unit=f.unit,
                values={k: str(v) for k, v in f.values.items()}, valid_from=f.valid_from, valid_to=f.valid_to,
                name_zh=f.name_zh, name_en=f.name_en, status=f.status, source=f.source))
    db.session.commit()


def _count(db, model=EmissionFactor):
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


def _publish_data(**overrides):
    return {"ncv": "390.1", "carbon_content": "0.0153", "oxidation_rate": "0.99", "valid_from": "2026-01-01",
            "valid_to": "", "status": "confirmed", "source": "GB/T 2589-2020 Appendix A (revised)",
            "note": "New NCV from the revised standard", **overrides}


def _versions(db, kind="fuel", code="natural_gas"):
    db.session.expire_all()
    return db.session.scalars(select(EmissionFactor).where(EmissionFactor.kind == kind, EmissionFactor.code == code)
                              .order_by(EmissionFactor.version)).all()


# --- reading ----------------------------------------------------------------------------------------

def test_derived_fuel_factor_to_six_decimals():
    assert services.fuel_tco2_per_unit({"ncv": "389.31", "carbon_content": "0.0153", "oxidation_rate": "0.99"}) \
        == Decimal("21.621888")
    assert services.fuel_tco2_per_unit({"ncv": "42.652", "carbon_content": "0.0202", "oxidation_rate": "0.98"}) \
        == Decimal("3.095910")


@pytest.mark.parametrize("role", ["energy_manager", "enterprise_admin", "enterprise_viewer", "city_viewer",
                                  "regulator"])
def test_list_shows_fuel_with_derived_factor_and_citation(client, login_as, people, natural_gas, grid_2022, role):
    login_as(people[role])
    page = client.get("/factors/").get_data(as_text=True)
    row = page.split('data-testid="factor-row-fuel-natural_gas"')[1].split("</tr>")[0]
    assert "天然气" in row and "389.31" in row and "0.0153" in row and "0.99" in row
    assert "21.621888" in row and "10⁴ Nm³" in row
    assert NG_CITATION in row and "v1" in row and "2000-01-01" in row
    assert "0.5366" in page and "生态环境部、国家统计局公告（2024年12月20日）" in page
    assert f'href="/factors/{natural_gas.id}"' in row


def test_list_renders_every_kind_of_the_seeded_library(client, login_as, people, library):
    login_as(people["energy_manager"])
    page = client.get("/factors/").get_data(as_text=True)
    for kind in ("fuel", "electricity", "heat", "process", "gwp", "steam_conversion", "combustion_non_co2"):
        assert f'data-testid="factors-{kind}"' in page, kind
    gwp = page.split('data-testid="factor-row-gwp-SF6"')[1].split("</tr>")[0]
    assert all(v in gwp for v in ("23900", "22800", "23500", "25200"))
    assert "IPCC第六次评估报告（2021年）" in page.split('data-testid="gwp-sources"')[1]  # each set's citation
    assert "83.74" in page and "4.1868" in page  # steam conversion constants
    assert "0.5703" in page  # the ETS compliance factor
    assert 'data-testid="settings-in-force"' in page and "AR5" in page
    assert 'data-testid="publish-grid-year"' not in page and "发布新" not in page  # no publish button for an enterprise


def test_factor_page_shows_setting_values_and_readable_statuses_and_citations(client, login_as, people, library,
                                                                              db):
    """Issue 16 (language): numeric settings show their value and unit, not "是"; the status and citation columns
    show translated statuses and proper citations, never the transcriber's notes or paths to reference files."""
    from app.settings.services import set_setting
    set_setting(people["regulator"], "offset_cap_percent", 8)
    db.session.commit()
    user = people["energy_manager"]
    login_as(user)
    for locale, expected in (
            ("zh", ["次月 15 日", "8%", "5 家企业", "500,000 tCO2e", "已按公开发布的原文核实", "部分已核实",
                    "待按原文核实", "各文献表格数值不一", "指南缺省值", "生态环境部、国家统计局公告2024年第12号",
                    "化学计量比（《2006年IPCC国家温室气体清单指南》第3卷表2.1）"]),
            ("en", ["day 15 of the following month", "8%", "5 enterprises", "500,000 tCO2e",
                    "Confirmed against the published source", "Partly confirmed", "To be confirmed from the primary",
                    "Published tables differ", "Guideline default value",
                    "Ministry of Ecology and Environment and National Bureau of Statistics announcement 2024 No. 12",
                    "IPCC Sixth Assessment Report (2021)"])):
        user.locale = locale
        db.session.commit()
        page = client.get("/factors/").get_data(as_text=True)
        settings = page.split('data-testid="settings-in-force"')[1].split("</dl>")[0]
        assert ">是<" not in settings and ">Yes<" not in settings  # no numeric setting reads as a yes
        for text in expected:
            assert text in page, (locale, text)
        for note in ("unverified", "shared/reference", "worked-examples.md", "gwp.csv", "to confirm", "CC/OF",
                     "tables differ (NCV", "MEE/NBS announcement"):
            assert note not in page, (locale, note)


def test_publishing_offers_the_status_vocabulary_and_the_shown_citation(client, login_as, people, natural_gas, db):
    """The new-version form starts from the seeded row's status (as a choice) and its citation as shown; sent back
    unchanged it is the same version, not a new one that only rewrites the notes."""
    login_as(people["regulator"])
    url = f"/factors/{natural_gas.id}/new-version"
    form = client.get(url).get_data(as_text=True)
    assert '<option selected value="confirmed">' in form and NG_CITATION in form and NG_SOURCE not in form
    response = post(client, url, _publish_data(ncv="389.31", valid_from="2000-01-01", source=NG_CITATION,
                                               status="confirmed"), token_from=url)
    assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)
    response = post(client, url, _publish_data(status="to_confirm"), token_from=url)
    assert response.status_code == 302
    assert _versions(db)[-1].status == "to_confirm"
    assert "待按原文核实" in client.get(f"/factors/{natural_gas.id}").get_data(as_text=True)


def test_english_page_uses_english_names(client, login_as, people, natural_gas):
    user = people["energy_manager"]
    login_as(user)
    post(client, "/language", {"locale": "en", "next": "/factors/"})
    page = client.get("/factors/").get_data(as_text=True)
    assert "Natural gas" in page and "Factor library" in page


def test_anonymous_is_sent_to_sign_in(client, natural_gas):
    assert client.get("/factors/").status_code == 302
    assert client.get(f"/factors/{natural_gas.id}").status_code == 302


def test_missing_factor_is_404(client, login_as, people):
    login_as(people["energy_manager"])
    assert client.get("/factors/999999").status_code == 404


# --- publishing a new version -------------------------------------------------------------------------

def test_regulator_publishes_a_new_version(client, login_as, people, natural_gas, db):
    login_as(people["regulator"])
    form = client.get(f"/factors/{natural_gas.id}/new-version").get_data(as_text=True)
    assert 'value="389.31"' in form and 'value="0.0153"' in form and 'value="0.99"' in form  # pre-filled
    assert 'data-testid="publish-notice"' in form

    response = post(client, f"/factors/{natural_gas.id}/new-version", _publish_data(),
                    token_from=f"/factors/{natural_gas.id}/new-version")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    v1, v2 = _versions(db)
    assert (v1.version, v2.version) == (1, 2)
    assert v1.values == {"ncv": "389.31", "carbon_content": "0.0153", "oxidation_rate": "0.99"}  # untouched
    assert v1.source == NG_SOURCE and v1.valid_from == date(2000, 1, 1) and v1.published_by_id is None
    assert v2.values == {"ncv": "390.1", "carbon_content": "0.0153", "oxidation_rate": "0.99"}
    assert v2.valid_from == date(2026, 1, 1) and v2.valid_to is None
    assert v2.source == "GB/T 2589-2020 Appendix A (revised)" and v2.note == "New NCV from the revised standard"
    assert v2.published_by_id == people["regulator"].id and v2.published_at is not None
    assert (v2.kind, v2.code, v2.series, v2.data_year, v2.unit, v2.name_zh) == \
        ("fuel", "natural_gas", None, None, "10^4 Nm3", "天然气")
    assert response.headers["Location"].endswith(f"/factors/{v2.id}")

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "factor.published")).one()
    assert event.actor_id == people["regulator"].id and event.object_id == v2.id
    assert event.detail["version"] == 2 and event.detail["previous_version"] == 1
    assert event.detail["changes"]["ncv"] == ["389.31", "390.1"]
    assert event.detail["changes"]["carbon_content"] == ["0.0153", "0.0153"]

    history = client.get(f"/factors/{natural_gas.id}").get_data(as_text=True)
    assert 'data-testid="factor-version-2"' in history and 'data-testid="factor-version-1"' in history
    assert history.index("factor-version-2") < history.index("factor-version-1")  # newest first
    assert "390.1" in history and "389.31" in history and NG_CITATION in history
    assert "New NCV from the revised standard" in history and people["regulator"].name in history
    assert "21.621888" in history  # v1's derived factor

    # The list now shows version 2, and the history is the same from either version's id.
    page = client.get("/factors/").get_data(as_text=True)
    row = page.split('data-testid="factor-row-fuel-natural_gas"')[1].split("</tr>")[0]
    assert "v2" in row and "390.1" in row and "389.31" not in row
    assert client.get(f"/factors/{v2.id}").get_data(as_text=True).count("factor-version-") >= 2


def test_a_third_version_from_an_old_version_page(app, people, natural_gas, db):
    with app.test_request_context():
        v2 = services.publish_version(people["platform_admin"], natural_gas, {
            "ncv": Decimal(390), "carbon_content": Decimal("0.0153"), "oxidation_rate": Decimal("0.99")},
            date(2025, 1, 1), None, "cite 2", "verified", None)
        v3 = services.publish_version(people["platform_admin"], natural_gas, {
            "ncv": Decimal(391), "carbon_content": Decimal("0.0153"), "oxidation_rate": Decimal("0.99")},
            date(2026, 1, 1), date(2026, 12, 31), "cite 3", "verified", "why")
        db.session.commit()
    assert (v2.version, v3.version) == (2, 3)
    assert [v.values["ncv"] for v in _versions(db)] == ["389.31", "390", "391"]


@pytest.mark.parametrize("changes, field, message", [
    ({"ncv": "-389.31"}, "ncv", "大于零"),
    ({"carbon_content": "0"}, "carbon_content", "大于零"),
    ({"oxidation_rate": "1.5"}, "oxidation_rate", "氧化率"),
    ({"source": ""}, "source", "来源"),
    ({"source": "   "}, "source", "来源"),
    ({"valid_from": "2026-06-01", "valid_to": "2026-01-01"}, "valid_to", "晚于"),
    ({"valid_from": ""}, "valid_from", ""),
    ({"ncv": "abc"}, "ncv", ""),
])
def test_bad_input_is_shown_beside_the_field_and_kept(client, login_as, people, natural_gas, db, changes, field,
                                                      message):
    login_as(people["regulator"])
    url = f"/factors/{natural_gas.id}/new-version"
    data = _publish_data(**changes)
    response = post(client, url, data, token_from=url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    error = page.split(f'data-field-error="{field}"')
    assert len(error) == 2, (field, page[:5000])
    assert message in error[1].split("</div>")[0]
    # What was typed is still there.
    for name in ("ncv", "carbon_content", "oxidation_rate", "source"):
        if data[name].strip():
            assert f'value="{data[name]}"' in page, name
    assert len(_versions(db)) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "factor.published")) == 0


def test_identical_version_is_refused(client, login_as, people, natural_gas, db):
    login_as(people["regulator"])
    url = f"/factors/{natural_gas.id}/new-version"
    response = post(client, url, _publish_data(ncv="389.310", valid_from="2000-01-01", source=NG_SOURCE,
                                               status="confirmed"), token_from=url)
    assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)
    assert len(_versions(db)) == 1


def test_service_validates_values(app, people, natural_gas):
    good = {"ncv": Decimal(389), "carbon_content": Decimal("0.0153"), "oxidation_rate": Decimal(1)}
    with app.test_request_context():
        for values, field in ((dict(good, oxidation_rate=Decimal("1.01")), "oxidation_rate"),
                              (dict(good, ncv=Decimal("NaN")), "ncv"),
                              (dict(good, ncv=Decimal("Infinity")), "ncv"),
                              (dict(good, ncv=None), "ncv")):
            with pytest.raises(ServiceError) as e:
                services.publish_version(people["regulator"], natural_gas, values, date(2026, 1, 1), None, "c", "",
                                         None)
            assert e.value.field == field
        with pytest.raises(ServiceError):  # not the same keys as the current version
            services.publish_version(people["regulator"], natural_gas, {"ef": Decimal(1)}, date(2026, 1, 1), None,
                                     "c", "", None)
        row = services.publish_version(people["regulator"], natural_gas, good, date(2026, 1, 1), None, "c", "",
                                       None)
        assert row.values["oxidation_rate"] == "1"  # exactly 1 is allowed


def test_gwp_must_be_positive(app, people, add_factor):
    sf6 = add_factor(kind="gwp", code="SF6", series="AR5", unit="1", values={"gwp": "23500"}, source="IPCC AR5")
    with app.test_request_context():
        with pytest.raises(ServiceError) as e:
            services.publish_version(people["regulator"], sf6, {"gwp": Decimal(0)}, date(2026, 1, 1), None, "c",
                                     "", None)
        assert e.value.field == "gwp"


# --- publishing a new grid year ------------------------------------------------------------------------

def test_regulator_publishes_a_new_grid_year(client, login_as, people, grid_2022, db):
    with client.application.app_context():
        year = services.latest_grid_year() + 1  # the year after the latest in the library
    login_as(people["platform_admin"])
    url = "/factors/electricity/new"
    form = client.get(url).get_data(as_text=True)
    assert f'value="{year}"' in form and 'value="China"' in form and 'data-testid="publish-notice"' in form
    response = post(client, url, {"series": "national_average", "code": "China", "data_year": str(year),
                                  "ef": "0.5206", "valid_from": "", "valid_to": "", "status": "confirmed",
                                  "source": "MEE/NBS announcement (test)", "note": ""}, token_from=url)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    row = db.session.scalars(select(EmissionFactor).where(EmissionFactor.data_year == year,
                                                          EmissionFactor.series == "national_average")).one()
    assert (row.kind, row.code, row.series, row.version, row.unit) == ("electricity", "China", "national_average",
                                                                     1, "MWh")
    assert row.values == {"ef": "0.5206"} and row.valid_from == date(year, 1, 1)
    assert row.published_by_id == people["platform_admin"].id
    assert db.session.get(EmissionFactor, grid_2022.id).values == {"ef": "0.5366"}
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "factor.published")) == 1
    assert "0.5206" in client.get("/factors/").get_data(as_text=True)

    # The same year again is refused beside the data year: that is a new version of the existing one.
    response = post(client, url, {"series": "national_average", "code": "China", "data_year": str(year),
                                  "ef": "0.53", "source": "x"}, token_from=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-field-error="data_year"' in page and 'value="0.53"' in page


@pytest.mark.parametrize("changes, field", [
    ({"ef": "-0.5"}, "ef"), ({"source": ""}, "source"), ({"series": "made_up"}, "series"),
    ({"data_year": "1800"}, "data_year"), ({"valid_from": "2024-05-01", "valid_to": "2024-01-01"}, "valid_to"),
])
def test_grid_year_bad_input(client, login_as, people, db, changes, field):
    login_as(people["regulator"])
    url = "/factors/electricity/new"
    data = {"series": "ets_compliance", "code": "China", "data_year": "2031", "ef": "0.55", "source": "MEE", **changes}
    before = _count(db)
    response = post(client, url, data, token_from=url)
    assert response.status_code == 200 and f'data-field-error="{field}"' in response.get_data(as_text=True)
    assert _count(db) == before


# --- who may publish ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["enterprise_admin", "energy_manager", "enterprise_viewer", "city_viewer"])
def test_only_regulator_and_admin_publish(client, login_as, people, natural_gas, db, role):
    before = _count(db)
    login_as(people[role])
    assert client.get(f"/factors/{natural_gas.id}").status_code == 200  # reading is fine
    page = client.get(f"/factors/{natural_gas.id}").get_data(as_text=True)
    assert "/new-version" not in page
    for url in (f"/factors/{natural_gas.id}/new-version", "/factors/electricity/new"):
        assert client.get(url).status_code == 403
        response = post(client, url, {**_publish_data(), "series": "national_average", "code": "China",
                                      "data_year": "2030", "ef": "0.5"}, token_from="/")
        assert response.status_code == 403
    assert len(_versions(db)) == 1
    assert _count(db) == before
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "factor.published")) == 0


def test_nav_links(app, client, login_as, people):
    login_as(people["energy_manager"])
    page = client.get("/").get_data(as_text=True)
    assert 'href="/factors/"' in page and 'href="/settings/"' not in page
    regulator = app.test_client()
    login(regulator, people["regulator"])
    page = regulator.get("/").get_data(as_text=True)
    assert 'href="/factors/"' in page and 'href="/settings/"' in page


def test_a_version_taken_meanwhile_is_a_clear_refusal(app, people, grid_2022, db):
    """Two publishers of the same new grid year: the unique key refuses the second, with a message."""
    with app.test_request_context():
        duplicate = EmissionFactor(kind="electricity", code="China", series="national_average", data_year=2022,
                                   version=1, unit="MWh", values={"ef": "0.5"}, valid_from=date(2022, 1, 1),
                                   source="x")
        with pytest.raises(ServiceError) as e:
            services._insert(duplicate)
        assert "同时发布" in str(e.value.message)
        db.session.rollback()  # what the request's edge does with a refusal
    assert db.session.get(EmissionFactor, grid_2022.id).values == {"ef": "0.5366"}


def test_the_migrations_sf6_correction_reads_in_the_readers_language(client, login_as, people, db):
    """Migration 0012's version of SF6 (AR6): its citation and note are translated like the seeded rows'."""
    sf6 = db.session.scalar(select(EmissionFactor).where(
        EmissionFactor.kind == "gwp", EmissionFactor.code == "SF6", EmissionFactor.series == "AR6",
        EmissionFactor.version == 2))
    if sf6 is None:
        pytest.skip("the test database has no migrated library")
    user = people["energy_manager"]
    login_as(user)
    page = client.get(f"/factors/{sf6.id}").get_data(as_text=True)
    assert "IPCC第六次评估报告（2021年）第一工作组报告表7.15" in page and "更正了 24,300" in page
    assert "IPCC AR6 WG1" not in page and "seeded from" not in page
    user.locale = "en"
    db.session.commit()
    page = client.get(f"/factors/{sf6.id}").get_data(as_text=True)
    assert "IPCC Sixth Assessment Report (2021)" in page and "first loaded from" in page
