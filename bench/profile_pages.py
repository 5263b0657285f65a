"""Server CPU per page, per role, in-process: where a request's milliseconds go.

    .venv/bin/python bench/profile_pages.py [--runs 10] [--db sqlite:////tmp/demo.db] [--generated 500]
    .venv/bin/python bench/profile_pages.py --profile URL [--as ROLE]

Loads the demo city (`flask demo-data`; --generated N: the load bench's city of N enterprises × 36 months × 10
sources, 30 months waiting for review) into a throwaway SQLite database, or into --db once and reuses it there
(with its instance folder, so compiled templates are kept as in production), adds ten scenarios, signs in as each
role and fetches each page `--runs` times through the app (no network, no gunicorn). It prints the CPU
milliseconds (process time: Python, Jinja and SQLite alike) of the first fetch (the process's first of that page:
SQL statements compiled, templates loaded) and the median of the others, and the SQL statements of one fetch.
The pages are those bench/load_bench.py drives plus the regulator's slow ones; the average over the load bench's
mix (weighted as its clients request them) is printed at the end against the 20 ms target.

--profile URL --as ROLE prints cProfile's 40 costliest functions (cumulative) of `--runs` fetches of one page.
The development config is used (no debug, no template reload, as in production); CSRF is on, each role signs in
once through the form. Start-up objects are frozen out of the garbage collector as wsgi.py does.
"""
import argparse
import cProfile
import gc
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "Tanji-demo-2026"  # every demo account's
ROLES = {"regulator": "regulator@jinwan.gov.cn", "energy_manager": "energy@jinwan-petro.com.cn",
         "enterprise_admin": "admin@jinwan-petro.com.cn", "verifier": "li.hecha@jwcv.org.cn",
         "leader": "leader@jinwan.gov.cn", "public": None}
# (role, url, weight in the load bench's mix: requests per 100 of its clients' GETs, roughly; 0: not driven)
PAGES = [
    ("public", "/login", 6), ("public", "/city/public", 14), ("public", "/verify/{serial}", 4),
    ("energy_manager", "/", 3), ("energy_manager", "/filings/", 14), ("energy_manager", "/filings/{draft}", 9),
    ("energy_manager", "/filings/{draft}/submit", 8), ("energy_manager", "/filings/import/", 3),
    ("energy_manager", "/inbox/", 0), ("energy_manager", "/footprint/", 0),
    ("enterprise_admin", "/", 0), ("enterprise_admin", "/users", 0),
    ("regulator", "/", 1), ("regulator", "/review/", 12), ("regulator", "/city/", 8),
    ("regulator", "/review/filings/{submitted}", 6), ("regulator", "/review/overdue", 0),
    ("regulator", "/organisations/", 0), ("regulator", "/assets/overview", 0), ("regulator", "/audit/", 0),
    ("regulator", "/city/scenarios/", 0), ("regulator", "/city/scenarios/compare?{scenarios}", 0),
    ("regulator", "/factors/", 0), ("regulator", "/inbox/", 0), ("regulator", "/benchmarks/industry?code=C26", 0),
    ("leader", "/city/", 0), ("verifier", "/verification/", 0),
]
TARGET_MS = 20


def _app(url: str):
    os.environ.setdefault("TANJI_INSTANCE_DIR", tempfile.mkdtemp(prefix="tanji-profile-instance-"))
    from app import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False, LOG_FORMAT="text")
    gc.freeze()  # as wsgi.py does for gunicorn
    return app


def load_demo(app) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app.extensions import db
    from app.organisations.models import Organisation

    with app.app_context():
        upgrade()
        if db.session.scalar(select(Organisation.id).limit(1)) is not None:
            return
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code == 0, result.output
        print(f"demo city loaded in {time.perf_counter() - started:.0f} s")


SCENARIOS = {  # two of each kind (the second a year earlier): the comparison of ten
    "new_project": {"sector": "industry", "fuel_1": "natural_gas", "quantity_1": "100", "output": "1000",
                    "output_unit": "t"},
    # the supplying coal furnace and the receiving gas boiler are chosen from the register (substitution_sources)
    "substitution": {"steam_gj": "40000", "boiler_efficiency": "90", "extra_quantity": "2300",
                     "saved_quantity_1": "150"},
    "sinks": {"area_ha": "2000", "rate": "7.5"},
    "efficiency": {"percent_industry": "5", "percent_energy": "2"},
    "top_down": {"target_year": "2030", "target_tco2": "20000000"},
}


