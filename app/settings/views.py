"""City settings: the regulator chooses the GWP set, the grid factor series and whether CH4/N2O count."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.roles import ADMINISTER_CITY, READ_CITY, can, requires
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.security import csrf_checked_by_form
from app.settings.forms import CitySettingsForm
from app.accounting.methods import BAND_FAMILIES
from app.settings.services import SPECS, all_settings, set_setting, value_text

bp = Blueprint("settings", __name__, url_prefix="/settings", template_folder="templates")

def _render(form):
    return render_template("settings/index.html", form=form, specs=SPECS, values=all_settings(), shown=value_text,
                           can_edit=can(current_user, ADMINISTER_CITY), families=BAND_FAMILIES)


@bp.get("/")
@requires(READ_CITY)
def index():
    if current_user.organisation.kind != "authority":
        abort(403)  # a viewer of an enterprise; enterprises see the settings in force on the factor library page
    return _render(CitySettingsForm(data=CitySettingsForm.data_of(all_settings())))


@bp.post("/")
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def save():
    form = CitySettingsForm()
    if form.validate_on_submit():
        before = all_settings()
        try:
            for key in form.setting_keys:
                if form[key].type == "SelectField" and not form[key].raw_data:
                    continue  # not sent (an older page): left as it is
                set_setting(current_user, key, form[key].data)
            for key in form.band_keys:
                band = form.band_value(key)
                if band is not None:
                    set_setting(current_user, key, band)
        except ServiceError as e:
            apply_error(form, e)  # nothing of this submission is kept
        else:
            after = all_settings()
            changed = [f"{SPECS[k].label}: {value_text(k, before[k])} → {value_text(k, after[k])}"
                       for k in (*form.setting_keys, *form.band_keys) if before[k] != after[k]]
            if changed:
                flash(_("Saved. Changed: %(changes)s. New calculations use the new settings; stored results "
                        "keep theirs until they are recalculated.", changes="; ".join(changed)), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("settings.index"))
    return _render(form)
