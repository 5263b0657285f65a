"""What the API reads and writes: request bodies checked field by field, rows turned into JSON.

Months are `YYYY-MM`; quantities and tonnes are decimal strings (exact, never floats); units are the
app's unit codes. Field paths in errors follow the body: `lines[2].quantity`.
"""
import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.accounting import units
from app.accounting.engine import SCOPES
from app.accounting.methods import DEFAULT_METHOD
from app.accounting.regimes import REGIMES
from app.api.errors import ApiError
from app.core.numbers import plain
from app.filings.forms import EXPLANATION_MAX, MAX_DECIMALS
from app.filings.services import MEASURABLE
from app.filings.lab_reports import as_record

MONTH = re.compile(r"(\d{4})-(\d{2})")
MAX_QUANTITY = Decimal("1E12")  # far above any month's activity, and the computed tonnes stay inside their column
MAX_LINES = 500
ACTIVITY_KEYS = {"lines", "production", "output_value_10k_cny"}
LINE_KEYS = {"source_id", "quantity", "unit", "measured", "green_mwh", "parameters"}
SOURCE_KEYS = {"facility_id", "name", "method", "unit", "material", "commissioned", "generating_unit", "covered",
               "category", "rated_capacity", "rated_capacity_per"}
# A service's field name as the body names it.
SOURCE_FIELDS = {"activity_unit": "unit", "commissioned_month": "commissioned", "material_text": "material"}
FIXED_MATERIAL = {"electricity_in": "electricity", "electricity_out": "electricity", "heat_in": "heat",
                  "heat_out": "heat"}
MAX_PARAMETERS_TEXT = 20000  # a day-by-day NCV list of a month is far below this
PRODUCTION_KEYS = {"product_id", "quantity", "unit"}


def parse_month(text: str) -> date:
    match = MONTH.fullmatch(text or "")
    if not match or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
        raise ApiError(400, "invalid_month", "Write months as YYYY-MM, e.g. 2025-03.",
                       fields={"month": "must be YYYY-MM"})
    return date(int(match[1]), int(match[2]), 1)


def month_text(period: date) -> str:
    return period.strftime("%Y-%m")


def decimal_text(value) -> str | None:
    """A stored decimal as people write it: 12.500000 → "12.5", 0E-10 → "0"."""
    return None if value is None else plain(value)


