"""The regulator's annual city report (bilingual): the calendar year's months that have ended against the same
months a year earlier; headline figures on the first page; sectors (net imported electricity its own row, adding
up to the city's gross emissions X), industries, districts, top emitters; the path, the year-end forecast and the
index with its sub-indices (scores on a 0–100 axis, tonnes from 0); the verification status of the enterprises
obliged to report; the methodology version and what it means; how much is estimated.
Input: app.certificates.report_data.city_report()."""
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer

from app.core.numbers import tonnes
from reports import charts
from reports.common import Heading, printable, render, styles, table_of_contents
from reports.enterprise_report import table

SECTORS = {"energy": "能源 Energy", "industry": "工业 Industry", "transport": "交通 Transport",
           "buildings": "建筑 Buildings", "other": "其他 Other", "imported": "净调入电力 Net imported electricity",
           "total": "合计（城市排放总量 X）Total (city gross emissions X)"}
SUB_INDICES = {"S1": "达峰路径 Peak-path adherence", "S2": "碳强度 Carbon intensity",
               "S3": "能源转型 Energy transition", "S4": "工业能效 Industrial efficiency",
               "S5": "交通与建筑 Transport and buildings", "S6": "碳汇 Carbon sinks"}
S6_V2 = "中和进程 Progress to neutrality"
METHODOLOGY = {
    1: ("方法版本 1：在路径上或领先于路径的分项均得 100 分，0 分为无进展。"
        "Methodology version 1: a sub-index on or ahead of the city's path scores 100; 0 is no progress since the "
        "base year. A city ahead of its path therefore sees few cuts move the index."),
    2: ("方法版本 2：三点刻度，0 分为无进展，60 分为恰在城市自身路径上，100 分为领先路径一个设定幅度（领先幅度 {m}）。"
        "领先路径仍可继续得分，因此每减少一吨排放都会提高指数。碳汇分项衡量碳汇与排放总量之比（中和进程）。"
        "Methodology version 2: a three-anchor scale, 0 no progress, 60 on the city's own path, 100 leading it by "
        "the set margin ({m}). Being ahead of the path keeps earning points, so every tonne cut moves the index; "
        "S6 measures progress to neutrality, the ratio of sinks to gross emissions."),
}
NOT_GIVEN = "未注明 Not given"


def _pct(value, places=1) -> str:
    return f"{float(value) * 100:.{places}f}%" if value is not None else "—"


def _t(value, places=0) -> str:
    return tonnes(value, places)


def _signed(value, places=0) -> str:
    if value is None:
        return "—"
    text = tonnes(value, places)
    return f"+{text}" if value > 0 and not text.startswith("+") else text


def _change_pct(value) -> str:
    return _signed(value, 1) + "%" if value is not None else "—"


def _f(value) -> float | None:
    return float(value) if value is not None else None


def _sub_label(key: str, methodology: int) -> str:
    return S6_V2 if key == "S6" and methodology == 2 else SUB_INDICES.get(key, key)


def _comparison_rows(rows: list[dict], label, total: dict | None = None, statistics: bool = False) -> list[list]:
    head = ["", "范围一 Scope 1", "估算 Estimated"] + (["统计 Statistics"] if statistics else []) + \
           ["合计 Total", "上年同期 Year earlier", "变化 Change", "%"]
    head[0] = label(None)
    body = []
    for r in rows + ([total] if total else []):
        body.append([label(r["key"]), _t(r["scope1"]), _t(r["estimated"])] +
                    ([_t(r["statistics"])] if statistics else []) +
                    [_t(r["total"]), _t(r["year_ago"]), _signed(r["change"]), _change_pct(r["change_percent"])])
    return [head] + body


def _months_text(labels: list[str]) -> str:
    return "、".join(labels) if labels else "无 none"


