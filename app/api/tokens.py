"""Creating, revoking and checking personal API tokens. Plain functions that flush; the request commits.

A token is `tanji_` and 43 URL-safe characters (32 random bytes). Being high-entropy, it is stored
as a plain SHA-256 (no slow hash needed, unlike passwords) and looked up by that hash.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.roles import FILE, REVIEW, can
from app.api.models import READ, SCOPES, WRITE, ApiToken
from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.tenancy import unscoped

TOKEN_PREFIX = "tanji_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 6
NAME_MAX = 100
# last_used_at is a hint for the owner, not a log: refreshing it at most once a minute saves a write per request.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_for(user) -> tuple[str, ...]:
    """The scopes `user` may give a token: a write scope for those with anything to write through the API
    (filings, reviews); a viewer's token can only read."""
    return SCOPES if can(user, FILE) or can(user, REVIEW) else (READ,)


def create_token(user, name: str, scope: str, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token of `user` and its secret, which is returned here once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_l("Give the token a name, e.g. the system that will use it."), field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(_l("Use at most %(n)d characters.", n=NAME_MAX), field="name")
    if scope not in scopes_for(user):
        raise ServiceError(_l("Your role cannot give a token this scope."), field="scope")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(org_id=user.org_id, user_id=user.id, name=name, prefix=secret[:PREFIX_SHOWN],
                     token_hash=hash_token(secret), scopes=" ".join((READ, WRITE) if scope == WRITE else (READ,)),
                     created_at=now or utcnow())
    db.session.add(token)
    db.session.flush()
    record("api_token.created", actor=user, obj=token, now=now,
           detail={"name": name, "scopes": token.scopes, "prefix": token.prefix})
    return token, secret


def tokens_of(user) -> list[ApiToken]:
    """The user's own tokens, newest first (the gate alone would show an admin everyone's)."""
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def own_token(user, token_id: int) -> ApiToken | None:
    return db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))


def revoke_token(user, token: ApiToken, now: datetime | None = None) -> None:
    if token.user_id != user.id:
        raise ServiceError(_l("Only the owner revokes a token."))
    if token.revoked_at is not None:
        return
    token.revoked_at = now or utcnow()
    db.session.flush()
    record("api_token.revoked", actor=user, obj=token, now=now, detail={"name": token.name, "prefix": token.prefix})


def revoke_all(user, actor, now: datetime | None = None) -> int:
    """Revoke every live token of `user` (an administrator's password reset), each audited; how many."""
    now = now or utcnow()
    live = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    for token in live:
        token.revoked_at = now
        record("api_token.revoked", actor=actor, obj=token, now=now,
               detail={"name": token.name, "prefix": token.prefix, "reason": "password_reset"})
    db.session.flush()
    return len(live)


def authenticate(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The live token with this secret whose user may still sign in, or None.

    Runs before the request's tenancy scope exists (the scope is derived from its result), so unscoped.
    """
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))
                              .execution_options(**unscoped("the token decides the scope")))
    if token is None or token.revoked_at is not None:
        return None

    user = db.session.get(User, token.user_id, execution_options=unscoped("the token's user decides the scope"))
    if user is None or not user.active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token
