"""The enterprise register: list, register, profile, edit, invite."""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.accounts import services as account_services
from app.accounts.forms import ConfirmForm, InviteForm
from app.accounts.models import Invitation, User
from app.accounts.roles import (
    ADMINISTER_CITY,
    EDIT_ORGANISATION,
    INVITE,
    PLATFORM_ADMIN,
    READ_CITY,
    ROLES,
    SIGNED_IN,
    can,
    invitable_roles,
    requires,
)
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.i18n import localised
from app.organisations import industries, services
from app.organisations.forms import EnterpriseForm, ReportingMonthsForm
from app.organisations.models import ENTERPRISE, Organisation
from app.security import csrf_checked_by_form
from app.tenancy import acting_on, cross_tenant_write, get_or_404

bp = Blueprint("organisations", __name__, url_prefix="/organisations", template_folder="templates")

PAGE_SIZE = 50


def _district_choices():
    return [("", _("Choose a district"))] + [
        (zh, localised(zh, en)) for zh, en in current_app.config["CITY_DISTRICTS"].items()]


@bp.get("/")
@requires(READ_CITY)
def index():
    if current_user.organisation.kind == ENTERPRISE:
        return redirect(url_for("organisations.show", org_id=current_user.org_id))
    q = request.args.get("q", "").strip()
    district = request.args.get("district", "")
    division = request.args.get("division", "")
    stmt = select(Organisation).where(Organisation.kind == ENTERPRISE)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Organisation.name.ilike(like), Organisation.name_en.ilike(like),
                              Organisation.credit_code.ilike(like)))
    if district:
        stmt = stmt.where(Organisation.district == district)
    if division:
        stmt = stmt.where(Organisation.industry_code.startswith(division))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = max(request.args.get("page", 1, type=int), 1)
    orgs = db.session.scalars(stmt.order_by(Organisation.name).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    used_divisions = sorted({code[:3] for code in db.session.scalars(
        select(Organisation.industry_code).where(Organisation.kind == ENTERPRISE).distinct()) if code})
    return render_template("organisations/index.html", orgs=orgs, total=total, page=page, page_size=PAGE_SIZE,
                           q=q, district=district, division=division, districts=current_app.config["CITY_DISTRICTS"],
                           divisions=[industries.table()[d] for d in used_divisions if d in industries.table()])


@bp.route("/new", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def register():
    form = EnterpriseForm()
    form.district.choices = _district_choices()
    if form.validate_on_submit():
        try:
            with cross_tenant_write():
                org = services.register_enterprise(current_user, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("%(name)s is registered. Now invite its first administrator.", name=org.name), "success")
            return redirect(url_for("organisations.invite", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=None)


@bp.get("/<int:org_id>")
@requires(SIGNED_IN)
def show(org_id: int):
    org = get_or_404(Organisation, org_id)
    users = db.session.scalars(select(User).where(User.org_id == org.id).order_by(User.email)).all()
    invitations = db.session.scalars(select(Invitation).where(Invitation.org_id == org.id)
                                     .order_by(Invitation.created_at.desc())).all()
    return render_template("organisations/show.html", org=org, users=users, invitations=invitations,
                           roles=ROLES, now=utcnow(), can_edit=_can_edit(org),
                           # The invite route needs INVITE too (a verifier holds invitable roles but not it).
                           can_invite=can(current_user, INVITE) and bool(invitable_roles(current_user, org)),
                           invitable=lambda inv: can(current_user, INVITE) and inv.role in invitable_roles(
                               current_user, org),
                           can_set_months=can(current_user, ADMINISTER_CITY), form=ConfirmForm())


def _can_edit(org: Organisation) -> bool:
    # The platform admin edits any profile, an enterprise admin only their own.
    return can(current_user, EDIT_ORGANISATION) and (
        current_user.role == PLATFORM_ADMIN or current_user.org_id == org.id)


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(EDIT_ORGANISATION)
def edit(org_id: int):
    org = get_or_404(Organisation, org_id)
    if not _can_edit(org) or org.kind != ENTERPRISE:
        abort(403)
    form = EnterpriseForm(obj=org)
    form.district.choices = _district_choices()
    if form.validate_on_submit():
        try:
            with acting_on(org.id):
                services.update_enterprise(current_user, org, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The profile is saved."), "success")
            return redirect(url_for("organisations.show", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=org)


@bp.route("/<int:org_id>/invite", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(INVITE)
def invite(org_id: int):
    org = get_or_404(Organisation, org_id)
    roles = invitable_roles(current_user, org)
    if not roles:
        abort(403)
    form = InviteForm()
    form.role.choices = [(code, ROLES[code].label) for code in roles]
    if form.validate_on_submit():
        try:
            with acting_on(org.id):
                invitation, token = account_services.create_invitation(current_user, org, form.email.data,
                                                                       form.role.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            link = url_for("accounts.accept_invitation", token=token, _external=True)
            return render_template("organisations/invitation_created.html", org=org, invitation=invitation,
                                   link=link, roles=ROLES)
    return render_template("organisations/invite.html", form=form, org=org)


@bp.route("/<int:org_id>/reporting-months", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def reporting_months(org_id: int):
    org = get_or_404(Organisation, org_id)
    if org.kind != ENTERPRISE:
        abort(404)
    form = ReportingMonthsForm(data={"first": org.first_reporting_month, "last": org.last_reporting_month}
                               if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            with cross_tenant_write():
                services.set_reporting_months(current_user, org, form.first.data, form.last.data, form.reason.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The reporting months of %(name)s are saved.", name=org.name), "success")
            return redirect(url_for("organisations.show", org_id=org.id))
    return render_template("organisations/reporting_months.html", org=org, form=form)
