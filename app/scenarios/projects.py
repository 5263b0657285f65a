"""A new project assessed against the path (app.scenarios.assessment) from the city's data, and the regulator's
recorded decision on it.

The baseline is ONE month: the latest that is not provisional (app.city_index.months.settled_month), whatever
month any page shows, so the answer for a project never changes with the view. From it: the path by year (the
settings in force then), the yearly baseline projection F(y) (its gross series forecast to 2035), the project's
need in every year, and what would make room: cuts at enterprises above their product benchmark (gap × output
over the baseline window) and new sinks, each with its effect on the DCI (formula re-evaluated, version in force).
Reads only, except `record_decision`, which stores the answer as given and audits it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounting.engine import CalculationError
from app.accounting.models import Product
from app.accounting.services import library_materials
from app.audit.services import record
from app.city_index import formula
from app.city_index.index import city_index
from app.city_index.loading import UNSCOPED, IndexData
from app.city_index.months import settled_month
from app.city_index.periods import window
from app.city_index.projection import gross_series
from app.core.numbers import parse_decimal
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import db
from app.filings.calculations import load_library
from app.filings.models import MonthlyTotal, ProductionLine
from app.organisations.models import Organisation
from app.settings.services import engine_settings

from . import simulator
from .assessment import LAST_YEAR, Assessment, AssessmentError, assess, yearly_baseline
from .models import DECISIONS, ProjectDecision

DEFAULT_SHARE = Decimal("0.5")
DEFAULT_SINK_RATE = Decimal(5)  # tCO2 per ha per year, as the scenarios' offset
ROOM_ENTERPRISES = 5
ERRORS = {  # assessment.AssessmentError fields → the user's language
    "annual_tco2e": lambda: _("Enter the project's yearly emissions (zero or more)."),
    "first_year_share": lambda: _("A share above 0 and at most 1, e.g. 0.5 for half a year."),
    "first_year": lambda: _("A first year from the baseline year to %(year)d.", year=LAST_YEAR),
    "baseline": lambda: _("There is no approved month to project the city's emissions from yet."),
}


@dataclass(frozen=True)
class Inputs:
    name: str
    annual_tco2e: Decimal | None        # given directly, or
    fuels: tuple = ()                   # ({"fuel", "quantity", "unit"}...) a year of activity through the engine
    electricity_mwh: Decimal | None = None
    first_year: int = 0
    first_year_share: Decimal = DEFAULT_SHARE
    output: Decimal | None = None       # yearly output of a benchmarked product
    benchmark_code: str | None = None
    sink_rate: Decimal = DEFAULT_SINK_RATE

    def as_stored(self) -> dict:
        return {"name": self.name, "annual_tco2e": _s(self.annual_tco2e), "fuels": list(self.fuels),
                "electricity_mwh": _s(self.electricity_mwh), "first_year": self.first_year,
                "first_year_share": str(self.first_year_share), "output": _s(self.output),
                "benchmark_code": self.benchmark_code, "sink_rate": str(self.sink_rate)}


def _s(value) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Room:
    """One way to make room: a cut at an enterprise above its benchmark, or new sinks."""
    kind: str                      # "enterprise" or "sinks"
    tco2: Decimal                  # tonnes a year
    dci_change: Decimal | None
    organisation: Organisation | None = None
    hectares: Decimal | None = None


@dataclass
class Answer:
    inputs: Inputs
    baseline_month: tuple[int, int]
    annual_tco2e: Decimal
    assessment: Assessment
    methodology: int
    dci_before: Decimal | None = None
    dci_change: Decimal | None = None
    intensity: Decimal | None = None   # tCO2e per unit of output
    benchmark: Decimal | None = None
    room: list[Room] = field(default_factory=list)

    @property
    def baseline_label(self) -> str:
        return f"{self.baseline_month[0]}-{self.baseline_month[1]:02d}"

    def as_stored(self) -> dict:
        a = self.assessment
        return {"baseline_month": self.baseline_label, "annual_tco2e": str(self.annual_tco2e),
                "methodology": self.methodology, "tightest_year": a.tightest_year,
                "offset_needed_tco2": str(a.offset_needed), "dci_change": _s(self.dci_change),
                "years": [{"year": y.year, "path_tco2": str(y.path), "baseline_tco2": str(y.baseline),
                           "project_tco2": str(y.project), "headroom_tco2": str(y.headroom), "need_tco2": str(y.need)}
                          for y in a.years]}


# --- inputs ----------------------------------------------------------------------------------------------------

def read_inputs(data: dict, fuels: dict, baseline_year: int) -> Inputs:
    """The project from a form or an API body (figures as typed); ServiceError beside the field."""
    def number(key, required=False, positive=False):
        return parse_decimal(data.get(key), key, required=required, minimum=Decimal(0), positive=positive,
                             missing=_("Enter a number."),
                             too_small=_("Enter a number above zero.") if positive else _("Enter zero or more."))

    name = str(data.get("name") or "").strip()[:200]
    lines = []
    for k in range(1, 4):
        quantity = number(f"quantity_{k}")
        if quantity is None:
            continue
        fuel = data.get(f"fuel_{k}")
        if fuel not in fuels:
            raise ServiceError(_("Choose a fuel."), field=f"fuel_{k}")
        lines.append({"fuel": fuel, "quantity": str(quantity), "unit": str(data.get(f"unit_{k}") or "").strip()
                      or fuels[fuel]})
    for line in data.get("fuels") or []:  # the API's form of the same lines
        if not isinstance(line, dict) or line.get("fuel") not in fuels:
            raise ServiceError(_("Choose a fuel."), field="fuels")
        quantity = parse_decimal(line.get("quantity"), "fuels", minimum=Decimal(0), missing=_("Enter a number."),
                                 too_small=_("Enter zero or more."))
        lines.append({"fuel": line["fuel"], "quantity": str(quantity),
                      "unit": str(line.get("unit") or "").strip() or fuels[line["fuel"]]})
    annual, electricity = number("annual_tco2e"), number("electricity_mwh")
    if annual is None and not lines and electricity is None:
        raise ServiceError(_("Enter the yearly emissions, or the project's fuels or electricity."),
                           field="annual_tco2e")
    raw_year = str(data.get("first_year") or "").strip()
    if not raw_year.isdigit() or not baseline_year <= int(raw_year) <= LAST_YEAR:
        raise ServiceError(ERRORS["first_year"](), field="first_year")
    share = number("first_year_share")
    if share is not None and not Decimal(0) < share <= 1:
        raise ServiceError(ERRORS["first_year_share"](), field="first_year_share")
    code = str(data.get("benchmark_code") or "").strip() or None
    return Inputs(name, annual, tuple(lines), electricity, int(raw_year),
                  share if share is not None else DEFAULT_SHARE, number("output"), code,
                  number("sink_rate", positive=True) or DEFAULT_SINK_RATE)


def library_fuels() -> dict:
    """The factor library's fuels and their units (code → unit), for the activity lines."""
    return {code: m.unit for code, m in library_materials("fuel").items()}


