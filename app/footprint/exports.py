"""The footprint as CSV and XLSX: the basis first (approved months only), then one row per approved month and the year's
approved total, the provisional months apart, then one row per source; units in every header.

Files for people, not for machines (no import or API reads them back): statuses, scopes and categories are written as
their labels in the reader's language, never as codes."""
import csv
import io
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from app.accounting.labels import category_label, scope_label
from app.core.cells import neutral_row
from app.filings.labels import status_label
from app.i18n import localised

PLACES = Decimal("0.000001")  # exports carry tonnes to the gram


def _num(value):
    return None if value is None else Decimal(value).quantize(PLACES)


def basis_rows(fp) -> list[list]:
    """The rows that say what the figures count, above every table."""
    c = fp.counts
    return [[_("Basis"), _("Approved months only (each month's approved revision). Submitted and draft months are "
                           "provisional, listed separately and not included in any total.")],
            [_("Months"), _("approved %(n)d", n=c.approved), _("submitted %(n)d", n=c.submitted),
             _("draft %(n)d", n=c.draft), _("not filed %(n)d", n=c.not_filed),
             _("(of the %(n)d months of the year so far)", n=c.due)]]


def _month_header() -> list[str]:
    return [_("Month"), _("Basis"), _("Status"), _("Scope 1 (tCO2e)"), _("Scope 2, location-based (tCO2e)"),
            _("Scope 2, market-based (tCO2e)"), _("Scope 3 (tCO2e)"), _("Exported (tCO2e)"),
            _("Total (tCO2e)"), _("Energy (tce)"), _("Output value (10^4 CNY)")]


def _month_row(m, basis: str) -> list:
    c = m.calculation
    return [m.period.strftime("%Y-%m"), basis, str(status_label(m.filing.status)), _num(c.scope1_tco2e),
            _num(c.scope2_tco2e), _num(c.scope2_market_tco2e), _num(c.scope3_tco2e), _num(c.exported_tco2e),
            _num(c.total_tco2e), _num(c.energy_tce), _num(m.filing.output_value_10k_cny)]


def month_table(fp) -> tuple[list[str], list[list]]:
    """The approved months, then the year's approved total."""
    approved = _("approved")
    rows = [_month_row(m, approved) for m in fp.months if m.calculation]
    t = fp.totals
    rows.append([_("Year (approved months)"), approved, "", _num(t["scope1"]), _num(t["scope2"]),
                 _num(t["scope2_market"]), _num(t["scope3"]), _num(t["exported"]), _num(t["total"]),
                 _num(t["energy_tce"]), _num(fp.output_value)])
    return _month_header(), rows


def provisional_table(fp) -> tuple[list[str], list[list]]:
    """Submitted and draft months (and amendments not approved yet): their own figures, never totalled."""
    provisional = _("provisional")
    return _month_header(), [_month_row(m, provisional) for m in fp.provisional if m.calculation]


def source_table(fp) -> tuple[list[str], list[list]]:
    header = [_("Facility"), _("Emission source"), _("Scope"), _("Category"), _("Year total (tCO2e)"), _("Basis")]
    approved = _("approved")
    rows = [[localised(r.source.facility.name, r.source.facility.name_en), r.source.name,
             str(scope_label(r.scope)), str(category_label(r.source.category)), _num(r.co2e), approved] for r in fp.sources]
    return header, rows


def _sections(fp) -> list[tuple[str, tuple[list[str], list[list]]]]:
    return [(_("Months (approved)"), month_table(fp)),
            (_("Provisional (not in totals)"), provisional_table(fp)),
            (_("Sources (approved)"), source_table(fp))]


def to_csv(org, fp) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # so Excel opens UTF-8 Chinese correctly
    writer = csv.writer(out)
    writer.writerow(neutral_row([org.name, org.credit_code or "", fp.year]))
    writer.writerows(neutral_row(row) for row in basis_rows(fp))
    for title, (header, rows) in _sections(fp):
        writer.writerow([])
        writer.writerow(neutral_row([title]))
        writer.writerow(neutral_row(header))
        writer.writerows([neutral_row("" if v is None else v for v in row) for row in rows])
    return out.getvalue()


HEADER_ROW = 4  # the org line, the two basis rows, then each sheet's header


def to_xlsx(org, fp) -> bytes:
    book = Workbook()
    for index, (title, (header, rows)) in enumerate(_sections(fp)):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title[:31]  # Excel's limit
        sheet.append(neutral_row([org.name, org.credit_code or "", fp.year]))
        for row in basis_rows(fp):
            sheet.append(neutral_row(row))
        sheet.append(neutral_row(header))
        for cell in sheet[HEADER_ROW]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(neutral_row(float(v) if isinstance(v, Decimal) else v for v in row))
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
