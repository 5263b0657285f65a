"""The audit trail, read through the tenancy gate: an enterprise admin sees their organisation's events."""
from datetime import date, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.roles import READ_AUDIT, requires
from app.audit.models import AuditEvent
from app.audit.services import verify_since_checkpoint
from app.audit_log.labels import LABELS, audit_detail, audit_label
from app.core.types import city_day_start
from app.extensions import db
from app.organisations.models import AUTHORITY, ENTERPRISE, Organisation

bp = Blueprint("audit_log", __name__, url_prefix="/audit", template_folder="templates")


@bp.app_context_processor
def _helpers():
    return {"audit_label": audit_label, "audit_detail": audit_detail}


PAGE_SIZE = 100
EVENT_LOADS = (selectinload(AuditEvent.actor), selectinload(AuditEvent.organisation))


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _criteria(args, authority: bool) -> tuple[list, dict]:
    """The filters from the query string: who (name or e-mail), what (an action), enterprise, period (city days)."""
    who, what = args.get("who", "").strip(), args.get("what", "").strip()
    org_id = args.get("org", type=int) if authority else None
    since, until = _day(args.get("from")), _day(args.get("to"))
    criteria = []
    if who:
        pattern = f"%{who.lower()}%"
        criteria.append(AuditEvent.actor_id.in_(select(User.id).where(or_(func.lower(User.name).like(pattern),
                                                                          func.lower(User.email).like(pattern)))))
    if what in LABELS:
        criteria.append(AuditEvent.action == what)
    if org_id:
        criteria.append(AuditEvent.org_id == org_id)
    if since:
        criteria.append(AuditEvent.occurred_at >= city_day_start(since))
    if until:
        criteria.append(AuditEvent.occurred_at < city_day_start(until + timedelta(days=1)))
    return criteria, {"who": who, "what": what if what in LABELS else "", "org": org_id or "",
                      "from": since.isoformat() if since else "", "to": until.isoformat() if until else ""}


@bp.get("/")
@requires(READ_AUDIT)
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    authority = current_user.organisation.kind == AUTHORITY
    criteria, filters = _criteria(request.args, authority)
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*criteria))
    events = db.session.scalars(select(AuditEvent).where(*criteria).options(*EVENT_LOADS)
                                .order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    # Only the authority can check the chain (an enterprise sees a filtered slice of it), and only from the
    # latest checkpoint: the nightly `flask audit verify` checks it whole and moves the checkpoint.
    chain = verify_since_checkpoint() if authority else None
    enterprises = db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.kind == ENTERPRISE)
                                     .order_by(Organisation.name)).all() if authority else []
    actions = sorted(LABELS, key=lambda code: str(LABELS[code]))
    return render_template("audit_log/index.html", events=events, page=page, total=total, page_size=PAGE_SIZE,
                           chain=chain, filters=filters, enterprises=enterprises, actions=actions)
