"""Filing months from a spreadsheet: the template for an enterprise, and the import of a filled-in file.

Plain functions that flush; the request's edge commits. The import is all or nothing: the file is parsed
in full (app.filings.imports.parser), and only a clean file reaches the filings, each month through
`open_filing` + `set_activity` like the web form. A month that can no longer be changed, or a
calculation error in any month, is a problem of the whole file and the caller rolls everything back.
"""
import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounting import units
from app.accounting.labels import category_label
from app.accounting.models import EmissionSource, Facility, Product
from app.accounting.services import FAMILY_OF, FIXED_DIMENSIONS, materials_by_family
from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import db
from app.filings import services as filing_services
from app.filings.imports.layout import (
    ACTIVITY,
    COMPOSITION_PREFIX,
    DAYS,
    EQUIPMENT_PREFIX,
    MAX_MONTHS,
    VALUE_KEYS,
    ProductRef,
    SourceRef,
)
from app.filings.imports.parser import ParsedFile, parse_workbook
from app.filings.imports.problems import Problem
from app.filings.imports.template import build_csv, build_xlsx
from app.filings.imports.values import month_range, parse_month
from app.filings.labels import status_label
from app.filings.models import DRAFT, RETURNED, Calculation, Filing

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
EDITABLE = (DRAFT, RETURNED)


def max_bytes() -> int:
    """The upload size limit (config IMPORT_MAX_BYTES)."""
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


local_today = city_today


# ---------------------------------------------------------------------------------------------- lookups

def _bilingual(zh: str, en: str | None) -> str:
    return zh if not en or en == zh else f"{zh} {en}"


def _label_in(locale: str, lazy) -> str:
    with force_locale(locale):
        return str(lazy)


def source_refs(org, active_only: bool = False) -> dict[int, SourceRef]:
    """The enterprise's sources as the parser sees them, by id (deactivated ones too unless `active_only`).

    Another enterprise's source is never among them, so its id reads as unknown.
    """
    stmt = (select(EmissionSource, Facility).join(Facility, EmissionSource.facility_id == Facility.id)
            .where(EmissionSource.org_id == org.id).order_by(Facility.id, EmissionSource.id))
    if active_only:
        stmt = stmt.where(EmissionSource.active.is_(True))
    materials = materials_by_family()
    refs = {}
    for source, facility in db.session.execute(stmt):
        material = materials.get(FAMILY_OF.get(source.category), {}).get(source.material)
        if source.category in ("purchased_electricity", "exported_electricity", "purchased_heat", "exported_heat"):
            dimensions = FIXED_DIMENSIONS.get(source.material, ())
        else:
            dimensions = ()
        try:
            if source.activity_unit != DAYS:  # equipment counted over its days in operation files days
                units.dimension(source.activity_unit)
        except units.UnitError:
            continue  # cannot be filed at all (set_activity refuses it too); the register shows why
        refs[source.id] = SourceRef(
            id=source.id, facility=facility.name, facility_en=facility.name_en, name=source.name,
            category=source.category, material=source.material, unit=source.activity_unit,
            category_label=_bilingual(_label_in("zh", category_label(source.category)),
                                      _label_in("en", category_label(source.category))),
            material_label=_bilingual(material.name_zh, material.name_en) if material else source.material,
            dimensions=dimensions, active=source.active, method=source.method)
    return refs


def product_refs(org, active_only: bool = False) -> dict[int, ProductRef]:
    stmt = select(Product).where(Product.org_id == org.id).order_by(Product.is_main.desc(), Product.id)
    if active_only:
        stmt = stmt.where(Product.active.is_(True))
    return {p.id: ProductRef(id=p.id, name=p.name, name_en=p.name_en, unit=p.unit, active=p.active)
            for p in db.session.scalars(stmt)}


# -------------------------------------------------------------------------------------------- templates

def template_months(first: str | None, last: str | None, today: date | None = None) -> list[date]:
    """The months a template covers, from the query's "YYYY-MM" texts; by default last month only."""
    today = today or local_today()
    this_month = today.replace(day=1)
    last_month = date(this_month.year - (this_month.month == 1), (this_month.month - 2) % 12 + 1, 1)
    try:
        start = parse_month(first) if first else None
        end = parse_month(last) if last else None
    except ValueError:
        raise ServiceError(_l("Give the months as YYYY-MM, for example 2026-10.")) from None
    if start is None:
        start = end or last_month
    if end is None:
        end = max(start, last_month)
    if end < start:
        raise ServiceError(_l("The last month comes before the first."))
    if end > this_month:
        raise ServiceError(_l("%(month)s is in the future.", month=end.strftime("%Y-%m")))
    months = month_range(start, end)
    if len(months) > MAX_MONTHS:
        raise ServiceError(_l("A template covers at most %(n)d months.", n=MAX_MONTHS))
    return months


def build_template(org, months: list[date], fmt: str) -> bytes:
    """The template for the enterprise's active sources and products: "xlsx" or "csv"."""
    sources = list(source_refs(org, active_only=True).values())
    products = list(product_refs(org, active_only=True).values())
    if fmt == "csv":
        return build_csv(months, sources, products)
    return build_xlsx(months, sources, products, title=org.name, max_bytes=max_bytes())


