"""The enterprise's monthly filing pages: the months, the form, the live preview, submission, amendment."""
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.numbers import rounded
from app.core.service_error import ServiceError
from app.filings import services, workflow
from app.filings.models import Calculation, Evidence, Filing, FilingLine, ReviewComment
from tests.conftest import csrf_token, login, post
from tests.helpers.filings import (
    EXAMPLE_7,
    JUNE,
    UNITS,
    client_for,
    file_with_status,
    hidden_fields,
)


def _form(plant, amounts=None, production="1000", output="5000"):
    """The filing form's fields for worked example 7 (or other amounts; None leaves a source blank)."""
    s = plant["sources"]
    amounts = {**EXAMPLE_7, **(amounts or {})}
    data = {}
    for key, source in s.items():
        data[f"quantity_{source.id}"] = amounts[key] or ""
        data[f"unit_{source.id}"] = UNITS[key]
    data[f"production_{plant['product'].id}"] = production
    data["output_value"] = output
    return data


def _open(client, plant, period=JUNE):
    response = post(client, "/filings/open", {"period": f"{period:%Y-%m}"}, token_from="/filings/")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    filing_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return filing_id


def _post_form(client, filing_id, data, page=None):
    page = page or client.get(f"/filings/{filing_id}").get_data(as_text=True)
    return client.post(f"/filings/{filing_id}", data={**hidden_fields(page), **data})


# --- the months ------------------------------------------------------------------------------------

def test_months_page_lists_status_due_date_and_total(app, client, db, plant, manager, regulator):
    today = date.today()
    this_month = today.replace(day=1)
    last = workflow.add_months(this_month, -1)
    long_ago = workflow.add_months(this_month, -6)
    file_with_status(app, db, plant, period=last)
    login(client, manager)
    page = client.get("/filings/").get_data(as_text=True)
    assert page.count("data-month=") == 25
    row = re.search(rf'<tr data-month="{last:%Y-%m}" data-status="draft">(.*?)</tr>', page, re.DOTALL).group(1)
    assert "2,592.843" not in row  # a recent month uses the latest grid factor, not 2022's
    calc = db.session.scalar(select(Calculation).where(Calculation.is_current))
    assert f"{rounded(calc.total_tco2e, 3):,}" in row
    old = re.search(rf'<tr data-month="{long_ago:%Y-%m}" data-status="not_started">(.*?)</tr>', page, re.DOTALL).group(1)
    assert 'data-testid="overdue"' in old
    current = re.search(rf'<tr data-month="{this_month:%Y-%m}"[^>]*>(.*?)</tr>', page, re.DOTALL).group(1)
    assert 'data-testid="overdue"' not in current
    assert 'data-testid="open-month"' in page

    assert client_for(app, regulator).get("/filings/").status_code == 302


def test_a_future_month_cannot_be_opened(client, plant, manager):
    login(client, manager)
    future = workflow.add_months(date.today().replace(day=1), 1)
    response = client.post("/filings/open", data={"period": f"{future:%Y-%m}", "csrf_token": csrf_token(client, "/filings/")}, follow_redirects=True)
    assert "尚未开始" in response.get_data(as_text=True) or "has not begun" in response.get_data(as_text=True)
    assert post(client, "/filings/open", {"period": "2022-13"}, token_from="/filings/").status_code == 302


def test_viewer_reads_but_cannot_open_a_month(client, db, plant, make_user):
    viewer = make_user(plant["org"], "viewer")
    login(client, viewer)
    assert client.get("/filings/").status_code == 200
    assert post(client, "/filings/open", {"period": "2022-06"}, token_from="/filings/").status_code == 403
    assert db.session.scalar(select(func.count(Filing.id))) == 0


# --- filling in a month ------------------------------------------------------------------------------

