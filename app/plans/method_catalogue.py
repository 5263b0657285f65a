"""The calculation methods a plan may name, with the parameters a plan sets measured or default.

The methods, their codes and their parameters' names and units are the engine's registry (app.accounting.methods);
this module only says which of a method's inputs a plan sets a tier for (the quality parameters a laboratory or a
meter measures, not the quantities filed beside them) and which filed values stand in for each other.
"""
from dataclasses import dataclass

from app.accounting.labels import METHOD_LABELS, PARAMETER_LABELS
from app.accounting.labels import method_label as _method_label
from app.accounting.methods import DEFAULT_METHOD
from app.accounting.methods import METHODS as REGISTRY


@dataclass(frozen=True)
class Parameter:
    code: str
    unit: str
    label: str
    # Codes that stand in for this one when filed (c_ad with m_ad and m_ar give c_ar, and c_ar makes the moisture
    # figures unnecessary): the parameter counts as filed if any of them is.
    either: tuple[str, ...] = ()


# Per method, the inputs a plan sets a tier for, with what stands in for each when filed.
PLANNED = {
    "combustion": {"ncv": (), "carbon_content": (), "oxidation_rate": ()},
    "power_coal": {"ncv_ar": ("ncv_daily",), "c_ar": ("c_ad", "c_d"), "c_ad": ("c_ar", "c_d"),
                   "m_ad": ("c_ar", "c_d"), "m_ar": ("c_ar",)},
    "fuel_gas": {"composition": ()},
    "flare": {"composition": ()},
    "hydrogen_production": {"composition": ("feed_carbon_content",)},
    "fcc_coke_burn": {"carbon_fraction": ()},
    "co2_recovery": {"purity": ()},
    "clinker": {"cao": (), "cao_nc": (), "mgo": (), "mgo_nc": ()},
    "raw_meal": {"organic_carbon": ()},
    "alternative_fuel": {"carbon_pct": (), "biomass_fraction": ()},
    "venting": {"ch4_fraction": ("equipment",)},
}
# Per method, the parameters the same-sample rule holds to one sample (sector-methods.md §2: carbon, NCV and
# moisture of the same monthly composite sample), where the plan asks for it.
SAME_SAMPLE = {
    "power_coal": ("c_ar", "c_ad", "c_d", "ncv_ar", "m_ad", "m_ar"),
    "combustion": ("carbon_content", "ncv"),
}
_UNITS = {"1": "", "% vol": "% (V)", "GJ/unit": ""}


def _parameters(code: str) -> tuple[Parameter, ...]:
    specs = REGISTRY[code].specs
    return tuple(Parameter(name, _UNITS.get(specs[name].unit, specs[name].unit), PARAMETER_LABELS[name], either)
                 for name, either in PLANNED.get(code, {}).items())


# Every method of the registry but scope 3, which is outside a monitoring plan.
METHODS: dict[str, tuple[Parameter, ...]] = {code: _parameters(code) for code in REGISTRY if code != "scope3"}
COMPOSITION = METHODS["fuel_gas"][0]
# A source's method until it names one itself (the engine's own defaults). Scope 3 has none.
DEFAULT_METHODS = {category: code for category, code in DEFAULT_METHOD.items() if code in METHODS}
__all__ = ["COMPOSITION", "DEFAULT_METHODS", "METHODS", "METHOD_LABELS", "SAME_SAMPLE", "Parameter", "method_label",
           "method_of", "parameter_codes", "parameter_label", "parameters"]


def parameters(method: str) -> tuple[Parameter, ...]:
    return METHODS.get(method, ())


def parameter_codes(method: str) -> tuple[str, ...]:
    return tuple(p.code for p in parameters(method))


def method_of(source) -> str | None:
    """The source's own method, else its category's default (None: not planned)."""
    method = getattr(source, "method", None)
    if method:
        return method if method in METHODS else None
    return DEFAULT_METHODS.get(source.category)


def method_label(code: str | None) -> str:
    return _method_label(code)


def parameter_label(method: str, code: str) -> str:
    found = next((p for p in parameters(method) if p.code == code), None)
    if found is None:
        return str(PARAMETER_LABELS.get(code, code))
    return f"{found.label} ({found.unit})" if found.unit else str(found.label)
