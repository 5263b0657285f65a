"""Verification pages: the regulator assigns and confirms, the body verifies, the enterprise answers.

What each user may see is the tenancy gate's business (an engagement outside the caller's reach is a 404);
the capability on each route says who may act.
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import extract, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app.accounting.models import EmissionSource
from app.accounts.forms import ConfirmForm
from app.accounts.roles import (
    ADMINISTER_CITY,
    FILE,
    REVIEW,
    SIGNED_IN,
    VERIFY,
    can,
    requires,
)
from app.core.edge import roll_back
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import db
from app.filings.models import Calculation, CopyOfRecord, Filing
from app.i18n import localised
from app.organisations.models import ENTERPRISE, Organisation
from app.security import csrf_checked_by_form
from app.tenancy import acting_on, cross_tenant_write, get_or_404
from app.verification import services
from app.verification.forms import (
    AnswerForm,
    AssignForm,
    BodyForm,
    CloseForm,
    FindingForm,
    OpinionForm,
    SendBackForm,
)
from app.verification.labels import (
    ENGAGEMENT_STATUS_LABELS,
    FINDING_STATUS_LABELS,
    OPINION_LABELS,
    SEVERITY_LABELS,
    label,
)
from app.verification.models import Engagement, VerificationFinding

bp = Blueprint("verification", __name__, url_prefix="/verification", template_folder="templates")


@bp.app_context_processor
def _labels():
    return {"opinion_label": lambda c: label(OPINION_LABELS, c),
            "severity_label": lambda c: label(SEVERITY_LABELS, c),
            "engagement_status_label": lambda c: label(ENGAGEMENT_STATUS_LABELS, c),
            "finding_status_label": lambda c: label(FINDING_STATUS_LABELS, c)}


@bp.get("/")
@requires(SIGNED_IN)
def index():
    rows = services.engagements(include_withdrawn=current_user.organisation.kind == "authority")
    return render_template("verification/index.html", rows=rows, bodies=services.bodies()
                           if current_user.organisation.kind == "authority" else [])


# --------------------------------------------------------------------------------- the regulator's side

@bp.route("/bodies/new", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def register_body():
    form = BodyForm()
    if form.validate_on_submit():
        try:
            with cross_tenant_write():
                body = services.register_body(current_user, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("%(name)s is registered. Now invite its verifiers.", name=body.name), "success")
            return redirect(url_for("organisations.invite", org_id=body.id))
    return render_template("verification/body_form.html", form=form)


@bp.route("/assign", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def assign():
    form = AssignForm()
    enterprises = db.session.scalars(select(Organisation).where(Organisation.kind == ENTERPRISE, Organisation.active)
                                     .order_by(Organisation.name)).all()
    form.org_id.choices = [SelectChoice(o.id, localised(o.name, o.name_en)) for o in enterprises]
    form.verifier_org_id.choices = [SelectChoice(o.id, f"{localised(o.name, o.name_en)} ({o.accreditation_no})")
                                    for o in services.bodies()]
    if not form.is_submitted():
        form.year.data = city_today().year - 1
    if form.validate_on_submit():
        org = get_or_404(Organisation, form.org_id.data)
        body = get_or_404(Organisation, form.verifier_org_id.data)
        try:
            with acting_on(org.id):
                engagement = services.assign(current_user, org, body, form.year.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("%(body)s verifies %(org)s for %(year)d.", body=body.name, org=org.name, year=engagement.year),
                  "success")
            return redirect(url_for("verification.show", engagement_id=engagement.id))
    return render_template("verification/assign.html", form=form)


@bp.post("/engagements/<int:engagement_id>/withdraw")
@requires(ADMINISTER_CITY)
def withdraw(engagement_id: int):
    engagement = get_or_404(Engagement, engagement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with acting_on(engagement.org_id):
            services.withdraw(current_user, engagement)
    except ServiceError as e:
        roll_back()  # the refusal is shown by a redirect (a 302): the edge must not commit any of it
        flash(str(e.message), "error")
    else:
        flash(_("The engagement is withdrawn: the body no longer sees the enterprise's data."), "success")
    return redirect(url_for("verification.show", engagement_id=engagement_id))


@bp.post("/engagements/<int:engagement_id>/confirm")
@requires(REVIEW)
def confirm(engagement_id: int):
    engagement = get_or_404(Engagement, engagement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with acting_on(engagement.org_id):
            services.confirm(current_user, engagement)
    except ServiceError as e:
        roll_back()  # the refusal is shown by a redirect (a 302): the edge must not commit any of it
        flash(str(e.message), "error")
    else:
        flash(_("The opinion is confirmed: its total is the verified emissions of %(year)d.", year=engagement.year),
              "success")
    return redirect(url_for("verification.show", engagement_id=engagement_id))


@bp.post("/engagements/<int:engagement_id>/send-back")
@csrf_checked_by_form
@requires(REVIEW)
def send_back(engagement_id: int):
    engagement = get_or_404(Engagement, engagement_id)
    form = SendBackForm()
    if form.validate_on_submit():
        try:
            with acting_on(engagement.org_id):
                services.send_back(current_user, engagement, form.comment.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The opinion is sent back to the verification body."), "success")
            return redirect(url_for("verification.show", engagement_id=engagement_id))
    return _page(engagement, send_back_form=form)


# ------------------------------------------------------------------------------------- the engagement

def _page(engagement: Engagement, finding_form=None, opinion_form=None, send_back_form=None, answer_forms=None):
    filings = db.session.scalars(select(Filing).where(
        Filing.org_id == engagement.org_id, extract("year", Filing.period) == engagement.year)
        .options(selectinload(Filing.calculations)).order_by(Filing.period, Filing.revision)).all()
    sources = db.session.scalars(select(EmissionSource).where(EmissionSource.org_id == engagement.org_id)
                                 .order_by(EmissionSource.name)).all()
    total, months = services.reported_total(engagement.org_id, engagement.year)
    check = services.assess(engagement, total)
    if finding_form is None:
        finding_form = FindingForm(formdata=None)
    finding_form.source_id.choices = [SelectChoice("", "—")] + [SelectChoice(str(s.id), s.name) for s in sources]
    if opinion_form is None:
        opinion_form = OpinionForm(formdata=None, verified_total_tco2e=f"{total.quantize(services.THOUSANDTH)}")
    answer_forms = answer_forms or {}
    return render_template(
        "verification/show.html", engagement=engagement, filings=filings, months=months, total=total,
        substitutions=services.substitutions(filings),
        check=check, finding_form=finding_form, opinion_form=opinion_form,
        send_back_form=send_back_form or SendBackForm(formdata=None), close_form=CloseForm(formdata=None),
        answer_form_for=lambda f: answer_forms.get(f.id) or AnswerForm(formdata=None), confirm_form=ConfirmForm(),
        is_verifier=can(current_user, VERIFY), is_enterprise=can(current_user, FILE),
        is_regulator=can(current_user, REVIEW), can_withdraw=can(current_user, ADMINISTER_CITY))


@bp.get("/engagements/<int:engagement_id>")
@requires(SIGNED_IN)
def show(engagement_id: int):
    return _page(get_or_404(Engagement, engagement_id))


@bp.get("/engagements/<int:engagement_id>/filings/<int:filing_id>")
@requires(SIGNED_IN)
def filing(engagement_id: int, filing_id: int):
    """A filing of the engagement's enterprise-year, read-only, with its calculation and evidence."""
    engagement = get_or_404(Engagement, engagement_id)
    item = get_or_404(Filing, filing_id)
    if item.org_id != engagement.org_id or item.period.year != engagement.year:
        abort(404)
    calculation = db.session.scalar(select(Calculation).where(Calculation.filing_id == item.id, Calculation.is_current)
                                    .options(selectinload(Calculation.lines)))
    copies = db.session.scalars(select(CopyOfRecord).where(CopyOfRecord.filing_id == item.id)
                                .order_by(CopyOfRecord.received_at)).all()
    return render_template("verification/filing.html", engagement=engagement, filing=item, calculation=calculation,
                           records=copies, can_view_record=lambda copy: True)  # the gate chose what is here


