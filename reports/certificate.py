"""The emission certificate: one bilingual A4 page drawn straight on a canvas (fast: no layout engine).

The serial and the digest are in the visible text and in the PDF's metadata (/Keywords "serial=… digest=…"),
so a verifier reads them back; the QR code holds the public verification URL. Figures are drawn in a
standard font, one per text run, so each one is extractable as written.
"""
import io
from dataclasses import dataclass, field
from datetime import date

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.core.numbers import tonnes
from reports.common import CATEGORIES, GREEN, LIGHT, SCOPES, framed_page, share_text

OPINIONS = {"verified": "核查通过 Verified", "verified_with_comments": "核查通过（附意见）Verified with comments",
            "not_verified": "核查未通过 Not verified"}


@dataclass(frozen=True)
class CertificateContent:
    serial: str
    digest: str
    data: dict  # app.certificates.services.certified_data()
    issued_on: date
    verify_url: str
    names: dict = field(default_factory=dict)  # a grid series code → its bilingual name


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def build(content: CertificateContent) -> bytes:
    data = content.data
    buffer = io.BytesIO()
    c, cjk, y = framed_page(
        buffer, f"碳排放核证证书 Emission certificate {content.serial}", data["authority"]["name"] or "Tanji",
        f"Tanji emission certificate {content.serial}", f"serial={content.serial} digest={content.digest}",
        ("碳排放核证证书", "Certificate of Greenhouse Gas Emissions"), "证书编号 Serial No.", content.serial,
        double_frame=True)
    width, _height = A4
    left, right = 22 * mm, width - 22 * mm

    def row(label: str, value: str, y: float, value_font: str = cjk, size: float = 11) -> None:
        c.setFont(cjk, 9.5)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(left, y, label)
        c.setFillColor(colors.black)
        c.setFont(value_font, size)
        c.drawString(left + 58 * mm, y, value)

    ent, period = data["enterprise"], data["period"]
    y -= 38 * mm
    row("企业名称 Enterprise", ent["name"], y)
    if ent["name_en"]:
        row("", ent["name_en"], y - 6 * mm, "Helvetica", 10)
        y -= 6 * mm
    row("统一社会信用代码 Credit code", ent["credit_code"], y - 8 * mm, "Helvetica", 11)
    row("核证期间 Period", f"{period['start']} — {period['end']}  ({period['months']} 个月 months)", y - 16 * mm)

    y -= 30 * mm
    c.setFillColor(LIGHT)
    c.rect(left - 3 * mm, y - 27 * mm, right - left + 6 * mm, 34 * mm, stroke=0, fill=1)
    c.setFillColor(colors.black)
    totals = data["totals_tco2e"]
    figures = [("温室气体排放总量 Total emissions", totals["total"], 15),
               ("范围一 直接排放 Scope 1 (direct)", totals["scope1"], 11),
               ("范围二 外购电力热力 Scope 2 (energy indirect)", totals["scope2"], 11)]
    if totals.get("exported") and totals["exported"] != "0.000":
        figures.append(("输出电力热力（扣减）Exported (deducted)", totals["exported"], 11))
    for i, (label, value, size) in enumerate(figures):
        yy = y - i * 7.5 * mm
        c.setFont(cjk, 9.5)
        c.drawString(left, yy, label)
        c.setFont("Helvetica-Bold", size)
        c.drawRightString(right - 20 * mm, yy, tonnes(value))
        c.setFont("Helvetica", 9)
        c.drawString(right - 18 * mm, yy, "tCO2e")
    if data.get("substituted_share") is not None:  # certificates issued before it was stated lack it
        c.setFont(cjk, 8.5)
        c.drawString(left, y - 32 * mm, "基于替代值的比例 Share resting on substituted values")
        c.setFont("Helvetica", 9)
        c.drawRightString(right - 20 * mm, y - 32 * mm, share_text(data["substituted_share"]))

    y -= 38 * mm
    c.setFont(cjk, 11)
    c.setFillColor(GREEN)
    c.drawString(left, y, "主要排放源 Main emission sources")
    c.setFillColor(colors.black)
    y -= 6 * mm
    for source in data["main_sources"]:
        scope = SCOPES.get(source["scope"], (source["scope"], source["scope"]))
        category = CATEGORIES.get(source["category"], (source["category"], source["category"]))
        c.setFont(cjk, 9)
        c.drawString(left, y, f"{source['name']}  ·  {category[0]} {category[1]}  ·  {scope[1]}")
        c.setFont("Helvetica", 9)
        c.drawRightString(right - 20 * mm, y, tonnes(source["tco2e"]))
        c.drawString(right - 18 * mm, y, "tCO2e")
        y -= 5.5 * mm

    y -= 4 * mm
    c.setFont(cjk, 8.5)
    c.drawString(left, y, "GWP 值版本 GWP set: " + ", ".join(data["gwp_sets"]) +
                 "    电网因子 Grid factor series: " + ", ".join(content.names.get(s, s) for s in data["grid_series"]))
    y -= 5 * mm
    c.drawString(left, y, "排放因子版本 Emission factor versions:")
    c.setFont("Helvetica", 7)
    line, y = "", y - 4.5 * mm
    for item in data["factor_versions"]:
        if len(line) + len(item) > 120:
            c.drawString(left, y, line)
            line, y = "", y - 4 * mm
        line = f"{line}; {item}" if line else item
    if line:
        c.drawString(left, y, line)
    verification = data.get("verification")
    y -= 7 * mm
    c.setFont(cjk, 8.5)
    if verification:
        c.drawString(left, y, f"第三方核查 Third-party verification: 已核查 Verified · {verification['body']} "
                              f"({verification['accreditation_no']})  ·  {OPINIONS.get(verification['opinion'], '')}")
        y -= 4.5 * mm
        year = verification.get("year", "")
        c.drawString(left, y, f"经主管部门确认的 {year} 年核查排放量 Verified emissions of {year} confirmed by the "
                              f"regulator: {tonnes(verification['confirmed_total_tco2e'])} tCO2e  ·  "
                              f"{verification['confirmed_on']}")
    elif data.get("third_party_verified"):
        c.drawString(left, y, "第三方核查 Third-party verification: 已核查 Verified（期间内各年度的核查均经主管部门确认 "
                              "each year's verification confirmed by the regulator）")
    elif "third_party_verified" in data:
        c.drawString(left, y, "第三方核查 Third-party verification: 未经第三方核查 Not third-party verified "
                              "（无经主管部门确认的核查 no confirmed verification covers the period）")

    # The issuing authority, the date, the digest and the QR code at the foot of the page.
    base = 30 * mm
    qr = 34 * mm
    _qr(c, content.verify_url, right - qr, base, qr)
    c.setFont(cjk, 9.5)
    authority = data["authority"]
    c.drawString(left, base + 30 * mm, f"签发机构 Issued by: {authority['name']}")
    if authority["name_en"]:
        c.setFont("Helvetica", 9)
        c.drawString(left + 31 * mm, base + 25 * mm, authority["name_en"])
    c.setFont(cjk, 9.5)
    c.drawString(left, base + 18 * mm, f"签发日期 Issue date: {content.issued_on.isoformat()}")
    c.drawString(left, base + 11 * mm, "数据摘要 Digest (SHA-256):")
    c.setFont("Courier", 7.5)
    c.drawString(left, base + 6 * mm, content.digest)
    c.setFont(cjk, 7.5)
    c.setFillColor(colors.HexColor("#555555"))
    c.drawString(left, base, "扫描二维码或访问以下网址核验 Scan or visit to verify:")
    c.setFont("Helvetica", 7.5)
    c.drawString(left, base - 4 * mm, content.verify_url)
    c.showPage()
    c.save()
    return buffer.getvalue()
