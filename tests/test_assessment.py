"""Project assessment, version 2 (reference/city-index.md, "What-if rules"): every year the project runs, the
tightest one, and a baseline that does not depend on the month a page shows."""
from decimal import Decimal as D

import pytest

from app.city_index.formula import TargetPath
from app.scenarios.assessment import AssessmentError, assess, yearly_baseline

PATH = TargetPath(y0=2020, e0=D(20_000_000), g0=D(13_000_000), yp=2028, ep=D(22_000_000), s60=D(3_000_000))
YEARS = range(2026, 2036)


def test_the_tightest_year_comes_after_the_peak_when_the_path_falls():
    path = dict(PATH.yearly(YEARS))
    baseline = {y: D(21_500_000) for y in YEARS}
    result = assess(path, baseline, D(1_520_000), 2027, D("0.5"))
    by_year = {y.year: y for y in result.years}
    assert [y.year for y in result.years] == list(range(2027, 2036))
    # 2027: half a year, 760,000 t against 250,000 t of headroom (P(2027) = 21,750,000).
    assert by_year[2027].project == D(760_000) and by_year[2027].headroom == D(250_000)
    assert by_year[2027].need == D(510_000)
    assert by_year[2028].need == D(1_520_000) - D(500_000)
    # After 2028 the path falls, the need grows every year: 2035 is the tightest.
    needs = [by_year[y].need for y in range(2028, 2036)]
    assert needs == sorted(needs) and result.tightest_year == 2035
    assert result.offset_needed == D(1_520_000) - (PATH.at_year(2035) - D(21_500_000))
    assert not result.fits and result.headroom_after == -result.offset_needed


def test_a_project_that_fits_in_every_year_needs_nothing():
    path = dict(PATH.yearly(YEARS))
    baseline = {y: path[y] - D(2_000_000) for y in YEARS}  # 2 Mt below the path each year
    result = assess(path, baseline, D(1_000_000), 2027)
    assert result.fits and result.offset_needed == 0
    assert round(result.headroom_after, 9) == D(1_000_000)  # the least room left, in any full year
    assert result.tightest_year == 2028  # every full year leaves 1 Mt; the earliest is named


def test_bad_inputs_are_refused_by_field():
    path, baseline = dict(PATH.yearly(YEARS)), {y: D(21_000_000) for y in YEARS}
    with pytest.raises(AssessmentError) as e:
        assess(path, baseline, D(1), 2025)  # before the baseline year
    assert e.value.field == "first_year"
    with pytest.raises(AssessmentError) as e:
        assess(path, baseline, D(1), 2027, D(0))
    assert e.value.field == "first_year_share"
    with pytest.raises(AssessmentError) as e:
        assess(path, baseline, D(-5), 2027)
    assert e.value.field == "annual_tco2e"


def test_the_yearly_baseline_sums_actual_months_and_the_forecast():
    # Three flat years of 1,000,000 t a month up to 2026-09: the forecast keeps about that level.
    series = [((y, m), D(1_000_000)) for y in (2024, 2025, 2026) for m in range(1, 13) if (y, m) <= (2026, 9)]
    baseline = yearly_baseline(series, last_year=2030)
    assert list(baseline) == [2026, 2027, 2028, 2029, 2030]
    assert baseline[2026] == D(12_000_000)  # 9 actual months + 3 forecast, all 1,000,000
    assert all(value == D(12_000_000) for value in baseline.values())
