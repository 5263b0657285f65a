"""Enterprises whose sources name calculation methods (sector-methods.md's worked examples), built directly."""
from datetime import date
from decimal import Decimal

from app.accounting.models import EmissionSource, Facility, Product
from app.core.numbers import rounded

JUNE = date(2022, 6, 1)
# Worked example 1's three deliveries: [coal t, NCV GJ/t] (3,224,000 GJ in all).
DAILY_NCV = [["50000", "21.200"], ["60000", "21.600"], ["40000", "21.700"]]
TESTED_COAL = {"ncv_daily": DAILY_NCV, "c_ad": "62.50", "m_ad": "2.50", "m_ar": "12.00"}
FLARE_GAS = {"H2": "30", "CH4": "35", "C2H6": "10", "C3H8": "8", "C4H10": "5", "CO": "2", "CO2": "3", "N2": "7"}
CLINKER = {"cao": "65.20", "cao_nc": "0.80", "mgo": "2.10", "mgo_nc": "0.10", "bypass_dust": "300"}


def r3(value) -> Decimal:
    return rounded(Decimal(value), 3)


def sector_enterprise(db, make_org, make_user, name: str, industry_code: str, sources: dict) -> dict:
    """An enterprise of `industry_code` with one facility and `sources` {key: EmissionSource columns}."""
    org = make_org(name=name, industry_code=industry_code)
    admin = make_user(org, "enterprise_admin", may_sign=True)
    facility = Facility(org_id=org.id, name="一号厂区")
    db.session.add(facility)
    db.session.flush()
    made = {key: EmissionSource(org_id=org.id, facility_id=facility.id, **columns) for key, columns in sources.items()}
    db.session.add_all(made.values())
    product = Product(org_id=org.id, name="产品", unit="t", is_main=True)
    db.session.add(product)
    db.session.commit()
    return {"org": org, "admin": admin, "facility": facility, "sources": made, "product": product}


def power_plant(db, make_org, make_user) -> dict:
    """Worked examples 1, 2 and 8: a coal unit, the electricity it buys and the electricity it supplies."""
    return sector_enterprise(db, make_org, make_user, "锦湾热电有限公司", "D4411", {
        "coal": {"name": "1号机组入炉煤", "category": "stationary_combustion", "material": "raw_coal",
                 "activity_unit": "t", "method": "power_coal", "generating_unit": True},
        "power": {"name": "外购电力", "category": "purchased_electricity", "material": "electricity",
                  "activity_unit": "MWh"},
        "supply": {"name": "供电量", "category": "exported_electricity", "material": "electricity",
                   "activity_unit": "MWh"},
    })


def refinery(db, make_org, make_user) -> dict:
    """Worked example 4: a normal flare metered in 10⁴ Nm³ with its gas composition."""
    return sector_enterprise(db, make_org, make_user, "锦湾石化有限公司", "C2511", {
        "flare": {"name": "火炬", "category": "process", "material": "flare", "activity_unit": "10^4 Nm3",
                  "method": "flare"},
    })


def cement_works(db, make_org, make_user) -> dict:
    """Worked example 7: clinker from its chemistry, with bypass dust."""
    return sector_enterprise(db, make_org, make_user, "锦湾水泥有限公司", "C3011", {
        "clinker": {"name": "熟料", "category": "process", "material": "clinker", "activity_unit": "t",
                    "method": "clinker"},
    })


def steelworks(db, make_org, make_user) -> dict:
    """A blast furnace computed by its carbon balance (sector-methods.md §5)."""
    return sector_enterprise(db, make_org, make_user, "锦湾钢铁有限公司", "C3110", {
        "furnace": {"name": "高炉碳平衡", "category": "process", "material": "carbon_balance", "activity_unit": "t",
                    "method": "carbon_balance"},
    })


def oilfield(db, make_org, make_user) -> dict:
    """Equipment leaks over the days in operation, and a vent metered in 10⁴ Nm³ (sector-methods.md §7)."""
    return sector_enterprise(db, make_org, make_user, "湾西油田有限公司", "B0711", {
        "leaks": {"name": "井口及站场设备逸散", "category": "fugitive", "material": "equipment_leaks",
                  "activity_unit": "d", "method": "equipment_leaks"},
        "vent": {"name": "套管气放空", "category": "fugitive", "material": "venting", "activity_unit": "10^4 Nm3",
                 "method": "venting"},
    })


def chemical_plant(db, make_org, make_user) -> dict:
    """Nitric acid by its process, an accident flare, a normal flare with methane slip and CO2 recovered."""
    return sector_enterprise(db, make_org, make_user, "锦湾化工有限公司", "C2611", {
        "nitric": {"name": "硝酸装置", "category": "process", "material": "nitric_acid", "activity_unit": "t",
                   "method": "nitric_acid"},
        "accident": {"name": "事故火炬", "category": "process", "material": "accident_flare",
                     "activity_unit": "10^4 Nm3", "method": "accident_flare"},
        "flare": {"name": "火炬", "category": "process", "material": "flare", "activity_unit": "10^4 Nm3",
                  "method": "flare"},
        "recovery": {"name": "二氧化碳回收", "category": "process", "material": "co2_recovery",
                     "activity_unit": "10^4 Nm3", "method": "co2_recovery"},
    })
