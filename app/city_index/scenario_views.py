"""What-if scenarios of the city index: saved by name, each shown beside the baseline, several compared.

City-wide, the authority's: authority users read them, the regulator and the platform admin create and delete
them; enterprise users get 403. A scenario's result is computed on demand from the approved data and the
settings in force for its month (app.city_index.simulator, pure); nothing but the Scenario row is ever written.
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from app.accounting.engine import CalculationError
from app.accounting.services import library_materials
from app.accounts.roles import PLATFORM_ADMIN, REGULATOR
from app.audit.services import record
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.filings.calculations import load_library
from app.settings.services import engine_settings
from app.tenancy import get_or_404, require_role

from . import formula, index_service, simulator
from .data_views import authority_read
from .scenario_models import SCENARIO_KINDS, Scenario
from .views import SECTOR_LABELS

bp = Blueprint("scenarios", __name__, url_prefix="/city/scenarios")

WRITERS = (PLATFORM_ADMIN, REGULATOR)
SECTORS = index_service.SECTORS
FUEL_LINES = 3
KIND_LABELS = {"new_project": _l("New project"), "substitution": _l("Energy substitution"),
               "sinks": _l("New carbon sinks"), "efficiency": _l("Efficiency programmes"),
               "top_down": _l("Top-down target")}


class _Text(StringField):
    """Numbers as typed: parsed exactly (Decimal) below, the error shown beside the field."""


class ScenarioForm(FlaskForm):
    """Every kind's fields; the page shows those of its kind and parse() reads only those."""
    name = StringField(_l("Name"), validators=[Length(max=200)])
    month = StringField(_l("Index month (YYYY-MM)"), validators=[Length(max=7)],
                        description=_l("The baseline: the index of this month."))
    sink_rate = _Text(_l("Sink rate for the offset (tCO2 per ha per year)"), default="5")
    # new project
    sector = SelectField(_l("Sector"), choices=[SelectChoice(k, v) for k, v in SECTOR_LABELS.items()], default="industry",
                         validate_choice=False)
    fuel_1, fuel_2, fuel_3 = (SelectField(_l("Fuel"), choices=[], validate_choice=False) for _k in range(FUEL_LINES))
    quantity_1, quantity_2, quantity_3 = (_Text(_l("Quantity per year")) for _k in range(FUEL_LINES))
    unit_1, unit_2, unit_3 = (StringField(_l("Unit"), validators=[Length(max=20)]) for _k in range(FUEL_LINES))
    electricity_mwh = _Text(_l("Purchased electricity (MWh per year)"))
    output = _Text(_l("Output per year"))
    output_unit = StringField(_l("Unit of output"), validators=[Length(max=20)])
    # substitution
    steam_gj = _Text(_l("Steam supplied by the power plant (GJ per year)"))
    extra_fuel = SelectField(_l("The plant's extra fuel"), choices=[], validate_choice=False)
    extra_quantity = _Text(_l("Extra fuel quantity per year"))
    extra_unit = StringField(_l("Unit"), validators=[Length(max=20)])
    saved_fuel = SelectField(_l("Fuel the chemical plants no longer burn"), choices=[],
                             validate_choice=False)
    saved_quantity = _Text(_l("Fuel saved per year"))
    saved_unit = StringField(_l("Unit"), validators=[Length(max=20)])
    # sinks
    area_ha = _Text(_l("Area (ha)"))
    rate = _Text(_l("Uptake rate (tCO2 per ha per year)"))
    # efficiency and top-down: one figure per sector
    percent_energy, percent_industry, percent_transport, percent_buildings, percent_other = (
        _Text(SECTOR_LABELS[k]) for k in SECTORS)
    target_year = _Text(_l("Target year"))
    target_tco2 = _Text(_l("Target emissions (tCO2)"))
    weight_energy, weight_industry, weight_transport, weight_buildings, weight_other = (
        _Text(SECTOR_LABELS[k]) for k in SECTORS)


# --- parameters ---------------------------------------------------------------------------------------------

def _number(data, key, required=True, positive=False):
    raw = (data.get(key) or "").strip().replace(",", "")
    if not raw:
        if required:
            raise ServiceError(_("Enter a number."), field=key)
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ServiceError(_("Enter a number, e.g. 1250.5."), field=key) from None
    if not value.is_finite() or value < 0 or (positive and value == 0):
        raise ServiceError(_("Enter a number above zero.") if positive else _("Enter zero or more."), field=key)
    return str(value)


