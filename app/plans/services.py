"""Monitoring plans: drafting a version, editing its sources, submitting, approving or returning, and which
version is in force for a month. Plain functions; they flush and raise ServiceError, callers commit.

A change is a new version that starts as a copy of the latest approved one and takes effect from a month. A
method, tier or source change waits for the regulator's approval; a change of meters, laboratory, people or
backup only takes effect on submission, on notice to the regulator (sector-methods.md §9: meter swaps are
notified).
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounting.models import EmissionSource
from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.plans import method_catalogue as catalogue
from app.plans.labels import FIELD_LABELS, tier_label
from app.plans.models import (
    APPROVED,
    DEFAULT,
    EDITABLE,
    RETURNED,
    SUBMITTED,
    TIERS,
    MonitoringPlan,
    PlanMeter,
    PlanSource,
    PlanVersion,
)
from app.plans.signals import (
    plan_approved,
    plan_notified,
    plan_returned,
    plan_submitted,
)

TEXT_FIELDS = ("lab_name", "lab_accreditation", "sampling_frequency", "lab_standard", "responsible_person",
               "backup_source", "backup_method")
METER_FIELDS = ("meter_id", "meter_type", "accuracy_class", "calibrated_on", "calibration_due")


def _versions():
    return select(PlanVersion).options(
        selectinload(PlanVersion.plan),
        selectinload(PlanVersion.sources).selectinload(PlanSource.meters),
        selectinload(PlanVersion.sources).selectinload(PlanSource.source))


def plans_of(org_id: int) -> list[MonitoringPlan]:
    return db.session.scalars(select(MonitoringPlan).where(MonitoringPlan.org_id == org_id)
                              .options(selectinload(MonitoringPlan.versions))
                              .order_by(MonitoringPlan.year.desc())).all()


def latest_approved(plan_id: int) -> PlanVersion | None:
    return db.session.scalar(_versions().where(PlanVersion.plan_id == plan_id, PlanVersion.status == APPROVED)
                             .order_by(PlanVersion.number.desc()).limit(1))


def open_version(plan_id: int) -> PlanVersion | None:
    """The change in progress (draft, submitted or returned): one at a time."""
    return db.session.scalar(select(PlanVersion).where(PlanVersion.plan_id == plan_id,
                                                       PlanVersion.status.in_((*EDITABLE, SUBMITTED))).limit(1))


def plan_in_force(org_id: int, period: date) -> PlanVersion | None:
    """The approved version that governs `period` (any day of the month): the latest effective by then."""
    month = period.replace(day=1)
    return db.session.scalar(
        _versions().join(PlanVersion.plan)
        .where(MonitoringPlan.org_id == org_id, MonitoringPlan.year == month.year, PlanVersion.status == APPROVED,
               PlanVersion.effective_from <= month)
        .order_by(PlanVersion.effective_from.desc(), PlanVersion.number.desc()).limit(1))


def plans_in_force(org_periods: set[tuple[int, date]]) -> dict[tuple[int, date], PlanVersion | None]:
    """plan_in_force for many enterprise-months at once (the review queue): one query."""
    if not org_periods:
        return {}
    orgs = {org for org, _ in org_periods}
    years = {period.year for _, period in org_periods}
    approved = db.session.scalars(
        _versions().join(PlanVersion.plan)
        .where(MonitoringPlan.org_id.in_(orgs), MonitoringPlan.year.in_(years), PlanVersion.status == APPROVED)
        .order_by(PlanVersion.effective_from.desc(), PlanVersion.number.desc())).all()
    found = {}
    for org, period in org_periods:
        month = period.replace(day=1)
        found[(org, period)] = next((v for v in approved if v.org_id == org and v.plan.year == month.year
                                     and v.effective_from <= month), None)
    return found


def waiting() -> list[PlanVersion]:
    """Versions waiting for the regulator, oldest first (the tenancy gate shows the authority every one)."""
    return db.session.scalars(select(PlanVersion).where(PlanVersion.status == SUBMITTED)
                              .options(selectinload(PlanVersion.plan).selectinload(MonitoringPlan.organisation))
                              .order_by(PlanVersion.submitted_at, PlanVersion.id)).all()


def load_version(version_id: int) -> PlanVersion | None:
    """A version with its sources and meters, through the tenancy gate (another enterprise's: None)."""
    return db.session.scalar(_versions().where(PlanVersion.id == version_id))


# --- drafting ---------------------------------------------------------------------------------------------------

def _plan(org_id: int, year: int, now: datetime) -> MonitoringPlan:
    plan = db.session.scalar(select(MonitoringPlan).where(MonitoringPlan.org_id == org_id,
                                                          MonitoringPlan.year == year))
    if plan is None:
        plan = MonitoringPlan(org_id=org_id, year=year, created_at=now)
        db.session.add(plan)
        db.session.flush()
    return plan


def _copy(source: PlanSource) -> PlanSource:
    return PlanSource(org_id=source.org_id, source_id=source.source_id, method=source.method,
                      tiers=dict(source.tiers or {}), **{f: getattr(source, f) for f in TEXT_FIELDS},
                      same_sample=bool(source.same_sample),
                      meters=[PlanMeter(org_id=m.org_id, **{f: getattr(m, f) for f in METER_FIELDS})
                              for m in source.meters])


def new_plan_source(org_id: int, source) -> PlanSource:
    """A source as first planned: its default method, every parameter at its default."""
    method = catalogue.method_of(source)
    return PlanSource(org_id=org_id, source_id=source.id, method=method,
                      tiers={code: DEFAULT for code in catalogue.parameter_codes(method)})


def start_draft(actor, org, year: int, effective_from: date | None = None, now: datetime | None = None) -> PlanVersion:
    """A new version of the enterprise's plan for `year`: a copy of the latest approved version, with any active
    source it does not cover yet; the first version of a year lists every active source at its defaults."""
    now = now or utcnow()
    if not 2000 <= year <= 2100:
        raise ServiceError(_l("Choose a year."), field="year")
    plan = _plan(org.id, year, now)
    current = open_version(plan.id)
    if current is not None:
        raise ServiceError(_l("Version %(number)d of this plan is already being changed: continue with it.",
                              number=current.number))
    base = latest_approved(plan.id)
    if effective_from is None:
        effective_from = date(year, 1, 1) if base is None else max(base.effective_from, _next_month(now.date(), year))
    number = 1 + max((v.number for v in plan.versions), default=0)
    version = PlanVersion(org_id=org.id, plan_id=plan.id, number=number, effective_from=effective_from,
                          based_on_id=base.id if base else None, created_by_id=actor.id, created_at=now)
    version.sources = [_copy(s) for s in base.sources] if base else []
    planned = {s.source_id for s in version.sources}
    for source in db.session.scalars(select(EmissionSource).where(EmissionSource.org_id == org.id,
                                                                  EmissionSource.active).order_by(EmissionSource.id)):
        if source.id not in planned and catalogue.method_of(source) is not None:
            version.sources.append(new_plan_source(org.id, source))
    db.session.add(version)
    db.session.flush()
    record("plan.drafted", actor=actor, obj=version, now=now,
           detail={"year": year, "number": number, "based_on": base.number if base else None})
    return version


def _next_month(today: date, year: int) -> date:
    if today.year < year:
        return date(year, 1, 1)
    if today.year > year or today.month == 12:
        return date(year, 12, 1)
    return date(year, today.month + 1, 1)


def _editable(version: PlanVersion) -> None:
    if version.status not in EDITABLE:
        raise ServiceError(_l("Only a draft or a returned version can be changed; start a new version instead."))


def update_details(actor, version: PlanVersion, effective_from: date, change_note: str | None) -> None:
    _editable(version)
    _check_effective(version, effective_from)
    version.effective_from = effective_from
    version.change_note = (change_note or "").strip() or None
    db.session.flush()


def _check_effective(version: PlanVersion, effective_from: date) -> None:
    if effective_from is None or effective_from.day != 1 or effective_from.year != version.plan.year:
        raise ServiceError(_l("Choose a month of %(year)d.", year=version.plan.year), field="effective_from")
    base = version.based_on
    if base is not None and effective_from < base.effective_from:
        raise ServiceError(_l("A change takes effect from %(month)s or later, when the version it changes took "
                              "effect.", month=base.effective_from.strftime("%Y-%m")), field="effective_from")


def update_source(actor, version: PlanVersion, plan_source: PlanSource, data: dict) -> None:
    """Set how one source is monitored: data has method, tiers {code: tier}, the text fields and meters
    [{meter_id, meter_type, accuracy_class, calibrated_on, calibration_due}]."""
    _editable(version)
    if plan_source.version_id != version.id:
        raise ServiceError(_l("This source is not in this version."))
    method = data.get("method")
    if method not in catalogue.METHODS:
        raise ServiceError(_l("Choose a method."), field="method")
    codes = catalogue.parameter_codes(method)
    tiers = {code: (data.get("tiers") or {}).get(code) or DEFAULT for code in codes}
    if any(tier not in TIERS for tier in tiers.values()):
        raise ServiceError(_l("Choose measured or default for each parameter."), field="tiers")
    meters = [m for m in data.get("meters") or [] if any(m.get(f) for f in METER_FIELDS)]
    for m in meters:
        if not (m.get("meter_id") or "").strip():
            raise ServiceError(_l("Give each meter its number."), field="meters")
        if m.get("calibrated_on") and m.get("calibration_due") and m["calibration_due"] < m["calibrated_on"]:
            raise ServiceError(_l("Meter %(meter)s: the calibration is due after it was calibrated.",
                                  meter=m["meter_id"]), field="meters")
    ids = [m["meter_id"].strip() for m in meters]
    if len(set(ids)) != len(ids):
        raise ServiceError(_l("Each meter is listed once."), field="meters")
    plan_source.method = method
    plan_source.tiers = tiers
    for name in TEXT_FIELDS:
        setattr(plan_source, name, (data.get(name) or "").strip() or None)
    if "same_sample" in data:  # callers that do not know the flag leave it as it was
        plan_source.same_sample = bool(data["same_sample"])
    plan_source.meters = [PlanMeter(org_id=version.org_id, meter_id=m["meter_id"].strip(),
                                    meter_type=(m.get("meter_type") or "").strip() or None,
                                    accuracy_class=(m.get("accuracy_class") or "").strip() or None,
                                    calibrated_on=m.get("calibrated_on"), calibration_due=m.get("calibration_due"))
                          for m in meters]
    db.session.flush()


def add_source(actor, version: PlanVersion, source) -> PlanSource:
    _editable(version)
    if source.org_id != version.org_id or catalogue.method_of(source) is None:
        raise ServiceError(_l("This source cannot be planned."))
    if any(s.source_id == source.id for s in version.sources):
        raise ServiceError(_l("This source is already in the plan."))
    planned = new_plan_source(version.org_id, source)
    version.sources.append(planned)
    db.session.flush()
    return planned


def remove_source(actor, version: PlanVersion, plan_source: PlanSource) -> None:
    _editable(version)
    if plan_source.version_id != version.id:
        raise ServiceError(_l("This source is not in this version."))
    version.sources.remove(plan_source)
    db.session.flush()


# --- what changed -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    needs_approval: bool


@dataclass
class SourceDiff:
    source_id: int
    name: str
    kind: str  # "added", "removed", "changed", "same"
    changes: list[Change] = field(default_factory=list)

    @property
    def needs_approval(self) -> bool:
        return self.kind in ("added", "removed") or any(c.needs_approval for c in self.changes)


def meter_text(m) -> str:
    parts = [m.meter_type, m.accuracy_class and _l("class %(c)s", c=m.accuracy_class),
             m.calibrated_on and _l("calibrated %(d)s", d=m.calibrated_on.isoformat()),
             m.calibration_due and _l("due %(d)s", d=m.calibration_due.isoformat())]
    detail = ", ".join(str(p) for p in parts if p)
    return f"{m.meter_id} ({detail})" if detail else m.meter_id


def _yes_no(flag) -> str:
    return str(_l("Yes") if flag else _l("No"))


def _source_changes(old: PlanSource, new: PlanSource) -> list[Change]:
    changes = []
    if old.method != new.method:
        changes.append(Change(str(_l("Method")), catalogue.method_label(old.method),
                              catalogue.method_label(new.method), True))
    for code in dict.fromkeys([*(old.tiers or {}), *(new.tiers or {})]):
        before, after = (old.tiers or {}).get(code), (new.tiers or {}).get(code)
        if before != after:
            changes.append(Change(catalogue.parameter_label(new.method if after else old.method, code),
                                  tier_label(before), tier_label(after), True))
    before = "; ".join(meter_text(m) for m in old.meters)
    after = "; ".join(meter_text(m) for m in new.meters)
    if before != after:
        changes.append(Change(str(_l("Meters")), before or "—", after or "—", False))
    if bool(old.same_sample) != bool(new.same_sample):
        changes.append(Change(str(FIELD_LABELS["same_sample"]), _yes_no(old.same_sample), _yes_no(new.same_sample),
                              False))
    for name in TEXT_FIELDS:
        if getattr(old, name) != getattr(new, name):
            changes.append(Change(str(FIELD_LABELS[name]), getattr(old, name) or "—", getattr(new, name) or "—",
                                  False))
    return changes


def diff(version: PlanVersion, base: PlanVersion | None) -> list[SourceDiff]:
    """Per source, what `version` changes against `base` (None: every source is new)."""
    old = {s.source_id: s for s in (base.sources if base else [])}
    new = {s.source_id: s for s in version.sources}
    rows = []
    for source_id in dict.fromkeys([*new, *old]):
        name = (new.get(source_id) or old.get(source_id)).source.name
        if source_id not in old:
            rows.append(SourceDiff(source_id, name, "added"))
        elif source_id not in new:
            rows.append(SourceDiff(source_id, name, "removed"))
        else:
            changes = _source_changes(old[source_id], new[source_id])
            rows.append(SourceDiff(source_id, name, "changed" if changes else "same", changes))
    return rows


def needs_approval(version: PlanVersion, base: PlanVersion | None) -> bool:
    return base is None or any(row.needs_approval for row in diff(version, base))


# --- submit, approve, return ------------------------------------------------------------------------------------

def submit(actor, version: PlanVersion, now: datetime | None = None) -> bool:
    """Send the version to the regulator; True if it needs approval, False if it took effect on notice."""
    now = now or utcnow()
    _editable(version)
    _check_effective(version, version.effective_from)
    if not version.sources:
        raise ServiceError(_l("A plan lists at least one source."))
    base = version.based_on
    rows = diff(version, base)
    if base is not None and all(row.kind == "same" for row in rows):
        raise ServiceError(_l("This version changes nothing against version %(number)d.", number=base.number))
    approval = needs_approval(version, base)
    version.submitted_at = now
    version.submitted_by_id = actor.id
    version.return_comment = None
    detail = {"year": version.plan.year, "number": version.number,
              "effective_from": version.effective_from.isoformat()}
    if approval:
        version.status = SUBMITTED
        record("plan.submitted", actor=actor, obj=version, now=now, detail=detail)
        plan_submitted.send(version, actor=actor, now=now)
    else:
        version.status = APPROVED
        version.approved_at = now
        version.by_notice = True
        record("plan.notified", actor=actor, obj=version, now=now, detail=detail)
        plan_notified.send(version, actor=actor, now=now)
    db.session.flush()
    return approval


def approve(actor, version: PlanVersion, now: datetime | None = None) -> None:
    now = now or utcnow()
    if version.status != SUBMITTED:
        raise ServiceError(_l("Only a submitted version can be approved."))
    version.status = APPROVED
    version.approved_at = now
    version.approved_by_id = actor.id
    record("plan.approved", actor=actor, obj=version, now=now,
           detail={"year": version.plan.year, "number": version.number,
                   "effective_from": version.effective_from.isoformat()})
    plan_approved.send(version, actor=actor, now=now)
    db.session.flush()


def return_version(actor, version: PlanVersion, comment: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    if version.status != SUBMITTED:
        raise ServiceError(_l("Only a submitted version can be returned."))
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError(_l("Say what needs changing."), field="comment")
    version.status = RETURNED
    version.returned_at = now
    version.returned_by_id = actor.id
    version.return_comment = comment
    record("plan.returned", actor=actor, obj=version, now=now,
           detail={"year": version.plan.year, "number": version.number, "comment": comment})
    plan_returned.send(version, actor=actor, comment=comment, now=now)
    db.session.flush()
