"""Entering a month's activity and production data; the copies of record of a filing. Plain functions; they
flush and raise, the request's edge commits.

Every save recomputes the filing; a calculation error raises before the caller commits, so a
filing is never stored half-computed.
"""
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounting import engine, units
from app.accounting.library import MissingFactor
from app.accounting.models import EmissionSource, Product
from app.accounts.roles import ENTERPRISE_ADMIN, REVIEW, can
from app.audit.services import record
from app.core.numbers import parse_decimal
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.filings import parameters as method_parameters
from app.filings import scale
from app.filings.calculations import (
    Preview,
    calculation_message,
    calculate,
    figures_of,
    load_library,
    make_input,
    planned_measured,
    provenance_of,
)
from app.filings.measured import problem as parameter_problem
from app.filings.models import (
    APPROVED,
    DRAFT,
    RETURNED,
    SUBMITTED,
    CopyOfRecord,
    Filing,
    FilingLine,
    ProductionLine,
)
from app.organisations.models import ENTERPRISE
from app.plans import method_catalogue as catalogue
from app.settings.services import engine_settings

EDITABLE = (DRAFT, RETURNED)
MEASURABLE = ("ncv", "carbon_content", "oxidation_rate", "enthalpy_kj_per_kg", "temperature_c")


def month_start(value: date) -> date:
    return value.replace(day=1)


def latest_filing(org_id: int, period: date) -> Filing | None:
    return db.session.scalar(select(Filing).where(Filing.org_id == org_id, Filing.period == period)
                             .order_by(Filing.revision.desc()).limit(1))


def open_filing(actor, org, period: date, now=None) -> Filing:
    """The month's editable revision, created as a draft when the month has no filing yet."""
    period = month_start(period)
    filing = latest_filing(org.id, period)
    if filing is None:
        filing = Filing(org_id=org.id, period=period, revision=1, status=DRAFT,
                        created_by_id=getattr(actor, "id", None), created_at=now or utcnow(), updated_at=now or utcnow())
        db.session.add(filing)
        db.session.flush()
        record("filing.created", actor=actor, obj=filing, detail={"period": period.isoformat()}, now=now)
    elif filing.status not in EDITABLE:
        raise ServiceError(_l("The filing for %(month)s is %(status)s and can no longer be changed.",
                              month=period.strftime("%Y-%m"), status=filing.status))
    return filing


def _decimal(value, what: str) -> Decimal:
    not_a_number = _l("%(what)s: %(value)s is not a number.", what=what, value=value)
    misplaced = _l("%(what)s: %(value)s: use a point for decimals and commas only between groups of three digits, "
                   "e.g. 6070.3 or 60,703.", what=what, value=value)
    return parse_decimal(value, invalid=not_a_number, missing=not_a_number, minimum=Decimal(0), misplaced=misplaced,
                         too_small=_l("%(what)s: the quantity cannot be negative.", what=what))


