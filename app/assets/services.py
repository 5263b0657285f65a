"""The carbon asset ledger and the compliance position.

Recording: `record_entry` and `reverse` take the acting user, the organisation and plain data, flush and never
commit; a refusal is a ServiceError naming the field. Entries are never edited: a mistake is undone by a
reversal (the opposite quantity, pointing at the entry), once, and a reversal is never reversed itself.

Holdings (balances) are kept per bucket and may never go below zero:

- allowances per compliance year (a 2025 allowance is a different thing from a 2026 one);
- offsets per lot: credit type, project and vintage (how the registries hold them). An offset is not
  tied to a compliance year until it is surrendered for one.

Every movement that takes from a holding (a sale, a surrender, the reversal of an addition) locks the
organisation's row first (SELECT … FOR UPDATE on PostgreSQL), so two concurrent requests cannot both
spend the same tonnes; the balance is then computed inside the same transaction.

The compliance position of a year compares the emissions of the year (covered sources, approved months only;
the regulator-confirmed verified total once the year's verification is confirmed) with the allowances of that
compliance year (no banking or borrowing across years) and the offsets that may be used, up to the offset cap.
Until the verification is confirmed the emissions are "approved, not verified"; while the year is not over or
months are missing, the page shows the approved months to date beside the same share of the allocation and a
year-end projection (app.assets.projection) with its projected surplus or shortfall, never a final balance.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.roles import AUTHORITY_ROLES, ENTERPRISE_ADMIN
from app.assets import projection as projections
from app.assets.models import ALLOWANCE, INSTRUMENTS, KINDS, OFFSET, AssetEntry
from app.audit.services import record
from app.core.numbers import grouped, parse_decimal
from app.core.service_error import ServiceError
from app.core.types import city_date, city_today, utcnow
from app.extensions import db
from app.footprint.services import (
    MonthCount,
    verified_by_month,
    verified_by_month_of,
    years_with_filings,
)
from app.organisations.models import ENTERPRISE, Organisation
from app.settings.services import get_setting
from app.verification.services import confirmed_by_org, confirmed_for

ZERO = Decimal(0)
MAX_DECIMALS = 6  # the quantity column keeps six decimal places
FIRST_YEAR = 2013  # China's pilot emissions trading schemes began in 2013
FIRST_VINTAGE = 2005  # the earliest CCER crediting periods
# GB/T 4754-2017 divisions whose enterprises are in emissions trading (national ETS and the sectors joining it):
# power and heat, petroleum refining, chemicals, non-metallic minerals (cement, glass), iron and steel, aluminium.
COVERED_DIVISIONS = ("D44", "C25", "C26", "C30", "C31", "C32")
OFFSET_TYPES = ("CCER", "local")  # national CCER; a local scheme's certified reductions
RECORDABLE = ("allocation", "purchase", "sale", "offset_acquired", "surrender")


# --- who may do what ------------------------------------------------------------------------------

def may_allocate(actor) -> bool:
    """Allowances are allocated by the authority only (the regulator or the platform admin)."""
    return actor is not None and actor.role in AUTHORITY_ROLES


def may_record(actor, org: Organisation, kind: str) -> bool:
    """Allowances are allocated by the authority only: the regulator (or the platform admin) records allocations
    for any enterprise and nothing else; the enterprise admin records its own purchases, sales, offsets and
    surrenders at home, never an allocation."""
    if org.kind != ENTERPRISE or kind not in RECORDABLE or actor is None:
        return False
    if kind == "allocation":
        return may_allocate(actor)
    return actor.role == ENTERPRISE_ADMIN and actor.org_id == org.id


def by_authority(entry: AssetEntry) -> bool:
    """Recorded by someone outside the enterprise (the regulator), whose account the enterprise cannot see."""
    return entry.created_by_id is not None and (entry.created_by is None or entry.created_by.org_id != entry.org_id)


def may_reverse(actor, entry: AssetEntry) -> bool:
    """An allocation is the authority's to correct (whoever recorded it); every other entry the enterprise
    admin's at home. A reversal is never reversed."""
    if entry.kind == "reversal" or actor is None:
        return False
    if entry.kind == "allocation":
        return may_allocate(actor)
    return actor.role == ENTERPRISE_ADMIN and actor.org_id == entry.org_id


