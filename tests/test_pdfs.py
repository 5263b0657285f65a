"""The PDFs (issue 16): the intensity unit reads correctly, one embedded font, times in the city's zone with the
zone named, every field of the copy of record on its page and in its PDF, certificates say whether the period was
third-party verified."""
import html
import io
import json
import os
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.certificates.models import Certificate
from app.filings.models import CopyOfRecord
from app.signing.record_names import value_names
from config import DEBIAN_CJK_FONT
from reports import common
from tests.conftest import PASSWORD, login
from tests.helpers.certificates import YEAR, approve_year, issue, pdf_text
from tests.helpers.filings import file_with_status, hidden_fields

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIME_KEYS = {"received_at", "computed_at", "created_at"}


def _squeezed(text: str) -> str:
    """Text without whitespace: a value wrapped over lines of a table cell still reads as one."""
    return re.sub(r"\s+", "", text)


def _font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _embedded(data: bytes) -> bool:
    """Some font of the file carries its glyphs (a TrueType font file) rather than naming a system font."""
    return b"/FontFile2" in data


def _signed_copy(app, client, db, plant, manager) -> CopyOfRecord:
    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    page = client.get(f"/filings/{filing_id}/submit").get_data(as_text=True)
    assert client.post(f"/filings/{filing_id}/submit",
                       data=hidden_fields(page, PASSWORD)).status_code == 302
    db.session.expire_all()
    return db.session.scalars(select(CopyOfRecord)).one()


# --- 1. the intensity unit --------------------------------------------------------------------------------------

def test_the_intensity_unit_reads_as_written_in_the_enterprise_report(app, client, db, plant, regulator):
    approve_year(app, db, plant, regulator, months=[5])
    login(client, plant["admin"])
    data = client.get(f"/reports/enterprise/{plant['org'].id}/{YEAR}/5.pdf").data
    body = pdf_text(data)
    assert _embedded(data) == os.path.exists(app.config["PDF_FONT_PATH"] or "/nonexistent")
    assert _squeezed("tCO2e / 万元 (10,000 CNY)") in _squeezed(body)
    assert _squeezed("tCO2e per 10,000 CNY output") in _squeezed(body)
    assert "10 CNY" not in body and "10⁴" not in body  # the superscript the font lacked is gone


# --- 2. one embedded font -----------------------------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists(DEBIAN_CJK_FONT), reason="fonts-wqy-zenhei is not installed")
def test_every_pdf_embeds_wqy_zenhei_by_default(app, client, db, plant, manager):
    assert app.config["PDF_FONT_PATH"] == DEBIAN_CJK_FONT or os.environ.get("TANJI_PDF_FONT")
    copy = _signed_copy(app, client, db, plant, manager)
    for url in (f"/filings/records/{copy.id}/receipt.pdf", f"/filings/records/{copy.id}/document.pdf"):
        data = client.get(url).data
        assert _embedded(data), url
        assert common.CID_FONT not in " ".join(_font_names(data)), url
        assert "锦湾" in pdf_text(data)  # the Chinese still extracts


def test_without_the_font_file_the_cid_font_is_used(app, client, db, plant, manager, monkeypatch):
    copy = _signed_copy(app, client, db, plant, manager)
    monkeypatch.setitem(app.config, "PDF_FONT_PATH", "/nonexistent/font.ttc")
    data = client.get(f"/filings/records/{copy.id}/receipt.pdf").data
    assert not _embedded(data) and any(common.CID_FONT in name for name in _font_names(data))
    assert copy.receipt_number in pdf_text(data) and "回执" in pdf_text(data)


# --- 3. times in the city's zone ---------------------------------------------------------------------------------

def test_zone_label_names_the_city_zone(app, monkeypatch):
    with app.app_context():
        assert common.zone_label() == "北京时间 UTC+8"
        assert common.city_time("2026-03-01T13:05:00+00:00") == "2026-03-01 21:05 北京时间 UTC+8"
        monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Asia/Kolkata")
        assert common.city_time(datetime(2026, 3, 1, 13, 5)) == "2026-03-01 18:35 Asia/Kolkata UTC+5:30"


def test_the_receipt_the_copy_and_its_page_print_times_in_the_city_zone(app, client, db, plant, manager):
    copy = _signed_copy(app, client, db, plant, manager)
    doc = json.loads(copy.document)
    local = datetime.fromisoformat(doc["receipt"]["received_at"]).astimezone(SHANGHAI)
    for url in (f"/filings/records/{copy.id}/receipt.pdf", f"/filings/records/{copy.id}/document.pdf"):
        text = pdf_text(client.get(url).data)
        assert f"{local:%Y-%m-%d %H:%M:%S} 北京时间 UTC+8" in text, url
        assert "(UTC)" not in text, url
    page = client.get(f"/filings/records/{copy.id}").get_data(as_text=True)
    assert f'data-testid="received-at">{local:%Y-%m-%d %H:%M} 北京时间 UTC+8<' in page
    manager.locale = "en"
    db.session.commit()
    page = client.get(f"/filings/records/{copy.id}").get_data(as_text=True)
    assert f'data-testid="received-at">{local:%Y-%m-%d %H:%M} UTC+8<' in page


