"""A method's inputs that are more than one number, checked as filed (form, import or API) and kept as JSON:
materials with their carbon (items), day-by-day coal and NCV (pairs), equipment counts, a choice and a flag.

Each refusal is a ServiceError naming the field at fault, in the form's names so the form shows it beside the field
and the import at its cell: `<parameter>_<row>_<column>_<source>` for one material's cell (row from 0),
`<parameter>_<kind>_<source>` for one count, `<parameter>_<source>` for the input as a whole.
"""
import re
from collections.abc import Mapping
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.accounting import units
from app.accounting.labels import choice_label, equipment_label
from app.core.numbers import parse_decimal, plain
from app.core.service_error import ServiceError

HUNDRED = Decimal(100)
ITEM_UNITS = ("t", "10^4 Nm3")   # a material is weighed, or metered as a gas; its carbon is per that unit
ITEM_COLUMNS = ("name", "quantity", "unit", "carbon_pct", "carbon_content")
ITEM_LABELS = {
    "name": _l("Material name"),
    "quantity": _l("Quantity"),
    "unit": _l("Unit"),
    "carbon_pct": _l("Carbon (% by mass)"),
    "carbon_content": _l("Carbon (tC per unit)"),
}
MAX_ITEMS = 50       # materials per list
MAX_PAIRS = 100      # days (or deliveries) of a month
MAX_NAME = 100
TRUE_TEXTS = frozenset({"true", "1", "yes", "y", "on"})
FALSE_TEXTS = frozenset({"false", "0", "no", "n", "off"})


def field_name(parameter: str, source_id, *parts) -> str:
    return "_".join(str(p) for p in (parameter, *parts, source_id))


def _decimal(value, what, field: str, positive: bool = False) -> Decimal:
    bad = _l("%(what)s: %(value)s is not a number.", what=what, value=value)
    return parse_decimal(value if isinstance(value, str) else str(value), field, invalid=bad, missing=bad,
                         minimum=Decimal(0), positive=positive,
                         too_small=(_l("%(what)s must be more than zero.", what=what) if positive else
                                    _l("%(what)s cannot be negative.", what=what)))


