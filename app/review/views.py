"""The regulator's review: the queue, one filing beside its history, approve or return, the overdue months.

The whole area belongs to the authority: its viewers read, the regulator and the platform admin act.
Enterprise users get 403 everywhere here, whatever their role.
"""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import BuildError

from app.accounts.roles import READ_CITY, REVIEW, can, requires
from app.core.edge import roll_back
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import db, login_manager
from app.filings import workflow
from app.filings import services as filing_services
from app.filings.forms import CommentForm
from app.filings.labels import STATUS_LABELS
from app.filings.models import APPROVED, DRAFT, RETURNED, STATUSES, SUBMITTED
from app.i18n import localised
from app.organisations import industries
from app.organisations.models import AUTHORITY, ENTERPRISE, Organisation
from app.review import services
from app.review.forms import ApproveForm, ReturnForm, line_comments
from app.security import csrf_checked_by_form
from app.tenancy import acting_on

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")

ALL = "all"
REMIND = "notifications.remind_overdue"
# The filings area serves uploaded files; its endpoint was planned as evidence_download and is evidence_file.
EVIDENCE_ENDPOINTS = ("filings.evidence_download", "filings.evidence_file")


@bp.before_request
def _authority_only():
    # VIEWER is also an enterprise role, so the roles on each route are not enough: check the organisation.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.organisation.kind != AUTHORITY:
        abort(403)
    return None


def _evidence_url(evidence) -> str | None:
    """The download link of an uploaded file, when the filings area that serves them is installed."""
    values = {"evidence_id": evidence.id, "filing_id": evidence.filing_id, "id": evidence.id}
    for endpoint in EVIDENCE_ENDPOINTS:
        if endpoint not in current_app.view_functions:
            continue
        for rule in current_app.url_map.iter_rules(endpoint):
            try:
                return url_for(endpoint, **{arg: values[arg] for arg in rule.arguments if arg in values})
            except BuildError:
                continue
    return None


# --- the queue -----------------------------------------------------------------------------------------------------

@bp.get("/")
@requires(READ_CITY)
def queue():
    return _queue_page(overdue_only=request.args.get("overdue") == "1")


@bp.get("/overdue")
@requires(READ_CITY)
def overdue():
    return _queue_page(overdue_only=True)


def _queue_page(overdue_only: bool):
    args = request.args
    status = args.get("status", SUBMITTED)
    if status not in STATUSES and status != ALL:
        status = SUBMITTED
    month_text = args.get("month", "").strip()
    period = services.parse_month(month_text)
    division = args.get("division", "").strip().upper()
    district = args.get("district", "").strip()
    page = max(args.get("page", 1, type=int), 1)
    page_size = services.PAGE_SIZE
    today = city_today()
    rows, late = [], []
    if overdue_only:
        everything = services.overdue(today, division=division, district=district, period=period)
        total = len(everything)
        late = everything[(page - 1) * page_size:page * page_size]
    else:
        flt = services.QueueFilter(status=None if status == ALL else status, division=division, district=district,
                                   period=period)
        rows, total = services.queue(flt, page, page_size, today)
    used_divisions = sorted({code[:3] for code in _industry_codes() if code})
    return render_template(
        "review/queue.html", rows=rows, late=late, total=total, page=page, page_size=page_size,
        overdue_only=overdue_only, status=status, month=month_text, month_invalid=bool(month_text) and not period,
        division=division, district=district, districts=current_app.config["CITY_DISTRICTS"],
        divisions=[industries.table()[d] for d in used_divisions if d in industries.table()],
        statuses=[(code, STATUS_LABELS[code]) for code in (SUBMITTED, RETURNED, APPROVED, DRAFT)], today=today,
        # The reminders are the inbox's (app.notifications, above this package): posted to by URL only.
        may_remind=overdue_only and can(current_user, REVIEW) and REMIND in current_app.view_functions)


def _industry_codes():
    return db.session.scalars(select(Organisation.industry_code).where(Organisation.kind == ENTERPRISE).distinct())


# --- one filing ----------------------------------------------------------------------------------------------------

def _filing_or_404(filing_id: int):
    filing = services.load_filing(filing_id)
    if filing is None:
        abort(404)
    return filing


