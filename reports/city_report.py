"""The regulator's annual city report (bilingual): the dual-carbon index, its sub-indices, sector totals,
the monthly trend and the filing coverage. Input: app.certificates.report_data.city_report()."""
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from app.core.numbers import tonnes
from reports import charts
from reports.common import Heading, render, styles, table_of_contents
from reports.enterprise_report import table

SECTORS = {"energy": "能源 Energy", "industry": "工业 Industry", "transport": "交通 Transport",
           "buildings": "建筑 Buildings", "other": "其他 Other"}
SUB_INDICES = {"S1": "达峰路径 Peak-path adherence", "S2": "碳强度 Carbon intensity",
               "S3": "能源转型 Energy transition", "S4": "工业能效 Industrial efficiency",
               "S5": "交通与建筑 Transport and buildings", "S6": "碳汇 Carbon sinks"}


def _pct(value) -> str:
    return f"{float(value):.1%}" if value is not None else "—"


def build(data: dict, city: str = "", progress=lambda pct: None) -> bytes:
    s = styles()
    year = data["year"]
    title = f"{city}年度碳达峰碳中和报告 Annual city carbon report {year}"
    story = [Paragraph(f"{city} {year} 年度城市碳报告<br/>Annual city carbon report {year}", s["title"]),
             Paragraph(f"截至 {year}-{data['month']:02d} 的滚动十二个月 · Rolling 12 months to "
                       f"{year}-{data['month']:02d}" + (" · 数据暂定 provisional" if data["provisional"] else ""),
                       s["base"]),
             Spacer(1, 6 * mm), Paragraph("目录 Contents", s["h1"]), table_of_contents(), PageBreak()]
    story += [Heading("1 双碳指数 Dual-carbon index", s["h1"]),
              table([["指标 Item", "数值 Value"],
                     ["双碳指数 DCI", tonnes(data["dci"], 1)],
                     ["排放总量 Gross emissions (tCO2)", tonnes(data["gross_tco2"], 0)],
                     ["申报企业范围一 Scope 1 of filings (tCO2e)", tonnes(data["scope1_r12"], 0)],
                     ["申报企业范围二 Scope 2 of filings (tCO2e)", tonnes(data["scope2_r12"], 0)]],
                    widths=[110 * mm, 50 * mm]),
              Heading("2 分项指数 Sub-indices", s["h1"]),
              table([["分项 Sub-index", "得分 Score", "权重 Weight"]] +
                    [[SUB_INDICES.get(x["key"], x["label"]), tonnes(x["score"], 1), _pct(x["weight"])]
                     for x in data["sub_indices"]] or [["—", "", ""]], widths=[100 * mm, 30 * mm, 30 * mm])]
    if data["dropped"]:
        story.append(Paragraph("缺少数据而未计入 Left out for lack of data: " + ", ".join(data["dropped"]), s["small"]))
    progress(80)
    story += [Heading("3 分部门排放 Sector totals", s["h1"]),
              charts.pie([(SECTORS.get(r["key"], r["key"]), float(r["total"])) for r in data["sectors"]]),
              table([["部门 Sector", "范围一 Scope 1", "估算 Estimate", "合计 Total", "申报数 Filings"]] +
                    [[SECTORS.get(r["key"], r["key"]), tonnes(r["scope1"], 0), tonnes(r["estimate"], 0),
                      tonnes(r["total"], 0), str(r["filings"])] for r in data["sectors"]]),
              Heading("4 月度趋势 Trend", s["h1"]),
              charts.line([p["label"] for p in data["trend"]],
                          [float(p["dci"]) if p["dci"] is not None else None for p in data["trend"]], "DCI"),
              table([["月份 Month", "双碳指数 DCI", "覆盖率 Coverage"]] +
                    [[p["label"], tonnes(p["dci"], 1), _pct(p["coverage"])] for p in data["trend"]]),
              Heading("5 申报覆盖 Coverage", s["h1"]),
              Paragraph(f"已获批申报 Approved filings: {data['approved']} / {data['expected']} "
                        f"({_pct(data['coverage'])})", s["base"])]
    pdf = render(title, story, subject=title, with_toc=True)
    progress(100)
    return pdf