def set_activity(actor, filing: Filing, lines: list[dict], production: list[dict] | None = None,
                 output_value=None, library=None, settings=None, now=None) -> None:
    """Replace the filing's lines and production, then recompute it.

    lines: [{"source_id", "quantity", "unit", "measured": {param: value}, "green_mwh"}];
    production: [{"product_id", "quantity", "unit"}]. Quantities are decimals or decimal strings.
    """
    if filing.status not in EDITABLE:
        raise ServiceError(_l("Only a draft or returned filing can be changed."))
    month = filing.period.strftime("%Y-%m")
    sources = {s.id: s for s in db.session.scalars(select(EmissionSource).where(EmissionSource.org_id == filing.org_id))}
    products = {p.id: p for p in db.session.scalars(select(Product).where(Product.org_id == filing.org_id))}
    wanted = {}
    for data in lines:
        source = sources.get(int(data["source_id"]))
        if source is None:
            raise ServiceError(_l("Unknown emission source in %(month)s.", month=month))
        if source.id in wanted:
            raise ServiceError(_l("A source appears twice in %(month)s.", month=month))
        what = f"{source.name}, {month}"
        typed = (data.get("unit") or source.activity_unit).strip()
        try:
            unit = units.canonical_unit(typed)
        except units.UnitError as e:
            # Scope 3 lines may count in units of their own (t·km, CNY) that the declared factor names; a source
            # counted in days in operation (equipment leaks, venting by counts) takes its days.
            days = typed == "d" == source.activity_unit
            if not days and (source.category != "scope3" or typed not in (source.activity_unit, source.declared_unit)):
                raise ServiceError(f"{what}: {e}") from None
            unit = typed
        measured = {k: str(_decimal(v, f"{what} {k}")) for k, v in (data.get("measured") or {}).items()
                    if v not in (None, "") and k in MEASURABLE}
        more, parameters = method_parameters.clean(source, data.get("parameters"), what, MEASURABLE)
        measured.update(more)
        green = data.get("green_mwh")
        wanted[source.id] = {"quantity": _decimal(data["quantity"], what), "unit": unit, "measured": measured,
                             "parameters": parameters,
                             "green_mwh": _decimal(green, f"{what} green MWh") if green not in (None, "") else None}
    planned = planned_measured(filing.org_id, filing.period)
    for source_id, line in wanted.items():
        line["provenance"] = provenance_of({**line["measured"], **line["parameters"]},
                                           planned.get(source_id, frozenset()),
                                           _entered_provenance(lines, source_id),
                                           catalogue.method_of(sources[source_id]))
    library = library or load_library()
    settings = settings or engine_settings()
    computed = _checked(filing, sources, wanted, library, settings, planned)
    new_production = {}
    for data in production or []:
        product = products.get(int(data["product_id"]))
        if product is None:
            raise ServiceError(_l("Unknown product in %(month)s.", month=month))
        new_production[product.id] = {"unit": data.get("unit") or product.unit,
                                      "quantity": _decimal(data["quantity"], f"{product.name}, {month}")}

    # A draft's earlier calculation described inputs that are being replaced: it goes with them.
    # (Calculations of submitted or approved filings are never deleted; see calculations.recalculate.)
    with db.session.no_autoflush:  # or removing it from the collection would first write filing_id = NULL
        for old in list(filing.calculations):
            db.session.delete(old)
            filing.calculations.remove(old)
    db.session.flush()
    before = {line.source_id: f"{line.quantity} {line.unit}" for line in filing.lines}
    after = {sid: f"{v['quantity']} {v['unit']}" for sid, v in wanted.items()}
    changes = {sources[sid].name: [before.get(sid), after.get(sid)] for sid in sorted(set(before) | set(after))
               if before.get(sid) != after.get(sid)}
    # Lines are updated in place, keyed by source, so their ids (and evidence or comments on them) last.
    _sync(filing.lines, wanted, "source_id",
          lambda source_id, values: FilingLine(org_id=filing.org_id, source_id=source_id, **values))
    _sync(filing.production, new_production, "product_id",
          lambda product_id, values: ProductionLine(org_id=filing.org_id, product_id=product_id, **values))
    filing.output_value_10k_cny = (_decimal(output_value, _l("Output value")) if output_value not in (None, "")
                                   else None)
    if filing.status == RETURNED:
        filing.status = DRAFT  # a returned filing being corrected is a draft again
    filing.updated_at = now or utcnow()
    db.session.flush()
    calculate(filing, actor, library=library, settings=settings, now=now, computed=computed)
    record("filing.saved", actor=actor, obj=filing, now=now,
           detail={"period": filing.period.isoformat(), "revision": filing.revision, "lines": len(wanted),
                   "changes": changes,
                   "total_tco2e": str(filing.current_calculation.total_tco2e.quantize(Decimal("0.000001")))})


def _entered_provenance(lines: list[dict], source_id: int) -> dict:
    """Provenance the enterprise gave with its values (the API's line `provenance`): {name: {provenance, reason}}."""
    for data in lines:
        if int(data["source_id"]) == source_id:
            return data.get("provenance") or {}
    return {}


