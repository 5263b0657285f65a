"""Operations: health and readiness probes, request logs, start-up configuration errors, backup and restore."""
import json
import logging
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import ConfigurationError, create_app
from app.audit.services import record, verify_chain
from app.extensions import db as _db
from app.filings.evidence import path_of, store_bytes
from app.filings.models import APPROVED, Filing
from app.ops import backup as backups
from app.ops.request_log import JsonFormatter


def test_healthz_answers_without_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_checks_database_and_migrations(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "migrations": "ok"}
    (current,) = db.session.execute(text("SELECT version_num FROM alembic_version")).one()
    db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503 and response.json["status"] == "unavailable"
        assert "db upgrade" in response.json["checks"]["migrations"]
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()


def test_readyz_reports_an_unreachable_database(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["checks"]["database"].startswith("unreachable")


def test_each_request_logs_one_json_line_with_request_id_user_and_tenant(client, make_org, make_user, login_as,
                                                                         caplog):
    org = make_org()
    user = make_user(org, "energy_manager")
    login_as(user)
    with caplog.at_level(logging.INFO, logger="tanji.request"):
        response = client.get("/", headers={"X-Request-Id": "lb-12345678"})
    assert response.headers["X-Request-Id"] == "lb-12345678"
    (entry,) = [r for r in caplog.records if getattr(r, "fields", {}).get("request_id") == "lb-12345678"]
    line = json.loads(JsonFormatter().format(entry))
    assert line["request_id"] == "lb-12345678" and line["user_id"] == user.id and line["org_id"] == org.id
    assert line["method"] == "GET" and line["path"] == "/" and line["status"] == 200 and line["duration_ms"] >= 0
    assert 0 <= line["cpu_ms"] <= line["duration_ms"] + 1  # the request's own CPU, within its wall time
    # a made-up id (spaces, too long) is replaced by our own
    odd = client.get("/healthz", headers={"X-Request-Id": "x y" * 40}).headers["X-Request-Id"]
    assert len(odd) == 32 and " " not in odd


@pytest.mark.parametrize("overrides, message", [
    ({"SQLALCHEMY_DATABASE_URI": "not a url"}, "DATABASE_URL is not a database URL"),
    ({"SQLALCHEMY_DATABASE_URI": "mysql://u@h/db"}, "SQLite or PostgreSQL"),
    ({"RATELIMIT_STORAGE_URI": "ftp://x"}, "RATELIMIT_STORAGE_URI"),
    ({"LOG_FORMAT": "xml"}, "TANJI_LOG_FORMAT"),
])
def test_configuration_errors_are_refused_at_start_up_with_what_to_do(overrides, message):
    with pytest.raises(ConfigurationError, match=message):
        create_app("test", **overrides)


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigurationError, match="too short"):
        create_app("production", SECRET_KEY="short")


# --------------------------------------------------------------------------------------------- backup

