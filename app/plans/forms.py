"""The plan's forms: start a version, its month and note, one form per source (method, tiers, laboratory, people,
backup, meters), and the regulator's return. Tiers are selects named `<prefix>-tier-<code>`, read by the view,
since the parameters follow the method."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.plans import method_catalogue as catalogue
from app.plans.labels import FIELD_LABELS, TIER_LABELS
from app.plans.models import DEFAULT, TIERS

MONTH = re.compile(r"(\d{4})-(\d{1,2})")
BLANK_METERS = 1  # empty meter rows offered under the listed ones


class DraftForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])


class DetailsForm(FlaskForm):
    effective_from = StringField(_l("Effective from (month)"), validators=[InputRequired(), Length(max=7)],
                                 description=_l("YYYY-MM: the first month this version governs."))
    change_note = TextAreaField(_l("What changes and why"), validators=[Length(max=2000)])

    def month(self) -> date | None:
        match = MONTH.fullmatch((self.effective_from.data or "").strip())
        if not match or not 1 <= int(match[2]) <= 12:
            return None
        return date(int(match[1]), int(match[2]), 1)


class MeterForm(Form):
    meter_id = StringField(_l("Meter number"), validators=[Length(max=60)])
    meter_type = StringField(_l("Type"), validators=[Length(max=100)])
    accuracy_class = StringField(_l("Accuracy class"), validators=[Length(max=20)])
    calibrated_on = DateField(_l("Calibrated on"), validators=[Optional()])
    calibration_due = DateField(_l("Calibration due"), validators=[Optional()])


def _text(name: str, limit: int) -> StringField:
    return StringField(FIELD_LABELS[name], validators=[Length(max=limit)])


class SourceForm(FlaskForm):
    method = SelectField(_l("Method"), validate_choice=False)
    lab_name = _text("lab_name", 200)
    lab_accreditation = _text("lab_accreditation", 60)
    sampling_frequency = _text("sampling_frequency", 100)
    lab_standard = _text("lab_standard", 200)
    responsible_person = _text("responsible_person", 100)
    backup_source = _text("backup_source", 200)
    backup_method = _text("backup_method", 300)
    same_sample = BooleanField(FIELD_LABELS["same_sample"])
    meters = FieldList(FormField(MeterForm), min_entries=BLANK_METERS)

    text_fields = ("lab_name", "lab_accreditation", "sampling_frequency", "lab_standard", "responsible_person",
                   "backup_source", "backup_method")

    @classmethod
    def for_source(cls, planned, formdata=None):
        """The form of one planned source: as stored, or (formdata given) as posted."""
        prefix = f"s{planned.source_id}"
        if formdata is None:
            data = {name: getattr(planned, name) or "" for name in cls.text_fields}
            data["method"] = planned.method
            data["same_sample"] = bool(planned.same_sample)
            data["meters"] = [{"meter_id": m.meter_id, "meter_type": m.meter_type or "",
                               "accuracy_class": m.accuracy_class or "", "calibrated_on": m.calibrated_on,
                               "calibration_due": m.calibration_due} for m in planned.meters]
            form = cls(formdata=None, prefix=prefix, data=data)
            if planned.meters:
                form.meters.append_entry()  # a blank row for another meter
            tiers = dict(planned.tiers or {})
        else:
            form = cls(formdata=formdata, prefix=prefix)
            tiers = {code: formdata.get(f"{prefix}-tier-{code}", DEFAULT)
                     for code in catalogue.parameter_codes(form.method.data)}
            if form.meters.entries and any(form.meters.entries[-1].data.get(f) for f in ("meter_id", "meter_type")):
                form.meters.append_entry()  # a blank row stays under what was typed
        form.method.choices = [SelectChoice(code, label) for code, label in catalogue.METHOD_LABELS.items()]
        form.chosen_tiers = tiers
        form.planned = planned
        return form

    def tier_rows(self):
        """(select name, parameter label, chosen tier) for the method's parameters."""
        method = self.method.data
        return [(f"{self._prefix}tier-{p.code}", catalogue.parameter_label(method, p.code),
                 self.chosen_tiers.get(p.code, DEFAULT)) for p in catalogue.parameters(method)]

    def values(self) -> dict:
        return {"method": self.method.data, "tiers": dict(self.chosen_tiers),
                **{name: getattr(self, name).data for name in self.text_fields},
                "same_sample": bool(self.same_sample.data),
                "meters": [entry.data for entry in self.meters.entries]}


TIER_CHOICES = [(code, TIER_LABELS[code]) for code in TIERS]


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("What needs changing"), validators=[Length(max=4000)])


class ButtonForm(FlaskForm):
    """A button: only the CSRF token."""
