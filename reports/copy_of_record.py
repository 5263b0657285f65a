"""The copy of record as a bilingual PDF: what was signed, by whom, under which statement, with its digest.

A human-readable rendering of the stored canonical JSON (the JSON download is the record itself). Plain
data in (the parsed document and its SHA-256), PDF bytes out; no Flask.
"""
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.core.numbers import tonnes
from reports.common import CATEGORIES, LIGHT, SCOPES, bilingual, city_time, printable, render, share_text, styles

CHANNELS = {"web": ("网页", "web"), "api": ("接口", "API")}
# Names of the JSON document's keys, for the "every field" listing (the PDF's appendix and the page). A key
# without a name here (a factor's parameter, a warning's code) is shown as it is stored.
FIELD_LABELS = {
    "document": ("文件类型", "Document type"), "document_version": ("文件格式版本", "Document format version"),
    "receipt": ("回执", "Receipt"), "number": ("编号", "Number"), "received_at": ("接收时间", "Received at"),
    "enterprise": ("企业", "Enterprise"), "id": ("编号", "ID"), "name": ("名称", "Name"),
    "name_en": ("英文名称", "English name"), "credit_code": ("统一社会信用代码", "Credit code"),
    "filing": ("申报", "Filing"), "period": ("报告月份", "Month"), "revision": ("版本", "Revision"),
    "amends_filing_id": ("所更正的申报", "Amends filing"), "amendment_reason": ("更正原因", "Reason for the amendment"),
    "lines": ("活动数据", "Activity lines"), "source_id": ("排放源编号", "Source ID"),
    "source_name": ("排放源", "Source"), "category": ("类别", "Category"), "material": ("燃料或物料", "Material"),
    "quantity": ("活动量", "Quantity"), "unit": ("单位", "Unit"), "measured": ("实测参数", "Measured values"),
    "green_mwh": ("绿电 MWh", "Green electricity MWh"), "result": ("计算结果", "Result"),
    "scope": ("范围", "Scope"), "co2_t": ("CO2 (t)", "CO2 (t)"), "ch4_t": ("CH4 (t)", "CH4 (t)"),
    "n2o_t": ("N2O (t)", "N2O (t)"), "other_t": ("其他气体 (t)", "Other gases (t)"),
    "co2e_t": ("排放量 tCO2e", "Emissions tCO2e"), "co2e_market_t": ("市场法排放量 tCO2e", "Market-based tCO2e"),
    "energy_tce": ("能耗 tce", "Energy tce"), "factors": ("排放因子", "Factors"), "formula": ("公式", "Formula"),
    "code": ("代码", "Code"), "series": ("系列", "Series"), "data_year": ("数据年份", "Data year"),
    "version": ("版本", "Version"), "kind": ("类型", "Kind"), "source": ("来源", "Source"),
    "status": ("状态", "Status"), "valid_from": ("有效起", "Valid from"), "valid_to": ("有效至", "Valid to"),
    "values": ("参数值", "Values"), "ncv": ("低位发热量", "Net calorific value"),
    "carbon_content": ("单位热值含碳量", "Carbon content"), "oxidation_rate": ("碳氧化率", "Oxidation rate"),
    "ef": ("排放因子", "Emission factor"), "gwp": ("全球变暖潜势", "GWP"), "parameters": ("参数", "Parameters"),
    "origin": ("来源", "Origin"),
    "calculation": ("计算", "Calculation"), "engine_version": ("计算引擎版本", "Engine version"),
    "computed_at": ("计算时间", "Computed at"), "gwp_set": ("GWP 值版本", "GWP set"),
    "settings": ("计算设置", "Settings"), "grid_series": ("电网因子系列", "Grid factor series"),
    "include_ch4_n2o": ("计入 CH4 和 N2O", "CH4 and N2O included"), "totals_tco2e": ("合计 tCO2e", "Totals tCO2e"),
    "scope1": ("范围一", "Scope 1"), "scope2": ("范围二", "Scope 2"),
    "scope2_market": ("范围二（市场法）", "Scope 2 (market-based)"), "scope3": ("范围三", "Scope 3"),
    "exported": ("输出（扣减）", "Exported (deducted)"), "total": ("合计", "Total"),
    "production": ("产量", "Production"), "product_id": ("产品编号", "Product ID"),
    "product_name": ("产品", "Product"), "output_value_10k_cny": ("工业总产值（万元）", "Output value (10,000 CNY)"),
    "explanations": ("异常说明", "Explanations"), "evidence": ("证据文件", "Evidence files"),
    "filename": ("文件名", "File name"), "sha256": ("SHA-256", "SHA-256"), "size_bytes": ("大小（字节）", "Size (bytes)"),
    "description": ("说明", "Description"), "conversation": ("审核意见与答复", "Conversation"),
    "side": ("发言方", "Side"), "author_id": ("发言人编号", "Author ID"), "author_name": ("发言人", "Author"),
    "created_at": ("时间", "When"), "reply_to": ("答复", "Reply to"), "text": ("内容", "Text"),
    "signer": ("签署人", "Signer"), "email": ("电子邮箱", "E-mail"), "role": ("角色", "Role"),
    "statement": ("签署声明", "Certification statement"), "zh": ("中文", "Chinese"), "en": ("英文", "English"),
    "channel": ("提交渠道", "Channel"), "token_id": ("令牌编号", "Token ID"),
    "method": ("核算方法", "Calculation method"), "provenance": ("数据来源性质", "Provenance"),
    "reason": ("原因", "Reason"), "substituted": ("替代值", "Substituted"),
    "regime": ("总量所依据的口径", "Regime of the total"), "totals_by_regime": ("各口径总量 tCO2e", "Totals by regime"),
    "ets": ("全国碳市场", "National ETS"), "guideline": ("24个行业核算指南", "24-industry guidelines"),
    "inventory": ("温室气体核算体系清单", "GHG Protocol inventory"),
    "substituted_share": ("基于替代值的比例", "Share resting on substituted values"),
    "lab_reports": ("化验报告", "Laboratory reports"), "parameter": ("参数", "Parameter"),
    "lab_name": ("检测机构", "Laboratory"), "accreditation": ("CMA/CNAS 编号", "CMA or CNAS number"),
    "sample_id": ("样品编号", "Sample number"), "sample_date": ("采样日期", "Sample date"),
}
TIME_KEYS = {"received_at", "computed_at", "created_at"}  # stored in UTC; printed in the city's zone


