"""Forms of the monthly filing: the month's activity (built per enterprise), submission, amendment, evidence.

The activity form has one row per emission source and one field per product, so its class is made for
the enterprise's register when the page is built (`activity_form`). Fields only check that a value is a
number in range; what a quantity means (its unit, the factors) is the service's and the engine's business.
"""
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.accounting import units
from app.accounting.engine import FUEL_CATEGORIES
from app.accounting.labels import choice_label, equipment_label, parameter_label
from app.accounting.methods import LEGACY, METHODS
from app.core.forms import apply_error
from app.core.numbers import MISPLACED, MisplacedSeparator, clean, plain, to_decimal
from app.core.service_error import ServiceError
from app.factors.services import display_unit
from app.filings import conversation, method_kinds
from app.filings.method_kinds import (
    ITEM_COLUMNS,
    ITEM_LABELS,
    ITEM_UNITS,
    MAX_ITEMS,
    MAX_NAME,
    MAX_PAIRS,
    field_name,
    row_what,
)
from app.filings.parameters import SPECIES
from app.tenancy import acting_on

_UNSET = object()
MAX_DECIMALS = 6  # the Quantity column keeps six decimal places
MAX_INTEGER_DIGITS = 18

# Measured values a line may carry instead of the library's defaults, by what the source is.
PARAMETER_LABELS = {
    "ncv": _l("Net calorific value (GJ per unit of fuel)"),
    "carbon_content": _l("Carbon content (tC/GJ)"),
    "oxidation_rate": _l("Oxidation rate (0–1)"),
    "enthalpy_kj_per_kg": _l("Steam enthalpy (kJ/kg)"),
    "temperature_c": _l("Hot water temperature (°C)"),
}


def measured_parameters(source) -> tuple[str, ...]:
    if source.category in FUEL_CATEGORIES:
        return ("ncv", "carbon_content", "oxidation_rate")
    if source.category in ("purchased_heat", "exported_heat"):
        if source.material == "steam":
            return ("enthalpy_kj_per_kg",)
        if source.material == "hot_water":
            return ("temperature_c",)
    return ()


BLANK_ITEM_ROWS = 3  # empty rows under a list of materials: more are added by saving
# A material's cell on the form: <parameter>_<row>_<column>_<source> (app.filings.method_kinds names them so too).
_ITEM_FIELD = re.compile(r"(?P<parameter>[a-z]+)_(?P<row>\d{1,3})_(?P<column>" + "|".join(ITEM_COLUMNS)
                         + r")_(?P<source>\d+)")


def species_key(species: str) -> str:
    return species.replace("+", "plus")


@dataclass(frozen=True)
class MethodInput:
    """One field of a sector method's inputs: `parameter` (its API name), with `species` for a composition, the
    equipment kind (counts) or the column (items) as `key`, and a material's `row` (from 0)."""

    field: str
    parameter: str
    species: str | None
    label: str
    kind: str = "number"
    key: str | None = None
    row: int | None = None


def method_inputs(source, item_rows: Mapping | None = None) -> list[MethodInput]:
    """The inputs a source's sector method takes on the form (none for today's methods); `item_rows`: parameter ->
    rows of a list of materials (default: the blank rows only)."""
    code = source.method
    if not code or code in LEGACY:
        return []
    sid = source.id
    found = []
    for p in METHODS[code].params:
        label = parameter_label(p.name)
        if p.kind == "composition":
            found += [MethodInput(f"comp{species_key(sp)}_{sid}", p.name, sp, f"{sp} (% vol)", "composition")
                      for sp in SPECIES]
        elif p.kind == "counts":
            found += [MethodInput(field_name(p.name, sid, kind), p.name, None, equipment_label(kind), "counts", kind)
                      for kind in p.choices]
        elif p.kind == "items":
            for i in range(min((item_rows or {}).get(p.name, BLANK_ITEM_ROWS), MAX_ITEMS)):
                found += [MethodInput(field_name(p.name, sid, i, column), p.name, None,
                                      f"{row_what(label, i + 1)} · {ITEM_LABELS[column]}", "items", column, i)
                          for column in ITEM_COLUMNS]
        elif p.kind in ("number", "choice", "flag", "pairs"):
            unit = "" if p.unit in ("1", "") or p.kind != "number" else (
                f" ({display_unit(p.unit.replace('unit', source.activity_unit))})")
            found.append(MethodInput(f"{p.name}_{sid}", p.name, None, f"{label}{unit}", p.kind))
    return found


