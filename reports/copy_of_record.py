"""The copy of record as a bilingual PDF: what was signed, by whom, under which statement, with its digest.

A human-readable rendering of the stored canonical JSON (the JSON download is the record itself). Plain
data in (the parsed document and its SHA-256), PDF bytes out; no Flask.
"""
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.core.numbers import tonnes
from reports.common import CATEGORIES, LIGHT, SCOPES, bilingual, render, styles

CHANNELS = {"web": ("网页", "web"), "api": ("接口", "API")}


def factor_label(f: dict) -> str:
    return f"{f.get('code')} {f.get('series') or ''} {f.get('data_year') or ''} v{f.get('version')}".replace("  ", " ")


def _table(rows: list, widths: list, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), LIGHT))
    table.setStyle(TableStyle(style))
    return table


def build(doc: dict, sha256: str) -> bytes:
    s = styles()
    p = lambda text, style="base": Paragraph(escape(str(text if text is not None else "—")), s[style])  # noqa: E731
    ent, filing, receipt, signer = doc["enterprise"], doc["filing"], doc["receipt"], doc["signer"]
    channel = doc["channel"]
    story = [
        Paragraph("提交副本（存档件）Copy of record", s["title"]),
        p(f"{ent['name']} {ent['name_en']} · {ent['credit_code']}"),
        p(f"报告月份 Month {filing['period']} · 版本 Revision {filing['revision']}"),
        Spacer(0, 4 * mm),
        _table([[p("回执编号 Receipt number"), p(receipt["number"])],
                [p("接收时间 Received at (UTC)"), p(receipt["received_at"])],
                [p("签署人 Signer"), p(f"{signer['name']} <{signer['email']}> · {signer['role']} · #{signer['id']}")],
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
            p(f"{line['quantity']} {line['unit']}" + (f" ({measured})" if measured else "")
              + (f" · green {line['green_mwh']} MWh" if line.get("green_mwh") else "")),
            p(bilingual(SCOPES.get(r.get("scope")), r.get("scope") or "")),
            p(tonnes(r.get("co2e_t"))),
            Paragraph(escape("; ".join(factor_label(f) for f in r.get("factors", []))) or "—", s["small"]),
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
        [p("计算 Calculation"), p(f"#{calc['id']} · engine {calc['engine_version']} · {calc['computed_at']}")],
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
        rows = [[p("时间 When (UTC)"), p("发言方 Who"), p("针对 Concerns"), p("内容 Text")]]
        rows += [[p(c["created_at"][:16].replace("T", " ")),
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
    story += [Spacer(0, 6 * mm), Paragraph(
        "本文件为所存 JSON 副本的可读版本；副本的 SHA-256 摘要已记入审计链。"
        "This is a readable rendering of the stored JSON copy of record, whose SHA-256 digest is chained into "
        "the audit trail.", s["small"])]
    return render(f"提交副本 Copy of record {receipt['number']}", story,
                  subject=f"Tanji copy of record {receipt['number']}",
                  keywords=f"receipt={receipt['number']} sha256={sha256}")
