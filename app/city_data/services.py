"""The regulator's city data: statistics, carbon sinks, index settings versions and product benchmarks.

Plain functions that take the acting user and the data explicitly; they flush and raise; the edge commits. Settings and
benchmarks are versioned: a new value is a new row, so a published month can be recomputed exactly as it was.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounting.models import ProductBenchmark
from app.audit.services import record
from app.city_data.defaults import (
    CURRENT_METHODOLOGY,
    DEFAULT_CUT_MILESTONES,
    DEFAULT_LEADING_MARGIN,
    DEFAULT_NON_FOSSIL_MILESTONES,
    DEFAULT_WEIGHTS,
    LATEST_PEAK_YEAR,
    METHODOLOGIES,
    SUB_INDICES,
    UNSTATED_METHODOLOGY,
)
from app.city_data.models import CarbonSink, CityStatistic, IndexSettings
from app.core.numbers import parse_decimal
from app.core.numbers import plain as plain_decimal
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db

MIN_YEAR, MAX_YEAR = 1990, 2100

# --- statistics ------------------------------------------------------------------------------------------

# Figures that cannot be negative; net imported electricity can (a city exporting power).
STATISTIC_NUMBERS = ("gdp_10k_cny", "energy_tce", "non_fossil_share_percent", "transport_tco2", "buildings_tco2",
                     "other_tco2", "net_imported_electricity_mwh")
STATISTIC_FIELDS = (*STATISTIC_NUMBERS[:1], "population", *STATISTIC_NUMBERS[1:])
SIGNED = {"net_imported_electricity_mwh"}


def _number(value, field: str, *, signed=False, maximum=None, required=False) -> Decimal | None:
    return parse_decimal(value, field, required=required, minimum=None if signed else Decimal(0), maximum=maximum,
                         invalid=_l("Enter a number."), too_small=_l("Enter zero or a positive number."))


def _year(value, field="year") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_l("Enter a year between 1990 and 2100."), field=field) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ServiceError(_l("Enter a year between 1990 and 2100."), field=field)
    return year


def _source(value) -> str:
    source = (value or "").strip()
    if not source:
        raise ServiceError(_l("Cite the source of these figures (publication, table, date)."), field="source")
    if len(source) > 500:
        raise ServiceError(_l("Keep the citation under 500 characters."), field="source")
    return source


def plain(value):
    """A stored value as a form shows it: exact digits, no trailing zeros; dates as ISO."""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def statistics(year: int | None = None) -> list[CityStatistic]:
    stmt = select(CityStatistic).order_by(CityStatistic.year.desc(), CityStatistic.quarter)
    if year is not None:
        stmt = stmt.where(CityStatistic.year == year)
    return list(db.session.scalars(stmt))


def statistic_for(year: int, quarter: int = 0) -> CityStatistic | None:
    return db.session.scalar(select(CityStatistic).where(CityStatistic.year == year, CityStatistic.quarter == quarter))


def checked_statistic(data: dict) -> dict:
    """The validated values of a statistics row (year, quarter, figures, source)."""
    year = _year(data.get("year"))
    quarter = data.get("quarter") or 0
    try:
        quarter = int(quarter)
    except (TypeError, ValueError):
        quarter = -1
    if not 0 <= quarter <= 4:
        raise ServiceError(_l("Choose the whole year or a quarter 1 to 4."), field="quarter")
    values = {"year": year, "quarter": quarter}
    for name in STATISTIC_NUMBERS:
        values[name] = _number(data.get(name), name, signed=name in SIGNED,
                               maximum=Decimal(100) if name == "non_fossil_share_percent" else None)
    population = data.get("population")
    if population in (None, ""):
        values["population"] = None
    else:
        try:
            values["population"] = int(population)
        except (TypeError, ValueError):
            raise ServiceError(_l("Enter a whole number."), field="population") from None
        if values["population"] < 0:
            raise ServiceError(_l("Enter zero or a positive number."), field="population")
    values["source"] = _source(data.get("source"))
    return values


def upsert_statistic(actor, data: dict, now=None) -> CityStatistic:
    """Create or replace the figures of a year (quarter 0) or a quarter; every change is audited."""
    values = checked_statistic(data)
    row = statistic_for(values["year"], values["quarter"])
    created = row is None
    if created:
        row = CityStatistic(year=values["year"], quarter=values["quarter"], source=values["source"])
        db.session.add(row)
    changes = {}
    for name in (*STATISTIC_FIELDS, "source"):
        old = None if created else getattr(row, name)
        new = values[name]
        if (Decimal(old) if isinstance(old, Decimal) else old) != new:
            changes[name] = [plain(old), plain(new)]
        setattr(row, name, new)
    if not changes and not created:
        return row
    row.updated_by_id = getattr(actor, "id", None)
    row.updated_at = now or utcnow()
    try:
        db.session.flush()
    except IntegrityError:  # the caller's edge rolls the failed flush back
        raise ServiceError(_l("These figures were saved by someone else at the same time. Reload and check them.")) \
            from None
    record("city_data.statistic_saved", actor=actor, obj=row, now=now,
           detail={"year": row.year, "quarter": row.quarter, "changes": changes})
    return row


# --- carbon sinks ----------------------------------------------------------------------------------------

SINK_KINDS = {"wetland": _l("Wetland"), "forest": _l("Forest"), "coastal": _l("Coastal"), "ocean": _l("Ocean"),
              "other": _l("Other")}


def sink_kind_label(kind: str) -> str:
    return str(SINK_KINDS.get(kind, kind))


def sinks() -> list[CarbonSink]:
    return list(db.session.scalars(select(CarbonSink).order_by(CarbonSink.to_year.is_not(None), CarbonSink.name)))


def sink_total(year: int) -> Decimal:
    """Σ area × rate of the sinks that count in `year`, tCO2 per year."""
    return sum((s.area_ha * s.rate_tco2_per_ha_year for s in sinks()
                if s.from_year <= year and (s.to_year is None or year <= s.to_year)), Decimal(0))


def _sink_values(data: dict) -> dict:
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_l("The name is required."), field="name")
    if len(name) > 200:
        raise ServiceError(_l("Keep the name under 200 characters."), field="name")
    kind = data.get("kind")
    if kind not in SINK_KINDS:
        raise ServiceError(_l("Choose one of the listed values."), field="kind")
    area = _number(data.get("area_ha"), "area_ha", required=True)
    if area == 0:
        raise ServiceError(_l("Enter a number greater than zero."), field="area_ha")
    rate = _number(data.get("rate_tco2_per_ha_year"), "rate_tco2_per_ha_year", required=True)
    from_year = _year(data.get("from_year"), "from_year")
    to_year = data.get("to_year")
    to_year = None if to_year in (None, "") else _year(to_year, "to_year")
    if to_year is not None and to_year < from_year:
        raise ServiceError(_l("The last year cannot be before the first."), field="to_year")
    return {"name": name, "kind": kind, "area_ha": area, "rate_tco2_per_ha_year": rate, "from_year": from_year,
            "to_year": to_year, "source": _source(data.get("source"))}


def add_sink(actor, data: dict, now=None) -> CarbonSink:
    sink = CarbonSink(**_sink_values(data), updated_by_id=getattr(actor, "id", None), updated_at=now or utcnow())
    db.session.add(sink)
    db.session.flush()
    record("city_data.sink_added", actor=actor, obj=sink, now=now,
           detail={"name": sink.name, "kind": sink.kind, "area_ha": plain(sink.area_ha),
                   "rate": plain(sink.rate_tco2_per_ha_year), "from_year": sink.from_year})
    return sink


def update_sink(actor, sink: CarbonSink, data: dict, now=None) -> None:
    values = _sink_values(data)
    changes = {k: [plain(getattr(sink, k)), plain(v)] for k, v in values.items() if getattr(sink, k) != v}
    if not changes:
        return
    for key, value in values.items():
        setattr(sink, key, value)
    sink.updated_by_id, sink.updated_at = getattr(actor, "id", None), now or utcnow()
    db.session.flush()
    record("city_data.sink_updated", actor=actor, obj=sink, now=now, detail={"name": sink.name, "changes": changes})


def retire_sink(actor, sink: CarbonSink, last_year: int, now=None) -> None:
    """A sink stops counting after `last_year` (converted land, say); its past years still count."""
    last_year = _year(last_year, "to_year")
    if last_year < sink.from_year:
        raise ServiceError(_l("The last year cannot be before the first."), field="to_year")
    if sink.to_year is not None and sink.to_year <= last_year:
        raise ServiceError(_l("This sink already stops counting by then."), field="to_year")
    old = sink.to_year
    sink.to_year = last_year
    sink.updated_by_id, sink.updated_at = getattr(actor, "id", None), now or utcnow()
    db.session.flush()
    record("city_data.sink_retired", actor=actor, obj=sink, now=now,
           detail={"name": sink.name, "changes": {"to_year": [old, last_year]}})


# --- index settings --------------------------------------------------------------------------------------

# Everything the index needs that is a city's choice, as stored (JSON: numbers as strings, shares as fractions).
# The base values are optional: left out (None), the index takes them from the base year's data.
DEFAULT_INDEX_SETTINGS = {
    "y0": 2020, "e0": "20000000", "g0": "13000000", "yp": 2028, "ep": "22000000", "s60": "3000000",
    "cut_milestones": [[y, str(v)] for y, v in DEFAULT_CUT_MILESTONES],
    "non_fossil_milestones": [[y, str(v)] for y, v in DEFAULT_NON_FOSSIL_MILESTONES],
    "non_fossil_base_share": None, "industrial_base_r": None, "transport_buildings_base_tco2": None,
    "sinks_base_tco2": None,
    "weights": {k: str(v) for k, v in DEFAULT_WEIGHTS.items()},
    "methodology": CURRENT_METHODOLOGY, "leading_margin": str(DEFAULT_LEADING_MARGIN),
}
BASE_KEYS = ("non_fossil_base_share", "industrial_base_r", "transport_buildings_base_tco2", "sinks_base_tco2")


def settings_versions() -> list[IndexSettings]:
    return list(db.session.scalars(select(IndexSettings).order_by(IndexSettings.valid_from.desc(),
                                                                  IndexSettings.id.desc())))


def settings_for(month: date) -> IndexSettings | None:
    """The version in force for `month`: the latest published whose start is on or before the month's first day."""
    first = date(month.year, month.month, 1)
    return db.session.scalar(select(IndexSettings).where(IndexSettings.valid_from <= first)
                             .order_by(IndexSettings.valid_from.desc(), IndexSettings.id.desc()).limit(1))


