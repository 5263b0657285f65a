"""What the reviewer reads: the queue of filings, one filing beside its neighbours, and the months not filed.

Plain functions that only read; the tenancy gate decides what is visible (an authority user sees every
enterprise). The review actions themselves are workflow.approve and workflow.return_filing.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from app.accounting.models import EmissionSource
from app.accounts.models import User
from app.core.types import city_date, city_today
from app.extensions import db
from app.filings import parameters as method_parameters
from app.filings import plausibility, scale
from app.filings.calculations import library_loader
from app.filings.models import (
    APPROVED,
    DRAFT,
    RETURNED,
    SUBMITTED,
    Calculation,
    CalculationLine,
    Evidence,
    Filing,
    FilingLine,
    LabReport,
    ProductionLine,
    ReviewComment,
)
from app.filings.conversation import month_comments
from app.filings.services import copies_of, sources_judged
from app.filings.workflow import add_months, due_date, findings_for
from app.organisations.models import ENTERPRISE, Organisation
from app.plans import check as plan_check
from app.plans.services import plans_in_force
from app.settings.services import get_setting, method_bands

PAGE_SIZE = 50
# A month counts as filed once submitted; a returned one is owed again until it comes back.
FILED = (SUBMITTED, APPROVED)
# The months a filing is compared with on the review page: the three before it and the same month last year.
COMPARED_MONTHS = (-1, -2, -3, -12)
DUE_SOON_DAYS = 5


def parse_month(text: str | None) -> date | None:
    """'2025-03' → date(2025, 3, 1); anything else → None."""
    try:
        year, month = (int(part) for part in (text or "").strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def change_percent(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before * 100


def _enterprise_criteria(division: str = "", district: str = "") -> list:
    criteria = []
    if division:
        criteria.append(Organisation.industry_code.startswith(division))
    if district:
        criteria.append(Organisation.district == district)
    return criteria


def _effective(revisions: list[Filing]) -> Filing | None:
    """workflow.effective_filing over revisions already loaded: the latest approved one, else the latest."""
    rows = sorted(revisions, key=lambda f: f.revision, reverse=True)
    return next((f for f in rows if f.status == APPROVED), rows[0] if rows else None)


def _revisions_by_month(org_ids, periods, *options) -> dict[tuple[int, date], list[Filing]]:
    by_month = defaultdict(list)
    if org_ids and periods:
        for filing in db.session.scalars(select(Filing).where(Filing.org_id.in_(org_ids), Filing.period.in_(periods))
                                         .options(*options)):
            by_month[(filing.org_id, filing.period)].append(filing)
    return by_month


# --- the queue ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    status: str | None = SUBMITTED  # None: every status
    division: str = ""  # a GB/T 4754 division, e.g. "C30"
    district: str = ""
    period: date | None = None


@dataclass
class QueueRow:
    filing: Filing
    total_tco2e: Decimal | None
    warnings: int
    errors: int


def queue(flt: QueueFilter, page: int = 1, page_size: int = PAGE_SIZE,
          today: date | None = None) -> tuple[list[QueueRow], int]:
    """One page of filings and the number of all that match: a count, the page, and a few queries for the page's rows."""
    criteria = _enterprise_criteria(flt.division, flt.district)
    if flt.status:
        criteria.append(Filing.status == flt.status)
    if flt.period:
        criteria.append(Filing.period == flt.period)
    total = db.session.scalar(select(func.count(Filing.id)).select_from(Filing).join(Filing.organisation)
                              .where(*criteria))
    # Waiting filings oldest first, so none is left at the bottom; otherwise the latest months first.
    order = ((Filing.submitted_at, Filing.id) if flt.status == SUBMITTED
             else (Filing.period.desc(), Filing.submitted_at.desc(), Filing.id.desc()))
    filings = db.session.scalars(
        select(Filing).join(Filing.organisation).where(*criteria).order_by(*order)
        .limit(page_size).offset((max(page, 1) - 1) * page_size)
        .options(contains_eager(Filing.organisation),
                 selectinload(Filing.lines).selectinload(FilingLine.source),
                 selectinload(Filing.lines).selectinload(FilingLine.lab_reports),  # the plan's same-sample rule
                 selectinload(Filing.production))).all()
    if not filings:
        return [], total
    totals = {filing_id: tonnes for filing_id, tonnes in db.session.execute(
        select(Calculation.filing_id, Calculation.total_tco2e)
        .where(Calculation.filing_id.in_([f.id for f in filings]), Calculation.is_current))}
    findings = findings_by_filing(filings, today or city_today())
    rows = []
    for filing in filings:
        levels = [f.level for f in findings[filing.id]]
        rows.append(QueueRow(filing, totals.get(filing.id), levels.count(plausibility.WARNING),
                             levels.count(plausibility.ERROR)))
    return rows, total


