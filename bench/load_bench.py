"""Load benchmark and filing-day surge: gunicorn on PostgreSQL, driven by locust through the real pages.

    .venv/bin/python bench/load_bench.py [--users 40] [--duration 60] [--max-requests 20000]
    .venv/bin/python bench/load_bench.py --surge [--users 50]

Starts a throwaway PostgreSQL (own temp dir, random free port on 127.0.0.1; stopped and removed at exit,
Ctrl-C included), migrates it (`flask --app wsgi db upgrade`), seeds a city (500 enterprises × 36 months ×
10 sources of approved filings, as bench/city_index_bench.py builds it; last month left open for the
first --open enterprises, each with an energy manager; a few regulators), starts gunicorn (2 × cores
workers, 127.0.0.1, a free port) and runs locust headless against it (bench/locustfile.py): energy managers
file a month each by the form or by uploading the XLSX template and submit it, regulators read the queue and
the dashboard and approve, the public reads /city/public. --surge: 50 energy managers of 50 enterprises
sign in, then all open, save and submit their month, each starting at a random moment of a 20 s window
(--surge-window 0: all in the same instant); one in five double-clicks "File a month" and "submit" (and in the
load run one upload in five is double-clicked).

Prints requests/s, p50/p95/p99 per endpoint, the error count, the peak RSS of each gunicorn worker, then
checks the database: every submission a client was told succeeded is there exactly once, no two filings
share an org/period/revision, no month has two open revisions, and the audit chain verifies. Exits 1 when
a check fails or a request failed; the latency targets (pages p95 < 150 ms, submit p95 < 500 ms) are
reported, not enforced, since the machine may be shared.

The app runs with the development config and an explicit random SECRET_KEY over plain http on loopback
(production's Secure cookies would not be sent back over http), and TANJI_TRUSTED_PROXIES=1 so that each
simulated person's X-Forwarded-For address counts for the sign-in rate limit, as behind nginx.
"""
import argparse
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "Bench-filing-day-2026"

PAGE_TARGET_MS, SUBMIT_TARGET_MS = 150, 500


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> Path:
    found = shutil.which("initdb") or next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None)
    if not found:
        sys.exit("PostgreSQL server binaries (initdb) not found: apt-get install postgresql")
    return Path(found).parent


