"""The certificate endpoints of /api/v1: the list and the stored PDF with a token, public verification without."""
import hashlib
import json
from decimal import Decimal

import pytest

from app.certificates import services as certs
from app.certificates.models import Certificate
from app.tenancy import acting_on, scope_of
from tests.helpers.certificates import approve_year, issue


@pytest.fixture
def certificate(app, db, plant, regulator):
    approve_year(app, db, plant, regulator)
    return db.session.get(Certificate, issue(app, db, regulator, plant["org"]))


def test_list_shows_own_certificates_and_all_for_the_regulator(client, token_for, plant, regulator, certificate,
                                                               make_org, make_user):
    own = client.get("/api/v1/certificates", headers=token_for(plant["admin"], "read"))
    assert own.status_code == 200 and own.json["total"] == 1
    (item,) = own.json["certificates"]
    assert item["serial"] == certificate.serial and item["status"] == "valid"
    assert item["organisation"]["credit_code"] == plant["org"].credit_code
    assert item["period"] == {"start": "2022-01", "end": "2022-12"}
    assert Decimal(item["total_tco2e"]) == certificate.total_tco2e
    assert item["digest"] == certificate.digest
    assert client.get("/api/v1/certificates", headers=token_for(regulator, "read")).json["total"] == 1
    other = make_user(make_org(), "enterprise_admin")
    assert client.get("/api/v1/certificates", headers=token_for(other, "read")).json == {
        "certificates": [], "page": 1, "per_page": 50, "total": 0}
    assert client.get("/api/v1/certificates").status_code == 401


def test_pdf_is_the_stored_file_for_owner_and_regulator_only(client, token_for, plant, regulator, certificate,
                                                             make_org, make_user):
    url = f"/api/v1/certificates/{certificate.serial}.pdf"
    for user in (plant["admin"], regulator):
        response = client.get(url, headers=token_for(user, "read"))
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert hashlib.sha256(response.data).hexdigest() == certificate.pdf_sha256
    other = make_user(make_org(), "enterprise_admin")
    response = client.get(url, headers=token_for(other, "read"))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get(url).status_code == 401


def test_public_verification_needs_no_token_and_states_only_the_certificate(client, certificate, plant):
    response = client.get(f"/api/v1/certificates/{certificate.serial}")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "valid" and body["digest"] == certificate.digest
    assert body["enterprise"]["credit_code"] == plant["org"].credit_code and "organisation" not in body
    # the digest recomputes from what is stated
    canonical = json.dumps(body["stated"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == body["digest"]
    assert body["verify_url"].endswith(f"/verify/{certificate.serial}")
    assert client.get(f"/api/v1/certificates/{certificate.serial.lower()}").status_code == 200


def test_public_verification_of_unknown_and_revoked_serials(app, client, db, certificate, regulator):
    missing = client.get("/api/v1/certificates/TJ-2022-AAAAAAAAA")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    with app.test_request_context(), scope_of(regulator), acting_on(certificate.org_id):
        certs.revoke(regulator, db.session.get(Certificate, certificate.id), "核查发现数据错误")
        db.session.commit()
    body = client.get(f"/api/v1/certificates/{certificate.serial}").json
    assert body["status"] == "revoked" and body["revoked_reason"] == "核查发现数据错误" and body["revoked_at"]


def test_json_answers_carry_chinese_as_utf8(client, certificate):
    response = client.get(f"/api/v1/certificates/{certificate.serial}")
    assert certificate.organisation.name.encode() in response.data and b"\\u" not in response.data
