"""Reading the factor library and publishing new factor versions. Plain functions; callers commit.

A factor row is never edited or deleted: a new value is a new row with the next version number, so every
stored calculation keeps pointing at exactly the version it used. Recalculating with the new version is an
explicit action elsewhere (app.filings.calculations.recalculate).
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounting.factor_texts import citation, status_code, status_text
from app.audit_log.labels import name_values
from app.accounting.library import GRID_SERIES, KINDS
from app.accounting.models import EmissionFactor
from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db

KIND_LABELS = {
    "fuel": _l("Fuels"),
    "electricity": _l("Purchased electricity (grid emission factors)"),
    "heat": _l("Purchased heat"),
    "process": _l("Industrial processes (carbonates)"),
    "gwp": _l("Global warming potentials (100-year)"),
    "steam_conversion": _l("Steam and hot water conversion"),
    "combustion_non_co2": _l("CH4 and N2O from fuel combustion"),
    "method_default": _l("Default parameters of the calculation methods"),
}

SERIES_LABELS = {
    "national_average": _l("National average (MEE/NBS)"),
    "ets_compliance": _l("National ETS compliance factor (MEE)"),
    "residual_mix": _l("National average excluding market-traded non-fossil power"),
    "fossil_only": _l("Fossil-fired power only"),
    "regional_average": _l("Regional grid average"),
    "stationary": _l("Stationary combustion"),
}
# Plain English for stored names (name_en), in the style of the seeded rows.
_SERIES_PLAIN = {
    "national_average": "national average", "ets_compliance": "national ETS compliance factor",
    "residual_mix": "national average excluding market-traded non-fossil", "fossil_only": "fossil-fired power only",
    "regional_average": "regional",
}

REGION_LABELS = {
    "China": _l("National grid"),
    "North": _l("North China grid"),
    "Northeast": _l("Northeast China grid"),
    "East": _l("East China grid"),
    "Central": _l("Central China grid"),
    "Northwest": _l("Northwest China grid"),
    "South": _l("China Southern grid"),
    "Southwest": _l("Southwest China grid"),
}

GWP_SET_ORDER = ("SAR", "AR4", "AR5", "AR6")


@dataclass(frozen=True)
class ValueSpec:
    label: str
    unit: str  # "{unit}" is replaced by the factor's activity unit


VALUE_SPECS = {
    "ncv": ValueSpec(_l("Net calorific value"), "GJ/{unit}"),
    "carbon_content": ValueSpec(_l("Carbon content"), "tC/GJ"),
    "oxidation_rate": ValueSpec(_l("Oxidation rate"), ""),
    "ef": ValueSpec(_l("Emission factor"), "tCO2/{unit}"),
    "gwp": ValueSpec(_l("GWP-100"), ""),
    "feedwater_enthalpy_kj_per_kg": ValueSpec(_l("Feedwater enthalpy"), "kJ/kg"),
    "water_ref_temp_c": ValueSpec(_l("Hot water reference temperature"), "°C"),
    "water_heat_capacity_kj_per_kg_k": ValueSpec(_l("Specific heat capacity of water"), "kJ/(kg·K)"),
    "ch4_kg_per_tj": ValueSpec(_l("CH4"), "kg/TJ"),
    "n2o_kg_per_tj": ValueSpec(_l("N2O"), "kg/TJ"),
    "value": ValueSpec(_l("Default value"), "{unit}"),  # method defaults: one value in the factor's own unit
}

_SIX_PLACES = Decimal("0.000001")


def display_unit(unit: str | None) -> str:
    """"10^4 Nm3" as people write it: 10⁴ Nm³; a dimensionless "1" shows as nothing."""
    if unit == "1":
        return ""
    if unit and unit.endswith("/yr"):  # per year: the methods' leak and vent factors (t CH4 per unit a year)
        return unit[:-3] + "/" + str(_l("yr"))
    return (unit or "").replace("^4", "⁴").replace("m3", "m³")


name_values(display_unit, "unit", "activity_unit")
name_values(SERIES_LABELS, "series")


def value_label(key: str) -> str:
    spec = VALUE_SPECS.get(key)
    return str(spec.label) if spec else key


def value_unit(key: str, factor_unit: str) -> str:
    spec = VALUE_SPECS.get(key)
    return display_unit(spec.unit.replace("{unit}", factor_unit)) if spec else ""


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def series_label(series: str | None) -> str:
    return str(SERIES_LABELS.get(series, series or ""))


def region_label(code: str) -> str:
    return str(REGION_LABELS.get(code, code))


def fuel_tco2_per_unit(values: dict) -> Decimal | None:
    """NCV × CC × OF × 44/12, tCO2 per unit of fuel, to 6 decimals (display only: the engine keeps it exact)."""
    try:
        ncv, cc, of = (Decimal(str(values[k])) for k in ("ncv", "carbon_content", "oxidation_rate"))
    except (KeyError, InvalidOperation):
        return None
    with localcontext() as ctx:
        ctx.prec = 50
        return (ncv * cc * of * 44 / 12).quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def identity(factor: EmissionFactor) -> tuple:
    return factor.kind, factor.code, factor.series, factor.data_year


def _same_identity(factor: EmissionFactor):
    def eq(column, value):
        return column.is_(None) if value is None else column == value

    return (EmissionFactor.kind == factor.kind, EmissionFactor.code == factor.code,
            eq(EmissionFactor.series, factor.series), eq(EmissionFactor.data_year, factor.data_year))


def history(factor: EmissionFactor) -> list[EmissionFactor]:
    """Every version of the factor's kind/code/series/data year, newest first, with who published it."""
    return list(db.session.scalars(
        select(EmissionFactor).where(*_same_identity(factor)).options(selectinload(EmissionFactor.published_by))
        .order_by(EmissionFactor.version.desc())))


