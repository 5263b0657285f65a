"""The acknowledgment of receipt: one bilingual A4 page drawn on a canvas.

The receipt number and the copy of record's SHA-256 are in the visible text (the digest in one run, so it
extracts whole) and in the PDF's metadata. Plain data in (the parsed copy of record), PDF bytes out.
"""
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from app.core.numbers import tonnes
from reports.common import LIGHT, city_time, framed_page

CHANNELS = {"web": "网页 web", "api": "接口 API"}


def build(doc: dict, sha256: str) -> bytes:
    receipt, ent, filing, signer = doc["receipt"], doc["enterprise"], doc["filing"], doc["signer"]
    buffer = io.BytesIO()
    c, cjk, y = framed_page(
        buffer, f"提交回执 Acknowledgment of receipt {receipt['number']}", "Tanji 碳迹",
        f"Tanji receipt {receipt['number']}", f"receipt={receipt['number']} sha256={sha256}",
        ("电子提交回执", "Acknowledgment of receipt"), "回执编号 Receipt number", receipt["number"])
    width, _height = A4
    left, right = 22 * mm, width - 22 * mm

    def row(label: str, value: str, y: float, value_font: str = cjk, size: float = 10.5) -> None:
        c.setFont(cjk, 9.5)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(left, y, label)
        c.setFillColor(colors.black)
        c.setFont(value_font, size)
        c.drawString(left + 55 * mm, y, value)

    y -= 40 * mm
    rows = [
        ("接收时间 Received at", city_time(receipt["received_at"], seconds=True), cjk),
        ("企业名称 Enterprise", ent["name"], cjk),
        ("统一社会信用代码 Credit code", ent["credit_code"], "Helvetica"),
        ("报告月份 Month", f"{filing['period']}  ·  版本 revision {filing['revision']}", cjk),
        ("签署人 Signer", f"{signer['name']}  <{signer['email']}>", cjk),
        ("提交渠道 Channel", CHANNELS.get(doc["channel"]["kind"], doc["channel"]["kind"]), cjk),
        ("排放总量 Total (tCO2e)", tonnes(doc["calculation"]["totals_tco2e"]["total"]), "Helvetica"),
        ("声明版本 Statement version", str(doc["statement"]["version"]), "Helvetica"),
    ]
    for i, (label, value, value_font) in enumerate(rows):
        row(label, value, y - i * 8 * mm, value_font)
    y -= len(rows) * 8 * mm + 6 * mm

    c.setFillColor(LIGHT)
    c.rect(left - 3 * mm, y - 14 * mm, right - left + 6 * mm, 22 * mm, stroke=0, fill=1)
    c.setFillColor(colors.black)
    c.setFont(cjk, 9.5)
    c.drawString(left, y + 2 * mm, "提交副本 SHA-256 摘要 Digest of the copy of record")
    c.setFont("Courier", 9)
    c.drawString(left, y - 6 * mm, sha256)

    y -= 30 * mm
    c.setFont(cjk, 9)
    for text in ("碳迹已收到上述提交。提交副本按原样保存，不会更改；其摘要已记入审计链，可用于核对下载的副本。",
                 "Tanji has received the submission above. Its copy of record is kept exactly as received and never "
                 "changes;",
                 "its digest is chained into the audit trail and checks any downloaded copy."):
        c.drawString(left, y, text)
        y -= 5.5 * mm
    c.setFont(cjk, 8)
    c.setFillColor(colors.grey)
    c.drawCentredString(width / 2, 18 * mm, "碳迹 Tanji · 本回执由系统自动生成 Generated automatically")
    c.showPage()
    c.save()
    return buffer.getvalue()
