"""Notices by e-mail through a real SMTP server in-process (aiosmtpd): the daily reminders (never twice, the latest
stage only), each user's choices, the log when no server is set, and the regulator's reminders from the overdue
list."""
import logging
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.filings import workflow
from app.filings.models import Filing
from app.notifications.models import Notification, ReminderSent
from tests.conftest import csrf_token, login, post
from tests.helpers.filings import file_month
from tests.helpers.mail import SmtpInbox

APRIL = date(2026, 4, 1)  # due on 2026-05-15 (the default due day)


@pytest.fixture
def smtp(app, monkeypatch):
    server = SmtpInbox().start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", server.host)
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "tanji@jinwan.test")
    yield server
    server.stop()


@pytest.fixture
def works(db, make_org, make_user):
    """An enterprise reporting from April 2026, its admin (Chinese), energy manager (English) and a viewer."""
    org = make_org(name="锦湾提醒测试有限公司", first_reporting_month=APRIL,
                   created_at=datetime(2026, 3, 10, tzinfo=timezone.utc))
    admin = make_user(org, "enterprise_admin", email="admin@works.test")
    manager = make_user(org, "energy_manager", email="manager@works.test")
    manager.locale = "en"
    viewer = make_user(org, "viewer", email="viewer@works.test")
    db.session.commit()
    return {"org": org, "admin": admin, "manager": manager, "viewer": viewer}


def send_due(app, day: str) -> str:
    result = app.test_cli_runner().invoke(args=["notifications", "send-due", "--today", day])
    assert result.exit_code == 0, result.output
    return result.output


def _stages(db, org):
    db.session.expire_all()
    return sorted((r.period, r.stage) for r in db.session.scalars(select(ReminderSent)
                                                                   .where(ReminderSent.org_id == org.id)))


def test_a_reminder_is_delivered_once_through_smtp(app, db, smtp, works):
    assert "1 reminders of months owed, to 2 people" in send_due(app, "2026-05-05")
    assert len(smtp.messages) == 2  # the admin and the energy manager; the viewer files nothing
    assert smtp.to("viewer@works.test") == []
    english = smtp.to("manager@works.test")[0]
    assert english["Subject"] == "[Tanji] 2026-04 is due on 2026-05-15, in 10 days."
    assert english["From"].addresses[0].addr_spec == "tanji@jinwan.test"
    body = english.get_content()
    assert "Open it: http://tanji.test/filings/?year=2026" in body
    assert "http://tanji.test/inbox/settings" in body
    chinese = smtp.to("admin@works.test")[0]
    assert "2026-04" in chinese["Subject"] and "碳迹" in chinese["Subject"]
    assert "http://tanji.test/filings/?year=2026" in chinese.get_content()

    # Run again the same day, and the next: nothing more.
    assert "0 reminders" in send_due(app, "2026-05-05")
    assert "0 reminders" in send_due(app, "2026-05-06")
    assert len(smtp.messages) == 2
    # The notices are in the inbox too, once each.
    db.session.expire_all()
    assert db.session.scalars(select(Notification.kind).where(Notification.user_id == works["manager"].id)).all() \
        == ["reminder.due_soon"]
    assert _stages(db, works["org"]) == [(APRIL, "before:10")]


def test_stages_three_days_before_and_on_the_first_overdue_day(app, db, smtp, works):
    for day in ("2026-05-05", "2026-05-12", "2026-05-13", "2026-05-16", "2026-05-17"):
        send_due(app, day)
    assert _stages(db, works["org"]) == [(APRIL, "before:10"), (APRIL, "before:3"), (APRIL, "overdue")]
    subjects = [m["Subject"] for m in smtp.to("manager@works.test")]
    assert subjects == ["[Tanji] 2026-04 is due on 2026-05-15, in 10 days.",
                        "[Tanji] 2026-04 is due on 2026-05-15, in 3 days.",
                        "[Tanji] 2026-04 is overdue: it was due on 2026-05-15."]


