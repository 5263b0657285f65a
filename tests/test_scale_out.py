"""Scale-out: with RATELIMIT_STORAGE_URI and JOB_BACKEND pointing at Redis, several app processes share their
rate limits and hand report jobs to an RQ worker. Needs a Redis server: TANJI_TEST_REDIS_URL (scripts/test.sh
starts one when redis-server is installed; CI installs it and sets TANJI_REQUIRE_REDIS=1)."""
import os
from datetime import date

import pytest

from app import create_app
from app.extensions import db as _db
from app.report_jobs import services as jobs
from app.report_jobs.models import DONE, QUEUED, ReportJob

REDIS_URL = os.environ.get("TANJI_TEST_REDIS_URL")
if not REDIS_URL:
    if os.environ.get("TANJI_REQUIRE_REDIS") == "1":
        raise RuntimeError("TANJI_REQUIRE_REDIS=1 but TANJI_TEST_REDIS_URL is not set")
    pytest.skip("no Redis server (TANJI_TEST_REDIS_URL)", allow_module_level=True)

from redis import Redis  # noqa: E402
from rq import Queue, SimpleWorker  # noqa: E402


@pytest.fixture
def redis():
    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    yield connection
    connection.flushdb()


def test_two_workers_share_one_sign_in_rate_limit(redis, make_org, make_user):
    user = make_user(make_org(), "energy_manager")
    workers = [create_app("test", RATELIMIT_STORAGE_URI=REDIS_URL, LOGIN_RATE_LIMIT="3 per minute",
                          WTF_CSRF_ENABLED=False) for _ in range(2)]
    answers = []
    for k in range(4):  # alternate between the two "workers": the fourth attempt is over the shared limit
        answers.append(workers[k % 2].test_client().post("/login", data={"email": user.email, "password": "wrong"})
                       .status_code)
    assert answers[:3] == [200, 200, 200] and answers[3] == 429
    assert any(key.startswith(b"LIMITS") for key in redis.keys())


def test_a_report_job_runs_on_an_rq_worker(app, db, redis, authority, make_user, monkeypatch):
    regulator = make_user(authority, "regulator")
    web = create_app("test", JOB_BACKEND="rq", REDIS_URL=REDIS_URL)
    with web.app_context():
        job = jobs.create(_db.session.merge(regulator), "city_annual", {"year": date.today().year - 1, "month": 12})
        _db.session.commit()
        jobs.dispatch(job)
        job_id = job.id
    queue = Queue("tanji-reports", connection=redis)
    assert queue.count == 1
    db.session.expire_all()
    assert db.session.get(ReportJob, job_id).status == QUEUED  # nothing ran in the web process
    monkeypatch.setenv("TANJI_ENV", "test")  # the worker builds its own app from the environment
    SimpleWorker([queue], connection=redis).work(burst=True)
    db.session.expire_all()
    done = db.session.get(ReportJob, job_id)
    assert done.status == DONE and done.progress == 100 and done.result.startswith(b"%PDF")
