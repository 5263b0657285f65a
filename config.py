"""Settings for each environment, read from the environment where it matters.

DATABASE_URL picks the database (SQLite under instance/ by default, PostgreSQL in production);
SECRET_KEY signs sessions, and in development a generated one is kept in instance/ so that
sign-ins survive restarts.
"""
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TANJI_INSTANCE_DIR", BASE_DIR / "instance"))


def _dev_secret_key() -> str:
    """A random key generated once and kept in instance/, never committed."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url(url: str) -> str:
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


DEBIAN_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tanji.db'}"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # CSRF tokens live as long as the session: an energy manager may spend an hour on a form.
    WTF_CSRF_TIME_LIMIT = None

    # Sign-in protection: lock an account after this many failures in a row, for this long.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    # And a per-address rate limit on the sign-in form (Flask-Limiter syntax).
    LOGIN_RATE_LIMIT = "30 per minute"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Per API token (Flask-Limiter syntax); requests without a valid token count per address.
    API_RATE_LIMIT = os.environ.get("TANJI_API_RATE_LIMIT", "120 per minute")

    # argon2id parameters (argon2-cffi defaults: RFC 9106 low-memory profile)
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    PASSWORD_MIN_LENGTH = 10

    INVITATION_VALID_FOR = timedelta(days=7)

    # Certificates carry a QR code to their public verification page at this address. Required in production;
    # unset elsewhere, the address the request came to (the CLI: the development server's).
    PUBLIC_BASE_URL = os.environ.get("TANJI_PUBLIC_URL", "")

    # E-mail of notifications through SMTP. Without MAIL_SERVER nothing is sent: each message is written to the
    # log (logger tanji.mail) instead, so a first run needs no mail server.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes", "on")  # STARTTLS
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "tanji@localhost")
    MAIL_TIMEOUT = 10  # seconds for the SMTP connection; a slow server never holds a request longer
    # Filing reminders (`flask notifications send-due`, daily from cron): this many days before a month's due date,
    # and on the first overdue day. A missed run catches up with the latest stage reached, the overdue one only
    # within REMINDER_CATCH_UP_DAYS of the due date (older overdue months are the regulator's to remind).
    REMINDER_DAYS = tuple(sorted({int(d) for d in os.environ.get("TANJI_REMINDER_DAYS", "10,3").split(",")
                                  if d.strip()}, reverse=True))
    REMINDER_CATCH_UP_DAYS = int(os.environ.get("TANJI_REMINDER_CATCH_UP_DAYS", "7"))
    # The TrueType font every PDF embeds: TANJI_PDF_FONT, else Debian's fonts-wqy-zenhei when installed; with
    # neither, the built-in (not embedded) CID font STSong-Light.
    PDF_FONT_PATH = os.environ.get("TANJI_PDF_FONT") or (DEBIAN_CJK_FONT if os.path.exists(DEBIAN_CJK_FONT) else "")
    # Slow reports: "thread" (an in-process worker, fine for one server), "inline" (in the request; tests),
    # or "rq" (Redis Queue, see README: REDIS_URL and `rq worker tanji-reports`).
    JOB_BACKEND = os.environ.get("TANJI_JOB_BACKEND", "thread")
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    # The city pages' cache (app.city_index.cache), shared by every worker in this Redis; empty: one per process.
    # TANJI_PAGE_CACHE_URL, else REDIS_URL when set, else the rate limiter's storage when that is a Redis.
    PAGE_CACHE_URL = (os.environ.get("TANJI_PAGE_CACHE_URL") or os.environ.get("REDIS_URL")
                      or (RATELIMIT_STORAGE_URI if RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://")) else ""))

    # Evidence files of filings, stored once per content as <sha256[:2]>/<sha256>.
    EVIDENCE_DIR = Path(os.environ.get("TANJI_EVIDENCE_DIR", INSTANCE_DIR / "evidence"))
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    # Every request body, chunked ones included: the largest legitimate upload (an evidence file) and its form
    # around it. Werkzeug refuses more with 413 before spooling it (keep the proxy's limit the same, see README).
    MAX_CONTENT_LENGTH = int(os.environ.get("TANJI_MAX_BODY_BYTES", 12 * 1024 * 1024))

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh": "中文", "en": "English"}

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None

    # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (nginx: 1).
    TRUSTED_PROXIES = int(os.environ.get("TANJI_TRUSTED_PROXIES", "0"))

    # One JSON line per request on stderr (request id, user, tenant, status, duration); "text" leaves the
    # request lines to the root logger (quiet unless configured).
    LOG_FORMAT = os.environ.get("TANJI_LOG_FORMAT", "json")

    # The audit trail's HMAC key. Keep it outside the database (and its backups): someone who can rewrite the
    # database can recompute the chain's hashes, not its HMACs. Required in production; elsewhere derived from
    # SECRET_KEY.
    AUDIT_KEY = os.environ.get("TANJI_AUDIT_KEY", "")

    CITY_NAME = os.environ.get("TANJI_CITY_NAME", "锦湾市")
    CITY_NAME_EN = os.environ.get("TANJI_CITY_NAME_EN", "Jinwan City")
    # District names as stored (Chinese) and shown in English.
    CITY_DISTRICTS = {
        "兴港区": "Xinggang District",
        "双河区": "Shuanghe District",
        "大洼区": "Dawa District",
        "湾西县": "Wanxi County",
    }


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
    LOG_FORMAT = os.environ.get("TANJI_LOG_FORMAT", "text")  # the dev server prints its own access log


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    LOG_FORMAT = "text"
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = _database_url(
        os.environ.get("TEST_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'test.db'}"))
    # Cheap hashing keeps the suite fast; the algorithm is the same.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    RATELIMIT_ENABLED = True
    SERVER_NAME = None
    # Never the instance folder: created on first upload, one per test process.
    EVIDENCE_DIR = Path(tempfile.gettempdir()) / f"tanji-test-evidence-{os.getpid()}"
    PUBLIC_BASE_URL = "http://tanji.test"
    JOB_BACKEND = "inline"  # deterministic; test_reports runs the thread worker explicitly
    PAGE_CACHE_URL = ""  # per process; tests/test_city_cache.py points one app at Redis


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    name = name or os.environ.get("TANJI_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"TANJI_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
