"""Forms of the monthly filing: the month's activity (built per enterprise), submission, amendment, evidence.

The activity form has one row per emission source and one field per product, so its class is made for
the enterprise's register when the page is built (`activity_form`). Fields only check that a value is a
number in range; what a quantity means (its unit, the factors) is the service's and the engine's business.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.accounting import units
from app.accounting.engine import FUEL_CATEGORIES
from app.accounting.labels import parameter_label
from app.accounting.methods import LEGACY, METHODS
from app.core.forms import apply_error
from app.core.numbers import MISPLACED, MisplacedSeparator, clean, plain, to_decimal
from app.core.service_error import ServiceError
from app.factors.services import display_unit
from app.filings import conversation
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


# Method inputs the form offers (a list, day-by-day pairs or equipment counts go through the API or the import).
FORM_KINDS = ("number", "composition")


def species_key(species: str) -> str:
    return species.replace("+", "plus")


@dataclass(frozen=True)
class MethodInput:
    """One field of a sector method's inputs: `parameter` (its API name), with `species` for a composition."""

    field: str
    parameter: str
    species: str | None
    label: str


def method_inputs(source) -> list[MethodInput]:
    """The inputs a source's sector method takes on the form (none for today's methods)."""
    code = source.method
    if not code or code in LEGACY:
        return []
    found = []
    for p in METHODS[code].params:
        if p.kind not in FORM_KINDS:
            continue
        if p.kind == "composition":
            found += [MethodInput(f"comp{species_key(sp)}_{source.id}", p.name, sp, f"{sp} (% vol)") for sp in SPECIES]
        else:
            unit = "" if p.unit in ("1", "") else f" ({p.unit.replace('unit', display_unit(source.activity_unit))})"
            found.append(MethodInput(f"{p.name}_{source.id}", p.name, None, f"{parameter_label(p.name)}{unit}"))
    return found


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
    def composition(self) -> list:
        return [(spec, f) for spec, f in self.method_fields or [] if spec.species]

    @property
    def numbers(self) -> list:
        return [(spec, f) for spec, f in self.method_fields or [] if not spec.species]

    @property
    def fields(self) -> list:
        return [self.quantity, self.unit, *self.parameters, *([self.green_mwh] if self.green_mwh is not None else []),
                *self.inputs]


class ActivityForm(FlaskForm):
    """Base of the per-enterprise activity form; `activity_form()` adds the rows."""

    version = HiddenField()
    output_value = StringField(_l("Industrial output value (10⁴ CNY)"), validators=[Optional(), number()])

    _sources: tuple = ()
    _products: tuple = ()

    @property
    def rows(self) -> list[Row]:
        rows = []
        for source in self._sources:
            sid = source.id
            rows.append(Row(source, self[f"quantity_{sid}"], self[f"unit_{sid}"],
                            [self[f"{name}_{sid}"] for name in measured_parameters(source)],
                            self[f"green_mwh_{sid}"] if takes_green_mwh(source) else None,
                            [(spec, self[spec.field]) for spec in method_inputs(source)]))
        return rows

    @property
    def production_fields(self) -> list[tuple]:
        return [(product, self[f"production_{product.id}"]) for product in self._products]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for row in self.rows:
            # Measured values without a quantity would be dropped on saving: say so rather than lose them.
            if clean(row.quantity.data) is None and not row.quantity.errors and any(
                    clean(f.data) is not None for f in row.parameters + [row.green_mwh] + row.inputs
                    if f is not None):
                row.quantity.errors = [*row.quantity.errors,
                                       _("Enter the quantity too, or clear the measured values.")]
                valid = False
        return valid

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
                value = (filed.get(spec.parameter) or {}).get(spec.species) if spec.species else filed.get(
                    spec.parameter)
                f.data = plain(Decimal(value)) if value not in (None, "") else ""
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
            parameters = {}
            for spec, f in row.method_fields:
                value = clean(f.data)
                if value is None:
                    continue
                if spec.species:
                    parameters.setdefault(spec.parameter, {})[spec.species] = value
                else:
                    parameters[spec.parameter] = value
            lines.append({"source_id": row.source.id, "quantity": quantity, "unit": row.unit.data,
                          "measured": measured, "parameters": parameters,
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


def activity_form(sources, products, **kwargs) -> ActivityForm:
    """An ActivityForm with a row for each of `sources` and a field for each of `products`."""

    class Form(ActivityForm):
        pass

    Form._sources, Form._products = tuple(sources), tuple(products)
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
        inputs = method_inputs(source)
        for spec in inputs:
            setattr(Form, spec.field, StringField(spec.label, validators=[Optional(), number()]))
        first = next((spec.field for spec in inputs if spec.species), None)
        if first is not None:  # a service's refusal of the composition shows beside its first component
            setattr(Form, f"composition_{sid}", property(lambda self, name=first: self[name]))
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