def latest_version(factor: EmissionFactor, lock: bool = False) -> EmissionFactor:
    stmt = select(EmissionFactor).where(*_same_identity(factor)).order_by(EmissionFactor.version.desc()).limit(1)
    return db.session.scalar(stmt.with_for_update() if lock else stmt)


@dataclass
class GwpTable:
    sets: list[str]
    gases: list[str]
    cells: dict  # (gas, set) -> EmissionFactor

    def cell(self, gas: str, set_name: str):
        return self.cells.get((gas, set_name))

    def set_sources(self) -> list[tuple[str, list[str]]]:
        """Each set with the citations of its values (one, unless a later version cites another)."""
        return [(s, sorted({citation(f.source) for (_, set_name), f in self.cells.items() if set_name == s}))
                for s in self.sets]

    def statuses(self, gas: str) -> list[str]:
        """The gas's statuses over the sets, as shown (each once)."""
        return sorted({status_text(f.status) for (g, _), f in self.cells.items() if g == gas and f.status})


@dataclass
class Overview:
    by_kind: dict  # kind -> [EmissionFactor], the latest version of each factor
    gwp: GwpTable

    def kinds(self):
        """Kinds in the library's order, then any kind this page does not know yet."""
        known = [k for k in KINDS if self.by_kind.get(k)]
        return known + sorted(k for k in self.by_kind if k not in KINDS)

    def value_keys(self, kind: str) -> list[str]:
        """The value names of a kind's factors, in their stored order."""
        return list(dict.fromkeys(key for f in self.by_kind.get(kind, ()) for key in f.values))


def current_versions() -> list[EmissionFactor]:
    """The latest version of every factor, in the order the factors were first published."""
    latest = {}
    for row in db.session.scalars(select(EmissionFactor).order_by(EmissionFactor.id)):
        key = identity(row)
        if key not in latest or row.version > latest[key].version:
            latest[key] = row  # the dict keeps the position of the first version
    return list(latest.values())


def _grid_order(factor: EmissionFactor):
    series_rank = GRID_SERIES.index(factor.series) if factor.series in GRID_SERIES else len(GRID_SERIES)
    return series_rank, factor.series or "", factor.code != "China", factor.code, -(factor.data_year or 0)


