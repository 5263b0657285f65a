"""Sign-in, passwords, language, invitations and user administration."""
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from app.accounts import services
from app.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmForm,
    LanguageForm,
    LoginForm,
    UserFilterForm,
)
from app.accounts.models import Invitation, User
from app.accounts.roles import (
    ALL_ROLES,
    INVITE,
    MANAGE_USERS,
    PUBLIC,
    ROLES,
    SIGNED_IN,
    can_manage_user,
    invitable_roles,
    requires,
    roles_for_kind,
)
from app.core.edge import roll_back
from app.core.forms import apply_error
from app.core.types import utcnow
from app.extensions import db, limiter
from app.security import csrf_checked_by_form
from app.tenancy import acting_on, get_or_404, public_lookup

bp = Blueprint("accounts", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so a link cannot send a user elsewhere after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@csrf_checked_by_form
@requires(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        with public_lookup():  # failures are counted and audited, success starts the session
            result = services.authenticate(form.email.data, form.password.data, address=request.remote_addr or "")
            if result.user:
                _start_session(result.user, remember=form.remember.data)
            else:
                # Flushed while the gate lets the anonymous writes through; a refused sign-in is a 200
                # page, so the edge commits the counted failure (and any lock-out) with it.
                db.session.flush()
        if result.user:
            flash(_("Welcome, %(name)s.", name=result.user.name), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        if result.error == "locked":
            form.email.errors.append(_("Too many failed sign-ins with this e-mail from your address: try again "
                                       "after %(time)s, or ask your administrator to reset your password.",
                                       time=format_datetime(result.locked_until, "HH:mm")))
        elif result.error == "inactive":
            form.email.errors.append(_("This account has been deactivated. Ask your administrator."))
        else:
            form.password.errors.append(_("The e-mail or the password is not correct."))
    return render_template("accounts/login.html", form=form)


def _start_session(user: User, remember: bool = False) -> None:
    """A fresh session at sign-in (no fixation) that keeps the language chosen while signed out."""
    # Only a choice made on this visit before signing in; not one left by the previous user.
    chosen = session.get("locale") if session.get("locale_picked_signed_out") else None
    session.clear()
    if user.locale is None and chosen:
        user.locale = chosen  # the first choice a person makes becomes theirs
    db.session.flush()  # callers are inside public_lookup(): write before the signed-in scope applies
    login_user(user, remember=remember)
    session["locale"] = user.locale


@bp.post("/logout")
@requires(SIGNED_IN)
def logout():
    # A saved copy of the session cookie (or a remember-me cookie) must not work after signing out:
    # the cookie names the session version, so moving it on ends this and every other session of the user.
    current_user.session_version += 1
    logout_user()
    session.pop("_fresh", None)
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.AccountError as e:
            apply_error(form, e)
        else:
            login_user(current_user._get_current_object())  # the session id carries the new version
            flash(_("Your password has been changed. Other sessions have been signed out."), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/change_password.html", form=form)


@bp.post("/language")
@requires(PUBLIC)
def set_language():
    form = LanguageForm()
    locale = form.locale.data if form.locale.data in current_app.config["LANGUAGES"] else None
    if form.validate_on_submit() and locale:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
        else:
            session["locale_picked_signed_out"] = True
    return redirect(_safe_next(form.next.data) or url_for("home.index"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@csrf_checked_by_form
@requires(PUBLIC)
def accept_invitation(token: str):
    if current_user.is_authenticated:
        flash(_("You are signed in already. Sign out to accept an invitation for another account."), "warning")
        return redirect(url_for("home.index"))
    form = AcceptInvitationForm()
    with public_lookup():
        invitation = services.find_invitation(token)
        problem = services.invitation_problem(invitation)
        if problem:
            return render_template("accounts/invitation_invalid.html", problem=problem), 410 if invitation else 404
        if form.validate_on_submit():
            try:
                user = services.accept_invitation(invitation, form.name.data, form.password.data)
            except services.AccountError as e:
                apply_error(form, e)
            else:
                _start_session(user)
                flash(_("Welcome to Tanji, %(name)s. Your account is ready.", name=user.name), "success")
                return redirect(url_for("home.index"))
        return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.post("/invitations/<int:invitation_id>/revoke")
@requires(INVITE)
def revoke_invitation(invitation_id: int):
    invitation = get_or_404(Invitation, invitation_id)
    if invitation.role not in invitable_roles(current_user, invitation.organisation):
        abort(403)
    try:
        with acting_on(invitation.org_id):
            services.revoke_invitation(current_user, invitation)
    except services.AccountError as e:
        roll_back()  # shown on the redirect: nothing of it is kept
        flash(str(e.message), "warning")
    else:
        flash(_("The invitation for %(email)s was withdrawn.", email=invitation.email), "success")
    return redirect(url_for("organisations.show", org_id=invitation.org_id))


@bp.get("/users")
@requires(INVITE)
def users():
    """The accounts the reader may see (the gate: an enterprise admin their own staff, the authority everyone),
    searched and filtered; the actions open a confirmation page first."""
    authority = current_user.organisation.kind == "authority"
    filter_form = UserFilterForm(request.args)
    filter_form.role.choices = [SelectChoice("", _("All roles"))] + [
        SelectChoice(code, ROLES[code].label) for code in (ALL_ROLES if authority else roles_for_kind("enterprise"))]
    filters = services.UserFilter(q=(filter_form.q.data or "")[:100],
                                  organisation=(filter_form.organisation.data or "")[:100] if authority else "",
                                  org_id=request.args.get("org_id", type=int),
                                  role=filter_form.role.data or "", status=filter_form.status.data or "")
    result = services.list_users(filters, page=request.args.get("page", 1, type=int))
    only_org = None
    if filters.org_id is not None and result.users:
        only_org = result.users[0].organisation
    return render_template("accounts/users.html", result=result, filter_form=filter_form, authority=authority,
                           only_org=only_org, org_id=filters.org_id, filtered=any((filters.q, filters.organisation, filters.org_id,
                                                           filters.role, filters.status)),
                           can_manage=lambda u: can_manage_user(current_user, u), form=ConfirmForm(),
                           back=request.full_path.rstrip("?"))


def _managed_user(user_id: int) -> User:
    user = get_or_404(User, user_id)  # another tenant's account is a 404, as a missing one
    if not can_manage_user(current_user, user):
        abort(403)
    return user


def _back() -> str:
    """Where an action returns to: the list as the admin left it (filters and page), or the plain list."""
    return _safe_next(request.values.get("next")) or url_for("accounts.users")


# Each action is two steps that work without JavaScript: GET shows what will happen, POST does it.
ACTIONS = {
    "reset": (_l("Reset the password of %(name)s?"),
              _l("%(email)s gets a temporary password, shown to you once, and must choose a new password at the "
                 "next sign-in. Their open sessions end and their API tokens are revoked."),
              _l("Reset the password")),
    "deactivate": (_l("Deactivate %(name)s?"),
                   _l("%(email)s can no longer sign in; their open sessions end at once and their API tokens stop "
                      "working. Their filings, signatures and the audit trail stay as they are. You can reactivate "
                      "the account later."),
                   _l("Deactivate the account")),
    "activate": (_l("Reactivate %(name)s?"),
                 _l("%(email)s can sign in again with their password, with the same role as before."),
                 _l("Reactivate the account")),
}


def _confirm(user: User, action: str, endpoint: str):
    title, explanation, button = ACTIONS[action]
    return render_template("accounts/confirm_user_action.html", user=user, action=action, endpoint=endpoint,
                           title=str(title) % {"name": user.name}, explanation=str(explanation) % {"email": user.email},
                           button=button, form=ConfirmForm(), back=_back())


@bp.route("/users/<int:user_id>/reset-password", methods=["GET", "POST"])
@requires(MANAGE_USERS)
def reset_password(user_id: int):
    user = _managed_user(user_id)
    if request.method == "GET":
        return _confirm(user, "reset", "accounts.reset_password")
    with acting_on(user.org_id):
        temporary = services.reset_password(current_user, user)
    return render_template("accounts/password_reset.html", user=user, temporary=temporary, back=_back())


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@requires(MANAGE_USERS)
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/activate", methods=["GET", "POST"])
@requires(MANAGE_USERS)
def activate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = _managed_user(user_id)
    if request.method == "GET":
        if user.active == active:  # a stale link: nothing to confirm
            return redirect(_back())
        return _confirm(user, "activate" if active else "deactivate",
                        "accounts.activate" if active else "accounts.deactivate")
    try:
        with acting_on(user.org_id):
            services.set_user_active(current_user, user, active)
    except services.AccountError as e:
        roll_back()
        flash(str(e.message), "warning")
    else:
        flash(_("%(email)s can sign in again.", email=user.email) if active
              else _("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(_back())


@bp.app_context_processor
def _template_helpers():
    return {"now": utcnow, "role_label": lambda code: ROLES[code].label}