def _checked(filing: Filing, sources: dict, wanted: dict, library, settings, planned=None) -> Preview:
    """The month's emissions computed from the lines about to be stored, once each line is within its source's rated
    capacity, each measured parameter near its default and the whole month within the enterprise's scale; a
    ServiceError beside the field at fault otherwise, before anything is written."""
    period = filing.period
    month = period.strftime("%Y-%m")
    for source_id, line in wanted.items():
        source = sources[source_id]
        refused = scale.capacity_problem(source, line["quantity"], line["unit"], period)
        if refused is not None:
            raise ServiceError(refused, field=f"quantity_{source_id}")
        if line["measured"] and source.category in engine.FUEL_CATEGORIES:
            try:
                factor = library.resolve("fuel", source.material, period)
            except MissingFactor:
                continue  # the calculation names what is missing
            for name, value in line["measured"].items():
                refused = parameter_problem(name, Decimal(value), factor, f"{source.name}, {month}")
                if refused is not None:
                    raise ServiceError(refused, field=f"{name}_{source_id}")
        refused = method_parameters.refusal(source, line["parameters"], line["quantity"], f"{source.name}, {month}",
                                            method_parameters.reference(source, period, library), unit=line["unit"])
        if refused is not None:
            raise refused
    planned = planned if planned is not None else planned_measured(filing.org_id, period)
    inputs = [make_input(sources[source_id], period, line["quantity"], line["unit"], line["measured"],
                         line["parameters"], line.get("provenance"), line["green_mwh"],
                         planned.get(source_id, frozenset()))
              for source_id, line in wanted.items()]
    try:
        results = engine.compute(inputs, library, settings)
        result = figures_of(filing, results, library, settings,
                            {sid: line.get("provenance") for sid, line in wanted.items()})
    except engine.CalculationError as e:
        raise ServiceError(calculation_message(e)) from None
    tonnes = scale.gross(result.totals)
    if tonnes > 0:
        refused = scale.scale_refusal(period, tonnes, scale.reference(filing.organisation))
        if refused is not None:
            largest = max(results, key=lambda r: r.co2e_t)  # the line most likely at fault
            raise ServiceError(refused, field=f"quantity_{largest.source_id}")
    return result


def _sync(rows: list, wanted: dict, key: str, make) -> None:
    """Make `rows` (a relationship list) match `wanted` {key value: column values}, updating in place."""
    by_key = {getattr(row, key): row for row in rows}
    for value in set(by_key) - set(wanted):
        rows.remove(by_key[value])
    for value, columns in wanted.items():
        row = by_key.get(value)
        if row is None:
            rows.append(make(value, columns))
        else:
            for column, new in columns.items():
                if getattr(row, column) != new:
                    setattr(row, column, new)


# --- copies of record (app.signing makes them when a filing is signed and submitted) -----------------------

def can_view(user, copy: CopyOfRecord) -> bool:
    """The signer, the enterprise's admins, the regulator, and a verifier assigned to that enterprise-year (the
    gate already hid other tenants' rows, and every copy outside a verifier's engagements)."""
    if user is None or not user.is_authenticated:
        return False
    if user.organisation.kind == "verifier":
        return True
    if user.organisation.kind == ENTERPRISE:
        return user.org_id == copy.org_id and (user.id == copy.signer_id or user.role == ENTERPRISE_ADMIN)
    return can(user, REVIEW)  # the authority's side: who reviews


def copies_of(filing_ids) -> dict[int, list[CopyOfRecord]]:
    """The copies of record of some filings, by filing id, oldest first (one query for a page)."""
    ids = list(filing_ids)
    rows = db.session.scalars(select(CopyOfRecord).where(CopyOfRecord.filing_id.in_(ids))
                              .options(selectinload(CopyOfRecord.signer))
                              .order_by(CopyOfRecord.id)).all() if ids else []
    found = {}
    for row in rows:
        found.setdefault(row.filing_id, []).append(row)
    return found


@dataclass(frozen=True)
class SourceAsFiled:
    """A source as a signed filing named it: what it is judged against once submitted."""

    id: int
    name: str


def sources_judged(filing: Filing, register: list, copy: CopyOfRecord | None = None) -> list:
    """The sources a filing's checks expect: today's register (`register`, the active sources) while the month is
    being edited; once submitted or approved, the register as it was at submission (the lines of its latest copy of
    record, else its own lines), so a source added or renamed afterwards changes nothing on the review page."""
    if filing.status not in (SUBMITTED, APPROVED):
        return register
    if copy is not None:
        return [SourceAsFiled(line["source_id"], line["source_name"]) for line in json.loads(copy.document)["lines"]]
    return [SourceAsFiled(line.source_id, line.source.name) for line in filing.lines]