# --- the answer ------------------------------------------------------------------------------------------------

def baseline_month(today: date | None = None) -> tuple[int, int]:
    return settled_month(today or city_today())


def _project_tonnes(inputs: Inputs, year: int) -> tuple[Decimal, simulator.Delta]:
    """The project's yearly tCO2e and its change to the index inputs: as given, or through the engine."""
    if inputs.annual_tco2e is not None:
        return inputs.annual_tco2e, simulator.Delta(scope1_tco2=inputs.annual_tco2e)
    activity = [simulator.Activity("stationary_combustion", f["fuel"], Decimal(f["quantity"]), f["unit"])
                for f in inputs.fuels]
    if inputs.electricity_mwh:
        activity.append(simulator.Activity("purchased_electricity", "electricity", inputs.electricity_mwh, "MWh"))
    try:
        added = simulator.new_project(activity, load_library(), engine_settings(), year)
    except (CalculationError, ArithmeticError, ValueError) as e:
        raise ServiceError(_("The project's activity could not be computed: check the fuels and units."),
                           field="quantity_1") from e
    return added.total, simulator.new_project_delta(added)


def _gaps(data: IndexData, year: int, month: int) -> list[tuple[int, Decimal]]:
    """(org id, tCO2 a year above its benchmark) over the R12 window ending with the month, largest first: the
    enterprise's emissions in months with benchmarked output less Σ benchmark × output."""
    start, end = window(year, month)
    on = date(year, month, 1)
    rows = db.session.execute(
        select(MonthlyTotal.org_id, MonthlyTotal.filing_id, MonthlyTotal.scope1_tco2e, Product.benchmark_code,
               func.sum(ProductionLine.quantity))
        .join(ProductionLine, ProductionLine.filing_id == MonthlyTotal.filing_id)
        .join(Product, Product.id == ProductionLine.product_id)
        .where(Product.benchmark_code.is_not(None), MonthlyTotal.period >= start, MonthlyTotal.period <= end)
        .group_by(MonthlyTotal.org_id, MonthlyTotal.filing_id, MonthlyTotal.scope1_tco2e, Product.benchmark_code)
        .execution_options(**UNSCOPED)).all()
    emissions: dict[int, dict[int, Decimal]] = {}
    allowed: dict[int, Decimal] = {}
    for org_id, filing_id, scope1, code, output in rows:
        emissions.setdefault(org_id, {})[filing_id] = Decimal(str(scope1))
        benchmark = data.benchmark(code, on)
        if benchmark is not None:
            allowed[org_id] = allowed.get(org_id, Decimal(0)) + benchmark * Decimal(str(output))
    gaps = [(org_id, sum(months.values()) - allowed[org_id]) for org_id, months in emissions.items()
            if org_id in allowed]
    return sorted([g for g in gaps if g[1] > 0], key=lambda g: -g[1])


