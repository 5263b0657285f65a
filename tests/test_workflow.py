"""The filing state machine, plausibility checks, amendments and the optimistic lock."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core.service_error import ServiceError
from app.filings import services, workflow
from app.filings.models import Evidence, Filing, ReviewComment
from app.notifications.models import Notification
from app.footprint.services import effective_filings
from tests.helpers.filings import EXAMPLE_7, JUNE, NOW, draft_month


def test_full_cycle_submit_return_fix_approve_lock(app, db, plant, regulator):
    with app.test_request_context():
        filing = draft_month(plant)
        workflow.submit(plant["admin"], filing, now=NOW)
        assert filing.status == "submitted"
        gas = plant["sources"]["gas"]
        workflow.return_filing(regulator, filing, "请核对天然气用量", {gas.id: "与发票不符"}, now=NOW)
        assert filing.status == "returned"
        comments = db.session.scalars(select(ReviewComment).where(ReviewComment.filing_id == filing.id)).all()
        assert {(c.source_id, c.text) for c in comments} == {(None, "请核对天然气用量"), (gas.id, "与发票不符")}
        assert db.session.scalars(select(Notification).where(Notification.kind == "filing.returned")).all()

        services.set_activity(plant["admin"], filing, [
            {"source_id": s.id, "quantity": EXAMPLE_7[k], "unit": s.activity_unit}
            for k, s in plant["sources"].items()], [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        assert filing.status == "draft"  # corrected: a draft again
        workflow.submit(plant["admin"], filing, now=NOW)
        workflow.approve(regulator, filing, now=NOW)
        assert filing.status == "approved" and filing.reviewed_by_id == regulator.id
        with pytest.raises(ServiceError):
            services.set_activity(plant["admin"], filing, [], [])
        with pytest.raises(ServiceError):
            services.open_filing(plant["admin"], plant["org"], JUNE)  # locked: amend instead
        db.session.commit()


def test_missing_source_blocks_submission(app, db, plant):
    with app.test_request_context():
        filing = draft_month(plant, amounts={"heat": None})
        with pytest.raises(ServiceError, match="外购热力"):
            workflow.submit(plant["admin"], filing, now=NOW)
        assert filing.status == "draft"


def test_a_big_change_needs_an_explanation(app, db, plant, regulator):
    with app.test_request_context():
        may = draft_month(plant, period=date(2022, 5, 1))
        workflow.submit(plant["admin"], may, now=NOW)
        workflow.approve(regulator, may, now=NOW)
        june = draft_month(plant, amounts={"gas": "80"})  # more than double May's 38
        findings = workflow.findings_for(june, NOW.date())
        warning = next(f for f in findings if f.level == "warning")
        assert warning.key == f"change:prev:{plant['sources']['gas'].id}"
        with pytest.raises(ServiceError):
            workflow.submit(plant["admin"], june, now=NOW)
        workflow.submit(plant["admin"], june, {warning.key: "新增一台燃气锅炉投运"}, now=NOW)
        assert june.explanations == {warning.key: "新增一台燃气锅炉投运"}


def test_fuel_without_output_is_a_warning(app, db, plant):
    with app.test_request_context():
        filing = draft_month(plant, production="0")
        assert any(f.key == "zero-output" for f in workflow.findings_for(filing, NOW.date()))


def test_a_future_month_cannot_be_submitted(app, db, plant):
    with app.test_request_context():
        filing = draft_month(plant)
        with pytest.raises(ServiceError):
            workflow.submit(plant["admin"], filing, now=datetime(2022, 6, 20, tzinfo=timezone.utc))


def test_amendment_supersedes_the_approved_revision_only_when_approved(app, db, plant, regulator):
    with app.test_request_context():
        first = draft_month(plant)
        workflow.submit(plant["admin"], first, now=NOW)
        workflow.approve(regulator, first, now=NOW)
        db.session.commit()
        original_total = first.current_calculation.total_tco2e

        db.session.add(Evidence(org_id=plant["org"].id, filing_id=first.id, source_id=plant["sources"]["gas"].id,
                                filename="发票.pdf", content_type="application/pdf", size_bytes=9, sha256="a" * 64))
        db.session.flush()
        with pytest.raises(ServiceError):
            workflow.amend(plant["admin"], plant["org"], JUNE, "")  # a reason is required
        second = workflow.amend(plant["admin"], plant["org"], JUNE, "燃气表更换后读数更正")
        assert second.revision == 2 and second.amends_id == first.id and len(second.lines) == 4
        db.session.refresh(second)
        assert [(e.filename, e.sha256) for e in second.evidence] == [("发票.pdf", "a" * 64)]  # the invoice comes along
        s = plant["sources"]
        services.set_activity(plant["admin"], second, [
            {"source_id": src.id, "quantity": "30" if key == "gas" else EXAMPLE_7[key], "unit": src.activity_unit}
            for key, src in s.items()], [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        db.session.commit()
        # While the amendment is under way, the approved revision still counts.
        assert effective_filings(plant["org"].id, 2022)[JUNE].id == first.id
        workflow.submit(plant["admin"], second, {"change:prev:%d" % s["gas"].id: "x"}, now=NOW)
        workflow.approve(regulator, second, now=NOW)
        db.session.commit()
        assert first.superseded_at is not None and first.status == "approved"
        assert effective_filings(plant["org"].id, 2022)[JUNE].id == second.id
        assert second.current_calculation.total_tco2e < original_total
        assert first.current_calculation.total_tco2e == original_total  # the old one stays readable


def test_return_needs_a_comment(app, db, plant, regulator):
    with app.test_request_context():
        filing = draft_month(plant)
        workflow.submit(plant["admin"], filing, now=NOW)
        with pytest.raises(ServiceError):
            workflow.return_filing(regulator, filing, "  ")


def test_concurrent_saves_the_second_is_refused(app, db, plant):
    """Two people load the same draft; the one who saves second gets a StaleDataError, not a silent overwrite."""
    with app.test_request_context():
        filing = draft_month(plant)
        db.session.commit()
        filing_id = filing.id
    with Session(db.engine) as first, Session(db.engine) as second:
        mine = first.get(Filing, filing_id)
        theirs = second.get(Filing, filing_id)
        mine.note = "first"
        first.commit()
        theirs.note = "second"
        with pytest.raises(StaleDataError):
            second.commit()
    db.session.expire_all()
    assert db.session.get(Filing, filing_id).note == "first"
