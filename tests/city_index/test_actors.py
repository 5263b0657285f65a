"""Who must act: rows against a year earlier and the path (app.city_index.actors)."""
from decimal import Decimal as D

from app.city_index.actors import Figures, gap_explained, who_must_act


def test_contributions_add_up_to_the_gap_of_a_city_that_was_on_its_path():
    # Path 21,000,000 a year ago and 21,250,000 now (the worked example's P(2024) and P(2025)); the city was on it.
    path_before, path_now = D(21_000_000), D(21_250_000)
    before = {"energy": Figures(D(9_000_000)), "industry": Figures(D(8_400_000)), "other": Figures(D(3_600_000))}
    now = {"energy": Figures(D(9_100_000)), "industry": Figures(D(9_000_000)), "other": Figures(D(3_500_000))}
    rows = who_must_act(now, before, path_now, path_before)
    assert sum(f.tco2 for f in before.values()) == path_before
    gap = sum(f.tco2 for f in now.values()) - path_now  # X − P(t) = 350,000
    assert round(gap_explained(rows), 9) == gap == D(350_000)  # exact but for the 28th digit of a division
    by_key = {r.key: r for r in rows}
    # industry grew 7.14 % where the path allowed 1.19 %: it carries most of the gap, and is listed first
    assert rows[0].key == "industry"
    assert by_key["industry"].allowed == D(8_500_000)
    assert by_key["industry"].contribution == D(500_000)
    assert by_key["energy"].contribution == D(9_100_000) - D(9_000_000) * path_now / path_before
    assert by_key["other"].contribution < 0 and by_key["other"].change == D(-100_000)
    assert round(by_key["industry"].change_percent, 2) == D("7.14")


def test_intensity_against_the_citys_intensity_path():
    before = {"C26": Figures(D(1000), D(500))}  # 2.0 tCO2 per 10⁴ CNY
    now = {"C26": Figures(D(1000), D(520)), "C30": Figures(D(300), D(100))}  # a new division
    rows = {r.key: r for r in who_must_act(now, before, D(100), D(100), D("0.96"), D("1.00"))}
    assert rows["C26"].intensity_target == D("1.92")  # 2.0 × 0.96
    assert rows["C26"].intensity == D(1000) / D(520) and rows["C26"].intensity_on_track is False
    # No year-earlier figure: no allowance, no target, listed after the rows that have one.
    assert rows["C30"].allowed is None and rows["C30"].intensity_on_track is None and rows["C30"].change is None
    ordered = who_must_act(now, before, D(100), D(100))
    assert [r.key for r in ordered] == ["C26", "C30"]
