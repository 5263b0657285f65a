"""The conversation on a filing (issue 15): the regulator's comments, the enterprise's replies and follow-ups, in
order across the month's revisions, on both sides' pages, in the inbox and in the next copy of record."""
import io
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.service_error import ServiceError
from app.filings import calculations, conversation, workflow
from app.filings.models import CopyOfRecord, Filing, ReviewComment
from app.notifications import services as inbox
from app.notifications.models import Notification
from app.signing import services as signing
from tests.conftest import PASSWORD, login, post
from tests.helpers.filings import file_with_status, hidden_fields

T0 = datetime(2022, 7, 10, 2, 0, tzinfo=timezone.utc)


def returned_month(app, db, plant, regulator, line_text="与发票不符", now=T0) -> int:
    """June filed, submitted and returned with a comment on the filing and one on the gas line."""
    filing_id = file_with_status(app, db, plant, status="submitted")
    with app.test_request_context():
        workflow.return_filing(regulator, db.session.get(Filing, filing_id), "请核对六月数据",
                               {plant["sources"]["gas"].id: line_text}, now=now)
        db.session.commit()
    return filing_id


def thread(db, filing_id) -> list[ReviewComment]:
    db.session.expire_all()
    return conversation.month_comments(db.session.get(Filing, filing_id))


