"""The carbon asset ledger: balances never below zero, reversals, the compliance position worked by hand, access."""
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.assets import services
from app.assets.models import AssetEntry
from app.audit.models import AuditEvent
from app.core.service_error import ServiceError
from app.filings import workflow
from app.settings.services import set_setting
from tests.conftest import csrf_token, login, post
from tests.helpers.assets import YEAR, record, ten_thousand_tonnes
from tests.helpers.filings import JUNE, NOW, draft_month


def _count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def _balance(firm, year=YEAR):
    return services.holdings(firm["org"].id).get(services.Holding("allowance", compliance_year=year), Decimal(0))


# --- balances never go below zero --------------------------------------------------------------------

def test_a_surrender_beyond_the_balance_is_refused_and_nothing_is_written(app, db, firm):
    with app.test_request_context():
        record(firm, "allocation", quantity="1000", compliance_year=YEAR)
        db.session.commit()
        entries, events = _count(db, AssetEntry), _count(db, AuditEvent)
        with pytest.raises(ServiceError) as refused:
            record(firm, "surrender", instrument="allowance", compliance_year=YEAR, quantity="1200")
        assert refused.value.field == "quantity"
        assert "1,000" in str(refused.value.message) and "1,200" in str(refused.value.message)
        db.session.rollback()
        assert (_count(db, AssetEntry), _count(db, AuditEvent)) == (entries, events)
        # Allowances of another year are another holding: 2026 has none to give.
        with pytest.raises(ServiceError):
            record(firm, "sale", instrument="allowance", compliance_year=YEAR + 1, quantity="1", price="80",
                    counterparty="某公司")
        db.session.rollback()
        assert _balance(firm) == Decimal(1000)


def test_a_refused_surrender_on_the_page_shows_beside_the_field_and_keeps_what_was_typed(app, db, client, firm):
    with app.test_request_context():
        record(firm, "allocation", quantity="1000", compliance_year=YEAR)
        db.session.commit()
    entries = _count(db, AssetEntry)
    login(client, firm["admin"])
    url = f"/assets/org/{firm['org'].id}/new/surrender"
    response = post(client, url, {"instrument": "allowance", "compliance_year": str(YEAR), "quantity": "1200",
                                  "trade_date": "2025-06-01", "reason": "履约清缴 2025"}, token_from=url)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-field-error="quantity"' in body and "1,000" in body
    assert 'value="1200"' in body and "履约清缴 2025" in body
    assert _count(db, AssetEntry) == entries


def test_offsets_are_held_per_lot(app, db, firm):
    with app.test_request_context():
        record(firm, "offset_acquired", offset_type="CCER", project_id="CCER-14-2024-0007", vintage="2024",
                quantity="300")
        with pytest.raises(ServiceError) as refused:  # another vintage of the same project holds nothing
            record(firm, "surrender", instrument="offset", compliance_year=YEAR, offset_type="CCER",
                    project_id="CCER-14-2024-0007", vintage="2023", quantity="1")
        assert refused.value.field == "quantity"
        record(firm, "surrender", instrument="offset", compliance_year=YEAR, offset_type="CCER",
                project_id="CCER-14-2024-0007", vintage="2024", quantity="300")
        lot = services.Holding("offset", offset_type="CCER", project_id="CCER-14-2024-0007", vintage=2024)
        assert services.holdings(firm["org"].id)[lot] == 0


def test_a_lot_names_its_credit_type_once(app):
    """Issue 16: "CCER CCER-14-…" showed the type twice; a project number that starts with it is enough."""
    with app.test_request_context(), force_locale("zh"):
        assert services.lot_name("CCER", "CCER-14-2024-0007") == "CCER-14-2024-0007"
        assert services.lot_name("CCER", "ccer-14-2024-0007") == "ccer-14-2024-0007"
        assert services.lot_name("CCER", "14-2024-0007") == "CCER 14-2024-0007"
        assert services.lot_name("local", "JW-2024-01") == f"{services.offset_type_label('local')} JW-2024-01"
        label = services.Holding("offset", offset_type="CCER", project_id="CCER-14-2024-0007", vintage=2024).label
        assert label.count("CCER") == 1 and "2024" in label


def test_the_ledger_page_shows_the_lot_once(app, db, client, firm):
    with app.test_request_context():
        record(firm, "offset_acquired", offset_type="CCER", project_id="CCER-14-2024-0007", vintage="2024",
               quantity="300")
        db.session.commit()
    login(client, firm["admin"])
    page = client.get("/assets/").get_data(as_text=True)
    assert "CCER-14-2024-0007" in page and "CCER CCER-14" not in page


