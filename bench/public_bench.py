"""The public city page under load: gunicorn on PostgreSQL, N clients requesting /city/public as fast as they can.

    .venv/bin/python bench/public_bench.py [--clients 20] [--duration 30] [--enterprises 500] [--redis]

Starts a throwaway PostgreSQL as bench/load_bench.py does, seeds the generated city of
bench/city_index_bench.py (approved filings, the rollup, a settings version, statistics, a sink), starts
gunicorn (2 × cores workers) and drives GET /city/public from --clients threads spread over a few client
processes (keep-alive where gunicorn allows it). --redis: a throwaway redis-server as the shared page cache
(PAGE_CACHE_URL); without it each worker keeps its own (one computation per worker and data generation).
Prints requests/s, p50/p95/p99, and the server CPU per request (gunicorn's workers and PostgreSQL's processes,
from /proc), against the issue's target of at least 10 × 38 requests/s. The machine may be shared: the load
average is printed beside the figures.
"""
import argparse
import http.client
import multiprocessing
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
TARGET_RPS = 380  # 10 × the 38 requests/s measured before the cache (issue 18)


def _client_process(port: int, threads: int, deadline: float, out) -> None:
    latencies, errors = [], 0
    lock = threading.Lock()

    def loop():
        nonlocal errors
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.time() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", "/city/public")
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            if ok:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    errors += 1
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((latencies, errors))


def _cpu_seconds(root_pid: int) -> float:
    import psutil

    try:
        parent = psutil.Process(root_pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


def seed(url: str, enterprises: int, months: int, sources: int) -> None:
    from app import create_app
    from app.extensions import db
    from bench.city_index_bench import build, city_settings

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        started = time.perf_counter()
        n_filings, _lines = build(db, enterprises, months, sources)
        city_settings(db, enterprises)
        print(f"seeded {enterprises} enterprises, {n_filings:,} approved filings in {time.perf_counter() - started:.0f} s")


def main() -> int:
    from bench.load_bench import Postgres, free_port, wait_until_up

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=int, default=30, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 2), help="gunicorn workers")
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--redis", action="store_true", help="share the page cache through a throwaway Redis")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tanji-public-"))
    pg, gunicorn, redis_pid = Postgres(), None, None

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        pg.start()
        env = {**os.environ, "DATABASE_URL": pg.url, "TANJI_ENV": "development", "SECRET_KEY": secrets.token_hex(32),
               "TANJI_INSTANCE_DIR": str(work / "instance"), "TANJI_EVIDENCE_DIR": str(work / "evidence"),
               "TANJI_LOG_FORMAT": "text", "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        env.pop("TANJI_PAGE_CACHE_URL", None)
        if args.redis:
            port = free_port()
            subprocess.run(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                            "--appendonly", "no", "--dir", str(work), "--daemonize", "yes",
                            "--pidfile", str(work / "redis.pid")], check=True, stdout=subprocess.DEVNULL)
            time.sleep(0.5)
            redis_pid = int((work / "redis.pid").read_text())
            env["TANJI_PAGE_CACHE_URL"] = f"redis://127.0.0.1:{port}/0"
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "TANJI_ENV", "SECRET_KEY", "TANJI_INSTANCE_DIR")})
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seed(pg.url, args.enterprises, args.months, args.sources)

        port = free_port()
        with open(work / "gunicorn.log", "w") as log:
            gunicorn = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                                         "--timeout", "60", "wsgi:app"], env=env, cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT)
        wait_until_up(f"http://127.0.0.1:{port}", gunicorn)
        first = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        first.request("GET", "/city/public")
        body = first.getresponse().read()
        print(f"first request (computes the page): {(time.perf_counter() - started) * 1000:.0f} ms, "
              f"{len(body):,} bytes")
        postmaster = int((pg.dir / "data" / "postmaster.pid").read_text().split()[0])
        cpu_before = _cpu_seconds(gunicorn.pid), _cpu_seconds(postmaster)
        load_before = os.getloadavg()[0]
        processes = min(4, args.clients)
        per = [args.clients // processes + (1 if k < args.clients % processes else 0) for k in range(processes)]
        out = multiprocessing.Queue()
        deadline = time.time() + args.duration
        clients = [multiprocessing.Process(target=_client_process, args=(port, n, deadline, out)) for n in per]
        started = time.perf_counter()
        for c in clients:
            c.start()
        results = [out.get() for _ in clients]
        elapsed = time.perf_counter() - started
        for c in clients:
            c.join()
        cpu_gunicorn = _cpu_seconds(gunicorn.pid) - cpu_before[0]
        cpu_postgres = _cpu_seconds(postmaster) - cpu_before[1]
        latencies = sorted(x for lat, _e in results for x in lat)
        errors = sum(e for _lat, e in results)
        n = len(latencies) or 1

        def pct(p):
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

        rps = len(latencies) / elapsed
        print(f"GET /city/public, {args.clients} clients for {elapsed:.0f} s, gunicorn -w {args.workers}, "
              f"{'Redis' if args.redis else 'per-process'} cache, {args.enterprises} enterprises:")
        print(f"  {len(latencies):,} requests, {errors} errors, {rps:.0f} requests/s "
              f"(target ≥ {TARGET_RPS}: {'ok' if rps >= TARGET_RPS else 'MISSED'})")
        print(f"  latency p50 {pct(0.5):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms, "
              f"mean {statistics.fmean(latencies) * 1000 if latencies else float('nan'):.1f} ms")
        print(f"  server CPU per request: gunicorn {cpu_gunicorn / n * 1000:.2f} ms, PostgreSQL "
              f"{cpu_postgres / n * 1000:.2f} ms; load average {load_before:.1f} before the run on "
              f"{os.cpu_count()} cores (shared with the clients and other work)")
        log = (work / "gunicorn.log").read_text(errors="replace")
        print(f"  server tracebacks: {log.count('Traceback (most recent call last)')}")
        return 1 if errors else 0
    except KeyboardInterrupt:
        return 130
    finally:
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.terminate()
            try:
                gunicorn.wait(15)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        if redis_pid:
            os.kill(redis_pid, signal.SIGTERM)
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
