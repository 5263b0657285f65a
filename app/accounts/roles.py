"""The six roles, which organisation kinds may hold them, who may invite whom, and the capabilities
(what a route allows) with the one decorator every route declares its capability with."""
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import csrf

PLATFORM_ADMIN = "platform_admin"
REGULATOR = "regulator"
ENTERPRISE_ADMIN = "enterprise_admin"
ENERGY_MANAGER = "energy_manager"
VIEWER = "viewer"
VERIFIER = "verifier"

AUTHORITY_ROLES = (PLATFORM_ADMIN, REGULATOR)
ENTERPRISE_ROLES = (ENTERPRISE_ADMIN, ENERGY_MANAGER)
ALL_ROLES = (PLATFORM_ADMIN, REGULATOR, ENTERPRISE_ADMIN, ENERGY_MANAGER, VIEWER, VERIFIER)


@dataclass(frozen=True)
class RoleInfo:
    code: str
    label: str
    org_kinds: tuple[str, ...]
    description: str


ROLES = {
    PLATFORM_ADMIN: RoleInfo(PLATFORM_ADMIN, _l("Platform admin"), ("authority",),
                             _l("Runs the platform: all organisations and accounts.")),
    REGULATOR: RoleInfo(REGULATOR, _l("Regulator"), ("authority",),
                        _l("Registers enterprises, reviews filings, reads the city index.")),
    ENTERPRISE_ADMIN: RoleInfo(ENTERPRISE_ADMIN, _l("Enterprise admin"), ("enterprise",),
                               _l("Manages the enterprise's profile, staff and sources.")),
    ENERGY_MANAGER: RoleInfo(ENERGY_MANAGER, _l("Energy manager"), ("enterprise",),
                             _l("Files monthly activity data.")),
    VIEWER: RoleInfo(VIEWER, _l("Read-only viewer"), ("enterprise", "authority"),
                     _l("Reads everything their organisation may see, changes nothing.")),
    VERIFIER: RoleInfo(VERIFIER, _l("Verifier"), ("verifier",),
                       _l("Verifies the annual emissions of the enterprises assigned to the body.")),
}


def roles_for_kind(kind: str) -> list[str]:
    return [code for code, info in ROLES.items() if kind in info.org_kinds]


def invitable_roles(actor, org) -> list[str]:
    """Roles `actor` may invite into `org`; empty when they may not invite there at all."""
    if actor.role == PLATFORM_ADMIN:
        return roles_for_kind(org.kind)
    if actor.role == REGULATOR and org.kind == "enterprise":
        return [ENTERPRISE_ADMIN]  # the first admin; the enterprise invites its own staff
    if actor.role in (REGULATOR, VERIFIER) and org.kind == "verifier" and (
            actor.role == REGULATOR or org.id == actor.org_id):
        return [VERIFIER]  # the regulator accredits the body; its verifiers invite colleagues
    if actor.role == ENTERPRISE_ADMIN and org.id == actor.org_id:
        return roles_for_kind(org.kind)
    return []


def can_manage_user(actor, user) -> bool:
    """Reset passwords and (de)activate: the platform admin anywhere, the regulator any account but a platform
    admin's (who runs the platform and must not be locked out by it), an enterprise admin at home; never oneself."""
    if actor.id == user.id:
        return False
    if actor.role == PLATFORM_ADMIN:
        return True
    if actor.role == REGULATOR:
        return user.role != PLATFORM_ADMIN
    return actor.role == ENTERPRISE_ADMIN and user.org_id == actor.org_id


# --- capabilities: what a route allows, named once ------------------------------------------------------
# Every web and API route declares one with `@requires(...)`; a test fails on a route without one. Object
# rules (only a draft is editable, only the signers an admin allowed may sign) stay beside the state machine.

@dataclass(frozen=True)
class Capability:
    name: str
    roles: frozenset[str] | None  # None: no role needed (PUBLIC, SIGNED_IN)
    signed_in: bool = True
    org_kinds: frozenset[str] | None = None  # the viewer role exists in enterprises too: say whose it is

    def allows(self, user) -> bool:
        if not self.signed_in:
            return True
        if user is None or not user.is_authenticated:
            return False
        if self.roles is not None and user.role not in self.roles:
            return False
        return self.org_kinds is None or user.organisation.kind in self.org_kinds


