"""Months filed for the worked-example plant (the `plant` fixture): through the services, or in a second browser."""
import re
from datetime import date, datetime, timezone

from app.filings import services, workflow
from tests.conftest import PASSWORD, login

JUNE = date(2022, 6, 1)
NOW = datetime(2022, 7, 8, 2, 0, tzinfo=timezone.utc)
EXAMPLE_7 = {"gas": "38", "diesel": "15.5", "power": "2350.4", "heat": "4200"}
UNITS = {"gas": "10^4 Nm3", "diesel": "t", "power": "MWh", "heat": "GJ"}
_HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|version|statement_version)"[^>]*value="([^"]*)"')


def file_month(app, db, plant, period=JUNE, amounts=None, submit=True, explanations=None, approve_by=None,
               now=NOW):
    """A month filed through the services (and submitted, and approved), committed; returns its id."""
    s = plant["sources"]
    amounts = {**EXAMPLE_7, **(amounts or {})}
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], period)
        services.set_activity(plant["admin"], filing,
                              [{"source_id": s[key].id, "quantity": q, "unit": s[key].activity_unit}
                               for key, q in amounts.items()],
                              [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        if submit:
            workflow.submit(plant["admin"], filing, explanations, now=now)
        if approve_by is not None:
            workflow.approve(approve_by, filing, now=now)
        db.session.commit()
        return filing.id


def file_with_status(app, db, plant, period=JUNE, amounts=None, status=None, regulator=None):
    """A month filed through the services, optionally taken to submitted or approved; returns its id."""
    s = plant["sources"]
    amounts = {**EXAMPLE_7, **(amounts or {})}
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], period)
        services.set_activity(plant["admin"], filing,
                              [{"source_id": s[k].id, "quantity": q, "unit": UNITS[k]}
                               for k, q in amounts.items() if q is not None],
                              [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        db.session.commit()
        if status in ("submitted", "approved"):
            workflow.submit(plant["admin"], filing)
            db.session.commit()
        if status == "approved":
            workflow.approve(regulator, filing)
            db.session.commit()
        return filing.id


def draft_month(plant, period=JUNE, amounts=None, production="1000"):
    """A draft month opened and filled through the services, not committed (the caller holds a request context)."""
    s = plant["sources"]
    amounts = {**EXAMPLE_7, **(amounts or {})}
    filing = services.open_filing(plant["admin"], plant["org"], period)
    services.set_activity(plant["admin"], filing,
                          [{"source_id": s[key].id, "quantity": q, "unit": s[key].activity_unit}
                           for key, q in amounts.items() if q is not None],
                          [{"product_id": plant["product"].id, "quantity": production}], "5000")
    return filing


def hidden_fields(page: str, password: str = PASSWORD) -> dict:
    """A form's hidden fields; with the signer's password, as submitting is a signature (app.signing)."""
    return {**{name: value for name, value in _HIDDEN.findall(page)}, "password": password}


def client_for(app, user):
    """A browser of its own for a second user."""
    other = app.test_client()
    login(other, user)
    return other
