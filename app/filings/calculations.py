"""Computing a filing's emissions with the pure engine and storing the result reproducibly.

The engine (app.accounting.engine) knows nothing of the database: this module loads the factor
library and the settings in force, hands the engine plain inputs and stores what it returns,
together with the trace of every factor version and parameter used.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounting import engine, regimes
from app.accounting.library import FactorLibrary, MissingFactor
from app.accounting.services import material_name
from app.accounting.units import UnitError
from app.accounting.methods import DEFAULT_METHOD
from app.accounting.models import EmissionFactor
from app.audit.services import record
from app.core.types import utcnow
from app.extensions import db
from app.factors.services import KIND_LABELS
from app.i18n import localised
from app.filings.models import Calculation, CalculationLine, Filing
from app.plans import method_catalogue as catalogue
from app.plans.models import MEASURED
from app.plans.services import plan_in_force
from app.settings.services import engine_settings, get_setting

ENGINE_VERSION = "1"
SUBSTITUTED = "substituted"
# Above this share of a total resting on substituted values the verifier's checklist raises it (sector-methods.md
# §8: a Tanji threshold after EU ETS materiality).
SUBSTITUTION_THRESHOLD = Decimal("0.05")
MISSING_MEASUREMENT = "measured_parameter_missing"  # app.plans.check's reason: the plan says measured, none filed
# The ETS sector of an enterprise by its industry code (GB/T 4754 prefixes): which indirect emissions its
# regime counts (app.accounting.regimes). A generating unit is a generator whatever the sector.
SECTORS = (("D441", "power"), ("C3011", "cement"), ("C3216", "aluminium"), ("C31", "steel"), ("C251", "refining"),
           ("C26", "chemicals"))


def load_library() -> FactorLibrary:
    """Every factor version of the city's library (a few hundred rows at most)."""
    return FactorLibrary(row.to_engine() for row in db.session.scalars(select(EmissionFactor)))


def calculation_message(e: engine.CalculationError):
    """What stopped a calculation, in the reader's language and naming source and month: a factor the library lacks
    for the month, by its kind and name (the regulator publishes it), or else a check of the line's figures. The
    engine's own sentence is for the log, not for people. A lazy string: shown in the language of whoever reads it."""
    month = f"{e.month:%Y-%m}" if isinstance(e.month, date) else str(e.month)
    cause = e.__cause__
    if isinstance(cause, MissingFactor):
        row = db.session.scalar(select(EmissionFactor).where(EmissionFactor.kind == cause.kind,
                                                             EmissionFactor.code == cause.code).limit(1))
        name = localised(row.name_zh, row.name_en) if row is not None else material_name(cause.code)
        return _l("%(source)s, %(month)s: the factor library has no factor of the kind \u201c%(kind)s\u201d for "
                 "%(name)s valid in this month. The regulator publishes it on the factor library's page; the month "
                 "is computed once it is there.", source=e.source_name, month=month,
                 kind=KIND_LABELS.get(cause.kind, cause.kind), name=name)
    if isinstance(cause, UnitError):
        return _l("%(source)s, %(month)s: this unit cannot be converted to the unit of the source's factor: choose a "
                 "unit of the same kind (mass, volume or energy).", source=e.source_name, month=month)
    return _l("%(source)s, %(month)s: the emissions cannot be computed from these figures: check the line's "
             "quantity, unit and method inputs.", source=e.source_name, month=month)


def library_loader(library: FactorLibrary | None = None):
    """A function giving the factor library, read at its first call only (most filings' checks never need it)."""
    held = [library]

    def get() -> FactorLibrary:
        if held[0] is None:
            held[0] = load_library()
        return held[0]

    return get


def sector_of(industry_code: str | None) -> str:
    code = industry_code or ""
    return next((sector for prefix, sector in SECTORS if code.startswith(prefix)), "")


def planned_measured(org_id: int, period: date) -> dict[int, frozenset]:
    """{source id: the parameters the plan in force says are measured} (a source planned by another method: none)."""
    version = plan_in_force(org_id, period)
    if version is None:
        return {}
    found = {}
    for planned in version.sources:
        source = planned.source
        if source is not None and planned.method == (source.method or DEFAULT_METHOD.get(source.category)):
            found[planned.source_id] = frozenset(k for k, tier in (planned.tiers or {}).items() if tier == MEASURED)
    return found


