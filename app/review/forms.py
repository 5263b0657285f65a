"""The review actions' forms. Comments on single lines are textareas named `line-<source_id>`, read by the view,
since the lines differ from filing to filing."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

LINE_FIELD_PREFIX = "line-"


class ApproveForm(FlaskForm):
    """A button: only the CSRF token."""


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("What needs fixing"), validators=[Length(max=4000)],
                            description=_l("The enterprise sees this comment; comments on single lines go beside "
                                           "each line above."))


def line_comments(formdata) -> dict[int, str]:
    """{source_id: text} from the `line-<source_id>` textareas, as typed (empty ones included)."""
    comments = {}
    for name, text in formdata.items():
        key = name.removeprefix(LINE_FIELD_PREFIX)
        if name.startswith(LINE_FIELD_PREFIX) and key.isdigit():
            comments[int(key)] = text[:4000]
    return comments
