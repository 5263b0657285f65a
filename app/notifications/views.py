"""The inbox of every signed-in user (the to-do list above the notifications), the unread count in the navigation
bar, each user's choice of notices by e-mail, and the regulator's reminders from the overdue list."""
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
from flask_wtf import FlaskForm
from wtforms import BooleanField

from app.accounts.forms import ConfirmForm
from app.accounts.roles import REVIEW, SIGNED_IN, requires
from app.core.types import city_today
from app.notifications import reminders as reminder_services
from app.notifications import services
from app.notifications.models import Notification
from app.organisations.models import AUTHORITY
from app.review.services import parse_month
from app.tenancy import cross_tenant_write, get_or_404

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
                           page_size=services.PAGE_SIZE, message=services.message, notification_link=_link,
                           todos=services.reminders(current_user, city_today()), form=ConfirmForm())


def _link(notification) -> str | None:
    found = services.link_of(notification, current_user.organisation.kind)
    return url_for(found[0], **found[1]) if found and found[0] in current_app.view_functions else None


# --- e-mail choices ---------------------------------------------------------------------------------------------

def _choices_form(choices: dict[str, bool] | None = None):
    class ChoicesForm(FlaskForm):
        pass

    for topic, (label, _default) in services.TOPICS.items():
        setattr(ChoicesForm, topic, BooleanField(label))
    return ChoicesForm(data=choices) if choices is not None else ChoicesForm()


@bp.get("/settings")
@requires(SIGNED_IN)
def settings():
    return render_template("notifications/settings.html", form=_choices_form(services.email_choices(current_user)),
                           topics=services.TOPICS)


@bp.post("/settings")
@requires(SIGNED_IN)
def save_settings():
    form = _choices_form()
    if not form.validate_on_submit():
        return render_template("notifications/settings.html", form=form, topics=services.TOPICS)
    emailed = {topic for topic in services.TOPICS if form[topic].data}
    services.set_email_choices(current_user, emailed)
    flash(_("Saved: the notices you ticked are e-mailed to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("notifications.settings"))


# --- the regulator's reminders ------------------------------------------------------------------------------------

@bp.post("/remind-overdue")
@requires(REVIEW)
def remind_overdue():
    """From the overdue list: remind every overdue enterprise of the list (its filters), or the one given."""
    if current_user.organisation.kind != AUTHORITY:
        abort(403)
    form = request.form
    org_id = form.get("org_id", type=int)
    filters = {"division": form.get("division", "").strip().upper(), "district": form.get("district", "").strip(),
               "period": parse_month(form.get("month"))}
    with cross_tenant_write():  # the enterprises' notices and reminder rows
        done = reminder_services.remind_overdue(current_user, city_today(), org_id, **filters)
    if done.enterprises:
        flash(_("Reminded %(n)d enterprises of %(months)d overdue months.", n=done.enterprises, months=done.months),
              "success")
    if done.skipped:
        flash(_("%(n)d overdue months were reminded today already: not reminded again.", n=done.skipped), "info")
    if not done.enterprises and not done.skipped:
        flash(_("No month is overdue."), "info")
    if form.get("back") == "home":  # from the regulator's home page (a fixed value: no open redirect)
        return redirect(url_for("home.index"))
    args = {k: v for k, v in (("division", filters["division"]), ("district", filters["district"]),
                                ("month", form.get("month", "").strip())) if v}
    return redirect(url_for("review.overdue", **args))


@bp.post("/<int:notification_id>/open")
@requires(SIGNED_IN)
def open_notice(notification_id: int):
    """Following a notice reads it, then goes where the work is: reading is this explicit action, never a side
    effect of opening a page (a GET changes nothing)."""
    notification = _own(notification_id)
    services.mark_read(notification)
    return redirect(_link(notification) or url_for("notifications.index"))


def _own(notification_id: int) -> Notification:
    notification = get_or_404(Notification, notification_id)
    # The tenancy gate scopes notifications by organisation, so a colleague's notification (same
    # enterprise) or, for an authority user, anyone's passes it. Notifications are personal: this is
    # about users within one organisation, not about tenants, hence the check here. Same 404 as missing.
    if notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.post("/<int:notification_id>/read")
@requires(SIGNED_IN)
def read(notification_id: int):
    services.mark_read(_own(notification_id))
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@requires(SIGNED_IN)
def read_all():
    count = services.mark_all_read(current_user)
    if count:
        flash(_("Marked as read: %(n)d notifications.", n=count), "success")
    return redirect(url_for("notifications.index"))
