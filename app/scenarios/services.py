"""Scenarios: their parameters read from the form, their result beside the baseline, and the audited writes.

A scenario's result is computed on demand from the approved data and the settings in force for its month
(`simulator`, pure); nothing but the Scenario row (and its audit event) is ever written. The functions take
the acting user explicitly; they flush, the edge commits.
"""
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounting import units
from app.accounting.engine import CalculationError
from app.accounting.services import UNIT_EXAMPLES
from app.audit.services import record
from app.city_index import formula
from app.city_index.breakdowns import SECTORS, sector_totals
from app.city_index.index import month_inputs
from app.city_index.loading import IndexData
from app.city_index.periods import latest_complete_month, window
from app.city_index.projection import gross_series
from app.city_index.settings import settings_in_force
from app.core.numbers import parse_decimal, plain, tonnes
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import db
from app.filings.calculations import load_library
from app.settings.services import engine_settings

from . import simulator
from .assessment import yearly_baseline
from .forms import FUEL_LINES, RECEIVER_LINES
from .models import PACKAGE, SCENARIO_KINDS, Scenario

log = logging.getLogger(__name__)

# --- parameters ---------------------------------------------------------------------------------------------

def _number(data, key, required=True, positive=False):
    value = parse_decimal(data.get(key), key, required=required, minimum=Decimal(0), positive=positive,
                          missing=_("Enter a number."),
                          too_small=_("Enter a number above zero.") if positive else _("Enter zero or more."))
    return None if value is None else str(value)


def default_month() -> str:
    """The latest complete month by the city's calendar (not UTC's), as YYYY-MM."""
    y, m = latest_complete_month(city_today())
    return f"{y}-{m:02d}"


