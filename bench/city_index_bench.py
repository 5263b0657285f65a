"""Time the city index and the regulator's dashboard on a generated city.

    .venv/bin/python bench/city_index_bench.py [--enterprises 500] [--months 36] [--sources 10] [--postgres]

Builds a throwaway SQLite database (--postgres: a throwaway PostgreSQL cluster as bench/load_bench.py starts
one; or BENCH_DATABASE_URL) with that many enterprises, each with approved filings for every month and a stored
calculation of `--sources` lines, and the rollup rebuilt from them; then prints the time of the index, its
24-month trend, the sector/industry/district tables and the whole dashboard page, next to the bare SQL aggregates
of the same base totals: over the raw calculation lines, and over the calculations' totals. The pages read the
rollup (monthly_totals). Targets (issue 18): the dashboard page under 150 ms at 500 enterprises and under 300 ms
at 5,000 on PostgreSQL, at most half the bare aggregate over raw lines. Prints figures; asserts nothing.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

INDUSTRIES = ["D4411", "D4412", "C2511", "C2614", "C3011", "C3110", "C1311", "G5431", "C2221", "C3216"]
DISTRICTS = ["兴港区", "双河区", "大洼区", "湾西县"]


def _months(n: int, today: date) -> list[date]:
    first = today.year * 12 + today.month - 1 - n
    return [date((first + i) // 12, (first + i) % 12 + 1, 1) for i in range(n)]


def _power(i: int) -> bool:
    return INDUSTRIES[i % len(INDUSTRIES)].startswith("D44")


def base_quantity(i: int, s: int, m: int) -> Decimal:
    """The activity quantity build() gives enterprise i's source s in month m (tonnes / 20)."""
    return Decimal(100 + (i * 7 + s * 13 + m) % 400) / 20