@bp.get("/filings/<int:filing_id>")
@requires(READ_CITY)
def show(filing_id: int):
    filing = _filing_or_404(filing_id)
    return _review_page(filing, ReturnForm(formdata=None), {})


def _comment_form(filing, comments: list) -> CommentForm | None:
    """The regulator's follow-up, at any status; `?reply_to=<comment id>` answers one comment."""
    if not can(current_user, REVIEW):
        return None
    return CommentForm.blank_for(filing, comments, request.args.get("reply_to", type=int))


def _review_page(filing, return_form: ReturnForm, typed_line_comments: dict, comment_form: CommentForm | None = None):
    context = services.review(filing, city_today())
    return render_template("review/show.html", filing=filing, r=context, return_form=return_form,
                           approve_form=ApproveForm(formdata=None), line_texts=typed_line_comments,
                           thread=context.comments, authors=context.authors,
                           comment_form=comment_form or _comment_form(filing, context.comments),
                           comment_action=url_for("review.add_comment", filing_id=filing.id),
                           reply_url=lambda c: url_for("review.show", filing_id=filing.id, reply_to=c.id,
                                                       _anchor="conversation"),
                           evidence_url=_evidence_url,
                           records=filing_services.copies_of([filing.id]).get(filing.id, []),
                           can_view_record=lambda c: filing_services.can_view(current_user, c),
                           may_act=can(current_user, REVIEW) and filing.status == SUBMITTED)


@bp.post("/filings/<int:filing_id>/approve")
@requires(REVIEW)
def approve(filing_id: int):
    filing = _filing_or_404(filing_id)
    try:
        with acting_on(filing.org_id):
            workflow.approve(current_user, filing)
            db.session.flush()  # the notifications are the enterprise's rows: written inside acting_on
    except ServiceError as e:
        roll_back()
        flash(str(e.message), "danger")
        return redirect(url_for("review.show", filing_id=filing_id))
    except StaleDataError:
        return _changed_meanwhile(filing_id)
    flash(_("%(enterprise)s, %(month)s: approved.", enterprise=localised(filing.organisation.name,
                                                                          filing.organisation.name_en),
            month=filing.period.strftime("%Y-%m")), "success")
    return redirect(url_for("review.queue"))


@bp.post("/filings/<int:filing_id>/return")
@csrf_checked_by_form
@requires(REVIEW)
def return_filing(filing_id: int):
    filing = _filing_or_404(filing_id)
    form = ReturnForm()
    typed = line_comments(request.form)
    if form.validate_on_submit():
        try:
            with acting_on(filing.org_id):
                workflow.return_filing(current_user, filing, form.comment.data, typed)
                db.session.flush()
        except ServiceError as e:
            apply_error(form, e)
            filing = _filing_or_404(filing_id)
        except StaleDataError:
            return _changed_meanwhile(filing_id)
        else:
            flash(_("%(enterprise)s, %(month)s: returned to the enterprise with your comments.",
                    enterprise=localised(filing.organisation.name, filing.organisation.name_en),
                    month=filing.period.strftime("%Y-%m")), "success")
            return redirect(url_for("review.queue"))
    return _review_page(filing, form, typed)


@bp.post("/filings/<int:filing_id>/comments")
@requires(REVIEW)
def add_comment(filing_id: int):
    """A follow-up in the month's conversation, at any status: it neither returns nor approves."""
    filing = _filing_or_404(filing_id)
    form = CommentForm()
    form.set_lines(filing)
    if form.post(current_user, filing):
        flash(_("Your comment is added to the conversation on %(month)s.", month=filing.period.strftime("%Y-%m")),
              "success")
        return redirect(url_for("review.show", filing_id=filing.id, _anchor="conversation"))
    if form.errors:
        filing = _filing_or_404(filing_id)  # the refusal rolled back: load it again for the page
    return _review_page(filing, ReturnForm(formdata=None), {}, comment_form=form)


def _changed_meanwhile(filing_id: int):
    # The optimistic lock: someone else saved, approved or returned this filing since it was loaded.
    roll_back()
    flash(_("This filing was changed by someone else in the meantime. Check it again below."), "warning")
    return redirect(url_for("review.show", filing_id=filing_id))
