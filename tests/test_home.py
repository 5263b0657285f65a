"""The regulator's home page is the month's work: where each enterprise's filing of the month just ended stands,
the reviews waiting and the enterprises with months overdue, reminded from there."""
from datetime import date

from sqlalchemy import select

from app.core.types import city_today
from app.filings.models import APPROVED, RETURNED, SUBMITTED
from app.filings.workflow import add_months
from app.home import services
from app.notifications.models import Notification
from tests.conftest import login, post
from tests.helpers.city import filed_month


def _city(db, make_org, make_user):
    """Four enterprises owing last month: approved, submitted, returned, and one that never filed (overdue since
    three months)."""
    last = add_months(city_today().replace(day=1), -1)
    start = add_months(last, -2)
    orgs = {name: make_org(name=name, first_reporting_month=start) for name in ("甲化工", "乙电厂", "丙水泥", "丁钢铁")}
    for org in orgs.values():
        make_user(org, "enterprise_admin")
    for name, status in (("甲化工", APPROVED), ("乙电厂", SUBMITTED), ("丙水泥", RETURNED)):
        for month in (start, add_months(start, 1)):
            filed_month(orgs[name], month, "100")
        filed_month(orgs[name], last, "100", status=status)
    db.session.commit()
    return orgs, last


def test_the_home_page_shows_the_months_work(app, db, client, make_org, make_user, regulator):
    orgs, last = _city(db, make_org, make_user)
    with app.test_request_context():
        home = services.authority_home(city_today())
    states = {s.organisation.name: s.status for s in home["completion"]}
    assert home["period"] == last and home["owing"] == 4
    assert states == {"甲化工": APPROVED, "乙电厂": SUBMITTED, "丙水泥": RETURNED, "丁钢铁": None}
    # Work left first: not started, returned, submitted; approved last.
    assert [s.organisation.name for s in home["completion"]] == ["丁钢铁", "丙水泥", "乙电厂", "甲化工"]
    assert (home["waiting"], home["waiting_amendments"]) == (1, 0)
    late = {e.organisation.name: e.months for e in home["late"]}
    assert late["丁钢铁"] >= 2 and "甲化工" not in late and "乙电厂" not in late

    login(client, regulator)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="month-approved">1 / 4<' in page
    table = page.split('data-testid="month-completion"', 1)[1].split("</table>", 1)[0]
    assert f'data-org="{orgs["丁钢铁"].id}" data-status="none"' in table
    assert f'data-org="{orgs["丙水泥"].id}" data-status="returned"' in table
    assert f'data-org="{orgs["甲化工"].id}"' not in table  # approved ones are counted, not listed
    assert "另有 1 家企业已批准" in page
    assert 'data-testid="reviews-waiting">1<' in page
    overdue = page.split('data-testid="late-enterprises"', 1)[1].split("</table>", 1)[0]
    assert f'data-org="{orgs["丁钢铁"].id}"' in overdue


def test_reminding_from_the_home_page_comes_back_home(app, db, client, make_org, make_user, regulator):
    orgs, _last = _city(db, make_org, make_user)
    login(client, regulator)
    answer = post(client, "/inbox/remind-overdue", {"org_id": orgs["丁钢铁"].id, "back": "home"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/")
    notices = db.session.scalars(select(Notification).where(Notification.org_id == orgs["丁钢铁"].id)).all()
    assert notices and all(n.org_id == orgs["丁钢铁"].id for n in notices)
    assert not db.session.scalars(select(Notification).where(Notification.org_id == orgs["甲化工"].id)).all()


def test_an_enterprise_owing_nothing_yet_is_not_counted(app, db, make_org):
    make_org(name="明年起报企业", first_reporting_month=date(city_today().year + 1, 1, 1))
    with app.test_request_context():
        home = services.authority_home(city_today())
    assert home["owing"] == 0 and home["late_total"] == 0