def library_overview() -> Overview:
    by_kind = defaultdict(list)
    for row in current_versions():
        by_kind[row.kind].append(row)
    by_kind["electricity"].sort(key=_grid_order)
    gwp_rows = by_kind.get("gwp", [])
    sets = sorted({f.series or "" for f in gwp_rows},
                  key=lambda s: (GWP_SET_ORDER.index(s) if s in GWP_SET_ORDER else len(GWP_SET_ORDER), s))
    gases = list(dict.fromkeys(f.code for f in gwp_rows))
    table = GwpTable(sets=sets, gases=gases, cells={(f.code, f.series or ""): f for f in gwp_rows})
    return Overview(by_kind=dict(by_kind), gwp=table)


def factor_title(factor: EmissionFactor, localised) -> str:
    """A readable name for headings: the grid factors and GWPs have no stored Chinese name."""
    if factor.kind == "electricity":
        return f"{region_label(factor.code)} · {series_label(factor.series)} · {factor.data_year}"
    if factor.kind == "gwp":
        return f"{factor.code} · {factor.series}"
    name = localised(factor.name_zh, factor.name_en) or factor.code
    if factor.kind == "combustion_non_co2" and factor.series:
        return f"{name} · {series_label(factor.series)}"
    return name


def traced_factor_title(traced: dict, localised) -> str:
    """The readable name of a factor a calculation trace cites (by its library row; the code if it is gone)."""
    factor = db.session.get(EmissionFactor, traced["id"]) if traced.get("id") else None
    if factor is not None:
        return factor_title(factor, localised)
    return " · ".join(str(p) for p in (traced.get("code"), series_label(traced.get("series")),
                                        traced.get("data_year")) if p)


# ------------------------------------------------------------------------------------------ publishing

def _store(value: Decimal) -> str:
    """A decimal as the library stores it: plain notation, no exponent."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return text


def _checked_value(key: str, value) -> Decimal:
    if value is None or value == "":
        raise ServiceError(_l("Enter a value."), field=key)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServiceError(_l("Enter a number."), field=key) from None
    if not number.is_finite() or number <= 0:
        raise ServiceError(_l("Enter a number greater than zero."), field=key)
    if key == "oxidation_rate" and number > 1:
        raise ServiceError(_l("The oxidation rate is a fraction: greater than 0 and at most 1."), field=key)
    return number


def _check_common(valid_from, valid_to, source: str | None, status: str | None) -> tuple[str, str]:
    if valid_from is None:
        raise ServiceError(_l("Enter the date from which this version applies."), field="valid_from")
    if valid_to is not None and valid_to <= valid_from:
        raise ServiceError(_l("The end of validity must be after its start."), field="valid_to")
    source = (source or "").strip()
    if not source:
        raise ServiceError(_l("Cite the source of these values (publication, table, date)."), field="source")
    if len(source) > 500:
        raise ServiceError(_l("Keep the citation under 500 characters."), field="source")
    status = (status or "").strip()
    if len(status) > 200:
        raise ServiceError(_l("Keep the status under 200 characters."), field="status")
    return source, status


def _insert(row: EmissionFactor) -> None:
    # Two regulators publishing at once would pick the same version number: the unique key refuses the second.
    # (No savepoint: SQLite's driver would commit at its release.) The failed flush leaves the transaction
    # to be rolled back by the caller's edge, which a ServiceError always does.
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        raise ServiceError(_l("Another version of this factor was published at the same time. "
                              "Reload the page and check the current values.")) from None


def _describe(factor: EmissionFactor) -> str:
    return " ".join(str(part) for part in identity(factor) if part is not None)


def publish_version(actor, factor: EmissionFactor, values: dict, valid_from: date, valid_to: date | None,
                    source: str, status: str | None, note: str | None) -> EmissionFactor:
    """Publish the next version of `factor`'s kind/code/series/data year; the older versions stay as they are."""
    # Lock the latest version (PostgreSQL) so two regulators publishing at once number their versions in turn:
    # the unique key cannot catch a duplicate version where series or data year is NULL (NULLs are distinct).
    current = latest_version(factor, lock=True)
    keys = list(current.values)
    if set(values) != set(keys):
        raise ServiceError(_l("Give exactly the values of the current version: %(keys)s.", keys=", ".join(keys)))
    checked = {key: _checked_value(key, values[key]) for key in keys}
    source, status = _check_common(valid_from, valid_to, source, status)
    new_values = {key: _store(number) for key, number in checked.items()}
    old_values = {key: str(value) for key, value in current.values.items()}
    # The form offers a seeded row's status and citation as shown (status code, translated citation): sent back
    # unchanged, they are the same as what is stored.
    same_status = status == (current.status or "") or status_code(status) == status_code(current.status) != ""
    same_source = source in (current.source, citation(current.source))
    unchanged = ({k: Decimal(v) for k, v in new_values.items()} == {k: Decimal(v) for k, v in old_values.items()}
                 and (valid_from, valid_to) == (current.valid_from, current.valid_to) and same_status and same_source)
    if unchanged:
        raise ServiceError(_l("This is the same as the current version: change a value, a date, the status "
                              "or the citation."))
    row = EmissionFactor(
        kind=current.kind, code=current.code, series=current.series, data_year=current.data_year,
        version=current.version + 1, unit=current.unit, values=new_values, valid_from=valid_from, valid_to=valid_to,
        name_zh=current.name_zh, name_en=current.name_en, status=status, source=source,
        note=(note or "").strip() or None, published_at=utcnow(), published_by_id=getattr(actor, "id", None))
    _insert(row)
    changes = {key: [old_values.get(key), new_values[key]] for key in keys}
    for name, old, new in (("valid_from", current.valid_from, valid_from), ("valid_to", current.valid_to, valid_to),
                           ("status", current.status or "", status), ("source", current.source, source)):
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    record("factor.published", actor=actor, obj=row,
           detail={"factor": _describe(row), "version": row.version, "previous_version": current.version,
                   "changes": changes, **({"note": row.note} if row.note else {})})
    return row


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def latest_grid_year(series: str = "national_average", code: str = "China") -> int | None:
    return db.session.scalar(select(func.max(EmissionFactor.data_year)).where(
        EmissionFactor.kind == "electricity", EmissionFactor.series == series, EmissionFactor.code == code))