def stored_values(row: IndexSettings | None) -> dict:
    """A version's values with the defaults filled in; a version that states no methodology was published under
    version 1 and keeps it, so its months keep their published values."""
    values = {**DEFAULT_INDEX_SETTINGS, **(row.values if row and isinstance(row.values, dict) else {})}
    if row is not None and (not isinstance(row.values, dict) or "methodology" not in row.values):
        values["methodology"] = UNSTATED_METHODOLOGY
    return values


def settings_values_for(month: date) -> dict:
    """The values in force for `month`, the defaults where nothing is published yet."""
    return stored_values(settings_for(month))


def _milestones(value, field: str, maximum: Decimal) -> list[list]:
    """"2025:0.18, 2030:0.25" (or a list of pairs) as [[year, "fraction"], ...], years rising."""
    if isinstance(value, str):
        pairs = [p.split(":") for p in value.replace(";", ",").replace("\n", ",").split(",") if p.strip()]
    else:
        pairs = list(value or [])
    out = []
    for pair in pairs:
        if len(pair) != 2:
            raise ServiceError(_l("Write each milestone as year:fraction, e.g. 2025:0.18."), field=field)
        try:
            year = int(str(pair[0]).strip())
            share = Decimal(str(pair[1]).strip())
        except (ValueError, InvalidOperation):
            raise ServiceError(_l("Write each milestone as year:fraction, e.g. 2025:0.18."), field=field) from None
        if not MIN_YEAR <= year <= 2060 or not share.is_finite() or not 0 <= share <= maximum:
            raise ServiceError(_l("Years run to 2060 and fractions from 0 to 1 (0.18 is 18 percent)."), field=field)
        out.append([year, plain(share)])
    if not out:
        raise ServiceError(_l("Give at least one milestone."), field=field)
    years = [y for y, _ in out]
    if years != sorted(set(years)):
        raise ServiceError(_l("List each year once, in rising order."), field=field)
    return out


