"""Numbers typed by people and numbers shown to them, in one place.

Typed: full-width digits (NFKC), spaces and thousands separators are accepted, so "１２,３４５.６" is 12345.6;
anything else that is not a finite decimal is refused with a message for the field. Shown: stored tonnes and
money stay exact; display rounds half up (`rounded`, `tonnes`) or prints them as people write them (`plain`).
"""
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.core.service_error import ServiceError

DASH = "—"  # what a missing figure shows as


def clean(text, separators: bool = True) -> str | None:
    """A typed number as a plain decimal string (None when nothing was typed).

    `separators=False` keeps commas and inner spaces, so "6070,3" is refused rather than read as 60703.
    """
    if text is None:
        return None
    text = unicodedata.normalize("NFKC", str(text)).strip()
    if separators:
        text = text.replace(",", "").replace(" ", "")
    return text or None


def to_decimal(value, separators: bool = True) -> Decimal | None:
    """Decimal of a typed or stored value; None when empty; InvalidOperation when it is not a finite number."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        text = clean(value, separators)
        if text is None:
            return None
        number = Decimal(text)  # raises InvalidOperation
    if not number.is_finite():
        raise InvalidOperation(value)
    return number


def parse_decimal(value, field: str | None = None, *, required: bool = True, minimum: Decimal | None = None,
                  positive: bool = False, maximum: Decimal | None = None, invalid=None, missing=None,
                  too_small=None, separators: bool = True) -> Decimal | None:
    """A service's check of a number: the value, or a ServiceError for `field` saying what is wrong.

    `invalid`, `missing` and `too_small` replace the default messages where a form says it its own way.
    """
    try:
        number = to_decimal(value, separators)
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
