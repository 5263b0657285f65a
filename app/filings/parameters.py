"""A line's method inputs as filed (the API's `parameters`, the form's method fields): checked and kept as JSON.

Numbers are kept as decimal strings, a composition as {species: % by volume}, the other kinds as
app.filings.method_kinds checks them (materials, daily pairs, counts, a choice, a flag); today's methods
(combustion, heat) keep their measured values in `measured` as ever, so a `parameters` entry for them is moved
there. A block of the method's plausibility bands (sector-methods.md §10) refuses the save beside the field at
fault.
"""
from collections.abc import Mapping
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.accounting.engine import CHECKED_AGAINST_LIBRARY, LineFactors, check_reference
from app.accounting.labels import parameter_label
from app.accounting.methods import (
    BLOCK,
    DEFAULT_METHOD,
    LEGACY,
    METHODS,
    WARN,
    MethodError,
    check,
)
from app.accounting.methods.gases import composition as read_composition
from app.core.numbers import parse_decimal, plain
from app.core.service_error import ServiceError
from app.filings import method_kinds as kinds
from app.filings.calculations import library_loader
from app.filings.plausibility import WARNING, Finding
from app.settings.services import BAND_LABELS, method_bands, range_text

EMPTY = (None, "", {}, [])
# The components a composition is filed by on the form and in the import (a GC report's usual species).
SPECIES = ("CH4", "C2H6", "C2H4", "C3H8", "C3H6", "C4H10", "C5H12", "C6+", "H2", "CO", "CO2", "N2", "O2", "H2S",
           "H2O")


def method_of(source) -> str | None:
    return source.method or DEFAULT_METHOD.get(source.category)


def _number(value, what: str, field: str) -> str:
    bad = _l("%(what)s: %(value)s is not a number.", what=what, value=value)
    return str(parse_decimal(value if isinstance(value, str) else str(value), invalid=bad, missing=bad,
                             minimum=Decimal(0), too_small=_l("%(what)s cannot be negative.", what=what),
                             field=field))


def clean(source, raw: Mapping | None, what: str, measurable: tuple) -> tuple[dict, dict]:
    """(measured, parameters) of one line from the filed `parameters`; ServiceError naming the field at fault."""
    code = method_of(source)
    raw = {k: v for k, v in (raw or {}).items() if v not in EMPTY}
    if code in LEGACY:
        measured = {}
        for name, value in raw.items():
            if name not in measurable:
                raise ServiceError(_l("%(what)s: %(name)s is not an input of this source's method.", what=what,
                                      name=name), field=f"{name}_{source.id}")
            measured[name] = _number(value, f"{what} {parameter_label(name)}", f"{name}_{source.id}")
        return measured, {}
    method = METHODS[code]
    parameters = {}
    for name, value in raw.items():
        spec = method.specs.get(name)
        field = f"{name}_{source.id}"
        if spec is None:
            raise ServiceError(_l("%(what)s: %(name)s is not an input of this source's method.", what=what,
                                  name=name), field=field)
        label = f"{what} {parameter_label(name)}"
        if spec.kind == "number":
            parameters[name] = _number(value, label, field)
        elif spec.kind == "composition":
            try:
                parts = read_composition(value if isinstance(value, dict) else None, name)
            except MethodError:
                raise ServiceError(_l("%(what)s: give each component's share in %% by volume, e.g. CH4 35, H2 30.",
                                      what=label), field=field) from None
            parameters[name] = {species: str(pct) for species, pct in parts.items()}
        elif spec.kind == "items":
            parameters[name] = kinds.clean_items(value, name, parameter_label(name), what, source.id,
                                                 output=name == "outputs")
        elif spec.kind == "pairs":
            parameters[name] = kinds.clean_pairs(value, label, field)
        elif spec.kind == "counts":
            parameters[name] = kinds.clean_counts(value, name, spec.choices, label, source.id)
        elif spec.kind == "choice":
            parameters[name] = kinds.clean_choice(value, name, spec.choices, label, field)
        elif spec.kind == "flag":
            parameters[name] = kinds.clean_flag(value, label, field)
        else:
            raise ServiceError(_l("%(what)s: %(name)s is not an input of this source's method.", what=what,
                                  name=name), field=field)
    return {}, parameters


def reference(source, period, library) -> LineFactors | None:
    """What the line's method checks a measured value against, from `library` (a FactorLibrary, or a function
    giving one, called only when a method needs it): a coal unit's NCV against its fuel's default NCV."""
    code = method_of(source)
    if code not in CHECKED_AGAINST_LIBRARY or library is None:
        return None
    factor = check_reference(library() if callable(library) else library, code, source.material, period)
    return LineFactors(primary=factor) if factor is not None else None


