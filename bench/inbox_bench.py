"""Time the inbox (the to-do list) and the regulator's overdue list, on the demo city and on a generated one.

    .venv/bin/python bench/inbox_bench.py [--enterprises 5000] [--months 36] [--late-percent 10] [--runs 20]

Two throwaway SQLite databases (or BENCH_DATABASE_URL for the generated city):
- the demo city (`flask demo-data`): an energy manager's inbox, the regulator's inbox, GET /review/overdue;
- `--enterprises` × `--months` of approved filings (as bench/city_index_bench.py builds them, two sources each),
  each enterprise reporting from its first month; `--late-percent` of them have not filed the month before last
  (overdue) and have a returned month and a draft. Then the worst case: every enterprise reporting four years
  back, so each owes twelve months more than it filed (60,000 overdue months at 5,000 enterprises).
Pages are fetched through the app in-process (no network), signed in; prints p50/p95 per page against the
150 ms target. Prints figures; asserts nothing.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PASSWORD = "Bench-inbox-2026"
TARGET_MS = 150


def timed(label: str, client, url: str, runs: int) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    flag = "ok" if p95 < TARGET_MS else "ABOVE TARGET"
    print(f"  {label:<52} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {flag}")


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"sign-in of {email} failed"
    return client


def _app(url: str):
    os.environ["DATABASE_URL"] = url
    from app import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False,
                      RATELIMIT_ENABLED=False, ARGON2_TIME_COST=1, ARGON2_MEMORY_COST=1024)


def demo_city(runs: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select, update

    from app.accounts.models import User
    from app.extensions import db
    from app.organisations.models import Organisation

    url = f"sqlite:///{tempfile.mkdtemp(prefix='tanji-inbox-demo-')}/bench.db"
    app = _app(url)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code == 0, result.output
        from app.accounts.services import hash_password

        manager = db.session.scalar(select(User).join(User.organisation).where(
            User.role == "energy_manager", Organisation.kind == "enterprise").order_by(User.id))
        regulator = db.session.scalar(select(User).where(User.role == "regulator").order_by(User.id))
        db.session.execute(update(User).where(User.id.in_((manager.id, regulator.id)))
                           .values(password_hash=hash_password(PASSWORD), must_change_password=False))
        db.session.commit()
        emails = manager.email, regulator.email
    print("the demo city:")
    manager_client, regulator_client = (signed_in(app, e) for e in emails)
    timed("energy manager's inbox GET /inbox/", manager_client, "/inbox/", runs)
    timed("regulator's inbox GET /inbox/", regulator_client, "/inbox/", runs)
    timed("overdue list GET /review/overdue", regulator_client, "/review/overdue", runs)


def generated_city(n_orgs: int, n_months: int, late_percent: int, runs: int) -> None:
    from city_index_bench import build
    from flask_migrate import upgrade
    from sqlalchemy import delete, select, update

    from app.accounts.services import create_user
    from app.extensions import db
    from app.filings.models import Calculation, CalculationLine, Filing, FilingLine, ProductionLine
    from app.organisations.models import Organisation
    from app.organisations.services import create_authority

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='tanji-inbox-')}/bench.db"
    app = _app(url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        n_filings, _ = build(db, n_orgs, n_months, 2)
        first = db.session.scalar(select(Filing.period).order_by(Filing.period).limit(1))
        db.session.execute(update(Organisation).where(Organisation.kind == "enterprise")
                           .values(first_reporting_month=first))
        # The late ones: the month before last not filed (overdue), the last month returned, and a draft.
        late = [10_000 + i for i in range(0, n_orgs, max(1, 100 // max(late_percent, 1)))]
        periods = sorted(db.session.scalars(select(Filing.period).distinct()))
        gone = select(Filing.id).where(Filing.org_id.in_(late), Filing.period == periods[-2])
        for model in (CalculationLine, ProductionLine, FilingLine):
            column = model.calculation_id if model is CalculationLine else model.filing_id
            db.session.execute(delete(model).where(column.in_(gone if model is not CalculationLine else
                                                              select(Calculation.id).where(Calculation.filing_id
                                                                                           .in_(gone)))))
        db.session.execute(delete(Calculation).where(Calculation.filing_id.in_(gone)))
        db.session.execute(delete(Filing).where(Filing.id.in_(gone)))
        db.session.execute(update(Filing).where(Filing.org_id.in_(late), Filing.period == periods[-1])
                           .values(status="returned", review_comment="请核对"))
        db.session.execute(update(Filing).where(Filing.org_id.in_(late), Filing.period == periods[-3])
                           .values(status="draft"))
        org = db.session.get(Organisation, late[0])
        create_user(org, "manager@bench.test", "基准能源经理", PASSWORD, "energy_manager")
        authority = create_authority("基准生态环境局")
        create_user(authority, "regulator@bench.test", "基准监管员", PASSWORD, "regulator")
        db.session.commit()
        print(f"{n_orgs} enterprises × {n_months} months: {n_filings:,} filings, {len(late)} enterprises late "
              f"(built in {time.perf_counter() - started:.1f} s, {url.split(':')[0]}):")
    manager, regulator = signed_in(app, "manager@bench.test"), signed_in(app, "regulator@bench.test")
    timed("energy manager's inbox GET /inbox/", manager, "/inbox/", runs)
    timed("regulator's inbox GET /inbox/", regulator, "/inbox/", runs)
    timed("overdue list GET /review/overdue", regulator, "/review/overdue", runs)
    timed("overdue list, last page", regulator, f"/review/overdue?page={max(1, len(late) // 50)}", runs)
    with app.app_context():
        # Worst case: every enterprise reporting four years back, twelve months more than it filed.
        db.session.execute(update(Organisation).where(Organisation.kind == "enterprise")
                           .values(first_reporting_month=date(first.year - 1, first.month, 1)))
        db.session.commit()
    print(f"  worst case, every enterprise 12 months overdue ({n_orgs * 12:,} overdue months):")
    timed("energy manager's inbox GET /inbox/", manager, "/inbox/", runs)
    timed("regulator's inbox GET /inbox/", regulator, "/inbox/", runs)
    timed("overdue list GET /review/overdue", regulator, "/review/overdue", runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--late-percent", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    if not args.skip_demo:
        demo_city(args.runs)
    generated_city(args.enterprises, args.months, args.late_percent, args.runs)


if __name__ == "__main__":
    main()
