"""Issue 16: every page reachable by links, as each role and in both languages, and every PDF and export the app
writes, speaks the reader's language: no raw codes (snake_case), no ISO timestamps, and on the Chinese pages no
English word outside a short allow-list of names, units and codes meant to be shown.

One small but complete city is built once (sources, approved, submitted, returned and draft months, evidence, a
signed copy of record, a certificate, a verification, assets, a scenario, a benchmark) and crawled breadth-first
from "/" by each role in each language (tests/helpers/crawl.py).
"""
import csv
import functools
import io
import re
from datetime import date, datetime, timezone

from openpyxl import load_workbook
from sqlalchemy import update
from werkzeug.datastructures import FileStorage

from app.assets import services as assets
from app.city_data.models import IndexSettings
from app.city_data.services import DEFAULT_INDEX_SETTINGS
from app.filings import conversation, evidence, workflow
from app.filings.models import Filing
from app.scenarios.models import Scenario
from app.signing import services as signing
from app.tenancy import acting_on, cross_tenant_write, scope_of
from app.verification import services as verification
from tests.conftest import PASSWORD, csrf_token, login
from tests.helpers.certificates import issue
from tests.helpers.city import SETTINGS
from tests.helpers.crawl import crawl, pdf_text, read_html
from tests.helpers.filings import file_month

YEAR = 2022
NOW = datetime(YEAR + 1, 1, 20, 2, 0, tzinfo=timezone.utc)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

SNAKE = re.compile(r"(?<![\w@./-])[a-z0-9]+_[a-z0-9_]+(?![\w@])")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
CARET_POWER = re.compile(r"10\^\d")  # 10^4 Nm3 is the engine's spelling: people read 10⁴ Nm³ or 万标准立方米
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+\-/@:²³⁴⁻₂₄]*")
WORD = re.compile(r"[A-Za-z]{2,}")

# English words a Chinese page may show: each is a name, a unit or a code people use as such in Chinese.
ALLOWED_WORDS = {
    "Tanji", "English", "Excel", "WPS",  # product names; the language switch names English in English
    "tCO", "CO", "CH", "MWh", "kWh", "GJ", "TJ", "Nm", "tce", "kgce", "MW", "CNY", "ha", "kg", "km", "KB", "MB",
    "kcal", "kJ",  # units (GB/T 2589's 5000 kcal/kg, steam enthalpy in kJ/kg)
    "ICAP", "NSCR",  # a cited body (the International Carbon Action Partnership) and a named abatement technology
    "CCER", "CEA", "AR", "SAR", "GWP", "tC",  # offsets, IPCC report sets (SAR, AR5...), tonnes of carbon
    "GB", "ISO", "IPCC", "SHA", "API", "CSV", "XLSX", "PDF", "JSON", "QR", "URL", "GBK", "UTF", "PNG", "JPG",  # standards, formats
    "csv", "xlsx", "xls", "pdf",  # file extensions, as the file chooser shows them
    "CNAS", "CMA", "GDP", "DCI", "Ep",  # accreditation numbers (CNAS, CMA marks), the index's symbols (E0, G0, Ep as in the methodology)
    "FC", "NCV", "CC", "OF", "EF",  # the symbols of GB/T 32150's formulas, which Chinese guidelines write so
    "YYYY", "MM",  # the month format people type
}
# The API's reference documents an English machine contract (header and field names): not checked.
DEVELOPER_PAGES = ("/help/api",)
UPLOADED = ("/filings/evidence/",)  # the enterprise's own files, served as uploaded


def _problems(texts, lang, code=()):
    """Offending tokens in the prose (and the code) a person reads."""
    found = []
    for text in [*texts, *code]:
        # A code in <code> is an identifier shown on purpose (a factor's code as import files name it).
        found += [f"snake_case {m!r}" for m in SNAKE.findall(text) if text not in code]
        found += [f"ISO time {m!r}" for m in ISO_TIME.findall(text)]
        found += [f"caret power {m!r}" for m in CARET_POWER.findall(text)]
    if lang == "zh":
        for text in texts:
            for token in TOKEN.findall(text):
                if "@" in token or any(c.isdigit() for c in token if c.isascii()) and not token.isalpha():
                    continue  # e-mail addresses, serial and receipt numbers, industry codes, amounts with units
                found += [f"English {w!r}" for w in WORD.findall(token) if w not in ALLOWED_WORDS]
    return found


@functools.lru_cache(maxsize=None)
def _pdf_lines(data: bytes) -> tuple[str, ...]:
    return tuple(pdf_text(data).splitlines())  # each role fetches the same PDFs: read each once


def _sheet_cells(data: bytes, content_type: str) -> list[str]:
    if content_type == "text/csv":
        return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
    book = load_workbook(io.BytesIO(data), read_only=True)
    return [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
            if v is not None]


def problems_of(fetched, lang) -> list[str]:
    ctype = fetched.content_type
    if fetched.url.startswith(UPLOADED + DEVELOPER_PAGES):
        return []
    if ctype == "text/html":
        text, _links = read_html(fetched.data.decode("utf-8"))
        return _problems(text.prose, lang, text.code)
    if ctype == "application/pdf":  # bilingual by design (reports/common.py): no codes, no ISO times
        return _problems(_pdf_lines(fetched.data), "en")
    if ctype in ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"):
        return [p for p in _problems(_sheet_cells(fetched.data, ctype), "en") if p.startswith("snake_case")]
    return []


