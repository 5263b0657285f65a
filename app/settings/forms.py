from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from app.settings.services import SPECS


def _select(key: str) -> SelectField:
    spec = SPECS[key]
    # The service checks the value (set_setting), so a refusal reads the same from any caller.
    return SelectField(spec.label, choices=[SelectChoice(value, label) for value, label in spec.choices], description=spec.help, validate_choice=False)


def _number(key: str) -> IntegerField:
    spec = SPECS[key]
    low, high = spec.bounds
    return IntegerField(spec.label, description=spec.help, validators=[InputRequired(), NumberRange(low, high)])


class CitySettingsForm(FlaskForm):
    gwp_set = _select("gwp_set")
    grid_series = _select("grid_series")
    include_ch4_n2o = BooleanField(SPECS["include_ch4_n2o"].label, description=SPECS["include_ch4_n2o"].help)
    filing_due_day = _number("filing_due_day")
    plausibility_change_percent = _number("plausibility_change_percent")

    offset_cap_percent = _number("offset_cap_percent")
    peer_min_group = _number("peer_min_group")
    peer_min_contributors = _number("peer_min_contributors")
    peer_dominance_percent = _number("peer_dominance_percent")
    certificate_auto_issue = _select("certificate_auto_issue")
    materiality_percent = _number("materiality_percent")
    materiality_large_percent = _number("materiality_large_percent")
    materiality_large_threshold_tco2e = _number("materiality_large_threshold_tco2e")

    setting_keys = ("gwp_set", "grid_series", "include_ch4_n2o", "filing_due_day", "plausibility_change_percent",
                    "offset_cap_percent", "peer_min_group", "peer_min_contributors", "peer_dominance_percent",
                    "certificate_auto_issue", "materiality_percent", "materiality_large_percent",
                    "materiality_large_threshold_tco2e")
