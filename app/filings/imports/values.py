"""Values typed into cells: numbers (separators, full-width digits, percentages) and months, read leniently
and refused with a `CellError` that says why."""
from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.core.cells import restored
from app.core.numbers import misplaced_separators, to_decimal
from app.filings.imports.problems import CellError

LARGEST_NUMBER = Decimal(10) ** 17      # quantities are stored with 24 digits, 6 after the point


def cell_text(value) -> str:
    # restored: the apostrophe the app's own templates put before text that looks like a formula goes
    return unicodedata.normalize("NFKC", restored(str(value))).strip()


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value) -> str:
    """A cell's value as quoted back in a message."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    return text if len(text) <= 40 else text[:37] + "…"


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:e[+-]?\d+)?")
_SPACED = re.compile(r"(?<=\d) (?=\d{3}\b)")  # "12 345.6": a space as thousands separator


def parse_number(value, percent: bool = False) -> Decimal:
    """A number from a cell: a number cell, or text with separators, full-width digits or spaces.

    "12,345.6", "１２３４５.６", " 12 345.6 ", "1.5E3" are read; "1,5", "12,34" and "abc" are CellErrors.
    A comma follows the separator rule of app/core/numbers.py: "6070,3" and "1.234,5" are refused as ambiguous,
    never guessed. Number cells are numbers already. With `percent`, "98%" is 0.98.
    """
    if isinstance(value, (bool, datetime, date)):
        raise CellError(_l("'%(value)s' is not a number.", value=shown(value)))
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr() is the shortest text that reads back as the same float: 0.1 stays 0.1.
        number = Decimal(repr(value)) if math.isfinite(value) else Decimal("NaN")
    else:
        text = cell_text(value).replace("，", ",").replace("−", "-")
        scale = Decimal(1)
        if percent and text.endswith("%"):
            text, scale = text[:-1].strip(), Decimal("0.01")
        text = _SPACED.sub(",", text).lower()
        if text and not _NUMBER.fullmatch(text) and misplaced_separators(text):
            raise CellError(_l("'%(value)s' is ambiguous: use a point for decimals and commas only between groups "
                               "of three digits, e.g. 6070.3 or 60,703.", value=shown(value)))
        if not text or not _NUMBER.fullmatch(text) or not re.search(r"\d", text):
            raise CellError(_l("'%(value)s' is not a number.", value=shown(value)))
        try:
            number = to_decimal(text) * scale
        except InvalidOperation:
            raise CellError(_l("'%(value)s' is not a number.", value=shown(value))) from None
    if not number.is_finite():
        raise CellError(_l("'%(value)s' is not a number.", value=shown(value)))
    if abs(number) >= LARGEST_NUMBER:
        raise CellError(_l("%(value)s is too large.", value=shown(value)))
    if number.as_tuple().exponent > 0:
        number = number.quantize(Decimal(1))  # 1.5E+3 as 1500
    return number + 0  # -0 as 0


_MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_MONTH_COMPACT = re.compile(r"(\d{4})(\d{2})")
# What English-locale Excel writes for a month it turned into a date: "Jun-22", "Jun 2022", "June-2022".
_MONTH_NAMED = re.compile(r"([a-z]{3})[a-z]*\.?[\s\-/]*(\d{2}|\d{4})")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse_month(value) -> date:
    """The first day of the month a cell names: "2026-10", "2026/10", "2026年10月", "202610" or a date cell."""
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = ""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = cell_text(value)
    match = _MONTH_TEXT.fullmatch(text) or _MONTH_COMPACT.fullmatch(text)
    named = _MONTH_NAMED.fullmatch(text.lower())
    year = month = 0
    if match:
        year, month = int(match.group(1)), int(match.group(2))
    elif named and named.group(1) in _MONTH_NAMES:
        year, month = int(named.group(2)), _MONTH_NAMES.index(named.group(1)) + 1
        year += 2000 if year < 100 else 0
    if 2000 <= year <= 2100 and 1 <= month <= 12:
        return date(year, month, 1)
    raise CellError(_l("'%(value)s' is not a month: write it as 2026-10, 2026/10 or 2026年10月.",
                       value=shown(value)))


def month_range(first: date, last: date) -> list[date]:
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def month_text(month: date) -> str:
    return month.strftime("%Y-%m")
