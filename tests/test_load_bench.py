"""A small filing-day surge end to end: bench/load_bench.py with 5 managers on a tiny city (about 15 s).

It starts its own PostgreSQL and gunicorn, so it is skipped without PostgreSQL's server binaries or
locust, and in the suite's PostgreSQL pass (it does not use the test database: once is enough).
"""
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _has_postgres() -> bool:
    return bool(shutil.which("initdb") or list(Path("/usr/lib/postgresql").glob("*/bin/initdb")))


@pytest.mark.skipif(not _has_postgres(), reason="PostgreSQL server binaries are not installed")
@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="runs once, in the SQLite pass")
def test_surge_of_five_managers_keeps_every_submission_once():
    if importlib.util.find_spec("locust") is None:  # never imported here: it monkey-patches the process
        pytest.skip("locust is not installed")
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_bench.py"), "--surge", "--users", "5", "--enterprises", "20",
         "--months", "3", "--sources", "3", "--open", "5", "--surge-window", "0", "--workers", "2"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    assert "ok   5 submissions told success" in out, out[-4000:]
    assert "ok   audit chain verifies" in out
    assert "errors 0" in out