def _item_rows(sources, filing, formdata) -> dict[int, dict[str, int]]:
    """Per source, the rows of each list of materials: those filed plus BLANK_ITEM_ROWS, or as many as were posted
    (nothing typed is lost when the page comes back with an error)."""
    filed = {line.source_id: line.parameters or {} for line in filing.lines} if filing is not None else {}
    posted: dict = {}
    for key in formdata or ():
        match = _ITEM_FIELD.fullmatch(key)
        if match:
            at = (int(match["source"]), match["parameter"])
            posted[at] = max(posted.get(at, 0), int(match["row"]) + 1)
    rows = {}
    for source in sources:
        if not source.method or source.method in LEGACY:
            continue
        for p in METHODS[source.method].params:
            if p.kind == "items":
                listed = filed.get(source.id, {}).get(p.name)
                n = (len(listed) if isinstance(listed, list) else 0) + BLANK_ITEM_ROWS
                rows.setdefault(source.id, {})[p.name] = min(MAX_ITEMS, max(n, posted.get((source.id, p.name), 0)))
    return rows


def takes_green_mwh(source) -> bool:
    return source.category == "purchased_electricity"


def unit_choices(source) -> list[str]:
    """The source's own unit first, then every unit of the same dimension (electricity is never in tce)."""
    own = source.activity_unit
    try:
        dimension = units.dimension(own)
    except units.UnitError:
        return [own]  # a scope 3 unit outside the registry (t·km, CNY) is used as registered
    others = [u for u in units.UNITS if u != own and units.dimension(u) == dimension]
    if source.material == "electricity":
        others = [u for u in others if u != "tce"]
    return [own, *others]


def number(minimum=Decimal(0), positive: bool = False, maximum: Decimal | None = None):
    """A validator for a decimal typed as text; the message says what is wrong with it.

    "6070,3" and "1.234,5" are refused with the separator rule's message (app/core/numbers.py), not guessed.
    """

    def check(form, field):
        try:
            value = to_decimal(field.data)
        except MisplacedSeparator:
            raise ValidationError(str(MISPLACED)) from None
        except InvalidOperation:
            raise ValidationError(_("Enter a number, e.g. 38 or 2350.4.")) from None
        if value is None:
            return
        if value < minimum:
            raise ValidationError(_("Enter zero or more."))
        if positive and value == 0:
            raise ValidationError(_("Enter a number greater than zero."))
        if maximum is not None and value > maximum:
            raise ValidationError(_("Enter at most %(max)s.", max=maximum))
        if value != 0 and value.adjusted() >= MAX_INTEGER_DIGITS:
            raise ValidationError(_("This number is too large."))
        if -value.as_tuple().exponent > MAX_DECIMALS and value != value.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
            raise ValidationError(_("Use at most %(n)d decimal places.", n=MAX_DECIMALS))

    return check


_PARAMETER_CHECKS = {
    "ncv": number(positive=True),
    "carbon_content": number(positive=True),
    "oxidation_rate": number(positive=True, maximum=Decimal(1)),
    "enthalpy_kj_per_kg": number(positive=True),
    "temperature_c": number(),
}


@dataclass(frozen=True)
class ItemTable:
    """A list of materials on the form (a carbon balance's inputs or outputs): rows of {column: bound field}."""

    parameter: str
    label: str
    rows: list
    columns = ITEM_COLUMNS

    @property
    def labels(self) -> Mapping:
        return ITEM_LABELS


def _typed(spec: MethodInput, f) -> bool:
    """Whether a method field carries something the enterprise typed (a material's unit always has a value)."""
    if spec.kind == "flag":
        return bool(f.data)
    if spec.kind == "items" and spec.key == "unit":
        return False
    return clean(f.data) is not None


