from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf


class SignerForm(FlaskForm):
    allowed = HiddenField(validators=[AnyOf(("0", "1"))])
