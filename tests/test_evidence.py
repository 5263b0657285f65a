"""Evidence files of a filing: accepted by type and size, stored once per content, read through the gate, audited."""
import io
import re
import zipfile
from hashlib import sha256
from urllib.parse import quote

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.filings import evidence as evidence_service
from app.filings.models import Evidence, Filing
from tests.conftest import login
from tests.helpers.filings import client_for, file_with_status, hidden_fields

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


@pytest.fixture(autouse=True)
def evidence_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_DIR", tmp_path / "evidence")
    return tmp_path / "evidence"


@pytest.fixture
def filing_id(app, db, plant):
    return file_with_status(app, db, plant)


def _upload(client, filing_id, data: bytes, name: str, **fields):
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    return client.post(f"/filings/{filing_id}/evidence", content_type="multipart/form-data",
                       data={"csrf_token": hidden_fields(page)["csrf_token"], "file": (io.BytesIO(data), name),
                             "source_id": "", "description": "", **fields})


def _stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "天然气发票"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data,name,content_type", [
    (PNG, "电表读数.png", "image/png"),
    (PDF, "invoice.PDF", "application/pdf"),
    (JPG, "meter.jpeg", "image/jpeg"),
    (_xlsx(), "化验报告.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_accepted_files_are_stored_under_their_digest(client, db, plant, manager, filing_id, evidence_dir,
                                                      data, name, content_type):
    login(client, manager)
    gas = plant["sources"]["gas"]
    response = _upload(client, filing_id, data, name, source_id=str(gas.id), description="六月发票")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    item = db.session.scalar(select(Evidence))
    digest = sha256(data).hexdigest()
    assert (item.filename, item.content_type, item.size_bytes, item.sha256) == (name, content_type, len(data), digest)
    assert (item.filing_id, item.source_id, item.description, item.uploaded_by_id) == (filing_id, gas.id, "六月发票",
                                                                                      manager.id)
    assert (evidence_dir / digest[:2] / digest).read_bytes() == data
    assert _stored_files(evidence_dir) == [digest]  # no temporary file left behind
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.uploaded"))
    assert event.actor_id == manager.id and event.detail["sha256"] == digest and event.org_id == plant["org"].id
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert name in page and f"/filings/evidence/{item.id}" in page


@pytest.mark.parametrize("data,name", [
    (PNG, "invoice.pdf"),                          # a PNG renamed .pdf
    (b"MZ\x90\x00\x03" + b"\x00" * 60, "setup.exe"),  # not an accepted type at all
    (b"MZ\x90\x00\x03" + b"\x00" * 60, "setup.pdf"),  # an executable renamed .pdf
    (PDF, "report.png"),
    (b"PK\x03\x04not really a zip", "fake.xlsx"),
    (b"", "empty.pdf"),
    (PDF, "no-extension"),
])
def test_refused_files(client, db, manager, filing_id, evidence_dir, data, name):
    login(client, manager)
    response = _upload(client, filing_id, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-field-error="file"' in page
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert _stored_files(evidence_dir) == []


def test_a_zip_that_is_not_a_workbook_is_refused(client, db, manager, filing_id):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    login(client, manager)
    response = _upload(client, filing_id, archive.getvalue(), "data.xlsx")
    assert 'data-field-error="file"' in response.get_data(as_text=True)


def test_size_limit(app, client, db, manager, filing_id, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", len(PDF))
    login(client, manager)
    response = _upload(client, filing_id, PDF + b" ", "big.pdf")
    assert 'data-field-error="file"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert _upload(client, filing_id, PDF, "exact.pdf").status_code == 302


def test_a_source_of_another_enterprise_is_refused(app, client, db, manager, filing_id, make_org):
    from app.accounting.models import EmissionSource, Facility

    other = make_org(name="别家企业")
    facility = Facility(org_id=other.id, name="别家厂区")
    db.session.add(facility)
    db.session.flush()
    foreign = EmissionSource(org_id=other.id, facility_id=facility.id, name="别家锅炉",
                             category="stationary_combustion", material="diesel", activity_unit="t")
    db.session.add(foreign)
    db.session.commit()
    login(client, manager)
    response = _upload(client, filing_id, PDF, "x.pdf", source_id=str(foreign.id))
    assert 'data-field-error="source_id"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Evidence.id))) == 0


def test_download_by_the_regulator_is_allowed_and_audited(app, client, db, plant, manager, filing_id,
                                                          authority, make_user, make_org):
    login(client, manager)
    assert _upload(client, filing_id, PDF, "六月天然气发票.pdf").status_code == 302
    item_id = db.session.scalar(select(Evidence.id))
    regulator = make_user(authority, "regulator")
    reader = client_for(app, regulator)
    response = reader.get(f"/filings/evidence/{item_id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote('六月天然气发票.pdf')}" in disposition
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.downloaded"))
    assert event.actor_id == regulator.id and event.org_id == plant["org"].id and event.object_id == item_id
    # The enterprise's own viewer reads it too; every download is another event.
    assert client_for(app, make_user(plant["org"], "viewer")).get(f"/filings/evidence/{item_id}").status_code == 200
    assert db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == "evidence.downloaded")) == 2

    # Another enterprise: the same answer as a file that does not exist, and nothing recorded.
    stranger = client_for(app, make_user(make_org(name="乙企业"), "enterprise_admin"))
    assert stranger.get(f"/filings/evidence/{item_id}").status_code == 404
    assert stranger.get(f"/filings/evidence/{item_id + 999}").status_code == 404
    assert db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == "evidence.downloaded")) == 2


