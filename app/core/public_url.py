"""The platform's address as its users reach it: printed on certificates (QR codes) and in e-mails."""
import os

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l

from app.core.service_error import ServiceError


def public_base_url() -> str:
    """The setting (TANJI_PUBLIC_URL), else (outside production) the address this request came to."""
    configured = current_app.config.get("PUBLIC_BASE_URL") or ""
    if configured:
        return configured.rstrip("/")
    if current_app.config.get("ENV_NAME") == "production":  # a QR code to a guessed address would be worthless
        raise ServiceError(_l("The platform's public address (TANJI_PUBLIC_URL) is not set: certificates cannot be "
                              "issued until the administrator sets it."))
    if has_request_context():
        return request.host_url.rstrip("/")
    return f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"  # scripts/serve.sh
