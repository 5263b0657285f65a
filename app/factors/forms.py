from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.accounting.factor_texts import STATUS_LABELS
from app.factors.services import value_label, value_unit

_SOURCE_HELP = _l("Publication, table and date, e.g. MEE/NBS announcement 2024 No. 12. Shown to every enterprise.")
_STATUS_HELP = _l("How far the values are checked against the published source.")


def _status_field() -> SelectField:
    """A status from the library's vocabulary, shown in each reader's language."""
    return SelectField(_l("Status"), choices=[("", "—"), *STATUS_LABELS.items()], default="",
                       description=_STATUS_HELP)


class _PublishFields(FlaskForm):
    valid_from = DateField(_l("Valid from"), validators=[InputRequired()])
    valid_to = DateField(_l("Valid until"), validators=[Optional()],
                         description=_l("Leave empty while it stays in force."))
    status = _status_field()
    source = StringField(_l("Source (citation)"),
                         validators=[InputRequired(message=_l("Cite the source of these values (publication, "
                                                              "table, date).")), Length(max=500)],
                         description=_SOURCE_HELP)
    note = TextAreaField(_l("Why a new version"), validators=[Optional(), Length(max=2000)],
                         description=_l("Kept with the version and in the audit trail."), render_kw={"rows": 3})


def _value_field(key: str, unit: str) -> DecimalField:
    label = value_label(key) + (f" ({value_unit(key, unit)})" if value_unit(key, unit) else "")
    # places=None shows the value as stored (0.0153, not 0.02); the service checks the range.
    return DecimalField(label, places=None, validators=[InputRequired()])


def publish_form(keys: list[str], unit: str, **kwargs):
    """The form for a new version of a factor: one decimal field per value of the current version."""
    fields = {}
    for key in keys:
        if hasattr(_PublishFields, key):  # a value may never shadow a form attribute
            raise ValueError(f"factor value {key!r} clashes with the form")
        fields[key] = _value_field(key, unit)
    form_class = type("PublishVersionForm", (_PublishFields,), fields)
    form = form_class(**kwargs)
    form.value_keys = keys
    return form


class GridYearForm(FlaskForm):
    series = SelectField(_l("Series"), validators=[InputRequired()], validate_choice=False)
    # The national grid or one of the regional grids (services.REGION_LABELS, set by the view).
    code = SelectField(_l("Grid region"), default="China", validators=[InputRequired()])
    data_year = IntegerField(_l("Data year"), validators=[InputRequired()],
                             description=_l("The year the factor describes, not the year it was announced."))
    ef = DecimalField(_l("Emission factor (tCO2/MWh)"), places=None, validators=[InputRequired()])
    valid_from = DateField(_l("Valid from"), validators=[Optional()],
                           description=_l("Leave empty to apply it from 1 January of the data year."))
    valid_to = DateField(_l("Valid until"), validators=[Optional()],
                         description=_l("Leave empty while it stays in force."))
    status = _status_field()
    source = StringField(_l("Source (citation)"),
                         validators=[InputRequired(message=_l("Cite the source of these values (publication, "
                                                              "table, date).")), Length(max=500)],
                         description=_SOURCE_HELP)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})


class FuelForm(FlaskForm):
    """A new fuel (version 1). Numbers are text here: the service parses and checks them, and an error keeps them."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=59)],
                       description=_l("Lower-case Latin letters, digits and underscores. Sources store it; it never "
                                      "changes."))
    name_zh = StringField(_l("Name (Chinese)"), validators=[InputRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[InputRequired(), Length(max=100)])
    unit = SelectField(_l("Activity unit"), choices=[SelectChoice("t", _l("t (solid and liquid fuels)")),
                                                    SelectChoice("10^4 Nm3", _l("10⁴ Nm³ (gaseous fuels)"))],
                       validate_choice=False)  # the service checks it
    ncv = StringField(_l("Net calorific value (GJ per activity unit)"), validators=[InputRequired()])
    carbon_content = StringField(_l("Carbon content (tC/GJ)"), validators=[InputRequired()])
    oxidation_rate = StringField(_l("Oxidation rate"), validators=[InputRequired()],
                                 description=_l("A fraction, e.g. 0.98."))
    valid_from = DateField(_l("Valid from"), validators=[Optional()],
                           description=_l("The first month it may be filed for; leave empty to apply it to every "
                                          "month since 2000, like the rest of the library."))
    status = SelectField(_l("Status"), choices=[SelectChoice("", "—"),
                                                *(SelectChoice(k, v) for k, v in STATUS_LABELS.items())],
                         default="", validate_choice=False, description=_STATUS_HELP)
    source = StringField(_l("Source (citation)"),
                         validators=[InputRequired(message=_l("Cite the source of these values (publication, "
                                                              "table, date).")), Length(max=500)],
                         description=_SOURCE_HELP)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