class Postgres:
    """A throwaway cluster in its own temp dir; initdb refuses root, so it runs as `postgres` then."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="tanji-load-pg-"))
        self.port = free_port()
        self.bin = pg_bin()
        self.run = []
        self.started = False
        if os.geteuid() == 0:
            if subprocess.run(["id", "postgres"], capture_output=True, check=False).returncode != 0:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            shutil.chown(self.dir, "postgres")
            self.run = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql+psycopg://tanji@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        data = self.dir / "data"
        subprocess.run([*self.run, self.bin / "initdb", "-D", data, "-A", "trust", "-U", "tanji"], check=True,
                       stdout=subprocess.DEVNULL)
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self.started = True
        subprocess.run([*self.run, self.bin / "pg_ctl", "-D", data, "-o", options, "-l", self.dir / "log", "-w",
                        "start"], check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.started:
            subprocess.run([*self.run, self.bin / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)


def seed(args, url: str, plan_path: Path) -> dict:
    """The city, the accounts and the plan the clients follow; returns the plan."""
    from sqlalchemy import func, insert, select, text

    from app import create_app
    from app.accounts.models import User
    from app.accounts.services import create_user
    from app.extensions import db
    from app.organisations.models import Organisation
    from app.organisations.services import create_authority
    from bench.city_index_bench import _months, base_quantity, build

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        started = time.perf_counter()
        n_filings, n_lines = build(db, args.enterprises, args.months, args.sources, open_last=args.open)
        authority = create_authority("基准生态环境局")
        first = create_user(authority, "regulator0@bench.jinwan.gov.cn", "审核员0", PASSWORD, "regulator")
        db.session.flush()
        now = first.created_at
        # One password hash for every account: argon2 for 300 accounts one by one would take minutes.
        rows = [{"org_id": authority.id, "email": f"regulator{n}@bench.jinwan.gov.cn", "name": f"审核员{n}",
                 "role": "regulator"} for n in range(1, 5)]
        rows += [{"org_id": 10_000 + i, "email": f"manager{i}@bench-{i}.example.cn", "name": f"能源管理员{i}",
                  "role": "energy_manager", "may_sign": True} for i in range(args.open)]  # their admin allowed it
        db.session.execute(insert(User), [{"may_sign": False, **r, "password_hash": first.password_hash, "active": True,
                                           "must_change_password": False, "session_version": 1,
                                           "failed_logins": 0, "password_changed_at": now, "created_at": now}
                                          for r in rows])
        db.session.commit()
        # build() gives explicit ids: move the sequences past them for the rows the app will add.
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement and table.c.id.primary_key:
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                        f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"))
        db.session.commit()
        seconds = time.perf_counter() - started
        months = _months(args.months, date.today())
        m = len(months) - 1
        managers = [{"email": f"manager{i}@bench-{i}.example.cn", "org_id": 10_000 + i,
                     "sources": {str(100_000 + i * args.sources + s): str(base_quantity(i, s, m - 1))
                                 for s in range(args.sources)}} for i in range(args.open)]
        plan = {"password": PASSWORD, "period": months[-1].strftime("%Y-%m"), "managers": managers,
                "regulators": [f"regulator{n}@bench.jinwan.gov.cn" for n in range(5)],
                "verify_serials": _issue_certificates(app, db, first, args)}
        n_orgs = db.session.scalar(select(func.count()).select_from(Organisation))
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    print(f"seeded {n_orgs} organisations, {n_filings:,} approved filings, {n_lines:,} calculation lines, "
          f"{len(rows) + 1} accounts in {seconds:.1f} s; {args.open} enterprises have {plan['period']} to file")
    return plan


def _issue_certificates(app, db, regulator, args, count: int = 20) -> list[str]:
    """Annual certificates of last year for the enterprises that are not filing in the run (their year is
    approved), issued through the app's own service; the public clients verify them by serial."""
    from sqlalchemy import select

    from app.certificates import services as certificates
    from app.organisations.models import Organisation
    from app.tenancy import acting_on, scope_of

    year = date.today().year - 1
    if args.months < 12 + date.today().month:  # the generated history does not cover last year
        return []
    serials = []
    with app.test_request_context(), scope_of(regulator):
        for org in db.session.scalars(select(Organisation).where(Organisation.kind == "enterprise")
                                      .order_by(Organisation.id.desc()).limit(count)):
            with acting_on(org.id):
                serials.append(certificates.issue(regulator, org, date(year, 1, 1), date(year, 12, 1)).serial)
        db.session.commit()
    return serials