def instant(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


# --- reading bodies ------------------------------------------------------------------------------

class Problems(dict):
    """Field path → message, collected over the whole body so a client sees every mistake at once."""

    def raise_if_any(self):
        if self:
            raise ApiError(422, "validation_failed", "Some values are not valid: see fields.", fields=self)


def _integer(value, path: str, problems: Problems) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems[path] = "must be an integer"
        return None
    return value


def _quantity(value, path: str, problems: Problems, required: bool = True) -> Decimal | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problems[path] = "must be a decimal string, e.g. \"123.4\""
        return None
    if isinstance(value, str) and ("," in value or "_" in value):
        # Never guessed: "6070,3" is not 60703 (nor 6070.3), "1,234" not 1234; the API takes no separators at all.
        problems[path] = "use a point for decimals and no thousands separators, e.g. \"6070.3\""
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problems[path] = "must be a decimal string, e.g. \"123.4\""
        return None
    if not number.is_finite():
        problems[path] = "must be a finite number"
    elif number < 0:
        problems[path] = "must be ≥ 0"
    elif number >= MAX_QUANTITY:
        problems[path] = f"must be less than {MAX_QUANTITY:f}"
    elif number != number.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
        problems[path] = f"use at most {MAX_DECIMALS} decimal places"
    else:
        return number
    return None


def _object(value, path: str, allowed: set, problems: Problems) -> dict | None:
    if not isinstance(value, dict):
        problems[path] = "must be an object"
        return None
    for key in sorted(set(value) - allowed):
        problems[f"{path}.{key}" if path else key] = "unknown field"
    return value


def _line_unit(value, source, path: str, problems: Problems) -> str | None:
    if value is None:
        return source.activity_unit
    if not isinstance(value, str) or not value.strip() or len(value) > 20:
        problems[path] = "must be a unit code, e.g. \"t\""
        return None
    try:
        return units.canonical_unit(value.strip())
    except units.UnitError:
        # Scope 3 lines may count in units of their own (t·km, CNY) that the declared factor names.
        if source.category == "scope3" and value.strip() in (source.activity_unit, source.declared_unit):
            return value.strip()
        problems[path] = f"unknown unit; this source is measured in {source.activity_unit}"
        return None


def parse_activity(body, sources: dict, products: dict) -> dict:
    """A PUT body as set_activity's arguments: {"lines", "production" (None: keep), "output_value" (... keep)}.

    `sources` and `products` are the organisation's own (through the gate): any other id is unknown here,
    so another tenant's source is refused exactly like one that does not exist.
    """
    problems = Problems()
    if _object(body, "", ACTIVITY_KEYS, problems) is None:
        raise ApiError(422, "validation_failed", "The body must be a JSON object.", fields={"body": "must be an object"})
    result = {}
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, list):
        problems["lines"] = "required: a list of {source_id, quantity, unit}"
        raw_lines = []
    elif len(raw_lines) > MAX_LINES:
        problems["lines"] = f"at most {MAX_LINES} lines"
        raw_lines = []
    lines, seen = [], set()
    for i, item in enumerate(raw_lines):
        path = f"lines[{i}]"
        if _object(item, path, LINE_KEYS, problems) is None:
            continue
        source_id = _integer(item.get("source_id"), f"{path}.source_id", problems)
        source = sources.get(source_id)
        if source_id is not None and source is None:
            problems[f"{path}.source_id"] = "unknown emission source"
        elif source_id in seen:
            problems[f"{path}.source_id"] = "this source appears twice"
        seen.add(source_id)
        quantity = _quantity(item.get("quantity"), f"{path}.quantity", problems)
        if source is None:
            continue
        unit = _line_unit(item.get("unit"), source, f"{path}.unit", problems)
        measured = {}
        raw_measured = item.get("measured") or {}
        if _object(raw_measured, f"{path}.measured", set(MEASURABLE), problems) is not None:
            for key, value in raw_measured.items():
                if key in MEASURABLE and value is not None:
                    measured[key] = _quantity(value, f"{path}.measured.{key}", problems)
        green = _quantity(item.get("green_mwh"), f"{path}.green_mwh", problems, required=False)
        parameters = item.get("parameters") or {}
        if not isinstance(parameters, dict):
            problems[f"{path}.parameters"] = "must be an object of parameter name → value"
            parameters = {}
        elif len(json.dumps(parameters)) > MAX_PARAMETERS_TEXT:
            problems[f"{path}.parameters"] = "too long"
            parameters = {}
        else:
            for key, value in parameters.items():
                if isinstance(value, float):
                    problems[f"{path}.parameters.{key}"] = "must be a decimal string, e.g. \"62.5\""
        lines.append({"source_id": source.id, "quantity": quantity, "unit": unit, "measured": measured,
                      "green_mwh": green, "parameters": parameters})
    result["lines"] = lines

    if "production" in body:
        raw = body["production"]
        production = []
        if not isinstance(raw, list):
            problems["production"] = "must be a list of {product_id, quantity, unit}"
            raw = []
        seen = set()
        for i, item in enumerate(raw[:MAX_LINES]):
            path = f"production[{i}]"
            if _object(item, path, PRODUCTION_KEYS, problems) is None:
                continue
            product_id = _integer(item.get("product_id"), f"{path}.product_id", problems)
            product = products.get(product_id)
            if product_id is not None and product is None:
                problems[f"{path}.product_id"] = "unknown product"
            elif product_id in seen:
                problems[f"{path}.product_id"] = "this product appears twice"
            seen.add(product_id)
            quantity = _quantity(item.get("quantity"), f"{path}.quantity", problems)
            unit = item.get("unit")
            if product is not None and unit is not None and unit != product.unit:
                problems[f"{path}.unit"] = f"this product is reported in {product.unit}"
            if product is not None:
                production.append({"product_id": product.id, "quantity": quantity, "unit": product.unit})
        result["production"] = production
    if "output_value_10k_cny" in body:
        result["output_value"] = _quantity(body["output_value_10k_cny"], "output_value_10k_cny", problems,
                                           required=False)
    problems.raise_if_any()
    return result


