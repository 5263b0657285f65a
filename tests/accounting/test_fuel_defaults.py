"""The fuels seeded beside the reference table (issue 17): version 1 to confirm (migration 0029), version 2 confirmed
against the national standard's table (migration 0033); the seeds and both migrations agree."""
import ast
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import select

from app.accounting import fuel_defaults
from app.accounting.engine import LineInput, Settings, compute
from app.accounting.factor_texts import citation, note_text, status_code
from app.accounting.library import FactorLibrary, seed_factors, seed_fuel_factors
from app.accounting.models import EmissionFactor

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
MIGRATION = next(VERSIONS.glob("*_seed_more_fuels.py"))
CONFIRMING = next(VERSIONS.glob("*_confirm_fuel_defaults.py"))


def _assigned(name, migration=MIGRATION):
    tree = ast.parse(migration.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name:
            return ast.literal_eval(node.value)
    raise AssertionError(name)


def test_migration_inserts_the_same_rows_as_the_seed():
    assert _assigned("ROWS") == [tuple(r) for r in fuel_defaults.ROWS]
    assert (_assigned("STATUS"), _assigned("SOURCE")) == (fuel_defaults.STATUS, fuel_defaults.SOURCE)


def test_migration_0033_publishes_the_same_versions_as_the_seed():
    assert _assigned("CONFIRMED_ROWS", CONFIRMING) == [tuple(r) for r in fuel_defaults.CONFIRMED_ROWS]
    for name in ("CONFIRMED_STATUS", "CONFIRMED_SOURCE", "CONFIRMED_NOTE", "UNCHANGED_NOTE"):
        assert _assigned(name, CONFIRMING) == getattr(fuel_defaults, name), name
    assert {row[0] for row in fuel_defaults.CONFIRMED_ROWS} == {row[0] for row in fuel_defaults.ROWS}


def test_the_fuels_the_issue_names_are_seeded_to_confirm_then_confirmed_with_a_citation():
    seeded = {(f.code, f.version): f for f in seed_fuel_factors()}
    for code in ("petroleum_coke", "naphtha", "lng", "blast_furnace_gas", "converter_gas", "anthracite",
                 "bituminous_coal", "lignite", "washed_coal"):
        first, second = seeded[code, 1], seeded[code, 2]
        assert first.kind == "fuel" and status_code(first.status) == "to_confirm"
        assert "not checked" in first.source and citation(first.source) != first.source  # a translated citation
        assert status_code(second.status) == "confirmed" and second.confirmed
        assert second.source.startswith("GB/T 32151.22-2024, Appendix C, Table C.1")
        assert citation(second.source) != second.source
        assert (second.valid_from, second.valid_to, second.unit) == (first.valid_from, first.valid_to, first.unit)
    assert seeded["blast_furnace_gas", 2].unit == seeded["converter_gas", 2].unit == "10^4 Nm3"
    assert seeded["petroleum_coke", 1].values == {"ncv": D("31.00"), "carbon_content": D("0.02750"),
                                                  "oxidation_rate": D("0.98")}
    # The corrections the check found (CONFIRM_REPORT.md): LNG's 41.868 GJ/t is a tonne of oil equivalent.
    assert seeded["petroleum_coke", 2].values["ncv"] == D("32.5")
    assert seeded["naphtha", 2].values["ncv"] == D("44.5")
    assert seeded["lng", 2].values == {"ncv": D("51.498"), "carbon_content": D("0.0153"),
                                       "oxidation_rate": D("0.98")}
    assert seeded["briquette", 2].values == seeded["briquette", 1].values  # the one fuel right as seeded
    assert not {code for code, _ in seeded} & {f.code for f in seed_factors() if f.kind == "fuel"}  # new codes only


def test_a_seeded_fuel_computes_with_its_confirmed_version():
    library = FactorLibrary(seed_factors() + seed_fuel_factors())
    line = LineInput(1, "高炉热风炉", "stationary_combustion", "blast_furnace_gas", date(2025, 3, 1), D("1000"),
                     "10^4 Nm3")
    result = compute([line], library, Settings())[0]
    # 1000 × 33.00 × 0.07080 × 0.99 × 44/12 (GB/T 32151.22-2024 Table C.1)
    assert result.co2e_t == D("1000") * D("33.00") * D("0.07080") * D("0.99") * 44 / 12
    [traced] = result.trace["factors"]
    assert (traced["code"], traced["version"], traced["status"]) == ("blast_furnace_gas", 2, "confirmed")


def test_the_migrated_library_has_version_2_of_each_fuel_confirmed_with_its_citation(app, db):
    """Migration 0033: a new row per fuel (version 1 untouched), valid from version 1's date, so the months
    calculated with version 1 are listed for recalculation on the factor page."""
    confirmed = {code: (ncv, cc, of) for code, ncv, cc, of in fuel_defaults.CONFIRMED_ROWS}
    for code, *_rest in fuel_defaults.ROWS:
        rows = db.session.scalars(select(EmissionFactor).where(EmissionFactor.kind == "fuel",
                                                               EmissionFactor.code == code)
                                  .order_by(EmissionFactor.version)).all()
        assert [r.version for r in rows] == [1, 2], code
        first, second = rows
        assert (first.status, first.source) == (fuel_defaults.STATUS, fuel_defaults.SOURCE)
        assert (second.status, second.source) == ("confirmed", fuel_defaults.CONFIRMED_SOURCE)
        assert (second.valid_from, second.valid_to, second.unit) == (first.valid_from, first.valid_to, first.unit)
        assert (second.name_zh, second.name_en, second.published_by_id) == (first.name_zh, first.name_en, None)
        ncv, cc, of = confirmed[code]
        assert second.values == {"ncv": ncv, "carbon_content": cc, "oxidation_rate": of}
        expected_note = fuel_defaults.UNCHANGED_NOTE if code == "briquette" else fuel_defaults.CONFIRMED_NOTE
        assert second.note == expected_note
        with app.test_request_context(), force_locale("zh"):  # the factor page shows both in Chinese
            assert "GB/T 32151.22" in citation(second.source) and "表C.1" in citation(second.source)
            assert "国家标准" in note_text(second.note)
