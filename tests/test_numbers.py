"""app.core.numbers: reading what people type and showing stored figures, without an app."""
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import pytest

from app.core.numbers import (
    MISPLACED,
    MisplacedSeparator,
    clean,
    grouped,
    misplaced_separators,
    parse_decimal,
    plain,
    rounded,
    to_decimal,
    tonnes,
)
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
    with pytest.raises(ServiceError):
        parse_decimal("60,703", "factor", separators=False)  # no comma at all where separators are off


# --- the separator rule: a comma only between groups of three digits, the point for decimals ------------

@pytest.mark.parametrize("typed, expected", [
    ("60,703", "60703"), ("1,234,567.5", "1234567.5"), ("１２,３４５", "12345"), ("１２，３４５", "12345"),
    ("-1,234", "-1234"), ("60, 703", "60703"), ("1,234.", "1234."), ("999,999.25", "999999.25"), ("1.5", "1.5"),
    ("1,234e3", "1234e3"),
])
def test_a_comma_between_groups_of_three_is_a_thousands_separator(typed, expected):
    assert clean(typed) == expected
    assert to_decimal(typed) == Decimal(expected)
    assert not misplaced_separators(typed.replace(" ", ""))


@pytest.mark.parametrize("typed", [
    "6070,3", "1,2345", "1.234,5", "12,34.5", "1,234,5", "1,00", ",5", "5,", ",123", "1,,234", "1,234.5,6",
    "1.234.567", "1.2.3", "１２,３４", "6070，3", "-6070,3", "6070_3", "1_000",
])
def test_any_other_comma_or_a_second_point_is_refused_not_guessed(typed):
    with pytest.raises(MisplacedSeparator):
        to_decimal(typed)
    with pytest.raises(ServiceError) as refused:
        parse_decimal(typed, "quantity")
    assert refused.value.field == "quantity"
    assert refused.value.message == MISPLACED
    assert "6070.3" in str(refused.value.message) and "60,703" in str(refused.value.message)


def test_the_separator_message_wins_over_the_fields_own_invalid_message_and_can_be_replaced():
    with pytest.raises(ServiceError) as refused:
        parse_decimal("6070,3", "quantity", invalid="own words")
    assert refused.value.message == MISPLACED
    with pytest.raises(ServiceError, match="mine"):
        parse_decimal("6070,3", "quantity", misplaced="mine")


@pytest.mark.parametrize("typed", ["4,2OO", ",", "abc,def", "1,234 t"])
def test_what_is_no_number_at_all_keeps_the_plain_message(typed):
    assert not misplaced_separators(clean(typed))
    with pytest.raises(InvalidOperation) as refused:
        to_decimal(typed)
    assert not isinstance(refused.value, MisplacedSeparator)
    with pytest.raises(ServiceError, match="1250.5"):
        parse_decimal(typed, "quantity")


def test_without_separators_an_underscore_is_refused_too():
    with pytest.raises(InvalidOperation):
        to_decimal("6070_3", separators=False)


def test_tonnes_never_show_minus_zero_and_can_round_ties_to_even():
    assert tonnes(Decimal("-0.0004")) == "0.000"
    assert tonnes(Decimal("-1.0004")) == "-1.000"
    assert tonnes(Decimal("0.125"), 2, rounding=ROUND_HALF_EVEN) == "0.12"
    assert tonnes(Decimal("0.125"), 2) == "0.13"
