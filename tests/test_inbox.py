"""The inbox: notifications of returned and approved filings, marking them read, the to-do list's months
(more of the to-do list in test_todos.py)."""
from datetime import date, datetime, timedelta, timezone

from flask import url_for
from sqlalchemy import select

from app.filings import workflow
from app.filings.models import Filing
from app.notifications import services as inbox
from app.notifications.models import Notification
from tests.conftest import login, post
from tests.helpers.filings import file_month


def _return(app, db, filing_id, regulator, comment="请核对天然气用量"):
    with app.test_request_context():
        workflow.return_filing(regulator, db.session.get(Filing, filing_id), comment)
        db.session.commit()


def _mine(db, user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_returned_notification_reaches_the_energy_manager_with_a_link(app, client, db, plant, regulator,
                                                                      energy_manager):
    filing_id = file_month(app, db, plant)
    _return(app, db, filing_id, regulator)
    energy_manager.locale = "en"
    db.session.commit()
    login(client, energy_manager)
    home = client.get("/").get_data(as_text=True)
    assert 'data-testid="inbox-unread">1<' in home
    page = client.get("/inbox/").get_data(as_text=True)
    notification = _mine(db, energy_manager)[0]
    item = page.split(f'data-notification="{notification.id}"', 1)[1].split("</li>", 1)[0]
    assert "2022-06 was returned for correction." in item and "请核对天然气用量" in item
    link = item.split('data-href="', 1)[1].split('"', 1)[0]
    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        expected = (url_for("filings.show", filing_id=filing_id) if "filings.show" in app.view_functions
                    else url_for("footprint.calculation", calculation_id=filing.current_calculation.id))
    assert link == expected


def test_opening_a_filing_reads_nothing_following_the_notice_does(app, client, db, plant, regulator,
                                                                   energy_manager):
    """Issue 16 #13: a GET changes nothing; following a notice (a POST) reads it and leads to the filing."""
    filing_id = file_month(app, db, plant)
    _return(app, db, filing_id, regulator)
    login(client, energy_manager)
    [notice] = _mine(db, energy_manager)
    assert client.get(f"/filings/{filing_id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is None
    response = post(client, f"/inbox/{notice.id}/open", token_from="/inbox/")
    assert response.status_code == 302 and response.headers["Location"] == f"/filings/{filing_id}"
    db.session.expire_all()
    assert db.session.get(Notification, notice.id).read_at is not None
    # Someone else's notice is not there to follow.
    [admins] = _mine(db, plant["admin"])
    assert post(client, f"/inbox/{admins.id}/open", token_from="/inbox/").status_code == 404


def test_mark_read_and_read_all(app, client, db, plant, regulator, energy_manager):
    first = file_month(app, db, plant)
    second = file_month(app, db, plant, period=date(2022, 5, 1))
    _return(app, db, first, regulator)
    with app.test_request_context():
        workflow.approve(regulator, db.session.get(Filing, second))
        db.session.commit()
    login(client, energy_manager)
    returned, approved = sorted(_mine(db, energy_manager), key=lambda n: n.kind, reverse=True)
    assert post(client, f"/inbox/{returned.id}/read", token_from="/inbox/").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, returned.id).read_at is not None
    assert db.session.get(Notification, approved.id).read_at is None
    assert 'data-testid="inbox-unread">1<' in client.get("/inbox/").get_data(as_text=True)
    assert post(client, "/inbox/read-all", token_from="/inbox/").status_code == 302
    db.session.expire_all()
    assert all(n.read_at is not None for n in _mine(db, energy_manager))
    assert 'data-testid="inbox-unread"' not in client.get("/inbox/").get_data(as_text=True)
    # The admin's own notifications are untouched.
    assert all(n.read_at is None for n in _mine(db, plant["admin"]))


def test_a_user_cannot_mark_a_colleagues_notification(app, client, db, plant, regulator, energy_manager):
    _return(app, db, file_month(app, db, plant), regulator)
    colleagues = _mine(db, plant["admin"])[0]
    login(client, energy_manager)
    assert post(client, f"/inbox/{colleagues.id}/read", token_from="/inbox/").status_code == 404
    assert post(client, "/inbox/999999/read", token_from="/inbox/").status_code == 404
    assert f'data-notification="{colleagues.id}"' not in client.get("/inbox/").get_data(as_text=True)
    post(client, "/inbox/read-all", token_from="/inbox/")
    db.session.expire_all()
    assert db.session.get(Notification, colleagues.id).read_at is None

    # Nor can the regulator, whom the tenancy gate lets read every organisation.
    post(client, "/logout", token_from="/inbox/")
    login(client, regulator)
    assert post(client, f"/inbox/{colleagues.id}/read", token_from="/inbox/").status_code == 404


def test_due_soon_and_overdue_months_are_computed(app, client, db, plant, energy_manager, monkeypatch):
    org = plant["org"]
    org.created_at = datetime(2026, 2, 10, tzinfo=timezone.utc)
    org.first_reporting_month = date(2026, 3, 1)
    db.session.commit()
    with app.test_request_context():
        items = inbox.reminders(energy_manager, date(2026, 5, 12))
        # Newest obligations first.
        assert [(i.kind, i.period, i.days) for i in items] == [
            ("due_soon", date(2026, 4, 1), 3), ("overdue", date(2026, 3, 1), 27)]
        # April is due in 14 days: beyond the first reminder (10 days), so not "due soon" yet.
        assert [(i.kind, i.period, i.due, i.days) for i in inbox.reminders(energy_manager, date(2026, 5, 1))] == [
            ("overdue", date(2026, 3, 1), date(2026, 4, 15), 16)]
        assert [i.kind for i in inbox.reminders(energy_manager, date(2026, 5, 5))] == ["due_soon", "overdue"]
        viewer = db.session.get(type(energy_manager), energy_manager.id)
        viewer.role = "viewer"
        assert inbox.reminders(viewer, date(2026, 5, 12)) == []  # only those who file are reminded
        db.session.rollback()

    monkeypatch.setattr("app.notifications.views.city_today", lambda: date(2026, 5, 15))
    energy_manager.locale = "en"
    db.session.commit()
    login(client, energy_manager)
    page = client.get("/inbox/").get_data(as_text=True)
    reminders = page.split('data-testid="todos"', 1)[1].split('data-testid="notifications"', 1)[0]
    assert 'data-kind="overdue" data-month="2026-03"' in reminders
    assert 'data-kind="due_soon" data-month="2026-04"' in reminders and "2026-04 is due today" in reminders


def test_regulator_sees_what_waits_for_review(app, client, db, plant, regulator):
    file_month(app, db, plant)
    file_month(app, db, plant, period=date(2022, 5, 1), approve_by=regulator)
    with app.test_request_context():
        from app.filings import services

        amendment = workflow.amend(plant["admin"], plant["org"], date(2022, 5, 1), "更正")
        services.set_activity(plant["admin"], amendment,
                              [{"source_id": line.source_id, "quantity": line.quantity, "unit": line.unit}
                               for line in amendment.lines],
                              [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        workflow.submit(plant["admin"], amendment, now=datetime(2022, 7, 8, tzinfo=timezone.utc))
        db.session.commit()
        assert [(i.kind, i.count) for i in inbox.reminders(regulator, date.today())] == [
            ("to_review", 1), ("amendments_to_review", 1)]
    regulator.locale = "en"
    db.session.commit()
    login(client, regulator)
    page = client.get("/inbox/").get_data(as_text=True)
    assert "Filings waiting for review: 1" in page
    assert 'data-kind="amendments_to_review"' in page


def test_inbox_needs_sign_in(client):
    assert client.get("/inbox/").status_code == 302
    assert client.post("/inbox/read-all").status_code in (302, 400)


def test_overdue_reminder_on_todays_date(app, client, db, plant, energy_manager):
    plant["org"].created_at = datetime.now(timezone.utc) - timedelta(days=100)
    db.session.commit()
    login(client, energy_manager)
    assert 'data-kind="overdue"' in client.get("/inbox/").get_data(as_text=True)
