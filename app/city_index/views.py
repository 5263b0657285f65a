"""The city dual-carbon index: the authority's dashboard and methodology, and a public page without sign-in.

The public page shows city-wide aggregates only (the index, its trend and sector totals), never an enterprise.
"""
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.accounts.roles import PUBLIC, READ_CITY, requires
from app.city_data.defaults import SUB_INDICES
from app.core.types import city_today
from app.organisations.industries import describe
from app.verification.services import confirmed_count

from . import exports
from .actor_tables import (
    Paths,
    districts,
    division_table,
    in_district,
    in_sector,
    load_for,
    table,
    top_emitters,
    under_code,
)
from .breakdowns import SECTOR_LABELS, sector_of
from .cache import cached
from .dashboard import dashboard
from .index import city_index, trend
from .loading import load
from .months import AFTER_CURRENT, out_of_range, settled_month
from .periods import add_months
from .public import emissions_chart, public_sectors
from .settings import settings_in_force

bp = Blueprint("city_index", __name__, url_prefix="/city", template_folder="templates")

TREND_MONTHS = 24
SUB_INDEX_LABELS = {"S1": _l("Peak-path adherence"), "S2": _l("Carbon intensity"), "S3": _l("Energy transition"),
                    "S4": _l("Industrial efficiency"), "S5": _l("Transport and buildings"),
                    "S6": _l("Carbon sinks")}
SUB_INDEX_LABELS_V2 = {**SUB_INDEX_LABELS, "S6": _l("Progress to neutrality")}
# Why a sub-index is left out (formula.DROP_REASONS), in words a reader can act on.
DROP_REASONS = {
    "gross_incomplete": _l("The city's gross emissions are incomplete: the filings' scope 1, the emissions of the "
                           "sectors that do not file, or the net imported electricity of the last 12 months is "
                           "missing."),
    "no_gdp": _l("The city's GDP for the last 12 months is missing from the city statistics."),
    "no_non_fossil_share": _l("The non-fossil share of energy consumption is missing from the city statistics."),
    "no_non_fossil_base": _l("The non-fossil share of the base year is missing (city statistics or index "
                             "settings)."),
    "no_industrial_ratio": _l("No approved filing of the last 12 months reports output of a product with a "
                              "benchmark, so the industrial efficiency ratio cannot be computed."),
    "no_industrial_base": _l("The industrial efficiency ratio of the base year is unknown: no approved filing of "
                             "the base year reports output of a product with a benchmark, and the index settings "
                             "give no base value."),
    "no_transport_buildings": _l("The transport or buildings emissions of the last 12 months are missing from "
                                 "the city statistics."),
    "no_transport_buildings_base": _l("The transport and buildings emissions of the base year are missing (city "
                                      "statistics or index settings)."),
    "no_sinks": _l("No carbon sinks are recorded for this year."),
    "no_sinks_base": _l("No carbon sinks are recorded for the base year, and the index settings give no base "
                        "value."),
}
UNITS = {"S1": "tCO2", "S2": _l("tCO2 per 10⁴ CNY"), "S3": _l("share"), "S4": "R", "S5": "tCO2",
         "S6": _l("tCO2 per year")}


def _sub_index_label(key, methodology=1):
    return (SUB_INDEX_LABELS_V2 if methodology == 2 else SUB_INDEX_LABELS).get(key, key)


@bp.app_context_processor
def _labels():
    return {"sector_label": lambda key: SECTOR_LABELS.get(key, key),
            "sub_index_label": lambda key, methodology=1: (SUB_INDEX_LABELS_V2 if methodology == 2
                                                           else SUB_INDEX_LABELS).get(key, key),
            "lever_label": lambda key: LEVER_LABELS.get(key, key),
            "drop_reason": lambda code: DROP_REASONS.get(code, code)}


LEVER_LABELS = {"energy": _l("Energy: 100,000 t less scope 1"),
                "industry": _l("Industry: 100,000 t less scope 1 at unchanged output"),
                "transport_buildings": _l("Transport and buildings: 100,000 t less"),
                "sinks": _l("Sinks: 100,000 t a year more")}


class MonthRefused(Exception):
    """A month outside the data: before the first obligation or after the current month."""

    def __init__(self, value: str, reason: str):
        super().__init__(reason)
        self.value, self.reason = value, reason