# --- reversals ------------------------------------------------------------------------------------------

def test_a_reversal_restores_the_balance_once(app, db, firm):
    with app.test_request_context():
        purchase = record(firm, "purchase", instrument="allowance", compliance_year=YEAR, quantity="500",
                           price="80", counterparty="上海环境能源交易所")
        sale = record(firm, "sale", instrument="allowance", compliance_year=YEAR, quantity="200", price="90",
                       counterparty="锦湾某公司")
        assert sale.quantity_t == Decimal(-200) and _balance(firm) == Decimal(300)

        undo = services.reverse(firm["admin"], sale, "成交单号录错")
        assert undo.quantity_t == Decimal(200) and undo.reverses_id == sale.id and undo.compliance_year == YEAR
        assert _balance(firm) == Decimal(500)
        with pytest.raises(ServiceError) as twice, force_locale("en"):
            services.reverse(firm["admin"], sale, "again")
        with force_locale("en"):
            assert "already been reversed" in str(twice.value.message)
        with pytest.raises(ServiceError):
            services.reverse(firm["admin"], undo, "a reversal is never reversed")
        assert _balance(firm) == Decimal(500)
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert actions[-3:] == ["asset.recorded", "asset.recorded", "asset.reversed"]
        reason = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "asset.reversed")).detail["reason"]
        assert reason == "成交单号录错"

        # Reversing the purchase would take 500 from a holding of 300 once 200 are sold again: refused.
        record(firm, "sale", instrument="allowance", compliance_year=YEAR, quantity="200", price="90",
                counterparty="锦湾某公司")
        with pytest.raises(ServiceError, match="300"):
            services.reverse(firm["admin"], purchase, "wrong year")
        db.session.rollback()


def test_reversing_on_the_page_strikes_the_entry_through(app, db, client, firm):
    with app.test_request_context():
        entry = record(firm, "purchase", instrument="allowance", compliance_year=YEAR, quantity="500", price="80",
                        counterparty="上海环境能源交易所")
        db.session.commit()
        entry_id = entry.id
    login(client, firm["admin"])
    url = f"/assets/entries/{entry_id}/reverse"
    assert 'data-field-error="reason"' in post(client, url, {"reason": ""}, token_from=url).get_data(as_text=True)
    assert post(client, url, {"reason": "重复录入"}, token_from=url).status_code == 302
    page = client.get(f"/assets/?year={YEAR}").get_data(as_text=True)
    assert f'id="entry-{entry_id}" data-entry="{entry_id}" data-reversed="yes"' in page
    assert 'data-testid="reversed-by"' in page
    again = post(client, url, {"reason": "再来一次"}, token_from=f"/assets/?year={YEAR}")
    assert 'data-testid="already-reversed"' in again.get_data(as_text=True) and "alert-danger" in again.get_data(
        as_text=True)
    assert _count(db, AssetEntry) == 2


# --- the compliance position, worked by hand -----------------------------------------------------------

def test_position_with_a_shortfall(app, db, firm):
    ten_thousand_tonnes(db, firm)
    with app.test_request_context():
        record(firm, "allocation", quantity="9000", compliance_year=YEAR)
        record(firm, "purchase", instrument="allowance", compliance_year=YEAR, quantity="400", price="80",
                counterparty="上海环境能源交易所")
        record(firm, "sale", instrument="allowance", compliance_year=YEAR, quantity="200", price="90",
                counterparty="锦湾某公司")
        record(firm, "allocation", quantity="5000", compliance_year=YEAR + 1)  # another year: not counted
        record(firm, "offset_acquired", offset_type="CCER", project_id="CCER-01-2024-0003", vintage="2024",
                quantity="700")
        position = services.compliance_position(firm["org"], YEAR)

    assert position.verified_t == Decimal(10_000) and not position.provisional
    # Allowances for 2025: 9,000 allocated + 400 bought − 200 sold = 9,200.
    assert position.allowances_t == Decimal(9_200)
    # Offsets: 700 held; the cap is 5 % of 10,000 = 500, so 500 are eligible.
    assert position.offsets_t == Decimal(700) and position.offset_cap_t == Decimal(500)
    assert position.eligible_offsets_t == Decimal(500)
    # 9,200 + 500 − 10,000 = −300: a shortfall of 300 t.
    assert position.balance_t == Decimal(-300) and not position.surplus
    # Valued at the average price of the year's allowance purchases (only one: 80 CNY/t): −300 × 80 = −24,000 CNY.
    assert position.price == Decimal(80) and position.price_is_average
    assert position.balance_cny == Decimal(-24_000)
    with app.test_request_context():
        at_100 = services.compliance_position(firm["org"], YEAR, price=Decimal(100))
    assert at_100.balance_cny == Decimal(-30_000) and not at_100.price_is_average