# --- holdings ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Holding:
    """One bucket of the balance: allowances of a compliance year, or one lot of offsets."""

    instrument: str
    compliance_year: int | None = None
    offset_type: str | None = None
    project_id: str | None = None
    vintage: int | None = None

    @classmethod
    def of(cls, entry) -> Holding:
        if entry.instrument == ALLOWANCE:
            return cls(ALLOWANCE, compliance_year=entry.compliance_year)
        return cls(OFFSET, offset_type=entry.offset_type, project_id=entry.project_id, vintage=entry.vintage)

    @property
    def label(self) -> str:
        if self.instrument == ALLOWANCE:
            return str(_l("Allowances for %(year)s", year=self.compliance_year))
        return str(_l("%(lot)s, vintage %(vintage)s", lot=lot_name(self.offset_type, self.project_id),
                      vintage=self.vintage))

    @property
    def key(self) -> str:
        """The lot as a form value (offsets): type|project|vintage."""
        return f"{self.offset_type}|{self.project_id}|{self.vintage}"


def parse_lot(value: str | None) -> dict:
    """offset_type, project_id and vintage from a lot's form value (the project id may itself contain '|')."""
    if not value or value.count("|") < 2:
        return {}
    offset_type, rest = value.split("|", 1)
    project_id, vintage = rest.rsplit("|", 1)
    return {"offset_type": offset_type, "project_id": project_id, "vintage": vintage}


def offset_type_label(code: str | None) -> str:
    return str({"CCER": _l("CCER"), "local": _l("Local offset")}.get(code, code or ""))


def lot_name(offset_type: str | None, project_id: str | None) -> str:
    """The credit type and project, the type once: a CCER project's number already starts with "CCER"."""
    project = project_id or ""
    if offset_type and project.upper().startswith(offset_type.upper()):
        return project
    return f"{offset_type_label(offset_type)} {project}".strip()


def entries_of(org_id: int) -> list[AssetEntry]:
    """The ledger, newest first (by trade date, then by when it was recorded)."""
    return db.session.scalars(
        select(AssetEntry).where(AssetEntry.org_id == org_id)
        .options(selectinload(AssetEntry.created_by), selectinload(AssetEntry.reverses))
        .order_by(AssetEntry.trade_date.desc(), AssetEntry.id.desc())).all()


