"""Oil and gas extraction (sector-methods.md §7): equipment leaks by count, venting, CH4 recovered."""
from decimal import Decimal

from app.accounting.methods.base import (
    CH4_T_PER_10K_NM3,
    CO2_T_PER_10K_NM3,
    PLAN_DEFAULT,
    ZERO,
    Masses,
    MethodError,
    number,
)

LEAK_EQUIPMENT = ("oil_wellhead", "single_well_tank", "transfer_station", "combined_station", "gas_wellhead",
                  "gathering_station", "metering_station", "storage_station")
VENT_EQUIPMENT = ("single_well_tank", "transfer_station", "combined_station", "gathering_station", "storage_station")
DAYS_IN_YEAR = Decimal(365)


def _counts(inp, prefix: str, known: tuple) -> Decimal:
    """Σ N_k × EF_k × d/365 with the quantity as d, the days in operation."""
    counts = inp.raw("equipment")
    if not isinstance(counts, dict) or not counts:
        raise MethodError(f"equipment counts are needed, e.g. {{\"{known[0]}\": 120}} (kinds: {', '.join(known)})")
    total = ZERO
    for kind, n in counts.items():
        if kind not in known:
            raise MethodError(f"unknown equipment {kind!r} (kinds: {', '.join(known)})")
        n = number(n, f"equipment {kind}")
        code = f"{prefix}.ef_{kind}"
        ef = inp.factor_value(code)
        total += n * ef
        inp.note(f"ef_{kind}", str(ef), "t CH4/(unit·yr)", PLAN_DEFAULT)
    inp.note("equipment", {k: str(v) for k, v in counts.items()}, "units")
    return total * inp.quantity / DAYS_IN_YEAR


def equipment_leaks(inp) -> Masses:
    """CH4 = Σ N_k × EF_k × d/365 (EF t CH4 per unit and year)."""
    return Masses(ch4_fossil_t=_counts(inp, "equipment_leaks", LEAK_EQUIPMENT))


def venting(inp) -> Masses:
    """Measured: CH4 = Q × V_CH4 × 7.17, acid-gas CO2 = Q × V_CO2 × 19.7 (Q in 10⁴ Nm³); else counts × EF over days.

    CH4 recovered from this vent (recovered_volume × recovered_purity × 7.17) is kept beside it: regimes subtract it
    from this vent only."""
    unit = inp.line.unit
    if unit == "d":
        ch4, co2 = _counts(inp, "venting", VENT_EQUIPMENT), ZERO
    else:
        v_ch4 = inp.value("ch4_fraction", percent=True)
        v_co2 = inp.value("co2_fraction", percent=True) if inp.has("co2_fraction") else ZERO
        if v_ch4 + v_co2 > 1:
            raise MethodError("ch4_fraction and co2_fraction add up to more than 100 %")
        ch4 = inp.quantity * v_ch4 * CH4_T_PER_10K_NM3
        co2 = inp.quantity * v_co2 * CO2_T_PER_10K_NM3
    recovered = ZERO
    if inp.has("recovered_volume"):
        volume = inp.value("recovered_volume")
        purity = inp.value("recovered_purity", percent=True) if inp.has("recovered_purity") else ZERO
        if purity > 1:
            raise MethodError("recovered_purity is at most 100 %")
        if not inp.has("recovered_purity"):
            inp.substituted.append("recovered_purity")
            inp.traced["recovered_purity"] = {"value": "0", "unit": "%", "provenance": "substituted",
                                              "reason": "no measured purity: a deduction takes zero"}
        recovered = volume * purity * CH4_T_PER_10K_NM3
    return Masses(ch4_fossil_t=ch4, co2_fossil_t=co2, ch4_recovered_t=recovered)