def findings_by_filing(filings: list[Filing], today: date) -> dict[int, list[plausibility.Finding]]:
    """workflow.findings_for for a page of filings: a few queries in all rather than several per filing.

    The filings need their lines (with sources) and production loaded.
    """
    org_ids = {f.org_id for f in filings}
    periods = {f.period for f in filings}
    neighbours = {add_months(p, n) for p in periods for n in (-1, -12)}
    around = _revisions_by_month(org_ids, periods | neighbours, selectinload(Filing.lines))
    sources = defaultdict(list)
    for source in db.session.scalars(select(EmissionSource).where(EmissionSource.org_id.in_(org_ids),
                                                                  EmissionSource.active).order_by(EmissionSource.id)):
        sources[source.org_id].append(source)
    threshold = get_setting("plausibility_change_percent")
    copies = copies_of([f.id for f in filings])
    gross = {calc.filing_id: scale.gross(calc) for calc in db.session.scalars(
        select(Calculation).where(Calculation.filing_id.in_([f.id for f in filings]), Calculation.is_current))}
    references = scale.references({f.organisation for f in filings})
    plans = plans_in_force({(f.org_id, f.period) for f in filings})
    bands, library = method_bands(), library_loader()  # the library read once, if any line's check needs it
    found = {}
    for filing in filings:
        judged = sources_judged(filing, sources[filing.org_id],
                                copies[filing.id][-1] if copies.get(filing.id) else None)
        other_open = any(other.id != filing.id and other.status == SUBMITTED
                         for other in around[(filing.org_id, filing.period)])
        found[filing.id] = plausibility.check(
            filing, _effective(around[(filing.org_id, add_months(filing.period, -1))]),
            _effective(around[(filing.org_id, add_months(filing.period, -12))]), judged,
            threshold, today, other_open_revision=other_open, gross_tonnes=gross.get(filing.id),
            reference=references[filing.org_id]) + method_parameters.findings(filing, bands, library) + plan_check.check_filing(
            filing, plans[(filing.org_id, filing.period)])
    return found


def waiting_counts() -> tuple[int, int]:
    """Filings waiting for review: (first submissions, amendments)."""
    submitted, amendments = db.session.execute(
        select(func.count(Filing.id), func.count(Filing.amends_id)).where(Filing.status == SUBMITTED)).one()
    return submitted - amendments, amendments


# --- months not filed --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OwedMonth:
    organisation: Organisation
    period: date
    due: date
    days_overdue: int  # negative: days left before the due date

    @property
    def days_left(self) -> int:
        return -self.days_overdue


def _spans(today: date, org_id: int | None, division: str, district: str, period: date | None,
           through: date | None = None) -> tuple[dict, set, list]:
    """Each enterprise's owed months as (first, last), clipped to `period` and to `through` (default: the last
    ended month); the enterprises whose first month is not a column (owed from registration); the criteria."""
    through = through or add_months(today.replace(day=1), -1)
    criteria = [Organisation.kind == ENTERPRISE, Organisation.active, *_enterprise_criteria(division, district)]
    if org_id is not None:
        criteria.append(Organisation.id == org_id)
    spans, unset = {}, set()
    # The registration time only where no first month is set (few): converting it for every enterprise costs.
    registered = dict(db.session.execute(select(Organisation.id, Organisation.created_at)
                                         .where(*criteria, Organisation.first_reporting_month.is_(None))).all())
    for oid, first_month, last_month in db.session.execute(
            select(Organisation.id, Organisation.first_reporting_month, Organisation.last_reporting_month)
            .where(*criteria)):
        start = first_month or add_months(city_date(registered[oid]).replace(day=1), 1)
        end = min(through, last_month or through)
        if period is not None:
            start, end = max(start, period), min(end, period)
        if start <= end:
            spans[oid] = (start, end)
            if first_month is None:
                unset.add(oid)  # its start is not a column: looked at month by month
    return spans, unset, criteria


