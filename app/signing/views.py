"""Copies of record and receipts (page, exact JSON, PDFs), and the admin's switch of who may sign.

Another tenant's copy is a 404 (the gate); inside the enterprise only the signer and its admins read it,
on the authority's side the regulator and the platform admin.
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import User
from app.accounts.roles import ADMINISTER_ENTERPRISE, SIGNED_IN, requires
from app.core.numbers import to_decimal
from app.core.service_error import ServiceError
from app.signing import services
from app.signing.forms import SignerForm
from app.signing.models import CopyOfRecord
from app.tenancy import acting_on, get_or_404

bp = Blueprint("signing", __name__, template_folder="templates")


# A copy of record keeps decimals as strings; the page rounds them like any other figure.
bp.add_app_template_filter(to_decimal, "as_decimal")


def _copy_or_404(copy_id: int) -> CopyOfRecord:
    copy = get_or_404(CopyOfRecord, copy_id)
    if not services.can_view(current_user, copy):
        abort(403)
    return copy


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/filings/records/<int:copy_id>")
@requires(SIGNED_IN)
def show(copy_id: int):
    copy = _copy_or_404(copy_id)
    data = services.parsed(copy)
    return render_template("signing/copy.html", copy=copy, doc=data,
                           recomputed=services.sha256_of(copy.document))


@bp.get("/filings/records/<int:copy_id>/document.json")
@requires(SIGNED_IN)
def document_json(copy_id: int):
    """The exact stored bytes: their SHA-256 is the copy's digest."""
    copy = _copy_or_404(copy_id)
    response = Response(copy.document.encode("utf-8"), mimetype="application/json")
    response.headers["Content-Disposition"] = f"attachment; filename=copy-of-record-{copy.receipt_number}.json"
    return _no_store(response)


@bp.get("/filings/records/<int:copy_id>/document.pdf")
@requires(SIGNED_IN)
def document_pdf(copy_id: int):
    from reports.copy_of_record import build

    copy = _copy_or_404(copy_id)
    response = Response(build(services.parsed(copy), copy.sha256), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename=copy-of-record-{copy.receipt_number}.pdf"
    return _no_store(response)


@bp.get("/filings/records/<int:copy_id>/receipt.pdf")
@requires(SIGNED_IN)
def receipt_pdf(copy_id: int):
    from reports.receipt import build

    copy = _copy_or_404(copy_id)
    response = Response(build(services.parsed(copy), copy.sha256), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename=receipt-{copy.receipt_number}.pdf"
    return _no_store(response)


@bp.post("/users/<int:user_id>/signing")
@requires(ADMINISTER_ENTERPRISE)
def set_signer(user_id: int):
    user = get_or_404(User, user_id)
    form = SignerForm()
    if not form.validate_on_submit():
        abort(400)
    allowed = form.allowed.data == "1"
    try:
        with acting_on(user.org_id):
            services.set_may_sign(current_user, user, allowed)
    except ServiceError as e:
        flash(str(e.message), "error")
        abort(403)
    flash(_("%(email)s may now sign submissions.", email=user.email) if allowed
          else _("%(email)s may no longer sign submissions.", email=user.email), "success")
    return redirect(url_for("accounts.users"))