def substitution_sources() -> tuple[dict, dict]:
    """A coal-fired source to supply the steam and a gas boiler of another enterprise to receive it (the form's
    fields), and the register's sources by id for create_scenario."""
    from app.scenarios.register import combustion_sources

    found = combustion_sources()
    coal = next((s for s in found if s.fuel == "raw_coal"), None)
    gas = next((s for s in found if s.fuel == "natural_gas" and coal and s.org_id != coal.org_id), None)
    fields = {"supplier_source": str(coal.id), "receiver_source_1": str(gas.id)} if coal and gas else {}
    return fields, {s.id: s for s in found}


def ensure_scenarios(app) -> None:
    """Ten scenarios saved by the regulator through the service, if the city has none."""
    from sqlalchemy import select

    from app.accounting.services import library_materials
    from app.accounts.models import User
    from app.extensions import db
    from app.scenarios.models import Scenario
    from app.scenarios.services import create_scenario, default_month
    from app.tenancy import scope_of

    with app.test_request_context():
        if db.session.scalar(select(Scenario.id).execution_options(tenancy_bypass=True).limit(1)):
            return
        regulator = db.session.scalar(select(User).where(User.email == ROLES["regulator"]))
        fuels = {code: m.unit for code, m in library_materials("fuel").items()}
        y, m = (int(x) for x in default_month().split("-"))
        with scope_of(regulator):
            chosen, sources = substitution_sources()
            for k, month in enumerate((f"{y}-{m:02d}", f"{y - 1}-{m:02d}")):
                for kind, data in SCENARIOS.items():
                    if kind == "substitution":
                        data = {**data, **chosen}
                    create_scenario(regulator, kind, f"{kind} {k}", {"name": f"{kind} {k}", "month": month,
                                                                    "sink_rate": "5", **data}, fuels, sources)
        db.session.commit()


BENCH_PASSWORD = "Bench-profile-2026"


def load_generated(app, enterprises: int) -> None:
    """The load bench's city instead of the demo's: `enterprises` × 36 months × 10 sources approved, the last
    month left open by 300, of which 30 are submitted (the review queue); the accounts the pages need."""
    from datetime import date

    from flask_migrate import upgrade
    from sqlalchemy import select, update

    from app.accounts.models import User
    from app.accounts.services import create_user
    from app.extensions import db
    from app.filings import services, workflow
    from app.organisations.models import Organisation
    from app.organisations.services import create_authority
    from app.tenancy import scope_of
    from bench.city_index_bench import _months, base_quantity, build

    with app.app_context():
        upgrade()
        if db.session.scalar(select(Organisation.id).limit(1)) is not None:
            return
        started = time.perf_counter()
        build(db, enterprises, 36, 10, open_last=min(300, enterprises))
        authority = create_authority("基准生态环境局")
        regulator = create_user(authority, ROLES["regulator"], "审核员", BENCH_PASSWORD, "regulator")
        create_user(authority, ROLES["leader"], "领导", BENCH_PASSWORD, "viewer")
        managers = [create_user(db.session.get(Organisation, 10_000 + i), f"manager{i}@bench.example.cn",
                                f"能源管理员{i}", BENCH_PASSWORD, "energy_manager") for i in range(31)]
        admin = create_user(db.session.get(Organisation, 10_000), ROLES["enterprise_admin"], "管理员",
                            BENCH_PASSWORD, "enterprise_admin")
        db.session.execute(update(User).values(must_change_password=False))
        db.session.execute(update(User).where(User.id == managers[0].id).values(email=ROLES["energy_manager"]))
        db.session.commit()
        period = _months(36, date.today())[-1]
        with app.test_request_context():
            for i, manager in enumerate(managers):  # the first keeps a draft, the others submit
                with scope_of(manager):
                    org = db.session.get(Organisation, manager.org_id)
                    filing = services.open_filing(manager, org, period)
                    services.set_activity(manager, filing, [
                        {"source_id": 100_000 + i * 10 + s, "quantity": str(base_quantity(i, s, 34)),
                         "unit": "10^4 Nm3" if s % 3 else "MWh"} for s in range(10)],
                        [{"product_id": 10_000 + i, "quantity": "900"}], "1000")
                    if i:
                        workflow.submit(manager, filing, explanations={})
            db.session.commit()
        del regulator, admin
        print(f"generated city built in {time.perf_counter() - started:.0f} s")


