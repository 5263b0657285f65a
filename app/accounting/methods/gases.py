"""Gas streams metered in 10⁴ Nm³ with a composition (sector-methods.md §3): fuel gas, flares, hydrogen plants, CO2
recovered. Compositions are % by volume at 0 °C and 101.325 kPa, as the GC report gives them."""
from decimal import Decimal

from app.accounting.methods.base import (
    BLOCK,
    CH4_T_PER_10K_NM3,
    CO2_T_PER_10K_NM3,
    HUNDRED,
    MOLAR_VOLUME,
    TWELVE,
    ZERO,
    Band,
    BandFamily,
    Issue,
    Masses,
    MethodError,
    band_issue,
    bands_of,
    number,
)

# Carbon atoms per molecule of each component a GC report names; anything else is refused, never guessed.
CARBON_NUMBER = {
    "CH4": 1, "C2H6": 2, "C2H4": 2, "C2H2": 2, "C3H8": 3, "C3H6": 3, "C4H10": 4, "C4H8": 4, "C5H12": 5, "C5H10": 5,
    "C6H14": 6, "C6+": 6, "CO": 1, "CO2": 1,
    "H2": 0, "N2": 0, "O2": 0, "H2O": 0, "H2S": 0, "Ar": 0, "He": 0, "NH3": 0,
}
_BY_FOLDED = {name.casefold(): name for name in CARBON_NUMBER}
C_PER_NM3_FACTOR = TWELVE * 10 / MOLAR_VOLUME  # tC per 10⁴ Nm³ for one carbon atom per molecule at V = 1
COMPOSITION_SUM = BandFamily("gas_composition_sum", "%", Band(Decimal("99"), Decimal("101")),
                             Band(Decimal("98"), Decimal("102")))  # Σ V in %, §10
SUM_WARN, SUM_BLOCK = COMPOSITION_SUM.warn, COMPOSITION_SUM.block


def composition(raw, what: str = "composition") -> dict[str, Decimal]:
    """{"CH4": 35, ...} in % by volume → {"CH4": Decimal("35"), ...}, names as the table spells them."""
    if not isinstance(raw, dict) or not raw:
        raise MethodError(f"{what} must be the gas composition, e.g. {{\"CH4\": 35, \"H2\": 30}} (% by volume)")
    out = {}
    for name, pct in raw.items():
        species = name if name in CARBON_NUMBER else _BY_FOLDED.get(str(name).strip().casefold())
        if species is None:
            raise MethodError(f"{what}: unknown component {name!r} (known: {', '.join(CARBON_NUMBER)})")
        value = number(pct, f"{what} {species}")
        if value > HUNDRED:
            raise MethodError(f"{what} {species} is {value} %: a share of the volume is at most 100 %")
        out[species] = out.get(species, ZERO) + value
    return out


def carbon_sum(parts: dict[str, Decimal], exclude_co2: bool = False) -> Decimal:
    """Σ CN × V with V as a fraction (1.01 for worked example 4)."""
    return sum((CARBON_NUMBER[s] * pct for s, pct in parts.items() if not (exclude_co2 and s == "CO2")),
               ZERO) / HUNDRED


def carbon_content(parts: dict[str, Decimal], exclude_co2: bool = False) -> Decimal:
    """CC_g = Σ 12 × CN × V / 22.4 × 10, tC per 10⁴ Nm³."""
    return carbon_sum(parts, exclude_co2) * C_PER_NM3_FACTOR


def _read_composition(inp, name: str = "composition") -> dict[str, Decimal]:
    parts = composition(inp.raw(name), name)
    inp.traced[name] = {"value": {s: str(v) for s, v in parts.items()}, "unit": "% vol", "provenance": "measured"}
    return parts


def composition_issues(raw, name: str = "composition", bands=None) -> list[Issue]:
    try:
        parts = composition(raw, name)
    except MethodError:
        return [Issue(BLOCK, "bad_composition", name)]
    issue = band_issue(name, sum(parts.values(), ZERO), *bands_of(bands, COMPOSITION_SUM), code="composition_sum",
                       unit=COMPOSITION_SUM.unit)
    return [issue] if issue else []


def gas_checks(parameters, quantity, factors=None, bands=None):
    if parameters.get("composition") is None:
        return []
    return composition_issues(parameters.get("composition"), bands=bands)


# -------------------------------------------------------------------------------------------------- methods

def fuel_gas(inp) -> Masses:
    """E = Q × CC_g × OF × 44/12, CC_g from the composition (CO and CO2 carbon included)."""
    parts = _read_composition(inp)
    cc = carbon_content(parts)
    of = inp.value("oxidation_rate")
    inp.note("carbon_content", str(cc), "tC/10^4 Nm3", "calculated")
    ncv = inp.optional("ncv")
    if ncv is not None:
        inp.energy_gj = inp.quantity * ncv
    return Masses(co2_fossil_t=inp.quantity * cc * of * 44 / TWELVE)


