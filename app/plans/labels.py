"""Readable names of a plan's statuses, tiers and fields."""
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "returned": _l("Returned"),
}

TIER_LABELS = {"measured": _l("Measured"), "default": _l("Default value")}

FIELD_LABELS = {
    "lab_name": _l("Laboratory"),
    "lab_accreditation": _l("CMA/CNAS number"),
    "sampling_frequency": _l("Sampling and test frequency"),
    "lab_standard": _l("Test standard"),
    "responsible_person": _l("Responsible person"),
    "backup_source": _l("Backup data source"),
    "backup_method": _l("Backup method"),
    "same_sample": _l("Carbon, NCV and moisture from the same sample"),
}

DIFF_LABELS = {
    "added": _l("Added"),
    "removed": _l("Removed"),
    "changed": _l("Changed"),
    "same": _l("Unchanged"),
}


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)


def tier_label(code: str | None) -> str:
    return str(TIER_LABELS[code]) if code in TIER_LABELS else "—"
