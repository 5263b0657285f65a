"""Accounts: sign-in with lock-out, invitations, passwords. Plain functions: they flush, never commit."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import contains_eager

from app.accounts.models import Invitation, SignInThrottle, User
from app.accounts.roles import ROLES, can_manage_user, invitable_roles
from app.accounts.signals import password_reset
from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.security import hash_password, needs_rehash, password_problems, verify_password


class AccountError(ServiceError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


USERS_PER_PAGE = 50


@dataclass
class UserFilter:
    """What the user administration lists: text in the name or e-mail, text in the organisation's name (or
    its credit code), one organisation, one role, and active or deactivated accounts."""
    q: str = ""
    organisation: str = ""
    org_id: int | None = None
    role: str = ""
    status: str = ""  # "", "active" or "inactive"


@dataclass
class UserPage:
    users: list
    total: int
    page: int
    pages: int


def list_users(filters: UserFilter | None = None, page: int = 1, per_page: int = USERS_PER_PAGE) -> UserPage:
    """The accounts the gate lets the reader see (an enterprise admin: their own staff; the authority: everyone),
    filtered, a page at a time, each with its organisation."""
    f = filters or UserFilter()
    org = User.organisation.property.mapper.class_  # the organisations layer sits above this one
    query = select(User).join(User.organisation)
    if f.q.strip():
        text = f.q.strip()
        query = query.where(or_(User.name.icontains(text, autoescape=True),
                                User.email.icontains(text, autoescape=True)))
    if f.organisation.strip():
        text = f.organisation.strip()
        query = query.where(or_(org.name.icontains(text, autoescape=True),
                                org.name_en.icontains(text, autoescape=True),
                                org.credit_code.icontains(text, autoescape=True)))
    if f.org_id is not None:
        query = query.where(User.org_id == f.org_id)
    if f.role in ROLES:
        query = query.where(User.role == f.role)
    if f.status in ("active", "inactive"):
        query = query.where(User.active.is_(f.status == "active"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    users = db.session.scalars(query.options(contains_eager(User.organisation))
                               .order_by(org.kind, User.org_id, User.email)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return UserPage(users, total, page, pages)


def check_new_password(password: str, email: str) -> None:
    problems = password_problems(password, email, current_app.config["PASSWORD_MIN_LENGTH"])
    if problems:
        raise AccountError(" ".join(str(p) for p in problems), field="password")


# --- sign-in ------------------------------------------------------------------------------

@dataclass
class SignInResult:
    user: User | None
    error: str | None = None  # "invalid", "locked", "inactive"
    locked_until: datetime | None = None


def authenticate(email: str, password: str, now: datetime | None = None, address: str = "") -> SignInResult:
    """Check a password. Failures are counted per e-mail and address (`address`: the client's), and the pair is
    refused for a while after too many: never the account itself, so a stranger cannot lock its owner out.

    An unknown e-mail is answered exactly as a known one with a wrong password, throttle included.
    """
    now = now or utcnow()
    email = normalise_email(email)
    throttle = db.session.scalar(select(SignInThrottle).where(SignInThrottle.email == email,
                                                              SignInThrottle.address == address))
    if throttle is not None and throttle.blocked_until and throttle.blocked_until > now:
        verify_password(_dummy_hash(), password)  # the same time as any other answer
        return SignInResult(None, "locked", throttle.blocked_until)
    user = find_user_by_email(email)
    if user is None:
        # Verify against a dummy hash so an unknown e-mail takes as long as a wrong password.
        verify_password(_dummy_hash(), password)
        record("auth.sign_in_failed", detail={"email": email, "reason": "unknown e-mail"}, now=now)
        return _failed(throttle, email, address, None, now)
    if user.locked_until and user.locked_until > now:  # wrong signing passwords in a session (app.signing)
        verify_password(_dummy_hash(), password)
        record("auth.sign_in_refused", obj=user, detail={"reason": "locked"}, now=now)
        return SignInResult(None, "locked", user.locked_until)
    if not verify_password(user.password_hash, password):
        record("auth.sign_in_failed", obj=user, detail={"failures": (throttle.failures if throttle else 0) + 1},
               now=now)
        return _failed(throttle, email, address, user, now)
    if not user.active or not user.organisation.active:
        record("auth.sign_in_refused", obj=user, detail={"reason": "inactive"}, now=now)
        return SignInResult(None, "inactive")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if throttle is not None:
        db.session.delete(throttle)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record("auth.signed_in", actor=user, obj=user, now=now)
    return SignInResult(user)


def _failed(throttle: SignInThrottle | None, email: str, address: str, user: User | None,
            now: datetime) -> SignInResult:
    """Count one failure of the e-mail from the address; the last allowed one starts the pause."""
    config = current_app.config
    if throttle is None:
        throttle = SignInThrottle(email=email, address=address, failures=0, first_failed_at=now)
        db.session.add(throttle)
    elif throttle.first_failed_at + config["LOGIN_LOCKOUT"] <= now:  # an old run of failures is forgotten
        throttle.failures, throttle.first_failed_at, throttle.blocked_until = 0, now, None
    throttle.failures += 1
    if throttle.failures < config["LOGIN_MAX_FAILURES"]:
        return SignInResult(None, "invalid")
    throttle.blocked_until = now + config["LOGIN_LOCKOUT"]
    throttle.failures, throttle.first_failed_at = 0, now
    record("auth.sign_in_throttled", obj=user, now=now,
           detail={"email": email, "address": address, "until": throttle.blocked_until.isoformat()})
    return SignInResult(None, "locked", throttle.blocked_until)


def _dummy_hash() -> str:
    config = current_app.config
    key = (config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"])
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hash_password(secrets.token_hex(16))
    return _DUMMY_HASHES[key]


_DUMMY_HASHES: dict[tuple, str] = {}


# --- passwords ----------------------------------------------------------------------------

def _set_password(user: User, password: str, now: datetime) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.session_version += 1  # ends every other session and remember-me cookie
    user.failed_logins = 0
    user.locked_until = None


def change_password(user: User, current_password: str, new_password: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_l("Your current password is not correct."), field="current_password")
    if current_password == new_password:
        raise AccountError(_l("Choose a password different from the current one."), field="password")
    check_new_password(new_password, user.email)
    _set_password(user, new_password, now)
    user.must_change_password = False
    record("auth.password_changed", actor=user, obj=user, now=now)


def reset_password(actor: User, user: User, now: datetime | None = None) -> str:
    """Give `user` a one-time temporary password, returned to show once to the admin.

    The user must choose a new password at their next sign-in; their sessions end now.
    """
    now = now or utcnow()
    temporary = _temporary_password()
    _set_password(user, temporary, now)
    user.must_change_password = True
    # The owner can sign in with the temporary password at once, wherever failures paused the sign-in.
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.email == user.email))
    record("auth.password_reset", actor=actor, obj=user, now=now)
    password_reset.send(user, actor=actor, now=now)  # the API revokes the user's tokens
    return temporary


def _temporary_password() -> str:
    # Letters and digits guaranteed, no look-alike characters, readable over the phone.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ"
    digits = "23456789"
    core = "".join(secrets.choice(alphabet + digits) for _ in range(10))
    return core[:5] + secrets.choice(digits) + core[5:] + secrets.choice(alphabet)


def set_user_active(actor: User, user: User, active: bool, now: datetime | None = None) -> None:
    """Deactivate (the account's sessions end at once; its API tokens stop working) or reactivate an account."""
    if not can_manage_user(actor, user):
        raise AccountError(_l("You may not change this account."))
    if user.active == active:
        raise AccountError(_l("This account is active already.") if active
                           else _l("This account is deactivated already."))
    user.active = active
    if not active:
        user.session_version += 1
    record("user.activated" if active else "user.deactivated", actor=actor, obj=user, now=now,
           detail={"email": user.email})


# --- users and invitations ------------------------------------------------------------------

def create_user(org, email: str, name: str, password: str, role: str, *, actor=None,
                check_password: bool = True, now: datetime | None = None) -> User:
    now = now or utcnow()
    email = normalise_email(email)
    if role not in ROLES or org.kind not in ROLES[role].org_kinds:
        raise AccountError(_l("This role does not exist in this kind of organisation."), field="role")
    if find_user_by_email(email) is not None:
        raise AccountError(_l("An account with this e-mail already exists."), field="email")
    if check_password:
        check_new_password(password, email)
    user = User(org_id=org.id, email=email, name=name.strip(), role=role,
                password_hash=hash_password(password), password_changed_at=now, created_at=now)
    db.session.add(user)
    db.session.flush()
    record("user.created", actor=actor, obj=user, detail={"email": email, "role": role}, now=now)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(actor: User, org, email: str, role: str, now: datetime | None = None) -> tuple[Invitation, str]:
    """Invite a person into `org`; returns the invitation and the token for the one-time link."""
    now = now or utcnow()
    email = normalise_email(email)
    if role not in invitable_roles(actor, org):
        raise AccountError(_l("You may not invite this role into this organisation."), field="role")
    if find_user_by_email(email) is not None:
        raise AccountError(_l("An account with this e-mail already exists."), field="email")
    for pending in db.session.scalars(select(Invitation).where(
            Invitation.org_id == org.id, Invitation.email == email,
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))):
        pending.revoked_at = now  # a new link replaces any older one for the same person
    token = secrets.token_urlsafe(32)
    invitation = Invitation(org_id=org.id, email=email, role=role, token_hash=_token_hash(token),
                            created_by_id=actor.id, created_at=now,
                            expires_at=now + current_app.config["INVITATION_VALID_FOR"])
    db.session.add(invitation)
    db.session.flush()
    record("invitation.created", actor=actor, obj=invitation, detail={"email": email, "role": role}, now=now)
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))


