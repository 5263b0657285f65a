"""The footprint as CSV and XLSX: one row per month, then one per source; units in every header."""
import csv
import io
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from app.i18n import localised

PLACES = Decimal("0.000001")  # exports carry tonnes to the gram


def _num(value):
    return None if value is None else Decimal(value).quantize(PLACES)


def month_table(fp) -> tuple[list[str], list[list]]:
    header = [_("Month"), _("Status"), _("Scope 1 (tCO2e)"), _("Scope 2, location-based (tCO2e)"),
              _("Scope 2, market-based (tCO2e)"), _("Scope 3 (tCO2e)"), _("Exported (tCO2e)"),
              _("Total (tCO2e)"), _("Energy (tce)"), _("Output value (10^4 CNY)")]
    rows = []
    for m in fp.months:
        if not m.calculation:
            continue
        c = m.calculation
        rows.append([m.period.strftime("%Y-%m"), m.filing.status, _num(c.scope1_tco2e), _num(c.scope2_tco2e),
                     _num(c.scope2_market_tco2e), _num(c.scope3_tco2e), _num(c.exported_tco2e),
                     _num(c.total_tco2e), _num(c.energy_tce), _num(m.filing.output_value_10k_cny)])
    return header, rows


def source_table(fp) -> tuple[list[str], list[list]]:
    header = [_("Facility"), _("Emission source"), _("Scope"), _("Category"), _("Year total (tCO2e)")]
    rows = [[localised(r.source.facility.name, r.source.facility.name_en), r.source.name, r.scope,
             r.source.category, _num(r.co2e)] for r in fp.sources]
    return header, rows


def to_csv(org, fp) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens UTF-8 Chinese correctly
    writer = csv.writer(out)
    writer.writerow([org.name, org.credit_code or "", fp.year])
    for header, rows in (month_table(fp), source_table(fp)):
        writer.writerow([])
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue()


def to_xlsx(org, fp) -> bytes:
    book = Workbook()
    for index, (title, (header, rows)) in enumerate(((_("Months"), month_table(fp)),
                                                     (_("Sources"), source_table(fp)))):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append([org.name, org.credit_code or "", fp.year])
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for column in sheet.columns:
            sheet.column_dimensions[column[1].column_letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
