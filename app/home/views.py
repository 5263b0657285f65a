"""The home page: each kind of organisation lands on what it needs first."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.accounts.models import Invitation, User
from app.accounts.roles import PUBLIC, requires
from app.assets.services import home_position
from app.audit.models import AuditEvent
from app.audit_log.views import EVENT_LOADS
from app.core.types import city_today, utcnow
from app.extensions import db
from app.organisations import industries
from app.organisations.models import ENTERPRISE, Organisation

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
    org = current_user.organisation
    now = utcnow()
    staff = db.session.scalars(select(User).where(User.org_id == org.id).order_by(User.name)).all()
    pending = [inv for inv in db.session.scalars(select(Invitation).where(Invitation.org_id == org.id))
               if inv.status(now) == "pending"]
    recent = db.session.scalars(select(AuditEvent).options(*EVENT_LOADS).where(AuditEvent.org_id == org.id)
                                .order_by(AuditEvent.seq.desc()).limit(8)).all()
    position = home_position(org, city_today())  # last year's compliance position, for enterprises in trading
    return render_template("home/enterprise_home.html", org=org, staff=staff, pending=pending, recent=recent,
                           position=position)


def _authority_home():
    enterprises = select(Organisation).where(Organisation.kind == ENTERPRISE).subquery()
    total = db.session.scalar(select(func.count()).select_from(enterprises))
    by_district = db.session.execute(
        select(enterprises.c.district, func.count()).group_by(enterprises.c.district)
        .order_by(func.count().desc())).all()
    division = func.substr(enterprises.c.industry_code, 1, 3)
    by_division = [(industries.table().get(code), count) for code, count in db.session.execute(
        select(division, func.count()).group_by(division).order_by(func.count().desc())).all()]
    without_admin = db.session.scalar(
        select(func.count()).select_from(enterprises).where(
            ~select(User.id).where(User.org_id == enterprises.c.id, User.role == "enterprise_admin").exists()))
    user_count = db.session.scalar(select(func.count(User.id)))
    recent = db.session.scalars(select(AuditEvent).options(*EVENT_LOADS).order_by(AuditEvent.seq.desc()).limit(10)).all()
    return render_template("home/authority_home.html", total=total, by_district=by_district,
                           by_division=by_division, without_admin=without_admin, user_count=user_count,
                           recent=recent)
