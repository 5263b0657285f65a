from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.core.types import UTCDateTime, utcnow
from app.extensions import db
from app.tenancy import TenantScoped

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class ReportJob(TenantScoped, db.Model):
    """A report being built. It belongs to the requester's organisation, so only its people see it."""

    __tablename__ = "report_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # "enterprise_annual" or "city_annual"
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=QUEUED)
    progress: Mapped[int] = mapped_column(default=0)  # percent
    error: Mapped[str | None] = mapped_column(Text)
    filename: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