def _filed_counts(spans: dict) -> tuple[dict[int, int], set[int]]:
    """How many distinct months each enterprise of `spans` filed (submitted or approved) within its span, and the
    enterprises whose count is not to be trusted because they filed a month outside it (before their first month).

    Approved months: one grouped read of the (status, org_id, period, superseded_at) index, whatever the number of
    filings; a month has one approved revision in force (an approved amendment supersedes the one before), so a
    plain count is a count of months. Submitted ones are few (waiting for review) and counted once each, unless
    the month is approved already.
    """
    counts, outside = {}, set()
    for oid, months, low, high in db.session.execute(
            select(Filing.org_id, func.count(), func.min(Filing.period), func.max(Filing.period))
            .where(Filing.status == APPROVED, Filing.superseded_at.is_(None)).group_by(Filing.org_id)):
        if oid in spans:
            counts[oid] = months
            if low < spans[oid][0] or high > spans[oid][1]:
                outside.add(oid)
    waiting = {(oid, period) for oid, period in db.session.execute(
        select(Filing.org_id, Filing.period).where(Filing.status == SUBMITTED))
        if oid in spans and spans[oid][0] <= period <= spans[oid][1]}
    if waiting:
        approved_too = set(db.session.execute(
            select(Filing.org_id, Filing.period).where(Filing.status == APPROVED, Filing.superseded_at.is_(None),
                                                       Filing.org_id.in_({oid for oid, _p in waiting}),
                                                       Filing.period.in_({p for _o, p in waiting}))).all())
        for oid, _period in waiting - approved_too:
            counts[oid] = counts.get(oid, 0) + 1
    return counts, outside


def owed_months(today: date, org_id: int | None = None, division: str = "", district: str = "",
                period: date | None = None, only: set[int] | None = None) -> list[OwedMonth]:
    """Every ended month that an active enterprise owes and has not filed (nothing submitted or approved).

    An enterprise owes each month from its first reporting month to its last (closure); none set: from the month
    after its registration. A few queries whatever the number of enterprises: the enterprises' reporting months,
    how many months each filed within them (one row per enterprise), and only for those that filed fewer than
    they owe, the enterprises and their months filed.
    """
    last_ended = add_months(today.replace(day=1), -1)
    if period is not None and period > last_ended:
        return []
    spans, unset, _criteria = _spans(today, org_id, division, district, period)
    if only is not None:
        spans = {oid: span for oid, span in spans.items() if oid in only}
    if not spans:
        return []
    filed_counts, outside = _filed_counts(spans)
    behind = [oid for oid, (start, end) in spans.items()
              if oid in unset or oid in outside or filed_counts.get(oid, 0) < _months_between(start, end)]
    if not behind:
        return []
    first = min(spans[oid][0] for oid in behind)
    last = max(spans[oid][1] for oid in behind)
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(behind))
                              .order_by(Organisation.name)).all()
    filed = {(oid, p) for oid, p in db.session.execute(
        select(Filing.org_id, Filing.period).where(Filing.org_id.in_(behind), Filing.status.in_(FILED),
                                                   Filing.period >= first, Filing.period <= last))}
    due_day = get_setting("filing_due_day")  # looked up once for every month below
    months = [add_months(first, n) for n in range(_months_between(first, last))]  # each month made once
    dues = {month: due_date(month, due_day) for month in months}
    owed = []
    for org in orgs:
        start, end = spans[org.id]
        for month in months[_months_between(first, start) - 1:_months_between(first, end)]:
            if (org.id, month) not in filed:
                owed.append(OwedMonth(org, month, dues[month], (today - dues[month]).days))
    return owed


