"""GET /api/v1/obligations: the months an enterprise owes, each with its state, due date and days overdue.

An enterprise owes each month from its first reporting month to its last (closure); none set, from the month
after its registration (as `app.review.services.owed_months`). Months after the current one are never listed.

- `status`: the month's effective state (`app.filings.workflow.effective_filing`: the latest approved revision,
  else the latest): `owed` when nothing was filed, else `draft`, `submitted`, `returned` or `approved`.
- `overdue_days`: days past the due date while no revision is submitted or approved (a returned month is owed
  again, as on the overdue list); otherwise 0, also for a month filed late.
- Range: `from`/`to` as YYYY-MM, both inclusive; by default the twelve months that have ended. `to` beyond the
  current month counts as the current month; at most MAX_MONTHS months per request.
"""
import re
from datetime import date

from sqlalchemy import select

from app.api.errors import ApiError
from app.core.types import city_date
from app.extensions import db
from app.filings.models import APPROVED, SUBMITTED, Filing
from app.filings.workflow import add_months, due_date
from app.organisations.models import Organisation
from app.settings.services import get_setting

MONTH = re.compile(r"(\d{4})-(\d{2})")
MAX_MONTHS = 120
OWED = "owed"


def _month(args, name: str) -> date | None:
    text = args.get(name)
    if text is None:
        return None
    match = MONTH.fullmatch(text)
    if not match or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
        raise ApiError(422, "invalid_month", f"{name} must be a month written YYYY-MM, e.g. 2025-03.",
                       fields={name: "must be YYYY-MM"})
    return date(int(match[1]), int(match[2]), 1)


def month_range(args, today: date) -> tuple[date, date]:
    """(first, last) months asked for; 422 for a malformed month, a reversed or too long range."""
    current = today.replace(day=1)
    first, last = _month(args, "from"), _month(args, "to")
    if last is None:
        last = add_months(current, -1) if first is None or first < current else current
    last = min(last, max(current, first or current))  # nothing after the current month is listed
    if first is None:
        first = add_months(last, -11)
    if first > last:
        raise ApiError(422, "invalid_range", "from must not be after to.", fields={"from": "after to"})
    if (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
        raise ApiError(422, "invalid_range", f"Ask for at most {MAX_MONTHS} months at once.",
                       fields={"to": f"at most {MAX_MONTHS} months after from"})
    return first, last


def reporting_start(org: Organisation) -> date:
    return org.first_reporting_month or add_months(city_date(org.created_at).replace(day=1), 1)


def obligations(org: Organisation, first: date, last: date, today: date) -> list[dict]:
    """The owed months of `org` between first and last (inclusive), oldest first: one query for the filings."""
    first = max(first, reporting_start(org))
    last = min(last, today.replace(day=1), org.last_reporting_month or last)
    if first > last:
        return []
    revisions: dict[date, list[Filing]] = {}
    for period, status, revision in db.session.execute(
            select(Filing.period, Filing.status, Filing.revision)
            .where(Filing.org_id == org.id, Filing.period >= first, Filing.period <= last)
            .order_by(Filing.revision.desc())):
        revisions.setdefault(period, []).append((status, revision))
    due_day = get_setting("filing_due_day")
    out, month = [], first
    while month <= last:
        states = [status for status, _revision in revisions.get(month, [])]  # newest revision first
        status = APPROVED if APPROVED in states else states[0] if states else OWED
        due = due_date(month, due_day)
        filed = SUBMITTED in states or APPROVED in states
        out.append({"month": month.strftime("%Y-%m"), "status": status, "due_date": due.isoformat(),
                    "overdue_days": 0 if filed else max((today - due).days, 0)})
        month = add_months(month, 1)
    return out
