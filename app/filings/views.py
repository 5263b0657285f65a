"""The enterprise's monthly filings: its months, the form of one month, the live preview, submission,
amendment and evidence files.

Energy managers and enterprise admins fill in and submit their enterprise's months; its viewers and the
authority read them (the tenancy gate decides who sees which filing). Writes go through services,
workflow and evidence with the acting user; the request's edge (app.core.edge) commits once.
"""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.accounting import engine, units
from app.accounting.labels import scope_label
from app.accounting.models import EmissionSource, Product
from app.accounts.roles import FILE, SIGNED_IN, can, requires
from app.core.edge import after_commit, roll_back
from app.core.forms import apply_error
from app.core.numbers import clean, plain, rounded, to_decimal
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.factors.services import display_unit
from app.filings import (
    calculations,
    conversation,
    evidence,
    lab_reports,
    parameters as method_parameters,
    services,
    workflow,
)
from app.filings.forms import (
    PARAMETER_LABELS,
    ActivityForm,
    AmendForm,
    CommentForm,
    EvidenceForm,
    LabReportForm,
    activity_form,
)
from app.filings.labels import parameters_text, status_label
from app.filings.models import APPROVED, SUBMITTED, Evidence, Filing, FilingLine, LabReport
from app.filings.services import EDITABLE, month_start
from app.organisations.models import ENTERPRISE
from app.plans import check as plan_check
from app.plans import method_catalogue as catalogue
from app.security import csrf_checked_by_form
from app.settings.services import engine_settings
from app.tenancy import acting_on, get_or_404

bp = Blueprint("filings", __name__, url_prefix="/filings", template_folder="templates")

MONTHS_SHOWN = 24  # besides the current month
NOT_STARTED = "not_started"


def _today() -> date:
    """Today in the city's time zone: a month ends at midnight in Jinwan, not in Greenwich."""
    return utcnow().astimezone(get_timezone()).date()


def _month(period: date) -> str:
    return period.strftime("%Y-%m")


def _can_edit(filing: Filing) -> bool:
    return can(current_user, FILE) and current_user.org_id == filing.org_id and filing.status in EDITABLE


# --- the months ------------------------------------------------------------------------------------

@dataclass
class MonthRow:
    period: date
    revisions: list  # of the month, oldest first
    due: date
    overdue: bool
    owed: bool = True  # within the enterprise's reporting months

    @property
    def latest(self) -> Filing | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest else NOT_STARTED

    @property
    def in_force(self) -> Filing | None:
        """The revision that counts: the latest approved one while an amendment is under way."""
        approved = [f for f in self.revisions if f.status == APPROVED]
        return approved[-1] if approved else self.latest

    @property
    def calculation(self):
        return self.in_force.current_calculation if self.in_force else None


@bp.get("/")
@requires(SIGNED_IN)
def index():
    if current_user.organisation.kind != ENTERPRISE:
        # The authority reads an enterprise's months from the enterprise list and the review queue.
        return redirect(url_for("organisations.index"))
    today = _today()
    current = month_start(today)
    org = current_user.organisation
    years = _years_owed(org, current)
    year = request.args.get("year", type=int)
    if year in years:  # a whole year, however old: every owed month can be opened
        periods = [p for p in (date(year, m, 1) for m in range(12, 0, -1)) if p <= current]
    else:
        year = None
        periods = [workflow.add_months(current, -n) for n in range(MONTHS_SHOWN + 1)]
    # Scoped by the gate to the user's enterprise, like every select.
    filings = db.session.scalars(select(Filing).where(Filing.period >= periods[-1], Filing.period <= periods[0])
                                 .options(selectinload(Filing.calculations))
                                 .order_by(Filing.period, Filing.revision)).all()
    by_period = {}
    for filing in filings:
        by_period.setdefault(filing.period, []).append(filing)
    rows = []
    for period in periods:
        revisions = by_period.get(period, [])
        due = workflow.due_date(period)
        done = any(f.status in (SUBMITTED, APPROVED) for f in revisions)
        rows.append(MonthRow(period, revisions, due, overdue=today > due and not done and _owes(org, period),
                             owed=_owes(org, period)))
    return render_template("filings/index.html", rows=rows, can_file=can(current_user, FILE),
                           periods=periods, today=today, status_text=_status_text, years=years, year=year)


def _owes(org, period: date) -> bool:
    """Whether the enterprise owes this month (its reporting months; none set: every month)."""
    return ((org.first_reporting_month is None or period >= org.first_reporting_month)
            and (org.last_reporting_month is None or period <= org.last_reporting_month))


