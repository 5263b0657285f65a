from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from app.settings.services import BAND_SIDES, SPECS


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
    inventory_grid_region = _select("inventory_grid_region")
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

    setting_keys = ("gwp_set", "grid_series", "inventory_grid_region", "include_ch4_n2o", "filing_due_day", "plausibility_change_percent",
                    "offset_cap_percent", "peer_min_group", "peer_min_contributors", "peer_dominance_percent",
                    "certificate_auto_issue", "materiality_percent", "materiality_large_percent",
                    "materiality_large_threshold_tco2e")

    band_keys = tuple(key for key, spec in SPECS.items() if spec.band is not None)

    def band_value(self, key: str) -> dict | None:
        """A band's four limits as typed ('' for no limit; the service checks them, set_setting); None when the
        request did not send the band at all (an older page), which leaves it as it is."""
        fields = [self[f"{key}__{side}"] for side in BAND_SIDES]
        if not any(f.raw_data for f in fields):
            return None
        return {side: f.data or "" for side, f in zip(BAND_SIDES, fields, strict=True)}

    @staticmethod
    def data_of(values: dict) -> dict:
        """The stored settings as the form's fields: a band's sides flattened to `<key>__<side>`."""
        data = dict(values)
        for key in CitySettingsForm.band_keys:
            for side in BAND_SIDES:
                data[f"{key}__{side}"] = values[key].get(side) or ""
        return data


# A band's limits are typed as text: a decimal (parse_decimal in the service), empty for no limit on that side.
for _key in CitySettingsForm.band_keys:
    for _side in BAND_SIDES:
        setattr(CitySettingsForm, f"{_key}__{_side}", StringField(_side))
