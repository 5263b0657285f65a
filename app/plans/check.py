"""A monthly filing against the monitoring plan in force (sector-methods.md §9).

`check` is pure: the filing's lines as LineFacts and the plan version in, findings out, in the style of
app.filings.plausibility.Finding (key, level, message, source_id), so the filing and review pages list them with
the rest. An error blocks the submission, a warning needs an explanation, a `substituted` notice says which
measured parameter is missing and why; the engine supplies the conservative value itself.
"""
import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.plans import method_catalogue as catalogue
from app.plans.models import MEASURED
from app.plans.services import plan_in_force

ERROR, WARNING, NOTICE = "error", "warning", "notice"
MISSING_MEASUREMENT = "measured_parameter_missing"  # the reason of a substitution, for the engine and the record


@dataclass(frozen=True)
class Finding:
    key: str
    level: str
    message: str
    source_id: int | None = None
    parameter: str | None = None  # a substitution: the parameter replaced
    reason: str | None = None  # and why


@dataclass(frozen=True)
class LineFacts:
    source_id: int
    name: str
    method: str | None  # None: outside any plan (scope 3)
    quantity: Decimal
    parameters: frozenset[str]  # the measured parameters filed
    samples: tuple[tuple[str, str], ...] = ()  # (parameter, sample id) of each lab report of the line


def month_end(period: date) -> date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def _filed(code: str, method: str, filed: frozenset[str]) -> bool:
    parameter = next((p for p in catalogue.parameters(method) if p.code == code), None)
    return code in filed or bool(parameter and filed & set(parameter.either))


def check(lines: list[LineFacts], version, period: date) -> list[Finding]:
    """What the month's lines break of `version` (a PlanVersion, or None: no plan in force, nothing to check)."""
    if version is None:
        return []
    planned = {s.source_id: s for s in version.sources}
    end = month_end(period)
    month = period.strftime("%Y-%m")
    findings = []
    for line in lines:
        if line.method is None:
            continue
        source = planned.get(line.source_id)
        if source is None:
            findings.append(Finding(f"plan:unplanned:{line.source_id}", ERROR, _l(
                "%(source)s: source not in the plan (version %(number)d in force for %(month)s). Add it to the "
                "plan, or file it under a planned source.", source=line.name, number=version.number, month=month),
                line.source_id))
            continue
        if source.method != line.method:
            findings.append(Finding(f"plan:method:{line.source_id}", ERROR, _l(
                "%(source)s: filed by the method %(filed)s; the plan says %(planned)s.", source=line.name,
                filed=catalogue.method_label(line.method), planned=catalogue.method_label(source.method)),
                line.source_id))
            continue
        for meter in source.meters:
            if meter.calibration_due is not None and meter.calibration_due < end:
                findings.append(Finding(f"plan:meter:{line.source_id}:{meter.meter_id}", WARNING, _l(
                    "%(source)s: meter %(meter)s was due for calibration on %(due)s, before the end of %(month)s. "
                    "Say how its readings were checked.", source=line.name, meter=meter.meter_id,
                    due=meter.calibration_due.isoformat(), month=month), line.source_id))
        if line.quantity == 0:
            continue  # nothing burned or bought: no parameter to measure
        if getattr(source, "same_sample", False):
            findings += _same_sample(line, source.method)
        for code, tier in sorted((source.tiers or {}).items()):
            if tier == MEASURED and not _filed(code, source.method, line.parameters):
                findings.append(Finding(f"substituted:{line.source_id}:{code}", NOTICE, _l(
                    "%(source)s: the plan says %(parameter)s is measured, but none was filed for %(month)s: the "
                    "conservative substitute replaces it (substituted).", source=line.name,
                    parameter=catalogue.parameter_label(source.method, code), month=month),
                    line.source_id, code, MISSING_MEASUREMENT))
    return findings


def _same_sample(line: LineFacts, method: str) -> list[Finding]:
    """The lab reports of the line's carbon, NCV and moisture name one sample; a filed one without a report
    cannot be shown to."""
    group = catalogue.SAME_SAMPLE.get(method, ())
    samples = {code: sample for code, sample in line.samples if code in group}
    without = [code for code in group if code in line.parameters and code not in samples]
    found = []
    if len(set(samples.values())) > 1:
        found.append(Finding(f"plan:same_sample:{line.source_id}", WARNING, _l(
            "%(source)s: the plan asks for carbon, NCV and moisture from the same sample, but the lab reports name "
            "different samples: %(samples)s.", source=line.name, samples="; ".join(
                f"{catalogue.parameter_label(method, code)} {sample}" for code, sample in sorted(samples.items()))),
            line.source_id))
    if without:
        found.append(Finding(f"plan:lab_report:{line.source_id}", WARNING, _l(
            "%(source)s: the plan asks for carbon, NCV and moisture from the same sample; attach the lab report "
            "of %(parameters)s.", source=line.name,
            parameters=", ".join(catalogue.parameter_label(method, code) for code in without)), line.source_id))
    return found


def facts(lines) -> list[LineFacts]:
    """A filing's lines (FilingLine with its source) as the check reads them."""
    return [LineFacts(line.source_id, line.source.name, catalogue.method_of(line.source), line.quantity,
                      frozenset(k for k, v in {**(line.measured or {}), **(getattr(line, "parameters", None) or {})}
                                .items() if v not in (None, "", {})),
                      tuple((r.parameter, r.sample_id) for r in getattr(line, "lab_reports", ())))
            for line in lines]


_LOOK_UP = object()


def check_filing(filing, version=_LOOK_UP) -> list[Finding]:
    """The filing against the plan version in force for its month (looked up unless given; None: no plan)."""
    if version is _LOOK_UP:
        version = plan_in_force(filing.org_id, filing.period)
    return check(facts(filing.lines), version, filing.period)