def checked_settings(values: dict) -> dict:
    """The settings as stored, after checking them; each refusal names its field."""
    y0 = _year(values.get("y0"), "y0")
    yp = _year(values.get("yp"), "yp")
    if not y0 < yp <= LATEST_PEAK_YEAR:
        raise ServiceError(_l("The peak year must be after the base year and no later than 2030."), field="yp")
    e0 = _number(values.get("e0"), "e0", required=True)
    g0 = _number(values.get("g0"), "g0", required=True)
    ep = _number(values.get("ep"), "ep", required=True)
    s60 = _number(values.get("s60"), "s60", required=True)
    for key, number in (("e0", e0), ("g0", g0), ("ep", ep)):
        if number <= 0:
            raise ServiceError(_l("Enter a number greater than zero."), field=key)
    if s60 >= ep:
        raise ServiceError(_l("The 2060 sinks must be below the peak cap, or the path would not decline."),
                           field="s60")
    weights = {}
    for key in SUB_INDICES:
        weights[key] = _number((values.get("weights") or {}).get(key), f"weight_{key}", required=True,
                               maximum=Decimal(1))
    if sum(weights.values()) != 1:
        raise ServiceError(_l("The weights must add up to 1 (they add up to %(total)s).",
                              total=plain(sum(weights.values()))), field="weight_S1")
    stored = {"y0": y0, "e0": plain(e0), "g0": plain(g0), "yp": yp, "ep": plain(ep), "s60": plain(s60),
              "cut_milestones": _milestones(values.get("cut_milestones"), "cut_milestones", Decimal(1)),
              "non_fossil_milestones": _milestones(values.get("non_fossil_milestones"), "non_fossil_milestones",
                                                   Decimal(1)),
              "weights": {k: plain(v) for k, v in weights.items()}}
    methodology = values.get("methodology")
    methodology = CURRENT_METHODOLOGY if methodology in (None, "") else methodology
    try:
        methodology = int(methodology)
    except (TypeError, ValueError):
        methodology = None
    if methodology not in METHODOLOGIES:
        raise ServiceError(_l("Choose methodology version 1 or 2."), field="methodology")
    stored["methodology"] = methodology
    margin = _number(values.get("leading_margin"), "leading_margin", maximum=Decimal("0.5"))
    margin = DEFAULT_LEADING_MARGIN if margin is None else margin
    if margin <= 0:
        raise ServiceError(_l("The leading margin is a fraction above 0 and at most 0.5 (0.10 is 10 percent)."),
                           field="leading_margin")
    stored["leading_margin"] = plain(margin)
    for key in BASE_KEYS:
        number = _number(values.get(key), key,
                         maximum=Decimal(1) if key == "non_fossil_base_share" else None)
        stored[key] = None if number is None else plain(number)
    return stored


