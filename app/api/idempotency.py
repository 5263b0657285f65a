"""Idempotency-Key: a write repeated with the same key returns the first answer and changes nothing.

The key belongs to the user (whichever of their tokens sends it). It is stored with the method, the path,
a hash of the body and the answer, in the same transaction as the write itself, so a key is either
stored with the change it made or not at all. The same key with another request is refused (422).
"""
import hashlib
import json
import re

from flask import request
from sqlalchemy import select

from app.api.errors import ApiError
from app.api.models import IdempotentRequest
from app.core.types import utcnow
from app.extensions import db

HEADER = "Idempotency-Key"
PATH_MAX = 500  # the column's length
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII without spaces, e.g. a UUID


def request_key() -> str | None:
    """The request's key, checked; None when there is none."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not KEY_PATTERN.fullmatch(key):
        raise ApiError(400, "invalid_idempotency_key",
                       f"{HEADER} must be 1 to 200 printable ASCII characters without spaces, e.g. a UUID.")
    return key


def fingerprint() -> str:
    return hashlib.sha256(request.get_data()).hexdigest()


def stored(user, key: str) -> IdempotentRequest | None:
    return db.session.scalar(select(IdempotentRequest).where(IdempotentRequest.user_id == user.id,
                                                             IdempotentRequest.key == key))


def replay(previous: IdempotentRequest):
    """The first answer again, or a refusal when the key came with a different request."""
    if (previous.method, previous.path, previous.request_hash) != (request.method, request.path, fingerprint()):
        raise ApiError(422, "idempotency_key_reused",
                       f"This {HEADER} was already used for a different request "
                       f"({previous.method} {previous.path}); use a new key for a new request.")
    return json.loads(previous.response_body), previous.status_code, {"Idempotent-Replayed": "true"}


def remember(user, token, key: str, status: int, body: dict) -> None:
    if len(request.path) > PATH_MAX:
        return  # a path no route has (the answer was an error): nothing worth replaying, and it would not fit
    db.session.add(IdempotentRequest(org_id=user.org_id, user_id=user.id, token_id=token.id, key=key,
                                     method=request.method, path=request.path, request_hash=fingerprint(),
                                     status_code=status, response_body=json.dumps(body, ensure_ascii=False),
                                     created_at=utcnow()))
