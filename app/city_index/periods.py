"""Months of the index: (year, month) arithmetic, the R12 window and the default month of the pages."""
from datetime import date


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def window(year: int, month: int) -> tuple[date, date]:
    """The first and last period (first day of a month) of the R12 window ending with the month."""
    sy, sm = add_months(year, month, -11)
    return date(sy, sm, 1), date(year, month, 1)


def latest_complete_month(today: date) -> tuple[int, int]:
    return add_months(today.year, today.month, -1)

