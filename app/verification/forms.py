from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.verification.labels import OPINION_LABELS, SEVERITY_LABELS


class BodyForm(FlaskForm):
    name = StringField(_l("Name of the verification body (Chinese)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    accreditation_no = StringField(_l("Accreditation number"), validators=[InputRequired(), Length(max=50)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])


class AssignForm(FlaskForm):
    org_id = SelectField(_l("Enterprise"), coerce=int, validators=[InputRequired()])
    verifier_org_id = SelectField(_l("Verification body"), coerce=int, validators=[InputRequired()])
    year = IntegerField(_l("Compliance year"), validators=[InputRequired()])


class FindingForm(FlaskForm):
    month = SelectField(_l("Month"), coerce=int, choices=[SelectChoice(m, f"{m:02d}") for m in range(1, 13)])
    source_id = SelectField(_l("Emission source (optional)"), validators=[Optional()])
    severity = SelectField(_l("Severity"), choices=[SelectChoice(k, v) for k, v in SEVERITY_LABELS.items()])
    amount_tco2e = StringField(_l("Misstatement (tCO2e, signed)"), validators=[Optional(), Length(max=40)],
                               description=_l("Positive when the report overstates, negative when it understates."))
    text = TextAreaField(_l("Finding"), validators=[InputRequired(), Length(max=4000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[InputRequired(), Length(max=4000)])


class CloseForm(FlaskForm):
    status = SelectField(_l("Close as"), choices=[SelectChoice("corrected", _l("Corrected (no longer counts)")),
                                                  SelectChoice("resolved", _l("Resolved as it stands"))])


class OpinionForm(FlaskForm):
    opinion = SelectField(_l("Opinion"), choices=[SelectChoice(k, v) for k, v in OPINION_LABELS.items()])
    verified_total_tco2e = StringField(_l("Verified annual total (tCO2e)"), validators=[InputRequired(),
                                                                                        Length(max=40)])
    opinion_text = TextAreaField(_l("Comments"), validators=[Optional(), Length(max=4000)])


class SendBackForm(FlaskForm):
    comment = TextAreaField(_l("Reason for sending it back"), validators=[InputRequired(), Length(max=4000)])