@bp.post("/engagements/<int:engagement_id>/findings")
@csrf_checked_by_form
@requires(VERIFY)
def raise_finding(engagement_id: int):
    engagement = get_or_404(Engagement, engagement_id)
    form = FindingForm()
    form.source_id.choices = [SelectChoice("", "—")] + [SelectChoice(str(s.id), s.name) for s in db.session.scalars(
        select(EmissionSource).where(EmissionSource.org_id == engagement.org_id))]
    if form.validate_on_submit():
        try:
            services.raise_finding(current_user, engagement, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The finding is recorded; the enterprise is told."), "success")
            return redirect(url_for("verification.show", engagement_id=engagement.id, _anchor="findings"))
    return _page(engagement, finding_form=form)


@bp.post("/findings/<int:finding_id>/answer")
@csrf_checked_by_form
@requires(FILE)
def answer(finding_id: int):
    finding = get_or_404(VerificationFinding, finding_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_finding(current_user, finding, form.answer.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("Your answer is sent to the verification body."), "success")
            return redirect(url_for("verification.show", engagement_id=finding.engagement_id, _anchor="findings"))
    return _page(finding.engagement, answer_forms={finding.id: form})


@bp.post("/findings/<int:finding_id>/close")
@requires(VERIFY)
def close(finding_id: int):
    finding = get_or_404(VerificationFinding, finding_id)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.close_finding(current_user, finding, form.status.data)
    except ServiceError as e:
        roll_back()  # the refusal is shown by a redirect (a 302): the edge must not commit any of it
        flash(str(e.message), "error")
    else:
        flash(_("The finding is closed."), "success")
    return redirect(url_for("verification.show", engagement_id=finding.engagement_id, _anchor="findings"))


@bp.post("/engagements/<int:engagement_id>/opinion")
@csrf_checked_by_form
@requires(VERIFY)
def opinion(engagement_id: int):
    engagement = get_or_404(Engagement, engagement_id)
    form = OpinionForm()
    if form.validate_on_submit():
        try:
            services.issue_opinion(current_user, engagement, form.opinion.data, form.verified_total_tco2e.data,
                                   form.opinion_text.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The opinion is issued and sent to the regulator for confirmation."), "success")
            return redirect(url_for("verification.show", engagement_id=engagement.id))
    return _page(engagement, opinion_form=form)
