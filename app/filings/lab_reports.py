"""Laboratory reports per measured parameter of a filing line (issue 17). Plain functions; callers commit.

The report's file goes through the evidence store like any other evidence (checked, stored once by content,
audited); the LabReport row says which parameter of which line it supports, the laboratory and its CMA or CNAS
number, and the sample, so app.plans.check can hold the line's carbon, NCV and moisture to one sample.
"""
import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.audit.services import record
from app.core.service_error import ServiceError
from app.core.types import city_today
from app.extensions import db
from app.filings.evidence import add_evidence
from app.filings.models import Evidence, Filing, LabReport
from app.filings.services import EDITABLE
from app.plans import method_catalogue as catalogue

# A CMA certificate is numbered with 12 digits (often written after "CMA"); a CNAS laboratory as "CNAS L1234".
_ACCREDITATION = re.compile(r"(?:CMA\s*)?\d{12}|CNAS\s*L\d{1,6}", re.IGNORECASE)


def lab_parameters(method: str | None) -> tuple[str, ...]:
    """The inputs of a method a laboratory measures: those a plan sets a tier for and their stand-ins (c_ad …)."""
    codes = []
    for parameter in catalogue.parameters(method) if method else ():
        for code in (parameter.code, *parameter.either):
            if code not in codes and code != "ncv_daily" and code != "equipment":
                codes.append(code)
    return tuple(codes)


def _text(value, label, field: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(_l("Give the %(what)s.", what=label), field=field)
    if len(text) > limit:
        raise ServiceError(_l("At most %(n)d characters.", n=limit), field=field)
    return text


def attach(actor, filing: Filing, source_id: int, parameters, upload, lab_name: str | None,
           accreditation: str | None, sample_id: str | None, sample_date: date | None,
           now: datetime | None = None) -> list[LabReport]:
    """Attach one lab report (one file, one sample) to the measured `parameters` it gives (a code or several) of the
    filing's line for `source_id`, replacing the report each had: the earlier files stay among the evidence."""
    if filing.status not in EDITABLE:
        raise ServiceError(_l("Evidence is added while the month is a draft or returned."))
    line = next((line for line in filing.lines if line.source_id == source_id), None)
    if line is None:
        raise ServiceError(_l("Save this source's line first, then attach its lab reports."), field="parameters")
    method = catalogue.method_of(line.source)
    codes = [parameters] if isinstance(parameters, str) else list(dict.fromkeys(parameters or ()))
    if not codes:
        raise ServiceError(_l("Tick the parameters this report gives."), field="parameters")
    if any(code not in lab_parameters(method) for code in codes):
        raise ServiceError(_l("Choose one of the measured parameters of this source's method."), field="parameters")
    lab_name = _text(lab_name, _l("laboratory's name"), "lab_name", 200)
    accreditation = _text(accreditation, _l("CMA or CNAS number"), "accreditation", 60)
    if not _ACCREDITATION.fullmatch(accreditation):
        raise ServiceError(_l("Give the laboratory's CMA number (12 digits) or CNAS number (e.g. CNAS L1234), as "
                              "printed on the report."), field="accreditation")
    sample_id = _text(sample_id, _l("sample number"), "sample_id", 60)
    if sample_date is None:
        raise ServiceError(_l("Give the date the sample was taken."), field="sample_date")
    if sample_date > (now.date() if now else city_today()):
        raise ServiceError(_l("The sample date cannot be in the future."), field="sample_date")
    labels = ", ".join(str(catalogue.parameter_label(method, code)) for code in codes)
    evidence = add_evidence(actor, filing, upload, source_id,
                            str(_l("Lab report: %(parameter)s", parameter=labels))[:200], now=now)
    reports = []
    for code in codes:
        report = next((r for r in line.lab_reports if r.parameter == code), None)
        if report is None:
            report = LabReport(org_id=filing.org_id, filing_id=filing.id, parameter=code)
            line.lab_reports.append(report)
        report.evidence = evidence
        report.lab_name, report.accreditation, report.sample_id, report.sample_date = (
            lab_name, accreditation, sample_id, sample_date)
        reports.append(report)
    db.session.flush()
    for report in reports:
        record("lab_report.attached", actor=actor, obj=report, now=now,
               detail={"period": filing.period.isoformat(), "revision": filing.revision, "source": line.source.name,
                       "parameter": report.parameter, "lab": lab_name, "accreditation": accreditation,
                       "sample_id": sample_id, "sample_date": sample_date.isoformat(),
                       "filename": evidence.filename})
    return reports


def as_record(report: LabReport) -> dict:
    """A lab report as plain data: the API's answer and the copy of record's entry (the file by name and digest)."""
    return {"parameter": report.parameter, "lab_name": report.lab_name, "accreditation": report.accreditation,
            "sample_id": report.sample_id, "sample_date": report.sample_date.isoformat(),
            "filename": report.evidence.filename, "sha256": report.evidence.sha256}


def copy_to(revision: Filing, latest: Filing, evidence_map: dict[int, Evidence]) -> None:
    """An amendment keeps the lab reports of the revision it amends, on the copies of their files."""
    lines = {line.source_id: line for line in revision.lines}
    for old_line in latest.lines:
        for report in old_line.lab_reports:
            new_line, evidence = lines.get(old_line.source_id), evidence_map.get(report.evidence_id)
            if new_line is None or evidence is None:
                continue
            new_line.lab_reports.append(LabReport(
                org_id=revision.org_id, filing_id=revision.id, parameter=report.parameter, evidence=evidence,
                lab_name=report.lab_name, accreditation=report.accreditation, sample_id=report.sample_id,
                sample_date=report.sample_date))
