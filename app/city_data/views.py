"""City data pages: statistics, sinks, index settings and product benchmarks.

City-wide reference data of the authority, not a tenant's: authority users read it, the regulator and the
platform admin change it; enterprise users get 403 everywhere here.
"""
import io
from datetime import date
from decimal import ROUND_HALF_EVEN

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounting.models import ProductBenchmark
from app.accounting.services import latest_benchmarks
from app.accounts.roles import ADMINISTER_CITY, READ_CITY, can, requires
from app.core.edge import roll_back
from app.core.forms import apply_error
from app.core.numbers import tonnes
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.filings.imports.problems import Problem
from app.filings.imports.reading import XLSX_MIME
from app.security import csrf_checked_by_form
from app.tenancy import get_or_404

from . import services, statistics_import
from .forms import (
    BenchmarkForm,
    RetireSinkForm,
    SettingsForm,
    SinkForm,
    StatisticForm,
    StatisticsImportForm,
)
from .models import CarbonSink

bp = Blueprint("city_data", __name__, url_prefix="/city-data", template_folder="templates")


@bp.context_processor
def _helpers():
    return {"can_write": can(current_user, ADMINISTER_CITY),
            "sink_kind_label": services.sink_kind_label, "num": _num}


def _num(value, places: int = 2) -> str:
    """A figure for display, thousands separated; stored values stay exact."""
    return tonnes(value, places, ROUND_HALF_EVEN)  # these pages have always rounded ties to even


@bp.get("/")
@requires(READ_CITY)
def index():
    return redirect(url_for("city_data.statistics"))


# --- statistics ------------------------------------------------------------------------------------------

@bp.get("/statistics")
@requires(READ_CITY)
def statistics():
    return render_template("city_data/statistics.html", rows=services.statistics())


