"""The carbon asset ledger of the `firm` fixture: months with given figures, entries recorded through the services."""
from datetime import date
from decimal import Decimal

from app.assets import services
from app.filings.calculations import ENGINE_VERSION
from app.filings.models import Calculation, CalculationLine, Filing, FilingLine

YEAR = 2025


def _month(db, org, period, lines, status="approved"):
    """A filed month with a stored calculation whose lines are (source, scope, co2e): the figures as given."""
    filing = Filing(org_id=org.id, period=period, status=status)
    db.session.add(filing)
    db.session.flush()
    calc = Calculation(org_id=org.id, filing_id=filing.id, engine_version=ENGINE_VERSION, settings={},
                       scope1_tco2e=0, scope2_tco2e=0, scope3_tco2e=0, exported_tco2e=0, total_tco2e=0, energy_tce=0)
    db.session.add(calc)
    db.session.flush()
    filing_lines = {}
    for source, scope, co2e in lines:
        line = filing_lines.get(source.id)
        if line is None:
            line = filing_lines[source.id] = FilingLine(org_id=org.id, filing_id=filing.id, source_id=source.id,
                                                        quantity=1, unit="t")
            db.session.add(line)
            db.session.flush()
        db.session.add(CalculationLine(org_id=org.id, calculation_id=calc.id, filing_line_id=line.id,
                                       source_id=source.id, category=source.category, scope=scope, co2_t=co2e,
                                       ch4_t=0, n2o_t=0, co2e_t=Decimal(co2e), energy_tce=0, trace={}))
    db.session.commit()


def ten_thousand_tonnes(db, firm):
    """12 approved months of 2025 whose covered scope 1 + 2 − exported add up to exactly 10,000 t.

    January: kiln 700 (scope 1) + kiln 150 (scope 2) − 50 exported = 800; the uncovered canteen's 999 t and a
    scope 3 line of 333 t do not count. February–August: 800 each (8 months × 800 = 6,400 with January);
    September–December: 900 each (4 × 900 = 3,600). 6,400 + 3,600 = 10,000.
    """
    kiln, canteen = firm["kiln"], firm["canteen"]
    _month(db, firm["org"], date(YEAR, 1, 1), [(kiln, "1", "700"), (kiln, "2", "150"), (kiln, "export", "50"),
                                               (canteen, "1", "999"), (kiln, "3", "333")])
    for m in range(2, 9):
        _month(db, firm["org"], date(YEAR, m, 1), [(kiln, "1", "800")])
    for m in range(9, 13):
        _month(db, firm["org"], date(YEAR, m, 1), [(kiln, "1", "900")])


def record(firm, kind, actor=None, **data):
    """One entry through the service, by the enterprise admin, or by the regulator for an allocation (only the
    authority allocates)."""
    data.setdefault("trade_date", date(YEAR, 6, 1))
    data.setdefault("reason", "测试")
    actor = actor or (firm["regulator"] if kind == "allocation" else firm["admin"])
    return services.record_entry(actor, firm["org"], kind, data)
