"""The factor library: every signed-in user reads it (with citations); the regulator publishes new versions."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounting import factor_texts
from app.accounting.library import GRID_SERIES
from app.accounting.models import EmissionFactor
from app.accounts.roles import ADMINISTER_CITY, REVIEW, SIGNED_IN, can, requires
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.factors import fuels, services
from app.factors.forms import FuelForm, GridYearForm, publish_form
from app.i18n import localised
from app.security import csrf_checked_by_form
from app.settings.services import SPECS, all_settings, value_text
from app.tenancy import get_or_404

bp = Blueprint("factors", __name__, url_prefix="/factors", template_folder="templates")

@bp.app_template_filter("display_unit")
def _display_unit(unit):
    return services.display_unit(unit)


# App-wide: the calculation pages that cite a factor show the same status and citation as the library.
bp.add_app_template_filter(factor_texts.status_text, "factor_status")
bp.add_app_template_filter(factor_texts.citation, "factor_citation")
bp.add_app_template_filter(factor_texts.note_text, "factor_note")


@bp.context_processor
def _helpers():
    return {
        "kind_label": services.kind_label, "series_label": services.series_label,
        "region_label": services.region_label, "value_label": services.value_label,
        "value_unit": services.value_unit, "fuel_tco2_per_unit": services.fuel_tco2_per_unit,
        "factor_title": lambda f: services.factor_title(f, localised),
        "can_publish": can(current_user, ADMINISTER_CITY),
        "can_review": can(current_user, REVIEW),  # the approved months to recalculate after a new version
    }


def _settings_in_force():
    """(label, value label) of each city setting, so enterprises see which set and series their numbers use."""
    return [(SPECS[key].label, value_text(key, value)) for key, value in all_settings().items()]


@bp.get("/")
@requires(SIGNED_IN)
def index():
    return render_template("factors/index.html", overview=services.library_overview(),
                           settings_in_force=_settings_in_force())


@bp.get("/<int:factor_id>")
@requires(SIGNED_IN)
def show(factor_id: int):
    factor = get_or_404(EmissionFactor, factor_id)
    versions = services.history(factor)
    return render_template("factors/show.html", factor=factor, versions=versions, current=versions[0])


@bp.route("/<int:factor_id>/new-version", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def publish(factor_id: int):
    current = services.latest_version(get_or_404(EmissionFactor, factor_id))
    keys = list(current.values)
    form = publish_form(keys, current.unit, data={
        **{key: current.values[key] for key in keys}, "valid_from": current.valid_from,
        "valid_to": current.valid_to, "status": factor_texts.status_code(current.status),
        "source": factor_texts.citation(current.source)})
    if form.validate_on_submit():
        try:
            row = services.publish_version(
                current_user, current, {key: form[key].data for key in keys}, form.valid_from.data,
                form.valid_to.data, form.source.data, form.status.data, form.note.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("Version %(version)s is published. Stored results keep the versions they were calculated "
                    "with until they are recalculated.", version=row.version), "success")
            return redirect(url_for("factors.show", factor_id=row.id))
    return render_template("factors/publish.html", form=form, current=current)


@bp.route("/electricity/new", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def publish_grid_year():
    latest = services.latest_grid_year()
    form = GridYearForm(data={"data_year": latest + 1} if latest else {"data_year": city_today().year - 2})
    form.series.choices = [SelectChoice(code, services.series_label(code)) for code in GRID_SERIES]
    form.code.choices = [SelectChoice(code, label) for code, label in services.REGION_LABELS.items()]
    if form.validate_on_submit():
        try:
            row = services.publish_grid_year(
                current_user, form.series.data, form.code.data, form.data_year.data, form.ef.data,
                form.valid_from.data, form.valid_to.data, form.source.data, form.status.data, form.note.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The %(year)s grid factor is published.", year=row.data_year), "success")
            return redirect(url_for("factors.show", factor_id=row.id))
    return render_template("factors/publish_grid_year.html", form=form)


@bp.route("/fuels/new", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def add_fuel():
    form = FuelForm()
    if form.validate_on_submit():
        try:
            row = fuels.add_fuel(
                current_user, form.code.data, form.name_zh.data, form.name_en.data, form.unit.data, form.ncv.data,
                form.carbon_content.data, form.oxidation_rate.data, form.valid_from.data, form.status.data,
                form.source.data, form.note.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("%(name)s is in the library: enterprises can choose it for their sources and file it now.",
                    name=localised(row.name_zh, row.name_en)), "success")
            return redirect(url_for("factors.show", factor_id=row.id))
    return render_template("factors/add_fuel.html", form=form)
