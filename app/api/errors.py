"""JSON errors for everything under /api/: `{"error": {"code", "message", "fields"}}`.

Codes are the machine contract and never change; messages are English by default (Accept-Language: zh
gives Chinese where a translation exists). No HTML page ever leaves /api/, whatever went wrong.
"""
from flask import Flask, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException

from app.core import errors

API_PREFIX = "/api/"

# The code and English message of each status when nothing more specific is known.
STATUS = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Send a live API token: Authorization: Bearer <token>."),
    403: ("forbidden", "Your role does not allow this."),
    404: ("not_found", "There is nothing here, or it is not yours to see."),
    405: ("method_not_allowed", "This address does not accept this method."),
    409: ("conflict", "The request conflicts with the current state of the resource."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send JSON (Content-Type: application/json)."),
    422: ("validation_failed", "Some values are not valid: see fields."),
    429: ("rate_limited", "Too many requests for this token: wait and try again."),
    500: ("internal_error", "Something went wrong on our side. Nothing was saved."),
}


class ApiError(Exception):
    def __init__(self, status: int, code: str | None = None, message=None, fields: dict | None = None,
                 headers: dict | None = None):
        default_code, default_message = STATUS.get(status, STATUS[500])
        super().__init__(code or default_code)
        self.status = status
        self.code = code or default_code
        self.message = str(message) if message is not None else default_message
        self.fields = {k: str(v) for k, v in (fields or {}).items()}
        self.headers = headers or {}

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}

    def response(self):
        response = jsonify(self.body())
        response.status_code = self.status
        response.headers.update(self.headers)
        if self.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="tanji"'
        return response


def is_api_request() -> bool:
    return has_request_context() and request.path.startswith(API_PREFIX)


def for_status(status: int, message=None):
    """The JSON answer for a bare status (used by the app-wide error pages when the path is under /api/)."""
    return ApiError(status if status in STATUS else 500, message=message).response()


def register(app: Flask) -> None:
    errors.answer_under(app, API_PREFIX, for_status)  # the app-wide error handlers answer JSON here
    app.register_error_handler(ApiError, lambda e: e.response())

    @app.errorhandler(HTTPException)
    def any_http_error(e: HTTPException):
        # Statuses without a page of their own (413, 415, ...): JSON under /api/, Werkzeug's default elsewhere.
        if is_api_request():
            response = for_status(e.code or 500)
            if e.code == 405 and getattr(e, "valid_methods", None):
                response.headers["Allow"] = ", ".join(e.valid_methods)
            return response
        return e