def test_position_with_a_surplus_and_a_surrender(app, db, firm):
    ten_thousand_tonnes(db, firm)
    with app.test_request_context():
        record(firm, "allocation", quantity="10300", compliance_year=YEAR)
        record(firm, "offset_acquired", offset_type="CCER", project_id="CCER-01-2024-0003", vintage="2024",
                quantity="200")
        position = services.compliance_position(firm["org"], YEAR)
        # 10,300 + 200 (under the 500 cap) − 10,000 = +500; no purchases, so no price and no CNY value.
        assert position.eligible_offsets_t == Decimal(200) and position.balance_t == Decimal(500)
        assert position.surplus and position.price is None and position.balance_cny is None
        assert position.outstanding_t == Decimal(10_000)

        # Surrendering 9,800 allowances and the 200 offsets settles the year; the position stays the same.
        record(firm, "surrender", instrument="allowance", compliance_year=YEAR, quantity="9800")
        record(firm, "surrender", instrument="offset", compliance_year=YEAR, offset_type="CCER",
                project_id="CCER-01-2024-0003", vintage="2024", quantity="200")
        settled = services.compliance_position(firm["org"], YEAR)
        assert settled.balance_t == Decimal(500) and settled.outstanding_t == 0
        assert settled.allowances_held_t == Decimal(500) and settled.offsets_held_t == 0

        # With a 1 % cap only 100 t of offsets count: 10,300 + 100 − 10,000 = +400, valued at 60 CNY/t = 24,000.
        set_setting(firm["regulator"], "offset_cap_percent", 1)
        capped = services.compliance_position(firm["org"], YEAR, price=Decimal(60))
        assert capped.eligible_offsets_t == Decimal(100) and capped.balance_t == Decimal(400)
        assert capped.balance_cny == Decimal(24_000)


def test_only_approved_months_count(app, db, plant, authority, make_user):
    regulator = make_user(authority, "regulator")
    with app.test_request_context():
        june = draft_month(plant)
        workflow.submit(plant["admin"], june, now=NOW)
        workflow.approve(regulator, june, now=NOW)
        july = draft_month(plant, period=date(2022, 7, 1))
        workflow.submit(plant["admin"], july, now=datetime(2022, 8, 3, tzinfo=timezone.utc))
        db.session.commit()
        position = services.compliance_position(plant["org"], 2022)
    calc = june.current_calculation
    assert position.verified_t == calc.scope1_tco2e + calc.scope2_tco2e - calc.exported_tco2e
    assert position.verified_t > 0 and july.current_calculation.total_tco2e > 0
    assert position.provisional
    missing = {m.period: m.status for m in position.missing}
    assert missing[date(2022, 7, 1)] == "submitted" and missing[date(2022, 1, 1)] is None and JUNE not in missing


# --- who may do what ------------------------------------------------------------------------------------

