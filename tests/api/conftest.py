"""Fixtures of the API tests: tokens for users, the worked-example plant, a regulator."""
from datetime import date

import pytest

from app.api import tokens
from tests.test_footprint import plant  # noqa: F401  (the fixture)

MONTH = "2025-06"
PERIOD = date(2025, 6, 1)


@pytest.fixture
def token_for(app, db):
    """token_for(user, scope="write") → the headers of a request with a new token of that user."""

    def make(user, scope="write", name="test"):
        with app.test_request_context():
            _token, secret = tokens.create_token(user, name, scope)
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def regulator(authority, make_user):
    return make_user(authority, "regulator")


@pytest.fixture
def manager(plant, make_user):  # noqa: F811
    return make_user(plant["org"], "energy_manager", may_sign=True)


def example_lines(plant, gas="38"):  # noqa: F811
    s = plant["sources"]
    return [{"source_id": s["gas"].id, "quantity": gas, "unit": "10^4 Nm3"},
            {"source_id": s["diesel"].id, "quantity": "15.5", "unit": "t"},
            {"source_id": s["power"].id, "quantity": "2350.4", "unit": "MWh"},
            {"source_id": s["heat"].id, "quantity": "4200", "unit": "GJ"}]


def example_body(plant, gas="38"):  # noqa: F811
    return {"lines": example_lines(plant, gas), "production": [{"product_id": plant["product"].id, "quantity": "1000"}],
            "output_value_10k_cny": "5000"}
