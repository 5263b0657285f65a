"""Emission certificates: the certified statement, the PDF (text, QR code, digest), verification and access."""
import io
import json
import zlib
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.certificates import services as certs
from app.certificates.models import Certificate
from app.core.service_error import ServiceError
from app.filings import services, workflow
from app.filings.models import Filing
from app.settings.services import set_setting
from app.tenancy import scope_of
from tests.conftest import login, post
from tests.helpers.certificates import (
    END,
    NOW,
    START,
    YEAR,
    approve_year,
    issue,
    pdf_text,
)
from tests.helpers.filings import file_month


def decode_qr(data: bytes) -> list[str]:
    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil()
    return [r.text for r in zxingcpp.read_barcodes(image)]


def alter_figure(data: bytes, old: str, new: str) -> bytes:
    """The certificate with one figure rewritten in the page's content stream, as a forger would."""
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    page = writer.pages[0]
    contents = page.get_contents()
    raw = contents.get_data()
    assert old.encode() in raw
    contents.set_data(raw.replace(old.encode(), new.encode()))
    page[NameObject("/Contents")] = contents
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------ issuing

def test_certificate_states_the_approved_figures_with_qr_and_digest(app, db, plant, regulator):
    ids = approve_year(app, db, plant, regulator)
    cert = db.session.get(Certificate, issue(app, db, regulator, plant["org"]))
    calcs = [db.session.get(Filing, i).current_calculation for i in ids]
    total = sum((c.total_tco2e for c in calcs), Decimal(0))
    scope1 = sum((c.scope1_tco2e for c in calcs), Decimal(0))
    assert cert.status == "valid" and certs.serial_ok(cert.serial)
    assert cert.total_tco2e == total.quantize(Decimal("0.001"))

    text = pdf_text(cert.pdf)
    for expected in (plant["org"].name, plant["org"].credit_code, "2022-01 — 2022-12", cert.serial, cert.digest,
                     f"{total.quantize(Decimal('0.001')):,}", f"{scope1.quantize(Decimal('0.001')):,}",
                     "碳排放核证证书", "Certificate of Greenhouse Gas Emissions", "AR5", "锦湾市生态环境局"):
        assert expected in text, expected
    assert decode_qr(cert.pdf) == [f"http://tanji.test/verify/{cert.serial}"]
    meta = PdfReader(io.BytesIO(cert.pdf)).metadata
    assert f"serial={cert.serial}" in meta["/Keywords"] and f"digest={cert.digest}" in meta["/Keywords"]

    # The digest is the SHA-256 of the stored statement, and recomputing the statement gives it again.
    assert certs.digest(json.loads(cert.certified)) == cert.digest
    with app.test_request_context(), scope_of(regulator):
        assert certs.digest(certs.certified_data(plant["org"], START, END, regulator.organisation)) == cert.digest
    stated = json.loads(cert.certified)
    assert stated["revisions"] == {f"{YEAR}-{m:02d}": 1 for m in range(1, 13)}
    assert stated["main_sources"][0]["name"] == "外购电力"
    assert "electricity/China/national_average/2022 v1" in stated["factor_versions"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.issued")) is not None


def test_issue_refuses_a_period_with_a_month_not_approved(app, db, plant, regulator):
    approve_year(app, db, plant, regulator, months=range(1, 12))
    file_month(app, db, plant, date(YEAR, 12, 1), now=NOW)  # submitted, not approved
    with app.test_request_context(), scope_of(regulator), pytest.raises(ServiceError, match="2022-12"):
        certs.issue(regulator, plant["org"], START, END, now=NOW)
    # A range of months that are all approved is fine.
    cert = db.session.get(Certificate, issue(app, db, regulator, plant["org"], date(YEAR, 3, 1), date(YEAR, 5, 1)))
    assert "2022-03 — 2022-05" in pdf_text(cert.pdf)
    with app.test_request_context(), scope_of(regulator), pytest.raises(ServiceError, match=cert.serial):
        certs.issue(regulator, plant["org"], date(YEAR, 3, 1), date(YEAR, 5, 1), now=NOW)


def test_serials_are_random_with_a_check_character():
    serials = {certs.new_serial(2025) for _ in range(200)}
    assert len(serials) == 200 and all(certs.serial_ok(s) for s in serials)
    for s in list(serials)[:20]:  # every single mistyped character of the body or check is caught
        for i in range(8, len(s)):
            for c in certs.ALPHABET:
                if c != s[i]:
                    assert not certs.serial_ok(s[:i] + c + s[i + 1:]), (s, i, c)
    assert not certs.serial_ok("TJ-2025-000001")


# ----------------------------------------------------------------------------------------- verification

def test_verify_page_valid_unknown_and_pdf_upload(app, client, db, plant, regulator):
    approve_year(app, db, plant, regulator)
    cert = db.session.get(Certificate, issue(app, db, regulator, plant["org"]))
    page = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert 'data-status="valid"' in page and cert.digest in page and plant["org"].name in page
    assert f"{cert.total_tco2e:,.3f}" in page
    assert 'data-status="unknown"' in client.get("/verify/TJ-2022-ZZZZZZZZZ").get_data(as_text=True)

    genuine = post(client, "/verify", {"pdf": (io.BytesIO(cert.pdf), "c.pdf")}, token_from="/verify")
    assert 'data-outcome="genuine"' in genuine.get_data(as_text=True)
    shown = f"{cert.total_tco2e:,.3f}"
    forged = alter_figure(cert.pdf, shown, shown.replace(shown[0], str((int(shown[0]) % 9) + 1), 1))
    check = certs.verify_pdf(forged)
    assert check.outcome == "altered" and any(shown in d for d in check.differences)
    body = post(client, "/verify", {"pdf": (io.BytesIO(forged), "c.pdf")}, token_from="/verify").get_data(as_text=True)
    assert 'data-outcome="altered"' in body
    assert certs.verify_pdf(b"not a pdf").outcome == "unreadable"


def _pdf_with_font_map(raw: bytes, filter_name: str) -> bytes:
    """A one-page PDF whose font's ToUnicode map is `raw` under `filter_name`: text extraction decodes it."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    cmap = StreamObject()
    cmap._data = raw
    cmap[NameObject("/Filter")] = NameObject(filter_name)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica"),
                             NameObject("/ToUnicode"): writer._add_object(cmap)})
    content = StreamObject()
    content._data = b"BT /F1 12 Tf 10 10 Td (TJ-2025-ABCDEFGHJ) Tj ET"
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("name, pdf", [
    ("unknown filter", lambda: _pdf_with_font_map(b"xx", "/BogusDecode")),  # pypdf: NotImplementedError
    ("decompression bomb", lambda: _pdf_with_font_map(zlib.compress(b"0" * (300 << 20), 9), "/FlateDecode")),
])
def test_a_malformed_pdf_on_the_public_verify_upload_is_unreadable_not_an_error(client, name, pdf):
    """Issue 16 #7: pypdf's LimitReachedError and NotImplementedError are answered as an unreadable file."""
    data = pdf()
    assert certs.verify_pdf(data).outcome == "unreadable"
    response = post(client, "/verify", {"pdf": (io.BytesIO(data), "c.pdf")}, token_from="/verify")
    assert response.status_code == 200 and 'data-outcome="unreadable"' in response.get_data(as_text=True)


def test_without_a_public_address_the_qr_code_names_the_requests_host_and_production_refuses(app, db, plant,
                                                                                             regulator):
    """Issue 16: the QR code of a certificate issued with no TANJI_PUBLIC_URL pointed to 127.0.0.1."""
    from app.core.service_error import ServiceError as Refusal
    from app.tenancy import acting_on, scope_of

    approve_year(app, db, plant, regulator)
    app.config["PUBLIC_BASE_URL"] = ""
    try:
        with app.test_request_context(base_url="https://tanji.jinwan.gov.cn/"), scope_of(regulator), \
                acting_on(plant["org"].id):
            cert = certs.issue(regulator, plant["org"], START, END, now=NOW)
            assert decode_qr(cert.pdf) == [f"https://tanji.jinwan.gov.cn/verify/{cert.serial}"]
            db.session.rollback()
            app.config["ENV_NAME"] = "production"
            with pytest.raises(Refusal, match="TANJI_PUBLIC_URL"):
                certs.issue(regulator, plant["org"], START, END, now=NOW)
            db.session.rollback()
    finally:
        app.config["PUBLIC_BASE_URL"], app.config["ENV_NAME"] = "http://tanji.test", "test"


def test_an_approved_amendment_supersedes_the_certificate(app, db, plant, regulator):
    approve_year(app, db, plant, regulator)
    cert_id = issue(app, db, regulator, plant["org"])
    with app.test_request_context(), scope_of(plant["admin"]):
        amendment = workflow.amend(plant["admin"], plant["org"], date(YEAR, 6, 1), "仪表读数更正", now=NOW)
        db.session.commit()
        amendment_id = amendment.id
    with app.test_request_context(), scope_of(regulator):
        assert db.session.get(Certificate, cert_id).status == "valid"  # an open amendment changes nothing yet
    with app.test_request_context():
        filing = db.session.get(Filing, amendment_id)
        s = plant["sources"]
        services.set_activity(plant["admin"], filing, [
            {"source_id": s["gas"].id, "quantity": "38", "unit": s["gas"].activity_unit},
            {"source_id": s["diesel"].id, "quantity": "16.5", "unit": "t"},
            {"source_id": s["power"].id, "quantity": "2350.4", "unit": "MWh"},
            {"source_id": s["heat"].id, "quantity": "4200", "unit": "GJ"}],
            [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        workflow.submit(plant["admin"], filing, now=NOW)
        workflow.approve(regulator, filing, now=NOW)
        db.session.commit()
    cert = db.session.get(Certificate, cert_id)
    assert cert.status == "superseded" and cert.superseded_at is not None
    assert certs.verify_pdf(cert.pdf).status == "superseded"


def test_revoked_certificate_shows_its_reason(app, client, db, plant, regulator):
    approve_year(app, db, plant, regulator)
    cert_id = issue(app, db, regulator, plant["org"])
    login(client, regulator)
    assert post(client, f"/certificates/{cert_id}/revoke", {"reason": ""},
                token_from=f"/certificates/{cert_id}/revoke").status_code == 200  # a reason is required
    response = post(client, f"/certificates/{cert_id}/revoke", {"reason": "数据造假"},
                    token_from=f"/certificates/{cert_id}/revoke")
    assert response.status_code == 302
    cert = db.session.get(Certificate, cert_id)
    assert cert.status == "revoked" and cert.revoked_reason == "数据造假"
    page = app.test_client().get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert 'data-status="revoked"' in page and "数据造假" in page


def test_automatic_annual_certificate_on_the_last_approval(app, db, plant, regulator):
    with app.test_request_context():
        set_setting(regulator, "certificate_auto_issue", "annual")
        db.session.commit()
    approve_year(app, db, plant, regulator, months=range(1, 12))
    assert db.session.scalar(select(Certificate)) is None
    approve_year(app, db, plant, regulator, months=[12])
    cert = db.session.scalar(select(Certificate))
    assert cert.auto_issued and (cert.period_start, cert.period_end) == (START, END)


# ------------------------------------------------------------------------------------------------- access

def test_download_is_the_stored_file_and_only_for_its_enterprise(app, client, db, plant, regulator, make_org,
                                                                 make_user):
    approve_year(app, db, plant, regulator)
    cert = db.session.get(Certificate, issue(app, db, regulator, plant["org"]))
    login(client, plant["admin"])
    listing = client.get("/certificates/").get_data(as_text=True)
    assert cert.serial in listing
    first = client.get(f"/certificates/{cert.id}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == cert.pdf == client.get(f"/certificates/{cert.id}.pdf").data
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.downloaded")) is not None

    other = make_org(name="丙企业")
    client = app.test_client()
    login(client, make_user(other, "enterprise_admin"))
    assert client.get(f"/certificates/{cert.id}.pdf").status_code == 404
    assert cert.serial not in client.get("/certificates/").get_data(as_text=True)
    # The public page is the one way in, and it shows what the certificate states, nothing more.
    public = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert plant["org"].name in public and plant["admin"].email not in public and "燃气锅炉" in public
    assert "醋酸" not in public  # the product is not on the certificate


def test_regulator_issue_page_refuses_with_a_message(app, client, db, plant, regulator):
    approve_year(app, db, plant, regulator, months=range(1, 12))
    login(client, regulator)
    data = {"org_id": plant["org"].id, "year": YEAR, "first_month": 1, "last_month": 12}
    page = post(client, "/certificates/issue", data, token_from="/certificates/issue").get_data(as_text=True)
    assert "2022-12" in page and db.session.scalar(select(Certificate)) is None
    response = post(client, "/certificates/issue", {**data, "last_month": 11}, token_from="/certificates/issue")
    assert response.status_code == 302
    assert db.session.scalar(select(Certificate)).period_end == date(YEAR, 11, 1)


def test_the_certificate_states_the_share_resting_on_substituted_values(app, client, db, plant, regulator):
    """Each month's calculation keeps the share of its total resting on substituted values; the certificate states
    the period's: the substituted tonnes of all months over the period's total, on its page and in its PDF."""
    ids = approve_year(app, db, plant, regulator)
    calcs = [db.session.get(Filing, i).current_calculation for i in ids]
    calcs[0].substituted_share, calcs[1].substituted_share = Decimal("0.5"), Decimal("0.25")
    db.session.commit()
    total = sum((c.total_tco2e for c in calcs), Decimal(0))
    expected = (calcs[0].total_tco2e / 2 + calcs[1].total_tco2e / 4) / total
    cert = db.session.get(Certificate, issue(app, db, regulator, plant["org"]))
    stated = json.loads(cert.certified)
    assert Decimal(stated["substituted_share"]) == expected.quantize(Decimal("0.0001"))
    percent = f"{(expected * 100).quantize(Decimal('0.1'))} %"
    assert "Share resting on substituted values" in pdf_text(cert.pdf) and percent in pdf_text(cert.pdf)
    page = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert 'data-testid="stated-substituted"' in page and percent in page