# ---------------------------------------------------------------------------------------------- imports

@dataclass
class MonthResult:
    month: date
    filing_id: int
    revision: int
    lines: int
    products: int
    output_value: Decimal | None
    total_tco2e: Decimal | None
    calculation_id: int | None


@dataclass
class ImportResult:
    filename: str
    sha256: str
    size_bytes: int
    months: list[MonthResult] = field(default_factory=list)
    empty_months: list[date] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def lines(self) -> int:
        return sum(m.lines for m in self.months)


def parse_upload(org, data: bytes, today: date | None = None) -> ParsedFile:
    """Parse an upload against the enterprise's register, with the size limit in force."""
    return parse_workbook(data, sources=source_refs(org), products=product_refs(org), today=today or local_today(),
                          max_bytes=max_bytes())


def _latest(org, period: date) -> Filing | None:
    # With the calculations set_activity replaces, so replacing them loads nothing more mid-flush.
    return db.session.scalar(select(Filing).where(Filing.org_id == org.id, Filing.period == period)
                             .options(selectinload(Filing.calculations).selectinload(Calculation.lines))
                             .order_by(Filing.revision.desc()).limit(1))


def _not_editable(month: date, status: str):
    text = month.strftime("%Y-%m")
    if status == "submitted":
        return _l("%(month)s is already submitted: it cannot be imported while it is under review. Leave its "
                  "rows empty.", month=text)
    if status == "approved":
        return _l("%(month)s is already approved: it cannot be imported. Leave its rows empty, or start an "
                  "amendment first.", month=text)
    return _l("%(month)s cannot be changed (%(status)s): leave its rows empty.", month=text,
              status=status_label(status))


def _cell_problem(e: ServiceError, rows: list, month: date) -> Problem:
    """A service's refusal of a month at the row and column it names ("c_ad_12": source 12's C_ad) where it can."""
    name, _sep, source_id = (e.field or "").rpartition("_")
    row = next((r for r in rows if str(r.source_id) == source_id), None)
    if row is None or not name:
        return Problem(e.message, month=month.strftime("%Y-%m"))
    if name in row.places:  # a material on the carbon sheet, the daily coal
        sheet, at, column = row.places[name]
        return Problem(e.message, sheet=sheet, row=at, column=column, month=month.strftime("%Y-%m"))
    if name in ("composition", "equipment"):
        filed = (row.parameters.get(name) or {})
        prefix = COMPOSITION_PREFIX if name == "composition" else EQUIPMENT_PREFIX
        name = f"{prefix}{next(iter(filed))}" if filed else "quantity"
    key = name if name in VALUE_KEYS else "quantity"
    return Problem(e.message, sheet=row.sheet, row=row.row, column=ACTIVITY.column(key).label,
                   month=month.strftime("%Y-%m"))


def import_file(actor, org, filename: str, data: bytes, today: date | None = None, now=None) -> ImportResult:
    """Parse `data` and, when it is clean, save every month that has figures.

    Returns the result with its problems. When `result.problems` is not empty the session may hold
    some months' writes: the caller must roll them back (app.core.edge.roll_back).
    """
    result = ImportResult(filename=(filename or "")[:255], sha256=hashlib.sha256(data).hexdigest(),
                          size_bytes=len(data))
    parsed = parse_upload(org, data, today)
    result.problems = list(parsed.problems)
    if result.problems:
        return result
    months = parsed.months
    for month in months:
        filing = _latest(org, month)
        if filing is not None and filing.status not in EDITABLE:
            result.problems.append(Problem(_not_editable(month, filing.status), month=month.strftime("%Y-%m")))
    if result.problems:
        return result

    for month in months:
        lines = [row.as_line() for row in parsed.rows if row.month == month]
        production = [row.as_line() for row in parsed.production if row.month == month]
        output_value = parsed.output_values.get(month)
        try:
            filing = filing_services.open_filing(actor, org, month, now=now)
            filing_services.set_activity(actor, filing, lines, production, output_value, now=now)
        except ServiceError as e:
            result.problems.append(_cell_problem(e, [row for row in parsed.rows if row.month == month], month))
            continue
        calc = db.session.scalar(select(Calculation).where(Calculation.filing_id == filing.id,
                                                           Calculation.is_current.is_(True)))
        result.months.append(MonthResult(
            month=month, filing_id=filing.id, revision=filing.revision, lines=len(lines), products=len(production),
            output_value=output_value, total_tco2e=calc.total_tco2e if calc else None,
            calculation_id=calc.id if calc else None))
    if result.problems:
        result.months = []
        return result
    result.empty_months = parsed.empty_months
    record("filing.imported", actor=actor, org_id=org.id, now=now,
           detail={"filename": result.filename, "sha256": result.sha256,
                   "months": [m.month.strftime("%Y-%m") for m in result.months], "lines": result.lines})
    return result