# --- 4. every field of the copy of record -------------------------------------------------------------------------

def _leaves(node, key=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _leaves(v, key)
    else:
        yield key, node


def _expected(key, value, names=None) -> str | None:
    """How a stored value must read: times in Beijing time to the second, a code by its Chinese name (issue 16:
    no raw codes; the PDF prints both names), the rest as stored."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and (key, value) in (names or {}):
        return names[key, value][0]
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in TIME_KEYS:
        return f"{datetime.fromisoformat(value).astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}"
    return str(value)


def test_every_field_of_the_copy_of_record_is_on_its_page_and_in_its_pdf(app, client, db, plant, manager):
    copy = _signed_copy(app, client, db, plant, manager)
    doc = json.loads(copy.document)
    assert doc["output_value_10k_cny"] == "5000" and doc["lines"][0]["result"]["factors"]
    pdf = _squeezed(pdf_text(client.get(f"/filings/records/{copy.id}/document.pdf").data))
    page = _squeezed(html.unescape(re.sub(r"<[^>]+>", " ", client.get(f"/filings/records/{copy.id}").get_data(
        as_text=True))))
    leaves = list(_leaves(doc))
    with app.test_request_context():
        names = value_names(doc)
    assert names["role", "energy_manager"] == ("能源管理员", "Energy manager")
    assert len(leaves) > 100  # the walk reaches into lines, results and factors
    # The PDF prints a minus sign the font lacks as a hyphen (reports.common.STAND_INS).
    missing_pdf = [(k, v) for k, v in leaves
                   if _expected(k, v, names) and _squeezed(_expected(k, v, names)).replace("−", "-") not in pdf]
    missing_page = [(k, v) for k, v in leaves if _expected(k, v, names) and _squeezed(_expected(k, v, names)) not in page]
    assert not missing_pdf
    assert not missing_page
    assert "工业总产值（万元）" in pdf and 'data-testid="record-output-value"' in client.get(
        f"/filings/records/{copy.id}").get_data(as_text=True)


# --- 5. certificates say whether the period was third-party verified ----------------------------------------------

def test_a_certificate_says_the_period_was_not_third_party_verified(app, client, db, plant, regulator):
    approve_year(app, db, plant, regulator)
    cert = db.session.get(Certificate, issue(app, db, regulator, plant["org"]))
    stated = json.loads(cert.certified)
    assert stated["third_party_verified"] is False and "verification" not in stated
    assert "未经第三方核查 Not third-party verified" in pdf_text(cert.pdf)
    page = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert 'data-testid="stated-verification"' in page and "未经第三方核查" in page


def test_a_part_year_certificate_is_verified_by_its_years_confirmed_verification(app, db, plant, regulator,
                                                                                 monkeypatch):
    from types import SimpleNamespace

    from app.certificates import services as certs

    approve_year(app, db, plant, regulator, months=[3, 4])
    body = SimpleNamespace(name="锦湾碳核查中心", name_en="", accreditation_no="CNAS-V-0001")
    engagement = SimpleNamespace(year=YEAR, verifier=body, opinion="verified", confirmed_total_tco2e="123.4",
                                 confirmed_at=datetime(YEAR + 1, 3, 1, 20, 0, tzinfo=ZoneInfo("UTC")))
    monkeypatch.setattr(certs, "confirmed_for", lambda org_id, year: engagement if year == YEAR else None)
    with app.test_request_context():
        data = certs.certified_data(plant["org"], date(YEAR, 3, 1), date(YEAR, 4, 1))
        # A period over two years is verified only when both years are.
        across = certs._verification(plant["org"], date(YEAR, 11, 1), date(YEAR + 1, 2, 1))
    assert data["third_party_verified"] is True
    assert data["verification"]["year"] == YEAR and data["verification"]["confirmed_on"] == f"{YEAR + 1}-03-02"
    assert across == (False, None)
    cert = db.session.get(Certificate, issue(app, db, regulator, plant["org"], date(YEAR, 3, 1), date(YEAR, 4, 1)))
    text = pdf_text(cert.pdf)
    assert "已核查 Verified" in text and f"{YEAR} 年核查排放量" in text and "123.400" in text
    monkeypatch.setattr(certs, "confirmed_for", lambda org_id, year: engagement)
    with app.test_request_context():
        assert certs._verification(plant["org"], date(YEAR, 11, 1), date(YEAR + 1, 2, 1)) == (True, None)
    monkeypatch.setattr(certs, "confirmed_for", lambda org_id, year: None)
    with app.test_request_context():
        assert certs.certified_data(plant["org"], date(YEAR, 3, 1), date(YEAR, 4, 1))["third_party_verified"] is False
