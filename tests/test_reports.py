"""PDF reports: the enterprise's monthly report (in the request), the annual reports as jobs, access."""
import io
import time
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.certificates.report_data import city_report, enterprise_report
from app.report_jobs import services as jobs
from app.report_jobs.models import ReportJob
from reports import city_report as city_pdf
from reports import enterprise_report as enterprise_pdf
from tests.conftest import login, post
from tests.helpers.certificates import NOW, YEAR, approve_year
from tests.helpers.filings import file_month


def text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_monthly_report_uses_only_approved_numbers(app, client, db, plant, regulator):
    approve_year(app, db, plant, regulator, months=[5])
    file_month(app, db, plant, date(YEAR, 6, 1), now=NOW)  # submitted, not approved
    login(client, plant["admin"])
    may = client.get(f"/reports/enterprise/{plant['org'].id}/{YEAR}/5.pdf")
    assert may.status_code == 200 and may.mimetype == "application/pdf"
    body = text(may.data)
    assert "月度碳排放报告" in body and "Monthly carbon report" in body and plant["org"].name in body
    assert "外购电力" in body and "第 1 页" in body
    june = text(client.get(f"/reports/enterprise/{plant['org'].id}/{YEAR}/6.pdf").data)
    assert "未获批" in june and "0.000" in june  # nothing approved yet: nothing counted


