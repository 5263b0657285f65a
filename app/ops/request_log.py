"""One structured (JSON) log line per request, with a request id, the user and the tenant.

The id comes from the proxy's X-Request-Id when it looks like one (so a request can be followed from nginx to
the app), else a new one; it is sent back in the response's X-Request-Id. Lines go to the `tanji.request`
logger; `LOG_FORMAT=json` (the default outside development and tests) writes each as one JSON object on
stderr, where gunicorn or systemd collects it. Each line has the request's wall time and CPU time (bench/load_bench.py
sums the CPU per page from them).
"""
import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, request

logger = logging.getLogger("tanji.request")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: time, level, logger, message and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _start() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    # The process's CPU: argon2 hashes on threads of its own. Exact for gunicorn's sync workers (one request
    # at a time); with threaded workers it would count the other requests' CPU too.
    g.request_cpu = time.process_time()


def _identity() -> tuple[int | None, int | None]:
    """The signed-in user's id and organisation without reloading the user: the edge has committed by now,
    which expired it, and reading user.id would cost a query on every request."""
    from flask_login import current_user
    from sqlalchemy import inspect
    from sqlalchemy.exc import NoInspectionAvailable

    user = current_user._get_current_object() if current_user else None
    if user is None or user.is_anonymous:  # not is_authenticated: that reads user.active
        return None, None
    try:
        state = inspect(user)
    except NoInspectionAvailable:
        return user.id, user.org_id
    user_id = state.identity[0] if state.identity else user.id
    org_id = state.dict.get("org_id")
    if org_id is None:
        scope = g.get("_tenancy_scope")  # the request's scope is the user's organisation (not after a sign-in)
        org_id = scope.org_id if scope is not None and scope.kind != "deny" else user.org_id
    return user_id, org_id


def _finish(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    user_id, org_id = _identity()
    fields = {
        "request_id": g.get("request_id"), "method": request.method, "path": request.path,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1),
        # the server's CPU for it (the view, the templates, the commit; not the sending of the body)
        "cpu_ms": round((time.process_time() - g.get("request_cpu", time.process_time())) * 1000, 1),
        "user_id": user_id, "org_id": org_id,
        "remote_addr": request.remote_addr,
    }
    if g.get("_audit_head"):  # the chain's head after this request's events: an anchor kept outside the database
        fields["audit_head"] = g._audit_head
    logger.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": fields})
    return response


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(JsonFormatter())
            logger.addHandler(handler)
            logger.propagate = False
        logger.setLevel(logging.INFO)
    else:  # development and tests: the dev server prints its own access log
        logger.setLevel(logging.WARNING)
    app.before_request(_start)
    app.after_request(_finish)