def build(db, n_orgs: int, n_months: int, n_sources: int, open_last: int = 0) -> tuple[int, int]:
    """Bulk-insert the city; the first `open_last` enterprises get no filing for the last month (left to file)."""
    from sqlalchemy import insert, select, text

    from app.accounting.models import (
        EmissionSource,
        Facility,
        Product,
        ProductBenchmark,
    )
    from app.filings import rollups
    from app.filings.models import (
        Calculation,
        CalculationLine,
        Filing,
        FilingLine,
        ProductionLine,
    )
    from app.organisations.credit_code import make_credit_code
    from app.organisations.models import Organisation

    now = datetime.now(timezone.utc)
    months = _months(n_months, date.today())
    conn = db.session.connection()
    # Each enterprise owes its months from the first generated one (as registration sets it).
    conn.execute(insert(Organisation), [
        {"id": 10_000 + i, "kind": "enterprise", "name": f"基准企业{i:04d}", "credit_code":
         make_credit_code("211102", f"{50_000_000 + i:08d}"), "industry_code": INDUSTRIES[i % len(INDUSTRIES)],
         "district": DISTRICTS[i % len(DISTRICTS)], "active": True, "created_at": now.replace(year=now.year - 4),
         "first_reporting_month": months[0]}
        for i in range(n_orgs)])
    conn.execute(insert(Facility), [{"id": 10_000 + i, "org_id": 10_000 + i, "name": "厂区", "active": True,
                                     "created_at": now} for i in range(n_orgs)])
    conn.execute(insert(EmissionSource), [
        {"id": 100_000 + i * n_sources + s, "org_id": 10_000 + i, "facility_id": 10_000 + i, "name": f"源{s}",
         "category": "stationary_combustion" if s % 3 else "purchased_electricity",
         "material": "natural_gas" if s % 3 else "electricity", "activity_unit": "10^4 Nm3" if s % 3 else "MWh",
         "covered": True, "active": True, "created_at": now} for i in range(n_orgs) for s in range(n_sources)])
    # One main product per enterprise; the power plants' (D44..) is mapped to a product benchmark, so the
    # industrial-efficiency sub-index has data as in a real city.
    bench_code = db.session.scalar(select(ProductBenchmark.code).where(ProductBenchmark.unit == "tCO2/MWh").limit(1))
    conn.execute(insert(Product), [
        {"id": 10_000 + i, "org_id": 10_000 + i, "name": "主产品", "unit": "MWh" if _power(i) else "t",
         "is_main": True, "benchmark_code": bench_code if _power(i) else None, "active": True, "created_at": now}
        for i in range(n_orgs)])
    filings, lines, calcs, calc_lines, production = [], [], [], [], []
    filing_id = line_id = 1_000_000
    written = 0

    def flush():  # insert what is built so far (5,000 enterprises would hold millions of rows in memory)
        nonlocal written
        for model, rows in ((Filing, filings), (FilingLine, lines), (Calculation, calcs),
                            (CalculationLine, calc_lines), (ProductionLine, production)):
            for start in range(0, len(rows), 20_000):
                conn.execute(insert(model), rows[start:start + 20_000])
        written += len(filings)
        for rows in (filings, lines, calcs, calc_lines, production):
            rows.clear()

    for i in range(n_orgs):
        if len(calc_lines) > 200_000:
            flush()
        for m, period in enumerate(months):
            if i < open_last and m == len(months) - 1:
                continue
            filing_id += 1
            filings.append({"id": filing_id, "org_id": 10_000 + i, "period": period, "revision": 1,
                            "status": "approved", "output_value_10k_cny": Decimal(1000 + i), "explanations": {},
                            "version": 1, "created_at": now, "updated_at": now})
            scope1 = scope2 = Decimal(0)
            calc = {"id": filing_id, "org_id": 10_000 + i, "filing_id": filing_id, "computed_at": now,
                    "reason": "saved", "engine_version": "1", "settings": {}, "is_current": True}
            for s in range(n_sources):
                line_id += 1
                tonnes = base_quantity(i, s, m) * 20
                scope = "1" if s % 3 else "2"
                scope1 += tonnes if scope == "1" else 0
                scope2 += tonnes if scope == "2" else 0
                source_id = 100_000 + i * n_sources + s
                lines.append({"id": line_id, "org_id": 10_000 + i, "filing_id": filing_id, "source_id": source_id,
                              "quantity": tonnes / 20, "unit": "10^4 Nm3" if s % 3 else "MWh", "measured": {}})
                calc_lines.append({"id": line_id, "org_id": 10_000 + i, "calculation_id": filing_id,
                                   "filing_line_id": line_id, "source_id": source_id,
                                   "category": "stationary_combustion" if s % 3 else "purchased_electricity",
                                   "scope": scope, "co2_t": tonnes, "ch4_t": 0, "n2o_t": 0, "other_t": {},
                                   "co2e_t": tonnes, "energy_tce": tonnes / 2, "trace": {}})
            production.append({"id": filing_id, "org_id": 10_000 + i, "filing_id": filing_id,
                               "product_id": 10_000 + i, "quantity": (scope1 + scope2) * (1 + i % 3) / 2,
                               "unit": "MWh" if _power(i) else "t"})
            calcs.append({**calc, "scope1_tco2e": scope1, "scope2_tco2e": scope2, "scope2_market_tco2e": None,
                          "scope3_tco2e": 0, "exported_tco2e": 0, "total_tco2e": scope1 + scope2,
                          "energy_tce": (scope1 + scope2) / 2})
    flush()
    # Bulk inserts pass no ORM flush: the rollup is rebuilt by `flask rollups rebuild`'s own function.
    rollups.rebuild(db.session)
    if conn.dialect.name == "postgresql":
        # Planner statistics, as autovacuum keeps them on a database in use: without them, the first minute
        # after a bulk load plans the city aggregates as nested loops (118 ms instead of 20 on 500 × 36).
        conn.execute(text("ANALYZE"))
    db.session.commit()
    return written, written * n_sources