def answer(inputs: Inputs, today: date | None = None) -> Answer:
    """The project against the path in every year to 2035 from the fixed baseline month; ServiceError when it
    cannot be assessed (no path, no data)."""
    year, month = baseline_month(today)
    series = gross_series(year, month)
    point = city_index(year, month)
    path = point.settings.path
    if path is None:
        raise ServiceError(_("The city has no target path yet: set it on the index settings page."))
    annual, delta = _project_tonnes(inputs, year)
    try:
        baseline = yearly_baseline(series)
        assessment = assess({y: path.at_year(y) for y in baseline}, baseline, annual, inputs.first_year,
                            inputs.first_year_share)
    except AssessmentError as e:
        raise ServiceError(ERRORS.get(e.field, ERRORS["first_year"])(), field=e.field) from e
    out = Answer(inputs, (year, month), annual, assessment, point.methodology, point.dci)
    if point.result is not None:
        options, t = point.settings.formula_options, point.result.t
        after = formula.compute_index(path, simulator.apply_to_index(point.inputs.inputs, delta), t, **options)
        if after.dci is not None and point.dci is not None:
            out.dci_change = after.dci - point.dci
        if inputs.output and inputs.benchmark_code:
            out.intensity = annual / inputs.output
            out.benchmark = IndexData(date(year, month, 1), date(year, month, 1)).benchmark(
                inputs.benchmark_code, date(year, month, 1))
        need = assessment.offset_needed
        if need > 0:
            out.room = _room(point, need, inputs.sink_rate, year, month)
    return out


def _room(point, need: Decimal, sink_rate: Decimal, year: int, month: int) -> list[Room]:
    options, t, path, inputs = point.settings.formula_options, point.result.t, point.settings.path, point.inputs
    data = IndexData(*window(year, month))
    gaps = _gaps(data, year, month)[:ROOM_ENTERPRISES]
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_([g[0] for g in gaps])).execution_options(**UNSCOPED))}
    room = []
    for org_id, gap in gaps:
        cut = min(gap, need)
        _after, change = formula.dci_change(path, inputs.inputs, t, scope1_cut=cut,
                                            industrial_emissions=inputs.industrial_emissions, **options)
        room.append(Room("enterprise", cut, change, organisation=orgs.get(org_id)))
    _after, change = formula.dci_change(path, inputs.inputs, t, sinks_added=need, **options)
    room.append(Room("sinks", need, change, hectares=need / sink_rate))
    return room


# --- the decision ----------------------------------------------------------------------------------------------

def record_decision(actor, result: Answer, decision: str, note: str) -> ProjectDecision:
    """Store the answer as given with the regulator's decision (approved, approved with conditions, refused) and
    a note (required but for a plain approval); audited. Flushes; the edge commits."""
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise ServiceError(_("Choose one of the listed values."), field="decision")
    if decision != "approved" and not note:
        raise ServiceError(_("Say the conditions or the reasons in the note."), field="note")
    if not result.inputs.name:
        raise ServiceError(_("Give the project a name."), field="name")
    row = ProjectDecision(name=result.inputs.name, inputs=result.inputs.as_stored(), result=result.as_stored(),
                          baseline_month=date(*result.baseline_month, 1), decision=decision, note=note,
                          decided_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    record("project.decided", actor=actor, obj=row,
           detail={"name": row.name, "decision": decision, "baseline_month": result.baseline_label,
                   "offset_needed_tco2": str(result.assessment.offset_needed),
                   "tightest_year": result.assessment.tightest_year})
    return row
