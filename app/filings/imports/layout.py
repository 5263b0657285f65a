"""The layout of the workbook and the CSV: its three tables (activity, production, output value), their
columns and the header spellings people use for them, found wherever they sit in a sheet; and what the
layout needs to know of the enterprise's sources and products.

CSV holds the same three tables one after another in a single sheet, each starting at its header row
(Excel saves only the active sheet as CSV, so they cannot be separate sheets).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from app.accounting import units
from app.accounting.engine import FUEL_CATEGORIES, FUEL_PARAMETERS
from app.accounting.methods import LEGACY, METHODS
from app.filings.imports.problems import Problem
from app.filings.imports.values import blank
from app.filings.parameters import SPECIES

if TYPE_CHECKING:
    from app.filings.imports.reading import Grid

MAX_MONTHS = 24


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    width: float = 14
    aliases: tuple[str, ...] = ()  # other spellings people use for this header

    @property
    def label(self) -> str:
        return f"{self.zh} {self.en}"


MONTH = Column("month", "月份", "Month", 10, ("年月", "统计月份", "报告期", "period", "yearmonth"))
UNIT = Column("unit", "单位", "Unit", 11, ("计量单位", "units"))
QUANTITY = Column("quantity", "数量", "Quantity", 14, ("活动数据", "消耗量", "用量", "amount", "qty"))

# A sector method's inputs (app.accounting.methods, by their API names), after today's columns so those keep their
# places: coal's element carbon and moisture, the coke's carbon, a purity, clinker chemistry, then each gas
# component's share of a composition (% by volume) as a column of its own.
METHOD_COLUMNS = (
    Column("ncv_ar", "收到基低位发热量 GJ/t", "NCV_ar GJ/t", 14, ("收到基低位发热量", "ncvar")),
    Column("c_ar", "收到基元素碳含量 C_ar %", "C_ar %", 12, ("收到基元素碳", "car")),
    Column("c_ad", "空气干燥基元素碳含量 C_ad %", "C_ad %", 12, ("空气干燥基元素碳", "空干基元素碳", "cad")),
    Column("m_ad", "空气干燥基水分 M_ad %", "M_ad %", 12, ("空气干燥基水分", "空干基水分", "mad")),
    Column("m_ar", "收到基全水分 M_ar %", "M_ar %", 12, ("收到基全水分", "全水分", "mar")),
    Column("carbon_fraction", "焦炭含碳量 %", "Coke carbon fraction %", 12, ("焦炭含碳量", "carbonfraction")),
    Column("purity", "纯度 %", "Purity %", 10, ("纯度", "purity")),
    Column("cao", "熟料CaO %", "Clinker CaO %", 10, ("cao",)),
    Column("cao_nc", "非碳酸盐CaO %", "Non-carbonate CaO %", 12, ("caonc",)),
    Column("mgo", "熟料MgO %", "Clinker MgO %", 10, ("mgo",)),
    Column("mgo_nc", "非碳酸盐MgO %", "Non-carbonate MgO %", 12, ("mgonc",)),
    *(Column(f"comp_{sp}", f"{sp} 体积分数 %", f"{sp} % vol", 9, (f"{sp}%", f"{sp}体积分数")) for sp in SPECIES),
)
COMPOSITION_PREFIX = "comp_"
METHOD_KEYS = tuple(c.key for c in METHOD_COLUMNS)
ACTIVITY_COLUMNS = (
    MONTH,
    Column("facility", "设施", "Facility", 16, ("厂区", "设施名称", "facilityname")),
    Column("source_id", "排放源编号", "Source ID", 11, ("排放源id", "源编号", "sourceno")),
    Column("source_name", "排放源名称", "Source name", 22, ("排放源", "emissionsource", "source")),
    Column("category", "类别", "Category", 26, ("排放类别", "源类别")),
    Column("material", "燃料/物料", "Material", 18, ("燃料", "物料", "燃料品种", "fuel")),
    UNIT,
    QUANTITY,
    Column("ncv", "实测低位发热量 GJ/单位", "Measured NCV GJ/unit", 16, ("低位发热量", "ncv", "netcalorificvalue")),
    Column("carbon_content", "实测单位热值含碳量 tC/GJ", "Measured carbon content tC/GJ", 18,
           ("单位热值含碳量", "含碳量", "carboncontent")),
    Column("oxidation_rate", "实测碳氧化率", "Measured oxidation rate", 14, ("碳氧化率", "氧化率", "oxidationrate")),
    Column("enthalpy_kj_per_kg", "蒸汽焓值 kJ/kg", "Steam enthalpy kJ/kg", 14, ("焓值", "enthalpy")),
    Column("temperature_c", "热水温度 °C", "Hot-water temperature °C", 14, ("热水温度", "temperature")),
    Column("green_mwh", "绿电 MWh", "Green electricity MWh", 14, ("绿电", "绿色电力", "greenelectricity", "greenmwh")),
    *METHOD_COLUMNS,
)
PRODUCTION_COLUMNS = (
    MONTH,
    Column("product_id", "产品编号", "Product ID", 11, ("产品id", "productno")),
    Column("product_name", "产品名称", "Product name", 22, ("产品", "product")),
    UNIT,
    Column("quantity", "产量", "Quantity", 14, ("数量", "产品产量", "quantity", "production")),
)
OUTPUT_COLUMNS = (
    MONTH,
    Column("output_value", "工业总产值 万元", "Industrial output value 10^4 CNY", 22,
           ("工业总产值", "工业产值", "总产值", "产值", "outputvalue", "industrialoutputvalue")),
)

MEASURED_KEYS = ("ncv", "carbon_content", "oxidation_rate", "enthalpy_kj_per_kg", "temperature_c")
VALUE_KEYS = (*MEASURED_KEYS, "green_mwh", *METHOD_KEYS)  # filled by the enterprise besides the quantity


@dataclass(frozen=True)
class Section:
    key: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    identifying: tuple[str, ...]  # a header row has the month, `value` and one of these
    value: str

    @property
    def label(self) -> str:
        return f"{self.zh} {self.en}"

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


ACTIVITY = Section("activity", "活动数据", "Activity data", ACTIVITY_COLUMNS, ("source_id", "source_name"), "quantity")
PRODUCTION = Section("production", "产品产量", "Production", PRODUCTION_COLUMNS, ("product_id", "product_name"),
                     "quantity")
OUTPUT = Section("output", "工业总产值", "Output value", OUTPUT_COLUMNS, ("output_value",), "output_value")
SECTIONS = (ACTIVITY, PRODUCTION, OUTPUT)
INSTRUCTIONS_TITLE = "说明 Instructions"
INSTRUCTION_NAMES = ("说明", "填报说明", "instructions", "readme")


_PUNCTUATION = re.compile(r"[\s()\[\]{}（）【】<>:：,，.。;；/\\|_*#'\"`~·、-]+")


@lru_cache(maxsize=8192)
def _norm_text(text: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text).casefold())


def norm(value) -> str:
    """A header or name as compared: NFKC, case-folded, without spaces and punctuation."""
    return _norm_text(value if isinstance(value, str) else str(value))


def _aliases(section: Section) -> dict[str, list[str]]:
    table = {}
    for column in section.columns:
        names = {column.zh, column.en, column.zh + column.en, column.en + column.zh, *column.aliases}
        # The bare Chinese word before any unit: "实测低位发热量 GJ/单位" is also written "实测低位发热量".
        names.add(column.zh.split()[0])
        names.add(column.en.split(" 10^4")[0])
        table[column.key] = sorted({norm(n) for n in names if norm(n)}, key=len, reverse=True)
    return table


_ALIASES = {section.key: _aliases(section) for section in SECTIONS}


def header_key(value, aliases: dict[str, list[str]], suffix: bool = False) -> str | None:
    """Which column a header cell names, by its longest matching spelling: equal, the cell starting with it (a unit
    after the name) or, with `suffix`, ending with it. `aliases`: key -> normalised spellings, longest first.
    The regulator's spreadsheet imports use it too."""
    if not isinstance(value, str):
        return None  # header cells are text; numbers and dates are data
    cell = norm(value)
    if not cell:
        return None
    best, best_len = None, 0
    for key, names in aliases.items():
        for name in names:
            if len(name) <= best_len:
                break
            if cell == name or cell.startswith(name) or (suffix and cell.endswith(name)):
                best, best_len = key, len(name)
                break
    return best