def _headline(data: dict, s) -> list:
    """The first page: what a reader needs without turning it."""
    gross, index, verification = data["gross"], data["index"], data["verification"]
    path = data["path"]
    change = gross["now"] - gross["year_ago"] if gross["now"] is not None and gross["year_ago"] is not None else None
    rows = [["指标 Figure", f"{data['year']}", f"{data['year'] - 1}", "变化 Change"],
            ["城市排放总量 X City gross emissions (tCO2)", _t(gross["now"]), _t(gross["year_ago"]),
             _signed(change) + (f" ({_change_pct(change / gross['year_ago'] * 100)})"
                                if change is not None and gross["year_ago"] else "")]]
    if data["complete_year"] and path["year"] is not None:
        rows.append(["目标路径 The city's path for the year (tCO2)", _t(path["year"]), _t(path["year_ago"]), ""])
    rows += [["其中估算 Of which estimated (tCO2)", _t(data["estimated_tco2"]), "", _pct(data["estimated_share"])],
             [f"双碳指数 DCI ({index['label']} / {index['label_year_ago']})", _t(index["dci"], 2),
              _t(index["dci_year_ago"], 2),
              _signed(index["dci"] - index["dci_year_ago"], 2)
              if index["dci"] is not None and index["dci_year_ago"] is not None else "—"],
             ["申报覆盖 Filing coverage", f"{data['approved']} / {data['expected']}", "", _pct(data["coverage"])],
             ["核查已确认 Verification confirmed", f"{verification['confirmed']} / {verification['covered']}", "", ""]]
    story = [table(rows, widths=[78 * mm, 32 * mm, 32 * mm, 32 * mm]), Spacer(1, 3 * mm)]
    notes = []
    if data["complete_year"] and path["year"] is not None and gross["now"] is not None:
        gap = gross["now"] - path["year"]
        notes.append(f"与路径相比 Against the path: {_signed(gap)} tCO2 "
                     + ("（高于路径 above the path）" if gap > 0 else "（低于或等于路径 on or below the path）"))
    if data["forecast"]:
        f = data["forecast"]
        notes.append(f"年末预测 Year-end forecast {data['year']}: {_t(f['projected'])} tCO2 "
                     f"(80% 区间 interval {_t(f['low'])} – {_t(f['high'])}), 基准月 baseline {f['baseline']}"
                     + (f"; 路径 path {_t(path['year'])} tCO2" if path["year"] is not None else ""))
    notes.append("暂定月份 Provisional months: " + _months_text(data["provisional_months"]))
    notes.append(f"方法版本 Methodology version {data['methodology']}")
    return story + [Paragraph(escape(printable(n)), s["base"]) for n in notes]


