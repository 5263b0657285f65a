"""City settings: the regulator and the platform admin change them, the authority's viewers read them."""
import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.settings.services import get_setting
from tests.conftest import post

SETTINGS = {"gwp_set": "AR5", "grid_series": "national_average", "filing_due_day": "15",
            "plausibility_change_percent": "50", "offset_cap_percent": "5", "peer_min_group": "5",
            "peer_min_contributors": "3", "peer_dominance_percent": "60", "certificate_auto_issue": "off",
            "materiality_percent": "5", "materiality_large_percent": "2", "materiality_large_threshold_tco2e": "500000"}


def _events(db):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "setting.changed")
                              .order_by(AuditEvent.seq)).all()


@pytest.mark.parametrize("role", ["regulator", "platform_admin"])
def test_regulator_changes_the_gwp_set(client, login_as, people, db, role):
    login_as(people[role])
    page = client.get("/settings/").get_data(as_text=True)
    assert 'data-testid="settings-form"' in page
    assert "Global warming potentials used to turn other gases into CO2e." in page or "全球增温潜势" in page

    response = post(client, "/settings/", {**SETTINGS, "gwp_set": "AR6"}, token_from="/settings/")
    assert response.status_code == 302
    with client.application.test_request_context():
        assert get_setting("gwp_set") == "AR6"
        assert get_setting("grid_series") == "national_average" and get_setting("include_ch4_n2o") is False
    (event,) = _events(db)
    assert event.actor_id == people[role].id
    assert event.detail == {"key": "gwp_set", "old": "AR5", "new": "AR6"}
    page = client.get("/settings/").get_data(as_text=True)
    assert "AR6" in page and "alert-success" in page  # the flash says what changed
    assert '<option selected value="AR6">' in page or 'value="AR6" selected' in page


def test_checkbox_and_series(client, login_as, people, db):
    login_as(people["regulator"])
    post(client, "/settings/", {**SETTINGS, "grid_series": "ets_compliance", "include_ch4_n2o": "y"},
         token_from="/settings/")
    with client.application.test_request_context():
        assert get_setting("grid_series") == "ets_compliance" and get_setting("include_ch4_n2o") is True
    assert {e.detail["key"] for e in _events(db)} == {"grid_series", "include_ch4_n2o"}
    post(client, "/settings/", {**SETTINGS, "grid_series": "ets_compliance"}, token_from="/settings/")
    with client.application.test_request_context():
        assert get_setting("include_ch4_n2o") is False


def test_saving_unchanged_settings_records_nothing(client, login_as, people, db):
    login_as(people["regulator"])
    response = post(client, "/settings/", SETTINGS, token_from="/settings/")
    assert response.status_code == 302
    assert _events(db) == []


@pytest.mark.parametrize("field, value", [("gwp_set", "AR7"), ("grid_series", "cheapest")])
def test_invalid_value_is_refused(client, login_as, people, db, field, value):
    login_as(people["regulator"])
    response = post(client, "/settings/", {**SETTINGS, "gwp_set": "AR6", field: value}, token_from="/settings/")
    assert response.status_code == 200
    assert f'data-field-error="{field}"' in response.get_data(as_text=True)
    with client.application.test_request_context():
        assert get_setting("gwp_set") == "AR5" and get_setting("grid_series") == "national_average"
    assert _events(db) == []  # nothing of the submission is kept, not even the valid part


def test_city_viewer_reads_but_cannot_change(client, login_as, people, db):
    login_as(people["city_viewer"])
    page = client.get("/settings/").get_data(as_text=True)
    assert 'data-testid="settings-readonly"' in page and 'data-testid="settings-form"' not in page
    assert "AR5" in page
    response = post(client, "/settings/", {**SETTINGS, "gwp_set": "AR6"}, token_from="/factors/")
    assert response.status_code == 403
    with client.application.test_request_context():
        assert get_setting("gwp_set") == "AR5"


@pytest.mark.parametrize("role", ["enterprise_admin", "energy_manager", "enterprise_viewer"])
def test_enterprise_users_cannot_use_the_settings_page(client, login_as, people, db, role):
    login_as(people[role])
    assert client.get("/settings/").status_code == 403
    response = post(client, "/settings/", {**SETTINGS, "gwp_set": "AR6"}, token_from="/")
    assert response.status_code == 403
    with client.application.test_request_context():
        assert get_setting("gwp_set") == "AR5"
    assert _events(db) == []
    # They see the settings in force where their numbers come from.
    assert 'data-testid="settings-in-force"' in client.get("/factors/").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/settings/").status_code == 302


