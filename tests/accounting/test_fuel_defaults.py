"""The fuels seeded beside the reference table (issue 17): the seed and migration 0029 agree, and none is confirmed."""
import ast
from decimal import Decimal as D
from pathlib import Path

from app.accounting import fuel_defaults
from app.accounting.factor_texts import citation, status_code
from app.accounting.library import FactorLibrary, seed_factors, seed_fuel_factors
from app.accounting.engine import LineInput, Settings, compute
from datetime import date

MIGRATION = next((Path(__file__).resolve().parents[2] / "migrations" / "versions").glob("*_seed_more_fuels.py"))


def _assigned(name):
    tree = ast.parse(MIGRATION.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name:
            return ast.literal_eval(node.value)
    raise AssertionError(name)


def test_migration_inserts_the_same_rows_as_the_seed():
    assert _assigned("ROWS") == [tuple(r) for r in fuel_defaults.ROWS]
    assert (_assigned("STATUS"), _assigned("SOURCE")) == (fuel_defaults.STATUS, fuel_defaults.SOURCE)


def test_the_fuels_the_issue_names_are_seeded_to_confirm_with_a_citation():
    seeded = {f.code: f for f in seed_fuel_factors()}
    for code in ("petroleum_coke", "naphtha", "lng", "blast_furnace_gas", "converter_gas", "anthracite",
                 "bituminous_coal", "lignite", "washed_coal"):
        f = seeded[code]
        assert f.kind == "fuel" and f.version == 1 and status_code(f.status) == "to_confirm"
        assert "not checked" in f.source and citation(f.source) != f.source  # shown as a translated citation
    assert seeded["blast_furnace_gas"].unit == seeded["converter_gas"].unit == "10^4 Nm3"
    assert seeded["petroleum_coke"].values == {"ncv": D("31.00"), "carbon_content": D("0.02750"),
                                               "oxidation_rate": D("0.98")}
    assert not set(seeded) & {f.code for f in seed_factors() if f.kind == "fuel"}  # new codes only


def test_a_seeded_fuel_computes_with_its_defaults():
    library = FactorLibrary(seed_factors() + seed_fuel_factors())
    line = LineInput(1, "高炉热风炉", "stationary_combustion", "blast_furnace_gas", date(2025, 3, 1), D("1000"),
                     "10^4 Nm3")
    result = compute([line], library, Settings())[0]
    # 1000 × 37.69 × 0.07080 × 0.99 × 44/12
    assert result.co2e_t == D("1000") * D("37.69") * D("0.07080") * D("0.99") * 44 / 12
    assert result.trace["factors"][0]["code"] == "blast_furnace_gas"
