"""Copies of record through the API: the month's receipts, and each copy byte for byte, for those who may read it."""
import hashlib

from tests.helpers.api import MONTH, example_body


def _submit(client, headers, plant):
    client.put(f"/api/v1/filings/{MONTH}", headers=headers, json=example_body(plant))
    response = client.post(f"/api/v1/filings/{MONTH}/submit", headers=headers, json={})
    assert response.status_code == 200
    return response.json["receipt"]


def test_the_months_receipts_and_the_copy_byte_for_byte(client, plant, token_for, regulator):
    headers = token_for(plant["admin"])
    receipt = _submit(client, headers, plant)
    listed = client.get(f"/api/v1/filings/{MONTH}/records", headers=headers)
    assert listed.status_code == 200
    (record,) = listed.json["records"]
    assert (record["receipt_number"], record["sha256"], record["channel"]) == (receipt["number"], receipt["sha256"],
                                                                               "api")
    document = client.get(f"/api/v1/records/{receipt['number']}.json", headers=headers)
    assert document.status_code == 200 and document.mimetype == "application/json"
    assert hashlib.sha256(document.data).hexdigest() == receipt["sha256"]
    assert document.json["signer"]["id"] == plant["admin"].id
    # the regulator reads it too, lower-case receipt numbers included
    assert client.get(f"/api/v1/records/{receipt['number'].lower()}.json",
                      headers=token_for(regulator, "read")).data == document.data


def test_who_may_not_read_a_copy(client, plant, token_for, manager, make_org, make_user):
    receipt = _submit(client, token_for(plant["admin"]), plant)
    url = f"/api/v1/records/{receipt['number']}.json"
    # a colleague who neither signed nor administers: the list hides it and the copy is refused
    colleague = token_for(make_user(plant["org"], "viewer"), "read")
    assert client.get(f"/api/v1/filings/{MONTH}/records", headers=colleague).json["records"] == []
    refused = client.get(url, headers=colleague)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    # another enterprise: not found at all
    stranger = token_for(make_user(make_org(), "enterprise_admin"), "read")
    assert client.get(url, headers=stranger).status_code == 404
    assert client.get(f"/api/v1/filings/{MONTH}/records", headers=stranger).status_code == 404  # no month of its own
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/records/RC-2026-NOSUCH000.json", headers=token_for(plant["admin"])).status_code == 404
