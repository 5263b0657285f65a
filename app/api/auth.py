"""Who is calling /api/: the Bearer token names the user, never a session cookie.

This hook runs first of all before-request hooks (create_app registers it before the rate limiter,
the security hooks and the tenancy gate), so `current_user` of an API request is the token's user
and the tenancy scope derived from it applies unchanged. A browser session is ignored here, so a
cross-site request riding on cookies is simply anonymous: the API needs no CSRF token.
"""
from flask import Flask, current_app, g, request

from app.api import tokens
from app.api.errors import API_PREFIX
from app.extensions import db


MAX_BODY_BYTES = 1024 * 1024
FORM_FIELDS_BYTES = 64 * 1024  # an upload's form fields and multipart boundaries besides its file


def body_limit() -> int:
    """The body a request may send: 1 MB, or, from a known token to an upload route (a view marked `api_upload`) as
    multipart/form-data, an evidence file of at most EVIDENCE_MAX_BYTES with its form fields."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "api_upload", False) and request.mimetype == "multipart/form-data" and current_token():
        return current_app.config["EVIDENCE_MAX_BYTES"] + FORM_FIELDS_BYTES
    return MAX_BODY_BYTES


def _authenticate_api_request() -> None:
    if not request.path.startswith(API_PREFIX):
        return
    # The API's body limit, set first, so that it bounds every reading of the body, also the central NUL check's
    # of a form (app.security): Werkzeug stops one byte past it, a chunked body too (api.views._body_size).
    request.max_content_length = MAX_BODY_BYTES + 1
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    bearer = scheme.lower() == "bearer" and bool(secret.strip())
    token = tokens.authenticate(secret.strip()) if bearer else None
    g.api_token_sent = bearer
    g.api_token = token
    request.max_content_length = body_limit() + 1  # an upload's larger limit only once its token is known
    if token is not None and token in db.session.dirty:
        db.session.commit()  # last_used_at in its own small transaction: kept even when the request then fails
    # What flask_login.login_user does for the request, without touching the session.
    current_app.login_manager._update_request_context_with_user(token.user if token else None)


def current_token():
    return g.get("api_token")


def init_app(app: Flask) -> None:
    app.before_request(_authenticate_api_request)
