"""Reading an uploaded file: refusing what is not a spreadsheet (by its bytes, before any parser sees it),
decoding CSV text, and turning each sheet into a grid of values with its formulas set aside."""
from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.filings.imports.layout import INSTRUCTION_NAMES, SECTIONS, header_columns, norm
from app.filings.imports.problems import Problem
from app.filings.imports.values import shown

MAX_ROWS = 50_000                       # per sheet; 24 months of 2,000 sources
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a zip bomb stops here, before openpyxl sees it

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and also a password-protected .xlsx
ZIP_MAGIC = b"PK\x03\x04"

# Files that are clearly something else, named in the message (people upload the wrong attachment).
_OTHER_MAGIC = ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"), (b"%PDF", "PDF"),
                (b"Rar!", "RAR"), (b"7z\xbc\xaf", "7z"), (b"\x1f\x8b", "gzip"))


def size_text(n: int) -> str:
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
                                    size=size_text(MAX_UNPACKED_BYTES)))
        return "xlsx", None
    for magic, name in _OTHER_MAGIC:
        if data.startswith(magic):
            return None, Problem(_l("This file is not a spreadsheet (it looks like %(kind)s). "
                                    "Upload the .xlsx template or a CSV file.", kind=name))
    if b"\x00" in data:
        return None, Problem(_l("This file is not a spreadsheet. Upload the .xlsx template or a CSV file."))
    return "csv", None


def decode_csv(data: bytes) -> tuple[str | None, str | None]:
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


def cell_name(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def xlsx_grids(data: bytes) -> tuple[list[Grid], list[Problem]]:
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
        if norm(sheet.title) in {norm(n) for n in INSTRUCTION_NAMES} or norm(sheet.title).startswith("说明"):
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


def csv_grid(text: str) -> Grid:
    """The CSV as one grid, with the delimiter that gives a header row (comma, tab or semicolon)."""
    grids = []
    for delimiter in (",", "\t", ";"):
        rows, formulas = [], []
        for r, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            values = []
            for c, cell in enumerate(record, start=1):
                if cell.strip().startswith("="):
                    formulas.append((cell_name(r, c), cell.strip()))
                    cell = ""
                values.append(cell if cell.strip() else None)
            rows.append(values)
        grid = Grid("CSV", rows, False, formulas)
        if any(header_columns(section, grid, r) for r in range(1, len(rows) + 1) for section in SECTIONS):
            return grid
        grids.append(grid)
    return grids[0]


def workbook_grids(data: bytes, max_bytes: int) -> tuple[list[Grid], list[Problem]]:
    """The sheets of an uploaded Excel workbook, or why it cannot be read (the regulator's imports take .xlsx only):
    too large, not a spreadsheet at all, a CSV or old .xls, or a workbook openpyxl refuses."""
    if len(data) > max_bytes:
        return [], [Problem(_l("The file is %(size)s; files up to %(limit)s are accepted.",
                               size=size_text(len(data)), limit=size_text(max_bytes)))]
    kind, refusal = sniff(data)
    if refusal:
        return [], [refusal]
    if kind != "xlsx":
        return [], [Problem(_l("This file is not an Excel workbook. Download the template, fill it in "
                               "and upload it as .xlsx."))]
    return xlsx_grids(data)


def formula_problem(grid: Grid, coordinate: str, formula: str, label_of) -> Problem:
    """A cell holding a formula, named by its column's label (`label_of(column number)`; None: the letter)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letter, row = coordinate_from_string(coordinate)
    label = label_of(column_index_from_string(letter))
    return Problem(_l("cell %(cell)s holds a formula (%(formula)s): formulas are not accepted, paste values.",
                      cell=coordinate, formula=shown(formula)),
                   sheet=grid.name, row=row, column=label or letter, cell=coordinate)
