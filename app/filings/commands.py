"""flask rollups rebuild | check: the monthly totals the city's pages read (app.filings.rollups)."""
import sys

import click
from flask.cli import AppGroup

from app.extensions import db
from app.filings import rollups

rollups_cli = AppGroup("rollups", help="The monthly totals per enterprise that the city index reads.")


@rollups_cli.command("rebuild")
def rebuild_command():
    """Rewrite every monthly total from the approved filings (after a restore or a manual data fix)."""
    count = rollups.rebuild(db.session)
    db.session.commit()
    click.echo(f"{count} enterprise-months rebuilt from the approved filings")


@rollups_cli.command("check")
def check_command():
    """Compare the stored monthly totals with a rebuild; exit 1 when they differ."""
    differences = rollups.differences(db.session)
    for org_id, period, stored, rebuilt in differences[:20]:
        click.echo(f"organisation {org_id} {period:%Y-%m}: stored {stored} rebuilt {rebuilt}")
    if differences:
        click.echo(f"{len(differences)} enterprise-months differ: run `flask rollups rebuild`")
        sys.exit(1)
    click.echo("the monthly totals agree with the approved filings")
