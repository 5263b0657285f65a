"""Forms of the carbon asset ledger: one per kind of entry, and the reason for a reversal.

Numbers and years are text fields and choices are not checked here: the service reads and checks them (app.assets.services._clean), so a
refusal shows beside the field with what was typed kept. `layout` is the order the page shows the fields in.
"""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from app.assets.services import parse_lot

INSTRUMENT_CHOICES = [SelectChoice("allowance", _l("Allowances")), SelectChoice("offset", _l("Offsets"))]
OFFSET_TYPE_CHOICES = [SelectChoice("CCER", _l("CCER (China Certified Emission Reduction)")),
                       SelectChoice("local", _l("Local offset (a city or provincial scheme)"))]
_NUMBER = {"inputmode": "decimal", "autocomplete": "off"}
_YEAR = {"inputmode": "numeric", "autocomplete": "off", "maxlength": 4}


def _quantity():
    return StringField(_l("Quantity (tCO2e)"), validators=[Optional()], render_kw=_NUMBER,
                       description=_l("Whole tonnes as a rule; at most six decimal places."))


def _price(required: bool):
    return StringField(_l("Price (CNY per tonne)"), validators=[Optional()], render_kw=_NUMBER,
                       description=None if required else _l("Optional."))


def _compliance_year(description):
    return StringField(_l("Compliance year"), validators=[Optional()], render_kw=_YEAR, description=description)


def _counterparty(label=None, description=None):
    return StringField(label or _l("Counterparty"), validators=[Optional(), Length(max=200)],
                       description=description)


class _EntryForm(FlaskForm):
    trade_date = DateField(_l("Date"), validators=[Optional()])
    reason = TextAreaField(_l("Reason or reference"), validators=[Optional(), Length(max=2000)],
                           render_kw={"rows": 2},
                           description=_l("The allocation notice, contract, exchange deal or registry number."))
    layout: tuple = ()

    def service_data(self) -> dict:
        data = {name: self[name].data for name in self.layout}
        if "lot" in data:
            data.update(parse_lot(data.pop("lot")))
        return data


class AllocationForm(_EntryForm):
    compliance_year = _compliance_year(_l("The year whose emissions these allowances cover."))
    quantity = _quantity()
    layout = ("compliance_year", "quantity", "trade_date", "reason")


class PurchaseForm(_EntryForm):
    instrument = SelectField(_l("Instrument"), choices=INSTRUMENT_CHOICES, validate_choice=False)
    compliance_year = _compliance_year(_l("Allowances only: the compliance year they belong to."))
    offset_type = SelectField(_l("Offset type"), choices=[SelectChoice("", "—"), *OFFSET_TYPE_CHOICES],
                              validate_choice=False, description=_l("Offsets only."))
    project_id = StringField(_l("Project registration number"), validators=[Optional(), Length(max=100)],
                             description=_l("Offsets only, e.g. CCER-14-2024-0007."))
    vintage = StringField(_l("Vintage (year of the reduction)"), validators=[Optional()], render_kw=_YEAR,
                          description=_l("Offsets only."))
    quantity = _quantity()
    price = _price(required=True)
    counterparty = _counterparty(description=_l("Who sold them, or the exchange the deal was made on."))
    layout = ("instrument", "compliance_year", "offset_type", "project_id", "vintage", "quantity", "price",
              "counterparty", "trade_date", "reason")


class SaleForm(_EntryForm):
    instrument = SelectField(_l("Instrument"), choices=INSTRUMENT_CHOICES, validate_choice=False)
    compliance_year = _compliance_year(_l("Allowances only: the compliance year of the allowances sold."))
    lot = SelectField(_l("Offset lot"), choices=[], validate_choice=False, description=_l("Offsets only."))
    quantity = _quantity()
    price = _price(required=True)
    counterparty = _counterparty(description=_l("Who bought them, or the exchange the deal was made on."))
    layout = ("instrument", "compliance_year", "lot", "quantity", "price", "counterparty", "trade_date", "reason")


class OffsetForm(_EntryForm):
    offset_type = SelectField(_l("Offset type"), choices=OFFSET_TYPE_CHOICES, validate_choice=False)
    project_id = StringField(_l("Project registration number"), validators=[Optional(), Length(max=100)],
                             description=_l("e.g. CCER-14-2024-0007."))
    vintage = StringField(_l("Vintage (year of the reduction)"), validators=[Optional()], render_kw=_YEAR)
    quantity = _quantity()
    counterparty = _counterparty(_l("Received from"), _l("Optional: the registry that issued them or who transferred them."))
    price = _price(required=False)
    layout = ("offset_type", "project_id", "vintage", "quantity", "counterparty", "price", "trade_date", "reason")


class SurrenderForm(_EntryForm):
    instrument = SelectField(_l("Instrument"), choices=INSTRUMENT_CHOICES, validate_choice=False)
    compliance_year = _compliance_year(_l("The compliance year being settled (allowances of that year are used)."))
    lot = SelectField(_l("Offset lot"), choices=[], validate_choice=False, description=_l("Offsets only."))
    quantity = _quantity()
    layout = ("instrument", "compliance_year", "lot", "quantity", "trade_date", "reason")


FORMS = {"allocation": AllocationForm, "purchase": PurchaseForm, "sale": SaleForm, "offset_acquired": OffsetForm,
         "surrender": SurrenderForm}


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("Why is the entry reversed?"),
                           validators=[InputRequired(message=_l("Say why the entry is reversed.")),
                                       Length(max=2000)],
                           render_kw={"rows": 3},
                           description=_l("Kept with the reversal and in the audit trail."))


class AllocationImportForm(FlaskForm):
    """The regulator's import of a year's allocation: the workbook, the notice it implements and its date."""

    file = FileField(_l("Filled-in template (.xlsx)"), validators=[FileRequired(_l("Choose the file to upload."))])
    reason = StringField(_l("Allocation notice"), validators=[Optional(), Length(max=2000)],
                         description=_l("The notice's reference, e.g. 锦环发〔2026〕12号: kept with every entry whose "
                                        "row gives no reference of its own."))
    trade_date = DateField(_l("Date of the allocation"), validators=[Optional()])