@dataclass
class Row:
    """The fields of one source's line, bound to a form instance."""

    source: object
    quantity: object
    unit: object
    parameters: list  # bound fields of measured values
    green_mwh: object | None
    method_fields: list = None  # [(MethodInput, bound field)] of a sector method

    @property
    def has_measured(self) -> bool:
        return bool(self.parameters or self.green_mwh is not None)

    @property
    def inputs(self) -> list:
        return [f for _spec, f in self.method_fields or []]

    @property
    def typed_inputs(self) -> list:
        return [f for spec, f in self.method_fields or [] if _typed(spec, f)]

    @property
    def inputs_open(self) -> bool:
        """Whether the method's inputs show unfolded: something typed or refused there, or no quantity yet."""
        return bool(self.typed_inputs or any(f.errors for f in self.inputs) or not self.quantity.data)

    def of_kind(self, *kinds) -> list:
        return [(spec, f) for spec, f in self.method_fields or [] if spec.kind in kinds]

    @property
    def composition(self) -> list:
        return self.of_kind("composition")

    @property
    def numbers(self) -> list:
        """Numbers and choices, one field each."""
        return self.of_kind("number", "choice")

    @property
    def flags(self) -> list:
        return self.of_kind("flag")

    @property
    def counts(self) -> list:
        return self.of_kind("counts")

    @property
    def pairs(self) -> list:
        return self.of_kind("pairs")

    @property
    def item_tables(self) -> list[ItemTable]:
        tables: dict = {}
        for spec, f in self.of_kind("items"):
            table = tables.setdefault(spec.parameter, ItemTable(spec.parameter, parameter_label(spec.parameter), []))
            if spec.row == len(table.rows):
                table.rows.append({})
            table.rows[spec.row][spec.key] = f
        return list(tables.values())

    @property
    def fields(self) -> list:
        return [self.quantity, self.unit, *self.parameters, *([self.green_mwh] if self.green_mwh is not None else []),
                *self.inputs]


def _blank_item(cells: dict) -> bool:
    return all(clean(cells[column].data) is None for column in ITEM_COLUMNS if column != "unit")


def _item_values(cells: dict) -> dict:
    item = {column: clean(cells[column].data, separators=column != "name") for column in ITEM_COLUMNS}
    return {column: value for column, value in item.items() if value is not None}


