"""After a new version of a factor: the approved months still calculated with an older one, and recalculating them.

"Each new version explicitly recalculated as today" (issue 17): publishing never touches stored results, so the
factor page lists every approved month (the effective revision of an enterprise-month) whose current calculation
used a version of the factor other than the one that month would use today (the highest version covering it), with
its stored total beside what today's library and settings give. The regulator recalculates them in one explicit,
audited step; approved data is never edited in place: each filing gets a new current Calculation, the old one is kept
(app.filings.calculations.recalculate, as the footprint's own recalculation does).
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounting.engine import CalculationError
from app.accounting.models import EmissionFactor, EmissionSource
from app.audit.services import record
from app.core.service_error import ServiceError
from app.extensions import db
from app.factors.services import history
from app.filings import calculations
from app.filings.models import APPROVED, Calculation, CalculationLine, Filing
from app.tenancy import acting_on, unscoped

STORED = Decimal("1e-10")  # results are stored to 10^-10 t


@dataclass
class StaleMonth:
    filing: Filing
    calculation: Calculation
    used: set = field(default_factory=set)  # versions of the factor the stored calculation used
    today: int | None = None  # the version the month would use today
    new_total: Decimal | None = None  # filled by with_totals()
    error: str | None = None

    @property
    def difference(self) -> Decimal | None:
        return None if self.new_total is None else self.new_total - self.calculation.total_tco2e


def _today_version(versions: list[EmissionFactor], period: date) -> int | None:
    """The highest version whose validity covers the month (versions come newest first)."""
    for v in versions:
        if v.valid_from <= period and (v.valid_to is None or period <= v.valid_to):
            return v.version
    return None


def _candidate_lines(factor: EmissionFactor):
    """Lines of current calculations of effective approved filings that may cite the factor (narrowed for fuels
    and carbonates by the source's material; any line otherwise, the trace decides)."""
    query = (select(CalculationLine.trace, Calculation.id)
             .join(Calculation, CalculationLine.calculation_id == Calculation.id)
             .join(Filing, Calculation.filing_id == Filing.id)
             .where(Calculation.is_current, Filing.status == APPROVED, Filing.superseded_at.is_(None)))
    if factor.kind in ("fuel", "process"):  # a source's material is the factor's code, whatever its method
        query = query.join(EmissionSource, CalculationLine.source_id == EmissionSource.id).where(
            EmissionSource.material == factor.code)
    return db.session.execute(query.execution_options(**unscoped(
        "the regulator's list of approved months of every enterprise calculated with an older factor version")))


def stale_months(factor: EmissionFactor) -> list[StaleMonth]:
    """Approved months whose current calculation used another version of `factor` than they would today."""
    versions = history(factor)
    ids = {v.id: v.version for v in versions}
    used_by_calc = {}
    for trace, calculation_id in _candidate_lines(factor):
        for traced in (trace or {}).get("factors", ()):
            if traced.get("id") in ids:
                used_by_calc.setdefault(calculation_id, set()).add(ids[traced["id"]])
    if not used_by_calc:
        return []
    calcs = db.session.scalars(
        select(Calculation).where(Calculation.id.in_(list(used_by_calc)))
        .options(selectinload(Calculation.filing).selectinload(Filing.organisation))
        .execution_options(**unscoped("the calculations found above, of every enterprise"))).all()
    months = []
    for calc in calcs:
        today = _today_version(versions, calc.filing.period)
        if today is not None and used_by_calc[calc.id] != {today}:
            months.append(StaleMonth(calc.filing, calc, used_by_calc[calc.id], today))
    months.sort(key=lambda m: (m.filing.period, m.filing.organisation.name, m.filing.id))
    return months


def with_totals(months: list[StaleMonth]) -> list[StaleMonth]:
    """Each month's total with today's factors and settings, computed and not stored (the confirmation page)."""
    library = calculations.load_library()
    for month in months:
        try:
            month.new_total = calculations.preview(month.filing, library).totals.total.quantize(STORED)
        except CalculationError as e:
            month.error = str(calculations.calculation_message(e))
    return months


def recalculate_months(actor, factor: EmissionFactor, filing_ids: set[int]) -> list[StaleMonth]:
    """Recalculate the listed months that still use an older version; all or nothing. Callers commit."""
    months = [m for m in stale_months(factor) if m.filing.id in filing_ids]
    if not months:
        raise ServiceError(_l("No listed month uses an older version any more: nothing was recalculated."))
    for month in months:
        with acting_on(month.filing.org_id):
            try:
                new = calculations.recalculate(month.filing, actor)
            except CalculationError as e:
                raise ServiceError(_l("Nothing was recalculated: %(error)s",
                                      error=calculations.calculation_message(e))) from None
        month.new_total = new.total_tco2e.quantize(STORED)
    latest = history(factor)[0]
    record("factor.months_recalculated", actor=actor, obj=latest,
           detail={"factor": " ".join(str(p) for p in (latest.kind, latest.code, latest.series, latest.data_year)
                                      if p is not None),
                   "version": latest.version,
                   "months": [{"org_id": m.filing.org_id, "period": m.filing.period.isoformat(),
                               "filing_id": m.filing.id, "old_total": str(m.calculation.total_tco2e),
                               "new_total": str(m.new_total)} for m in months]})
    return months
