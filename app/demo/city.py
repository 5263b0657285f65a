"""The demo city 锦湾市 (Jinwan City): plain tables, and builders that turn them into a timeline.

No Flask and no database here. `timeline(now)` says what happened when, oldest first;
app/demo/commands.py replays it through the services. Credit codes and e-mails derive from
a row's position and slug, so every run builds the same organisations and accounts.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.demo.activity import FilingPlan, filing_plans, template_for
from app.demo.assets import AssetPlan, covered, ledger_plans
from app.organisations.credit_code import make_credit_code

PASSWORD = "Tanji-demo-2026"

CITY_DIVISION = "211100"
DIVISION_CODES = {"兴港区": "211102", "双河区": "211103", "大洼区": "211104", "湾西县": "211122"}
PHONE_PREFIX = "0427-"

AUTHORITY = {
    "name": "锦湾市生态环境局",
    "name_en": "Jinwan Municipal Ecology and Environment Bureau",
    # An organ of government: registration authority 1 (organisation establishment), type 1 (organ).
    "credit_code": make_credit_code(CITY_DIVISION, "00327815", authority="1", org_type="1"),
    "district": "双河区",
    "address": "锦湾市双河区市府大路1号",
    "contact_name": "陈静",
    "contact_phone": PHONE_PREFIX + "2823100",
    "contact_email": "regulator@jinwan.gov.cn",
}
AUTHORITY_AGE_DAYS = 1100

AUTHORITY_USERS = [  # e-mail, name, role, days after the bureau was set up on the platform
    ("admin@jinwan.gov.cn", "周立新", "platform_admin", 0),
    ("regulator@jinwan.gov.cn", "陈静", "regulator", 1),
    ("leader@jinwan.gov.cn", "刘志强", "viewer", 30),
]

# The first row is the enterprise the README names; its sign-ins are fixed.
ENTERPRISES = [  # slug (company domain), name, English name, GB/T 4754-2017 class, district, street
    ("jinwan-petro", "锦湾石化有限公司", "Jinwan Petrochemical Co., Ltd.", "C2511", "兴港区", "临港大道88号"),
    ("shuanghe-power", "双河热电有限责任公司", "Shuanghe Thermal Power Co., Ltd.", "D4412", "双河区", "电厂路1号"),
    ("binhai-power", "锦湾滨海发电有限公司", "Jinwan Binhai Power Generation Co., Ltd.", "D4411", "兴港区", "滨海路200号"),
    ("jinwan-steel", "锦湾钢铁集团有限公司", "Jinwan Iron and Steel Group Co., Ltd.", "C3110", "湾西县", "钢城大街1号"),
    ("wanxi-cement", "湾西水泥有限公司", "Wanxi Cement Co., Ltd.", "C3011", "湾西县", "石山镇工业园12号"),
    ("jinwan-chem", "锦湾化工集团有限公司", "Jinwan Chemical Group Co., Ltd.", "C2614", "大洼区", "化工园区纬一路6号"),
    ("jinwan-heating", "锦湾市热力有限公司", "Jinwan Heating Co., Ltd.", "D4430", "双河区", "兴盛路36号"),
    ("xinggang-refining", "兴港炼油化工有限公司", "Xinggang Refining and Chemical Co., Ltd.", "C2511", "兴港区",
     "石化大道9号"),
    ("jinwan-glass", "锦湾玻璃有限公司", "Jinwan Glass Co., Ltd.", "C3041", "湾西县", "建材工业园3号"),
    ("dawa-fertiliser", "大洼化肥有限公司", "Dawa Fertiliser Co., Ltd.", "C2621", "大洼区", "化工园区经二路18号"),
    ("jinwan-aluminium", "锦湾铝业有限公司", "Jinwan Aluminium Co., Ltd.", "C3216", "湾西县", "冶金园区2号"),
    ("wanxi-power", "湾西热电有限公司", "Wanxi Thermal Power Co., Ltd.", "D4412", "湾西县", "县城东环路58号"),
    ("jinwan-paper", "锦湾纸业有限公司", "Jinwan Paper Co., Ltd.", "C2221", "双河区", "芦苇路66号"),
    ("jinwan-special-steel", "锦湾特钢有限公司", "Jinwan Special Steel Co., Ltd.", "C3120", "湾西县", "钢城大街8号"),
    ("jinwan-resin", "锦湾合成树脂有限公司", "Jinwan Synthetic Resin Co., Ltd.", "C2651", "兴港区", "石化大道27号"),
    ("dawa-rice", "大洼米业有限公司", "Dawa Rice Industry Co., Ltd.", "C1311", "大洼区", "新立镇稻香路5号"),
    ("jinwan-shipbuilding", "锦湾船舶重工有限公司", "Jinwan Shipbuilding Heavy Industry Co., Ltd.", "C3731", "兴港区",
     "船舶工业园1号"),
    ("shuanghe-rolling", "双河钢材轧制有限公司", "Shuanghe Steel Rolling Co., Ltd.", "C3130", "双河区", "工业东路120号"),
    ("jinwan-grain-oil", "锦湾粮油工业有限公司", "Jinwan Grain and Oil Industry Co., Ltd.", "C1331", "兴港区", "港城路45号"),
    ("wanxi-oilfield", "湾西油田采油有限公司", "Wanxi Oilfield Production Co., Ltd.", "B0711", "湾西县", "油田路1号"),
    ("jinwan-chlor-alkali", "锦湾氯碱化工有限公司", "Jinwan Chlor-Alkali Chemical Co., Ltd.", "C2612", "大洼区",
     "化工园区纬三路2号"),
    ("xinggang-ocean-foods", "兴港海洋食品有限公司", "Xinggang Ocean Foods Co., Ltd.", "C1361", "兴港区", "渔港路16号"),
    ("jinwan-jinshan-cement", "锦湾金山水泥有限公司", "Jinwan Jinshan Cement Co., Ltd.", "C3011", "湾西县", "金山镇矿区路7号"),
    ("dawa-heating", "大洼区供热有限公司", "Dawa District Heat Supply Co., Ltd.", "D4430", "大洼区", "大洼街道友谊路22号"),
    ("jinwan-port-oil-storage", "锦湾港油品储运有限公司", "Jinwan Port Oil Storage and Transport Co., Ltd.", "G5941", "兴港区",
     "港区北路3号"),
    ("tongda-logistics", "锦湾通达物流有限公司", "Jinwan Tongda Logistics Co., Ltd.", "G5431", "双河区", "物流园区A区8号"),
    ("xinggang-heavy-plate", "兴港中厚板有限公司", "Xinggang Heavy Plate Co., Ltd.", "C3130", "兴港区", "临港大道166号"),
    ("haibin-materials", "海滨新材料有限公司", "Haibin New Materials Co., Ltd.", "C2651", "兴港区", "石化大道51号"),
    ("crab-field-rice", "锦湾蟹田米业有限公司", "Jinwan Crab-Field Rice Co., Ltd.", "C1311", "大洼区", "唐家镇蟹田路9号"),
    ("wanxi-reed-paper", "湾西苇业纸业有限公司", "Wanxi Reed Paper Co., Ltd.", "C2221", "湾西县", "苇场路33号"),
    ("xinggang-heating", "兴港集中供热有限公司", "Xinggang District Heating Co., Ltd.", "D4430", "兴港区", "港城路118号"),
    ("jinwan-cold-chain", "锦湾冷链运输有限公司", "Jinwan Cold Chain Transport Co., Ltd.", "G5432", "大洼区", "物流大道19号"),
    ("hongyun-chem", "鸿运精细化工有限公司", "Hongyun Fine Chemicals Co., Ltd.", "C2614", "兴港区", "石化大道73号"),
    ("xinggang-cold-storage", "兴港冷藏仓储有限公司", "Xinggang Cold Storage Co., Ltd.", "G5930", "兴港区", "渔港路88号"),
    ("wanxi-urea", "湾西尿素有限公司", "Wanxi Urea Co., Ltd.", "C2621", "湾西县", "化工集中区5号"),
    ("haiyue-glass", "海悦浮法玻璃有限公司", "Haiyue Float Glass Co., Ltd.", "C3041", "兴港区", "建材路21号"),
    ("jinwan-petroleum-dev", "锦湾石油开发有限公司", "Jinwan Petroleum Development Co., Ltd.", "B0711", "双河区",
     "石油大街100号"),
    ("dawa-river-crab", "大洼河蟹水产有限公司", "Dawa River Crab Aquatic Products Co., Ltd.", "C1361", "大洼区",
     "赵圈河镇水产路2号"),
    ("shuanghe-edible-oil", "双河食用油有限公司", "Shuanghe Edible Oil Co., Ltd.", "C1331", "双河区", "工业西路15号"),
    ("xinggang-shipyard", "兴港造船有限公司", "Xinggang Shipyard Co., Ltd.", "C3731", "兴港区", "船舶工业园6号"),
    ("dawa-building-materials", "大洼建材有限公司", "Dawa Building Materials Co., Ltd.", "C3011", "大洼区", "西安镇工业区3号"),
    ("jinwan-synthetic-rubber", "锦湾合成橡胶有限公司", "Jinwan Synthetic Rubber Co., Ltd.", "C2652", "兴港区", "石化大道99号"),
    ("wanxi-rice", "湾西稻香米业有限公司", "Wanxi Daoxiang Rice Co., Ltd.", "C1311", "湾西县", "高升镇粮库路4号"),
    ("shuanghe-freight", "双河货运有限公司", "Shuanghe Freight Co., Ltd.", "G5431", "双河区", "物流园区C区2号"),
]

# Registered this week; the regulator has invited their first administrator, who has not accepted yet.
NEW_ENTERPRISES = [
    ("xinggang-green-h2", "兴港绿氢科技有限公司", "Xinggang Green Hydrogen Technology Co., Ltd.", "C2619", "兴港区",
     "石化大道120号"),
    ("dawa-biomass", "大洼生物质热电有限公司", "Dawa Biomass Heat and Power Co., Ltd.", "D4412", "大洼区", "荣兴街道环保路8号"),
]

# Personal names handed out in order to enterprise staff.
PEOPLE = """
王建国 李秀兰 张伟 刘洋 杨帆 赵磊 黄丽娟 周强 吴敏 徐海峰 孙丽 马俊杰 朱红梅 胡志刚 郭晓燕 何勇 高雪 林峰 罗晓东 郑洁
梁国栋 谢婷婷 宋涛 唐玉芬 许文博 韩冬梅 冯斌 邓佳 曹立军 彭雪梅 曾志明 肖红 田宇 董淑珍 袁博 潘丽萍 于海洋 蒋春燕 蔡明 余晓梅
杜军 叶青 程刚 苏婉 魏东升 吕晶 丁鹏 任晓丽 沈浩 姚雪松 卢佳琪 姜波 崔英 钟磊 谭秀梅 陆健 汪琳 范振华 金晓光 石静怡
廖斌 贾红霞 夏雨 韦国强 付丽 方志远 白雪莲 邹凯 孟庆丰 熊伟民 秦玉兰 邱德胜 江慧 尹志勇 薛梅 闫立新 段晓峰 雷鸣 侯艳红 龙飞
史文静 陶军 黎晓华 贺建平 顾婷 毛永刚 郝丽娜 龚明 邵春雨 万国庆 钱小红 严俊 覃丽 武建军 戴敏 莫志华 孔凡荣 向阳 汤淑芬 常海波
温晓丽 康宁 施伟 文静 牛振江 樊丽 葛志强 邢红艳 安国华 齐玉梅 易军 乔丽君 伍海 庞晓冬 颜丽 倪建新 关玉洁 艾东
""".split()


# --- what happens, and when ------------------------------------------------------------------

@dataclass(frozen=True)
class OrgSeed:
    at: datetime
    kind: str
    fields: dict

    @property
    def credit_code(self) -> str:
        return self.fields["credit_code"]


@dataclass(frozen=True)
class UserSeed:
    at: datetime
    email: str
    name: str
    role: str
    credit_code: str
    created_by: str | None  # e-mail of the acting user, None for the platform itself


@dataclass(frozen=True)
class InvitationSeed:
    at: datetime
    email: str
    role: str
    credit_code: str
    invited_by: str


@dataclass(frozen=True)
class SignInSeed:
    at: datetime
    email: str


@dataclass(frozen=True)
class RegisterSeed:
    """The enterprise admin sets up facilities, sources and products after joining."""

    at: datetime
    credit_code: str
    slug: str
    industry_code: str


@dataclass(frozen=True)
class FilingSeed:
    at: datetime
    credit_code: str
    slug: str
    industry_code: str
    plan: FilingPlan


@dataclass(frozen=True)
class AssetSeed:
    """A movement in a covered enterprise's carbon asset ledger (app/demo/assets.py)."""

    at: datetime
    credit_code: str
    slug: str
    plan: AssetPlan


