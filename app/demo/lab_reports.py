"""The demo power plants' coal analysis reports: one laboratory report per month and generating unit, for the
parameters the month filed (NCV_ar, C_ad, M_ad, M_ar of one composite sample; the untested month its NCV alone),
attached through the filing's own service as an energy manager would on the filing page."""
import io
from calendar import monthrange
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from werkzeug.datastructures import FileStorage

from app.demo.plans import LAB
from app.filings import lab_reports
from reports.common import LIGHT, render, styles

# What the report prints for each parameter: (Chinese, English, symbol, unit, test standard).
ROWS = {
    "ncv_ar": ("收到基低位发热量", "Net calorific value, as received", "Qnet,ar", "GJ/t", "GB/T 213"),
    "c_ad": ("空气干燥基元素碳", "Carbon, air-dried", "Cad", "%", "GB/T 476"),
    "m_ad": ("空气干燥基水分", "Moisture, air-dried", "Mad", "%", "GB/T 212"),
    "m_ar": ("收到基全水分", "Total moisture, as received", "Mt", "%", "GB/T 211"),
}


def sample_of(period: date, source_id: int) -> str:
    return f"RC{period:%Y%m}-{source_id:04d}"


def report_pdf(enterprise: str, source: str, period: date, sample_id: str, sampled: date,
               parameters: dict) -> bytes:
    s = styles()

    def p(text, style="base"):
        return Paragraph(escape(str(text)), s[style])

    rows = [[p("检测项目 Item"), p("符号 Symbol"), p("结果 Result"), p("单位 Unit"), p("检测依据 Method")]]
    rows += [[p(f"{zh} {en}"), p(symbol), p(parameters[code]), p(unit), p(standard)]
             for code, (zh, en, symbol, unit, standard) in ROWS.items() if code in parameters]
    table = Table(rows, colWidths=[62 * mm, 22 * mm, 28 * mm, 18 * mm, 30 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, "#999999"), ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        Paragraph("煤质检测报告 Coal analysis report", s["title"]),
        p(f"{LAB['lab_name']} · {LAB['lab_accreditation']}"),
        Spacer(0, 3 * mm),
        p(f"委托单位 Client: {enterprise}"),
        p(f"样品 Sample: {source} 入炉煤月度缩分样 (monthly composite of coal as fired), {period:%Y-%m}"),
        p(f"样品编号 Sample number: {sample_id} · 采样日期 Sampled: {sampled.isoformat()}"),
        Spacer(0, 4 * mm), table, Spacer(0, 4 * mm),
        p("本报告为碳迹演示城市的演示数据。This report is demo data of the Tanji demo city.", "small"),
    ]
    return render(f"煤质检测报告 {sample_id}", story, subject="Coal analysis report (demo)")


def attach(manager, filing, line, at: datetime) -> int:
    """Attach the month's coal report to a generating unit's line; the number of parameters it gives."""
    codes = [code for code in ROWS if code in (line.parameters or {})]
    if not codes:
        return 0
    period = filing.period
    sampled = min(date(period.year, period.month, monthrange(period.year, period.month)[1]), at.date())
    sample_id = sample_of(period, line.source_id)
    data = report_pdf(filing.organisation.name, line.source.name, period, sample_id, sampled,
                      {code: line.parameters[code] for code in codes})
    upload = FileStorage(stream=io.BytesIO(data), filename=f"煤质检测报告-{sample_id}.pdf",
                         content_type="application/pdf")
    lab_reports.attach(manager, filing, line.source_id, codes, upload, LAB["lab_name"], LAB["lab_accreditation"],
                       sample_id, sampled, now=at)
    return len(codes)
