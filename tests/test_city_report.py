"""The city annual report (issue 18): the calendar year against the year before, tables that add up to X with net
imported electricity its own row, provisional months named, estimates stated, verification counts, and a PDF that
reads in both languages with its headline figures on the first page."""
import io
import os
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.certificates.report_data import city_report
from app.city_data.models import CityStatistic, IndexSettings
from app.city_index.index import city_index
from app.extensions import db as _db
from app.report_jobs.models import ReportJob
from app.verification.models import CONFIRMED, IN_PROGRESS, Engagement
from reports import city_report as city_pdf
from tests.conftest import login, post
from tests.helpers.city import SETTINGS, filed_month, month_starts

D = Decimal
SNAKE = re.compile(r"(?<![\w@./-])[a-z0-9]+_[a-z0-9_]+(?![\w@])")


def _statistic(year, gdp):
    return CityStatistic(year=year, quarter=0, gdp_10k_cny=D(gdp), non_fossil_share_percent=D("17"),
                         transport_tco2=D("1200000"), buildings_tco2=D("1100000"), other_tco2=D("600000"),
                         net_imported_electricity_mwh=D("2400000"), source=f"统计年鉴 {year}")


@pytest.fixture
def year_city(db, make_org, authority):
    """Four enterprises over 2024 and 2025: power and logistics complete; steel without 2025-11 and 2025-12,
    cement without 2025-12, so December 2025 has 2 of 4 filings (provisional) and three months are estimated."""
    db.session.add(IndexSettings(valid_from=date(2020, 1, 1), values={**SETTINGS, "methodology": 2}, note="test"))
    db.session.add_all([_statistic(2024, "15000000"), _statistic(2025, "16200000")])
    orgs = {}
    for key, name, code, district in (("power", "锦湾热电秘密有限公司", "D4411", "双河区"),
                                      ("steel", "锦湾钢铁秘密有限公司", "C3110", "兴港区"),
                                      ("cement", "锦湾水泥秘密有限公司", "C3011", "兴港区"),
                                      ("logistics", "锦湾物流秘密有限公司", "G5430", "兴港区")):
        orgs[key] = make_org(name=name, industry_code=code, district=district, first_reporting_month=date(2024, 1, 1))
    monthly = {"power": ("1000", "900"), "steel": ("100", "120"), "cement": ("500", "450"), "logistics": ("50", "50")}
    missing = {("steel", date(2025, 11, 1)), ("steel", date(2025, 12, 1)), ("cement", date(2025, 12, 1))}
    for key, (before, now) in monthly.items():
        for period in month_starts(2024, 1, 24):
            if (key, period) not in missing:
                filed_month(orgs[key], period, before if period.year == 2024 else now, "10")
    body = make_org(kind="verifier", name="锦湾碳核查中心")
    db.session.add_all([Engagement(org_id=orgs["power"].id, verifier_org_id=body.id, year=2025, status=CONFIRMED),
                        Engagement(org_id=orgs["steel"].id, verifier_org_id=body.id, year=2025, status=IN_PROGRESS)])
    db.session.commit()
    return orgs


def test_the_year_against_last_year_adds_up_to_x(app, year_city):
    with app.test_request_context():
        data = city_report(2025)
    # estimates: steel's Nov and Dec at 100 × g (g = 120 / 100 over Aug–Oct) and cement's Dec at 500 × 0.9
    assert data["estimated_tco2"] == D(120) + D(120) + D(450)
    filed = 12 * D(900) + 10 * D(120) + 11 * D(450) + 12 * D(50) + D(690)
    assert data["gross"]["filed"] == filed
    sectors = {r["key"]: r for r in data["sectors"]}
    assert list(sectors) == ["energy", "industry", "transport", "buildings", "other", "imported"]
    assert sectors["energy"]["total"] == 12 * D(900) and sectors["energy"]["year_ago"] == 12 * D(1000)
    assert sectors["industry"]["estimated"] == D(690)
    assert sectors["transport"]["statistics"] == D("1200000") and sectors["transport"]["scope1"] == 12 * D(50)
    assert sectors["imported"]["statistics"] > 0  # 2,400,000 MWh × the grid factor, its own row
    x = sum(r["total"] for r in data["sectors"])
    assert data["total"]["total"] == x == data["gross"]["now"]
    # the calendar year is the R12 of December: the same X as the index counts
    assert x == city_index(2025, 12).result.gross_tco2
    assert data["gross"]["year_ago"] == city_index(2024, 12).result.gross_tco2
    assert data["total"]["change"] == x - data["gross"]["year_ago"]
    assert data["estimated_share"] == D(690) / x
    # industries and districts add up to the filing enterprises' part of X
    assert sum(r["total"] for r in data["divisions"]) == filed
    assert sum(r["total"] for r in data["districts"]) == filed
    assert data["filed"]["total"] == filed and data["filed"]["year_ago"] == 12 * D(1650)
    assert {r["key"] for r in data["districts"]} == {"兴港区", "双河区"}
    assert [e["name"] for e in data["top_emitters"]][:2] == ["锦湾热电秘密有限公司", "锦湾水泥秘密有限公司"]
    assert data["top_emitters"][0]["year_ago"] == 12 * D(1000)


