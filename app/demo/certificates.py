"""Demo certificates: last year's annual certificate for a few enterprises with twelve approved months, one
of them revoked, so the verification pages have something to show. Skips what exists (idempotent)."""
from datetime import date

from sqlalchemy import select

from app.accounts.models import User
from app.certificates import services
from app.certificates.models import Certificate
from app.core.types import city_today
from app.extensions import db
from app.organisations.models import Organisation

HOW_MANY = 4
REVOKED_REASON = "演示：现场核查发现二月份用电量数据与电费发票不符。"


def load(counts) -> None:
    regulator = db.session.scalar(select(User).where(User.role == "regulator").order_by(User.id))
    if regulator is None:
        return
    year = city_today().year - 1
    start, end = date(year, 1, 1), date(year, 12, 1)
    issued = []
    for org in db.session.scalars(select(Organisation).where(Organisation.kind == "enterprise")
                                  .order_by(Organisation.id)):
        if len(issued) == HOW_MANY:
            break
        if not services.approved_year_complete(org.id, start, end):
            continue
        existing = db.session.scalar(select(Certificate).where(
            Certificate.org_id == org.id, Certificate.period_start == start, Certificate.period_end == end))
        if existing is not None:
            counts["certificates present"] += 1
            issued.append(existing)
            continue
        cert = services.issue(regulator, org, start, end)
        if len(issued) == HOW_MANY - 1:
            services.revoke(regulator, cert, REVOKED_REASON)
        counts["certificates created"] += 1
        issued.append(cert)
