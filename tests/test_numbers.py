"""app.core.numbers: reading what people type and showing stored figures, without an app."""
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from app.core.numbers import clean, grouped, parse_decimal, plain, rounded, tonnes, to_decimal
from app.core.service_error import ServiceError


@pytest.mark.parametrize("typed, expected", [
    ("  2,350.4 ", "2350.4"), ("１２３４５．６", "12345.6"), ("1 000", "1000"), ("", None), (None, None), ("   ", None)])
def test_clean_accepts_full_width_digits_spaces_and_thousands_separators(typed, expected):
    assert clean(typed) == expected


def test_to_decimal_refuses_what_is_not_a_finite_number():
    assert to_decimal("0.0012") == Decimal("0.0012")
    assert to_decimal(7) == Decimal(7)
    assert to_decimal("") is None
    for bad in ("abc", "NaN", "Infinity", "1.2.3", "--1"):
        with pytest.raises(Exception):
            to_decimal(bad)


def test_parse_decimal_says_what_is_wrong_beside_the_field():
    assert parse_decimal("1,250.5", "quantity") == Decimal("1250.5")
    with pytest.raises(ServiceError) as refused:
        parse_decimal("twelve", "quantity")
    assert refused.value.field == "quantity" and "1250.5" in str(refused.value.message)
    with pytest.raises(ServiceError, match="value"):
        parse_decimal("", "quantity")
    assert parse_decimal("", "quantity", required=False) is None
    with pytest.raises(ServiceError, match="greater than zero"):
        parse_decimal("0", "quantity", positive=True)
    with pytest.raises(ServiceError, match="-1"):
        parse_decimal("-2", "x", minimum=Decimal(-1))
    with pytest.raises(ServiceError, match="at most 100"):
        parse_decimal("100.5", "share", maximum=Decimal(100))
    with pytest.raises(ServiceError, match="own words"):
        parse_decimal("x", "q", invalid="own words")


def test_plain_and_grouped_show_stored_decimals_exactly():
    assert plain(Decimal("0.2500000000")) == "0.25"
    assert plain(Decimal("1E+1")) == "10"
    assert plain(Decimal("-0.000")) == "0"
    assert plain(None) == ""
    assert grouped(Decimal("1234567.50")) == "1,234,567.5"
    assert grouped(None) == "—"


def test_tonnes_round_half_up_for_display_only():
    assert rounded(Decimal("2.0005"), 3) == Decimal("2.001")
    assert rounded(Decimal("-2.0005"), 3) == Decimal("-2.001")
    assert tonnes(Decimal("1234567.8915")) == "1,234,567.892"
    assert tonnes(Decimal("5"), 0) == "5"
    assert tonnes(None) == "—"


def test_without_separators_a_comma_is_not_read_as_a_thousands_separator():
    assert clean("6070,3", separators=False) == "6070,3"
    assert to_decimal(" ２.５ ", separators=False) == Decimal("2.5")
    with pytest.raises(ServiceError):
        parse_decimal("6070,3", "factor", separators=False)
    assert parse_decimal("6070,3", "factor") == Decimal(60703)


def test_tonnes_never_show_minus_zero_and_can_round_ties_to_even():
    assert tonnes(Decimal("-0.0004")) == "0.000"
    assert tonnes(Decimal("-1.0004")) == "-1.000"
    assert tonnes(Decimal("0.125"), 2, rounding=ROUND_HALF_EVEN) == "0.12"
    assert tonnes(Decimal("0.125"), 2) == "0.13"
