"""The layout of the workbook and the CSV: its three tables (activity, production, output value), and where a
source's method takes them, a carbon balance's materials and a coal unit's daily coal; their columns and the header
spellings people use for them, found wherever they sit in a sheet; and what the layout needs to know of the
enterprise's sources and products.

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
DAYS = "d"  # the unit of equipment counted over its days in operation (not a unit of the registry)
DAY_NAMES = ("d", "天", "日", "day", "days", "运行天数")


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
FACILITY = Column("facility", "设施", "Facility", 16, ("厂区", "设施名称", "facilityname"))
SOURCE_ID = Column("source_id", "排放源编号", "Source ID", 11, ("排放源id", "源编号", "sourceno"))
SOURCE_NAME = Column("source_name", "排放源名称", "Source name", 22, ("排放源", "emissionsource", "source"))
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

# A method's choices, flags and equipment counts, each a column of the source's row (after the numbers). The names a
# choice cell takes, and the equipment's names, as the template writes them: (Chinese, English) by code.
CHOICE_NAMES = {
    "industry": {"refining": ("炼油", "Petroleum refining"), "chemicals": ("化工", "Chemicals")},
    "process": {"high_pressure": ("高压法", "High-pressure process"),
                "medium_pressure": ("中压法", "Medium-pressure process"),
                "atmospheric": ("常压法", "Atmospheric-pressure process"),
                "dual_pressure": ("双加压法", "Dual-pressure process"),
                "combined": ("综合法", "Combined process"), "low_pressure": ("低压法", "Low-pressure process")},
}
EQUIPMENT_NAMES = {
    "oil_wellhead": ("油井井口", "Oil wellheads"), "single_well_tank": ("单井储油装置", "Single-well oil storage"),
    "transfer_station": ("接转站", "Transfer stations"), "combined_station": ("联合站", "Combined stations"),
    "gas_wellhead": ("气井井口", "Gas wellheads"), "gathering_station": ("集气站", "Gas gathering stations"),
    "metering_station": ("计量/配气站", "Metering and distribution stations"),
    "storage_station": ("储气站", "Gas storage stations"),
}
YES, NO = "是", "否"
EQUIPMENT_PREFIX = "equipment_"
KIND_COLUMNS = (
    Column("industry", "事故火炬所属行业", "Accident flare industry", 14, ("所属行业", "accidentflareindustry")),
    Column("process", "硝酸生产工艺", "Nitric acid process", 14, ("硝酸工艺", "nitricacidprocess")),
    Column("ch4_slip", "计入火炬甲烷逃逸 是/否", "Count flare CH4 slip yes/no", 14, ("计入甲烷逃逸", "ch4slip")),
    Column("geological_storage", "二氧化碳地质封存 是/否", "CO2 stored geologically yes/no", 14,
           ("地质封存", "geologicalstorage")),
    *(Column(f"{EQUIPMENT_PREFIX}{kind}", f"{zh}数量", f"{en} in operation", 12, (f"{zh}数", f"{zh}台数"))
      for kind, (zh, en) in EQUIPMENT_NAMES.items()),
)
CHOICE_KEYS = tuple(CHOICE_NAMES)
FLAG_KEYS = ("ch4_slip", "geological_storage")
COUNT_KEYS = tuple(f"{EQUIPMENT_PREFIX}{kind}" for kind in EQUIPMENT_NAMES)
ACTIVITY_COLUMNS = (
    MONTH,
    FACILITY,
    SOURCE_ID,
    SOURCE_NAME,
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
    *KIND_COLUMNS,
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

# A carbon balance's materials and a coal unit's daily coal and NCV: a sheet each, a row per material or day,
# attached to the activity row of the same source and month.
DIRECTIONS = {"inputs": ("投入", "In"), "outputs": ("产出", "Out")}
CARBON_COLUMNS = (
    MONTH, FACILITY, SOURCE_ID, SOURCE_NAME,
    Column("direction", "投入/产出", "In/out", 10, ("投入产出", "输入输出", "方向", "direction", "inout")),
    Column("item", "物料名称", "Material", 18, ("物料", "品名", "material", "materialname")),
    Column("quantity", "数量", "Quantity", 12, ("用量", "amount", "qty")),
    UNIT,
    Column("carbon_pct", "含碳量 %", "Carbon % by mass", 12, ("含碳量", "carbonpct", "carbon%")),
    Column("carbon_content", "单位含碳量 tC/单位", "Carbon tC per unit", 14,
           ("单位含碳量", "carboncontent", "carbontcperunit")),
)
ITEM_KEYS = {"name": "item", "quantity": "quantity", "unit": "unit", "carbon_pct": "carbon_pct",
             "carbon_content": "carbon_content"}  # a material's field -> its column
DAILY_COLUMNS = (
    MONTH, FACILITY, SOURCE_ID, SOURCE_NAME,
    Column("day", "日期", "Date", 12, ("日期", "day", "date")),
    Column("coal", "入炉煤量 t", "Coal fired t", 14, ("入炉煤量", "入炉煤", "coalfired", "coal")),
    Column("ncv", "入炉煤低位发热量 GJ/t", "NCV as fired GJ/t", 16,
           ("入炉煤低位发热量", "收到基低位发热量", "低位发热量", "ncvasfired", "ncv")),
)

MEASURED_KEYS = ("ncv", "carbon_content", "oxidation_rate", "enthalpy_kj_per_kg", "temperature_c")
# filled by the enterprise besides the quantity
VALUE_KEYS = (*MEASURED_KEYS, "green_mwh", *METHOD_KEYS, *CHOICE_KEYS, *FLAG_KEYS, *COUNT_KEYS)
NUMBER_KEYS = ("quantity", "output_value", *MEASURED_KEYS, "green_mwh", *METHOD_KEYS, "carbon_pct",
               "carbon_content", "coal", "ncv")  # the template checks these cells take a number of 0 or more


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
CARBON = Section("carbon", "碳平衡", "Carbon balance", CARBON_COLUMNS, ("source_id", "source_name"), "direction")
DAILY = Section("daily", "入炉煤日报", "Daily coal", DAILY_COLUMNS, ("source_id", "source_name"), "coal")
# In the order a header row is tried: a carbon balance's or a daily sheet's header has the activity sheet's month,
# source and quantity too, so they are recognised first by the column only they have.
SECTIONS = (CARBON, DAILY, ACTIVITY, PRODUCTION, OUTPUT)
REQUIRED = (ACTIVITY, PRODUCTION, OUTPUT)  # the other two only where a source takes them
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


def takes(source: SourceRef, kind: str) -> bool:
    """Whether the source's method has an input of `kind` (items: the carbon sheet; pairs: the daily sheet)."""
    method = METHODS.get(source.method) if source.method and source.method not in LEGACY else None
    return method is not None and any(p.kind == kind for p in method.params)


def measured_columns(source: SourceRef) -> tuple[str, ...]:
    """The measured-parameter and green-electricity columns that apply to a source (the engine refuses others)."""
    if source.method and source.method not in LEGACY:
        specs = METHODS[source.method].specs
        composition = tuple(k for k in METHOD_KEYS if k.startswith(COMPOSITION_PREFIX)) if "composition" in specs else ()
        counts = tuple(f"{EQUIPMENT_PREFIX}{kind}" for p in specs.values() if p.kind == "counts" for kind in p.choices)
        return (*(k for k in (*METHOD_KEYS, *CHOICE_KEYS, *FLAG_KEYS) if k in specs), *composition, *counts)
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
