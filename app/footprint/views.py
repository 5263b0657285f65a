"""The enterprise's carbon footprint: totals by scope, source, facility and month; how each figure was computed."""
from decimal import Decimal

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounting.engine import CalculationError
from app.accounting.labels import (
    category_label,
    formula_label,
    mass_label,
    method_label,
    parameter_label,
    provenance_label,
    regime_label,
    scope_label,
    substitution_reason,
    trace_label,
)
from app.accounts.forms import ConfirmForm
from app.accounts.roles import (
    ADMINISTER_ENTERPRISE,
    READ_CITY,
    RECALCULATE,
    REVIEW,
    SIGNED_IN,
    can,
    requires,
)
from app.accounting.models import EmissionFactor
from app.core.edge import roll_back
from app.core.service_error import ServiceError
from app.core.numbers import tonnes
from app.core.types import city_today
from app.factors.services import factor_title, kind_label, series_label, traced_factor_title, value_label
from app.filings import calculations
from app.filings.calculations import SUBSTITUTION_THRESHOLD
from app.filings.labels import status_label
from app.filings.models import Calculation, CalculationLine
from app.footprint import exports, factor_months
from app.i18n import localised
from app.footprint.services import footprint, years_with_filings
from app.organisations.models import Organisation
from app.tenancy import acting_on, get_or_404

bp = Blueprint("footprint", __name__, url_prefix="/footprint", template_folder="templates")

REASONS = {"saved": _l("Saved with the filing"), "recalculated": _l("Recalculated")}


@bp.app_context_processor
def _labels():
    return {"status_label": status_label, "scope_label": scope_label, "category_label": category_label,
            "trace_label": trace_label, "kind_label": kind_label, "series_label": series_label,
            "formula_label": formula_label, "value_label": value_label,
            "factor_title": lambda traced: traced_factor_title(traced, localised),
            "reason_label": lambda code: REASONS.get(code, code), "method_label": method_label,
            "parameter_label": parameter_label, "provenance_label": provenance_label, "regime_label": regime_label,
            "mass_label": mass_label, "substitution_reason": substitution_reason}


# Globals, not context: the macros (templates/macros.html substituted_share) are imported without context.
@bp.app_template_global("share")
def share_text(value) -> str:
    """A share (0–1) as a percentage with one decimal: 0.0512 → "5.1 %"."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'))} %"


@bp.app_template_global()
def above_substitution_threshold(value) -> bool:
    return value is not None and value > SUBSTITUTION_THRESHOLD


def _year(org_id: int) -> int:
    years = years_with_filings(org_id)
    default = years[0] if years else city_today().year
    year = request.args.get("year", default, type=int)
    return year if 2000 <= year <= 2100 else default


@bp.get("/")
@requires(SIGNED_IN)
def index():
    if current_user.organisation.kind != "enterprise":
        return redirect(url_for("organisations.index"))
    return _show(current_user.organisation)


@bp.get("/org/<int:org_id>")
@requires(READ_CITY)
def for_org(org_id: int):
    org = get_or_404(Organisation, org_id)
    return _show(org)


def _show(org: Organisation):
    year = _year(org.id)
    fp = footprint(org.id, year)
    return render_template("footprint/index.html", org=org, fp=fp, year=year, years=years_with_filings(org.id),
                           chart=_chart_data(fp))


def _chart_data(fp) -> dict:
    def num(value):
        return float(value) if value is not None else None

    return {
        "labels": [m.period.strftime("%Y-%m") for m in fp.months],
        "scope1": [num(m.value("scope1_tco2e")) for m in fp.months],
        "scope2": [num(m.value("scope2_tco2e")) for m in fp.months],
        "exported": [num(-m.value("exported_tco2e")) if m.calculation else None for m in fp.months],
        "intensity": [num(fp.month_intensity(m, "value")) for m in fp.months],
    }


@bp.get("/calculations/<int:calculation_id>")
@requires(SIGNED_IN)
def calculation(calculation_id: int):
    calc = get_or_404(Calculation, calculation_id)
    history = sorted(calc.filing.calculations, key=lambda c: c.id, reverse=True)
    may_recalculate = can(current_user, RECALCULATE) and _may_recalculate(calc.filing)
    return render_template("footprint/calculation.html", calc=calc, filing=calc.filing, history=history,
                           may_recalculate=may_recalculate)


def _may_recalculate(filing) -> bool:
    # The enterprise admin for its own unsubmitted months; the regulator for any month (an explicit review action).
    if can(current_user, REVIEW):
        return True
    return can(current_user, ADMINISTER_ENTERPRISE) and filing.status in ("draft", "returned")


@bp.route("/calculations/<int:calculation_id>/recalculate", methods=["GET", "POST"])
@requires(RECALCULATE)
def recalculate(calculation_id: int):
    """Shows the stored result beside what today's factors and settings give; storing it is a second, explicit step."""
    calc = get_or_404(Calculation, calculation_id)
    filing = calc.filing
    if not _may_recalculate(filing) or not calc.is_current:
        abort(403)
    form = ConfirmForm()
    try:
        proposed = calculations.preview(filing)
    except CalculationError as e:
        roll_back()
        flash(str(calculations.calculation_message(e)), "danger")
        return redirect(url_for("footprint.calculation", calculation_id=calc.id))
    if form.validate_on_submit():
        with acting_on(filing.org_id):
            new = calculations.recalculate(filing, current_user)
        flash(_("Recalculated: the new result is current and the previous one is kept."), "success")
        return redirect(url_for("footprint.calculation", calculation_id=new.id))
    old_by_source = {line.source_id: line for line in calc.lines}
    rows = [_compare(old_by_source.get(r.source_id), r) for r in proposed.results]
    return render_template("footprint/recalculate.html", calc=calc, filing=filing, rows=rows,
                           totals=proposed.totals, form=form)


