"""Absurd quantities caught before they are stored: a source's rated capacity, and the enterprise's own scale.

Plain functions, used by services.set_activity (so the web form, the Excel import and the API refuse alike) and by
the plausibility findings (the 10× warning at submission and on the review page).

- Rated capacity: a month's quantity above the source's capacity (per month, or per hour × the hours of the month),
  both in the source's unit after converting the quantity typed, is refused.
- Scale: the month's gross emissions (every line, scopes 1, 2 and 3 and exports, before exports are deducted, so an
  absurd export is no less absurd) against the largest approved month of the enterprise; without approved history,
  of any enterprise in its industry division (GB/T 4754, e.g. "C30"), else of the city. Above REFUSED_TIMES it is
  refused at save; above WARNED_TIMES it is a warning that needs an explanation. No approved month anywhere: no check.
"""
import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, cast, func, select

from app.accounting import units
from app.accounting.models import PER_HOUR
from app.core.numbers import grouped, rounded
from app.extensions import db
from app.factors.services import display_unit
from app.filings.models import APPROVED, Calculation, Filing
from app.organisations.models import Organisation
from app.tenancy import unscoped

REFUSED_TIMES = Decimal(100)
WARNED_TIMES = Decimal(10)
OWN, INDUSTRY, CITY = "own", "industry", "city"


# --- rated capacity ------------------------------------------------------------------------------------------

def hours_in(period: date) -> int:
    return calendar.monthrange(period.year, period.month)[1] * 24


def monthly_capacity(source, period: date) -> Decimal | None:
    """The most the source can handle in the month, in its activity unit (None: no capacity set)."""
    if source.rated_capacity is None:
        return None
    if source.rated_capacity_per == PER_HOUR:
        return source.rated_capacity * hours_in(period)
    return source.rated_capacity


def _in_source_unit(quantity: Decimal, unit: str, source) -> Decimal | None:
    if unit == source.activity_unit:
        return quantity
    try:
        return units.convert(quantity, unit, source.activity_unit)
    except units.UnitError:
        return None  # a scope 3 unit of its own (t·km, CNY) in another spelling: nothing to compare


def capacity_problem(source, quantity: Decimal, unit: str, period: date):
    """The message refusing `quantity` (in `unit`) for the month, or None when it is within the rated capacity."""
    limit = monthly_capacity(source, period)
    if limit is None:
        return None
    converted = _in_source_unit(quantity, unit, source)
    if converted is None or converted <= limit:
        return None
    own = source.activity_unit
    typed = f"{grouped(quantity)} {display_unit(unit)}"
    if unit != own:
        typed += f" (= {grouped(rounded(converted, 6))} {display_unit(own)})"
    if source.rated_capacity_per == PER_HOUR:
        return _l("%(source)s: %(typed)s is more than its rated capacity of %(capacity)s %(unit)s per hour "
                  "× %(hours)d hours = %(limit)s %(unit)s in %(month)s. Check the quantity and its unit, or correct "
                  "the capacity in the register.", source=source.name, typed=typed,
                  capacity=grouped(source.rated_capacity), unit=display_unit(own), hours=hours_in(period),
                  limit=grouped(limit), month=period.strftime("%Y-%m"))
    return _l("%(source)s: %(typed)s is more than its rated capacity of %(capacity)s %(unit)s per month. Check "
              "the quantity and its unit, or correct the capacity in the register.", source=source.name,
              typed=typed, capacity=grouped(limit), unit=display_unit(own))


# --- the enterprise's scale ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """The largest approved month a month is measured against, and whose it is."""

    tonnes: Decimal
    basis: str  # OWN, INDUSTRY or CITY
    division: str | None = None

    @property
    def whose(self):
        if self.basis == OWN:
            return _l("this enterprise's largest approved month")
        if self.basis == INDUSTRY:
            return _l("the largest approved month of any enterprise in its industry (%(division)s)",
                      division=self.division)
        return _l("the largest approved month of any enterprise in the city")


