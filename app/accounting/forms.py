from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, MonthField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.accounting import services
from app.accounting.labels import method_label
from app.accounting.methods import LEGACY, METHODS
from app.accounting.models import PER_HOUR, PER_MONTH
from app.core.types import city_today
from app.i18n import localised

UNIT_HELP = _l("e.g. t, 10⁴ Nm³, MWh, GJ (or 吨, 万Nm³, 兆瓦时, 吉焦)")  # the parser reads superscripts


class FacilityForm(FlaskForm):
    name = StringField(_l("Facility name (Chinese)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Facility name (English)"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)],
                                description=_l("Processes, main equipment, boundaries."))


# The material families offered by each optgroup, with the categories that take them (for register.js).
_GROUPS = (
    ("fuel", _l("Fuels (stationary and mobile combustion)")),
    ("process", _l("Carbonates (industrial process)")),
    ("gwp", _l("Gases (fugitive emissions)")),
    ("electricity", _l("Electricity (purchased or exported)")),
    ("heat", _l("Heat (purchased or exported)")),
)


class SourceForm(FlaskForm):
    facility_id = SelectField(_l("Facility"), validators=[InputRequired(message=_l("Choose a facility."))])
    name = StringField(_l("Source name"), validators=[InputRequired(), Length(max=200)],
                       description=_l("e.g. No. 2 boiler, forklift fleet, kiln line 1."))
    category = SelectField(_l("Category"), validators=[InputRequired(message=_l("Choose a category."))])
    # Which material fits which category is checked by the service, so the form takes any value here.
    material = SelectField(_l("Fuel, material or gas"), validate_choice=False)
    material_text = StringField(_l("What is bought or used (scope 3)"), validators=[Optional(), Length(max=60)],
                                description=_l("e.g. business travel by air, purchased cement."))
    activity_unit = StringField(_l("Activity unit"), validators=[InputRequired(), Length(max=20)],
                                description=UNIT_HELP)
    covered = BooleanField(_l("Covered by emissions trading"), default=True)
    # The service checks that the method fits the category; "" is the category's own method of today.
    method = SelectField(_l("Calculation method"), validate_choice=False,
                         description=_l("How its emissions are computed each month; the category's usual method if "
                                        "left as it is. A sector method asks for its own inputs in each filing."))
    generating_unit = BooleanField(_l("Generating unit"),
                                   description=_l("A unit that generates electricity or heat: what it supplies is "
                                                  "never deducted from its emissions."))
    commissioned_month = MonthField(_l("In service from"), validators=[Optional()],
                                    default=lambda: city_today().replace(day=1),
                                    description=_l("The first month it is filed for; earlier months do not expect it."))
    decommissioned_month = MonthField(_l("In service until"), validators=[Optional()],
                                      description=_l("The last month it was used; leave empty while in service."))
    rated_capacity = StringField(_l("Rated capacity (optional)"), validators=[Optional(), Length(max=30)],
                                 description=_l("The most it can handle, in its activity unit, e.g. 12.5 (t of coal "
                                                "per hour). A month above it is refused in filings."))
    rated_capacity_per = SelectField(_l("Capacity per"), choices=[
        SelectChoice(PER_HOUR, _l("per hour (× the hours of the month)")), SelectChoice(PER_MONTH, _l("per month"))],
        default=PER_HOUR, validate_choice=False)  # the service checks it, and only with a capacity
    declared_factor = StringField(_l("Declared factor (tCO2e per declared unit)"),
                                  validators=[Optional(), Length(max=40)])
    declared_unit = StringField(_l("Declared unit"), validators=[Optional(), Length(max=20)])
    declared_source = StringField(_l("Source of the declared factor"), validators=[Optional(), Length(max=300)],
                                  description=_l("Publication, database or supplier declaration, with its year."))

    def set_choices(self, facilities, materials) -> None:
        self.facility_id.choices = [SelectChoice("", _("Choose a facility"))] + [
            SelectChoice(str(f.id), localised(f.name, f.name_en) + ("" if f.active else f" ({_('inactive')})"))
            for f in facilities]
        self.category.choices = [SelectChoice("", _("Choose a category"))] + [
            SelectChoice(code, services.category_choice_label(code)) for code in services.CATEGORIES]
        by_family = {}
        for code in services.CATEGORIES:
            by_family.setdefault(services.FAMILY_OF[code], []).append(code)
        choices = [SelectChoice("", _("Choose"))]
        for family, label in _GROUPS:
            takes = {"data-categories": " ".join(by_family[family])}
            choices += [SelectChoice(code, m.label, dict(takes), optgroup=str(label))
                        for code, m in materials[family].items()]
        self.material.choices = choices
        self.method.choices = [SelectChoice("", _("The category's usual method"))] + [
            SelectChoice(code, method_label(code), {"data-categories": " ".join(
                c for c in services.CATEGORIES if services.fits(code, c))})
            for code in METHODS if code not in LEGACY]


class ProductForm(FlaskForm):
    name = StringField(_l("Product name (Chinese)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Product name (English)"), validators=[Optional(), Length(max=200)])
    unit = StringField(_l("Unit of output"), validators=[InputRequired(), Length(max=20)],
                       description=_l("e.g. t of cement, MWh of electricity, GJ of heat."))
    is_main = BooleanField(_l("Main product"),
                           description=_l("Intensity is reported per unit of the main product; only one can be main."))
    benchmark_code = SelectField(_l("Product benchmark"), validators=[Optional()], validate_choice=False,
                                 description=_l("Optional: the city's intensity benchmark this product is measured "
                                                "against (industrial-efficiency sub-index)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.benchmark_code.choices = [SelectChoice("", _("No benchmark"))] + [
            SelectChoice(code, label) for code, label in services.benchmark_choices()]
