"""The regulator's review: the queue and its filters, overdue months, the review page, approve and return."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.core.numbers import rounded
from app.filings import services, workflow
from app.filings.models import Evidence, Filing, ReviewComment
from app.notifications.models import Notification
from app.review import services as review_services
from tests.conftest import csrf_token, login, post
from tests.helpers.filings import JUNE, NOW, file_month


def _rows(page: str) -> str:
    return page.split('data-testid="queue-table"', 1)[1].split("</table>", 1)[0]


def test_queue_lists_a_submitted_filing_with_its_total_and_filters(app, client, db, plant, regulator):
    filing_id = file_month(app, db, plant)
    total = db.session.get(Filing, filing_id).current_calculation.total_tco2e
    login(client, regulator)
    rows = _rows(client.get("/review/").get_data(as_text=True))
    assert f'data-filing="{filing_id}"' in rows and "锦湾示范化工有限公司" in rows
    assert f"{rounded(total, 3):,}" in rows and "2022-06" in rows

    def listed(query: str) -> bool:
        return f'data-filing="{filing_id}"' in _rows(client.get(f"/review/?{query}").get_data(as_text=True))

    assert listed("status=submitted") and not listed("status=approved") and listed("status=all")
    assert listed("month=2022-06") and not listed("month=2022-07")
    assert listed("district=兴港区") and not listed("district=双河区")
    assert listed("division=C30") and not listed("division=D44")
    assert listed("month=not-a-month")  # ignored, and said so beside the field


def test_queue_counts_warnings_and_marks_amendments(app, client, db, plant, regulator):
    file_month(app, db, plant, period=date(2022, 5, 1), approve_by=regulator)
    gas = plant["sources"]["gas"]
    june_id = file_month(app, db, plant, amounts={"gas": "80"},
                         explanations={f"change:prev:{gas.id}": "新增一台燃气锅炉投运"})
    login(client, regulator)
    rows = _rows(client.get("/review/").get_data(as_text=True))
    june_row = rows.split(f'data-filing="{june_id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="queue-warnings">' in june_row and ">1</span>" in june_row

    with app.test_request_context():
        amendment = workflow.amend(plant["admin"], plant["org"], date(2022, 5, 1), "燃气表读数更正")
        db.session.commit()
        amendment_id = amendment.id
    rows = _rows(client.get("/review/?status=draft").get_data(as_text=True))
    assert f'data-filing="{amendment_id}"' in rows and 'data-testid="amendment-badge"' in rows
    assert "燃气表读数更正" in rows


def test_overdue_counts_without_listing_agree_with_the_list(app, db, plant, make_org):
    """The regulator's inbox counts overdue enterprises and months from one grouped query; it must say exactly what
    the overdue list lists: reporting months, closures, a month filed, the due day, an enterprise owed from its
    registration (no first month set), a closed and an inactive one."""
    plant["org"].first_reporting_month = date(2026, 1, 1)
    make_org(name="晚起企业", first_reporting_month=date(2026, 4, 1))
    make_org(name="已关停企业", first_reporting_month=date(2025, 6, 1), last_reporting_month=date(2025, 12, 1))
    make_org(name="停用企业", first_reporting_month=date(2025, 1, 1), active=False)
    legacy = make_org(name="老企业")
    legacy.first_reporting_month, legacy.created_at = None, datetime(2026, 1, 5, tzinfo=timezone.utc)
    db.session.commit()
    file_month(app, db, plant, period=date(2026, 2, 1), now=datetime(2026, 3, 1, tzinfo=timezone.utc))
    with app.test_request_context():
        for today in (date(2026, 5, 10), date(2026, 5, 20), date(2026, 6, 15), date(2026, 6, 16)):
            late = review_services.overdue(today)
            assert review_services.overdue_counts(today) == (len({m.organisation.id for m in late}), len(late)), today
        assert review_services.overdue_counts(date(2026, 5, 20)) == (4, 3 + 1 + 7 + 3)


def test_overdue_lists_an_enterprise_without_last_months_filing(app, client, db, plant, regulator):
    org = plant["org"]
    org.created_at = datetime(2026, 2, 10, tzinfo=timezone.utc)
    org.first_reporting_month = date(2026, 3, 1)
    db.session.commit()
    with app.test_request_context():
        late = review_services.overdue(date(2026, 5, 20))
        assert [(m.organisation.id, m.period, m.due, m.days_overdue) for m in late] == [
            (org.id, date(2026, 3, 1), date(2026, 4, 15), 35), (org.id, date(2026, 4, 1), date(2026, 5, 15), 5)]
        # Before the due day, last month is due soon, not overdue.
        assert [m.period for m in review_services.overdue(date(2026, 5, 10))] == [date(2026, 3, 1)]
        assert [m.period for m in review_services.due_soon(date(2026, 5, 10), org.id)] == [date(2026, 4, 1)]
        assert review_services.overdue(date(2026, 5, 20), district="双河区") == []

    # A submitted month is no longer overdue; a returned one is again.
    file_month(app, db, plant, period=date(2026, 3, 1), now=datetime(2026, 5, 1, tzinfo=timezone.utc))
    with app.test_request_context():
        assert [m.period for m in review_services.overdue(date(2026, 5, 20))] == [date(2026, 4, 1)]

    # The page, on today's date: registered 100 days ago, nothing filed since.
    org.created_at = datetime.now(timezone.utc) - timedelta(days=100)
    db.session.commit()
    login(client, regulator)
    page = client.get("/review/overdue").get_data(as_text=True)
    table = page.split('data-testid="overdue-table"', 1)[1]
    assert "锦湾示范化工有限公司" in table and 'data-testid="days-overdue"' in table
    assert f'data-org="{org.id}"' in client.get("/review/?overdue=1&district=兴港区").get_data(as_text=True)


def test_regulator_approves(app, client, db, plant, regulator, energy_manager):
    filing_id = file_month(app, db, plant)
    login(client, regulator)
    page = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="approve-form"' in page and 'data-testid="return-form"' in page
    response = post(client, f"/review/filings/{filing_id}/approve", token_from=f"/review/filings/{filing_id}")
    assert response.status_code == 302
    db.session.expire_all()
    filing = db.session.get(Filing, filing_id)
    assert filing.status == "approved" and filing.reviewed_by_id == regulator.id
    notified = db.session.scalars(select(Notification.user_id).where(Notification.filing_id == filing_id,
                                                                     Notification.kind == "filing.approved")).all()
    assert set(notified) == {plant["admin"].id, energy_manager.id}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.approved"))
    assert event.actor_id == regulator.id and event.org_id == plant["org"].id and event.object_id == filing_id


def test_regulator_returns_with_a_line_comment(app, client, db, plant, regulator, energy_manager):
    filing_id = file_month(app, db, plant)
    gas = plant["sources"]["gas"]
    login(client, regulator)
    response = post(client, f"/review/filings/{filing_id}/return",
                    {"comment": "请核对天然气用量", f"line-{gas.id}": "与发票不符", f"line-{plant['sources']['heat'].id}": ""},
                    token_from=f"/review/filings/{filing_id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Filing, filing_id).status == "returned"
    comments = db.session.scalars(select(ReviewComment).where(ReviewComment.filing_id == filing_id)).all()
    assert {(c.source_id, c.text, c.author_id) for c in comments} == {
        (None, "请核对天然气用量", regulator.id), (gas.id, "与发票不符", regulator.id)}
    assert db.session.scalar(select(Notification).where(Notification.kind == "filing.returned",
                                                        Notification.user_id == energy_manager.id))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.returned"))
    page = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="conversation"' in page and "与发票不符" in page and "请核对天然气用量" in page
    assert 'data-testid="return-form"' not in page  # nothing to decide on a returned filing


def test_a_refused_return_keeps_what_was_typed(app, client, db, plant, regulator):
    filing_id = file_month(app, db, plant)
    gas = plant["sources"]["gas"]
    regulator.locale = "en"
    db.session.commit()
    login(client, regulator)
    url = f"/review/filings/{filing_id}"
    page = post(client, f"{url}/return", {"comment": "", f"line-{gas.id}": "   "}, token_from=url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-field-error="comment"' in body and "Say what needs fixing" in body
    body = post(client, f"{url}/return", {"comment": "请补充发票", f"line-{gas.id}": "发票金额不一致",
                                          "line-999999": "?"}, token_from=url).get_data(as_text=True)
    assert "not in this filing" in body and "请补充发票</textarea>" in body and "发票金额不一致</textarea>" in body
    db.session.expire_all()
    assert db.session.get(Filing, filing_id).status == "submitted"
    assert db.session.scalars(select(ReviewComment)).all() == []


def test_approving_a_draft_is_refused_with_a_message(app, client, db, plant, regulator):
    filing_id = file_month(app, db, plant, submit=False)
    regulator.locale = "en"
    db.session.commit()
    login(client, regulator)
    response = post(client, f"/review/filings/{filing_id}/approve", token_from=f"/review/filings/{filing_id}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Only a submitted filing can be approved." in page
    db.session.expire_all()
    assert db.session.get(Filing, filing_id).status == "draft"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.approved")) is None


def test_enterprise_users_are_kept_out_of_the_review_area(app, client, db, plant, energy_manager):
    filing_id = file_month(app, db, plant)
    for user in (energy_manager, plant["admin"]):
        login(client, user)
        token = csrf_token(client)
        assert client.get("/review/").status_code == 403
        assert client.get("/review/overdue").status_code == 403
        assert client.get(f"/review/filings/{filing_id}").status_code == 403
        for action in ("approve", "return"):
            response = client.post(f"/review/filings/{filing_id}/{action}",
                                   data={"csrf_token": token, "comment": "自己审核"})
            assert response.status_code == 403, (user.role, action)
        assert 'data-testid="nav-review"' not in client.get("/").get_data(as_text=True)
        client.post("/logout", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Filing, filing_id).status == "submitted"


def test_authority_viewer_reads_but_cannot_act(app, client, db, plant, authority, make_user):
    filing_id = file_month(app, db, plant)
    login(client, make_user(authority, "viewer"))
    assert client.get("/review/").status_code == 200
    page = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="review-lines"' in page and 'data-testid="approve-form"' not in page
    token = csrf_token(client)
    for action in ("approve", "return"):
        response = client.post(f"/review/filings/{filing_id}/{action}", data={"csrf_token": token, "comment": "x"})
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Filing, filing_id).status == "submitted"


def test_review_page_shows_previous_months_and_explained_warnings(app, client, db, plant, regulator):
    file_month(app, db, plant, period=date(2022, 4, 1), amounts={"gas": "36"}, approve_by=regulator)
    file_month(app, db, plant, period=date(2022, 5, 1), approve_by=regulator)
    file_month(app, db, plant, period=date(2021, 6, 1), amounts={"gas": "40"}, approve_by=regulator)
    gas = plant["sources"]["gas"]
    key = f"change:prev:{gas.id}"
    june_id = file_month(app, db, plant, amounts={"gas": "80"},
                         explanations={key: "新增一台燃气锅炉投运", f"change:year:{gas.id}": "去年同期停产检修"})
    login(client, regulator)
    page = client.get(f"/review/filings/{june_id}").get_data(as_text=True)
    for month in ("2022-05", "2022-04", "2022-03", "2021-06"):
        assert f'data-testid="neighbour-{month}"' in page
    gas_row = page.split(f'data-source="{gas.id}"', 1)[1].split("</tr>", 1)[0]
    assert "+110.5%" in gas_row  # 80 against May's 38
    assert "+122.2%" in gas_row  # against April's 36
    assert "+100.0%" in gas_row  # against June last year's 40
    findings = page.split('data-testid="findings"', 1)[1].split("</ul>", 1)[0]
    assert f'data-key="{key}"' in findings and "新增一台燃气锅炉投运" in findings and "去年同期停产检修" in findings
    assert 'data-testid="evidence"' not in page  # nothing attached; the section says so

    db.session.add(Evidence(org_id=plant["org"].id, filing_id=june_id, source_id=gas.id, filename="燃气发票.pdf",
                            content_type="application/pdf", size_bytes=2048, sha256="a" * 64))
    db.session.commit()
    evidence = client.get(f"/review/filings/{june_id}").get_data(as_text=True).split('data-testid="evidence"', 1)[1]
    assert "燃气发票.pdf" in evidence.split("</ul>", 1)[0]
    if any(e in app.view_functions for e in ("filings.evidence_download", "filings.evidence_file")):
        assert '<a href="/filings/' in evidence.split("燃气发票.pdf", 1)[0]


def test_amendment_review_links_the_superseded_revision(app, client, db, plant, regulator):
    first_id = file_month(app, db, plant, approve_by=regulator)
    with app.test_request_context():
        amendment = workflow.amend(plant["admin"], plant["org"], JUNE, "燃气表更换后读数更正")
        services.set_activity(plant["admin"], amendment,
                              [{"source_id": line.source_id, "quantity": line.quantity, "unit": line.unit}
                               for line in amendment.lines],
                              [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        workflow.submit(plant["admin"], amendment, now=NOW)
        db.session.commit()
        amendment_id = amendment.id
    login(client, regulator)
    page = client.get(f"/review/filings/{amendment_id}").get_data(as_text=True)
    assert "燃气表更换后读数更正" in page and f'href="/review/filings/{first_id}" data-testid="superseded-link"' in page
    assert post(client, f"/review/filings/{amendment_id}/approve",
                token_from=f"/review/filings/{amendment_id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Filing, first_id).superseded_at is not None


def test_queue_needs_no_query_per_row(app, client, db, plant, regulator, make_org):
    from sqlalchemy import event

    file_month(app, db, plant)
    login(client, regulator)
    client.get("/review/")  # warm up

    def count_queries(url):
        statements = []

        def listener(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    one = count_queries("/review/?status=all")
    for month in (date(2022, 3, 1), date(2022, 4, 1), date(2022, 5, 1)):
        file_month(app, db, plant, period=month)
    assert count_queries("/review/?status=all") == one


def _add_boiler(app, db, plant, name="新增锅炉", since=date(2022, 1, 1)):
    from app.accounting import services as register

    with app.test_request_context():
        source = register.create_source(plant["admin"], plant["org"], {
            "facility_id": plant["facility"].id, "name": name, "category": "stationary_combustion",
            "material": "diesel", "activity_unit": "t", "commissioned_month": since})
        db.session.commit()
        return source.id


def test_the_review_judges_what_was_submitted_not_todays_register(app, client, db, plant, regulator):
    """A source added after the submission is not 'missing' from it (page, queue counts, findings)."""
    filing_id = file_month(app, db, plant)
    login(client, regulator)
    before = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    _add_boiler(app, db, plant)
    after = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    assert "新增锅炉" not in after
    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        assert not [f for f in workflow.findings_for(filing, date(2022, 7, 8)) if f.key.startswith("missing:")]
        batch = review_services.findings_by_filing([filing], date(2022, 7, 8))[filing_id]
        assert not [f for f in batch if f.key.startswith("missing:")]
    assert before.count("badge") == after.count("badge")


def test_a_signed_filing_is_judged_by_its_copy_of_record(app, db, plant):
    """Once signed, the sources expected are those named in the copy of record, as named then."""
    from app.signing.services import sign_and_submit

    filing_id = file_month(app, db, plant, submit=False)
    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        sign_and_submit(plant["admin"], filing, channel="api", now=NOW)
        db.session.commit()
    _add_boiler(app, db, plant)
    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        plant["sources"]["gas"].name = "改名的燃气锅炉"  # renamed after signing: the review keeps the signed name
        judged = services.sources_judged(filing, [], services.copies_of([filing_id])[filing_id][-1])
        assert {s.name for s in judged} == {"燃气锅炉", "厂内车辆", "外购电力", "外购热力"}
        assert not [f for f in workflow.findings_for(filing, date(2022, 7, 8)) if f.key.startswith("missing:")]
        db.session.rollback()


def test_a_draft_is_still_checked_against_todays_register(app, db, plant):
    filing_id = file_month(app, db, plant, submit=False)
    _add_boiler(app, db, plant)
    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        missing = [f for f in workflow.findings_for(filing, date(2022, 7, 8)) if f.key.startswith("missing:")]
        assert [str(f.message) for f in missing] == ["新增锅炉 未填写数量：如本月未使用，请填 0。"]


def test_no_month_is_owed_before_the_first_reporting_month_or_after_the_last(app, db, plant, regulator):
    from app.organisations import services as organisations

    org = plant["org"]
    org.created_at = datetime(2024, 1, 5, tzinfo=timezone.utc)  # on the platform long before it had to report
    db.session.commit()
    with app.test_request_context():
        organisations.set_reporting_months(regulator, org, date(2026, 9, 1), None, "纳入重点排放单位名录")
        db.session.commit()
        owed = review_services.owed_months(date(2026, 12, 3), org.id)
        assert [m.period for m in owed] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
        assert [m.period for m in review_services.overdue(date(2026, 12, 3), org.id)] == [
            date(2026, 9, 1), date(2026, 10, 1)]  # November is due on the 15th
        organisations.set_reporting_months(regulator, org, date(2026, 9, 1), date(2026, 10, 1), "10月停产关闭")
        db.session.commit()
        assert [m.period for m in review_services.owed_months(date(2026, 12, 3), org.id)] == [
            date(2026, 9, 1), date(2026, 10, 1)]
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "organisation.reporting_months_changed").order_by(AuditEvent.seq)).all()
    assert [e.detail["reason"] for e in events] == ["纳入重点排放单位名录", "10月停产关闭"]
    assert events[1].detail["changes"] == {"last_reporting_month": [None, "2026-10-01"]}


def test_reporting_months_need_a_reason_and_an_order(app, db, plant, regulator):
    from app.core.service_error import ServiceError
    from app.organisations import services as organisations

    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            organisations.set_reporting_months(regulator, plant["org"], date(2026, 9, 1), None, "  ")
        assert refused.value.field == "reason"
        with pytest.raises(ServiceError) as refused:
            organisations.set_reporting_months(regulator, plant["org"], date(2026, 9, 1), date(2026, 8, 1), "关闭")
        assert refused.value.field == "last"


def test_a_new_enterprise_owes_from_the_month_after_its_registration(app, db, regulator):
    from app.organisations import services as organisations
    from app.organisations.credit_code import make_credit_code

    with app.test_request_context():
        # 2026-11-30 20:00 UTC is already 1 December in the city: it reports from January.
        org = organisations.register_enterprise(regulator, {
            "name": "新注册企业", "credit_code": make_credit_code("211102", "77777777"), "industry_code": "C2511",
            "district": "兴港区"}, now=datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc))
        db.session.commit()
        assert org.first_reporting_month == date(2027, 1, 1)
        assert review_services.owed_months(date(2027, 1, 20), org.id) == []
        assert [m.period for m in review_services.owed_months(date(2027, 2, 3), org.id)] == [date(2027, 1, 1)]


def test_a_source_is_expected_only_in_the_months_it_was_in_service(app, db, plant, regulator):
    """A boiler commissioned in 2026-10 is not expected in 2026-09 or earlier: it blocks neither a back-filing nor
    the amendment of an approved month; it is expected from October until it is decommissioned."""
    from app.accounting import services as register
    from app.accounting.models import EmissionSource
    from app.core.service_error import ServiceError

    file_month(app, db, plant, period=date(2026, 3, 1), approve_by=regulator,
               now=datetime(2026, 4, 8, tzinfo=timezone.utc))
    september = file_month(app, db, plant, period=date(2026, 9, 1), submit=False)
    october = file_month(app, db, plant, period=date(2026, 10, 1), submit=False)
    boiler_id = _add_boiler(app, db, plant, since=date(2026, 10, 1))
    with app.test_request_context():
        def missing(filing_id):
            return [f.key for f in workflow.findings_for(db.session.get(Filing, filing_id), date(2026, 12, 3))
                    if f.key.startswith("missing:")]

        amendment = workflow.amend(plant["admin"], plant["org"], date(2026, 3, 1), "更正天然气读数")
        db.session.commit()
        assert missing(amendment.id) == [] and missing(september) == []
        assert missing(october) == [f"missing:{boiler_id}"]
        boiler = db.session.get(EmissionSource, boiler_id)
        data = {"facility_id": plant["facility"].id, "name": boiler.name, "category": boiler.category,
                "material": boiler.material, "activity_unit": "t"}
        with pytest.raises(ServiceError) as refused:
            register.update_source(plant["admin"], plant["org"], boiler, {**data, "decommissioned_month": date(2026, 9, 1)})
        assert refused.value.field == "decommissioned_month"
        db.session.rollback()
    november = file_month(app, db, plant, period=date(2026, 11, 1), submit=False)
    with app.test_request_context():
        boiler = db.session.get(EmissionSource, boiler_id)
        register.update_source(plant["admin"], plant["org"], boiler, {**data, "decommissioned_month": date(2026, 10, 1)})
        db.session.commit()
        assert missing(october) == [f"missing:{boiler_id}"]  # still in service in its last month
        assert missing(november) == []
