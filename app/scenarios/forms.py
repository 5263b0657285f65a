"""The scenario form: every kind's fields; the page shows those of its kind, services.parse reads only those."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.city_index.breakdowns import SECTOR_LABELS, SECTORS

FUEL_LINES = 3
RECEIVER_LINES = 3


class _Text(StringField):
    """Numbers as typed: parsed exactly (Decimal) by services.parse, the error shown beside the field."""


class ScenarioForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    month = StringField(_l("Index month (YYYY-MM)"), validators=[Length(max=7)],
                        description=_l("The baseline: the index of this month."))
    sink_rate = _Text(_l("Sink rate for the offset (tCO2 per ha per year)"), default="5")
    # new project
    sector = SelectField(_l("Sector"), choices=[SelectChoice(k, v) for k, v in SECTOR_LABELS.items()], default="industry",
                         validate_choice=False)
    fuel_1, fuel_2, fuel_3 = (SelectField(_l("Fuel"), choices=[], validate_choice=False) for _k in range(FUEL_LINES))
    quantity_1, quantity_2, quantity_3 = (_Text(_l("Quantity per year")) for _k in range(FUEL_LINES))
    unit_1, unit_2, unit_3 = (StringField(_l("Unit"), validators=[Length(max=20)]) for _k in range(FUEL_LINES))
    electricity_mwh = _Text(_l("Purchased electricity (MWh per year)"))
    output = _Text(_l("Output per year"))
    output_unit = StringField(_l("Unit of output"), validators=[Length(max=20)])
    # substitution: the supplying plant's source and up to RECEIVER_LINES receivers' boilers, from the register
    steam_gj = _Text(_l("Steam supplied by the power plant (GJ per year)"))
    boiler_efficiency = _Text(_l("Boiler efficiency (%)"), default="90",
                              description=_l("The share of the extra fuel's energy that reaches the steam."))
    supplier_source = SelectField(_l("Supplying enterprise and source"), choices=[], validate_choice=False)
    extra_quantity = _Text(_l("Extra fuel burned there per year"))
    extra_unit = StringField(_l("Unit"), validators=[Length(max=20)])
    receiver_source_1, receiver_source_2, receiver_source_3 = (
        SelectField(_l("Receiving enterprise and source"), choices=[], validate_choice=False)
        for _k in range(RECEIVER_LINES))
    saved_quantity_1, saved_quantity_2, saved_quantity_3 = (_Text(_l("Fuel no longer burned there per year"))
                                                            for _k in range(RECEIVER_LINES))
    saved_unit_1, saved_unit_2, saved_unit_3 = (StringField(_l("Unit"), validators=[Length(max=20)])
                                                for _k in range(RECEIVER_LINES))
    # package: the scenarios combined
    members = SelectMultipleField(_l("Scenarios combined"), choices=[], validate_choice=False, coerce=str)
    # sinks
    area_ha = _Text(_l("Area (ha)"))
    rate = _Text(_l("Uptake rate (tCO2 per ha per year)"))
    # efficiency and top-down: one figure per sector
    percent_energy, percent_industry, percent_transport, percent_buildings, percent_other = (
        _Text(SECTOR_LABELS[k]) for k in SECTORS)
    target_year = _Text(_l("Target year"))
    target_tco2 = _Text(_l("Target emissions (tCO2)"))
    weight_energy, weight_industry, weight_transport, weight_buildings, weight_other = (
        _Text(SECTOR_LABELS[k]) for k in SECTORS)


class ProjectForm(FlaskForm):
    """A new project assessed against the path in every year it runs (projects.read_inputs parses the figures),
    and the regulator's decision on it."""
    name = StringField(_l("Project"), validators=[Length(max=200)])
    annual_tco2e = _Text(_l("Emissions per full year (tCO2e)"),
                         description=_l("Or leave it empty and give the project's fuels and electricity below."))
    fuel_1, fuel_2, fuel_3 = (SelectField(_l("Fuel"), choices=[], validate_choice=False) for _k in range(FUEL_LINES))
    quantity_1, quantity_2, quantity_3 = (_Text(_l("Quantity per year")) for _k in range(FUEL_LINES))
    unit_1, unit_2, unit_3 = (StringField(_l("Unit"), validators=[Length(max=20)]) for _k in range(FUEL_LINES))
    electricity_mwh = _Text(_l("Purchased electricity (MWh per year)"))
    first_year = _Text(_l("First year of operation"))
    first_year_share = _Text(_l("Share of a full year in the first year"), default="0.5",
                             description=_l("0.5 when it starts in mid-year."))
    output = _Text(_l("Output per year of a benchmarked product"))
    benchmark_code = SelectField(_l("Product benchmark"), choices=[], validate_choice=False)
    sink_rate = _Text(_l("Sink rate for the offset (tCO2 per ha per year)"), default="5")
    decision = SelectField(_l("Decision"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Note (conditions or reasons)"), validators=[Length(max=4000)], render_kw={"rows": 3})
