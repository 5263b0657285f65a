"""What every route refuses before a view runs: NUL characters (issue 16 #6) and bodies over the size limit (#3)."""
import io

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from tests.conftest import csrf_token, login, post

NUL_MESSAGE = "NUL"


def _refused(response) -> bool:
    return response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)


def test_a_nul_in_the_sign_in_form_is_refused_anonymously(client, db):
    response = post(client, "/login", {"email": "a\x00@x.cn", "password": "x"}, token_from="/login")
    assert _refused(response)


@pytest.mark.parametrize("url", ["/api/v1/certificates/%00.pdf", "/api/v1/records/%00.json", "/verify/TJ%00"])
def test_a_nul_in_a_path_is_refused_anonymously(client, db, url):
    assert _refused(client.get(url))


def test_a_nul_in_the_api_answer_is_json(client, db):
    response = client.get("/api/v1/records/%00.json")
    assert response.is_json and response.status_code == 400 and NUL_MESSAGE in response.get_json()["error"]["message"]


def test_a_nul_in_a_query_or_a_form_field_is_refused_for_a_signed_in_user(client, regulator):
    login(client, regulator)
    assert _refused(client.get("/organisations/?q=%00"))
    assert _refused(post(client, "/account/password", {"current_password": "x\x00", "password": "y"},
                         token_from="/account/password"))


def test_a_nul_in_a_json_body_is_refused(client, plant, token_for):
    response = client.put("/api/v1/filings/2025-03", headers=token_for(plant["admin"]),
                          json={"note": "a\x00b", "lines": []})
    assert response.status_code == 400 and response.is_json


def test_a_body_over_the_limit_is_refused_before_anything_reads_it(app, client, db):
    limit = app.config["MAX_CONTENT_LENGTH"]
    token = csrf_token(client, "/login")
    big = io.BytesIO(b"0" * (limit + 1))
    response = client.post("/login", data={"csrf_token": token, "email": "a@x.cn", "pdf": (big, "a.pdf")})
    assert response.status_code == 413
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_a_chunked_api_body_over_the_limit_is_refused(client, plant, token_for):
    """No Content-Length to check: the stream itself stops at the API's limit."""
    from app.api.views import MAX_BODY_BYTES

    body = b'{"note": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    headers = {**token_for(plant["admin"]), "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    # gunicorn marks a chunked body as terminated by the server (wsgi.input_terminated), as the test does here
    response = client.put("/api/v1/filings/2025-03", headers=headers, input_stream=io.BytesIO(body),
                          environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and response.is_json


def test_a_chunked_upload_over_the_real_limit_is_refused_anonymously(app, client, db):
    """The web's own MAX_CONTENT_LENGTH on a chunked 2 GB upload with no Content-Length: 413 after reading no more
    than the limit (tests/test_tenancy.py tries every write route with a lowered limit)."""
    from tests.helpers.bodies import BOUNDARY, SLACK, multipart_upload

    limit = app.config["MAX_CONTENT_LENGTH"]
    body = multipart_upload(csrf_token(client, "/login"), 2 * 1024 * 1024 * 1024)
    response = client.post("/login", input_stream=body, content_type=f"multipart/form-data; boundary={BOUNDARY}",
                           headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and limit <= body.consumed <= limit + SLACK
    assert db.session.scalar(select(func.count(User.id))) == 0
