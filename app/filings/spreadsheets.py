"""Monthly data as a spreadsheet: the template Tanji hands out, and the parser for what comes back.

No Flask app, no database: the enterprise's sources and products come in as plain `SourceRef` and
`ProductRef` values, and the parser returns plain rows and a list of `Problem`s (sheet, row, column,
reason). The import service (app.filings.imports) decides what to save.

Files come from Excel and WPS in many shapes, so the parser is lenient about layout and strict about
values: it finds each header row by its texts (Chinese or English), fills vertically merged cells down,
skips blank rows, reads numbers typed as text, with thousands separators or full-width digits, and
months written several ways; but a formula, a negative quantity, an unknown unit or source, a
duplicate line or a month in the future is a problem, and one problem anywhere stops the whole file.

CSV holds the same three tables one after another in a single sheet, each starting at its header row
(Excel saves only the active sheet as CSV, so they cannot be separate sheets).
"""
from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from app.accounting import units
from app.accounting.engine import FUEL_CATEGORIES, FUEL_PARAMETERS

__all__ = [
    "ACTIVITY",
    "MAX_MONTHS",
    "OUTPUT",
    "PRODUCTION",
    "ActivityRow",
    "Column",
    "ParsedFile",
    "Problem",
    "ProductRef",
    "ProductionRow",
    "SourceRef",
    "build_csv",
    "build_xlsx",
    "instructions",
    "measured_columns",
    "month_range",
    "parse_month",
    "parse_number",
    "parse_workbook",
    "sniff",
]

MAX_MONTHS = 24
MAX_ROWS = 50_000                       # per sheet; 24 months of 2,000 sources
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, before openpyxl sees it
LARGEST_NUMBER = Decimal(10) ** 17      # quantities are stored with 24 digits, 6 after the point

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also a password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"

# Files that are clearly something else, named in the message (people upload the wrong attachment).
_OTHER_MAGIC = ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"%PDF", "PDF"),
                (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip"))


# ------------------------------------------------------------------------------------------------ columns

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
VALUE_KEYS = (*MEASURED_KEYS, "green_mwh")  # filled by the enterprise besides the quantity


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
_INSTRUCTION_NAMES = ("说明", "填报说明", "instructions", "readme")


_PUNCTUATION = re.compile(r"[\s()\[\]{}（）【】<>:：,，.。;；/\\|_*#'\"`~·、-]+")


@lru_cache(maxsize=8192)
def _norm_text(text: str) -> str:
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text).casefold())


def _norm(value) -> str:
    """A header or name as compared: NFKC, case-folded, without spaces and punctuation."""
    return _norm_text(value if isinstance(value, str) else str(value))


def _aliases(section: Section) -> dict[str, list[str]]:
    table = {}
    for column in section.columns:
        names = {column.zh, column.en, column.zh + column.en, column.en + column.zh, *column.aliases}
        # The bare Chinese word before any unit: "实测低位发热量 GJ/单位" is also written "实测低位发热量".
        names.add(column.zh.split()[0])
        names.add(column.en.split(" 10^4")[0])
        table[column.key] = sorted({_norm(n) for n in names if _norm(n)}, key=len, reverse=True)
    return table


_ALIASES = {section.key: _aliases(section) for section in SECTIONS}


def _header_key(section: Section, text) -> str | None:
    """Which column of `section` a header cell names, by its longest matching spelling."""
    if not isinstance(text, str):
        return None  # header cells are text; numbers and dates are data
    cell = _norm(text)
    if not cell:
        return None
    best, best_len = None, 0
    for key, names in _ALIASES[section.key].items():
        for name in names:
            if len(name) <= best_len:
                break
            if cell == name or cell.startswith(name) or cell.endswith(name):
                best, best_len = key, len(name)
                break
    return best


# ---------------------------------------------------------------------------------------------- problems

@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (as far as known) and why."""

    message: object  # str or a lazy translation
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    month: str | None = None

    def __str__(self) -> str:
        if self.sheet and self.row and self.column:
            return str(_l("%(sheet)s sheet, row %(row)d, column %(column)s: %(message)s", sheet=self.sheet,
                          row=self.row, column=self.column, message=self.message))
        if self.sheet and self.row:
            return str(_l("%(sheet)s sheet, row %(row)d: %(message)s", sheet=self.sheet, row=self.row,
                          message=self.message))
        if self.sheet:
            return str(_l("%(sheet)s sheet: %(message)s", sheet=self.sheet, message=self.message))
        return str(self.message)


class CellError(ValueError):
    """A value that cannot be read; the message says why, without saying where."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# ------------------------------------------------------------------------------------------------ values

