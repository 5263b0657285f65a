"""`flask backup FILE` and `flask restore FILE`: see app/ops/backup.py."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.core.service_error import ServiceError
from app.extensions import db

from . import backup as backups


@click.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(archive: Path):
    """Write the database and the evidence files to ARCHIVE (.tar.gz), while the app runs."""
    try:
        m = backups.backup(db, current_app.config["EVIDENCE_DIR"], archive)
    except ServiceError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Backup written to {archive}: {m.dialect} at revision {m.revision}, {m.filings} filings, "
               f"{m.audit_events} audit events, {m.evidence_files} evidence files.")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the contents of a database that is not empty.")
@with_appcontext
def restore_command(archive: Path, force: bool):
    """Restore ARCHIVE (from `flask backup`) into the database of DATABASE_URL and the evidence folder."""
    try:
        m = backups.restore(db, current_app.config["EVIDENCE_DIR"], archive, force=force)
        _revision, filings, events = backups.counts(db)
    except ServiceError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Restored {archive} (taken {m.created_at}): {filings} of {m.filings} filings and {events} of "
               f"{m.audit_events} audit events present.")
    if (filings, events) != (m.filings, m.audit_events):
        raise click.ClickException("The restored counts differ from the backup's manifest.")
