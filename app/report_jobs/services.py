"""Slow reports as jobs: a ReportJob row holds status, progress and the finished bytes, so whichever worker
serves the progress page reads them from the database.

Backends (config JOB_BACKEND): "thread" runs jobs on a small in-process pool (fine for one server process),
"inline" runs them in the request (tests), "rq" enqueues them on Redis Queue (`rq worker tanji-reports`
with the same DATABASE_URL; see README). A job never raises into its worker: a failure is stored on the row.
"""
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update

from app.accounts.models import User
from app.audit.services import record
from app.certificates.report_data import city_report, enterprise_report
from app.core.types import utcnow
from app.extensions import db
from app.organisations.models import Organisation
from app.report_jobs.models import DONE, FAILED, QUEUED, RUNNING, ReportJob
from app.tenancy import scope_of

_pool: ThreadPoolExecutor | None = None
STALE_AFTER = timedelta(minutes=15)  # far beyond the slowest report (seconds); see interrupted()


def create(actor, kind: str, params: dict) -> ReportJob:
    """The job belongs to the requester's organisation: only its people see its progress and its file."""
    job = ReportJob(org_id=actor.org_id, kind=kind, params=params, status=QUEUED, progress=0,
                    requested_by_id=actor.id, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    return job


def dispatch(job: ReportJob) -> None:
    """Start a committed job on the configured backend."""
    backend = current_app.config.get("JOB_BACKEND", "thread")
    if backend == "inline":
        run(job.id)
    elif backend == "rq":
        from redis import Redis
        from rq import Queue

        Queue("tanji-reports", connection=Redis.from_url(current_app.config["REDIS_URL"])).enqueue(
            "app.report_jobs.services.run_standalone", job.id)
    else:
        global _pool
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tanji-report")
        _pool.submit(_run_in_app, current_app._get_current_object(), job.id)


def _run_in_app(app, job_id: int) -> None:
    with app.app_context():
        run(job_id)
        db.session.remove()


def run_standalone(job_id: int) -> None:
    """The entry point for an RQ worker: its own app, same database."""
    from app import create_app

    _run_in_app(create_app(), job_id)


def interrupted(job: ReportJob, now, timeout: timedelta = STALE_AFTER) -> bool:
    """A job still queued or running long after it was asked for: its worker stopped (a restart with the
    in-process backend, a lost RQ worker). Shown as failed so that the user starts it again."""
    return job.status in (QUEUED, RUNNING) and job.finished_at is None and now - job.created_at > timeout


def _progress(job_id: int, pct: int) -> None:
    # A separate short transaction, so a progress page polling from another worker sees it at once.
    with db.engine.begin() as conn:
        conn.execute(update(ReportJob.__table__).where(ReportJob.__table__.c.id == job_id).values(progress=pct))


def run(job_id: int) -> None:
    job = db.session.get(ReportJob, job_id)
    if job is None or job.status not in (QUEUED, RUNNING):
        return
    job.status = RUNNING
    db.session.commit()
    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    try:
        if requester is None or not requester.active:
            raise PermissionError("the user who asked for this report can no longer sign in")
        # The job reads as its requester would in a request (thread and RQ alike): a verifier sees only
        # the years it is engaged for, an enterprise only itself.
        with scope_of(requester):
            filename, pdf = BUILDERS[job.kind](job.params, lambda pct: _progress(job_id, pct))
    except Exception as e:  # noqa: BLE001  (stored on the row; the worker keeps serving)
        db.session.rollback()  # the scope is back to none here: the job's own row is written as before
        current_app.logger.exception("report job %s failed", job_id)
        job = db.session.get(ReportJob, job_id)
        job.status, job.error, job.finished_at = FAILED, str(e)[:2000], utcnow()
        db.session.commit()
        return
    job = db.session.get(ReportJob, job_id)
    job.status, job.progress, job.result, job.filename, job.finished_at = DONE, 100, pdf, filename, utcnow()
    record("report.generated", actor=None, org_id=job.org_id, obj=job,
           detail={"kind": job.kind, **job.params, "requested_by": job.requested_by_id, "bytes": len(pdf)})
    db.session.commit()


def _enterprise_annual(params: dict, progress) -> tuple[str, bytes]:
    from reports.enterprise_report import build

    org = db.session.scalar(select(Organisation).where(Organisation.id == params["org_id"]))  # through the gate
    if org is None:
        raise LookupError("the organisation is not visible to the user who asked for this report")
    year = params["year"]
    data = enterprise_report(org, date(year, 1, 1), date(year, 12, 1), with_peers=True)
    progress(20)
    return f"report-{org.credit_code or org.id}-{year}.pdf", build(data, progress)


def _city_annual(params: dict, progress) -> tuple[str, bytes]:
    from reports.city_report import build

    data = city_report(params["year"], params.get("month", 12), progress)
    return f"city-report-{params['year']}.pdf", build(data, current_app.config.get("CITY_NAME", ""), progress)


BUILDERS = {"enterprise_annual": _enterprise_annual, "city_annual": _city_annual}
