"""Plain data for the PDF reports (reports/ builds the PDF from it): only stored, approved numbers.

The callers have checked access already (the view's get_or_404, or the job's requester); these functions
read what they are asked about.
"""
from datetime import date
from decimal import Decimal

from app.benchmarking.services import benchmark
from app.certificates.approved import approved, by_scope, months_between
from app.certificates.services import series_names
from app.city_index.breakdowns import sector_totals
from app.city_index.index import city_index, trend

METRIC_NAMES = {"product": ("单位产品排放", "per unit of main product"),
                "value": ("万元产值排放", "tCO2e per 10,000 CNY output"),
                "energy": ("单位能耗排放", "tCO2e per tce")}


def _ratio(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return a / b if a is not None and b else None


def enterprise_report(org, start: date, end: date, with_peers: bool = False) -> dict:
    found = approved(org.id, start, end)
    months = []
    for period in months_between(start, end):
        m = found.by_month.get(period)
        months.append({"label": period.strftime("%Y-%m"), "approved": m is not None,
                       **({"scope1": m["scope1"], "scope2": m["scope2"], "exported": m["exported"],
                           "total": m["total"], "energy_tce": m["energy_tce"],
                           "intensity_value": _ratio(m["total"], m["output_value"]),
                           "intensity_energy": _ratio(m["total"], m["energy_tce"])} if m else {})})
    data = {
        "kind": "monthly" if start == end else "annual" if (start.month, end.month) == (1, 12) else "period",
        "enterprise": {"name": org.name, "name_en": org.name_en or "", "credit_code": org.credit_code or "",
                       "industry_code": org.industry_code or ""},
        "period": {"start": start.strftime("%Y-%m"), "end": end.strftime("%Y-%m")},
        "approved_months": len(found.filings), "months_total": len(months),
        "totals": found.totals,
        "by_scope": by_scope(found.sources),
        "months": months,
        "sources": [{"name": s.name, "scope": s.scope, "category": s.category, "tco2e": s.tco2e}
                    for s in found.sources],
        "intensity": {"value": _ratio(found.totals["total"], found.output_value),
                      "energy": _ratio(found.totals["total"], found.totals["energy_tce"])},
        "factor_versions": found.factor_versions, "gwp_sets": found.gwp_sets, "grid_series": found.grid_series,
        "grid_series_names": series_names(found.grid_series), "peers": [],
    }
    if with_peers:
        data["peers"] = _peers(org, start.year)
    return data


def _peers(org, year: int) -> list[dict]:
    """The published peer aggregates only (the benchmarking service applies the disclosure rules)."""

    out = []
    for metric in benchmark(org, year).metrics:
        shown = metric.stats.shown
        out.append({"metric": METRIC_NAMES.get(metric.metric, (metric.metric, metric.metric)),
                    "own": metric.own_value, "shown": shown,
                    "q1": metric.stats.q1 if shown else None, "median": metric.stats.median if shown else None,
                    "q3": metric.stats.q3 if shown else None, "size": metric.stats.size if shown else None,
                    "quarter": metric.quarter if shown else None})
    return out


def city_report(year: int, month: int = 12, progress=lambda pct: None) -> dict:
    """The city's annual report: the index at the year's last month (rolling 12 months = the calendar year
    for December), its sub-indices, sector totals, the monthly trend and the filing coverage."""

    current = city_index(year, month)
    progress(30)
    points = trend(12, year, month)
    progress(60)
    sectors = sector_totals(year, month)
    progress(70)
    result = current.result
    return {
        "year": year, "month": month, "provisional": current.provisional,
        "dci": current.dci,
        "sub_indices": [{"key": k, "label": s.label, "score": s.score, "weight": result.weights_used.get(k)}
                        for k, s in sorted(result.sub_indices.items())] if result else [],
        "dropped": sorted(result.dropped) if result else [],
        "gross_tco2": result.gross_tco2 if result else None,
        "scope1_r12": current.inputs.scope1_r12, "scope2_r12": current.inputs.scope2_r12,
        "coverage": current.inputs.coverage, "approved": current.inputs.approved,
        "expected": current.inputs.expected,
        "sectors": [{"key": r.key, "scope1": r.scope1, "scope2": r.scope2, "estimate": r.estimate,
                     "total": r.total, "filings": r.filings} for r in sectors["sectors"]],
        "trend": [{"label": p.label, "dci": p.dci, "coverage": p.inputs.coverage} for p in points],
    }
