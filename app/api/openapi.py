"""The OpenAPI 3 document of /api/v1, built with apispec from the schemas below.

It is the public contract: the fuzz test (tests/api/test_fuzz.py) checks every answer of the app against it.
"""
from functools import cache

from apispec import APISpec

from app.accounting.methods import METHODS
from app.api.schemas import MAX_LINES
from app.filings.models import STATUSES

NULLABLE_STRING = {"type": ["string", "null"]}
DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["123.4"]}
NULLABLE_DECIMAL = {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d+)?$"}
DATETIME = {"type": ["string", "null"], "format": "date-time"}
MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "examples": ["2025-03"]}
DECIMAL_INPUT = {"oneOf": [{"type": "string", "maxLength": 40}, {"type": "number"}],
                 "description": "A decimal, preferably as a string (exact): \"123.4\"."}

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error"], "additionalProperties": False,
        "properties": {"error": {
            "type": "object", "required": ["code", "message"], "additionalProperties": False,
            "properties": {"code": {"type": "string", "examples": ["validation_failed"]},
                           "message": {"type": "string"},
                           "fields": {"type": "object", "additionalProperties": {"type": "string"},
                                      "description": "Field path (e.g. lines[2].quantity) → message."}}}},
    },
    "Organisation": {
        "type": "object", "required": ["id", "kind", "name"],
        "properties": {"id": {"type": "integer"}, "kind": {"type": "string", "enum": ["enterprise", "authority"]},
                       "name": {"type": "string"}, "name_en": NULLABLE_STRING, "credit_code": NULLABLE_STRING,
                       "industry_code": NULLABLE_STRING, "district": NULLABLE_STRING},
    },
    "Me": {
        "type": "object", "required": ["user", "organisation", "token"],
        "properties": {
            "user": {"type": "object", "required": ["id", "email", "name", "role"],
                     "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
                                    "role": {"type": "string", "enum": ["platform_admin", "regulator",
                                                                        "enterprise_admin", "energy_manager",
                                                                        "viewer"]}}},
            "organisation": {"$ref": "#/components/schemas/Organisation"},
            "token": {"type": "object", "required": ["id", "name", "prefix", "scopes"],
                      "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                     "prefix": {"type": "string"},
                                     "scopes": {"type": "array", "items": {"type": "string",
                                                                           "enum": ["read", "write"]}}}}},
    },
    "Source": {
        "type": "object",
        "required": ["id", "name", "category", "scope", "material", "material_name", "unit", "covered", "active"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "category": {"type": "string"},
                       "scope": NULLABLE_STRING, "material": {"type": "string"}, "material_name": {"type": "string"},
                       "unit": {"type": "string"}, "covered": {"type": "boolean"}, "active": {"type": "boolean"},
                       "declared_factor": NULLABLE_DECIMAL, "declared_unit": NULLABLE_STRING,
                       "rated_capacity": NULLABLE_DECIMAL,
                       "rated_capacity_per": {"type": ["string", "null"], "enum": ["hour", "month", None]},
                       "method": {"type": ["string", "null"], "enum": [*METHODS, None],
                                  "description": "The calculation method (null: scope 3, declared factor)."},
                       "generating_unit": {"type": "boolean", "description": "A generating unit never deducts the "
                                                                           "electricity or heat it supplies."},
                       "facility_id": {"type": "integer"}, "commissioned": {"type": ["string", "null"],
                                                                             "pattern": r"^\d{4}-\d{2}$"}},
    },
    "SourceInput": {
        "type": "object", "required": ["facility_id", "name", "method", "unit"], "additionalProperties": False,
        "properties": {
            "facility_id": {"type": "integer"}, "name": {"type": "string", "maxLength": 200},
            "method": {"type": "string", "enum": [m for m in METHODS if m != "scope3"],
                       "description": "The calculation method; its category follows from it."},
            "unit": {"type": "string", "description": "The activity unit: one the method converts (t, 10^4 Nm3, "
                                                      "MWh, GJ, d for equipment days)."},
            "material": {"type": "string", "description": "For combustion: a fuel code of the factor library (a "
                                                          "generating unit: its coal, default raw_coal)."},
            "commissioned": {"type": "string", "pattern": r"^\d{4}-\d{2}$",
                             "description": "First month it is expected in filings (default: this month)."},
            "generating_unit": {"type": "boolean", "default": False}, "covered": {"type": "boolean", "default": True},
            "category": {"type": "string", "description": "Optional: only where a method fits two categories "
                                                          "(combustion: stationary_combustion, mobile_combustion)."},
            "rated_capacity": DECIMAL_INPUT, "rated_capacity_per": {"type": "string", "enum": ["hour", "month"]},
        },
    },
    "Sources": {
        "type": "object", "required": ["facilities", "products"],
        "properties": {
            "facilities": {"type": "array", "items": {
                "type": "object", "required": ["id", "name", "active", "sources"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "name_en": NULLABLE_STRING,
                               "active": {"type": "boolean"},
                               "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}}},
            "products": {"type": "array", "items": {
                "type": "object", "required": ["id", "name", "unit", "is_main", "active"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "name_en": NULLABLE_STRING,
                               "unit": {"type": "string"}, "is_main": {"type": "boolean"},
                               "active": {"type": "boolean"}}}}},
    },
    "Filing": {
        "type": "object",
        "required": ["id", "month", "revision", "status", "version", "lines", "production", "total_tco2e",
                     "scope1_tco2e", "scope2_tco2e"],
        "properties": {
            "id": {"type": "integer"}, "month": MONTH, "revision": {"type": "integer"},
            "status": {"type": "string", "enum": list(STATUSES)}, "version": {"type": "integer"},
            "lines": {"type": "array", "items": {
                "type": "object", "required": ["source_id", "quantity", "unit", "tco2e"],
                "properties": {"source_id": {"type": "integer"}, "source_name": {"type": "string"},
                               "quantity": DECIMAL, "unit": {"type": "string"},
                               "measured": {"type": "object", "additionalProperties": {"type": "string"}},
                               "green_mwh": NULLABLE_DECIMAL, "scope": NULLABLE_STRING,
                               "parameters": {"type": "object", "description": "The method's inputs as filed."},
                               "provenance": {"type": "object", "description": "Per parameter: {provenance: "
                                                                               "measured | substituted, reason}."},
                               "method": NULLABLE_STRING, "tco2e": NULLABLE_DECIMAL,
                               "co2_tco2": NULLABLE_DECIMAL, "ch4_t": NULLABLE_DECIMAL, "n2o_t": NULLABLE_DECIMAL,
                               "substituted": {"type": ["boolean", "null"],
                                               "description": "Whether the line rests on a substituted value."},
                               "substituted_parameters": {"type": "array", "items": {"type": "string"}},
                               "lab_reports": {"type": "array",
                                               "items": {"$ref": "#/components/schemas/LabReport"}}}}},
            "production": {"type": "array", "items": {
                "type": "object", "required": ["product_id", "quantity", "unit"],
                "properties": {"product_id": {"type": "integer"}, "quantity": DECIMAL, "unit": {"type": "string"}}}},
            "output_value_10k_cny": NULLABLE_DECIMAL,
            "total_tco2e": NULLABLE_DECIMAL, "scope1_tco2e": NULLABLE_DECIMAL, "scope2_tco2e": NULLABLE_DECIMAL,
            "scope3_tco2e": NULLABLE_DECIMAL, "energy_tce": NULLABLE_DECIMAL, "computed_at": DATETIME,
            "total_regime": {"type": ["string", "null"], "enum": ["ets", "guideline", "inventory", None],
                             "description": "The regime total_tco2e follows (the city's setting; inventory: scope 1 "
                                           "+ location-based scope 2, as before)."},
            "totals_by_regime": {"type": ["object", "null"], "description": "tCO2e under each regime (null: a "
                                                                             "regime whose factors are missing).",
                                 "properties": {"ets": NULLABLE_DECIMAL, "guideline": NULLABLE_DECIMAL,
                                                "inventory": NULLABLE_DECIMAL}},
            "inventory_market_tco2e": NULLABLE_DECIMAL,
            "substituted_share": {**NULLABLE_DECIMAL, "description": "Share (0–1) of total_tco2e resting on "
                                                                     "substituted values."},
            "explanations": {"type": "object", "additionalProperties": {"type": "string"}},
            "created_at": DATETIME, "updated_at": DATETIME, "submitted_at": DATETIME, "reviewed_at": DATETIME,
            "review_comment": NULLABLE_STRING,
            "comments": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"},
                         "description": "In GET /filings/{month}: the month's conversation, every revision's "
                                        "comments and replies, oldest first."},
            "findings": {"type": "array", "description": "Plausibility checks of a draft: errors block submission, "
                                                         "warnings need an explanation under their key.",
                         "items": {"type": "object", "required": ["key", "level", "message"],
                                   "properties": {"key": {"type": "string"},
                                                  "level": {"type": "string", "enum": ["error", "warning", "notice"]},
                                                  "message": {"type": "string"},
                                                  "source_id": {"type": ["integer", "null"]}}}},
            "organisation": {"$ref": "#/components/schemas/Organisation"},
            "receipt": {"type": "object", "description": "Only in the answer of a submission: the acknowledgment "
                                                         "of the signed submission and its copy of record's digest.",
                        "required": ["number", "received_at", "sha256", "signer_id"],
                        "properties": {"number": {"type": "string"}, "received_at": DATETIME,
                                       "sha256": {"type": "string"}, "signer_id": {"type": "integer"}}},
        },
    },
    "Comment": {
        "type": "object", "required": ["id", "author_role", "text", "created_at", "source_id"],
        "properties": {"id": {"type": "integer"},
                       "author_role": {"type": "string", "enum": ["regulator", "enterprise"]},
                       "text": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
                       "source_id": {"type": ["integer", "null"], "description": "The line's source; null: the "
                                                                                 "whole filing."},
                       "reply_to_id": {"type": ["integer", "null"]}},
    },
    "CommentInput": {
        "type": "object", "required": ["text"], "additionalProperties": False,
        "properties": {"text": {"type": "string", "maxLength": 4000},
                       "source_id": {"type": ["integer", "null"],
                                     "description": "A source of one of the filing's lines; omitted or null: the "
                                                    "whole filing."}},
    },
    "ActivityInput": {
        "type": "object", "required": ["lines"], "additionalProperties": False,
        "properties": {
            "lines": {"type": "array", "maxItems": MAX_LINES, "items": {
                "type": "object", "required": ["source_id", "quantity"], "additionalProperties": False,
                "properties": {"source_id": {"type": "integer"}, "quantity": DECIMAL_INPUT,
                               "unit": {"type": "string", "description": "A unit code; default: the source's unit."},
                               "measured": {"type": "object", "additionalProperties": DECIMAL_INPUT,
                                            "description": "Measured parameters (ncv, carbon_content, "
                                                           "oxidation_rate, enthalpy_kj_per_kg, temperature_c)."},
                               "green_mwh": DECIMAL_INPUT,
                               "parameters": {"type": "object", "description": (
                                   "The method's inputs by name: power_coal ncv_ar (GJ/t) or ncv_daily [[t, GJ/t], "
                                   "...], c_ar or c_ad with m_ad and m_ar (%); fuel_gas, flare, hydrogen_production "
                                   "composition {\"CH4\": \"35\", ...} (% by volume); fcc_coke_burn carbon_fraction "
                                   "(%); co2_recovery purity (%); clinker cao, cao_nc, mgo, mgo_nc (% by mass); "
                                   "combustion ncv, carbon_content, oxidation_rate. Numbers as decimal strings.")}}}},
            "production": {"type": "array", "description": "Omitted: the draft's production is kept.",
                           "items": {"type": "object", "required": ["product_id", "quantity"],
                                     "additionalProperties": False,
                                     "properties": {"product_id": {"type": "integer"}, "quantity": DECIMAL_INPUT,
                                                    "unit": {"type": "string"}}}},
            "output_value_10k_cny": {"oneOf": [DECIMAL_INPUT, {"type": "null"}],
                                     "description": "Omitted: the draft's value is kept."},
        },
    },
    "SubmitInput": {
        "type": "object", "additionalProperties": False,
        "properties": {"explanations": {"type": "object", "additionalProperties": {"type": "string"},
                                        "description": "Warning key (from findings) → written explanation."}},
    },
    "ReturnInput": {
        "type": "object", "additionalProperties": False,
        "properties": {"comment": {"type": "string"},
                       "line_comments": {"type": "object", "additionalProperties": {"type": "string"},
                                         "description": "Source id → comment on that line."}},
    },
    "FilingPage": {
        "type": "object", "required": ["filings", "page", "per_page", "total"],
        "properties": {"filings": {"type": "array", "items": {"$ref": "#/components/schemas/Filing"}},
                       "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}},
    },
    "CityIndex": {
        "type": "object", "required": ["month", "year", "months", "sector_totals"],
        "properties": {
            "month": {"oneOf": [{"type": "null"}, MONTH],
                      "description": "The month answered for: the one asked, else the latest not provisional"},
            "year": {"type": "integer"},
            "months": {"type": "array", "items": {
                "type": "object",
                "required": ["month", "dci", "provisional", "methodology_version", "coverage", "estimated_tco2",
                             "estimated_share", "sub_indices"],
                "properties": {"month": MONTH, "dci": NULLABLE_DECIMAL, "provisional": {"type": "boolean"},
                               "methodology_version": {"type": "integer", "enum": [1, 2]},
                               "coverage": {**NULLABLE_DECIMAL, "description": "Approved / obliged "
                                            "enterprise-months of the R12 window (a fraction)"},
                               "month_coverage": {**NULLABLE_DECIMAL, "description": "The same for the month "
                                                  "itself"},
                               "estimated_tco2": {**NULLABLE_DECIMAL, "description": "Estimates for obliged "
                                                  "enterprise-months without an approved filing (R12)"},
                               "estimated_share": {**NULLABLE_DECIMAL, "description": "estimated_tco2 / gross_tco2"},
                               "gross_tco2": NULLABLE_DECIMAL,
                               "sub_indices": {"type": "object", "additionalProperties": {
                                   "type": "object", "required": ["score"],
                                   "properties": {"score": NULLABLE_DECIMAL, "unclipped": NULLABLE_DECIMAL,
                                                  "label": {"type": "string"}}}}}}},
            "sector_totals": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["month", "sectors"],
                "properties": {"month": MONTH, "window": {"type": "string"}, "sinks_tco2": NULLABLE_DECIMAL,
                               "sectors": {"type": "array", "items": {
                                   "type": "object", "required": ["key", "total_tco2e"],
                                   "properties": {"key": {"type": "string"}, "scope1_tco2e": NULLABLE_DECIMAL,
                                                  "scope2_tco2e": NULLABLE_DECIMAL,
                                                  "estimate_tco2e": NULLABLE_DECIMAL,
                                                  "estimated_tco2e": {
                                                      **NULLABLE_DECIMAL,
                                                      "description": "estimates of obliged enterprise-months "
                                                                     "without an approved filing (in the total)"},
                                                  "total_tco2e": NULLABLE_DECIMAL,
                                                  "filings": {"type": "integer"}}}}}}]},
        },
    },
    "Certificate": {
        "type": "object",
        "required": ["serial", "organisation", "period", "total_tco2e", "scope1_tco2e", "scope2_tco2e", "status",
                     "issued_at", "digest"],
        "properties": {
            "serial": {"type": "string", "examples": ["TJ-2025-7KQ2M9XDF"]},
            "organisation": {"$ref": "#/components/schemas/Organisation"},
            "period": {"$ref": "#/components/schemas/Period"},
            "total_tco2e": DECIMAL, "scope1_tco2e": DECIMAL, "scope2_tco2e": DECIMAL,
            "status": {"type": "string", "enum": ["valid", "superseded", "revoked"]},
            "issued_at": DATETIME, "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                                              "description": "SHA-256 of the certified statement (canonical JSON)."}},
    },
    "Record": {
        "type": "object",
        "required": ["receipt_number", "filing_id", "revision", "received_at", "sha256", "signer_id", "channel"],
        "properties": {"receipt_number": {"type": "string", "examples": ["RC-2026-T2JCX7M3Q"]},
                       "filing_id": {"type": "integer"}, "revision": {"type": "integer"}, "received_at": DATETIME,
                       "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "signer_id": {"type": "integer"},
                       "channel": {"type": "string", "enum": ["web", "api"]}},
    },
    "Records": {
        "type": "object", "required": ["month", "records"],
        "properties": {"month": MONTH, "records": {"type": "array", "items": {"$ref": "#/components/schemas/Record"}}},
    },
    "Obligations": {
        "type": "object", "required": ["org_id", "from", "to", "months"],
        "description": "The months the enterprise owes between from and to (inclusive), oldest first: from its first "
                       "reporting month to its last (closure), never after the current month.",
        "properties": {
            "org_id": {"type": "integer"}, "from": MONTH, "to": MONTH,
            "months": {"type": "array", "items": {
                "type": "object", "required": ["month", "status", "due_date", "overdue_days"],
                "additionalProperties": False,
                "properties": {
                    "month": MONTH,
                    "status": {"type": "string", "enum": ["owed", *STATUSES],
                               "description": "The month's effective state (its latest approved revision, else its "
                                              "latest): owed = nothing filed."},
                    "due_date": {"type": "string", "format": "date"},
                    "overdue_days": {"type": "integer", "minimum": 0,
                                     "description": "Days past the due date while no revision is submitted or "
                                                    "approved (a returned month is owed again); otherwise 0, also "
                                                    "for a month filed late."}}}}},
    },
    "LabReport": {
        "type": "object",
        "required": ["parameter", "lab_name", "accreditation", "sample_id", "sample_date", "filename", "sha256"],
        "properties": {"parameter": {"type": "string", "description": "The measured parameter the report gives "
                                                                      "(e.g. ncv_ar, c_ad, m_ad, m_ar, ncv)."},
                       "lab_name": {"type": "string"},
                       "accreditation": {"type": "string", "description": "CMA (12 digits) or CNAS (CNAS L1234)"},
                       "sample_id": {"type": "string"}, "sample_date": {"type": "string", "format": "date"},
                       "filename": {"type": "string"}, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
    },
    "LabReportInput": {
        "type": "object", "required": ["source_id", "parameters", "lab_name", "accreditation", "sample_id",
                                       "sample_date", "file"],
        "properties": {
            "source_id": {"type": "integer", "description": "A source with a line in the month's open filing"},
            "parameters": {"type": "string", "description": "The measured parameters the report gives, comma-"
                                                            "separated or repeated: one sample, one report"},
            "lab_name": {"type": "string", "maxLength": 200}, "accreditation": {"type": "string", "maxLength": 60},
            "sample_id": {"type": "string", "maxLength": 60}, "sample_date": {"type": "string", "format": "date"},
            "file": {"type": "string", "format": "binary", "description": "PDF, JPG or PNG, at most 10 MB"}},
    },
    "LabReports": {
        "type": "object", "required": ["month", "revision", "source_id", "lab_reports"],
        "properties": {"month": MONTH, "revision": {"type": "integer"}, "source_id": {"type": "integer"},
                       "lab_reports": {"type": "array", "items": {"$ref": "#/components/schemas/LabReport"}}},
    },
    "Period": {"type": "object", "required": ["start", "end"], "properties": {"start": MONTH, "end": MONTH}},
    "CertificatePage": {
        "type": "object", "required": ["certificates", "page", "per_page", "total"],
        "properties": {"certificates": {"type": "array", "items": {"$ref": "#/components/schemas/Certificate"}},
                       "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"}},
    },
    "CertificateVerification": {
        "type": "object",
        "required": ["serial", "enterprise", "period", "total_tco2e", "status", "digest", "stated", "verify_url"],
        "properties": {
            "serial": {"type": "string"},
            "enterprise": {"type": "object", "properties": {"name": {"type": "string"}, "name_en": {"type": "string"},
                                                            "credit_code": {"type": "string"}}},
            "period": {"$ref": "#/components/schemas/Period"},
            "total_tco2e": DECIMAL, "scope1_tco2e": DECIMAL, "scope2_tco2e": DECIMAL,
            "status": {"type": "string", "enum": ["valid", "superseded", "revoked"]},
            "issued_at": DATETIME, "superseded_at": DATETIME, "revoked_at": DATETIME,
            "revoked_reason": NULLABLE_STRING,
            "digest": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "stated": {"type": "object", "description": "Everything the certificate states, as certified; its "
                                                        "canonical JSON (sorted keys, no spaces) hashes to digest."},
            "verify_url": {"type": "string"}},
    },
}

