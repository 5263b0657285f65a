"""Peer statistics and disclosure control (app.benchmarking.stats): pure, no app, numbers worked by hand."""
from decimal import Decimal as D

import pytest

from app.benchmarking import stats
from app.benchmarking.stats import DOMINATED, OK, TOO_FEW, Member, Rules

RULES = Rules(min_group=5, min_contributors=3, dominance_percent=60)

# Ten intensities, sorted: x0..x9.
TEN = [D("0.50"), D("0.60"), D("0.70"), D("0.80"), D("0.90"), D("1.00"), D("1.20"), D("1.40"), D("1.60"), D("2.00")]


def members(values, denominator=D(1000)):
    """Members with the given intensities and the same denominator (so tCO2e = value x 1000)."""
    return [Member(v * denominator, denominator) for v in values]


def test_quartiles_by_linear_interpolation_worked_by_hand():
    # n = 10, h = (n - 1) p = 9p.
    # Q1:     h = 2.25 -> x2 + 0.25 (x3 - x2) = 0.70 + 0.25 x 0.10 = 0.725
    # median: h = 4.5  -> x4 + 0.5 (x5 - x4)  = 0.90 + 0.5 x 0.10  = 0.95
    # Q3:     h = 6.75 -> x6 + 0.75 (x7 - x6) = 1.20 + 0.75 x 0.20 = 1.35
    shuffled = TEN[5:] + TEN[:5]
    assert stats.quartiles(shuffled) == (D("0.725"), D("0.95"), D("1.35"))


def test_quantile_on_an_odd_group_and_at_the_ends():
    five = [D(3), D(1), D(5), D(2), D(4)]
    # n = 5, h = 4p: Q1 at h = 1 -> x1 = 2, median at h = 2 -> x2 = 3, Q3 at h = 3 -> x3 = 4.
    assert stats.quartiles(five) == (D(2), D(3), D(4))
    assert stats.quantile(five, "0") == D(1) and stats.quantile(five, "1") == D(5)
    # n = 6, h = 5p: Q1 at 1.25 -> 2 + 0.25 x 1 = 2.25; median at 2.5 -> 3.5; Q3 at 3.75 -> 4.75.
    assert stats.quartiles([D(1), D(2), D(3), D(4), D(5), D(6)]) == (D("2.25"), D("3.5"), D("4.75"))
    with pytest.raises(ValueError):
        stats.quantile([], "0.5")


def test_percentile_rank_is_the_share_of_peers_with_a_higher_value():
    own = D("0.80")
    others = [v for v in TEN if v != own]  # 9 peers, 6 of them above 0.80
    assert stats.percentile_rank(own, others) * 9 == 600  # 6/9 = 66.67 %
    assert stats.percentile_rank(D("0.10"), others) == 100  # the lowest intensity of the group
    assert stats.percentile_rank(D(9), others) == 0
    # Ties count half: 0.90 against [0.50, 0.90, 1.00, 2.00] -> 2 higher + 1/2 tie = 2.5 of 4 = 62.5 %.
    assert stats.percentile_rank(D("0.90"), [D("0.50"), D("0.90"), D("1.00"), D("2.00")]) == D("62.5")
    assert stats.percentile_rank(D(1), []) is None


def test_top_decile_averages_at_least_the_minimum_number_of_contributors():
    # n = 10: ceil(10/10) = 1 < 3, so the best 3: (0.50 + 0.60 + 0.70) / 3 = 0.60.
    assert stats.top_decile(TEN, 3) == (D("0.60"), 3)
    assert [stats.top_count(n, 3) for n in (5, 30, 31, 40, 95)] == [3, 3, 4, 4, 10]
    # 40 values 1..40: the best 4 -> (1 + 2 + 3 + 4) / 4 = 2.5.
    assert stats.top_decile([D(v) for v in range(40, 0, -1)], 3) == (D("2.5"), 4)


def test_summary_of_the_ten():
    own, *_ = [m for m in members(TEN) if m.value == D("0.80")]
    peers = [m for m in members(TEN) if m.value != D("0.80")]
    s = stats.summarise(peers, own, RULES)
    # Published quartiles average the values within 1.5 places of the position (see the next test).
    assert (s.status, s.size, s.q1, s.median, s.q3) == (OK, 10, D("0.70"), D("0.975"), D("1.40"))
    assert (s.top10, s.top10_count, s.top10_status) == (D("0.60"), 3, OK)
    published = stats.publish(s)
    assert published.percentile == 67  # 66.67, rounded half up to a whole percent
    assert (published.q1, published.median, published.q3, published.top10) == \
        (D("0.700"), D("0.975"), D("1.40"), D("0.600"))
    # No minimum or maximum is part of what may be shown.
    assert not {"min", "max", "minimum", "maximum", "values", "members"} & set(vars(s))
    assert stats.quarter(D("0.80"), s) == 2 and stats.quarter(D("0.5"), s) == 1 and stats.quarter(D(3), s) == 4


