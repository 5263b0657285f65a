"""What every calculation method shares: its declaration, its gas masses and how it reads its inputs.

A method is a small pure function of one source-month: the quantity (already in the method's unit), the parameters
the enterprise filed and the default factors from the library. It returns gas masses before any GWP, and records
in its trace every input with its provenance (measured | plan_default | substituted) and every factor version used.
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
TWELVE = Decimal(12)
EMPTY: Mapping = MappingProxyType({})

MEASURED, PLAN_DEFAULT, SUBSTITUTED = "measured", "plan_default", "substituted"
WARN, BLOCK = "warn", "block"

# t per 10⁴ Nm³ at 0 °C, 101.325 kPa: 1.97 kg/Nm³ CO2, 0.717 kg/Nm³ CH4 (sector-methods.md §3, §7).
CO2_T_PER_10K_NM3 = Decimal("19.7")
CH4_T_PER_10K_NM3 = Decimal("7.17")
MOLAR_VOLUME = Decimal("22.4")  # Nm³/kmol


class Masses(NamedTuple):
    """A line's gases and energy flows before any GWP. A NamedTuple: one per source-month, so it must be cheap."""

    co2_fossil_t: Decimal = ZERO
    co2_bio_t: Decimal = ZERO          # biomass CO2: reported beside every total, never in it
    ch4_fossil_t: Decimal = ZERO
    ch4_bio_t: Decimal = ZERO
    n2o_t: Decimal = ZERO
    fgas_t: Mapping[str, Decimal] = EMPTY  # species -> t (SF6, CF4, HFC-134a, ...)
    elec_in_mwh: Decimal = ZERO
    elec_out_mwh: Decimal = ZERO
    elec_green_mwh: Decimal = ZERO     # of elec_in, bought with green certificates (market-based scope 2)
    heat_in_gj: Decimal = ZERO
    heat_out_gj: Decimal = ZERO
    co2_recovered_t: Decimal = ZERO    # supplied to others or used as feedstock
    co2_stored_t: Decimal = ZERO       # of co2_recovered_t, stored geologically with evidence
    ch4_recovered_t: Decimal = ZERO    # recovered from this line's own vent

    def as_text(self) -> dict:
        """JSON-safe: non-zero figures as decimal strings."""
        out = {}
        for name, value in zip(self._fields, self, strict=True):
            if name == "fgas_t":
                if value:
                    out[name] = {gas: str(t) for gas, t in value.items()}
            elif value:
                out[name] = str(value)
        return out


@dataclass(frozen=True)
class Band:
    """A plausibility band (sector-methods.md §10); None on a side: no limit there."""

    low: Decimal | None = None
    high: Decimal | None = None
    low_open: bool = False  # (0, 1]: zero itself is outside

    def contains(self, value: Decimal) -> bool:
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return self.high is None or value <= self.high


@dataclass(frozen=True)
class Param:
    """One input of a method, as the filing carries it (the API's `parameters` names)."""

    name: str
    unit: str                    # as typed: "%", "GJ/t", "tC/10^4 Nm3", "t", "h", "" (a choice or a flag)
    kind: str = "number"         # number | composition | items | pairs | choice | flag | counts
    default: str | None = None   # factor code (kind method_default) used when the parameter is missing
    required: bool = False
    warn: Band | None = None
    block: Band | None = None
    choices: tuple = ()          # a choice's codes; the kinds a count may name (counts)


@dataclass(frozen=True)
class Issue:
    """A plausibility finding. `code` is stable (the wiring translates it); a block stops submission."""

    level: str
    code: str
    parameter: str
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    unit: str = ""  # of value, low and high, as the user reads them


@dataclass(frozen=True)
class Method:
    code: str
    family: str
    category: str                     # the source category it files under (engine.SCOPES key)
    quantity_units: tuple[str, ...]   # canonical unit the quantity is converted to ("" : not converted, e.g. "d")
    params: tuple[Param, ...]
    formula: str
    calculate: Callable = field(repr=False, default=None)
    checks: Callable | None = field(repr=False, default=None)   # extra plausibility: (line values) -> [Issue]
    combustion: bool = False          # its CH4/N2O are combustion gases (counted in the inventory only)
    scope: str = "1"                  # "memo": counts in no legacy total (recovered CO2)
    defaults: tuple[str, ...] = ()    # every method_default factor code it may use

    @cached_property
    def param_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params)

    @cached_property
    def specs(self) -> dict[str, Param]:
        return {p.name: p for p in self.params}


class MethodError(ValueError):
    """Input a method cannot compute from; the engine adds the source and month."""


def number(value, what: str, positive: bool = False) -> Decimal:
    if type(value) is Decimal and value.is_finite() and (value > 0 or (value == 0 and not positive)):
        return value  # the common case, already checked
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise MethodError(f"{what} must be a decimal number, got {type(value).__name__} {value!r}")
    try:
        value = Decimal(value)
    except ArithmeticError:
        raise MethodError(f"{what} is not a number ({value!r})") from None
    if not value.is_finite():
        raise MethodError(f"{what} is not a finite number ({value})")
    if value < 0 or (positive and value == 0):
        raise MethodError(f"{what} must be {'positive' if positive else 'zero or more'}, got {value}")
    return value