def _months_between(start: date, end: date) -> int:
    """How many months from start to end, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def overdue(today: date, org_id: int | None = None, **filters) -> list[OwedMonth]:
    """Months past their due date with nothing submitted or approved, the longest overdue first."""
    late = [m for m in owed_months(today, org_id, **filters) if m.days_overdue > 0]
    return sorted(late, key=lambda m: (-m.days_overdue, m.organisation.name))


def overdue_counts(today: date) -> tuple[int, int]:
    """How many enterprises have a month overdue, and how many months are overdue in all.

    Counted, not listed: each enterprise's months owed less the months it filed among them (owed_months' grouped
    count), less the last ended month when it is not due yet and not filed. Enterprises owed from their
    registration, or that filed outside their months, are listed month by month instead (few).
    """
    last_ended = add_months(today.replace(day=1), -1)
    not_due_yet = due_date(last_ended, get_setting("filing_due_day")) >= today
    spans, unset, _criteria = _spans(today, None, "", "", None)
    if not spans:
        return 0, 0
    filed, outside = _filed_counts(spans)
    filed_last = set(db.session.scalars(select(Filing.org_id).where(Filing.status.in_(FILED),
                                                                    Filing.period == last_ended))) \
        if not_due_yet else set()
    late = {}
    for oid, (start, end) in spans.items():
        if oid in unset or oid in outside:
            continue
        missing = _months_between(start, end) - filed.get(oid, 0)
        if not_due_yet and end == last_ended and oid not in filed_last:
            missing -= 1  # last month is owed, not yet overdue
        late[oid] = missing
    listed = unset | outside
    if listed:
        for month in owed_months(today, only=listed):
            if month.days_overdue > 0:
                late[month.organisation.id] = late.get(month.organisation.id, 0) + 1
    late = {oid: n for oid, n in late.items() if n > 0}
    return len(late), sum(late.values())


@dataclass(frozen=True)
class MonthState:
    """Where one enterprise's filing of a month stands: approved, submitted, returned, draft or None (not
    started); `filing` is the revision that says so."""
    organisation: Organisation
    status: str | None
    filing: Filing | None


def month_completion(today: date, period: date) -> list[MonthState]:
    """Every active enterprise owing `period` and where its filing of that month stands, those with work left
    first (not started, returned, draft, submitted, then approved), by name: the regulator's morning view."""
    spans, _unset, _criteria = _spans(today, None, "", "", period, through=period)
    if not spans:
        return []
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(spans))).all()
    revisions = _revisions_by_month(list(spans), [period])
    states = []
    for org in orgs:
        filing = _effective(revisions.get((org.id, period), []))
        states.append(MonthState(org, filing.status if filing else None, filing))
    order = {None: 0, RETURNED: 1, DRAFT: 2, SUBMITTED: 3, APPROVED: 4}
    return sorted(states, key=lambda s: (order[s.status], s.organisation.name))


@dataclass(frozen=True)
class LateEnterprise:
    organisation: Organisation
    months: int        # months overdue
    oldest: date       # the earliest of them
    days_overdue: int  # of the earliest


def late_enterprises(today: date) -> list[LateEnterprise]:
    """The enterprises with a month overdue, the longest overdue first (overdue() grouped by enterprise)."""
    grouped: dict[int, list[OwedMonth]] = defaultdict(list)
    for month in overdue(today):
        grouped[month.organisation.id].append(month)
    late = [LateEnterprise(months[0].organisation, len(months), min(m.period for m in months),
                           max(m.days_overdue for m in months)) for months in grouped.values()]
    return sorted(late, key=lambda e: (-e.days_overdue, e.organisation.name))


