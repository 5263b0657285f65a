from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import AnyOf, Length


class SignerForm(FlaskForm):
    allowed = HiddenField(validators=[AnyOf(("0", "1"))])


class SubmitForm(FlaskForm):
    """Certify and submit; the explanations of warnings are read by their finding keys (explanation-<key>)."""

    version = HiddenField()
    statement_version = HiddenField()  # the certification statement shown (app.signing.statement)
    password = PasswordField(_l("Your password"), validators=[Length(max=200)],
                             description=_l("Submitting is your signature: enter your password to sign."))


EXPLANATION_MAX = 2000