@dataclass(frozen=True)
class CityDataSeed:
    """The regulator's city statistics, sinks, index settings and product benchmarks (app/demo/city_stats.py),
    loaded after the filings so that the settings can be sized from them."""

    at: datetime
    last_year: int


def timeline(now: datetime) -> list:
    """Every seed of the demo city, oldest first, so the audit trail reads in order."""
    names = iter(PEOPLE)
    seeds = [*authority_seeds(now), *enterprise_seeds(now, names), *new_enterprise_seeds(now, names),
             *sign_in_seeds(now)]
    seeds += asset_seeds(now)
    seeds.append(CityDataSeed(now, now.year - 1))
    petro = enterprise_code(0)
    seeds.append(InvitationSeed(now - timedelta(days=1, hours=3), "carbon@jinwan-petro.com.cn", "energy_manager",
                                petro, invited_by="admin@jinwan-petro.com.cn"))
    return sorted(seeds, key=lambda seed: seed.at)


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """(e-mail, role, organisation) of the accounts the README lists."""
    petro = ENTERPRISES[0][1]
    from app.demo.verification import sign_ins as verifier_sign_ins

    return [*((email, role, AUTHORITY["name"]) for email, _name, role, _days in AUTHORITY_USERS),
            ("admin@jinwan-petro.com.cn", "enterprise_admin", petro),
            ("energy@jinwan-petro.com.cn", "energy_manager", petro), *verifier_sign_ins()]


