from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounting.labels import choice_label, equipment_label, parameter_label
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


def parameters_text(parameters: dict | None) -> list[tuple[str, str]]:
    """A line's method inputs as filed, named for reading (the read-only filing page): (label, value) per input; a
    composition by species, counts by equipment, a list by its rows (the "how computed" page has every figure)."""
    out = []
    for name, value in (parameters or {}).items():
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif isinstance(value, dict) and name == "equipment":
            text = ", ".join(f"{equipment_label(kind)} {n}" for kind, n in value.items())
        elif isinstance(value, dict):
            text = ", ".join(f"{species} {pct} %" for species, pct in value.items())
        elif isinstance(value, list) and name == "ncv_daily":
            text = _("%(n)d days", n=len(value))
        elif isinstance(value, list):
            text = "; ".join(f"{item.get('name')} {item.get('quantity')} {item.get('unit') or 't'}"
                             for item in value if isinstance(item, dict))
        else:
            text = choice_label(name, value) if name in ("industry", "process") else str(value)
        out.append((parameter_label(name), text))
    return out