def _fresh_database_url(app) -> tuple[str, callable]:
    """An empty database of the same kind as the test database, and how to drop it."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        path = Path(url.database).parent / f"restore-{uuid.uuid4().hex}.db"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    name = f"tanji_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def test_backup_restores_into_a_fresh_database_with_every_filing_audit_event_and_evidence_file(
        app, db, make_org, tmp_path):
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        try:
            backups._pg_tool("pg_dump")
        except Exception:
            pytest.skip("pg_dump is not installed")
    org = make_org()
    for month in range(1, 7):
        filing = Filing(org_id=org.id, period=date(2025, month, 1), revision=1, status=APPROVED)
        db.session.add(filing)
        db.session.flush()
        record("filing.approved", obj=filing, detail={"period": filing.period.isoformat()})
    db.session.commit()
    evidence_dir = Path(app.config["EVIDENCE_DIR"])
    digest = store_bytes(b"%PDF-1.4 meter reading " + uuid.uuid4().bytes, evidence_dir)
    archive = tmp_path / "tanji-backup.tar.gz"

    manifest = backups.backup(db, evidence_dir, archive)
    assert (manifest.filings, manifest.audit_events) == (6, db.session.scalar(text("SELECT count(*) FROM audit_events")))
    assert manifest.evidence_files >= 1 and manifest.revision

    url, drop = _fresh_database_url(app)
    restored_evidence = tmp_path / "evidence-restored"
    try:
        other = create_app("test", SQLALCHEMY_DATABASE_URI=url, EVIDENCE_DIR=restored_evidence)
        with other.app_context():
            backups.restore(_db, restored_evidence, archive)
            assert backups.counts(_db) == (manifest.revision, manifest.filings, manifest.audit_events)
            periods = sorted(_db.session.scalars(text("SELECT period FROM filings")).all())
            assert len(periods) == 6
            assert verify_chain()[0]
            with pytest.raises(Exception, match="not empty"):
                backups.restore(_db, restored_evidence, archive)  # never over existing data without --force
            _db.session.remove()
            _db.engine.dispose()
        assert path_of(digest, restored_evidence).read_bytes() == path_of(digest, evidence_dir).read_bytes()
    finally:
        drop()


def test_backup_and_restore_commands(app, tmp_path):
    # no app context held here: each command pushes its own app's
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "sqlite":
        pytest.skip("the command line is the same on PostgreSQL; the function test covers both")
    archive = tmp_path / "b.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0 and "Backup written" in result.output
    url, drop = _fresh_database_url(app)
    try:
        other = create_app("test", SQLALCHEMY_DATABASE_URI=url, EVIDENCE_DIR=tmp_path / "ev")
        result = other.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0 and "Restored" in result.output, result.output
        again = other.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code != 0 and "--force" in again.output
        assert other.test_cli_runner().invoke(args=["restore", "--force", str(archive)]).exit_code == 0
        with other.app_context():
            _db.engine.dispose()
    finally:
        drop()


def test_pg_dump_never_gets_the_database_password_on_its_command_line(app, db, monkeypatch, tmp_path):
    """Issue 16 #12: `ps` shows a process's arguments to every user; the password goes through a private passfile."""
    calls = []

    def fake_run(args, env=None, **kwargs):
        passfile = Path(env["PGPASSFILE"])
        calls.append((args, passfile.read_text(), passfile.stat().st_mode & 0o777))
        Path(args[args.index("--file") + 1]).write_bytes(b"dump")

    url = "postgresql+psycopg://tanji:Qz7:xK\\9v@db.example:5432/tanji"
    monkeypatch.setattr(backups, "make_url", lambda _: make_url(url))
    monkeypatch.setattr(backups, "counts", lambda _db: ("head", 0, 0))
    monkeypatch.setattr(backups, "_pg_tool", lambda name: name)
    monkeypatch.setattr(backups.subprocess, "run", fake_run)
    backups.backup(db, tmp_path / "evidence", tmp_path / "out.tar.gz")
    (args, passfile, mode), = calls
    assert not any("Qz7" in arg or "9v" in arg for arg in args)
    assert args[-1] == "postgresql://tanji@db.example:5432/tanji"
    assert passfile == "*:*:*:*:Qz7\\:xK\\\\9v\n" and mode == 0o600


@pytest.mark.parametrize("argv, environ, workers", [
    (["flask", "run"], {}, 1),
    (["/srv/.venv/bin/gunicorn", "wsgi:app"], {}, 1),
    (["gunicorn", "--workers", "4", "wsgi:app"], {}, 4),
    (["gunicorn", "-w", "2", "wsgi:app"], {}, 2),
    (["gunicorn", "-w3", "wsgi:app"], {}, 3),
    (["gunicorn", "--workers=5", "wsgi:app"], {}, 5),
    (["gunicorn", "wsgi:app"], {"WEB_CONCURRENCY": "8"}, 8),
    (["gunicorn", "wsgi:app"], {"GUNICORN_CMD_ARGS": "--workers 6"}, 6),
    (["gunicorn", "-c", "conf.py", "wsgi:app"], {}, None),
])
def test_the_number_of_worker_processes_is_read_from_gunicorns_command_line(argv, environ, workers):
    from app.ops.workers import gunicorn_workers

    assert gunicorn_workers(argv, environ) == workers


def test_production_refuses_per_process_rate_limits_with_several_workers(monkeypatch):
    """Issue 16 #4: memory:// with 4 workers would allow 4 times the sign-in and API limits."""
    keys = {"SECRET_KEY": "x" * 40, "AUDIT_KEY": "y" * 40, "PUBLIC_BASE_URL": "https://tanji.example"}
    monkeypatch.setattr("sys.argv", ["gunicorn", "--workers", "4", "wsgi:app"])
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI is memory:// with 4 worker processes"):
        create_app("production", RATELIMIT_STORAGE_URI="memory://", **keys)
    assert create_app("production", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", **keys)
    monkeypatch.setattr("sys.argv", ["gunicorn", "--workers", "1", "wsgi:app"])
    assert create_app("production", RATELIMIT_STORAGE_URI="memory://", **keys)


def test_production_refuses_to_start_without_an_audit_key():
    """Issue 16 #11: the key that anchors the audit trail must come from outside the database."""
    with pytest.raises(ConfigurationError, match="TANJI_AUDIT_KEY"):
        create_app("production", SECRET_KEY="x" * 40, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
                   PUBLIC_BASE_URL="https://tanji.example")


def test_production_refuses_to_start_without_its_public_address():
    """Issue 16: certificates' QR codes pointed to http://127.0.0.1:5000 when TANJI_PUBLIC_URL was unset."""
    with pytest.raises(ConfigurationError, match="TANJI_PUBLIC_URL"):
        create_app("production", SECRET_KEY="x" * 40, AUDIT_KEY="y" * 40)