def test_a_missed_day_sends_the_latest_stage_only(app, db, smtp, works):
    send_due(app, "2026-05-13")  # the 10-day run was missed: the 3-day stage, not both
    assert _stages(db, works["org"]) == [(APRIL, "before:3")]
    assert [m["Subject"] for m in smtp.to("manager@works.test")] == [
        "[Tanji] 2026-04 is due on 2026-05-15, in 2 days."]
    send_due(app, "2026-05-20")  # five days overdue: still within the catch-up week
    assert _stages(db, works["org"])[-1] == (APRIL, "overdue")
    # A month overdue for long is not reminded by the daily command (the regulator's button does that).
    send_due(app, "2026-06-30")  # May is overdue since 06-15 (15 days): too late for the daily reminder
    assert all(period == APRIL for period, _stage in _stages(db, works["org"]))


def test_a_filed_month_is_not_reminded(app, db, smtp, plant, regulator):
    org = plant["org"]
    org.first_reporting_month, org.created_at = APRIL, datetime(2026, 3, 10, tzinfo=timezone.utc)
    db.session.commit()
    file_month(app, db, plant, period=APRIL, now=datetime(2026, 5, 3, tzinfo=timezone.utc))  # submitted
    assert "0 reminders" in send_due(app, "2026-05-05")
    assert smtp.messages == []


def _ticked(page: str) -> set[str]:
    """The names of the ticked checkboxes of a page."""
    return {re.search(r'name="(\w+)"', tag).group(1) for tag in re.findall(r"<input[^>]*>", page)
            if 'type="checkbox"' in tag and re.search(r"\schecked\b", tag)}


def test_choices_are_respected(app, client, db, smtp, works):
    login(client, works["manager"])
    assert _ticked(client.get("/inbox/settings").get_data(as_text=True)) == {
        "returned", "comment", "reminder", "approved", "verification", "other"}  # the defaults: not "received"
    # Untick the reminders, keep the rest as they are.
    form = {"returned": "y", "comment": "y", "approved": "y", "verification": "y", "other": "y"}
    assert post(client, "/inbox/settings", form, token_from="/inbox/settings").status_code == 302
    assert "reminder" not in _ticked(client.get("/inbox/settings").get_data(as_text=True))
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notifications.email_choices")) is not None

    send_due(app, "2026-05-05")
    assert smtp.to("manager@works.test") == []  # chose not to
    assert len(smtp.to("admin@works.test")) == 1  # the default: reminders on
    # The notice is still in the manager's inbox.
    assert db.session.scalar(select(Notification).where(Notification.user_id == works["manager"].id)) is not None


def test_returned_is_emailed_by_default_and_receipts_are_not(app, db, smtp, plant, regulator, energy_manager):
    filing_id = file_month(app, db, plant)
    with app.test_request_context():
        workflow.return_filing(regulator, db.session.get(Filing, filing_id), "请核对天然气用量")
        db.session.add(Notification(org_id=plant["org"].id, user_id=energy_manager.id, kind="filing.signed",
                                    filing_id=filing_id, detail={"period": "2022-06-01", "receipt_number": "R1",
                                                                 "sha256": "ab"}))
        db.session.commit()
    mails = smtp.to(energy_manager.email)
    assert len(mails) == 1  # the returned month; the receipt (off by default) is not e-mailed
    body = mails[0].get_content()
    assert "请核对天然气用量" in body
    assert f"http://tanji.test/filings/{filing_id}" in body
    assert len(smtp.to(plant["admin"].email)) == 1


def test_nothing_is_mailed_when_the_transaction_is_rolled_back(app, db, smtp, works):
    db.session.add(Notification(org_id=works["org"].id, user_id=works["admin"].id, kind="filing.approved",
                                detail={"period": "2026-04-01"}))
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert smtp.messages == []


