"""flask audit verify: recompute the whole hash chain of the audit trail (nightly from cron), and remember it."""
import sys
import tarfile

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import save_checkpoint, verify_chain
from app.extensions import db
from app.tenancy import unscoped

audit_cli = AppGroup("audit", help="Check the audit trail.")

PROBLEMS = {
    "event": "this one was altered, or events around it were removed or inserted",
    "key": "its HMAC does not match: it was rewritten by someone without the audit key",
    "head": "the chain's head does not match its last event: the latest events were removed",
    "checkpoint": "a checkpoint names a later event: the latest events were removed",
    "anchor": "it differs from (or is missing against) a head digest recorded outside the database",
}


def _anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise click.BadParameter(f"{text!r}: write SEQ:SHA256, as the request log's audit_head gives it")
    return int(seq), digest


def _backup_anchor(path: str) -> tuple[int, str] | None:
    import json

    with tarfile.open(path, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        manifest = json.load(member) if member else {}
    if manifest.get("audit_head_seq") and manifest.get("audit_head_hash"):
        return manifest["audit_head_seq"], manifest["audit_head_hash"]
    return None


@audit_cli.command("verify")
@click.option("--anchor", "anchors", multiple=True,
              help="SEQ:SHA256 of the chain's head recorded elsewhere (the request log's audit_head); repeatable.")
@click.option("--backup", "backups", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A backup archive whose manifest records the head at backup time; repeatable.")
def verify(anchors, backups):
    """Recompute every event's hash and HMAC; exit 1 at the first event that does not match. An intact chain
    is remembered as a checkpoint, from which the audit page checks only the newer events."""
    given = dict(_anchor(a) for a in anchors)
    for path in backups:
        found = _backup_anchor(path)
        if found is None:
            raise click.BadParameter(f"{path}: its manifest has no audit head (a backup made before this version)")
        given[found[0]] = found[1]
    check = verify_chain(given)
    if not check.intact:
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == check.broken_seq)
                                  .execution_options(**unscoped("the CLI checks the whole chain")))
        what = (f"{event.action} at {event.occurred_at.isoformat(timespec='seconds')}" if event
                else "missing: the latest events were removed")
        click.echo(f"BROKEN at event seq {check.broken_seq} ({what}): the {check.checked} events before it are "
                   f"intact; {PROBLEMS[check.problem]}.")
        sys.exit(1)
    save_checkpoint(check)
    db.session.commit()
    legacy = f" ({check.unkeyed} written before the audit key: chained, not keyed)" if check.unkeyed else ""
    anchored = f"; {len(given)} outside anchors match" if given else ""
    click.echo(f"intact: {check.checked} events{legacy}{anchored}")