def line_path(field: str | None, lines: list[dict]) -> str | None:
    """A service's form field name ("quantity_12", "ncv_12") as the path of the body's line ("lines[0].quantity")."""
    name, _sep, source_id = (field or "").rpartition("_")
    for i, line in enumerate(lines):
        if name and str(line["source_id"]) == source_id:
            if name in ("quantity", "green_mwh"):
                return f"lines[{i}].{name}"
            if name in (line.get("parameters") or {}) or name not in MEASURABLE:
                return f"lines[{i}].parameters.{name}"
            return f"lines[{i}].measured.{name}"
    return field


def parse_source(body) -> dict:
    """A POST /sources body as the register's service takes it (facility_id, name, method, activity_unit, ...)."""
    problems = Problems()
    if _object(body, "", SOURCE_KEYS, problems) is None:
        raise ApiError(422, "validation_failed", "The body must be a JSON object.", fields={"body": "must be an object"})
    data = {"facility_id": body.get("facility_id"), "name": body.get("name"), "method": body.get("method"),
            "activity_unit": body.get("unit"), "material": body.get("material"), "category": body.get("category"),
            "covered": body.get("covered", True), "generating_unit": body.get("generating_unit", False)}
    if data["material"] is None and isinstance(data["method"], str):
        data["material"] = FIXED_MATERIAL.get(data["method"])  # electricity and heat name themselves
    _integer(body.get("facility_id"), "facility_id", problems)
    for key in ("name", "method", "unit", "material", "category"):
        if body.get(key) is not None and not isinstance(body[key], str):
            problems[key] = "must be a string"
    if not isinstance(body.get("method"), str) and body.get("category") is None:
        problems["method"] = "required: a method code, e.g. \"power_coal\""
    for key in ("covered", "generating_unit"):
        if key in body and not isinstance(body[key], bool):
            problems[key] = "must be true or false"
    if body.get("commissioned") is not None:
        try:
            data["commissioned_month"] = parse_month(body["commissioned"]) if isinstance(body["commissioned"],
                                                                                     str) else None
        except ApiError:
            data["commissioned_month"] = None
        if data["commissioned_month"] is None:
            problems["commissioned"] = "must be YYYY-MM"
    if "rated_capacity" in body:
        data["rated_capacity"] = body["rated_capacity"]
        data["rated_capacity_per"] = body.get("rated_capacity_per")
    problems.raise_if_any()
    return data


def source_field(field: str | None) -> str:
    return SOURCE_FIELDS.get(field or "name", field or "name")


def parse_explanations(body) -> dict:
    problems = Problems()
    if body is None:
        return {}
    if _object(body, "", {"explanations"}, problems) is None:
        raise ApiError(422, "validation_failed", "The body must be a JSON object.", fields={"body": "must be an object"})
    raw = body.get("explanations") or {}
    if not isinstance(raw, dict):
        problems["explanations"] = "must be an object of warning key → text"
        raw = {}
    for key, text in raw.items():
        if not isinstance(text, str):
            problems[f"explanations.{key}"] = "must be a string"
        elif len(text) > EXPLANATION_MAX:
            problems[f"explanations.{key}"] = f"at most {EXPLANATION_MAX} characters"
    problems.raise_if_any()
    return raw


