"""Cement (sector-methods.md §6): clinker from its CaO/MgO, raw-meal organic carbon, alternative fuels."""
from decimal import Decimal

from app.accounting.methods.base import (
    BLOCK,
    HUNDRED,
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

CLINKER_EF = BandFamily("clinker_ef", "tCO2/t", Band(Decimal("0.50"), Decimal("0.56")),
                        Band(Decimal("0.45"), Decimal("0.60")))
EF_CL_WARN, EF_CL_BLOCK = CLINKER_EF.warn, CLINKER_EF.block
CAO_FACTOR = Decimal(44) / Decimal(56)
MGO_FACTOR = Decimal(44) / Decimal(40)


def clinker_ef(cao, cao_nc, mgo, mgo_nc) -> Decimal:
    """EF_cl = (CaO − CaO_nc) × 44/56 + (MgO − MgO_nc) × 44/40, the oxides as mass fractions; tCO2/t clinker."""
    if cao_nc > cao or mgo_nc > mgo:
        raise MethodError("the non-carbonate CaO/MgO cannot exceed the total CaO/MgO")
    return (cao - cao_nc) * 44 / 56 + (mgo - mgo_nc) * 44 / 40


def clinker(inp) -> Masses:
    """E = (Q_cl + Q_bypass dust) × EF_cl."""
    oxides = [inp.value(name, percent=True) for name in ("cao", "cao_nc", "mgo", "mgo_nc")]
    ef = clinker_ef(*oxides)
    inp.note("ef_clinker", str(ef), "tCO2/t", "calculated")
    dust = inp.value("bypass_dust") if inp.has("bypass_dust") else ZERO
    return Masses(co2_fossil_t=(inp.quantity + dust) * ef)


def clinker_checks(parameters, quantity, factors=None, bands=None) -> list[Issue]:
    try:
        oxides = [number(parameters.get(n), n) / HUNDRED for n in ("cao", "cao_nc", "mgo", "mgo_nc")]
        ef = clinker_ef(*oxides)
    except MethodError:
        return [Issue(BLOCK, "not_a_number", "clinker")]
    issue = band_issue("ef_clinker", ef, *bands_of(bands, CLINKER_EF), code="clinker_ef", unit=CLINKER_EF.unit)
    return [issue] if issue else []


def raw_meal(inp) -> Masses:
    """E = Q_rm × C_org × 44/12 (raw meal t, organic carbon % dry)."""
    c_org = inp.value("organic_carbon", percent=True)
    return Masses(co2_fossil_t=inp.quantity * c_org * 44 / TWELVE)


def alternative_fuel(inp) -> Masses:
    """Fossil Q × C × (1 − BF) × 44/12 counted; biomass Q × C × BF × 44/12 beside the totals; OF = 1 (Tanji)."""
    carbon = inp.value("carbon_pct", percent=True)
    bf = inp.value("biomass_fraction", percent=True)
    if carbon > 1 or bf > 1:
        raise MethodError("carbon_pct and biomass_fraction are at most 100 %")
    if inp.has("ncv"):
        inp.energy_gj = inp.quantity * inp.value("ncv")
    co2 = inp.quantity * carbon * 44 / TWELVE
    return Masses(co2_fossil_t=co2 * (1 - bf), co2_bio_t=co2 * bf)