class ActivityForm(FlaskForm):
    """Base of the per-enterprise activity form; `activity_form()` adds the rows."""

    version = HiddenField()
    output_value = StringField(_l("Industrial output value (10⁴ CNY)"), validators=[Optional(), number()])

    _sources: tuple = ()
    _products: tuple = ()
    _item_rows: Mapping = {}

    @property
    def rows(self) -> list[Row]:
        rows = []
        for source in self._sources:
            sid = source.id
            rows.append(Row(source, self[f"quantity_{sid}"], self[f"unit_{sid}"],
                            [self[f"{name}_{sid}"] for name in measured_parameters(source)],
                            self[f"green_mwh_{sid}"] if takes_green_mwh(source) else None,
                            [(spec, self[spec.field])
                             for spec in method_inputs(source, self._item_rows.get(sid))]))
        return rows

    @property
    def production_fields(self) -> list[tuple]:
        return [(product, self[f"production_{product.id}"]) for product in self._products]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for row in self.rows:
            # Measured values without a quantity would be dropped on saving: say so rather than lose them.
            if clean(row.quantity.data) is None and not row.quantity.errors and (
                    row.typed_inputs or any(clean(f.data) is not None
                                            for f in row.parameters + [row.green_mwh] if f is not None)):
                row.quantity.errors = [*row.quantity.errors,
                                       _("Enter the quantity too, or clear the measured values.")]
                valid = False
            valid = self._check_method_inputs(row) and valid
        return valid

    def _check_method_inputs(self, row: Row) -> bool:
        """Counts, materials and daily lines checked as the service checks them, each refusal beside its field."""
        refused = []
        for spec, f in row.counts:
            if clean(f.data) is not None and not f.errors:
                try:
                    method_kinds.clean_count(clean(f.data), spec.label, f.name)
                except ServiceError as e:
                    refused.append(e)
        for table in row.item_tables:
            for i, cells in enumerate(table.rows):
                if _blank_item(cells) or any(f.errors for f in cells.values()):
                    continue
                try:
                    method_kinds.clean_item(_item_values(cells), row_what(table.label, i + 1),
                                            lambda column, cells=cells: cells[column].name,
                                            output=table.parameter == "outputs")
                except ServiceError as e:
                    refused.append(e)
        for _spec, f in row.pairs:
            try:
                method_kinds.pairs_from_text(f.data, parameter_label(_spec.parameter), f.name)
            except ServiceError as e:
                refused.append(e)
        for e in refused:
            self[e.field].errors = [*self[e.field].errors, str(e.message)]
        return not refused

    def fill(self, filing) -> None:
        """Show the filing's stored values (on opening the form)."""
        lines = {line.source_id: line for line in filing.lines}
        for row in self.rows:
            line = lines.get(row.source.id)
            if line is None:
                continue
            row.quantity.data = plain(line.quantity)
            if line.unit not in {c.value for c in row.unit.choices}:
                row.unit.choices = [*row.unit.choices, SelectChoice(line.unit, display_unit(line.unit))]
            row.unit.data = line.unit
            for f in row.parameters:
                value = (line.measured or {}).get(f.name.rsplit("_", 1)[0])
                f.data = plain(value) if value not in (None, "") else ""
            if row.green_mwh is not None:
                row.green_mwh.data = plain(line.green_mwh) if line.green_mwh is not None else ""
            filed = line.parameters or {}
            for spec, f in row.method_fields:
                f.data = _filed_value(spec, filed.get(spec.parameter))
        production = {p.product_id: p for p in filing.production}
        for product, f in self.production_fields:
            if product.id in production:
                f.data = plain(production[product.id].quantity)
        self.output_value.data = plain(filing.output_value_10k_cny) if filing.output_value_10k_cny is not None else ""
        self.version.data = str(filing.version)

    def activity(self) -> tuple[list[dict], list[dict], str | None]:
        """(lines, production, output value) as services.set_activity takes them; blank quantities are left out."""
        lines = []
        for row in self.rows:
            quantity = clean(row.quantity.data)
            if quantity is None:
                continue
            measured = {f.name.rsplit("_", 1)[0]: clean(f.data) for f in row.parameters
                        if clean(f.data) is not None}
            lines.append({"source_id": row.source.id, "quantity": quantity, "unit": row.unit.data,
                          "measured": measured, "parameters": _method_values(row),
                          "green_mwh": clean(row.green_mwh.data) if row.green_mwh is not None else None})
        production = [{"product_id": product.id, "quantity": clean(f.data), "unit": product.unit}
                      for product, f in self.production_fields if clean(f.data) is not None]
        return lines, production, clean(self.output_value.data)

    def messages(self) -> list[str]:
        """Every field error as "what: message", for the JSON preview."""
        names = {}
        for row in self.rows:
            for f in row.fields:
                names[f.name] = f"{row.source.name} · {f.label.text}"
        for product, f in self.production_fields:
            names[f.name] = product.name
        return [f"{names.get(name, self[name].label.text if name in self else name)}: {message}"
                for name, errors in self.errors.items() for message in errors]


def _filed_value(spec: MethodInput, value):
    """A stored parameter as its form field shows it."""
    if spec.kind == "flag":
        return bool(value)
    if spec.kind == "pairs":
        return method_kinds.pairs_text(value)
    if spec.kind == "composition" or spec.kind == "counts":
        value = (value or {}).get(spec.species or spec.key) if isinstance(value, dict) else None
    elif spec.kind == "items":
        item = value[spec.row] if isinstance(value, list) and spec.row < len(value) else None
        value = item.get(spec.key) if isinstance(item, dict) else None
        if spec.key == "unit":
            return value or "t"
        if spec.key == "name":
            return value or ""
    elif spec.kind == "choice":
        return value or ""
    return plain(Decimal(str(value))) if value not in (None, "") else ""


def _method_values(row: Row) -> dict:
    """The method's parameters as typed (checked by the form's validate and again by the service)."""
    parameters = {}
    for spec, f in row.method_fields or []:
        if spec.kind == "items":
            continue
        if spec.kind == "flag":
            if f.data:
                parameters[spec.parameter] = True
            continue
        if spec.kind == "pairs":
            pairs = method_kinds.pairs_from_text(f.data, parameter_label(spec.parameter), f.name)
            if pairs:
                parameters[spec.parameter] = pairs
            continue
        value = clean(f.data)
        if value is None:
            continue
        if spec.kind in ("composition", "counts"):
            parameters.setdefault(spec.parameter, {})[spec.species or spec.key] = value
        else:
            parameters[spec.parameter] = value
    for table in row.item_tables:
        items = [_item_values(cells) for cells in table.rows if not _blank_item(cells)]
        if items:
            parameters[table.parameter] = items
    return parameters


