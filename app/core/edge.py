"""The transaction edge: one commit per request, after the view, as indico's request handler does.

A view loads, checks and calls services; services flush and raise `ServiceError`, never commit or roll
back. Here, once the response is made:
- a response below 400 commits everything the request did, then runs what waits for the commit
  (`after_commit`, e.g. handing a report job to a worker that reads it from another connection);
- an error response (4xx/5xx, including an exception turned into one) rolls everything back;
- a view that showed a service's refusal on its form (`app.core.forms.apply_error`) rolls back too,
  though the page is a 200.
A `ServiceError` that no view caught becomes a 400 page with its message, and nothing is written.

Background jobs and CLI commands are their own edges and commit themselves.
"""
from flask import Flask, g, has_request_context

from app.extensions import db


def roll_back() -> None:
    """Undo what this request did so far and make sure the edge writes nothing of it."""
    db.session.rollback()
    if has_request_context():
        g._edge_refused = True


def after_commit(fn) -> None:
    """Run `fn()` once the request's transaction has committed (at once outside a request)."""
    if not has_request_context():
        fn()
        return
    g.setdefault("_edge_after_commit", []).append(fn)


def _finish(response):
    if response.status_code < 400 and not g.get("_edge_refused"):
        db.session.commit()
        for fn in g.pop("_edge_after_commit", []):
            fn()
    else:
        db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    from app.core.service_error import ServiceError

    app.after_request(_finish)

    @app.errorhandler(ServiceError)
    def unhandled_refusal(e):  # a refusal no form showed: say it, write nothing
        from app.core.errors import render_error

        db.session.rollback()
        return render_error(400, e.message)
