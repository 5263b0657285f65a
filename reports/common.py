"""What every Tanji PDF shares: the fonts, bilingual labels, paragraph styles, page header and footer, and a
document template that numbers pages and fills a table of contents. Plain data in, PDF bytes out; no Flask."""
import io
import os
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph
from reportlab.platypus.tableofcontents import TableOfContents

CID_FONT = "STSong-Light"  # built into ReportLab's CID support: no font file needed, but not embedded
DEFAULT_ZONE = "Asia/Shanghai"
ZONE_NAMES = {"Asia/Shanghai": "北京时间"}  # how people in the city name their zone
GREEN = colors.HexColor("#1e6b45")
LIGHT = colors.HexColor("#e8f3ec")
_fonts: dict[str, str] = {}  # font file path ("" for the CID font) -> registered font name


def _setting(name: str, default: str) -> str:
    """A setting of the running app (PDF_FONT_PATH, BABEL_DEFAULT_TIMEZONE); outside an app, the default."""
    from flask import current_app, has_app_context

    return current_app.config.get(name, default) if has_app_context() else default


def font(path: str | None = None) -> str:
    """The Chinese-capable font every PDF uses: the TrueType font at `path` (default: the app's PDF_FONT_PATH,
    i.e. Debian's wqy-zenhei when installed), embedded as a subset; when that file is absent, the CID font."""
    if path is None:
        path = _setting("PDF_FONT_PATH", os.environ.get("TANJI_PDF_FONT", ""))
    path = path if path and os.path.exists(path) else ""
    if path not in _fonts:
        if path:
            name = f"TanjiCJK{len(_fonts)}"
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
        else:
            name = CID_FONT
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        _fonts[path] = name
    return _fonts[path]


# Stand-ins for characters a Chinese font may lack (wqy-zenhei has no U+2212 minus): printed as a blank glyph
# otherwise, and extracted as nothing.
STAND_INS = {"\u2212": "-", "\u203a": ">", "\u2074": "^4", "\u00b3": "^3"}


def printable(text: str, name: str | None = None) -> str:
    """`text` with the characters the PDF font `name` has no glyph for replaced by their stand-ins."""
    face = getattr(pdfmetrics.getFont(name or font()), "face", None)
    covered = getattr(face, "charToGlyph", None)
    return "".join(STAND_INS[ch] if ch in STAND_INS and (covered is None or ord(ch) not in covered) else ch
                   for ch in text)


def zone() -> ZoneInfo:
    return ZoneInfo(_setting("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE))


def zone_label(moment: datetime | None = None, named: bool = True) -> str:
    """The city's zone as people read it, with its offset: "北京时间 UTC+8" (named=False: "UTC+8")."""
    tz = zone()
    offset = (moment or datetime.now(tz)).astimezone(tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    utc = f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    if not named:
        return utc
    return f"{ZONE_NAMES[tz.key]} {utc}" if tz.key in ZONE_NAMES else f"{tz.key} {utc}"


def city_time(moment: datetime | str | None, seconds: bool = False, named: bool = True) -> str:
    """A stored moment (aware datetime or ISO text; naive means UTC) in the city's zone, the zone named:
    "2026-03-01 21:05 北京时间 UTC+8"."""
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(zone())
    return f"{local.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M')} {zone_label(moment, named)}"


SCOPES = {"1": ("范围一", "Scope 1"), "2": ("范围二", "Scope 2"), "3": ("范围三", "Scope 3"),
          "export": ("输出（扣减）", "Exported (deducted)")}
CATEGORIES = {
    "stationary_combustion": ("固定燃烧", "Stationary combustion"),
    "mobile_combustion": ("移动燃烧", "Mobile combustion"),
    "process": ("工业过程", "Industrial process"),
    "fugitive": ("逸散排放", "Fugitive emissions"),
    "purchased_electricity": ("外购电力", "Purchased electricity"),
    "purchased_heat": ("外购热力", "Purchased heat"),
    "exported_electricity": ("输出电力", "Exported electricity"),
    "exported_heat": ("输出热力", "Exported heat"),
    "scope3": ("其他间接排放", "Other indirect"),
}


def bilingual(pair: tuple[str, str] | None, code: str = "") -> str:
    return f"{pair[0]} {pair[1]}" if pair else code


def styles() -> dict[str, ParagraphStyle]:
    name = font()
    base = ParagraphStyle("base", fontName=name, fontSize=9.5, leading=14)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.grey),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, textColor=GREEN, spaceAfter=6),
        "h1": ParagraphStyle("h1", parent=base, fontSize=14, leading=20, textColor=GREEN, spaceBefore=10,
                             spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=16, spaceBefore=6, spaceAfter=4),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=10, leading=16, leftIndent=10),
    }