def test_bytes_are_stored_once_per_digest(app, client, db, manager, filing_id, evidence_dir):
    login(client, manager)
    assert _upload(client, filing_id, PNG, "a.png").status_code == 302
    assert _upload(client, filing_id, PNG, "same-picture.png").status_code == 302
    rows = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    digest = sha256(PNG).hexdigest()
    assert [r.sha256 for r in rows] == [digest, digest]
    assert _stored_files(evidence_dir) == [digest]

    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    token = hidden_fields(page)["csrf_token"]
    assert client.post(f"/filings/evidence/{rows[0].id}/delete", data={"csrf_token": token}).status_code == 302
    assert _stored_files(evidence_dir) == [digest]  # the other row still needs the bytes
    assert client.post(f"/filings/evidence/{rows[1].id}/delete", data={"csrf_token": token}).status_code == 302
    assert _stored_files(evidence_dir) == []
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "evidence.removed")) == 2


def test_bytes_shared_with_another_enterprise_are_kept(app, db, plant, evidence_dir, make_org):
    digest = evidence_service.store_bytes(PDF)
    other = make_org(name="乙企业")
    with app.test_request_context():
        filing = db.session.get(Filing, file_with_status(app, db, plant))
        db.session.add_all([Evidence(org_id=plant["org"].id, filing_id=filing.id, filename="a.pdf",
                                     content_type="application/pdf", size_bytes=len(PDF), sha256=digest),
                            Evidence(org_id=other.id, filename="b.pdf", content_type="application/pdf",
                                     size_bytes=len(PDF), sha256=digest)])
        db.session.commit()
        mine = db.session.scalar(select(Evidence).where(Evidence.org_id == plant["org"].id))
        evidence_service.remove_evidence(plant["admin"], mine)
        db.session.commit()
        from app.tenancy import scope_of

        with scope_of(plant["admin"]):  # as the enterprise sees it: the other row is invisible, yet counted
            assert evidence_service.discard_if_unused(digest) is False
    assert _stored_files(evidence_dir) == [digest]


def test_evidence_of_a_submitted_month_stays(app, client, db, plant, manager, evidence_dir):
    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    assert _upload(client, filing_id, PDF, "a.pdf").status_code == 302
    item_id = db.session.scalar(select(Evidence.id))
    page = client.get(f"/filings/{filing_id}/submit").get_data(as_text=True)
    assert client.post(f"/filings/{filing_id}/submit", data=hidden_fields(page)).status_code == 302
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="evidence-form"' not in page and "/delete" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(f"/filings/evidence/{item_id}/delete", data={"csrf_token": token})
    assert db.session.get(Evidence, item_id) is not None
    assert _stored_files(evidence_dir) == [sha256(PDF).hexdigest()]
    response = client.post(f"/filings/{filing_id}/evidence", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(PNG), "late.png")})
    assert response.status_code == 302 and db.session.scalar(select(func.count(Evidence.id))) == 1