def incomplete(method, parameters: Mapping, what: str, source_id: int, unit: str | None) -> None:
    """The lists, counts and choices a method cannot go without (venting counts only when filed in days in
    operation), and a carbon balance that can be computed: a ServiceError beside the input as a whole."""
    for spec in method.params:
        needed = spec.required or (spec.kind == "counts" and unit == "d")
        if spec.kind in ("items", "counts") and needed and spec.name not in parameters:
            message = (_l("%(what)s: give the number of each kind of equipment in operation.", what=what)
                       if spec.kind == "counts" else
                       _l("%(what)s: give at least one material of %(label)s with its quantity and carbon.",
                          what=what, label=parameter_label(spec.name)))
            raise ServiceError(message, field=kinds.field_name(spec.name, source_id))
    if method.code == "nitric_acid" and "process" not in parameters and "ef" not in parameters:
        raise ServiceError(_l("%(what)s: choose the production process, or give the measured emission factor.",
                              what=what), field=f"process_{source_id}")
    if "inputs" in parameters and "outputs" in method.specs:
        refused = kinds.balance_refusal(parameters["inputs"], parameters.get("outputs", []), what, source_id)
        if refused is not None:
            raise refused


def refusal(source, parameters: Mapping, quantity: Decimal, what: str, factors=None,
            bands=None, unit: str | None = None) -> ServiceError | None:
    """An input the method cannot go without (`incomplete`), else the first block of the method's plausibility bands
    (the city's, see method_bands) and of its checks against `factors` (see reference), as a ServiceError beside the
    parameter; None if none. `unit`: the line's."""
    code = method_of(source)
    if code in LEGACY:
        return None
    try:
        incomplete(METHODS[code], parameters, what, source.id, unit)
    except ServiceError as e:
        return e
    if not parameters:
        return None
    try:
        issues = check(code, dict(parameters), quantity, factors, method_bands() if bands is None else bands)
    except MethodError as e:
        return ServiceError(f"{what}: {e}", field=f"quantity_{source.id}")
    for issue in issues:
        if issue.level == BLOCK:
            name = _field_of(issue.parameter, parameters, METHODS[code].specs)
            low = "" if issue.low is None else f"{issue.low.normalize():f}"
            high = "" if issue.high is None else f"{issue.high.normalize():f}"
            value = value_text(issue)
            return ServiceError(_l("%(what)s: %(label)s %(value)s is outside the accepted range %(low)s–%(high)s.",
                                   what=what, label=parameter_label(issue.parameter), value=value, low=low,
                                   high=high), field=f"{name}_{source.id}")
    return None


# A figure checked under its own name but filed through another input (the weighted NCV from the daily pairs, C_ar
# from the air-dried or dry-basis carbon): the refusal stands beside the input filed.
_FILED_AS = {"ncv_ar": ("ncv_daily",), "c_ar": ("c_ad", "c_d")}


def _field_of(parameter: str, filed: Mapping, specs: Mapping) -> str:
    if parameter in filed:
        return parameter
    stand_in = next((name for name in _FILED_AS.get(parameter, ()) if name in filed), None)
    return stand_in or (parameter if parameter in specs else next(iter(filed)))


# A check of a derived figure (not one parameter as filed) is named for what it measures.
_DERIVED = {"coke_to_feed": "fcc_coke_feed", "composition_sum": "gas_composition_sum", "clinker_ef": "clinker_ef"}


def value_text(issue) -> str:
    """The value at fault as filed; a derived ratio (coke per feed, EF_cl, CC) to 4 decimals, not 28 digits."""
    if issue.value is None:
        return ""
    if issue.code in _DERIVED or issue.parameter == "carbon_content":
        return plain(round(issue.value, 4))
    return plain(issue.value)


def issue_label(issue) -> str:
    family = _DERIVED.get(issue.code)
    return str(BAND_LABELS[family][0]) if family else parameter_label(issue.parameter)


def findings(filing, bands=None, library=None) -> list[Finding]:
    """The method parameters of a filing in their warning band (a block was refused at saving): each a warning that
    needs an explanation at submission, naming the parameter, its value, the band and the unit. `library`: a
    function giving the factor library (see library_loader; read only if a line's method needs it)."""
    bands = method_bands() if bands is None else bands
    library = library or library_loader()
    found = []
    for line in filing.lines:
        code = method_of(line.source)
        if code in LEGACY or not line.parameters:
            continue
        try:
            issues = check(code, dict(line.parameters), line.quantity,
                           reference(line.source, filing.period, library), bands)
        except MethodError:
            continue  # the calculation names what it cannot compute
        for issue in issues:
            if issue.level != WARN:
                continue
            found.append(Finding(f"method:{line.source_id}:{issue.code}:{issue.parameter}", WARNING, _l(
                "%(source)s: %(label)s is %(value)s %(unit)s, outside the usual range %(band)s.",
                source=line.source.name, label=issue_label(issue), value=value_text(issue), unit=issue.unit,
                band=range_text(issue.low, issue.high, issue.unit)), line.source_id))
    return found