def test_energy_manager_cannot_record_and_viewer_reads(app, db, client, firm):
    with app.test_request_context():
        record(firm, "allocation", quantity="1000", compliance_year=YEAR)
        db.session.commit()
    org_id = firm["org"].id
    login(client, firm["manager"])
    assert client.get(f"/assets/org/{org_id}/new/purchase").status_code == 403
    token = csrf_token(client)
    response = client.post(f"/assets/org/{org_id}/new/purchase", data={
        "csrf_token": token, "instrument": "allowance", "compliance_year": str(YEAR), "quantity": "10", "price": "80",
        "counterparty": "x", "trade_date": "2025-06-01", "reason": "x"})
    assert response.status_code == 403
    entry_id = db.session.scalar(select(AssetEntry.id))
    assert client.post(f"/assets/entries/{entry_id}/reverse", data={"csrf_token": token, "reason": "x"}).status_code \
        == 403
    assert _count(db, AssetEntry) == 1

    client.post("/logout", data={"csrf_token": token})
    login(client, firm["viewer"])
    page = client.get(f"/assets/?year={YEAR}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="ledger"' in body and 'data-testid="compliance-position"' in body
    assert "/new/" not in body and "/reverse" not in body
    assert client.get(f"/assets/org/{org_id}/new/allocation").status_code == 403


def test_another_enterprise_cannot_see_or_touch_the_ledger(app, db, client, firm, make_org, make_user):
    with app.test_request_context():
        entry = record(firm, "purchase", instrument="allowance", compliance_year=YEAR, quantity="500", price="80",
                        counterparty="甲方秘密对手")
        db.session.commit()
        entry_id = entry.id
    other = make_org(name="乙企业", industry_code="D4411")
    org_id = firm["org"].id
    for role in ("enterprise_admin", "viewer"):
        user = make_user(other, role)
        login(client, user)
        token = csrf_token(client)
        assert client.get(f"/assets/org/{org_id}").status_code in (403, 404)
        assert client.get(f"/assets/org/{org_id}/new/purchase").status_code in (403, 404)
        assert client.get(f"/assets/entries/{entry_id}/reverse").status_code in (403, 404)
        assert client.post(f"/assets/entries/{entry_id}/reverse",
                           data={"csrf_token": token, "reason": "x"}).status_code == 404 or role == "viewer"
        for url in ("/assets/", "/", f"/assets/?year={YEAR}"):
            assert "甲方秘密对手" not in client.get(url).get_data(as_text=True)
        client.post("/logout", data={"csrf_token": token})
    assert _count(db, AssetEntry) == 1


def test_regulator_records_an_allocation(app, db, client, firm):
    org_id = firm["org"].id
    login(client, firm["regulator"])
    page = client.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert f'href="/assets/org/{org_id}"' in page
    ledger = client.get(f"/assets/org/{org_id}").get_data(as_text=True)
    assert f"/assets/org/{org_id}/new/allocation" in ledger and f"/assets/org/{org_id}/new/purchase" not in ledger
    url = f"/assets/org/{org_id}/new/allocation"
    response = post(client, url, {"compliance_year": str(YEAR), "quantity": "95000", "trade_date": "2025-03-20",
                                  "reason": "锦环发〔2025〕18号 配额预分配"}, token_from=url)
    assert response.status_code == 302
    entry = db.session.scalar(select(AssetEntry))
    assert (entry.org_id, entry.kind, entry.quantity_t, entry.created_by_id) == (
        org_id, "allocation", Decimal(95000), firm["regulator"].id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "asset.recorded"))
    assert event.org_id == org_id and event.actor_id == firm["regulator"].id
    # The regulator records allocations only; the enterprise cannot reverse the regulator's allocation.
    assert client.get(f"/assets/org/{org_id}/new/purchase").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, firm["admin"])
    assert client.get(f"/assets/entries/{entry.id}/reverse").status_code == 403
    assert 'data-testid="home-position"' in client.get("/").get_data(as_text=True)


def _audit_count(db):
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_an_enterprise_cannot_allocate_to_itself_in_the_service(app, db, firm):
    """Allowances are allocated by the authority only: no one in the enterprise records an allocation."""
    with app.test_request_context():
        before = (_count(db, AssetEntry), _audit_count(db))
        for role in ("admin", "manager", "viewer"):
            assert not services.may_record(firm[role], firm["org"], "allocation")
            with pytest.raises(ServiceError) as refused, force_locale("en"):
                services.record_entry(firm[role], firm["org"], "allocation",
                                      {"compliance_year": YEAR, "quantity": "50000", "trade_date": date(YEAR, 3, 1),
                                       "reason": "自行登记"})
            with force_locale("en"):
                if role == "admin":
                    assert "allocated by the regulator" in str(refused.value.message)
            db.session.rollback()
        assert (_count(db, AssetEntry), _audit_count(db)) == before
        assert services.may_record(firm["regulator"], firm["org"], "allocation")
        # The enterprise admin records its own trades, offsets and surrenders; the regulator none of them.
        for kind in ("purchase", "sale", "offset_acquired", "surrender"):
            assert services.may_record(firm["admin"], firm["org"], kind)
            assert not services.may_record(firm["regulator"], firm["org"], kind)


