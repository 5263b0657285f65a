"""/api/v1: JSON over the same services, workflow and tenancy gate as the web pages.

Each route declares the token scope it needs (`guarded`, which runs first: 401 for a missing or dead token),
then its capability (`requires`, 403), as every web route does; writes commit once, at the API's edge
(`_write`), together with the stored answer of an Idempotency-Key and audit events marked `via: api`.
`/certificates/{serial}` is public (no token), like the /verify page it mirrors.
"""
import json
from decimal import Decimal
from functools import wraps

from flask import Blueprint, Response, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.accounting.models import EmissionSource, Product
from app.accounting.services import create_source, load_register, material_label, material_name
from app.accounts.roles import (
    ADMINISTER_ENTERPRISE,
    FILE,
    PUBLIC,
    READ_CITY,
    REVIEW,
    SIGN,
    SIGNED_IN,
    Capability,
    can,
    requires,
)
from app.api import idempotency, schemas
from app.api.auth import MAX_BODY_BYTES, body_limit, current_token
from app.api.errors import ApiError
from app.api.models import READ, WRITE
from app.audit.services import provenance, record
from app.certificates import services as certificate_services
from app.certificates.models import Certificate
from app.city_index.breakdowns import sector_totals
from app.city_index.index import trend
from app.city_index.months import AFTER_CURRENT, out_of_range, settled_month
from app.city_index.periods import latest_complete_month
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import csrf, db, limiter
from app.filings import conversation, lab_reports, plausibility, services, workflow
from app.filings.models import (
    API,
    STATUSES,
    SUBMITTED,
    Calculation,
    CopyOfRecord,
    Filing,
    FilingLine,
)
from app.filings.services import EDITABLE, latest_filing, month_start
from app.organisations.models import AUTHORITY, ENTERPRISE
from app.review.services import load_filing
from app.scenarios import projects
from app.scenarios.projects import library_fuels
from app.security import NUL_MESSAGE, has_nul
from app.signing import services as signing
from app.tenancy import acting_on

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # cookies never authenticate here (see app.api.auth), so there is nothing to forge

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MAX_ID = 2**31 - 1  # ids beyond a PostgreSQL integer are simply not found
PER_PAGE, MAX_PER_PAGE = 50, 200


def rate_limit_key() -> str:
    """Per token, so one busy system cannot starve the others behind the same address."""
    token = current_token()
    return f"api-token:{token.id}" if token is not None else f"api-ip:{get_remote_address()}"


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)


@bp.before_request
def _body_size():
    limit = body_limit()
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, message=f"The body may be at most {limit} bytes.")
    if limit != MAX_BODY_BYTES:
        return  # an upload route reads its own multipart form (its fields went through the central NUL check)
    # A chunked body has no length to check: Werkzeug stops reading it one byte past the limit (set in
    # app.api.auth), and _json_body refuses a body that long (reading stops there, so memory stays bounded).
    if request.method in WRITE_METHODS and current_token() is not None \
            and (request.get_data().strip() or request.form or request.files):
        # Every write's body is read here, bounded and checked (size, JSON, NUL), even where the view ignores it,
        # so an oversized or malformed body is refused the same on every route. (Anonymous: the 401 comes first;
        # an empty body, whatever its Content-Type, is no body. A form was read by the NUL check already.)
        _json_body(required=False)


