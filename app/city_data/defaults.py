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
# The index methodology (reference/city-index.md): version 1 scored anything on or ahead of the path 100; version 2
# scores the path 60 and leading by the margin 100. A version published before version 2 existed stored no
# methodology and stays on version 1; a new version defaults to the current one.
METHODOLOGIES = (1, 2)
CURRENT_METHODOLOGY = 2
UNSTATED_METHODOLOGY = 1
DEFAULT_LEADING_MARGIN = Decimal("0.10")