def _years_owed(org, current: date) -> list[int]:
    """The years to pick from, newest first: from its first reporting month (or first filing) to this year."""
    first_filed = db.session.scalar(select(func.min(Filing.period)))
    starts = [d for d in (org.first_reporting_month, first_filed) if d is not None]
    first = min(starts) if starts else current
    return list(range(current.year, first.year - 1, -1))


def _status_text(status: str) -> str:
    return _("Not started") if status == NOT_STARTED else status_label(status)


@bp.post("/open", endpoint="open")
@requires(FILE)
def open_month():
    """The month's editable revision, created as a draft the first time; a locked month is shown instead.

    A POST (with the CSRF token), since it may create a draft: a link elsewhere must not do that."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", request.form.get("period", "").strip())
    if not match or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
        flash(_("Choose a month."), "error")
        return redirect(url_for("filings.index"))
    period = date(int(match[1]), int(match[2]), 1)
    if period > month_start(_today()):
        flash(_("%(month)s has not begun yet: a month is filed once it has started.", month=_month(period)), "error")
        return redirect(url_for("filings.index"))
    org = current_user.organisation
    latest = services.latest_filing(org.id, period)
    if latest is not None and latest.status not in EDITABLE:
        flash(_("%(month)s is %(status)s: it is shown here as filed.", month=_month(period),
                status=status_label(latest.status)), "info")
        return redirect(url_for("filings.show", filing_id=latest.id))
    try:
        with acting_on(org.id):
            filing = services.open_filing(current_user, org, period)
    except ServiceError as e:
        roll_back()
        flash(str(e.message), "error")
        return redirect(url_for("filings.index"))
    except IntegrityError:
        # Opened by another request at the same moment (a double click, two managers): both found no
        # filing, the unique org/period/revision kept one. Its draft is the month's: show that one.
        roll_back()
        filing = services.latest_filing(org.id, period)
        if filing is None:
            raise
    return redirect(url_for("filings.show", filing_id=filing.id))


# --- one month ---------------------------------------------------------------------------------------

def _register_of(filing: Filing) -> tuple[list, list]:
    """The enterprise's active sources and products, and inactive ones that this filing already has."""
    # The regulator reads across enterprises, so the filing's own organisation is named here.
    in_filing = {line.source_id for line in filing.lines}
    sources = db.session.scalars(select(EmissionSource).where(EmissionSource.org_id == filing.org_id)
                                 .options(selectinload(EmissionSource.facility))
                                 .order_by(EmissionSource.facility_id, EmissionSource.id)).all()
    produced = {p.product_id for p in filing.production}
    products = db.session.scalars(select(Product).where(Product.org_id == filing.org_id)
                                  .order_by(Product.is_main.desc(), Product.id)).all()
    return ([s for s in sources if s.active or s.id in in_filing],
            [p for p in products if p.active or p.id in produced])


