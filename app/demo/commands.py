"""flask demo-data: load the demo city 锦湾市 through the services, skipping what already exists."""
from collections import Counter

import click
from sqlalchemy import select

from app.accounts.models import Invitation, User
from app.accounts.services import create_invitation
from app.audit.services import record
from app.core.types import utcnow
from app.demo import city
from app.extensions import db
from app.organisations.models import AUTHORITY, Organisation
from app.organisations.services import create_authority, register_enterprise
from app.security import hash_password


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Do nothing if any organisation already exists.")
def demo_data(if_empty):
    """Load the demo city (idempotent)."""
    if if_empty and db.session.scalar(select(Organisation.id).limit(1)) is not None:
        click.echo("Organisations already exist: demo data not loaded.")
        return
    loader = DemoLoader()
    for seed in city.timeline(utcnow()):
        loader.apply(seed)
    db.session.commit()
    _echo_summary(loader.counts)


class DemoLoader:
    """Replays the seeds; keys are credit codes and e-mails, so a second run only skips."""

    def __init__(self):
        self.orgs = {org.credit_code: org for org in db.session.scalars(select(Organisation))}
        self.users = {user.email: user for user in db.session.scalars(select(User))}
        self.created_users = set()
        self.counts = Counter()
        self._password_hash = None

    def apply(self, seed) -> None:
        handler = {city.OrgSeed: self.org, city.UserSeed: self.user,
                   city.InvitationSeed: self.invitation, city.SignInSeed: self.sign_in}[type(seed)]
        handler(seed)

    def org(self, seed: city.OrgSeed) -> None:
        if seed.credit_code in self.orgs:
            self.counts["organisations present"] += 1
            return
        if seed.kind == AUTHORITY:
            org = create_authority(now=seed.at, **seed.fields)
        else:
            org = register_enterprise(self.users["regulator@jinwan.gov.cn"], seed.fields, now=seed.at)
        self.orgs[org.credit_code] = org
        self.counts["organisations created"] += 1

    def user(self, seed: city.UserSeed) -> None:
        if seed.email in self.users:
            self.counts["users present"] += 1
            return
        # Built directly rather than by create_user: one password hash for all keeps the command fast.
        user = User(org_id=self.orgs[seed.credit_code].id, email=seed.email, name=seed.name, role=seed.role,
                    password_hash=self.password_hash, password_changed_at=seed.at, created_at=seed.at)
        db.session.add(user)
        db.session.flush()
        record("user.created", actor=self.users.get(seed.created_by), obj=user,
               detail={"email": user.email, "role": user.role}, now=seed.at)
        self.users[user.email] = user
        self.created_users.add(user.email)
        self.counts["users created"] += 1

    def invitation(self, seed: city.InvitationSeed) -> None:
        org = self.orgs[seed.credit_code]
        invited = db.session.scalar(select(Invitation.id).where(Invitation.org_id == org.id,
                                                                Invitation.email == seed.email))
        if seed.email in self.users or invited is not None:
            self.counts["invitations present"] += 1
            return
        create_invitation(self.users[seed.invited_by], org, seed.email, seed.role, now=seed.at)
        self.counts["invitations created"] += 1

    def sign_in(self, seed: city.SignInSeed) -> None:
        if seed.email not in self.created_users:
            return  # an account that was already there keeps its own history
        user = self.users[seed.email]
        user.last_login_at = seed.at
        record("auth.signed_in", actor=user, obj=user, now=seed.at)

    @property
    def password_hash(self) -> str:
        if self._password_hash is None:
            self._password_hash = hash_password(city.PASSWORD)
        return self._password_hash


def _echo_summary(counts: Counter) -> None:
    for thing in ("organisations", "users", "invitations"):
        click.echo(f"{thing}: {counts[thing + ' created']} created, {counts[thing + ' present']} already present")
    click.echo(f"\nDemo sign-ins (password {city.PASSWORD}):")
    for email, role, org in city.demo_sign_ins():
        click.echo(f"  {email:<28} {role:<17} {org}")