def field_value(key: str, value, names: dict | None = None) -> tuple[str, str]:
    """One stored value as (Chinese, English): times in the city's zone (named), yes/no, "—" for none, a code by
    its name (`names`: (key, code) → (Chinese, English)), else as stored."""
    if value is None or value == "":
        return "—", "—"
    if isinstance(value, bool):
        return ("是", "Yes") if value else ("否", "No")
    if key in TIME_KEYS:
        return city_time(value, seconds=True), city_time(value, seconds=True, named=False)
    named = (names or {}).get((key, value)) if isinstance(value, str) else None
    return named or (str(value), str(value))


def record_fields(doc: dict, names: dict | None = None) -> list[tuple[str, str, str, str, str]]:
    """Every leaf of the copy of record as (key, Chinese label, English label, Chinese value, English value), in
    the document's order: nothing the JSON holds is left out of its readable renderings."""
    rows: list[tuple[str, str, str, str, str]] = []

    def walk(node, zh: list[str], en: list[str], key: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                zh_name, en_name = FIELD_LABELS.get(k, (k, k))
                walk(v, zh + [zh_name], en + [en_name], k)
        elif isinstance(node, list):
            for i, v in enumerate(node, start=1):
                walk(v, zh + [f"第 {i} 项"], en + [f"#{i}"], key)
            if not node:
                rows.append((key, " / ".join(zh), " / ".join(en), "—", "—"))
        else:
            rows.append((key, " / ".join(zh), " / ".join(en), *field_value(key, node, names)))

    walk(doc, [], [], "")
    return rows


def _both(pair: tuple[str, str]) -> str:
    return pair[0] if pair[0] == pair[1] else f"{pair[0]} {pair[1]}"


def factor_label(f: dict, names: dict | None = None) -> str:
    names = names or {}
    code = _both(names.get(("code", f.get("code")), (f.get("code"), f.get("code"))))
    series = _both(names.get(("series", f.get("series")), (f.get("series") or "",) * 2))
    return f"{code} {series} {f.get('data_year') or ''} v{f.get('version')}".replace("  ", " ")


def _table(rows: list, widths: list, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), LIGHT))
    table.setStyle(TableStyle(style))
    return table



