"""Peer benchmarks: an enterprise against its industry (aggregates only); the authority's ranking of an industry."""
from decimal import Decimal

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounting import benchmark_texts
from app.accounts.roles import READ_CITY, SIGNED_IN, requires
from app.benchmarking import services
from app.benchmarking.stats import round_significant
from app.core.types import city_today
from app.factors.services import display_unit
from app.footprint.services import years_with_filings
from app.i18n import localised
from app.organisations.industries import industry_code_error, normalise

bp = Blueprint("benchmarking", __name__, url_prefix="/benchmarks", template_folder="templates")

METRIC_TITLES = {"product": _l("Intensity per unit of product"), "value": _l("Intensity per output value"),
                 "energy": _l("Intensity per unit of energy")}


def _unit(metric: str, product=None) -> str:
    if metric == "product":
        return f"tCO2e / {display_unit(product.unit)}" if product else "tCO2e / —"
    return "tCO2e / 10⁴ CNY" if metric == "value" else "tCO2e / tce"


def _product_name(label) -> str:
    """A benchmark product by its msgid (the reference table's name), else the enterprise's own product name."""
    return _(label.name) if label.products else localised(label.name, label.name_en)


def _product_group(label) -> str:
    if label.products:
        return " + ".join(_(name) for name in label.products)
    return f"{_product_name(label)} ({display_unit(label.unit)})"


@bp.app_context_processor
def _helpers():
    return {"metric_title": lambda metric: METRIC_TITLES[metric], "metric_unit": _unit,
            "product_name": _product_name, "product_group": _product_group,
            "benchmark_name": benchmark_texts.benchmark_name, "benchmark_text": benchmark_texts.shown}


@bp.app_template_filter("sig")
def significant(value) -> str:
    """A published statistic (already rounded to significant figures), without exponent notation."""
    if value is None:
        return "—"
    return f"{Decimal(value):,f}"


@bp.app_template_filter("sig4")
def four_figures(value) -> str:
    """A reference value (a national benchmark) to 4 significant figures, trailing zeros dropped."""
    if value is None:
        return "—"
    return f"{round_significant(Decimal(value), 4).normalize():,f}"


def _year(default: int | None) -> int:
    default = default or city_today().year
    year = request.args.get("year", default, type=int)
    return year if 2000 <= year <= 2100 else default


@bp.get("/")
@requires(SIGNED_IN)
def index():
    org = current_user.organisation
    if org.kind != "enterprise":
        return redirect(url_for("benchmarking.industry"))
    years = years_with_filings(org.id)
    year = _year(years[0] if years else None)
    result = services.benchmark(org, year)
    return render_template("benchmarking/index.html", org=org, result=result, year=year, years=years or [year],
                           charts={m.metric: _chart(m) for m in result.metrics})


def _chart(metric) -> dict:
    def num(value):
        return float(value) if value is not None else None

    return {"labels": [p.period.strftime("%Y-%m") for p in metric.trend],
            "own": [num(p.own) for p in metric.trend], "median": [num(p.median) for p in metric.trend],
            "national": [num(p.national) for p in metric.trend] if metric.national else None}


@bp.get("/industry")
@requires(READ_CITY)
def industry():
    # Authority users may see individual enterprises; no enterprise user may (an enterprise viewer is a "viewer" too).
    if current_user.organisation.kind != "authority":
        abort(403)
    choices = services.industries_with_enterprises()
    code = normalise(request.args.get("code", ""))
    if not code:
        return render_template("benchmarking/industry.html", choices=choices, result=None, code="", error=None,
                               year=_year(None))
    error = industry_code_error(code)
    if error:
        return render_template("benchmarking/industry.html", choices=choices, result=None, code=code,
                               error=_(error), year=_year(None)), 400
    year = _year(services.latest_year(code))
    return render_template("benchmarking/industry.html", choices=choices, code=code, error=None, year=year,
                           result=services.industry_ranking(code, year))
