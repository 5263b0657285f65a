"""Evidence files of a filing (invoices, meter readings, lab reports). Plain functions; callers commit.

A file is accepted by its extension AND its first bytes, so a renamed executable or a PNG called .pdf
is refused. The bytes are stored once per content under EVIDENCE_DIR as `<sha256[:2]>/<sha256>`
(written to a temporary file, then renamed, so a half-written file never has the final name); the
Evidence row keeps the original name, type and size. Reading and deleting go through the tenancy gate
like any other row; the bytes are only reached through a row.
"""
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounting.models import EmissionSource
from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.filings.models import Evidence, Filing, LabReport, StoredFile
from app.filings.services import EDITABLE
from app.tenancy import unscoped

_DIGEST = re.compile(r"[0-9a-f]{64}")


def _is_xlsx(head: bytes, data: bytes) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


@dataclass(frozen=True)
class Kind:
    content_type: str
    matches: object  # (first bytes, all bytes) -> bool


KINDS = {
    "pdf": Kind("application/pdf", lambda head, data: head.startswith(b"%PDF")),
    "png": Kind("image/png", lambda head, data: head.startswith(b"\x89PNG")),
    "jpg": Kind("image/jpeg", lambda head, data: head.startswith(b"\xff\xd8\xff")),
    "jpeg": Kind("image/jpeg", lambda head, data: head.startswith(b"\xff\xd8\xff")),
    "xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _is_xlsx),
}


def evidence_dir() -> Path:
    return Path(current_app.config["EVIDENCE_DIR"])


def path_of(digest: str, root: Path | None = None) -> Path:
    if not _DIGEST.fullmatch(digest or ""):
        raise ValueError(f"not a SHA-256 digest: {digest!r}")  # never build a path from anything else
    return (root or evidence_dir()) / digest[:2] / digest


def clean_filename(name: str | None) -> str:
    """The name as the user's computer had it, without folders or control characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:254 - len(ext)] + dot + ext) if dot and len(ext) < 20 else name[:255]
    return name


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def check_file(filename: str, data: bytes, max_bytes: int) -> Kind:
    """The kind of an uploaded file, or a ServiceError saying why it is refused."""
    kind = KINDS.get(_extension(filename))
    if kind is None:
        raise ServiceError(_l("Only PDF, JPG, PNG and XLSX files are accepted."), field="file")
    if not data:
        raise ServiceError(_l("The file is empty."), field="file")
    if len(data) > max_bytes:
        raise ServiceError(_l("The file is larger than %(mb)s MB.", mb=_megabytes(max_bytes)), field="file")
    if not kind.matches(data[:8], data):
        raise ServiceError(_l("The file's content is not a %(ext)s file: check that it was not renamed.",
                              ext=_extension(filename).upper()), field="file")
    return kind


_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|OpenAction|AA|EmbeddedFile|RichMedia|SubmitForm)\b")


def has_active_content(data: bytes) -> bool:
    """Whether a PDF carries scripts, automatic actions or embedded files: named in its bytes, or (inside
    compressed object streams) in its document catalogue."""
    if _ACTIVE.search(data):
        return True
    try:
        from pypdf import PdfReader

        root = PdfReader(io.BytesIO(data)).trailer["/Root"]
        names = root.get("/Names") or {}
        return any(key in root for key in ("/OpenAction", "/AA")) or any(k in names for k in ("/JavaScript",
                                                                                             "/EmbeddedFiles"))
    except Exception:  # noqa: BLE001 - a PDF pypdf cannot read is kept as it came; the byte scan above still ran
        return False


def _megabytes(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 1 else f"{value:.2f}"


def store_bytes(data: bytes, root: Path | None = None) -> str:
    """Keep `data` under its digest (once: identical content is stored one time) and return the digest."""
    digest = sha256(data).hexdigest()
    path = path_of(digest, root)
    if path.exists():
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)  # atomic: the final name only ever holds complete content
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return digest


def _hold(digest: str, size: int, now: datetime) -> None:
    """Lock the digest's StoredFile row (made if new) until this transaction ends: an upsert that writes the row,
    so PostgreSQL holds its row lock and SQLite its write lock. discard_if_unused takes the same lock first."""
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(StoredFile).values(sha256=digest, size_bytes=size, last_used_at=now)
                       .on_conflict_do_update(index_elements=["sha256"], set_={"last_used_at": now}))


def hold_bytes(data: bytes, now: datetime | None = None) -> str:
    """Store `data` for a new reference in this transaction: lock its digest, then make sure the bytes are there
    (a discard that ran just before may have removed them; one that runs now waits for our commit)."""
    digest = sha256(data).hexdigest()
    _hold(digest, len(data), now or utcnow())
    return store_bytes(data)


def add_evidence(actor, filing: Filing, upload, source_id=None, description: str | None = None,
                 max_bytes: int | None = None, now: datetime | None = None) -> Evidence:
    """Store an uploaded file (a werkzeug FileStorage) as evidence of `filing`, optionally of one source's line."""
    if filing.status not in EDITABLE:
        raise ServiceError(_l("Evidence is added while the month is a draft or returned."))
    max_bytes = max_bytes or current_app.config["EVIDENCE_MAX_BYTES"]
    filename = clean_filename(getattr(upload, "filename", None))
    if not filename:
        raise ServiceError(_l("Choose a file."), field="file")
    data = upload.stream.read(max_bytes + 1)  # one byte more is enough to know it is too large
    kind = check_file(filename, data, max_bytes)
    source = None
    if source_id not in (None, ""):
        try:
            source = db.session.scalar(select(EmissionSource).where(EmissionSource.id == int(source_id),
                                                                    EmissionSource.org_id == filing.org_id))
        except (TypeError, ValueError):
            source = None
        if source is None:
            raise ServiceError(_l("Choose one of this enterprise's sources."), field="source_id")
    digest = hold_bytes(data, now)
    active = kind.content_type == "application/pdf" and has_active_content(data)
    evidence = Evidence(org_id=filing.org_id, filing_id=filing.id, source_id=source.id if source else None,
                        filename=filename, content_type=kind.content_type, size_bytes=len(data), sha256=digest,
                        active_content=active,
                        description=(description or "").strip() or None, uploaded_by_id=getattr(actor, "id", None),
                        uploaded_at=now or utcnow())
    db.session.add(evidence)
    db.session.flush()
    record("evidence.uploaded", actor=actor, obj=evidence, now=now,
           detail={"filename": filename, "size_bytes": len(data), "sha256": digest,
                   "period": filing.period.isoformat(), "revision": filing.revision,
                   **({"source": source.name} if source else {}), **({"active_content": True} if active else {})})
    return evidence