def test_fill_and_save_a_draft(client, db, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="filing-form"' in page and "燃气锅炉" in page
    gas = plant["sources"]["gas"]
    # The unit select offers the source's unit and the compatible ones only.
    select_html = re.search(rf'<select[^>]*name="unit_{gas.id}".*?</select>', page, re.DOTALL).group(0)
    assert 'selected value="10^4 Nm3"' in select_html and 'value="Nm3"' in select_html and "MWh" not in select_html
    assert f'name="ncv_{gas.id}"' in page  # measured values for fuels
    assert f'name="green_mwh_{plant["sources"]["power"].id}"' in page

    response = _post_form(client, filing_id, {**_form(plant), f"ncv_{gas.id}": ""}, page)
    assert response.status_code == 302
    filing = db.session.get(Filing, filing_id)
    assert {line.source.name: (line.quantity, line.unit) for line in filing.lines}["燃气锅炉"] == (Decimal(38),
                                                                                               "10^4 Nm3")
    assert filing.production[0].quantity == 1000 and filing.output_value_10k_cny == 5000
    assert rounded(filing.current_calculation.total_tco2e, 3) == Decimal("2592.843")
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert "2,592.843" in page and 'value="38"' in page


def test_a_saved_month_is_saved_again(client, db, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    assert _post_form(client, filing_id, _form(plant)).status_code == 302
    assert _post_form(client, filing_id, _form(plant, {"gas": "40"})).status_code == 302  # a fresh request
    filing = db.session.get(Filing, filing_id)
    assert {line.source_id: line.quantity for line in filing.lines}[plant["sources"]["gas"].id] == 40
    assert len(filing.calculations) == 1 and filing.current_calculation.total_tco2e > Decimal("2592.843")


def test_a_blank_quantity_is_not_saved(client, db, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    assert _post_form(client, filing_id, _form(plant, {"heat": None})).status_code == 302
    assert len(db.session.get(Filing, filing_id).lines) == 3


def test_bad_values_are_shown_beside_their_fields_and_kept(client, db, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    s = plant["sources"]
    data = {**_form(plant, {"gas": "abc", "diesel": "-2"}), f"oxidation_rate_{s['gas'].id}": "1.5",
            f"production_{plant['product'].id}": "一千"}
    response = _post_form(client, filing_id, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in (f"quantity_{s['gas'].id}", f"quantity_{s['diesel'].id}", f"oxidation_rate_{s['gas'].id}",
                 f"production_{plant['product'].id}"):
        assert f'data-field-error="{name}"' in page, name
    # Nothing typed is lost, the good values included.
    for value in ('value="abc"', 'value="-2"', 'value="1.5"', 'value="一千"', 'value="2350.4"'):
        assert value in page
    assert db.session.scalars(select(FilingLine)).all() == []


def _field_error(page, name):
    found = re.search(rf'data-field-error="{name}">([^<]*)<', page)
    return found.group(1) if found else None


def test_a_decimal_comma_is_refused_beside_its_field_not_guessed(client, db, plant, manager):
    """"6070,3" is neither 60,703 nor 6070.3: the field says to use a point, what was typed stays, nothing is stored."""
    login(client, manager)
    filing_id = _open(client, plant)
    s = plant["sources"]
    data = {**_form(plant, {"gas": "6070,3", "diesel": "1.234,5"}), f"ncv_{s['gas'].id}": "38,93",
            f"production_{plant['product'].id}": "1,000,00"}
    response = _post_form(client, filing_id, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in (f"quantity_{s['gas'].id}", f"quantity_{s['diesel'].id}", f"ncv_{s['gas'].id}",
                 f"production_{plant['product'].id}"):
        message = _field_error(page, name)
        assert message is not None and "6070.3" in message and "60,703" in message, (name, message)
    for value in ('value="6070,3"', 'value="1.234,5"', 'value="38,93"', 'value="1,000,00"', 'value="2350.4"'):
        assert value in page
    assert _field_error(page, f"quantity_{s['power'].id}") is None
    assert db.session.scalars(select(FilingLine)).all() == []
    filing = db.session.get(Filing, filing_id)
    assert filing.production == [] and filing.output_value_10k_cny is None


def test_the_service_refuses_a_decimal_comma_too(app, db, plant):
    """Behind every door (form, API, import), set_activity names the source and the value typed."""
    s = plant["sources"]
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], JUNE)
        with pytest.raises(ServiceError) as refused:
            services.set_activity(plant["admin"], filing, [{"source_id": s["gas"].id, "quantity": "6070,3",
                                                             "unit": "10^4 Nm3"}])
        message = str(refused.value.message)
        assert s["gas"].name in message and "6070,3" in message and "6070.3" in message
        assert filing.lines == []


def test_thousands_separators_in_groups_of_three_are_still_read(client, db, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    s = plant["sources"]
    data = {**_form(plant, {"gas": "60,703", "power": "1,234,567.5"}, output="１２,３４５"),
            f"unit_{s['gas'].id}": "Nm3", f"unit_{s['power'].id}": "kWh"}
    assert _post_form(client, filing_id, data).status_code == 302
    filing = db.session.get(Filing, filing_id)
    lines = {line.source_id: (line.quantity, line.unit) for line in filing.lines}
    assert lines[s["gas"].id] == (Decimal(60703), "Nm3")
    assert lines[s["power"].id] == (Decimal("1234567.5"), "kWh")
    assert filing.output_value_10k_cny == 12345


def test_a_calculation_error_shows_above_the_form(client, db, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    power = plant["sources"]["power"]
    response = _post_form(client, filing_id, {**_form(plant), f"green_mwh_{power.id}": "9999"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "外购电力, 2022-06" in page and 'value="9999"' in page
    assert db.session.scalars(select(FilingLine)).all() == []


def test_a_stale_form_is_refused_and_shows_what_changed(app, client, db, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)  # the form is opened...
    s = plant["sources"]
    with app.test_request_context():  # ...a colleague saves the month meanwhile...
        filing = db.session.get(Filing, filing_id)
        services.set_activity(plant["admin"], filing, [{"source_id": s["gas"].id, "quantity": "40",
                                                         "unit": "10^4 Nm3"}])
        db.session.commit()
    response = _post_form(client, filing_id, _form(plant), page)  # ...and the old form is posted.
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    changes = re.search(r'data-testid="changes".*?</table>', body, re.DOTALL).group(0)
    assert "燃气锅炉" in changes and "40 10⁴ Nm³" in changes and "38 10⁴ Nm³" in changes
    assert "外购热力" in changes and "4200 GJ" in changes
    assert 'value="4200"' in body  # the typed values are kept
    filing = db.session.get(Filing, filing_id)
    assert [(line.source_id, line.quantity) for line in filing.lines] == [(s["gas"].id, Decimal(40))]
    # The form now carries the current version: saving again is a deliberate choice.
    assert hidden_fields(body)["version"] == str(filing.version)
    assert _post_form(client, filing_id, _form(plant), body).status_code == 302
    assert len(db.session.get(Filing, filing_id).lines) == 4


def test_a_concurrent_commit_is_caught_by_the_version_column(app, client, db, plant, manager,
                                                              monkeypatch):
    login(client, manager)
    filing_id = _open(client, plant)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    real = services.set_activity

    def racing(actor, filing, *args, **kwargs):
        # Another request commits between this one's read and its write.
        with db.engine.begin() as conn:
            conn.execute(Filing.__table__.update().where(Filing.__table__.c.id == filing.id)
                         .values(version=Filing.__table__.c.version + 1))
        return real(actor, filing, *args, **kwargs)

    monkeypatch.setattr("app.filings.views.services.set_activity", racing)
    response = _post_form(client, filing_id, _form(plant), page)
    assert response.status_code == 409 and 'data-testid="changes"' in response.get_data(as_text=True)
    assert db.session.scalars(select(FilingLine)).all() == []


def test_stale_csrf_token_keeps_the_entries(client, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    data = {**_form(plant), "version": hidden_fields(page)["version"], "csrf_token": "expired"}
    body = client.post(f"/filings/{filing_id}", data=data).get_data(as_text=True)
    assert 'data-testid="stale-form"' in body and 'value="2350.4"' in body


# --- the live preview -------------------------------------------------------------------------------

def test_preview_computes_worked_example_7_and_stores_nothing(client, db, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    response = client.post(f"/filings/{filing_id}/preview", data={**hidden_fields(page), **_form(plant)},
                           headers={"Accept": "application/json"})
    data = response.get_json()
    assert data["totals"]["total"] == "2592.843"
    assert data["totals"]["scope1"] == "869.618" and data["totals"]["scope2"] == "1723.225"
    assert {line["source_id"]: line["scope"] for line in data["lines"]} == {
        s.id: "1" if k in ("gas", "diesel") else "2" for k, s in plant["sources"].items()}
    filing = db.session.get(Filing, filing_id)
    assert filing.lines == [] and filing.calculations == [] and filing.version == 1
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events

    bad = client.post(f"/filings/{filing_id}/preview", data={**hidden_fields(page), **_form(plant, {"gas": "x"})})
    assert "燃气锅炉" in bad.get_json()["errors"][0]
    assert client.post(f"/filings/{filing_id}/preview", data=_form(plant)).status_code == 400  # no CSRF token


def test_preview_and_the_form_without_javascript(client, plant, manager):
    login(client, manager)
    filing_id = _open(client, plant)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert "/static/js/filing.js" in page and "<script>" not in page  # no inline script (CSP)
    assert f'data-preview-url="/filings/{filing_id}/preview"' in page


# --- who may edit -----------------------------------------------------------------------------------

def test_viewer_and_regulator_read_but_cannot_edit(app, client, db, plant, make_user, regulator):
    filing_id = file_with_status(app, db, plant)
    for user in (make_user(plant["org"], "viewer"), regulator):
        client = client_for(app, user)
        page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
        assert 'data-testid="activity-read-only"' in page and 'data-testid="filing-form"' not in page
        assert "燃气锅炉" in page and "2,592.843" in page
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = {**_form(plant, {"gas": "1"}), "csrf_token": token, "version": "1"}
        assert client.post(f"/filings/{filing_id}", data=data).status_code == 403
        assert client.post(f"/filings/{filing_id}/preview", data=data).status_code == 403
        assert client.post(f"/filings/{filing_id}/submit", data=data).status_code == 403
        assert client.get(f"/filings/{filing_id}/submit").status_code == 403
    assert db.session.get(Filing, filing_id).lines[0].quantity == Decimal(38)


def test_another_enterprise_gets_404(app, client, db, plant, make_org, make_user):
    filing_id = file_with_status(app, db, plant)
    with app.test_request_context():
        db.session.add(Evidence(org_id=plant["org"].id, filing_id=filing_id, filename="发票.pdf",
                                content_type="application/pdf", size_bytes=5, sha256="a" * 64))
        db.session.commit()
    evidence_id = db.session.scalar(select(Evidence.id))
    other = make_user(make_org(name="乙企业"), "enterprise_admin")
    login(client, other)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    data = {**_form(plant), "csrf_token": token, "version": "2"}
    assert client.get(f"/filings/{filing_id}").status_code == 404
    assert client.post(f"/filings/{filing_id}", data=data).status_code == 404
    assert client.post(f"/filings/{filing_id}/preview", data=data).status_code == 404
    assert client.get(f"/filings/{filing_id}/submit").status_code == 404
    assert client.get(f"/filings/{filing_id}/amend").status_code == 404
    assert client.get(f"/filings/evidence/{evidence_id}").status_code == 404
    assert client.post(f"/filings/evidence/{evidence_id}/delete", data={"csrf_token": token}).status_code == 404


# --- submission -------------------------------------------------------------------------------------

def _submit_page(client, filing_id):
    response = client.get(f"/filings/{filing_id}/submit")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_submit_a_plausible_month(app, client, db, plant, manager):
    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    page = _submit_page(client, filing_id)
    assert 'data-testid="certification-summary"' in page and "2,592.843" in page
    response = client.post(f"/filings/{filing_id}/submit", data=hidden_fields(page))
    assert response.status_code == 302
    filing = db.session.get(Filing, filing_id)
    assert filing.status == "submitted" and filing.submitted_by_id == manager.id
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="activity-read-only"' in page  # submitted: read only


def test_a_warning_needs_an_explanation(app, client, db, plant, manager, regulator):
    file_with_status(app, db, plant, period=date(2022, 5, 1), status="approved", regulator=regulator)
    filing_id = file_with_status(app, db, plant, amounts={"gas": "80"})  # more than double May's 38
    gas = plant["sources"]["gas"]
    key = f"change:prev:{gas.id}"
    login(client, manager)
    page = _submit_page(client, filing_id)
    assert f'name="explanation-{key}"' in page and "燃气锅炉" in page

    response = client.post(f"/filings/{filing_id}/submit", data={**hidden_fields(page), f"explanation-{key}": "  "})
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    assert db.session.get(Filing, filing_id).status == "draft"

    response = client.post(f"/filings/{filing_id}/submit",
                           data={**hidden_fields(page), f"explanation-{key}": "六月新增一条生产线"})
    assert response.status_code == 302
    filing = db.session.get(Filing, filing_id)
    assert filing.status == "submitted" and filing.explanations == {key: "六月新增一条生产线"}


def test_a_refused_submission_keeps_the_explanations(app, client, db, plant, manager, regulator):
    file_with_status(app, db, plant, period=date(2022, 5, 1), status="approved", regulator=regulator)
    filing_id = file_with_status(app, db, plant, amounts={"gas": "80", "diesel": "100"})
    s = plant["sources"]
    login(client, manager)
    page = _submit_page(client, filing_id)
    typed = {f"explanation-change:prev:{s['gas'].id}": "新生产线投产"}  # the diesel warning left unexplained
    body = client.post(f"/filings/{filing_id}/submit", data={**hidden_fields(page), **typed}).get_data(as_text=True)
    assert "新生产线投产" in body and "厂内车辆" in body
    assert db.session.get(Filing, filing_id).status == "draft"


def test_a_missing_source_blocks_submission(app, client, db, plant, manager):
    filing_id = file_with_status(app, db, plant, amounts={"heat": None})
    login(client, manager)
    page = _submit_page(client, filing_id)
    blocking = re.search(r'data-testid="blocking".*?</ul>', page, re.DOTALL).group(0)
    assert "外购热力" in blocking
    assert re.search(r'<button[^>]*disabled[^>]*data-testid="submit"', page)
    body = client.post(f"/filings/{filing_id}/submit", data=hidden_fields(page)).get_data(as_text=True)
    assert "外购热力" in body
    assert db.session.get(Filing, filing_id).status == "draft"


def test_submit_refuses_a_month_changed_since_the_summary(app, client, db, plant, manager):
    filing_id = file_with_status(app, db, plant)
    login(client, manager)
    page = _submit_page(client, filing_id)
    file_with_status(app, db, plant, amounts={"gas": "39"})  # saved again meanwhile
    response = client.post(f"/filings/{filing_id}/submit", data=hidden_fields(page))
    assert response.status_code == 200 and db.session.get(Filing, filing_id).status == "draft"


# --- returned, approved and amended months ------------------------------------------------------------

def test_review_comments_show_beside_their_line(app, client, db, plant, manager, regulator):
    filing_id = file_with_status(app, db, plant, status="submitted")
    gas = plant["sources"]["gas"]
    with app.test_request_context():
        workflow.return_filing(regulator, db.session.get(Filing, filing_id), "请核对六月数据", {gas.id: "与发票不符"})
        db.session.commit()
    login(client, manager)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="filing-form"' in page  # returned: editable again
    assert "请核对六月数据" in re.search(r'data-testid="conversation".*?</section>', page, re.DOTALL).group(0)
    row = re.search(rf'<tr data-source="{gas.id}">.*?</tr>', page, re.DOTALL).group(0)
    assert "与发票不符" in row
    assert db.session.scalar(select(func.count(ReviewComment.id))) == 2


def test_amend_an_approved_month(app, client, db, plant, manager, regulator):
    filing_id = file_with_status(app, db, plant, status="approved", regulator=regulator)
    login(client, manager)
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="go-amend"' in page and 'data-testid="filing-form"' not in page
    form_page = client.get(f"/filings/{filing_id}/amend").get_data(as_text=True)
    response = client.post(f"/filings/{filing_id}/amend", data={**hidden_fields(form_page), "reason": ""})
    assert response.status_code == 200 and db.session.scalar(select(func.count(Filing.id))) == 1

    response = client.post(f"/filings/{filing_id}/amend", data={**hidden_fields(form_page), "reason": "天然气发票更正"})
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    new = db.session.get(Filing, new_id)
    old = db.session.get(Filing, filing_id)
    assert (new.revision, new.status, new.amends_id, new.amendment_reason) == (2, "draft", filing_id, "天然气发票更正")
    assert sorted((line.source_id, line.quantity) for line in new.lines) == sorted(
        (line.source_id, line.quantity) for line in old.lines)
    assert rounded(new.current_calculation.total_tco2e, 3) == Decimal("2592.843")
    assert old.status == "approved" and len(old.lines) == 4

    page = client.get(f"/filings/{new_id}").get_data(as_text=True)
    assert 'data-testid="filing-form"' in page
    revisions = re.search(r'data-testid="revisions".*?</ul>', page, re.DOTALL).group(0)
    assert f'href="/filings/{filing_id}"' in revisions
    # The approved revision stays readable, and cannot be amended twice.
    assert client.get(f"/filings/{filing_id}").status_code == 200
    assert client.get(f"/filings/{filing_id}/amend").status_code == 302
    # Opening the month again leads to the amendment.
    assert post(client, "/filings/open", {"period": "2022-06"}, token_from="/filings/").headers["Location"].endswith(f"/filings/{new_id}")

    # Once the amendment is approved, it is in force; revision 1 stays readable, marked superseded.
    with app.test_request_context():
        new = db.session.get(Filing, new_id)
        workflow.submit(manager, new)
        workflow.approve(regulator, new)
        db.session.commit()
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="superseded"' in page and 'data-testid="go-amend"' not in page
    page = client.get(f"/filings/{new_id}").get_data(as_text=True)
    assert 'data-testid="go-amend"' in page


def test_viewer_cannot_amend(app, client, db, plant, make_user, regulator):
    filing_id = file_with_status(app, db, plant, status="approved", regulator=regulator)
    login(client, make_user(plant["org"], "viewer"))
    page = client.get(f"/filings/{filing_id}").get_data(as_text=True)
    assert 'data-testid="go-amend"' not in page
    assert client.get(f"/filings/{filing_id}/amend").status_code == 403


def test_opening_a_month_twice_at_once_lands_on_the_one_draft(app, db, client, plant, manager, monkeypatch):
    """A double click on "File a month": both requests read "no filing yet" before either committed, so the
    second one's revision 1 hits the unique constraint. It shows the draft the first one created, not a 500."""
    login(client, manager)
    first = _open(client, plant)
    real, calls = services.latest_filing, []

    def not_yet_committed(org_id, period):
        # The second request's two reads (the view's and open_filing's) happen before the first commits.
        calls.append(period)
        return None if len(calls) <= 2 else real(org_id, period)

    monkeypatch.setattr(services, "latest_filing", not_yet_committed)
    response = post(client, "/filings/open", {"period": f"{JUNE:%Y-%m}"}, token_from="/filings/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/filings/{first}")
    assert db.session.scalar(select(func.count()).select_from(Filing)) == 1


def test_every_owed_month_can_be_opened_by_year_and_none_is_overdue_before_the_first(client, db, plant, manager):
    """An enterprise reporting since 2023-05 picks 2023 from the year list: May to December are owed (overdue, with
    a Start button), January to April say they are not required."""
    org = plant["org"]
    org.first_reporting_month = date(2023, 5, 1)
    db.session.commit()
    login(client, manager)
    page = client.get("/filings/").get_data(as_text=True)
    assert 'data-year="2023"' in page and 'data-year="2022"' not in page
    year = client.get("/filings/?year=2023").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-month="(2023-\d\d)" data-status="[a-z_]+">(.*?)</tr>', year, re.S))
    assert sorted(rows) == [f"2023-{m:02d}" for m in range(1, 13)]
    assert all('data-testid="not-owed"' in rows[f"2023-{m:02d}"] for m in range(1, 5))
    assert all('data-testid="overdue"' in rows[f"2023-{m:02d}"]
               and f'name="period" value="2023-{m:02d}"' in rows[f"2023-{m:02d}"] for m in range(5, 13))
    assert not any('data-testid="overdue"' in rows[f"2023-{m:02d}"] for m in range(1, 5))
    # A year outside the list falls back to the last 24 months.
    assert 'data-month="2019-01"' not in client.get("/filings/?year=2019").get_data(as_text=True)