def city_settings(db, n_orgs: int) -> None:
    """An index settings version, city statistics for the last five years and a sink, scaled to the city, so
    that the pages compute the index as on a real city (without them they only sum)."""
    from app.city_data.models import CarbonSink, CityStatistic, IndexSettings

    scale = Decimal(n_orgs) / 500  # 500 generated enterprises emit about 12 Mt a year
    values = {"y0": 2020, "e0": str(16_000_000 * scale), "g0": str(13_000_000 * scale), "yp": 2028,
              "ep": str(18_000_000 * scale), "s60": str(3_000_000 * scale), "industrial_base_r": "0.70",
              "sinks_base_tco2": "900000", "non_fossil_base_share": "0.10",
              "transport_buildings_base_tco2": str(2_200_000 * scale), "methodology": 2}
    db.session.add(IndexSettings(valid_from=date(2020, 1, 1), values=values, note="bench"))
    this_year = date.today().year
    db.session.add_all([CityStatistic(
        year=y, quarter=0, gdp_10k_cny=Decimal(15_000_000 + 600_000 * (y - 2020)) * scale,
        non_fossil_share_percent=Decimal(14 + y - 2020), transport_tco2=1_200_000 * scale,
        buildings_tco2=1_100_000 * scale, other_tco2=600_000 * scale,
        net_imported_electricity_mwh=2_400_000 * scale, source="bench") for y in range(this_year - 4, this_year + 1)])
    db.session.add(CarbonSink(name="湿地", kind="wetland", area_ha=Decimal(10_000), rate_tco2_per_ha_year=Decimal(5),
                              from_year=2018, source="bench"))
    db.session.commit()


def timed(label: str, fn, runs: int = 5, setup=None) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:  # before each run, not timed
            setup()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    best, median = min(times), statistics.median(times)
    print(f"  {label:<44} best {best:8.1f} ms   median {median:8.1f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=500)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL cluster")
    args = parser.parse_args()
    if not args.postgres:
        run(args, os.environ.get("BENCH_DATABASE_URL")
            or f"sqlite:///{tempfile.mkdtemp(prefix='tanji-bench-')}/bench.db")
        return
    from bench.load_bench import Postgres

    pg = Postgres()
    try:
        pg.start()
        run(args, pg.url)
    finally:
        pg.stop()


