"""How fast the accounting engine computes a city's year: prints source-months per second.

    python bench/engine_bench.py [--profile]

500 enterprises × 10 sources × 12 months with a realistic mix of fuels (in various units), electricity,
heat and steam, process and fugitive sources, and the sector methods (power_coal, gases, refinery, cement,
chemicals, oil and gas; app/accounting/methods) at a large city's share.
Figures: (a) compute_line with factors already resolved,
(b) factor resolution included (a fresh FactorLibrary, then engine.compute, which resolves once per
category/material/month/unit; and line_factors called for every line). The target for (a) is 50,000/s.
Then (a) per method, each method's lines alone.
"""
import gc
import random
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.accounting.engine import LineInput, Settings, compute, compute_line, line_factors, totals
from app.accounting.library import FactorLibrary, seed_factors, seed_method_factors
from app.accounting.regimes import compute_regimes

ENTERPRISES, SOURCES, MONTHS, YEAR = 500, 10, 12, 2024

# (category, material, unit, typical monthly quantity, measured parameters); weights roughly a mid-size city's.
KINDS = [
    (30, ("stationary_combustion", "natural_gas", "10^4 Nm3", 40, {})),
    (10, ("stationary_combustion", "natural_gas", "Nm3", 300_000, {})),
    (6, ("stationary_combustion", "natural_gas", "万Nm³", 25, {"ncv": Decimal("384.25")})),
    (8, ("stationary_combustion", "raw_coal", "t", 900, {"ncv": Decimal("21.5")})),
    (4, ("stationary_combustion", "coke", "t", 300, {})),
    (3, ("stationary_combustion", "fuel_oil", "吨", 50, {})),
    (3, ("stationary_combustion", "lpg", "kg", 8_000, {})),
    (10, ("mobile_combustion", "diesel", "t", 15, {})),
    (5, ("mobile_combustion", "diesel", "kg", 12_000, {})),
    (5, ("mobile_combustion", "gasoline", "t", 6, {})),
    (40, ("purchased_electricity", "electricity", "kWh", 2_000_000, {})),
    (10, ("purchased_electricity", "electricity", "MWh", 2_500, {})),
    (2, ("exported_electricity", "electricity", "MWh", 400, {})),
    (8, ("purchased_heat", "heat", "GJ", 4_000, {})),
    (4, ("purchased_heat", "steam", "t", 1_500, {"enthalpy_kj_per_kg": Decimal("2780.5")})),
    (2, ("purchased_heat", "hot_water", "t", 5_000, {"temperature_c": Decimal(95)})),
    (3, ("process", "limestone", "t", 2_000, {})),
    (1, ("process", "dolomite", "t", 500, {})),
    (3, ("fugitive", "SF6", "kg", 1, {})),
    (1, ("fugitive", "HFC-134a", "kg", 20, {})),
]
GAS = {"H2": 25, "CH4": 45, "C2H6": 15, "C3H8": 5, "N2": 8, "CO2": 2}
# (category, method, unit, typical monthly quantity, parameters): the sector methods.
METHOD_KINDS = [
    (3, ("stationary_combustion", "power_coal", "t", 150_000,
         {"ncv_daily": [[50000, "21.2"], [60000, "21.6"], [40000, "21.7"]], "c_ad": "62.5", "m_ad": "2.5",
          "m_ar": "12"})),
    (1, ("stationary_combustion", "power_coal", "t", 150_000, {"ncv_ar": "21.49"})),
    (2, ("stationary_combustion", "fuel_gas", "10^4 Nm3", 2_000, {"composition": GAS})),
    (1, ("process", "flare", "10^4 Nm3", 12.5, {"composition": GAS})),
    (1, ("process", "fcc_coke_burn", "t", 3_200, {"feed": "80000"})),
    (1, ("process", "hydrogen_production", "10^4 Nm3", 1_500,
         {"composition": {"CH4": 94, "C2H6": 3, "C3H8": 1, "CO2": 1, "N2": 1}, "syngas_quantity": "120",
          "syngas_carbon_content": "1.2"})),
    (1, ("process", "co2_recovery", "10^4 Nm3", 800, {"purity": "99.5"})),
    (1, ("process", "clinker", "t", 100_000, {"cao": "65.2", "cao_nc": "0.8", "mgo": "2.1", "mgo_nc": "0.1"})),
    (1, ("process", "nitric_acid", "t", 1_000, {"process": "high_pressure", "abatement_use": "90"})),
    (1, ("fugitive", "equipment_leaks", "d", 30, {"equipment": {"oil_wellhead": 120, "combined_station": 1}})),
    (1, ("process", "carbon_balance", "t", 1, {"inputs": [{"name": "coke", "quantity": "400", "carbon_pct": "85"}],
                                               "outputs": [{"name": "steel", "quantity": "1000",
                                                            "carbon_pct": "0.4"}]})),
]
METHOD_SHARE = 0.15  # of a city's sources: the large emitters filing by a sector method


