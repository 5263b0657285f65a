"""The city dual-carbon index (DCI): target path, distance-to-target scores, sub-indices, coverage and alerts.

Pure functions over plain data and exact Decimals, following the DCI definition (reference/city-index.md): no Flask,
no database, no rounding; the caller rounds for display. Every intermediate figure (X, T, B, clipped and unclipped
score, the weight used) is returned so the methodology page can explain every point.

Shares are fractions (17% is Decimal("0.17")); emissions are tCO2, GDP is 10^4 CNY, both rolling 12-month sums.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import (
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from itertools import pairwise

from app.city_data.defaults import (
    DEFAULT_CUT_MILESTONES,
    DEFAULT_NON_FOSSIL_MILESTONES,
    DEFAULT_WEIGHTS,
    LATEST_PEAK_YEAR,
    SUB_INDICES,
)

__all__ = [
    "DROP_REASONS",
    "Alert",
    "CityInputs",
    "IndexResult",
    "SubIndex",
    "TargetPath",
    "alerts",
    "compute_index",
    "cut_at",
    "dci_change",
    "gross_emissions",
    "higher_reference",
    "index_time",
    "lever_table",
    "lower_reference",
    "milestone_value",
    "non_fossil_target_at",
    "normalise_higher_better",
    "normalise_higher_better_v2",
    "normalise_lower_better",
    "normalise_lower_better_v2",
    "provisional",
    "rescale_weights",
]

# decimal128 precision, as in the accounting engine; the post-peak path needs ln/exp, which round at the 34th digit.
CTX = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
TWELVE = Decimal(12)
NEUTRALITY_YEAR = 2060

LABELS = {
    "S1": "peak-path adherence",
    "S2": "carbon intensity",
    "S3": "energy transition",
    "S4": "industrial efficiency",
    "S5": "transport and buildings",
    "S6": "carbon sinks",
}
LABELS_V2 = {**LABELS, "S6": "progress to neutrality"}
METHODOLOGIES = (1, 2)
DEFAULT_MARGIN = Decimal("0.10")  # version 2's leading margin m: L = (1 ∓ m)·T
ON_PATH = Decimal(60)             # version 2's score of X = T
LEVER_TONNES = Decimal(100_000)
# Why a sub-index dropped out (IndexResult.dropped); the pages say it in words (city_index.views.DROP_REASONS).
DROP_REASONS = ("gross_incomplete", "no_gdp", "no_non_fossil_share", "no_non_fossil_base", "no_industrial_ratio",
                "no_industrial_base", "no_transport_buildings", "no_transport_buildings_base", "no_sinks",
                "no_sinks_base")
PROVISIONAL_COVERAGE = Decimal("0.65")
AMBER_BELOW = Decimal(60)
RED_BELOW = Decimal(40)
DCI_DROP_AMBER = Decimal(5)


def _dec(value, name="value"):
    """Decimal from an int, str or Decimal; a float is refused because it is already inexact."""
    if isinstance(value, float):
        raise TypeError(f"{name}: pass a Decimal, int or str, not a float")
    return value if isinstance(value, Decimal) else Decimal(value)


def _opt(value, name):
    return None if value is None else _dec(value, name)


# --- time base -----------------------------------------------------------------------------------------------

def index_time(year: int, month: int) -> Decimal:
    """The R12 window ending in month m of year y is read at t = (y − 1) + m/12 (a year's value sits at its end)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    with localcontext(CTX):
        return Decimal(year - 1) + Decimal(month) / TWELVE


def _floor(t: Decimal) -> int:
    return int(t.to_integral_value(rounding=ROUND_FLOOR))


# --- target path ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TargetPath:
    """Linear from (y0, E0) to the peak (yp, Ep), then a constant yearly decline reaching S60 in 2060."""
    y0: int
    e0: Decimal
    g0: Decimal
    yp: int
    ep: Decimal
    s60: Decimal

    def __post_init__(self):
        for f in ("e0", "g0", "ep", "s60"):
            object.__setattr__(self, f, _dec(getattr(self, f), f))
        if not self.y0 < self.yp <= LATEST_PEAK_YEAR:
            raise ValueError(f"peak year {self.yp} must be after the base year {self.y0} and no later than 2030")
        if self.e0 <= 0 or self.g0 <= 0 or self.ep <= 0:
            raise ValueError("E0, G0 and Ep must be positive")
        if not ZERO <= self.s60 <= self.ep:
            raise ValueError("S60 must be between 0 and Ep, otherwise the path does not decline after the peak")

    @property
    def decline(self) -> Decimal:
        """d = 1 − (S60/Ep)^(1/(2060 − yp)), the yearly rate of decline after the peak."""
        if self.s60 == 0:
            return ONE
        with localcontext(CTX):
            return ONE - ((self.s60 / self.ep).ln() / (NEUTRALITY_YEAR - self.yp)).exp()

    def at_year(self, y: int) -> Decimal:
        with localcontext(CTX):
            if y <= self.yp:
                return self.e0 + (self.ep - self.e0) * (y - self.y0) / (self.yp - self.y0)
            if self.s60 == 0:
                return ZERO
            # Ep·(1 − d)^(y − yp) written as one exp(), so 2060 lands on S60 to the last digit rather than
            # accumulating the rounding of d over up to 30 multiplications.
            return self.ep * ((self.s60 / self.ep).ln() * (y - self.yp) / (NEUTRALITY_YEAR - self.yp)).exp()

    def at(self, t) -> Decimal:
        """The path at fractional time t, linear between the two yearly values around it."""
        t = _dec(t, "t")
        y = _floor(t)
        lower = self.at_year(y)
        if t == y:
            return lower
        with localcontext(CTX):
            return lower + (self.at_year(y + 1) - lower) * (t - y)

    def yearly(self, years: Iterable[int]) -> list[tuple[int, Decimal]]:
        return [(y, self.at_year(y)) for y in years]

    def monthly(self, start: tuple[int, int], end: tuple[int, int]) -> list[tuple[tuple[int, int], Decimal]]:
        """The expected R12 emissions for each index month from start to end inclusive, as (year, month) pairs."""
        out = []
        year, month = start
        while (year, month) <= tuple(end):
            out.append(((year, month), self.at(index_time(year, month))))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


# --- milestone paths -----------------------------------------------------------------------------------------

def milestone_value(points: Sequence[tuple[int, Decimal]], t) -> Decimal:
    """Linear between (year, value) milestones; held flat before the first and after the last (no extrapolation:
    a target beyond the last milestone is the regulator's to set, by adding one)."""
    if not points:
        raise ValueError("no milestones")
    t = _dec(t, "t")
    points = sorted((int(y), _dec(v, "milestone")) for y, v in points)
    if t <= points[0][0]:
        return points[0][1]
    for (ya, va), (yb, vb) in pairwise(points):
        if t <= yb:
            with localcontext(CTX):
                return va + (vb - va) * (t - ya) / (yb - ya)
    return points[-1][1]


def _from_base(y0, base_value, milestones):
    # The base year's own value starts the path; a milestone at or before y0 is superseded by it.
    return [(y0, base_value)] + [(y, v) for y, v in milestones if y > y0]


def cut_at(t, y0: int, milestones=DEFAULT_CUT_MILESTONES) -> Decimal:
    """The intensity cut required at t versus the base-year intensity I0 (0 at y0)."""
    return milestone_value(_from_base(y0, ZERO, milestones), t)


def non_fossil_target_at(t, y0: int, base_share, milestones=DEFAULT_NON_FOSSIL_MILESTONES) -> Decimal:
    """The non-fossil share required at t, from the base-year share at y0 through the milestones."""
    return milestone_value(_from_base(y0, _dec(base_share, "base_share"), milestones), t)


# --- normalisation -------------------------------------------------------------------------------------------

def lower_reference(t, b=None) -> Decimal:
    """B for a lower-is-better indicator: a reference already at or below the target cannot measure progress."""
    t = _dec(t, "t")
    if b is None or _dec(b, "b") <= t:
        with localcontext(CTX):
            return Decimal("1.1") * t
    return _dec(b, "b")


def higher_reference(t, b=None) -> Decimal:
    t = _dec(t, "t")
    if b is None or _dec(b, "b") >= t:
        with localcontext(CTX):
            return Decimal("0.9") * t
    return _dec(b, "b")


def _clip(score):
    return min(max(score, ZERO), HUNDRED)


def normalise_lower_better(x, t, b=None) -> tuple[Decimal, Decimal]:
    """(clipped 0..100, unclipped) = 100·(B − X)/(B − T)."""
    x, t, b = _dec(x, "x"), _dec(t, "t"), lower_reference(t, b)
    if b == t:
        raise ValueError("target is 0: distance to target is undefined")
    with localcontext(CTX):
        raw = HUNDRED * (b - x) / (b - t)
    return _clip(raw), raw


def normalise_higher_better(x, t, b=None) -> tuple[Decimal, Decimal]:
    """(clipped 0..100, unclipped) = 100·(X − B)/(T − B)."""
    x, t, b = _dec(x, "x"), _dec(t, "t"), higher_reference(t, b)
    if b == t:
        raise ValueError("target is 0: distance to target is undefined")
    with localcontext(CTX):
        raw = HUNDRED * (x - b) / (t - b)
    return _clip(raw), raw


def _leading_lower(t, margin) -> Decimal:
    with localcontext(CTX):
        return (ONE - _dec(margin, "margin")) * t


def _leading_higher(t, margin, limit=None) -> Decimal:
    with localcontext(CTX):
        lead = (ONE + _dec(margin, "margin")) * t
    return min(lead, limit) if limit is not None else lead


def normalise_lower_better_v2(x, t, b=None, margin=DEFAULT_MARGIN) -> tuple[Decimal, Decimal]:
    """Version 2's three anchors, lower is better: 0 at B, 60 at T, 100 at L = (1 − m)·T; (clipped, unclipped)."""
    x, t, b = _dec(x, "x"), _dec(t, "t"), lower_reference(t, b)
    lead = _leading_lower(t, margin)
    if b == t or lead >= t:
        raise ValueError("target is 0 or the margin is not positive: distance to target is undefined")
    with localcontext(CTX):
        raw = ON_PATH * (b - x) / (b - t) if x >= t else ON_PATH + (HUNDRED - ON_PATH) * (t - x) / (t - lead)
    return _clip(raw), raw


def normalise_higher_better_v2(x, t, b=None, margin=DEFAULT_MARGIN, limit=None) -> tuple[Decimal, Decimal]:
    """Higher is better: 0 at B, 60 at T, 100 at L = (1 + m)·T, L never above `limit` (a share's 1). A target
    already at the limit leaves nothing to lead by: past it scores 100."""
    x, t, b = _dec(x, "x"), _dec(t, "t"), higher_reference(t, b)
    lead = _leading_higher(t, margin, limit)
    if b == t:
        raise ValueError("target is 0: distance to target is undefined")
    with localcontext(CTX):
        if x <= t:
            raw = ON_PATH * (x - b) / (t - b)
        elif lead <= t:
            raw = HUNDRED
        else:
            raw = ON_PATH + (HUNDRED - ON_PATH) * (x - t) / (lead - t)
    return _clip(raw), raw


# --- inputs and result ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CityInputs:
    """One index month's figures; None means no data (the sub-indices needing it drop out), 0 means zero."""
    scope1_tco2_r12: Decimal | None = None          # approved scope-1 emissions of filing enterprises
    non_filing_tco2_r12: Decimal | None = None      # regulator's estimate for sectors without filings
    net_import_mwh_r12: Decimal | None = None       # net imported electricity (negative if the city exports)
    grid_factor_tco2_per_mwh: Decimal | None = None  # national grid factor of that year
    gdp_r12: Decimal | None = None                  # 10^4 CNY
    non_fossil_share: Decimal | None = None
    non_fossil_base_share: Decimal | None = None
    industrial_r: Decimal | None = None             # Σ(benchmark × output) / Σ actual emissions
    industrial_base_r: Decimal | None = None
    transport_buildings_tco2_r12: Decimal | None = None
    transport_buildings_base_tco2: Decimal | None = None
    sinks_tco2: Decimal | None = None               # Σ area × rate, tCO2/yr
    sinks_base_tco2: Decimal | None = None          # K0 in y0

    def __post_init__(self):
        for f in fields(self):
            object.__setattr__(self, f.name, _opt(getattr(self, f.name), f.name))


@dataclass(frozen=True)
class SubIndex:
    key: str
    label: str
    higher_better: bool
    x: Decimal
    target: Decimal          # T
    reference: Decimal       # B as used
    reference_given: Decimal | None  # B before the fallback (None: no B of its own)
    score: Decimal           # clipped 0..100
    unclipped: Decimal
    detail: dict = field(default_factory=dict)  # figures behind X, T and B (I0, cut(t), P(t), ...)
    leading: Decimal | None = None  # L (version 2 only)

    @property
    def fallback(self) -> bool:
        """True when B was replaced by 1.1·T or 0.9·T."""
        return self.reference != self.reference_given


@dataclass(frozen=True)
class IndexResult:
    t: Decimal
    path_target: Decimal                 # P(t)
    gross_tco2: Decimal | None           # X, None when a component is missing
    gross_parts: dict                    # scope1, non_filing, imported electricity tCO2
    sub_indices: dict                    # key -> SubIndex, only those with data
    dropped: dict                        # key -> why it dropped out (a code of DROP_REASONS)
    weights_given: dict
    weights_used: dict                   # rescaled over the sub-indices present, summing to 1
    contributions: dict                  # key -> w_used · S
    dci: Decimal | None                  # None when nothing is left
    methodology: int = 1
    margin: Decimal | None = None        # version 2's leading margin m

    @property
    def scores(self) -> dict:
        return {k: s.score for k, s in self.sub_indices.items()}


def gross_emissions(inputs: CityInputs) -> tuple[Decimal | None, dict]:
    """X = scope 1 + non-filing sectors + net imported electricity × grid factor; None unless all are known,
    since a partial X would look like progress."""
    parts = {"scope1": inputs.scope1_tco2_r12, "non_filing": inputs.non_filing_tco2_r12, "imported_electricity": None}
    if inputs.net_import_mwh_r12 is not None and inputs.grid_factor_tco2_per_mwh is not None:
        with localcontext(CTX):
            parts["imported_electricity"] = inputs.net_import_mwh_r12 * inputs.grid_factor_tco2_per_mwh
    if any(v is None for v in parts.values()):
        return None, parts
    with localcontext(CTX):
        return sum(parts.values(), ZERO), parts


def rescale_weights(weights: Mapping[str, Decimal], present: Iterable[str]) -> dict:
    """The weights of the sub-indices present, scaled to sum to 1 ({} if they sum to 0)."""
    present = [k for k in SUB_INDICES if k in set(present)]
    total = sum((weights[k] for k in present), ZERO)
    if total == 0:
        return {}
    with localcontext(CTX):
        return {k: weights[k] / total for k in present}


def _sub(key, higher_better, x, target, reference, detail, margin=None, limit=None):
    """A sub-index: version 1's two-anchor scale when `margin` is None, else version 2's three anchors."""
    used = higher_reference(target, reference) if higher_better else lower_reference(target, reference)
    lead = None
    if margin is None:
        normalise = normalise_higher_better if higher_better else normalise_lower_better
        score, raw = normalise(x, target, reference)
    elif higher_better:
        score, raw = normalise_higher_better_v2(x, target, reference, margin, limit)
        lead = _leading_higher(target, margin, limit)
    else:
        score, raw = normalise_lower_better_v2(x, target, reference, margin)
        lead = _leading_lower(target, margin)
    labels = LABELS if margin is None else LABELS_V2
    return SubIndex(key, labels[key], higher_better, x, target, used, reference, score, raw, detail, lead)


def compute_index(path: TargetPath, inputs: CityInputs, t, weights: Mapping[str, Decimal] = DEFAULT_WEIGHTS,
                  cut_milestones=DEFAULT_CUT_MILESTONES,
                  non_fossil_milestones=DEFAULT_NON_FOSSIL_MILESTONES,
                  methodology: int = 1, margin=DEFAULT_MARGIN) -> IndexResult:
    """The DCI for the index month read at t (see index_time), with every figure behind it, by methodology
    version 1 (two anchors, S6 sinks alone) or 2 (three anchors with leading margin m, S6 sinks / X)."""
    t = _dec(t, "t")
    if methodology not in METHODOLOGIES:
        raise ValueError(f"methodology {methodology} is not one of {METHODOLOGIES}")
    m = _dec(margin, "margin") if methodology == 2 else None
    if m is not None and not ZERO < m < ONE:
        raise ValueError("the leading margin must be between 0 and 1")
    weights = {k: _dec(v, k) for k, v in weights.items()}
    if set(weights) != set(SUB_INDICES) or any(w < 0 for w in weights.values()):
        raise ValueError(f"weights must give a non-negative weight for each of {', '.join(SUB_INDICES)}")
    i = inputs
    x, parts = gross_emissions(i)
    p_t = path.at(t)
    p_y0 = path.at_year(path.y0)
    subs, dropped = {}, {}

    with localcontext(CTX):
        if x is None:
            dropped["S1"] = dropped["S2"] = "gross_incomplete"
        elif i.gdp_r12 is None:
            dropped["S1"] = dropped["S2"] = "no_gdp"
        else:
            i0 = path.e0 / path.g0
            # B: what the city would emit at today's GDP had its intensity stayed at the base year's.
            subs["S1"] = _sub("S1", False, x, p_t, i0 * i.gdp_r12, {"gdp_r12": i.gdp_r12, "i0": i0}, m)
            cut = cut_at(t, path.y0, cut_milestones)
            subs["S2"] = _sub("S2", False, x / i.gdp_r12, i0 * (ONE - cut), i0, {"i0": i0, "cut": cut}, m)

        if i.non_fossil_share is None or i.non_fossil_base_share is None:
            dropped["S3"] = "no_non_fossil_share" if i.non_fossil_share is None else "no_non_fossil_base"
        else:
            target = non_fossil_target_at(t, path.y0, i.non_fossil_base_share, non_fossil_milestones)
            subs["S3"] = _sub("S3", True, i.non_fossil_share, target, i.non_fossil_base_share, {}, m, ONE)

        if i.industrial_r is None or i.industrial_base_r is None:
            dropped["S4"] = "no_industrial_ratio" if i.industrial_r is None else "no_industrial_base"
        else:
            subs["S4"] = _sub("S4", True, i.industrial_r, ONE, i.industrial_base_r, {}, m)

        if i.transport_buildings_tco2_r12 is None or i.transport_buildings_base_tco2 is None or i.gdp_r12 is None:
            dropped["S5"] = ("no_transport_buildings" if i.transport_buildings_tco2_r12 is None
                             else "no_transport_buildings_base" if i.transport_buildings_base_tco2 is None
                             else "no_gdp")
        else:
            base = i.transport_buildings_base_tco2
            subs["S5"] = _sub("S5", False, i.transport_buildings_tco2_r12, base * p_t / p_y0,
                              base * i.gdp_r12 / path.g0, {"path_t": p_t, "path_y0": p_y0, "gdp_r12": i.gdp_r12},
                              m)

        if i.sinks_tco2 is None or i.sinks_base_tco2 is None:
            dropped["S6"] = "no_sinks" if i.sinks_tco2 is None else "no_sinks_base"
        elif m is None:
            k0 = i.sinks_base_tco2
            target = milestone_value([(path.y0, k0), (NEUTRALITY_YEAR, path.s60)], t)
            subs["S6"] = _sub("S6", True, i.sinks_tco2, target, k0, {"s60": path.s60})
        elif x is None or x <= 0 or p_t <= 0:
            dropped["S6"] = "gross_incomplete"  # progress to neutrality is sinks / X
        else:
            # Version 2: progress to neutrality N = sinks / X against K(t) / P(t); neutrality (N = 1) is the limit.
            k0 = i.sinks_base_tco2
            k_t = milestone_value([(path.y0, k0), (NEUTRALITY_YEAR, path.s60)], t)
            subs["S6"] = _sub("S6", True, i.sinks_tco2 / x, k_t / p_t, k0 / path.e0,
                              {"s60": path.s60, "sinks": i.sinks_tco2, "gross": x, "k_t": k_t, "path_t": p_t,
                               "k0": k0, "e0": path.e0}, m, ONE)

        used = rescale_weights(weights, subs)
        contributions = {k: used[k] * subs[k].score for k in used}
        dci = sum(contributions.values(), ZERO) if used else None

    dropped = {k: dropped[k] for k in SUB_INDICES if k in dropped}
    return IndexResult(t, p_t, x, parts, subs, dropped, weights, used, contributions, dci, methodology, m)


# --- levers (version 2) ---------------------------------------------------------------------------------------

def _less(value, amount):
    return None if value is None else value - amount


def dci_change(path: TargetPath, inputs: CityInputs, t, *, scope1_cut=ZERO, non_filing_cut=ZERO,
               transport_buildings_cut=ZERO, sinks_added=ZERO, industrial_emissions=None,
               **settings) -> tuple[Decimal | None, Decimal | None]:
    """(DCI after, change) when X is cut and sinks added, by re-evaluating the formula (no linear guess).
    `industrial_emissions`, the emissions behind R, makes a scope-1 cut one at unchanged output: the cut falls
    on the benchmarked enterprises in proportion to their share of scope 1, so R = Σ(benchmark × output) /
    Σ emissions rises with it; `settings` are compute_index's keywords."""
    i = inputs
    r = i.industrial_r
    scope1_cut = _dec(scope1_cut, "scope1_cut")
    # a cut larger than what it cuts from is no lever
    for cut, base in ((scope1_cut, i.scope1_tco2_r12), (_dec(transport_buildings_cut), i.transport_buildings_tco2_r12),
                      (_dec(non_filing_cut) + _dec(transport_buildings_cut), i.non_filing_tco2_r12)):
        if cut and (base is None or cut >= base):
            return None, None
    before = compute_index(path, inputs, t, **settings)
    if industrial_emissions is not None and r is not None and scope1_cut and i.scope1_tco2_r12:
        emissions = _dec(industrial_emissions, "industrial_emissions")
        with localcontext(CTX):
            share = min(emissions / i.scope1_tco2_r12, ONE)
            remaining = emissions - scope1_cut * share
            # a cut of all their emissions leaves R undefined: S4 then drops out
            r = r * emissions / remaining if remaining > 0 else None
    with localcontext(CTX):
        after_inputs = CityInputs(**{
            **{f.name: getattr(i, f.name) for f in fields(i)},
            "scope1_tco2_r12": _less(i.scope1_tco2_r12, _dec(scope1_cut)),
            "non_filing_tco2_r12": _less(i.non_filing_tco2_r12, _dec(non_filing_cut) + _dec(transport_buildings_cut)),
            "transport_buildings_tco2_r12": _less(i.transport_buildings_tco2_r12, _dec(transport_buildings_cut)),
            "sinks_tco2": None if i.sinks_tco2 is None else i.sinks_tco2 + _dec(sinks_added),
            "industrial_r": r})
    after = compute_index(path, after_inputs, t, **settings)
    if before.dci is None or after.dci is None:
        return after.dci, None
    return after.dci, after.dci - before.dci


def lever_table(path: TargetPath, inputs: CityInputs, t, industrial_emissions=None, amount=LEVER_TONNES,
                **settings) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """[(lever, DCI after, change)] for `amount` t less of each sector's emissions and `amount` t/yr more sinks:
    energy and industry cut approved scope 1 (industry at unchanged output, so S4 moves too), transport and
    buildings cut the regulator's estimate of those sectors."""
    amount = _dec(amount, "amount")
    levers = (("energy", {"scope1_cut": amount}),
              ("industry", {"scope1_cut": amount, "industrial_emissions": industrial_emissions}),
              ("transport_buildings", {"transport_buildings_cut": amount}),
              ("sinks", {"sinks_added": amount}))
    return [(key, *dci_change(path, inputs, t, **kwargs, **settings)) for key, kwargs in levers]


# --- coverage and alerts -------------------------------------------------------------------------------------

def provisional(approved: int, expected: int, month_approved: int | None = None,
                month_expected: int | None = None) -> bool:
    """True while fewer than 65% of the filings expected in the R12 window are approved, or (given) fewer than
    65% of the enterprises obliged in the month itself have an approved filing for it. With nothing expected
    there is no approved data to stand on, so the month stays provisional."""
    if expected <= 0 or Decimal(approved) < PROVISIONAL_COVERAGE * expected:
        return True
    if month_expected is None:
        return False
    return month_expected <= 0 or Decimal(month_approved or 0) < PROVISIONAL_COVERAGE * month_expected


@dataclass(frozen=True)
class Alert:
    level: str            # "amber" or "red"
    kind: str             # "sub_index" or "dci_drop"
    key: str | None       # the sub-index, None for the DCI
    value: Decimal        # the score, or the fall in points
    threshold: Decimal


def alerts(scores: Mapping[str, Decimal], dci=None, previous_dci=None) -> list[Alert]:
    """Threshold alerts for one month: a sub-index below 60 amber, below 40 red; the DCI falling more than 5
    points from the previous month amber. The forecast alerts (year-end forecast above the path) need the
    forecast, which lives elsewhere, and naming the sectors and enterprises behind a change needs the filings;
    both are added by the caller."""
    out = []
    for key in SUB_INDICES:
        if key not in scores:
            continue
        score = _dec(scores[key], key)
        if score < RED_BELOW:
            out.append(Alert("red", "sub_index", key, score, RED_BELOW))
        elif score < AMBER_BELOW:
            out.append(Alert("amber", "sub_index", key, score, AMBER_BELOW))
    if dci is not None and previous_dci is not None:
        fall = _dec(previous_dci, "previous_dci") - _dec(dci, "dci")
        if fall > DCI_DROP_AMBER:
            out.append(Alert("amber", "dci_drop", None, fall, DCI_DROP_AMBER))
    return out
