"""The template Tanji hands out: a workbook (or CSV) pre-filled with a row per month and active source,
the enterprise's products, and the instructions sheet."""
from __future__ import annotations

import calendar
import csv
import io
from datetime import date

from app.core.cells import neutral_row
from app.filings.imports.layout import (
    ACTIVITY,
    ACTIVITY_COLUMNS,
    CARBON,
    CHOICE_NAMES,
    COUNT_KEYS,
    DAILY,
    DIRECTIONS,
    FLAG_KEYS,
    INSTRUCTIONS_TITLE,
    MAX_MONTHS,
    NO,
    NUMBER_KEYS,
    OUTPUT,
    PRODUCTION,
    VALUE_KEYS,
    YES,
    ProductRef,
    Section,
    SourceRef,
    measured_columns,
    takes,
)
from app.filings.imports.reading import size_text
from app.filings.imports.values import month_text


def _activity_rows(months: list[date], sources: list[SourceRef]) -> list[tuple[list, SourceRef]]:
    rows = []
    for month in months:
        for s in sources:
            rows.append(([month_text(month), s.facility, s.id, s.name, s.category_label or s.category,
                          s.material_label or s.material, s.unit] + [None] * (len(ACTIVITY_COLUMNS) - 7), s))
    return rows


SPARE_MATERIALS = 3  # rows per direction, source and month on the carbon sheet; more may be inserted


def _carbon_rows(months: list[date], sources: list[SourceRef]) -> list[list]:
    return [[month_text(m), s.facility, s.id, s.name, DIRECTIONS[d][0], None, None, None, None, None]
            for m in months for s in sources if takes(s, "items")
            for d in DIRECTIONS for _ in range(SPARE_MATERIALS)]


def _daily_rows(months: list[date], sources: list[SourceRef]) -> list[list]:
    return [[month_text(m), s.facility, s.id, s.name, date(m.year, m.month, day).isoformat(), None, None]
            for m in months for s in sources if takes(s, "pairs")
            for day in range(1, calendar.monthrange(m.year, m.month)[1] + 1)]


def _extra_tables(months: list[date], sources: list[SourceRef]) -> list[tuple[Section, list[list]]]:
    """The carbon and daily sheets, where a source takes them."""
    tables = []
    if any(takes(s, "items") for s in sources):
        tables.append((CARBON, _carbon_rows(months, sources)))
    if any(takes(s, "pairs") for s in sources):
        tables.append((DAILY, _daily_rows(months, sources)))
    return tables


def _production_rows(months: list[date], products: list[ProductRef]) -> list[list]:
    return [[month_text(m), p.id, p.name if not p.name_en or p.name_en == p.name else f"{p.name} {p.name_en}",
             p.unit, None] for m in months for p in products]