STORED = Decimal("1e-10")  # the precision results are stored at (app.accounting.models.Tonnes)


def _factor_key(f: dict) -> tuple:
    return f["kind"], f["code"], f.get("series"), f.get("data_year")


def _compare(old, new) -> dict:
    """One row of the comparison: both results at the stored precision, and each factor's versions."""
    new_value = new.co2e_t.quantize(STORED)
    old_versions = {_factor_key(f): f["version"] for f in old.trace["factors"]} if old else {}
    factors = [(f, old_versions.get(_factor_key(f)), f["version"]) for f in new.trace["factors"]]
    return {"old": old, "new": new, "new_value": new_value,
            "difference": new_value - old.co2e_t if old else None, "factors": factors}


@bp.get("/lines/<int:line_id>")
@requires(SIGNED_IN)
def line(line_id: int):
    line = get_or_404(CalculationLine, line_id)
    return render_template("footprint/line.html", line=line, calc=line.calculation, trace=line.trace)


@bp.get("/export/<int:org_id>/<int:year>.<fmt>")
@requires(SIGNED_IN)
def export(org_id: int, year: int, fmt: str):
    org = get_or_404(Organisation, org_id)
    fp = footprint(org.id, year)
    name = f"footprint-{org.credit_code or org.id}-{year}"
    if fmt == "csv":
        return Response(exports.to_csv(org, fp), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    if fmt == "xlsx":
        return Response(exports.to_xlsx(org, fp),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
    return Response(status=404)


bp.add_app_template_filter(tonnes, "t")


# ------------------------------------------------------------- months calculated with an older factor version

@bp.app_template_global("months_on_older_versions")
def _months_on_older_versions(factor):
    """For the factor page (app.factors cannot import filings): the approved months to recalculate, regulators only."""
    return factor_months.stale_months(factor) if can(current_user, REVIEW) else []


@bp.route("/factors/<int:factor_id>/recalculate", methods=["GET", "POST"])
@requires(REVIEW)
def recalculate_factor_months(factor_id: int):
    """Before/after of every listed month; storing the new results is a second, explicit step."""
    factor = get_or_404(EmissionFactor, factor_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ids = {int(i) for i in request.form.getlist("filing_id") if i.isdigit()}
        try:
            done = factor_months.recalculate_months(current_user, factor, ids)
        except ServiceError as e:
            roll_back()
            flash(str(e.message), "danger")
        else:
            flash(_("%(count)s approved months recalculated: each keeps its previous calculation.", count=len(done)),
                  "success")
            return render_template("footprint/factor_months_done.html", factor=factor, months=done,
                                   title=factor_title(factor, localised))
    months = factor_months.with_totals(factor_months.stale_months(factor))
    return render_template("footprint/factor_months.html", factor=factor, months=months, form=form,
                           title=factor_title(factor, localised))
