"""Third-party verification: the verifier's window through the gate, materiality, opinion and confirmation."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounting.models import EmissionSource, Facility
from app.accounts.models import User
from app.assets.services import compliance_position
from app.audit.models import AuditEvent
from app.core.service_error import ServiceError
from app.filings.models import Calculation, CalculationLine, Evidence, Filing, FilingLine
from app.notifications.models import Notification
from app.organisations.models import Organisation
from app.tenancy import TenantViolation, acting_on, cross_tenant_write, scope_of
from app.verification import materiality, services as verification
from app.verification.models import Engagement, VerificationFinding
from tests.conftest import login, post
from tests.helpers.certificates import pdf_text
from tests.helpers.filings import file_month

YEAR = 2022
NOW = datetime(YEAR + 1, 2, 10, 2, 0, tzinfo=timezone.utc)
D = Decimal


# ------------------------------------------------------------------------------------- materiality (pure)

def test_materiality_five_percent_below_the_large_threshold():
    # 120,000 t: 5 % = 6,000 t. Misstatements +2,500 and −3,500 count as 2,500 + 3,500 = 6,000: at the
    # threshold, not material; one more tonne is.
    at = materiality.assess(D("120000"), [D("2500"), D("-3500")])
    assert (at.percent, at.threshold_t, at.uncorrected_t, at.material) == (D(5), D("6000"), D("6000"), False)
    above = materiality.assess(D("120000"), [D("2500"), D("-3501")])
    assert above.uncorrected_t == D("6001") and above.material


def test_materiality_two_percent_above_500000_tonnes():
    # 800,000 t: 2 % = 16,000 t (5 % would be 40,000). 16,000 exactly is fine, 16,000.5 is material.
    big = materiality.assess(D("800000"), [D("-16000")])
    assert (big.percent, big.threshold_t, big.material) == (D(2), D("16000"), False)
    assert materiality.assess(D("800000"), [D("10000"), D("6000.5")]).material
    # Exactly 500,000 t is not above the threshold: still 5 % = 25,000 t.
    edge = materiality.assess(D("500000"), [D("25000")])
    assert (edge.percent, edge.threshold_t, edge.material) == (D(5), D("25000"), False)
    # 500,001 t: 2 % = 10,000.02 t, so 25,000 t of misstatements is material there.
    assert materiality.assess(D("500001"), [D("25000")]).threshold_t == D("10000.02")
    assert materiality.assess(D("500001"), [D("25000")]).material


def test_materiality_with_no_misstatements():
    assert not materiality.assess(D("0"), []).material


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def world(app, db, plant, regulator, make_org, make_user):
    """Plant (enterprise A) with approved Jan–Mar 2022 and Jan 2021; enterprise B with Jan 2022; a body."""
    ids = [file_month(app, db, plant, date(YEAR, m, 1), approve_by=regulator, now=NOW) for m in (1, 2, 3)]
    old = file_month(app, db, plant, date(YEAR - 1, 1, 1), approve_by=regulator, now=NOW)
    b = make_org(name="乙企业秘密有限公司")
    b_admin = make_user(b, "enterprise_admin")
    facility = Facility(org_id=b.id, name="乙秘密厂区")
    db.session.add(facility)
    db.session.flush()
    b_source = EmissionSource(org_id=b.id, facility_id=facility.id, name="乙秘密锅炉", category="stationary_combustion",
                              material="diesel", activity_unit="t")
    db.session.add(b_source)
    db.session.commit()
    b_plant = {"org": b, "admin": b_admin, "sources": {"diesel": b_source}, "product": plant["product"]}
    with app.test_request_context():
        from app.filings import services as filing_services
        b_filing = filing_services.open_filing(b_admin, b, date(YEAR, 1, 1))
        filing_services.set_activity(b_admin, b_filing, [{"source_id": b_source.id, "quantity": "3", "unit": "t"}])
        db.session.commit()
        b_filing_id = b_filing.id
    evidence = Evidence(org_id=plant["org"].id, filing_id=ids[0], filename="发票.pdf", content_type="application/pdf",
                        size_bytes=3, sha256="1" * 64)
    db.session.add(evidence)
    db.session.commit()
    with app.test_request_context(), scope_of(regulator):
        with cross_tenant_write():
            body = verification.register_body(regulator, {"name": "锦湾碳核查中心", "accreditation_no": "CNAS-V-0001"})
        db.session.commit()
    verifier = make_user(body, "verifier")
    other_body_org = make_org(kind="verifier", name="别的核查机构")
    other_verifier = make_user(other_body_org, "verifier")
    with app.test_request_context(), scope_of(regulator), acting_on(plant["org"].id):
        engagement = verification.assign(regulator, plant["org"], body, YEAR, now=NOW)
        db.session.commit()
    return {"a": plant["org"], "plant": plant, "filings": ids, "old": old, "b": b, "b_filing": b_filing_id,
            "b_plant": b_plant, "body": body, "verifier": verifier, "engagement": engagement.id,
            "other_verifier": other_verifier, "evidence": evidence.id, "regulator": regulator}


# ------------------------------------------------------------------------------------------- the window

def test_verifier_sees_the_assigned_enterprise_year_only(app, db, world):
    db.session.expire_all()
    with app.test_request_context(), scope_of(world["verifier"]):
        filings = db.session.scalars(select(Filing)).all()
        assert sorted(f.id for f in filings) == sorted(world["filings"])  # not 2021, not B
        lines = db.session.scalars(select(FilingLine)).all()
        assert lines and {line.filing_id for line in lines} == set(world["filings"])
        assert {c.filing_id for c in db.session.scalars(select(Calculation))} == set(world["filings"])
        calc_ids = set(db.session.scalars(select(Calculation.id)))
        assert {cl.calculation_id for cl in db.session.scalars(select(CalculationLine))} <= calc_ids
        assert [e.id for e in db.session.scalars(select(Evidence))] == [world["evidence"]]
        assert {s.org_id for s in db.session.scalars(select(EmissionSource))} == {world["a"].id}
        orgs = {o.id for o in db.session.scalars(select(Organisation))}
        assert world["a"].id in orgs and world["body"].id in orgs and world["b"].id not in orgs
        # Users of the enterprise are not in the window; the body's own are.
        assert {u.org_id for u in db.session.scalars(select(User))} == {world["body"].id}
        assert db.session.get(Filing, world["old"]) is None
        assert db.session.get(Filing, world["b_filing"]) is None
        assert [e.id for e in db.session.scalars(select(Engagement))] == [world["engagement"]]
    with app.test_request_context(), scope_of(world["other_verifier"]):
        assert db.session.scalars(select(Filing)).all() == []
        assert db.session.scalars(select(Engagement)).all() == []


def test_verifier_cannot_change_filings(app, db, world):
    with app.test_request_context(), scope_of(world["verifier"]):
        filing = db.session.get(Filing, world["filings"][0])
        filing.note = "verifier was here"
        with pytest.raises(TenantViolation):
            db.session.flush()
        db.session.rollback()
        line = db.session.scalars(select(FilingLine)).first()
        db.session.delete(line)
        with pytest.raises(TenantViolation):
            db.session.flush()
        db.session.rollback()


def test_withdrawal_removes_access_at_once(app, db, world):
    with app.test_request_context(), scope_of(world["regulator"]), acting_on(world["a"].id):
        verification.withdraw(world["regulator"], db.session.get(Engagement, world["engagement"]), now=NOW)
        db.session.commit()
    db.session.expire_all()
    with app.test_request_context(), scope_of(world["verifier"]):
        assert db.session.scalars(select(Filing)).all() == []
        assert db.session.scalars(select(EmissionSource)).all() == []
        assert world["a"].id not in {o.id for o in db.session.scalars(select(Organisation))}


def test_verifier_pages_and_404s(app, client, db, world):
    login(client, world["verifier"])
    engagement_url = f"/verification/engagements/{world['engagement']}"
    page = client.get(engagement_url)
    assert page.status_code == 200 and world["a"].name in page.get_data(as_text=True)
    assert client.get(f"/filings/{world['b_filing']}").status_code in (403, 404)
    assert client.get(f"/filings/evidence/{world['evidence']}").status_code in (200, 404)  # no stored bytes here
    assert client.get(f"/organisations/{world['b'].id}").status_code == 404
    for url in (f"/verification/engagements/{world['engagement']}/filings/{world['b_filing']}",
                f"/verification/engagements/{world['engagement']}/filings/{world['old']}"):
        assert client.get(url).status_code == 404
    assert client.get(f"/verification/engagements/{world['engagement']}/filings/{world['filings'][0]}"
                      ).status_code == 200
    # Writing to filings through the enterprise's routes is refused.
    assert post(client, f"/filings/{world['filings'][0]}/amend", {"reason": "x"},
                token_from=engagement_url).status_code in (403, 404)
    other = app.test_client()
    login(other, world["other_verifier"])
    assert other.get(engagement_url).status_code == 404


# ----------------------------------------------------------------------------- findings, opinion, confirm

def _as(app, user):
    ctx = app.test_request_context()
    ctx.push()
    return ctx


def test_whole_year_materiality_refusal_and_confirmation(app, db, world):
    a, verifier, regulator = world["a"], world["verifier"], world["regulator"]
    admin = world["plant"]["admin"]
    with app.test_request_context(), scope_of(verifier):
        engagement = db.session.get(Engagement, world["engagement"])
        total, _ = verification.reported_total(a.id, YEAR)
        assert total > 0
        big = (total * D("0.05") + 1).quantize(D("0.001"))
        finding = verification.raise_finding(verifier, engagement, {
            "month": 2, "severity": "misstatement", "amount_tco2e": str(-big), "text": "电表读数抄录错误"}, now=NOW)
        db.session.commit()
        finding_id = finding.id
    # The enterprise sees the finding and answers it; its people were told.
    with app.test_request_context(), scope_of(admin):
        finding = db.session.get(VerificationFinding, finding_id)
        assert finding is not None
        verification.answer_finding(admin, finding, "已提交更正", now=NOW)
        db.session.commit()
        assert db.session.scalar(select(Notification).where(Notification.user_id == admin.id,
                                                            Notification.kind == "verification.finding_raised"))
    with app.test_request_context(), scope_of(verifier):
        engagement = db.session.get(Engagement, world["engagement"])
        finding = db.session.get(VerificationFinding, finding_id)
        verification.close_finding(verifier, finding, "resolved", now=NOW)  # accepted, not corrected: still counts
        with pytest.raises(ServiceError) as refused:
            verification.issue_opinion(verifier, engagement, "verified", str(total), now=NOW)
        assert refused.value.field == "opinion" and "实质性阈值" in str(refused.value.message)
        db.session.rollback()
    with app.test_request_context(), scope_of(verifier):
        engagement = db.session.get(Engagement, world["engagement"])
        finding = db.session.get(VerificationFinding, finding_id)
        finding.status = "open"  # reopen for the test: the enterprise corrects it through an amendment
        db.session.flush()
        verification.close_finding(verifier, finding, "corrected", now=NOW)
        check = verification.issue_opinion(verifier, engagement, "verified_with_comments", "12345.678", "更正后核查通过",
                                           now=NOW)
        assert not check.material and check.uncorrected_t == 0
        db.session.commit()
    before = compliance_position(db.session.get(Organisation, a.id), YEAR).verified_t
    assert before == total
    with app.test_request_context(), scope_of(regulator), acting_on(a.id):
        verification.confirm(regulator, db.session.get(Engagement, world["engagement"]), now=NOW)
        db.session.commit()
    position = compliance_position(db.session.get(Organisation, a.id), YEAR)
    assert position.verified_t == D("12345.678") and position.verification is not None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"verification.assigned", "verification.finding_raised", "verification.finding_answered",
            "verification.finding_closed", "verification.opinion_issued", "verification.confirmed"} <= actions
    # Issue 16: once confirmed, the engagement's earlier notices ask for nothing more; only "confirmed" is unread.
    unread = db.session.scalars(select(Notification.kind).where(Notification.read_at.is_(None),
                                                                Notification.kind.like("verification.%"))).all()
    assert unread and set(unread) == {"verification.confirmed"}


def test_opinion_page_refuses_above_materiality_with_a_message(app, client, db, world):
    with app.test_request_context(), scope_of(world["verifier"]):
        engagement = db.session.get(Engagement, world["engagement"])
        total, _ = verification.reported_total(world["a"].id, YEAR)
        finding = verification.raise_finding(world["verifier"], engagement, {
            "month": 1, "severity": "misstatement", "amount_tco2e": str(total), "text": "整月重复计入"}, now=NOW)
        verification.close_finding(world["verifier"], finding, "resolved", now=NOW)
        db.session.commit()
    login(client, world["verifier"])
    url = f"/verification/engagements/{world['engagement']}"
    response = post(client, f"{url}/opinion", {"opinion": "verified", "verified_total_tco2e": str(total)},
                    token_from=url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'data-field-error="opinion"' in body
    assert db.session.get(Engagement, world["engagement"]).opinion is None


def test_enterprise_cannot_see_another_enterprises_engagement(app, client, db, world):
    login(client, world["b_plant"]["admin"])
    assert client.get(f"/verification/engagements/{world['engagement']}").status_code == 404
    assert "锦湾碳核查中心" not in client.get("/verification/").get_data(as_text=True)


def test_every_page_without_arguments_answers_a_verifier_without_error(app, client, world):
    login(client, world["verifier"])
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in rule.methods or rule.rule.startswith("/api/") or "static" in rule.endpoint:
            continue
        response = client.get(rule.rule)
        assert response.status_code < 500, (rule.rule, response.status_code)
        assert world["b"].name not in response.get_data(as_text=True), rule.rule


def test_confirmed_verification_on_the_annual_certificate_and_the_index(app, client, db, world):
    import json

    from app.certificates import services as certs

    regulator = world["regulator"]
    for m in range(4, 13):
        file_month(app, db, world["plant"], date(YEAR, m, 1), approve_by=regulator, now=NOW)
    with app.test_request_context(), scope_of(world["verifier"]):
        engagement = db.session.get(Engagement, world["engagement"])
        verification.issue_opinion(world["verifier"], engagement, "verified", "99999.5", now=NOW)
        db.session.commit()
    with app.test_request_context(), scope_of(regulator), acting_on(world["a"].id):
        verification.confirm(regulator, db.session.get(Engagement, world["engagement"]), now=NOW)
        cert = certs.issue(regulator, world["a"], date(YEAR, 1, 1), date(YEAR, 12, 1), now=NOW)
        db.session.commit()
        stated = json.loads(cert.certified)
    assert stated["verification"]["body"] == "锦湾碳核查中心"
    assert stated["verification"]["opinion"] == "verified"
    assert stated["verification"]["confirmed_total_tco2e"] == "99999.500"
    assert stated["third_party_verified"] is True and stated["verification"]["year"] == YEAR

    assert "锦湾碳核查中心" in pdf_text(cert.pdf) and "已核查 Verified" in pdf_text(cert.pdf)
    public = client.get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert 'data-testid="stated-verification"' in public and "锦湾碳核查中心" in public
    assert verification.confirmed_count(YEAR) == 1
    login(client, regulator)
    page = client.get(f"/city/methodology?month={YEAR + 1}-01").get_data(as_text=True)
    assert 'data-testid="verified-years"' in page


def test_regulator_registers_a_body_and_invites_its_verifier(app, client, db, regulator):
    login(client, regulator)
    response = post(client, "/verification/bodies/new", {"name": "新核查机构", "accreditation_no": "CNAS-V-0099"},
                    token_from="/verification/bodies/new")
    assert response.status_code == 302 and "/invite" in response.headers["Location"]
    body = db.session.scalar(select(Organisation).where(Organisation.accreditation_no == "CNAS-V-0099"))
    assert body.kind == "verifier"
    invite_url = f"/organisations/{body.id}/invite"
    page = post(client, invite_url, {"email": "v@new-body.example.com", "role": "verifier"}, token_from=invite_url)
    assert page.status_code == 200
    from app.accounts.models import Invitation

    invitation = db.session.scalar(select(Invitation).where(Invitation.email == "v@new-body.example.com"))
    assert (invitation.org_id, invitation.role) == (body.id, "verifier")
    # The same accreditation number twice is refused beside its field.
    again = post(client, "/verification/bodies/new", {"name": "重复机构", "accreditation_no": "CNAS-V-0099"},
                 token_from="/verification/bodies/new")
    assert 'data-field-error="accreditation_no"' in again.get_data(as_text=True)


def test_verifier_sees_the_copies_of_record_of_the_assigned_year_only(app, client, db, world):
    from app.filings import workflow
    from app.signing import services as signing
    from app.filings.models import CopyOfRecord
    from tests.conftest import PASSWORD

    plant = world["plant"]
    april_id = file_month(app, db, plant, date(YEAR, 4, 1), submit=False, now=NOW)

    def sign(user, filing_id):  # on the web: the password again, every warning explained
        filing = db.session.get(Filing, filing_id)
        explained = {f.key: "已核实" for f in workflow.findings_for(filing, date(YEAR + 1, 2, 10))}
        copy = signing.sign_and_submit(user, filing, explained, password=PASSWORD, now=NOW)
        db.session.commit()
        return copy.id

    with app.test_request_context():  # April of the verified year, and B's January
        mine_id, theirs_id = sign(plant["admin"], april_id), sign(world["b_plant"]["admin"], world["b_filing"])
    with app.test_request_context(), scope_of(world["verifier"]):
        assert [c.id for c in db.session.scalars(select(CopyOfRecord))] == [mine_id]
    login(client, world["verifier"])
    page = client.get(f"/verification/engagements/{world['engagement']}/filings/{april_id}")
    assert page.status_code == 200 and 'data-testid="copies-of-record"' in page.get_data(as_text=True)
    calculation = page.get_data(as_text=True).split('data-testid="calculation"', 1)[1].split("</table>", 1)[0]
    assert "<td>范围一</td>" in calculation and "<td>1</td>" not in calculation  # scopes named, not coded
    assert client.get(f"/filings/records/{mine_id}").status_code == 200
    assert client.get(f"/filings/records/{mine_id}/document.json").data == db.session.get(
        CopyOfRecord, mine_id).document.encode()
    assert client.get(f"/filings/records/{theirs_id}").status_code == 404
    with app.test_request_context(), scope_of(world["regulator"]), acting_on(world["a"].id):
        verification.withdraw(world["regulator"], db.session.get(Engagement, world["engagement"]), now=NOW)
        db.session.commit()
    assert client.get(f"/filings/records/{mine_id}").status_code == 404


def test_a_refused_withdrawal_writes_nothing(app, client, db, world):
    from sqlalchemy import func

    login(client, world["regulator"])
    url = f"/verification/engagements/{world['engagement']}"
    assert post(client, f"{url}/withdraw", token_from=url).status_code == 302
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    again = post(client, f"{url}/withdraw", token_from=url)  # withdrawn already: refused, shown by a redirect
    assert again.status_code == 302
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events
