"""Every model, imported once so mappers resolve and Alembic sees the whole schema."""
from app.accounts.models import Invitation, User  # noqa: F401
from app.audit.models import AuditEvent, AuditHead  # noqa: F401
from app.organisations.models import Organisation  # noqa: F401