def parse_return(body) -> tuple[str, dict]:
    problems = Problems()
    if _object(body, "", {"comment", "line_comments"}, problems) is None:
        raise ApiError(422, "validation_failed", "The body must be a JSON object.", fields={"body": "must be an object"})
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        problems["comment"] = "must be a string"
    elif comment is not None and len(comment) > EXPLANATION_MAX:
        problems["comment"] = f"at most {EXPLANATION_MAX} characters"
    raw = body.get("line_comments") or {}
    line_comments = {}
    if not isinstance(raw, dict):
        problems["line_comments"] = "must be an object of source id → text"
    else:
        for key, text in raw.items():
            if not re.fullmatch(r"\d{1,9}", key):
                problems[f"line_comments.{key}"] = "keys are source ids"
            elif not isinstance(text, str) or len(text) > EXPLANATION_MAX:
                problems[f"line_comments.{key}"] = f"must be a string of at most {EXPLANATION_MAX} characters"
            else:
                line_comments[int(key)] = text
    problems.raise_if_any()
    return comment or "", line_comments


def parse_comment(body) -> tuple[str, int | None]:
    """A reply in the month's conversation: (text, source_id or None). The service checks the text's length
    and that the source is a line of the filing."""
    problems = Problems()
    if _object(body, "", {"text", "source_id"}, problems) is None:
        raise ApiError(422, "validation_failed", "The body must be a JSON object.", fields={"body": "must be an object"})
    text = body.get("text")
    if not isinstance(text, str):
        problems["text"] = "required: a string"
    elif "\x00" in text:
        problems["text"] = "must not contain NUL characters"
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from a JSON escape
            problems["text"] = "must be valid Unicode text"
    source_id = body.get("source_id")
    if source_id is not None:
        source_id = _integer(source_id, "source_id", problems)
    problems.raise_if_any()
    return text, source_id


# --- writing JSON ----------------------------------------------------------------------------------

def organisation_json(org) -> dict:
    return {"id": org.id, "kind": org.kind, "name": org.name, "name_en": org.name_en,
            "credit_code": org.credit_code, "industry_code": org.industry_code, "district": org.district}


def source_json(source, material_name: str) -> dict:
    return {"id": source.id, "name": source.name, "category": source.category,
            "scope": SCOPES.get(source.category), "material": source.material, "material_name": material_name,
            "unit": source.activity_unit, "covered": source.covered, "active": source.active,
            "declared_factor": decimal_text(source.declared_factor), "declared_unit": source.declared_unit,
            "rated_capacity": decimal_text(source.rated_capacity), "rated_capacity_per": source.rated_capacity_per,
            "method": source.method or DEFAULT_METHOD.get(source.category), "generating_unit": source.generating_unit,
            "facility_id": source.facility_id,
            "commissioned": month_text(source.commissioned_month) if source.commissioned_month else None}


def facility_json(facility, sources: list) -> dict:
    return {"id": facility.id, "name": facility.name, "name_en": facility.name_en, "active": facility.active,
            "sources": sources}


def product_json(product) -> dict:
    return {"id": product.id, "name": product.name, "name_en": product.name_en, "unit": product.unit,
            "is_main": product.is_main, "active": product.active}


def filing_json(filing, findings=None, with_organisation: bool = False) -> dict:
    calc = filing.current_calculation
    per_line = {line.filing_line_id: line for line in calc.lines} if calc else {}
    data = {
        "id": filing.id, "month": month_text(filing.period), "revision": filing.revision, "status": filing.status,
        "version": filing.version,
        "lines": [_line_json(line, per_line.get(line.id)) for line in filing.lines],
        "production": [{"product_id": p.product_id, "quantity": decimal_text(p.quantity), "unit": p.unit}
                       for p in filing.production],
        "output_value_10k_cny": decimal_text(filing.output_value_10k_cny),
        "total_tco2e": decimal_text(calc.total_tco2e) if calc else None,
        "total_regime": (calc.regime or "inventory") if calc else None,
        "totals_by_regime": {name: decimal_text(getattr(calc, f"{name}_tco2e")) for name in REGIMES} if calc else None,
        "inventory_market_tco2e": decimal_text(calc.inventory_market_tco2e) if calc else None,
        "substituted_share": decimal_text(calc.substituted_share) if calc else None,
        "scope1_tco2e": decimal_text(calc.scope1_tco2e) if calc else None,
        "scope2_tco2e": decimal_text(calc.scope2_tco2e) if calc else None,
        "scope3_tco2e": decimal_text(calc.scope3_tco2e) if calc else None,
        "energy_tce": decimal_text(calc.energy_tce) if calc else None,
        "computed_at": instant(calc.computed_at) if calc else None,
        "explanations": dict(filing.explanations or {}),
        "created_at": instant(filing.created_at), "updated_at": instant(filing.updated_at),
        "submitted_at": instant(filing.submitted_at), "reviewed_at": instant(filing.reviewed_at),
        "review_comment": filing.review_comment,
    }
    if findings is not None:
        data["findings"] = [{"key": f.key, "level": f.level, "message": str(f.message), "source_id": f.source_id}
                            for f in findings]
    if with_organisation:
        data["organisation"] = organisation_json(filing.organisation)
    return data


