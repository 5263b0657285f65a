"""Industry classification GB/T 4754-2017 (国民经济行业分类).

Codes are written section letter + digits: "C" (section), "C30" (division), "C301" (group),
"C3011" (class). The bundled table has every section and division, and the groups and classes
of the carbon-intensive industries; a group or class that is not in the table is still accepted
when its division is, since the division is what validation can be sure of.
"""
import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.core.markers import N_

_CODE = re.compile(r"^([A-T])(\d{2})(\d{1,2})?$")


@dataclass(frozen=True)
class Industry:
    code: str
    name_zh: str
    name_en: str

    @property
    def level(self) -> str:
        return {1: "section", 3: "division", 4: "group", 5: "class"}[len(self.code)]


@cache
def table() -> dict[str, Industry]:
    path = Path(__file__).with_name("gbt4754_2017.csv")
    with path.open(encoding="utf-8") as f:
        return {row["code"]: Industry(**row) for row in csv.DictReader(f)}


def normalise(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def industry_code_error(code: str) -> str | None:
    """Why `code` is not a GB/T 4754-2017 division, group or class code, or None (msgids)."""
    code = normalise(code)
    m = _CODE.match(code)
    if not m:
        return N_("Use a section letter and 2 to 4 digits, e.g. C3011 (cement manufacturing).")
    if code[:3] not in table():
        return N_("There is no such division in GB/T 4754-2017.")
    return None


def lineage(code: str) -> list[Industry]:
    """The known levels of a code, broadest first: section, division, group, class."""
    code = normalise(code)
    return [table()[code[:n]] for n in (1, 3, 4, 5) if len(code) >= n and code[:n] in table()]


def describe(code: str) -> Industry | None:
    """The most specific known level of a code."""
    levels = lineage(code)
    return levels[-1] if levels else None


def divisions() -> list[Industry]:
    return [i for i in table().values() if len(i.code) == 3]