def instructions(months: list[date], max_bytes: int = 5 * 1024 * 1024) -> list[tuple[str, str]]:
    """The instructions sheet, as (Chinese, English) paragraphs; they document the CSV layout too."""
    span = f"{month_text(months[0])} – {month_text(months[-1])}" if months else ""
    size = size_text(max_bytes)
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
        (("按行业方法核算的排放源（如发电机组入炉煤、火炬、熟料）在右侧填写其方法参数：元素碳 C_ar 或 C_ad 及水分 "
          "M_ad、M_ar、收到基低位发热量，气体各组分体积分数（%），焦炭含碳量、纯度、熟料 CaO/MgO（%）。"
          "未填写监测计划规定实测的参数时采用保守替代值，并标记为替代值。"),
         ("Sources computed by a sector method (a generating unit's coal, a flare, clinker) take their method's "
          "inputs in the columns on the right: element carbon C_ar or C_ad with moisture M_ad and M_ar and NCV_ar, "
          "each gas component's share by volume (%), coke carbon, purity, clinker CaO/MgO (%). A parameter the "
          "monitoring plan says is measured and left empty takes the conservative substitute, flagged "
          "substituted.")),
        (("硝酸生产工艺、事故火炬所属行业从下拉列表中选择；“是/否”列填写“是”或“否”；油气田设备按种类填写在用数量（整数），"
          "灰色单元格不适用。"),
         ("Choose the nitric acid process and the accident flare's industry from the list; the yes/no columns take "
          "是 (yes) or 否 (no); an oil or gas field gives the number of each kind of equipment in operation (a whole "
          "number). Grey cells do not apply.")),
        (("按碳平衡核算的排放源（如高炉）在“碳平衡”表逐行填写投入和产出的物料：名称、数量、单位（t 或 万Nm3）、含碳量"
          "（固体和液体填质量百分比 %，气体填每万Nm3含碳吨数 tC）；活动数据表仍须填写该源当月的数量（如产品产量）。"
          "行不够时可插入行。未实测含碳量的产出物按零计（不扣减）。"),
         ("Sources computed by a carbon balance (a blast furnace) list the materials in and out on the Carbon "
          "balance sheet, a row each: name, quantity, unit (t or 10^4 Nm3), carbon (% by mass for solids and "
          "liquids, tC per 10^4 Nm3 for gases); the activity sheet still takes the source's quantity for the month "
          "(e.g. the product). Insert rows as needed. An output without its measured carbon counts zero.")),
        (("发电机组入炉煤可在“入炉煤日报”表逐日填写入炉煤量（t）和入炉煤收到基低位发热量（GJ/t），月度低位发热量按"
          "煤量加权平均；不填则使用活动数据表的收到基低位发热量。"),
         ("A generating unit's coal may be given day by day on the Daily coal sheet (coal fired t, as-fired NCV "
          "GJ/t); the month's NCV is then their coal-weighted mean. Left empty, the activity sheet's NCV_ar is "
          "used.")),
        ("“产品产量”表填写各产品当月产量，单位须与产品登记的单位一致；“工业总产值”表填写当月工业总产值（万元）。",
         ("The Production sheet takes each product's monthly output, in the product's registered unit; the "
          "Output value sheet takes the month's industrial output value in 10^4 CNY.")),
        (("月份可写作 2026-10、2026/10、2026年10月，或使用日期单元格。数字可带千位分隔符（12,345.6）；小数一律用小数点，"
          "逗号只能用于每三位数字之间（6070,3 会被拒绝，请写 6070.3）。"
          f"请勿使用公式：请“选择性粘贴—数值”。不能填报未来月份，一次最多 {MAX_MONTHS} 个月。"),
         ("Months may be written 2026-10, 2026/10, 2026年10月 or be date cells. Numbers may have thousands "
          "separators (12,345.6); the decimal mark is always a point, and a comma only goes between groups of "
          "three digits (6070,3 is refused: write 6070.3). No formulas: paste values. No future months; at most "
          f"{MAX_MONTHS} months per file.")),
        (("上传后，文件中有数据的每个月都会整体替换该月的草稿（活动数据、产量和产值）；没有任何数据的月份保持不变。"
          "已提交或已审核的月份不能导入。只要有一处错误，整个文件都不会保存，页面会列出所有问题。"),
         ("On upload, every month with figures in the file replaces that month's draft as a whole (activity, "
          "production and output value); months without any figure are left as they are. Submitted or approved "
          "months cannot be imported. If anything is wrong, nothing is saved and every problem is listed.")),
        (("CSV 格式：一个文件中依次包含三张表（活动数据、产品产量、工业总产值；有排放源需要时还有碳平衡和入炉煤日报），"
          "每张表以其表头行开始，表之间空一行。可使用 UTF-8 或 GBK 编码（Excel 默认的“CSV（逗号分隔）”即可）。"),
         ("CSV: one file holds the three tables one after another (activity data, production, output value; and "
          "the carbon balance and daily coal where a source takes them), each starting with its header row, a blank "
          "line between them; UTF-8 or GBK (Excel's plain \"CSV (comma delimited)\" is fine).")),
        (f"文件大小不超过 {size}；旧版 .xls 文件请另存为 .xlsx。",
         f"Files up to {size}; save old .xls files as .xlsx."),
    ]


def _validation(key: str):
    """What Excel checks as a cell of column `key` is typed: a number, a whole count, a name from a list."""
    from openpyxl.worksheet.datavalidation import DataValidation

    def listed(names, title):
        return DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle=title, error="请从列表中选择 Choose from the list")
    if key in NUMBER_KEYS:
        return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="数字 Number",
                              error="请填写不小于 0 的数字 Enter a number of 0 or more")
    if key in COUNT_KEYS:
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="数量 Count",
                              error="请填写不小于 0 的整数 Enter a whole number of 0 or more")
    if key in CHOICE_NAMES:
        return listed([zh for zh, _en in CHOICE_NAMES[key].values()], "选择 Choice")
    if key in FLAG_KEYS:
        return listed([YES, NO], "是/否 Yes/no")
    if key == "direction":
        return listed([zh for zh, _en in DIRECTIONS.values()], "投入/产出 In/out")
    return None


def build_xlsx(months: list[date], sources: list[SourceRef], products: list[ProductRef], title: str = "",
               max_bytes: int = 5 * 1024 * 1024) -> bytes:
    """The template workbook: activity, production and output-value sheets, then the instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    grey = PatternFill("solid", fgColor="E7E6E6")
    header_fill = PatternFill("solid", fgColor="D9EAD3")
    grey_font = Font(color="595959")
    bold = Font(bold=True)
    thin = Side(style="thin", color="BFBFBF")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    locked_keys = {"month", "facility", "source_id", "source_name", "category", "material", "product_id",
                   "product_name"}
    span = f"{month_text(months[0])} – {month_text(months[-1])}" if months else ""

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
            sheet.append(neutral_row(values))
        for col, column in enumerate(columns, start=1):
            if column.key in locked_keys:
                for r in range(3, len(rows) + 3):
                    cell = sheet.cell(row=r, column=col)
                    cell.fill, cell.font = grey, grey_font
            check = _validation(column.key) if rows else None
            if check is not None:
                letter = get_column_letter(col)
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
    sheet_for(OUTPUT, [[month_text(m), None] for m in months])
    for section, rows in _extra_tables(months, sources):
        sheet_for(section, rows)

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
              (OUTPUT, [[month_text(m), None] for m in months]),
              *_extra_tables(months, sources))
    for index, (section, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([c.label for c in section.columns])
        writer.writerows([neutral_row("" if v is None else v for v in row) for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
