"""Copies of record and receipts (page, exact JSON, PDFs), and the admin's switch of who may sign.

Another tenant's copy is a 404 (the gate); inside the enterprise only the signer and its admins read it,
on the authority's side the regulator and the platform admin.
"""
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.models import User
from app.accounts.roles import ADMINISTER_ENTERPRISE, SIGN, SIGNED_IN, requires
from app.core.edge import roll_back
from app.core.forms import apply_error
from app.core.numbers import to_decimal
from app.core.service_error import ServiceError
from app.extensions import db, limiter
from app.filings import plausibility, workflow
from app.filings import services as filing_services
from app.filings.forms import EXPLANATION_MAX
from app.filings.labels import status_label
from app.filings.models import WEB, CopyOfRecord, Filing
from app.filings.services import EDITABLE
from app.security import csrf_checked_by_form
from app.signing import services
from app.i18n import localised
from app.signing.forms import SignerForm, SubmitForm
from app.signing.record_names import VERBATIM, value_names
from app.signing.statement import STATEMENT_VERSION
from app.signing.statement import statement as signing_statement
from app.tenancy import acting_on, get_or_404

bp = Blueprint("signing", __name__, template_folder="templates")


# A copy of record keeps decimals as strings; the page rounds them like any other figure.
bp.add_app_template_filter(to_decimal, "as_decimal")


@bp.app_template_filter("city_time")
def _city_time(moment) -> str:
    """A stored moment in the city's zone with its offset, as the PDFs print it; the zone's Chinese name only on
    Chinese pages (ReportLab loads lazily)."""
    from reports.common import city_time

    return city_time(moment, named=str(get_locale()) != "en")


def _copy_or_404(copy_id: int) -> CopyOfRecord:
    copy = get_or_404(CopyOfRecord, copy_id)
    if not filing_services.can_view(current_user, copy):
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
    from reports.copy_of_record import factor_label, record_fields

    data = services.parsed(copy)
    names = value_names(data)
    return render_template("signing/copy.html", copy=copy, doc=data, fields=record_fields(data, names),
                           verbatim=VERBATIM, recomputed=services.sha256_of(copy.document),
                           named=lambda key, code: localised(*names.get((key, code), (code, code))),
                           factor_label=lambda f: factor_label(f, {k: (localised(*v),) * 2 for k, v in names.items()}))


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
    data = services.parsed(copy)
    response = Response(build(data, copy.sha256, value_names(data)), mimetype="application/pdf")
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


@bp.route("/users/<int:user_id>/signing", methods=["GET", "POST"])
@requires(ADMINISTER_ENTERPRISE)
def set_signer(user_id: int):
    """GET: what allowing a person to sign means, with the button that does it (a signature binds the
    enterprise, so granting is a step of its own); POST: allow or withdraw."""
    user = get_or_404(User, user_id)
    if request.method == "GET":
        if user.org_id != current_user.org_id or user.role != "energy_manager":
            abort(403)
        if user.may_sign:
            return redirect(url_for("accounts.users"))
        return render_template("signing/confirm_signer.html", user=user, form=SignerForm(allowed="1"),
                               statement=signing_statement(STATEMENT_VERSION))
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


# --- signing a month: the submission is a signature ----------------------------------------------------

@bp.route("/filings/<int:filing_id>/submit", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])  # it checks a password
@csrf_checked_by_form
@requires(SIGN)
def submit(filing_id: int):
    filing = get_or_404(Filing, filing_id)
    if filing.status not in EDITABLE:
        flash(_("%(month)s is %(status)s: there is nothing to submit.", month=_month(filing.period),
                status=status_label(filing.status)), "info")
        return redirect(url_for("filings.show", filing_id=filing.id))
    findings = workflow.findings_for(filing)
    warnings = [f for f in findings if f.level == plausibility.WARNING]
    form = SubmitForm()
    may_sign = services.may_sign(current_user)
    if request.method == "POST":
        explanations = {f.key: request.form.get(f"explanation-{f.key}", "") for f in warnings}
    else:
        explanations = {f.key: (filing.explanations or {}).get(f.key, "") for f in warnings}
        form.version.data = str(filing.version)
        form.statement_version.data = str(STATEMENT_VERSION)
    if form.validate_on_submit():
        if any(len(text) > EXPLANATION_MAX for text in explanations.values()):
            form.form_errors.append(_("Keep each explanation under %(n)d characters.", n=EXPLANATION_MAX))
        elif form.version.data != str(filing.version):
            _changed_meanwhile(form, filing)
        else:
            try:
                # Signing: the statement shown and the password typed; a wrong one submits nothing.
                with acting_on(filing.org_id):
                    copy = services.sign_and_submit(
                        current_user, filing, explanations, password=form.password.data, channel=WEB,
                        statement_version=int(form.statement_version.data or 0))
                    receipt = copy.receipt_number
            except ServiceError as e:
                apply_error(form, e)
                form.statement_version.data = str(STATEMENT_VERSION)
                if e.field == "password" and not isinstance(e, services.PasswordMissing):
                    # a wrong password is worth a line in the audit trail
                    with acting_on(filing.org_id):
                        locked = services.record_refusal(current_user._get_current_object(), filing)
                    db.session.commit()  # kept although the page shows a refusal (the edge rolls back the rest)
                    if locked:
                        flash(_("Too many wrong passwords: the account is locked for a while and you are signed "
                                "out. Nothing was submitted."), "danger")
                        return redirect(url_for("accounts.login"))
            except StaleDataError:
                roll_back()
                _changed_meanwhile(form, filing)
            else:
                flash(_("%(month)s is signed and submitted for review: receipt %(receipt)s.",
                        month=_month(filing.period), receipt=receipt), "success")
                return redirect(url_for("filings.show", filing_id=filing.id))
    return render_template("signing/submit.html", filing=filing, form=form, calc=filing.current_calculation,
                           errors=plausibility.blocking(findings), warnings=warnings, explanations=explanations,
                           posted=request.method == "POST", may_sign=may_sign,
                           signers=[] if may_sign else services.signers_of(filing.org_id),
                           statement=signing_statement(STATEMENT_VERSION))


def _month(period) -> str:
    return period.strftime("%Y-%m")


def _changed_meanwhile(form, filing: Filing) -> None:
    form.form_errors.append(_("The month was changed after you opened this page: check the totals and findings "
                              "below, then submit again."))
    form.version.data = str(filing.version)
