"""What-if scenarios of the city index: saved by name, each shown beside the baseline, several compared.

City-wide, the authority's: authority users read them, the regulator and the platform admin create and delete
them; enterprise users get 403. The parameters, the result and the writes are in services.py.
"""
from decimal import ROUND_HALF_EVEN

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.accounting.services import benchmark_choices, library_materials
from app.accounts.roles import ADMINISTER_CITY, READ_CITY, can, requires
from app.audit_log.labels import name_values
from app.city_data.defaults import SUB_INDICES
from app.city_index.breakdowns import SECTORS
from app.core.forms import apply_error
from app.core.numbers import tonnes
from app.core.service_error import ServiceError
from app.extensions import db
from app.filings.calculations import load_library
from app.settings.services import engine_settings
from app.tenancy import get_or_404

from . import projects, register
from .forms import FUEL_LINES, RECEIVER_LINES, ProjectForm, ScenarioForm
from .models import DECISIONS, PACKAGE, SCENARIO_KINDS, ProjectDecision, Scenario
from .services import (
    create_scenario,
    default_month,
    delete_scenario,
    evaluate,
    packages_with,
)

COMPARE_AT_MOST = 10  # scenarios side by side (issue 18: ten in under 300 ms)

bp = Blueprint("scenarios", __name__, url_prefix="/city/scenarios", template_folder="templates")

KIND_LABELS = {"new_project": _l("New project"), "substitution": _l("Energy substitution"),
               "sinks": _l("New carbon sinks"), "efficiency": _l("Efficiency programmes"),
               "top_down": _l("Top-down target"), PACKAGE: _l("Package of scenarios")}


@bp.context_processor
def _helpers():
    return {"can_write": can(current_user, ADMINISTER_CITY),
            "kind_label": lambda k: KIND_LABELS.get(k, k), "kinds": SCENARIO_KINDS, "num": _num,
            "sectors": SECTORS, "sub_indices": SUB_INDICES}


def _num(value, places: int = 2) -> str:
    return tonnes(value, places, ROUND_HALF_EVEN)  # these pages have always rounded ties to even


