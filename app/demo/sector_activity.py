"""The demo's sources computed by sector methods (issue 17, sector-methods.md): which enterprises file them and the
monthly parameters each month's lab report, GC analysis or equipment count gives.

Pure data and functions like app/demo/activity.py: `enterprise_template` is an industry's template with the
enterprise's own method sources in place of the generic ones they measure better:
- every coal power plant (D441x) fires its coal as a generating unit (power_coal: NCV_ar, C_ad, M_ad, M_ar), with one
  recent month left untested so the 0.03085 tC/GJ substitute shows;
- the refinery 锦湾石化 burns fuel gas metered in 10⁴ Nm³ with its composition, and files FCC coke burn-off, hydrogen
  production, its flare and the CO2 it recovers;
- 湾西水泥 computes process CO2 from clinker chemistry instead of limestone input;
- 锦湾钢铁's blast furnace is a carbon balance (coke and coal in; pig iron, with its carbon, and dust out);
- 湾西油田 counts its equipment for leaks and meters its casing-gas venting.
Magnitudes follow sector-methods.md §11 and stay inside the §10 bands.
"""
import random
from dataclasses import replace
from datetime import date

from app.demo.activity import (
    FacilitySpec,
    SourceSpec,
    Template,
    _add_months,
    size_of,
    template_for,
)


def _n(value: float, places: int = 2) -> str:
    return str(round(value, places))


def _mix(rng, shares: dict, balance: str) -> dict:
    """A gas composition in % by volume: every component drawn in its range, the others scaled so that the
    balance component makes exactly 100 (the §10 check on Σ V)."""
    drawn = {name: rng.uniform(low, high) for name, (low, high) in shares.items()}
    rest = 100 - drawn.pop(balance)
    scale = rest / sum(drawn.values())
    out = {name: round(value * scale, 2) for name, value in drawn.items()}
    out[balance] = round(100 - sum(out.values()), 2)
    return {name: _n(value) for name, value in out.items()}


# --- power plants: coal as fired, per generating unit (§2) --------------------------------------------------------

def untested_month(slug: str, today: date | None = None) -> date:
    """The one recent month a plant's coal has no valid carbon test: an approved month of this year where there is
    one (the plan in force says carbon is measured monthly), else three months ago."""
    today = today or date.today()
    this_month = date(today.year, today.month, 1)
    candidates = [m for m in (_add_months(this_month, -back) for back in range(2, 8)) if m.year == today.year]
    if not candidates:
        return _add_months(this_month, -3)
    return candidates[random.Random(f"{slug}:untested").randrange(len(candidates))]


def power_coal(rng, quantity, period, slug) -> dict:
    """The month's weighted NCV_ar and the composite sample's C_ad, M_ad, M_ar, consistent with a coal CC of
    0.0256–0.0268 tC/GJ (C_ar about 52–58 %); the untested month files its NCV alone."""
    ncv = rng.uniform(20.2, 21.6)
    if period == untested_month(slug):
        return {"ncv_ar": _n(ncv, 3)}
    c_ar = ncv * rng.uniform(0.0256, 0.0268) * 100
    m_ad, m_ar = round(rng.uniform(1.8, 3.5), 2), round(rng.uniform(9.5, 14.0), 2)
    return {"ncv_ar": _n(ncv, 3), "c_ad": _n(c_ar * (100 - m_ad) / (100 - m_ar)), "m_ad": _n(m_ad),
            "m_ar": _n(m_ar)}


# --- refinery (§3) ---------------------------------------------------------------------------------------------------

def fuel_gas(rng, quantity, period, slug) -> dict:
    return {"composition": _mix(rng, {"H2": (22, 28), "CH4": (42, 48), "C2H6": (13, 16), "C3H8": (4, 6),
                                      "CO2": (1.5, 2.5), "N2": (7, 10)}, "N2")}


def flare(rng, quantity, period, slug) -> dict:
    return {"composition": _mix(rng, {"H2": (27, 33), "CH4": (32, 38), "C2H6": (9, 11), "C3H8": (7, 9),
                                      "C4H10": (4, 6), "CO": (1.5, 2.5), "CO2": (2.5, 3.5), "N2": (5, 9)}, "N2")}


def hydrogen_feed(rng, quantity, period, slug) -> dict:
    return {"composition": _mix(rng, {"CH4": (92, 95), "C2H6": (2.5, 3.5), "C3H8": (0.7, 1.2), "CO2": (0.5, 1.5),
                                      "N2": (0.8, 1.5)}, "N2")}


def fcc_coke(rng, quantity, period, slug) -> dict:
    """Coke on spent catalyst is about 92–95 % carbon; the unit's feed puts coke at 5.0–6.2 % of it (§10: 3–10 %)."""
    return {"carbon_fraction": _n(rng.uniform(92, 95)), "feed": _n(float(quantity) / rng.uniform(0.050, 0.062), 1)}


def co2_purity(rng, quantity, period, slug) -> dict:
    return {"purity": _n(rng.uniform(99.0, 99.9))}


