"""The dashboard's tables as one XLSX workbook, a sheet per table: headers in the user's language, numbers as
numbers, text through app.core.cells (a name such as `=HYPERLINK(...)` stays text), as the footprint export does."""
from __future__ import annotations

import io
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from app.core.cells import neutral_row
from app.i18n import localised

from .actor_tables import IMPORTED, TableRow
from .breakdowns import SECTOR_LABELS

PLACES = Decimal("0.000001")


def _num(value):
    """A figure as a spreadsheet number (None stays an empty cell)."""
    return None if value is None else float(Decimal(value).quantize(PLACES))


def _actor_header(first: str, statistics: bool = False) -> list[str]:
    return [first, _("Approved scope 1, tCO2"), _("Estimated, tCO2"),
            *([_("City statistics, tCO2")] if statistics else []),
            _("R12 total, tCO2"), _("A year earlier, tCO2"), _("Change, tCO2"), _("Change, per cent"),
            _("Intensity, tCO2 per 10⁴ CNY"), _("Intensity target"), _("Contribution to the gap, tCO2"),
            _("Scope 2, tCO2 (not added)")]


def _actor_cells(row: TableRow, statistics: bool = False) -> list:
    a = row.actor
    return [_num(row.now.scope1), _num(row.now.estimated), *([_num(row.now.estimate)] if statistics else []),
            _num(row.now.total), _num(a.year_ago), _num(a.change), _num(a.change_percent), _num(a.intensity),
            _num(a.intensity_target), _num(a.contribution), _num(row.now.scope2)]


def sector_sheet(board) -> tuple[list, list[list]]:
    table = board.sectors
    rows = [[_("Net imported electricity × grid factor") if r.key == IMPORTED else str(SECTOR_LABELS[r.key]),
             *_actor_cells(r, True)] for r in table.rows]
    rows.append([_("City gross emissions X"), *_actor_cells(table.total, True)])
    rows.append([_("Carbon sinks (reported apart, not netted)"), None, None, None, _num(table.sinks)])
    return _actor_header(_("Sector"), True), rows


def division_sheet(board) -> tuple[list, list[list]]:
    rows = [[r.key, localised(r.label.name_zh, r.label.name_en) if r.label else "", *_actor_cells(r)]
            for r in board.divisions]
    header = _actor_header(_("Industry"))
    return [header[0], _("Name"), *header[1:]], rows


def district_sheet(board) -> tuple[list, list[list]]:
    return _actor_header(_("District")), [[r.key, *_actor_cells(r)] for r in board.districts]


def sub_index_sheet(board, sub_index_label) -> tuple[list, list[list]]:
    current = board.current
    header = [_("Sub-index"), _("Name"), _("Score"), _("Unclipped"), "X", "T", "B", "L", _("Weight")]
    if current.result is None:
        return header, []
    rows = [[key, str(sub_index_label(key, current.methodology)), _num(s.score), _num(s.unclipped), _num(s.x),
             _num(s.target), _num(s.reference), _num(s.leading), _num(current.result.weights_used[key])]
            for key, s in current.result.sub_indices.items()]
    rows.append([_("DCI"), "", _num(current.dci)])
    return header, rows


def lever_sheet(board, lever_label) -> tuple[list, list[list]]:
    return ([_("Lever"), _("DCI after"), _("DCI change, points")],
            [[str(lever_label(key)), _num(after), _num(change)] for key, after, change in board.levers])


def trend_sheet(board) -> tuple[list, list[list]]:
    keys = ("S1", "S2", "S3", "S4", "S5", "S6")
    header = [_("Month"), _("Provisional"), _("DCI"), *keys, _("City gross emissions X, tCO2"),
              _("Estimated, tCO2")]
    rows = []
    for p in board.trend:
        scores = p.result.sub_indices if p.result else {}
        rows.append([p.label, _("yes") if p.provisional else _("no"), _num(p.dci),
                     *[_num(scores[k].score) if k in scores else None for k in keys],
                     _num(p.result.gross_tco2 if p.result else None), _num(p.estimated_tco2)])
    return header, rows


def sheets(board, sub_index_label, lever_label) -> list[tuple[str, tuple[list, list[list]]]]:
    return [(_("Index"), sub_index_sheet(board, sub_index_label)),
            (_("Levers"), lever_sheet(board, lever_label)),
            (_("Sectors"), sector_sheet(board)),
            (_("Industries"), division_sheet(board)),
            (_("Districts"), district_sheet(board)),
            (_("Trend"), trend_sheet(board))]


HEADER_ROW = 2  # the title line, then each sheet's header


def dashboard_xlsx(board, sub_index_label, lever_label) -> bytes:
    book = Workbook()
    current = board.current
    title = [_("City dual-carbon index"), current.label, "R12",
             _("Methodology version %(n)s", n=current.methodology),
             _("Provisional") if current.provisional else ""]
    for index, (name, (header, rows)) in enumerate(sheets(board, sub_index_label, lever_label)):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = name[:31]  # Excel's limit
        sheet.append(neutral_row(title))
        sheet.append(neutral_row(header))
        for cell in sheet[HEADER_ROW]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(neutral_row(row))
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
