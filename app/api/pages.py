"""The web side of the API: a user's tokens (created, shown once, revoked) and the API's reference page."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.forms import ConfirmForm
from app.accounts.roles import PUBLIC, SIGNED_IN, requires
from app.api import tokens
from app.api.forms import TokenForm
from app.core.forms import apply_error
from app.core.service_error import ServiceError
from app.security import csrf_checked_by_form

bp = Blueprint("api_pages", __name__, template_folder="templates")

# The reference page's table: method, path, who may call it, what it does.
ENDPOINTS = [
    ("GET", "/api/v1/me", _l("any token"), _l("The token's user, role and organisation.")),
    ("GET", "/api/v1/sources", _l("enterprise users"),
     _l("Facilities, emission sources (id, category, fuel or material, unit) and products.")),
    ("GET", "/api/v1/filings/{YYYY-MM}", _l("enterprise users"),
     _l("The month's latest filing: status, lines, production, computed emissions, plausibility findings and "
        "the month's comments and replies, oldest first.")),
    ("PUT", "/api/v1/filings/{YYYY-MM}", _l("energy managers and enterprise admins, write scope"),
     _l("Create or replace the draft's lines (and production); 409 when the month is no longer a draft.")),
    ("POST", "/api/v1/filings/{YYYY-MM}/submit", _l("energy managers and enterprise admins, write scope"),
     _l("Submit the draft, with explanations for its plausibility warnings.")),
    ("POST", "/api/v1/filings/{YYYY-MM}/comments", _l("energy managers and enterprise admins, write scope"),
     _l("Reply to the regulator in the month's conversation, on the filing or on one line (source_id); "
        "figures and status stay as they are.")),
    ("POST", "/api/v1/filings/{YYYY-MM}/lab-reports", _l("energy managers and enterprise admins, write scope"),
     _l("Attach a laboratory report (multipart/form-data: the file, the source, the parameters of one sample, the "
        "laboratory and its CMA or CNAS number, the sample number and date) while the month is a draft or returned.")),
    ("GET", "/api/v1/filings/{YYYY-MM}/records", _l("enterprise users"),
     _l("The month's signed submissions: receipt numbers, times and digests.")),
    ("GET", "/api/v1/records/{receipt}.json", _l("the signer, the enterprise's admins and the authority"),
     _l("A copy of record, byte for byte as stored: its SHA-256 is the receipt's digest.")),
    ("GET", "/api/v1/regulator/filings?status=submitted&month=YYYY-MM", _l("authority users"),
     _l("Filings by status and month, a page at a time (page, per_page).")),
    ("GET", "/api/v1/regulator/filings/{id}", _l("authority users"), _l("One filing of any enterprise.")),
    ("POST", "/api/v1/regulator/filings/{id}/approve", _l("regulators and platform admins, write scope"),
     _l("Approve a submitted filing.")),
    ("POST", "/api/v1/regulator/filings/{id}/return", _l("regulators and platform admins, write scope"),
     _l("Return a submitted filing with a comment.")),
    ("GET", "/api/v1/city/index?year=YYYY", _l("authority users"),
     _l("The city index of each month of the year, its sub-indices and the sector totals.")),
    ("GET", "/api/v1/certificates", _l("any token"),
     _l("The certificates the token may see (its own organisation's; every one for the authority).")),
    ("GET", "/api/v1/certificates/{serial}.pdf", _l("the certificate's enterprise and the authority"),
     _l("The issued PDF, byte for byte.")),
    ("GET", "/api/v1/certificates/{serial}", _l("anyone, no token"),
     _l("Public verification: what the certificate states, its status and digest; 404 for an unknown serial.")),
    ("GET", "/api/v1/openapi.json", _l("anyone"), _l("This API as an OpenAPI 3 document.")),
]


def _form(**kwargs) -> TokenForm:
    form = TokenForm(**kwargs)
    allowed = tokens.scopes_for(current_user)  # a viewer's token only reads
    form.scope.choices = [c for c in form.scope.choices if c.value in allowed]
    return form


def _page(form: TokenForm, new_secret: str | None = None, new_token=None):
    return render_template("api/tokens.html", form=form, rows=tokens.tokens_of(current_user),
                           new_secret=new_secret, new_token=new_token, revoke_form=ConfirmForm())


@bp.get("/account/tokens")
@requires(SIGNED_IN)
def token_list():
    return _page(_form(formdata=None))


@bp.post("/account/tokens")
@requires(SIGNED_IN)
@csrf_checked_by_form
def create_token():
    form = _form()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(current_user, form.name.data, form.scope.data)
        except ServiceError as e:
            apply_error(form, e)
        else:
            # Rendered, not redirected: the secret must not travel through the session cookie (flash).
            return _page(_form(formdata=None), new_secret=secret, new_token=token)
    return _page(form)


@bp.post("/account/tokens/<int:token_id>/revoke")
@requires(SIGNED_IN)
def revoke_token(token_id: int):
    token = tokens.own_token(current_user, token_id)
    if token is None:
        abort(404)  # another user's token, in this organisation or any other, is not there for you
    tokens.revoke_token(current_user, token)
    flash(_("The token %(name)s is revoked: requests with it are refused from now on.", name=token.name), "success")
    return redirect(url_for("api_pages.token_list"))


@bp.get("/help/api")
@requires(PUBLIC)
def reference():
    """The API's reference for people: public, it shows no data, only how to call the API."""
    return render_template("api/reference.html", endpoints=ENDPOINTS)
