"""The monthly rollup: kept in the same transaction as approvals, amendments and recalculations, and always
equal to a rebuild from the filings."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.filings import calculations, rollups, services, workflow
from app.filings.models import Filing, MonthlyTotal
from app.tenancy import Scope, scope_of, unscoped
from tests.helpers.filings import EXAMPLE_7, JUNE, NOW, draft_month

MAY = date(2022, 5, 1)


def _stored(db):
    return {(r.org_id, r.period): r for r in db.session.scalars(
        select(MonthlyTotal).execution_options(populate_existing=True,  # rows are rewritten by plain SQL
                                               **unscoped("test: every enterprise's rows")))}


def _agree(db):
    assert rollups.differences(db.session) == []


def _lines(plant, gas):
    return [{"source_id": s.id, "quantity": gas if key == "gas" else EXAMPLE_7[key], "unit": s.activity_unit}
            for key, s in plant["sources"].items()]


def test_approval_amendment_and_recalculation_keep_the_rollup_in_the_same_transaction(app, db, plant, regulator):
    org_id = plant["org"].id
    with app.test_request_context():
        june = draft_month(plant)
        workflow.submit(plant["admin"], june, now=NOW)
        assert _stored(db) == {}  # submitted months are not in the city's totals
        workflow.approve(regulator, june, now=NOW)
        row = _stored(db)[(org_id, JUNE)]  # written in the approval's flush, before any commit
        db.session.refresh(june.current_calculation)  # the stored figures (to 10^-10 t)
        assert (row.filing_id, row.total_tco2e) == (june.id, june.current_calculation.total_tco2e)
        assert row.scope1_tco2e == june.current_calculation.scope1_tco2e
        calc = june.current_calculation  # and by reporting regime (sector-methods.md §1)
        assert (row.ets_tco2e, row.guideline_tco2e, row.inventory_tco2e) == (
            calc.ets_tco2e, calc.guideline_tco2e, calc.inventory_tco2e) and row.inventory_tco2e is not None
        db.session.commit()

        may = draft_month(plant, period=MAY)
        workflow.submit(plant["admin"], may, now=NOW)
        workflow.return_filing(regulator, may, "请核对", now=NOW)
        assert set(_stored(db)) == {(org_id, JUNE)}  # a returned month counts nowhere

        # An amendment counts only once approved; then it replaces the approved revision.
        second = workflow.amend(plant["admin"], plant["org"], JUNE, "燃气表读数更正")
        services.set_activity(plant["admin"], second, _lines(plant, "30"),
                              [{"product_id": plant["product"].id, "quantity": "1000"}], "5000")
        assert _stored(db)[(org_id, JUNE)].filing_id == june.id
        workflow.submit(plant["admin"], second, {f"change:prev:{plant['sources']['gas'].id}": "表计更换"}, now=NOW)
        workflow.approve(regulator, second, now=NOW)
        row = _stored(db)[(org_id, JUNE)]
        assert row.filing_id == second.id
        db.session.refresh(second.current_calculation)
        assert row.total_tco2e == second.current_calculation.total_tco2e < june.current_calculation.total_tco2e
        _agree(db)

        # A recalculation of the approved month moves its row to the new calculation.
        new = calculations.recalculate(second, regulator)
        db.session.flush()
        assert _stored(db)[(org_id, JUNE)].calculation_id == new.id
        _agree(db)
        db.session.commit()
    assert len(_stored(db)) == 1


def test_a_rollback_takes_the_rollup_with_it(app, db, plant, regulator):
    with app.test_request_context():
        june = draft_month(plant)
        workflow.submit(plant["admin"], june, now=NOW)
        db.session.commit()
        workflow.approve(regulator, june, now=NOW)
        assert _stored(db)
        db.session.rollback()
        assert _stored(db) == {} and db.session.get(Filing, june.id).status == "submitted"


def test_rebuild_equals_maintained_and_the_cli_checks_it(app, db, plant, regulator):
    with app.test_request_context():
        for month in (3, 4, 5):
            filing = draft_month(plant, period=date(2022, month, 1),
                                 amounts={"gas": str(30 + month)})
            workflow.submit(plant["admin"], filing,
                            {f"change:prev:{plant['sources']['gas'].id}": "x"}, now=NOW)
            workflow.approve(regulator, filing, now=NOW)
        db.session.commit()
        maintained = {k: (r.filing_id, r.calculation_id, r.total_tco2e) for k, r in _stored(db).items()}
        assert len(maintained) == 3
        assert rollups.rebuild(db.session) == 3
        db.session.commit()
        rebuilt = {k: (r.filing_id, r.calculation_id, r.total_tco2e) for k, r in _stored(db).items()}
        assert rebuilt == maintained

    result = app.test_cli_runner().invoke(args=["rollups", "check"])
    assert result.exit_code == 0, result.output
    # Spoil one row behind the app's back: the check finds it and a rebuild mends it.
    with app.app_context():
        db.session.execute(MonthlyTotal.__table__.update().values(total_tco2e=Decimal(1)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["rollups", "check"])
    assert result.exit_code == 1 and "3 enterprise-months differ" in result.output
    result = app.test_cli_runner().invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0 and "3 enterprise-months rebuilt" in result.output
    assert app.test_cli_runner().invoke(args=["rollups", "check"]).exit_code == 0


def test_an_enterprise_reads_only_its_own_rollup_rows(app, db, plant, regulator, make_org):
    other = make_org(name="另一家企业")
    with app.test_request_context():
        june = draft_month(plant)
        workflow.submit(plant["admin"], june, now=NOW)
        workflow.approve(regulator, june, now=NOW)
        db.session.commit()
        with scope_of(plant["admin"]):
            assert len(db.session.scalars(select(MonthlyTotal)).all()) == 1
        with scope_of(Scope("org", other.id)):
            assert db.session.scalars(select(MonthlyTotal)).all() == []