def _given(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# --- materials with their carbon (carbon_balance inputs and outputs) ----------------------------------------------

def row_what(label, n: int) -> str:
    """"Carbon inputs, row 2": the material's place in its list (n from 1), as its messages name it."""
    return str(_l("%(items)s, row %(n)d", items=label, n=n))


def clean_item(item, what: str, field_of, output: bool) -> dict:
    """{"name", "quantity", "unit", "carbon_pct" | "carbon_content"} as decimal strings, or a ServiceError beside the
    cell at fault (`field_of(column)` names it). An output may go without its carbon (it then counts zero)."""
    if not isinstance(item, Mapping):
        raise ServiceError(_l("%(what)s: give the material's name, quantity, unit and carbon.", what=what),
                           field=field_of("name"))
    unknown = [k for k in item if k not in ITEM_COLUMNS]
    if unknown:
        raise ServiceError(_l("%(what)s: %(name)s is not part of a material (name, quantity, unit, carbon_pct or "
                              "carbon_content).", what=what, name=unknown[0]), field=field_of("name"))
    name = str(item.get("name") or "").strip()
    if not name:
        raise ServiceError(_l("%(what)s: give the material's name.", what=what), field=field_of("name"))
    if len(name) > MAX_NAME:
        raise ServiceError(_l("%(what)s: the name is longer than %(n)d characters.", what=what, n=MAX_NAME),
                           field=field_of("name"))
    if not _given(item.get("quantity")):
        raise ServiceError(_l("%(what)s: give the quantity of %(name)s.", what=what, name=name),
                           field=field_of("quantity"))
    quantity = _decimal(item["quantity"], f"{what} {ITEM_LABELS['quantity']}", field_of("quantity"))
    unit = _item_unit(item.get("unit"), what, field_of("unit"))
    pct, content = item.get("carbon_pct"), item.get("carbon_content")
    cleaned = {"name": name, "quantity": str(quantity), "unit": unit}
    if _given(pct) and _given(content):
        raise ServiceError(_l("%(what)s: give the carbon either in %% by mass or in tC per unit, not both.",
                              what=what), field=field_of("carbon_content"))
    if _given(pct):
        if unit != "t":
            raise ServiceError(_l("%(what)s: a gas metered in 10⁴ Nm³ takes its carbon in tC per 10⁴ Nm³, not in "
                                  "%% by mass.", what=what), field=field_of("carbon_pct"))
        value = _decimal(pct, f"{what} {ITEM_LABELS['carbon_pct']}", field_of("carbon_pct"))
        if value > HUNDRED:
            raise ServiceError(_l("%(what)s: a carbon content of %(value)s %% is more than 100 %%.", what=what,
                                  value=plain(value)), field=field_of("carbon_pct"))
        cleaned["carbon_pct"] = str(value)
    elif _given(content):
        cleaned["carbon_content"] = str(_decimal(content, f"{what} {ITEM_LABELS['carbon_content']}",
                                                 field_of("carbon_content")))
    elif not output:
        raise ServiceError(_l("%(what)s: give the measured carbon of %(name)s (%% by mass, or tC per unit for a "
                              "gas).", what=what, name=name),
                           field=field_of("carbon_pct" if unit == "t" else "carbon_content"))
    return cleaned


def _item_unit(value, what, field: str) -> str:
    if not _given(value):
        return "t"
    try:
        unit = units.canonical_unit(str(value).strip())
    except units.UnitError:
        unit = None
    if unit not in ITEM_UNITS:
        raise ServiceError(_l("%(what)s: a material is counted in t or in 10⁴ Nm³.", what=what), field=field)
    return unit


def clean_items(value, name: str, label, what: str, source_id, output: bool) -> list[dict]:
    if not isinstance(value, (list, tuple)):
        raise ServiceError(_l("%(what)s: %(label)s is a list of materials, each with its name, quantity, unit and "
                              "carbon.", what=what, label=label), field=field_name(name, source_id))
    if len(value) > MAX_ITEMS:
        raise ServiceError(_l("%(what)s: at most %(n)d materials in %(label)s.", what=what, n=MAX_ITEMS,
                              label=label), field=field_name(name, source_id))
    return [clean_item(item, f"{what} {row_what(label, i + 1)}",
                       lambda column, i=i: field_name(name, source_id, i, column), output)
            for i, item in enumerate(value)]


def carbon_of(item: Mapping) -> Decimal:
    """tC in a cleaned material: quantity × % by mass / 100, or quantity × tC per unit; none given, zero."""
    quantity = Decimal(item["quantity"])
    if item.get("carbon_pct") is not None:
        return quantity * Decimal(item["carbon_pct"]) / HUNDRED
    if item.get("carbon_content") is not None:
        return quantity * Decimal(item["carbon_content"])
    return Decimal(0)


def balance_refusal(inputs: list, outputs: list, what: str, source_id) -> ServiceError | None:
    """A balance that cannot be computed: inputs without carbon, or more carbon out than in."""
    carbon_in = sum(map(carbon_of, inputs), Decimal(0))
    carbon_out = sum(map(carbon_of, outputs), Decimal(0))
    if carbon_in == 0:
        return ServiceError(_l("%(what)s: the inputs carry no carbon; give their quantities and carbon contents.",
                               what=what), field=field_name("inputs", source_id))
    if carbon_out > carbon_in:
        return ServiceError(_l("%(what)s: the outputs carry %(carbon_out)s tC, more than the %(carbon_in)s tC of the "
                               "inputs; check the quantities and carbon contents.", what=what,
                               carbon_out=plain(round(carbon_out, 3)), carbon_in=plain(round(carbon_in, 3))),
                            field=field_name("outputs", source_id))
    return None


# --- day-by-day coal and its NCV (power_coal ncv_daily) ------------------------------------------------------------

def clean_pair(pair, what: str, field: str) -> list[str]:
    """[coal t, NCV GJ/t] as decimal strings."""
    if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(map(_given, pair)):
        raise ServiceError(_l("%(what)s: give the coal (t) and its NCV (GJ/t), e.g. 5200, 21.3.", what=what),
                           field=field)
    coal = _decimal(pair[0], f"{what} {_l('coal (t)')}", field)
    ncv = _decimal(pair[1], f"{what} {_l('NCV (GJ/t)')}", field, positive=True)
    return [str(coal), str(ncv)]


def _pairs_total(pairs: list, what: str, field: str) -> list:
    if not pairs:
        raise ServiceError(_l("%(what)s: give one line per day: coal t, NCV GJ/t.", what=what), field=field)
    if len(pairs) > MAX_PAIRS:
        raise ServiceError(_l("%(what)s: at most %(n)d lines.", what=what, n=MAX_PAIRS), field=field)
    if sum(Decimal(coal) for coal, _ncv in pairs) == 0:
        raise ServiceError(_l("%(what)s: the days' coal adds up to zero.", what=what), field=field)
    return pairs


def clean_pairs(value, what: str, field: str) -> list[list[str]]:
    if not isinstance(value, (list, tuple)):
        raise ServiceError(_l("%(what)s: give one line per day: coal t, NCV GJ/t.", what=what), field=field)
    return _pairs_total([clean_pair(pair, str(_l("%(what)s, line %(n)d", what=what, n=n)), field)
                         for n, pair in enumerate(value, start=1)], what, field)


_TAB, _SEMICOLON = re.compile(r"\t"), re.compile(r"[;；]")
_COMMA_SPACED = re.compile(r"[,，]\s+|，")
_SPACES, _COMMA = re.compile(r"\s+"), re.compile(r"[,，]")


def _split(line: str) -> list[str]:
    """A pasted line's cells: by tab (from Excel), semicolon, comma and space, or spaces; a bare comma last, since
    "5,200 21.3" groups thousands."""
    for pattern in (_TAB, _SEMICOLON, _COMMA_SPACED, _SPACES, _COMMA):
        if pattern.search(line):
            return [part.strip() for part in pattern.split(line) if part.strip()]
    return [line]


def pairs_from_text(text: str | None, what: str, field: str) -> list[list[str]]:
    """One day a line, "coal t, NCV GJ/t" (comma, tab or spaces between; blank lines skipped), as pairs; a
    ServiceError naming the line at fault."""
    pairs = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            pairs.append(clean_pair(_split(line.strip()), str(_l("%(what)s, line %(n)d", what=what, n=n)), field))
    return _pairs_total(pairs, what, field) if pairs else []


def pairs_text(pairs) -> str:
    """Filed pairs as the form's text, one day a line."""
    if not isinstance(pairs, (list, tuple)):
        return ""
    return "\n".join(", ".join(plain(Decimal(str(v))) for v in pair) for pair in pairs
                     if isinstance(pair, (list, tuple)))


# --- equipment counts, a choice, a flag ----------------------------------------------------------------------------

def clean_count(value, what: str, field: str) -> int:
    number = _decimal(value, what, field)
    if number != number.to_integral_value():
        raise ServiceError(_l("%(what)s: a count is a whole number, not %(value)s.", what=what, value=plain(number)),
                           field=field)
    return int(number)


def clean_counts(value, name: str, kinds: tuple, what: str, source_id) -> dict[str, int]:
    whole = field_name(name, source_id)
    if not isinstance(value, Mapping) or not value:
        raise ServiceError(_l("%(what)s: give the number of each kind of equipment in operation.", what=what),
                           field=whole)
    counts = {}
    for kind, n in value.items():
        if kind not in kinds:
            raise ServiceError(_l("%(what)s: %(kind)s is not equipment this method counts (it counts: %(known)s).",
                                  what=what, kind=kind, known=", ".join(equipment_label(k) for k in kinds)),
                               field=whole)
        counts[kind] = clean_count(n, f"{what} {equipment_label(kind)}", field_name(name, source_id, kind))
    return counts


def clean_choice(value, name: str, choices: tuple, what: str, field: str) -> str:
    if value not in choices:
        raise ServiceError(_l("%(what)s: choose one of %(choices)s.", what=what,
                              choices=", ".join(choice_label(name, c) for c in choices)), field=field)
    return value


def clean_flag(value, what: str, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in TRUE_TEXTS | FALSE_TEXTS:
        return text in TRUE_TEXTS
    raise ServiceError(_l("%(what)s: answer yes or no (true or false).", what=what), field=field)
