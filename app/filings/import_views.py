"""Filing months from a spreadsheet: download the template, upload it filled in, see what was saved."""
import io
from functools import wraps

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import IntegrityError

from app.accounts.roles import ENERGY_MANAGER, ENTERPRISE_ADMIN
from app.core.service_error import ServiceError
from app.extensions import csrf, db
from app.filings import imports
from app.filings.spreadsheets import MAX_MONTHS, XLSX_MIME, Problem
from app.security import csrf_checked_by_form
from app.tenancy import require_role

bp = Blueprint("filing_import", __name__, url_prefix="/filings/import")

FILERS = (ENTERPRISE_ADMIN, ENERGY_MANAGER)  # regulators review filings, they do not file
# Room for the multipart envelope and the CSRF token around the file itself.
FORM_OVERHEAD = 64 * 1024


def filer_form(view):
    """The upload form: filers only; its FlaskForm checks the CSRF token (a stale form says so).

    For anyone else a POST without a valid token is refused as such first (400), as on every other
    form: a forged cross-site POST learns nothing about roles. With a valid token they get 403.
    """
    allowed = require_role(*FILERS)(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method == "POST" and current_user.is_authenticated and current_user.role not in FILERS:
            csrf.protect()
        return allowed(*args, **kwargs)

    wrapped.allowed_roles = allowed.allowed_roles
    return csrf_checked_by_form(wrapped)


class ImportForm(FlaskForm):
    file = FileField(_l("Filled-in template (.xlsx or .csv)"),
                     validators=[FileRequired(_l("Choose the file to upload."))])


def _page(form, problems=(), status=200):
    today = imports.local_today()
    months = imports.template_months(None, None, today)
    return render_template("filings/import.html", form=form, problems=list(problems),
                           default_month=months[0].strftime("%Y-%m"), this_month=today.strftime("%Y-%m"),
                           limit=imports.max_bytes(), max_months=MAX_MONTHS), status


@bp.route("/", methods=["GET", "POST"])
@filer_form
def upload():
    limit = imports.max_bytes()
    if request.method == "POST" and (request.content_length or 0) > limit + FORM_OVERHEAD:
        # Refused on the declared size alone: the body is never read, let alone parsed.
        problem = Problem(_l("The file is larger than %(limit)s; files up to %(limit)s are accepted.",
                             limit=f"{limit / (1024 * 1024):.1f} MB"))
        return _page(ImportForm(formdata=None), [problem], 413)
    request.max_content_length = limit + FORM_OVERHEAD  # a body without a declared size stops there too
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form)
    uploaded = form.file.data
    data = uploaded.read(limit + 1)  # one byte over is enough to refuse by size
    try:
        result = imports.import_file(current_user, current_user.organisation, uploaded.filename or "", data)
        if result.ok:
            db.session.commit()
    except IntegrityError:
        # Another upload or "File a month" created the same month's draft at the same moment (a double
        # click): the unique org/period/revision refused this one. Nothing of this file was saved.
        db.session.rollback()
        problem = Problem(_l("Another upload or save of these months happened at the same moment, so nothing "
                             "of this file was saved. Upload it again."))
        return _page(ImportForm(formdata=None), [problem], 409)
    if not result.ok:
        db.session.rollback()
        return _page(ImportForm(formdata=None), result.problems, 422)
    return render_template("filings/import_done.html", result=result,
                           empty_months=", ".join(m.strftime("%Y-%m") for m in result.empty_months))


# Two plain routes rather than one with a <fmt> argument: the template names no object, so it is not an
# object route for the tenancy matrix (tests/test_tenancy.py) to try with another enterprise's ids.
@bp.get("/template.xlsx")
@require_role(*FILERS)
def template_xlsx():
    return _template("xlsx")


@bp.get("/template.csv")
@require_role(*FILERS)
def template_csv():
    return _template("csv")


def _template(fmt: str):
    org = current_user.organisation
    try:
        months = imports.template_months(request.args.get("from"), request.args.get("to"))
    except ServiceError as e:
        flash(str(e.message), "danger")
        return redirect(url_for("filing_import.upload"))
    data = imports.build_template(org, months, fmt)
    span = months[0].strftime("%Y%m") + (f"-{months[-1].strftime('%Y%m')}" if len(months) > 1 else "")
    name = f"tanji-template-{org.credit_code or org.id}-{span}.{fmt}"
    mimetype = XLSX_MIME if fmt == "xlsx" else "text/csv"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name,
                     max_age=0)