@bp.route("/<int:filing_id>", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(FILE, to_read=SIGNED_IN)
def show(filing_id: int):
    filing = get_or_404(Filing, filing_id)
    if request.method == "POST":
        return _save(filing)
    return _page(filing)


def _save(filing: Filing):
    if current_user.org_id != filing.org_id:
        abort(403)
    sources, products = _register_of(filing)
    form = activity_form(sources, products, filing)
    if not form.validate_on_submit():
        return _page(filing, form=form)
    if filing.status not in EDITABLE:
        form.form_errors.append(_("%(month)s is now %(status)s and can no longer be changed: what you entered "
                                  "below was not saved.", month=_month(filing.period),
                                  status=status_label(filing.status)))
        return _page(filing, form=form), 409
    if form.version.data != str(filing.version):
        return _conflict(filing, form)
    lines, production, output_value = form.activity()
    try:
        with acting_on(filing.org_id):
            services.set_activity(current_user, filing, lines, production, output_value)
    except ServiceError as e:
        apply_error(form, e)
        return _page(filing, form=form)
    except StaleDataError:
        # Someone saved between our read and our write: the version column caught it.
        roll_back()
        return _conflict(filing, form)
    flash(_("%(month)s is saved as a draft.", month=_month(filing.period)), "success")
    return redirect(url_for("filings.show", filing_id=filing.id))


@dataclass
class Change:
    what: str
    stored: str
    typed: str


def _line_text(quantity, unit, measured: dict, green) -> str:
    if quantity is None:
        return "—"
    parts = [f"{plain(quantity)} {display_unit(unit)}"]
    parts += [f"{PARAMETER_LABELS[k]}: {plain(v)}" for k, v in sorted(measured.items()) if k in PARAMETER_LABELS]
    if green is not None:
        parts.append(_("green %(mwh)s MWh", mwh=plain(green)))
    return "; ".join(parts)


def _number_or_none(text):
    try:
        return to_decimal(text)
    except InvalidOperation:
        return clean(text)


def _conflict(filing: Filing, form: ActivityForm):
    """Refuse a save based on an older version: show what is stored now beside what was typed, keep the typing."""
    stored_lines = {line.source_id: line for line in filing.lines}
    changes = []
    for row in form.rows:
        line = stored_lines.get(row.source.id)
        stored = (_line_text(line.quantity, line.unit, {k: Decimal(v) for k, v in (line.measured or {}).items()},
                             line.green_mwh) if line else "—")
        measured = {f.name.rsplit("_", 1)[0]: _number_or_none(f.data) for f in row.parameters}
        typed = _line_text(_number_or_none(row.quantity.data), row.unit.data,
                           {k: v for k, v in measured.items() if v is not None},
                           _number_or_none(row.green_mwh.data) if row.green_mwh is not None else None)
        if stored != typed:
            changes.append(Change(row.source.name, stored, typed))
    stored_production = {p.product_id: p.quantity for p in filing.production}
    for product, f in form.production_fields:
        stored = plain(stored_production.get(product.id)) or "—"
        typed = plain(_number_or_none(f.data)) if clean(f.data) else "—"
        if stored != typed:
            changes.append(Change(product.name, stored, typed))
    stored = plain(filing.output_value_10k_cny) or "—"
    typed = plain(_number_or_none(form.output_value.data)) if clean(form.output_value.data) else "—"
    if stored != typed:
        changes.append(Change(str(form.output_value.label.text), stored, typed))
    form.form_errors.append(_("Someone saved this month after you opened it, so your entries were not saved. "
                              "Compare them with what is stored now (below), correct them if needed and save "
                              "again."))
    form.version.data = str(filing.version)  # saving again now is a deliberate choice over the newer data
    return _page(filing, form=form, changes=changes), 409


def _may_comment(filing: Filing) -> bool:
    """The enterprise's filers answer in their own month's conversation, whatever its status."""
    return can(current_user, FILE) and current_user.org_id == filing.org_id


def _comment_form(filing: Filing, comments: list) -> CommentForm:
    return CommentForm.blank_for(filing, comments, request.args.get("reply_to", type=int))


def _lab_choices(line) -> list[tuple[str, str]]:
    method = catalogue.method_of(line.source)
    return [(code, catalogue.parameter_label(method, code)) for code in lab_reports.lab_parameters(method)]


def _lab_forms(filing: Filing, posted: LabReportForm | None = None) -> dict:
    """Per saved line whose method has measured parameters, the form that attaches a lab report (the posted one
    kept as typed)."""
    forms = {}
    for line in filing.lines:
        choices = _lab_choices(line)
        if choices:
            forms[line.source_id] = (posted if posted is not None and posted.source_id == line.source_id
                                     else LabReportForm.for_line(line.source_id, choices, formdata=None))
    return forms


def _page(filing: Filing, form: ActivityForm | None = None, evidence_form: EvidenceForm | None = None,
          changes: list | None = None, comment_form: CommentForm | None = None,
          lab_form: LabReportForm | None = None):
    editable = _can_edit(filing)
    sources, products = _register_of(filing)
    if form is None and editable:
        form = activity_form(sources, products, filing, formdata=None)
        form.fill(filing)
    if evidence_form is None and editable:
        evidence_form = EvidenceForm(formdata=None)
    if evidence_form is not None:
        evidence_form.set_sources(sources)
    revisions = db.session.scalars(select(Filing).where(Filing.org_id == filing.org_id,
                                                        Filing.period == filing.period)
                                   .order_by(Filing.revision)).all()
    calc = filing.current_calculation
    # every line's lab reports and their files in two statements, not a query per line
    db.session.scalars(select(FilingLine).where(FilingLine.filing_id == filing.id)
                       .options(selectinload(FilingLine.lab_reports).selectinload(LabReport.evidence))).all()
    thread = conversation.month_comments(filing)
    comments = {}
    for comment in thread:
        comments.setdefault(comment.source_id, []).append(comment)
    if comment_form is None and _may_comment(filing):
        comment_form = _comment_form(filing, thread)
    due = workflow.due_date(filing.period)
    return render_template(
        "filings/show.html", filing=filing, form=form, editable=editable, evidence_form=evidence_form,
        sources=sources, products=products, lines={line.source_id: line for line in filing.lines},
        production={p.product_id: p for p in filing.production}, calc=calc,
        calc_lines={cl.source_id: cl for cl in calc.lines} if calc else {},
        comments=comments, thread=thread, authors=conversation.authors(thread), comment_form=comment_form,
        comment_action=url_for("filings.add_comment", filing_id=filing.id),
        reply_url=lambda c: url_for("filings.show", filing_id=filing.id, reply_to=c.id, _anchor="conversation"),
        revisions=revisions, changes=changes, due=due,
        overdue=_today() > due and not any(r.status in (SUBMITTED, APPROVED) for r in revisions),
        can_amend=(can(current_user, FILE) and current_user.org_id == filing.org_id
                   and filing.status == APPROVED and revisions[-1].id == filing.id),
        parameter_labels=PARAMETER_LABELS, plain=plain, parameters_text=parameters_text,
        records=services.copies_of([filing.id]).get(filing.id, []),
        can_view_record=lambda c: services.can_view(current_user, c),
        plan_findings=plan_check.check_filing(filing),
        lab_forms=_lab_forms(filing, lab_form) if editable else {})


@bp.post("/<int:filing_id>/comments")
@requires(FILE)
def add_comment(filing_id: int):
    """A reply in the month's conversation, on the filing or one line: no figure and no status changes."""
    filing = get_or_404(Filing, filing_id)
    if current_user.org_id != filing.org_id:
        abort(403)
    form = CommentForm()
    form.set_lines(filing)
    if form.post(current_user, filing):
        flash(_("Your comment is added to the conversation on %(month)s.", month=_month(filing.period)), "success")
        return redirect(url_for("filings.show", filing_id=filing.id, _anchor="conversation"))
    return _page(filing, comment_form=form)


# --- live preview ----------------------------------------------------------------------------------

@bp.post("/<int:filing_id>/preview")
@requires(FILE)
def preview(filing_id: int):
    """The emissions of the form as posted, computed and discarded: nothing is stored."""
    filing = get_or_404(Filing, filing_id)
    sources, products = _register_of(filing)
    form = activity_form(sources, products, filing)
    try:
        if not form.validate():
            return {"errors": form.messages()}
        lines, _production, _output = form.activity()
        _refuse_incomplete(filing, sources, lines)
        results = engine.compute(_line_inputs(filing, sources, lines), calculations.load_library(),
                                 engine_settings())
        totals = engine.totals(results)
    except engine.CalculationError as e:
        return {"errors": [str(calculations.calculation_message(e))]}
    except ServiceError as e:
        return {"errors": [str(e.message)]}
    finally:
        roll_back()  # nothing was added; this makes sure nothing touched survives either
    return {
        "lines": [{"source_id": r.source_id, "scope": r.scope, "scope_label": str(scope_label(r.scope)),
                   "tco2e": str(rounded(r.co2e_t))} for r in results],
        "totals": {name: str(rounded(getattr(totals, name)))
                   for name in ("scope1", "scope2", "exported", "total", "scope3")},
    }


def _refuse_incomplete(filing: Filing, sources: list, lines: list[dict]) -> None:
    """The service's refusal of a method's inputs (a carbon balance without carbon, counts missing, a band's block),
    in the user's words, before the engine would name the same fault in its own."""
    by_id = {s.id: s for s in sources}
    for data in lines:
        source = by_id[data["source_id"]]
        what = f"{source.name}, {_month(filing.period)}"
        _measured, parameters = method_parameters.clean(source, data.get("parameters"), what, services.MEASURABLE)
        refused = method_parameters.refusal(source, parameters, Decimal(data["quantity"]), what, unit=data["unit"])
        if refused is not None:
            raise refused


def _line_inputs(filing: Filing, sources: list, lines: list[dict]) -> list:
    """The engine's inputs built in memory from the posted lines, as set_activity would store them."""
    by_id = {s.id: s for s in sources}
    inputs = []
    for data in lines:
        source = by_id[data["source_id"]]
        try:
            unit = units.canonical_unit(data["unit"] or source.activity_unit)
        except units.UnitError as e:
            raise ServiceError(f"{source.name}, {_month(filing.period)}: {e}") from None
        inputs.append(calculations.make_input(
            source, filing.period, Decimal(data["quantity"]), unit, data["measured"], data.get("parameters"),
            green_mwh=Decimal(data["green_mwh"]) if data["green_mwh"] is not None else None))
    return inputs


# --- submission and amendment ----------------------------------------------------------------------

@bp.route("/<int:filing_id>/amend", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(FILE)
def amend(filing_id: int):
    filing = get_or_404(Filing, filing_id)
    latest = services.latest_filing(filing.org_id, filing.period)
    if filing.status != APPROVED or latest.id != filing.id:
        flash(_("Only the approved revision that is in force can be amended."), "info")
        return redirect(url_for("filings.show", filing_id=latest.id))
    form = AmendForm()
    if form.validate_on_submit():
        try:
            with acting_on(filing.org_id):
                revision = workflow.amend(current_user, filing.organisation, filing.period, form.reason.data)
                computed = _compute_amendment(revision)
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("Revision %(n)d of %(month)s is open as a draft, a copy of the approved data. The approved "
                    "revision stays in force until this one is approved.", n=revision.revision,
                    month=_month(filing.period)), "success")
            if not computed:
                flash(_("The copied data could not be computed with today's factors: check the lines and save."),
                      "warning")
            return redirect(url_for("filings.show", filing_id=revision.id))
    return render_template("filings/amend.html", filing=filing, form=form)


def _compute_amendment(revision: Filing) -> bool:
    """The copy gets its own calculation, so the draft shows figures before its first save."""
    if revision.current_calculation is not None:
        return True
    try:
        calculations.calculate(revision, current_user, reason="amendment opened")
    except engine.CalculationError:
        return False
    return True


# --- evidence ----------------------------------------------------------------------------------------

@bp.post("/<int:filing_id>/evidence")
@requires(FILE)
def upload_evidence(filing_id: int):
    filing = get_or_404(Filing, filing_id)
    if not _can_edit(filing):
        flash(_("Evidence is added while the month is a draft or returned."), "error")
        return redirect(url_for("filings.show", filing_id=filing.id))
    form = EvidenceForm()
    form.set_sources(_register_of(filing)[0])
    if form.validate_on_submit():
        try:
            with acting_on(filing.org_id):
                added = evidence.add_evidence(current_user, filing, form.file.data, form.source_id.data,
                                              form.description.data)
                name = added.filename
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("%(name)s is attached to %(month)s.", name=name, month=_month(filing.period)), "success")
            return redirect(url_for("filings.show", filing_id=filing.id, _anchor="evidence"))
    return _page(filing, evidence_form=form)