def _line_json(line, computed) -> dict:
    """A filing line as filed, with its computed figures: method, gas masses before GWP, substitution, CO2e."""
    data = {"source_id": line.source_id, "source_name": line.source.name,
            "quantity": decimal_text(line.quantity), "unit": line.unit,
            "measured": dict(line.measured or {}), "parameters": dict(line.parameters or {}),
            "provenance": dict(line.provenance or {}), "green_mwh": decimal_text(line.green_mwh),
            "method": line.source.method or DEFAULT_METHOD.get(line.source.category),
            "lab_reports": [as_record(r) for r in line.lab_reports],
            "scope": None, "tco2e": None, "co2_tco2": None, "ch4_t": None, "n2o_t": None, "substituted": None}
    if computed is not None:
        data.update({"scope": computed.scope, "tco2e": decimal_text(computed.co2e_t),
                     "method": computed.method or data["method"], "co2_tco2": decimal_text(computed.co2_t),
                     "ch4_t": decimal_text(computed.ch4_t), "n2o_t": decimal_text(computed.n2o_t),
                     "substituted": bool(computed.substituted),
                     "substituted_parameters": list(computed.substituted or [])})
    return data


LAB_REPORT_FIELDS = ("source_id", "parameters", "lab_name", "accreditation", "sample_id", "sample_date", "file")


def parse_lab_report(request) -> tuple[int, list[str], dict, object]:
    """A lab report's multipart form: (source id, parameter codes, the lab's fields with the sample date, the file).
    `parameters` may repeat or be comma-separated. The service checks the rest (lab, accreditation, the parameters
    of the line's method, the file's kind and size)."""
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, message="Send the report as multipart/form-data: the file as `file`, with source_id, "
                                    "parameters, lab_name, accreditation, sample_id and sample_date.")
    form, problems = request.form, Problems()
    unknown = sorted({str(key or "") for key in (*form, *request.files)} - set(LAB_REPORT_FIELDS))  # a nameless part: None
    if unknown:
        problems[unknown[0] or "body"] = "unknown field"
    source_id = form.get("source_id", "")
    if not source_id.isdigit() or int(source_id) > 2**31 - 1:
        problems["source_id"] = "required: the id of one of your sources"
    parameters = [code.strip() for value in form.getlist("parameters") for code in value.split(",") if code.strip()]
    if not parameters:
        problems["parameters"] = "required: the measured parameters the report gives, e.g. ncv_ar,c_ad,m_ad,m_ar"
    sample_date = None
    try:
        sample_date = date.fromisoformat(form.get("sample_date", ""))
    except ValueError:
        problems["sample_date"] = "required: YYYY-MM-DD"
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        problems["file"] = "required: the report's PDF, JPG or PNG"
    problems.raise_if_any()
    return int(source_id), parameters, {"lab_name": form.get("lab_name"), "accreditation": form.get("accreditation"),
                                        "sample_id": form.get("sample_id"), "sample_date": sample_date}, upload


AUTHOR_ROLES = {"authority": "regulator", "enterprise": "enterprise"}


def comment_json(comment) -> dict:
    return {"id": comment.id, "author_role": AUTHOR_ROLES[comment.author_side], "text": comment.text,
            "created_at": instant(comment.created_at), "source_id": comment.source_id,
            "reply_to_id": comment.reply_to_id}
