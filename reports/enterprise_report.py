"""The enterprise's monthly or annual carbon report (bilingual): totals, by scope, by month, by source,
intensity, peer position and the method. Input: app.certificates.report_data.enterprise_report()."""
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

from app.core.numbers import tonnes
from reports import charts
from reports.common import CATEGORIES, LIGHT, SCOPES, Heading, printable, render, styles, table_of_contents

KINDS = {"monthly": ("月度碳排放报告", "Monthly carbon report"), "annual": ("年度碳排放报告", "Annual carbon report"),
         "period": ("碳排放报告", "Carbon report")}


def table(rows: list[list], widths=None, header_rows: int = 1, numeric_from: int = 1) -> Table:
    s = styles()
    cells = [[Paragraph(escape(printable(c)), s["base"]) if isinstance(c, str) and not _numeric(c) else c for c in row]
             for row in rows]
    t = Table(cells, colWidths=widths, repeatRows=header_rows)
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), s["base"].fontName), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), LIGHT), ("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return t


def _numeric(text: str) -> bool:
    return text[:1].isdigit() or text[:1] in "-—+"


def _f(value) -> float:
    return float(value or 0)


def _ratio(value, places=4) -> str:
    return tonnes(value, places) if value is not None else "—"


def build(data: dict, progress=lambda pct: None) -> bytes:
    s = styles()
    kind = KINDS[data["kind"]]
    ent, period = data["enterprise"], data["period"]
    span = period["start"] if period["start"] == period["end"] else f"{period['start']} — {period['end']}"
    title = f"{kind[0]} {kind[1]} · {ent['name']} · {span}"
    long_report = data["kind"] != "monthly"
    story = [Paragraph(f"{kind[0]}<br/>{kind[1]}", s["title"]),
             table([["企业 Enterprise", ent["name"] + (f" / {ent['name_en']}" if ent["name_en"] else "")],
                    ["统一社会信用代码 Credit code", ent["credit_code"]],
                    ["行业代码 Industry", ent["industry_code"]],
                    ["报告期 Period", span],
                    ["已获批月份 Approved months", f"{data['approved_months']} / {data['months_total']}"]],
                   widths=[60 * mm, 110 * mm], header_rows=0, numeric_from=2),
             Spacer(1, 4 * mm),
             Paragraph("本报告仅采用已获监管部门批准的月度申报所存储的计算结果。"
                       "This report uses only the stored calculations of filings approved by the regulator.",
                       s["small"])]
    if long_report:
        story += [Spacer(1, 6 * mm), Paragraph("目录 Contents", s["h1"]), table_of_contents(), PageBreak()]

    totals = data["totals"]
    story += [Heading("1 排放总览 Summary", s["h1"]),
              table([["项目 Item", "tCO2e"],
                     ["排放总量 Total", tonnes(totals["total"])],
                     ["范围一 Scope 1", tonnes(totals["scope1"])],
                     ["范围二 Scope 2", tonnes(totals["scope2"])],
                     ["输出扣减 Exported", tonnes(totals["exported"])],
                     ["范围三 Scope 3 (reported apart)", tonnes(totals["scope3"])],
                     ["综合能耗 Energy (tce)", tonnes(totals["energy_tce"], 1)]], widths=[100 * mm, 60 * mm]),
              Heading("2 按范围 By scope", s["h1"]),
              charts.pie([(" ".join(SCOPES.get(k, (k, k))), _f(v)) for k, v in sorted(data["by_scope"].items())
                          if k in ("1", "2")])]
    progress(30)

    months = data["months"]
    story += [Heading("3 按月 By month", s["h1"])]
    if len(months) > 1:
        story.append(charts.stacked_months([m["label"] for m in months],
                                           [("范围一 Scope 1", [_f(m.get("scope1")) for m in months]),
                                            ("范围二 Scope 2", [_f(m.get("scope2")) for m in months])]))
    story.append(table([["月份 Month", "范围一 Scope 1", "范围二 Scope 2", "合计 Total", "tCO2e / 万元 (10,000 CNY)"]] +
                       [[m["label"], tonnes(m["scope1"]), tonnes(m["scope2"]), tonnes(m["total"]),
                         _ratio(m["intensity_value"])] if m["approved"] else
                        [m["label"], "未获批 not approved", "", "", ""] for m in months]))
    progress(50)

    story += [Heading("4 按排放源 By source", s["h1"]),
              charts.horizontal_bars([(src["name"], _f(src["tco2e"])) for src in data["sources"][:10]]),
              table([["排放源 Source", "类别 Category", "范围 Scope", "tCO2e"]] +
                    [[src["name"], " ".join(CATEGORIES.get(src["category"], (src["category"], ""))),
                      SCOPES.get(src["scope"], (src["scope"], src["scope"]))[1], tonnes(src["tco2e"])]
                     for src in data["sources"]], widths=[55 * mm, 55 * mm, 30 * mm, 34 * mm], numeric_from=3)]

    story += [Heading("5 排放强度 Intensity", s["h1"]),
              table([["指标 Metric", "数值 Value"],
                     ["万元产值排放 tCO2e per 10,000 CNY output", _ratio(data["intensity"]["value"])],
                     ["单位能耗排放 tCO2e per tce", _ratio(data["intensity"]["energy"])]],
                    widths=[110 * mm, 50 * mm])]
    if len(months) > 1:
        story.append(charts.line([m["label"] for m in months],
                                 [float(m["intensity_value"]) if m.get("intensity_value") is not None else None
                                  for m in months], "tCO2e / 万元 (10,000 CNY)"))
    progress(70)

    if data["peers"]:
        story += [Heading("6 同行业对标 Peer position", s["h1"]),
                  table([["指标 Metric", "本企业 Own", "下四分位 Q1", "中位数 Median", "上四分位 Q3", "四分位 Quarter"]] +
                        [[f"{p['metric'][0]} {p['metric'][1]}", _ratio(p["own"]), _ratio(p["q1"]),
                          _ratio(p["median"]), _ratio(p["q3"]),
                          str(p["quarter"]) if p["quarter"] else "—"] if p["shown"] else
                         [f"{p['metric'][0]} {p['metric'][1]}", _ratio(p["own"]), "同行不足，不公布",
                          "too few peers", "", ""] for p in data["peers"]],
                        widths=[52 * mm, 24 * mm, 24 * mm, 26 * mm, 24 * mm, 24 * mm]),
                  Paragraph("仅显示符合披露规则的同行汇总值。Only peer aggregates that pass the disclosure rules.",
                            s["small"])]

    story += [Heading("7 方法 Method", s["h1"]),
              Paragraph("GWP: " + ", ".join(data["gwp_sets"]) + " · 电网因子 Grid series: " +
                        ", ".join(data.get("grid_series_names", {}).get(g, g) for g in data["grid_series"]),
                        s["base"]),
              Paragraph("排放因子版本 Factor versions: " + "; ".join(data["factor_versions"]), s["small"])]
    pdf = render(title, story, subject=title, with_toc=long_report)
    progress(100)
    return pdf