def build_lines(seed: int = 2024) -> list[LineInput]:
    rng = random.Random(seed)
    weights = [w for w, _ in KINDS]
    kinds = [k for _, k in KINDS]
    method_weights = [w for w, _ in METHOD_KINDS]
    method_kinds = [k for _, k in METHOD_KINDS]
    lines = []
    source_id = 0
    for enterprise in range(ENTERPRISES):
        for _ in range(SOURCES):
            source_id += 1
            name = f"E{enterprise:03d} source {source_id}"
            if rng.random() < METHOD_SHARE:
                category, method, unit, typical, parameters = rng.choices(method_kinds, method_weights)[0]
                for month in range(1, MONTHS + 1):
                    quantity = Decimal(round(typical * rng.uniform(0.6, 1.4), 2)).quantize(Decimal("0.01"))
                    lines.append(LineInput(source_id, name, category, "", date(YEAR, month, 1), quantity, unit,
                                           method=method, parameters=parameters))
                continue
            category, material, unit, typical, measured = rng.choices(kinds, weights)[0]
            for month in range(1, MONTHS + 1):
                quantity = Decimal(round(typical * rng.uniform(0.6, 1.4), 2)).quantize(Decimal("0.01"))
                green = None
                if category == "purchased_electricity" and unit == "MWh" and month % 3 == 0:
                    green = (quantity * Decimal("0.2")).quantize(Decimal("0.01"))
                lines.append(LineInput(source_id, name, category, material, date(YEAR, month, 1), quantity, unit,
                                       measured=measured, green_mwh=green))
    return lines


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f} source-months/s ({n:,} in {seconds:.3f} s)"


def main():
    settings = Settings()
    factors = seed_factors() + seed_method_factors()
    lines = build_lines()
    n = len(lines)

    library = FactorLibrary(factors)
    resolved = [line_factors(library, line, settings) for line in lines]
    for line, f in zip(lines[:2000], resolved):  # warm the unit and per-factor caches
        compute_line(line, f, settings)

    best_a = best_b = best_c = float("inf")
    for _ in range(3):
        results = None
        gc.collect()  # each run starts with the same heap, so the garbage collector's share is comparable
        start = time.perf_counter()
        results = [compute_line(line, f, settings) for line, f in zip(lines, resolved)]
        best_a = min(best_a, time.perf_counter() - start)

        results = None
        gc.collect()
        start = time.perf_counter()
        results = compute(lines, FactorLibrary(factors), settings)
        best_b = min(best_b, time.perf_counter() - start)

        results = None
        gc.collect()
        start = time.perf_counter()
        fresh = FactorLibrary(factors)
        results = [compute_line(line, line_factors(fresh, line, settings), settings) for line in lines]
        best_c = min(best_c, time.perf_counter() - start)

    start = time.perf_counter()
    t = totals(results)
    seconds_totals = time.perf_counter() - start

    # Regimes per enterprise-month, as a filing would have them.
    by_month = {}
    for r in results:
        by_month.setdefault(((r.source_id - 1) // SOURCES, r.month), []).append(r)
    start = time.perf_counter()
    for (_enterprise, month), rows in by_month.items():
        compute_regimes(rows, library, month)
    seconds_regimes = time.perf_counter() - start

    per_method = {}
    for line, f in zip(lines, resolved):
        code = line.method or ("combustion" if line.category.endswith("combustion") else line.category)
        per_method.setdefault(code, ([], []))
        per_method[code][0].append(line)
        per_method[code][1].append(f)
    method_rates = []
    for code, (group, group_factors) in sorted(per_method.items()):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for line, f in zip(group, group_factors):
                compute_line(line, f, settings)
            best = min(best, time.perf_counter() - start)
        method_rates.append((code, len(group), best))

    print(f"{ENTERPRISES} enterprises × {SOURCES} sources × {MONTHS} months = {n:,} source-months (best of 3)")
    print(f"(a) compute_line, factors resolved:      {rate(n, best_a)}   target ≥ 50,000/s")
    print(f"(b) compute incl. factor resolution:     {rate(n, best_b)}")
    print(f"    line_factors + compute_line per line: {rate(n, best_c)}")
    print(f"    totals():                            {rate(n, seconds_totals)}")
    print(f"    compute_regimes per enterprise-month: {len(by_month) / seconds_regimes:,.0f} enterprise-months/s "
          f"({len(by_month):,} in {seconds_regimes:.3f} s)")
    print("(a) per method:")
    for code, count, seconds in method_rates:
        print(f"    {code:<24} {rate(count, seconds)}")
    print(f"city year: scope 1 {t.scope1:,.0f} t, scope 2 {t.scope2:,.0f} t, exported {t.exported:,.0f} t, "
          f"total {t.total:,.0f} tCO2e")

    if "--profile" in sys.argv:
        import cProfile
        import pstats

        def run():
            return [compute_line(line, f, settings) for line, f in zip(lines, resolved)]

        cProfile.runctx("run()", globals(), {"run": run}, "/tmp/engine_bench.prof")
        pstats.Stats("/tmp/engine_bench.prof").sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
