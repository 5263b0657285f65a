"""Acceptance (issue 15): "a quantity of 99,999,999 for any source of a demo enterprise, and 1e12, are refused before
they are stored (form, import, API)". The demo city is loaded once for the module; every source's capacity
(app/demo/activity.py rated_capacity) stops the first, and the form, the import and the API each refuse the second."""
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.accounting.models import EmissionSource
from app.accounts.models import User
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.demo import city
from app.filings import services
from app.filings.models import Filing, FilingLine
from app.organisations.models import Organisation
from tests.conftest import csrf_token, login, post
from tests.helpers.filings import hidden_fields

ABSURD = "99999999"


def _stored(db) -> tuple:
    """What a refusal must leave as it was: the filings and their lines, and no line of an absurd quantity."""
    lines = db.session.scalars(select(FilingLine.quantity)).all()
    return (db.session.scalar(select(func.count(Filing.id))), len(lines),
            sum(1 for q in lines if q >= 99999999))


def _load_demo(app, db):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    petro = db.session.scalar(select(Organisation).where(Organisation.name == city.ENTERPRISES[0][1]))
    return {"petro": petro, "manager": db.session.scalar(select(User).where(User.email == "energy@jinwan-petro.com.cn")),
            "month": city_today().replace(day=1)}


def test_absurd_quantities_are_refused_before_they_are_stored(app, db, client, token_for):
    """One load of the demo city (about 20 s) for the four checks."""
    demo = _load_demo(app, db)
    _every_source_refuses_99999999(app, db, demo)
    _the_form_refuses_1e12(db, client, demo)
    _the_import_refuses_1e12(db, client, demo)
    _the_api_refuses_1e12_and_99999999(db, client, demo, token_for)


def _every_source_refuses_99999999(app, db, demo):
    before = _stored(db)
    sources = db.session.scalars(select(EmissionSource).order_by(EmissionSource.org_id, EmissionSource.id)).all()
    assert len({s.org_id for s in sources}) >= 40 and all(s.rated_capacity is not None for s in sources)
    refused = 0
    with app.test_request_context():
        for source in sources:
            org = db.session.get(Organisation, source.org_id)
            filer = db.session.scalar(select(User).where(User.org_id == org.id, User.role == "energy_manager"))
            filing = services.open_filing(filer, org, demo["month"])
            with pytest.raises(ServiceError) as caught:
                services.set_activity(filer, filing, [{"source_id": source.id, "quantity": ABSURD,
                                                       "unit": source.activity_unit}])
            assert caught.value.field == f"quantity_{source.id}", str(caught.value.message)
            db.session.rollback()  # as the request's edge does on a refusal
            refused += 1
    assert refused == len(sources)
    assert _stored(db) == before


def _the_form_refuses_1e12(db, client, demo):
    source = db.session.scalar(select(EmissionSource).where(EmissionSource.org_id == demo["petro"].id)
                               .order_by(EmissionSource.id).limit(1))
    login(client, "energy@jinwan-petro.com.cn", city.PASSWORD)
    response = post(client, "/filings/open", {"period": f"{demo['month']:%Y-%m}"}, token_from="/filings/")
    filing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    before = _stored(db)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    response = client.post(f"/filings/{filing_id}", data={**hidden_fields(page, city.PASSWORD),
                                                          f"quantity_{source.id}": "1e12",
                                                          f"unit_{source.id}": source.activity_unit})
    page = html.unescape(response.get_data(as_text=True))
    assert re.search(rf'data-field-error="quantity_{source.id}">[^<]*{re.escape(source.name)}', page)
    assert _stored(db) == before
    assert not db.session.get(Filing, filing_id).lines


def _the_import_refuses_1e12(db, client, demo):
    month = f"{demo['month']:%Y-%m}"
    template = client.get(f"/filings/import/template.xlsx?from={month}&to={month}")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    sheet = book["活动数据 Activity data"]
    quantity = [c.value for c in sheet[2]].index("数量 Quantity") + 1
    sheet.cell(row=3, column=quantity, value=1e12)
    out = io.BytesIO()
    book.save(out)
    before = _stored(db)
    response = client.post("/filings/import/", data={"csrf_token": csrf_token(client, "/filings/import/"),
                                                     "file": (io.BytesIO(out.getvalue()), "月报.xlsx")},
                           content_type="multipart/form-data")
    page = html.unescape(response.get_data(as_text=True))
    assert 'data-testid="import-done"' not in page and "1,000,000,000,000" in page
    assert _stored(db) == before


def _the_api_refuses_1e12_and_99999999(db, client, demo, token_for):
    source = db.session.scalar(select(EmissionSource).where(EmissionSource.org_id == demo["petro"].id)
                               .order_by(EmissionSource.id).limit(1))
    headers = token_for(demo["manager"])
    before = _stored(db)
    for quantity in ("1000000000000", ABSURD):
        response = client.put(f"/api/v1/filings/{demo['month']:%Y-%m}", headers=headers,
                              json={"lines": [{"source_id": source.id, "quantity": quantity}]})
        assert response.status_code == 422, response.get_json()
        assert "lines[0].quantity" in response.get_json()["error"]["fields"]
    assert _stored(db) == before
