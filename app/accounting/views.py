"""The enterprise's register of facilities, emission sources and products.

Every user of an enterprise reads its register; only its enterprise admins change it. Authority
users read any enterprise's register at /register/org/<id>, and never change it.
"""
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounting import services
from app.accounting.forms import FacilityForm, ProductForm, SourceForm
from app.accounting.models import EmissionSource, Facility, Product
from app.accounts.forms import ConfirmForm
from app.accounts.roles import (
    ADMINISTER_ENTERPRISE,
    READ_CITY,
    SIGNED_IN,
    VIEWER,
    can,
    requires,
)
from app.core.edge import roll_back
from app.core.forms import apply_error
from app.core.numbers import plain
from app.core.service_error import ServiceError
from app.organisations.models import ENTERPRISE, Organisation
from app.security import csrf_checked_by_form
from app.tenancy import acting_on, get_or_404

bp = Blueprint("accounting", __name__, url_prefix="/register", template_folder="templates")


def _home() -> Organisation:
    return current_user.organisation


def _back():
    return redirect(url_for("accounting.index"))


# --- reading ----------------------------------------------------------------------------------------

@bp.get("/")
@requires(SIGNED_IN)
def index():
    org = _home()
    if org.kind != ENTERPRISE:
        # The authority has no register of its own: it reads an enterprise's from the enterprise list.
        return redirect(url_for("organisations.index"))
    return _render_register(org, can_edit=can(current_user, ADMINISTER_ENTERPRISE))


@bp.get("/org/<int:org_id>")
@requires(SIGNED_IN)
def show(org_id: int):
    org = get_or_404(Organisation, org_id)
    if not can(current_user, READ_CITY):
        # A read-only viewer of an enterprise is sent to its own register; no one else's is theirs to see.
        if _home().kind != ENTERPRISE or current_user.role != VIEWER:
            abort(403)
        if org.id == current_user.org_id:
            return _back()
        abort(404)
    if org.kind != ENTERPRISE:
        abort(404)
    return _render_register(org, can_edit=False)


def _render_register(org: Organisation, can_edit: bool):
    register = services.load_register(org)
    return render_template("accounting/register.html", org=org, register=register, can_edit=can_edit,
                           own=org.id == current_user.org_id, category_label=services.category_choice_label,
                           material_label=lambda s: services.material_label(s, register.materials),
                           number=plain,
                           form=ConfirmForm())


# --- creating and editing: one helper behind the six forms ----------------------------------------------

@dataclass(frozen=True)
class _Kind:
    template: str
    form: Callable  # (obj or None) -> the form, with its choices
    create: Callable  # (actor, org, data) -> obj
    update: Callable  # (actor, org, obj, data)
    created: Callable  # (obj) -> the message once registered
    saved: Callable  # () -> the message once edited


def _source_form(source: EmissionSource | None = None) -> SourceForm:
    org = _home()
    form = SourceForm(obj=source)
    form.set_choices(services.facilities_for_choice(org, source.facility if source else None),
                     services.materials_by_family())
    if request.method == "GET":
        if source is None and request.args.get("facility_id"):
            # Only preselects: the choices are our facilities.
            form.facility_id.data = request.args["facility_id"]
        if source is not None and source.category == services.SCOPE3:
            form.material.data, form.material_text.data = "", source.material
        if source is not None and source.declared_factor is not None:
            form.declared_factor.data = plain(source.declared_factor)
        if source is not None and source.rated_capacity is not None:
            form.rated_capacity.data = plain(source.rated_capacity)
    return form


KINDS = {
    "facility": _Kind(
        "accounting/facility_form.html", lambda obj: FacilityForm(obj=obj),
        services.create_facility, services.update_facility,
        lambda obj: _("The facility %(name)s is registered. Now add its emission sources.", name=obj.name),
        lambda: _("The facility is saved.")),
    "source": _Kind(
        "accounting/source_form.html", _source_form, services.create_source, services.update_source,
        lambda obj: _("The source %(name)s is registered.", name=obj.name), lambda: _("The source is saved.")),
    "product": _Kind(
        "accounting/product_form.html", lambda obj: ProductForm(obj=obj),
        services.create_product, services.update_product,
        lambda obj: _("The product %(name)s is registered.", name=obj.name), lambda: _("The product is saved.")),
}


def _save_form(kind: str, obj=None):
    """The form page that registers a new `kind` (obj None) or edits `obj`, for the admin's own enterprise."""
    spec = KINDS[kind]
    form = spec.form(obj)
    if form.validate_on_submit():
        org = _home()
        try:
            with acting_on(org.id):
                if obj is None:
                    message = spec.created(spec.create(current_user, org, form.data))
                else:
                    spec.update(current_user, org, obj, form.data)
                    message = spec.saved()
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(message, "success")
            return _back()
    return render_template(spec.template, form=form, **{kind: obj})


def _set_active(model, obj_id: int, service, active: bool):
    obj = get_or_404(model, obj_id)
    try:
        with acting_on(obj.org_id):
            service(current_user, obj, active)
    except ServiceError as e:
        roll_back()  # a refusal shown as a message on the redirect: nothing of it is kept
        flash(str(e.message), "error")
    else:
        flash(_("%(name)s is active again.", name=obj.name) if active
              else _("%(name)s is deactivated. It stays in past filings.", name=obj.name), "success")
    return _back()


# --- facilities -------------------------------------------------------------------------------------

@bp.route("/facilities/new", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_ENTERPRISE)
def new_facility():
    return _save_form("facility")


@bp.route("/facilities/<int:facility_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_ENTERPRISE)
def edit_facility(facility_id: int):
    return _save_form("facility", get_or_404(Facility, facility_id))


@bp.post("/facilities/<int:facility_id>/deactivate")
@requires(ADMINISTER_ENTERPRISE)
def deactivate_facility(facility_id: int):
    return _set_active(Facility, facility_id, services.set_facility_active, False)


@bp.post("/facilities/<int:facility_id>/activate")
@requires(ADMINISTER_ENTERPRISE)
def activate_facility(facility_id: int):
    return _set_active(Facility, facility_id, services.set_facility_active, True)


# --- emission sources -------------------------------------------------------------------------------

@bp.route("/sources/new", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_ENTERPRISE)
def new_source():
    return _save_form("source")


@bp.route("/sources/<int:source_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_ENTERPRISE)
def edit_source(source_id: int):
    return _save_form("source", get_or_404(EmissionSource, source_id))


@bp.post("/sources/<int:source_id>/deactivate")
@requires(ADMINISTER_ENTERPRISE)
def deactivate_source(source_id: int):
    return _set_active(EmissionSource, source_id, services.set_source_active, False)


@bp.post("/sources/<int:source_id>/activate")
@requires(ADMINISTER_ENTERPRISE)
def activate_source(source_id: int):
    return _set_active(EmissionSource, source_id, services.set_source_active, True)


# --- products ---------------------------------------------------------------------------------------

@bp.route("/products/new", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_ENTERPRISE)
def new_product():
    return _save_form("product")


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_ENTERPRISE)
def edit_product(product_id: int):
    return _save_form("product", get_or_404(Product, product_id))


@bp.post("/products/<int:product_id>/deactivate")
@requires(ADMINISTER_ENTERPRISE)
def deactivate_product(product_id: int):
    return _set_active(Product, product_id, services.set_product_active, False)


@bp.post("/products/<int:product_id>/activate")
@requires(ADMINISTER_ENTERPRISE)
def activate_product(product_id: int):
    return _set_active(Product, product_id, services.set_product_active, True)
