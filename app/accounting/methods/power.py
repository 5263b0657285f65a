"""Coal-fired generating units under the MEE power-sector guideline (sector-methods.md §2).

E = FC × C_ar/100 × OF × 44/12 (= FC × NCV_ar × CC × OF × 44/12 with CC = C_ar/100/NCV_ar). A month without a valid
element-carbon test takes CC 0.03085 tC/GJ, flagged substituted: never the generic 24-industry 0.02637/0.94, and a
measured NCV alone never makes a tested month.
"""
from decimal import Decimal

from app.accounting.methods.base import (
    BLOCK,
    HUNDRED,
    TWELVE,
    WARN,
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

UNTESTED_CC = "power_coal.carbon_content_untested"
NO_TEST = "no valid element-carbon test for the month: the guideline's default carbon content applies"

C_AR = BandFamily("coal_c_ar", "%", Band(Decimal(40), Decimal(75)), Band(Decimal(30), Decimal(80)))
COAL_CC = BandFamily("coal_cc", "tC/GJ", Band(Decimal("0.024"), Decimal("0.030")), Band(None, Decimal("0.035")))
C_AR_WARN, C_AR_BLOCK = C_AR.warn, C_AR.block
CC_WARN, CC_BLOCK = COAL_CC.warn, COAL_CC.block
NCV_WARN, NCV_BLOCK = (Decimal("0.8"), Decimal("1.2")), (Decimal("0.5"), Decimal("1.5"))  # × the default NCV
SUPPLY_INTENSITY_WARN = Band(Decimal("0.75"), Decimal("1.15"))  # tCO2/MWh supplied


def weighted_ncv(pairs) -> tuple[Decimal, Decimal, list]:
    """[(FC_d t, NCV_d GJ/t), ...] → (Σ FC_d, Σ FC_d × NCV_d / Σ FC_d, the pairs as decimal strings)."""
    if not isinstance(pairs, (list, tuple)) or not pairs:
        raise MethodError("ncv_daily must be a list of [coal t, NCV GJ/t] pairs, one per day")
    coal = energy = ZERO
    traced = []
    for i, pair in enumerate(pairs, start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise MethodError(f"ncv_daily entry {i} must be a pair [coal t, NCV GJ/t]")
        fc, ncv = number(pair[0], f"ncv_daily {i} coal"), number(pair[1], f"ncv_daily {i} NCV", positive=True)
        coal += fc
        energy += fc * ncv
        traced.append([str(fc), str(ncv)])
    if coal == 0:
        raise MethodError("ncv_daily: the days' coal adds up to zero")
    return coal, energy / coal, traced


def c_ar_from(parameters) -> tuple[Decimal, str] | None:
    """(C_ar in %, basis) from c_ar, or c_ad with m_ad and m_ar, or c_d with m_ar; None if no carbon was tested."""
    get = parameters.get
    if get("c_ar") is not None:
        return number(get("c_ar"), "c_ar", positive=True), "ar"
    if get("c_ad") is not None:
        if get("m_ad") is None or get("m_ar") is None:
            raise MethodError("c_ad (air-dried carbon) needs m_ad and m_ar of the same sample to give C_ar")
        c_ad, m_ad, m_ar = (number(get(k), k) for k in ("c_ad", "m_ad", "m_ar"))
        if m_ad >= HUNDRED or m_ar >= HUNDRED:
            raise MethodError("moisture must be below 100 %")
        return c_ad * (HUNDRED - m_ar) / (HUNDRED - m_ad), "ad"
    if get("c_d") is not None:
        if get("m_ar") is None:
            raise MethodError("c_d (dry-basis carbon) needs m_ar of the same sample to give C_ar")
        m_ar = number(get("m_ar"), "m_ar")
        if m_ar >= HUNDRED:
            raise MethodError("moisture must be below 100 %")
        return number(get("c_d"), "c_d") * (HUNDRED - m_ar) / HUNDRED, "d"
    return None


def power_coal(inp) -> Masses:
    fc = inp.quantity
    if inp.has("ncv_daily"):
        _coal, ncv, daily = weighted_ncv(inp.raw("ncv_daily"))
        inp.note("ncv_daily", daily, "t, GJ/t")
        inp.note("ncv_ar", str(ncv), "GJ/t", "calculated")
    else:
        ncv = inp.value("ncv_ar", positive=True, required_reason=(
            "power_coal needs the month's as-fired NCV (ncv_ar, or ncv_daily pairs); if the lab has none, file the "
            "substitute (the unit's highest monthly NCV of the last 12 months) marked substituted"))
    inp.energy_gj = fc * ncv
    tested = c_ar_from(inp.line.parameters)
    of = inp.value("oxidation_rate")
    if tested is not None:
        c_ar, basis = tested
        for name in ("c_ar", "c_ad", "c_d", "m_ad", "m_ar"):
            if inp.has(name):
                inp.value(name)
        if basis != "ar":
            inp.note("c_ar", str(c_ar), "%", "calculated")
        inp.note("carbon_content", str(c_ar / HUNDRED / ncv), "tC/GJ", "calculated")
        co2 = fc * c_ar / HUNDRED * of * 44 / TWELVE
    else:
        cc = inp.value("carbon_content", default=UNTESTED_CC, reason=NO_TEST)
        co2 = fc * ncv * cc * of * 44 / TWELVE
    return Masses(co2_fossil_t=co2)


def checks(parameters, quantity, factors, bands=None) -> list[Issue]:
    issues = []
    get = parameters.get
    ncv = None
    try:
        if get("ncv_daily") is not None:
            ncv = weighted_ncv(get("ncv_daily"))[1]
        elif get("ncv_ar") is not None:
            ncv = number(get("ncv_ar"), "ncv_ar", positive=True)
        tested = c_ar_from(parameters)
    except MethodError:
        return [Issue(BLOCK, "not_a_number", "power_coal")]
    reference = factors.primary.values.get("ncv") if factors is not None and factors.primary is not None else None
    if ncv is not None and reference:
        def around(share):  # ± a share of the default, to 0.01 GJ/t (a threshold read by people, not a figure)
            return (reference * share).quantize(Decimal("0.01"))

        issue = band_issue("ncv_ar", ncv, Band(around(NCV_WARN[0]), around(NCV_WARN[1])),
                           Band(around(NCV_BLOCK[0]), around(NCV_BLOCK[1])), unit="GJ/t")
        if issue:
            issues.append(issue)
    if tested is not None:
        c_ar = tested[0]
        issue = band_issue("c_ar", c_ar, *bands_of(bands, C_AR), unit=C_AR.unit)
        if issue:
            issues.append(issue)
        if ncv:
            issue = band_issue("carbon_content", c_ar / HUNDRED / ncv, *bands_of(bands, COAL_CC), unit=COAL_CC.unit)
            if issue:
                issues.append(issue)
    if get("m_ad") is not None and get("m_ar") is not None:
        m_ad, m_ar = number(get("m_ad"), "m_ad"), number(get("m_ar"), "m_ar")
        if not m_ad < m_ar < 60:
            issues.append(Issue(BLOCK, "moisture_order", "m_ar", m_ar, m_ad, Decimal(60)))
    return issues


def supply_intensity_issue(co2_t: Decimal, supplied_mwh: Decimal) -> Issue | None:
    """A coal unit's tCO2 per MWh supplied outside 0.75–1.15 is a warning (a unit error in coal or supply)."""
    if not supplied_mwh:
        return None
    value = co2_t / supplied_mwh
    if SUPPLY_INTENSITY_WARN.contains(value):
        return None
    return Issue(WARN, "supply_intensity", "supplied_mwh", value, SUPPLY_INTENSITY_WARN.low,
                 SUPPLY_INTENSITY_WARN.high)