# --------------------------------------------------------------------------------------------- the city

def _build(app, db, plant, city, manager, regulator, make_org, make_user, authority):
    """One small complete city around the worked-example plant; returns the people who crawl it."""
    org, admin, s = plant["org"], plant["admin"], plant["sources"]
    # The `city` fixture's settings hold only what the index tests use; a published version holds every key.
    db.session.execute(update(IndexSettings).values(values={**DEFAULT_INDEX_SETTINGS, **SETTINGS}, note="年度更新"))
    for m in (1, 2, 3):
        file_month(app, db, plant, date(YEAR, m, 1), approve_by=regulator, now=NOW)
    submitted = file_month(app, db, plant, date(YEAR, 4, 1), submit=False)
    returned = file_month(app, db, plant, date(YEAR, 5, 1))
    draft = file_month(app, db, plant, date(YEAR, 6, 1), submit=False)
    with app.test_request_context():
        filing = db.session.get(Filing, submitted)
        signing.sign_and_submit(manager, filing, password=PASSWORD, now=NOW)
        back = db.session.get(Filing, returned)
        with scope_of(regulator), acting_on(org.id):
            workflow.return_filing(regulator, back, "请核对天然气用量。", {s["gas"].id: "发票金额不符。"}, now=NOW)
        db.session.commit()
        with scope_of(admin):
            conversation.add_comment(admin, db.session.get(Filing, returned), "已核对，发票见附件。", now=NOW)
            evidence.add_evidence(admin, db.session.get(Filing, draft),
                                  FileStorage(io.BytesIO(PDF), filename="天然气发票.pdf"), source_id=s["gas"].id,
                                  description="一月发票", now=NOW)
        db.session.commit()
    issue(app, db, regulator, org, date(YEAR, 1, 1), date(YEAR, 3, 1))
    with app.test_request_context(), scope_of(regulator):
        with cross_tenant_write():
            body = verification.register_body(regulator, {"name": "锦湾碳核查中心", "accreditation_no": "CNAS-V-0001"})
        db.session.commit()
        with acting_on(org.id):
            engagement = verification.assign(regulator, org, body, YEAR, now=NOW)
            db.session.commit()
    verifier = make_user(body, "verifier")
    with app.test_request_context(), scope_of(verifier):
        verification.raise_finding(verifier, engagement, {"month": 2, "severity": "observation", "text": "抽样核对。",
                                                           "source_id": s["power"].id}, now=NOW)
        db.session.commit()
    with app.test_request_context():
        with scope_of(regulator), acting_on(org.id):
            assets.record_entry(regulator, org, "allocation", {"quantity": "1000", "compliance_year": YEAR,
                                                               "trade_date": date(YEAR, 6, 1), "reason": "年度配额"})
        with scope_of(admin), acting_on(org.id):
            assets.record_entry(admin, org, "offset_acquired", {
                "offset_type": "CCER", "project_id": "CCER-14-2024-0007", "vintage": "2022", "quantity": "50",
                "price": "60", "trade_date": date(YEAR, 6, 1), "reason": "购入"})
        db.session.commit()
    db.session.add(Scenario(name="滨海造林", kind="sinks", params={"month": "2025-06", "sink_rate": "5",
                                                                  "area_ha": "2000", "rate": "7.5"}))
    db.session.commit()
    enterprise_viewer = make_user(org, "viewer")
    return {"anonymous": None, "energy_manager": manager, "enterprise_admin": admin,
            "enterprise_viewer": enterprise_viewer, "regulator": regulator,
            "platform_admin": make_user(authority, "platform_admin"), "city_viewer": make_user(authority, "viewer"),
            "verifier": verifier}


def _browser(app, user, lang):
    client = app.test_client()
    if user is not None:
        login(client, user)
    client.post("/language", data={"locale": lang, "next": "/", "csrf_token": csrf_token(client, "/login" if user is None else "/account/password")})
    return client


def test_every_page_and_file_speaks_the_readers_language(app, db, plant, city, manager, regulator, make_org,
                                                          make_user, authority):
    people = _build(app, db, plant, city, manager, regulator, make_org, make_user, authority)
    failures, covered = {}, {}
    for role, user in people.items():
        for lang in ("zh", "en"):
            client = _browser(app, user, lang)
            pages = crawl(app, client)
            covered[role, lang] = len(pages)
            for fetched in pages:
                where = f"{role}/{lang} {fetched.url}"
                if fetched.status >= 400 and fetched.status != 404:
                    failures.setdefault(f"HTTP {fetched.status}", []).append(f"{where} (from {fetched.found_on})")
                if fetched.status == 200:
                    for problem in problems_of(fetched, lang):
                        failures.setdefault(problem, []).append(where)
    print(covered)
    assert not failures, "\n".join(f"{problem}: {', '.join(sorted(set(where))[:4])}"
                                    + (f" (+{len(set(where)) - 4})" if len(set(where)) > 4 else "")
                                    for problem, where in sorted(failures.items()))