def due_soon(today: date, org_id: int, within_days: int = DUE_SOON_DAYS) -> list[OwedMonth]:
    """Months not yet filed whose due date is today or within the next `within_days` days."""
    return [m for m in owed_months(today, org_id) if -within_days <= m.days_overdue <= 0]


# --- one filing under review -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Neighbour:
    period: date
    filing: Filing | None
    last_year: bool

    @property
    def calculation(self) -> Calculation | None:
        return self.filing.current_calculation if self.filing else None


@dataclass(frozen=True)
class Cell:
    quantity: Decimal | None
    unit: str | None
    change: Decimal | None  # percent; None when there is nothing to compare like for like


@dataclass
class LineRow:
    line: FilingLine
    calculation_line: CalculationLine | None
    before: list[Cell]  # one per neighbour
    comments: list[ReviewComment]


@dataclass
class Review:
    filing: Filing
    calculation: Calculation | None
    lines: list[LineRow]
    neighbours: list[Neighbour]
    total_changes: list[Decimal | None]  # one per neighbour
    findings: list[plausibility.Finding]
    other_explanations: dict  # explanations given for warnings that no longer apply, by key
    comments: list[ReviewComment]  # every comment, oldest first
    authors: dict  # user id -> User
    revisions: list[Filing]  # every revision of the month, oldest first


def load_filing(filing_id: int) -> Filing | None:
    """A filing with everything the review page shows, through the tenancy gate."""
    return db.session.scalar(select(Filing).where(Filing.id == filing_id).options(
        selectinload(Filing.organisation),
        selectinload(Filing.lines).selectinload(FilingLine.source),
        selectinload(Filing.lines).selectinload(FilingLine.lab_reports).selectinload(LabReport.evidence),
        selectinload(Filing.production).selectinload(ProductionLine.product),
        selectinload(Filing.calculations).selectinload(Calculation.lines),
        selectinload(Filing.evidence).selectinload(Evidence.source),
        selectinload(Filing.comments).selectinload(ReviewComment.source),
        selectinload(Filing.amends), selectinload(Filing.submitted_by), selectinload(Filing.reviewed_by)))


def review(filing: Filing, today: date | None = None) -> Review:
    """The filing beside the same enterprise's three previous months and the same month last year."""
    periods = [add_months(filing.period, n) for n in COMPARED_MONTHS]
    around = _revisions_by_month({filing.org_id}, set(periods), selectinload(Filing.lines),
                                 selectinload(Filing.calculations))
    neighbours = [Neighbour(p, _effective(around[(filing.org_id, p)]), n == -12)
                  for p, n in zip(periods, COMPARED_MONTHS, strict=True)]
    calculation = filing.current_calculation
    by_line = {cl.filing_line_id: cl for cl in calculation.lines} if calculation else {}
    comments = month_comments(filing)  # the month's conversation, across its revisions
    rows = []
    for line in filing.lines:
        before = []
        for neighbour in neighbours:
            theirs = next((x for x in neighbour.filing.lines if x.source_id == line.source_id), None) \
                if neighbour.filing else None
            if theirs is None:
                before.append(Cell(None, None, None))
            else:
                like = theirs.unit == line.unit
                before.append(Cell(theirs.quantity, theirs.unit, change_percent(line.quantity, theirs.quantity)
                                   if like else None))
        rows.append(LineRow(line, by_line.get(line.id), before,
                            [c for c in comments if c.source_id == line.source_id]))
    total = calculation.total_tco2e if calculation else None
    total_changes = [change_percent(total, n.calculation.total_tco2e if n.calculation else None) for n in neighbours]
    findings = findings_for(filing, today)
    keys = {f.key for f in findings}
    other_explanations = {k: v for k, v in (filing.explanations or {}).items() if k not in keys}
    author_ids = {c.author_id for c in comments if c.author_id}
    authors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(author_ids)))} if author_ids else {}
    revisions = db.session.scalars(select(Filing).where(Filing.org_id == filing.org_id, Filing.period == filing.period)
                                   .order_by(Filing.revision)).all()
    return Review(filing, calculation, rows, neighbours, total_changes, findings, other_explanations, comments,
                  authors, revisions)