def _text(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value) -> str:
    """A cell's value as quoted back in a message."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    return text if len(text) <= 40 else text[:37] + "…"


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:e[+-]?\d+)?")
_SPACED = re.compile(r"(?<=\d) (?=\d{3}\b)")  # "12 345.6": a space as thousands separator


def parse_number(value, percent: bool = False) -> Decimal:
    """A number from a cell: a number cell, or text with separators, full-width digits or spaces.

    "12,345.6", "１２３４５.６", " 12 345.6 ", "1.5E3" are read; "1,5", "12,34" and "abc" are CellErrors.
    With `percent`, "98%" is 0.98.
    """
    if isinstance(value, (bool, datetime, date)):
        raise CellError(_l("'%(value)s' is not a number.", value=_shown(value)))
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr() is the shortest text that reads back as the same float: 0.1 stays 0.1.
        number = Decimal(repr(value)) if math.isfinite(value) else Decimal("NaN")
    else:
        text = _text(value).replace("，", ",").replace("−", "-")
        scale = Decimal(1)
        if percent and text.endswith("%"):
            text, scale = text[:-1].strip(), Decimal("0.01")
        text = _SPACED.sub(",", text).lower()
        if not text or not _NUMBER.fullmatch(text) or not re.search(r"\d", text):
            raise CellError(_l("'%(value)s' is not a number.", value=_shown(value)))
        try:
            number = Decimal(text.replace(",", "")) * scale
        except InvalidOperation:
            raise CellError(_l("'%(value)s' is not a number.", value=_shown(value))) from None
    if not number.is_finite():
        raise CellError(_l("'%(value)s' is not a number.", value=_shown(value)))
    if abs(number) >= LARGEST_NUMBER:
        raise CellError(_l("%(value)s is too large.", value=_shown(value)))
    if number.as_tuple().exponent > 0:
        number = number.quantize(Decimal(1))  # 1.5E+3 as 1500
    return number + 0  # -0 as 0


_MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_MONTH_COMPACT = re.compile(r"(\d{4})(\d{2})")
# What English-locale Excel writes for a month it turned into a date: "Jun-22", "Jun 2022", "June-2022".
_MONTH_NAMED = re.compile(r"([a-z]{3})[a-z]*\.?[\s\-/]*(\d{2}|\d{4})")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse_month(value) -> date:
    """The first day of the month a cell names: "2026-10", "2026/10", "2026年10月", "202610" or a date cell."""
    if isinstance(value, datetime):
        return date(value.year, value.month, 1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = ""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, str):
        text = _text(value)
    match = _MONTH_TEXT.fullmatch(text) or _MONTH_COMPACT.fullmatch(text)
    named = _MONTH_NAMED.fullmatch(text.lower())
    year = month = 0
    if match:
        year, month = int(match.group(1)), int(match.group(2))
    elif named and named.group(1) in _MONTH_NAMES:
        year, month = int(named.group(2)), _MONTH_NAMES.index(named.group(1)) + 1
        year += 2000 if year < 100 else 0
    if 2000 <= year <= 2100 and 1 <= month <= 12:
        return date(year, month, 1)
    raise CellError(_l("'%(value)s' is not a month: write it as 2026-10, 2026/10 or 2026年10月.",
                       value=_shown(value)))


def month_range(first: date, last: date) -> list[date]:
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _month_text(month: date) -> str:
    return month.strftime("%Y-%m")


# --------------------------------------------------------------------------------------- sources, products

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
    if source.category in FUEL_CATEGORIES:
        return FUEL_PARAMETERS
    if source.category in ("purchased_heat", "exported_heat"):
        return {"steam": ("enthalpy_kj_per_kg",), "hot_water": ("temperature_c",)}.get(source.material, ())
    if source.category == "purchased_electricity":
        return ("green_mwh",)
    return ()


# ---------------------------------------------------------------------------------------------- results

@dataclass(frozen=True)
class ActivityRow:
    sheet: str
    row: int
    month: date
    source_id: int
    quantity: Decimal
    unit: str                                    # canonical code of the unit as typed
    measured: dict = field(default_factory=dict)  # parameter -> Decimal
    green_mwh: Decimal | None = None

    def as_line(self) -> dict:
        """The line as app.filings.services.set_activity takes it."""
        return {"source_id": self.source_id, "quantity": self.quantity, "unit": self.unit,
                "measured": dict(self.measured), "green_mwh": self.green_mwh}


@dataclass(frozen=True)
class ProductionRow:
    sheet: str
    row: int
    month: date
    product_id: int
    quantity: Decimal
    unit: str

    def as_line(self) -> dict:
        return {"product_id": self.product_id, "quantity": self.quantity, "unit": self.unit}


@dataclass
class ParsedFile:
    rows: list[ActivityRow] = field(default_factory=list)
    production: list[ProductionRow] = field(default_factory=list)
    output_values: dict[date, Decimal] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    kind: str | None = None            # "xlsx" or "csv"
    encoding: str | None = None        # of a CSV file
    empty_months: list[date] = field(default_factory=list)  # named in the file, with no figure: left alone

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def months(self) -> list[date]:
        """The months that have at least one figure; each replaces that month's draft."""
        return sorted({r.month for r in self.rows} | {p.month for p in self.production} | set(self.output_values))