def publish_grid_year(actor, series: str, code: str, data_year: int, ef, valid_from: date | None,
                      valid_to: date | None, source: str, status: str | None, note: str | None) -> EmissionFactor:
    """Publish a grid emission factor (tCO2/MWh) for a data year the library does not have yet.

    It applies from `valid_from` (1 January of the data year when not given); a month uses the factor of its
    own year or, until that is published, of the latest year before it.
    """
    if series not in GRID_SERIES:
        raise ServiceError(_l("Choose one of the listed values."), field="series")
    code = (code or "").strip()
    if not code or len(code) > 60:
        raise ServiceError(_l("Enter the grid region, e.g. China for the national grid."), field="code")
    if data_year is None or not 1990 <= data_year <= 2100:
        raise ServiceError(_l("Enter a year between 1990 and 2100."), field="data_year")
    number = _checked_value("ef", ef)
    if valid_from is None:
        valid_from = date(data_year, 1, 1)
    source, status = _check_common(valid_from, valid_to, source, status)
    existing = db.session.scalar(select(EmissionFactor.id).where(
        EmissionFactor.kind == "electricity", EmissionFactor.code == code, EmissionFactor.series == series,
        EmissionFactor.data_year == data_year).limit(1))
    if existing is not None:
        raise ServiceError(_l("The library already has a %(year)s factor for this series and region: "
                              "publish a new version of it instead.", year=data_year), field="data_year")
    row = EmissionFactor(
        kind="electricity", code=code, series=series, data_year=data_year, version=1, unit="MWh",
        values={"ef": _store(number)}, valid_from=valid_from, valid_to=valid_to, name_zh="",
        name_en=f"{code} grid, {_SERIES_PLAIN.get(series, series)}, {data_year}", status=status, source=source,
        note=(note or "").strip() or None, published_at=utcnow(), published_by_id=getattr(actor, "id", None))
    _insert(row)
    record("factor.published", actor=actor, obj=row,
           detail={"factor": _describe(row), "version": 1, "changes": {"ef": [None, row.values["ef"]],
                                                                        "valid_from": [None, valid_from.isoformat()]},
                   **({"note": row.note} if row.note else {})})
    return row