def enterprise_code(index: int) -> str:
    """A valid credit code (market regulator, enterprise) fixed by the row's position."""
    district = (ENTERPRISES + NEW_ENTERPRISES)[index][4]
    return make_credit_code(DIVISION_CODES[district], f"{31_000_000 + index * 104_729:08d}")


def authority_seeds(now: datetime) -> list:
    start = _office_hours(now - timedelta(days=AUTHORITY_AGE_DAYS), 0)
    code = AUTHORITY["credit_code"]
    return [OrgSeed(start, "authority", dict(AUTHORITY)),
            *(UserSeed(start + timedelta(days=days, hours=1), email, name, role, code, created_by=None)
              for email, name, role, days in AUTHORITY_USERS)]


def enterprise_seeds(now: datetime, names) -> list:
    seeds = []
    for i, row in enumerate(ENTERPRISES):
        at = _office_hours(now - timedelta(days=_days_registered(i)), i)
        staff = _staff(i, row[0], names)
        contact = staff[1]  # the energy manager answers the regulator's questions
        profile = _profile(i, row, contact_name=contact[1], contact_email=contact[0])
        plans = filing_plans(row[0], at + timedelta(days=12), now) if template_for(row[3]) else []
        if plans:  # it reports from its first filed month (the platform's first months predate the obligation)
            profile["first_reporting_month"] = plans[0].period
        seeds.append(OrgSeed(at, "enterprise", profile))
        seeds += [UserSeed(at + timedelta(days=days, hours=2), email, name, role, enterprise_code(i),
                           created_by="regulator@jinwan.gov.cn" if role == "enterprise_admin" else staff[0][0])
                  for email, name, role, days in staff]
        seeds += activity_seeds(i, row, at, now)
    return seeds


