"""Tanji (碳迹): the city carbon reporting platform."""
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_for


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_path=str(_instance_path()))
    config = config_for(config_name)
    app.config.from_object(config)
    app.config.update(overrides)
    _check_config(app)
    app.json.ensure_ascii = False  # JSON answers (the API) carry Chinese as UTF-8, readable, not as \uXXXX

    if app.config["TRUSTED_PROXIES"]:
        # Client address and scheme from the proxy, so rate limits and secure cookies see the real ones.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    register_extensions(app)
    register_blueprints(app)
    register_receivers()
    register_errorhandlers(app)
    register_commands(app)
    return app


def _instance_path():
    from config import INSTANCE_DIR

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return INSTANCE_DIR


class ConfigurationError(RuntimeError):
    """A setting that would make the app misbehave: refused at start-up with what to do about it."""


def _check_config(app: Flask) -> None:
    """Refuse to start on settings that would fail later, less clearly (each message says what to set)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not app.config.get("SECRET_KEY"):
        raise ConfigurationError(
            "SECRET_KEY is not set: production needs SECRET_KEY in the environment "
            "(e.g. `export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`).")
    if app.config.get("ENV_NAME") == "production" and len(app.config["SECRET_KEY"]) < 32:
        raise ConfigurationError("SECRET_KEY is too short for production: use at least 32 random characters.")
    if app.config.get("ENV_NAME") == "production" and not app.config.get("PUBLIC_BASE_URL"):
        raise ConfigurationError("TANJI_PUBLIC_URL is not set: production needs the public address of the platform "
                                 "(e.g. https://tanji.example.gov.cn), which certificates print as a QR code.")
    if app.config.get("ENV_NAME") == "production" and len(app.config.get("AUDIT_KEY") or "") < 32:
        raise ConfigurationError(
            "TANJI_AUDIT_KEY is not set (or shorter than 32 characters): production keys the audit trail with it. "
            "Generate one like SECRET_KEY and keep it outside the database and its backups.")
    try:
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    except ArgumentError:
        raise ConfigurationError(f"DATABASE_URL is not a database URL: {app.config['SQLALCHEMY_DATABASE_URI']!r} "
                                 "(e.g. postgresql://user:password@host/tanji).") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigurationError(f"DATABASE_URL names {url.get_backend_name()}: Tanji runs on SQLite or PostgreSQL.")
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if not storage.startswith(("memory://", "redis://", "rediss://", "redis+sentinel://", "memcached://")):
        raise ConfigurationError(f"RATELIMIT_STORAGE_URI {storage!r} is not memory:// or a Redis/Memcached URL.")
    if storage.startswith("memory://"):
        _check_per_process_limits(app)
    if app.config.get("LOG_FORMAT") not in ("json", "text"):
        raise ConfigurationError("TANJI_LOG_FORMAT must be json or text.")


def _check_per_process_limits(app: Flask) -> None:
    """memory:// counts sign-in and API rate limits in each process: 4 workers would allow 4 times the limits."""
    import sys

    from app.ops.workers import gunicorn_workers

    workers = gunicorn_workers(sys.argv)
    if workers == 1:
        return
    told = f"{workers} worker processes" if workers else "a gunicorn config file that may start several workers"
    message = (f"RATELIMIT_STORAGE_URI is memory:// with {told}: each process would count the sign-in and API rate "
               "limits on its own. Set RATELIMIT_STORAGE_URI to a Redis URL (e.g. redis://127.0.0.1:6379/0), "
               "or run one worker.")
    if app.config.get("ENV_NAME") == "production":
        raise ConfigurationError(message)
    app.logger.warning(message)


def register_extensions(app: Flask) -> None:
    from app import i18n, models, security, tenancy  # noqa: F401  (models: register every mapper)
    from app.api import auth as api_auth
    from app.city_index import cache as city_cache
    from app.core import edge, static_cache, template_cache
    from app.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
    from app.filings import rollups
    from app.notifications import delivery as notification_delivery
    from app.ops import request_log

    template_cache.init_app(app)  # before anything creates app.jinja_env
    db.init_app(app)
    # First of the before-request hooks: the API's token decides who is calling before anything asks.
    api_auth.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    login_manager.init_app(app)
    tenancy.init_app(app)
    request_log.init_app(app)
    edge.init_app(app)
    static_cache.init_app(app)
    notification_delivery.init_app(app)  # notices e-mailed once committed
    rollups.init_app(app)  # monthly totals kept in the flush that changes them
    city_cache.init_app(app)  # the city pages' cache generation moves with the index's other inputs


def register_blueprints(app: Flask) -> None:
    from app.accounting.views import bp as accounting_bp
    from app.accounts.views import bp as accounts_bp
    from app.api.pages import bp as api_pages_bp
    from app.api.views import bp as api_bp
    from app.assets.views import bp as assets_bp
    from app.audit_log.views import bp as audit_log_bp
    from app.benchmarking.views import bp as benchmarking_bp
    from app.certificates.views import bp as certificates_bp
    from app.city_data.views import bp as city_data_bp
    from app.city_index.views import bp as city_index_bp
    from app.factors.views import bp as factors_bp
    from app.filings.imports.views import bp as filing_imports_bp
    from app.filings.views import bp as filings_bp
    from app.footprint.views import bp as footprint_bp
    from app.home.views import bp as home_bp
    from app.notifications.views import bp as notifications_bp
    from app.ops.views import bp as ops_bp
    from app.organisations.views import bp as organisations_bp
    from app.plans.views import bp as plans_bp
    from app.report_jobs.views import bp as report_jobs_bp
    from app.review.views import bp as review_bp
    from app.scenarios.views import bp as scenarios_bp
    from app.settings.views import bp as settings_bp
    from app.signing.views import bp as signing_bp
    from app.verification.views import bp as verification_bp

    app.register_blueprint(ops_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(audit_log_bp)
    app.register_blueprint(factors_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(accounting_bp)
    app.register_blueprint(footprint_bp)
    app.register_blueprint(filings_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(signing_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(filing_imports_bp)
    app.register_blueprint(assets_bp)
    app.register_blueprint(benchmarking_bp)
    app.register_blueprint(city_data_bp)
    app.register_blueprint(city_index_bp)
    app.register_blueprint(scenarios_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(report_jobs_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_pages_bp)
    app.register_blueprint(verification_bp)
    app.register_blueprint(plans_bp)


def register_receivers() -> None:
    """Connect what each package does when another signals (e.g. a filed source keeps its category)."""
    from app.api import receivers as api_receivers  # noqa: F401
    from app.certificates import receivers as certificates_receivers  # noqa: F401
    from app.filings import receivers as filings_receivers  # noqa: F401
    from app.notifications import receivers as notifications_receivers  # noqa: F401
    from app.verification import receivers as verification_receivers  # noqa: F401


def register_errorhandlers(app: Flask) -> None:
    from app.api import errors as api_errors
    from app.core import errors

    errors.register(app)
    api_errors.register(app)  # JSON answers under /api/


def register_commands(app: Flask) -> None:
    from app.api.commands import api_token_cli
    from app.audit.commands import audit_cli
    from app.demo.commands import demo_data
    from app.filings.commands import rollups_cli
    from app.notifications.commands import notifications_cli
    from app.ops.commands import backup_command, restore_command
    from app.organisations.commands import users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_data)
    app.cli.add_command(audit_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(api_token_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(rollups_cli)
