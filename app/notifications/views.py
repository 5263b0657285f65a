"""The inbox of every signed-in user, and the unread count in the navigation bar."""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.forms import ConfirmForm
from app.accounts.roles import SIGNED_IN, requires
from app.core.types import city_today
from app.notifications import services
from app.notifications.models import Notification
from app.organisations.models import AUTHORITY
from app.tenancy import get_or_404

bp = Blueprint("notifications", __name__, url_prefix="/inbox", template_folder="templates")


@bp.app_context_processor
def _inbox_badge():
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return {"inbox_unread": 0}
    return {"inbox_unread": services.unread_count(current_user)}  # one COUNT per page


@bp.get("/")
@requires(SIGNED_IN)
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = services.for_user(current_user, page)
    return render_template("notifications/index.html", rows=rows, total=total, page=page,
                           page_size=services.PAGE_SIZE, message=services.message, filing_link=_filing_link,
                           reminders=services.reminders(current_user, city_today()),
                           filing_area=_filing_area(), form=ConfirmForm())


def _filing_link(filing) -> str | None:
    if filing is None:
        return None
    if current_user.organisation.kind == AUTHORITY:
        return url_for("review.show", filing_id=filing.id)
    if "filings.show" in current_app.view_functions:
        return url_for("filings.show", filing_id=filing.id)
    calculation = filing.current_calculation
    return url_for("footprint.calculation", calculation_id=calculation.id) if calculation else url_for("footprint.index")


def _filing_area() -> str:
    """Where an enterprise files its months: the filings area when installed, else its footprint."""
    return url_for("filings.index") if "filings.index" in current_app.view_functions else url_for("footprint.index")


@bp.post("/<int:notification_id>/read")
@requires(SIGNED_IN)
def read(notification_id: int):
    notification = get_or_404(Notification, notification_id)
    # The tenancy gate scopes notifications by organisation, so a colleague's notification (same
    # enterprise) or, for an authority user, anyone's passes it. Notifications are personal: this is
    # about users within one organisation, not about tenants, hence the check here. Same 404 as missing.
    if notification.user_id != current_user.id:
        abort(404)
    services.mark_read(notification)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@requires(SIGNED_IN)
def read_all():
    count = services.mark_all_read(current_user)
    if count:
        flash(_("Marked as read: %(n)d notifications.", n=count), "success")
    return redirect(url_for("notifications.index"))
