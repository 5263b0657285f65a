"""The demo city's carbon asset ledgers: allocations, allowance trades, CCER holdings and surrenders.

Plain data and pure functions (no Flask, no database), like app/demo/activity.py. Quantities that depend on
an enterprise's emissions are given as a `basis` and a `share`; app/demo/commands.py turns them into tonnes
from the stored calculations when the seed is replayed. Seeds replay in time order, so an allocation dated
in March of the following year finds the year's filings already approved.

For each enterprise in a covered industry, with L last year and T this year:
- L's allocation (about 90–105 % of L's verified emissions), notified on 15 March of T, recorded by the
  regulator's account (allowances are allocated by the authority only; the enterprise records the rest);
- T's provisional allocation (the same range, of L's emissions annualised), notified on 20 April of T;
- buyers (allocated under 98.5 %) buy CCER offsets and allowances in tranches, some not yet enough;
  sellers (over 101.5 %) sell part of their surplus;
- two enterprises settle L in October of T (offsets up to the cap first, then allowances);
- the README's enterprise recorded one purchase twice and reversed the duplicate.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

# GB/T 4754-2017 divisions in emissions trading (the same list as app.assets.services.COVERED_DIVISIONS).
COVERED_DIVISIONS = ("D44", "C25", "C26", "C30", "C31", "C32")
SETTLED = ("binhai-power", "wanxi-cement")  # surrender for last year already made
DUPLICATE = "jinwan-petro"  # one purchase entered twice, then reversed

EXCHANGE = "全国碳市场挂牌协议交易（上海环境能源交易所）"
SELLERS = ("辽东能源发电有限公司", "北方电力集团碳资产管理有限公司", "渤海碳资产管理有限公司", EXCHANGE)
BUYERS = ("中环碳资产管理（上海）有限公司", "辽南钢铁股份有限公司", "华北碳投资有限公司", EXCHANGE)
CCER_PROJECTS = (  # registration number, vintage, project, seller
    ("CCER-14-2024-0021", 2024, "辽西北造林碳汇项目", "辽西北林业发展有限公司"),
    ("CCER-01-2024-0107", 2024, "渤海湾并网海上风力发电项目", "渤海湾海上风电有限公司"),
    ("CCER-01-2025-0032", 2025, "并网光热发电项目", "西北光热电力有限公司"),
)


@dataclass(frozen=True)
class AssetPlan:
    """One ledger movement of the demo, sized by `basis` when it is replayed:

    - "verified": share × the compliance year's verified emissions;
    - "estimate": share × a year's expected emissions (last year's, annualised; else this year's so far);
    - "shortfall" / "surplus": share × the year's position gap (bought to cover it, or sold from it);
    - "settle": surrender what the year needs: offsets up to the cap, then allowances (never more than held);
    - "reversal": reverse the entry whose reason is `target`.
    """

    at: datetime
    kind: str
    basis: str
    share: Decimal
    reason: str
    instrument: str = "allowance"
    compliance_year: int | None = None
    price: Decimal | None = None
    counterparty: str | None = None
    offset_type: str | None = None
    project_id: str | None = None
    vintage: int | None = None
    target: str | None = None  # a reversal: the reason of the entry it undoes

    @property
    def by_regulator(self) -> bool:
        """Allowances are allocated by the authority only: an allocation is recorded by the regulator's account,
        every other movement by the enterprise's admin."""
        return self.kind == "allocation"

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons of the entries it records (a settlement records its offsets apart): its idempotency key."""
        return (self.reason, offsets_reason(self.reason)) if self.basis == "settle" else (self.reason,)


def offsets_reason(reason: str) -> str:
    return f"{reason}（CCER抵销）"


def covered(industry_code: str) -> bool:
    return industry_code[:3] in COVERED_DIVISIONS


def ledger_plans(slug: str, number: int, now: datetime, since: datetime) -> list[AssetPlan]:
    """The movements of one covered enterprise from `since` (its register is set up) up to `now`, oldest first;
    `number` numbers its notices. A newcomer gets this year's allocation two months after joining instead."""
    rng = random.Random(f"assets:{slug}")
    last, this = now.year - 1, now.year
    share_last = _share(rng.uniform(0.90, 1.05))
    share_this = _share(rng.uniform(0.90, 1.05))
    plans = [
        AssetPlan(_at(this, 3, 15, number), "allocation", "verified", share_last,
                  f"{last}年度配额分配通知（锦环发〔{this}〕{number}号）", compliance_year=last),
        AssetPlan(max(_at(this, 4, 20, number), since + timedelta(days=60)), "allocation", "estimate", share_this,
                  f"{this}年度配额预分配通知（锦环发〔{this}〕{number + 60}号）", compliance_year=this),
    ]
    settles = slug in SETTLED
    if share_last < Decimal("0.985") or settles:
        plans += _buying(rng, slug, last, this, number, complete=settles or rng.random() < 0.6)
    elif share_last > Decimal("1.015"):
        plans.append(AssetPlan(_at(this, 7, rng.randint(1, 28), number), "sale", "surplus",
                               _share(rng.uniform(0.4, 0.7)), f"配额出售 成交编号 {this}07{number:03d}",
                               compliance_year=last, price=_price(rng, 62, 78),
                               counterparty=rng.choice(BUYERS)))
    if settles:
        plans.append(AssetPlan(_at(this, 10, 28, number), "surrender", "settle", Decimal(1),
                               f"{last}年度配额清缴履约", compliance_year=last))
    if slug == DUPLICATE:
        reason = f"{this}年度配额远期购买 成交编号 {this}0905{number:03d}"
        common = {"compliance_year": this, "price": Decimal("71.80"), "counterparty": SELLERS[0]}
        plans += [
            AssetPlan(_at(this, 9, 5, number), "purchase", "estimate", Decimal("0.03"), reason, **common),
            AssetPlan(_at(this, 9, 5, number) + timedelta(minutes=4), "purchase", "estimate", Decimal("0.03"),
                      reason + "（重复录入）",
                      **common),
            AssetPlan(_at(this, 9, 8, number), "reversal", "reversal", Decimal(0), "同一成交单重复录入，冲销",
                      target=reason + "（重复录入）"),
        ]
    return sorted((p for p in plans if since < p.at < now), key=lambda p: p.at)