def test_due_day_and_threshold(client, login_as, people):
    login_as(people["regulator"])
    response = post(client, "/settings/", {**SETTINGS, "filing_due_day": "31"}, token_from="/settings/")
    assert 'data-field-error="filing_due_day"' in response.get_data(as_text=True)
    post(client, "/settings/", {**SETTINGS, "filing_due_day": "10", "plausibility_change_percent": "30"},
         token_from="/settings/")
    from app.settings.services import get_setting

    assert get_setting("filing_due_day") == 10 and get_setting("plausibility_change_percent") == 30


def test_a_request_reads_the_stored_settings_once_and_sees_its_own_change(app, people, db):
    from sqlalchemy import event

    from app.settings.services import SPECS, set_setting
    from app.tenancy import scope_of

    statements = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context(), scope_of(people["regulator"]):
            values = {key: get_setting(key) for key in SPECS for _ in range(3)}
            assert values["filing_due_day"] == SPECS["filing_due_day"].default
            assert sum("city_settings" in s for s in statements) == 1  # not one per key, nor per call
            set_setting(people["regulator"], "filing_due_day", 20)
            assert get_setting("filing_due_day") == 20
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    with app.test_request_context():  # the next request reads the settings again
        assert get_setting("filing_due_day") == 20


C_AR_BAND = {"band_coal_c_ar__warn_low": "40", "band_coal_c_ar__warn_high": "75", "band_coal_c_ar__block_low": "30",
             "band_coal_c_ar__block_high": "80"}


def test_the_plausibility_bands_are_shown_with_their_units_and_edited(client, login_as, people, db):
    from app.settings.services import method_bands

    login_as(people["regulator"])
    page = client.get("/settings/").get_data(as_text=True)
    assert 'data-band="coal_c_ar"' in page and 'data-band="clinker_ef"' in page and "tCO2/t" in page
    assert 'name="band_coal_cc__block_high" type="text" value="0.035"' in page
    assert 'name="band_fcc_coke_feed__block_low" type="text" value=""' in page  # no lower limit
    response = post(client, "/settings/", {**SETTINGS, **C_AR_BAND, "band_coal_c_ar__warn_low": "42.5"},
                    token_from="/settings/")
    assert response.status_code == 302
    with client.application.test_request_context():
        assert get_setting("band_coal_c_ar") == {"warn_low": "42.5", "warn_high": "75", "block_low": "30",
                                                 "block_high": "80"}
        warn, block = method_bands()["coal_c_ar"]
        assert (warn.low, warn.high, block.low, block.high) == (42.5, 75, 30, 80)
    (event,) = _events(db)
    assert event.detail["key"] == "band_coal_c_ar" and event.detail["new"]["warn_low"] == "42.5"
    page = client.get("/settings/").get_data(as_text=True)
    assert "42.5–75 %" in page  # the flash reads the band with its unit


@pytest.mark.parametrize("change, field", [
    ({"band_coal_c_ar__warn_low": "25"}, "band_coal_c_ar__warn_low"),     # the warning band outside the block
    ({"band_coal_c_ar__warn_high": "35"}, "band_coal_c_ar__warn_high"),   # low above high
    ({"band_coal_c_ar__block_high": "80,5"}, "band_coal_c_ar__block_high"),  # a decimal comma
])
def test_a_band_that_makes_no_sense_is_refused_beside_its_field(client, login_as, people, db, change, field):
    login_as(people["regulator"])
    response = post(client, "/settings/", {**SETTINGS, **C_AR_BAND, **change}, token_from="/settings/")
    assert response.status_code == 200
    assert f'data-field-error="{field}"' in response.get_data(as_text=True)
    with client.application.test_request_context():
        assert get_setting("band_coal_c_ar")["warn_low"] == "40"
    assert _events(db) == []


def test_the_inventory_grid_region_is_a_setting(client, login_as, people, db):
    login_as(people["regulator"])
    page = client.get("/settings/").get_data(as_text=True)
    assert 'name="inventory_grid_region"' in page
    post(client, "/settings/", {**SETTINGS, "inventory_grid_region": "Northeast"}, token_from="/settings/")
    with client.application.test_request_context():
        assert get_setting("inventory_grid_region") == "Northeast"
    response = post(client, "/settings/", {**SETTINGS, "inventory_grid_region": "Atlantis"}, token_from="/settings/")
    assert response.status_code == 200 and 'data-field-error="inventory_grid_region"' in response.get_data(as_text=True)
