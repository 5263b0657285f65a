"""flask audit verify: the whole hash chain, checked from the command line."""
from sqlalchemy import text

from app.audit.services import record


def _events(app, db, n=3):
    with app.app_context():
        for i in range(n):
            record("setting.changed", detail={"key": "filing_due_day", "old": i, "new": i + 1})
        db.session.commit()


def test_verify_prints_intact(app, db):
    _events(app, db)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "intact: 3 events"


def test_verify_names_the_tampered_event(app, db):
    _events(app, db)
    db.session.execute(text("UPDATE audit_events SET detail = :detail WHERE seq = 2"),
                       {"detail": '{"key": "filing_due_day", "old": 1, "new": 28}'})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at event seq 2 (setting.changed at " in result.output
    assert "the 1 events before it are intact" in result.output


def test_verify_notices_the_latest_events_removed(app, db):
    _events(app, db)
    db.session.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN at event seq 3" in result.output


def test_verify_on_an_empty_trail(app, db):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact: 0 events" in result.output
