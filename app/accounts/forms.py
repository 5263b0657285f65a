from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Remember me on this computer"))


class NewPasswordMixin:
    password = PasswordField(_l("New password"), validators=[InputRequired()],
                             description=_l("At least 10 characters, with letters and digits."),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired()],
                                     render_kw={"autocomplete": "current-password"})


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    name = StringField(_l("Your name"), validators=[InputRequired(), Length(max=100)])


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail of the person to invite"),
                       validators=[InputRequired(), Email(message=_l("This is not a valid e-mail address.")),
                                   Length(max=254)])
    role = SelectField(_l("Role"), validators=[InputRequired()])


class LanguageForm(FlaskForm):
    locale = HiddenField(validators=[InputRequired()])
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class UserFilterForm(Form):
    """The user administration's search (a GET form: nothing to protect, and the URL can be shared)."""
    q = StringField(_l("Name or e-mail"), validators=[Length(max=100)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=100)],
                               description=_l("Name or unified social credit code."))
    role = SelectField(_l("Role"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False,
                         choices=[SelectChoice("", _l("All")), SelectChoice("active", _l("Active")),
                                  SelectChoice("inactive", _l("Deactivated"))])
