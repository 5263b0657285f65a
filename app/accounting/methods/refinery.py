"""Refinery catalyst coke (sector-methods.md §3): continuous FCC coke burn-off and batch regeneration."""
from decimal import Decimal

from app.accounting.methods.base import (
    BLOCK,
    HUNDRED,
    TWELVE,
    Band,
    BandFamily,
    Issue,
    Masses,
    MethodError,
    band_issue,
    bands_of,
    number,
)

# Coke burned per feed, in % (§10).
COKE_FEED = BandFamily("fcc_coke_feed", "%", Band(Decimal(3), Decimal(10)), Band(None, Decimal(15)))
COKE_FEED_WARN, COKE_FEED_BLOCK = COKE_FEED.warn, COKE_FEED.block


def fcc_coke_burn(inp) -> Masses:
    """E = MC × CF × OF × 44/12 (MC coke burned, t)."""
    cf = inp.value("carbon_fraction", percent=True)
    of = inp.value("oxidation_rate")
    if inp.has("feed"):
        inp.value("feed")
    return Masses(co2_fossil_t=inp.quantity * cf * of * 44 / TWELVE)


def fcc_checks(parameters, quantity, factors=None, bands=None) -> list[Issue]:
    feed = parameters.get("feed")
    if feed is None:
        return []
    try:
        feed = number(feed, "feed", positive=True)
    except MethodError:
        return [Issue(BLOCK, "not_a_number", "feed")]
    issue = band_issue("feed", quantity / feed * HUNDRED, *bands_of(bands, COKE_FEED), code="coke_to_feed",
                       unit=COKE_FEED.unit)
    return [issue] if issue else []


def catalyst_regeneration(inp) -> Masses:
    """E = MC × (CF_pre − CF_post)/(1 − CF_post) × 44/12, MC the catalyst regenerated including its coke; OF = 1."""
    pre = inp.value("cf_pre", percent=True)
    post = inp.value("cf_post", percent=True)
    if post >= 1:
        raise MethodError("cf_post must be below 100 %")
    if post > pre:
        raise MethodError(f"cf_post ({post * 100} %) is above cf_pre ({pre * 100} %): regeneration removes coke")
    return Masses(co2_fossil_t=inp.quantity * (pre - post) / (1 - post) * 44 / TWELVE)