def _month(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        y, m = index_service.latest_complete_month(utcnow().date())
        return f"{y}-{m:02d}"
    try:
        y, m = (int(p) for p in raw.split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return f"{y}-{m:02d}"
    except ValueError:
        pass
    raise ServiceError(_("A month as YYYY-MM, e.g. 2025-06."), field="month")


def parse(kind: str, data: dict, fuels: dict) -> dict:
    """The parameters of a scenario from the form, exact figures as strings; ServiceError beside a field."""
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_("Give the scenario a name."), field="name")
    params = {"month": _month(data.get("month")), "sink_rate": _number(data, "sink_rate", positive=True)}
    if kind == "new_project":
        lines = []
        for k in range(1, FUEL_LINES + 1):
            quantity = _number(data, f"quantity_{k}", required=False)
            if quantity is None:
                continue
            fuel = data.get(f"fuel_{k}")
            if fuel not in fuels:
                raise ServiceError(_("Choose a fuel."), field=f"fuel_{k}")
            lines.append({"fuel": fuel, "quantity": quantity,
                          "unit": (data.get(f"unit_{k}") or "").strip() or fuels[fuel]})
        params.update(sector=data.get("sector") if data.get("sector") in SECTORS else "industry", fuels=lines,
                      electricity_mwh=_number(data, "electricity_mwh", required=False),
                      output=_number(data, "output", required=False),
                      output_unit=(data.get("output_unit") or "").strip())
        if not lines and not params["electricity_mwh"]:
            raise ServiceError(_("Enter at least one fuel or the purchased electricity."), field="quantity_1")
    elif kind == "substitution":
        for side in ("extra", "saved"):
            if data.get(f"{side}_fuel") not in fuels:
                raise ServiceError(_("Choose a fuel."), field=f"{side}_fuel")
            params[side] = {"fuel": data[f"{side}_fuel"], "quantity": _number(data, f"{side}_quantity"),
                            "unit": (data.get(f"{side}_unit") or "").strip() or fuels[data[f"{side}_fuel"]]}
        params["steam_gj"] = _number(data, "steam_gj", required=False)
    elif kind == "sinks":
        params.update(area_ha=_number(data, "area_ha"), rate=_number(data, "rate"))
    elif kind == "efficiency":
        params["percent"] = {k: _number(data, f"percent_{k}", required=False) or "0" for k in SECTORS}
        if any(Decimal(v) > 100 for v in params["percent"].values()):
            field_name = next(f"percent_{k}" for k, v in params["percent"].items() if Decimal(v) > 100)
            raise ServiceError(_("A percent between 0 and 100."), field=field_name)
    elif kind == "top_down":
        year = _number(data, "target_year")
        if not 2000 <= Decimal(year) <= 2100 or Decimal(year) != int(Decimal(year)):
            raise ServiceError(_("A year, e.g. 2030."), field="target_year")
        weights = {k: _number(data, f"weight_{k}", required=False) for k in SECTORS}
        params.update(target_year=int(Decimal(year)), target_tco2=_number(data, "target_tco2"),
                      weights=weights if any(w is not None for w in weights.values()) else None)
        if params["weights"]:
            params["weights"] = {k: w if w is not None else "1" for k, w in weights.items()}
    else:
        abort(404)
    return params


# --- the result ---------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    scenario: Scenario
    year: int
    month: int
    delta: simulator.Delta | None = None
    x_change: Decimal | None = None
    baseline: formula.IndexResult | None = None
    result: formula.IndexResult | None = None
    offset: simulator.Offset | None = None
    detail: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def dci_change(self):
        if self.baseline and self.result and self.baseline.dci is not None and self.result.dci is not None:
            return self.result.dci - self.baseline.dci
        return None


def _activity(line: dict) -> simulator.Activity:
    return simulator.Activity("stationary_combustion", line["fuel"], Decimal(line["quantity"]), line["unit"])


def evaluate(scenario: Scenario, library=None, settings=None) -> Outcome:
    """The scenario beside the baseline of its month; reads only (approved data, settings, factor library)."""
    p = scenario.params or {}
    year, month = (int(x) for x in p.get("month", "2000-01").split("-"))
    out = Outcome(scenario, year, month)
    library = library or load_library()
    settings = settings or engine_settings()
    inputs = index_service.month_inputs(year, month)
    index_settings = index_service.settings_in_force(year, month)
    try:
        if scenario.kind == "new_project":
            activity = [_activity(line) for line in p.get("fuels", [])]
            if p.get("electricity_mwh"):
                activity.append(simulator.Activity("purchased_electricity", "electricity",
                                                   Decimal(p["electricity_mwh"]), "MWh"))
            added = simulator.new_project(activity, library, settings, year)
            out.delta = simulator.new_project_delta(added, p.get("sector", "industry"))
            out.detail = {"added": added}
            if p.get("output") and Decimal(p["output"]):
                out.detail["intensity"] = added.total / Decimal(p["output"])
        elif scenario.kind == "substitution":
            sub = simulator.substitution([_activity(p["saved"])], [_activity(p["extra"])], library, settings, year,
                                         Decimal(p["steam_gj"]) if p.get("steam_gj") else None)
            out.delta, out.detail = sub.delta, {"substitution": sub}
        elif scenario.kind == "sinks":
            tco2 = simulator.sinks(Decimal(p["area_ha"]), Decimal(p["rate"]))
            out.delta, out.detail = simulator.sinks_delta(tco2), {"sinks_tco2": tco2}
        elif scenario.kind in ("efficiency", "top_down"):
            totals = {r.key: r.total for r in index_service.sector_totals(year, month)["sectors"]}
            if scenario.kind == "efficiency":
                cuts = simulator.efficiency(totals, {k: Decimal(v) for k, v in p["percent"].items()})
                out.detail = {"cuts": cuts, "totals": totals}
            else:
                weights = {k: Decimal(v) for k, v in p["weights"].items()} if p.get("weights") else None
                plan = simulator.top_down(Decimal(p["target_tco2"]), totals, weights)
                cuts = plan.by_sector
                out.detail = {"plan": plan, "totals": totals}
            out.delta = simulator.reductions_delta(cuts)
    except (CalculationError, ArithmeticError, ValueError, KeyError) as e:
        # the engine's own wording (English, technical) after a translated lead-in
        out.error = _("The scenario could not be computed: %(detail)s", detail=str(e))
        return out
    out.x_change = out.delta.x_change(inputs.grid_factor)
    if index_settings.path is not None:
        t = formula.index_time(year, month)
        args = (index_settings.weights, index_settings.cut_milestones, index_settings.non_fossil_milestones)
        out.baseline = formula.compute_index(index_settings.path, inputs.inputs, t, *args)
        out.result = formula.compute_index(index_settings.path, simulator.apply_to_index(inputs.inputs, out.delta),
                                           t, *args)
    if out.x_change > 0:
        headroom = (out.baseline.path_target - out.baseline.gross_tco2
                    if out.baseline is not None and out.baseline.gross_tco2 is not None else None)
        out.offset = simulator.offset_needed(out.x_change, headroom, Decimal(p.get("sink_rate") or "5"))
    return out


# --- pages --------------------------------------------------------------------------------------------------

@bp.context_processor
def _helpers():
    return {"can_write": current_user.is_authenticated and current_user.role in WRITERS,
            "kind_label": lambda k: KIND_LABELS.get(k, k), "kinds": SCENARIO_KINDS, "num": _num,
            "sectors": SECTORS, "sub_indices": formula.SUB_INDICES}


def _num(value, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):,.{places}f}"


