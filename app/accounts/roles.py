"""The six roles, which organisation kinds may hold them, and who may invite whom."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

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
    """Reset passwords and (de)activate: the platform admin anywhere, an enterprise admin at home."""
    if actor.id == user.id:
        return False
    if actor.role == PLATFORM_ADMIN:
        return True
    return actor.role == ENTERPRISE_ADMIN and user.org_id == actor.org_id
