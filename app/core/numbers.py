"""Numbers typed by people and numbers shown to them, in one place.

Typed: full-width digits (NFKC), spaces and thousands separators are accepted, so "１２,３４５.６" is 12345.6;
anything else that is not a finite decimal is refused with a message for the field. Shown: stored tonnes and
money stay exact; display rounds half up (`rounded`, `tonnes`) or prints them as people write them (`plain`).

The separator rule (the same in the forms, the services, the API and the Excel/CSV import): the point is the
only decimal mark, and a comma is accepted only as a thousands separator in the English/Chinese style, digits
grouped in threes after a first group of one to three ("60,703", "1,234,567.5", "１２,３４５"). A number with a
comma anywhere else ("6070,3", "1,2345", "1.234,5", "12,34.5", ",5", "5,") or with two points ("1.234.567") is
refused with `MISPLACED`, never guessed: a decimal comma read as a thousands separator is 1,000 times off.
Underscores, which Python's Decimal would read as separators anywhere ("6070_3" as 60703), are refused too.
"""
import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.core.service_error import ServiceError

DASH = "—"  # what a missing figure shows as

MISPLACED = _l("Use a point for decimals and commas only between groups of three digits, e.g. 6070.3 or 60,703.")

# Commas between groups of three digits, after a first group of one to three: the only commas accepted.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:e[+-]?\d+)?", re.IGNORECASE)
# Digits with points and commas (and an exponent): a number but for where its separators are.
_DIGITS_AND_SEPARATORS = re.compile(r"[+-]?[\d.,_]*\d[\d.,_]*(?:e[+-]?\d+)?", re.IGNORECASE)


class MisplacedSeparator(InvalidOperation):
    """A number whose commas or points break the separator rule ("6070,3", "1.234,5"): refused with MISPLACED."""


def misplaced_separators(text: str) -> bool:
    """True for digits whose commas, points or underscores break the rule ("6070,3", "1.234,5", "1.234.567", "5,").

    Text that is not digits and separators ("4,2OO", "abc") is not a separator problem: it is no number at all.
    """
    if "," not in text and "_" not in text and text.count(".") < 2:
        return False
    return bool(_DIGITS_AND_SEPARATORS.fullmatch(text)) and not _GROUPED.fullmatch(text)


def clean(text, separators: bool = True) -> str | None:
    """A typed number as a plain decimal string (None when nothing was typed).

    Thousands separators go only where they follow the rule ("60,703" is "60703"); a misplaced comma stays, so
    "6070,3" is refused by `to_decimal` rather than read as 60703. `separators=False` keeps every comma and inner
    space: where no comma is accepted at all.
    """
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if separators:
        text = text.replace(" ", "")
        if _GROUPED.fullmatch(text):
            text = text.replace(",", "")
    return text or None


def to_decimal(value, separators: bool = True) -> Decimal | None:
    """Decimal of a typed or stored value; None when empty; InvalidOperation when it is not a finite number.

    MisplacedSeparator (an InvalidOperation) when its commas or points break the separator rule.
    """
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        text = clean(value, separators)
        if text is None:
            return None
        if separators and misplaced_separators(text):
            raise MisplacedSeparator(value)
        if "_" in text:
            raise InvalidOperation(value)  # Decimal would read "6070_3" as 60703
        number = Decimal(text)  # raises InvalidOperation
    if not number.is_finite():
        raise InvalidOperation(value)
    return number


def parse_decimal(value, field: str | None = None, *, required: bool = True, minimum: Decimal | None = None,
                  positive: bool = False, maximum: Decimal | None = None, invalid=None, missing=None,
                  too_small=None, separators: bool = True, misplaced=None) -> Decimal | None:
    """A service's check of a number: the value, or a ServiceError for `field` saying what is wrong.

    `invalid`, `missing`, `too_small` and `misplaced` replace the default messages where a form says it its own
    way; a misplaced separator gets its own message (MISPLACED), not `invalid`.
    """
    try:
        number = to_decimal(value, separators)
    except MisplacedSeparator:
        raise ServiceError(misplaced or MISPLACED, field=field) from None
    except (InvalidOperation, ValueError, TypeError):
        raise ServiceError(invalid or _l("Enter a number, e.g. 1250.5."), field=field) from None
    if number is None:
        if required:
            raise ServiceError(missing or _l("Enter a value."), field=field)
        return None
    if positive and number <= 0:
        raise ServiceError(too_small or _l("Enter a number greater than zero."), field=field)
    if minimum is not None and number < minimum:
        raise ServiceError(too_small or _l("Enter %(min)s or more.", min=plain(minimum)), field=field)
    if maximum is not None and number > maximum:
        raise ServiceError(_l("Enter at most %(max)s.", max=plain(maximum)), field=field)
    return number


def plain(value) -> str:
    """0.2500000000 as 0.25 and 1E+1 as 10: a stored decimal as people write it ('' for None)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return "0" if text in ("-0", "0") else text


def grouped(value) -> str:
    """Exact, with thousands separators and no trailing zeros: 1234567.50 as 1,234,567.5."""
    if value is None:
        return DASH
    return f"{Decimal(value).normalize():,f}"


def rounded(value, places: int = 3, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Rounded half up for display only; stored and summed figures stay exact."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=rounding, context=Context(prec=100))


def tonnes(value, places: int = 3, rounding: str = ROUND_HALF_UP) -> str:
    """A figure for a page or PDF: rounded half up to `places`, thousands separated ('—' when missing).

    A negative figure that rounds to zero shows as 0.000, not -0.000. `rounding` is for the pages that have
    always rounded ties to even (city statistics, scenarios, verification notices).
    """
    if value is None:
        return DASH
    shown = rounded(value, places, rounding)
    return f"{abs(shown) if shown == 0 else shown:,f}"
