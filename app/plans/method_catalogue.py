"""The calculation methods a plan may name, with the parameters a plan sets measured or default.

Replaced by the engine's method registry at merge (app/accounting/methods, issue 17): the codes and parameter
names below are the public contract both follow, so only this module changes then.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Parameter:
    code: str
    unit: str
    label: str
    # Codes that stand in for this one when filed (c_ad with m_ad and m_ar give c_ar, and c_ar makes the moisture
    # figures unnecessary): the parameter counts as filed if any of them is.
    either: tuple[str, ...] = ()


COMPOSITION = Parameter("composition", "% (V)", _l("Gas composition"))

METHODS: dict[str, tuple[Parameter, ...]] = {
    "combustion": (Parameter("ncv", "", _l("Net calorific value")),
                   Parameter("carbon_content", "tC/GJ", _l("Carbon content per unit of heat")),
                   Parameter("oxidation_rate", "", _l("Oxidation rate"))),
    "power_coal": (Parameter("ncv_ar", "GJ/t", _l("Net calorific value, as received")),
                   Parameter("c_ar", "%", _l("Element carbon, as received"), either=("c_ad",)),
                   Parameter("c_ad", "%", _l("Element carbon, air-dried"), either=("c_ar",)),
                   Parameter("m_ad", "%", _l("Moisture, air-dried"), either=("c_ar",)),
                   Parameter("m_ar", "%", _l("Moisture, as received"), either=("c_ar",))),
    "fuel_gas": (COMPOSITION,),
    "fcc_coke_burn": (Parameter("carbon_fraction", "%", _l("Carbon fraction of the coke")),),
    "catalyst_regeneration": (),
    "hydrogen_production": (COMPOSITION,),
    "flare": (COMPOSITION,),
    "accident_flare": (),
    "co2_recovery": (Parameter("purity", "%", _l("Purity of the recovered CO2")),),
    "carbon_balance": (),
    "carbonate": (),
    "clinker": (Parameter("cao", "%", _l("CaO in clinker")),
                Parameter("cao_nc", "%", _l("CaO from non-carbonate sources")),
                Parameter("mgo", "%", _l("MgO in clinker")),
                Parameter("mgo_nc", "%", _l("MgO from non-carbonate sources"))),
    "nitric_acid": (),
    "equipment_leaks": (),
    "venting": (),
    "fugitive": (),
    "purchased_electricity": (),
    "exported_electricity": (),
    "purchased_heat": (),
    "exported_heat": (),
}

METHOD_LABELS = {
    "combustion": _l("Fuel combustion"),
    "power_coal": _l("Coal in a generating unit (element carbon)"),
    "fuel_gas": _l("Fuel gas from its composition"),
    "fcc_coke_burn": _l("FCC coke burn-off"),
    "catalyst_regeneration": _l("Catalyst regeneration"),
    "hydrogen_production": _l("Hydrogen production"),
    "flare": _l("Flare (normal operation)"),
    "accident_flare": _l("Flare (accident)"),
    "co2_recovery": _l("CO2 recovered"),
    "carbon_balance": _l("Carbon mass balance"),
    "carbonate": _l("Carbonate decomposition"),
    "clinker": _l("Cement clinker"),
    "nitric_acid": _l("Nitric acid (N2O)"),
    "equipment_leaks": _l("Equipment leaks"),
    "venting": _l("Venting"),
    "fugitive": _l("Fugitive gases"),
    "purchased_electricity": _l("Purchased electricity"),
    "exported_electricity": _l("Exported electricity"),
    "purchased_heat": _l("Purchased heat"),
    "exported_heat": _l("Exported heat"),
}

# A source's method until it names one itself. Scope 3 has none: it is outside a monitoring plan.
DEFAULT_METHODS = {
    "stationary_combustion": "combustion",
    "mobile_combustion": "combustion",
    "process": "carbonate",
    "fugitive": "fugitive",
    "purchased_electricity": "purchased_electricity",
    "purchased_heat": "purchased_heat",
    "exported_electricity": "exported_electricity",
    "exported_heat": "exported_heat",
}


def parameters(method: str) -> tuple[Parameter, ...]:
    return METHODS.get(method, ())


def parameter_codes(method: str) -> tuple[str, ...]:
    return tuple(p.code for p in parameters(method))


def method_of(source) -> str | None:
    """The source's own method once sources carry one, else its category's default (None: not planned)."""
    return getattr(source, "method", None) or DEFAULT_METHODS.get(source.category)


def method_label(code: str | None) -> str:
    return METHOD_LABELS.get(code, code or "—")


def parameter_label(method: str, code: str) -> str:
    found = next((p for p in parameters(method) if p.code == code), None)
    return f"{found.label} ({found.unit})" if found and found.unit else (found.label if found else code)
