from decimal import Decimal as D

import pytest

from app.accounting.units import UNITS, UnitError, canonical_unit, convert, dimension


@pytest.mark.parametrize("text, code", [
    ("t", "t"), ("吨", "t"), (" T ", "t"), ("tonnes", "t"),
    ("kg", "kg"), ("千克", "kg"), ("公斤", "kg"), ("KG", "kg"),
    ("万Nm3", "10^4 Nm3"), ("万Nm³", "10^4 Nm3"), ("万 Nm3", "10^4 Nm3"), ("10^4 Nm3", "10^4 Nm3"),
    ("10⁴Nm³", "10^4 Nm3"), ("10^4Nm3", "10^4 Nm3"), ("10**4 Nm3", "10^4 Nm3"), ("万标方", "10^4 Nm3"),
    ("Nm3", "Nm3"), ("Nm³", "Nm3"), ("nm3", "Nm3"), ("标方", "Nm3"), ("Ｎｍ３", "Nm3"),
    ("m3", "m3"), ("m³", "m3"), ("立方米", "m3"),
    ("L", "L"), ("l", "L"), ("升", "L"),
    ("kWh", "kWh"), ("KWH", "kWh"), ("kW·h", "kWh"), ("千瓦时", "kWh"), ("度", "kWh"),
    ("万kWh", "10^4 kWh"), ("万 kWh", "10^4 kWh"), ("万千瓦时", "10^4 kWh"), ("万度", "10^4 kWh"),
    ("10^4 kWh", "10^4 kWh"), ("10⁴kWh", "10^4 kWh"),
    ("MWh", "MWh"), ("MW·h", "MWh"), ("兆瓦时", "MWh"),
    ("GJ", "GJ"), ("gj", "GJ"), ("吉焦", "GJ"), ("TJ", "TJ"),
    ("tce", "tce"), ("吨标准煤", "tce"), ("吨标煤", "tce"), ("\ttce\n", "tce"),
])
def test_spellings(text, code):
    assert canonical_unit(text) == code


@pytest.mark.parametrize("text", ["", "bbl", "万立方米", "ton", "方", "kcal", "10^3 Nm3"])
def test_unknown_spelling_names_the_text_and_the_accepted_units(text):
    with pytest.raises(UnitError) as e:
        canonical_unit(text)
    assert repr(text) in str(e.value)
    assert "10^4 Nm3" in str(e.value) and "kWh" in str(e.value)


def test_canonical_codes_are_their_own_spelling():
    assert [canonical_unit(code) for code in UNITS] == list(UNITS)


@pytest.mark.parametrize("q, src, dst, expected", [
    ("12500", "kg", "t", "12.5"),
    ("1", "t", "kg", "1000"),
    ("250000", "Nm3", "10^4 Nm3", "25"),
    ("25", "万Nm³", "Nm3", "250000"),
    ("2350400", "kWh", "MWh", "2350.4"),
    ("235.04", "万千瓦时", "MWh", "2350.4"),
    ("1", "MWh", "GJ", "3.6"),
    ("1", "TJ", "GJ", "1000"),
    ("1", "m3", "L", "1000"),
    ("1", "tce", "GJ", "29.3076"),
    ("29.3076", "GJ", "tce", "1"),
    ("3.6", "GJ", "MWh", "1"),
    ("0", "kg", "t", "0"),
])
def test_conversions_are_exact(q, src, dst, expected):
    result = convert(D(q), src, dst)
    assert isinstance(result, D)
    assert result == D(expected)


def test_a_non_terminating_ratio_keeps_34_digits_and_round_trips():
    assert convert(D(1), "GJ", "tce") == D("0.03412084237535656280282247608128949")
    assert convert(D(1), "GJ", "MWh") == D("0.2777777777777777777777777777777778")
    assert convert(convert(D(1000), "tce", "GJ"), "GJ", "tce") == 1000


def test_conversion_accepts_any_spelling():
    assert convert(D(2), "吨", "公斤") == 2000
    assert convert(D(1), "度", "兆瓦时") == D("0.001")


@pytest.mark.parametrize("src, dst", [("m3", "Nm3"), ("Nm3", "m3"), ("m³", "万Nm3"), ("L", "Nm3")])
def test_actual_volume_is_never_turned_into_normal_volume(src, dst):
    with pytest.raises(UnitError, match=r"cannot convert .* to .*temperature and pressure"):
        convert(D(1), src, dst)


@pytest.mark.parametrize("src, dst", [("t", "MWh"), ("L", "t"), ("kWh", "kg"), ("Nm3", "t"), ("GJ", "m3")])
def test_incompatible_dimensions_are_refused(src, dst):
    with pytest.raises(UnitError, match=f"cannot convert {canonical_unit(src)} to {canonical_unit(dst)}"):
        convert(D(1), src, dst)


def test_unknown_unit_in_a_conversion():
    with pytest.raises(UnitError, match="unknown unit 'gallon'"):
        convert(D(1), "gallon", "L")


@pytest.mark.parametrize("unit, name", [
    ("t", "mass"), ("kg", "mass"), ("10^4 Nm3", "normal_volume"), ("标方", "normal_volume"), ("m3", "volume"),
    ("L", "volume"), ("kWh", "energy"), ("MWh", "energy"), ("GJ", "energy"), ("TJ", "energy"), ("tce", "energy"),
])
def test_dimension(unit, name):
    assert dimension(unit) == name
