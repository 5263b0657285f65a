"""The index settings a city starts from, before it publishes its own (national targets, equal-ish weights).

Pure constants: the settings page (app.city_data) checks and offers them, the formula (app.city_index.formula)
takes them as its defaults. They live here, with the city's data, so city data never imports the index.
"""
from decimal import Decimal

LATEST_PEAK_YEAR = 2030  # the national commitment: emissions peak by 2030
SUB_INDICES = ("S1", "S2", "S3", "S4", "S5", "S6")
DEFAULT_WEIGHTS = {"S1": Decimal("0.25"), "S2": Decimal("0.15"), "S3": Decimal("0.15"),
                   "S4": Decimal("0.20"), "S5": Decimal("0.10"), "S6": Decimal("0.15")}
# National targets: intensity −18% 2020→2025; non-fossil share 20% in 2025, 25% in 2030, 80% in 2060.
# The starting point (y0, 0% cut) or (y0, base share) is added by the formula, since both T's are
# defined against the base year.
DEFAULT_CUT_MILESTONES = ((2025, Decimal("0.18")),)
DEFAULT_NON_FOSSIL_MILESTONES = ((2025, Decimal("0.20")), (2030, Decimal("0.25")), (2060, Decimal("0.80")))
