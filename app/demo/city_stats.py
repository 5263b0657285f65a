"""Illustrative city statistics, sinks, index settings and product benchmark mapping for the demo city 锦湾市.

Plain data, no Flask and no database: app/demo/commands.py loads it through app.city_data.services.
Jinwan-scale figures (a coastal prefecture-level city of about 1.4 million people); none are official.
"""
from decimal import Decimal

SOURCE = "锦湾市统计年鉴（演示数据） / Jinwan statistical yearbook, illustrative demo figures"
SINK_SOURCE = "illustrative demo figures (rates after published ranges for estuarine wetlands and coastal forests)"
FIRST_YEAR = 2020
GRID_FACTOR_T_PER_MWH = Decimal("0.5810")  # an approximate national grid factor, for E0 only

# Slug of a demo enterprise and product name → benchmark code. Every plant whose product has a national benchmark is
# mapped, so its benchmark page compares it with the national figure while the city has fewer than 5 peers: the
# combined heat-and-power plants both products (their own product group), the heat-only plants and the clinker lines.
PRODUCT_BENCHMARKS = [
    ("binhai-power", "供电量", "electricity-coal-300mw-plus"),
    ("shuanghe-power", "供电量", "electricity-coal-300mw-or-less"),
    ("shuanghe-power", "供热量", "heat-coal"),
    ("wanxi-power", "供电量", "electricity-coal-300mw-or-less"),
    ("wanxi-power", "供热量", "heat-coal"),
    ("jinwan-heating", "供热量", "heat-coal"),
    ("dawa-heating", "供热量", "heat-coal"),
    ("xinggang-heating", "供热量", "heat-coal"),
    ("wanxi-cement", "熟料", "cement-clinker"),
    ("jinwan-jinshan-cement", "熟料", "cement-clinker"),
    ("dawa-building-materials", "熟料", "cement-clinker"),
    ("jinwan-aluminium", "原铝", "primary-aluminium"),
]

SINKS = [  # name, kind, area (ha), rate (tCO2/ha/yr), from year
    ("辽河口湿地（锦湾段）芦苇沼泽 / Liaohe estuary wetland (Jinwan reach), reed marsh", "wetland", 52_000,
     Decimal("9.5"), 2015),
    ("大洼滨海盐沼与翅碱蓬滩涂 / Dawa coastal salt marsh (Suaeda flats)", "coastal", 8_600, Decimal("6.2"), 2015),
    ("湾西山地生态公益林 / Wanxi hill protection forest", "forest", 41_000, Decimal("4.1"), 2015),
    ("兴港海岸防护林带 / Xinggang coastal shelter belt", "forest", 3_200, Decimal("5.0"), 2022),
    # Restored since the base year (退养还湿, greenways): the sinks that move progress to neutrality (S6).
    ("辽河口退养还湿修复区 / Liaohe estuary restored wetland (former fish ponds)", "wetland", 12_000, Decimal("9.5"),
     2023),
    ("双河城市绿道与郊野公园 / Shuanghe greenways and country parks", "forest", 3_000, Decimal("4.5"), 2024),
]


def yearly_statistics(last_year: int) -> list[dict]:
    """One row per year from 2020 to `last_year`: GDP grows about 5 percent a year, the non-fossil share
    rises from 10 to 17 percent, transport about 2 Mt and buildings about 1 Mt of CO2."""
    rows = []
    span = max(last_year - FIRST_YEAR, 1)
    for i, year in enumerate(range(FIRST_YEAR, last_year + 1)):
        growth = Decimal("1.05") ** i
        rows.append({
            "year": year, "quarter": 0,
            "gdp_10k_cny": (Decimal(13_000_000) * growth).quantize(Decimal(1)),
            "population": 1_390_000 + 2_500 * i,
            "energy_tce": (Decimal(9_800_000) * Decimal("1.018") ** i).quantize(Decimal(1)),
            "non_fossil_share_percent": (Decimal(10) + Decimal(7) * i / span).quantize(Decimal("0.1")),
            "transport_tco2": (Decimal(1_950_000) * Decimal("1.012") ** i).quantize(Decimal(1)),
            "buildings_tco2": (Decimal(980_000) * Decimal("1.008") ** i).quantize(Decimal(1)),
            "other_tco2": (Decimal(420_000) * Decimal("0.99") ** i).quantize(Decimal(1)),
            "net_imported_electricity_mwh": (Decimal(2_600_000) - Decimal(120_000) * i),
            "source": SOURCE,
        })
    return rows


def index_settings(base: dict, scope1_base_t: Decimal) -> tuple[dict, str]:
    """Settings consistent with the demo's scale: E0 = approved scope 1 (about a year) + the base year's estimates."""
    estimates = base["transport_tco2"] + base["buildings_tco2"] + base["other_tco2"]
    e0 = (scope1_base_t + estimates + base["net_imported_electricity_mwh"] * GRID_FACTOR_T_PER_MWH).quantize(
        Decimal(1))
    values = {
        "y0": FIRST_YEAR, "e0": str(e0), "g0": str(base["gdp_10k_cny"]), "yp": 2028,
        "ep": str((e0 * Decimal("1.10")).quantize(Decimal(1))), "s60": str((e0 * Decimal("0.12")).quantize(Decimal(1))),
        "cut_milestones": [[2025, "0.18"]],
        "non_fossil_milestones": [[2025, "0.20"], [2030, "0.25"], [2060, "0.80"]],
        "non_fossil_base_share": str(base["non_fossil_share_percent"] / 100),
        "industrial_base_r": None, "transport_buildings_base_tco2": str(base["transport_tco2"] + base["buildings_tco2"]),
        "sinks_base_tco2": None,
        "weights": {"S1": "0.25", "S2": "0.15", "S3": "0.15", "S4": "0.20", "S5": "0.10", "S6": "0.15"},
    }
    note = ("Demo settings (illustrative). E0 approximates the base year: the demo's approved scope-1 emissions "
            "of one year of filings (the filings start after 2020) plus the base year's estimates for transport, "
            "buildings and other sectors and net imported electricity at about 0.581 tCO2/MWh.")
    return values, note
