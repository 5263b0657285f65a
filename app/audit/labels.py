"""Readable names of audit actions; an unknown action shows its code."""
from flask_babel import lazy_gettext as _l

LABELS = {
    "auth.signed_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "auth.sign_in_refused": _l("Sign-in refused"),
    "auth.account_locked": _l("Account locked after failed sign-ins"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_reset": _l("Password reset by an administrator"),
    "user.created": _l("Account created"),
    "user.activated": _l("Account activated"),
    "user.deactivated": _l("Account deactivated"),
    "invitation.created": _l("Invitation created"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.revoked": _l("Invitation withdrawn"),
    "organisation.registered": _l("Organisation registered"),
    "organisation.updated": _l("Organisation profile changed"),
}


def audit_label(action: str) -> str:
    return LABELS.get(action, action)


def audit_detail(detail: dict | None) -> str:
    """A short readable line for an event's detail: `field: old → new` for changes, `key: value` otherwise."""
    if not detail:
        return ""
    from app.accounts.roles import ROLES

    parts = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            parts += [f"{field}: {old or '—'} → {new or '—'}" for field, (old, new) in value.items()]
        elif key == "role" and value in ROLES:
            parts.append(str(ROLES[value].label))
        else:
            parts.append(f"{key}: {value}")
    return " · ".join(parts)
