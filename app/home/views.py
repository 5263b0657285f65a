"""The home page: each kind of organisation lands on what it needs first."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from app.accounts.roles import PUBLIC, requires
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
    return render_template("home/authority_home.html", **services.authority_home())
