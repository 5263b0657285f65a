"""Backup and restore of the whole platform: the database and the evidence files, in one .tar.gz.

The archive holds `manifest.json` (when, which schema revision, how many filings and audit events), the
database (`database.sqlite` taken with SQLite's online backup API, or `database.pgdump` from pg_dump's custom
format) and `evidence/` (the uploaded files, stored by content hash). A backup is taken while the app runs; a
restore goes into an empty database (a fresh one, or `--force` to overwrite), then the migrations' check at
/readyz tells whether the code matches the restored schema.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import column, func, inspect, select, table
from sqlalchemy.engine import make_url

from app.audit.models import AuditEvent, AuditHead
from app.core.service_error import ServiceError
from app.filings.models import Filing
from app.tenancy import unscoped

SQLITE_NAME, PG_NAME = "database.sqlite", "database.pgdump"


@dataclass(frozen=True)
class Manifest:
    created_at: str
    dialect: str
    revision: str | None
    filings: int
    audit_events: int
    evidence_files: int
    # The audit chain's head at backup time: `flask audit verify --backup FILE` checks the trail still has it.
    audit_head_seq: int | None = None
    audit_head_hash: str | None = None


def _pg_connection(url, folder: str) -> tuple[str, dict]:
    """A libpq URL for pg_dump/pg_restore (no driver suffix, no password) and their environment.

    The password goes into a passfile readable by us only, never onto the command line, where `ps` shows it
    to every user of the machine.
    """
    env = dict(os.environ)
    if url.password:
        passfile = Path(folder) / "pgpass"
        secret = str(url.password).replace("\\", "\\\\").replace(":", "\\:")
        passfile.touch(mode=0o600)
        passfile.write_text(f"*:*:*:*:{secret}\n")
        env["PGPASSFILE"] = str(passfile)
    # URL.set() ignores None, so the named tuple's _replace drops the password
    return url._replace(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if not found:
        raise ServiceError(f"{name} was not found: install PostgreSQL's client programs (apt install postgresql-client).")
    return str(found)


def counts(db) -> tuple[str | None, int, int]:
    everything = unscoped("a backup counts every organisation's rows")
    revision = None
    if inspect(db.engine).has_table("alembic_version"):
        revision = db.session.scalar(select(column("version_num")).select_from(table("alembic_version")))
    filings = db.session.scalar(select(func.count(Filing.id)).execution_options(**everything)) or 0
    events = db.session.scalar(select(func.count(AuditEvent.id)).execution_options(**everything)) or 0
    return revision, filings, events


def audit_head(db) -> tuple[int | None, str | None]:
    """The audit chain's last event (seq, hash) as the database has it now; (None, None) before any event."""
    if not inspect(db.engine).has_table("audit_head"):
        return None, None
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1))
    return (head.seq, head.hash) if head is not None and head.seq else (None, None)


def backup(db, evidence_dir: Path, out: Path) -> Manifest:
    url = make_url(str(db.engine.url))
    revision, filings, events = counts(db)
    head_seq, head_hash = audit_head(db)
    db.session.rollback()  # nothing of ours open while the copy is taken
    files = sorted(p for p in evidence_dir.rglob("*") if p.is_file()) if evidence_dir.exists() else []
    manifest = Manifest(datetime.now(timezone.utc).isoformat(timespec="seconds"), url.get_backend_name(),
                        revision, filings, events, len(files), head_seq, head_hash)
    with tempfile.TemporaryDirectory() as tmp:
        if url.get_backend_name() == "sqlite":
            dump = Path(tmp) / SQLITE_NAME
            source = sqlite3.connect(url.database)
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)  # consistent even while other connections write
            source.close()
            target.close()
        elif url.get_backend_name() == "postgresql":
            dump = Path(tmp) / PG_NAME
            target, env = _pg_connection(url, tmp)
            subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), target],
                           check=True, capture_output=True, env=env)
        else:
            raise ServiceError(f"Backups of {url.get_backend_name()} databases are not supported.")
        out.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(out, "w:gz") as tar:
            data = json.dumps(manifest.__dict__, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for path in files:
                tar.add(path, arcname=f"evidence/{path.relative_to(evidence_dir)}")
    return manifest


def read_manifest(archive: Path) -> Manifest:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise ServiceError("Not a Tanji backup: manifest.json is missing.")
        return Manifest(**json.load(member))


def restore(db, evidence_dir: Path, archive: Path, force: bool = False) -> Manifest:
    """Restore `archive` into the app's database (which must be empty unless `force`) and evidence folder."""
    url = make_url(str(db.engine.url))
    manifest = read_manifest(archive)
    if manifest.dialect != url.get_backend_name():
        raise ServiceError(f"This backup is of a {manifest.dialect} database; the target is {url.get_backend_name()}.")
    tables = inspect(db.engine).get_table_names()
    if tables and not force:
        raise ServiceError(f"The target database is not empty ({len(tables)} tables): restore into a fresh "
                           "database, or pass --force to replace its contents.")
    db.session.remove()
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        if manifest.dialect == "sqlite":
            db.engine.dispose()
            source = sqlite3.connect(Path(tmp) / SQLITE_NAME)
            target = sqlite3.connect(url.database)
            with target:
                source.backup(target)  # replaces the whole target database
            source.close()
            target.close()
        else:
            db.engine.dispose()
            target, env = _pg_connection(url, tmp)
            subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                            "--dbname", target, str(Path(tmp) / PG_NAME)], check=True, capture_output=True, env=env)
        restored = Path(tmp) / "evidence"
        if restored.exists():
            for path in restored.rglob("*"):
                if path.is_file():
                    target_path = evidence_dir / path.relative_to(restored)
                    target_path.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target_path)
    return manifest
