"""The corrected AR6 GWP of SF6 (25,200, IPCC AR6 WG1 Table 7.15) is version 2 of the factor (migration 0012): a
result stored while version 1 (24,300) was in force keeps its figure until it is explicitly recalculated."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.accounting.library import FactorLibrary
from app.accounting.models import EmissionFactor, EmissionSource
from app.extensions import db as _db
from app.filings import calculations, services
from app.filings.models import Calculation, Filing
from app.settings.services import engine_settings, set_setting

MONTH = date(2024, 6, 1)


def _library_before_the_correction() -> FactorLibrary:
    rows = _db.session.scalars(select(EmissionFactor)).all()
    return FactorLibrary(r.to_engine() for r in rows
                         if not (r.kind == "gwp" and r.code == "SF6" and r.series == "AR6" and r.version > 1))


def test_a_result_stored_with_24300_keeps_it_until_recalculated(app, db, plant, regulator):
    switchgear = EmissionSource(org_id=plant["org"].id, facility_id=plant["facility"].id, name="开关柜",
                                category="fugitive", material="SF6", activity_unit="kg")
    db.session.add(switchgear)
    set_setting(regulator, "gwp_set", "AR6")
    db.session.commit()
    with app.test_request_context():
        filing = services.open_filing(plant["admin"], plant["org"], MONTH)
        services.set_activity(plant["admin"], filing, [{"source_id": switchgear.id, "quantity": "0.5", "unit": "kg"}])
        # The month as it was stored before the correction was published: version 1 in force.
        calculations.calculate(filing, plant["admin"], library=_library_before_the_correction(),
                               settings=engine_settings())
        db.session.commit()
        filing_id = filing.id

    stored = db.session.get(Filing, filing_id).current_calculation
    assert stored.total_tco2e == Decimal("12.15")  # 0.0005 t × 24,300
    assert stored.lines[0].trace["factors"][0]["version"] == 1

    with app.test_request_context():
        filing = db.session.get(Filing, filing_id)
        assert filing.current_calculation.total_tco2e == Decimal("12.15")  # reading it never recomputes
        assert calculations.preview(filing).totals.total == Decimal("12.6")
        calculations.recalculate(filing, plant["admin"])
        db.session.commit()
    rows = db.session.scalars(select(Calculation).where(Calculation.filing_id == filing_id)
                              .order_by(Calculation.id)).all()
    assert [(c.is_current, c.total_tco2e) for c in rows[-2:]] == [(False, Decimal("12.15")), (True, Decimal("12.6"))]
    assert rows[-1].lines[0].trace["factors"][0]["version"] == 2
    assert rows[-1].lines[0].trace["factors"][0]["source"] == "IPCC AR6 WG1 Table 7.15"