def test_without_a_mail_server_the_message_is_logged(app, db, caplog, works):
    assert not app.config["MAIL_SERVER"]
    with caplog.at_level(logging.INFO, logger="tanji.mail"):
        send_due(app, "2026-05-05")
    logged = [r.getMessage() for r in caplog.records if r.name == "tanji.mail"]
    assert len(logged) == 2
    english = next(text for text in logged if "manager@works.test" in text)
    assert "Subject: [Tanji] 2026-04 is due on 2026-05-15, in 10 days." in english
    assert "http://tanji.test/filings/?year=2026" in english


def test_an_unreachable_server_is_logged_and_the_notice_kept(app, db, monkeypatch, caplog, works):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    with caplog.at_level(logging.INFO, logger="tanji.mail"):
        send_due(app, "2026-05-05")
    assert any("not sent" in r.getMessage() for r in caplog.records if r.name == "tanji.mail")
    db.session.expire_all()
    assert db.session.scalar(select(Notification).where(Notification.user_id == works["admin"].id)) is not None


# --- the regulator's reminders from the overdue list -------------------------------------------------------------

@pytest.fixture
def late(make_org, make_user, db):
    """Two enterprises with months overdue (reporting since a year ago), each with an admin."""
    today = date.today()
    start = date(today.year - 1, today.month, 1)
    orgs = []
    for name in ("甲逾期测试有限公司", "乙逾期测试有限公司"):
        org = make_org(name=name, first_reporting_month=start)
        orgs.append((org, make_user(org, "enterprise_admin"), make_user(org, "energy_manager")))
    return orgs


def _remind(client, data=None):
    token = csrf_token(client, "/review/overdue")
    return client.post("/inbox/remind-overdue", data={**(data or {}), "csrf_token": token}, follow_redirects=True)


def _reminders_of(db, user):
    db.session.expire_all()
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == "reminder.regulator")).all()


def test_regulator_reminds_every_overdue_enterprise_once_a_day(app, client, db, smtp, late, regulator):
    regulator.locale = "en"
    db.session.commit()
    login(client, regulator)
    page = client.get("/review/overdue").get_data(as_text=True)
    assert 'data-testid="remind-all"' in page and page.count('data-testid="remind-one"') >= 2
    answer = _remind(client).get_data(as_text=True)
    assert "Reminded 2 enterprises of" in answer
    (a, a_admin, a_manager), (b, b_admin, _b_manager) = late
    notices = _reminders_of(db, a_manager)
    assert len(notices) == 1
    months = notices[0].detail["months"]
    assert len(months) >= 11 and months == sorted(months)
    assert len(smtp.to(a_manager.email)) == 1 and len(smtp.to(b_admin.email)) == 1
    assert "http://tanji.test/filings/?year=" in smtp.to(a_admin.email)[0].get_content()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "notifications.reminded")).all()
    assert sorted(e.org_id for e in events) == sorted([a.id, b.id])

    # Again the same day: nobody is reminded twice.
    again = _remind(client).get_data(as_text=True)
    assert "Reminded" not in again and "were reminded today already" in again
    assert len(_reminders_of(db, a_manager)) == 1 and len(smtp.messages) == 4


def test_regulator_reminds_one_enterprise(app, client, db, smtp, late, regulator):
    (a, a_admin, _a_manager), (_b, b_admin, _b_manager) = late
    login(client, regulator)
    _remind(client, {"org_id": a.id})
    assert len(_reminders_of(db, a_admin)) == 1
    assert _reminders_of(db, b_admin) == []
    assert {m["To"] for m in smtp.messages} == {u.email for u in late[0][1:]}


def test_only_the_regulator_reminds(app, client, db, late, people):
    a_admin = late[0][1]
    login(client, people["city_viewer"])
    assert 'data-testid="remind-all"' not in client.get("/review/overdue").get_data(as_text=True)
    assert post(client, "/inbox/remind-overdue", token_from="/inbox/").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox/")})
    login(client, a_admin)
    assert post(client, "/inbox/remind-overdue", token_from="/inbox/").status_code == 403
    # Without the CSRF token, refused.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox/")})
    login(client, people["regulator"])
    assert client.post("/inbox/remind-overdue").status_code == 400
    assert _reminders_of(db, a_admin) == []