def _buying(rng, slug: str, last: int, this: int, number: int, complete: bool) -> list[AssetPlan]:
    """Some CCER first (cheaper, within the cap), then allowances in one or two tranches."""
    plans = []
    if rng.random() < 0.6:
        project_id, vintage, project, seller = CCER_PROJECTS[rng.randrange(len(CCER_PROJECTS))]
        plans.append(AssetPlan(_at(this, 5, rng.randint(6, 28), number), "purchase", "verified",
                               _share(rng.uniform(0.02, 0.05)), f"CCER购买合同 {project}（{seller}）",
                               instrument="offset", price=_price(rng, 68, 86), counterparty=seller,
                               offset_type="CCER", project_id=project_id, vintage=vintage))
    plans.append(AssetPlan(_at(this, 6, rng.randint(2, 26), number), "purchase", "shortfall",
                           _share(rng.uniform(0.5, 0.7)), f"配额购买 成交编号 {this}06{number:03d}",
                           compliance_year=last, price=_price(rng, 58, 72), counterparty=rng.choice(SELLERS)))
    if complete:
        plans.append(AssetPlan(_at(this, 9, rng.randint(1, 24), number), "purchase", "shortfall",
                               _share(rng.uniform(1.0, 1.04)),
                               f"配额购买 成交编号 {this}09{number:03d}", compliance_year=last,
                               price=_price(rng, 60, 76), counterparty=rng.choice(SELLERS)))
    return plans


def _share(value: float) -> Decimal:
    return Decimal(str(round(value, 3)))


def _price(rng, low: int, high: int) -> Decimal:
    """CNY per tonne, to the fen: China's ETS traded between about 55 and 100 CNY in 2023–2025."""
    return Decimal(str(round(rng.uniform(low, high), 2)))


def _at(year: int, month: int, day: int, number: int) -> datetime:
    """Office hours in Jinwan (UTC+8) on that day; the number spreads enterprises over the day."""
    moment = datetime(year, month, day, tzinfo=timezone.utc)
    return moment + timedelta(hours=1 + number % 7, minutes=(7 * number) % 60)


def settle_split(verified: Decimal, cap: Decimal, offsets_held: Decimal, allowances_held: Decimal) -> tuple:
    """(offsets, allowances) to surrender for a year: offsets first up to the cap, then allowances, none beyond
    what is held. Whole tonnes, as the registry surrenders them."""
    offsets = min(offsets_held, cap).to_integral_value(rounding="ROUND_FLOOR")
    offsets = max(offsets, Decimal(0))
    allowances = min(max(verified - offsets, Decimal(0)).to_integral_value(rounding="ROUND_CEILING"),
                     allowances_held)
    return offsets, max(allowances, Decimal(0))


def whole_tonnes(value: Decimal, up: bool = False) -> Decimal:
    return value.to_integral_value(rounding="ROUND_CEILING" if up else "ROUND_HALF_UP")