def test_only_the_authority_reverses_an_allocation(app, db, firm, authority, make_user):
    with app.test_request_context():
        by_regulator = record(firm, "allocation", quantity="1000", compliance_year=YEAR)
        # An allocation an enterprise recorded for itself before the rule (still in old ledgers).
        own = AssetEntry(org_id=firm["org"].id, kind="allocation", instrument="allowance", compliance_year=YEAR,
                         quantity_t=Decimal(500), trade_date=date(YEAR, 2, 1), reason="旧的自行登记",
                         created_by_id=firm["admin"].id)
        db.session.add(own)
        db.session.commit()
        for entry in (by_regulator, own):
            assert not services.may_reverse(firm["admin"], entry)
            with pytest.raises(ServiceError):
                services.reverse(firm["admin"], entry, "企业冲销")
            db.session.rollback()
        assert services.reversal_of(own) is None and _balance(firm) == Decimal(1500)
        undo = services.reverse(firm["regulator"], own, "企业不得自行登记配额分配")
        assert undo.quantity_t == Decimal(-500) and undo.created_by_id == firm["regulator"].id
        assert services.may_reverse(make_user(authority, "platform_admin"), by_regulator)
        assert not services.may_reverse(make_user(authority, "viewer"), by_regulator)
        assert _balance(firm) == Decimal(1000)


def test_an_enterprise_cannot_allocate_on_the_web(app, db, client, firm):
    org_id = firm["org"].id
    login(client, firm["admin"])
    page = client.get(f"/assets/?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="record-allocation"' not in page and f"/assets/org/{org_id}/new/allocation" not in page
    assert 'data-testid="record-purchase"' in page and 'data-testid="allocation-from-regulator"' in page
    url = f"/assets/org/{org_id}/new/allocation"
    assert client.get(url).status_code == 403
    token = csrf_token(client, f"/assets/org/{org_id}/new/purchase")
    response = client.post(url, data={"csrf_token": token, "compliance_year": str(YEAR), "quantity": "50000",
                                      "trade_date": "2025-03-01", "reason": "自行登记"})
    assert response.status_code == 403
    # Nor the import of a year's allocation, nor its template.
    assert client.get("/assets/allocations/import").status_code == 403
    assert client.get("/assets/allocations/template.xlsx").status_code == 403
    response = client.post("/assets/allocations/import", data={"csrf_token": token, "reason": "自行登记"})
    assert response.status_code == 403
    assert _count(db, AssetEntry) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "asset.recorded")) == 0


def test_the_api_records_no_ledger_entries(app, db, client, firm, token_for):
    """The API has no route that writes the asset ledger (entries are recorded on the web only), so an enterprise's
    token cannot allocate through it either: such a request is a 404 and nothing is stored."""
    api_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert api_rules
    assert [r.rule for r in api_rules if any(w in r.rule for w in ("asset", "allocation", "ledger"))] == []
    headers = token_for(firm["admin"])
    for url in ("/api/v1/assets/allocations", f"/api/v1/assets/org/{firm['org'].id}/allocation",
                "/api/v1/allocations"):
        response = client.post(url, headers=headers, json={"compliance_year": YEAR, "quantity": "50000"})
        assert response.status_code == 404
    assert _count(db, AssetEntry) == 0


def test_the_regulator_overview_lists_covered_enterprises(app, db, client, firm, make_org):
    ten_thousand_tonnes(db, firm)
    with app.test_request_context():
        record(firm, "allocation", quantity="9700", compliance_year=YEAR)
        db.session.commit()
    rice = make_org(name="不在交易体系的米业", industry_code="C1311")
    login(client, firm["regulator"])
    body = client.get(f"/assets/overview?year={YEAR}&price=80").get_data(as_text=True)
    assert firm["org"].name in body and rice.name not in body
    assert f'data-org="{firm["org"].id}"' in body and 'data-balance="-300' in body
    assert "-24,000" in body  # −300 t at 80 CNY/t
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(client, firm["admin"])
    assert client.get("/assets/overview").status_code == 403  # the authority's page


def test_a_decimal_comma_in_the_price_is_refused_not_read_as_thousands(app, db, client, firm):
    ten_thousand_tonnes(db, firm)
    with app.test_request_context():
        record(firm, "allocation", quantity="9700", compliance_year=YEAR)
        db.session.commit()
    login(client, firm["regulator"])
    body = client.get(f"/assets/overview?year={YEAR}&price=80,5").get_data(as_text=True)
    error = re.search(r'data-field-error="price">([^<]*)<', body)
    assert error and "6070.3" in error.group(1) and "60,703" in error.group(1)
    assert "-24,150" not in body and "-2,415,000" not in body
    body = client.get(f"/assets/overview?year={YEAR}&price=1,080").get_data(as_text=True)
    assert 'data-field-error="price"' not in body and "-324,000" in body  # −300 t at 1,080 CNY/t


