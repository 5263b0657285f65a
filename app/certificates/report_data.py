"""Plain data for the PDF reports (reports/ builds the PDF from it): only stored, approved numbers.

The callers have checked access already (the view's get_or_404, or the job's requester); these functions
read what they are asked about.
"""
from datetime import date
from decimal import Decimal

from app.benchmarking.services import benchmark
from app.certificates.approved import approved, by_scope, months_between
from app.certificates.services import series_names
from app.city_index.annual import month_indexes, year_figures
from app.city_index.breakdowns import Row, directory
from app.city_index.index import trend
from app.city_index.loading import ZERO, load
from app.city_index.periods import add_months
from app.city_index.projection import FORECAST_HISTORY, gross_series, year_end_forecast
from app.organisations.industries import describe
from app.verification.models import CONFIRMED, IN_PROGRESS, OPINION_ISSUED
from app.verification.services import year_statuses

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


def _sub_indices(point) -> dict:
    result = point.result
    if result is None:
        return {}
    return {k: {"score": s.score, "unclipped": s.unclipped, "weight": result.weights_used.get(k)}
            for k, s in sorted(result.sub_indices.items())}


def _row(row, before=None) -> dict:
    """A table row of the report: this period, the same months a year earlier and the change."""
    total = row.total if row is not None else None
    earlier = before.total if before is not None else None
    change = total - earlier if total is not None and earlier is not None else None
    return {"key": row.key if row is not None else before.key,
            "scope1": row.scope1 if row is not None else None,
            "estimated": row.estimated if row is not None else None,
            "statistics": row.estimate if row is not None else None,
            "total": total, "year_ago": earlier, "change": change,
            "change_percent": change / earlier * 100 if change is not None and earlier else None}


def _filed(figures):
    """The filing enterprises' part of X (the industries' and districts' total row)."""
    return Row("filed", sum((r.scope1 for r in figures.sectors), ZERO), sum((r.scope2 for r in figures.sectors), ZERO),
               estimated=figures.estimated)


def _rows(now: list, before: list) -> list[dict]:
    earlier = {r.key: r for r in before}
    keys = [r.key for r in now] + [r.key for r in before if r.key not in {n.key for n in now}]
    current = {r.key: r for r in now}
    return [_row(current.get(k), earlier.get(k)) for k in keys]