def _first_typed(table_of, fallback: str):
    """The field a refusal of a whole list shows beside: the first material typed (its quantity), else `fallback`."""
    def field(self):
        for table in table_of(self):
            for cells in table.rows:
                if not _blank_item(cells):
                    return cells["quantity"]
        return self[fallback]
    return property(field)


def _formdata(kwargs):
    """What the form will read, as FlaskForm decides it: the posted form unless told otherwise."""
    if "formdata" in kwargs:
        return kwargs["formdata"]
    if has_request_context() and request.method in ("POST", "PUT", "PATCH", "DELETE"):
        return request.form
    return None


def _choice_field(source, spec: MethodInput) -> SelectField:
    choices = METHODS[source.method].specs[spec.parameter].choices
    return SelectField(spec.label, validate_choice=False,  # the service refuses an unknown code beside the field
                       choices=[SelectChoice("", "—")] + [SelectChoice(c, choice_label(spec.parameter, c))
                                                         for c in choices])


def _method_field(source, spec: MethodInput):
    if spec.kind == "choice":
        return _choice_field(source, spec)
    if spec.kind == "flag":
        return BooleanField(spec.label)
    if spec.kind == "pairs":
        return TextAreaField(spec.label, validators=[Optional(), Length(max=MAX_PAIRS * 40)])
    if spec.kind == "counts":
        return StringField(spec.label)  # a whole number: _check_method_inputs, as the service says it
    if spec.kind == "items" and spec.key == "name":
        return StringField(spec.label, validators=[Optional(), Length(max=MAX_NAME)])
    if spec.kind == "items" and spec.key == "unit":
        return SelectField(spec.label, choices=[SelectChoice(u, display_unit(u)) for u in ITEM_UNITS], default="t",
                           validate_choice=False)  # the service refuses any other unit beside the field
    return StringField(spec.label, validators=[Optional(), number()])


def activity_form(sources, products, filing=None, **kwargs) -> ActivityForm:
    """An ActivityForm with a row for each of `sources` and a field for each of `products`; `filing` gives its lists
    of materials the rows they have filed."""

    class Form(ActivityForm):
        pass

    Form._sources, Form._products = tuple(sources), tuple(products)
    Form._item_rows = _item_rows(sources, filing, _formdata(kwargs))
    for source in sources:
        sid = source.id
        setattr(Form, f"quantity_{sid}", StringField(_l("Quantity"), validators=[Optional(), number()]))
        setattr(Form, f"unit_{sid}", SelectField(
            _l("Unit"), choices=[SelectChoice(u, display_unit(u)) for u in unit_choices(source)],
            default=source.activity_unit))
        for name in measured_parameters(source):
            setattr(Form, f"{name}_{sid}", StringField(PARAMETER_LABELS[name],
                                                       validators=[Optional(), _PARAMETER_CHECKS[name]]))
        if takes_green_mwh(source):
            setattr(Form, f"green_mwh_{sid}", StringField(_l("Green electricity (MWh)"),
                                                          validators=[Optional(), number()]))
        inputs = method_inputs(source, Form._item_rows.get(sid))
        for spec in inputs:
            setattr(Form, spec.field, _method_field(source, spec))
        # A service's refusal of an input as a whole (a composition, the counts, a list of materials) shows beside
        # its first field.
        firsts = {}
        for spec in inputs:
            firsts.setdefault(spec.parameter, spec)
        for parameter, spec in firsts.items():
            if spec.kind in ("composition", "counts"):
                setattr(Form, field_name(parameter, sid), property(lambda self, name=spec.field: self[name]))
            elif spec.kind == "items":
                setattr(Form, field_name(parameter, sid), _first_typed(
                    lambda self, sid=sid, parameter=parameter: [
                        t for r in self.rows if r.source.id == sid for t in r.item_tables
                        if t.parameter == parameter], spec.field))
    for product in products:
        setattr(Form, f"production_{product.id}", StringField(product.name, validators=[Optional(), number()]))
    return Form(**kwargs)