def run(args, url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from app import create_app
    from app.city_index.breakdowns import (
        district_totals,
        division_totals,
        sector_totals,
    )
    from app.city_index.dashboard import dashboard
    from app.city_index.index import city_index, trend
    from app.city_index.loading import load
    from app.city_index.periods import add_months, latest_complete_month
    from app.extensions import db
    from app.filings.models import Calculation, Filing

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        n_filings, n_lines = build(db, args.enterprises, args.months, args.sources)
        city_settings(db, args.enterprises)
        print(f"{args.enterprises} enterprises × {args.months} months × {args.sources} sources: {n_filings:,} filings, "
              f"{n_lines:,} calculation lines, built in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")
        today = date.today()
        year, month = latest_complete_month(today)
        first = date(year - 1, month, 1) if month < 12 else date(year, 1, 1)

        def bare_sql():
            return db.session.execute(
                select(Filing.period, func.sum(Calculation.scope1_tco2e))
                .join(Calculation, (Calculation.filing_id == Filing.id) & Calculation.is_current)
                .where(Filing.status == "approved", Filing.period >= first)
                .group_by(Filing.period)).all()

        start = date(first.year - 3, first.month, 1)
        approved = ("FROM filings f JOIN calculations c ON c.filing_id = f.id AND c.is_current "
                    "JOIN organisations o ON o.id = f.org_id {joins} "
                    "WHERE f.status = 'approved' AND f.superseded_at IS NULL AND f.period >= :start {where}")
        products = "JOIN production_lines pl ON pl.filing_id = f.id JOIN products p ON p.id = pl.product_id"
        benchmarked = ("SELECT pl.filing_id FROM production_lines pl JOIN products p ON p.id = pl.product_id "
                       "WHERE p.benchmark_code IS NOT NULL")
        by_product = ("SELECT f.period, p.benchmark_code, sum(pl.quantity) "
                      + approved.format(joins=products, where="AND p.benchmark_code IS NOT NULL")
                      + " GROUP BY f.period, p.benchmark_code")

        def bare_sql_all():
            # The base totals the dashboard is made of, as plain SQL over the calculations' totals: every month of
            # the forecast history (which covers the 24-month trend and its 12-month windows) by industry and
            # district, scope 1 and 2, approved filings only; the output in benchmarked products; and the
            # emissions of the filings that produced it (each filing once).
            conn = db.session.connection()
            return [conn.execute(text(sql), {"start": start}).all() for sql in (
                "SELECT f.period, o.industry_code, o.district, sum(c.scope1_tco2e), sum(c.scope2_tco2e), "
                "sum(c.total_tco2e), count(*) " + approved.format(joins="", where="")
                + " GROUP BY f.period, o.industry_code, o.district", by_product,
                "SELECT f.period, sum(c.total_tco2e) " + approved.format(joins="", where=f"AND f.id IN ({benchmarked})")
                + " GROUP BY f.period")]

        def bare_sql_lines():
            # The same base totals summed from the raw calculation lines (what a page without rollups would read).
            lines = "JOIN calculation_lines l ON l.calculation_id = c.id"
            conn = db.session.connection()
            return [conn.execute(text(sql), {"start": start}).all() for sql in (
                "SELECT f.period, o.industry_code, o.district, sum(CASE WHEN l.scope = '1' THEN l.co2e_t ELSE 0 END), "
                "sum(CASE WHEN l.scope = '2' THEN l.co2e_t ELSE 0 END), sum(l.co2e_t), count(DISTINCT f.id) "
                + approved.format(joins=lines, where="") + " GROUP BY f.period, o.industry_code, o.district",
                by_product,
                "SELECT f.period, sum(l.co2e_t) " + approved.format(joins=lines, where=f"AND f.id IN ({benchmarked})")
                + " GROUP BY f.period")]

        print(f"index month {year}-{month:02d}:")
        timed("bare SQL: approved scope-1 by month (R12)", bare_sql)
        totals = timed("bare SQL: the base totals from calculations (48 m)", bare_sql_all)
        bare = timed("bare SQL: the base totals from raw lines (48 m)", bare_sql_lines, runs=3)
        timed("city_index (one month)", lambda: city_index(year, month))
        timed("trend (24 months)", lambda: trend(24, year, month))
        def tables():
            data = load(add_months(year, month, -11), (year, month))
            return (sector_totals(year, month, data), division_totals(year, month, data=data),
                    district_totals(year, month, data))

        timed("sector + division + district tables", tables)
        timed("dashboard data in one load", lambda: dashboard(year, month))

    client = app.test_client()
    with app.app_context():
        from app.accounts.services import create_user
        from app.organisations.services import create_authority

        authority = create_authority("基准生态环境局")
        create_user(authority, "bench@jinwan.gov.cn", "基准", "Kx7-city-2026", "regulator")
        db.session.commit()
    client.post("/login", data={"email": "bench@jinwan.gov.cn", "password": "Kx7-city-2026"})
    assert client.get("/city/").status_code == 200, "the dashboard did not render"
    anonymous = app.test_client()
    with app.app_context():
        generation = db.session.scalar(text("SELECT value FROM rollup_generation"))

    def new_generation():
        with app.app_context():  # as after an approval: the figures are computed again
            db.session.execute(text("UPDATE rollup_generation SET value = value + 1"))
            db.session.commit()

    page = timed("dashboard page GET /city/, computed", lambda: client.get("/city/"), setup=new_generation)
    warm = timed("dashboard page GET /city/, cached figures", lambda: client.get("/city/"), runs=20)
    timed("public page GET /city/public, computed", lambda: anonymous.get("/city/public"), setup=new_generation)
    public = timed("public page GET /city/public, cached", lambda: anonymous.get("/city/public"), runs=20)
    with app.app_context():
        assert db.session.scalar(text("SELECT value FROM rollup_generation")) > generation
    print(f"dashboard page computed / bare aggregate over raw lines: {page / bare:.2f}×, over calculation totals: "
          f"{page / totals:.2f}×; dashboard with cached figures {warm:.1f} ms, public page cached {public:.1f} ms\n"
          "targets: dashboard < 150 ms at 500 and < 300 ms at 5,000 enterprises on PostgreSQL, at most 0.5× the "
          f"raw-lines aggregate; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine)")

if __name__ == "__main__":
    main()