def filed(name: str, values: Mapping, method: str | None = None) -> bool:
    """Whether parameter `name` (or one that stands in for it in the plan's catalogue: c_ad with its moistures for
    c_ar, daily NCVs for ncv_ar) was filed."""
    spec = next((p for p in catalogue.parameters(method) if p.code == name), None) if method else None
    return any(values.get(k) not in (None, "", {}, []) for k in (name, *(spec.either if spec else ())))


def provenance_of(filed_values: Mapping, planned: frozenset, entered: Mapping | None = None,
                  method: str | None = None) -> dict:
    """A line's per-parameter provenance: what was filed is measured (unless the enterprise said substituted);
    what the plan says is measured and was not filed is substituted, with its reason."""
    found = {}
    for name, value in filed_values.items():
        if value not in (None, "", {}, []):
            found[name] = dict((entered or {}).get(name) or {"provenance": "measured"})
    for name in sorted(planned):
        if not filed(name, filed_values, method):
            found[name] = {"provenance": SUBSTITUTED, "reason": MISSING_MEASUREMENT}
    return found


def make_input(source, period: date, quantity: Decimal, unit: str, measured: Mapping | None = None,
               parameters: Mapping | None = None, provenance: Mapping | None = None, green_mwh=None,
               planned: frozenset = frozenset()) -> engine.LineInput:
    """The engine's input for one source-month: today's categories take their measured fuel parameters as ever,
    a sector method takes its parameters by their API names, each with its provenance and the plan's measured ones."""
    provenance = provenance or {}
    return engine.LineInput(
        source_id=source.id, source_name=source.name, category=source.category, material=source.material,
        month=period, quantity=quantity, unit=unit,
        measured={k: Decimal(v) for k, v in (measured or {}).items()},
        green_mwh=green_mwh, declared_factor=source.declared_factor,
        declared_unit=source.declared_unit, declared_source=source.declared_source,
        method=source.method, parameters=dict(parameters or {}),
        provenance={k: v.get("provenance", "measured") for k, v in provenance.items()},
        reasons={k: v["reason"] for k, v in provenance.items() if v.get("reason")},
        planned_measured=planned, generating_unit=bool(source.generating_unit))


def line_inputs(filing: Filing, planned: dict | None = None) -> list[engine.LineInput]:
    planned = planned_measured(filing.org_id, filing.period) if planned is None else planned
    return [make_input(line.source, filing.period, line.quantity, line.unit, line.measured, line.parameters,
                       line.provenance, line.green_mwh, planned.get(line.source_id, frozenset()))
            for line in filing.lines]


def line_substituted(result, provenance: Mapping | None) -> list[str]:
    """The parameters a computed line rests on that were substituted: the engine's, and for today's methods (which
    take their library defaults as ever) those the plan says are measured and were not filed."""
    names = list(result.substituted)
    for name, entry in (provenance or {}).items():
        if entry.get("provenance") == SUBSTITUTED and name not in names:
            names.append(name)
    return names


@dataclass
class RegimeFigures:
    totals: dict = field(default_factory=dict)   # regime -> RegimeTotal (a regime whose factors are missing: none)
    followed: str = "inventory"
    total: Decimal = Decimal(0)                   # the total that total_tco2e keeps
    substituted_share: Decimal = Decimal(0)


def regime_options(filing: Filing, settings) -> regimes.RegimeOptions:
    organisation = filing.organisation
    # The inventory's location-based grid: the city's region (its regional average factor), else the engine's.
    region = get_setting("inventory_grid_region") or "China"
    if region == "China":
        series, region = settings.grid_series, settings.grid_region
    else:
        series = "regional_average"
    return regimes.RegimeOptions(sector=sector_of(getattr(organisation, "industry_code", None)),
                                 location_series=series, grid_region=region)


def regime_figures(filing: Filing, results: list, totals, library: FactorLibrary, settings,
                   substituted: Mapping[int, list]) -> RegimeFigures:
    """The three regimes of the month, the regime total_tco2e follows (the city's `reporting_regime`; inventory:
    the scope 1 + scope 2 total as ever) and the share of that total resting on substituted values."""
    options = regime_options(filing, settings)
    figures = RegimeFigures(followed=get_setting("reporting_regime") or "inventory")
    functions = {"ets": lambda f: regimes.ets(results, f, options.sector),
                 "guideline": lambda f: regimes.guideline(results, f, options.sector),
                 "inventory": lambda f: regimes.inventory(results, f)}
    for name, compute in functions.items():
        try:
            figures.totals[name] = compute(regimes.regime_factors(library, name, filing.period, options))
        except MissingFactor as missing:
            if name == figures.followed and name != "inventory":
                raise engine.CalculationError(filing.organisation.name, filing.period,
                                              f"no factors for the {name} regime in this month") from missing
    if figures.followed == "inventory" or figures.followed not in figures.totals:
        figures.total = totals.total
    else:
        figures.total = figures.totals[figures.followed].total
    resting = sum((r.co2e_t for r in results if substituted.get(r.source_id) and r.scope in ("1", "2")),
                  Decimal(0))
    if figures.total > 0 and resting:
        figures.substituted_share = min(Decimal(1), resting / figures.total)
    return figures


