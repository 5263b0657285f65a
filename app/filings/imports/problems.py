"""What is wrong with an uploaded file, said with where it is (sheet, row, column) when that is known."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (as far as known) and why."""

    message: object  # str or a lazy translation
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    month: str | None = None

    def __str__(self) -> str:
        if self.sheet and self.row and self.column:
            return str(_l("%(sheet)s sheet, row %(row)d, column %(column)s: %(message)s", sheet=self.sheet,
                          row=self.row, column=self.column, message=self.message))
        if self.sheet and self.row:
            return str(_l("%(sheet)s sheet, row %(row)d: %(message)s", sheet=self.sheet, row=self.row,
                          message=self.message))
        if self.sheet:
            return str(_l("%(sheet)s sheet: %(message)s", sheet=self.sheet, message=self.message))
        return str(self.message)


class CellError(ValueError):
    """A value that cannot be read; the message says why, without saying where."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