def activity_seeds(i: int, row: tuple, registered_at: datetime, now: datetime) -> list:
    """The register a few days after joining, then a filing for every month since."""
    slug, industry_code = row[0], row[3]
    if template_for(industry_code) is None:
        return []
    code = enterprise_code(i)
    seeds = [RegisterSeed(registered_at + timedelta(days=12), code, slug, industry_code)]
    seeds += [FilingSeed(plan.saved_at, code, slug, industry_code, plan)
              for plan in filing_plans(slug, registered_at + timedelta(days=12), now)]
    return seeds


def asset_seeds(now: datetime) -> list:
    """The ledgers of the enterprises in covered industries that file (those with an activity template),
    from when their register is set up."""
    seeds = []
    for i, row in enumerate(ENTERPRISES):
        if not covered(row[3]) or template_for(row[3]) is None:
            continue
        set_up = _office_hours(now - timedelta(days=_days_registered(i)), i) + timedelta(days=13)
        seeds += [AssetSeed(plan.at, enterprise_code(i), row[0], plan)
                  for plan in ledger_plans(row[0], 20 + i, now, set_up)]
    return seeds


def _days_registered(i: int) -> int:
    """Most joined in the platform's first months, about three years ago; the last six within the past year."""
    late = len(ENTERPRISES) - 6
    return 1080 - i * 150 // late if i < late else 330 - (i - late) * 50