# ------------------------------------------------------------------------------------------------- sniffing

def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{max(n, 1) // 1024 or 1} KB"


def sniff(data: bytes) -> tuple[str | None, Problem | None]:
    """("xlsx" or "csv", None), or (None, the reason the file is refused), from the bytes alone."""
    if not data:
        return None, Problem(_l("The file is empty."))
    if data.startswith(OLE2_MAGIC):
        return None, Problem(_l("This is an old-format Excel file (.xls) or a password-protected workbook. "
                                "Open it in Excel or WPS, remove any password and save it as an Excel "
                                "workbook (.xlsx), then upload that."))
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None, Problem(_l("The workbook is damaged and cannot be opened. Save it again as .xlsx."))
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            return None, Problem(_l("This file is not a spreadsheet (it is a zip archive, or a Word or "
                                    "PowerPoint file). Upload the .xlsx template or a CSV file."))
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            return None, Problem(_l("The workbook unpacks to more than %(size)s and is refused.",
                                    size=_size(MAX_UNPACKED_BYTES)))
        return "xlsx", None
    for magic, name in _OTHER_MAGIC:
        if data.startswith(magic):
            return None, Problem(_l("This file is not a spreadsheet (it looks like %(kind)s). "
                                    "Upload the .xlsx template or a CSV file.", kind=name))
    if b"\x00" in data:
        return None, Problem(_l("This file is not a spreadsheet. Upload the .xlsx template or a CSV file."))
    return "csv", None


def _decode(data: bytes) -> tuple[str | None, str | None]:
    """The text of a CSV file: UTF-8 (with or without BOM), else GB18030 (Chinese Excel saves CSV in GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters other than tab and line ends mean binary data that happened to decode.
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
            return None, None
        return text, encoding
    return None, None


# ------------------------------------------------------------------------------------------------ grids

@dataclass
class Grid:
    """One sheet as values: cells[row - 1][col - 1], rows and columns numbered as Excel shows them."""

    name: str
    cells: list[list]
    is_xlsx: bool
    formulas: list[tuple[str, str]] = field(default_factory=list)  # (cell, formula)

    def value(self, row: int, col: int):
        line = self.cells[row - 1]
        return line[col - 1] if col - 1 < len(line) else None


def _cell_name(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _xlsx_grids(data: bytes) -> tuple[list[Grid], list[Problem]]:
    from openpyxl import load_workbook
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Data Validation extension is not supported" and the like
            book = load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception as e:  # noqa: BLE001  (openpyxl raises many kinds on a damaged or unusual file)
        return [], [Problem(_l("The workbook cannot be read (%(error)s). Open it in Excel or WPS and save it "
                               "again as .xlsx.", error=type(e).__name__))]
    grids, problems = [], []
    for sheet in book.worksheets:
        if _norm(sheet.title) in {_norm(n) for n in _INSTRUCTION_NAMES} or _norm(sheet.title).startswith("说明"):
            continue
        if sheet.max_row > MAX_ROWS:
            problems.append(Problem(_l("The sheet has %(n)d rows; at most %(max)d are read.", n=sheet.max_row,
                                       max=MAX_ROWS), sheet=sheet.title))
            continue
        cells, formulas = [], []
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                value = cell.value
                if (cell.data_type == "f" or isinstance(value, (ArrayFormula, DataTableFormula))
                        or (isinstance(value, str) and value.startswith("="))):
                    text = value.text if isinstance(value, ArrayFormula) else str(value)
                    formulas.append((cell.coordinate, text if text.startswith("=") else "=" + text))
                    value = None
                values.append(value)
            cells.append(values)
        # A vertically merged cell (a month or facility over several rows) belongs to every row it covers;
        # a horizontally merged one (a title, a group header) only to its first column.
        for merged in sheet.merged_cells.ranges:
            top = cells[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(cells) else None
            for r in range(merged.min_row + 1, min(merged.max_row, len(cells)) + 1):
                line = cells[r - 1]
                if merged.min_col - 1 < len(line) and line[merged.min_col - 1] is None:
                    line[merged.min_col - 1] = top
        grids.append(Grid(sheet.title, cells, True, formulas))
    return grids, problems


def _csv_grid(text: str) -> Grid:
    """The CSV as one grid, with the delimiter that gives a header row (comma, tab or semicolon)."""
    grids = []
    for delimiter in (",", "\t", ";"):
        rows, formulas = [], []
        for r, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            values = []
            for c, cell in enumerate(record, start=1):
                if cell.strip().startswith("="):
                    formulas.append((_cell_name(r, c), cell.strip()))
                    cell = ""
                values.append(cell if cell.strip() else None)
            rows.append(values)
        grid = Grid("CSV", rows, False, formulas)
        if any(_header(section, grid, r) for r in range(1, len(rows) + 1) for section in SECTIONS):
            return grid
        grids.append(grid)
    return grids[0]


# ------------------------------------------------------------------------------------------------ tables

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


def _header(section: Section, grid: Grid, row: int) -> tuple[dict[str, int], list[str]] | None:
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


def _tables(grid: Grid, problems: list[Problem]) -> list[Table]:
    tables: list[Table] = []
    current: Table | None = None
    for row in range(1, len(grid.cells) + 1):
        found = None
        for section in SECTIONS:
            header = _header(section, grid, row)
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
        if any(not _blank(v) for v in grid.cells[row - 1]):
            current.rows.append(row)
    return tables


# ------------------------------------------------------------------------------------------------ parsing

@dataclass
class _Context:
    sources: Mapping[int, SourceRef]
    products: Mapping[int, ProductRef]
    today: date
    problems: list[Problem]
    seen_months: set = field(default_factory=set)

    def problem(self, table: Table, row: int, key: str | None, message, month: date | None = None):
        column = table.section.column(key).label if key else None
        cell = _cell_name(row, table.columns[key]) if key and table.grid.is_xlsx and key in table.columns else None
        self.problems.append(Problem(message, sheet=table.sheet, row=row, column=column, cell=cell,
                                     month=_month_text(month) if month else None))


def _get(table: Table, row: int, key: str):
    col = table.columns.get(key)
    return None if col is None else table.grid.value(row, col)


def _read_month(ctx: _Context, table: Table, row: int) -> date | None:
    value = _get(table, row, "month")
    if _blank(value):
        ctx.problem(table, row, "month", _l("the month is missing."))
        return None
    try:
        month = parse_month(value)
    except CellError as e:
        ctx.problem(table, row, "month", e.message)
        return None
    if month > ctx.today.replace(day=1):
        ctx.problem(table, row, "month", _l("%(month)s is in the future.", month=_month_text(month)))
        return None
    return month


def _read_number(ctx: _Context, table: Table, row: int, key: str, percent: bool = False,
                 positive: bool = False) -> Decimal | None:
    value = _get(table, row, key)
    try:
        number = parse_number(value, percent=percent)
    except CellError as e:
        ctx.problem(table, row, key, e.message)
        return None
    if number < 0:
        ctx.problem(table, row, key, _l("%(value)s is negative: figures cannot be negative.", value=_shown(value)))
        return None
    if positive and number == 0:
        ctx.problem(table, row, key, _l("a measured value must be more than zero (leave the cell empty to use "
                                        "the default)."))
        return None
    return number


def _named(refs: Iterable, name) -> list:
    """The sources or products called `name`, in Chinese, English or both as the template writes them."""
    wanted = _norm(name)
    return [ref for ref in refs
            if wanted in {_norm(ref.name), _norm(getattr(ref, "name_en", None) or ref.name),
                          _norm(f"{ref.name} {getattr(ref, 'name_en', None) or ''}")}]


def _read_id(value) -> int | None:
    """An ID cell: 12, 12.0 or "12"; None when it is not a whole number."""
    try:
        number = parse_number(value)
    except CellError:
        return None
    return int(number) if number == number.to_integral_value() and number > 0 else None


def _source(ctx: _Context, table: Table, row: int) -> SourceRef | None:
    raw_id = _get(table, row, "source_id")
    if not _blank(raw_id):
        source_id = _read_id(raw_id)
        source = ctx.sources.get(source_id) if source_id is not None else None
        if source is None:
            # Another enterprise's source is unknown here too: the message never says it exists.
            ctx.problem(table, row, "source_id", _l("there is no emission source with ID %(id)s in your register.",
                                                    id=_shown(raw_id)))
        return source
    name, facility = _get(table, row, "source_name"), _get(table, row, "facility")
    if _blank(name):
        ctx.problem(table, row, "source_id", _l("the source ID (or the facility and source name) is missing."))
        return None
    found = _named(ctx.sources.values(), name)
    if not _blank(facility):
        found = [s for s in found if _norm(facility) in {_norm(s.facility), _norm(s.facility_en or s.facility)}]
    if len(found) == 1:
        return found[0]
    if not found:
        if _blank(facility):
            message = _l("there is no emission source named '%(name)s' in your register.", name=_shown(name))
        else:
            message = _l("there is no emission source named '%(name)s' at facility '%(facility)s' in your "
                         "register.", name=_shown(name), facility=_shown(facility))
    else:
        message = _l("several emission sources are named '%(name)s': give the source ID.", name=_shown(name))
    ctx.problem(table, row, "source_name", message)
    return None


_DIMENSION_EXAMPLES = {"mass": "t, kg", "volume": "m3, L", "normal_volume": "10^4 Nm3, Nm3",
                       "energy": "MWh, kWh, GJ"}


def _unit(ctx: _Context, table: Table, row: int, source: SourceRef) -> str | None:
    typed = _get(table, row, "unit")
    if _blank(typed):
        return source.unit
    try:
        code = units.canonical_unit(_text(typed))
    except units.UnitError:
        ctx.problem(table, row, "unit", _l("unknown unit '%(unit)s'; use one of: %(units)s.", unit=_shown(typed),
                                           units=", ".join(units.UNITS)))
        return None
    accepted = source.accepted_dimensions()
    electricity = source.category in ("purchased_electricity", "exported_electricity")
    if units.dimension(code) not in accepted or (electricity and code == "tce"):
        examples = "; ".join(_DIMENSION_EXAMPLES[d] for d in accepted if d in _DIMENSION_EXAMPLES)
        if electricity:
            examples = "MWh, kWh"
        ctx.problem(table, row, "unit", _l("'%(unit)s' does not fit %(source)s (entered in %(source_unit)s): use "
                                           "%(examples)s.", unit=_shown(typed), source=source.name,
                                           source_unit=source.unit, examples=examples))
        return None
    return code


_TOTALS = {"合计", "总计", "小计", "total", "subtotal", "sum"}


def _is_total(table: Table, row: int) -> bool:
    """A row a person added to sum the column up (合计, Total): not a source-month."""
    keys = ("month", "facility", "source_id", "source_name", "product_id", "product_name")
    return any(isinstance(v, str) and _norm(v) in _TOTALS for v in (_get(table, row, k) for k in keys))


def _activity_row(ctx: _Context, table: Table, row: int) -> ActivityRow | None:
    if _is_total(table, row):
        return None
    quantity_cell = _get(table, row, "quantity")
    others = [key for key in VALUE_KEYS if not _blank(_get(table, row, key))]
    if _blank(quantity_cell):
        if others:
            ctx.problem(table, row, "quantity", _l("the quantity is empty but %(columns)s is filled in.",
                                                   columns=", ".join(table.section.column(k).label for k in others)))
        else:
            _seen(ctx, table, row)
        return None  # a row left empty: nothing to report for this source and month
    before = len(ctx.problems)
    month = _read_month(ctx, table, row)
    source = _source(ctx, table, row)
    quantity = _read_number(ctx, table, row, "quantity")
    unit = _unit(ctx, table, row, source) if source else None
    measured, green = {}, None
    applicable = measured_columns(source) if source else VALUE_KEYS
    for key in others:
        if key not in applicable:
            kind = source.category_label or source.category
            ctx.problem(table, row, key, _l("%(column)s does not apply to %(source)s (%(category)s); leave it empty.",
                                            column=table.section.column(key).label, source=source.name,
                                            category=kind))
            continue
        number = _read_number(ctx, table, row, key, percent=key == "oxidation_rate",
                              positive=key in FUEL_PARAMETERS or key == "enthalpy_kj_per_kg")
        if number is None:
            continue
        if key == "oxidation_rate" and number > 1:
            ctx.problem(table, row, key, _l("the oxidation rate is a fraction of at most 1: write 0.98, not 98."))
            continue
        if key == "green_mwh":
            green = number
        else:
            measured[key] = number
    if len(ctx.problems) > before or None in (month, source, quantity, unit):
        return None
    return ActivityRow(table.sheet, row, month, source.id, quantity, unit, measured, green)


def _product(ctx: _Context, table: Table, row: int) -> ProductRef | None:
    raw_id = _get(table, row, "product_id")
    if not _blank(raw_id):
        product_id = _read_id(raw_id)
        product = ctx.products.get(product_id) if product_id is not None else None
        if product is None:
            ctx.problem(table, row, "product_id", _l("there is no product with ID %(id)s in your register.",
                                                     id=_shown(raw_id)))
        return product
    name = _get(table, row, "product_name")
    if _blank(name):
        ctx.problem(table, row, "product_id", _l("the product ID (or the product name) is missing."))
        return None
    found = _named(ctx.products.values(), name)
    if len(found) == 1:
        return found[0]
    message = (_l("there is no product named '%(name)s' in your register.", name=_shown(name)) if not found else
               _l("several products are named '%(name)s': give the product ID.", name=_shown(name)))
    ctx.problem(table, row, "product_name", message)
    return None


def _same_unit(typed: str, unit: str) -> bool:
    if _norm(typed) == _norm(unit):
        return True
    try:
        return units.canonical_unit(_text(typed)) == units.canonical_unit(unit)
    except units.UnitError:
        return False


def _production_row(ctx: _Context, table: Table, row: int) -> ProductionRow | None:
    if _is_total(table, row):
        return None
    if _blank(_get(table, row, "quantity")):
        _seen(ctx, table, row)
        return None
    before = len(ctx.problems)
    month = _read_month(ctx, table, row)
    product = _product(ctx, table, row)
    quantity = _read_number(ctx, table, row, "quantity")
    typed = _get(table, row, "unit")
    if product and not _blank(typed) and not _same_unit(typed, product.unit):
        # Intensities divide by the product's own unit: a different one would mix units silently.
        ctx.problem(table, row, "unit", _l("%(product)s is counted in %(unit)s: enter its quantity in %(unit)s.",
                                           product=product.name, unit=product.unit))
    if len(ctx.problems) > before or None in (month, product, quantity):
        return None
    return ProductionRow(table.sheet, row, month, product.id, quantity, product.unit)


def _seen(ctx: _Context, table: Table, row: int) -> None:
    """Note the month of a row without figures (a month of the template left empty)."""
    value = _get(table, row, "month")
    if not _blank(value):
        try:
            ctx.seen_months.add(parse_month(value))
        except CellError:
            pass


def _output_row(ctx: _Context, table: Table, row: int) -> tuple[date, Decimal, int] | None:
    if _is_total(table, row):
        return None
    if _blank(_get(table, row, "output_value")):
        _seen(ctx, table, row)
        return None
    before = len(ctx.problems)
    month = _read_month(ctx, table, row)
    value = _read_number(ctx, table, row, "output_value")
    if len(ctx.problems) > before or month is None or value is None:
        return None
    return month, value, row


def parse_workbook(data: bytes, *, sources: Mapping[int, SourceRef], products: Mapping[int, ProductRef],
                   today: date, max_bytes: int | None = None, max_months: int = MAX_MONTHS) -> ParsedFile:
    """Read an uploaded .xlsx or .csv file against the enterprise's sources and products.

    Pure: `sources` and `products` are the enterprise's own, by id (an id not among them is unknown,
    whoever it belongs to), and `today` decides which months are in the future. Every problem found
    is listed; rows are returned only as far as they could be read, so callers save nothing unless
    `ParsedFile.ok`.
    """
    parsed = ParsedFile()
    if max_bytes is not None and len(data) > max_bytes:
        parsed.problems.append(Problem(_l("The file is %(size)s; files up to %(limit)s are accepted.",
                                          size=_size(len(data)), limit=_size(max_bytes))))
        return parsed
    kind, refusal = sniff(data)
    if refusal:
        parsed.problems.append(refusal)
        return parsed
    parsed.kind = kind
    if kind == "xlsx":
        grids, problems = _xlsx_grids(data)
        parsed.problems += problems
    else:
        text, parsed.encoding = _decode(data)
        if text is None:
            parsed.problems.append(Problem(_l("This file is neither a workbook nor a CSV text file in UTF-8 or "
                                              "GB18030/GBK. Upload the .xlsx template or a CSV file.")))
            return parsed
        grids = [_csv_grid(text)]
    if parsed.problems:
        return parsed

    ctx = _Context(sources, products, today, parsed.problems)
    tables = []
    for grid in grids:
        found = _tables(grid, parsed.problems)
        if found:
            for cell, formula in grid.formulas:
                parsed.problems.append(Problem(
                    _l("cell %(cell)s holds a formula (%(formula)s): formulas are not accepted, paste values.",
                       cell=cell, formula=_shown(formula)), sheet=grid.name if grid.is_xlsx else "CSV"))
        tables += found
    for section in SECTIONS:
        if not any(t.section is section for t in tables):
            headers = ", ".join(section.column(k).label for k in ("month", section.identifying[0], section.value))
            parsed.problems.append(Problem(_l("The sheet %(sheet)s is missing: no sheet has its header row "
                                              "(%(headers)s). Start from the template and keep all its sheets, "
                                              "even one left empty.", sheet=section.label, headers=headers)))

    first_row: dict = {}
    for table in tables:
        for row in table.rows:
            if table.section is ACTIVITY:
                line = _activity_row(ctx, table, row)
                key, what = ((line.source_id, line.month), ctx.sources[line.source_id].name) if line else (None, None)
            elif table.section is PRODUCTION:
                line = _production_row(ctx, table, row)
                key, what = ((("product", line.product_id), line.month), ctx.products[line.product_id].name) \
                    if line else (None, None)
            else:
                found = _output_row(ctx, table, row)
                line, key, what = found, (("output",), found[0]) if found else None, table.section.label
            if line is None:
                continue
            if key in first_row:
                earlier_sheet, earlier_row = first_row[key]
                where = (_l("row %(row)d", row=earlier_row) if earlier_sheet == table.sheet else
                         _l("%(sheet)s sheet, row %(row)d", sheet=earlier_sheet, row=earlier_row))
                ctx.problem(table, row, None, _l("%(what)s appears twice for %(month)s (also on %(where)s).",
                                                 what=what, month=_month_text(key[1]), where=where))
                continue
            first_row[key] = (table.sheet, row)
            if table.section is ACTIVITY:
                parsed.rows.append(line)
            elif table.section is PRODUCTION:
                parsed.production.append(line)
            else:
                parsed.output_values[line[0]] = line[1]

    months = parsed.months
    if len(months) > max_months:
        parsed.problems.append(Problem(_l("The file has figures for %(n)d months (%(first)s to %(last)s); at most "
                                          "%(max)d months can be imported at once.", n=len(months),
                                          first=_month_text(months[0]), last=_month_text(months[-1]), max=max_months)))
    if not months and not parsed.problems:
        parsed.problems.append(Problem(_l("The file has no figures: fill in the quantity column for the sources "
                                          "and months you report.")))
    parsed.empty_months = sorted(ctx.seen_months - set(months))
    return parsed


# --------------------------------------------------------------------------------------------- templates

def _activity_rows(months: list[date], sources: list[SourceRef]) -> list[tuple[list, SourceRef]]:
    rows = []
    for month in months:
        for s in sources:
            rows.append(([_month_text(month), s.facility, s.id, s.name, s.category_label or s.category,
                          s.material_label or s.material, s.unit, None, None, None, None, None, None, None], s))
    return rows


def _production_rows(months: list[date], products: list[ProductRef]) -> list[list]:
    return [[_month_text(m), p.id, p.name if not p.name_en or p.name_en == p.name else f"{p.name} {p.name_en}",
             p.unit, None] for m in months for p in products]


def instructions(months: list[date], max_bytes: int = 5 * 1024 * 1024) -> list[tuple[str, str]]:
    """The instructions sheet, as (Chinese, English) paragraphs; they document the CSV layout too."""
    span = f"{_month_text(months[0])} – {_month_text(months[-1])}" if months else ""
    size = _size(max_bytes)
    return [
        ("填报说明", "Instructions"),
        (f"本模板包含 {span} 每个月、每个在用排放源的一行。只需填写“数量”列；不需要填报的行可留空，留空的行会被跳过。",
         (f"The template has one row per active emission source for each month {span}. Fill in the Quantity "
          "column; rows left empty are skipped.")),
        ("“排放源编号”列（灰色）用于识别排放源，请勿修改。若编号为空，则按“设施”和“排放源名称”匹配。",
         ("The Source ID column (grey) identifies the source: do not change it. Without an ID, the source is "
          "matched by facility and source name.")),
        ("单位可按习惯填写，如“万Nm3”“万 Nm³”“吨”“t”“千瓦时”；平台会换算，但必须与排放源的计量方式相符。",
         ("Units may be written as you are used to (万Nm3, 万 Nm³, 吨, t, 千瓦时); Tanji converts them, but they "
          "must suit the source.")),
        (("实测参数（低位发热量、单位热值含碳量、碳氧化率、蒸汽焓值、热水温度）只在有检测报告时填写，灰色单元格不适用。"
          "碳氧化率写成小数，如 0.98。绿电 MWh 仅用于外购电力。"),
         ("Measured parameters (NCV, carbon content, oxidation rate, steam enthalpy, hot-water temperature) only "
          "when you have a lab or meter report; grey cells do not apply. Write the oxidation rate as a fraction "
          "(0.98). Green electricity MWh applies only to purchased electricity.")),
        ("“产品产量”表填写各产品当月产量，单位须与产品登记的单位一致；“工业总产值”表填写当月工业总产值（万元）。",
         ("The Production sheet takes each product's monthly output, in the product's registered unit; the "
          "Output value sheet takes the month's industrial output value in 10^4 CNY.")),
        (("月份可写作 2026-10、2026/10、2026年10月，或使用日期单元格。数字可带千位分隔符（12,345.6）。"
          f"请勿使用公式：请“选择性粘贴—数值”。不能填报未来月份，一次最多 {MAX_MONTHS} 个月。"),
         ("Months may be written 2026-10, 2026/10, 2026年10月 or be date cells. Numbers may have thousands "
          f"separators (12,345.6). No formulas: paste values. No future months; at most {MAX_MONTHS} months "
          "per file.")),
        (("上传后，文件中有数据的每个月都会整体替换该月的草稿（活动数据、产量和产值）；没有任何数据的月份保持不变。"
          "已提交或已审核的月份不能导入。只要有一处错误，整个文件都不会保存，页面会列出所有问题。"),
         ("On upload, every month with figures in the file replaces that month's draft as a whole (activity, "
          "production and output value); months without any figure are left as they are. Submitted or approved "
          "months cannot be imported. If anything is wrong, nothing is saved and every problem is listed.")),
        (("CSV 格式：一个文件中依次包含三张表（活动数据、产品产量、工业总产值），每张表以其表头行开始，表之间空一行。"
          "可使用 UTF-8 或 GBK 编码（Excel 默认的“CSV（逗号分隔）”即可）。"),
         ("CSV: one file holds the three tables one after another (activity data, production, output value), "
          "each starting with its header row, a blank line between them; UTF-8 or GBK (Excel's plain "
          "\"CSV (comma delimited)\" is fine).")),
        (f"文件大小不超过 {size}；旧版 .xls 文件请另存为 .xlsx。",
         f"Files up to {size}; save old .xls files as .xlsx."),
    ]


def build_xlsx(months: list[date], sources: list[SourceRef], products: list[ProductRef], title: str = "",
               max_bytes: int = 5 * 1024 * 1024) -> bytes:
    """The template workbook: activity, production and output-value sheets, then the instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    grey = PatternFill("solid", fgColor="E7E6E6")
    header_fill = PatternFill("solid", fgColor="D9EAD3")
    grey_font = Font(color="595959")
    bold = Font(bold=True)
    thin = Side(style="thin", color="BFBFBF")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    locked_keys = {"month", "facility", "source_id", "source_name", "category", "material", "product_id",
                   "product_name"}
    span = f"{_month_text(months[0])} – {_month_text(months[-1])}" if months else ""

    book = Workbook()

    def sheet_for(section: Section, rows: list[list], first: bool = False):
        sheet = book.active if first else book.create_sheet()
        sheet.title = section.label
        columns = section.columns
        sheet.append([f"{title} · {section.label} · {span}".strip(" ·")])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([c.label for c in columns])
        for col, column in enumerate(columns, start=1):
            cell = sheet.cell(row=2, column=col)
            cell.font, cell.fill, cell.border = bold, header_fill, boxed
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            sheet.column_dimensions[get_column_letter(col)].width = column.width
        sheet.row_dimensions[2].height = 32
        for values in rows:
            sheet.append(values)
        for col, column in enumerate(columns, start=1):
            if column.key in locked_keys:
                for r in range(3, len(rows) + 3):
                    cell = sheet.cell(row=r, column=col)
                    cell.fill, cell.font = grey, grey_font
            if column.key in ("quantity", "output_value", *VALUE_KEYS) and rows:
                letter = get_column_letter(col)
                check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                                       allow_blank=True, showErrorMessage=True,
                                       errorTitle="数字 Number", error="请填写不小于 0 的数字 Enter a number of 0 or more")
                check.add(f"{letter}3:{letter}{len(rows) + 2}")
                sheet.add_data_validation(check)
        sheet.freeze_panes = "A3"
        return sheet

    activity = _activity_rows(months, sources)
    sheet = sheet_for(ACTIVITY, [values for values, _ in activity], first=True)
    keys = [c.key for c in ACTIVITY_COLUMNS]
    for r, (_, source) in enumerate(activity, start=3):
        applicable = measured_columns(source)
        for key in VALUE_KEYS:
            if key not in applicable:
                sheet.cell(row=r, column=keys.index(key) + 1).fill = grey
    sheet_for(PRODUCTION, _production_rows(months, products))
    sheet_for(OUTPUT, [[_month_text(m), None] for m in months])

    notes = book.create_sheet(INSTRUCTIONS_TITLE)
    notes.column_dimensions["A"].width = 70
    notes.column_dimensions["B"].width = 90
    for r, (zh, en) in enumerate(instructions(months, max_bytes), start=1):
        notes.cell(row=r, column=1, value=zh).alignment = Alignment(wrap_text=True, vertical="top")
        notes.cell(row=r, column=2, value=en).alignment = Alignment(wrap_text=True, vertical="top")
    notes["A1"].font = notes["B1"].font = Font(bold=True, size=12)
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_csv(months: list[date], sources: list[SourceRef], products: list[ProductRef]) -> bytes:
    """The same tables as one CSV: UTF-8 with a BOM (so Excel reads the Chinese), blank lines between tables."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    tables = ((ACTIVITY, [values for values, _ in _activity_rows(months, sources)]),
              (PRODUCTION, _production_rows(months, products)),
              (OUTPUT, [[_month_text(m), None] for m in months]))
    for index, (section, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([c.label for c in section.columns])
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
