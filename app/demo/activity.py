"""Monthly activity for the demo city: each industry's facilities, sources, products and plausible
quantities, with the seasons of a city in Liaoning (heating from November to March, a rice harvest
in autumn, a fishing ban in summer, a winter lull on building sites).

Plain data and pure functions (no Flask, no database); app/demo/commands.py stores the result.
Quantities are deterministic per enterprise and month, so every run builds the same city.
"""
import calendar
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

# Month multipliers, January first.
PROFILES = {
    "flat": (1,) * 12,
    "heating": (1.55, 1.45, 1.2, 0.65, 0.3, 0.25, 0.25, 0.25, 0.3, 0.7, 1.25, 1.5),
    "building": (0.55, 0.6, 0.9, 1.1, 1.15, 1.15, 1.1, 1.1, 1.15, 1.15, 1.0, 0.75),
    "harvest": (1.1, 0.9, 0.8, 0.75, 0.75, 0.75, 0.8, 0.85, 1.0, 1.35, 1.45, 1.3),
    "fishing": (0.9, 0.8, 0.9, 1.0, 0.4, 0.3, 0.3, 0.4, 1.4, 1.5, 1.4, 1.1),
    "cooling": (0.85, 0.85, 0.9, 0.95, 1.05, 1.2, 1.3, 1.3, 1.1, 0.95, 0.9, 0.85),
}


@dataclass(frozen=True)
class SourceSpec:
    name: str
    category: str
    material: str
    unit: str
    base: float  # a typical month at size 1
    profile: str = "flat"
    covered: bool = True
    measured: dict = field(default_factory=dict)  # parameter -> (low, high): lab results vary month to month
    green_share: float = 0.0  # share of purchased electricity with green certificates
    method: str | None = None  # a sector method (app/demo/sector_activity.py); None: the category's own
    parameters: Callable | None = None  # (rng, quantity, period, slug) -> the month's method parameters
    key: str | None = None  # whose monthly variation the quantity follows (a product's name); default its own


@dataclass(frozen=True)
class FacilitySpec:
    name: str
    name_en: str
    sources: tuple


@dataclass(frozen=True)
class ProductSpec:
    name: str
    name_en: str
    unit: str
    base: float
    profile: str = "flat"


@dataclass(frozen=True)
class Template:
    facilities: tuple
    products: tuple
    output_value: float  # 10^4 CNY in a typical month
    profile: str = "flat"


def _power(mwh, green=0.0, profile="flat"):
    return SourceSpec("外购电力", "purchased_electricity", "electricity", "MWh", mwh, profile, green_share=green)


def _steam(gj, profile="flat"):
    return SourceSpec("外购蒸汽", "purchased_heat", "heat", "GJ", gj, profile)


def _vehicles(t, fuel="diesel", name="厂内运输车辆"):
    return SourceSpec(name, "mobile_combustion", fuel, "t", t)


