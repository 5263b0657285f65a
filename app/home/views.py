"""The home page: each kind of organisation lands on what it needs first."""
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.roles import PUBLIC, REVIEW, can, requires
from app.core.types import city_today, utcnow
from app.home import services
from app.organisations.models import ENTERPRISE

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@requires(PUBLIC)  # the signed-out visitor is sent to the sign-in page without a "please sign in" note
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if current_user.organisation.kind == ENTERPRISE:
        return _enterprise_home()
    if current_user.organisation.kind == "verifier":
        return redirect(url_for("verification.index"))  # a verification body's home: its engagements
    return _authority_home()


def _enterprise_home():
    return render_template("home/enterprise_home.html",
                           **services.enterprise_home(current_user.organisation, city_today(), utcnow()))


def _authority_home():
    today = city_today()
    # The reminders are the inbox's (app.notifications): posted to by URL, like the overdue list does.
    can_remind = can(current_user, REVIEW) and "notifications.remind_overdue" in current_app.view_functions
    return render_template("home/authority_home.html", today=today, can_remind=can_remind,
                           **services.authority_home(today))
