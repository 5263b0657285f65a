"""flask demo-data: the demo city loads once, completely, and a second run changes nothing; on that one load (it
takes a while), its benchmarks always say something and absurd quantities are refused (issue 15)."""
import html
import io
import logging
import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.accounting.models import EmissionSource
from app.accounts.models import Invitation, User
from app.audit.models import AuditCheckpoint, AuditEvent
from app.audit.services import verify_chain
from app.benchmarking import services as benchmarking
from app.core.service_error import ServiceError
from app.core.types import city_today, utcnow
from app.demo import city, city_stats
from app.extensions import db
from app.filings import services as filing_services
from app.filings import rollups
from app.filings.models import Filing, FilingLine, MonthlyTotal
from app.footprint.services import years_with_filings
from app.notifications.models import Notification
from app.organisations.models import Organisation
from tests.conftest import csrf_token, login, post
from tests.helpers.filings import hidden_fields

ABSURD = "99999999"


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["demo-data", *args])
    assert result.exit_code == 0, result.output
    return result.output


def count(statement):
    return db.session.scalar(select(func.count()).select_from(statement.subquery()))


def test_loads_the_city_once(app, client, token_for, caplog):
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
        # The monthly totals kept while the city was loaded equal a rebuild from its approved filings.
        assert count(select(MonthlyTotal)) > 500 and rollups.differences(db.session) == []

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
    _check_benchmarks(app)
    _check_sector_methods(app)
    with app.app_context():
        _check_absurd_quantities_refused(app, db, client, token_for)


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


# --- benchmarks (issue 15) ---------------------------------------------------------------------------------

def _check_benchmarks(app):
    """Every enterprise that files has a comparison on its benchmark page (peer statistics or the national product
    benchmark), each plant whose product has a national benchmark is compared per unit of product, and the
    regulator's power ranking keeps power-only, CHP and heat-only plants apart (issue 15)."""
    slugs = {row[1]: row[0] for row in city.ENTERPRISES + city.NEW_ENTERPRISES}
    mapped = {slug for slug, _product, _code in city_stats.PRODUCT_BENCHMARKS}
    seen_industries = set()
    with app.test_request_context():
        enterprises = db.session.scalars(select(Organisation).where(Organisation.kind == "enterprise")).all()
        for org in enterprises:
            years = years_with_filings(org.id)
            if not years:
                continue
            for year in years[:2]:
                page = benchmarking.benchmark(org, year)
                compared = [m.metric for m in page.metrics if m.compared]
                assert compared, (org.name, year)
                # Never an empty chart: every metric with approved months of its own draws them.
                for m in page.metrics:
                    assert not m.own_months or any(p.own is not None for p in m.trend), (org.name, m.metric)
                if slugs[org.name] in mapped:
                    product = page.metric("product")
                    assert product.national is not None and product.compared, (org.name, year)
            seen_industries.add(org.industry_code[:3])
        assert {"C25", "C26", "C30", "C31", "D44"} <= seen_industries

        # A year every long-registered enterprise filed whole (rows come in no set order: PostgreSQL differs).
        year = next(years[1] for years in (years_with_filings(o.id) for o in sorted(enterprises, key=lambda o: o.id))
                    if len(years) > 1)
        ranking = benchmarking.industry_ranking("D44", year)
        groups = {r.product.products: {row.name for row in r.rows} for r in ranking.rankings}
        assert set(groups) == {("electricity supplied",), ("electricity supplied", "heat supplied"),
                               ("heat supplied",)}
        assert groups[("electricity supplied",)] == {"锦湾滨海发电有限公司"}
        assert groups[("electricity supplied", "heat supplied")] == {"双河热电有限责任公司", "湾西热电有限公司"}

    # The README's enterprise (petrochemicals, no national benchmark for crude processed) on its page.
    client = app.test_client()
    login(client, "energy@jinwan-petro.com.cn", city.PASSWORD)
    page = client.get("/benchmarks/").get_data(as_text=True)
    assert 'data-testid="no-national"' in page and page.count('data-testid="median"') == 2
    assert "兴港炼油化工有限公司" not in page


# --- sector methods (issue 17) ----------------------------------------------------------------------------------

