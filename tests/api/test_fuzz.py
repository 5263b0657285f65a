"""Schemathesis against the OpenAPI document: generated requests (valid and invalid) never get a 500, and every
answer matches the document (status, content type, body schema). Bounded: a few examples per operation."""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api import tokens
from app.api.openapi import document
from app.extensions import db as _db
from tests.helpers.api import MONTH
from app.organisations.credit_code import make_credit_code

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_headers(app):
    """Write tokens of an enterprise admin (with a draft to work on) and of a regulator; no app context is
    left pushed, so each generated request runs in its own, as in production."""
    from datetime import date

    from app.accounting.models import EmissionSource, Facility, Product
    from app.accounts import services as accounts
    from app.filings import services as filings
    from app.organisations.models import Organisation

    with app.app_context(), app.test_request_context():
        org = Organisation(kind="enterprise", name="模糊测试企业", credit_code=make_credit_code("211102", "77777777"),
                           industry_code="C3011", district="兴港区")
        city = Organisation(kind="authority", name="模糊测试局")
        _db.session.add_all([org, city])
        _db.session.flush()
        admin = accounts.create_user(org, "fuzz-admin@example.com", "模糊", "Correct-horse-42", "enterprise_admin")
        regulator = accounts.create_user(city, "fuzz-reg@example.com", "模糊", "Correct-horse-42", "regulator")
        facility = Facility(org_id=org.id, name="厂区")
        _db.session.add(facility)
        _db.session.flush()
        source = EmissionSource(org_id=org.id, facility_id=facility.id, name="锅炉", category="stationary_combustion",
                                material="diesel", activity_unit="t")
        _db.session.add_all([source, Product(org_id=org.id, name="产品", unit="t")])
        _db.session.flush()
        filing = filings.open_filing(admin, org, date(*map(int, MONTH.split("-")), 1))
        filings.set_activity(admin, filing, [{"source_id": source.id, "quantity": "10", "unit": "t"}])
        enterprise = tokens.create_token(admin, "fuzz", "write")[1]
        authority = tokens.create_token(regulator, "fuzz", "write")[1]
        _db.session.commit()
        _db.session.remove()
    previous = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    yield {"enterprise": {"Authorization": f"Bearer {enterprise}"},
           "authority": {"Authorization": f"Bearer {authority}"}}
    app.config["API_RATE_LIMIT"] = previous


# One test per operation of the document. (Schemathesis' own pytest plugin does not run under pytest 9 yet, so its
# strategies are driven with Hypothesis directly.)
OPERATIONS = [(method.upper(), path) for path, item in document()["paths"].items()
              for method in item if method in ("get", "put", "post", "delete", "patch")]


@pytest.mark.parametrize("method, path", OPERATIONS)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_fuzz(app, fuzz_headers, method, path, mode):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    who = "authority" if path.startswith(("/regulator", "/city")) else "enterprise"

    # Valid requests aim at the month that has a draft, so the filing itself is checked against the document too.
    fixed = {"month": MONTH} if mode == GenerationMode.POSITIVE and "{month}" in path else None

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    @settings(max_examples=20, deadline=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=fuzz_headers[who], checks=CHECKS)

    run()