def invitation_problem(invitation: Invitation | None, now: datetime | None = None) -> str | None:
    now = now or utcnow()
    if invitation is None:
        return _l("This invitation link is not valid. Ask for a new one.")
    status = invitation.status(now)
    if status == "accepted":
        return _l("This invitation has already been used. Sign in with the account it created.")
    if status == "revoked":
        return _l("This invitation was withdrawn. Ask for a new one.")
    if status == "expired":
        return _l("This invitation has expired. Ask the person who invited you for a new link.")
    return None


def accept_invitation(invitation: Invitation, name: str, password: str, now: datetime | None = None) -> User:
    now = now or utcnow()
    problem = invitation_problem(invitation, now)
    if problem:
        raise AccountError(problem)
    user = create_user(invitation.organisation, invitation.email, name, password, invitation.role, now=now)
    invitation.accepted_at = now
    invitation.accepted_user_id = user.id
    record("invitation.accepted", actor=user, obj=invitation, now=now)
    return user


def revoke_invitation(actor: User, invitation: Invitation, now: datetime | None = None) -> None:
    now = now or utcnow()
    if invitation.status(now) != "pending":
        raise AccountError(_l("Only a pending invitation can be withdrawn."))
    invitation.revoked_at = now
    record("invitation.revoked", actor=actor, obj=invitation, now=now)
