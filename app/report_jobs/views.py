"""The report jobs (blueprint `report_jobs`, URLs /reports/...): the enterprise's monthly PDF report in the
request (small and fast), the enterprise's and the city's annual reports as background jobs with a
progress page. (The PDF builders themselves are the top-level `reports` package.)"""
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.forms import ConfirmForm
from app.accounts.roles import SIGNED_IN, requires
from app.audit.services import record
from app.certificates.report_data import enterprise_report
from app.city_index.periods import latest_complete_month
from app.core.edge import after_commit
from app.core.types import city_today, utcnow
from app.extensions import db
from app.organisations.models import AUTHORITY, VERIFIER, Organisation
from app.report_jobs import services
from app.report_jobs.models import DONE, FAILED, ReportJob
from app.tenancy import get_or_404
from app.verification.services import active_engagement
from reports import enterprise_report as enterprise_pdf

bp = Blueprint("report_jobs", __name__, url_prefix="/reports", template_folder="templates")
INTERRUPTED = _l("it was interrupted (the server restarted): start the report again.")


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def _year_ok(year: int, org: Organisation | None = None) -> None:
    """A year the reader may see of `org`: a verification body only the years it is engaged for (the
    gate hides the other years' filings, but a report would still show their empty shell)."""
    if not 2000 <= year <= 2100:
        abort(404)
    if org is not None and current_user.organisation.kind == VERIFIER \
            and active_engagement(org.id, year) is None:
        abort(404)


@bp.get("/enterprise/<int:org_id>/<int:year>/<int:month_no>.pdf")
@requires(SIGNED_IN)
def enterprise_monthly(org_id: int, year: int, month_no: int):
    month = month_no
    org = get_or_404(Organisation, org_id)  # own enterprise, or any for the authority; else 404
    _year_ok(year, org)
    if not 1 <= month <= 12 or org.kind != "enterprise":
        abort(404)
    period = date(year, month, 1)
    pdf = enterprise_pdf.build(enterprise_report(org, period, period))
    record("report.generated", actor=current_user, org_id=current_user.org_id,
           detail={"kind": "enterprise_monthly", "org_id": org.id, "period": period.strftime("%Y-%m")})
    return _pdf(pdf, f"report-{org.credit_code or org.id}-{year}-{month:02d}.pdf")


@bp.post("/enterprise/<int:org_id>/<int:year>/annual")
@requires(SIGNED_IN)
def enterprise_annual(org_id: int, year: int):
    org = get_or_404(Organisation, org_id)
    _year_ok(year, org)
    if org.kind != "enterprise" or not ConfirmForm().validate_on_submit():
        abort(400)
    return _start("enterprise_annual", {"org_id": org.id, "year": year})


@bp.post("/city/<int:year>")
@requires(SIGNED_IN)
def city_annual(year: int):
    if current_user.organisation.kind != AUTHORITY:
        abort(403)
    _year_ok(year)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    # The current year runs to its latest complete month; a past year to December.
    last_year, last_month = latest_complete_month(city_today())
    if year > last_year:
        abort(404)
    return _start("city_annual", {"year": year, "month": last_month if year == last_year else 12})


def _start(kind: str, params: dict):
    job = services.create(current_user, kind, params)
    after_commit(lambda: services.dispatch(job))  # a worker in another thread or process reads the row
    return redirect(url_for("report_jobs.job", job_id=job.id))


@bp.get("/jobs/<int:job_id>")
@requires(SIGNED_IN)
def job(job_id: int):
    job = get_or_404(ReportJob, job_id)
    return render_template("report_jobs/job.html", job=job, status=FAILED if services.interrupted(job, utcnow())
                           else job.status, error=INTERRUPTED if services.interrupted(job, utcnow()) else job.error)


@bp.get("/jobs/<int:job_id>/status")
@requires(SIGNED_IN)
def job_status(job_id: int):
    job = get_or_404(ReportJob, job_id)
    db.session.refresh(job)
    if services.interrupted(job, utcnow()):
        return jsonify(status=FAILED, progress=job.progress, error=str(INTERRUPTED), download=None)
    return jsonify(status=job.status, progress=job.progress, error=job.error,
                   download=url_for("report_jobs.job_file", job_id=job.id) if job.status == DONE else None)


@bp.get("/jobs/<int:job_id>/file")
@requires(SIGNED_IN)
def job_file(job_id: int):
    job = get_or_404(ReportJob, job_id)
    if job.status != DONE:
        abort(404)
    return _pdf(job.result, job.filename)
