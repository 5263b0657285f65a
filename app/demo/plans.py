"""Demo monitoring plans: each covered enterprise that files has an approved plan for this year (its sources at their
default methods, or a sector method's parameters measured as the demo files them; a meter each, the energy manager
responsible); the first one has a change waiting for approval
(its first fuel's carbon content measured monthly from next month, or December). Through the services; skips what exists."""
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from app.accounting.methods import LEGACY
from app.accounting.models import EmissionSource
from app.accounts.models import User
from app.core.types import city_day_start, city_today
from app.demo import city
from app.demo.activity import template_for
from app.demo.assets import covered
from app.extensions import db
from app.organisations.models import Organisation
from app.plans import services
from app.plans.models import MEASURED, MonitoringPlan

LAB = {"lab_name": "锦湾市计量检测研究院", "lab_accreditation": "CNAS L0467", "sampling_frequency": "每批次取样，每月检测",
       "lab_standard": "GB/T 476、GB/T 213"}


METER_TYPES = {"t": "电子衡器", "10^4 Nm3": "气体流量计", "MWh": "电能表", "GJ": "热量表", "d": "运行台账"}
# A sector method's sources are measured as the demo files them (app/demo/sector_activity.py): every parameter the
# plan may set, but a generating unit's coal, whose NCV and carbon (from C_ad and the moistures) are tested monthly.
MEASURED_BY_METHOD = {"power_coal": ("ncv_ar", "c_ar")}


def _tiers(planned) -> dict:
    if planned.method in LEGACY:
        return planned.tiers
    measured = MEASURED_BY_METHOD.get(planned.method, tuple(planned.tiers))
    return {code: MEASURED if code in measured else tier for code, tier in planned.tiers.items()}


def _at(day: date, hour: int) -> datetime:
    # In UTC, as every audited time: the chain hashes the instant as written and reads it back in UTC.
    return (city_day_start(day) + timedelta(hours=hour)).astimezone(timezone.utc)


def load(counts) -> None:
    regulator = db.session.scalar(select(User).where(User.email == "regulator@jinwan.gov.cn"))
    if regulator is None:
        return
    today = city_today()
    year = today.year
    pending_done = False
    for i, row in enumerate(city.ENTERPRISES):
        slug, industry = row[0], row[3]
        if not covered(industry) or template_for(industry) is None:
            continue
        org = db.session.scalar(select(Organisation).where(Organisation.credit_code == city.enterprise_code(i)))
        admin = db.session.scalar(select(User).where(User.email == f"admin@{slug}.com.cn"))
        manager = db.session.scalar(select(User).where(User.email == f"energy@{slug}.com.cn"))
        if org is None or admin is None:
            continue
        if db.session.scalar(select(MonitoringPlan.id).where(MonitoringPlan.org_id == org.id,
                                                             MonitoringPlan.year == year)):
            counts["monitoring plans present"] += 1
            continue
        registered = db.session.scalar(select(EmissionSource.created_at).where(EmissionSource.org_id == org.id)
                                       .order_by(EmissionSource.created_at).limit(1))
        drafted = max(_at(date(year - 1, 12, 10), 10), registered + timedelta(days=1)) if registered else \
            _at(date(year - 1, 12, 10), 10)
        version = services.start_draft(admin, org, year, date(year, 1, 1), now=drafted)
        if not version.sources:
            continue
        for planned in version.sources:
            fuel = planned.method == "combustion"
            tiers = _tiers(planned)
            tested = fuel or MEASURED in tiers.values()
            services.update_source(admin, version, planned, {
                "method": planned.method, "tiers": tiers, **(LAB if tested else {}),
                # A generating unit's carbon, NCV and moistures come from one sample (sector-methods.md §2 [M1]).
                "same_sample": planned.method == "power_coal",
                "responsible_person": manager.name if manager else admin.name,
                "backup_source": "购销存台账" if fuel else "供应方结算单",
                "meters": [{"meter_id": f"JL-{org.id:03d}-{planned.source_id:04d}",
                            "meter_type": METER_TYPES.get(planned.source.activity_unit, "电能表"),
                            "accuracy_class": "0.5", "calibrated_on": date(year - 1, 11, 20),
                            "calibration_due": date(year + 1, 11, 19)}]})
        services.submit(admin, version, now=drafted + timedelta(days=5))
        services.approve(regulator, version, now=drafted + timedelta(days=12))
        counts["monitoring plans created"] += 1
        if pending_done:
            continue
        fuel = next((s for s in version.sources if s.method == "combustion"), None)
        if fuel is None:
            continue
        # The pending change: measure the first fuel's carbon content monthly from next month (December in December).
        change = services.start_draft(admin, org, year, date(year, min(today.month + 1, 12), 1),
                                      now=_at(today - timedelta(days=3), 9))
        planned = next(s for s in change.sources if s.source_id == fuel.source_id)
        services.update_source(admin, change, planned, {
            "method": planned.method, "tiers": {**planned.tiers, "carbon_content": MEASURED},
            **{k: getattr(planned, k) for k in services.TEXT_FIELDS},
            "meters": [{f: getattr(m, f) for f in services.METER_FIELDS} for m in planned.meters]})
        services.update_details(admin, change, change.effective_from, "演示：燃煤元素碳含量改为每月委托实验室实测。")
        services.submit(admin, change, now=_at(today - timedelta(days=2), 15))
        pending_done = True
    db.session.flush()