def test_form_values_are_checked_by_the_service(app, db, client, firm):
    login(client, firm["admin"])
    url = f"/assets/org/{firm['org'].id}/new/purchase"
    body = post(client, url, {"instrument": "allowance", "compliance_year": str(YEAR), "quantity": "100",
                              "price": "-5", "counterparty": "湖北某公司", "trade_date": "2025-06-01",
                              "reason": "合同 2025-18"}, token_from=url).get_data(as_text=True)
    assert 'data-field-error="price"' in body and 'value="湖北某公司"' in body
    body = post(client, url, {"instrument": "offset", "quantity": "100", "price": "60", "counterparty": "某林场",
                              "trade_date": "2025-06-01", "reason": "x"}, token_from=url).get_data(as_text=True)
    assert 'data-field-error="offset_type"' in body
    assert _count(db, AssetEntry) == 0


def test_offsets_are_sold_and_surrendered_by_lot_on_the_page(app, db, client, firm):
    login(client, firm["admin"])
    org_id = firm["org"].id
    url = f"/assets/org/{org_id}/new/offset"
    assert post(client, url, {"offset_type": "CCER", "project_id": "CCER-01-2024-0107", "vintage": "2024",
                              "quantity": "650", "counterparty": "渤海湾海上风电有限公司", "trade_date": "2025-05-06",
                              "reason": "CCER转让协议 2025-05"}, token_from=url).status_code == 302
    url = f"/assets/org/{org_id}/new/surrender"
    form = client.get(url).get_data(as_text=True)
    assert 'value="CCER|CCER-01-2024-0107|2024"' in form
    data = {"instrument": "offset", "compliance_year": str(YEAR), "quantity": "700", "trade_date": "2025-11-20",
            "reason": "2025年度清缴"}
    body = post(client, url, data, token_from=url).get_data(as_text=True)
    assert 'data-field-error="lot"' in body  # no lot chosen
    body = post(client, url, {**data, "lot": "CCER|CCER-01-2024-0107|2024"}, token_from=url).get_data(as_text=True)
    assert 'data-field-error="quantity"' in body and "650" in body  # more than the lot holds
    assert post(client, url, {**data, "quantity": "500", "lot": "CCER|CCER-01-2024-0107|2024"},
                token_from=url).status_code == 302
    surrender = db.session.scalar(select(AssetEntry).where(AssetEntry.kind == "surrender"))
    assert (surrender.instrument, surrender.project_id, surrender.vintage, surrender.compliance_year,
            surrender.quantity_t) == ("offset", "CCER-01-2024-0107", 2024, YEAR, Decimal(-500))


def test_movements_that_take_lock_the_organisation_first(app, db, firm):
    from sqlalchemy import event

    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.test_request_context():
        record(firm, "allocation", quantity="100", compliance_year=YEAR)
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            record(firm, "surrender", instrument="allowance", compliance_year=YEAR, quantity="60")
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
    lock = next(i for i, s in enumerate(statements) if "FROM organisations" in s)
    balance = next(i for i, s in enumerate(statements) if "FROM asset_entries" in s)
    assert lock < balance
    if db.engine.dialect.name == "postgresql":
        assert "FOR UPDATE" in statements[lock]


# --- the demo ledgers -------------------------------------------------------------------------------------

def test_demo_ledger_plans_are_plausible():
    from app.demo import assets as demo
    from app.demo import city

    assert demo.COVERED_DIVISIONS == services.COVERED_DIVISIONS
    now = datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)
    seeds = city.asset_seeds(now)
    slugs = {seed.slug for seed in seeds}
    assert len(slugs) >= 20 and set(demo.SETTLED) | {demo.DUPLICATE} <= slugs
    for seed in seeds:
        plan = seed.plan
        assert plan.at < now
        if plan.kind == "allocation":
            assert Decimal("0.90") <= plan.share <= Decimal("1.05") and plan.by_regulator
        if plan.price is not None:
            assert Decimal(55) <= plan.price <= Decimal(100)
    surrenders = [s.slug for s in seeds if s.plan.kind == "surrender"]
    assert sorted(surrenders) == sorted(demo.SETTLED)
    # Offsets first, up to the cap, then allowances; never more than held.
    assert demo.settle_split(Decimal(10_000), Decimal(500), Decimal(700), Decimal(9_700)) == (500, 9_500)
    assert demo.settle_split(Decimal(10_000), Decimal(500), Decimal(120), Decimal(9_000)) == (120, 9_000)
