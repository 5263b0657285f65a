"""Time certificate generation: the whole issue (approved data, statement, digest, PDF, row) and the PDF alone.

    .venv/bin/python bench/certificate_bench.py [--certificates 50] [--sources 10]

Builds a throwaway SQLite database (or BENCH_DATABASE_URL) with one enterprise per certificate, each with
12 approved months of `--sources` calculation lines (the generator of bench/city_index_bench.py), issues
one 12-month certificate for each and prints median and p95. Target: median under 100 ms. Also times
checking an uploaded PDF (verify_pdf). Prints figures; asserts nothing.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def summary(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"  {label:<40} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
          f"min {times[0]:6.1f} ms   (n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=50)
    parser.add_argument("--sources", type=int, default=10)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='tanji-bench-')}/bench.db"
    os.environ["DATABASE_URL"] = url
    from datetime import date

    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.services import create_user
    from app.certificates import services
    from app.extensions import db
    from app.organisations.models import Organisation
    from app.organisations.services import create_authority
    from city_index_bench import _months, build
    from reports.certificate import CertificateContent
    from reports.certificate import build as build_pdf

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context(), app.test_request_context():
        upgrade()
        build(db, args.certificates, 12, args.sources)
        authority = create_authority("基准生态环境局")
        regulator = create_user(authority, "bench@jinwan.gov.cn", "基准", "Kx7-city-2026", "regulator")
        db.session.commit()
        months = _months(12, date.today())
        orgs = db.session.query(Organisation).filter(Organisation.kind == "enterprise").order_by(Organisation.id).all()
        print(f"{len(orgs)} certificates, 12 months × {args.sources} sources each ({url.split(':')[0]})")

        services.issue(regulator, orgs[0], months[0], months[-1])  # warm up: fonts, imports
        db.session.rollback()
        issue_times, pdf_times, verify_times, sizes = [], [], [], []
        for org in orgs:
            started = time.perf_counter()
            cert = services.issue(regulator, org, months[0], months[-1])
            issue_times.append((time.perf_counter() - started) * 1000)
            sizes.append(len(cert.pdf))
            started = time.perf_counter()
            build_pdf(CertificateContent(cert.serial, cert.digest, services.stated(cert), date.today(),
                                         services.verify_url(cert.serial)))
            pdf_times.append((time.perf_counter() - started) * 1000)
        db.session.commit()
        for cert_pdf in [c.pdf for c in db.session.query(services.Certificate).limit(20)]:
            started = time.perf_counter()
            assert services.verify_pdf(cert_pdf).outcome == "genuine"
            verify_times.append((time.perf_counter() - started) * 1000)
        summary("issue (data + digest + PDF + row)", issue_times)
        summary("PDF only (reports/certificate.py)", pdf_times)
        summary("verify an uploaded PDF", verify_times)
        print(f"  PDF size: median {statistics.median(sizes) / 1024:.1f} KiB   (target: issue median < 100 ms)")


if __name__ == "__main__":
    main()
