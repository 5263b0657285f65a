"""A certified year for the worked-example plant: twelve approved months, a certificate, its PDF's text."""
import io
from datetime import date, datetime, timezone

from pypdf import PdfReader

from app.certificates import services as certs
from app.tenancy import acting_on, scope_of
from tests.helpers.filings import file_month

YEAR = 2022
NOW = datetime(YEAR + 1, 1, 20, 2, 0, tzinfo=timezone.utc)
START, END = date(YEAR, 1, 1), date(YEAR, 12, 1)


def approve_year(app, db, plant, regulator, months=range(1, 13)):
    return [file_month(app, db, plant, date(YEAR, m, 1), approve_by=regulator, now=NOW) for m in months]


def issue(app, db, regulator, org, start=START, end=END):
    with app.test_request_context(), scope_of(regulator), acting_on(org.id):
        cert = certs.issue(regulator, org, start, end, now=NOW)
        db.session.commit()
        return cert.id


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
