"""Fuels the 24-industry guidelines' default table has and the reference CSV had not (issue 17), as fuel factors.

Version 1 (ROWS, migrations/versions/0029_*_seed_more_fuels.py): the only copy of a table of fossil-fuel defaults
(低位发热量, 单位热值含碳量, 碳氧化率) found when these rows were written was a third-party open-source
implementation that names no source (a JavaScript table, found by searching public code); seeded "to_confirm" with
that citation. The NCV units follow the guidelines' convention (GJ/t for solid and liquid fuels, GJ/10^4 Nm3 for
gases), which the magnitudes match.

Version 2 (CONFIRMED_ROWS, migrations/versions/0033_*_confirm_fuel_defaults.py): checked against the national
standard's table of common fossil-fuel defaults, GB/T 32151.22-2024 Appendix C Table C.1, read in a public
transcription that names the standard and the table and whose other rows equal the reference CSV's verified fuels
row for row; LNG's values also in GB/T 32151.10-2023 Table C.1 (a second transcription), and the NCVs of anthracite,
lignite, petroleum coke and naphtha equal IPCC 2006 Vol. 2 Table 1.2. Only briquettes were right as seeded; the
others had at least one value from another table (naphtha's NCV was the table's "other petroleum products" row,
LNG's 41.868 GJ/t is one tonne of oil equivalent). fuel_confirmation.md beside this module lists each finding,
its citation and the searches tried (the method defaults among them: none could be checked).
Published as version 2 valid from the same date as version 1, so months already calculated with version 1 are listed
for recalculation on the factor page; nothing is edited in place.
tests/accounting/test_fuel_defaults.py compares both migrations with this module.
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

# Version 2: GB/T 32151.22-2024 Table C.1 (carbon content there in tC/TJ, here tC/GJ; oxidation rate there in %).
CONFIRMED_STATUS = "confirmed"
CONFIRMED_SOURCE = ("GB/T 32151.22-2024, Appendix C, Table C.1 (default values of common fossil-fuel parameters), "
                    "read in a public transcription naming the standard and table; LNG also GB/T 32151.10-2023 "
                    "Table C.1; NCVs of anthracite, lignite, petroleum coke and naphtha as IPCC 2006 Vol. 2 "
                    "Table 1.2")
CONFIRMED_NOTE = ("Checked against the national standard's table: version 1 came from a table that named no source, "
                  "and values that differed are corrected. Calculations already made keep the version they used "
                  "until they are recalculated.")
UNCHANGED_NOTE = "Checked against the national standard's table: the values of version 1 are confirmed unchanged."
# (code, NCV (GJ per unit), carbon content (tC/GJ), oxidation rate)
CONFIRMED_ROWS = (
    ("anthracite", "26.7", "0.0274", "0.94"),
    ("bituminous_coal", "19.570", "0.0261", "0.93"),
    ("lignite", "11.9", "0.0280", "0.96"),
    ("washed_coal", "26.334", "0.02541", "0.90"),
    ("other_washed_coal", "12.545", "0.02541", "0.90"),
    ("briquette", "17.460", "0.0336", "0.90"),
    ("petroleum_coke", "32.5", "0.02750", "0.98"),
    ("naphtha", "44.5", "0.0200", "0.98"),
    ("lng", "51.498", "0.0153", "0.98"),
    ("blast_furnace_gas", "33.00", "0.07080", "0.99"),
    ("converter_gas", "84.00", "0.04960", "0.99"),
)