def _check_sector_methods(app):
    """The refinery, the power plants, a cement works, a steel works and the oilfield file their sector methods every
    month; each power plant has one recent month without a carbon test, computed at 0.03085 tC/GJ and flagged
    substituted, which its plan (carbon measured monthly) and the review page say."""
    from app.filings.models import Calculation, CalculationLine
    from app.plans.check import check_filing

    def approved_months(slug):
        org = db.session.scalar(select(Organisation).where(Organisation.name == slugs[slug]))
        return org, db.session.scalars(select(Filing).where(Filing.org_id == org.id, Filing.status == "approved")
                                       .order_by(Filing.period)).all()

    def methods(filing):
        return {line.method: line for line in filing.current_calculation.lines}

    slugs = {row[0]: row[1] for row in city.ENTERPRISES}
    with app.app_context():
        _org, months = approved_months("jinwan-petro")
        assert len(months) >= 20
        for filing in months:
            lines = methods(filing)
            assert {"fuel_gas", "fcc_coke_burn", "hydrogen_production", "flare", "co2_recovery"} <= set(lines)
            assert lines["fcc_coke_burn"].co2_t > 5000 and lines["flare"].co2_t > 100
        filed = {line.source.method: line for line in months[-1].lines}
        assert filed["fuel_gas"].unit == "10^4 Nm3" and sum(map(D, filed["flare"].parameters["composition"]
                                                               .values())) == 100
        assert filed["co2_recovery"].parameters["purity"] and months[-1].current_calculation.guideline_tco2e < \
            months[-1].current_calculation.ets_tco2e  # the guideline deducts the CO2 recovered

        for slug in ("shuanghe-power", "binhai-power", "wanxi-power"):
            _org, months = approved_months(slug)
            coal = [methods(f)["power_coal"] for f in months]
            assert len(coal) == len(months) and all(line.source.generating_unit for line in coal)
            untested = [(f, line) for f, line in zip(months, coal, strict=True) if line.substituted]
            assert len(untested) == 1, slug
            filing, line = untested[0]
            assert line.substituted == ["carbon_content"] and filing.period > date.today() - timedelta(days=366)
            assert D(line.trace["parameters"]["carbon_content"]["value"]) == D("0.03085")
            assert filing.current_calculation.substituted_share > D("0.05")
            tested = next(f for f in months if f is not filing)
            assert {"c_ad", "m_ad", "m_ar", "ncv_ar"} <= set(next(x for x in tested.lines
                                                                  if x.source.method == "power_coal").parameters)
            # Every month carries its coal report, one sample for all it gives (the untested month: its NCV).
            for month, coal_line in zip(months, (next(x for x in f.lines if x.source.method == "power_coal")
                                                 for f in months), strict=True):
                reports = {r.parameter: r for r in coal_line.lab_reports}
                assert set(reports) == set(coal_line.parameters), (slug, month.period)
                assert len({(r.sample_id, r.evidence_id, r.accreditation) for r in reports.values()}) == 1
            assert set(next(x for x in filing.lines if x.source.method == "power_coal").lab_reports[0]
                       .evidence.filename.split("-")[:1]) == {"煤质检测报告"}
            if filing.period.year == city_today().year:  # this year's plan says carbon is measured monthly
                notices = [f for f in check_filing(filing) if f.level == "notice"]
                assert [(f.parameter, f.reason) for f in notices] == [("c_ar", "measured_parameter_missing")]
                # The plan asks for one sample: the reports meet it, so the rule raises nothing.
                assert not [f for f in check_filing(filing) if f.key.startswith("plan:")]
                with app.test_request_context():
                    client = app.test_client()
                    login(client, "regulator@jinwan.gov.cn", city.PASSWORD)
                    page = client.get(f"/review/filings/{filing.id}").get_data(as_text=True)
                assert 'data-testid="line-substituted"' in page and 'data-testid="review-substituted"' in page

        _org, months = approved_months("wanxi-cement")
        clinker = methods(months[-1])["clinker"]
        assert D("0.50") < clinker.co2_t / next(p.quantity for p in months[-1].production if p.product.name == "熟料") \
            < D("0.56")
        _org, months = approved_months("jinwan-steel")
        balance = next(x for x in months[-1].lines if x.source.method == "carbon_balance")
        assert "生铁" in {item["name"] for item in balance.parameters["outputs"]}  # carbon fixed in the product
        assert methods(months[-1])["carbon_balance"].co2_t > 50000
        _org, months = approved_months("wanxi-oilfield")
        lines = methods(months[-1])
        assert lines["equipment_leaks"].ch4_t > 0 and lines["venting"].ch4_t > 0
        assert db.session.scalar(select(func.count(CalculationLine.id)).join(Calculation).where(
            Calculation.is_current, CalculationLine.method == "equipment_leaks")) >= 20


# --- absurd quantities (issue 15) -------------------------------------------------------------------------

def _stored(db) -> tuple:
    """What a refusal must leave as it was: the filings and their lines, and no line of an absurd quantity."""
    lines = db.session.scalars(select(FilingLine.quantity)).all()
    return (db.session.scalar(select(func.count(Filing.id))), len(lines),
            sum(1 for q in lines if q >= 99999999))


