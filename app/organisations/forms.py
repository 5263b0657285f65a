from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, MonthField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from app.organisations import credit_code, industries


class EnterpriseForm(FlaskForm):
    name = StringField(_l("Enterprise name (Chinese)"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Enterprise name (English)"), validators=[Optional(), Length(max=200)])
    credit_code = StringField(_l("Unified social credit code"), validators=[InputRequired()],
                              description=_l("18 characters, as printed on the business licence."),
                              filters=[credit_code.normalise])
    industry_code = StringField(_l("Industry (GB/T 4754-2017)"), validators=[InputRequired()],
                                description=_l("Section letter and code, e.g. C3011 for cement manufacturing."),
                                filters=[industries.normalise])
    district = SelectField(_l("District"), validators=[InputRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=50)])
    contact_email = EmailField(_l("Contact e-mail"),
                               validators=[Optional(), Email(message=_l("This is not a valid e-mail address.")),
                                           Length(max=254)])

    def validate_credit_code(self, field):
        error = credit_code.credit_code_error(field.data)
        if error:
            raise ValidationError(_l(error))

    def validate_industry_code(self, field):
        error = industries.industry_code_error(field.data)
        if error:
            raise ValidationError(_l(error))


class ReportingMonthsForm(FlaskForm):
    """The months an enterprise owes filings for, changed by the regulator with a reason."""

    first = MonthField(_l("First reporting month"), validators=[InputRequired(_l("Choose a month."))],
                       description=_l("The first month it must file (it owes nothing before)."))
    last = MonthField(_l("Last reporting month"), validators=[Optional()],
                      description=_l("Only when it closes or leaves the programme; leave empty while it reports."))
    reason = TextAreaField(_l("Reason for the change"), validators=[InputRequired(), Length(max=1000)],
                           description=_l("e.g. listed as a key emitter from this month, or closed in October."))
