from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

MONTHS = [SelectChoice(m, f"{m:02d}") for m in range(1, 13)]


class IssueForm(FlaskForm):
    org_id = SelectField(_l("Enterprise"), coerce=int, validators=[InputRequired()])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    first_month = SelectField(_l("From month"), choices=MONTHS, coerce=int, default=1)
    last_month = SelectField(_l("To month"), choices=MONTHS, coerce=int, default=12)


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the revocation"), validators=[Length(max=2000)],
                           description=_l("Shown on the public verification page."))


class VerifyUploadForm(FlaskForm):
    pdf = FileField(_l("Certificate PDF"), validators=[FileRequired(_l("Choose the PDF file."))])
