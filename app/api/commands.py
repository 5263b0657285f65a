"""flask api-token create EMAIL --scope read|write [--name NAME] / revoke TOKEN_ID."""
import click
from flask.cli import AppGroup

from app.accounts.services import find_user_by_email, normalise_email
from app.api import tokens
from app.api.models import SCOPES, ApiToken
from app.core.service_error import ServiceError
from app.extensions import db

api_token_cli = AppGroup("api-token", help="Create and revoke personal API tokens.")


@api_token_cli.command("create")
@click.argument("email")
@click.option("--scope", type=click.Choice(SCOPES), default="read", show_default=True)
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
def create(email, scope, name):
    """Create a token for the user with EMAIL and print it (shown once; only its hash is stored)."""
    user = find_user_by_email(normalise_email(email))
    if user is None:
        raise click.ClickException(f"No user with e-mail {email!r}.")
    if not user.active:
        raise click.ClickException(f"{email} is deactivated.")
    try:
        _token, secret = tokens.create_token(user, name, scope)
    except ServiceError as e:
        raise click.ClickException(str(e.message)) from None
    db.session.commit()
    click.echo(secret)


@api_token_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id):
    """Revoke a token by its id."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token {token_id}.")
    tokens.revoke_token(token.user, token)
    db.session.commit()
    click.echo(f"revoked {token.prefix}… ({token.name}) of {token.user.email}")
