"""A year's allowance allocation from a spreadsheet: the template the regulator fills in, and its import.

One sheet, one row per enterprise: the enterprise (unified social credit code or name), the compliance year,
the tonnes allocated and, optionally, a reference of its own (else the notice typed on the page). The parser
is pure (bytes in, rows and `Problem`s out) and reuses the monthly import's helpers (file sniffing, formulas,
numbers typed as text; "6070,3" is refused, never guessed). The import is all or nothing: one problem anywhere
and nothing is saved; every problem names its row. Each row is recorded with services.record_entry, exactly
as the one-by-one form records it (the same checks, an `asset.recorded` audit event each), by the regulator.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.assets import services
from app.assets.models import AssetEntry
from app.core.cells import neutral_row
from app.core.service_error import ServiceError
from app.core.types import city_date, utcnow
from app.extensions import db
from app.filings.imports.layout import header_key, norm
from app.filings.imports.problems import CellError, Problem
from app.filings.imports.reading import Grid, cell_name, formula_problem, workbook_grids
from app.filings.imports.values import blank, cell_text, parse_number, shown
from app.organisations.models import ENTERPRISE, Organisation
from app.tenancy import acting_on

MAX_BYTES = 2 * 1024 * 1024
SHEET_TITLE = "配额分配 Allocation"
INSTRUCTIONS_TITLE = "说明 Instructions"
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class Column:
    key: str
    label: str                     # the header as the template writes it
    aliases: tuple[str, ...]       # other spellings, matched after normalisation
    width: float = 16


COLUMNS = (
    Column("credit_code", "统一社会信用代码 Credit code", ("统一社会信用代码", "社会信用代码", "信用代码", "creditcode",
                                                        "uscc"), 24),
    Column("name", "企业名称 Enterprise", ("企业名称", "单位名称", "企业", "名称", "enterprise", "name"), 40),
    Column("year", "履约年度 Compliance year", ("履约年度", "配额年度", "年度", "年份", "complianceyear", "year"), 12),
    Column("quantity", "分配配额 Allocation (t)", ("分配配额", "配额分配量", "分配量", "配额量", "配额", "allocation",
                                               "allowances", "quantity", "tonnes"), 18),
    Column("reason", "文号或备注 Reference", ("文号或备注", "文号", "备注", "reference", "notice"), 40),
)
_BY_KEY = {c.key: c for c in COLUMNS}
_ALIASES = {c.key: sorted({norm(n) for n in (c.label, *c.aliases)}, key=len, reverse=True) for c in COLUMNS}


def _header_key(value) -> str | None:
    return header_key(value, _ALIASES)


def _header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    """(row, key -> column) of the first row that names the enterprise, the year and the tonnes."""
    for row in range(1, min(len(grid.cells), HEADER_SEARCH_ROWS) + 1):
        columns: dict[str, int] = {}
        for col, value in enumerate(grid.cells[row - 1], start=1):
            key = _header_key(value)
            if key and key not in columns:
                columns[key] = col
        if "year" in columns and "quantity" in columns and ("credit_code" in columns or "name" in columns):
            return row, columns
    return None


@dataclass
class AllocationRow:
    row: int
    org: Organisation
    compliance_year: int
    quantity: Decimal
    reason: str


@dataclass
class ParsedAllocation:
    rows: list[AllocationRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Enterprises:
    """Every enterprise by credit code and by name (Chinese or English), loaded once per file."""

    def __init__(self):
        self.by_code: dict[str, Organisation] = {}
        self.by_name: dict[str, list[Organisation]] = {}
        for org in db.session.scalars(select(Organisation).where(Organisation.kind == ENTERPRISE)
                                      .order_by(Organisation.id)):
            if org.credit_code:
                self.by_code[_code(org.credit_code)] = org
            for name in {norm(org.name), norm(org.name_en or "")} - {""}:
                self.by_name.setdefault(name, []).append(org)

    def find(self, code, name, problem, named_by: str) -> Organisation | None:
        """The enterprise a row names; `problem(key, message)` says what is wrong, `named_by` is the column
        a missing name is reported in."""
        if not blank(code):
            org = self.by_code.get(_code(code))
            if org is None:
                problem("credit_code", _l("No enterprise has the credit code %(code)s.", code=shown(code)))
                return None
            if not blank(name) and norm(cell_text(name)) not in {norm(org.name), norm(org.name_en or "")}:
                problem("name", _l("The credit code %(code)s is that of %(org)s, not of %(name)s.",
                                   code=shown(code), org=org.name, name=shown(name)))
                return None
            return org
        if blank(name):
            problem(named_by, _l("Name the enterprise: its credit code or its name."))
            return None
        found = self.by_name.get(norm(cell_text(name)), [])
        if not found:
            problem("name", _l("No enterprise is named %(name)s; check the name or give the credit code.",
                               name=shown(name)))
            return None
        if len(found) > 1:
            problem("name", _l("Several enterprises are named %(name)s: give the credit code.", name=shown(name)))
            return None
        return found[0]


def _code(value) -> str:
    return cell_text(value).upper().replace(" ", "")


def _year(value, add) -> int | None:
    try:
        number = parse_number(value)
    except CellError as e:
        add(e.message)
        return None
    if number != number.to_integral_value():
        add(_l("'%(value)s' is not a whole number.", value=shown(value)))
        return None
    return int(number)


def parse_allocation(blob: bytes, reason: str, trade_date: date, today: date,
                     max_bytes: int = MAX_BYTES) -> ParsedAllocation:
    """Read an uploaded allocation workbook; `reason` (the notice) is used where a row gives no reference of its
    own. Nothing is written: rows count only when `ParsedAllocation.ok`."""
    parsed = ParsedAllocation()
    grids, problems = workbook_grids(blob, max_bytes)
    parsed.problems += problems
    if problems:
        return parsed
    found = [(grid, header) for grid in grids if (header := _header(grid)) is not None]
    if not found:
        headers = ", ".join(_BY_KEY[k].label for k in ("credit_code", "name", "year", "quantity"))
        parsed.problems.append(Problem(_l("No sheet has the header row of the template (%(headers)s). Start from "
                                          "the template.", headers=headers)))
        return parsed
    for grid, _header_row in found[1:]:
        parsed.problems.append(Problem(_l("Only one sheet of allocations is read: move these rows to the %(first)s "
                                          "sheet.", first=found[0][0].name), sheet=grid.name))
    grid, (header_row, columns) = found[0]
    enterprises = _Enterprises()
    for coordinate, formula in grid.formulas:
        parsed.problems.append(_formula_problem(grid, coordinate, formula, columns))
    first_row: dict[tuple[int, int], int] = {}
    for row in range(header_row + 1, len(grid.cells) + 1):
        values = _read_row(grid, row, columns, enterprises, reason, trade_date, today, parsed.problems)
        if values is None:
            continue
        key = (values.org.id, values.compliance_year)
        if key in first_row:
            parsed.problems.append(Problem(
                _l("%(org)s appears twice for %(year)d (also in row %(row)d).", org=values.org.name,
                   year=values.compliance_year, row=first_row[key]),
                sheet=grid.name, row=row, column=_BY_KEY["quantity"].label))
            continue
        first_row[key] = row
        parsed.rows.append(values)
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem(_l("The file has no allocations: fill in the tonnes of at least one "
                                          "enterprise.")))
    if parsed.problems:
        return parsed
    _already_recorded(parsed, grid.name)
    return parsed


def _read_row(grid: Grid, row: int, columns: dict[str, int], enterprises: _Enterprises, reason: str,
              trade_date: date, today: date, problems: list[Problem]) -> AllocationRow | None:
    def get(key):
        col = columns.get(key)
        return None if col is None else grid.value(row, col)

    def problem(key, message):
        col = columns.get(key)
        problems.append(Problem(message, sheet=grid.name, row=row, column=_BY_KEY[key].label,
                                cell=cell_name(row, col) if col else None))

    if blank(get("quantity")) and blank(get("reason")):
        return None  # an enterprise of the template that is allocated nothing this time, or an empty row
    before = len(problems)
    org = enterprises.find(get("credit_code"), get("name"), problem,
                           "credit_code" if "credit_code" in columns else "name")
    year = None
    if blank(get("year")):
        problem("year", _l("the compliance year is missing."))
    else:
        year = _year(get("year"), lambda message: problem("year", message))
    quantity = None
    if blank(get("quantity")):
        problem("quantity", _l("the tonnes allocated are missing."))
    else:
        try:
            quantity = parse_number(get("quantity"))
        except CellError as e:
            problem("quantity", e.message)
    own = get("reason")
    text = reason if blank(own) else cell_text(own)
    if len(problems) > before:
        return None
    data = {"compliance_year": year, "quantity": quantity, "trade_date": trade_date, "reason": text}
    try:  # the service's own checks, so the import accepts exactly what the form accepts
        services.checked_fields("allocation", data, today)
    except ServiceError as e:
        key = {"compliance_year": "year", "quantity": "quantity", "reason": "reason"}.get(e.field)
        if key:
            problem(key, e.message)
        else:
            problems.append(Problem(e.message, sheet=grid.name, row=row))
        return None
    return AllocationRow(row, org, year, quantity, text)


def _formula_problem(grid: Grid, coordinate: str, formula: str, columns: dict[str, int]) -> Problem:
    labels = {col: _BY_KEY[key].label for key, col in columns.items()}
    return formula_problem(grid, coordinate, formula, labels.get)


def _already_recorded(parsed: ParsedAllocation, sheet: str) -> None:
    """The same file twice: a row whose enterprise already holds an allocation of that year under the same
    reference, not reversed, is refused (a supplementary allocation needs a reference of its own)."""
    org_ids = {r.org.id for r in parsed.rows}
    existing = db.session.scalars(select(AssetEntry).where(AssetEntry.kind == "allocation",
                                                           AssetEntry.org_id.in_(org_ids))).all()
    reversed_ids = set(db.session.scalars(select(AssetEntry.reverses_id).where(
        AssetEntry.reverses_id.in_([e.id for e in existing])))) if existing else set()
    recorded = {(e.org_id, e.compliance_year, e.reason): e for e in existing if e.id not in reversed_ids}
    for r in parsed.rows:
        entry = recorded.get((r.org.id, r.compliance_year, r.reason))
        if entry is not None:
            parsed.problems.append(Problem(
                _l("%(org)s already has an allocation for %(year)d under this reference (entry %(id)d, "
                   "%(date)s): the file was imported before. Give a new reference for a supplementary allocation.",
                   org=r.org.name, year=r.compliance_year, id=entry.id, date=entry.trade_date.isoformat()),
                sheet=sheet, row=r.row, column=_BY_KEY["reason"].label))


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    entries: list[AssetEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_t(self) -> Decimal:
        return sum((e.quantity_t for e in self.entries), Decimal(0))

    @property
    def years(self) -> list[int]:
        return sorted({e.compliance_year for e in self.entries})


def import_allocation(actor, blob: bytes, reason: str, trade_date, *, filename: str = "", now=None,
                      max_bytes: int = MAX_BYTES) -> ImportResult:
    """Record every row of the file as an allocation by `actor`, or none: entries are flushed as they go, so a
    result that is not ok must be rolled back by the caller (the view does, before drawing the page)."""
    now = now or utcnow()
    today = city_date(now)
    reason = (reason or "").strip()
    result = ImportResult()
    if not services.may_allocate(actor):
        raise ServiceError(_l("Allowances are allocated by the regulator: an enterprise cannot record an "
                              "allocation."))
    # The page's own fields first: a wrong date or a missing notice concerns every row (a ServiceError for it).
    services.checked_fields("allocation", {"compliance_year": today.year, "quantity": 1, "trade_date": trade_date,
                                           "reason": reason}, today)
    parsed = parse_allocation(blob, reason, trade_date, today, max_bytes)
    result.problems = list(parsed.problems)
    if not parsed.ok:
        return result
    origin = {"import": filename or "xlsx"}
    for r in parsed.rows:
        try:
            with acting_on(r.org.id):
                result.entries.append(services.record_entry(
                    actor, r.org, "allocation", {"compliance_year": r.compliance_year, "quantity": r.quantity,
                                                 "trade_date": trade_date, "reason": r.reason},
                    now=now, origin=origin))
        except ServiceError as e:
            result.problems.append(Problem(e.message, sheet=SHEET_TITLE, row=r.row))
            result.entries = []
            return result
    return result


INSTRUCTIONS = (
    ("填写说明", "Instructions"),
    ("每行填写一家企业某一履约年度的分配配额（吨）：用统一社会信用代码或企业名称指明企业，两者都填时必须一致。",
     ("One row per enterprise and compliance year, with the allowances allocated (tonnes). Name the enterprise by "
      "its unified social credit code or by its name; if both are given they must agree.")),
    ("未填写配额的行会被跳过。同一企业同一年度只能出现一次。“文号或备注”可留空，留空时使用页面上填写的分配通知文号。",
     ("Rows without tonnes are skipped. An enterprise appears once per year. The reference may be left empty: the "
      "notice typed on the page is used.")),
    ("数字可带千位分隔符（12,345.5），最多六位小数；小数点必须是“.”，“6070,3”这样的写法会被拒绝。",
     ("Numbers may have thousands separators (12,345.5) and at most six decimal places; the decimal point is '.', "
      "so '6070,3' is refused.")),
    ("请勿使用公式：请“选择性粘贴—数值”。只要有一处错误，整个文件都不会保存，页面会按行号列出所有问题。",
     "No formulas: paste values. If anything is wrong, nothing is saved and every problem is listed by row."),
    ("每条分配都记入企业的碳资产台账和审计记录；记错的分配由主管部门冲销。",
     ("Each allocation is recorded in the enterprise's ledger and in the audit trail; a wrong allocation is "
      "reversed by the regulator.")),
)


def build_template(year: int, enterprises: list[Organisation]) -> bytes:
    """The template workbook: a title, the bilingual header row, one row per enterprise with the year filled in
    and the tonnes left empty, and the instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append([f"{year}年度配额分配 Allowance allocation {year}"])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([c.label for c in COLUMNS])
    for col, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=col)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="D9EAD3")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = column.width
    sheet.row_dimensions[2].height = 32
    for org in enterprises:
        sheet.append(neutral_row([org.credit_code or "", org.name, year, None, None]))
    for row in sheet.iter_rows(min_row=3, min_col=1, max_col=1):
        row[0].number_format = "@"  # a credit code is text, never a number
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