EXPLANATION_MAX = 2000  # explanations of warnings, review comments


class AmendForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the amendment"), validators=[InputRequired(), Length(max=2000)],
                           description=_l("What was wrong or missing in the approved month, and where the "
                                          "corrected figures come from."))


class EvidenceForm(FlaskForm):
    file = FileField(_l("File (PDF, JPG, PNG or XLSX)"), validators=[FileRequired(_l("Choose a file."))])
    source_id = SelectField(_l("Concerns"), validate_choice=True)
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)],
                              description=_l("e.g. gas invoice for June, meter reading photo."))

    def set_sources(self, sources) -> None:
        self.source_id.choices = [SelectChoice("", _("The whole month"))] + [
            SelectChoice(str(s.id), s.name) for s in sources]


class LabReportForm(FlaskForm):
    """A lab report (one file, one sample) of measured parameters of a line; one form per line on the filing page
    (prefix lab<source>)."""

    parameters = SelectMultipleField(_l("Parameters the report gives"), validate_choice=True, validators=[
        DataRequired(_l("Tick the parameters this report gives."))])
    file = FileField(_l("Lab report (PDF, JPG or PNG)"), validators=[FileRequired(_l("Choose a file."))])
    lab_name = StringField(_l("Laboratory"), validators=[InputRequired(_l("Give the laboratory's name.")),
                                                        Length(max=200)])
    accreditation = StringField(_l("CMA or CNAS number"), validators=[InputRequired(_l(
        "Give the laboratory's CMA or CNAS number.")), Length(max=60)], description=_l("e.g. CNAS L0467"))
    sample_id = StringField(_l("Sample number"), validators=[InputRequired(_l("Give the sample number.")),
                                                            Length(max=60)])
    sample_date = DateField(_l("Sample date"), validators=[InputRequired(_l("Give the date the sample was taken."))])

    @classmethod
    def for_line(cls, source_id: int, choices, formdata=_UNSET) -> "LabReportForm":
        form = cls(prefix=f"lab{source_id}") if formdata is _UNSET else cls(formdata=formdata,
                                                                             prefix=f"lab{source_id}")
        form.parameters.choices = [SelectChoice(code, label) for code, label in choices]
        form.source_id = source_id
        return form


class CommentForm(FlaskForm):
    """A message in the month's conversation: a reply, a follow-up. The service checks the text and the line,
    so its refusal shows beside the field (app.filings.conversation)."""

    text = TextAreaField(_l("Your comment"))
    source_id = SelectField(_l("Concerns"), validate_choice=False)
    reply_to = HiddenField()

    def set_lines(self, filing) -> None:
        self.source_id.choices = [SelectChoice("", _("The whole filing"))] + [
            SelectChoice(str(line.source_id), line.source.name) for line in filing.lines]

    @classmethod
    def blank_for(cls, filing, comments: list, reply_to: int | None) -> "CommentForm":
        """A fresh form for the filing's page; `reply_to` (the Reply link's `?reply_to=<comment id>`) answers that
        comment, on its line."""
        form = cls(formdata=None)
        form.set_lines(filing)
        answered = next((c for c in comments if c.id == reply_to), None)
        if answered is not None:
            form.reply_to.data = str(answered.id)
            form.source_id.data = str(answered.source_id) if answered.source_id else ""
        return form

    def values(self) -> tuple[str, int | None, int | None]:
        """(text, source id or None, id of the comment answered or None), as posted."""
        source = (self.source_id.data or "").strip()
        reply = (self.reply_to.data or "").strip()
        # Anything but a number is no line of the filing (-1): the service refuses it beside the field.
        return (self.text.data or "", (int(source) if source.isdigit() else -1) if source else None,
                int(reply) if reply.isdigit() else None)

    def post(self, actor, filing) -> bool:
        """Add the posted comment to the month's conversation (both sides' comment views call this); False when
        the form or the service refused it, the reason then beside its field."""
        if not self.validate_on_submit():
            return False
        text, source_id, reply_to = self.values()
        try:
            with acting_on(filing.org_id):
                conversation.add_comment(actor, filing, text, source_id, reply_to)
        except ServiceError as e:
            apply_error(self, e)
            return False
        return True
