"""flask demo-data: the demo city loads once, completely, and a second run changes nothing."""
import logging
from datetime import date, timedelta

from sqlalchemy import func, select

from app.accounting.models import EmissionSource
from app.accounts.models import Invitation, User
from app.audit.models import AuditCheckpoint, AuditEvent
from app.audit.services import verify_chain
from app.core.types import utcnow
from app.demo import city
from app.extensions import db
from app.filings.models import Filing
from app.notifications.models import Notification
from app.organisations.models import Organisation


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["demo-data", *args])
    assert result.exit_code == 0, result.output
    return result.output


def count(statement):
    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def test_loads_the_city_once(app, caplog):
    with app.app_context(), caplog.at_level(logging.INFO, logger="tanji.mail"):
        run(app)
        # The demo's notices are history for people who do not exist: in the inbox, never e-mailed.
        assert not [r for r in caplog.records if r.name == "tanji.mail"]
        assert count(select(Notification)) > 0
        assert count(select(AuditCheckpoint).where(AuditCheckpoint.whole)) == 1  # the audit page starts from it
        enterprises = db.session.scalars(select(Organisation).where(Organisation.kind == "enterprise")).all()
        assert count(select(Organisation).where(Organisation.kind == "authority")) == 1
        assert len(enterprises) >= 40
        assert len({org.industry_code[:3] for org in enterprises}) >= 6
        assert len({org.district for org in enterprises}) >= 3

        roles = {(user.org_id, user.role) for user in db.session.scalars(select(User))}
        pending = {org.id for org in enterprises if (org.id, "enterprise_admin") not in roles}
        new = {row[1] for row in city.NEW_ENTERPRISES}
        assert {db.session.get(Organisation, org_id).name for org_id in pending} == new
        for org in enterprises:
            if org.id not in pending:
                assert {(org.id, "enterprise_admin"), (org.id, "energy_manager")} <= roles, org.name
        now = utcnow()
        invitations = db.session.scalars(select(Invitation)).all()
        assert {inv.org_id for inv in invitations if inv.role == "enterprise_admin"} == pending
        assert all(inv.status(now) == "pending" for inv in invitations)

        users, events = count(select(User)), count(select(AuditEvent))
        output = run(app)
        assert "organisations: 0 created" in output and "users: 0 created" in output
        assert (count(select(Organisation)), count(select(User)), count(select(AuditEvent))) == (
            len(enterprises) + 2, users, events)  # + the authority and the verification body
        assert count(select(Invitation)) == len(invitations)
        intact, checked, _broken = verify_chain()[:3]
        assert intact and checked == events

        _check_activity(enterprises, pending, now)
        _check_returned_months()
        _check_copies_of_record()
        _check_certificates(output)
        _check_verification(output)
        _check_sign_ins()
        _check_ledgers()
        events = count(select(AuditEvent))
        output = run(app, "--if-empty")
        assert "not loaded" in output and count(select(AuditEvent)) == events


def _check_activity(enterprises, pending, now):
    """Every enterprise files every month since it joined, up to last month; the last month is still open."""
    last_month = date(now.year, now.month, 1) - timedelta(days=1)
    last_month = last_month.replace(day=1)
    filings = db.session.scalars(select(Filing)).all()
    by_org = {}
    for filing in filings:
        by_org.setdefault(filing.org_id, []).append(filing)
        assert filing.current_calculation is not None
    established = [org for org in enterprises if org.id not in pending]
    assert set(by_org) <= {org.id for org in established}
    assert sum(len(by_org.get(org.id, [])) >= 24 for org in established) >= 30  # two years for most
    assert max(f.period for f in filings) == last_month
    assert {f.status for f in filings if f.period < last_month} == {"approved"}
    assert {"submitted", "approved"} <= {f.status for f in filings if f.period == last_month}
    totals = [f.current_calculation.total_tco2e for f in filings]
    assert all(t > 0 for t in totals)
    assert count(select(EmissionSource)) >= 3 * len(established)