def gross(totals) -> Decimal:
    """Every line's tonnes, exports not deducted: scope 1 + scope 2 + scope 3 + exported (engine Totals or a
    Calculation)."""
    if hasattr(totals, "scope1_tco2e"):
        return totals.scope1_tco2e + totals.scope2_tco2e + totals.scope3_tco2e + totals.exported_tco2e
    return totals.scope1 + totals.scope2 + totals.scope3 + totals.exported


def _gross_sql():
    # Float for the comparison only (SQLite keeps the exact decimals as text); a 10×/100× rule needs no more.
    return (cast(Calculation.scope1_tco2e, Float) + cast(Calculation.scope2_tco2e, Float)
            + cast(Calculation.scope3_tco2e, Float) + cast(Calculation.exported_tco2e, Float))


def _approved():
    return (select().select_from(Calculation).join(Filing, Filing.id == Calculation.filing_id)
            .where(Calculation.is_current.is_(True), Filing.status == APPROVED, Filing.superseded_at.is_(None)))


def _tonnes(value) -> Decimal | None:
    return rounded(Decimal(str(value)), 6) if value is not None and value > 0 else None


def division_of(org) -> str | None:
    return org.industry_code[:3] if org.industry_code else None


def references(orgs) -> dict[int, Reference | None]:
    """The reference of each of `orgs` (their own history, else their industry's, else the city's), in at most three
    statements however many organisations: the review queue asks for a page at once."""
    orgs = {org.id: org for org in orgs}
    if not orgs:
        return {}
    gross_sql = _gross_sql()
    found = {}
    for org_id, value in db.session.execute(
            _approved().add_columns(Filing.org_id, func.max(gross_sql)).where(Filing.org_id.in_(orgs))
            .group_by(Filing.org_id)
            .execution_options(**unscoped("the largest month of the enterprises being judged, as one figure each"))):
        if _tonnes(value) is not None:
            found[org_id] = Reference(_tonnes(value), OWN)
    missing = [org for org_id, org in orgs.items() if org_id not in found]
    divisions = {division_of(org) for org in missing} - {None}
    by_division = {}
    if divisions:
        division = func.substr(Organisation.industry_code, 1, 3)
        by_division = {code: _tonnes(value) for code, value in db.session.execute(
            _approved().add_columns(division, func.max(gross_sql)).join(Organisation, Organisation.id == Filing.org_id)
            .where(division.in_(divisions)).group_by(division)
            .execution_options(**unscoped("an industry's largest approved month, one figure, no enterprise named")))}
    city = None
    if any(by_division.get(division_of(org)) is None for org in missing):
        city = _tonnes(db.session.scalar(_approved().add_columns(func.max(gross_sql)).execution_options(
            **unscoped("the city's largest approved month, one figure, no enterprise named"))))
    for org in missing:
        code = division_of(org)
        if by_division.get(code) is not None:
            found[org.id] = Reference(by_division[code], INDUSTRY, code)
        elif city is not None:
            found[org.id] = Reference(city, CITY)
        else:
            found[org.id] = None
    return found


def reference(org) -> Reference | None:
    return references([org])[org.id]


def times(tonnes: Decimal, ref: Reference | None) -> Decimal | None:
    """How many times the reference this month is (None without a reference)."""
    if ref is None:
        return None
    return tonnes / ref.tonnes


def scale_message(period: date, tonnes: Decimal, ref: Reference):
    return _l("%(month)s: %(tonnes)s tCO2e computed (every line, before exports are deducted) is %(times)s times "
              "%(whose)s (%(largest)s tCO2e).", month=period.strftime("%Y-%m"), tonnes=grouped(rounded(tonnes, 3)),
              times=grouped(rounded(times(tonnes, ref), 1)), whose=ref.whose, largest=grouped(rounded(ref.tonnes, 3)))


def scale_refusal(period: date, tonnes: Decimal, ref: Reference | None):
    """The message refusing the month when it is above REFUSED_TIMES its reference, else None."""
    if ref is None or tonnes <= REFUSED_TIMES * ref.tonnes:
        return None
    return _l("%(finding)s More than %(limit)d times is refused: check the quantities and their units.",
              finding=scale_message(period, tonnes, ref), limit=int(REFUSED_TIMES))


def scale_warned(tonnes: Decimal, ref: Reference | None) -> bool:
    return ref is not None and tonnes > WARNED_TIMES * ref.tonnes