def ids(app) -> dict:
    """The objects the URLs name: a filing the energy manager can edit, one waiting for review, a certificate,
    the demo's scenarios."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.certificates.models import Certificate
    from app.extensions import db
    from app.filings.models import Filing
    from app.scenarios.models import Scenario

    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == ROLES["energy_manager"]))
        draft = db.session.scalar(select(Filing.id).where(Filing.org_id == manager.org_id, Filing.status.in_(
            ("draft", "returned"))).execution_options(tenancy_bypass=True).order_by(Filing.id.desc()).limit(1))
        submitted = db.session.scalar(select(Filing.id).where(Filing.status == "submitted")
                                      .execution_options(tenancy_bypass=True).order_by(Filing.id).limit(1))
        serial = db.session.scalar(select(Certificate.serial).execution_options(tenancy_bypass=True).limit(1))
        scenarios = db.session.scalars(select(Scenario.id).execution_options(tenancy_bypass=True)
                                       .order_by(Scenario.id).limit(10)).all()
    return {"draft": draft, "submitted": submitted, "serial": serial,
            "scenarios": "&".join(f"id={i}" for i in scenarios)}


def sign_in(app, email: str | None):
    client = app.test_client()
    if email is None:
        return client
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"sign-in of {email}: {response.status_code}"
    client.get("/")
    return client


def count_statements(app, client, url: str) -> int:
    from sqlalchemy import event

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    statements = []
    listener = lambda *a: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def cpu_ms(client, url: str) -> float:
    started = time.process_time()
    response = client.get(url)
    spent = (time.process_time() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return spent


def measure(app, runs: int) -> None:
    found = ids(app)
    clients = {role: sign_in(app, email) for role, email in ROLES.items()}
    print(f"{'role':<18}{'page':<44}{'first':>8}{'median':>8}{'SQL':>6}   (CPU ms)")
    weighted, weights = 0.0, 0
    for role, pattern, weight in PAGES:
        url = pattern.format(**found)
        client = clients[role]
        first = cpu_ms(client, url)
        times = [cpu_ms(client, url) for _ in range(runs)]
        median = statistics.median(times)
        statements = count_statements(app, client, url)
        print(f"{role:<18}{pattern:<44}{first:>8.1f}{median:>8.1f}{statements:>6}")
        weighted += median * weight
        weights += weight
    average = weighted / weights
    print(f"\naverage over the load bench's page mix: {average:.1f} ms of CPU a request "
          f"({'under' if average < TARGET_MS else 'ABOVE'} the {TARGET_MS} ms target; sign-in POSTs and writes "
          "not included)")


def profile(app, url: str, role: str, runs: int) -> None:
    client = sign_in(app, ROLES[role])
    url = url.format(**ids(app))
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--db", help="a SQLite URL to load the demo city into once and reuse")
    parser.add_argument("--profile", metavar="URL", help="cProfile one page instead")
    parser.add_argument("--generated", type=int, metavar="N",
                        help="the load bench's city of N enterprises × 36 months × 10 sources instead of the demo")
    parser.add_argument("--as", dest="role", default="regulator", choices=sorted(ROLES))
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='tanji-profile-')}/demo.db"
    if args.db and args.db.startswith("sqlite:///"):  # its instance folder (compiled templates) is reused too
        os.environ.setdefault("TANJI_INSTANCE_DIR", args.db.removeprefix("sqlite:///") + "-instance")
    os.environ["DATABASE_URL"] = url
    app = _app(url)
    global PASSWORD
    if args.generated:
        PASSWORD = BENCH_PASSWORD
        ROLES.pop("verifier")
        PAGES[:] = [p for p in PAGES if p[0] in ROLES and "{serial}" not in p[1]]
        load_generated(app, args.generated)
    else:
        load_demo(app)
    ensure_scenarios(app)
    if args.profile:
        profile(app, args.profile, args.role, args.runs)
    else:
        measure(app, args.runs)


if __name__ == "__main__":
    main()
