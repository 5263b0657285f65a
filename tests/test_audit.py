"""The audit trail is hash-chained: any change to a past entry is detected."""
from sqlalchemy import func, select, text, update

from app.audit.models import AuditEvent
from app.audit.services import record, verify_chain
from tests.conftest import login


def test_chain_verifies_and_detects_tampering(app, db, make_org):
    org = make_org()
    with app.test_request_context():
        for i in range(5):
            record("test.event", org_id=org.id, detail={"i": i, "名称": "中文"})
        db.session.commit()
        assert verify_chain()[:3] == (True, 5, None)
        db.session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(detail={"i": 99}))
        db.session.commit()
        assert verify_chain()[:3] == (False, 2, 3)


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


# --- keyed chain, checkpoints, anchors (issue 16 #10, #11) ------------------------------------------------------

def _events(app, db, org, n):
    with app.test_request_context():
        for i in range(n):
            record("test.event", org_id=org.id, detail={"i": i})
        db.session.commit()


def test_a_chain_rewritten_without_the_key_is_found(app, db, make_org):
    """Whoever can write the database can recompute every hash after a change; not the HMACs."""
    from app.audit.models import AuditHead
    from app.audit.services import GENESIS, _digest

    org = make_org()
    _events(app, db, org, 4)
    with app.test_request_context():
        prev = GENESIS
        for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
            if event.seq == 2:
                event.detail = {"i": 99}
            event.prev_hash, event.hash = prev, _digest(prev, event)
            prev = event.hash
        head = db.session.get(AuditHead, 1)
        head.hash = prev
        db.session.commit()
        check = verify_chain()
        assert (check.intact, check.broken_seq, check.problem) == (False, 2, "key")


def test_a_cut_tail_is_found_by_the_head_a_checkpoint_or_an_outside_anchor(app, db, make_org):
    from app.audit.models import AuditHead
    from app.audit.services import save_checkpoint

    org = make_org()
    _events(app, db, org, 3)
    with app.test_request_context():
        head = db.session.get(AuditHead, 1)
        old_head = (head.seq, head.hash, head.mac)  # an attacker's copy of the head as it was
        anchor = {3: head.hash}
    _events(app, db, org, 2)
    with app.test_request_context():
        save_checkpoint(verify_chain())
        db.session.commit()
        db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.seq > 3))
        head = db.session.get(AuditHead, 1)
        head.seq, head.hash, head.mac = 3, db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 3)), None
        db.session.commit()
        assert verify_chain().problem == "head"  # the head no longer carries its key
        head.seq, head.hash, head.mac = old_head  # the copied head, keyed: only what is outside catches it
        db.session.commit()
        assert verify_chain().problem == "checkpoint"
        db.session.execute(text("DELETE FROM audit_checkpoints"))
        db.session.commit()
        assert verify_chain().intact  # a replayed head with nothing else: this is what the key cannot prove
        assert verify_chain({5: "0" * 64}).problem == "anchor"  # the request log said the head was at 5


def test_the_page_checks_from_the_latest_checkpoint_and_filters(app, client, db, make_org, authority, make_user):
    org = make_org(name="甲企业")
    other = make_org(name="乙企业")
    regulator = make_user(authority, "regulator", name="审核员")
    _events(app, db, org, 3)
    _events(app, db, other, 2)
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    _events(app, db, org, 1)
    login(client, regulator)
    page = client.get("/audit/").get_data(as_text=True)
    status = page.split('data-testid="chain-status"')[1].split("</div>")[0]
    from app.audit.models import AuditCheckpoint

    point = db.session.scalar(select(AuditCheckpoint))  # the one the CLI left
    newer = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.seq > point.seq))
    assert 'alert alert-success" data-testid="chain-status"' in page
    assert f"完整校验至第 {point.seq} 条事件，此后的 {newer} 条事件本次已校验" in status
    filtered = client.get(f"/audit/?what=test.event&org={other.id}").get_data(as_text=True)
    assert 'data-testid="audit-count">' in filtered
    count = filtered.split('data-testid="audit-count">')[1].split("<")[0]
    assert "2" in count and "甲企业" not in filtered.split('data-testid="audit-events"')[1]
    by_who = client.get("/audit/?who=审核员&what=auth.signed_in").get_data(as_text=True)
    assert "1" in by_who.split('data-testid="audit-count">')[1].split("<")[0]


def test_requests_log_the_chain_head_and_backups_record_it(app, client, db, make_org, authority, make_user, caplog,
                                                            tmp_path):
    import json
    import logging

    from app.ops import backup as backups

    regulator = make_user(authority, "regulator")
    with caplog.at_level(logging.INFO, logger="tanji.request"):
        login(client, regulator)
    heads = [r.fields["audit_head"] for r in caplog.records if "audit_head" in getattr(r, "fields", {})]
    seq, digest = heads[-1].split(":")
    assert db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == int(seq))) == digest
    manifest = backups.backup(db, tmp_path / "evidence", tmp_path / "b.tar.gz")
    assert (manifest.audit_head_seq, manifest.audit_head_hash) == (int(seq), digest)
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--backup", str(tmp_path / "b.tar.gz")])
    assert result.exit_code == 0 and "1 outside anchors match" in result.output
    assert json.loads(json.dumps(manifest.__dict__))["audit_head_hash"] == digest


def test_event_details_read_as_words_not_codes(app):
    """Issue 16: 'kind: enterprise_monthly · org_id: 2' and 'verifier_org_id: 48' were shown as they were stored."""
    from flask_babel import force_locale

    from app.audit_log.labels import audit_detail

    with app.test_request_context(), force_locale("zh"):
        line = audit_detail({"kind": "enterprise_monthly", "org_id": 2, "period": "2026-10", "year": 2025,
                             "verifier": "锦湾碳核查中心", "verifier_org_id": 48, "opinion": "verified_with_comments",
                             "sha256": "a" * 64})
    assert "_" not in line and "48" not in line and "org_id" not in line
    assert "月报" in line or "月度" in line
    assert "2026-10" in line and "锦湾碳核查中心" in line and "aaaaaaaaaaaa…" in line
