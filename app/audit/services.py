"""Recording and verifying the audit trail.

Each event's hash chains it to the one before (SHA-256), and an HMAC of that hash with the audit key (kept
outside the database) keys it. What a check proves: no event was changed, inserted or removed, and the tail was
not cut, unless whoever did it also held the audit key, or set the head back to an earlier state they had
copied (a checkpoint above it, or a head digest in the request log or a backup manifest, then shows the cut:
`flask audit verify --anchor SEQ:HASH`). It does not prove an event was true when written, nor that nothing was
left unrecorded.
"""
import hashlib
import hmac
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple

from flask import current_app, g, has_app_context
from sqlalchemy import select, update

from app.audit.models import AuditCheckpoint, AuditEvent, AuditHead
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


def _key() -> bytes:
    key = current_app.config.get("AUDIT_KEY") or ""
    if key:
        return key.encode()
    # Development and tests: derived from SECRET_KEY (production requires its own key, app._check_config).
    return hmac.new(str(current_app.config["SECRET_KEY"]).encode(), b"tanji audit key", hashlib.sha256).digest()


def mac(text: str) -> str:
    return hmac.new(_key(), text.encode(), hashlib.sha256).hexdigest()


def _head_mac(seq: int, digest: str) -> str:
    return mac(f"head:{seq}:{digest}")


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
    event.mac = mac(event.hash)
    head.hash = event.hash
    head.mac = _head_mac(head.seq, head.hash)
    db.session.add(event)
    db.session.flush()
    g._audit_head = f"{head.seq}:{head.hash}"  # written to the request log: an anchor outside the database
    return event


def _owner(obj) -> int | None:
    # An organisation owns its own events; named by table so the trail needs nothing of the packages above it.
    return obj.id if getattr(obj, "__tablename__", None) == "organisations" else getattr(obj, "org_id", None)


class ChainCheck(NamedTuple):
    intact: bool
    checked: int  # events checked in this run
    broken_seq: int | None = None  # the first event found wrong (or missing)
    since: AuditCheckpoint | None = None  # where this check started; None: from the first event
    unkeyed: int = 0  # events written before the audit key existed (chained, without HMAC)
    problem: str = ""  # "event", "key", "head", "checkpoint" or "anchor"


def _check(prev: str, first_seq: int, since, anchors: dict[int, str]) -> ChainCheck:
    """Recompute every event from `first_seq` on, starting from the hash `prev`."""
    count = unkeyed = 0
    keyed = since is not None  # a checkpoint is only written past the first keyed event
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.seq >= first_seq).order_by(AuditEvent.seq)
        .execution_options(**unscoped("the chain is checked whole, across organisations"), yield_per=1000))
    expected_seq = first_seq
    for event in events:
        if event.seq != expected_seq or event.prev_hash != prev or _digest(prev, event) != event.hash:
            return ChainCheck(False, count, expected_seq if event.seq > expected_seq else event.seq, since,
                              unkeyed, "event")
        if event.mac is None and not keyed:
            unkeyed += 1
        elif event.mac is None or not hmac.compare_digest(event.mac, mac(event.hash)):
            return ChainCheck(False, count, event.seq, since, unkeyed, "key")
        else:
            keyed = True
        if event.seq in anchors and anchors[event.seq] != event.hash:
            return ChainCheck(False, count, event.seq, since, unkeyed, "anchor")
        prev = event.hash
        count += 1
        expected_seq += 1
    last = expected_seq - 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != last or (last and head.hash != prev)
                             or ((head.mac is not None or keyed)
                                 and not hmac.compare_digest(head.mac or "", _head_mac(head.seq, head.hash)))):
        return ChainCheck(False, count, last + 1, since, unkeyed, "head")
    beyond = [seq for seq in anchors if seq > last]
    if beyond:  # an anchor names an event the trail no longer has: its tail was cut
        return ChainCheck(False, count, last + 1, since, unkeyed, "anchor")
    newest = db.session.scalar(select(AuditCheckpoint.seq).order_by(AuditCheckpoint.seq.desc()).limit(1))
    if newest is not None and newest > last:
        return ChainCheck(False, count, last + 1, since, unkeyed, "checkpoint")
    return ChainCheck(True, count, None, since, unkeyed)


def verify_chain(anchors: dict[int, str] | None = None) -> ChainCheck:
    """Recompute every hash and HMAC from the first event: (intact, events checked, seq of the first broken entry).

    The head row remembers the last event written (keyed), so a trail cut short at its end (the latest events
    deleted) is broken too: then the first missing seq is reported. `anchors` ({seq: hash}, from a request log
    or a backup manifest) must still match.
    """
    return _check(GENESIS, 1, None, anchors or {})


def verify_since_checkpoint() -> ChainCheck:
    """The events after the latest checkpoint whose HMAC holds and whose event is still as it was; the whole
    chain when there is none. Fast enough for a page: the nightly `flask audit verify` moves the checkpoint."""
    checkpoints = db.session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)).all()
    for point in checkpoints:
        if not hmac.compare_digest(point.mac, mac(f"checkpoint:{point.seq}:{point.hash}")):
            return ChainCheck(False, 0, point.seq, point, problem="checkpoint")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == point.seq)
                                  .execution_options(**unscoped("the chain is checked across organisations")))
        if event is None or event.hash != point.hash:
            return ChainCheck(False, 0, point.seq, point, problem="checkpoint")
        return _check(point.hash, point.seq + 1, point, {})
    return verify_chain()


def save_checkpoint(check: ChainCheck, now: datetime | None = None) -> AuditCheckpoint | None:
    """Remember where an intact check ended (the caller commits). Nothing to remember on an empty trail."""
    head = db.session.get(AuditHead, 1)
    if not check.intact or head is None or head.seq == 0:
        return None
    point = AuditCheckpoint(seq=head.seq, hash=head.hash, mac=mac(f"checkpoint:{head.seq}:{head.hash}"),
                            whole=check.since is None, verified_at=now or utcnow())
    with writing_city_wide("a checkpoint of the one chain"):
        db.session.add(point)
        db.session.flush()
    return point
