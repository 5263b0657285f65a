"""Certificates: the enterprise's list and downloads, the regulator's issue and revoke pages, and the public
verification pages (/verify/<serial> and a PDF upload), which need no sign-in."""
from datetime import date
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app.accounts.roles import CERTIFY, PUBLIC, SIGNED_IN, can, requires
from app.audit.services import record
from app.certificates import services
from app.certificates.forms import IssueForm, RevokeForm, VerifyUploadForm
from app.certificates.models import REVOKED, Certificate
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import db, limiter
from app.i18n import localised
from app.organisations.models import ENTERPRISE, Organisation
from app.security import csrf_checked_by_form
from app.tenancy import acting_on, get_or_404

bp = Blueprint("certificates", __name__, template_folder="templates")

STATUS_LABELS = {"valid": _l("In force"), "superseded": _l("Superseded by an amendment"),
                 "revoked": _l("Revoked by the regulator"), "unknown": _l("Unknown serial")}
OUTCOME_LABELS = {"genuine": _l("This file is the certificate as issued."),
                  "altered": _l("This file does not match the issued certificate."),
                  "unknown": _l("No certificate with this serial was issued."),
                  "unreadable": _l("This file is not a Tanji certificate (no serial found).")}
MAX_UPLOAD = 5 * 1024 * 1024


@bp.app_context_processor
def _labels():
    return {"certificate_status_label": lambda code: STATUS_LABELS.get(code, code), "dec": Decimal}


@bp.get("/certificates/")
@requires(SIGNED_IN)
def index():
    # The gate scopes the list: an enterprise sees its own, the authority every enterprise's.
    rows = db.session.scalars(select(Certificate).options(selectinload(Certificate.organisation))
                              .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()
    is_authority = current_user.organisation.kind != ENTERPRISE
    return render_template("certificates/index.html", certificates=rows, is_authority=is_authority,
                           may_act=can(current_user, CERTIFY))


@bp.get("/certificates/<int:certificate_id>.pdf")
@requires(SIGNED_IN)
def download(certificate_id: int):
    cert = get_or_404(Certificate, certificate_id)
    with acting_on(cert.org_id):
        record("certificate.downloaded", actor=current_user, obj=cert, detail={"serial": cert.serial})
    return Response(cert.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={cert.serial}.pdf"})


def _enterprises():
    return db.session.scalars(select(Organisation).where(Organisation.kind == ENTERPRISE)
                              .order_by(Organisation.name)).all()


@bp.route("/certificates/issue", methods=["GET", "POST"])
@requires(CERTIFY)
@csrf_checked_by_form
def issue():
    form = IssueForm(year=request.args.get("year", city_today().year - 1, type=int))
    form.org_id.choices = [SelectChoice(o.id, localised(o.name, o.name_en)) for o in _enterprises()]
    if form.validate_on_submit():
        org = get_or_404(Organisation, form.org_id.data)
        start = date(form.year.data, form.first_month.data, 1)
        end = date(form.year.data, form.last_month.data, 1)
        try:
            with acting_on(org.id):
                cert = services.issue(current_user, org, start, end)  # the PDF is stored with it, in this request
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("Certificate %(serial)s issued.", serial=cert.serial), "success")
            return redirect(url_for("certificates.index"))
    return render_template("certificates/issue.html", form=form)


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["GET", "POST"])
@requires(CERTIFY)
@csrf_checked_by_form
def revoke(certificate_id: int):
    cert = get_or_404(Certificate, certificate_id)
    form = RevokeForm()
    if cert.status != REVOKED and form.validate_on_submit():
        try:
            with acting_on(cert.org_id):
                services.revoke(current_user, cert, form.reason.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("Certificate %(serial)s revoked.", serial=cert.serial), "success")
            return redirect(url_for("certificates.index"))
    return render_template("certificates/revoke.html", cert=cert, form=form)


# ------------------------------------------------------------------------------- public: no sign-in needed

@bp.get("/verify/<serial>")
@limiter.limit("60 per minute")
@requires(PUBLIC)
def verify(serial: str):
    cert = services.find_by_serial(serial)
    return render_template("certificates/verify.html", serial=serial, cert=cert,
                           stated=services.stated(cert) if cert else None, form=VerifyUploadForm())


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
@requires(PUBLIC)
@csrf_checked_by_form
def verify_upload():
    serial = request.args.get("serial", "").strip()
    if serial:
        return redirect(url_for("certificates.verify", serial=serial.upper()))
    form = VerifyUploadForm()
    check = None
    if form.validate_on_submit():
        data = form.pdf.data.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            form.pdf.errors = [*form.pdf.errors, _("The file is too large for a certificate.")]
        else:
            check = services.verify_pdf(data)
            current_app.logger.info("certificate PDF checked: %s %s", check.serial, check.outcome)
    return render_template("certificates/verify_upload.html", form=form, check=check,
                           stated=services.stated(check.certificate) if check and check.certificate else None,
                           outcome_label=OUTCOME_LABELS)