class Heading(Paragraph):
    """A section heading that also lands in the table of contents."""

    def __init__(self, text, style, level=0):
        super().__init__(text, style)
        self.toc_level = level


class ReportDoc(BaseDocTemplate):
    """A4 portrait, a running header (the report's title) and "page n" footer; headings fill the TOC."""

    def __init__(self, buffer, title: str, subject: str = "", keywords: str = ""):
        super().__init__(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=22 * mm,
                         bottomMargin=18 * mm, title=title, author="Tanji 碳迹", subject=subject,
                         keywords=keywords, creator="Tanji 碳迹")
        self.running_title = title
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate)])

    def _decorate(self, canvas, doc):
        canvas.saveState()
        width, height = A4
        canvas.setFont(font(), 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, height - 12 * mm, self.running_title)
        canvas.drawRightString(width - 18 * mm, height - 12 * mm, "碳迹 Tanji")
        canvas.setStrokeColor(LIGHT)
        canvas.line(18 * mm, height - 14 * mm, width - 18 * mm, height - 14 * mm)
        canvas.drawCentredString(width / 2, 10 * mm, f"第 {doc.page} 页 · Page {doc.page}")
        canvas.restoreState()

    def afterFlowable(self, flowable):
        if isinstance(flowable, Heading):
            self.notify("TOCEntry", (flowable.toc_level, flowable.getPlainText(), self.page))


def table_of_contents() -> TableOfContents:
    toc = TableOfContents()
    toc.levelStyles = [styles()["toc1"]]
    return toc


def render(title: str, story: list, subject: str = "", keywords: str = "", with_toc: bool = False) -> bytes:
    buffer = io.BytesIO()
    doc = ReportDoc(buffer, title, subject, keywords)
    if with_toc:
        doc.multiBuild(story)  # two passes: the TOC learns the page numbers
    else:
        doc.build(story)
    return buffer.getvalue()


def framed_page(buffer, title: str, author: str, subject: str, keywords: str, heading: tuple[str, str],
                number_label: str, number: str, double_frame: bool = False):
    """A one-page A4 canvas for a certificate or a receipt: metadata (the number and digest in the keywords,
    so a checker finds them without reading the layout), a green frame and the bilingual heading with the
    number under it. Returns (canvas, CJK font name, y of the heading's first line)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    cjk = font()
    c = Canvas(buffer, pagesize=A4)
    c.setTitle(title)
    c.setAuthor(author)
    c.setSubject(subject)
    c.setKeywords(keywords)
    c.setCreator("Tanji 碳迹")
    width, height = A4
    c.setStrokeColor(GREEN)
    if double_frame:
        c.setLineWidth(2)
        c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        c.setLineWidth(0.5)
    else:
        c.setLineWidth(1.5)
    c.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)
    y = height - 38 * mm
    c.setFillColor(GREEN)
    c.setFont(cjk, 24)
    c.drawCentredString(width / 2, y, heading[0])
    c.setFont("Helvetica-Bold", 14)
    c.drawCentredString(width / 2, y - 9 * mm, heading[1])
    c.setFillColor(colors.black)
    c.setFont(cjk, 9)
    c.drawCentredString(width / 2, y - 16 * mm, number_label)
    c.setFont("Helvetica-Bold", 12)
    c.drawCentredString(width / 2, y - 22 * mm, number)
    return c, cjk, y


def share_text(value) -> str:
    """A stored share (0–1) as a percentage with one decimal."""
    if value in (None, ""):
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'))} %"