def _month(raw: str) -> str:
    """YYYY-MM as typed; empty: the default month."""
    raw = (raw or "").strip()
    if not raw:
        return default_month()
    try:
        y, m = (int(p) for p in raw.split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return f"{y}-{m:02d}"
    except ValueError:
        pass
    raise ServiceError(_("A month as YYYY-MM, e.g. 2025-06."), field="month")


def _fuel_unit(typed: str | None, fuel_unit: str, field_name: str) -> str:
    """The unit of a fuel line (empty: the fuel's own), checked against the fuel's factor here rather than by the
    engine, whose English would reach the page; stored in its canonical spelling."""
    typed = (typed or "").strip()
    if not typed:
        return fuel_unit
    examples = UNIT_EXAMPLES.get(units.dimension(fuel_unit), fuel_unit)
    try:
        unit = units.canonical_unit(typed)
    except units.UnitError:
        raise ServiceError(_("Unknown unit: use a unit such as %(examples)s.", examples=examples),
                           field=field_name) from None
    if units.dimension(unit) != units.dimension(fuel_unit):
        raise ServiceError(_("%(unit)s does not fit this fuel: use a unit such as %(examples)s.", unit=typed,
                             examples=examples), field=field_name)
    return unit


def _source_line(data: dict, source_field: str, quantity_field: str, unit_field: str, sources: dict,
                 fuels: dict) -> dict:
    """One chosen source of the register and the fuel quantity it burns more (or no longer), in its own unit
    unless another is typed. Its enterprise and names are stored too, so the scenario reads the same later."""
    try:
        source = sources[int(data.get(source_field) or 0)]
    except (KeyError, ValueError):
        raise ServiceError(_("Choose a source."), field=source_field) from None
    if source.fuel not in fuels:
        raise ServiceError(_("The factor library has no factor for the fuel this source burns: choose another "
                             "source."), field=source_field)
    quantity = _number(data, quantity_field, positive=True)
    return {"org_id": source.org_id, "org_name": source.org_name, "org_name_en": source.org_name_en,
            "source_id": source.id, "source_name": source.label, "fuel": source.fuel, "quantity": quantity,
            "unit": _fuel_unit(data.get(unit_field) or source.unit, fuels[source.fuel], unit_field)}


def _substitution(data: dict, fuels: dict, sources: dict) -> dict:
    steam = _number(data, "steam_gj", positive=True)
    efficiency = parse_decimal(data.get("boiler_efficiency") or "90", "boiler_efficiency", positive=True,
                               maximum=Decimal(100), too_small=_("A percent above 0 and at most 100."))
    supplier = _source_line(data, "supplier_source", "extra_quantity", "extra_unit", sources, fuels)
    receivers = []
    for k in range(1, RECEIVER_LINES + 1):
        if not data.get(f"receiver_source_{k}") and not (data.get(f"saved_quantity_{k}") or "").strip():
            continue
        line = _source_line(data, f"receiver_source_{k}", f"saved_quantity_{k}", f"saved_unit_{k}", sources, fuels)
        if line["source_id"] == supplier["source_id"] or line["source_id"] in {r["source_id"] for r in receivers}:
            raise ServiceError(_("This source is already chosen: each source once."), field=f"receiver_source_{k}")
        receivers.append({**line, "line": k})
    if not receivers:
        raise ServiceError(_("Choose at least one receiving source and the fuel it no longer burns."),
                           field="receiver_source_1")
    return {"steam_gj": steam, "boiler_efficiency": str(efficiency), "supplier": supplier, "receivers": receivers}


def _members(data: dict) -> list[int]:
    """A package's scenarios: at least two saved ones, none a package itself (no package of packages)."""
    try:
        ids = sorted({int(i) for i in data.get("members") or []})
    except (TypeError, ValueError):
        raise ServiceError(_("Choose one of the listed values."), field="members") from None
    found = db.session.scalars(select(Scenario).where(Scenario.id.in_(ids))).all() if ids else []
    if len(found) < 2 or len(found) != len(ids):
        raise ServiceError(_("Choose at least two saved scenarios."), field="members")
    if any(s.kind == PACKAGE for s in found):
        raise ServiceError(_("A package combines scenarios, not other packages."), field="members")
    return ids


def parse(kind: str, data: dict, fuels: dict, sources: dict | None = None) -> dict:
    """The parameters of a scenario from the form, exact figures as strings; ServiceError beside a field.
    `sources`: the register's combustion sources by id (a substitution chooses among them)."""
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
            lines.append({"line": k, "fuel": fuel, "quantity": quantity,
                          "unit": _fuel_unit(data.get(f"unit_{k}"), fuels[fuel], f"unit_{k}")})
        params.update(sector=data.get("sector") if data.get("sector") in SECTORS else "industry", fuels=lines,
                      electricity_mwh=_number(data, "electricity_mwh", required=False),
                      output=_number(data, "output", required=False),
                      output_unit=(data.get("output_unit") or "").strip())
        if not lines and not params["electricity_mwh"]:
            raise ServiceError(_("Enter at least one fuel or the purchased electricity."), field="quantity_1")
    elif kind == "substitution":
        params.update(_substitution(data, fuels, sources or {}))
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
        if int(Decimal(year)) < int(params["month"][:4]):
            raise ServiceError(_("The target year cannot be before the baseline year %(year)s.",
                                 year=params["month"][:4]), field="target_year")
        params.update(target_year=int(Decimal(year)), target_tco2=_number(data, "target_tco2"),
                      weights=weights if any(w is not None for w in weights.values()) else None)
        if params["weights"]:
            params["weights"] = {k: w if w is not None else "1" for k, w in weights.items()}
            if not any(Decimal(w) for w in params["weights"].values()):
                raise ServiceError(_("Give at least one sector a weight above zero."), field="weight_energy")
    elif kind == PACKAGE:
        params["members"] = _members(data)
    else:
        raise ServiceError(_("Choose one of the listed values."))
    return params


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
    error: str | None = None  # translated: the engine's own (English) wording goes to the log only
    error_field: str | None = None  # the form field the error belongs beside

    @property
    def dci_change(self):
        if self.baseline and self.result and self.baseline.dci is not None and self.result.dci is not None:
            return self.result.dci - self.baseline.dci
        return None


def _activity(line: dict, field_name: str) -> simulator.Activity:
    # The line is named after its form field, so an error of the engine (which names the line) finds its field.
    return simulator.Activity("stationary_combustion", line["fuel"], Decimal(line["quantity"]), line["unit"],
                              name=field_name)


def _failed(out: Outcome, e: Exception) -> None:
    """A translated message (beside its field where there is one) for what stopped the engine."""
    log.info("scenario %s (%s) not computed: %s", out.scenario.id, out.scenario.kind, e)
    if isinstance(e, simulator.NothingToShare):
        out.error = _("The sectors given a weight have no emissions to cut: give a weight to a sector with "
                      "emissions.")
        out.error_field = "weight_energy"
    elif isinstance(e, CalculationError):
        out.error = _("This fuel cannot be computed with the factor library in force for %(year)s: choose "
                      "another fuel or unit.", year=out.year)
        out.error_field = e.source_name
    else:
        out.error = _("The scenario could not be computed from its figures: check them and save it again.")


@dataclass
class _Month:
    """What every scenario of one month reads, loaded once (one IndexData for the inputs and the sector totals)."""
    data: IndexData
    inputs: object
    settings: object
    _sectors: dict | None = None
    _series: list | None = None

    def growth(self, target_year: int) -> Decimal:
        """target_year_growth from this month, its gross series read once for all its scenarios."""
        if self._series is None:
            self._series = gross_series(self.inputs.year, self.inputs.month)
        return target_year_growth(self.inputs.year, self.inputs.month, target_year, self._series)

    def sector_totals(self) -> dict:
        if self._sectors is None:
            self._sectors = {r.key: r.total for r in sector_totals(self.inputs.year, self.inputs.month,
                                                                   self.data)["sectors"]}
        return self._sectors


def _month_of(year: int, month: int, months: dict | None) -> _Month:
    if months is not None and (year, month) in months:
        return months[(year, month)]
    data = IndexData(*window(year, month))
    found = _Month(data, month_inputs(year, month, data), settings_in_force(year, month))
    if months is not None:
        months[(year, month)] = found
    return found


def _effect(scenario: Scenario, out: Outcome, loaded: _Month, library, settings) -> None:
    """The scenario's change to the inputs of `out`'s month (out.delta) and what it is made of (out.detail);
    out.error when it cannot be computed."""
    p, year = scenario.params or {}, out.year
    try:
        if scenario.kind == "new_project":
            activity = [_activity(line, f"fuel_{line.get('line', k)}")
                        for k, line in enumerate(p.get("fuels", []), start=1)]
            if p.get("electricity_mwh"):
                activity.append(simulator.Activity("purchased_electricity", "electricity",
                                                   Decimal(p["electricity_mwh"]), "MWh", name="electricity_mwh"))
            added = simulator.new_project(activity, library, settings, year)
            out.delta = simulator.new_project_delta(added, p.get("sector", "industry"))
            out.detail = {"added": added}
            if p.get("output") and Decimal(p["output"]):
                out.detail["intensity"] = added.total / Decimal(p["output"])
        elif scenario.kind == "substitution":
            _substitution_effect(p, out, library, settings)
        elif scenario.kind == "sinks":
            tco2 = simulator.sinks(Decimal(p["area_ha"]), Decimal(p["rate"]))
            out.delta, out.detail = simulator.sinks_delta(tco2), {"sinks_tco2": tco2}
        elif scenario.kind in ("efficiency", "top_down"):
            totals = dict(loaded.sector_totals())
            if scenario.kind == "efficiency":
                cuts = simulator.efficiency(totals, {k: Decimal(v) for k, v in p["percent"].items()})
                out.detail = {"cuts": cuts, "totals": totals}
            else:
                weights = {k: Decimal(v) for k, v in p["weights"].items()} if p.get("weights") else None
                growth = loaded.growth(int(p["target_year"]))
                projected = {k: v * growth for k, v in totals.items()}  # F(target year), by today's shares
                plan = simulator.top_down(Decimal(p["target_tco2"]), projected, weights)
                cuts = plan.by_sector
                out.detail = {"plan": plan, "totals": projected, "growth": growth}
            out.delta = simulator.reductions_delta(cuts)
    except (CalculationError, ArithmeticError, ValueError, KeyError) as e:
        _failed(out, e)


def _substitution_effect(p: dict, out: Outcome, library, settings) -> None:
    if "supplier" not in p:
        # Saved before the sources were chosen from the register (one fuel each side): read as it was saved,
        # the heat check only a warning on the page (detail["substitution"].possible).
        sub = simulator.substitution([_activity(p["saved"], "saved_fuel")], [_activity(p["extra"], "extra_fuel")],
                                     library, settings, out.year,
                                     Decimal(p["steam_gj"]) if p.get("steam_gj") else None)
        out.delta, out.detail = sub.delta, {"substitution": sub}
        return
    receivers = [_activity(r, f"receiver_source_{r['line']}") for r in p["receivers"]]
    sub = simulator.substitution(receivers, [_activity(p["supplier"], "supplier_source")], library, settings,
                                 out.year, Decimal(p["steam_gj"]), Decimal(p.get("boiler_efficiency") or "90"))
    out.delta, out.detail = sub.delta, {"substitution": sub, "supplier": p["supplier"], "receivers": p["receivers"]}
    if not sub.possible:
        out.error = _("The extra fuel can give at most %(heat)s GJ of heat a year (%(fuel)s GJ of fuel × boiler "
                      "efficiency %(efficiency)s): supply less steam or burn more fuel.",
                      heat=tonnes(sub.heat_available_gj, 0), fuel=tonnes(sub.fuel_gj, 0),
                      efficiency=f"{plain(sub.efficiency)}%")
        out.error_field = "steam_gj"


def package_members(scenario: Scenario) -> tuple[list[Scenario], int]:
    """A package's scenarios still saved, and how many of them have been deleted since."""
    ids = (scenario.params or {}).get("members") or []
    found = db.session.scalars(select(Scenario).where(Scenario.id.in_(ids)).order_by(Scenario.id)).all() \
        if ids else []
    return [s for s in found if s.kind != PACKAGE], len(ids) - len(found)


def target_year_growth(year: int, month: int, target_year: int, series: list | None = None) -> Decimal:
    """F(target year) / the 12 months to the baseline month: how the city's gross emissions are projected to move
    by the target year (app.scenarios.assessment.yearly_baseline, the forecast from the baseline month), applied
    to each sector's current emissions. 1 without data to project from."""
    series = gross_series(year, month) if series is None else series
    if len(series) < 12:
        return Decimal(1)
    now = sum((Decimal(v) for _m, v in series[-12:]), Decimal(0))
    baseline = yearly_baseline(series, last_year=max(target_year, year))
    if not now or target_year not in baseline:
        return Decimal(1)
    return baseline[target_year] / now


def evaluate(scenario: Scenario, library=None, settings=None, months: dict | None = None) -> Outcome:
    """The scenario beside the baseline of its month; reads only (approved data, settings, factor library).
    `months`: a dict shared by the scenarios of one page, so that each month is loaded once. A package's
    scenarios are each computed at the package's month, their effects added, and the index evaluated once."""
    p = scenario.params or {}
    year, month = (int(x) for x in p.get("month", "2000-01").split("-"))
    out = Outcome(scenario, year, month)
    library = library or load_library()
    settings = settings or engine_settings()
    loaded = _month_of(year, month, months)
    inputs, index_settings = loaded.inputs, loaded.settings
    if scenario.kind == PACKAGE:
        members, missing = package_members(scenario)
        parts = []
        for member in members:
            part = Outcome(member, year, month)
            _effect(member, part, loaded, library, settings)
            if part.error:
                out.error = _("The scenario %(name)s of this package cannot be computed at %(month)s: %(error)s",
                              name=member.name, month=p.get("month"), error=part.error)
                return out
            part.x_change = part.delta.x_change(inputs.grid_factor)
            parts.append(part)
        out.delta = simulator.combined(part.delta for part in parts)
        out.detail = {"members": parts, "missing": missing}
    else:
        _effect(scenario, out, loaded, library, settings)
        if out.error:
            return out
    out.x_change = out.delta.x_change(inputs.grid_factor)
    if index_settings.path is not None:
        t = formula.index_time(year, month)
        options = index_settings.formula_options  # the methodology version in force, its margin and weights
        out.baseline = formula.compute_index(index_settings.path, inputs.inputs, t, **options)
        out.result = formula.compute_index(index_settings.path, simulator.apply_to_index(inputs.inputs, out.delta),
                                           t, **options)
    if out.x_change > 0:
        headroom = (out.baseline.path_target - out.baseline.gross_tco2
                    if out.baseline is not None and out.baseline.gross_tco2 is not None else None)
        out.offset = simulator.offset_needed(out.x_change, headroom, Decimal(p.get("sink_rate") or "5"))
    return out


# --- writes -----------------------------------------------------------------------------------------------

def create_scenario(actor, kind: str, name: str, data: dict, fuels: dict, sources: dict | None = None) -> Scenario:
    """Save a scenario whose parameters parse and whose result computes; ServiceError otherwise (beside a field
    where it has one). `fuels`: the library's fuel codes and their units; `sources`: the register's combustion
    sources by id (register.combustion_sources)."""
    if kind not in SCENARIO_KINDS:
        raise ServiceError(_("Choose one of the listed values."))
    params = parse(kind, data, fuels, sources)
    scenario = Scenario(name=(name or "").strip(), kind=kind, params=params, created_by_id=getattr(actor, "id", None))
    outcome = evaluate(scenario)
    if outcome.error:
        raise ServiceError(outcome.error, field=outcome.error_field)
    db.session.add(scenario)
    db.session.flush()
    record("scenario.created", actor=actor, obj=scenario, detail={"name": scenario.name, "kind": kind})
    return scenario


def packages_with(scenario: Scenario) -> list[Scenario]:
    """The packages a scenario belongs to (its deletion leaves them computed without it)."""
    packages = db.session.scalars(select(Scenario).where(Scenario.kind == PACKAGE).order_by(Scenario.id))
    return [p for p in packages if scenario.id in ((p.params or {}).get("members") or [])]


def delete_scenario(actor, scenario: Scenario) -> None:
    record("scenario.deleted", actor=actor, obj=scenario, detail={"name": scenario.name, "kind": scenario.kind})
    db.session.delete(scenario)
    db.session.flush()