def build(doc: dict, sha256: str, names: dict | None = None) -> bytes:
    s = styles()
    p = lambda text, style="base": Paragraph(escape(printable(str(text if text is not None else "—"))),  # noqa: E731
                                             s[style])
    ent, filing, receipt, signer = doc["enterprise"], doc["filing"], doc["receipt"], doc["signer"]
    channel = doc["channel"]
    story = [
        Paragraph("提交副本（存档件）Copy of record", s["title"]),
        p(f"{ent['name']} {ent['name_en']} · {ent['credit_code']}"),
        p(f"报告月份 Month {filing['period']} · 版本 Revision {filing['revision']}"),
        Spacer(0, 4 * mm),
        _table([[p("回执编号 Receipt number"), p(receipt["number"])],
                [p("接收时间 Received at"), p(city_time(receipt["received_at"], seconds=True))],
                [p("签署人 Signer"), p(f"{signer['name']} <{signer['email']}> · "
                                   f"{_both(field_value('role', signer['role'], names))} · #{signer['id']}")],
                [p("提交渠道 Channel"), p(bilingual(CHANNELS.get(channel["kind"]), channel["kind"])
                                          + (f" · token #{channel['token_id']}" if channel.get("token_id") else ""))],
                [p("SHA-256"), Paragraph(sha256, s["small"])]], [48 * mm, 126 * mm], header=False),
    ]
    if filing.get("amendment_reason"):
        story += [Spacer(0, 2 * mm), p(f"更正原因 Reason for the amendment: {filing['amendment_reason']}")]
    story += [Paragraph("签署声明 Certification statement (v%d)" % doc["statement"]["version"], s["h1"]),
              p(doc["statement"]["zh"]), Spacer(0, 2 * mm), p(doc["statement"]["en"])]

    story.append(Paragraph("活动数据与计算结果 Activity data and results", s["h1"]))
    rows = [[p("排放源 Source"), p("活动量 Quantity"), p("范围 Scope"), p("tCO2e"), p("因子版本 Factor versions")]]
    for line in doc["lines"]:
        r = line.get("result") or {}
        category = CATEGORIES.get(line["category"], (line["category"], line["category"]))
        measured = "; ".join(f"{k}={v}" for k, v in line.get("measured", {}).items())
        rows.append([
            p(f"#{line['source_id']} {line['source_name']} · {category[0]} {category[1]}"),
            p(f"{line['quantity']} {_both(field_value('unit', line['unit'], names))}"
              + (f" ({measured})" if measured else "")
              + (f" · green {line['green_mwh']} MWh" if line.get("green_mwh") else "")),
            p(bilingual(SCOPES.get(r.get("scope")), r.get("scope") or "")),
            p(tonnes(r.get("co2e_t"))),
            Paragraph(escape("; ".join(factor_label(f, names) for f in r.get("factors", []))) or "—",
                      s["small"]),
        ])
    story.append(_table(rows, [48 * mm, 36 * mm, 24 * mm, 22 * mm, 44 * mm]))
    calc = doc["calculation"]
    t = calc["totals_tco2e"]
    story += [Spacer(0, 3 * mm), _table([
        [p("范围一 Scope 1"), p(tonnes(t["scope1"]))],
        [p("范围二 Scope 2 (location-based)"), p(tonnes(t["scope2"]))],
        [p("输出（扣减）Exported (deducted)"), p(tonnes(t["exported"]))],
        [p("合计 Total (tCO2e)"), p(tonnes(t["total"]))],
        [p("范围三 Scope 3 (reported separately)"), p(tonnes(t["scope3"]))],
        [p("能耗 Energy (tce)"), p(tonnes(calc["energy_tce"]))],
        [p("GWP 值版本 GWP set"), p(calc.get("gwp_set"))],
        *([[p("基于替代值的比例 Share resting on substituted values"), p(share_text(calc["substituted_share"]))],
           *[[p(f"{FIELD_LABELS[name][0]} {FIELD_LABELS[name][1]} (tCO2e)"), p(tonnes(value))]
             for name, value in calc["totals_by_regime"].items()]]
          if "totals_by_regime" in calc else []),
        [p("计算 Calculation"), p(f"#{calc['id']} · engine {calc['engine_version']} · {city_time(calc['computed_at'])}")],
    ], [80 * mm, 94 * mm], header=False)]

    if doc["production"] or doc.get("output_value_10k_cny"):
        story.append(Paragraph("产量与产值 Production and output value", s["h1"]))
        rows = [[p("产品 Product"), p("产量 Quantity")]]
        rows += [[p(f"#{x['product_id']} {x['product_name']}"), p(f"{x['quantity']} {x['unit']}")]
                 for x in doc["production"]]
        rows.append([p("工业总产值（万元）Output value (10k CNY)"), p(doc.get("output_value_10k_cny"))])
        story.append(_table(rows, [100 * mm, 74 * mm]))
    if doc["explanations"]:
        story.append(Paragraph("异常说明 Explanations of warnings", s["h1"]))
        story.append(_table([[p(k), p(v)] for k, v in doc["explanations"].items()], [60 * mm, 114 * mm],
                            header=False))
    if doc.get("conversation"):  # copies signed before the conversation was recorded have none
        sides = {"authority": "监管部门 Regulator", "enterprise": "企业 Enterprise"}
        story.append(Paragraph("审核意见与答复 Conversation with the regulator", s["h1"]))
        rows = [[p("时间 When"), p("发言方 Who"), p("针对 Concerns"), p("内容 Text")]]
        rows += [[p(city_time(c["created_at"])),
                  p(f"{sides.get(c['side'], c['side'])}" + (f" · {c['author_name']}" if c.get("author_name") else "")),
                  p(f"#{c['source_id']} {c['source_name']}" if c.get("source_id") else "整份报告 Whole filing"),
                  p(c["text"])] for c in doc["conversation"]]
        story.append(_table(rows, [28 * mm, 36 * mm, 36 * mm, 74 * mm]))
    story.append(Paragraph("证据文件 Evidence files", s["h1"]))
    if doc["evidence"]:
        rows = [[p("文件 File"), p("SHA-256")]]
        rows += [[p(e["filename"]), Paragraph(e["sha256"], s["small"])] for e in doc["evidence"]]
        story.append(_table(rows, [70 * mm, 104 * mm]))
    else:
        story.append(p("无 None"))
    # One row per report file, with the parameters it gives (copies signed before lab reports were recorded: none).
    reports: dict[tuple, list] = {}
    for line in doc["lines"]:
        for r in line.get("lab_reports", []):
            reports.setdefault((line["source_name"], r["sha256"]), []).append(r)
    if reports:
        story.append(Paragraph("化验报告 Laboratory reports", s["h1"]))
        rows = [[p("排放源 Source"), p("参数 Parameters"), p("检测机构 Laboratory"), p("样品 Sample"),
                 p("文件 File")]]
        rows += [[p(source), p("; ".join(_both(field_value("parameter", r["parameter"], names)) for r in group)),
                  p(f"{group[0]['lab_name']} · {group[0]['accreditation']}"),
                  p(f"{group[0]['sample_id']} · {group[0]['sample_date']}"),
                  Paragraph(escape(f"{group[0]['filename']} {sha}"), s["small"])]
                 for (source, sha), group in reports.items()]
        story.append(_table(rows, [26 * mm, 48 * mm, 36 * mm, 28 * mm, 36 * mm]))
    story += [Paragraph("全部字段 Every field of the record", s["h1"]),
              p("以下逐项列出 JSON 副本的每个字段（数值按原样，时间为城市时间）。"
                "Every field of the JSON copy, item by item (figures as stored, times in the city's zone).",
                "small"),
              _table([[p("字段 Field", "small"), p("值 Value", "small")]] +
                     [[p(f"{zh} — {en}" if zh != en else zh, "small"), p(_both((value_zh, value_en)), "small")]
                      for _key, zh, en, value_zh, value_en in record_fields(doc, names)], [84 * mm, 90 * mm])]
    story += [Spacer(0, 6 * mm), Paragraph(
        "本文件为所存 JSON 副本的可读版本；副本的 SHA-256 摘要已记入审计链。"
        "This is a readable rendering of the stored JSON copy of record, whose SHA-256 digest is chained into "
        "the audit trail.", s["small"])]
    return render(f"提交副本 Copy of record {receipt['number']}", story,
                  subject=f"Tanji copy of record {receipt['number']}",
                  keywords=f"receipt={receipt['number']} sha256={sha256}")
