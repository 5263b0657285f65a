"""The audit trail is hash-chained: any change to a past entry is detected."""
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.audit.services import record, verify_chain
from tests.conftest import login


def test_chain_verifies_and_detects_tampering(app, db, make_org):
    org = make_org()
    with app.test_request_context():
        for i in range(5):
            record("test.event", org_id=org.id, detail={"i": i, "名称": "中文"})
        db.session.commit()
        assert verify_chain() == (True, 5, None)
        db.session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(detail={"i": 99}))
        db.session.commit()
        assert verify_chain() == (False, 2, 3)


def test_deleting_an_entry_breaks_the_chain(app, db, make_org):
    org = make_org()
    with app.test_request_context():
        for i in range(3):
            record("test.event", org_id=org.id, detail={"i": i})
        db.session.commit()
        db.session.delete(db.session.scalar(select(AuditEvent).where(AuditEvent.seq == 2)))
        db.session.commit()
        assert verify_chain()[0] is False


def test_sign_in_is_audited_and_visible_to_the_authority(client, authority, make_user, db):
    regulator = make_user(authority, "regulator")
    login(client, regulator)
    page = client.get("/audit/").get_data(as_text=True)
    assert 'data-testid="chain-status"' in page and "alert-success" in page
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.signed_in" in actions and "user.created" in actions
