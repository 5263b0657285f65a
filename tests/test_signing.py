"""Signed submissions (issue 10): the password as signature, who may sign, the frozen copy of record, the receipt."""
import hashlib
import io
import json
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.filings import calculations, workflow
from app.filings.models import Filing
from app.notifications.models import Notification
from app.signing import services as signing
from app.filings.models import CopyOfRecord, FrozenRecord
from app.signing.statement import STATEMENT_VERSION, STATEMENTS
from tests.conftest import PASSWORD, login, post
from tests.helpers.api import MONTH, example_body
from tests.helpers.filings import client_for, file_with_status, hidden_fields


def _submit_page(client, filing_id) -> str:
    response = client.get(f"/filings/{filing_id}/submit")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _sign(client, filing_id, password=PASSWORD, **extra):
    page = _submit_page(client, filing_id)
    return client.post(f"/filings/{filing_id}/submit", data={**hidden_fields(page, password), **extra})


def _copies(db, filing_id=None) -> list[CopyOfRecord]:
    db.session.expire_all()
    query = select(CopyOfRecord).order_by(CopyOfRecord.id)
    if filing_id is not None:
        query = query.where(CopyOfRecord.filing_id == filing_id)
    return db.session.scalars(query).all()


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- the password is the signature ------------------------------------------------------------------

def test_signing_needs_the_password_and_a_wrong_one_submits_nothing(app, client, db, plant, manager,
                                                                    regulator):
    file_with_status(app, db, plant, period=date(2022, 5, 1), status="approved", regulator=regulator)
    filing_id = file_with_status(app, db, plant, amounts={"gas": "80"})  # a warning to explain
    key = f"change:prev:{plant['sources']['gas'].id}"
    login(client, manager)
    page = _submit_page(client, filing_id)
    assert STATEMENTS[STATEMENT_VERSION]["zh"] in page and 'type="password"' in page
    assert f'data-statement-version="{STATEMENT_VERSION}"' in page

    response = _sign(client, filing_id, password="not-my-password", **{f"explanation-{key}": "六月新增一条生产线"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'data-testid="password-error">[^<]*密码不正确', body)
    assert "六月新增一条生产线" in body  # the explanation typed is kept
    assert db.session.get(Filing, filing_id).status == "draft" and _copies(db) == []
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.signature_refused"))
    assert refused.actor_id == manager.id and refused.object_id == filing_id

    # Nothing typed (issue 16): asked for, not called incorrect, and not counted as a wrong guess.
    failures = db.session.get(type(manager), manager.id).failed_logins
    response = _sign(client, filing_id, password="", **{f"explanation-{key}": "x"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and db.session.get(Filing, filing_id).status == "draft"
    assert re.search(r'data-testid="password-error">[^<]*请输入您的密码', body) and "密码不正确" not in body
    db.session.expire_all()
    assert db.session.get(type(manager), manager.id).failed_logins == failures
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "filing.signature_refused")).all()) == 1  # only the wrong password above

    response = _sign(client, filing_id, **{f"explanation-{key}": "六月新增一条生产线"})
    assert response.status_code == 302
    filing = db.session.get(Filing, filing_id)
    assert filing.status == "submitted" and filing.submitted_by_id == manager.id
    [copy] = _copies(db)
    doc = json.loads(copy.document)
    assert copy.signer_id == manager.id and copy.channel == "web" and copy.token_id is None
    assert doc["statement"] == {"version": STATEMENT_VERSION, **STATEMENTS[STATEMENT_VERSION]}
    assert doc["explanations"] == {key: "六月新增一条生产线"}
    assert doc["signer"] == {"id": manager.id, "name": manager.name, "email": manager.email,
                             "role": "energy_manager"}


def test_wrong_signing_passwords_lock_the_account_like_sign_in(app, client, db, plant, manager):
    from app.accounts.models import User

    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert _sign(client, filing_id, password="guess-1234").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, manager.id).failed_logins == limit - 1
    response = _sign(client, filing_id, password="guess-1234")  # the last allowed guess: locked, signed out
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.expire_all()
    user = db.session.get(User, manager.id)
    assert user.locked_until is not None and db.session.get(Filing, filing_id).status == "draft"
    assert client.get(f"/filings/{filing_id}/submit").status_code == 302  # the session is over
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.account_locked")) is not None


def test_the_right_password_ends_a_run_of_wrong_ones(app, client, db, plant, manager):
    from app.accounts.models import User

    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    assert _sign(client, filing_id, password="guess-1234").status_code == 200
    assert _sign(client, filing_id).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, manager.id).failed_logins == 0


# --- the copy of record ---------------------------------------------------------------------------------