def _header_key(section: Section, text) -> str | None:
    """Which column of `section` a header cell names."""
    return header_key(text, _ALIASES[section.key], suffix=True)


@dataclass(frozen=True)
class SourceRef:
    """What the parser and the template need to know of one emission source."""

    id: int
    facility: str
    name: str
    category: str
    material: str
    unit: str                             # canonical activity unit
    facility_en: str | None = None
    category_label: str = ""
    material_label: str = ""
    dimensions: tuple[str, ...] = ()      # of units it may be entered in; default: its unit's
    active: bool = True
    method: str | None = None             # a sector method (None: its category's method of today)

    def accepted_dimensions(self) -> tuple[str, ...]:
        return self.dimensions or (units.dimension(self.unit),)


@dataclass(frozen=True)
class ProductRef:
    id: int
    name: str
    unit: str
    name_en: str | None = None
    active: bool = True


def measured_columns(source: SourceRef) -> tuple[str, ...]:
    """The measured-parameter and green-electricity columns that apply to a source (the engine refuses others)."""
    if source.method and source.method not in LEGACY:
        specs = METHODS[source.method].specs
        composition = tuple(k for k in METHOD_KEYS if k.startswith(COMPOSITION_PREFIX)) if "composition" in specs else ()
        return (*(k for k in METHOD_KEYS if k in specs), *composition)
    if source.category in FUEL_CATEGORIES:
        return FUEL_PARAMETERS
    if source.category in ("purchased_heat", "exported_heat"):
        return {"steam": ("enthalpy_kj_per_kg",), "hot_water": ("temperature_c",)}.get(source.material, ())
    if source.category == "purchased_electricity":
        return ("green_mwh",)
    return ()


