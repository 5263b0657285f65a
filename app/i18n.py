"""Chinese first, English second: the locale of each request."""
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from app.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        # The API is a machine contract: English messages unless the client asks for Chinese.
        return "zh" if request.accept_languages.best_match(languages) == "zh" else "en"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def localised(zh: str | None, en: str | None) -> str:
    """Pick the Chinese or English form of a bilingual name stored in two columns."""
    if str(get_locale()) == "en" and en:
        return en
    return zh or en or ""


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["localised"] = localised
    app.jinja_env.globals["get_locale"] = get_locale