def _check_copies_of_record():
    """Every demo submission was signed by the enterprise's energy manager: a copy of record and a receipt."""
    import hashlib

    from app.filings.models import CopyOfRecord

    copies = db.session.scalars(select(CopyOfRecord)).all()
    submitted = db.session.scalars(select(Filing).where(Filing.submitted_at.is_not(None))).all()
    assert {c.filing_id for c in copies} == {f.id for f in submitted} and len(copies) == len(submitted)
    assert all(hashlib.sha256(c.document.encode()).hexdigest() == c.sha256 for c in copies)
    assert {c.signer.role for c in copies} == {"energy_manager"} and all(c.signer.may_sign for c in copies)
    assert count(select(AuditEvent).where(AuditEvent.action == "filing.signed")) == len(copies)


def _check_certificates(second_run_output):
    from app.certificates.models import Certificate

    certificates = db.session.scalars(select(Certificate)).all()
    assert len(certificates) == 4 and {c.status for c in certificates} == {"valid", "revoked"}
    assert all(c.period_start.year == utcnow().year - 1 for c in certificates)
    assert "certificates: 0 created, 4 already present" in second_run_output


def _check_verification(second_run_output):
    from app.verification.models import Engagement

    engagements = db.session.scalars(select(Engagement)).all()
    year = utcnow().year - 1
    assert {e.year for e in engagements} == {year}
    assert sorted(e.status for e in engagements) == ["confirmed"] * 3 + ["in_progress"]
    in_progress = next(e for e in engagements if e.status == "in_progress")
    assert [f.status for f in in_progress.findings] == ["open"]
    assert "verifications: 0 created, 4 already present" in second_run_output


def _check_ledgers():
    """Allowances are allocated by the authority only: every demo allocation is the regulator's entry, every other
    movement the enterprise's own."""
    from app.assets.models import AssetEntry

    entries = db.session.scalars(select(AssetEntry)).all()
    allocations = [e for e in entries if e.kind == "allocation"]
    assert len(allocations) >= 20
    assert {(e.created_by.email, e.created_by.role) for e in allocations} == {("regulator@jinwan.gov.cn",
                                                                              "regulator")}
    assert all(e.created_by.org_id == e.org_id for e in entries if e.kind != "allocation")


def _check_sign_ins():
    from app.accounts.services import authenticate

    for email, role, _org in city.demo_sign_ins():
        result = authenticate(email, city.PASSWORD)
        assert result.user is not None and result.user.role == role, email


def test_if_empty_does_nothing_when_an_organisation_exists(app, make_org):
    make_org()
    with app.app_context():
        output = run(app, "--if-empty")
        assert "not loaded" in output and count(select(Organisation)) == 1


def test_timeline_is_consistent():
    seeds = city.timeline(utcnow())
    orgs = {seed.credit_code: seed.at for seed in seeds if isinstance(seed, city.OrgSeed)}
    users = [seed for seed in seeds if isinstance(seed, city.UserSeed)]
    assert len(orgs) == len(city.ENTERPRISES) + len(city.NEW_ENTERPRISES) + 1
    assert len({user.email for user in users}) == len(users)
    assert all(user.at > orgs[user.credit_code] for user in users)
    assert all(seed.at.tzinfo is not None and seed.at < utcnow() for seed in seeds)


def _check_returned_months():
    """A returned month says why, on the filing and on a line, and the enterprise answered the line's comment, as
    on the web: in order, each side's inbox told the other."""
    from app.accounts.models import User
    from app.filings.conversation import month_comments
    from app.notifications.models import Notification

    returned = db.session.scalars(select(Filing).where(Filing.status == "returned")).all()
    assert returned, "the demo city has returned months"
    regulator = db.session.scalar(select(User).where(User.email == "regulator@jinwan.gov.cn"))
    for filing in returned:
        comments = month_comments(filing)
        assert [(c.author_side, c.source_id is not None) for c in comments] == [
            ("authority", False), ("authority", True), ("enterprise", True)]
        whole, line, reply = comments
        assert whole.text == filing.review_comment and filing.review_comment
        assert (reply.reply_to_id, reply.source_id) == (line.id, line.source_id)
        assert line.source_id in {x.source_id for x in filing.lines} and reply.created_at > line.created_at
        told = db.session.scalars(select(Notification).where(Notification.filing_id == filing.id,
                                                             Notification.kind == "filing.returned")).all()
        assert told and all(n.read_at is None for n in told)
        answered = db.session.scalars(select(Notification).where(
            Notification.filing_id == filing.id, Notification.kind == "filing.enterprise_commented")).all()
        assert [(n.user_id, n.detail["comment"]) for n in answered] == [(regulator.id, reply.text)]
