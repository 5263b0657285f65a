"""Carbon assets: the ledger of allowances and offsets, the compliance position, the regulator's overview and
the regulator's allocations (one by one, or a year's at once from a spreadsheet)."""
import io
from decimal import Decimal, InvalidOperation

from flask import (
    Blueprint,
    abort,
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
from wtforms.fields.choices import SelectChoice

from app.audit_log.labels import name_values
from app.accounts.roles import (
    ADMINISTER_CITY,
    READ_CITY,
    RECORD_ASSETS,
    SIGNED_IN,
    refuse,
    requires,
)
from app.assets import allocation_import, services
from app.assets.forms import FORMS, AllocationImportForm, ReverseForm
from app.assets.models import OFFSET, AssetEntry
from app.core.edge import roll_back
from app.core.forms import apply_error
from app.core.numbers import MISPLACED, MisplacedSeparator, grouped, to_decimal
from app.core.service_error import ServiceError
from app.core.types import city_today, utcnow
from app.filings.imports.problems import Problem
from app.filings.imports.reading import XLSX_MIME
from app.organisations.models import ENTERPRISE, Organisation
from app.security import csrf_checked_by_form
from app.tenancy import acting_on, get_or_404

bp = Blueprint("assets", __name__, url_prefix="/assets", template_folder="templates")

# The kind of entry as a URL segment: a fixed set, so the route names no tenant's object.
SEGMENTS = {"allocation": "allocation", "purchase": "purchase", "sale": "sale", "offset": "offset_acquired",
            "surrender": "surrender"}
SEGMENT_OF = {kind: segment for segment, kind in SEGMENTS.items()}

KIND_LABELS = {"allocation": _l("Allocation"), "purchase": _l("Purchase"), "sale": _l("Sale"),
               "offset_acquired": _l("Offsets acquired"), "surrender": _l("Surrender"), "reversal": _l("Reversal")}
FORM_TITLES = {"allocation": _l("Record an allocation"), "purchase": _l("Record a purchase"),
               "sale": _l("Record a sale"), "offset_acquired": _l("Record offsets acquired"),
               "surrender": _l("Record a surrender")}
INSTRUMENT_LABELS = {"allowance": _l("Allowances"), "offset": _l("Offsets")}
LOT_FIELDS = ("offset_type", "project_id", "vintage")
name_values(KIND_LABELS, "kind")
name_values(INSTRUMENT_LABELS, "instrument")


def _labels() -> dict:
    return {"kind_label": lambda code: KIND_LABELS.get(code, code),
            "instrument_label": lambda code: INSTRUMENT_LABELS.get(code, code),
            "lot_name": services.lot_name, "qty": grouped,
            "segment_of": SEGMENT_OF, "form_titles": FORM_TITLES}


def _own_enterprise() -> bool:
    return current_user.organisation.kind == ENTERPRISE


def _ledger_url(org: Organisation, **args) -> str:
    if _own_enterprise():
        return url_for("assets.index", **args)
    return url_for("assets.for_org", org_id=org.id, **args)


def _year_arg() -> int:
    default = services.default_year(city_today())
    year = request.args.get("year", default, type=int)
    return year if 2000 <= year <= 2100 else default


def _price_arg() -> tuple[Decimal | None, str, str | None]:
    """The price typed in the page's form (CNY/t): (value or None, as typed, error)."""
    typed = request.args.get("price", "").strip()
    if not typed:
        return None, "", None
    try:
        price = to_decimal(typed)
    except MisplacedSeparator:  # "6070,3" is refused with the separator rule, not read as 60703
        return None, typed, str(MISPLACED)
    except InvalidOperation:
        price = None
    if price is None:  # "," alone is nothing typed, but it was typed
        return None, typed, _("Enter a number.")
    if price < 0 or price >= Decimal("1e9"):
        return None, typed, _("Enter a price of zero or more.")
    return price, typed, None


# --- reading ----------------------------------------------------------------------------------------

@bp.get("/")
@requires(SIGNED_IN)
def index():
    if not _own_enterprise():
        return redirect(url_for("assets.overview"))
    return _ledger(current_user.organisation)


@bp.get("/org/<int:org_id>")
@requires(READ_CITY)
def for_org(org_id: int):
    org = get_or_404(Organisation, org_id)
    if _own_enterprise():
        if org.id == current_user.org_id:
            return redirect(url_for("assets.index", **request.args))
        abort(404)
    if org.kind != ENTERPRISE:
        abort(404)
    return _ledger(org)


def _ledger(org: Organisation):
    today = city_today()
    year = _year_arg()
    price, price_typed, price_error = _price_arg()
    entries = services.entries_of(org.id)
    position = services.compliance_position(org, year, price, entries=entries, today=today)
    reversals = {e.reverses_id: e for e in entries if e.reverses_id}
    recordable = [kind for kind in services.RECORDABLE if services.may_record(current_user, org, kind)]
    return render_template("assets/index.html", org=org, year=year, years=services.years_for(org.id, today),
                           position=position, holdings=services.holdings(org.id, entries), entries=entries,
                           reversals=reversals, recordable=recordable, price_typed=price_typed,
                           price_error=price_error, own=org.id == current_user.org_id,
                           may_reverse=lambda e: e.id not in reversals and services.may_reverse(current_user, e),
                           by_authority=services.by_authority, **_labels())


@bp.get("/overview")
@requires(READ_CITY)
def overview():
    if _own_enterprise():
        return redirect(url_for("assets.index"))
    today = city_today()
    year = _year_arg()
    price, price_typed, price_error = _price_arg()
    positions = services.overview(year, price, today)
    totals = {key: sum((getattr(p, key) for p in positions), Decimal(0)) for key in ("verified_t", "allowances_t")}
    return render_template("assets/overview.html", year=year, years=list(range(today.year, today.year - 6, -1)),
                           positions=positions, totals=totals, short=sum(1 for p in positions if p.short),
                           projected=sum(1 for p in positions if p.projected),
                           price=price, price_typed=price_typed, price_error=price_error,
                           may_allocate=services.may_allocate(current_user), **_labels())


# --- recording --------------------------------------------------------------------------------------

@bp.route("/org/<int:org_id>/new/<any(allocation,purchase,sale,offset,surrender):kind>", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(RECORD_ASSETS)
def record(org_id: int, kind: str):
    org = get_or_404(Organisation, org_id)
    entry_kind = SEGMENTS[kind]
    if not services.may_record(current_user, org, entry_kind):
        refuse()  # an object rule (services.may_record/may_reverse)
    held = services.holdings(org.id)
    form = FORMS[entry_kind]()
    if "lot" in form:
        form.lot.choices = [SelectChoice("", _("Choose a lot"))] + [
            SelectChoice(h.key, f"{h.label} · {grouped(q)} t")
            for h, q in held.items() if h.instrument == OFFSET and q > 0]
    if request.method == "GET":
        form.trade_date.data = city_today()
        if "compliance_year" in form and request.args.get("year", type=int):
            form.compliance_year.data = str(request.args.get("year", type=int))
    if form.validate_on_submit():
        try:
            with acting_on(org.id):
                entry = services.record_entry(current_user, org, entry_kind, form.service_data(), utcnow())
        except ServiceError as e:
            if e.field in LOT_FIELDS and "lot" in form:
                e.field = "lot"
            apply_error(form, e)
        else:
            flash(_("Recorded: %(kind)s of %(quantity)s t.", kind=KIND_LABELS[entry.kind],
                    quantity=grouped(abs(entry.quantity_t))), "success")
            return redirect(_ledger_url(org, year=entry.compliance_year) if entry.compliance_year
                            else _ledger_url(org))
    return render_template("assets/form.html", form=form, org=org, kind=entry_kind, held=held, **_labels())


@bp.route("/entries/<int:entry_id>/reverse", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(RECORD_ASSETS)
def reverse(entry_id: int):
    entry = get_or_404(AssetEntry, entry_id)
    if not services.may_reverse(current_user, entry):
        refuse()  # an object rule (services.may_record/may_reverse)
    org = get_or_404(Organisation, entry.org_id)
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            with acting_on(entry.org_id):
                services.reverse(current_user, entry, form.reason.data, utcnow())
        except ServiceError as e:
            apply_error(form, e)
        else:
            flash(_("The entry is reversed; both stay in the ledger."), "success")
            return redirect(_ledger_url(org, year=entry.compliance_year) if entry.compliance_year
                            else _ledger_url(org))
    return render_template("assets/reverse.html", form=form, org=org, entry=entry,
                           reversal=services.reversal_of(entry), **_labels())


# --- the year's allocation from a spreadsheet (the authority's) --------------------------------------------
# ADMINISTER_CITY is the authority's own capability (platform admin and regulator of the authority): allowances
# are allocated by the authority only; services.may_allocate says the same in the service.

FORM_OVERHEAD = 64 * 1024  # room for the multipart envelope, the CSRF token and the fields around the file


def _template_year() -> int:
    this = city_today().year
    year = request.args.get("year", this, type=int)
    return year if services.FIRST_YEAR <= year <= this + 1 else this


def _import_page(form, problems=(), status=200):
    return render_template("assets/allocation_import.html", form=form, problems=list(problems),
                           limit=allocation_import.MAX_BYTES, year=_template_year(),
                           years=list(range(city_today().year + 1, city_today().year - 5, -1))), status


@bp.get("/allocations/template.xlsx")
@requires(ADMINISTER_CITY)
def allocation_template():
    year = _template_year()
    blob = allocation_import.build_template(year, services.covered_enterprises())
    return send_file(io.BytesIO(blob), mimetype=XLSX_MIME, as_attachment=True,
                     download_name=f"tanji-allocation-{year}.xlsx", max_age=0)


@bp.route("/allocations/import", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(ADMINISTER_CITY)
def import_allocation():
    limit = allocation_import.MAX_BYTES
    if request.method == "POST" and (request.content_length or 0) > limit + FORM_OVERHEAD:
        problem = Problem(_l("The file is larger than %(limit)s; files up to %(limit)s are accepted.",
                             limit=f"{limit / (1024 * 1024):.1f} MB"))
        return _import_page(AllocationImportForm(formdata=None), [problem], 413)
    request.max_content_length = limit + FORM_OVERHEAD
    form = AllocationImportForm()
    if request.method == "GET":
        form.trade_date.data = city_today()
    if not form.validate_on_submit():
        return _import_page(form)
    uploaded = form.file.data
    try:
        result = allocation_import.import_allocation(current_user, uploaded.read(limit + 1), form.reason.data,
                                                     form.trade_date.data, filename=uploaded.filename or "",
                                                     now=utcnow(), max_bytes=limit)
    except ServiceError as e:
        apply_error(form, e)
        return _import_page(form, status=422)
    if not result.ok:
        roll_back()  # all or nothing: the entries flushed so far go, before the page is drawn
        return _import_page(form, result.problems, 422)
    year = result.years[0] if len(result.years) == 1 else _template_year()
    flash(_("Allocations recorded for %(n)d enterprises: %(total)s t in all, for %(years)s.", n=len(result.entries),
            total=grouped(result.total_t), years=", ".join(str(y) for y in result.years)), "success")
    return redirect(url_for("assets.overview", year=year))
