"""Recording and verifying the audit trail."""
from contextlib import contextmanager
from datetime import datetime

from flask import g, has_app_context
from sqlalchemy import select, update

from app.audit.models import AuditEvent, AuditHead
from app.core.canonical import canonical, sha256_hex
from app.core.types import utcnow
from app.extensions import db
from app.tenancy import unscoped, writing_city_wide

GENESIS = "0" * 64


def _digest(prev_hash: str, event: AuditEvent) -> str:
    body = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "org_id": event.org_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
    }
    return sha256_hex(prev_hash + canonical(body))


@contextmanager
def provenance(**extra):
    """Add `extra` (e.g. via="api", token_id=7) to the detail of every event recorded inside the block.

    So a service records the same event whichever door the request came in by, and the trail still says which.
    """
    previous = g.get("_audit_provenance") or {}
    g._audit_provenance = {**previous, **extra}
    try:
        yield
    finally:
        g._audit_provenance = previous


def record(action: str, *, actor=None, org_id: int | None = None, obj=None, detail: dict | None = None,
           now: datetime | None = None) -> AuditEvent:
    """Append an event in the caller's transaction; it lands when the request commits."""
    # Updating the head row first takes its lock, so concurrent writers chain one after another.
    with writing_city_wide("the chain's head is shared: every organisation's events extend one chain"):
        return _append(action, actor, org_id, obj, detail, now)


def _append(action, actor, org_id, obj, detail, now) -> AuditEvent:
    bump = update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
    if db.session.execute(bump).rowcount == 0:
        db.session.add(AuditHead(id=1, seq=1, hash=GENESIS))
        db.session.flush()
    head = db.session.execute(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)).scalar_one()
    event = AuditEvent(
        seq=head.seq,
        occurred_at=now or utcnow(),
        actor_id=getattr(actor, "id", None),
        org_id=org_id if org_id is not None else _owner(obj),
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        detail={**(detail or {}), **((g.get("_audit_provenance") or {}) if has_app_context() else {})},
        prev_hash=head.hash,
    )
    event.hash = _digest(head.hash, event)
    head.hash = event.hash
    db.session.add(event)
    db.session.flush()
    return event


def _owner(obj) -> int | None:
    # An organisation owns its own events; named by table so the trail needs nothing of the packages above it.
    return obj.id if getattr(obj, "__tablename__", None) == "organisations" else getattr(obj, "org_id", None)


def verify_chain() -> tuple[bool, int, int | None]:
    """Recompute every hash: (intact, events checked, seq of the first broken entry).

    The head row remembers the last event written, so a trail cut short at its end (the latest
    events deleted) is broken too: then the first missing seq is reported.
    """
    prev = GENESIS
    count = 0
    events = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.seq)
        .execution_options(**unscoped("the chain is checked whole, across organisations"), yield_per=1000))
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq or event.prev_hash != prev or _digest(prev, event) != event.hash:
            return False, count, event.seq
        prev = event.hash
        count += 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != count or (count and head.hash != prev)):
        return False, count, count + 1
    return True, count, None