@bp.get("/")
@authority_read
def index():
    rows = db.session.scalars(select(Scenario).order_by(Scenario.created_at.desc(), Scenario.id.desc())).all()
    return render_template("scenarios/index.html", rows=rows, delete_form=FlaskForm())


@bp.route("/new", methods=["GET", "POST"])
@require_role(*WRITERS)
def create():
    kind = request.args.get("kind", "new_project")
    if kind not in SCENARIO_KINDS:
        abort(404)
    fuels = {code: m.unit for code, m in library_materials("fuel").items()}
    form = ScenarioForm(data={"month": _month(""), "sink_rate": "5"})
    choices = [SelectChoice(code, m.label) for code, m in library_materials("fuel").items()]
    for name in ("fuel_1", "fuel_2", "fuel_3", "extra_fuel", "saved_fuel"):
        getattr(form, name).choices = choices
    if form.validate_on_submit():
        try:
            params = parse(kind, form.data, fuels)
            scenario = Scenario(name=form.name.data.strip(), kind=kind, params=params, created_by_id=current_user.id)
            outcome = evaluate(scenario)
            if outcome.error:
                raise ServiceError(outcome.error)
        except ServiceError as e:
            apply_error(form, e)
        else:
            db.session.add(scenario)
            db.session.flush()
            record("scenario.created", actor=current_user, obj=scenario, detail={"name": scenario.name, "kind": kind})
            db.session.commit()
            flash(_("The scenario %(name)s is saved.", name=scenario.name), "success")
            return redirect(url_for("scenarios.show", scenario_id=scenario.id))
    return render_template("scenarios/form.html", form=form, kind=kind, fuel_lines=range(1, FUEL_LINES + 1))


@bp.get("/<int:scenario_id>")
@authority_read
def show(scenario_id: int):
    scenario = get_or_404(Scenario, scenario_id)
    return render_template("scenarios/show.html", o=evaluate(scenario), delete_form=FlaskForm())


@bp.post("/<int:scenario_id>/delete")
@require_role(*WRITERS)
def delete(scenario_id: int):
    scenario = get_or_404(Scenario, scenario_id)
    record("scenario.deleted", actor=current_user, obj=scenario, detail={"name": scenario.name, "kind": scenario.kind})
    db.session.delete(scenario)
    db.session.commit()
    flash(_("The scenario is deleted."), "success")
    return redirect(url_for("scenarios.index"))


@bp.get("/compare")
@authority_read
def compare():
    ids = [i for i in request.args.getlist("id", type=int)][:6]
    rows = db.session.scalars(select(Scenario).where(Scenario.id.in_(ids)).order_by(Scenario.id)).all() if ids else []
    library, settings = load_library(), engine_settings()
    outcomes = [evaluate(s, library, settings) for s in rows]
    return render_template("scenarios/compare.html", outcomes=outcomes)