# --- cement (§6) and steel (§5) --------------------------------------------------------------------------------------

def clinker(rng, quantity, period, slug) -> dict:
    """A clinker of EF_cl about 0.51–0.54 t/t (§10 warns outside 0.50–0.56)."""
    return {"cao": _n(rng.uniform(64.6, 65.8)), "cao_nc": _n(rng.uniform(0.6, 1.0)),
            "mgo": _n(rng.uniform(1.8, 2.5)), "mgo_nc": _n(rng.uniform(0.08, 0.15))}


def blast_furnace(rng, quantity, period, slug) -> dict:
    """Per tonne of hot metal about 330 kg coke and 180 kg injected coal in; out, the pig iron's own carbon (fixed in
    the product) and the furnace dust's."""
    q = float(quantity)
    return {"inputs": [
        {"name": "焦炭", "quantity": _n(q * rng.uniform(0.320, 0.335), 1), "carbon_pct": _n(rng.uniform(85, 87))},
        {"name": "喷吹煤", "quantity": _n(q * rng.uniform(0.170, 0.185), 1), "carbon_pct": _n(rng.uniform(74, 78))}],
        "outputs": [
        {"name": "生铁", "quantity": _n(q, 1), "carbon_pct": _n(rng.uniform(4.5, 4.9))},
        {"name": "高炉除尘灰", "quantity": _n(q * rng.uniform(0.013, 0.017), 1),
         "carbon_pct": _n(rng.uniform(25, 35))}]}


# --- oil and gas extraction (§7) -------------------------------------------------------------------------------------

def equipment(rng, quantity, period, slug) -> dict:
    """The field's equipment, sized with the enterprise (counts change little from month to month)."""
    size = size_of(slug)
    return {"equipment": {"oil_wellhead": round(900 * size), "single_well_tank": round(60 * size),
                          "transfer_station": round(8 * size), "combined_station": 2}}


def casing_gas(rng, quantity, period, slug) -> dict:
    return {"ch4_fraction": _n(rng.uniform(72, 80)), "co2_fraction": _n(rng.uniform(3, 6))}


# --- the templates -----------------------------------------------------------------------------------------------------

def _method(name, category, unit, base, method, parameters, material=None, **more) -> SourceSpec:
    return SourceSpec(name, category, material or method, unit, base, method=method, parameters=parameters, **more)


POWER_COAL = _method("锅炉燃煤", "stationary_combustion", "t", 0, "power_coal", power_coal, material="raw_coal")

# slug (or industry class prefix) -> ({generic source name: the sources in its place}, facilities added)
VARIANTS = {
    "D441": ({"锅炉燃煤": "power_coal"}, ()),
    "jinwan-petro": ({"加热炉炼厂干气": (
        _method("加热炉燃料气", "stationary_combustion", "10^4 Nm3", 1_000, "fuel_gas", fuel_gas),)}, (
        FacilitySpec("催化裂化及制氢装置", "FCC and hydrogen units", (
            _method("催化裂化烧焦", "process", "t", 6_000, "fcc_coke_burn", fcc_coke),
            _method("制氢原料天然气", "process", "10^4 Nm3", 1_000, "hydrogen_production", hydrogen_feed),
            _method("二氧化碳回收外供", "process", "10^4 Nm3", 150, "co2_recovery", co2_purity))),
        FacilitySpec("火炬系统", "Flare system", (
            _method("火炬气", "process", "10^4 Nm3", 14, "flare", flare),)))),
    "wanxi-cement": ({"生料石灰石": (
        _method("熟料煅烧", "process", "t", 98_000, "clinker", clinker, profile="building", key="熟料"),)}, ()),
    "jinwan-steel": ({"高炉焦炭": (), "高炉喷吹煤": (
        _method("高炉碳平衡", "process", "t", 95_000, "carbon_balance", blast_furnace, key="生铁"),)}, ()),
    "wanxi-oilfield": ({"井口甲烷逸散": (
        _method("井口及站场设备逸散", "fugitive", "d", 30, "equipment_leaks", equipment),
        _method("套管气放空", "fugitive", "10^4 Nm3", 2.2, "venting", casing_gas))}, ()),
}


def _variant(slug: str, industry_code: str):
    return VARIANTS.get(slug) or next((v for prefix, v in VARIANTS.items() if industry_code.startswith(prefix)), None)


def enterprise_template(slug: str, industry_code: str) -> Template | None:
    """The industry's template (activity.template_for) with this enterprise's method sources in place."""
    template = template_for(industry_code)
    variant = _variant(slug, industry_code)
    if template is None or variant is None:
        return template
    replaced, added = variant
    facilities = []
    for facility in template.facilities:
        sources = []
        for spec in facility.sources:
            instead = replaced.get(spec.name, (spec,))
            if instead == "power_coal":  # the same coal and seasons, now a generating unit's
                instead = (replace(POWER_COAL, base=spec.base, profile=spec.profile),)
            sources += instead
        facilities.append(replace(facility, sources=tuple(sources)))
    return replace(template, facilities=(*facilities, *added))
