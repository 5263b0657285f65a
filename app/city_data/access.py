"""The city's pages (city data, the index, scenarios) are the authority's.

READ_CITY names roles, and the viewer role exists in enterprises too: so each city blueprint also refuses,
before any of its views, a signed-in user whose organisation is not the authority.
"""
from flask import abort, request
from flask_login import current_user

from app.extensions import csrf
from app.organisations.models import AUTHORITY


def authority_only() -> None:
    """403 for a signed-in user outside the authority (a refused POST has its CSRF token checked first, as
    `requires` does); anyone not signed in is left to the route's `@requires`."""
    if current_user.is_authenticated and current_user.organisation.kind != AUTHORITY:
        if request.method not in ("GET", "HEAD"):
            csrf.protect()
        abort(403)
