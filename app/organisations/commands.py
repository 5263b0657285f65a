"""flask users create / list.

An account is created in an organisation found by its credit code or name, so the command lives here, above
accounts (which knows nothing of organisations' registry)."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import User
from app.accounts.roles import ALL_ROLES
from app.extensions import db
from app.organisations.services import find_organisation

users_cli = AppGroup("users", help="Create and list user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="Must follow the password rules.")
@click.option("--role", required=True, type=click.Choice(ALL_ROLES))
@click.option("--org", "org_key", required=True, help="Organisation credit code or exact name.")
@click.option("--name", default=None, help="Display name (defaults to the e-mail's local part).")
def create(email, password, role, org_key, name):
    """Create a user in an existing organisation."""
    org = find_organisation(org_key)
    if org is None:
        raise click.ClickException(f"No organisation with credit code or name {org_key!r}.")
    try:
        user = services.create_user(org, email, name or email.split("@")[0], password, role)
    except services.AccountError as e:
        raise click.ClickException(str(e.message)) from None
    db.session.commit()
    click.echo(f"created {user.email} ({user.role}) in {org.name}")


@users_cli.command("list")
def list_users():
    """One line per user: e-mail, role, organisation."""
    for user in db.session.scalars(select(User).join(User.organisation).order_by(User.org_id, User.email)):
        state = "" if user.active else "\tinactive"
        click.echo(f"{user.email}\t{user.role}\t{user.organisation.name}{state}")
