"""Error pages: 400 (including a stale form), 403, 404, 410, 429, 500."""
from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from app.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("Your role does not allow this. If you think it should, ask your administrator.")),
    404: (_l("Not found"), _l("There is nothing here, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    413: (_l("Too large"), _l("The request is larger than the platform accepts.")),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Wait a minute and try again.")),
    500: (_l("Something went wrong"), _l("The error has been logged. Nothing was saved; please try again.")),
}


def answer_under(app: Flask, prefix: str, answer) -> None:
    """Errors of requests under `prefix` are answered by `answer(code, message)` instead of a page (the API's
    JSON): the API registers itself here, so this module needs nothing of it."""
    app.extensions.setdefault("tanji.error_answers", []).append((prefix, answer))


def render_error(code: int, message=None):
    for prefix, answer in current_app.extensions.get("tanji.error_answers", ()):
        if request.path.startswith(prefix):
            return answer(code, message)
    title, default = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json":
        return {"error": str(title), "message": str(message or default)}, code
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


def register(app: Flask) -> None:
    for code in (400, 403, 404, 405, 429):
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(413)
    def too_large(e):
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        return render_error(413, _l("The request is larger than the platform accepts: at most %(size)s MB.",
                                    size=f"{limit / 1024 / 1024:.0f}"))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(400, _l("This form has expired or was opened in another session. "
                               "Go back, reload the page and submit again."))

    register_tenancy(app)

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return render_error(500)


def register_tenancy(app: Flask) -> None:
    from app.tenancy import TenantViolation

    @app.errorhandler(TenantViolation)
    def tenant_violation(e):
        # A write that slipped past a view's checks: refuse it whole and log it loudly.
        db.session.rollback()
        app.logger.error("tenancy violation: %s", e)
        return render_error(403)
