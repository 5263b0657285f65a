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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.accounting import units
from app.accounting.engine import FUEL_PARAMETERS
from app.core.service_error import ServiceError
from app.filings import method_kinds
from app.filings.imports.layout import (
    ACTIVITY,
    CARBON,
    CHOICE_KEYS,
    CHOICE_NAMES,
    COMPOSITION_PREFIX,
    COUNT_KEYS,
    DAILY,
    DAY_NAMES,
    DAYS,
    DIRECTIONS,
    EQUIPMENT_PREFIX,
    FLAG_KEYS,
    ITEM_KEYS,
    MAX_MONTHS,
    METHOD_KEYS,
    NO,
    PRODUCTION,
    REQUIRED,
    VALUE_KEYS,
    YES,
    ProductRef,
    SourceRef,
    Table,
    find_tables,
    measured_columns,
    norm,
    takes,
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
    # where a refusal of a material or the daily coal goes: field name ("inputs_0_quantity") -> (sheet, row, column)
    places: dict = field(default_factory=dict)

    def as_line(self) -> dict:
        """The line as app.filings.services.set_activity takes it."""
        line = {"source_id": self.source_id, "quantity": self.quantity, "unit": self.unit,
                "measured": dict(self.measured), "green_mwh": self.green_mwh}
        if self.parameters:
            line["parameters"] = {k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
                                  for k, v in self.parameters.items()}
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
    filed: set = field(default_factory=set)  # (source id, month) of every activity row with a quantity

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
    if source.unit == DAYS:
        if norm(typed) in {norm(n) for n in DAY_NAMES}:
            return DAYS
        ctx.problem(table, row, "unit", _l("%(source)s is counted in days in operation: write d or 天.",
                                           source=source.name))
        return None
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
    if month and source:
        ctx.filed.add((source.id, month))
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
        if key in CHOICE_KEYS or key in FLAG_KEYS or key in COUNT_KEYS:
            _read_kind(ctx, table, row, key, parameters)
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


def _read_kind(ctx: _Context, table: Table, row: int, key: str, parameters: dict) -> None:
    """A choice (its code, or its name in Chinese or English), a flag (是/否, yes/no) or an equipment count."""
    value = _get(table, row, key)
    if key in CHOICE_KEYS:
        names = CHOICE_NAMES[key]
        wanted = norm(value)
        code = next((c for c, (zh, en) in names.items() if wanted in {norm(c), norm(zh), norm(en), norm(zh + en)}),
                    None)
        if code is None:
            ctx.problem(table, row, key, _l("'%(value)s' is not on the list: write one of %(names)s.",
                                            value=shown(value), names="、".join(zh for zh, _en in names.values())))
        else:
            parameters[key] = code
    elif key in FLAG_KEYS:
        flag = _flag(value)
        if flag is None:
            ctx.problem(table, row, key, _l("'%(value)s' is not yes or no: write %(yes)s or %(no)s.",
                                            value=shown(value), yes=YES, no=NO))
        elif flag:
            parameters[key] = True
    else:
        number = _read_number(ctx, table, row, key)
        if number is None:
            return
        if number != number.to_integral_value():
            ctx.problem(table, row, key, _l("%(value)s is not a whole number: count the equipment in operation.",
                                            value=shown(value)))
            return
        parameters.setdefault("equipment", {})[key.removeprefix(EQUIPMENT_PREFIX)] = int(number)


_YES = {norm(t) for t in (YES, "y", "yes", "true", "1", "√", "✓", "对")}
_NO = {norm(t) for t in (NO, "n", "no", "false", "0", "×", "不")}


def _flag(value) -> bool | None:
    if isinstance(value, bool):
        return value
    text = norm(value)
    return True if text in _YES else False if text in _NO else None


@dataclass(frozen=True)
class _Extra:
    """A material (carbon sheet) or a day (daily sheet), for the activity row of its source and month."""

    table: Table
    row: int
    source: SourceRef
    month: date
    parameter: str   # "inputs", "outputs" or "ncv_daily"
    value: object    # a cleaned material, or a [coal, NCV] pair


def _extra_source(ctx: _Context, table: Table, row: int, kind: str) -> tuple[date | None, SourceRef | None]:
    month = _read_month(ctx, table, row)
    source = _source(ctx, table, row)
    if source is not None and not takes(source, kind):
        message = (_l("%(source)s is not computed by a carbon balance: its materials do not go on this sheet.",
                      source=source.name) if kind == "items" else
                   _l("%(source)s is not a coal-fired generating unit: its daily coal does not go on this sheet.",
                      source=source.name))
        ctx.problem(table, row, "source_id" if "source_id" in table.columns else "source_name", message)
        return month, None
    return month, source


def _carbon_row(ctx: _Context, table: Table, row: int) -> _Extra | None:
    """A material in or out of a carbon balance; a row with no figure (the template's spare rows) is skipped."""
    if _is_total(table, row) or all(blank(_get(table, row, k)) for k in ("item", "quantity", "carbon_pct",
                                                                          "carbon_content")):
        return None
    before = len(ctx.problems)
    month, source = _extra_source(ctx, table, row, "items")
    typed = _get(table, row, "direction")
    direction = next((d for d, (zh, en) in DIRECTIONS.items()
                      if norm(typed) in {norm(d), norm(zh), norm(en), norm(d.removesuffix("s"))}), None)
    if direction is None:
        ctx.problem(table, row, "direction", _l("say whether the material goes in or out: write %(into)s or "
                                                "%(out)s.", into=DIRECTIONS["inputs"][0],
                                                out=DIRECTIONS["outputs"][0]))
    numbers = {}
    for key in ("quantity", "carbon_pct", "carbon_content"):
        if not blank(_get(table, row, key)):
            numbers[key] = _read_number(ctx, table, row, key)
    if len(ctx.problems) > before or None in (month, source, direction):
        return None
    name = _get(table, row, "item")
    item = {"name": None if blank(name) else cell_text(name), "unit": _get(table, row, "unit"),
            **{k: str(v) for k, v in numbers.items()}}
    try:
        cleaned = method_kinds.clean_item(item, source.name, lambda column: column, output=direction == "outputs")
    except ServiceError as e:
        ctx.problem(table, row, ITEM_KEYS[e.field], e.message)
        return None
    return _Extra(table, row, source, month, direction, cleaned)


def _daily_row(ctx: _Context, table: Table, row: int) -> _Extra | None:
    """A day's coal fired and its NCV; a day with neither (the template has a row for every day) is skipped."""
    if _is_total(table, row) or (blank(_get(table, row, "coal")) and blank(_get(table, row, "ncv"))):
        return None
    before = len(ctx.problems)
    month, source = _extra_source(ctx, table, row, "pairs")
    if month is not None and not blank(_get(table, row, "day")) and _day_of(_get(table, row, "day"), month) is None:
        ctx.problem(table, row, "day", _l("'%(value)s' is not a day of %(month)s.",
                                          value=shown(_get(table, row, "day")), month=month_text(month)))
    pair = []
    for key in ("coal", "ncv"):
        if blank(_get(table, row, key)):
            ctx.problem(table, row, key, _l("give the day's coal fired (t) and its NCV (GJ/t)."))
        else:
            pair.append(_read_number(ctx, table, row, key, positive=key == "ncv"))
    if len(ctx.problems) > before or None in (month, source) or None in pair:
        return None
    return _Extra(table, row, source, month, "ncv_daily", [str(pair[0]), str(pair[1])])


_DAY = re.compile(r"(?:(\d{4})\s*[-/.年]\s*)?(?:(\d{1,2})\s*[-/.月]\s*)?(\d{1,2})\s*日?")


def _day_of(value, month: date) -> date | None:
    """The date a day cell names within `month`: a date cell, "2026-10-03", "10月3日" or the day's number."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        found = value
    else:
        match = _DAY.fullmatch(cell_text(value).removesuffix(".0"))
        if match is None:
            return None
        year, number, day = (int(g) if g else None for g in match.groups())
        try:
            found = date(year or month.year, number or month.month, day)
        except ValueError:
            return None
    return found if (found.year, found.month) == (month.year, month.month) else None


def _attach(ctx: _Context, extras: list[_Extra], rows: list[ActivityRow]) -> None:
    """Each material and day to its source's activity row of the month, with the place a refusal points at."""
    by_key = {(r.source_id, r.month): r for r in rows}
    for extra in extras:
        line = by_key.get((extra.source.id, extra.month))
        if line is None:
            if (extra.source.id, extra.month) not in ctx.filed:
                ctx.problem(extra.table, extra.row, "month", _l(
                    "%(source)s has no quantity for %(month)s on the activity sheet: fill it in there too.",
                    source=extra.source.name, month=month_text(extra.month)))
            continue
        filed = line.parameters.setdefault(extra.parameter, [])
        sheet, section = extra.table.sheet, extra.table.section
        if extra.parameter == "ncv_daily":
            line.places.setdefault("ncv_daily", (sheet, extra.row, section.column("coal").label))
        else:
            for name, key in ITEM_KEYS.items():
                line.places[f"{extra.parameter}_{len(filed)}_{name}"] = (sheet, extra.row, section.column(key).label)
            line.places.setdefault(extra.parameter, (sheet, extra.row, section.column("quantity").label))
        filed.append(extra.value)


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
    for section in REQUIRED:
        if not any(t.section is section for t in tables):
            headers = ", ".join(section.column(k).label for k in ("month", section.identifying[0], section.value))
            parsed.problems.append(Problem(_l("The sheet %(sheet)s is missing: no sheet has its header row "
                                              "(%(headers)s). Start from the template and keep all its sheets, "
                                              "even one left empty.", sheet=section.label, headers=headers)))

    first_row: dict = {}
    extras: list[_Extra] = []
    for table in tables:
        for row in table.rows:
            if table.section in (CARBON, DAILY):
                extra = (_carbon_row if table.section is CARBON else _daily_row)(ctx, table, row)
                if extra is not None:
                    extras.append(extra)
                continue
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

    _attach(ctx, extras, parsed.rows)
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