@dataclass
class Table:
    section: Section
    grid: Grid
    header_row: int
    columns: dict[str, int]          # key -> column number
    rows: list[int] = field(default_factory=list)

    @property
    def sheet(self) -> str:
        # A CSV has one sheet: its tables are named after what they hold.
        return self.grid.name if self.grid.is_xlsx else self.section.label


def header_columns(section: Section, grid: Grid, row: int) -> tuple[dict[str, int], list[str]] | None:
    """The column of each key if `row` is a header row of `section`, with the keys named twice."""
    cells = grid.cells[row - 1]
    if not any(_header_key(section, value) == "month" for value in cells):
        return None  # most rows are data: stop before mapping every cell
    columns, twice = {}, []
    for col, value in enumerate(cells, start=1):
        key = _header_key(section, value)
        if key is None:
            continue
        if key in columns:
            twice.append(key)
        else:
            columns[key] = col
    if "month" in columns and section.value in columns and any(k in columns for k in section.identifying):
        return columns, twice
    return None


def find_tables(grid: Grid, problems: list[Problem]) -> list[Table]:
    tables: list[Table] = []
    current: Table | None = None
    for row in range(1, len(grid.cells) + 1):
        found = None
        for section in SECTIONS:
            header = header_columns(section, grid, row)
            if header:
                found = (section, *header)
                break
        if found:
            section, columns, twice = found
            if current is not None and current.section is section and not current.rows:
                # A two-row header (group titles above, merged down): the lower row adds its columns.
                current.columns = {**current.columns, **columns}
                current.header_row = row
            else:
                current = Table(section, grid, row, columns)
                tables.append(current)
            for key in twice:
                problems.append(Problem(_l("the column %(column)s appears twice; keep one.",
                                           column=section.column(key).label), sheet=current.sheet, row=row))
            continue
        if current is None:
            continue  # titles and notes above the first header row
        if any(not blank(v) for v in grid.cells[row - 1]):
            current.rows.append(row)
    return tables