class Inputs:
    """A method's view of one line: parameters with defaults and provenance, recorded for the trace as read."""

    __slots__ = ("defaults", "energy_gj", "line", "method", "quantity", "substituted", "traced", "used")

    def __init__(self, method: Method, line, quantity: Decimal, defaults: Mapping):
        self.method, self.line, self.quantity, self.defaults = method, line, quantity, defaults
        self.traced: dict = {}
        self.used: list = []          # factor versions read
        self.substituted: list = []   # names of substituted values
        self.energy_gj = ZERO         # energy in, for energy_tce (combustion methods)

    def has(self, name: str) -> bool:
        return self.line.parameters.get(name) is not None

    def raw(self, name: str):
        return self.line.parameters.get(name)

    def factor_value(self, code: str) -> Decimal:
        factor = self.defaults.get(code)
        if factor is None:
            raise MethodError(f"no default {code!r} in the factor library")
        if factor not in self.used:
            self.used.append(factor)
        return factor.values["value"]

    def value(self, name: str, *, default: str | None = None, percent: bool = False, positive: bool = False,
              reason: str | None = None, required_reason: str | None = None) -> Decimal:
        """The parameter as a number (a percentage as a fraction when `percent`), else its default.

        Provenance: what the enterprise filed is `measured` (or `substituted` if the line says so); a default is
        `plan_default`, or `substituted` when the plan says the value is measured (line.planned_measured) or when
        `reason` is given (the method's rule says a missing value is a substitution)."""
        line = self.line
        raw = line.parameters.get(name)
        spec = _spec(self.method, name)
        if raw is not None:
            value = number(raw, name, positive=positive)
            provenance = line.provenance.get(name, MEASURED)
            entry = {"value": str(value), "unit": spec.unit, "provenance": provenance}
            if provenance == SUBSTITUTED:
                self.substituted.append(name)
                entry["reason"] = line.reasons.get(name, "substituted by the enterprise")
        else:
            default = default or spec.default
            if default is None:
                raise MethodError(required_reason or f"{self.method.code} needs {name} ({spec.unit})")
            value = self.factor_value(default)
            factor = self.defaults[default]
            planned = name in line.planned_measured
            provenance = SUBSTITUTED if (reason or planned) else PLAN_DEFAULT
            entry = {"value": str(value), "unit": factor.unit, "provenance": provenance,
                     "factor": {"id": factor.id, "code": factor.code, "version": factor.version,
                                "status": factor.status}}
            if provenance == SUBSTITUTED:
                self.substituted.append(name)
                entry["reason"] = line.reasons.get(name) or reason or "measured in the plan, missing this month"
            if factor.unit == "%":
                percent = True
        self.traced[name] = entry
        return value / HUNDRED if percent else value

    def optional(self, name: str, percent: bool = False) -> Decimal | None:
        if self.line.parameters.get(name) is None:
            return None
        return self.value(name, percent=percent)

    def note(self, name: str, value, unit: str = "", provenance: str = MEASURED) -> None:
        self.traced[name] = {"value": value, "unit": unit, "provenance": provenance}


def _spec(method: Method, name: str) -> Param:
    spec = method.specs.get(name)
    if spec is None:
        raise MethodError(f"{method.code} has no parameter {name!r}")
    return spec


def band_issues(method: Method, parameters: Mapping) -> list[Issue]:
    """The declared warn/block bands of every number parameter present."""
    issues = []
    for p in method.params:
        if p.kind != "number" or parameters.get(p.name) is None or (p.warn is None and p.block is None):
            continue
        try:
            value = number(parameters[p.name], p.name)
        except MethodError:
            issues.append(Issue(BLOCK, "not_a_number", p.name))
            continue
        issue = band_issue(p.name, value, p.warn, p.block, unit=p.unit)
        if issue:
            issues.append(issue)
    return issues


def band_issue(name: str, value: Decimal, warn: Band | None, block: Band | None, code: str = "outside_band",
               unit: str = ""):
    if block is not None and not block.contains(value):
        return Issue(BLOCK, code, name, value, block.low, block.high, unit)
    if warn is not None and not warn.contains(value):
        return Issue(WARN, code, name, value, warn.low, warn.high, unit)
    return None


@dataclass(frozen=True)
class BandFamily:
    """A §10 band the city may set (app.settings): its warn and block bands by default, in `unit`."""

    key: str
    unit: str
    warn: Band
    block: Band


def bands_of(bands: Mapping | None, family: BandFamily) -> tuple[Band, Band]:
    """(warn, block) of a family: the city's (`bands`: key -> (warn, block)) if given, else the defaults."""
    found = bands.get(family.key) if bands else None
    return found if found is not None else (family.warn, family.block)
