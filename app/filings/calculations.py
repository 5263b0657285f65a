"""Computing a filing's emissions with the pure engine and storing the result reproducibly.

The engine (app.accounting.engine) knows nothing of the database: this module loads the factor
library and the settings in force, hands the engine plain inputs and stores what it returns,
together with the trace of every factor version and parameter used.
"""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.accounting import engine
from app.accounting.library import FactorLibrary
from app.accounting.models import EmissionFactor
from app.audit.services import record
from app.core.types import utcnow
from app.extensions import db
from app.filings.models import Calculation, CalculationLine, Filing
from app.settings.services import engine_settings

ENGINE_VERSION = "1"


def load_library() -> FactorLibrary:
    """Every factor version of the city's library (a few hundred rows at most)."""
    return FactorLibrary(row.to_engine() for row in db.session.scalars(select(EmissionFactor)))


def line_inputs(filing: Filing) -> list[engine.LineInput]:
    inputs = []
    for line in filing.lines:
        source = line.source
        inputs.append(engine.LineInput(
            source_id=source.id, source_name=source.name, category=source.category, material=source.material,
            month=filing.period, quantity=line.quantity, unit=line.unit,
            measured={k: Decimal(v) for k, v in (line.measured or {}).items()},
            green_mwh=line.green_mwh, declared_factor=source.declared_factor,
            declared_unit=source.declared_unit, declared_source=source.declared_source))
    return inputs


@dataclass
class Preview:
    results: list
    totals: object


def preview(filing: Filing, library: FactorLibrary | None = None, settings=None) -> Preview:
    """Compute without storing; raises engine.CalculationError naming the source and month."""
    library = library or load_library()
    settings = settings or engine_settings()
    results = engine.compute(line_inputs(filing), library, settings)
    return Preview(results, engine.totals(results))


def calculate(filing: Filing, actor=None, reason: str = "saved", library=None, settings=None,
              now=None, computed: Preview | None = None) -> Calculation:
    """Compute and store a new current Calculation for the filing; the previous ones stay, marked old.

    All or nothing: an error in any line raises before anything is written. `computed`: the preview of exactly
    these lines with these settings, already made by the caller (services.set_activity checks it before storing).
    """
    settings = settings or engine_settings()
    result = computed or preview(filing, library, settings)
    for earlier in filing.calculations:
        earlier.is_current = False
    t = result.totals
    calculation = Calculation(
        org_id=filing.org_id, filing_id=filing.id, computed_at=now or utcnow(), computed_by_id=getattr(actor, "id", None),
        reason=reason, engine_version=ENGINE_VERSION, is_current=True,
        settings={"gwp_set": settings.gwp_set, "grid_series": settings.grid_series,
                  "include_ch4_n2o": settings.include_ch4_n2o},
        scope1_tco2e=t.scope1, scope2_tco2e=t.scope2, scope2_market_tco2e=t.scope2_market,
        scope3_tco2e=t.scope3, exported_tco2e=t.exported, total_tco2e=t.total, energy_tce=t.energy_tce)
    by_source = {line.source_id: line for line in filing.lines}
    for r in result.results:
        calculation.lines.append(CalculationLine(
            org_id=filing.org_id, filing_line_id=by_source[r.source_id].id, source_id=r.source_id,
            category=r.category, scope=r.scope, co2_t=r.co2_t, ch4_t=r.ch4_t, n2o_t=r.n2o_t,
            other_t={gas: str(v) for gas, v in r.other_t.items()}, co2e_t=r.co2e_t,
            co2e_market_t=r.co2e_market_t, energy_tce=r.energy_tce, trace=r.trace))
    filing.calculations.append(calculation)
    db.session.flush()
    return calculation


def recalculate(filing: Filing, actor) -> Calculation:
    """The explicit action after a factor or setting change: a new Calculation, the old one kept."""
    old = filing.current_calculation
    new = calculate(filing, actor, reason="recalculated")
    record("filing.recalculated", actor=actor, obj=filing,
           detail={"period": filing.period.isoformat(), "revision": filing.revision,
                   "old_total": str(old.total_tco2e) if old else None, "new_total": str(new.total_tco2e)})
    return new