def test_annual_report_job_has_contents_and_page_numbers(app, client, db, plant, regulator):
    approve_year(app, db, plant, regulator)
    login(client, plant["admin"])
    page = client.get(f"/footprint/?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="annual-report"' in page and 'data-testid="monthly-report"' in page
    response = post(client, f"/reports/enterprise/{plant['org'].id}/{YEAR}/annual", token_from="/footprint/")
    assert response.status_code == 302
    job = db.session.scalar(select(ReportJob))
    assert job.status == "done" and job.progress == 100 and job.org_id == plant["org"].id
    status = client.get(f"/reports/jobs/{job.id}/status").get_json()
    assert status["status"] == "done" and status["download"].endswith(f"/reports/jobs/{job.id}/file")
    body = text(client.get(f"/reports/jobs/{job.id}/file").data)
    assert "年度碳排放报告" in body and "目录 Contents" in body and "同行业对标 Peer position" in body
    assert len(PdfReader(io.BytesIO(job.result)).pages) >= 3


def test_thread_backend_runs_the_job_outside_the_request(app, db, plant, regulator):
    approve_year(app, db, plant, regulator, months=[1, 2])
    app.config["JOB_BACKEND"] = "thread"
    try:
        with app.test_request_context():
            job = jobs.create(plant["admin"], "enterprise_annual", {"org_id": plant["org"].id, "year": YEAR})
            db.session.commit()
            jobs.dispatch(job)
            job_id = job.id
        for _ in range(100):
            db.session.expire_all()
            if db.session.get(ReportJob, job_id).status in ("done", "failed"):
                break
            time.sleep(0.1)
        assert db.session.get(ReportJob, job_id).status == "done"
    finally:
        app.config["JOB_BACKEND"] = "inline"


def test_city_report_for_the_regulator(app, client, db, plant, regulator):
    approve_year(app, db, plant, regulator)
    with app.test_request_context():
        pdf = city_pdf.build(city_report(YEAR), "锦湾市")
    body = text(pdf)
    for expected in ("Annual city carbon report 2022", "要点 Headline figures", "分部门排放 Sector totals",
                     "核查状态 Verification status", "Filing coverage", "第 2 页"):
        assert expected in body, expected
    login(client, regulator)
    assert 'data-testid="city-report"' in client.get("/city/").get_data(as_text=True)
    assert post(client, f"/reports/city/{YEAR}", token_from="/city/").status_code == 302
    assert db.session.scalar(select(ReportJob)).status == "done"


def test_enterprise_cannot_get_another_enterprises_report(app, client, db, plant, regulator, make_org,
                                                           make_user):
    approve_year(app, db, plant, regulator, months=[1])
    other = make_org(name="丁企业")
    login(client, make_user(other, "enterprise_admin"))
    assert client.get(f"/reports/enterprise/{plant['org'].id}/{YEAR}/1.pdf").status_code == 404
    assert post(client, f"/reports/enterprise/{plant['org'].id}/{YEAR}/annual").status_code == 404
    assert post(client, f"/reports/city/{YEAR}").status_code == 403


@pytest.mark.parametrize("kind", ["monthly", "annual"])
def test_report_data_is_plain(app, db, plant, regulator, kind):
    approve_year(app, db, plant, regulator, months=[1, 2, 3])
    end = date(YEAR, 1, 1) if kind == "monthly" else date(YEAR, 12, 1)
    with app.test_request_context():
        data = enterprise_report(plant["org"], date(YEAR, 1, 1), end)
    assert data["kind"] == kind and data["approved_months"] == (1 if kind == "monthly" else 3)
    assert enterprise_pdf.build(data).startswith(b"%PDF")


def test_a_job_whose_worker_stopped_shows_as_interrupted(app, client, db, plant):
    from datetime import timedelta

    from app.core.types import utcnow

    with app.test_request_context():
        job = jobs.create(plant["admin"], "enterprise_annual", {"org_id": plant["org"].id, "year": YEAR})
        db.session.commit()  # queued, never dispatched: as after a restart of the in-process worker
    assert not jobs.interrupted(job, utcnow())
    assert jobs.interrupted(job, utcnow() + jobs.STALE_AFTER + timedelta(seconds=1))
    job.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(client, plant["admin"])
    status = client.get(f"/reports/jobs/{job.id}/status").json
    assert status["status"] == "failed" and "重新生成报告" in status["error"]  # the signed-in user's language
    assert 'data-status="failed"' in client.get(f"/reports/jobs/{job.id}").get_data(as_text=True)


@pytest.fixture
def engaged_for_last_year(app, db, plant, regulator, make_user):
    """A verification body engaged for YEAR - 1 only; the plant has approved months in both years."""
    from app.tenancy import acting_on, cross_tenant_write, scope_of
    from app.verification import services as verification

    approve_year(app, db, plant, regulator, months=[1, 2])
    file_month(app, db, plant, date(YEAR - 1, 1, 1), approve_by=regulator, now=NOW)
    with app.test_request_context(), scope_of(regulator):
        with cross_tenant_write():
            body = verification.register_body(regulator, {"name": "锦湾碳核查中心", "accreditation_no": "CNAS-V-0001"})
        db.session.commit()
    with app.test_request_context(), scope_of(regulator), acting_on(plant["org"].id):
        verification.assign(regulator, plant["org"], body, YEAR - 1, now=NOW)
        db.session.commit()
    return make_user(body, "verifier")


def test_a_verifier_gets_no_report_of_a_year_it_is_not_engaged_for(app, client, db, plant, engaged_for_last_year):
    """Issue 16 #1: the annual job and the monthly report check the year, not only the organisation."""
    login(client, engaged_for_last_year)
    org_id = plant["org"].id
    assert post(client, f"/reports/enterprise/{org_id}/{YEAR}/annual", token_from="/inbox/").status_code == 404
    assert client.get(f"/reports/enterprise/{org_id}/{YEAR}/1.pdf").status_code == 404
    assert db.session.scalar(select(ReportJob)) is None
    response = post(client, f"/reports/enterprise/{org_id}/{YEAR - 1}/annual", token_from="/inbox/")
    assert response.status_code == 302
    job = db.session.scalar(select(ReportJob))
    assert job.status == "done" and client.get(f"/reports/jobs/{job.id}/file").status_code == 200


def test_a_report_job_reads_as_its_requester_would(app, db, plant, engaged_for_last_year):
    """Even a job created past the view (or a forged queue entry) sees only what its requester may see."""
    from app.filings.models import Calculation, Filing

    with app.test_request_context():
        job = jobs.create(engaged_for_last_year, "enterprise_annual", {"org_id": plant["org"].id, "year": YEAR})
        db.session.commit()
        jobs.run(job.id)
    job = db.session.get(ReportJob, job.id)
    totals = db.session.scalars(select(Calculation.total_tco2e).join(Filing)
                                .where(Filing.period >= date(YEAR, 1, 1), Calculation.is_current)).all()
    assert job.status == "done" and totals
    body = text(job.result)
    assert not any(f"{t:,.3f}" in body for t in totals)  # this year's approved months are not in the file
