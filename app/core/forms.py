"""Helpers shared by every form."""
from app.core.edge import roll_back


def apply_error(form, error) -> None:
    """Show a service's refusal beside the field it concerns, or above the form; the request writes nothing."""
    field = getattr(form, error.field, None) if getattr(error, "field", None) else None
    message = str(getattr(error, "message", error))
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
    roll_back()