def publish_settings(actor, values: dict, valid_from: date, note: str | None = None, now=None) -> IndexSettings:
    """A new settings version from the first of a month; earlier months keep the version they used."""
    if valid_from is None:
        raise ServiceError(_l("Enter the month from which this version applies."), field="valid_from")
    valid_from = date(valid_from.year, valid_from.month, 1)
    stored = checked_settings(values)
    previous = settings_for(valid_from)
    row = IndexSettings(valid_from=valid_from, values=stored, note=(note or "").strip() or None,
                        created_by_id=getattr(actor, "id", None), created_at=now or utcnow())
    db.session.add(row)
    db.session.flush()
    old = previous.values if previous else {}
    changes = {k: [_short(old.get(k)), _short(v)] for k, v in stored.items() if old.get(k) != v}
    record("city_data.settings_published", actor=actor, obj=row, now=now,
           detail={"valid_from": valid_from.isoformat(), "changes": changes, **({"note": row.note} if row.note else {})})
    return row


def _short(value):
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(f"{y}:{v}" for y, v in value)
    return value


# --- product benchmarks ----------------------------------------------------------------------------------

def benchmark_history(code: str) -> list[ProductBenchmark]:
    return list(db.session.scalars(select(ProductBenchmark).where(ProductBenchmark.code == code)
                                   .order_by(ProductBenchmark.version.desc())))


def publish_benchmark(actor, current: ProductBenchmark, data: dict, now=None) -> ProductBenchmark:
    """Publish the next version of `current`'s code; every older version stays as it is."""
    latest = benchmark_history(current.code)[0]
    value = _number(data.get("benchmark"), "benchmark", required=True)
    if value <= 0:
        raise ServiceError(_l("Enter a number greater than zero."), field="benchmark")
    valid_from = data.get("valid_from")
    if valid_from is None:
        raise ServiceError(_l("Enter the date from which this version applies."), field="valid_from")
    if valid_from < latest.valid_from:
        raise ServiceError(_l("A new version cannot start before the current one."), field="valid_from")
    period = (data.get("period") or "").strip() or latest.period
    status = (data.get("status") or "").strip() or latest.status
    if len(period) > 40:
        raise ServiceError(_l("Keep this under 40 characters."), field="period")
    if len(status) > 100:
        raise ServiceError(_l("Keep this under 100 characters."), field="status")
    row = ProductBenchmark(code=latest.code, product=latest.product, unit_class=latest.unit_class, benchmark=value,
                           unit=latest.unit, period=period, status=status, source=_source(data.get("source")),
                           version=latest.version + 1, valid_from=valid_from,
                           published_by_id=getattr(actor, "id", None), published_at=now or utcnow())
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # the caller's edge rolls the failed flush back
        raise ServiceError(_l("Another version of this benchmark was published at the same time. "
                              "Reload the page and check the current values.")) from None
    record("city_data.benchmark_published", actor=actor, obj=row, now=now,
           detail={"code": row.code, "version": row.version, "previous_version": latest.version,
                   "changes": {"benchmark": [plain(latest.benchmark), plain(value)],
                               "valid_from": [plain(latest.valid_from), plain(valid_from)]}})
    return row