TEMPLATES = {
    "D4411": Template((
        FacilitySpec("1号、2号燃煤机组", "Coal-fired units 1-2", (
            SourceSpec("锅炉燃煤", "stationary_combustion", "raw_coal", "t", 95_000,
                       measured={"ncv": (20.2, 21.6)}),
            SourceSpec("点火及助燃柴油", "stationary_combustion", "diesel", "t", 18),
            _power(1_500))),
        FacilitySpec("燃料运输", "Fuel handling", (_vehicles(25),))),
        (ProductSpec("供电量", "Electricity supplied", "MWh", 200_000),), 7_400),
    "D4412": Template((
        FacilitySpec("热电联产机组", "CHP units", (
            SourceSpec("锅炉燃煤", "stationary_combustion", "raw_coal", "t", 38_000, "heating"),
            SourceSpec("调峰燃气锅炉", "stationary_combustion", "natural_gas", "10^4 Nm3", 60, "heating"),
            _power(900))),),
        (ProductSpec("供电量", "Electricity supplied", "MWh", 55_000, "heating"),
         ProductSpec("供热量", "Heat supplied", "GJ", 380_000, "heating")), 4_200, "heating"),
    "D4430": Template((
        FacilitySpec("集中供热锅炉房", "District heating boiler house", (
            SourceSpec("燃煤热水锅炉", "stationary_combustion", "raw_coal", "t", 22_000, "heating"),
            SourceSpec("燃气锅炉", "stationary_combustion", "natural_gas", "10^4 Nm3", 110, "heating"),
            _power(2_600, profile="heating"))),
        FacilitySpec("管网维护", "Network maintenance", (_vehicles(12),))),
        (ProductSpec("供热量", "Heat supplied", "GJ", 420_000, "heating"),), 2_600, "heating"),
    "C2511": Template((
        FacilitySpec("常减压及催化裂化装置", "Distillation and FCC units", (
            SourceSpec("加热炉炼厂干气", "stationary_combustion", "refinery_gas", "t", 7_800),
            SourceSpec("加热炉燃料油", "stationary_combustion", "fuel_oil", "t", 1_400),
            SourceSpec("制氢装置天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 280),
            _power(38_000, green=0.15),
            _steam(45_000))),
        FacilitySpec("油品储运", "Storage and dispatch", (_vehicles(40),))),
        (ProductSpec("原油加工量", "Crude oil processed", "t", 380_000),), 160_000),
    "C261": Template((
        FacilitySpec("合成装置", "Synthesis plant", (
            SourceSpec("工艺加热炉天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 190),
            SourceSpec("动力锅炉燃煤", "stationary_combustion", "raw_coal", "t", 5_200, "heating"),
            _power(14_000),
            _steam(28_000))),),
        (ProductSpec("主要化工产品", "Main chemical product", "t", 21_000),), 18_000),
    "C2612": Template((
        FacilitySpec("烧碱装置", "Caustic soda plant", (
            _power(26_000, green=0.1),
            _steam(35_000),
            SourceSpec("动力锅炉燃煤", "stationary_combustion", "raw_coal", "t", 3_000, "heating"))),),
        (ProductSpec("烧碱（折百）", "Caustic soda (100%)", "t", 11_000),), 3_500),
    "C2621": Template((
        FacilitySpec("合成氨及尿素装置", "Ammonia and urea plant", (
            SourceSpec("合成氨原料及燃料天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 780),
            _power(12_500),
            _vehicles(15))),),
        (ProductSpec("尿素", "Urea", "t", 42_000),), 9_500),
    "C265": Template((
        FacilitySpec("聚合装置", "Polymerisation plant", (
            _power(8_200),
            _steam(24_000),
            SourceSpec("导热油炉天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 55))),),
        (ProductSpec("合成树脂", "Synthetic resin", "t", 15_000),), 15_500),
    "C311": Template((
        FacilitySpec("炼铁厂", "Ironworks", (
            SourceSpec("高炉焦炭", "stationary_combustion", "coke", "t", 31_000, measured={"carbon_content": (0.0290, 0.0294)}),
            SourceSpec("高炉喷吹煤", "stationary_combustion", "raw_coal", "t", 17_000),
            SourceSpec("焦炉煤气", "stationary_combustion", "coke_oven_gas", "10^4 Nm3", 750),
            SourceSpec("熔剂石灰石", "process", "limestone", "t", 24_000),
            SourceSpec("熔剂白云石", "process", "dolomite", "t", 7_500),
            _power(48_000))),
        FacilitySpec("余热发电站", "Waste-heat power station", (
            SourceSpec("余热发电上网电量", "exported_electricity", "electricity", "MWh", 6_000),)),
        FacilitySpec("厂内物流", "Internal logistics", (_vehicles(90),))),
        (ProductSpec("生铁", "Pig iron", "t", 95_000),), 28_000),
    "C312": Template((
        FacilitySpec("转炉及精炼车间", "Converter and refining shop", (
            SourceSpec("转炉焦炉煤气", "stationary_combustion", "coke_oven_gas", "10^4 Nm3", 220),
            SourceSpec("精炼天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 45),
            SourceSpec("造渣石灰石", "process", "limestone", "t", 6_500),
            _power(26_000))),),
        (ProductSpec("粗钢", "Crude steel", "t", 70_000),), 32_000),
    "C313": Template((
        FacilitySpec("热轧车间", "Hot rolling mill", (
            SourceSpec("加热炉天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 150),
            _power(11_500),
            _vehicles(20))),),
        (ProductSpec("钢材", "Rolled steel", "t", 58_000),), 24_000),
    "C3011": Template((
        FacilitySpec("熟料生产线", "Clinker line", (
            SourceSpec("回转窑燃煤", "stationary_combustion", "raw_coal", "t", 14_500, "building"),
            SourceSpec("生料石灰石", "process", "limestone", "t", 128_000, "building"),
            _power(10_500, profile="building"))),
        FacilitySpec("矿山及运输", "Quarry and haulage", (_vehicles(65, name="矿山运输车辆"),))),
        (ProductSpec("熟料", "Clinker", "t", 98_000, "building"),
         ProductSpec("水泥", "Cement", "t", 125_000, "building")), 3_900, "building"),
    "C3041": Template((
        FacilitySpec("浮法玻璃生产线", "Float glass line", (
            SourceSpec("熔窑天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 580),
            SourceSpec("配合料纯碱", "process", "soda_ash", "t", 6_200),
            SourceSpec("配合料白云石", "process", "dolomite", "t", 5_000),
            _power(4_800))),),
        (ProductSpec("平板玻璃", "Flat glass", "t", 40_000),), 6_800),
    "C3216": Template((
        FacilitySpec("电解车间", "Potline", (
            _power(178_000, green=0.25),
            SourceSpec("阳极效应 CF4", "fugitive", "CF4", "kg", 520))),
        FacilitySpec("铸造车间", "Casthouse", (
            SourceSpec("保温炉天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 30),))),
        (ProductSpec("原铝", "Primary aluminium", "t", 13_200),), 24_500),
    "C2221": Template((
        FacilitySpec("造纸车间", "Paper machine hall", (
            SourceSpec("自备锅炉燃煤", "stationary_combustion", "raw_coal", "t", 6_100),
            _power(9_200))),),
        (ProductSpec("机制纸", "Machine-made paper", "t", 20_000),), 9_000),
    "C1311": Template((
        FacilitySpec("稻谷加工车间", "Rice mill", (
            _power(620, profile="harvest"),
            SourceSpec("烘干机燃煤", "stationary_combustion", "raw_coal", "t", 300, "harvest"),
            _vehicles(9))),),
        (ProductSpec("大米", "Rice", "t", 8_200, "harvest"),), 3_300, "harvest"),
    "C1331": Template((
        FacilitySpec("榨油车间", "Oil press", (
            SourceSpec("蒸汽锅炉燃煤", "stationary_combustion", "raw_coal", "t", 850),
            _power(700))),),
        (ProductSpec("食用植物油", "Edible vegetable oil", "t", 6_000),), 5_200),
    "C1361": Template((
        FacilitySpec("速冻车间", "Quick-freezing plant", (
            _power(950, profile="fishing"),
            SourceSpec("制冷剂泄漏 HFC-134a", "fugitive", "HFC-134a", "kg", 18, "fishing"))),),
        (ProductSpec("冷冻水产品", "Frozen seafood", "t", 1_500, "fishing"),), 2_100, "fishing"),
    "C3731": Template((
        FacilitySpec("船体车间", "Hull shop", (
            _power(4_100),
            SourceSpec("切割及预热天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 22),
            SourceSpec("开关柜 SF6 泄漏", "fugitive", "SF6", "kg", 0.8))),
        FacilitySpec("码头及运输", "Quay and transport", (_vehicles(38),))),
        (ProductSpec("钢材加工量", "Steel processed", "t", 5_200),), 21_000),
    "G543": Template((
        FacilitySpec("运输车队", "Truck fleet", (
            SourceSpec("货车柴油", "mobile_combustion", "diesel", "t", 310),
            SourceSpec("小型车辆汽油", "mobile_combustion", "gasoline", "t", 22),
            _power(55))),),
        (ProductSpec("货运量", "Freight carried", "t", 150_000),), 1_900),
    "G5930": Template((
        FacilitySpec("冷库", "Cold store", (
            _power(1_550, profile="cooling"),
            SourceSpec("制冷剂泄漏 HFC-134a", "fugitive", "HFC-134a", "kg", 45, "cooling"))),),
        (ProductSpec("冷藏货物周转量", "Goods stored", "t", 21_000),), 800, "cooling"),
    "G5941": Template((
        FacilitySpec("油气库区", "Tank farm", (
            _power(820),
            SourceSpec("伴热锅炉天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 6, "heating"),
            SourceSpec("储罐甲烷逸散", "fugitive", "CH4", "t", 1.8))),),
        (ProductSpec("油气周转量", "Oil and gas throughput", "t", 300_000),), 2_400),
    "B0711": Template((
        FacilitySpec("采油作业区", "Production area", (
            SourceSpec("加热炉天然气", "stationary_combustion", "natural_gas", "10^4 Nm3", 390, "heating"),
            SourceSpec("自用原油", "stationary_combustion", "crude_oil", "t", 780),
            SourceSpec("井口甲烷逸散", "fugitive", "CH4", "t", 28),
            _power(19_500))),
        FacilitySpec("作业车队", "Service fleet", (_vehicles(55),))),
        (ProductSpec("原油产量", "Crude oil produced", "t", 80_000),), 26_000),
}


def template_for(industry_code: str) -> Template | None:
    """The most specific template for a GB/T 4754 code (class, then group, then division)."""
    for n in (5, 4, 3):
        if industry_code[:n] in TEMPLATES:
            return TEMPLATES[industry_code[:n]]
    return None


def size_of(slug: str) -> float:
    """A fixed size between 0.5 and 1.6 per enterprise."""
    return 0.5 + random.Random(f"size:{slug}").random() * 1.1


ELECTRICITY = ("purchased_electricity", "exported_electricity")
SHORTEST_MONTH_HOURS = 28 * 24


def rated_capacity(slug: str, spec: SourceSpec) -> tuple[Decimal, str]:
    """A capacity sized for the enterprise, 1.6 times its busiest possible month (every month stays below it) and
    rounded up to two significant digits: per hour for electricity (a connection's MW), per month otherwise."""
    if spec.unit == "d":
        return Decimal(31), "month"  # days in operation: never more than a month has
    peak = Decimal(str(spec.base * size_of(slug) * max(PROFILES[spec.profile]) * 1.6))
    if spec.category in ELECTRICITY:
        return _round_up(peak / SHORTEST_MONTH_HOURS), "hour"
    return _round_up(peak), "month"


def _round_up(value: Decimal) -> Decimal:
    step = Decimal(1).scaleb(value.adjusted() - 1)
    return ((value / step).to_integral_value(rounding="ROUND_CEILING") * step).normalize() + 0


def _month_factor(slug: str, key: str, period: date, profile: str) -> float:
    rng = random.Random(f"{slug}:{key}:{period.isoformat()}")
    years_before = (date.today().year - period.year)
    trend = 1 + 0.015 * years_before  # slowly getting more efficient
    return PROFILES[profile][period.month - 1] * trend * (1 + rng.uniform(-0.07, 0.07))


def _amount(value: float, places: int = 2) -> Decimal:
    return Decimal(str(round(value, places)))


@dataclass(frozen=True)
class MonthData:
    lines: list  # (source spec, quantity, measured, green_mwh, method parameters or None)
    production: list  # (product spec, quantity)
    output_value: Decimal


def month_data(slug: str, template: Template, period: date) -> MonthData:
    size = size_of(slug)
    lines = []
    for facility in template.facilities:
        for spec in facility.sources:
            if spec.unit == "d":  # days in operation
                quantity = Decimal(calendar.monthrange(period.year, period.month)[1])
            else:
                quantity = _amount(spec.base * size * _month_factor(slug, spec.key or spec.name, period, spec.profile),
                                   3 if spec.unit in ("kg", "10^4 Nm3") or spec.base < 10 else 1)
            rng = random.Random(f"{slug}:{spec.name}:measured:{period.isoformat()}")
            measured = {param: _amount(rng.uniform(low, high), 5) for param, (low, high) in spec.measured.items()}
            green = _amount(float(quantity) * spec.green_share, 1) if spec.green_share else None
            parameters = spec.parameters(rng, quantity, period, slug) if spec.parameters else None
            lines.append((spec, quantity, measured, green, parameters))
    production = [(p, _amount(p.base * size * _month_factor(slug, p.name, period, p.profile), 1))
                  for p in template.products]
    value = _amount(template.output_value * size * _month_factor(slug, "value", period, template.profile), 1)
    return MonthData(lines, production, value)


# --- which months are filed, and how far each got ---------------------------------------------

@dataclass(frozen=True)
class FilingPlan:
    period: date
    status: str  # draft, submitted, approved, returned
    saved_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    comment: str | None = None


RETURN_COMMENTS = (
    "外购电力数量与电费发票不一致，请核对后重新提交。",
    "本月燃煤量较上年同期偏高，请补充说明并上传计量凭证。",
    "产品产量与统计报表不符，请核实。",
)


# A returned month's line comment and the energy manager's answer to it (app/demo/commands.py).
LINE_COMMENT = "请上传本行的计量凭证（抄表记录或发票），并说明本月用量变化的原因。"
LINE_REPLY = "已核对抄表记录，本月用量变化系设备检修后负荷调整所致，凭证将随更正后的报告一并上传。"


def filing_plans(slug: str, registered_at: datetime, now: datetime, months: int = 24) -> list[FilingPlan]:
    """Two years of months ending last month, from the month after registration; times in UTC."""
    this_month = date(now.year, now.month, 1)
    plans = []
    for back in range(months, 0, -1):
        period = _add_months(this_month, -back)
        if period <= date(registered_at.year, registered_at.month, 1):
            continue
        rng = random.Random(f"{slug}:plan:{period.isoformat()}")
        due = _add_months(period, 1)
        saved = _at(due, rng.randint(1, 6), rng)
        submitted = saved + timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 5))
        reviewed = submitted + timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6))
        if back >= 2:
            plans.append(FilingPlan(period, "approved", saved, submitted, reviewed))
            continue
        # Last month is still being filed and reviewed.
        roll = rng.random()
        if roll < 0.06:
            continue  # not started: overdue
        saved = min(saved, now - timedelta(days=3, hours=2))
        submitted = min(submitted, now - timedelta(days=2, hours=4))
        reviewed = min(reviewed, now - timedelta(hours=20))
        if roll < 0.16:
            plans.append(FilingPlan(period, "draft", saved, None, None))
        elif roll < 0.26:
            plans.append(FilingPlan(period, "returned", saved, submitted, reviewed,
                                    RETURN_COMMENTS[rng.randrange(len(RETURN_COMMENTS))]))
        elif roll < 0.55:
            plans.append(FilingPlan(period, "submitted", saved, submitted, None))
        else:
            plans.append(FilingPlan(period, "approved", saved, submitted, reviewed))
    return plans


def _add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _at(day: date, plus_days: int, rng) -> datetime:
    from datetime import timezone

    moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(days=plus_days)
    return moment.replace(hour=rng.randint(1, 8), minute=rng.randint(0, 59))