def test_viewer_cannot_upload_or_remove(app, client, db, plant, manager, filing_id, make_user):
    login(client, manager)
    assert _upload(client, filing_id, PDF, "a.pdf").status_code == 302
    item_id = db.session.scalar(select(Evidence.id))
    viewer = client_for(app, make_user(plant["org"], "viewer"))
    page = viewer.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="evidence-form"' not in page and "a.pdf" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert viewer.post(f"/filings/evidence/{item_id}/delete", data={"csrf_token": token}).status_code == 403
    response = viewer.post(f"/filings/{filing_id}/evidence", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(PNG), "x.png")})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Evidence.id))) == 1


def test_clean_filename():
    assert evidence_service.clean_filename("C:\\Users\\王\\发票 六月.pdf") == "发票 六月.pdf"
    assert evidence_service.clean_filename("../../etc/passwd") == "passwd"
    assert evidence_service.clean_filename("a\x00b\n.pdf") == "ab.pdf"
    long = evidence_service.clean_filename("长" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith(".pdf")


def test_an_upload_of_the_same_bytes_while_they_are_discarded_keeps_its_file(app, db, plant, evidence_dir, make_org):
    """Issue 16 #5: the last reference goes and its bytes are discarded while another enterprise's upload of the same
    bytes has stored them but not yet committed its row: the discard waits for that commit and keeps the file."""
    import threading

    other = make_org(name="乙企业")
    with app.app_context():
        digest = evidence_service.hold_bytes(PDF)
        db.session.add(Evidence(org_id=plant["org"].id, filename="a.pdf", content_type="application/pdf",
                                size_bytes=len(PDF), sha256=digest))
        db.session.commit()
        db.session.execute(Evidence.__table__.delete().where(Evidence.org_id == plant["org"].id))
        db.session.commit()  # the last reference is gone; its discard runs below, during the upload

    held, go, outcome = threading.Event(), threading.Event(), {}

    def upload():
        with app.app_context():
            evidence_service.hold_bytes(PDF)
            db.session.add(Evidence(org_id=other.id, filename="b.pdf", content_type="application/pdf",
                                    size_bytes=len(PDF), sha256=digest))
            db.session.flush()
            held.set()
            go.wait(10)
            db.session.commit()

    def discard():
        with app.app_context():
            outcome["deleted"] = evidence_service.discard_if_unused(digest)

    uploading = threading.Thread(target=upload)
    uploading.start()
    assert held.wait(10)
    discarding = threading.Thread(target=discard)
    discarding.start()
    discarding.join(0.5)
    assert discarding.is_alive()  # waiting for the upload's lock, not counting rows without it
    go.set()
    uploading.join(10)
    discarding.join(10)
    assert outcome == {"deleted": False}
    assert _stored_files(evidence_dir) == [digest]
    assert evidence_service.path_of(digest, evidence_dir).read_bytes() == PDF


def _pdf_with_open_action() -> bytes:
    """A PDF whose catalogue runs JavaScript when opened, written with compressed object streams by pypdf."""
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    writer.compress_identical_objects()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_with_javascript_is_accepted_and_flagged_to_the_reviewer(app, client, db, plant, manager, regulator,
                                                                      filing_id, evidence_dir):
    """Issue 16 #13: scripts are never run here (downloads are attachments), but the reviewer is told."""
    login(client, manager)
    assert _upload(client, filing_id, _pdf_with_open_action(), "发票.pdf").status_code == 302
    assert _upload(client, filing_id, PDF, "plain.pdf").status_code == 302
    flagged = {e.filename: e.active_content for e in db.session.scalars(select(Evidence))}
    assert flagged == {"发票.pdf": True, "plain.pdf": False}
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert page.count('data-testid="active-content"') == 1
    item = db.session.scalar(select(Evidence).where(Evidence.active_content))
    download = client.get(f"/filings/evidence/{item.id}")
    assert download.headers["Content-Disposition"].startswith("attachment")
    reviewer = app.test_client()
    login(reviewer, regulator)
    review = reviewer.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert review.count('data-testid="active-content"') == 1
