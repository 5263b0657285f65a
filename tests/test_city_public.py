"""The public page (issue 18): the city's total and its R12 trend, the index, sector totals that add up to X, the
methodology in plain language; never an enterprise's figure, with withheld sectors merged (or withheld together)
so that none can be worked out from the published total."""
import html
import json
import re

from app.city_index.index import city_index
from app.city_index.loading import load
from app.city_index.public import public_sectors
from app.core.numbers import tonnes
from app.extensions import db
from tests.helpers.city import filed_month, month_starts


def _page(client, month="2025-06"):
    response = client.get(f"/city/public?month={month}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _chart(body):
    raw = re.search(r'data-emissions-chart="([^"]*)"', body).group(1)
    return json.loads(html.unescape(raw))


def test_the_city_total_its_trend_and_the_methodology_are_shown(client, city):
    body = _page(client)
    x = city_index(2025, 6).result.gross_tco2
    assert f'data-testid="city-total-value">{tonnes(x, 0)}<' in body
    chart = _chart(body)
    assert len(chart["labels"]) == 24 and chart["labels"][-1] == "2025-06"
    assert chart["gross"][-1] == float(round(x, 0)) and chart["path"][-1] is not None
    methodology = body.split('data-testid="public-methodology"')[1]
    assert f"本月按方法版本 {city_index(2025, 6).methodology} 计算" in methodology and "六项指标" in methodology
    for org in ("steel", "power", "logistics"):
        assert city[org].name not in body and city[org].name_en not in body


def test_the_sector_table_adds_up_to_x(db, city):
    sectors = public_sectors(2025, 6, load((2024, 7), (2025, 6)))
    x = city_index(2025, 6).result.gross_tco2
    assert sectors.total == x == sum(r.total for r in sectors.rows) + sectors.imported


def test_a_dominated_sector_is_withheld_even_together_and_the_page_says_so(client, city):
    # energy (one power plant) and industry (one steel works): withheld; together still mostly the power plant
    body = _page(client)
    assert body.count('data-testid="withheld"') == 2
    merged = body.split('data-testid="merged"')[1].split("</tr>")[0]
    assert "能源" in merged and "工业" in merged and "**" in merged
    assert 'data-testid="disclosure-note"' in body
    for figure in ("13,000", "1,200", "14,200"):
        assert figure not in body


def test_one_withheld_sector_is_merged_with_the_smallest_other_so_the_total_does_not_reveal_it(client, make_org,
                                                                                               city):
    for n in range(4):  # industry no longer rests on one enterprise
        org = make_org(name=f"锦湾冶炼{n}号", industry_code="C3120", district="兴港区")
        for period in month_starts(2024, 7, 12):
            filed_month(org, period, "5000")
    db.session.commit()
    sectors = public_sectors(2025, 6, load((2024, 7), (2025, 6)))
    rows = {r.key: r for r in sectors.rows}
    # energy alone would be X minus everything shown: industry joins it, and the pair reveals no one
    assert rows["energy"].withheld and rows["industry"].withheld and not rows["transport"].withheld
    assert sectors.merged_keys == ["energy", "industry"] and not sectors.merged_withheld
    assert sectors.merged.scope1 == 13000 + 1200 + 4 * 60000
    body = _page(client)
    merged = body.split('data-testid="merged"')[1].split("</tr>")[0]
    assert "254,200" in merged and "**" not in merged
    assert "13,000" not in body and "241,200" not in body  # neither sector's own figure


def test_a_sector_from_too_few_enterprises_or_dominated_by_one_is_withheld(make_org, city):
    """Each sector's filed figures are judged on their own first (fewer than 3 enterprises, or one above 60 %), then
    merged as needed; energy is given enough similar plants here so that industry's own state shows."""
    def sectors():
        found = public_sectors(2025, 6, load((2024, 7), (2025, 6)))
        return {r.key: r for r in found.rows}, found

    def filing(name, code, amount):
        org = make_org(name=name, industry_code=code, district="兴港区")
        for period in month_starts(2024, 7, 12):
            filed_month(org, period, amount)

    for n in range(3):
        filing(f"锦湾热电{n}号", "D4411", "1000")
    db.session.commit()
    rows, found = sectors()  # industry is one steel works: withheld, and merged with the smallest shown (energy)
    assert rows["industry"].withheld and found.merged_keys == ["energy", "industry"] and not found.merged_withheld
    for n in range(3):  # three more steel works of a similar size: industry reveals no one, nothing is withheld
        filing(f"锦湾钢铁{n}号", "C3110", "90")
    db.session.commit()
    rows, found = sectors()
    assert not any(r.withheld for r in rows.values()) and found.merged is None
    assert rows["industry"].scope1 == 1200 + 3 * 1080
    big = make_org(name="锦湾钢铁巨头", industry_code="C3120", district="兴港区")  # one grows above 60 % of it
    filed_month(big, month_starts(2025, 6, 1)[0], "20000")
    db.session.commit()
    rows, found = sectors()
    assert rows["industry"].withheld and found.merged_keys == ["energy", "industry"] and not found.merged_withheld