def notices(db, user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return db.session.scalars(query.where(Notification.kind == kind) if kind else query).all()


# --- the service -------------------------------------------------------------------------------------

def test_the_enterprise_answers_a_line_comment_without_changing_anything(app, db, plant, manager, regulator):
    filing_id = returned_month(app, db, plant, regulator)
    gas = plant["sources"]["gas"]
    filing = db.session.get(Filing, filing_id)
    before = (filing.status, filing.version, filing.current_calculation.id, filing.current_calculation.total_tco2e,
              {line.source_id: line.quantity for line in filing.lines})
    asked = next(c for c in thread(db, filing_id) if c.source_id == gas.id)
    with app.test_request_context():
        reply = conversation.add_comment(manager, db.session.get(Filing, filing_id), "  发票为 37.5 万Nm3，已更正  ",
                                         reply_to_id=asked.id, now=T0 + timedelta(hours=3))
        db.session.commit()
    comments = thread(db, filing_id)
    assert [(c.author_side, c.source_id, c.text) for c in comments] == [
        ("authority", None, "请核对六月数据"), ("authority", gas.id, "与发票不符"),
        ("enterprise", gas.id, "发票为 37.5 万Nm3，已更正")]  # the answer concerns the line it answers
    assert (comments[-1].id, comments[-1].reply_to_id, comments[-1].author_id) == (reply.id, asked.id, manager.id)
    filing = db.session.get(Filing, filing_id)
    assert (filing.status, filing.version, filing.current_calculation.id, filing.current_calculation.total_tco2e,
            {line.source_id: line.quantity for line in filing.lines}) == before
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.commented"))
    assert (event.actor_id, event.org_id, event.object_id) == (manager.id, plant["org"].id, filing_id)
    assert event.detail["side"] == "enterprise" and event.detail["text"] == "发票为 37.5 万Nm3，已更正"


@pytest.mark.parametrize("status", ["draft", "submitted", "approved"])
def test_the_enterprise_comments_whatever_the_status(app, db, plant, manager, regulator, status):
    filing_id = file_with_status(app, db, plant, status=status, regulator=regulator)
    with app.test_request_context():
        conversation.add_comment(manager, db.session.get(Filing, filing_id), "说明：六月检修")
        db.session.commit()
    assert [c.text for c in thread(db, filing_id)] == ["说明：六月检修"]
    assert db.session.get(Filing, filing_id).status == status


@pytest.mark.parametrize("text, source, field", [
    ("", None, "text"), ("   \n ", None, "text"), ("长" * 4001, None, "text"), ("好", "foreign", "source_id"),
    ("好", "unknown", "source_id"), ("好", "not_in_lines", "source_id")])
def test_refusals_name_their_field_and_write_nothing(app, db, plant, manager, regulator, make_org, text, source,
                                                     field):
    filing_id = file_with_status(app, db, plant, amounts={"heat": None})  # a draft without the heat line
    other = make_org(name="别家企业")
    from app.accounting.models import EmissionSource, Facility

    facility = Facility(org_id=other.id, name="厂区")
    db.session.add(facility)
    db.session.flush()
    foreign = EmissionSource(org_id=other.id, facility_id=facility.id, name="别家锅炉",
                             category="stationary_combustion", material="diesel", activity_unit="t")
    db.session.add(foreign)
    db.session.commit()
    source_id = {None: None, "foreign": foreign.id, "unknown": 999999,
                 "not_in_lines": plant["sources"]["heat"].id}[source]  # a source of the register, not of the filing
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        conversation.add_comment(manager, db.session.get(Filing, filing_id), text, source_id)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 0


def test_who_may_write(app, db, plant, regulator, make_user, make_org, people):
    filing_id = file_with_status(app, db, plant, status="submitted")
    viewer = make_user(plant["org"], "viewer")
    stranger = people["energy_manager"]  # another enterprise's
    city_viewer = people["city_viewer"]
    for user in (viewer, stranger, city_viewer):
        with app.test_request_context(), pytest.raises(ServiceError):
            conversation.add_comment(user, db.session.get(Filing, filing_id), "我也想说")
        db.session.rollback()
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 0


def test_a_reply_to_another_months_comment_is_refused(app, db, plant, manager, regulator):
    from datetime import date

    june_comment = thread(db, returned_month(app, db, plant, regulator))[0]
    may = file_with_status(app, db, plant, period=date(2022, 5, 1))
    with app.test_request_context(), pytest.raises(ServiceError):
        conversation.add_comment(manager, db.session.get(Filing, may), "回复", reply_to_id=june_comment.id)


def test_the_regulator_follows_up_without_returning(app, db, plant, manager, regulator):
    filing_id = file_with_status(app, db, plant, status="approved", regulator=regulator)
    with app.test_request_context():
        conversation.add_comment(regulator, db.session.get(Filing, filing_id), "请在下月报告中附上检定证书",
                                 plant["sources"]["power"].id)
        db.session.commit()
    [comment] = thread(db, filing_id)
    assert (comment.author_side, comment.source_id) == ("authority", plant["sources"]["power"].id)
    assert db.session.get(Filing, filing_id).status == "approved"
    # The enterprise's filers are told: its admin and its energy manager.
    for user in (plant["admin"], manager):
        [note] = notices(db, user, "filing.regulator_commented")
        assert note.filing_id == filing_id and note.detail["comment"] == "请在下月报告中附上检定证书"
        assert note.read_at is None and note.org_id == plant["org"].id
    with app.test_request_context(), force_locale("en"):
        assert inbox.message(note) == "The regulator wrote about 2022-06."


def test_a_reply_tells_the_regulator_who_returned_it(app, db, plant, manager, regulator, make_user, authority):
    colleague = make_user(authority, "regulator")
    filing_id = returned_month(app, db, plant, regulator)
    with app.test_request_context():
        conversation.add_comment(manager, db.session.get(Filing, filing_id), "已更正")
        db.session.commit()
    [note] = notices(db, regulator, "filing.enterprise_commented")
    assert (note.org_id, note.filing_id, note.detail["comment"]) == (authority.id, filing_id, "已更正")
    assert notices(db, colleague) == []
    assert notices(db, manager, "filing.enterprise_commented") == []  # not the writer's own side
    with app.test_request_context(), force_locale("en"):
        assert inbox.message(note) == "The enterprise answered about 2022-06."


def test_a_comment_nobody_reviewed_yet_tells_every_active_regulator(app, db, plant, manager, regulator, make_user,
                                                                     authority):
    colleague = make_user(authority, "regulator")
    retired = make_user(authority, "regulator")
    retired.active = False
    db.session.commit()
    filing_id = file_with_status(app, db, plant, status="submitted")
    with app.test_request_context():
        conversation.add_comment(manager, db.session.get(Filing, filing_id), "附件稍后补交")
        db.session.commit()
    assert [len(notices(db, u, "filing.enterprise_commented")) for u in (regulator, colleague, retired)] == [1, 1, 0]


def test_the_conversation_spans_the_months_revisions(app, db, plant, manager, regulator):
    filing_id = returned_month(app, db, plant, regulator)
    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        conversation.add_comment(manager, filing, "已更正", now=T0 + timedelta(hours=1))
        workflow.submit(manager, filing, now=T0 + timedelta(hours=2))
        workflow.approve(regulator, filing, now=T0 + timedelta(hours=3))
        revision = workflow.amend(manager, plant["org"], filing.period, "补录柴油", now=T0 + timedelta(days=1))
        calculations.calculate(revision, manager, reason="amendment opened")
        conversation.add_comment(manager, revision, "第二版：柴油补录 0.5 t", now=T0 + timedelta(days=1, hours=1))
        db.session.commit()
        revision_id = revision.id
    texts = ["请核对六月数据", "与发票不符", "已更正", "第二版：柴油补录 0.5 t"]
    assert [c.text for c in thread(db, filing_id)] == texts == [c.text for c in thread(db, revision_id)]
    assert [c.filing_id for c in thread(db, revision_id)] == [filing_id] * 3 + [revision_id]


# --- the enterprise's page ---------------------------------------------------------------------------

def test_the_filing_page_shows_the_conversation_and_takes_a_line_reply(app, client, db, plant, manager, regulator):
    filing_id = returned_month(app, db, plant, regulator)
    gas = plant["sources"]["gas"]
    asked = next(c for c in thread(db, filing_id) if c.source_id == gas.id)
    total = db.session.get(Filing, filing_id).current_calculation.total_tco2e
    login(client, manager)
    page = client.get(f"/filings/{filing_id}?reply_to={asked.id}").get_data(as_text=True)
    section = re.search(r'data-testid="conversation".*?</section>', page, re.DOTALL).group(0)
    assert section.index("请核对六月数据") < section.index("与发票不符")
    row = re.search(rf'<tr data-source="{gas.id}">.*?</tr>', page, re.DOTALL).group(0)
    assert "与发票不符" in row and f'data-testid="line-reply-{asked.id}"' in row
    # The Reply link answers that comment, on its line.
    form = re.search(r'<form[^>]*data-testid="comment-form".*?</form>', section, re.DOTALL).group(0)
    assert f'name="reply_to" type="hidden" value="{asked.id}"' in form
    assert re.search(rf'<option selected value="{gas.id}">', form)
    assert 'data-testid="answering"' in form

    response = post(client, f"/filings/{filing_id}/comments",
                    {"text": "发票为 37.5 万Nm3", "source_id": str(gas.id), "reply_to": str(asked.id)},
                    token_from=f"/filings/{filing_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/filings/{filing_id}#conversation")
    reply = thread(db, filing_id)[-1]
    assert (reply.author_side, reply.source_id, reply.reply_to_id, reply.text) == (
        "enterprise", gas.id, asked.id, "发票为 37.5 万Nm3")
    filing = db.session.get(Filing, filing_id)
    assert filing.status == "returned" and filing.current_calculation.total_tco2e == total
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    row = re.search(rf'<tr data-source="{gas.id}">.*?</tr>', page, re.DOTALL).group(0)
    assert row.index("与发票不符") < row.index("发票为 37.5 万Nm3") and 'data-side="enterprise"' in row


def test_a_refused_reply_shows_beside_the_field_and_keeps_the_text(app, client, db, plant, manager, regulator):
    filing_id = file_with_status(app, db, plant, amounts={"heat": None})  # a draft without the heat line
    login(client, manager)
    response = post(client, f"/filings/{filing_id}/comments",
                    {"text": "外购热力本月停用", "source_id": str(plant["sources"]["heat"].id)},
                    token_from=f"/filings/{filing_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'data-field-error="source_id">[^<]+<', page)
    assert "外购热力本月停用</textarea>" in page
    response = post(client, f"/filings/{filing_id}/comments", {"text": "  ", "source_id": ""},
                    token_from=f"/filings/{filing_id}")
    assert re.search(r'data-field-error="text">[^<]+<', response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 0


def test_only_the_enterprises_filers_post_replies(app, client, db, plant, regulator, make_user, people):
    filing_id = file_with_status(app, db, plant, status="submitted")
    viewer = make_user(plant["org"], "viewer")
    login(client, viewer)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="comment-form"' not in page
    assert post(client, f"/filings/{filing_id}/comments", {"text": "x"}, token_from="/").status_code == 403
    other = client.application.test_client()
    login(other, people["energy_manager"])  # another enterprise: the filing does not exist for it
    assert post(other, f"/filings/{filing_id}/comments", {"text": "x"}, token_from="/").status_code == 404
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 0


# --- the regulator's page ----------------------------------------------------------------------------

def test_the_review_page_shows_the_reply_beside_the_line_and_takes_a_follow_up(app, client, db, plant, manager,
                                                                            regulator):
    filing_id = returned_month(app, db, plant, regulator)
    gas = plant["sources"]["gas"]
    with app.test_request_context():
        conversation.add_comment(manager, db.session.get(Filing, filing_id), "发票为 37.5 万Nm3", gas.id,
                                 now=T0 + timedelta(hours=1))
        db.session.commit()
    login(client, regulator)
    [note] = notices(db, regulator, "filing.enterprise_commented")
    page = client.get(f"/review/filings/{filing_id}").get_data(as_text=True)
    row = re.search(rf'<tr data-source="{gas.id}">.*?</tr>', page, re.DOTALL).group(0)
    assert row.index("与发票不符") < row.index("发票为 37.5 万Nm3")
    assert re.search(r'data-side="enterprise">[^<]*发票为 37.5 万Nm3', row.replace("\n", " ").replace(
        'data-testid="line-comment" ', ""))
    assert 'data-testid="comment-form"' in page
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None  # a GET reads nothing (issue 16 #13)
    followed = post(client, f"/inbox/{note.id}/open", token_from="/inbox/")
    assert followed.headers["Location"] == f"/review/filings/{filing_id}"
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None  # following the notice reads it

    response = post(client, f"/review/filings/{filing_id}/comments", {"text": "收到，请重新提交", "source_id": ""},
                    token_from=f"/review/filings/{filing_id}")
    assert response.status_code == 302
    last = thread(db, filing_id)[-1]
    assert (last.author_side, last.source_id, last.author_id) == ("authority", None, regulator.id)
    assert db.session.get(Filing, filing_id).status == "returned"
    assert [n.detail["comment"] for n in notices(db, manager, "filing.regulator_commented")] == ["收到，请重新提交"]


def test_enterprise_users_cannot_post_follow_ups(app, client, db, plant, manager, regulator):
    filing_id = file_with_status(app, db, plant, status="submitted")
    login(client, manager)
    assert post(client, f"/review/filings/{filing_id}/comments", {"text": "x"}, token_from="/").status_code == 403
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 0


# --- the copy of record ------------------------------------------------------------------------------

def test_the_next_copy_of_record_includes_the_conversation(app, client, db, plant, manager, regulator):
    filing_id = returned_month(app, db, plant, regulator)
    gas = plant["sources"]["gas"]
    with app.test_request_context():
        conversation.add_comment(manager, db.session.get(Filing, filing_id), "发票为 37.5 万Nm3", gas.id,
                                 now=T0 + timedelta(hours=1))
        db.session.commit()
    login(client, manager)
    submit_page = client.get(f"/filings/{filing_id}/submit").get_data(as_text=True)
    assert client.post(f"/filings/{filing_id}/submit", data=hidden_fields(submit_page)).status_code == 302
    [second] = db.session.scalars(select(CopyOfRecord).where(CopyOfRecord.filing_id == filing_id)).all()
    doc = json.loads(second.document)
    assert [(c["side"], c["source_id"], c["source_name"], c["text"], c["author_name"]) for c in doc["conversation"]] == [
        ("authority", None, None, "请核对六月数据", regulator.name),
        ("authority", gas.id, gas.name, "与发票不符", regulator.name),
        ("enterprise", gas.id, gas.name, "发票为 37.5 万Nm3", manager.name)]
    assert doc["conversation"][0]["created_at"] == T0.isoformat(timespec="microseconds")
    page = client.get(f"/filings/records/{second.id}").get_data(as_text=True)
    assert 'data-testid="record-conversation"' in page and "发票为 37.5 万Nm3" in page
    assert 'data-testid="digest-ok"' in page
    pdf = client.get(f"/filings/records/{second.id}/document.pdf").data
    assert "37.5" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_a_copy_signed_before_conversations_still_verifies_and_renders(app, client, db, plant, manager):
    filing_id = file_with_status(app, db, plant)
    with app.test_request_context():
        copy = signing.sign_and_submit(manager, db.session.get(Filing, filing_id), password=PASSWORD)
        db.session.flush()
        # As a copy of record was written before this change: no conversation key at all.
        doc = json.loads(copy.document)
        del doc["conversation"]
        text = signing.text_of(doc)
        old = CopyOfRecord(org_id=copy.org_id, filing_id=filing_id, revision=1, receipt_number="RC-2022-OLD000001",
                           document=text, sha256=signing.sha256_of(text), signer_id=manager.id,
                           statement_version=copy.statement_version, channel="web", received_at=copy.received_at)
        db.session.add(old)
        db.session.commit()
        old_id = old.id
    login(client, manager)
    page = client.get(f"/filings/records/{old_id}").get_data(as_text=True)
    assert 'data-testid="digest-ok"' in page and 'data-testid="record-conversation"' not in page
    assert client.get(f"/filings/records/{old_id}/document.pdf").status_code == 200
