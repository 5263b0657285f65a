"""Filing months from a spreadsheet: download the template, upload it filled in, see what was saved."""
import io

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
from sqlalchemy.exc import IntegrityError

from app.accounts.roles import FILE, requires
from app.core.edge import roll_back
from app.core.service_error import ServiceError
from app.filings.imports import services
from app.filings.imports.forms import ImportForm
from app.filings.imports.layout import MAX_MONTHS
from app.filings.imports.problems import Problem
from app.filings.imports.reading import XLSX_MIME
from app.security import csrf_checked_by_form

bp = Blueprint("filing_imports", __name__, url_prefix="/filings/import", template_folder="templates")

# Room for the multipart envelope and the CSRF token around the file itself.
FORM_OVERHEAD = 64 * 1024


def _page(form, problems=(), status=200):
    today = services.local_today()
    months = services.template_months(None, None, today)
    return render_template("filing_imports/import.html", form=form, problems=list(problems),
                           default_month=months[0].strftime("%Y-%m"), this_month=today.strftime("%Y-%m"),
                           limit=services.max_bytes(), max_months=MAX_MONTHS), status


@bp.route("/", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(FILE)
def upload():
    limit = services.max_bytes()
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
        result = services.import_file(current_user, current_user.organisation, uploaded.filename or "", data)
    except IntegrityError:
        # Another upload or "File a month" created the same month's draft at the same moment (a double
        # click): the unique org/period/revision refused this one. Nothing of this file was saved; the
        # failed session is rolled back before the page is drawn.
        roll_back()
        problem = Problem(_l("Another upload or save of these months happened at the same moment, so nothing "
                             "of this file was saved. Upload it again."))
        return _page(ImportForm(formdata=None), [problem], 409)
    if not result.ok:
        roll_back()  # all or nothing: months saved before the problem go too, before the page is drawn
        return _page(ImportForm(formdata=None), result.problems, 422)
    return render_template("filing_imports/import_done.html", result=result,
                           empty_months=", ".join(m.strftime("%Y-%m") for m in result.empty_months))


# Two plain routes rather than one with a <fmt> argument: the template names no object, so it is not an
# object route for the tenancy matrix (tests/test_tenancy.py) to try with another enterprise's ids.
@bp.get("/template.xlsx")
@requires(FILE)
def template_xlsx():
    return _template("xlsx")


@bp.get("/template.csv")
@requires(FILE)
def template_csv():
    return _template("csv")


def _template(fmt: str):
    org = current_user.organisation
    try:
        months = services.template_months(request.args.get("from"), request.args.get("to"))
    except ServiceError as e:
        flash(str(e.message), "danger")
        return redirect(url_for("filing_imports.upload"))
    data = services.build_template(org, months, fmt)
    span = months[0].strftime("%Y%m") + (f"-{months[-1].strftime('%Y%m')}" if len(months) > 1 else "")
    name = f"tanji-template-{org.credit_code or org.id}-{span}.{fmt}"
    mimetype = XLSX_MIME if fmt == "xlsx" else "text/csv"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name,
                     max_age=0)