def record_download(actor, evidence: Evidence, now: datetime | None = None) -> None:
    """Every download of evidence is on the record: who read which file of which enterprise."""
    filing = evidence.filing
    record("evidence.downloaded", actor=actor, obj=evidence, now=now,
           detail={"filename": evidence.filename, "sha256": evidence.sha256,
                   **({"period": filing.period.isoformat(), "revision": filing.revision} if filing else {})})


def remove_evidence(actor, evidence: Evidence, now: datetime | None = None) -> str:
    """Delete the row (while its filing is editable); returns the digest for `discard_if_unused` after commit."""
    filing = evidence.filing
    if filing is None or filing.status not in EDITABLE:
        raise ServiceError(_l("Evidence of a submitted or approved month stays as it was filed."))
    digest = evidence.sha256
    record("evidence.removed", actor=actor, obj=evidence, now=now,
           detail={"filename": evidence.filename, "sha256": digest, "period": filing.period.isoformat(),
                   "revision": filing.revision})
    # A lab report rests on its file: the parameter is then without a report again.
    for report in db.session.scalars(select(LabReport).where(LabReport.evidence_id == evidence.id)).all():
        report.line.lab_reports.remove(report)
    db.session.delete(evidence)
    db.session.flush()
    return digest


def discard_if_unused(digest: str, root: Path | None = None) -> bool:
    """Delete the stored bytes once no evidence row of any enterprise names them (call after the commit: this
    commits its own short transaction).

    The digest's row is locked first, so an upload of the same bytes that is still under way (its row not yet
    committed) is waited for and then counted; an upload that starts later waits for this delete and stores
    the bytes again.
    """
    held = db.session.execute(update(StoredFile).where(StoredFile.sha256 == digest)
                              .values(last_used_at=utcnow())).rowcount
    # Counted across tenants on purpose: identical bytes are stored once for everyone, so another
    # enterprise's row may still need them. Only a count leaves the query.
    users = db.session.scalar(select(func.count(Evidence.id)).where(Evidence.sha256 == digest)
                              .execution_options(**unscoped("stored bytes are shared by every enterprise")))
    if users or not held:  # still named, or not ours to delete (already discarded)
        db.session.commit()
        return False
    db.session.execute(delete(StoredFile).where(StoredFile.sha256 == digest))
    path_of(digest, root).unlink(missing_ok=True)  # while the lock is held
    db.session.commit()
    return True
