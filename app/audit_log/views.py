"""The audit trail, read through the tenancy gate: an enterprise admin sees their organisation's events."""
from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.roles import READ_AUDIT, requires
from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.audit_log.labels import audit_detail, audit_label
from app.extensions import db

bp = Blueprint("audit_log", __name__, url_prefix="/audit", template_folder="templates")


@bp.app_context_processor
def _helpers():
    return {"audit_label": audit_label, "audit_detail": audit_detail}

PAGE_SIZE = 100
EVENT_LOADS = (selectinload(AuditEvent.actor), selectinload(AuditEvent.organisation))


@bp.get("/")
@requires(READ_AUDIT)
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    total = db.session.scalar(select(func.count(AuditEvent.id)))
    events = db.session.scalars(select(AuditEvent).options(*EVENT_LOADS).order_by(AuditEvent.seq.desc())
                                .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    # Only the authority can check the whole chain; an enterprise sees a filtered slice of it.
    chain = verify_chain() if current_user.organisation.kind == "authority" else None
    return render_template("audit_log/index.html", events=events, page=page, total=total,
                           page_size=PAGE_SIZE, chain=chain)