def new_enterprise_seeds(now: datetime, names) -> list:
    seeds = []
    for j, row in enumerate(NEW_ENTERPRISES):
        i = len(ENTERPRISES) + j
        at = _office_hours(now - timedelta(days=3 - j), i)
        email, name = f"admin@{row[0]}.com.cn", next(names)
        seeds.append(OrgSeed(at, "enterprise", _profile(i, row, contact_name=name, contact_email=email)))
        seeds.append(InvitationSeed(at + timedelta(hours=1), email, "enterprise_admin", enterprise_code(i),
                                    invited_by="regulator@jinwan.gov.cn"))
    return seeds


def sign_in_seeds(now: datetime) -> list:
    """Recent sign-ins: the demo accounts and a share of the enterprises' staff."""
    emails = [email for email, _role, _org in demo_sign_ins()]
    for i, row in enumerate(ENTERPRISES[1:], start=1):
        if i % 3 == 1:
            emails.append(f"energy@{row[0]}.com.cn")
        if i % 5 == 2:
            emails.append(f"admin@{row[0]}.com.cn")
    return [SignInSeed(_office_hours(now - timedelta(days=1 + k % 6), k), email) for k, email in enumerate(emails)]


def _staff(i: int, slug: str, names) -> list[tuple[str, str, str, int]]:
    """(e-mail, name, role, days after registration): an admin, an energy manager, sometimes a viewer."""
    staff = [(f"admin@{slug}.com.cn", next(names), "enterprise_admin", 1 + i % 3),
             (f"energy@{slug}.com.cn", next(names), "energy_manager", 4 + i % 8)]
    if i % 3 == 0:
        staff.append((f"office@{slug}.com.cn", next(names), "viewer", 20 + i % 10))
    return staff


def _profile(i: int, row: tuple, **contact) -> dict:
    _slug, name, name_en, industry_code, district, street = row
    return {"name": name, "name_en": name_en, "credit_code": enterprise_code(i), "industry_code": industry_code,
            "district": district, "address": f"锦湾市{district}{street}",
            "contact_phone": f"{PHONE_PREFIX}{8_000_000 + i * 104_729 % 1_000_000:07d}", **contact}


def _office_hours(day: datetime, i: int) -> datetime:
    """A time between 09:00 and 16:00 in Jinwan (UTC+8) on that day."""
    return day.replace(hour=1 + i % 8, minute=13 * i % 60, second=0, microsecond=0)
