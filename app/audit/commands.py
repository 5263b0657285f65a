"""flask audit verify: recompute the whole hash chain of the audit trail."""
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.extensions import db
from app.tenancy import unscoped

audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify")
def verify():
    """Recompute every event's hash; exit 1 at the first event that does not match."""
    intact, checked, broken_seq = verify_chain()
    if not intact:
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == broken_seq)
                                  .execution_options(**unscoped("the CLI checks the whole chain")))
        what = (f"{event.action} at {event.occurred_at.isoformat(timespec='seconds')}" if event
                else "missing: the latest events were removed")
        click.echo(f"BROKEN at event seq {broken_seq} ({what}): the {checked} events before it are intact; "
                   f"this one was altered, or events around it were removed or inserted.")
        sys.exit(1)
    click.echo(f"intact: {checked} events")
