"""Readable names of source categories and scopes (GB/T 32150-2015 and the GHG Protocol)."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "stationary_combustion": _l("Stationary fuel combustion"),
    "mobile_combustion": _l("Mobile combustion"),
    "process": _l("Industrial process"),
    "fugitive": _l("Fugitive emissions"),
    "purchased_electricity": _l("Purchased electricity"),
    "purchased_heat": _l("Purchased heat and steam"),
    "exported_electricity": _l("Exported electricity"),
    "exported_heat": _l("Exported heat"),
    "scope3": _l("Scope 3 (other indirect)"),
}

SCOPE_LABELS = {
    "1": _l("Scope 1"),
    "2": _l("Scope 2"),
    "3": _l("Scope 3"),
    "export": _l("Exported (deducted)"),
}


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code)


def scope_label(code: str) -> str:
    return SCOPE_LABELS.get(code, code)

TRACE_LABELS = {
    "quantity": _l("Activity data as entered"),
    "unit": _l("Unit as entered"),
    "factor_unit": _l("Unit of the factor"),
    "quantity_in_factor_unit": _l("Activity data in the factor's unit"),
    "ncv": _l("Net calorific value (NCV)"),
    "carbon_content": _l("Carbon content per unit of heat (CC)"),
    "oxidation_rate": _l("Oxidation rate (OF)"),
    "enthalpy_kj_per_kg": _l("Steam enthalpy"),
    "temperature_c": _l("Hot water temperature"),
    "green_mwh": _l("Green electricity (certificates or direct supply)"),
}


def trace_label(key: str) -> str:
    """A readable name for a key of a calculation trace, with the key itself for the record."""
    label = TRACE_LABELS.get(key)
    return f"{label} ({key})" if label else key
