from flask_babel import lazy_gettext as _l

from app.audit_log.labels import name_values

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
}

name_values(STATUS_LABELS, "status")


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)
