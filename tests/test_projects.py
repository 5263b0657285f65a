"""New projects assessed against the path from a fixed baseline month, and the regulator's recorded decision
(issue 18: the answer does not depend on the month viewed; decisions are listed and audited)."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.city_data.models import IndexSettings
from app.city_index.formula import TargetPath
from app.scenarios import projects
from app.scenarios.models import ProjectDecision
from tests.conftest import login, post
from tests.helpers.city import SETTINGS

# A tight path for the small test city (its X is about 4.5 Mt): version 2 of the methodology.
TIGHT = {**SETTINGS, "e0": "4000000", "ep": "4600000", "s60": "600000", "methodology": 2, "leading_margin": "0.1"}
PATH = TargetPath(TIGHT["y0"], Decimal(TIGHT["e0"]), Decimal(TIGHT["g0"]), TIGHT["yp"], Decimal(TIGHT["ep"]),
                  Decimal(TIGHT["s60"]))
BODY = {"annual_tco2e": "1520000", "first_year": 2027, "first_year_share": "0.5"}


@pytest.fixture
def tight(db, city):
    db.session.add(IndexSettings(valid_from=date(2020, 1, 1), values=TIGHT, note="tight path"))
    db.session.commit()
    return city


def test_the_answer_checks_every_year_from_the_settled_month(app, db, tight):
    with app.test_request_context():
        result = projects.answer(projects.read_inputs({**BODY, "first_year": "2027"}, {}, 2025))
    # The city's data ends with 2025-06; later months owe filings nobody made: provisional, never the baseline.
    assert result.baseline_month == (2025, 6)
    years = {y.year: y for y in result.assessment.years}
    assert sorted(years) == list(range(2027, 2036))
    assert years[2027].project == Decimal(760_000) and years[2028].project == Decimal(1_520_000)
    assert all(y.path == PATH.at_year(y.year) for y in years.values())
    assert all(y.need == max(Decimal(0), y.project - (y.path - y.baseline)) for y in years.values())
    assert result.assessment.offset_needed == max(y.need for y in years.values())
    assert result.methodology == 2 and result.dci_change < 0  # more emissions: the index falls
    # The path falls after 2028: the project does not fit, and the tightest year is the last one.
    assert result.assessment.tightest_year == 2035 and result.assessment.offset_needed > 0
    sinks = result.room[-1]
    assert sinks.kind == "sinks" and sinks.tco2 == result.assessment.offset_needed
    assert sinks.hectares == sinks.tco2 / 5 and sinks.dci_change > 0


def test_a_decision_is_recorded_with_the_answer_and_audited(app, db, client, tight, regulator):
    login(client, regulator)
    form = {"name": "百万吨乙烯", "annual_tco2e": "1520000", "first_year": "2027", "first_year_share": "0.5",
            "sink_rate": "5"}
    page = post(client, "/city/scenarios/projects/assess", {**form, "action": "assess"}).get_data(as_text=True)
    assert 'data-testid="assessment-years"' in page and 'data-year="2035"' in page and "2025-06" in page
    # A refusal needs its reasons; nothing typed is lost.
    page = post(client, "/city/scenarios/projects/assess",
                {**form, "action": "decide", "decision": "refused", "note": ""}).get_data(as_text=True)
    assert "请在说明中写明条件或理由" in page and 'value="百万吨乙烯"' in page
    assert db.session.scalars(select(ProjectDecision)).all() == []
    answer = post(client, "/city/scenarios/projects/assess",
                  {**form, "action": "decide", "decision": "refused", "note": "2031年起无排放空间"})
    assert answer.status_code == 302
    row = db.session.scalars(select(ProjectDecision)).one()
    assert (row.name, row.decision, row.note) == ("百万吨乙烯", "refused", "2031年起无排放空间")
    assert row.result["baseline_month"] == "2025-06" and len(row.result["years"]) == 9
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "project.decided")).one()
    assert event.detail["decision"] == "refused"
    listing = client.get("/city/scenarios/projects").get_data(as_text=True)
    assert "百万吨乙烯" in listing and 'data-decision="refused"' in listing
    shown = client.get(f"/city/scenarios/projects/{row.id}").get_data(as_text=True)
    assert "2031年起无排放空间" in shown and 'data-year="2031"' in shown


def test_the_api_answer_does_not_depend_on_the_month_viewed(client, tight, regulator, token_for):
    headers = token_for(regulator, "read")
    answers = [client.post("/api/v1/city/assessments", json={**BODY, "view_month": month}, headers=headers)
               for month in ("2025-06", "2024-10", "2026-11")]
    assert [a.status_code for a in answers] == [200, 200, 200]
    first = answers[0].get_json()
    assert all(a.get_json() == first for a in answers)
    assert first["baseline_month"] == "2025-06" and [y["year"] for y in first["years"]] == list(range(2027, 2036))
    assert set(first["years"][0]) >= {"year", "path_tco2", "baseline_tco2", "headroom_tco2", "need_tco2"}
    assert first["offset_needed_tco2"] == max((y["need_tco2"] for y in first["years"]), key=Decimal)
    assert first["tightest_year"] in range(2027, 2036) and first["dci_change"] is not None
    bad = client.post("/api/v1/city/assessments", json={**BODY, "first_year": 2019}, headers=headers)
    assert bad.status_code == 422 and "first_year" in bad.get_json()["error"]["fields"]


def test_enterprises_reach_neither_the_page_nor_the_api(client, city, manager, token_for):
    login(client, manager)
    assert client.get("/city/scenarios/projects/assess").status_code in (403, 404)
    assert client.post("/api/v1/city/assessments", json=BODY, headers=token_for(manager, "read")).status_code == 403