def build(data: dict, city: str = "", progress=lambda pct: None) -> bytes:
    s = styles()
    year, month = data["year"], data["month"]
    span = f"{data['period']['start']} — {data['period']['end']}"
    title = f"{city}年度碳达峰碳中和报告 Annual city carbon report {year}"
    coverage = (f"全年 12 个月 The whole calendar year, 12 months ({span})" if data["complete_year"] else
                f"年初至今：已结束的 {month} 个月 Year to date: the {month} months that have ended ({span}); "
                f"{year} 年尚未结束 the year has not ended")
    story = [Paragraph(f"{escape(city)} {year} 年度城市碳报告<br/>Annual city carbon report {year}", s["title"]),
             Paragraph(escape(coverage) + "，与上年同期比较 against the same months a year earlier.", s["base"]),
             Spacer(1, 4 * mm), Paragraph("要点 Headline figures", s["h1"])]
    story += _headline(data, s)
    if data["provisional_months"]:
        story.append(Paragraph("暂定月份已获批的申报不足 65%，其数字会随申报获批而变化。Provisional months have fewer than "
                               "65% of the filings owed approved; their figures will change as filings are approved.",
                               s["small"]))
    story += [Spacer(1, 4 * mm), Paragraph("目录 Contents", s["h2"]), table_of_contents(), PageBreak()]
    progress(80)

    gross = data["gross"]
    months = data["months"]
    labels = [m["label"][5:] for m in months]
    story += [Heading("1 排放总量与路径 Gross emissions and the path", s["h1"]),
              charts.grouped_months(labels, [(f"{year}", [_f(m["gross"]) for m in months]),
                                             (f"{year - 1}", [_f(m["gross_year_ago"]) for m in months])],
                                    "月度排放总量 Monthly gross emissions, tCO2 (轴从 0 开始 axis from 0)")]
    r12 = data["r12"]
    story.append(charts.lines(
        [p["label"] + ("*" if p["provisional"] else "") for p in r12],
        [("滚动十二个月排放 R12 gross emissions", [_f(p["gross"]) for p in r12]),
         ("目标路径 Path", [_f(p["path"]) for p in r12])],
        "滚动十二个月排放与路径 R12 emissions and the path, tCO2 (轴从 0 开始 axis from 0; * 暂定 provisional)",
        dashed=(1,)))
    story.append(table([["月份 Month", f"{year} (tCO2)", f"{year - 1} (tCO2)", "本月覆盖 Month coverage", "状态 State"]] +
                       [[m["label"], _t(m["gross"]), _t(m["gross_year_ago"]), _pct(m["month_coverage"]),
                         "暂定 provisional" if m["provisional"] else "已定 settled"] for m in months],
                       widths=[30 * mm, 38 * mm, 38 * mm, 34 * mm, 34 * mm]))
    path = data["path"]
    if data["forecast"]:
        f = data["forecast"]
        story.append(Paragraph(escape(printable(
            f"年末预测 Year-end forecast: {_t(f['projected'])} tCO2, 80% 区间 interval {_t(f['low'])} – {_t(f['high'])}; "
            f"基于截至 {f['baseline']} 的已定月份 from the settled months up to {f['baseline']} (暂定月份不作基准 a "
            f"provisional month is never the baseline)" +
            (f"; 全年路径 the year's path {_t(path['year'])} tCO2" if path["year"] is not None else ""))), s["base"]))
    elif path["year"] is not None and gross["now"] is not None:
        story.append(Paragraph(f"全年实际 {_t(gross['now'])} tCO2，全年路径 {_t(path['year'])} tCO2。"
                               f"The year's actual {_t(gross['now'])} tCO2 against its path {_t(path['year'])} tCO2 "
                               f"(peak year {path['peak_year']}, cap {_t(path['peak_cap'])} tCO2).", s["base"]))

    story += [CondPageBreak(60 * mm), Heading("2 分部门排放 Sector totals", s["h1"]),
              table(_comparison_rows(data["sectors"], lambda k: SECTORS.get(k, k) if k else "部门 Sector",
                                     data["total"], statistics=True),
                    widths=[38 * mm, 19 * mm, 19 * mm, 20 * mm, 21 * mm, 21 * mm, 20 * mm, 16 * mm]),
              Paragraph("各行相加等于城市排放总量 X：申报企业已批准的范围一、未获批月份的估算、监管部门对无申报部门的统计数以及"
                        "净调入电力（单列一行）。范围二不计入 X；碳汇单独报告，不抵扣。"
                        "The rows add up to the city's gross emissions X: approved scope 1 of the filing enterprises, "
                        "the estimates of months without an approved filing, the regulator's statistics for the "
                        "sectors without filings and net imported electricity (its own row). Scope 2 is not added; "
                        f"sinks ({_t(data['sinks'])} tCO2 a year) are reported apart and never netted.", s["small"])]
    if not gross["complete"]:
        story.append(Paragraph("部分统计数缺失，合计不是完整的 X。Some city statistics are missing: the total is not the "
                               "whole of X.", s["small"]))

    def division_label(key):
        if key is None:
            return "行业 Industry"
        row = next(r for r in data["divisions"] if r["key"] == key)
        found = row["industry"]
        return f"{key} {found.name_zh} {found.name_en}" if found else (NOT_GIVEN if key == "-" else key)

    filed_total = data["filed"]
    story += [Heading("3 分行业排放 Industries", s["h1"]),
              table(_comparison_rows(data["divisions"], lambda k: "申报企业合计 Filing enterprises, total"
                                     if k == "filed" else division_label(k), filed_total),
                    widths=[58 * mm, 19 * mm, 19 * mm, 21 * mm, 21 * mm, 20 * mm, 16 * mm]),
              Paragraph("按国民经济行业分类（GB/T 4754）大类，申报企业的已批准范围一加估算；其合计加上无申报部门的统计数和净调入电力即为 X。"
                        "By GB/T 4754 division: the filing enterprises' approved scope 1 plus estimates; their total, "
                        "with the statistics of the sectors without filings and net imported electricity, is X.",
                        s["small"]),
              Heading("4 分区县排放 Districts", s["h1"]),
              table(_comparison_rows(data["districts"], lambda k: "区县 District" if k is None else
                                     "申报企业合计 Filing enterprises, total" if k == "filed" else
                                     NOT_GIVEN if k == "-" else k, filed_total),
                    widths=[58 * mm, 19 * mm, 19 * mm, 21 * mm, 21 * mm, 20 * mm, 16 * mm])]

    top = data["top_emitters"]
    story += [Heading("5 重点排放企业 Top emitters", s["h1"]),
              table([["企业 Enterprise", "行业 Industry", "区县 District", "合计 Total (tCO2)", "其中估算 Estimated",
                      "上年同期 A year earlier", "变化 Change", "占 X Share of X"]] +
                    [[e["name"] + (f" {e['name_en']}" if e["name_en"] else ""), e["industry"], e["district"],
                      _t(e["total"]), _t(e["estimated"]), _t(e["year_ago"]), _signed(e["change"]), _pct(e["share"])]
                     for e in top] or [["—"] + [""] * 7],
                    widths=[46 * mm, 16 * mm, 18 * mm, 22 * mm, 18 * mm, 22 * mm, 18 * mm, 14 * mm], numeric_from=3),
              Paragraph("已批准范围一加未获批月份的估算 Approved scope 1 plus the estimates of months without an approved "
                        "filing.", s["small"])]
    progress(90)

    index = data["index"]
    methodology = data["methodology"]
    subs, before = index["sub_indices"], index["sub_indices_year_ago"]
    story += [CondPageBreak(80 * mm), Heading("6 双碳指数 Dual-carbon index", s["h1"]),
              Paragraph(f"{index['label']} 的指数（滚动十二个月）与 {index['label_year_ago']} 比较。The index of "
                        f"{index['label']} (rolling 12 months) against {index['label_year_ago']}."
                        + (" 该月为暂定 This month is provisional." if index["provisional"] else ""), s["base"]),
              table([["分项 Sub-index", f"{index['label']}", f"{index['label_year_ago']}", "权重 Weight"]] +
                    [[f"{k} {_sub_label(k, methodology)}", _t(v["score"], 2),
                      _t(before[k]["score"], 2) if k in before else "—", _pct(v["weight"])]
                     for k, v in subs.items()] +
                    [["双碳指数 DCI", _t(index["dci"], 2), _t(index["dci_year_ago"], 2), ""]],
                    widths=[80 * mm, 30 * mm, 30 * mm, 30 * mm])]
    if index["dropped"]:
        story.append(Paragraph("缺少数据而未计入（其余权重按比例放大）Left out for lack of data (the other weights "
                               "scaled up): " + ", ".join(f"{k} {_sub_label(k, methodology)}"
                                                          for k in index["dropped"]), s["small"]))
    if subs:
        story.append(charts.horizontal_bars([(f"{k} {_sub_label(k, methodology)}", float(v["score"]))
                                             for k, v in subs.items()], value_max=100))
    story.append(charts.lines([m["label"] + ("*" if m["provisional"] else "") for m in months],
                              [("双碳指数 DCI", [_f(m["dci"]) for m in months])],
                              "双碳指数按月 DCI by month (0–100; * 暂定 provisional)", value_min=0, value_max=100))

    v = data["verification"]
    story += [Heading("7 核查状态 Verification status", s["h1"]),
              table([["状态 Status", "企业数 Enterprises"],
                     ["已确认 Confirmed", str(v["confirmed"])],
                     ["进行中 In progress", str(v["in_progress"])],
                     ["未开始 Not started", str(v["not_started"])],
                     ["应报告企业 Enterprises obliged to report", str(v["covered"])]], widths=[110 * mm, 50 * mm]),
              Paragraph(f"{year} 年有报告义务的企业的第三方核查。Third-party verification of {year} of the enterprises "
                        "obliged to report in the year: confirmed by the regulator, in progress (assigned or "
                        "opinion issued), not started.", s["small"])]

    margin = _pct(data["leading_margin"], 0)
    story += [Heading("8 方法与数据 Method and data", s["h1"]),
              Paragraph(escape(METHODOLOGY.get(methodology, METHODOLOGY[2]).format(m=margin)), s["base"]),
              Paragraph(f"指数设置版本 Settings version {data['settings_id'] or '—'}"
                        + (f"，自 {data['settings_from']} 起 valid from {data['settings_from']}"
                           if data["settings_from"] else ""), s["base"]),
              Paragraph(escape(printable(
                  f"估算 Estimates: {_t(data['estimated_tco2'])} tCO2 ({_pct(data['estimated_share'])} of X) for "
                  f"{data['estimated_months']} 个企业月 enterprise-months owed without an approved filing, each the "
                  "enterprise's same month a year earlier × its recent trend (clipped to 0.5–1.5), or the mean of its "
                  f"latest months; {data['unknown_months']} 个企业月无历史可估 enterprise-months without any history "
                  "are not counted. 估算从不作为申报保存 Estimates are never stored as filings.")), s["base"]),
              Paragraph(f"申报覆盖 Filing coverage: {data['approved']} / {data['expected']} 个应报企业月已获批 "
                        f"enterprise-months owed are approved ({_pct(data['coverage'])}). 某月应报企业中获批不足 65%，"
                        "或其滚动十二个月不足 65% 时，该月为暂定。A month is provisional while fewer than 65% of the "
                        "enterprises obliged in it, or of the enterprise-months of its window, have an approved filing.",
                        s["base"])]
    pdf = render(title, story, subject=title, with_toc=True)
    progress(100)
    return pdf