def test_a_group_of_four_shows_nothing():
    group = members([D("0.5"), D("0.6"), D("0.7"), D("0.8")])
    s = stats.summarise(group[1:], group[0], RULES)
    assert s == stats.PeerStats(TOO_FEW)  # not even the size
    assert s.q1 is s.median is s.q3 is s.top10 is s.percentile is None


def test_min_group_size_counts_the_viewer_and_follows_the_setting():
    group = members([D("0.5"), D("0.6"), D("0.7"), D("0.8"), D("0.9")])
    assert stats.summarise(group[1:], group[0], RULES).status == OK  # 4 peers + the viewer = 5
    assert stats.summarise(group[1:], None, RULES).status == TOO_FEW  # the viewer without a value: 4
    assert stats.summarise(group, None, Rules(min_group=6)).status == TOO_FEW


def test_min_contributors_above_the_group_size_raises_the_bar():
    group = members([D("0.5"), D("0.6"), D("0.7"), D("0.8"), D("0.9")])
    assert stats.summarise(group, None, Rules(min_group=5, min_contributors=6)).status == TOO_FEW
    six = members([D("0.5"), D("0.6"), D("0.7"), D("0.8"), D("0.9"), D("1.0")])
    s = stats.summarise(six, None, Rules(min_group=5, min_contributors=6))
    assert s.status == OK and s.top10_count == 6  # the benchmark is then the mean of all six


def test_one_dominant_emitter_suppresses_the_group():
    # Five enterprises; one emits 700 of 1,100 t = 63.6 % > 60 %: nothing is shown.
    group = [Member(D(100), D(100)), Member(D(100), D(120)), Member(D(100), D(140)), Member(D(100), D(160)),
             Member(D(700), D(900))]
    s = stats.summarise(group[1:], group[0], RULES)
    assert (s.status, s.size) == (DOMINATED, 5)
    assert s.q1 is s.median is s.q3 is s.top10 is s.percentile is None
    # At exactly 60 % (600 of 1,000 t) the rule does not bite: "more than".
    group[-1] = Member(D(600), D(900))
    assert stats.summarise(group[1:], group[0], RULES).status == OK
    # The rule follows the setting.
    assert stats.summarise(group[1:], group[0], Rules(dominance_percent=55)).status == DOMINATED


def test_dominance_uses_absolute_amounts():
    assert stats.dominated([D(-900), D(100), D(100), D(100)], 60)  # a large negative figure is still dominant
    assert not stats.dominated([D(0), D(0)], 60)


def test_a_benchmark_dominated_by_one_value_is_suppressed_alone():
    # Best three 0.01, 0.02, 0.50: 0.50 is 94 % of their sum, so their mean (0.177) would mostly tell 0.50.
    # Emissions are balanced (10, 20, 500, 600, 700 t of 1,830 t: at most 38 %), so the quartiles stay.
    group = members([D("0.01"), D("0.02"), D("0.50"), D("0.60"), D("0.70")])
    s = stats.summarise(group, None, RULES)
    assert s.status == OK and s.median == (D("0.02") + D("0.50") + D("0.60")) / 3  # never 0.50 alone
    assert (s.top10_status, s.top10, s.top10_count) == (DOMINATED, None, 3)


def test_published_figures_are_rounded_to_three_significant_figures():
    r = stats.round_significant
    assert r(D("0.72549")) == D("0.725") and r(D("1234.5")) == D("1.23E+3") and r(D("0.0012345")) == D("0.00123")
    assert r(D("0.9995")) == D("1.00") and r(D(0)) == 0 and r(None) is None
    assert f"{r(D('1234.5')):,f}" == "1,230"


def test_protected_quartiles_come_from_at_least_three_enterprises():
    # TEN, k = 3: a window of +-1.5 places around h = 9p.
    # Q1:     h = 2.25 -> x1..x3 = (0.60 + 0.70 + 0.80) / 3 = 0.70
    # median: h = 4.5  -> x3..x6 = (0.80 + 0.90 + 1.00 + 1.20) / 4 = 0.975
    # Q3:     h = 6.75 -> x6..x8 = (1.20 + 1.40 + 1.60) / 3 = 1.40
    assert stats.protected_quartiles(TEN, 3) == (D("0.70"), D("0.975"), D("1.40"))
    # The median of five is not the third value but the mean of the middle three.
    assert stats.protected_quantile([D(1), D(2), D(3), D(4), D(10)], "0.5", 3) == D(3)
    assert stats.protected_quantile([D(1), D(2), D(3), D(4), D(11)], "0.5", 3) == D(3)
