"""The enterprise's register: facilities, emission sources and products. Plain functions: they flush, never commit.

Nothing is ever deleted: filings reference sources and products, so they are deactivated instead,
and a deactivated source is no longer expected in new filings.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounting import signals, units
from app.accounting.benchmark_texts import benchmark_name
from app.accounting.engine import SCOPES
from app.accounting.labels import category_label, method_label, scope_label
from app.accounting.methods import DEFAULT_METHOD, LEGACY, LEGACY_CATEGORIES, METHODS
from app.accounting.models import (
    EmissionFactor,
    EmissionSource,
    Facility,
    Product,
    ProductBenchmark,
    RATED_PER,
)
from app.audit.services import record
from app.audit_log.labels import name_values
from app.core.numbers import parse_decimal, plain
from app.core.service_error import ServiceError
from app.core.types import city_date, city_today, utcnow
from app.extensions import db
from app.i18n import localised

# The categories in the order the form offers them.
CATEGORIES = ("stationary_combustion", "mobile_combustion", "process", "fugitive", "purchased_electricity",
              "purchased_heat", "exported_electricity", "exported_heat", "scope3")
SCOPE3 = "scope3"
RATED_MAX = Decimal("999999999999")  # the column keeps 18 integer digits; a month of hours stays inside them

# Which materials a category takes: a kind of the factor library, a fixed list, or free text (scope 3).
FAMILY_OF = {
    "stationary_combustion": "fuel", "mobile_combustion": "fuel", "process": "process", "fugitive": "gwp",
    "purchased_electricity": "electricity", "exported_electricity": "electricity",
    "purchased_heat": "heat", "exported_heat": "heat", SCOPE3: SCOPE3,
}
FIXED_MATERIALS = {
    "electricity": {"electricity": _l("Electricity")},
    "heat": {"heat": _l("Heat"), "steam": _l("Steam"), "hot_water": _l("Hot water")},
}
# Activity dimensions of the fixed materials (fuels and carbonates take their factor's unit). Steam and
# hot water are metered in tonnes (the engine turns them into heat from measured enthalpy or temperature)
# or, where the supplier meters heat, in GJ.
FIXED_DIMENSIONS = {"electricity": ("energy",), "heat": ("energy",), "steam": ("mass", "energy"),
                    "hot_water": ("mass", "energy")}
FUGITIVE_DIMENSIONS = ("mass",)  # kilograms or tonnes of gas released

DECLARED_MIN, DECLARED_MAX = Decimal("1E-10"), Decimal("1E+14")

UNIT_EXAMPLES = {"mass": "t, kg", "volume": "m3, L", "normal_volume": "10^4 Nm3, Nm3", "energy": "MWh, kWh, GJ, TJ"}


def category_choice_label(code: str) -> str:
    """"固定源燃料燃烧（范围一）": the category with the scope it counts toward."""
    if code == SCOPE3:  # its name already says scope 3
        return str(category_label(code))
    scope = SCOPES[code]
    # The exported categories already say "exported": only that they are deducted is news.
    suffix = _("deducted") if scope == "export" else scope_label(scope)
    return _("%(category)s (%(scope)s)", category=category_label(code), scope=suffix)


@dataclass(frozen=True)
class Material:
    code: str
    name_zh: str
    name_en: str
    unit: str | None = None  # the factor's activity unit (fuels, carbonates)

    @property
    def label(self) -> str:
        name = localised(self.name_zh, self.name_en)
        return name if name and name != self.code else self.code


def library_materials(kind: str) -> dict[str, Material]:
    """Distinct codes of one kind of the factor library, named after their newest version."""
    rows = db.session.scalars(select(EmissionFactor).where(EmissionFactor.kind == kind)
                              .order_by(EmissionFactor.code, EmissionFactor.valid_from.desc(),
                                        EmissionFactor.version.desc()))
    materials = {}
    for row in rows:
        materials.setdefault(row.code, Material(row.code, row.name_zh or row.code, row.name_en or row.code,
                                                row.unit))
    return materials


def materials_by_family() -> dict[str, dict[str, Material]]:
    """Every material the form offers, by family ("fuel", "process", "gwp", "electricity", "heat")."""
    families = {kind: library_materials(kind) for kind in ("fuel", "process", "gwp")}
    for family, names in FIXED_MATERIALS.items():
        families[family] = {code: Material(code, str(name), str(name)) for code, name in names.items()}
    return families


def material_name(code: str) -> str:
    """A material's name by its code alone (the audit trail's details name materials by code)."""
    for family in materials_by_family().values():
        if code in family:
            return family[code].label
    return code


name_values(material_name, "material")


def material_label(source: EmissionSource, materials: dict[str, dict[str, Material]]) -> str:
    material = materials.get(FAMILY_OF.get(source.category), {}).get(source.material)
    return material.label if material else source.material


# --- reading the register ------------------------------------------------------------------------

@dataclass
class Register:
    facilities: list
    products: list
    materials: dict


def load_register(org) -> Register:
    """Everything the register page shows, loaded up front."""
    facilities = db.session.scalars(select(Facility).where(Facility.org_id == org.id)
                                    .options(selectinload(Facility.sources))
                                    .order_by(Facility.active.desc(), Facility.id)).all()
    products = db.session.scalars(select(Product).where(Product.org_id == org.id)
                                  .order_by(Product.active.desc(), Product.is_main.desc(), Product.id)).all()
    return Register(facilities, products, materials_by_family())


def facilities_for_choice(org, current: Facility | None = None) -> list[Facility]:
    """Active facilities, plus the one a source already belongs to."""
    rows = db.session.scalars(select(Facility).where(Facility.org_id == org.id).order_by(Facility.id)).all()
    return [f for f in rows if f.active or f is current]


# --- shared checks ----------------------------------------------------------------------------------

def _text(data: dict, key: str) -> str | None:
    return (data.get(key) or "").strip() or None


def _unit(text: str | None, field: str) -> str:
    if not text:
        raise ServiceError(_l("The unit is required."), field=field)
    try:
        return units.canonical_unit(text)
    except units.UnitError:
        raise ServiceError(_l("Unknown unit. Use one of: %(units)s.", units=", ".join(units.UNITS)),
                           field=field) from None


def _scope3_unit(text: str | None, field: str) -> str:
    """Scope 3 also counts in units outside the registry (t·km, CNY): kept as typed when unknown."""
    if not text:
        raise ServiceError(_l("The unit is required."), field=field)
    try:
        return units.canonical_unit(text)
    except units.UnitError:
        return text


def _convertible(unit: str, declared_unit: str) -> bool:
    if unit == declared_unit:
        return True
    try:
        return units.dimension(unit) == units.dimension(declared_unit)
    except units.UnitError:
        return False  # the engine converts only units it knows; others must be the same text


def _changes(obj, values: dict) -> dict:
    return {k: [_plain(getattr(obj, k)), _plain(v)] for k, v in values.items() if getattr(obj, k) != v}


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


def _apply(obj, values: dict, changes: dict) -> None:
    """Set the changed columns to their new values (the typed ones, not the audit trail's plain text)."""
    for key in changes:
        setattr(obj, key, values[key])


def _taken(model, obj, **where) -> bool:
    stmt = select(model.id).where(*(getattr(model, k) == v for k, v in where.items()))
    if obj is not None and obj.id is not None:
        stmt = stmt.where(model.id != obj.id)
    return db.session.scalar(stmt.limit(1)) is not None


# --- facilities -------------------------------------------------------------------------------------

FACILITY_FIELDS = ("name", "name_en", "address", "description")


def _facility_values(org, data: dict, existing: Facility | None = None) -> dict:
    values = {k: _text(data, k) for k in FACILITY_FIELDS}
    if not values["name"]:
        raise ServiceError(_l("The name is required."), field="name")
    if _taken(Facility, existing, org_id=org.id, name=values["name"]):
        raise ServiceError(_l("Another facility already has this name."), field="name")
    return values


def create_facility(actor, org, data: dict, now: datetime | None = None) -> Facility:
    facility = Facility(org_id=org.id, created_at=now or utcnow(), active=True, **_facility_values(org, data))
    db.session.add(facility)
    db.session.flush()
    record("facility.created", actor=actor, obj=facility, detail={"name": facility.name}, now=now)
    return facility


def update_facility(actor, org, facility: Facility, data: dict, now: datetime | None = None) -> None:
    values = _facility_values(org, data, existing=facility)
    changes = _changes(facility, values)
    _apply(facility, values, changes)
    if changes:
        db.session.flush()
        record("facility.updated", actor=actor, obj=facility, detail={"changes": changes}, now=now)


def set_facility_active(actor, facility: Facility, active: bool, now: datetime | None = None) -> None:
    """Deactivating a facility deactivates its sources too; reactivating leaves them for the admin to choose."""
    if facility.active == active:
        return
    facility.active = active
    detail = {"name": facility.name}
    if not active:
        stopped = [s for s in facility.sources if s.active]
        for source in stopped:
            source.active = False
        if stopped:
            detail["sources_deactivated"] = [s.name for s in stopped]
    db.session.flush()
    record("facility.activated" if active else "facility.deactivated", actor=actor, obj=facility,
           detail=detail, now=now)


# --- emission sources -------------------------------------------------------------------------------

def _decimal(text, field: str) -> Decimal:
    # A comma is not a thousands separator here: "6070,3" is refused, not read as 60703.
    value = parse_decimal(text, field, positive=True, separators=False,
                          invalid=_l("Enter a number, e.g. 2.5 or 0.0012."))
    # The column keeps 10 decimals and 14 integer digits: refuse what it would round to zero or overflow.
    if value < DECLARED_MIN or value >= DECLARED_MAX:
        raise ServiceError(_l("Enter a number from %(low)s to %(high)s.", low=plain(DECLARED_MIN),
                              high="99999999999999"), field=field)
    return value


def _service_months(data: dict, existing: EmissionSource | None, today: date) -> dict:
    """From which month a source is expected in filings, and until which (a new one: from this month)."""
    first = data.get("commissioned_month") or (existing.commissioned_month if existing else today.replace(day=1))
    last = data.get("decommissioned_month", existing.decommissioned_month if existing else None)  # None: in service
    for value, field in ((first, "commissioned_month"), (last, "decommissioned_month")):
        if value is not None and not isinstance(value, date):
            raise ServiceError(_l("Choose a month."), field=field)
    first, last = first and first.replace(day=1), last and last.replace(day=1)
    if first is not None and last is not None and last < first:
        raise ServiceError(_l("It cannot be taken out of service before it was put in service."),
                           field="decommissioned_month")
    return {"commissioned_month": first, "decommissioned_month": last}


def _rated_capacity(data: dict, existing: EmissionSource | None) -> dict:
    """The source's optional rated capacity in its activity unit, per hour or per month (a month above it is refused
    in filings)."""
    if "rated_capacity" not in data:  # a caller that does not deal with it keeps what is there
        return {"rated_capacity": existing.rated_capacity if existing else None,
                "rated_capacity_per": existing.rated_capacity_per if existing else None}
    capacity = parse_decimal(data.get("rated_capacity"), "rated_capacity", required=False, positive=True,
                             maximum=RATED_MAX)
    if capacity is None:
        return {"rated_capacity": None, "rated_capacity_per": None}
    if capacity != capacity.quantize(Decimal("0.000001")):
        raise ServiceError(_l("Use at most %(n)d decimal places.", n=6), field="rated_capacity")
    per = data.get("rated_capacity_per")
    if per not in RATED_PER:
        raise ServiceError(_l("Say whether the capacity is per hour or per month."), field="rated_capacity_per")
    return {"rated_capacity": capacity, "rated_capacity_per": per}


def _source_values(org, data: dict, existing: EmissionSource | None = None, today: date | None = None) -> dict:
    today = today or city_today()
    facility_id = data.get("facility_id")
    try:
        facility_id = int(facility_id)
    except (TypeError, ValueError):
        raise ServiceError(_l("Choose a facility."), field="facility_id") from None
    # Through the gate, and of this organisation: a facility of anyone else is simply not there.
    facility = db.session.scalar(select(Facility).where(Facility.id == facility_id, Facility.org_id == org.id))
    if facility is None:
        raise ServiceError(_l("Choose a facility."), field="facility_id")
    if not facility.active and (existing is None or existing.facility_id != facility.id):
        raise ServiceError(_l("This facility is inactive: reactivate it first."), field="facility_id")

    name = _text(data, "name")
    if not name:
        raise ServiceError(_l("The name is required."), field="name")
    if _taken(EmissionSource, existing, facility_id=facility.id, name=name):
        raise ServiceError(_l("This facility already has a source with this name."), field="name")

    category = data.get("category")
    method = _text(data, "method")
    if method is not None and method not in METHODS:
        raise ServiceError(_l("Choose a calculation method."), field="method")
    if method is not None and category is None:
        category = METHODS[method].category  # the API names the method alone
    if category not in CATEGORIES:
        raise ServiceError(_l("Choose a category."), field="category")
    family = FAMILY_OF[category]
    if method is not None and not fits(method, category):
        raise ServiceError(_l("The method %(method)s does not fit the category %(category)s.",
                              method=method_label(method), category=category_choice_label(category)),
                           field="method")
    if method == DEFAULT_METHOD.get(category):
        method = None  # the category's own method: stored as none, so the source reads as it always did
    if method is not None:
        return _method_source_values(org, data, existing, today, facility, name, category, method)

    if family == SCOPE3:
        material = _text(data, "material_text")
        if not material:
            raise ServiceError(_l("Describe what is bought or used, e.g. business travel by air."),
                               field="material_text")
        if len(material) > 60:
            raise ServiceError(_l("Use at most %(n)d characters.", n=60), field="material_text")
    else:
        material = _text(data, "material")
        choices = materials_by_family()[family]
        if material not in choices:
            raise ServiceError(_l("Choose a material that belongs to the category %(category)s.",
                                  category=category_choice_label(category)), field="material")

    declared = {k: _text(data, k) for k in ("declared_factor", "declared_unit", "declared_source")}
    if family == SCOPE3:
        unit = _scope3_unit(_text(data, "activity_unit"), "activity_unit")
        if not declared["declared_factor"]:
            raise ServiceError(_l("Scope 3 sources need a declared factor."), field="declared_factor")
        factor = _decimal(declared["declared_factor"], "declared_factor")
        declared_unit = _scope3_unit(declared["declared_unit"], "declared_unit")
        if not _convertible(unit, declared_unit):
            raise ServiceError(_l("The declared unit must be the activity unit %(unit)s or convertible to it.",
                                  unit=unit), field="declared_unit")
        if not declared["declared_source"]:
            raise ServiceError(_l("Cite where the factor comes from."), field="declared_source")
        declared = {"declared_factor": factor, "declared_unit": declared_unit,
                    "declared_source": declared["declared_source"]}
    else:
        unit = _unit(_text(data, "activity_unit"), "activity_unit")
        if family in ("fuel", "process"):
            expected = (units.dimension(choices[material].unit),)
        elif family == "gwp":
            expected = FUGITIVE_DIMENSIONS
        else:
            expected = FIXED_DIMENSIONS[material]
        if units.dimension(unit) not in expected:
            raise ServiceError(_l("%(unit)s does not fit %(material)s: use a unit such as %(examples)s.",
                                  unit=unit, material=choices[material].label,
                                  examples=", ".join(UNIT_EXAMPLES[d] for d in expected)),
                               field="activity_unit")
        # Other categories take their factor from the city's library, never from the enterprise.
        for key, value in declared.items():
            if value:
                raise ServiceError(_l("Only scope 3 sources declare their own factor."), field=key)
        declared = dict.fromkeys(declared)

    values = {"facility_id": facility.id, "name": name, "category": category, "material": material,
              "activity_unit": unit, "covered": bool(data.get("covered")), **declared,
              **_service_months(data, existing, today), **_rated_capacity(data, existing),
              "method": None, "generating_unit": bool(data.get("generating_unit"))}
    return _kept_in_filings(existing, values, family)


def fits(method: str, category: str) -> bool:
    """Whether a source of `category` may be computed by `method` (today's methods: their own categories)."""
    if method in LEGACY:
        return category in LEGACY_CATEGORIES[method]
    return METHODS[method].category == category or (
        METHODS[method].combustion and category in ("stationary_combustion", "mobile_combustion"))


def _method_unit(method: str, text: str | None) -> str:
    """The activity unit of a sector method's source: one the method converts to its own (days taken as typed)."""
    accepted = METHODS[method].quantity_units
    if text == "d" and "d" in accepted:
        return "d"
    unit = _unit(text, "activity_unit")
    dimensions = {units.dimension(u) for u in accepted if u != "d"}
    if accepted and units.dimension(unit) not in dimensions:
        raise ServiceError(_l("%(method)s takes its quantity in %(units)s.", method=method_label(method),
                              units=", ".join(accepted)), field="activity_unit")
    return unit


def _method_source_values(org, data, existing, today, facility, name, category, method) -> dict:
    """A source computed by a sector method: its inputs come with each month's filing, so the material is only a
    name (a fuel of the library where the method burns one, e.g. the coal of a generating unit)."""
    material = _text(data, "material")
    if method == "power_coal":
        material = material or "raw_coal"
        if material not in library_materials("fuel"):
            raise ServiceError(_l("Choose a material that belongs to the category %(category)s.",
                                  category=category_choice_label(category)), field="material")
    material = material or method
    if len(material) > 60:
        raise ServiceError(_l("Use at most %(n)d characters.", n=60), field="material")
    for key in ("declared_factor", "declared_unit", "declared_source"):
        if _text(data, key):
            raise ServiceError(_l("Only scope 3 sources declare their own factor."), field=key)
    values = {"facility_id": facility.id, "name": name, "category": category, "material": material,
              "activity_unit": _method_unit(method, _text(data, "activity_unit")),
              "covered": bool(data.get("covered")), "declared_factor": None, "declared_unit": None,
              "declared_source": None, **_service_months(data, existing, today), **_rated_capacity(data, existing),
              "method": method, "generating_unit": bool(data.get("generating_unit")) or method == "power_coal"}
    return _kept_in_filings(existing, values, None)


def _kept_in_filings(existing, values: dict, family) -> dict:
    if existing is not None and _in_filings(existing):
        # Past filings are recalculated from the source's category and material: those stay as filed.
        for column, field in (("category", "category"),
                              ("material", "material_text" if family == SCOPE3 else "material"),
                              ("method", "method")):
            if values[column] != getattr(existing, column):
                raise ServiceError(_l("This source is used in filings, so its category and material stay as "
                                      "they are. Deactivate it and add a new source instead."), field=field)
    return values


def _in_filings(source: EmissionSource) -> bool:
    return any(used for _receiver, used in signals.source_in_use.send(source))


def create_source(actor, org, data: dict, now: datetime | None = None) -> EmissionSource:
    now = now or utcnow()
    source = EmissionSource(org_id=org.id, created_at=now, active=True,
                            **_source_values(org, data, today=city_date(now)))
    db.session.add(source)
    db.session.flush()
    record("source.created", actor=actor, obj=source,
           detail={"name": source.name, "category": source.category, "material": source.material,
                   "unit": source.activity_unit, **({"method": source.method} if source.method else {}),
                   **({"generating_unit": True} if source.generating_unit else {})}, now=now)
    return source


def update_source(actor, org, source: EmissionSource, data: dict, now: datetime | None = None) -> None:
    values = _source_values(org, data, existing=source, today=city_today())
    changes = _changes(source, values)
    _apply(source, values, changes)
    if changes:
        db.session.flush()
        record("source.updated", actor=actor, obj=source, detail={"changes": changes}, now=now)


def set_source_active(actor, source: EmissionSource, active: bool, now: datetime | None = None) -> None:
    if source.active == active:
        return
    if active and not source.facility.active:
        raise ServiceError(_l("Its facility is inactive: reactivate the facility first."))
    source.active = active
    db.session.flush()
    record("source.activated" if active else "source.deactivated", actor=actor, obj=source,
           detail={"name": source.name}, now=now)


# --- products ---------------------------------------------------------------------------------------

def _product_values(org, data: dict, existing: Product | None = None) -> dict:
    name = _text(data, "name")
    if not name:
        raise ServiceError(_l("The name is required."), field="name")
    if _taken(Product, existing, org_id=org.id, name=name):
        raise ServiceError(_l("Another product already has this name."), field="name")
    values = {"name": name, "name_en": _text(data, "name_en"), "unit": _unit(_text(data, "unit"), "unit"),
              "is_main": bool(data.get("is_main"))}
    if "benchmark_code" in data:  # callers that do not offer it leave the mapping as it is
        code = _text(data, "benchmark_code")
        if code is not None and code not in {c for c, _label in benchmark_choices()}:
            raise ServiceError(_l("Choose one of the listed values."), field="benchmark_code")
        values["benchmark_code"] = code
    return values


def latest_benchmarks() -> list[ProductBenchmark]:
    """The latest version of every product benchmark code, in code order."""
    newest = select(ProductBenchmark.code, func.max(ProductBenchmark.version).label("v")).group_by(
        ProductBenchmark.code).subquery()
    return list(db.session.scalars(select(ProductBenchmark).join(
        newest, (ProductBenchmark.code == newest.c.code) & (ProductBenchmark.version == newest.c.v))
        .order_by(ProductBenchmark.id)))


def benchmark_codes() -> set[str]:
    return set(db.session.scalars(select(ProductBenchmark.code).distinct()))


def benchmark_choices() -> list[tuple[str, str]]:
    """(code, label) of the latest version of every product benchmark."""
    return [(b.code, f"{benchmark_name(b)} ({b.benchmark} {b.unit})") for b in latest_benchmarks()]


def _unset_other_main(org, product: Product) -> list[str]:
    """At most one main product: marking one unmarks the others."""
    others = db.session.scalars(select(Product).where(Product.org_id == org.id, Product.is_main,
                                                      Product.id != product.id)).all()
    for other in others:
        other.is_main = False
    return [o.name for o in others]


def create_product(actor, org, data: dict, now: datetime | None = None) -> Product:
    product = Product(org_id=org.id, created_at=now or utcnow(), active=True, **_product_values(org, data))
    db.session.add(product)
    db.session.flush()
    detail = {"name": product.name, "unit": product.unit, "is_main": product.is_main}
    if product.is_main:
        detail["no_longer_main"] = _unset_other_main(org, product) or None
    db.session.flush()
    record("product.created", actor=actor, obj=product, detail={k: v for k, v in detail.items() if v is not None},
           now=now)
    return product


def update_product(actor, org, product: Product, data: dict, now: datetime | None = None) -> None:
    values = _product_values(org, data, existing=product)
    changes = _changes(product, values)
    _apply(product, values, changes)
    if changes:
        detail = {"changes": changes}
        if product.is_main:
            unset = _unset_other_main(org, product)
            if unset:
                detail["no_longer_main"] = unset
        db.session.flush()
        record("product.updated", actor=actor, obj=product, detail=detail, now=now)


def set_product_active(actor, product: Product, active: bool, now: datetime | None = None) -> None:
    if product.active == active:
        return
    product.active = active
    db.session.flush()
    record("product.activated" if active else "product.deactivated", actor=actor, obj=product,
           detail={"name": product.name}, now=now)


def map_product(actor, product: Product, code: str | None, now=None) -> None:
    """The regulator measures a product against a benchmark code (None: against none); the caller opens the
    write scope."""
    code = (code or "").strip() or None
    if code is not None and code not in benchmark_codes():
        raise ServiceError(_l("Choose one of the listed values."), field="benchmark_code")
    if product.benchmark_code == code:
        return
    old, product.benchmark_code = product.benchmark_code, code
    db.session.flush()
    record("city_data.product_mapped", actor=actor, obj=product, now=now,
           detail={"product": product.name, "changes": {"benchmark_code": [old, code]}})
