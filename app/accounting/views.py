"""The enterprise's register of facilities, emission sources and products.

Every user of an enterprise reads its register; only its enterprise admins change it. Authority
users read any enterprise's register at /register/org/<id>, and never change it.
"""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounting import sources
from app.accounting.forms import FacilityForm, ProductForm, SourceForm
from app.accounting.models import EmissionSource, Facility, Product
from app.accounts.forms import ConfirmForm
from app.accounts.roles import ENTERPRISE_ADMIN, PLATFORM_ADMIN, REGULATOR, VIEWER
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.extensions import csrf, db
from app.organisations.models import ENTERPRISE, Organisation
from app.security import csrf_checked_by_form
from app.tenancy import acting_on, get_or_404, require_role

bp = Blueprint("accounting", __name__, url_prefix="/register")


def admin_form(view):
    """An enterprise admin's form that checks its own CSRF token (a stale form keeps what was typed).

    Anyone else gets 403, but a POST without a valid token is refused as such first (400), as on every
    other form of the app: a forged cross-site POST learns nothing about roles.
    """
    allowed = require_role(ENTERPRISE_ADMIN)(view)

    @wraps(view)
    def wrapped(*args, **kwargs):
        if (request.method == "POST" and current_user.is_authenticated
                and current_user.role != ENTERPRISE_ADMIN):
            csrf.protect()
        return allowed(*args, **kwargs)

    wrapped.allowed_roles = allowed.allowed_roles
    return csrf_checked_by_form(wrapped)


def _home() -> Organisation:
    return current_user.organisation


def _back():
    return redirect(url_for("accounting.index"))


# --- reading ----------------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    org = _home()
    if org.kind != ENTERPRISE:
        # The authority has no register of its own: it reads an enterprise's from the enterprise list.
        return redirect(url_for("organisations.index"))
    return _render_register(org, can_edit=current_user.role == ENTERPRISE_ADMIN)


@bp.get("/org/<int:org_id>")
@require_role(PLATFORM_ADMIN, REGULATOR, VIEWER)
def show(org_id: int):
    org = get_or_404(Organisation, org_id)
    if _home().kind == ENTERPRISE:
        if org.id == current_user.org_id:
            return _back()
        abort(404)
    if org.kind != ENTERPRISE:
        abort(404)
    return _render_register(org, can_edit=False)


def _render_register(org: Organisation, can_edit: bool):
    register = sources.load_register(org)
    return render_template("accounting/register.html", org=org, register=register, can_edit=can_edit,
                           own=org.id == current_user.org_id, category_label=sources.category_choice_label,
                           material_label=lambda s: sources.material_label(s, register.materials),
                           number=sources.plain_number,
                           form=ConfirmForm())


# --- facilities -------------------------------------------------------------------------------------

