"""Issue 17: after a new factor version, the approved months calculated with an older one are listed on the factor
page and recalculated by the regulator in one explicit, audited step (a new Calculation each; nothing edited)."""
import re
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app.accounting.models import EmissionFactor
from app.audit.models import AuditEvent
from app.factors import services as factors
from app.filings.models import Calculation, Filing, MonthlyTotal
from app.footprint import factor_months
from tests.conftest import post
from tests.helpers.filings import file_month

GAS = D("38")  # 10⁴ Nm³ of natural gas in the plant's month (worked example 7)


def _natural_gas(db):
    return db.session.scalar(select(EmissionFactor).where(EmissionFactor.kind == "fuel",
                                                          EmissionFactor.code == "natural_gas")
                             .order_by(EmissionFactor.version.desc()))


def _publish(app, db, regulator, ncv="390.1", valid_from=date(2000, 1, 1)):
    with app.test_request_context():
        current = _natural_gas(db)
        row = factors.publish_version(regulator, current, {**current.values, "ncv": ncv}, valid_from, None,
                                      "GB/T 2589-2020 附录A", "confirmed", "修订")
        db.session.commit()
        return row.id


def _gas_co2(ncv):
    return GAS * D(ncv) * D("0.0153") * D("0.99") * 44 / 12


def test_months_on_the_older_version_are_listed_and_recalculated(app, db, client, login_as, plant, regulator):
    filing_id = file_month(app, db, plant, approve_by=regulator)
    old_total = db.session.get(Filing, filing_id).current_calculation.total_tco2e
    old_id = _natural_gas(db).id
    new_id = _publish(app, db, regulator)

    login_as(regulator)
    page = client.get(f"/factors/{new_id}").get_data(as_text=True)
    section = page.split('data-testid="factor-months"')[1]
    assert f'data-testid="factor-month-{filing_id}"' in section and "2022-06" in section
    assert f"/factors/{old_id}" not in section  # the section is the month list, not the history

    url = f"/footprint/factors/{new_id}/recalculate"
    confirm = client.get(url).get_data(as_text=True)
    row = confirm.split(f'data-testid="factor-month-{filing_id}"')[1].split("</tr>")[0]
    expected_new = old_total - _gas_co2("389.31") + _gas_co2("390.1")
    before = re.search(r'data-testid="before">([^<]+)<', row).group(1)
    after = re.search(r'data-testid="after">([^<]+)<', row).group(1)
    assert before == f"{old_total:,.3f}" and after == f"{expected_new:,.3f}"
    db.session.expire_all()
    assert len(db.session.get(Filing, filing_id).calculations) == 1  # the comparison stored nothing

    response = post(client, url, {"filing_id": str(filing_id)}, token_from=url)
    assert response.status_code == 200 and 'data-testid="factor-months-done"' in response.get_data(as_text=True)
    db.session.expire_all()
    filing = db.session.get(Filing, filing_id)
    assert filing.status == "approved" and len(filing.calculations) == 2
    old, new = filing.calculations
    assert (old.is_current, old.total_tco2e) == (False, old_total)  # kept as it was
    assert new.is_current and new.reason == "recalculated"
    assert new.total_tco2e == expected_new.quantize(D("1e-10"))
    assert db.session.scalar(select(MonthlyTotal.total_tco2e).where(MonthlyTotal.filing_id == filing_id)) == \
        new.total_tco2e
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "factor.months_recalculated"))
    assert event.actor_id == regulator.id
    assert event.detail["months"] == [{"org_id": plant["org"].id, "period": "2022-06-01", "filing_id": filing_id,
                                       "old_total": str(old_total), "new_total": str(new.total_tco2e)}]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "filing.recalculated")) is not None
    # Done: the factor page no longer lists the month.
    assert 'data-testid="factor-months-none"' in client.get(f"/factors/{new_id}").get_data(as_text=True)


def test_a_version_valid_only_later_leaves_earlier_months_alone(app, db, plant, regulator):
    file_month(app, db, plant, approve_by=regulator)  # 2022-06
    new_id = _publish(app, db, regulator, valid_from=date(2023, 1, 1))
    with app.test_request_context():
        assert factor_months.stale_months(db.session.get(EmissionFactor, new_id)) == []


def test_drafts_and_submitted_months_are_not_listed(app, db, plant, regulator):
    file_month(app, db, plant)  # submitted, not approved
    new_id = _publish(app, db, regulator)
    with app.test_request_context():
        assert factor_months.stale_months(db.session.get(EmissionFactor, new_id)) == []


@pytest.mark.parametrize("who", ["enterprise_admin", "city_viewer"])
def test_enterprises_neither_see_nor_recalculate_the_city_months(app, db, client, login_as, plant, regulator, people,
                                                                  who):
    filing_id = file_month(app, db, plant, approve_by=regulator)
    new_id = _publish(app, db, regulator)
    for user in (plant["admin"] if who == "enterprise_admin" else people["city_viewer"],):
        login_as(user)
        page = client.get(f"/factors/{new_id}").get_data(as_text=True)
        assert 'data-testid="factor-months"' not in page and f"factor-month-{filing_id}" not in page
        url = f"/footprint/factors/{new_id}/recalculate"
        assert client.get(url).status_code == 403
    db.session.expire_all()
    assert len(db.session.get(Filing, filing_id).calculations) == 1


def test_a_posted_month_not_on_the_list_is_not_recalculated(app, db, client, login_as, plant, regulator):
    filing_id = file_month(app, db, plant, approve_by=regulator)
    new_id = _publish(app, db, regulator)
    login_as(regulator)
    url = f"/footprint/factors/{new_id}/recalculate"
    response = post(client, url, {"filing_id": str(filing_id + 999)}, token_from=url)
    assert response.status_code == 200
    db.session.expire_all()
    assert len(db.session.scalars(select(Calculation).where(Calculation.filing_id == filing_id)).all()) == 1