def flare(inp) -> Masses:
    """E = Q × (CC_nonCO2 × OF × 44/12 + V_CO2 × 19.7).

    With ch4_slip (oil and gas extraction), also CH4 = Q × V_CH4 × (1 − OF) × 7.17."""
    parts = _read_composition(inp)
    cc = carbon_content(parts, exclude_co2=True)
    of = inp.value("oxidation_rate")
    q = inp.quantity
    co2 = q * (cc * of * 44 / TWELVE + parts.get("CO2", ZERO) / HUNDRED * CO2_T_PER_10K_NM3)
    ch4 = ZERO
    if inp.raw("ch4_slip"):
        inp.note("ch4_slip", True)
        ch4 = q * parts.get("CH4", ZERO) / HUNDRED * (1 - of) * CH4_T_PER_10K_NM3
    inp.note("carbon_content_non_co2", str(cc), "tC/10^4 Nm3", "calculated")
    return Masses(co2_fossil_t=co2, ch4_fossil_t=ch4)


ACCIDENT_INDUSTRIES = ("refining", "chemicals")


def accident_flare(inp) -> Masses:
    """E = GF × T × CN × OF × 44/22.4 × 10; the quantity is GF × T, the gas flared in the events (10⁴ Nm³)."""
    industry = inp.raw("industry") or "refining"
    if industry not in ACCIDENT_INDUSTRIES:
        raise MethodError(f"industry must be one of {', '.join(ACCIDENT_INDUSTRIES)}, got {industry!r}")
    inp.note("industry", industry, "")
    cn = inp.value("carbon_number", default=f"accident_flare.carbon_number_{industry}", positive=True)
    of = inp.value("oxidation_rate")
    if inp.has("hours"):
        inp.value("hours")
    return Masses(co2_fossil_t=inp.quantity * cn * of * 44 * 10 / MOLAR_VOLUME)


def accident_checks(parameters, quantity, factors=None, bands=None):
    hours = parameters.get("hours")
    if hours is None:
        return []
    try:
        hours = number(hours, "hours")
    except MethodError:
        return [Issue(BLOCK, "not_a_number", "hours")]
    month_hours = parameters.get("_hours_in_month")
    if month_hours is not None and hours > month_hours:
        return [Issue(BLOCK, "more_hours_than_month", "hours", hours, None, month_hours)]
    return []


def hydrogen_production(inp) -> Masses:
    """E = [AD_f × CC_f − (Q_sg × CC_sg + Q_r × CC_r)] × 44/12 (mass balance; reformer fuel is its own line)."""
    if inp.has("composition"):
        cc_feed = carbon_content(_read_composition(inp))
        inp.note("feed_carbon_content", str(cc_feed), "tC/10^4 Nm3", "calculated")
    else:
        cc_feed = inp.value("feed_carbon_content", required_reason=(
            "hydrogen_production needs the feed's composition (gas) or feed_carbon_content (tC per unit)"))
    carbon_in = inp.quantity * cc_feed
    carbon_out = ZERO
    for stream in ("syngas", "residue"):
        if inp.has(f"{stream}_quantity"):
            q = inp.value(f"{stream}_quantity")
            cc = inp.value(f"{stream}_carbon_content")
            carbon_out += q * cc
    if carbon_out > carbon_in:
        raise MethodError(f"carbon in the products ({carbon_out} tC) exceeds carbon in the feed ({carbon_in} tC)")
    return Masses(co2_fossil_t=(carbon_in - carbon_out) * 44 / TWELVE)


def co2_recovery(inp) -> Masses:
    """R = Q × PUR × 19.7 (tCO2 per 10⁴ Nm³); a deduction, so a missing purity is zero (never a favourable guess)."""
    if inp.has("purity"):
        purity = inp.value("purity", percent=True)
    else:
        purity = ZERO
        inp.substituted.append("purity")
        inp.traced["purity"] = {"value": "0", "unit": "%", "provenance": "substituted",
                                "reason": "no measured purity: a deduction takes the lowest value, zero"}
    recovered = inp.quantity * purity * CO2_T_PER_10K_NM3
    stored = recovered if inp.raw("geological_storage") else ZERO
    if stored:
        inp.note("geological_storage", True)
    return Masses(co2_recovered_t=recovered, co2_stored_t=stored)


def purity_checks(parameters, quantity, factors=None, bands=None):
    purity = parameters.get("purity")
    if purity is None:
        return []
    try:
        value = number(purity, "purity")
    except MethodError:
        return [Issue(BLOCK, "not_a_number", "purity")]
    return [Issue(BLOCK, "outside_band", "purity", value, ZERO, HUNDRED)] if value > HUNDRED else []

