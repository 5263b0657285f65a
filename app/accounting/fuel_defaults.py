"""Fuels the 24-industry guidelines' default table has and the reference CSV had not (issue 17), as fuel factors.

Where each value comes from: the only copy of the guidelines' table of fossil-fuel defaults (低位发热量, 单位热值含碳量,
碳氧化率) found when these rows were written is a third-party open-source implementation of the NDRC 24-industry
guidelines (a JavaScript table of the guidelines' fuels, found by searching public code); the guideline text itself
could not be read. So every row is seeded "to_confirm" with that citation, shown so on the factor page, until the
regulator publishes a confirmed version. The table states no units: the NCV units below follow the guidelines'
convention (GJ/t for solid and liquid fuels, GJ/10^4 Nm3 for gases), which the magnitudes match.
Left out, for want of any value found: none of the fuels the issue names.
migrations/versions/0029_*_seed_more_fuels.py inserts the same rows (tests/accounting/test_fuel_defaults.py compares).
"""
STATUS = "to_confirm"
SOURCE = ("NDRC 24-industry GHG accounting guidelines (2013-2015), table of fossil-fuel defaults, as transcribed in a "
          "third-party open-source implementation found by search; guideline text not checked")

# (code, name_zh, name_en, activity unit, NCV (GJ per unit), carbon content (tC/GJ), oxidation rate)
ROWS = (
    ("anthracite", "无烟煤", "Anthracite", "t", "24.515", "0.02749", "0.94"),
    ("bituminous_coal", "烟煤", "Bituminous coal", "t", "23.204", "0.02618", "0.93"),
    ("lignite", "褐煤", "Lignite", "t", "14.449", "0.02800", "0.96"),
    ("washed_coal", "洗精煤", "Washed coal", "t", "26.344", "0.02540", "0.93"),
    ("other_washed_coal", "其他洗煤", "Other washed coal", "t", "15.373", "0.02540", "0.90"),
    ("briquette", "型煤", "Briquettes", "t", "17.46", "0.03360", "0.90"),
    ("petroleum_coke", "石油焦", "Petroleum coke", "t", "31.00", "0.02750", "0.98"),
    ("naphtha", "石脑油", "Naphtha", "t", "41.031", "0.0200", "0.98"),
    ("lng", "液化天然气", "Liquefied natural gas (LNG)", "t", "41.868", "0.01530", "0.99"),
    ("blast_furnace_gas", "高炉煤气", "Blast furnace gas", "10^4 Nm3", "37.69", "0.07080", "0.99"),
    ("converter_gas", "转炉煤气", "Converter gas (BOF gas)", "10^4 Nm3", "79.54", "0.04960", "0.99"),
)
