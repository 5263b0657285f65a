"""Plausibility checks run before a filing is submitted (and shown to the reviewer).

Errors block the submission; warnings need a written explanation. Pure functions over plain data,
so they can be tested without a database: the caller passes the filing, its neighbours and the
enterprise's active sources.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.core.numbers import grouped
from app.filings import scale

ERROR, WARNING = "error", "warning"
FUEL_CATEGORIES = ("stationary_combustion", "mobile_combustion")
SCALE = "scale"  # the month is more than scale.WARNED_TIMES its reference: highlighted for the reviewer


@dataclass(frozen=True)
class Finding:
    key: str  # stable, so an explanation given for it can be matched at submission
    level: str
    message: str
    source_id: int | None = None


def _quantities(filing) -> dict[int, tuple[Decimal, str]]:
    return {line.source_id: (line.quantity, line.unit) for line in filing.lines} if filing else {}


def check(filing, previous, last_year, active_sources, threshold_percent: int, today: date,
          other_open_revision: bool = False, gross_tonnes: Decimal | None = None,
          reference: scale.Reference | None = None) -> list[Finding]:
    """What is wrong or unusual about `filing` compared with the month before and the same month last year, and
    (given its gross tonnes and the scale reference, see app.filings.scale) with the largest approved month."""
    findings = []
    if gross_tonnes is not None and scale.scale_warned(gross_tonnes, reference):
        findings.append(Finding(SCALE, WARNING, _l(
            "%(finding)s More than %(limit)d times needs an explanation; more than %(refused)d times is refused.",
            finding=scale.scale_message(filing.period, gross_tonnes, reference), limit=int(scale.WARNED_TIMES),
            refused=int(scale.REFUSED_TIMES))))
    month = filing.period.strftime("%Y-%m")
    if filing.period >= today.replace(day=1):  # the current month has not ended either
        findings.append(Finding("future", ERROR, _l("%(month)s has not ended yet: it can be filed from the 1st "
                                                     "of the next month.", month=month)))
    if other_open_revision:
        findings.append(Finding("already-filed", ERROR, _l("%(month)s is already filed and waiting for review.",
                                                           month=month)))
    mine = _quantities(filing)
    for source in active_sources:
        in_service = getattr(source, "in_service", None)  # a source as filed (review) has no service months
        if source.id not in mine and (in_service is None or in_service(filing.period)):
            findings.append(Finding(f"missing:{source.id}", ERROR,
                                    _l("No quantity for %(source)s: enter 0 if it was not used this month.",
                                       source=source.name), source.id))
    names = {s.id: s.name for s in active_sources}
    limit = Decimal(threshold_percent) / 100
    for label, other in ((_l("the previous month"), previous), (_l("the same month last year"), last_year)):
        theirs = _quantities(other)
        for source_id, (quantity, unit) in mine.items():
            if source_id not in theirs or theirs[source_id][1] != unit:
                continue  # nothing to compare like for like
            before = theirs[source_id][0]
            if before == 0:
                changed = quantity != 0
                share = None
            else:
                share = (quantity - before) / before
                changed = abs(share) > limit
            if changed:
                key = f"change:{'prev' if other is previous else 'year'}:{source_id}"
                findings.append(Finding(key, WARNING, _l(
                    "%(source)s: %(now)s %(unit)s against %(before)s %(unit)s in %(when)s (%(change)s).",
                    source=names.get(source_id, source_id), now=grouped(quantity), before=grouped(before), unit=unit,
                    when=label, change=f"{share:+.0%}" if share is not None else "+∞"), source_id))
    fuel = any(line.quantity > 0 for line in filing.lines if line.source.category in FUEL_CATEGORIES)
    if fuel and not any(p.quantity > 0 for p in filing.production):
        findings.append(Finding("zero-output", WARNING,
                                _l("Fuel was burned but no production is reported for %(month)s.", month=month)))
    return findings


def blocking(findings) -> list[Finding]:
    return [f for f in findings if f.level == ERROR]


def unexplained(findings, explanations: dict) -> list[Finding]:
    return [f for f in findings if f.level == WARNING and not (explanations.get(f.key) or "").strip()]
