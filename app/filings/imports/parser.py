"""The parser for what comes back: an uploaded .xlsx or .csv file read against the enterprise's sources
and products into plain rows and a list of `Problem`s (sheet, row, column, reason).

No Flask app, no database: the sources and products come in as plain `SourceRef` and `ProductRef`
values. The import service (app.filings.imports.services) decides what to save.

Files come from Excel and WPS in many shapes, so the parser is lenient about layout and strict about
values: it finds each header row by its texts (Chinese or English), fills vertically merged cells down,
skips blank rows, reads numbers typed as text, with thousands separators or full-width digits, and
months written several ways; but a formula, a negative quantity, an unknown unit or source, a
duplicate line or a month in the future is a problem, and one problem anywhere stops the whole file.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.accounting import units
from app.accounting.engine import FUEL_PARAMETERS
from app.filings.imports.layout import (
    ACTIVITY,
    COMPOSITION_PREFIX,
    MAX_MONTHS,
    METHOD_KEYS,
    PRODUCTION,
    SECTIONS,
    VALUE_KEYS,
    ProductRef,
    SourceRef,
    Table,
    find_tables,
    measured_columns,
    norm,
)
from app.filings.imports.problems import CellError, Problem
from app.filings.imports.reading import (
    cell_name,
    csv_grid,
    decode_csv,
    size_text,
    sniff,
    xlsx_grids,
)
from app.filings.imports.values import (
    blank,
    cell_text,
    month_text,
    parse_month,
    parse_number,
    shown,
)


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
    parameters: dict = field(default_factory=dict)  # a sector method's inputs by their API names

    def as_line(self) -> dict:
        """The line as app.filings.services.set_activity takes it."""
        line = {"source_id": self.source_id, "quantity": self.quantity, "unit": self.unit,
                "measured": dict(self.measured), "green_mwh": self.green_mwh}
        if self.parameters:
            line["parameters"] = {k: dict(v) if isinstance(v, dict) else v for k, v in self.parameters.items()}
        return line


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


@dataclass
class _Context:
    sources: Mapping[int, SourceRef]
    products: Mapping[int, ProductRef]
    today: date
    problems: list[Problem]
    seen_months: set = field(default_factory=set)

    def problem(self, table: Table, row: int, key: str | None, message, month: date | None = None):
        column = table.section.column(key).label if key else None
        cell = cell_name(row, table.columns[key]) if key and table.grid.is_xlsx and key in table.columns else None
        self.problems.append(Problem(message, sheet=table.sheet, row=row, column=column, cell=cell,
                                     month=month_text(month) if month else None))


def _get(table: Table, row: int, key: str):
    col = table.columns.get(key)
    return None if col is None else table.grid.value(row, col)


def _read_month(ctx: _Context, table: Table, row: int) -> date | None:
    value = _get(table, row, "month")
    if blank(value):
        ctx.problem(table, row, "month", _l("the month is missing."))
        return None
    try:
        month = parse_month(value)
    except CellError as e:
        ctx.problem(table, row, "month", e.message)
        return None
    if month > ctx.today.replace(day=1):
        ctx.problem(table, row, "month", _l("%(month)s is in the future.", month=month_text(month)))
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
        ctx.problem(table, row, key, _l("%(value)s is negative: figures cannot be negative.", value=shown(value)))
        return None
    if positive and number == 0:
        ctx.problem(table, row, key, _l("a measured value must be more than zero (leave the cell empty to use "
                                        "the default)."))
        return None
    return number


def _named(refs: Iterable, name) -> list:
    """The sources or products called `name`, in Chinese, English or both as the template writes them."""
    wanted = norm(name)
    return [ref for ref in refs
            if wanted in {norm(ref.name), norm(getattr(ref, "name_en", None) or ref.name),
                          norm(f"{ref.name} {getattr(ref, 'name_en', None) or ''}")}]


def _read_id(value) -> int | None:
    """An ID cell: 12, 12.0 or "12"; None when it is not a whole number."""
    try:
        number = parse_number(value)
    except CellError:
        return None
    return int(number) if number == number.to_integral_value() and number > 0 else None


def _source(ctx: _Context, table: Table, row: int) -> SourceRef | None:
    raw_id = _get(table, row, "source_id")
    if not blank(raw_id):
        source_id = _read_id(raw_id)
        source = ctx.sources.get(source_id) if source_id is not None else None
        if source is None:
            # Another enterprise's source is unknown here too: the message never says it exists.
            ctx.problem(table, row, "source_id", _l("there is no emission source with ID %(id)s in your register.",
                                                    id=shown(raw_id)))
        return source
    name, facility = _get(table, row, "source_name"), _get(table, row, "facility")
    if blank(name):
        ctx.problem(table, row, "source_id", _l("the source ID (or the facility and source name) is missing."))
        return None
    found = _named(ctx.sources.values(), name)
    if not blank(facility):
        found = [s for s in found if norm(facility) in {norm(s.facility), norm(s.facility_en or s.facility)}]
    if len(found) == 1:
        return found[0]
    if not found:
        if blank(facility):
            message = _l("there is no emission source named '%(name)s' in your register.", name=shown(name))
        else:
            message = _l("there is no emission source named '%(name)s' at facility '%(facility)s' in your "
                         "register.", name=shown(name), facility=shown(facility))
    else:
        message = _l("several emission sources are named '%(name)s': give the source ID.", name=shown(name))
    ctx.problem(table, row, "source_name", message)
    return None


_DIMENSION_EXAMPLES = {"mass": "t, kg", "volume": "m3, L", "normal_volume": "10^4 Nm3, Nm3",
                       "energy": "MWh, kWh, GJ"}


def _unit(ctx: _Context, table: Table, row: int, source: SourceRef) -> str | None:
    typed = _get(table, row, "unit")
    if blank(typed):
        return source.unit
    try:
        code = units.canonical_unit(cell_text(typed))
    except units.UnitError:
        ctx.problem(table, row, "unit", _l("unknown unit '%(unit)s'; use one of: %(units)s.", unit=shown(typed),
                                           units=", ".join(units.UNITS)))
        return None
    accepted = source.accepted_dimensions()
    electricity = source.category in ("purchased_electricity", "exported_electricity")
    if units.dimension(code) not in accepted or (electricity and code == "tce"):
        examples = "; ".join(_DIMENSION_EXAMPLES[d] for d in accepted if d in _DIMENSION_EXAMPLES)
        if electricity:
            examples = "MWh, kWh"
        ctx.problem(table, row, "unit", _l("'%(unit)s' does not fit %(source)s (entered in %(source_unit)s): use "
                                           "%(examples)s.", unit=shown(typed), source=source.name,
                                           source_unit=source.unit, examples=examples))
        return None
    return code


_TOTALS = {"合计", "总计", "小计", "total", "subtotal", "sum"}


def _is_total(table: Table, row: int) -> bool:
    """A row a person added to sum the column up (合计, Total): not a source-month."""
    keys = ("month", "facility", "source_id", "source_name", "product_id", "product_name")
    return any(isinstance(v, str) and norm(v) in _TOTALS for v in (_get(table, row, k) for k in keys))


def _activity_row(ctx: _Context, table: Table, row: int) -> ActivityRow | None:
    if _is_total(table, row):
        return None
    quantity_cell = _get(table, row, "quantity")
    others = [key for key in VALUE_KEYS if not blank(_get(table, row, key))]
    if blank(quantity_cell):
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
    measured, green, parameters = {}, None, {}
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
        elif key.startswith(COMPOSITION_PREFIX):
            parameters.setdefault("composition", {})[key.removeprefix(COMPOSITION_PREFIX)] = str(number)
        elif key in METHOD_KEYS:
            parameters[key] = str(number)
        else:
            measured[key] = number
    if len(ctx.problems) > before or None in (month, source, quantity, unit):
        return None
    return ActivityRow(table.sheet, row, month, source.id, quantity, unit, measured, green, parameters)


def _product(ctx: _Context, table: Table, row: int) -> ProductRef | None:
    raw_id = _get(table, row, "product_id")
    if not blank(raw_id):
        product_id = _read_id(raw_id)
        product = ctx.products.get(product_id) if product_id is not None else None
        if product is None:
            ctx.problem(table, row, "product_id", _l("there is no product with ID %(id)s in your register.",
                                                     id=shown(raw_id)))
        return product
    name = _get(table, row, "product_name")
    if blank(name):
        ctx.problem(table, row, "product_id", _l("the product ID (or the product name) is missing."))
        return None
    found = _named(ctx.products.values(), name)
    if len(found) == 1:
        return found[0]
    message = (_l("there is no product named '%(name)s' in your register.", name=shown(name)) if not found else
               _l("several products are named '%(name)s': give the product ID.", name=shown(name)))
    ctx.problem(table, row, "product_name", message)
    return None


def _same_unit(typed: str, unit: str) -> bool:
    if norm(typed) == norm(unit):
        return True
    try:
        return units.canonical_unit(cell_text(typed)) == units.canonical_unit(unit)
    except units.UnitError:
        return False


def _production_row(ctx: _Context, table: Table, row: int) -> ProductionRow | None:
    if _is_total(table, row):
        return None
    if blank(_get(table, row, "quantity")):
        _seen(ctx, table, row)
        return None
    before = len(ctx.problems)
    month = _read_month(ctx, table, row)
    product = _product(ctx, table, row)
    quantity = _read_number(ctx, table, row, "quantity")
    typed = _get(table, row, "unit")
    if product and not blank(typed) and not _same_unit(typed, product.unit):
        # Intensities divide by the product's own unit: a different one would mix units silently.
        ctx.problem(table, row, "unit", _l("%(product)s is counted in %(unit)s: enter its quantity in %(unit)s.",
                                           product=product.name, unit=product.unit))
    if len(ctx.problems) > before or None in (month, product, quantity):
        return None
    return ProductionRow(table.sheet, row, month, product.id, quantity, product.unit)


def _seen(ctx: _Context, table: Table, row: int) -> None:
    """Note the month of a row without figures (a month of the template left empty)."""
    value = _get(table, row, "month")
    if not blank(value):
        try:
            ctx.seen_months.add(parse_month(value))
        except CellError:
            pass


def _output_row(ctx: _Context, table: Table, row: int) -> tuple[date, Decimal, int] | None:
    if _is_total(table, row):
        return None
    if blank(_get(table, row, "output_value")):
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
                                          size=size_text(len(data)), limit=size_text(max_bytes))))
        return parsed
    kind, refusal = sniff(data)
    if refusal:
        parsed.problems.append(refusal)
        return parsed
    parsed.kind = kind
    if kind == "xlsx":
        grids, problems = xlsx_grids(data)
        parsed.problems += problems
    else:
        text, parsed.encoding = decode_csv(data)
        if text is None:
            parsed.problems.append(Problem(_l("This file is neither a workbook nor a CSV text file in UTF-8 or "
                                              "GB18030/GBK. Upload the .xlsx template or a CSV file.")))
            return parsed
        grids = [csv_grid(text)]
    if parsed.problems:
        return parsed

    ctx = _Context(sources, products, today, parsed.problems)
    tables = []
    for grid in grids:
        found = find_tables(grid, parsed.problems)
        if found:
            for cell, formula in grid.formulas:
                parsed.problems.append(Problem(
                    _l("cell %(cell)s holds a formula (%(formula)s): formulas are not accepted, paste values.",
                       cell=cell, formula=shown(formula)), sheet=grid.name if grid.is_xlsx else "CSV"))
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
                                                 what=what, month=month_text(key[1]), where=where))
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
                                          first=month_text(months[0]), last=month_text(months[-1]), max=max_months)))
    if not months and not parsed.problems:
        parsed.problems.append(Problem(_l("The file has no figures: fill in the quantity column for the sources "
                                          "and months you report.")))
    parsed.empty_months = sorted(ctx.seen_months - set(months))
    return parsed
