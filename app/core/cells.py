"""Text the app writes into the CSV and XLSX files it gives out: never read as a formula by a spreadsheet.

A cell whose text starts with = + - @, a tab or a carriage return is a formula (or becomes one) in Excel and
LibreOffice: a source named `=HYPERLINK(...)` would run in the regulator's export. Such text is written with a
leading apostrophe, as OWASP recommends for CSV injection; numbers and dates are left alone. The imports take
the apostrophe off again (`restored`), so what the app wrote reads back as it was.
"""
RISKY = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    if isinstance(value, str) and value.startswith(RISKY):
        return "'" + value
    return value


def neutral_row(row) -> list:
    return [neutral(v) for v in row]


def restored(text: str) -> str:
    """The text as it was before `neutral` (only an apostrophe that `neutral` would have added goes)."""
    if text.startswith("'") and text[1:].startswith(RISKY):
        return text[1:]
    return text