def _cap(name: str, *roles: str, of: tuple[str, ...] | None = None) -> Capability:
    return Capability(name, frozenset(roles), org_kinds=frozenset(of) if of else None)


AUTHORITY_ONLY = ("authority",)


PUBLIC = Capability("public", None, signed_in=False)  # anyone, signed in or not (sign-in, /verify, health)
SIGNED_IN = Capability("signed_in", None)  # any signed-in user; the tenancy gate decides what they see

FILE = _cap("file", ENERGY_MANAGER, ENTERPRISE_ADMIN)  # monthly filings, imports, answers to findings
SIGN = _cap("sign", ENERGY_MANAGER, ENTERPRISE_ADMIN)  # submit (a signature); users.may_sign is checked too
ADMINISTER_ENTERPRISE = _cap("administer_enterprise", ENTERPRISE_ADMIN)  # register, who may sign
MANAGE_USERS = _cap("manage_users", PLATFORM_ADMIN, REGULATOR, ENTERPRISE_ADMIN)  # reset, (de)activate accounts
EDIT_ORGANISATION = _cap("edit_organisation", PLATFORM_ADMIN, ENTERPRISE_ADMIN)  # an organisation's profile
INVITE = _cap("invite", PLATFORM_ADMIN, REGULATOR, ENTERPRISE_ADMIN)  # invite, revoke, list accounts
READ_AUDIT = _cap("read_audit", PLATFORM_ADMIN, REGULATOR, ENTERPRISE_ADMIN)
RECALCULATE = _cap("recalculate", PLATFORM_ADMIN, REGULATOR, ENTERPRISE_ADMIN)  # a stored calculation anew
RECORD_ASSETS = _cap("record_assets", PLATFORM_ADMIN, REGULATOR, ENTERPRISE_ADMIN)  # ledger entries
# The authority's own (the viewer role exists in enterprises too, hence the organisation kind):
READ_CITY = _cap("read_city", PLATFORM_ADMIN, REGULATOR, VIEWER, of=AUTHORITY_ONLY)  # every enterprise, the city
REVIEW = _cap("review", PLATFORM_ADMIN, REGULATOR, of=AUTHORITY_ONLY)  # approve/return filings, confirm verifications
CERTIFY = _cap("certify", PLATFORM_ADMIN, REGULATOR, of=AUTHORITY_ONLY)  # issue and revoke certificates
# factors, settings, city data, scenarios, registering enterprises and verification bodies:
ADMINISTER_CITY = _cap("administer_city", PLATFORM_ADMIN, REGULATOR, of=AUTHORITY_ONLY)
VERIFY = _cap("verify", VERIFIER)  # findings and opinions of an assigned verification body

CAPABILITIES = {c.name: c for c in (
    PUBLIC, SIGNED_IN, FILE, SIGN, ADMINISTER_ENTERPRISE, MANAGE_USERS, EDIT_ORGANISATION, INVITE, READ_AUDIT,
    RECALCULATE, RECORD_ASSETS, READ_CITY, REVIEW, CERTIFY, ADMINISTER_CITY, VERIFY)}


def can(user, capability: Capability) -> bool:
    return capability.allows(user)


def refuse():
    """403 for a signed-in user the route or an object rule does not allow. A form POST is first checked for
    its CSRF token (400 if forged), as on every form, so a forged cross-site POST learns nothing about roles."""
    if request.method not in ("GET", "HEAD") and request.blueprint != "api":
        csrf.protect()
    abort(403)


def requires(capability: Capability, *, to_read: Capability | None = None):
    """Declare what a route allows; anyone else gets 403 (401/sign-in page when not signed in).

    `to_read`: a lesser capability that is enough for GET and HEAD (a form page others may look at).
    A refused POST is first checked for its CSRF token (400 if forged), as on every form, so a forged
    cross-site POST learns nothing about roles, also on views whose form checks its own token.
    """
    if not isinstance(capability, Capability) or (to_read is not None and not isinstance(to_read, Capability)):
        raise TypeError("requires() takes capabilities of app.accounts.roles")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            reading = request.method in ("GET", "HEAD")
            needed = to_read if reading and to_read is not None else capability
            if needed.allows(current_user):
                return view(*args, **kwargs)
            if not current_user.is_authenticated:
                if request.blueprint == "api":
                    abort(401)
                return current_app.login_manager.unauthorized()
            refuse()

        wrapped.capability = capability
        wrapped.read_capability = to_read
        return wrapped

    return decorator