ERROR_TEXT = {400: "Malformed request (bad month, JSON or parameter)", 401: "Missing, unknown or revoked token",
              403: "The token's scope or the user's role does not allow this", 404: "Not found, or not yours",
              405: "Method not allowed", 409: "Not possible in the resource's current state",
              413: "Body too large", 415: "Not JSON", 422: "Invalid values: see error.fields",
              429: "Rate limit of the token exceeded"}


def _errors(*statuses):
    return {str(s): {"description": ERROR_TEXT[s],
                     "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for s in statuses}


def _ok(schema: str, status: int = 200, description: str = "OK"):
    return {str(status): {"description": description,
                          "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


def _body(schema: str, required: bool = True):
    return {"required": required,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


COMMON = (401, 403, 405, 429)
WRITE_COMMON = COMMON + (413, 415)
MONTH_PARAM = {"name": "month", "in": "path", "required": True, "schema": MONTH, "description": "YYYY-MM"}
FILING_ID = {"name": "filing_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}
SERIAL_PARAM = {"name": "serial", "in": "path", "required": True,
                "schema": {"type": "string", "pattern": r"^[A-Za-z0-9-]{1,32}$"}}
IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,200}$"},
               "description": "Repeat a write safely: the same key returns the first answer and changes nothing."}


def _paths():
    return {
        "/me": {"get": {"tags": ["account"], "summary": "The token's user, role and organisation",
                        "responses": {**_ok("Me"), **_errors(*COMMON)}}},
        "/sources": {"get": {"tags": ["register"], "summary": "Facilities, emission sources and products",
                             "responses": {**_ok("Sources"), **_errors(*COMMON)}},
                     "post": {"tags": ["register"], "summary": "Add an emission source with its calculation method "
                                                               "(enterprise admin)",
                              "parameters": [IDEMPOTENCY], "requestBody": _body("SourceInput"),
                              "responses": {**_ok("Source", 201, "Created"), **_errors(400, 422, *WRITE_COMMON)}}},
        "/filings/{month}": {
            "parameters": [MONTH_PARAM],
            "get": {"tags": ["filings"], "summary": "The month's latest filing with computed emissions",
                    "responses": {**_ok("Filing"), **_errors(400, 404, *COMMON)}},
            "put": {"tags": ["filings"], "summary": "Create or replace the draft's lines (and production)",
                    "parameters": [IDEMPOTENCY], "requestBody": _body("ActivityInput"),
                    "responses": {**_ok("Filing", 200, "Replaced"), **_ok("Filing", 201, "Created"),
                                  **_errors(400, 409, 422, *WRITE_COMMON)}},
        },
        "/filings/{month}/submit": {
            "parameters": [MONTH_PARAM],
            "post": {"tags": ["filings"], "summary": "Sign and submit the draft for review (the token's user signs; "
                                                     "403 not_a_signer for an energy manager not allowed to sign)",
                     "parameters": [IDEMPOTENCY], "requestBody": _body("SubmitInput", required=False),
                     "responses": {**_ok("Filing"), **_errors(400, 404, 409, 422, *WRITE_COMMON)}},
        },
        "/filings/{month}/comments": {
            "parameters": [MONTH_PARAM],
            "post": {"tags": ["filings"], "summary": "Reply in the month's conversation with the regulator (on the "
                                                     "latest revision; figures and status are unchanged)",
                     "parameters": [IDEMPOTENCY], "requestBody": _body("CommentInput"),
                     "responses": {**_ok("Comment", 201, "Added"), **_errors(400, 404, 422, *WRITE_COMMON)}},
        },
        "/filings/{month}/lab-reports": {
            "parameters": [MONTH_PARAM],
            "post": {"tags": ["filings"], "summary": "Attach a laboratory report (one file, one sample) to measured "
                                                     "parameters of a line of the open filing (draft or returned); "
                                                     "a parameter's new report replaces the earlier",
                     "parameters": [IDEMPOTENCY],
                     "requestBody": {"required": True, "content": {"multipart/form-data": {
                         "schema": {"$ref": "#/components/schemas/LabReportInput"}}}},
                     "responses": {**_ok("LabReports", 201, "Attached"),
                                   **_errors(400, 404, 409, 422, *WRITE_COMMON)}},
        },
        "/filings/{month}/records": {
            "parameters": [MONTH_PARAM],
            "get": {"tags": ["filings"], "summary": "The month's signed submissions: receipt numbers and digests",
                    "responses": {**_ok("Records"), **_errors(400, 404, *COMMON)}}},
        "/records/{receipt_number}.json": {
            "parameters": [{"name": "receipt_number", "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": r"^[A-Za-z0-9-]{1,32}$"}}],
            "get": {"tags": ["filings"], "summary": "A copy of record as stored (its SHA-256 is the receipt's digest)",
                    "responses": {"200": {"description": "The canonical JSON document, byte for byte",
                                          "content": {"application/json": {"schema": {"type": "object"}}}},
                                  **_errors(404, *COMMON)}}},
        "/obligations": {"get": {
            "tags": ["filings"], "summary": "The months the enterprise owes, with state, due date and days overdue",
            "description": "An enterprise token reads its own months (another org_id: 404); an authority token "
                           "names the enterprise with org_id (required). Without from/to: the twelve months that "
                           "have ended; at most 120 months per request. A malformed month or range: 422.",
            "parameters": [{"name": "from", "in": "query", "schema": MONTH,
                            "description": "First month, YYYY-MM (default: eleven months before to)"},
                           {"name": "to", "in": "query", "schema": MONTH,
                            "description": "Last month, YYYY-MM (default: the last month that has ended)"},
                           {"name": "org_id", "in": "query", "schema": {"type": "integer", "minimum": 0},
                            "description": "The enterprise (authority tokens; an enterprise token: its own only)"}],
            "responses": {**_ok("Obligations"), **_errors(404, 422, *COMMON)}}},
        "/regulator/filings": {"get": {
            "tags": ["regulator"], "summary": "Filings by status and month (authority users)",
            "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES),
                                                                        "default": "submitted"}},
                           {"name": "month", "in": "query", "schema": MONTH},
                           {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                           {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                          "maximum": 200}}],
            "responses": {**_ok("FilingPage"), **_errors(400, *COMMON)}}},
        "/regulator/filings/{filing_id}": {
            "parameters": [FILING_ID],
            "get": {"tags": ["regulator"], "summary": "One filing of any enterprise",
                    "responses": {**_ok("Filing"), **_errors(404, *COMMON)}}},
        "/regulator/filings/{filing_id}/approve": {
            "parameters": [FILING_ID],
            "post": {"tags": ["regulator"], "summary": "Approve a submitted filing", "parameters": [IDEMPOTENCY],
                     "responses": {**_ok("Filing"), **_errors(400, 404, 409, 422, *WRITE_COMMON)}}},
        "/regulator/filings/{filing_id}/return": {
            "parameters": [FILING_ID],
            "post": {"tags": ["regulator"], "summary": "Return a submitted filing with a comment",
                     "parameters": [IDEMPOTENCY], "requestBody": _body("ReturnInput"),
                     "responses": {**_ok("Filing"), **_errors(400, 404, 409, 422, *WRITE_COMMON)}}},
        "/certificates": {"get": {
            "tags": ["certificates"], "summary": "The certificates the token may see (its own; all for the authority)",
            "parameters": [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                           {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                          "maximum": 200}}],
            "responses": {**_ok("CertificatePage"), **_errors(400, *COMMON)}}},
        "/certificates/{serial}.pdf": {
            "parameters": [SERIAL_PARAM],
            "get": {"tags": ["certificates"], "summary": "The issued PDF, byte for byte (owner and authority)",
                    "responses": {"200": {"description": "The PDF", "content": {"application/pdf": {
                        "schema": {"type": "string", "format": "binary"}}}}, **_errors(404, *COMMON)}}},
        "/certificates/{serial}": {
            "parameters": [SERIAL_PARAM],
            "get": {"tags": ["certificates"], "summary": "Public verification: what it states, status, digest",
                    "security": [],
                    "responses": {**_ok("CertificateVerification"), **_errors(404, 405, 429)}}},
        "/city/index": {"get": {
            "tags": ["city"], "summary": "The city index of a month and its year: DCI, sub-indices and sector totals",
            "description": "Without `month` or `year`: the latest month that is not provisional. A month "
                           "before the first obligation or after the current month is refused (404 "
                           "month_out_of_range).",
            "parameters": [{"name": "month", "in": "query", "schema": {"type": "string",
                                                                       "pattern": "^[0-9]{4}-[0-9]{2}$"}},
                           {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000,
                                                                      "maximum": 2100}}],
            "responses": {**_ok("CityIndex"), **_errors(400, 404, *COMMON)}}},
    }


@cache
def document() -> dict:
    spec = APISpec(
        title="Tanji (碳迹) API", version="1.0.0", openapi_version="3.1.0",
        info={"description": "Monthly filings in, approved data out. Send Authorization: Bearer <token> "
                             "(create tokens under API tokens in the app). Errors are "
                             "{\"error\": {\"code\", \"message\", \"fields\"}}; codes are stable, messages English."},
        servers=[{"url": "/api/v1"}],
        tags=[{"name": "account"}, {"name": "register"}, {"name": "filings"}, {"name": "regulator"},
              {"name": "city"},
              {"name": "certificates", "description": "Emission certificates: the list and the stored PDF (token), "
                                                      "and public verification by serial (no token)."}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    for path, operations in _paths().items():
        parameters = operations.pop("parameters", None)
        spec.path(path=path, operations=operations, parameters=parameters)
    doc = spec.to_dict()
    doc["security"] = [{"bearer": []}]
    return doc
