"""The city's yearly statistics as a spreadsheet: the template the regulator fills in, and its import.

The parser is pure (bytes in, rows and `Problem`s out) and reuses the monthly import's helpers in
app.filings.imports: file sniffing and size checks, formula detection, numbers typed as text with
thousands separators or full-width digits, and header matching by text (Chinese or English). The import
is all or nothing: one problem anywhere and nothing is saved; every problem names sheet, row and column.
Each row is saved with app.city_data.services.upsert_statistic, which validates again and audits the change.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from app.city_data import services
from app.core.service_error import ServiceError
from app.filings.imports.layout import header_key
from app.filings.imports.layout import norm as _norm
from app.filings.imports.problems import CellError, Problem
from app.filings.imports.reading import Grid, formula_problem, workbook_grids
from app.filings.imports.values import blank as _blank
from app.filings.imports.values import parse_number
from app.filings.imports.values import shown as _shown

MAX_BYTES = 2 * 1024 * 1024
SHEET_TITLE = "城市统计 City statistics"
INSTRUCTIONS_TITLE = "说明 Instructions"


@dataclass(frozen=True)
class Column:
    key: str
    label: str                     # the header as the template writes it
    aliases: tuple[str, ...]       # other spellings, matched after normalisation
    width: float = 16


COLUMNS = (
    Column("year", "年份 Year", ("年份", "年度", "year"), 9),
    Column("quarter", "季度 Quarter (0 = whole year)", ("季度", "quarter"), 14),
    Column("gdp_10k_cny", "GDP (10⁴ CNY)", ("gdp", "地区生产总值", "生产总值")),
    Column("population", "人口 Population", ("人口", "常住人口", "population")),
    Column("energy_tce", "能源消费 Energy (tce)", ("能源消费", "能源消费总量", "energy")),
    Column("non_fossil_share_percent", "非化石能源占比 Non-fossil share (%)",
           ("非化石能源占比", "非化石能源比重", "nonfossilshare", "nonfossil"), 18),
    Column("transport_tco2", "交通 Transport (tCO2)", ("交通", "transport")),
    Column("buildings_tco2", "建筑 Buildings (tCO2)", ("建筑", "buildings")),
    Column("other_tco2", "其他 Other (tCO2)", ("其他", "other")),
    Column("net_imported_electricity_mwh", "净调入电力 Net imported electricity (MWh)",
           ("净调入电力", "净调入电量", "netimportedelectricity"), 20),
    Column("source", "数据来源 Source", ("数据来源", "来源", "source"), 40),
)
_BY_KEY = {c.key: c for c in COLUMNS}
FIGURES = tuple(c.key for c in COLUMNS if c.key not in ("year", "quarter", "source"))
_ALIASES = {c.key: sorted({_norm(n) for n in (c.label, *c.aliases)}, key=len, reverse=True) for c in COLUMNS}
HEADER_SEARCH_ROWS = 20


def _header_key(value) -> str | None:
    return header_key(value, _ALIASES)


@dataclass
class ParsedStatistics:
    rows: list[dict] = field(default_factory=list)   # values as upsert_statistic takes them, plus "_row"
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def years(self) -> list[int]:
        return sorted({r["year"] for r in self.rows})


def _header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """(row, key -> column) of the first header row of a sheet: it names the year, the source and a figure."""
    for row in range(1, min(len(grid.cells), HEADER_SEARCH_ROWS) + 1):
        columns = {}
        for col, value in enumerate(grid.cells[row - 1], start=1):
            key = _header_key(value)
            if key and key not in columns:
                columns[key] = col
        if "year" in columns and "source" in columns and any(k in columns for k in FIGURES):
            return row, columns
    return None


def _whole(value, problem) -> int | None:
    try:
        number = parse_number(value)
    except CellError as e:
        problem(e.message)
        return None
    if number != number.to_integral_value():
        problem(_l("'%(value)s' is not a whole number.", value=_shown(value)))
        return None
    return int(number)


def _read_row(grid: Grid, row: int, columns: dict[str, int], problems: list[Problem]) -> dict | None:
    def get(key):
        col = columns.get(key)
        return None if col is None else grid.value(row, col)

    before = len(problems)

    def problem_at(key):
        def add(message):
            problems.append(Problem(message, sheet=grid.name, row=row, column=_BY_KEY[key].label,
                                    cell=_cell(row, columns[key]) if key in columns else None))
        return add

    if all(_blank(get(k)) for k in (*FIGURES, "source")):
        return None  # a year of the template left empty
    values: dict = {"_row": row}

    if _blank(get("year")):
        problem_at("year")(_l("the year is missing."))
    else:
        year = _whole(get("year"), problem_at("year"))
        if year is not None and not services.MIN_YEAR <= year <= services.MAX_YEAR:
            problem_at("year")(_l("Enter a year between 1990 and 2100."))
        values["year"] = year

    quarter = 0 if _blank(get("quarter")) else _whole(get("quarter"), problem_at("quarter"))
    if quarter is not None and not 0 <= quarter <= 4:
        problem_at("quarter")(_l("Choose the whole year or a quarter 1 to 4."))
    values["quarter"] = quarter

    for key in FIGURES:
        value = get(key)
        if _blank(value):
            values[key] = None
            continue
        add = problem_at(key)
        if key == "population":
            number = _whole(value, add)
        else:
            if key == "non_fossil_share_percent" and isinstance(value, str) and value.strip().endswith(("%", "％")):
                value = value.strip()[:-1]
            try:
                number = parse_number(value)
            except CellError as e:
                add(e.message)
                continue
        if number is None:
            continue
        if number < 0 and key not in services.SIGNED:
            add(_l("%(value)s is negative: figures cannot be negative.", value=_shown(value)))
        elif key == "non_fossil_share_percent" and number > 100:
            add(_l("%(value)s is more than 100: enter the share in percent (35 for 35 percent).",
                   value=_shown(value)))
        values[key] = number

    source = get("source")
    source = "" if _blank(source) else str(source).strip()
    if not source:
        problem_at("source")(_l("Cite the source of these figures (publication, table, date)."))
    elif len(source) > 500:
        problem_at("source")(_l("Keep the citation under 500 characters."))
    values["source"] = source

    if len(problems) > before:
        return None
    try:  # the service's own checks, so the import accepts exactly what the form accepts
        services.checked_statistic(values)
    except ServiceError as e:
        key = e.field if e.field in _BY_KEY else None
        problems.append(Problem(e.message, sheet=grid.name, row=row, column=_BY_KEY[key].label if key else None))
        return None
    return values


def _cell(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _formula_problem(grid: Grid, coordinate: str, formula: str, columns: dict[str, int]) -> Problem:
    labels = {col: _BY_KEY[key].label for key, col in columns.items()}
    return formula_problem(grid, coordinate, formula, labels.get)


def parse_statistics(blob: bytes, max_bytes: int = MAX_BYTES) -> ParsedStatistics:
    """Read an uploaded workbook of city statistics; rows only count when `ParsedStatistics.ok`."""
    parsed = ParsedStatistics()
    grids, problems = workbook_grids(blob, max_bytes)
    parsed.problems += problems
    if problems:
        return parsed

    found = False
    first_row: dict[tuple[int, int], tuple[str, int]] = {}
    for grid in grids:
        header = _header(grid)
        if header is None:
            continue
        found = True
        header_row, columns = header
        for coordinate, formula in grid.formulas:
            parsed.problems.append(_formula_problem(grid, coordinate, formula, columns))
        for row in range(header_row + 1, len(grid.cells) + 1):
            if all(_blank(v) for v in grid.cells[row - 1]):
                continue
            values = _read_row(grid, row, columns, parsed.problems)
            if values is None:
                continue
            key = (values["year"], values["quarter"])
            if key in first_row:
                sheet, earlier = first_row[key]
                parsed.problems.append(Problem(
                    _l("%(year)s (quarter %(quarter)s) appears twice (also on %(sheet)s sheet, row %(row)d).",
                       year=key[0], quarter=key[1], sheet=sheet, row=earlier),
                    sheet=grid.name, row=row, column=_BY_KEY["year"].label))
                continue
            first_row[key] = (grid.name, row)
            parsed.rows.append(values)
    if not found:
        headers = ", ".join(_BY_KEY[k].label for k in ("year", "gdp_10k_cny", "source"))
        parsed.problems.append(Problem(_l("No sheet has the header row of the template (%(headers)s). Start from "
                                          "the template.", headers=headers)))
    elif not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem(_l("The file has no figures: fill in at least one year and its source.")))
    return parsed


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    saved: list = field(default_factory=list)     # CityStatistic rows

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.saved})


def import_statistics(actor, blob: bytes, *, now=None, max_bytes: int = MAX_BYTES) -> ImportResult:
    """Save every row of the file, or none: rows are flushed as they go, so a result that is not ok must be rolled
    back by the caller (the view's edge does)."""
    parsed = parse_statistics(blob, max_bytes)
    result = ImportResult(problems=list(parsed.problems))
    if not parsed.ok:
        return result
    for values in parsed.rows:
        try:
            result.saved.append(services.upsert_statistic(actor, {k: v for k, v in values.items() if k != "_row"},
                                                      now=now))
        except ServiceError as e:
            result.problems.append(Problem(e.message, sheet=SHEET_TITLE, row=values["_row"]))
            result.saved = []
            return result
    return result


INSTRUCTIONS = (
    ("填写说明", "Instructions"),
    ("每行填写一个年份（季度填 0）或一个季度（1–4）的数据；没有任何数据的行会被跳过。",
     "One row per year (quarter 0) or per quarter (1–4); rows without any figure are skipped."),
    ("每行必须填写数据来源（出版物、表号、日期）。导入已有数据的年份会替换原数据，审计记录保留旧值。",
     ("Every row needs its source (publication, table, date). Importing a year that has figures replaces them; "
     "the audit trail keeps the old values.")),
    ("数字可带千位分隔符（12,345.6）；非化石能源占比填百分数，如 35 表示 35 百分比；净调入电力为负数表示外送。",
     ("Numbers may have thousands separators (12,345.6). Write the non-fossil share in percent (35 for 35 "
     "percent). Net imported electricity is negative if the city exports power.")),
    ("请勿使用公式：请“选择性粘贴—数值”。只要有一处错误，整个文件都不会保存，页面会列出所有问题。",
     "No formulas: paste values. If anything is wrong, nothing is saved and every problem is listed."),
)


def build_template(years: list[int]) -> bytes:
    """The template workbook: a title, the bilingual header row, one row per year (quarter 0), instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(["城市统计数据 City statistics"])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([c.label for c in COLUMNS])
    for col, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=col)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="D9EAD3")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = column.width
    sheet.row_dimensions[2].height = 32
    for year in years:
        sheet.append([year, 0])
    sheet.freeze_panes = "A3"
    notes = book.create_sheet(INSTRUCTIONS_TITLE)
    notes.column_dimensions["A"].width = 70
    notes.column_dimensions["B"].width = 90
    for r, (zh, en) in enumerate(INSTRUCTIONS, start=1):
        notes.cell(row=r, column=1, value=zh).alignment = Alignment(wrap_text=True, vertical="top")
        notes.cell(row=r, column=2, value=en).alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_years(this_year: int, count: int = 5) -> list[int]:
    """The last `count` complete years, oldest first."""
    return list(range(this_year - count, this_year))


__all__ = ["COLUMNS", "MAX_BYTES", "ImportResult", "ParsedStatistics", "build_template", "import_statistics",
           "parse_statistics", "template_years"]