def _requested() -> tuple[int, int] | None:
    raw = request.args.get("month", "")
    try:
        year, month = (int(p) for p in raw.split("-"))
    except ValueError:
        return None
    return (year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def _month() -> tuple[int, int]:
    """?month=YYYY-MM, by default the latest month that is not provisional (by the city's calendar); a month
    outside the data raises MonthRefused rather than being scored."""
    today = city_today()
    requested = _requested()
    if requested is None:  # both answers cached by the data generation (app.city_index.cache): a public request
        settled = cached(f"settled:{today}", lambda: "{}-{}".format(*settled_month(today)))
        return tuple(int(p) for p in settled.split("-"))
    reason = cached(f"range:{requested}:{today}", lambda: out_of_range(*requested, today) or "")
    if reason:
        raise MonthRefused(f"{requested[0]}-{requested[1]:02d}", reason)
    return requested


@bp.errorhandler(MonthRefused)
def _refused(e: MonthRefused):
    if e.reason == AFTER_CURRENT:
        message = _("%(month)s has not ended yet or lies in the future: the index has no data for it.", month=e.value)
    else:
        message = _("%(month)s is before the first month any enterprise had to report: the index has no data "
                    "for it.", month=e.value)
    return render_template("city_index/refused.html", message=message, month_value=e.value), 404


def _num(value, places=2):
    return float(round(value, places)) if value is not None else None


def _trend_chart(points) -> dict:
    return {"labels": [p.label for p in points], "provisional": [p.provisional for p in points],
            "dci": [_num(p.dci) for p in points],
            **{k: [_num(p.result.sub_indices[k].score) if p.result and k in p.result.sub_indices else None
                   for p in points] for k in SUB_INDICES}}


def _chart_labels(current=None) -> dict:
    labels = {k: f"{k} {SUB_INDEX_LABELS[k]}" for k in SUB_INDICES}
    if current is not None and current.methodology == 2:
        labels["S6"] = f"S6 {SUB_INDEX_LABELS_V2['S6']}"
    return {"dci": str(_l("DCI")), "provisional": str(_l("provisional")), **labels}


def _with_forecast(chart: dict, labels: dict, projection) -> tuple[dict, dict]:
    """The trend chart with the monthly gross emissions, their forecast to December and its 80% band (tCO2, on a
    second axis); the forecast months extend the labels."""
    if projection is None:
        return chart, labels
    actual = {f"{y}-{m:02d}": v for (y, m), v in projection.series}
    points = {f"{y}-{m:02d}": (v, lo, hi) for (y, m), v, lo, hi in projection.year_end.points}
    months = chart["labels"] + [k for k in points if k not in chart["labels"]]
    gross = [_num(actual.get(k), 0) for k in months]
    # the forecast starts after its baseline, the latest month that is not provisional (perhaps before the
    # month shown); its line starts at the baseline so that the two lines join
    (ly, lm), _value = projection.series[-1]
    last = f"{ly}-{lm:02d}"
    forecast = [_num(points[k][0], 0) if k in points else (gross[i] if k == last and points else None)
                for i, k in enumerate(months)]
    low = [_num(points[k][1], 0) if k in points else None for k in months]
    high = [_num(points[k][2], 0) if k in points else None for k in months]
    provisional = chart["provisional"] + [False] * (len(months) - len(chart["provisional"]))
    chart = {**chart, "labels": months, "provisional": provisional, "gross": gross, "forecast": forecast, "low": low,
             "high": high}
    labels = {**labels, "gross": str(_l("Gross emissions, tCO2 per month")), "forecast": str(_l("Forecast")),
              "band": str(_l("Forecast interval (80 per cent)"))}
    return chart, labels


@bp.get("/")
@requires(READ_CITY)
def index():
    year, month = _month()
    # the figures (not the page, which names enterprises and speaks the reader's language) once per generation
    board = cached(f"dashboard:{year}-{month:02d}", lambda: dashboard(year, month, TREND_MONTHS), shared=False)
    chart, chart_labels = _with_forecast(_trend_chart(board.trend), _chart_labels(board.current), board.projection)
    return render_template("city_index/index.html", current=board.current, chart=chart,
                           projection=board.projection, chart_labels=chart_labels, sectors=board.sectors,
                           levers=board.levers, baseline=board.baseline,
                           divisions=board.divisions, districts=board.districts, units=UNITS,
                           month_value=f"{year}-{month:02d}", verified=_verified(year))


TOP_EMITTERS = 20


@bp.get("/industry")
@requires(READ_CITY)
def industry():
    """A sector (its divisions and top emitters) or an industry code (its own row and its enterprises), against
    the same window a year earlier."""
    year, month = _month()
    code = request.args.get("code", "").strip()
    if code not in SECTOR_LABELS and (not code or len(code) > 5):
        abort(404)
    data = load_for(year, month)
    paths = Paths.of(data, year, month)
    month_value = f"{year}-{month:02d}"
    if code in SECTOR_LABELS:
        return render_template("city_index/industry.html", sector=code, code=None, industry=None, summary=None,
                               divisions=division_table(data, year, month, sector=code, paths=paths),
                               enterprises=top_emitters(data, year, month, in_sector(code), TOP_EMITTERS),
                               top=TOP_EMITTERS, month_value=month_value)
    under = under_code(code)
    summary = table(data, year, month, lambda c, d: code if under(c, d) else None, paths)
    return render_template("city_index/industry.html", sector=sector_of(code), code=code,
                           industry=describe(code), divisions=None, summary=summary,
                           enterprises=top_emitters(data, year, month, under), top=None, month_value=month_value)


@bp.get("/district")
@requires(READ_CITY)
def district():
    """A district: its own row, its industry divisions and its top emitters, against a year earlier."""
    year, month = _month()
    name = request.args.get("name", "").strip()
    data = load_for(year, month)
    if not name or name not in districts(data):
        abort(404)
    paths = Paths.of(data, year, month)
    inside = in_district(name)
    return render_template("city_index/district.html", name=name,
                           summary=table(data, year, month, lambda c, d: name if inside(c, d) else None, paths),
                           divisions=division_table(data, year, month, district=name, paths=paths),
                           enterprises=top_emitters(data, year, month, inside, TOP_EMITTERS), top=TOP_EMITTERS,
                           month_value=f"{year}-{month:02d}")


@bp.get("/export.xlsx")
@requires(READ_CITY)
def export():
    """Every table of the dashboard of the month, one sheet each, headers in the user's language."""
    year, month = _month()
    board = dashboard(year, month, TREND_MONTHS)
    return Response(exports.dashboard_xlsx(board, _sub_index_label, lambda key: LEVER_LABELS.get(key, key)),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=city-index-{year}-{month:02d}.xlsx"})


@bp.get("/methodology")
@requires(READ_CITY)
def methodology():
    year, month = _month()
    current = city_index(year, month)
    return render_template("city_index/methodology.html", current=current, units=UNITS,
                           month_value=f"{year}-{month:02d}", verified=_verified(year))


def _verified(year: int) -> list[tuple[int, int]]:
    """How many enterprises' years are third-party verified and confirmed, for the index year and the one before
    (the R12 window spans both)."""
    return [(y, confirmed_count(y)) for y in (year - 1, year)]


@bp.get("/public")
@requires(PUBLIC)
def public():
    """No sign-in: the city's total and its trend, the index, sector totals (disclosure control: public.py) and
    the methodology in plain language; aggregates only. The body is the same for every visitor: rendered once per
    month, settings version, methodology, language and data generation (cache.py)."""
    year, month = _month()
    version = cached(f"version:{year}-{month:02d}", lambda: "{0.id}:{0.methodology}".format(
        settings_in_force(year, month)))  # the settings version in force and its methodology
    key = f"public:{year}-{month:02d}:{version}:{get_locale()}"
    return render_template("city_index/public.html", body=Markup(cached(key, lambda: _public_body(year, month))))


def _public_body(year: int, month: int) -> str:
    first = add_months(year, month, -(TREND_MONTHS + 10))
    data = load(first, (year, month))
    points = trend(TREND_MONTHS, year, month, data)
    return render_template("city_index/_public_body.html", current=points[-1], chart=_trend_chart(points),
                           chart_labels=_chart_labels(points[-1]), sectors=public_sectors(year, month, data),
                           emissions=emissions_chart(points, data.obligations.first_month), month_value=f"{year}-{month:02d}")
