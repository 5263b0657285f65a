"""The codes a copy of record stores (role, category, series, material...) named in both languages, from the
label maps their packages own: the page shows the reader's name, the bilingual PDF both (reports/ has no Flask)."""
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.accounting.factor_texts import status_text
from app.accounting.labels import (
    CATEGORY_LABELS,
    METHOD_LABELS,
    PROVENANCE_LABELS,
    REGIME_LABELS,
    SCOPE_LABELS,
    formula_label,
    parameter_label,
)
from app.accounting.services import materials_by_family
from app.accounts.roles import ROLES
from app.factors.services import KIND_LABELS, REGION_LABELS, SERIES_LABELS, display_unit, traced_factor_title
from app.i18n import localised
from app.signing.services import DOCUMENT

CHANNELS = {"web": _l("Web"), "api": "API"}
# Stored texts shown as written, not translated: citations, the English statement and name.
VERBATIM = {"source", "en", "name_en"}


def _tables() -> dict:
    materials = {code: m.label for family in materials_by_family().values() for code, m in family.items()}
    return {
        "role": {code: info.label for code, info in ROLES.items()}, "category": CATEGORY_LABELS,
        "scope": SCOPE_LABELS, "series": SERIES_LABELS, "grid_series": SERIES_LABELS, "material": materials,
        "code": {**materials, **REGION_LABELS}, "kind": {**KIND_LABELS, **CHANNELS},
        "document": {DOCUMENT: _l("Tanji copy of record")},
        "regime": REGIME_LABELS, "method": METHOD_LABELS, "provenance": PROVENANCE_LABELS,
    }


def value_names(doc: dict) -> dict[tuple[str, str], tuple[str, str]]:
    """(key, stored value) → (Chinese, English) for every coded value of the document."""
    names: dict[tuple[str, str], dict] = {}
    units = {line.get("unit") for line in doc.get("lines", [])} | {p.get("unit") for p in doc.get("production", [])}
    formulas = {(line.get("result") or {}).get("formula") for line in doc.get("lines", [])}
    # Fuels, heat, GWPs by the library's name for the row cited (a grid factor's code is its region, above).
    factors_all = [f for line in doc.get("lines", []) for f in (line.get("result") or {}).get("factors", [])]
    factors = [f for f in factors_all if f.get("kind") != "electricity"]
    for lang in ("zh", "en"):
        with force_locale(lang):
            for key, table in _tables().items():
                for code, label in table.items():
                    names.setdefault((key, code), {})[lang] = str(label)
            for unit in filter(None, units):
                names.setdefault(("unit", unit), {})[lang] = display_unit(unit)
            for f in factors:
                names.setdefault(("code", f.get("code")), {})[lang] = traced_factor_title(f, localised)
            for formula in filter(None, formulas):
                names.setdefault(("formula", formula), {})[lang] = formula_label(formula)
            for code in {r.get("parameter") for line in doc.get("lines", []) for r in line.get("lab_reports", [])}:
                names.setdefault(("parameter", code), {})[lang] = parameter_label(code)
            for f in factors_all:  # the seeded rows' status notes, read as the factor library shows them
                if f.get("status"):
                    names.setdefault(("status", f["status"]), {})[lang] = status_text(f["status"])
    return {key: (pair["zh"], pair["en"]) for key, pair in names.items()}
