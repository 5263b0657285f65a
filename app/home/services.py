"""What each home page shows, loaded in a few queries (the templates only render)."""
from collections import Counter
from datetime import date, datetime

from sqlalchemy import func, select

from app.accounts.models import Invitation, User
from app.assets.services import home_position
from app.audit.models import AuditEvent
from app.audit_log.views import EVENT_LOADS
from app.extensions import db
from app.filings.workflow import add_months, due_date
from app.organisations import industries
from app.organisations.models import ENTERPRISE, Organisation
from app.review.services import late_enterprises, month_completion, waiting_counts
from app.settings.services import get_setting

LATE_SHOWN = 10  # the longest overdue; the overdue list has them all


def enterprise_home(org: Organisation, today: date, now: datetime) -> dict:
    """The enterprise's staff, pending invitations, latest events and last year's compliance position."""
    staff = db.session.scalars(select(User).where(User.org_id == org.id).order_by(User.name)).all()
    pending = [inv for inv in db.session.scalars(select(Invitation).where(Invitation.org_id == org.id))
               if inv.status(now) == "pending"]
    recent = db.session.scalars(select(AuditEvent).options(*EVENT_LOADS).where(AuditEvent.org_id == org.id)
                                .order_by(AuditEvent.seq.desc()).limit(8)).all()
    position = home_position(org, today)  # for enterprises in trading
    return {"org": org, "staff": staff, "pending": pending, "recent": recent, "position": position}


def authority_home(today: date) -> dict:
    """The regulator's morning: the month just ended and where each enterprise's filing of it stands, the
    reviews waiting, the enterprises with months overdue (to remind), the registrations, the latest events."""
    period = add_months(today.replace(day=1), -1)
    completion = month_completion(today, period)
    counts = Counter(state.status for state in completion)
    late = late_enterprises(today)
    first, amendments = waiting_counts()
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
    recent = db.session.scalars(select(AuditEvent).options(*EVENT_LOADS).order_by(AuditEvent.seq.desc())
                                .limit(10)).all()
    return {"period": period, "due": due_date(period, get_setting("filing_due_day")), "completion": completion,
            "counts": counts, "owing": len(completion), "late": late[:LATE_SHOWN], "late_total": len(late),
            "late_months": sum(e.months for e in late), "waiting": first, "waiting_amendments": amendments,
            "total": total, "by_district": by_district, "by_division": by_division,
            "without_admin": without_admin, "user_count": user_count, "recent": recent}
