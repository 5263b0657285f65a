from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.api.tokens import NAME_MAX


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=NAME_MAX)],
                       description=_l("What will use the token, e.g. the energy management system."))
    scope = SelectField(_l("Scope"), choices=[SelectChoice("read", _l("Read")), SelectChoice("write", _l("Read and write"))],
                        default="read")