@dataclass
class Preview:
    results: list
    totals: object
    regimes: RegimeFigures | None = None
    substituted: dict = field(default_factory=dict)  # source id -> names of the substituted parameters


def preview(filing: Filing, library: FactorLibrary | None = None, settings=None) -> Preview:
    """Compute without storing; raises engine.CalculationError naming the source and month."""
    library = library or load_library()
    settings = settings or engine_settings()
    results = engine.compute(line_inputs(filing), library, settings)
    provenance = {line.source_id: line.provenance for line in filing.lines}
    return figures_of(filing, results, library, settings, provenance)


def figures_of(filing: Filing, results: list, library: FactorLibrary, settings, provenance: Mapping) -> Preview:
    """Totals, regimes and substitutions of computed lines (provenance: source id -> the line's provenance)."""
    totals = engine.totals(results)
    substituted = {r.source_id: line_substituted(r, provenance.get(r.source_id)) for r in results}
    return Preview(results, totals, regime_figures(filing, results, totals, library, settings, substituted),
                   substituted)


def calculate(filing: Filing, actor=None, reason: str = "saved", library=None, settings=None,
              now=None, computed: Preview | None = None) -> Calculation:
    """Compute and store a new current Calculation for the filing; the previous ones stay, marked old.

    All or nothing: an error in any line raises before anything is written. `computed`: the preview of exactly
    these lines with these settings, already made by the caller (services.set_activity checks it before storing).
    """
    settings = settings or engine_settings()
    result = computed or preview(filing, library, settings)
    figures = result.regimes
    for earlier in filing.calculations:
        earlier.is_current = False
    t = result.totals
    calculation = Calculation(
        org_id=filing.org_id, filing_id=filing.id, computed_at=now or utcnow(), computed_by_id=getattr(actor, "id", None),
        reason=reason, engine_version=ENGINE_VERSION, is_current=True,
        settings={"gwp_set": settings.gwp_set, "grid_series": settings.grid_series,
                  "include_ch4_n2o": settings.include_ch4_n2o},
        scope1_tco2e=t.scope1, scope2_tco2e=t.scope2, scope2_market_tco2e=t.scope2_market,
        scope3_tco2e=t.scope3, exported_tco2e=t.exported, total_tco2e=figures.total, energy_tce=t.energy_tce,
        ets_tco2e=_regime_total(figures, "ets"), guideline_tco2e=_regime_total(figures, "guideline"),
        inventory_tco2e=_regime_total(figures, "inventory"),
        inventory_market_tco2e=getattr(figures.totals.get("inventory"), "total_market", None),
        regime=figures.followed, substituted_share=figures.substituted_share)
    by_source = {line.source_id: line for line in filing.lines}
    for r in result.results:
        calculation.lines.append(CalculationLine(
            org_id=filing.org_id, filing_line_id=by_source[r.source_id].id, source_id=r.source_id,
            category=r.category, scope=r.scope, co2_t=r.co2_t, ch4_t=r.ch4_t, n2o_t=r.n2o_t,
            other_t={gas: str(v) for gas, v in r.other_t.items()}, co2e_t=r.co2e_t,
            co2e_market_t=r.co2e_market_t, energy_tce=r.energy_tce, trace=r.trace, method=r.method,
            masses=r.masses.as_text(), substituted=result.substituted.get(r.source_id) or []))
    filing.calculations.append(calculation)
    db.session.flush()
    return calculation


def _regime_total(figures: RegimeFigures, name: str) -> Decimal | None:
    found = figures.totals.get(name)
    return found.total if found is not None else None


def recalculate(filing: Filing, actor) -> Calculation:
    """The explicit action after a factor or setting change: a new Calculation, the old one kept."""
    old = filing.current_calculation
    new = calculate(filing, actor, reason="recalculated")
    record("filing.recalculated", actor=actor, obj=filing,
           detail={"period": filing.period.isoformat(), "revision": filing.revision,
                   "old_total": str(old.total_tco2e) if old else None, "new_total": str(new.total_tco2e)})
    return new