@bp.post("/<int:filing_id>/lines/<int:source_id>/lab-report")
@requires(FILE)
def attach_lab_report(filing_id: int, source_id: int):
    """The lab report of one measured parameter of a line: its file into the evidence, its lab and sample here."""
    filing = get_or_404(Filing, filing_id)
    if not _can_edit(filing):
        flash(_("Evidence is added while the month is a draft or returned."), "error")
        return redirect(url_for("filings.show", filing_id=filing.id))
    line = next((line for line in filing.lines if line.source_id == source_id), None)
    if line is None:
        abort(404)
    form = LabReportForm.for_line(source_id, _lab_choices(line))
    if form.validate_on_submit():
        try:
            with acting_on(filing.org_id):
                reports = lab_reports.attach(current_user, filing, source_id, form.parameters.data, form.file.data,
                                             form.lab_name.data, form.accreditation.data, form.sample_id.data,
                                             form.sample_date.data)
                name = reports[0].evidence.filename
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("%(name)s is attached to %(source)s.", name=name, source=line.source.name), "success")
            return redirect(url_for("filings.show", filing_id=filing.id, _anchor=f"lab-{source_id}"))
    return _page(get_or_404(Filing, filing_id), lab_form=form)


@bp.get("/evidence/<int:evidence_id>")
@requires(SIGNED_IN)
def evidence_file(evidence_id: int):
    """The file as uploaded, to whoever may read its filing (the gate); every download is audited."""
    item = get_or_404(Evidence, evidence_id)
    try:
        path = evidence.path_of(item.sha256)
    except ValueError:
        abort(404)
    if not path.is_file():
        current_app.logger.error("evidence %s: stored file %s is missing", item.id, item.sha256)
        abort(404)
    filename, content_type = item.filename, item.content_type
    evidence.record_download(current_user, item)
    # send_file writes a non-ASCII name as filename*=UTF-8''… (RFC 5987) beside an ASCII fallback.
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=filename,
                         conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/evidence/<int:evidence_id>/delete")
@requires(FILE)
def remove_evidence(evidence_id: int):
    item = get_or_404(Evidence, evidence_id)
    filing_id, name = item.filing_id, item.filename
    try:
        with acting_on(item.org_id):
            digest = evidence.remove_evidence(current_user, item)
    except ServiceError as e:
        roll_back()
        flash(str(e.message), "error")
    else:
        # The stored file goes once no committed row names it any more.
        after_commit(lambda: evidence.discard_if_unused(digest))
        flash(_("%(name)s is removed.", name=name), "success")
    if filing_id is None:
        return redirect(url_for("filings.index"))
    return redirect(url_for("filings.show", filing_id=filing_id, _anchor="evidence"))