@bp.route("/facilities/new", methods=["GET", "POST"])
@admin_form
def new_facility():
    form = FacilityForm()
    if form.validate_on_submit():
        org = _home()
        try:
            with acting_on(org.id):
                facility = sources.create_facility(current_user, org, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            db.session.commit()
            flash(_("The facility %(name)s is registered. Now add its emission sources.", name=facility.name),
                  "success")
            return _back()
    return render_template("accounting/facility_form.html", form=form, facility=None)


@bp.route("/facilities/<int:facility_id>/edit", methods=["GET", "POST"])
@admin_form
def edit_facility(facility_id: int):
    facility = get_or_404(Facility, facility_id)
    form = FacilityForm(obj=facility)
    if form.validate_on_submit():
        org = _home()
        try:
            with acting_on(org.id):
                sources.update_facility(current_user, org, facility, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            db.session.commit()
            flash(_("The facility is saved."), "success")
            return _back()
    return render_template("accounting/facility_form.html", form=form, facility=facility)


@bp.post("/facilities/<int:facility_id>/deactivate")
@require_role(ENTERPRISE_ADMIN)
def deactivate_facility(facility_id: int):
    return _set_active(Facility, facility_id, sources.set_facility_active, False)


@bp.post("/facilities/<int:facility_id>/activate")
@require_role(ENTERPRISE_ADMIN)
def activate_facility(facility_id: int):
    return _set_active(Facility, facility_id, sources.set_facility_active, True)


def _set_active(model, obj_id: int, service, active: bool):
    obj = get_or_404(model, obj_id)
    try:
        with acting_on(obj.org_id):
            service(current_user, obj, active)
    except ServiceError as e:
        db.session.rollback()
        flash(str(e.message), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is active again.", name=obj.name) if active
              else _("%(name)s is deactivated. It stays in past filings.", name=obj.name), "success")
    return _back()


# --- emission sources -------------------------------------------------------------------------------

def _source_form(source: EmissionSource | None = None) -> SourceForm:
    org = _home()
    form = SourceForm(obj=source)
    form.set_choices(sources.facilities_for_choice(org, source.facility if source else None),
                     sources.materials_by_family())
    if source is not None and request.method == "GET":
        if source.category == sources.SCOPE3:
            form.material.data, form.material_text.data = "", source.material
        if source.declared_factor is not None:
            form.declared_factor.data = sources.plain_number(source.declared_factor)
    return form


@bp.route("/sources/new", methods=["GET", "POST"])
@admin_form
def new_source():
    form = _source_form()
    if request.method == "GET" and request.args.get("facility_id"):
        form.facility_id.data = request.args["facility_id"]  # only preselects: the choices are our facilities
    if form.validate_on_submit():
        org = _home()
        try:
            with acting_on(org.id):
                source = sources.create_source(current_user, org, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            db.session.commit()
            flash(_("The source %(name)s is registered.", name=source.name), "success")
            return _back()
    return render_template("accounting/source_form.html", form=form, source=None)


@bp.route("/sources/<int:source_id>/edit", methods=["GET", "POST"])
@admin_form
def edit_source(source_id: int):
    source = get_or_404(EmissionSource, source_id)
    form = _source_form(source)
    if form.validate_on_submit():
        org = _home()
        try:
            with acting_on(org.id):
                sources.update_source(current_user, org, source, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            db.session.commit()
            flash(_("The source is saved."), "success")
            return _back()
    return render_template("accounting/source_form.html", form=form, source=source)


@bp.post("/sources/<int:source_id>/deactivate")
@require_role(ENTERPRISE_ADMIN)
def deactivate_source(source_id: int):
    return _set_active(EmissionSource, source_id, sources.set_source_active, False)


@bp.post("/sources/<int:source_id>/activate")
@require_role(ENTERPRISE_ADMIN)
def activate_source(source_id: int):
    return _set_active(EmissionSource, source_id, sources.set_source_active, True)


# --- products ---------------------------------------------------------------------------------------

@bp.route("/products/new", methods=["GET", "POST"])
@admin_form
def new_product():
    form = ProductForm()
    if form.validate_on_submit():
        org = _home()
        try:
            with acting_on(org.id):
                product = sources.create_product(current_user, org, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            db.session.commit()
            flash(_("The product %(name)s is registered.", name=product.name), "success")
            return _back()
    return render_template("accounting/product_form.html", form=form, product=None)


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@admin_form
def edit_product(product_id: int):
    product = get_or_404(Product, product_id)
    form = ProductForm(obj=product)
    if form.validate_on_submit():
        org = _home()
        try:
            with acting_on(org.id):
                sources.update_product(current_user, org, product, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            db.session.commit()
            flash(_("The product is saved."), "success")
            return _back()
    return render_template("accounting/product_form.html", form=form, product=product)


@bp.post("/products/<int:product_id>/deactivate")
@require_role(ENTERPRISE_ADMIN)
def deactivate_product(product_id: int):
    return _set_active(Product, product_id, sources.set_product_active, False)


@bp.post("/products/<int:product_id>/activate")
@require_role(ENTERPRISE_ADMIN)
def activate_product(product_id: int):
    return _set_active(Product, product_id, sources.set_product_active, True)
