"""Monitoring plan pages. The enterprise lists its plans, drafts a version (one form per source), submits it; the
regulator sees the versions waiting, each beside the version in force (what changes), and approves or returns it.

Filers (FILE) draft and edit; the enterprise admin submits, committing the enterprise to the plan
(ADMINISTER_ENTERPRISE); the regulator acts (REVIEW), the authority's viewers read (READ_CITY).
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounting.models import EmissionSource
from app.accounts.roles import (
    ADMINISTER_ENTERPRISE,
    FILE,
    READ_CITY,
    REVIEW,
    SIGNED_IN,
    can,
    requires,
)
from app.core.edge import roll_back
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import db
from app.i18n import localised
from app.organisations.models import AUTHORITY, ENTERPRISE
from app.plans import method_catalogue as catalogue
from app.plans import services
from app.plans.forms import (
    TIER_CHOICES,
    ButtonForm,
    DetailsForm,
    DraftForm,
    ReturnForm,
    SourceForm,
)
from app.plans.labels import DIFF_LABELS, status_label
from app.plans.models import APPROVED, SUBMITTED, MonitoringPlan, PlanVersion
from app.tenancy import acting_on

bp = Blueprint("plans", __name__, url_prefix="/plans", template_folder="templates")


def _kind() -> str:
    return current_user.organisation.kind


def _version_or_404(version_id: int) -> PlanVersion:
    version = services.load_version(version_id)
    if version is None:
        abort(404)  # another enterprise's version and a missing one look the same
    return version


def _locked(version: PlanVersion):
    """A form posted to a version no longer editable (submitted meanwhile): say so rather than show no form."""
    if version.editable:
        return None
    flash(_("Only a draft or a returned version can be changed; start a new version instead."), "warning")
    return redirect(url_for("plans.show", version_id=version.id))


@bp.get("/")
@requires(SIGNED_IN)
def index():
    if _kind() == AUTHORITY:
        return redirect(url_for("plans.waiting"))
    if _kind() != ENTERPRISE:
        abort(403)
    plans = services.plans_of(current_user.org_id)
    form = DraftForm(formdata=None, data={"year": city_today().year})
    return render_template("plans/index.html", plans=plans, form=form, can_file=can(current_user, FILE),
                           open_of={p.id: services.open_version(p.id) for p in plans})


@bp.post("/draft")
@requires(FILE)
def start_draft():
    form = DraftForm()
    if not form.validate_on_submit():
        flash(_("Choose a year."), "danger")
        return redirect(url_for("plans.index"))
    try:
        version = services.start_draft(current_user, current_user.organisation, form.year.data)
    except ServiceError as e:
        roll_back()
        flash(str(e.message), "danger")
        return redirect(url_for("plans.index"))
    return redirect(url_for("plans.show", version_id=version.id))


@bp.get("/versions/<int:version_id>")
@requires(SIGNED_IN)
def show(version_id: int):
    return _page(_version_or_404(version_id))


def _page(version: PlanVersion, posted: SourceForm | None = None, details: DetailsForm | None = None,
          return_form: ReturnForm | None = None):
    editing = version.editable and _kind() == ENTERPRISE and can(current_user, FILE)
    forms = []
    if editing:
        forms = [posted if posted is not None and posted.planned.id == s.id else SourceForm.for_source(s)
                 for s in version.sources]
    planned = {s.source_id for s in version.sources}
    addable = [] if not editing else [
        s for s in db.session.scalars(select(EmissionSource).where(EmissionSource.org_id == version.org_id,
                                                                   EmissionSource.active).order_by(EmissionSource.id))
        if s.id not in planned and catalogue.method_of(s) is not None]
    base = version.based_on
    return render_template(
        "plans/show.html", version=version, plan=version.plan, base=base,
        diff=services.diff(version, base), needs_approval=services.needs_approval(version, base),
        editing=editing, forms=forms, addable=addable, tier_choices=TIER_CHOICES,
        details=details or DetailsForm(formdata=None, data={
            "effective_from": version.effective_from.strftime("%Y-%m"), "change_note": version.change_note or ""}),
        may_submit=editing and can(current_user, ADMINISTER_ENTERPRISE),
        may_review=version.status == SUBMITTED and _kind() == AUTHORITY and can(current_user, REVIEW),
        return_form=return_form or ReturnForm(formdata=None), button=ButtonForm(formdata=None),
        method_label=catalogue.method_label, parameter_label=catalogue.parameter_label,
        status_label=status_label, diff_labels=DIFF_LABELS, meter_text=services.meter_text,
        enterprise=localised(version.plan.organisation.name, version.plan.organisation.name_en))


@bp.post("/versions/<int:version_id>/details")
@requires(FILE)
def save_details(version_id: int):
    version = _version_or_404(version_id)
    if (locked := _locked(version)) is not None:
        return locked
    form = DetailsForm()
    if form.validate_on_submit():
        month = form.month()
        if month is None:
            form.effective_from.errors.append(_("Type the month as YYYY-MM."))
        else:
            try:
                services.update_details(current_user, version, month, form.change_note.data)
            except ServiceError as e:
                apply_error(form, e)
                version = _version_or_404(version_id)
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("plans.show", version_id=version.id))
    return _page(version, details=form)


@bp.post("/versions/<int:version_id>/sources/<int:source_id>")
@requires(FILE)
def save_source(version_id: int, source_id: int):
    version = _version_or_404(version_id)
    planned = next((s for s in version.sources if s.source_id == source_id), None)
    if planned is None:
        abort(404)
    if (locked := _locked(version)) is not None:
        return locked
    form = SourceForm.for_source(planned, request.form)
    if form.validate_on_submit():
        try:
            services.update_source(current_user, version, planned, form.values())
        except ServiceError as e:
            apply_error(form, e)
            version = _version_or_404(version_id)
            form.planned = next(s for s in version.sources if s.source_id == source_id)
        else:
            flash(_("%(source)s: saved.", source=planned.source.name), "success")
            return redirect(url_for("plans.show", version_id=version.id, _anchor=f"source-{source_id}"))
    return _page(version, posted=form)


@bp.post("/versions/<int:version_id>/sources/<int:source_id>/remove")
@requires(FILE)
def remove_source(version_id: int, source_id: int):
    version = _version_or_404(version_id)
    planned = next((s for s in version.sources if s.source_id == source_id), None)
    if planned is None or not ButtonForm().validate_on_submit():
        abort(404 if planned is None else 400)
    try:
        services.remove_source(current_user, version, planned)
    except ServiceError as e:
        roll_back()
        flash(str(e.message), "danger")
    return redirect(url_for("plans.show", version_id=version_id))


@bp.post("/versions/<int:version_id>/sources")
@requires(FILE)
def add_source(version_id: int):
    version = _version_or_404(version_id)
    source_id = request.form.get("source_id", type=int)
    source = db.session.scalar(select(EmissionSource).where(EmissionSource.id == source_id)) if source_id else None
    if source is None or not ButtonForm().validate_on_submit():
        abort(404 if source is None else 400)
    try:
        services.add_source(current_user, version, source)
    except ServiceError as e:
        roll_back()
        flash(str(e.message), "danger")
    return redirect(url_for("plans.show", version_id=version_id, _anchor=f"source-{source_id}"))


@bp.post("/versions/<int:version_id>/submit")
@requires(ADMINISTER_ENTERPRISE)
def submit(version_id: int):
    version = _version_or_404(version_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        approval = services.submit(current_user, version)
    except ServiceError as e:
        roll_back()
        flash(str(e.message), "danger")
        return redirect(url_for("plans.show", version_id=version_id))
    if approval:
        flash(_("Version %(number)d is submitted: it takes effect once the regulator approves it.",
                number=version.number), "success")
    else:
        flash(_("Version %(number)d changes only meters, laboratories, people or backups: it takes effect from "
                "%(month)s, and the regulator is told.", number=version.number,
                month=version.effective_from.strftime("%Y-%m")), "success")
    return redirect(url_for("plans.show", version_id=version_id))


# --- the regulator ----------------------------------------------------------------------------------------------

@bp.get("/waiting")
@requires(READ_CITY)
def waiting():
    year = city_today().year
    in_force = db.session.scalars(
        select(PlanVersion).join(PlanVersion.plan).where(MonitoringPlan.year == year, PlanVersion.status == APPROVED)
        .options(selectinload(PlanVersion.plan).selectinload(MonitoringPlan.organisation))
        .order_by(PlanVersion.org_id, PlanVersion.number.desc())).all()
    latest = {}
    for version in in_force:
        latest.setdefault(version.org_id, version)
    return render_template("plans/waiting.html", rows=services.waiting(), approved=list(latest.values()), year=year,
                           status_label=status_label, localised=localised)


@bp.post("/versions/<int:version_id>/approve")
@requires(REVIEW)
def approve(version_id: int):
    version = _version_or_404(version_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        with acting_on(version.org_id):
            services.approve(current_user, version)
    except ServiceError as e:
        roll_back()
        flash(str(e.message), "danger")
        return redirect(url_for("plans.show", version_id=version_id))
    flash(_("%(enterprise)s: version %(number)d of the plan for %(year)d is approved.",
            enterprise=localised(version.plan.organisation.name, version.plan.organisation.name_en),
            number=version.number, year=version.plan.year), "success")
    return redirect(url_for("plans.waiting"))


@bp.post("/versions/<int:version_id>/return")
@requires(REVIEW)
def return_version(version_id: int):
    version = _version_or_404(version_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            with acting_on(version.org_id):
                services.return_version(current_user, version, form.comment.data)
        except ServiceError as e:
            apply_error(form, e)
            version = _version_or_404(version_id)
        else:
            flash(_("Returned to the enterprise with your comment."), "success")
            return redirect(url_for("plans.waiting"))
    return _page(version, return_form=form)
