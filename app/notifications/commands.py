"""flask notifications send-due: the filing reminders, meant for cron once a day (e.g. `0 8 * * *`)."""
from datetime import date

import click
from flask.cli import AppGroup

from app.core.types import city_today
from app.extensions import db
from app.notifications import reminders

notifications_cli = AppGroup("notifications", help="Filing reminders by notice and e-mail.")


@notifications_cli.command("send-due")
@click.option("--today", "today_text", default=None, metavar="YYYY-MM-DD",
              help="Run as on this day (default: today in the city's time zone).")
def send_due(today_text):
    """Send the reminders due today (before the due date and on the first overdue day); never one twice."""
    try:
        today = date.fromisoformat(today_text) if today_text else city_today()
    except ValueError:
        raise click.BadParameter("expected YYYY-MM-DD", param_hint="--today") from None
    sent = reminders.send_due(today)
    db.session.commit()  # the e-mails go once this commit has stored the notices (app.notifications.delivery)
    people = sum(s.recipients for s in sent)
    click.echo(f"{today.isoformat()}: {len(sent)} reminders of months owed, to {people} people")
    for s in sent:
        click.echo(f"  organisation {s.org_id} {s.period.strftime('%Y-%m')} {s.stage} ({s.recipients} people)")