def city_report(year: int, month: int = 12, progress=lambda pct: None, top: int = 10) -> dict:
    """The city's annual report: January to `month` of `year` (12: the calendar year; the current year: its
    months that have ended), against the same months a year earlier. Sectors (with net imported electricity as
    its own row; they add up to the city's gross emissions X), industries, districts, the top emitters, the path
    and the year-end forecast, the index and its sub-indices at the last month (R12, which for December is the
    calendar year) against a year earlier, the provisional months named, how much is estimated, the verification
    status of the enterprises obliged to report in the year, and the methodology version. Names enterprises:
    the regulator's report only."""
    data = load(add_months(year, month, -(FORECAST_HISTORY - 1)), (year, month))
    progress(15)
    points = trend(12 + month, year, month, data)  # from January a year earlier
    this_year, current, before = points[12:], points[-1], points[month - 1]
    progress(35)
    now, then = year_figures(data, year, month), year_figures(data, year - 1, month)
    progress(55)
    baseline = next((p for p in reversed(this_year) if not p.provisional), None)
    projection = None
    if baseline is not None and baseline.month < 12:  # the year is not over (or its end is provisional)
        projection = year_end_forecast(baseline.year, baseline.month, data)
    gross = dict(gross_series(year, month, 12 + month, data))
    progress(65)

    path = current.settings.path
    orgs = directory(data)
    emitters = sorted(now.enterprises.items(), key=lambda kv: (-(kv[1][0] + kv[1][2]), kv[0]))[:top]
    top_rows = []
    for org_id, (approved_t, months, estimated) in emitters:
        org = orgs.get(org_id)
        earlier = then.enterprises.get(org_id)
        year_ago = earlier[0] + earlier[2] if earlier else None
        total = approved_t + estimated
        top_rows.append({"name": org.name if org else str(org_id), "name_en": (org.name_en if org else None) or "",
                         "industry": (org.industry_code if org else None) or "",
                         "district": (org.district if org else None) or "", "approved": approved_t,
                         "months": months, "estimated": estimated, "total": total, "year_ago": year_ago,
                         "change": total - year_ago if year_ago is not None else None,
                         "share": total / now.total.total if now.total.total else None})

    indexes = month_indexes(year, month)
    covered = sorted({org for index in indexes for org in data.obligations.obliged_in(index)})
    statuses = year_statuses(covered, year)
    periods = [date(year, m, 1) for m in range(1, month + 1)]
    approved_n = sum(data.months[p].owed_filings for p in periods if p in data.months)
    expected_n = sum(data.owing(p) for p in periods)
    estimated = [data.estimated(p) for p in periods]
    progress(75)
    return {
        "year": year, "month": month, "complete_year": month == 12,
        "period": {"start": f"{year}-01", "end": f"{year}-{month:02d}"},
        "provisional_months": [p.label for p in this_year if p.provisional],
        "methodology": current.methodology, "settings_id": current.settings.id,
        "settings_from": current.settings.valid_from.isoformat() if current.settings.valid_from else None,
        "leading_margin": current.settings.leading_margin,
        "gross": {"now": now.total.total if now.complete else None,
                  "year_ago": then.total.total if then.complete else None,
                  "complete": now.complete, "filed": now.filed},
        "estimated_tco2": now.estimated, "estimated_share": now.estimated_share,
        "estimated_months": sum(e.months for e in estimated), "unknown_months": sum(e.unknown for e in estimated),
        "approved": approved_n, "expected": expected_n,
        "coverage": Decimal(approved_n) / Decimal(expected_n) if expected_n else None,
        "sectors": _rows(now.sectors, then.sectors), "total": _row(now.total, then.total),
        "filed": _row(_filed(now), _filed(then)),
        "divisions": [{**r, "industry": describe(r["key"]) if r["key"] != "-" else None}
                      for r in _rows(now.divisions, then.divisions)],
        "districts": _rows(now.districts, then.districts),
        "sinks": data.sinks_in(year),
        "top_emitters": top_rows,
        "path": {"year": path.at_year(year) if path else None, "year_ago": path.at_year(year - 1) if path else None,
                 "peak_year": path.yp if path else None, "peak_cap": path.ep if path else None},
        "forecast": {"baseline": baseline.label if baseline else None, "projected": projection.year_end.projected,
                     "low": projection.year_end.low, "high": projection.year_end.high,
                     "actual_months": projection.year_end.actual_months,
                     "alerts": [a.level for a in projection.alerts]} if projection else None,
        "index": {"dci": current.dci, "dci_year_ago": before.dci, "label": current.label,
                  "label_year_ago": before.label, "provisional": current.provisional,
                  "sub_indices": _sub_indices(current), "sub_indices_year_ago": _sub_indices(before),
                  "dropped": sorted(current.result.dropped) if current.result else []},
        "months": [{"label": p.label, "gross": gross.get((p.year, p.month)),
                    "gross_year_ago": gross.get((p.year - 1, p.month)), "provisional": p.provisional,
                    "month_coverage": p.inputs.month_coverage, "dci": p.dci} for p in this_year],
        "r12": [{"label": p.label, "gross": p.result.gross_tco2 if p.result else None,
                 "path": p.result.path_target if p.result else None, "provisional": p.provisional}
                for p in points],
        "verification": {"covered": len(covered),
                         "confirmed": sum(1 for o in covered if statuses.get(o) == CONFIRMED),
                         "in_progress": sum(1 for o in covered if statuses.get(o) in (IN_PROGRESS, OPINION_ISSUED)),
                         "not_started": sum(1 for o in covered if o not in statuses)},
    }