@bp.get("/")
@requires(READ_CITY)
def index():
    rows = db.session.scalars(select(Scenario).order_by(Scenario.created_at.desc(), Scenario.id.desc())).all()
    return render_template("scenarios/index.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@requires(ADMINISTER_CITY)
def create():
    kind = request.args.get("kind", "new_project")
    if kind not in SCENARIO_KINDS:
        abort(404)
    materials = library_materials("fuel")
    fuels = {code: m.unit for code, m in materials.items()}
    form = ScenarioForm(data={"month": default_month(), "sink_rate": "5", "boiler_efficiency": "90",
                              "members": request.args.getlist("id")})
    choices = [SelectChoice(code, m.label) for code, m in materials.items()]
    for name in ("fuel_1", "fuel_2", "fuel_3"):
        getattr(form, name).choices = choices
    sources = {}
    if kind == "substitution":
        found = register.combustion_sources()
        sources = {s.id: s for s in found}
        options = register.source_choices(found, lambda code: materials[code].label if code in materials else code)
        form.supplier_source.choices = [("", _("Choose a source"))] + options
        for k in range(1, RECEIVER_LINES + 1):
            form[f"receiver_source_{k}"].choices = [("", _("None"))] + options
    elif kind == PACKAGE:
        form.members.choices = [(str(s.id), s.name) for s in db.session.scalars(
            select(Scenario).where(Scenario.kind != PACKAGE).order_by(Scenario.created_at.desc(), Scenario.id.desc()))]
    if form.validate_on_submit():
        try:
            scenario = create_scenario(current_user, kind, form.name.data, form.data, fuels, sources)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The scenario %(name)s is saved.", name=scenario.name), "success")
            return redirect(url_for("scenarios.show", scenario_id=scenario.id))
    return render_template("scenarios/form.html", form=form, kind=kind, fuel_lines=range(1, FUEL_LINES + 1),
                           receiver_lines=range(1, RECEIVER_LINES + 1), has_sources=bool(sources))


@bp.get("/<int:scenario_id>")
@requires(READ_CITY)
def show(scenario_id: int):
    scenario = get_or_404(Scenario, scenario_id)
    return render_template("scenarios/show.html", o=evaluate(scenario))


@bp.route("/<int:scenario_id>/delete", methods=["GET", "POST"])
@requires(ADMINISTER_CITY)
def delete(scenario_id: int):
    """GET asks (a deleted scenario cannot be brought back), POST deletes."""
    scenario = get_or_404(Scenario, scenario_id)
    if request.method == "GET":
        return render_template("scenarios/delete.html", scenario=scenario, delete_form=FlaskForm(),
                               packages=packages_with(scenario))
    delete_scenario(current_user, scenario)
    flash(_("The scenario is deleted."), "success")
    return redirect(url_for("scenarios.index"))


@bp.get("/compare")
@requires(READ_CITY)
def compare():
    ids = request.args.getlist("id", type=int)[:COMPARE_AT_MOST]
    rows = db.session.scalars(select(Scenario).where(Scenario.id.in_(ids)).order_by(Scenario.id)).all() if ids else []
    library, settings = load_library(), engine_settings()
    months = {}  # scenarios of the same month share its load
    outcomes = [evaluate(s, library, settings, months) for s in rows]
    return render_template("scenarios/compare.html", outcomes=outcomes)


# --- new projects: assessed against the path, decided ------------------------------------------------------------

DECISION_LABELS = {"approved": _l("Approved"), "approved_with_conditions": _l("Approved with conditions"),
                   "refused": _l("Refused")}


name_values(DECISION_LABELS, "decision")  # the audit page names a decision's value too


@bp.app_context_processor
def _decision_labels():
    return {"decision_label": lambda code: DECISION_LABELS.get(code, code)}


def _project_form() -> ProjectForm:
    form = ProjectForm()
    materials = library_materials("fuel")
    choices = [SelectChoice(code, m.label) for code, m in materials.items()]
    for name in ("fuel_1", "fuel_2", "fuel_3"):
        getattr(form, name).choices = choices
    form.benchmark_code.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(code, label) for code, label in benchmark_choices()]
    form.decision.choices = [SelectChoice(code, DECISION_LABELS[code]) for code in DECISIONS]
    return form


@bp.get("/projects")
@requires(READ_CITY)
def projects_index():
    rows = db.session.scalars(select(ProjectDecision).order_by(ProjectDecision.decided_at.desc(),
                                                               ProjectDecision.id.desc())).all()
    return render_template("scenarios/projects.html", rows=rows,
                           baseline=projects.baseline_month())


@bp.route("/projects/assess", methods=["GET", "POST"])
@requires(READ_CITY)
def assess_project():
    """GET the form; POST `action=assess` shows the answer (reads only); `action=decide` records the decision on the
    answer recomputed from the same inputs (the baseline month is fixed, so it is the answer shown)."""
    form = _project_form()
    baseline = projects.baseline_month()
    if not form.first_year.data and request.method == "GET":
        form.first_year.data = str(baseline[0] + 1)
    result = None
    if form.validate_on_submit():
        deciding = request.form.get("action") == "decide"
        if deciding and not can(current_user, ADMINISTER_CITY):
            abort(403)
        try:
            inputs = projects.read_inputs(request.form.to_dict(), projects.library_fuels(), baseline[0])
            result = projects.answer(inputs)
            if deciding:
                row = projects.record_decision(current_user, result, form.decision.data, form.note.data)
                flash(_("The decision on %(name)s is recorded.", name=row.name), "success")
                return redirect(url_for("scenarios.project_decision", decision_id=row.id))
        except ServiceError as e:
            apply_error(form, e)
    return render_template("scenarios/assess.html", form=form, result=result, baseline=baseline,
                           fuel_lines=range(1, FUEL_LINES + 1))


@bp.get("/projects/<int:decision_id>")
@requires(READ_CITY)
def project_decision(decision_id: int):
    return render_template("scenarios/decision.html", d=get_or_404(ProjectDecision, decision_id))