def test_the_copy_of_record_is_canonical_chained_and_never_changes(app, client, db, plant, manager,
                                                                  regulator):
    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    assert _sign(client, filing_id).status_code == 302
    [copy] = _copies(db)
    text, digest = copy.document, copy.sha256
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == digest
    doc = json.loads(text)
    assert text == json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))  # canonical
    assert re.fullmatch(r"RC-\d{4}-[0-9A-Z]{9}", copy.receipt_number) and signing.receipt_number_ok(
        copy.receipt_number)
    gas = plant["sources"]["gas"]
    line = next(x for x in doc["lines"] if x["source_id"] == gas.id)
    assert line["source_name"] == gas.name and line["quantity"] == "38" and line["unit"] == "10^4 Nm3"
    assert line["result"]["co2e_t"] and line["result"]["factors"][0]["version"]
    assert doc["calculation"]["gwp_set"] and doc["calculation"]["totals_tco2e"]["total"]
    assert doc["production"][0]["quantity"] == "1000" and doc["output_value_10k_cny"] == "5000"
    assert doc["channel"] == {"kind": "web", "token_id": None} and doc["filing"]["revision"] == 1

    # The audit trail carries the digest and the receipt number, so the hash chain covers them.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.signed"))
    assert event.detail["sha256"] == digest and event.detail["receipt_number"] == copy.receipt_number
    assert verify_chain()[0]

    # The JSON download is the stored bytes exactly.
    response = client.get(f"/filings/records/{copy.id}/document.json")
    assert response.status_code == 200 and hashlib.sha256(response.data).hexdigest() == digest
    page = client.get(f"/filings/records/{copy.id}").get_data(as_text=True)
    assert digest in page and 'data-testid="digest-ok"' in page and gas.name in page

    # Approved, amended, the amendment signed and approved: the first copy stays as it was.
    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        workflow.approve(regulator, filing)
        db.session.commit()
        revision = workflow.amend(plant["admin"], plant["org"], filing.period, "天然气发票更正")
        calculations.calculate(revision, plant["admin"], reason="amendment opened")
        revision.lines[0].quantity = 39
        calculations.calculate(revision, plant["admin"])
        db.session.commit()
        signing.sign_and_submit(plant["admin"], revision, password=PASSWORD)
        db.session.commit()
        workflow.approve(regulator, revision)
        db.session.commit()
        revision_id = revision.id
    first, second = _copies(db)
    assert (first.document, first.sha256, first.filing_id) == (text, digest, filing_id)
    assert hashlib.sha256(first.document.encode("utf-8")).hexdigest() == digest
    assert second.filing_id == revision_id and second.revision == 2 and second.sha256 != digest
    assert json.loads(second.document)["filing"]["amendment_reason"] == "天然气发票更正"
    assert verify_chain()[0]

    # And there is no way to change one: the ORM refuses.
    first.sha256 = "0" * 64
    with pytest.raises(FrozenRecord):
        db.session.flush()
    db.session.rollback()


# --- the receipt ----------------------------------------------------------------------------------------

