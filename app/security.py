"""Password hashing and rules, session loading, CSRF policy and response headers."""
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.extensions import csrf, db, login_manager
from app.tenancy import unscoped

# A few of the passwords every attacker tries first; the length rule catches most others.
COMMON_PASSWORDS = {
    "password123", "password1234", "1234567890", "12345678910", "qwertyuiop", "1qaz2wsx3edc",
    "abc123456789", "iloveyou123", "woaini1314", "a1234567890", "admin12345", "admin123456",
    "qwerty12345", "zaq12wsxcde", "passw0rd123",
}


def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=current_app.config["ARGON2_TIME_COST"],
                          memory_cost=current_app.config["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str, email: str = "", min_length: int = 10) -> list[str]:
    """What is wrong with a new password, as messages (empty when it is acceptable)."""
    problems = []
    if len(password) < min_length:
        problems.append(_l("Use at least %(n)d characters.", n=min_length))
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        problems.append(_l("Use both letters and digits."))
    lowered = password.lower()
    local_part = email.split("@")[0].lower() if email else ""
    if lowered in COMMON_PASSWORDS or (local_part and len(local_part) >= 4 and local_part in lowered):
        problems.append(_l("This password is too easy to guess."))
    return problems


def csrf_checked_by_form(view):
    """Mark a view whose FlaskForm checks the CSRF token itself.

    A stale or missing token then shows as a message above the form, with everything typed
    kept, instead of a bare 400 page. Only for views that act solely after validate_on_submit().
    """
    return csrf.exempt(view)


@login_manager.user_loader
def load_user(user_id: str):
    from app.accounts.models import User

    try:
        uid, version = (int(part) for part in user_id.split("."))
    except ValueError:
        return None
    # The tenancy scope is derived from this user (and its organisation's kind), so this one load is unscoped;
    # the organisation comes in the same query, since every request asks for it.
    user = db.session.get(User, uid, options=[joinedload(User.organisation)],
                          execution_options=unscoped("the signed-in user decides the scope"))
    if user is None or user.session_version != version or not user.active:
        return None
    return user


def _force_password_change():
    if request.path.startswith("/api/"):
        return None  # tokens are credentials of their own; the API answers JSON, never a redirect
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ("accounts.change_password", "accounts.logout",
                                         "accounts.set_language", "static", "bootstrap.static")):
        return redirect(url_for("accounts.change_password"))
    return None


NUL = "\x00"


NUL_MESSAGE = _l("The request contains a NUL character, which no field accepts.")


def has_nul(value) -> bool:
    """Whether a string, or any key or string in a list or dict (a parsed JSON body), holds a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def _refuse_nul_bytes():
    """A NUL character in the path, the query or a form field is refused here, for every route; the API's one
    JSON reader (api.views._json_body) refuses it in a body.

    No legitimate input has one, and PostgreSQL cannot store or compare it (a 500 otherwise).
    """
    from app.core.errors import render_error

    found = (NUL in request.path or has_nul(request.args.to_dict(flat=False))
             or (request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")
                 and (has_nul(request.form.to_dict(flat=False))
                      or any(NUL in (f.filename or "") for f in request.files.values()))))
    if found:
        return render_error(400, NUL_MESSAGE)
    return None


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.after_request(_security_headers)
    app.before_request(_refuse_nul_bytes)
    # Sends a user whose password was reset to the change-password page before anything else.
    app.before_request(_force_password_change)
