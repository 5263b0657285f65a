"""Readable names of verification codes."""
from flask_babel import lazy_gettext as _l

from app.audit_log.labels import name_values

OPINION_LABELS = {
    "verified": _l("Verified"),
    "verified_with_comments": _l("Verified with comments"),
    "not_verified": _l("Not verified"),
}
SEVERITY_LABELS = {
    "misstatement": _l("Misstatement"),
    "non_conformity": _l("Non-conformity"),
    "observation": _l("Observation"),
}
ENGAGEMENT_STATUS_LABELS = {
    "in_progress": _l("In progress"),
    "opinion_issued": _l("Opinion issued, awaiting confirmation"),
    "confirmed": _l("Confirmed by the regulator"),
    "withdrawn": _l("Withdrawn"),
}
FINDING_STATUS_LABELS = {
    "open": _l("Open"),
    "answered": _l("Answered"),
    "resolved": _l("Resolved"),
    "corrected": _l("Corrected"),
}

name_values(OPINION_LABELS, "opinion")
name_values(SEVERITY_LABELS, "severity")
name_values(FINDING_STATUS_LABELS, "status")


def label(table: dict, code) -> str:
    return str(table.get(code, code or "—"))