@bp.route("/statistics/edit", methods=["GET", "POST"])
@requires(ADMINISTER_CITY)
@csrf_checked_by_form
def edit_statistic():
    year = request.args.get("year", type=int)
    quarter = request.args.get("quarter", 0, type=int)
    existing = services.statistic_for(year, quarter) if year else None
    if existing is not None:
        form = StatisticForm(data={"year": existing.year, "quarter": str(existing.quarter), "source": existing.source,
                                   **{k: services.plain(getattr(existing, k)) for k in services.STATISTIC_FIELDS}})
    else:
        form = StatisticForm(data={"year": year or city_today().year - 1, "quarter": str(quarter)})
    if form.validate_on_submit():
        try:
            row = services.upsert_statistic(current_user, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The figures for %(year)s are saved.", year=row.year), "success")
            return redirect(url_for("city_data.statistics"))
    return render_template("city_data/statistic_form.html", form=form, existing=existing)


# Room for the multipart envelope and the CSRF token around the file itself.
FORM_OVERHEAD = 64 * 1024


@bp.get("/statistics/template.xlsx")
@requires(ADMINISTER_CITY)
def statistics_template():
    blob = statistics_import.build_template(statistics_import.template_years(city_today().year))
    return send_file(io.BytesIO(blob), mimetype=XLSX_MIME, as_attachment=True,
                     download_name="tanji-city-statistics-template.xlsx", max_age=0)


def _import_page(form, problems=(), status=200):
    return render_template("city_data/statistics_import.html", form=form, problems=list(problems),
                           limit=statistics_import.MAX_BYTES), status


@bp.route("/statistics/import", methods=["GET", "POST"])
@requires(ADMINISTER_CITY)
@csrf_checked_by_form
def import_statistics():
    limit = statistics_import.MAX_BYTES
    if request.method == "POST" and (request.content_length or 0) > limit + FORM_OVERHEAD:
        problem = Problem(_l("The file is larger than %(limit)s; files up to %(limit)s are accepted.",
                             limit=f"{limit / (1024 * 1024):.1f} MB"))
        return _import_page(StatisticsImportForm(formdata=None), [problem], 413)
    request.max_content_length = limit + FORM_OVERHEAD
    form = StatisticsImportForm()
    if not form.validate_on_submit():
        return _import_page(form)
    blob = form.file.data.read(limit + 1)
    result = statistics_import.import_statistics(current_user, blob, max_bytes=limit)
    if not result.ok:
        roll_back()  # before the page is rendered: the rows flushed so far (and a failed flush) go
        return _import_page(StatisticsImportForm(formdata=None), result.problems, 422)
    flash(_("Figures imported for %(n)d years (%(rows)d rows): %(years)s.", n=len(result.years),
            rows=len(result.saved), years=", ".join(str(y) for y in result.years)), "success")
    return redirect(url_for("city_data.statistics"))


# --- sinks -----------------------------------------------------------------------------------------------

@bp.get("/sinks")
@requires(READ_CITY)
def sinks():
    rows = services.sinks()
    year = city_today().year
    return render_template("city_data/sinks.html", rows=rows, year=year, total=services.sink_total(year),
                           retire_form=RetireSinkForm())


@bp.route("/sinks/new", methods=["GET", "POST"])
@requires(ADMINISTER_CITY)
@csrf_checked_by_form
def add_sink():
    form = SinkForm(data={"from_year": city_today().year})
    if form.validate_on_submit():
        try:
            sink = services.add_sink(current_user, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The sink %(name)s is added.", name=sink.name), "success")
            return redirect(url_for("city_data.sinks"))
    return render_template("city_data/sink_form.html", form=form, sink=None)


@bp.route("/sinks/<int:sink_id>/edit", methods=["GET", "POST"])
@requires(ADMINISTER_CITY)
@csrf_checked_by_form
def edit_sink(sink_id: int):
    sink = get_or_404(CarbonSink, sink_id)
    form = SinkForm(data={"name": sink.name, "kind": sink.kind, "area_ha": services.plain(sink.area_ha),
                          "rate_tco2_per_ha_year": services.plain(sink.rate_tco2_per_ha_year),
                          "from_year": sink.from_year, "to_year": sink.to_year, "source": sink.source})
    if form.validate_on_submit():
        try:
            services.update_sink(current_user, sink, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The sink is saved."), "success")
            return redirect(url_for("city_data.sinks"))
    return render_template("city_data/sink_form.html", form=form, sink=sink)


@bp.post("/sinks/<int:sink_id>/retire")
@requires(ADMINISTER_CITY)
def retire_sink(sink_id: int):
    sink = get_or_404(CarbonSink, sink_id)
    form = RetireSinkForm()
    try:
        services.retire_sink(current_user, sink, form.to_year.data)
    except ServiceError as e:
        flash(str(e.message), "danger")
    else:
        flash(_("%(name)s no longer counts after %(year)s.", name=sink.name, year=sink.to_year), "success")
    return redirect(url_for("city_data.sinks"))


# --- index settings --------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@requires(ADMINISTER_CITY, to_read=READ_CITY)
@csrf_checked_by_form
def settings():
    today = city_today()
    in_force = services.settings_for(today)
    values = services.settings_values_for(today)  # a version may leave a setting out: the default applies
    form = SettingsForm.from_values(values)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                row = services.publish_settings(current_user, form.settings_values(), form.valid_from.data,
                                            form.note.data)
            except ServiceError as e:
                apply_error(form, e)
            else:
                flash(_("The settings version from %(month)s is published.",
                        month=row.valid_from.strftime("%Y-%m")), "success")
                return redirect(url_for("city_data.settings"))
    elif form.valid_from.data is None:
        form.valid_from.data = date(today.year, today.month, 1)
    return render_template("city_data/settings.html", form=form, in_force=in_force, values=values,
                           versions=services.settings_versions(), defaults=in_force is None)


# --- product benchmarks ----------------------------------------------------------------------------------

@bp.get("/benchmarks")
@requires(READ_CITY)
def benchmarks():
    latest = latest_benchmarks()
    return render_template("city_data/benchmarks.html", latest=latest,
                           histories={b.code: services.benchmark_history(b.code) for b in latest})


@bp.route("/benchmarks/<int:benchmark_id>/new-version", methods=["GET", "POST"])
@requires(ADMINISTER_CITY)
@csrf_checked_by_form
def publish_benchmark(benchmark_id: int):
    current = services.benchmark_history(get_or_404(ProductBenchmark, benchmark_id).code)[0]
    form = BenchmarkForm(data={"benchmark": services.plain(current.benchmark), "valid_from": city_today(),
                               "period": current.period, "status": current.status, "source": current.source})
    if form.validate_on_submit():
        try:
            row = services.publish_benchmark(current_user, current, form.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("Version %(version)s of %(code)s is published.", version=row.version, code=row.code), "success")
            return redirect(url_for("city_data.benchmarks"))
    return render_template("city_data/benchmark_form.html", form=form, current=current)