def test_the_receipt_names_the_digest_in_the_pdf_and_the_inbox(app, client, db, plant, manager):
    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    response = _sign(client, filing_id)
    [copy] = _copies(db)
    flash = client.get(response.headers["Location"]).get_data(as_text=True)
    assert copy.receipt_number in flash  # the flash message and the filing page's list of signed submissions
    assert f"/filings/records/{copy.id}/receipt.pdf" in flash

    receipt = client.get(f"/filings/records/{copy.id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    text = _pdf_text(receipt.data)
    assert copy.receipt_number in text and copy.sha256 in text and "回执" in text
    assert copy.sha256 in PdfReader(io.BytesIO(receipt.data)).metadata["/Keywords"]
    record_pdf = client.get(f"/filings/records/{copy.id}/document.pdf")
    text = _pdf_text(record_pdf.data)
    assert copy.receipt_number in text and "燃气锅炉" in text and STATEMENTS[1]["zh"][:10] in text

    # The signer and the enterprise admin are told the receipt number and the digest.
    notes = db.session.scalars(select(Notification).where(Notification.kind == "filing.signed")).all()
    assert {n.user_id for n in notes} == {manager.id, plant["admin"].id}
    assert all(n.detail["sha256"] == copy.sha256 and n.detail["receipt_number"] == copy.receipt_number
               for n in notes)
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert copy.receipt_number in inbox and copy.sha256 in inbox


# --- who may sign -----------------------------------------------------------------------------------------

def test_an_energy_manager_signs_only_when_the_admin_allows_it(app, client, db, plant, make_user,
                                                               token_for):
    staff = make_user(plant["org"], "energy_manager", name="赵能源")
    filing_id = file_with_status(app, db, plant)
    login(client, staff)
    page = _submit_page(client, filing_id)
    assert 'data-testid="not-a-signer"' in page and plant["admin"].name in page and 'type="password"' not in page
    response = _sign(client, filing_id)  # even with the right password
    assert response.status_code == 200 and db.session.get(Filing, filing_id).status == "draft"
    # The API answers the same for the same person.
    headers = token_for(staff)
    month = db.session.get(Filing, filing_id).period.strftime("%Y-%m")
    response = client.post(f"/api/v1/filings/{month}/submit", headers=headers)
    assert response.status_code == 403 and response.json["error"]["code"] == "not_a_signer"
    assert db.session.get(Filing, filing_id).status == "draft" and _copies(db) == []

    # The admin allows it on the users page (audited); then the same person signs.
    admin = client_for(app, plant["admin"])
    users = admin.get("/users").get_data(as_text=True)
    assert f'data-testid="toggle-signer-{staff.id}"' in users
    # Granting is a step of its own (issue 16): the list links to a page that says what it means.
    assert f'href="/users/{staff.id}/signing"' in users
    confirm = admin.get(f"/users/{staff.id}/signing").get_data(as_text=True)
    assert 'data-testid="confirm-signer"' in confirm and STATEMENTS[STATEMENT_VERSION]["zh"] in confirm
    assert "签名" in confirm.split('data-testid="confirm-title">')[1].split("<")[0]
    db.session.expire_all()
    assert staff.may_sign is False  # looking allows nothing
    assert post(admin, f"/users/{staff.id}/signing", {"allowed": "1"},
                token_from=f"/users/{staff.id}/signing").status_code == 302
    db.session.expire_all()
    assert staff.may_sign is True
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.signing_allowed",
                                                      AuditEvent.object_id == staff.id)) is not None
    assert _sign(client, filing_id).status_code == 302
    assert db.session.get(Filing, filing_id).status == "submitted"

    # Only the enterprise admin sets it: an energy manager may not allow themselves.
    other = make_user(plant["org"], "energy_manager")
    assert post(client_for(app, other), f"/users/{other.id}/signing", {"allowed": "1"}).status_code == 403
    assert client_for(app, other).get(f"/users/{other.id}/signing").status_code == 403
    # Once allowed, the list withdraws with one button and the confirmation page has nothing to ask.
    assert admin.get(f"/users/{staff.id}/signing").status_code == 302
    assert f'action="/users/{staff.id}/signing"' in admin.get("/users").get_data(as_text=True)
    db.session.expire_all()
    assert other.may_sign is False


def test_the_api_records_the_tokens_user_as_signer(app, client, db, plant, manager, token_for):
    headers = token_for(manager)
    assert client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant)).status_code in (200, 201)
    response = client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers)
    assert response.status_code == 200, response.json
    [copy] = _copies(db)
    token_id = db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "filing.signed"))["token_id"]
    assert copy.signer_id == manager.id and copy.channel == "api" and copy.token_id == token_id
    doc = json.loads(copy.document)
    assert doc["signer"]["id"] == manager.id and doc["channel"] == {"kind": "api", "token_id": token_id}
    assert response.json["receipt"] == {"number": copy.receipt_number, "sha256": copy.sha256,
                                        "signer_id": manager.id,
                                        "received_at": response.json["receipt"]["received_at"]}


# --- who reads a copy ----------------------------------------------------------------------------------------

def test_who_reads_a_copy_of_record(app, client, db, plant, manager, regulator, make_user, make_org):
    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    _sign(client, filing_id)
    [copy] = _copies(db)
    urls = [f"/filings/records/{copy.id}", f"/filings/records/{copy.id}/document.json",
            f"/filings/records/{copy.id}/document.pdf", f"/filings/records/{copy.id}/receipt.pdf"]
    for user, status in ((manager, 200), (plant["admin"], 200), (regulator, 200),
                         (make_user(plant["org"], "viewer"), 403),
                         (make_user(plant["org"], "energy_manager", may_sign=True), 403),
                         (make_user(make_org(name="乙企业"), "enterprise_admin"), 404)):
        reader = client_for(app, user)
        assert [reader.get(url).status_code for url in urls] == [status] * 4, user
    review = client_for(app, regulator).get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert f"/filings/records/{copy.id}" in review and copy.receipt_number in review


def test_receipt_numbers_catch_every_mistyped_character():
    from app.core import serials

    for _ in range(10):
        number = serials.new_number("RC", 2026)
        assert signing.receipt_number_ok(number)
        for i in range(8, len(number)):
            assert not any(signing.receipt_number_ok(number[:i] + c + number[i + 1:])
                           for c in serials.ALPHABET if c != number[i]), (number, i)