class Sampler(threading.Thread):
    """Peak RSS (VmHWM) of each gunicorn worker and the CPU time of the workers and of PostgreSQL's
    processes, polled while the run lasts; a restarted worker shows up as one more pid."""

    def __init__(self, gunicorn_pid: int, postmaster_pid: int):
        super().__init__(daemon=True)
        self.groups = {"gunicorn": gunicorn_pid, "postgres": postmaster_pid}
        self.peak_kb: dict[int, int] = {}
        self.cpu: dict[str, dict[int, float]] = {"gunicorn": {}, "postgres": {}}
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(0.5)

    def sample(self):
        import psutil

        for group, pid in self.groups.items():
            try:
                parent = psutil.Process(pid)
                processes = [parent, *parent.children()]
            except psutil.Error:
                continue
            for process in processes:
                try:
                    times = process.cpu_times()
                    self.cpu[group][process.pid] = times.user + times.system
                    if group == "gunicorn" and process.pid != pid:
                        status = Path(f"/proc/{process.pid}/status").read_text()
                        kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])
                        self.peak_kb[process.pid] = max(self.peak_kb.get(process.pid, 0), kb)
                except (psutil.Error, OSError, StopIteration):
                    continue

    def settle(self, workers: int, seconds: float = 30) -> None:
        """Wait until every worker has booted (imports, the app) and is idle, so that their start-up is not
        counted as the run's CPU; the first to answer may be up while the others are still importing."""
        deadline, last = time.monotonic() + seconds, None
        while time.monotonic() < deadline:
            self.sample()
            now = (len(self.cpu["gunicorn"]), round(self.cpu_seconds()["gunicorn"], 2))
            if now[0] > workers and now == last:  # the arbiter and its workers, CPU unchanged for 0.5 s
                return
            last = now
            time.sleep(0.5)

    def cpu_seconds(self) -> dict[str, float]:
        return {group: sum(times.values()) for group, times in self.cpu.items()}


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            with urllib.request.urlopen(url + "/login", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def run_locust(args, host: str, env: dict, work: Path) -> dict:
    users = args.users
    command = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(users),
               "-r", str(args.spawn_rate or (users if args.surge else max(1, users // 10))),
               "-t", f"{args.duration}s", "--host", host, "--csv", str(work / "locust"), "--only-summary",
               "--stop-timeout", "10", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    if args.surge:
        command.append("EnergyManager")
    env = {**env, "TANJI_BENCH_MODE": "surge" if args.surge else "load", "TANJI_BENCH_USERS": str(users),
           "TANJI_BENCH_SURGE_WINDOW": str(args.surge_window),
           "TANJI_BENCH_MAX_REQUESTS": str(args.max_requests), "TANJI_BENCH_PLAN": str(work / "plan.json"),
           "TANJI_BENCH_RESULTS": str(work / "results.json")}
    with open(work / "locust.log", "w") as log:
        subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=args.duration + 180,
                       check=False)
    results_path = work / "results.json"
    if not results_path.exists():
        print((work / "locust.log").read_text()[-3000:])
        raise RuntimeError("locust wrote no results")
    return json.loads(results_path.read_text())


def check_database(url: str, submitted: list[dict]) -> list[tuple[str, bool, str]]:
    from sqlalchemy import func, select, text

    from app import create_app
    from app.audit.services import verify_chain
    from app.extensions import db
    from app.filings.models import Filing

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    checks = []
    with app.app_context():
        conn = db.session.connection()
        told = {(s["org_id"], s["period"]) for s in submitted}
        counts = {(org, period.strftime("%Y-%m")): (n, statuses) for org, period, n, statuses in conn.execute(text(
            "SELECT org_id, period, count(*), string_agg(status, ',') FROM filings "
            "WHERE superseded_at IS NULL AND status IN ('submitted', 'approved') GROUP BY org_id, period"))}
        missing = [k for k in told if k not in counts]
        twice = [k for k in told if k in counts and counts[k][0] != 1]
        checks.append((f"{len(told)} submissions told success ({len(submitted)} answers): each present once",
                       not missing and not twice, f"missing {missing[:5]}, more than once {twice[:5]}"
                       if missing or twice else ""))
        dup = conn.execute(text("SELECT org_id, period, revision, count(*) FROM filings "
                                "GROUP BY org_id, period, revision HAVING count(*) > 1")).all()
        checks.append(("no two filings with the same org/period/revision", not dup, str(dup[:5]) if dup else ""))
        open_twice = conn.execute(text("SELECT org_id, period, count(*) FROM filings WHERE status IN "
                                       "('draft', 'returned', 'submitted') GROUP BY org_id, period "
                                       "HAVING count(*) > 1")).all()
        checks.append(("no month with two open revisions", not open_twice, str(open_twice[:5]) if open_twice else ""))
        no_calc = conn.execute(text(
            "SELECT f.id FROM filings f WHERE f.status IN ('submitted', 'approved') AND NOT EXISTS "
            "(SELECT 1 FROM calculations c WHERE c.filing_id = f.id AND c.is_current)")).all()
        checks.append(("every submitted filing has its current calculation", not no_calc,
                       str(no_calc[:5]) if no_calc else ""))
        new_submitted = db.session.scalar(select(func.count()).select_from(Filing).where(
            Filing.submitted_at.is_not(None)).execution_options(tenancy_bypass=True))
        checks.append((f"filings submitted in the database: {new_submitted}", new_submitted >= len(told), ""))
        started = time.perf_counter()
        intact, count, broken = verify_chain()[:3]
        checks.append((f"audit chain verifies ({count:,} events, {time.perf_counter() - started:.1f} s)", intact,
                       f"broken at seq {broken}" if not intact else ""))
    return checks


def _endpoint(method: str, path: str) -> str:
    """The locust name of a request from the request log's path: ids as [id], serials as [serial]."""
    path = re.sub(r"/verify/[^/]+$", "/verify/[serial]", path)
    return f"{method} {re.sub(r'/[0-9]+(?=/|$)', '/[id]', path)}"


def cpu_by_endpoint(log: str) -> dict[str, list[float]]:
    """The server CPU (ms) of each request, by endpoint, from the JSON request lines in gunicorn's log."""
    found: dict[str, list[float]] = {}
    for line in log.splitlines():
        if not line.startswith("{") or '"tanji.request"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if "cpu_ms" in entry:
            found.setdefault(_endpoint(entry["method"], entry["path"]), []).append(entry["cpu_ms"])
    return found


def report_cpu(found: dict[str, list[float]]) -> None:
    """Mean CPU per endpoint as the app measured it (the view, templates and commit; without gunicorn's own
    work), and the averages over every request and over the pages (GETs)."""
    if not found:
        print("no request lines with cpu_ms in the gunicorn log")
        return
    print(f"\n{'server CPU per request (request log)':<44}{'reqs':>7}{'mean':>7}{'p95':>7}  ms")
    for name, values in sorted(found.items()):
        values = sorted(values)
        print(f"{name:<44}{len(values):>7}{sum(values) / len(values):>7.1f}"
              f"{values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]:>7.1f}")
    every = [v for values in found.values() for v in values]
    pages = [v for name, values in found.items() if name.startswith("GET") for v in values]
    signing = {"POST /login", "POST /filings/[id]/submit"}  # argon2 by design: a password is checked
    rest = [v for name, values in found.items() if name not in signing for v in values]
    print(f"mean over all {len(every)} requests {sum(every) / len(every):.1f} ms; over the pages (GET) "
          f"{sum(pages) / max(len(pages), 1):.1f} ms; without the two that check a password (sign-in, submit) "
          f"{sum(rest) / max(len(rest), 1):.1f} ms")


def report(stats: list[dict], errors: list[dict]) -> tuple[int, list[str]]:
    print(f"\n{'endpoint':<44}{'reqs':>7}{'fail':>6}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}  target")
    misses = []
    *rows, total = stats
    for row in rows:
        name = row["name"]
        p95 = row["p95"]
        if "/submit" in name and name.startswith("POST"):
            target = SUBMIT_TARGET_MS
        elif name.startswith("GET") and "template.xlsx" not in name:
            target = PAGE_TARGET_MS
        else:
            target = None
        verdict = "" if target is None else (f"p95<{target} ok" if p95 < target else f"p95<{target} MISSED")
        if target is not None and p95 >= target:
            misses.append(name)
        print(f"{name:<44}{row['requests']:>7}{row['failures']:>6}{row['p50']:>7.0f}{row['p95']:>7.0f}"
              f"{row['p99']:>7.0f}{row['max']:>8.0f}  {verdict}")
    failures = total["failures"]
    print(f"{'all':<44}{total['requests']:>7}{failures:>6}{total['p50']:>7.0f}{total['p95']:>7.0f}"
          f"{total['p99']:>7.0f}{total['max']:>8.0f}")
    print(f"throughput {total['rps']:.1f} requests/s; errors {failures} (latencies in ms; locust keeps them "
          "to 2 significant digits above 100 ms)")
    for error in errors[:10]:
        print(f"  error x{error['count']}: {error['name']}: {error['error'][:200]}")
    return failures, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--surge", action="store_true", help="50 energy managers file their month at once")
    parser.add_argument("--users", type=int, help="concurrent clients (40; --surge: 50)")
    parser.add_argument("--spawn-rate", type=float, help="clients started per second (users/10; --surge: all at once)")
    parser.add_argument("--duration", type=int, help="seconds at most (60; --surge: 120)")
    parser.add_argument("--surge-window", type=float, default=20,
                        help="--surge: seconds over which the signed-in managers start filing (0: the same instant)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 2), help="gunicorn workers")
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--open", type=int, default=300, help="enterprises with last month left to file")
    parser.add_argument("--keep", action="store_true", help="keep the logs (the database always goes)")
    args = parser.parse_args()
    args.users = args.users or (50 if args.surge else 40)
    args.duration = args.duration or (120 if args.surge else 60)
    args.open = max(args.open, args.users) if args.surge else args.open
    if args.open > args.enterprises:
        parser.error("--open cannot exceed --enterprises")

    work = Path(tempfile.mkdtemp(prefix="tanji-load-"))
    pg = Postgres()
    gunicorn = None
    keep = True  # the logs stay when anything fails

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        pg.start()
        env = {**os.environ, "DATABASE_URL": pg.url, "TANJI_ENV": "development", "SECRET_KEY": secrets.token_hex(32),
               "TANJI_INSTANCE_DIR": str(work / "instance"), "TANJI_EVIDENCE_DIR": str(work / "evidence"),
               "TANJI_TRUSTED_PROXIES": "1", "TANJI_LOG_FORMAT": "json", "PYTHONPATH": str(ROOT)}
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "TANJI_ENV", "SECRET_KEY", "TANJI_INSTANCE_DIR",
                                               "TANJI_EVIDENCE_DIR")})
        if not list((ROOT / "app" / "translations").glob("*/LC_MESSAGES/messages.mo")):
            subprocess.run([str(BIN / "pybabel"), "-q", "compile", "-d", str(ROOT / "app" / "translations")],
                           check=True)  # as scripts/install.sh does: the pages are served in Chinese
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seed(args, pg.url, work / "plan.json")

        port = free_port()
        host = f"http://127.0.0.1:{port}"
        with open(work / "gunicorn.log", "w") as log:
            gunicorn = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                                         "--timeout", "60", "wsgi:app"], env=env, cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT)
        wait_until_up(host, gunicorn)
        postmaster = int((pg.dir / "data" / "postmaster.pid").read_text().split()[0])
        sampler = Sampler(gunicorn.pid, postmaster)
        sampler.settle(args.workers)
        cpu_before = sampler.cpu_seconds()
        sampler.start()
        load_before = os.getloadavg()[0]
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        kind = (f"surge: {args.users} energy managers of {args.users} enterprises sign in, then all save and submit "
                f"their month within {args.surge_window:g} s" if args.surge else f"load: {args.users} clients for {args.duration} s at most")
        print(f"{kind}; gunicorn -w {args.workers} on {host}, PostgreSQL on port {pg.port}, "
              f"{os.cpu_count()} cores (shared)")
        started = time.perf_counter()
        results = run_locust(args, host, env, work)
        elapsed = time.perf_counter() - started
        sampler.stopping.set()
        sampler.join()
        sampler.sample()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = {group: seconds - cpu_before[group] for group, seconds in sampler.cpu_seconds().items()}
        cpu["locust"] = (children.ru_utime + children.ru_stime - children_before.ru_utime
                         - children_before.ru_stime)
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(30)
        gunicorn = None

        failures, misses = report(results["stats"], results["errors"])
        peaks = sorted(sampler.peak_kb.items())
        print(f"peak RSS per gunicorn worker: {', '.join(f'{kb / 1024:.0f} MB' for _, kb in peaks)}"
              + (f"  ({len(peaks)} workers seen: some were restarted)" if len(peaks) > args.workers else ""))
        requests = results["stats"][-1]["requests"] or 1
        print(f"CPU during the run ({elapsed:.0f} s × {os.cpu_count()} cores = {elapsed * (os.cpu_count() or 1):.0f} "
              f"core-s): gunicorn {cpu['gunicorn']:.0f} s ({cpu['gunicorn'] / requests * 1000:.0f} ms a request), "
              f"PostgreSQL {cpu['postgres']:.0f} s ({cpu['postgres'] / requests * 1000:.0f} ms a request), "
              f"locust {cpu['locust']:.0f} s; load average {load_before:.1f} before the run (others share the "
              "machine)")
        log = (work / "gunicorn.log").read_text(errors="replace")
        report_cpu(cpu_by_endpoint(log))
        tracebacks = log.count("Traceback (most recent call last)")
        print(f"server tracebacks in the gunicorn log: {tracebacks}; worker timeouts: {log.count('WORKER TIMEOUT')}")
        problems = results.get("problems") or []
        if problems:
            print("client notes: " + "; ".join(sorted(set(problems))[:10]))
        print(f"enterprises taken by the clients: {results.get('pool_used')}; run {elapsed:.0f} s")

        print("\ndatabase checks:")
        checks = check_database(pg.url, results["submitted"])
        for label, ok, detail in checks:
            print(f"  {'ok  ' if ok else 'FAIL'} {label}{'  ' + detail if detail else ''}")
        if misses:
            print(f"latency targets missed (p95): {', '.join(misses)}")
        bad = failures or tracebacks or not all(ok for _, ok, _ in checks)
        keep = bad or args.keep
        return 1 if bad else 0
    except KeyboardInterrupt:
        print("interrupted: stopping gunicorn and PostgreSQL")
        keep = args.keep
        return 130
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.terminate()
            try:
                gunicorn.wait(15)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        pg.stop()
        if keep:
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
