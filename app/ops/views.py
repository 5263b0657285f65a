"""Probes for a load balancer or orchestrator: /healthz (the process answers) and /readyz (it can serve:
the database answers and its schema is at the migrations' head). Neither needs a sign-in nor reveals data."""
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.accounts.roles import PUBLIC, requires
from app.extensions import csrf, db, limiter

bp = Blueprint("ops", __name__)


def migration_heads() -> set[str]:
    """The head revision(s) of the migrations shipped with this code."""
    directory = Path(current_app.root_path).parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(directory))
    return set(ScriptDirectory.from_config(config).get_heads())


def readiness() -> tuple[bool, dict]:
    """(ready, checks): the database answers a query and stands at the migrations' head."""
    checks = {}
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
        checks["database"] = "ok"
    except SQLAlchemyError as e:
        checks["database"] = f"unreachable: {type(e).__name__}"
        return False, checks
    expected = migration_heads()
    if current == expected:
        checks["migrations"] = "ok"
    else:
        checks["migrations"] = (f"database at {', '.join(sorted(current)) or 'nothing'}, code expects "
                                f"{', '.join(sorted(expected))}: run `flask --app wsgi db upgrade`")
    return all(v == "ok" for v in checks.values()), checks


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
@requires(PUBLIC)
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
@requires(PUBLIC)
def readyz():
    ready, checks = readiness()
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
