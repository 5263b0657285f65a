"""Refinery catalyst coke (sector-methods.md §3): continuous FCC coke burn-off and batch regeneration."""
from decimal import Decimal

from app.accounting.methods.base import BLOCK, TWELVE, Band, Issue, Masses, MethodError, band_issue, number

COKE_FEED_WARN = Band(Decimal("0.03"), Decimal("0.10"))
COKE_FEED_BLOCK = Band(None, Decimal("0.15"))


def fcc_coke_burn(inp) -> Masses:
    """E = MC × CF × OF × 44/12 (MC coke burned, t)."""
    cf = inp.value("carbon_fraction", percent=True)
    of = inp.value("oxidation_rate")
    if inp.has("feed"):
        inp.value("feed")
    return Masses(co2_fossil_t=inp.quantity * cf * of * 44 / TWELVE)


def fcc_checks(parameters, quantity, factors=None) -> list[Issue]:
    feed = parameters.get("feed")
    if feed is None:
        return []
    try:
        feed = number(feed, "feed", positive=True)
    except MethodError:
        return [Issue(BLOCK, "not_a_number", "feed")]
    issue = band_issue("feed", quantity / feed, COKE_FEED_WARN, COKE_FEED_BLOCK, code="coke_to_feed")
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