def guarded(scope: str = READ, org_kind: str | None = None):
    """Declare what a route's token needs: live, with `scope`, of a user of an organisation of `org_kind`.

    Put it above `@requires(...)`, so a missing token is a 401 before any role is looked at."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = current_token()
            if token is None:
                if g.get("api_token_sent"):
                    raise ApiError(401, "invalid_token", "The token is unknown, revoked or its user is deactivated.")
                raise ApiError(401, "unauthorized")
            if not token.allows(scope):
                raise ApiError(403, "insufficient_scope", f"This needs a token with the {scope} scope.")
            if org_kind is not None and current_user.organisation.kind != org_kind:
                raise ApiError(403, "forbidden", "This is for users of an enterprise." if org_kind == ENTERPRISE
                               else "This is for users of the authority.")
            if scope == WRITE:
                return _write(view, token, args, kwargs)
            return view(*args, **kwargs)

        wrapped.api_scope = scope
        return wrapped

    return decorator


def _write(view, token, args, kwargs):
    """Run a write: replay a repeated Idempotency-Key, else do it and commit it with its stored answer."""
    user = current_user._get_current_object()
    key = idempotency.request_key()
    if key is not None:
        previous = idempotency.stored(user, key)
        if previous is not None:
            return idempotency.replay(previous)
    try:
        with provenance(via="api", token_id=token.id):
            body, status = view(*args, **kwargs)
    except ApiError as e:
        db.session.rollback()  # nothing of a refused request is kept, but its answer is
        body, status = e.body(), e.status
    except StaleDataError:  # the filing's version column: someone saved it between our read and write
        db.session.rollback()
        error = ApiError(409, "edit_conflict", "The filing was changed meanwhile: read it again and retry.")
        body, status = error.body(), error.status
    if key is not None:
        idempotency.remember(user, token, key, status, body)
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent request committed first: the same Idempotency-Key, or the same new month.
        db.session.rollback()
        raise ApiError(409, "concurrent_request", "A concurrent request changed the same data; retry this one "
                                                  "(with the same Idempotency-Key to get its answer).") from None
    return body, status


def _json_body(required: bool = True):
    if request.mimetype and not request.is_json:
        raise ApiError(415)
    raw = request.get_data()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, message=f"The body may be at most {MAX_BODY_BYTES} bytes.")
    if not raw.strip():
        if required:
            raise ApiError(400, "invalid_json", "Send a JSON object as the body.")
        return None
    if not request.is_json:
        raise ApiError(415)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
    if has_nul(data):  # PostgreSQL cannot store one; refused here as the web refuses it in app.security
        raise ApiError(400, "invalid_json", str(NUL_MESSAGE))
    return data


def _service_error(e: ServiceError, default_field: str):
    return ApiError(422, "validation_failed", e.message, fields={e.field or default_field: e.message})


# --- who am I, what do we have ----------------------------------------------------------------------

@bp.get("/me")
@guarded()
@requires(SIGNED_IN)
def me():
    token = current_token()
    return {"user": {"id": current_user.id, "email": current_user.email, "name": current_user.name,
                     "role": current_user.role},
            "organisation": schemas.organisation_json(current_user.organisation),
            "token": {"id": token.id, "name": token.name, "prefix": token.prefix, "scopes": token.scope_list}}


@bp.get("/sources")
@guarded(org_kind=ENTERPRISE)
@requires(SIGNED_IN)
def sources():
    register = load_register(current_user.organisation)
    return {"facilities": [schemas.facility_json(f, [schemas.source_json(s, material_label(s, register.materials))
                                                     for s in f.sources]) for f in register.facilities],
            "products": [schemas.product_json(p) for p in register.products]}


@bp.post("/sources")
@guarded(WRITE, org_kind=ENTERPRISE)
@requires(ADMINISTER_ENTERPRISE)
def add_source():
    """A new emission source with its calculation method (the register's own service and checks)."""
    data = schemas.parse_source(_json_body())
    try:
        source = create_source(current_user, current_user.organisation, data)
    except ServiceError as e:
        field = schemas.source_field(e.field)
        raise ApiError(422, "validation_failed", e.message, fields={field: e.message}) from None
    return schemas.source_json(source, material_name(source.material)), 201


# --- the enterprise's months ------------------------------------------------------------------------

def _own_filing(month: str) -> Filing:
    period = schemas.parse_month(month)
    filing = latest_filing(current_user.org_id, period)
    if filing is None:
        raise ApiError(404, "not_found", f"There is no filing for {month} yet.")
    return filing


def _with_findings(filing: Filing) -> dict:
    findings = workflow.findings_for(filing) if filing.status in EDITABLE else None
    return schemas.filing_json(filing, findings)


@bp.get("/filings/<month>")
@guarded(org_kind=ENTERPRISE)
@requires(SIGNED_IN)
def get_filing(month: str):
    filing = _own_filing(month)
    # The month's conversation (every revision's comments, oldest first): app.filings.conversation.
    return {**_with_findings(filing),
            "comments": [schemas.comment_json(c) for c in conversation.month_comments(filing)]}


@bp.post("/filings/<month>/comments")
@guarded(WRITE, org_kind=ENTERPRISE)
@requires(FILE)
def add_comment(month: str):
    """The enterprise's reply in the month's conversation, on the latest revision; no figure or status changes."""
    filing = _own_filing(month)
    text, source_id = schemas.parse_comment(_json_body())
    try:
        with acting_on(filing.org_id):
            comment = conversation.add_comment(current_user, filing, text, source_id)
    except ServiceError as e:
        raise _service_error(e, "text") from None
    return schemas.comment_json(comment), 201


@bp.put("/filings/<month>")
@guarded(WRITE, org_kind=ENTERPRISE)
@requires(FILE)
def put_filing(month: str):
    period = schemas.parse_month(month)
    if period > month_start(city_today()):
        raise ApiError(422, "validation_failed", f"{month} has not begun yet.", fields={"month": "has not begun yet"})
    body = _json_body()
    org = current_user.organisation
    latest = latest_filing(org.id, period)
    if latest is not None and latest.status not in EDITABLE:
        raise ApiError(409, "not_editable", f"The filing for {month} is {latest.status}: only a draft or a "
                                            f"returned filing can be changed.")
    # Active sources, and inactive ones the draft already has (as on the web form).
    in_filing = {line.source_id for line in latest.lines} if latest else set()
    own_sources = {s.id: s for s in db.session.scalars(select(EmissionSource).where(EmissionSource.org_id == org.id))
                   if s.active or s.id in in_filing}
    own_products = {p.id: p for p in db.session.scalars(select(Product).where(Product.org_id == org.id))}
    data = schemas.parse_activity(body, own_sources, own_products)
    with acting_on(org.id):
        try:
            filing = services.open_filing(current_user, org, period)
            production = data.get("production", [{"product_id": p.product_id, "quantity": p.quantity,
                                                   "unit": p.unit} for p in filing.production])
            output_value = data["output_value"] if "output_value" in data else filing.output_value_10k_cny
            services.set_activity(current_user, filing, data["lines"], production, output_value)
        except ServiceError as e:
            e.field = schemas.line_path(e.field, data["lines"])
            raise _service_error(e, "lines") from None
    return _with_findings(filing), 201 if latest is None else 200


@bp.post("/filings/<month>/submit")
@guarded(WRITE, org_kind=ENTERPRISE)
@requires(SIGN)
def submit_filing(month: str):
    filing = _own_filing(month)
    if filing.status not in EDITABLE:
        raise ApiError(409, "not_editable", f"The filing for {month} is {filing.status}: there is nothing to submit.")
    if not signing.may_sign(current_user):
        raise ApiError(403, "not_a_signer", "Submitting is a signature: only the enterprise admin and the energy "
                                            "managers the admin has allowed to sign may submit.")
    explanations = schemas.parse_explanations(_json_body(required=False))
    findings = workflow.findings_for(filing)
    errors = plausibility.blocking(findings)
    if errors:
        raise ApiError(422, "plausibility_errors", "The filing has errors that block submission.",
                       fields={f"findings.{f.key}": f.message for f in errors})
    missing = plausibility.unexplained(findings, {k: v for k, v in explanations.items() if isinstance(v, str)})
    if missing:
        raise ApiError(422, "explanations_required", "Explain each warning: send explanations.{key}.",
                       fields={f"explanations.{f.key}": f.message for f in missing})
    try:
        with acting_on(filing.org_id):
            # The write token is the signer's credential: its user signs, and the copy of record names it.
            copy = signing.sign_and_submit(current_user, filing, explanations, channel=API,
                                           token_id=current_token().id)
    except ServiceError as e:
        raise _service_error(e, "filing") from None
    return {**schemas.filing_json(filing), "receipt": {
        "number": copy.receipt_number, "received_at": copy.received_at.isoformat(), "sha256": copy.sha256,
        "signer_id": copy.signer_id}}, 200


@bp.post("/filings/<month>/lab-reports")
@guarded(WRITE, org_kind=ENTERPRISE)
@requires(FILE)
def attach_lab_report(month: str):
    """A laboratory report (one file, one sample) of measured parameters of a line of the month's open filing, as
    multipart/form-data: the same service and checks as the filing page's form."""
    filing = _own_filing(month)
    if filing.status not in EDITABLE:
        raise ApiError(409, "not_editable", f"The filing for {month} is {filing.status}: lab reports are attached "
                                            f"while it is a draft or returned.")
    source_id, parameters, fields, upload = schemas.parse_lab_report(request)
    try:
        with acting_on(filing.org_id):
            reports = lab_reports.attach(current_user, filing, source_id, parameters, upload, **fields)
    except ServiceError as e:
        raise _service_error(e, "file") from None
    return {"month": month, "revision": filing.revision, "source_id": source_id,
            "lab_reports": [lab_reports.as_record(r) for r in reports]}, 201


attach_lab_report.api_upload = True  # its body is a file (app.api.auth.body_limit)


# --- copies of record ------------------------------------------------------------------------------

def _record_json(copy) -> dict:
    return {"receipt_number": copy.receipt_number, "filing_id": copy.filing_id, "revision": copy.revision,
            "received_at": schemas.instant(copy.received_at), "sha256": copy.sha256, "signer_id": copy.signer_id,
            "channel": copy.channel}


@bp.get("/filings/<month>/records")
@guarded(org_kind=ENTERPRISE)
@requires(SIGNED_IN)
def records(month: str):
    """The signed submissions of the month (every revision), oldest first: receipt number and digest."""
    filing = _own_filing(month)  # 404 for a month without any filing, as GET /filings/{month}
    filing_ids = select(Filing.id).where(Filing.org_id == filing.org_id, Filing.period == filing.period)
    rows = db.session.scalars(select(CopyOfRecord).where(CopyOfRecord.filing_id.in_(filing_ids))
                              .order_by(CopyOfRecord.id)).all()
    return {"month": month, "records": [_record_json(c) for c in rows if services.can_view(current_user, c)]}


@bp.get("/records/<receipt_number>.json")
@guarded()
@requires(SIGNED_IN)  # signing.can_view decides, after the gate
def record_document(receipt_number: str):
    """The copy of record as stored, byte for byte: its SHA-256 is the receipt's digest."""
    copy = db.session.scalar(select(CopyOfRecord).where(CopyOfRecord.receipt_number == receipt_number.upper()))
    if copy is None:
        raise ApiError(404, "not_found", "There is no such receipt, or its copy of record is not yours to read.")
    if not services.can_view(current_user, copy):  # one's own enterprise's, but neither signed nor its admin
        raise ApiError(403, "forbidden", "Only the signer, the enterprise's admins and the authority read it.")
    return Response(copy.document.encode("utf-8"), mimetype="application/json",
                    headers={"Cache-Control": "private, no-store"})


# --- obligations: the months an enterprise owes (see app.api.obligations) -----------------------------

def _obligations_org():
    """The token's enterprise; an authority token names one with org_id. Another enterprise's id is a 404."""
    from app.organisations.models import Organisation

    raw = request.args.get("org_id")
    if raw is not None and (not raw.isdigit() or int(raw) > MAX_ID):
        raise ApiError(422, "validation_failed", "org_id must be a whole number.", fields={"org_id": "not a number"})
    org = current_user.organisation
    if org.kind == ENTERPRISE:
        if raw is not None and int(raw) != org.id:
            raise ApiError(404, "not_found", "There is no such enterprise, or it is not yours to see.")
        return org
    if org.kind != AUTHORITY or not can(current_user, READ_CITY):
        raise ApiError(403, "forbidden", "This is for enterprises and the authority.")
    if raw is None:
        raise ApiError(422, "validation_failed", "Name the enterprise: org_id.", fields={"org_id": "required"})
    other = db.session.get(Organisation, int(raw))
    if other is None or other.kind != ENTERPRISE:
        raise ApiError(404, "not_found", "There is no such enterprise.")
    return other


@bp.get("/obligations")
@guarded()
@requires(SIGNED_IN)  # the enterprise's own months; the authority's (READ_CITY) any enterprise's: _obligations_org
def obligations():
    from app.api import obligations as owed

    today = city_today()
    org = _obligations_org()
    first, last = owed.month_range(request.args, today)
    return {"org_id": org.id, "from": schemas.month_text(first), "to": schemas.month_text(last),
            "months": owed.obligations(org, first, last, today)}


# --- the regulator's side ---------------------------------------------------------------------------

def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(400, "invalid_parameter", f"{name} must be a whole number from {low} to {high}.",
                       fields={name: f"must be {low}..{high}"})
    return int(raw)


@bp.get("/regulator/filings")
@guarded(org_kind=AUTHORITY)
@requires(READ_CITY)
def regulator_filings():
    status = request.args.get("status", SUBMITTED)
    if status not in STATUSES:
        raise ApiError(400, "invalid_parameter", f"status must be one of {', '.join(STATUSES)}.",
                       fields={"status": "unknown status"})
    criteria = [Filing.status == status]
    if request.args.get("month"):
        criteria.append(Filing.period == schemas.parse_month(request.args["month"]))
    page = _int_arg("page", 1, 1, 100000)
    per_page = _int_arg("per_page", PER_PAGE, 1, MAX_PER_PAGE)
    total = db.session.scalar(select(func.count(Filing.id)).where(*criteria))
    rows = db.session.scalars(
        select(Filing).where(*criteria).order_by(Filing.period, Filing.org_id, Filing.revision, Filing.id)
        .limit(per_page).offset((page - 1) * per_page)
        .options(selectinload(Filing.organisation), selectinload(Filing.lines).selectinload(FilingLine.source),
                 selectinload(Filing.production),
                 selectinload(Filing.calculations).selectinload(Calculation.lines))).all()
    return {"filings": [schemas.filing_json(f, with_organisation=True) for f in rows],
            "page": page, "per_page": per_page, "total": total}


def _reviewed_filing(filing_id: int, capability: Capability) -> Filing:
    """The filing through the gate first, then the role: another tenant's filing is a 404 for anyone,
    as on the web; only then is an enterprise user told (403) that reviewing is the authority's."""
    filing = load_filing(filing_id)
    if filing is None:
        raise ApiError(404, "not_found", "There is no such filing, or it is not yours to see.")
    if current_user.organisation.kind != AUTHORITY or not can(current_user, capability):
        raise ApiError(403, "forbidden", "This is for the authority's reviewers." if capability == REVIEW
                       else "This is for users of the authority.")
    return filing


@bp.get(f"/regulator/filings/<int(max={MAX_ID}):filing_id>")
@guarded()
@requires(SIGNED_IN)  # the gate first (another tenant's filing is a 404), then the role: _reviewed_filing
def regulator_filing(filing_id: int):
    return schemas.filing_json(_reviewed_filing(filing_id, READ_CITY), with_organisation=True)


@bp.post(f"/regulator/filings/<int(max={MAX_ID}):filing_id>/approve")
@guarded(WRITE)
@requires(SIGNED_IN)  # REVIEW, checked by _reviewed_filing after the gate
def approve_filing(filing_id: int):
    filing = _reviewed_filing(filing_id, REVIEW)
    if filing.status != SUBMITTED:
        raise ApiError(409, "not_submitted", f"The filing is {filing.status}: only a submitted filing is approved.")
    with acting_on(filing.org_id):
        workflow.approve(current_user, filing)
    return schemas.filing_json(filing, with_organisation=True), 200


@bp.post(f"/regulator/filings/<int(max={MAX_ID}):filing_id>/return")
@guarded(WRITE)
@requires(SIGNED_IN)  # REVIEW, checked by _reviewed_filing after the gate
def return_filing(filing_id: int):
    filing = _reviewed_filing(filing_id, REVIEW)
    comment, line_comments = schemas.parse_return(_json_body())
    if filing.status != SUBMITTED:
        raise ApiError(409, "not_submitted", f"The filing is {filing.status}: only a submitted filing is returned.")
    try:
        with acting_on(filing.org_id):
            workflow.return_filing(current_user, filing, comment, line_comments)
    except ServiceError as e:
        raise _service_error(e, "comment") from None
    return schemas.filing_json(filing, with_organisation=True), 200


# --- the city index ---------------------------------------------------------------------------------

def _rounded(value, places: str = "0.0001") -> str | None:
    return schemas.decimal_text(Decimal(value).quantize(Decimal(places))) if value is not None else None


def _city_month_arg() -> tuple[int, int] | None:
    raw = request.args.get("month")
    if raw is None:
        return None
    parts = raw.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not (
            2000 <= int(parts[0]) <= 2100 and 1 <= int(parts[1]) <= 12):
        raise ApiError(400, "invalid_parameter", "month must be YYYY-MM, from 2000-01 to 2100-12.",
                       fields={"month": "must be YYYY-MM"})
    return int(parts[0]), int(parts[1])


def _city_month_json(p) -> dict:
    inputs = p.inputs
    return {"month": p.label, "dci": _rounded(p.dci), "provisional": p.provisional,
            "methodology_version": p.methodology,
            "coverage": _rounded(inputs.coverage), "month_coverage": _rounded(inputs.month_coverage),
            "estimated_tco2": _rounded(p.estimated_tco2, "0.000001"),
            "estimated_share": _rounded(p.estimated_share),
            "gross_tco2": _rounded(p.result.gross_tco2, "0.000001") if p.result else None,
            "sub_indices": {k: {"score": _rounded(s.score), "unclipped": _rounded(s.unclipped), "label": str(s.label)}
                            for k, s in (p.result.sub_indices.items() if p.result else ())}}


@bp.get("/city/index")
@guarded(org_kind=AUTHORITY)
@requires(READ_CITY)
def city_index():
    """`month=YYYY-MM`: that month and the months of its year before it; `year`: that year's months to the latest
    complete one; neither: the latest month that is not provisional. A month outside the data is refused."""
    today = city_today()
    requested = _city_month_arg()
    if requested is None and "year" in request.args:
        last_year, last_month = latest_complete_month(today)
        year = _int_arg("year", last_year, 2000, 2100)
        upto = 0 if year > last_year else last_month if year == last_year else 12
    else:
        year, upto = requested or settled_month(today)
        reason = out_of_range(year, upto, today)
        if reason:
            raise ApiError(404, "month_out_of_range", {
                AFTER_CURRENT: "The month has not ended yet or lies in the future: the index has no data for it.",
            }.get(reason, "The month is before the first month any enterprise had to report: no data."),
                fields={"month": reason})
    points = trend(upto, year, upto) if upto else []
    sectors = None
    if upto:
        totals = sector_totals(year, upto)
        sectors = {"month": f"{year}-{upto:02d}", "window": "R12", "sinks_tco2": _rounded(totals["sinks"], "0.000001"),
                   "sectors": [{"key": r.key, "scope1_tco2e": _rounded(r.scope1, "0.000001"),
                                "scope2_tco2e": _rounded(r.scope2, "0.000001"),
                                "estimate_tco2e": _rounded(r.estimate, "0.000001"),
                                "estimated_tco2e": _rounded(r.estimated, "0.000001"),
                                "total_tco2e": _rounded(r.total, "0.000001"), "filings": r.filings}
                               for r in totals["sectors"]]}
    return {"month": f"{year}-{upto:02d}" if upto else None, "year": year,
            "months": [_city_month_json(p) for p in points], "sector_totals": sectors}


@bp.post("/city/assessments")
@guarded(org_kind=AUTHORITY)
@requires(READ_CITY)
def city_assessment():
    """A project against the path in every year to 2035, from the latest month that is not provisional whatever
    `view_month` says (the answer does not depend on the month a page shows); saves nothing."""
    body = _json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Send a JSON object as the body.")
    view = body.get("view_month")
    if view is not None and not (isinstance(view, str) and len(view) == 7 and view[4] == "-"
                                 and view[:4].isdigit() and view[5:].isdigit()):
        raise ApiError(422, "validation_failed", "view_month: a month as YYYY-MM.", fields={"view_month": "YYYY-MM"})
    data = {**body, "first_year": str(body.get("first_year") or "")}
    try:
        baseline_year = projects.baseline_month()[0]
        result = projects.answer(projects.read_inputs(data, library_fuels(), baseline_year))
    except ServiceError as e:
        raise _service_error(e, "annual_tco2e") from None
    a = result.assessment
    return {"baseline_month": result.baseline_label, "methodology_version": result.methodology,
            "annual_tco2e": _rounded(result.annual_tco2e, "0.001"),
            "years": [{"year": y.year, "path_tco2": _rounded(y.path, "0.001"),
                       "baseline_tco2": _rounded(y.baseline, "0.001"), "project_tco2": _rounded(y.project, "0.001"),
                       "headroom_tco2": _rounded(y.headroom, "0.001"), "need_tco2": _rounded(y.need, "0.001")}
                      for y in a.years],
            "tightest_year": a.tightest_year, "offset_needed_tco2": _rounded(a.offset_needed, "0.001"),
            "dci_change": _rounded(result.dci_change, "0.01")}


@bp.get("/openapi.json")
@requires(PUBLIC)
def openapi():
    from app.api.openapi import document

    return document()


# --- certificates -----------------------------------------------------------------------------------

def _certificate_json(cert: Certificate, public: bool = False) -> dict:
    """The certificate's own figures; the public form names the enterprise only as the certificate does."""
    holder = ({"enterprise": certificate_services.stated(cert).get("enterprise", {})} if public
              else {"organisation": schemas.organisation_json(cert.organisation)})
    return {"serial": cert.serial, **holder,
            "period": {"start": cert.period_start.strftime("%Y-%m"), "end": cert.period_end.strftime("%Y-%m")},
            "total_tco2e": schemas.decimal_text(cert.total_tco2e),
            "scope1_tco2e": schemas.decimal_text(cert.scope1_tco2e),
            "scope2_tco2e": schemas.decimal_text(cert.scope2_tco2e),
            "status": cert.status, "issued_at": schemas.instant(cert.issued_at), "digest": cert.digest}


@bp.get("/certificates")
@guarded()
@requires(SIGNED_IN)
def certificates():
    """Through the gate: an enterprise's token sees its own certificates, the authority's every one."""
    page, per_page = _int_arg("page", 1, 1, 100_000), _int_arg("per_page", PER_PAGE, 1, MAX_PER_PAGE)
    query = select(Certificate).options(selectinload(Certificate.organisation))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return {"certificates": [_certificate_json(c) for c in rows], "page": page, "per_page": per_page,
            "total": total}


@bp.get("/certificates/<serial>.pdf")
@guarded()
@requires(SIGNED_IN)
def certificate_pdf(serial: str):
    """The stored file, byte for byte, for its owner and the authority (anyone else: 404, as on the web)."""
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial.upper()))
    if cert is None:
        raise ApiError(404, "not_found", "There is no such certificate, or it is not yours to download.")
    with acting_on(cert.org_id), provenance(via="api", token_id=current_token().id):
        record("certificate.downloaded", actor=current_user, obj=cert, detail={"serial": cert.serial})
    return Response(cert.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={cert.serial}.pdf"})


@bp.get("/certificates/<serial>")
@requires(PUBLIC)
def certificate_verification(serial: str):
    """Public, no token: what the certificate states, its status and digest (the /verify page as JSON)."""
    cert = certificate_services.find_by_serial(serial)
    if cert is None:
        raise ApiError(404, "not_found", "No certificate has this serial: it is not genuine, or mistyped.")
    return {**_certificate_json(cert, public=True), "stated": certificate_services.stated(cert),
            "superseded_at": schemas.instant(cert.superseded_at),
            "revoked_at": schemas.instant(cert.revoked_at), "revoked_reason": cert.revoked_reason,
            "verify_url": certificate_services.verify_url(cert.serial)}