def _loaded_demo(db):
    petro = db.session.scalar(select(Organisation).where(Organisation.name == city.ENTERPRISES[0][1]))
    return {"petro": petro, "manager": db.session.scalar(select(User).where(User.email == "energy@jinwan-petro.com.cn")),
            "month": city_today().replace(day=1)}


def _check_absurd_quantities_refused(app, db, client, token_for):
    """Acceptance (issue 15): "a quantity of 99,999,999 for any source of a demo enterprise, and 1e12, are refused
    before they are stored (form, import, API)": every source's capacity (app/demo/activity.py) stops the first, and
    the form, the import and the API each refuse the second."""
    demo = _loaded_demo(db)
    _every_source_refuses_99999999(app, db, demo)
    _the_form_refuses_1e12(db, client, demo)
    _the_import_refuses_1e12(db, client, demo)
    _the_api_refuses_1e12_and_99999999(db, client, demo, token_for)


def _every_source_refuses_99999999(app, db, demo):
    before = _stored(db)
    sources = db.session.scalars(select(EmissionSource).order_by(EmissionSource.org_id, EmissionSource.id)).all()
    assert len({s.org_id for s in sources}) >= 40 and all(s.rated_capacity is not None for s in sources)
    refused = 0
    with app.test_request_context():
        for source in sources:
            org = db.session.get(Organisation, source.org_id)
            filer = db.session.scalar(select(User).where(User.org_id == org.id, User.role == "energy_manager"))
            filing = filing_services.open_filing(filer, org, demo["month"])
            with pytest.raises(ServiceError) as caught:
                filing_services.set_activity(filer, filing, [{"source_id": source.id, "quantity": ABSURD,
                                                       "unit": source.activity_unit}])
            assert caught.value.field == f"quantity_{source.id}", str(caught.value.message)
            db.session.rollback()  # as the request's edge does on a refusal
            refused += 1
    assert refused == len(sources)
    assert _stored(db) == before


def _the_form_refuses_1e12(db, client, demo):
    source = db.session.scalar(select(EmissionSource).where(EmissionSource.org_id == demo["petro"].id)
                               .order_by(EmissionSource.id).limit(1))
    login(client, "energy@jinwan-petro.com.cn", city.PASSWORD)
    response = post(client, "/filings/open", {"period": f"{demo['month']:%Y-%m}"}, token_from="/filings/")
    filing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    before = _stored(db)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    response = client.post(f"/filings/{filing_id}", data={**hidden_fields(page, city.PASSWORD),
                                                          f"quantity_{source.id}": "1e12",
                                                          f"unit_{source.id}": source.activity_unit})
    page = html.unescape(response.get_data(as_text=True))
    assert re.search(rf'data-field-error="quantity_{source.id}">[^<]*{re.escape(source.name)}', page)
    assert _stored(db) == before
    assert not db.session.get(Filing, filing_id).lines


def _the_import_refuses_1e12(db, client, demo):
    month = f"{demo['month']:%Y-%m}"
    template = client.get(f"/filings/import/template.xlsx?from={month}&to={month}")
    assert template.status_code == 200
    book = load_workbook(io.BytesIO(template.data))
    sheet = book["活动数据 Activity data"]
    quantity = [c.value for c in sheet[2]].index("数量 Quantity") + 1
    sheet.cell(row=3, column=quantity, value=1e12)
    out = io.BytesIO()
    book.save(out)
    before = _stored(db)
    response = client.post("/filings/import/", data={"csrf_token": csrf_token(client, "/filings/import/"),
                                                     "file": (io.BytesIO(out.getvalue()), "月报.xlsx")},
                           content_type="multipart/form-data")
    page = html.unescape(response.get_data(as_text=True))
    assert 'data-testid="import-done"' not in page and "1,000,000,000,000" in page
    assert _stored(db) == before


def _the_api_refuses_1e12_and_99999999(db, client, demo, token_for):
    source = db.session.scalar(select(EmissionSource).where(EmissionSource.org_id == demo["petro"].id)
                               .order_by(EmissionSource.id).limit(1))
    headers = token_for(demo["manager"])
    before = _stored(db)
    for quantity in ("1000000000000", ABSURD):
        response = client.put(f"/api/v1/filings/{demo['month']:%Y-%m}", headers=headers,
                              json={"lines": [{"source_id": source.id, "quantity": quantity}]})
        assert response.status_code == 422, response.get_json()
        assert "lines[0].quantity" in response.get_json()["error"]["fields"]
    assert _stored(db) == before
