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
from flask_login import current_user, login_user, logout_user

from app.accounts import services
from app.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmForm,
    LanguageForm,
    LoginForm,
)
from app.accounts.models import Invitation, User
from app.accounts.roles import (
    INVITE,
    MANAGE_USERS,
    PUBLIC,
    ROLES,
    SIGNED_IN,
    can_manage_user,
    invitable_roles,
    requires,
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
    return render_template("accounts/users.html", users=services.list_users(),
                           can_manage=lambda u: can_manage_user(current_user, u), form=ConfirmForm())


def _managed_user(user_id: int) -> User:
    user = get_or_404(User, user_id)
    if not can_manage_user(current_user, user):
        abort(403)
    return user


@bp.post("/users/<int:user_id>/reset-password")
@requires(MANAGE_USERS)
def reset_password(user_id: int):
    user = _managed_user(user_id)
    with acting_on(user.org_id):
        temporary = services.reset_password(current_user, user)
    return render_template("accounts/password_reset.html", user=user, temporary=temporary)


@bp.post("/users/<int:user_id>/deactivate")
@requires(MANAGE_USERS)
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
@requires(MANAGE_USERS)
def activate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = _managed_user(user_id)
    with acting_on(user.org_id):
        services.set_user_active(current_user, user, active)
    flash(_("%(email)s can sign in again.", email=user.email) if active
          else _("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(url_for("accounts.users"))


@bp.app_context_processor
def _template_helpers():
    return {"now": utcnow, "role_label": lambda code: ROLES[code].label}