def holdings(org_id: int, entries: list[AssetEntry] | None = None) -> dict[Holding, Decimal]:
    """Every bucket that ever moved, with its balance. Summed in Python: exact on SQLite too (text decimals)."""
    totals: dict[Holding, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries if entries is not None else entries_of(org_id):
        totals[Holding.of(entry)] += entry.quantity_t
    return dict(sorted(totals.items(), key=lambda kv: _holding_order(kv[0])))


def _holding_order(h: Holding) -> tuple:
    return (h.instrument != ALLOWANCE, -(h.compliance_year or 0), h.offset_type or "", h.project_id or "",
            -(h.vintage or 0))


def _lock(org_id: int) -> None:
    """Serialise the movements of one organisation: the balance checked is the balance written against."""
    db.session.execute(select(Organisation.id).where(Organisation.id == org_id).with_for_update())


def _check_balance(org_id: int, holding: Holding, change: Decimal, field: str | None) -> None:
    balance = holdings(org_id).get(holding, ZERO)
    if balance + change < 0:
        raise ServiceError(_l("Not enough held: %(holding)s has a balance of %(balance)s t, so %(quantity)s t "
                              "cannot be taken from it.", holding=holding.label, balance=grouped(balance),
                              quantity=grouped(-change)), field=field)


# --- recording -----------------------------------------------------------------------------------

def record_entry(actor, org: Organisation, kind: str, data: dict, now: datetime | None = None,
                 origin: dict | None = None) -> AssetEntry:
    """Record one movement. `data` holds the form's values (strings or typed); the quantity is entered positive
    and signed here by the kind (KINDS). `origin` (e.g. the import's file name) joins the audit event's detail.
    Call inside acting_on(org.id)."""
    now = now or utcnow()
    if kind not in RECORDABLE:
        raise ServiceError(_l("Unknown kind of entry."))
    if not may_record(actor, org, kind):
        if kind == "allocation":
            raise ServiceError(_l("Allowances are allocated by the regulator: an enterprise cannot record an "
                                  "allocation."))
        raise ServiceError(_l("You may not record this entry for this organisation."))
    fields = _clean(kind, data, city_date(now))
    quantity = fields.pop("quantity") * KINDS[kind]
    entry = AssetEntry(org_id=org.id, kind=kind, quantity_t=quantity, created_by_id=actor.id if actor else None,
                       created_at=now, **fields)
    _lock(org.id)
    if quantity < 0:
        _check_balance(org.id, Holding.of(entry), quantity, "quantity")
    db.session.add(entry)
    db.session.flush()
    record("asset.recorded", actor=actor, obj=entry, detail={**_detail(entry), **(origin or {})}, now=now)
    return entry


def reverse(actor, entry: AssetEntry, reason: str, now: datetime | None = None) -> AssetEntry:
    """Undo `entry` with an entry of the opposite quantity in the same holding. Call inside acting_on(entry.org_id)."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if entry.kind == "reversal":
        raise ServiceError(_l("A reversal cannot be reversed: record a new entry instead."))
    if not may_reverse(actor, entry):
        if entry.kind == "allocation":
            raise ServiceError(_l("Only the regulator may reverse an allocation."))
        raise ServiceError(_l("You may not reverse this entry."))
    if not reason:
        raise ServiceError(_l("Say why the entry is reversed."), field="reason")
    _lock(entry.org_id)
    if reversal_of(entry) is not None:  # checked under the lock; the unique reverses_id backs it up
        raise ServiceError(_l("This entry has already been reversed."))
    quantity = -entry.quantity_t
    if quantity < 0:
        _check_balance(entry.org_id, Holding.of(entry), quantity, None)
    undo = AssetEntry(org_id=entry.org_id, kind="reversal", instrument=entry.instrument,
                      compliance_year=entry.compliance_year, quantity_t=quantity,
                      price_cny_per_t=entry.price_cny_per_t, counterparty=entry.counterparty,
                      offset_type=entry.offset_type, project_id=entry.project_id, vintage=entry.vintage,
                      trade_date=city_date(now), reason=reason, reverses_id=entry.id,
                      created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(undo)
    db.session.flush()
    record("asset.reversed", actor=actor, obj=undo,
           detail={"reverses": entry.id, **_detail(undo)}, now=now)
    return undo


def reversal_of(entry: AssetEntry) -> AssetEntry | None:
    return db.session.scalar(select(AssetEntry).where(AssetEntry.reverses_id == entry.id))


def _detail(entry: AssetEntry) -> dict:
    detail = {"kind": entry.kind, "instrument": entry.instrument, "quantity_t": grouped(entry.quantity_t)}
    if entry.compliance_year is not None:
        detail["compliance_year"] = entry.compliance_year
    if entry.instrument == OFFSET:
        detail["lot"] = f"{entry.offset_type} {entry.project_id} {entry.vintage}"
    if entry.price_cny_per_t is not None:
        detail["price_cny_per_t"] = grouped(entry.price_cny_per_t)
    if entry.counterparty:
        detail["counterparty"] = entry.counterparty
    detail["reason"] = entry.reason
    return detail


def checked_fields(kind: str, data: dict, today: date) -> dict:
    """The values of an entry as `record_entry` would store them, or the ServiceError it would raise; writes
    nothing (an import checks every row before recording any)."""
    return _clean(kind, data, today)


def _clean(kind: str, data: dict, today: date) -> dict:
    """Check and type the values a kind needs; other values are ignored (never taken from the form)."""
    instrument = {"allocation": ALLOWANCE, "offset_acquired": OFFSET}.get(kind) or data.get("instrument")
    if instrument not in INSTRUMENTS:
        raise ServiceError(_l("Choose allowances or offsets."), field="instrument")
    fields = {"instrument": instrument, "quantity": _quantity(data.get("quantity"))}
    if kind == "surrender" or instrument == ALLOWANCE:
        fields["compliance_year"] = _year(data.get("compliance_year"), "compliance_year", FIRST_YEAR, today.year + 1)
    if instrument == OFFSET:
        offset_type = (data.get("offset_type") or "").strip()
        if offset_type not in OFFSET_TYPES:
            raise ServiceError(_l("Choose the type of offset."), field="offset_type")
        project_id = (data.get("project_id") or "").strip()
        if not project_id:
            raise ServiceError(_l("Enter the project's registration number."), field="project_id")
        if len(project_id) > 100:
            raise ServiceError(_l("At most 100 characters."), field="project_id")
        fields.update(offset_type=offset_type, project_id=project_id,
                      vintage=_year(data.get("vintage"), "vintage", FIRST_VINTAGE, today.year))
    trading = kind in ("purchase", "sale")
    price = data.get("price")
    if trading or price not in (None, ""):
        fields["price_cny_per_t"] = _price(price)
    counterparty = (data.get("counterparty") or "").strip()
    if trading and not counterparty:
        raise ServiceError(_l("Name the counterparty."), field="counterparty")
    if len(counterparty) > 200:
        raise ServiceError(_l("At most 200 characters."), field="counterparty")
    fields["counterparty"] = counterparty or None
    trade_date = data.get("trade_date")
    if not isinstance(trade_date, date):
        try:
            trade_date = date.fromisoformat(str(trade_date or ""))
        except ValueError:
            raise ServiceError(_l("Enter the date as YYYY-MM-DD."), field="trade_date") from None
    if trade_date > today:
        raise ServiceError(_l("The date cannot be in the future."), field="trade_date")
    fields["trade_date"] = trade_date
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise ServiceError(_l("Give the reason or a reference (notice, contract or registry number)."),
                           field="reason")
    fields["reason"] = reason
    return fields


def _quantity(value) -> Decimal:
    if value in (None, ""):
        raise ServiceError(_l("Enter the quantity in tonnes."), field="quantity")
    quantity = parse_decimal(value, "quantity", invalid=_l("Enter a number."))
    if quantity <= 0:
        raise ServiceError(_l("The quantity must be more than zero."), field="quantity")
    if -quantity.as_tuple().exponent > MAX_DECIMALS:
        raise ServiceError(_l("At most six decimal places."), field="quantity")
    if quantity >= Decimal("1e15"):
        raise ServiceError(_l("This quantity is too large."), field="quantity")
    return quantity


def _price(value) -> Decimal:
    if value in (None, ""):
        raise ServiceError(_l("Enter the price in CNY per tonne."), field="price")
    price = parse_decimal(value, "price", invalid=_l("Enter a number."))
    if price < 0:
        raise ServiceError(_l("The price cannot be negative."), field="price")
    if -price.as_tuple().exponent > 4 or price >= Decimal("1e12"):
        raise ServiceError(_l("Enter the price with at most four decimal places."), field="price")
    return price


def _year(value, field: str, low: int, high: int) -> int:
    try:
        year = int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        year = None
    if year is None or not low <= year <= high:
        raise ServiceError(_l("Enter a year from %(low)d to %(high)d.", low=low, high=high), field=field)
    return year


# --- the compliance position ---------------------------------------------------------------------

@dataclass
class CompliancePosition:
    """How one enterprise stands for one compliance year; every figure exact (Decimal), rounded only when shown.

    allowances_t = allocated + purchased − sold for the year (what it received, whether still held or
    already surrendered) = held + surrendered; offsets_t = offsets held now (any year may use them)
    + offsets already surrendered for the year; eligible = min(offsets, cap % × verified);
    balance = allowances + eligible offsets − verified (≥ 0 a surplus, < 0 a shortfall).
    """

    org: Organisation
    year: int
    months: list[MonthCount]
    verified_t: Decimal
    allocated_t: Decimal
    purchased_t: Decimal
    sold_t: Decimal
    allowances_surrendered_t: Decimal
    offsets_held_t: Decimal
    offsets_surrendered_t: Decimal
    cap_percent: Decimal
    price: Decimal | None = None
    price_is_average: bool = False
    entries: list = field(default_factory=list, repr=False)
    # The regulator-confirmed third-party verification of the year, when there is one: its total is then
    # verified_t (in place of the sum of the approved months, kept as reported_t). Without one, verified_t is
    # the approved months' sum: "approved emissions (not verified)" on every page.
    verification: object | None = None
    reported_t: Decimal | None = None
    # The approved months to date and the year-end projection (app.assets.projection); None when the enterprise
    # owes no month of the year. year_over: the city's today is past 31 December of the year.
    projection: projections.Projection | None = None
    year_over: bool = True

    @property
    def missing(self) -> list[MonthCount]:
        return [m for m in self.months if not m.counted]

    @property
    def provisional(self) -> bool:
        return bool(self.missing)

    @property
    def allowances_t(self) -> Decimal:
        return self.allocated_t + self.purchased_t - self.sold_t

    @property
    def allowances_held_t(self) -> Decimal:
        return self.allowances_t - self.allowances_surrendered_t

    @property
    def offsets_t(self) -> Decimal:
        return self.offsets_held_t + self.offsets_surrendered_t

    @property
    def offset_cap_t(self) -> Decimal:
        return self.verified_t * self.cap_percent / 100

    @property
    def eligible_offsets_t(self) -> Decimal:
        return max(min(self.offsets_t, self.offset_cap_t), ZERO)

    @property
    def balance_t(self) -> Decimal:
        return self.allowances_t + self.eligible_offsets_t - self.verified_t

    @property
    def surplus(self) -> bool:
        return self.balance_t >= 0

    @property
    def balance_cny(self) -> Decimal | None:
        return None if self.price is None else self.balance_t * self.price

    # --- until the verification is confirmed: to date, and projected -------------------------------------

    @property
    def is_verified(self) -> bool:
        return self.verification is not None

    @property
    def projected(self) -> bool:
        """The year's figure is still an estimate: not verified, and the year not over or months not approved.
        The page then shows the projection, in neutral colours, never a final surplus."""
        return (not self.is_verified and self.projection is not None
                and not (self.year_over and self.projection.complete))

    @property
    def allocation_share_t(self) -> Decimal | None:
        """The share of the year's allocation the approved months stand for: allocated × k / N."""
        p = self.projection
        return self.allocated_t * p.approved / p.months if p is not None else None

    @property
    def projected_t(self) -> Decimal | None:
        return self.projection.projected_t if self.projection is not None else None

    @property
    def projected_eligible_offsets_t(self) -> Decimal | None:
        if self.projected_t is None:
            return None
        return max(min(self.offsets_t, self.projected_t * self.cap_percent / 100), ZERO)

    @property
    def projected_balance_t(self) -> Decimal | None:
        """Allowances for the year + eligible offsets (cap on the projection) − projected emissions."""
        if self.projected_t is None:
            return None
        return self.allowances_t + self.projected_eligible_offsets_t - self.projected_t

    @property
    def projected_balance_cny(self) -> Decimal | None:
        balance = self.projected_balance_t
        return None if balance is None or self.price is None else balance * self.price

    @property
    def shown_balance_t(self) -> Decimal | None:
        """The balance a summary shows: the projected one while projected (None: nothing to project from)."""
        return self.projected_balance_t if self.projected else self.balance_t

    @property
    def short(self) -> bool:
        """Short of allowances, or projected to be."""
        return self.shown_balance_t is not None and self.shown_balance_t < 0

    @property
    def outstanding_t(self) -> Decimal:
        """What is still to be surrendered for the year's verified emissions."""
        used = self.allowances_surrendered_t + max(min(self.offsets_surrendered_t, self.offset_cap_t), ZERO)
        return max(self.verified_t - used, ZERO)


_LOOK_UP = object()


def compliance_position(org: Organisation, year: int, price: Decimal | None = None,
                        entries: list[AssetEntry] | None = None, months: list[MonthCount] | None = None,
                        cap_percent: Decimal | None = None, verification=_LOOK_UP,
                        last_year: list[MonthCount] | None = None, today: date | None = None) -> CompliancePosition:
    """The position of `org` for compliance year `year`; `price` (CNY/t) values the surplus or shortfall,
    by default at the average price of the year's allowance purchases (none: no value in CNY). `entries`,
    `months`, `cap_percent`, `verification` (the confirmed engagement or None) and `last_year` (the months of
    year − 1, for the projection's seasonal profile) may be passed in when many positions are built at once.
    A confirmed third-party verification's total is the verified figure; without one the year is projected."""
    today = today or city_today()
    months = months if months is not None else verified_by_month(org.id, year)
    if verification is _LOOK_UP:
        verification = confirmed_for(org.id, year)
    projection = None
    if verification is None:
        if last_year is None:
            last_year = verified_by_month(org.id, year - 1)
        owed = projections.year_months(org.first_reporting_month, org.last_reporting_month, year)
        projection = projections.project(owed, months, last_year, today, year)
    reported = sum((m.verified_t for m in months if m.counted), ZERO)
    entries = entries if entries is not None else entries_of(org.id)
    by_kind = defaultdict(lambda: ZERO)
    offsets_held = ZERO
    bought_t, bought_cny = ZERO, ZERO
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    for entry in entries:
        # A reversal counts against the kind it undoes, so "allocated" is net of corrected allocations.
        kind = entry.reverses.kind if entry.kind == "reversal" and entry.reverses is not None else entry.kind
        if entry.instrument == OFFSET:
            offsets_held += entry.quantity_t
            if kind == "surrender" and entry.compliance_year == year:
                by_kind["offset_surrender"] -= entry.quantity_t
            continue
        if entry.compliance_year != year:
            continue
        by_kind[kind] += entry.quantity_t
        if entry.kind == "purchase" and entry.id not in reversed_ids and entry.price_cny_per_t is not None:
            bought_t += entry.quantity_t
            bought_cny += entry.quantity_t * entry.price_cny_per_t
    average = bought_cny / bought_t if bought_t else None
    return CompliancePosition(
        org=org, year=year, months=months,
        verified_t=verification.confirmed_total_tco2e if verification is not None else reported,
        verification=verification, reported_t=reported,
        allocated_t=by_kind["allocation"], purchased_t=by_kind["purchase"], sold_t=-by_kind["sale"],
        allowances_surrendered_t=-by_kind["surrender"],
        offsets_held_t=offsets_held, offsets_surrendered_t=by_kind["offset_surrender"],
        cap_percent=cap_percent if cap_percent is not None else Decimal(get_setting("offset_cap_percent")),
        price=price if price is not None else average, price_is_average=price is None and average is not None,
        entries=entries, projection=projection, year_over=today > date(year, 12, 31))


def is_covered(org: Organisation) -> bool:
    """In a covered industry, or keeping a ledger anyway."""
    if org.kind != ENTERPRISE:
        return False
    if (org.industry_code or "")[:3] in COVERED_DIVISIONS:
        return True
    return db.session.scalar(select(AssetEntry.id).where(AssetEntry.org_id == org.id).limit(1)) is not None


def default_year(today: date) -> int:
    """Last year: the compliance year being verified and settled now."""
    return today.year - 1


def home_position(org: Organisation, today: date) -> CompliancePosition | None:
    """The panel on the enterprise's home page: last year's position, for enterprises in emissions trading."""
    return compliance_position(org, default_year(today), today=today) if is_covered(org) else None


def overview(year: int, price: Decimal | None = None, today: date | None = None) -> list[CompliancePosition]:
    """Every covered enterprise's position for `year` (the regulator's table), by name."""
    covered = covered_enterprises()
    by_org = defaultdict(list)
    for entry in db.session.scalars(select(AssetEntry).options(selectinload(AssetEntry.reverses))
                                    .order_by(AssetEntry.id)):
        by_org[entry.org_id].append(entry)
    org_ids = [org.id for org in covered]
    months = verified_by_month_of(org_ids, year)
    confirmed = confirmed_by_org(org_ids, year)
    # Last year's months, for the projection's seasonal profile of the enterprises not yet verified.
    unverified = [org_id for org_id in org_ids if org_id not in confirmed]
    last_year = verified_by_month_of(unverified, year - 1) if unverified else {}
    cap = Decimal(get_setting("offset_cap_percent"))
    return [compliance_position(org, year, price, entries=by_org.get(org.id, []), months=months[org.id],
                                cap_percent=cap, verification=confirmed.get(org.id),
                                last_year=last_year.get(org.id, []), today=today) for org in covered]


def covered_enterprises() -> list[Organisation]:
    """The enterprises in emissions trading (a covered industry, or keeping a ledger anyway), by name: the rows of
    the allocation template."""
    orgs = db.session.scalars(select(Organisation).where(Organisation.kind == ENTERPRISE)
                              .order_by(Organisation.name)).all()
    with_entries = set(db.session.scalars(select(AssetEntry.org_id).distinct()))
    return [org for org in orgs if (org.industry_code or "")[:3] in COVERED_DIVISIONS or org.id in with_entries]


def years_for(org_id: int, today: date) -> list[int]:
    """Years worth offering: those with filings or entries, and last and this year; newest first."""
    years = set(years_with_filings(org_id)) | {today.year, today.year - 1}
    years |= {y for y in db.session.scalars(select(AssetEntry.compliance_year)
                                            .where(AssetEntry.org_id == org_id).distinct()) if y}
    return sorted(years, reverse=True)
