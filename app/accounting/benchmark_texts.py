"""The product benchmark table's words in the reader's language.

The table (shared/reference/product-benchmarks.csv, loaded by migration 0006) stores its product names, unit
classes, statuses, periods and sources in English; they are kept as stored (codes and versions refer to them) and
translated for display. A text a regulator typed that is not in the table is shown as it was written.
"""
from flask_babel import gettext as _

from app.core.markers import N_

PRODUCT_NAMES = (N_("electricity supplied"), N_("heat supplied"), N_("cement clinker"), N_("primary aluminium"))
UNIT_CLASSES = (N_("conventional coal units above 300 MW"), N_("conventional coal units of 300 MW and below"),
                N_("unconventional coal units (coal gangue, circulating fluidised bed)"), N_("natural gas units"),
                N_("coal units"), N_("all"), N_("electrolytic"))
STATUSES = (N_("verified"), N_("draft value"))
PERIODS = (N_("2017 draft"),)
SOURCES = (N_("China national ETS 2019-2020 allocation plan for the power sector (as summarised by ICAP)"),
           N_("China national ETS 2019-2020 allocation plan (ICAP)"),
           N_("China national ETS allocation discussion draft for cement (2017)"),
           N_("China national ETS allocation discussion draft for electrolytic aluminium (2017)"))
_KNOWN = frozenset((*PRODUCT_NAMES, *UNIT_CLASSES, *STATUSES, *PERIODS, *SOURCES))


def shown(text: str | None) -> str:
    """A word of the benchmark table as the reader reads it."""
    text = (text or "").strip()
    return _(text) if text in _KNOWN else text


def benchmark_name(benchmark) -> str:
    """"供电量 · 300 MW 以上常规燃煤机组": a product benchmark's product and unit class."""
    return f"{shown(benchmark.product)} · {shown(benchmark.unit_class)}"
