"""Forms of the city data pages: fields only; the services in app.city_data.services check the values."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.city_data.defaults import SUB_INDICES
from app.city_data.services import SINK_KINDS


class _Text(StringField):
    """Numbers as typed: the service parses them exactly (Decimal) and says what is wrong beside the field."""


class StatisticForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired()])
    quarter = SelectField(_l("Period"), choices=[SelectChoice("0", _l("Whole year")), SelectChoice("1", _l("Quarter 1")),
                                                 SelectChoice("2", _l("Quarter 2")), SelectChoice("3", _l("Quarter 3")),
                                                 SelectChoice("4", _l("Quarter 4"))], default="0")
    gdp_10k_cny = _Text(_l("GDP (10⁴ CNY)"))
    population = _Text(_l("Resident population"))
    energy_tce = _Text(_l("Total energy use (tce)"))
    non_fossil_share_percent = _Text(_l("Non-fossil share of energy use (percent)"))
    transport_tco2 = _Text(_l("Transport emissions (tCO2)"))
    buildings_tco2 = _Text(_l("Buildings emissions (tCO2)"))
    other_tco2 = _Text(_l("Other non-filing sectors (tCO2)"))
    net_imported_electricity_mwh = _Text(_l("Net imported electricity (MWh)"),
                                         description=_l("Negative if the city exports power."))
    source = StringField(_l("Source"), validators=[Length(max=500)],
                         description=_l("e.g. Jinwan Statistical Yearbook 2024, table 3-1."))


class SinkForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, v) for k, v in SINK_KINDS.items()])
    area_ha = _Text(_l("Area (ha)"))
    rate_tco2_per_ha_year = _Text(_l("Uptake rate (tCO2 per ha per year)"))
    from_year = IntegerField(_l("Counts from year"), validators=[Optional()])
    to_year = IntegerField(_l("Last year counted"), validators=[Optional()],
                           description=_l("Leave empty while the sink lasts."))
    source = StringField(_l("Source"), validators=[Length(max=500)])


class RetireSinkForm(FlaskForm):
    to_year = IntegerField(_l("Last year counted"), validators=[Optional()])


class SettingsForm(FlaskForm):
    valid_from = DateField(_l("Applies from (month)"), format="%Y-%m", validators=[Optional()],
                           render_kw={"type": "month"})
    y0 = IntegerField(_l("Base year y0"), validators=[Optional()])
    e0 = _Text(_l("Base-year city emissions E0 (tCO2)"))
    g0 = _Text(_l("Base-year GDP G0 (10⁴ CNY)"))
    yp = IntegerField(_l("Peak year"), validators=[Optional()], description=_l("After the base year, 2030 at the latest."))
    ep = _Text(_l("Peak cap Ep (tCO2)"))
    s60 = _Text(_l("Expected sinks in 2060, S60 (tCO2 per year)"), description=_l("Below the peak cap."))
    cut_milestones = _Text(_l("Intensity cut milestones"),
                           description=_l("year:fraction versus the base year, e.g. 2025:0.18."))
    non_fossil_milestones = _Text(_l("Non-fossil share milestones"),
                                  description=_l("year:fraction, e.g. 2025:0.20, 2030:0.25, 2060:0.80."))
    non_fossil_base_share = _Text(_l("Base-year non-fossil share (fraction)"),
                                  description=_l("Empty: taken from the base year's statistics."))
    industrial_base_r = _Text(_l("Base-year industrial efficiency R"),
                              description=_l("Empty: taken from the base year's filings."))
    transport_buildings_base_tco2 = _Text(_l("Base-year transport and buildings emissions (tCO2)"),
                                          description=_l("Empty: taken from the base year's statistics."))
    sinks_base_tco2 = _Text(_l("Base-year sinks K0 (tCO2 per year)"),
                            description=_l("Empty: taken from the sinks counting in the base year."))
    methodology = SelectField(_l("Methodology"), choices=[
        SelectChoice("2", _l("Version 2: 60 on the path, 100 leading by the margin")),
        SelectChoice("1", _l("Version 1: 100 on or ahead of the path"))], validate_choice=False)
    leading_margin = _Text(_l("Leading margin m (fraction)"),
                           description=_l("Version 2: the leading level is this far beyond the path; 0.10 is 10 percent."))
    weight_S1 = _Text(_l("Weight S1 peak-path adherence"))
    weight_S2 = _Text(_l("Weight S2 carbon intensity"))
    weight_S3 = _Text(_l("Weight S3 energy transition"))
    weight_S4 = _Text(_l("Weight S4 industrial efficiency"))
    weight_S5 = _Text(_l("Weight S5 transport and buildings"))
    weight_S6 = _Text(_l("Weight S6 carbon sinks"))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def settings_values(self) -> dict:
        values = {k: self[k].data for k in ("y0", "e0", "g0", "yp", "ep", "s60", "cut_milestones",
                                            "non_fossil_milestones", "non_fossil_base_share", "industrial_base_r",
                                            "transport_buildings_base_tco2", "sinks_base_tco2", "methodology",
                                            "leading_margin")}
        values["weights"] = {k: self[f"weight_{k}"].data for k in SUB_INDICES}
        return values

    @classmethod
    def from_values(cls, values: dict, **kwargs):
        data = {k: v for k, v in values.items() if k not in ("weights", "cut_milestones", "non_fossil_milestones")}
        data["methodology"] = str(values.get("methodology") or "")
        data["cut_milestones"] = ", ".join(f"{y}:{v}" for y, v in values.get("cut_milestones") or [])
        data["non_fossil_milestones"] = ", ".join(f"{y}:{v}" for y, v in values.get("non_fossil_milestones") or [])
        for k, v in (values.get("weights") or {}).items():
            data[f"weight_{k}"] = v
        return cls(data=data, **kwargs)


class BenchmarkForm(FlaskForm):
    benchmark = _Text(_l("Benchmark"))
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    period = StringField(_l("Period"), validators=[Length(max=40)])
    status = StringField(_l("Status"), validators=[Length(max=100)])
    source = StringField(_l("Source"), validators=[Length(max=500)])


class StatisticsImportForm(FlaskForm):
    file = FileField(_l("Filled-in template (.xlsx)"), validators=[FileRequired(_l("Choose the file to upload."))])