def test_provisional_months_and_verification_are_counted(app, year_city):
    with app.test_request_context():
        data = city_report(2025)
    assert data["provisional_months"] == ["2025-12"]  # 2 of the 4 obliged enterprises filed December
    assert [m["provisional"] for m in data["months"]].count(True) == 1
    # the year's end is provisional: the year-end forecast starts from November, the latest settled month
    assert data["forecast"] is not None and data["forecast"]["baseline"] == "2025-11"
    assert data["verification"] == {"covered": 4, "confirmed": 1, "in_progress": 1, "not_started": 2}
    assert (data["approved"], data["expected"]) == (45, 48)
    assert data["methodology"] == 2 and data["index"]["dci"] is not None
    assert data["index"]["label"] == "2025-12" and data["index"]["label_year_ago"] == "2024-12"
    assert set(data["index"]["sub_indices"]) >= {"S1", "S2"}


def test_the_year_to_date_counts_only_the_months_that_ended(app, year_city):
    with app.test_request_context():
        data = city_report(2025, 6)
    assert not data["complete_year"] and data["period"] == {"start": "2025-01", "end": "2025-06"}
    energy = next(r for r in data["sectors"] if r["key"] == "energy")
    assert energy["total"] == 6 * D(900) and energy["year_ago"] == 6 * D(1000)
    transport = next(r for r in data["sectors"] if r["key"] == "transport")
    assert transport["statistics"] == D("600000")  # half of the year's figure
    assert data["provisional_months"] == [] and len(data["months"]) == 6


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_pdf_opens_on_the_headline_figures_in_both_languages(app, year_city):
    with app.test_request_context():
        data = city_report(2025)
        pdf = city_pdf.build(data, "锦湾市")
    pages = _text(pdf)
    if os.environ.get("TANJI_KEEP_PDF"):
        with open(os.environ["TANJI_KEEP_PDF"], "wb") as f:
            f.write(pdf)
    first = pages[0]
    for expected in ("Annual city carbon report 2025", "要点 Headline figures", "城市排放总量", "City gross emissions",
                     f"{data['gross']['now']:,.0f}", "Provisional months", "2025-12", "Methodology version 2",
                     "Verification confirmed", "1 / 4", "Year-end forecast"):
        assert expected in first, expected
    body = " ".join(" ".join(pages).split())  # table cells wrap their words
    for expected in ("分部门排放 Sector totals", "Net imported electricity", "Industries", "Districts", "双河区",
                     "Top emitters", "锦湾热电秘密有限公司", "Verification status", "Not started",
                     "Dual-carbon index", "Progress to neutrality", "three-anchor scale", "Estimates", "690"):
        assert expected in body, expected
    assert len(pages) >= 4
    assert not SNAKE.findall(body), SNAKE.findall(body)  # no raw codes


def test_the_regulator_runs_the_report_as_a_job(app, client, year_city, regulator):
    login(client, regulator)
    assert post(client, "/reports/city/2025", token_from="/city/").status_code == 302
    job = _db.session.scalar(select(ReportJob))
    assert job.status == "done" and job.params == {"year": 2025, "month": 12}
    first = _text(job.result)[0]
    assert "Annual city carbon report 2025" in first and "12" in first
