from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ImportForm(FlaskForm):
    file = FileField(_l("Filled-in template (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose the file to upload."))])
