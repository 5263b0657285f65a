"""Readable names of audit actions and of their details; an unknown action shows its code."""
from collections.abc import Callable, Mapping
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from app.accounts.roles import ROLES

LABELS = {
    "filing.created": _l("Monthly filing started"),
    "filing.saved": _l("Monthly filing saved"),
    "filing.submitted": _l("Monthly filing submitted"),
    "filing.signed": _l("Submission signed: copy of record and receipt"),
    "filing.signature_refused": _l("Signature refused: wrong password"),
    "user.signing_allowed": _l("Allowed to sign submissions"),
    "user.signing_withdrawn": _l("No longer allowed to sign submissions"),
    "filing.amendment_opened": _l("Amendment opened"),
    "filing.recalculated": _l("Filing recalculated"),
    "auth.signed_in": _l("Signed in"),
    "auth.sign_in_failed": _l("Failed sign-in"),
    "auth.sign_in_refused": _l("Sign-in refused"),
    "auth.account_locked": _l("Account locked after failed sign-ins"),
    "auth.sign_in_throttled": _l("Sign-ins paused for an e-mail and address after repeated failures"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_reset": _l("Password reset by an administrator"),
    "user.created": _l("Account created"),
    "user.activated": _l("Account activated"),
    "user.deactivated": _l("Account deactivated"),
    "invitation.created": _l("Invitation created"),
    "invitation.accepted": _l("Invitation accepted"),
    "invitation.revoked": _l("Invitation withdrawn"),
    "organisation.registered": _l("Organisation registered"),
    "organisation.updated": _l("Organisation profile changed"),
    "factor.published": _l("Emission factor version published"),
    "factor.months_recalculated": _l("Approved months recalculated with a new factor version"),
    "setting.changed": _l("City setting changed"),
    "facility.created": _l("Facility registered"),
    "facility.updated": _l("Facility changed"),
    "facility.deactivated": _l("Facility deactivated"),
    "facility.activated": _l("Facility reactivated"),
    "source.created": _l("Emission source registered"),
    "source.updated": _l("Emission source changed"),
    "source.deactivated": _l("Emission source deactivated"),
    "source.activated": _l("Emission source reactivated"),
    "product.created": _l("Product registered"),
    "product.updated": _l("Product changed"),
    "product.deactivated": _l("Product deactivated"),
    "product.activated": _l("Product reactivated"),
    "evidence.uploaded": _l("Evidence file attached"),
    "evidence.downloaded": _l("Evidence file downloaded"),
    "evidence.removed": _l("Evidence file removed"),
    "filing.approved": _l("Monthly filing approved"),
    "filing.commented": _l("Comment on a monthly filing"),
    "notifications.email_choices": _l("E-mail notification choices changed"),
    "notifications.reminded": _l("Reminder sent"),
    "organisation.reporting_months_changed": _l("Reporting months changed"),
    "filing.returned": _l("Monthly filing returned for correction"),
    "filing.imported": _l("Monthly data imported from a spreadsheet"),
    "asset.recorded": _l("Carbon asset entry recorded"),
    "asset.reversed": _l("Carbon asset entry reversed"),
    "city_data.statistic_saved": _l("City statistics saved"),
    "city_data.sink_added": _l("Carbon sink added"),
    "city_data.sink_updated": _l("Carbon sink changed"),
    "city_data.sink_retired": _l("Carbon sink retired"),
    "city_data.settings_published": _l("Index settings version published"),
    "city_data.benchmark_published": _l("Product benchmark version published"),
    "city_data.product_mapped": _l("Product benchmark assigned"),
    "scenario.created": _l("What-if scenario saved"),
    "scenario.deleted": _l("What-if scenario deleted"),
    "project.decided": _l("Decision on a new project recorded"),
    "certificate.issued": _l("Emission certificate issued"),
    "certificate.revoked": _l("Emission certificate revoked"),
    "certificate.superseded": _l("Emission certificate superseded by an amendment"),
    "certificate.downloaded": _l("Emission certificate downloaded"),
    "report.generated": _l("PDF report generated"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "verification.assigned": _l("Verification body assigned"),
    "verification.withdrawn": _l("Verification engagement withdrawn"),
    "verification.finding_raised": _l("Verification finding raised"),
    "verification.finding_answered": _l("Verification finding answered"),
    "verification.finding_closed": _l("Verification finding closed"),
    "verification.opinion_issued": _l("Verification opinion issued"),
    "verification.confirmed": _l("Verification opinion confirmed"),
    "verification.sent_back": _l("Verification opinion sent back"),
}


def audit_label(action: str) -> str:
    return LABELS.get(action, action)


# The detail's keys as people read them; ids of rows are for the record, not for the page (the event names its
# organisation and object already), so keys ending in _id are left out of the line.
KEY_LABELS = {
    "decision": _l("Decision"), "baseline_month": _l("Baseline month"),
    "offset_needed_tco2": _l("Offset needed, tCO2 a year"), "tightest_year": _l("Tightest year"),
    "year": _l("Year"), "period": _l("Month"), "month": _l("Month"), "months": _l("Months"), "revision": _l("Revision"),
    "reason": _l("Reason"), "comment": _l("Comment"), "email": _l("E-mail"), "name": _l("Name"),
    "filename": _l("File"), "size_bytes": _l("Size (bytes)"), "serial": _l("Serial number"),
    "receipt_number": _l("Receipt"), "verifier": _l("Verification body"), "opinion": _l("Opinion"),
    "confirmed_total_tco2e": _l("Confirmed emissions (tCO2e)"), "total_tco2e": _l("Emissions (tCO2e)"),
    "kind": _l("Kind"), "status": _l("Status"), "until": _l("Until"), "failures": _l("Failed attempts"),
    "address": _l("Address"), "source": _l("Emission source"), "quantity": _l("Quantity"), "key": _l("Setting"),
    "old": _l("Before"), "new": _l("After"), "credit_code": _l("Unified social credit code"),
    "accreditation_no": _l("Accreditation number"), "via": _l("Channel"), "automatic": _l("Automatic"),
    "sha256": "SHA-256", "digest": "SHA-256",
    "after": _l("After"), "amended_month": _l("Amended month"), "amends": _l("Amends revision"),
    "amount_tco2e": _l("Amount (tCO2e)"), "answer": _l("Answer"), "area_ha": _l("Area (ha)"),
    "category": _l("Category"), "changed": _l("Changed"), "channel": _l("Channel"), "code": _l("Code"),
    "copy_of_record": _l("Copy of record"), "emailed": _l("E-mailed"), "explanations": _l("Explanations"),
    "factor": _l("Factor"), "first_reporting_month": _l("First reporting month"), "from_year": _l("From year"),
    "line_comments": _l("Comments on lines"), "lines": _l("Lines"), "material": _l("Material"),
    "new_total": _l("New total (tCO2e)"), "old_total": _l("Previous total (tCO2e)"),
    "previous_version": _l("Previous version"), "product": _l("Product"), "quarter": _l("Quarter"),
    "rate": _l("Rate"), "reply_to": _l("In reply to"), "reverses": _l("Reverses entry"), "role": _l("Role"),
    "severity": _l("Severity"), "side": _l("Side"), "statement_version": _l("Certification statement version"),
    "text": _l("Text"), "threshold_tco2e": _l("Materiality threshold (tCO2e)"),
    "uncorrected_tco2e": _l("Uncorrected misstatements (tCO2e)"), "unit": _l("Unit"),
    "valid_from": _l("Valid from"), "verified_total_tco2e": _l("Verified emissions (tCO2e)"),
    "version": _l("Version"), "instrument": _l("Instrument"), "quantity_t": _l("Quantity (t)"),
    "compliance_year": _l("Compliance year"), "lot": _l("Lot"), "price_cny_per_t": _l("Price (CNY/t)"),
    "counterparty": _l("Counterparty"), "name_en": _l("English name"), "is_main": _l("Main product"),
    "no_longer_main": _l("No longer the main product"), "sources_deactivated": _l("Sources deactivated"),
    "activity_unit": _l("Unit"), "covered": _l("Covered by the carbon market"), "facility_id": _l("Facility"),
    "benchmark_code": _l("Product benchmark"), "industry_code": _l("Industry"), "district": _l("District"),
    "note": _l("Note"), "values": _l("Values"), "data_year": _l("Data year"), "series": _l("Series"),
}
VALUE_LABELS = {
    "verified": _l("Verified"), "verified_with_comments": _l("Verified with comments"),
    "not_verified": _l("Not verified"), "enterprise_monthly": _l("Monthly report"),
    "enterprise_annual": _l("Annual report"), "city_annual": _l("City annual report"),
    "password_reset": _l("Password reset"), "unknown e-mail": _l("Unknown e-mail"), "locked": _l("Locked"),
    "inactive": _l("Deactivated"), "password": _l("Wrong password"), "api": "API", "web": _l("Web"),
    "signature_refused": _l("Signature refused"), "enterprise": _l("Enterprise"), "authority": _l("Regulator"),
    "verifier": _l("Verification body"),
    True: _l("Yes"), False: _l("No"),
}
# Codes owned by higher packages (source categories, asset kinds, severities, units...) are named by those packages'
# own label maps, which they register here when imported (this package cannot import upward).
VALUE_MAPS: dict[str, list] = {}


def name_values(labels: Mapping | Callable, *keys: str) -> None:
    """Name the values of these detail keys with `labels` (a code → label map, or a function of the code)."""
    for key in keys:
        VALUE_MAPS.setdefault(key, []).append(labels)


def _registered(key: str, value):
    for labels in VALUE_MAPS.get(key, ()):
        if callable(labels):
            return labels(value)
        if value in labels:
            return labels[value]
    return None
HIDDEN = {"requested_by", "bytes", "prefix", "token_id", "scopes"}


name_values({code: info.label for code, info in ROLES.items()}, "role")


def _value(value, key: str = "") -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and key and (named := _registered(key, value)) is not None:
        return str(named)
    if isinstance(value, (bool, str)) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    if isinstance(value, list):
        return ", ".join(_value(v, key) for v in value)
    if isinstance(value, dict):  # explanations and comments by line: the texts
        return "; ".join(_value(v, k) for k, v in value.items())
    if isinstance(value, str) and "10^4" in value:  # a quantity with its unit: 10^4 Nm3 as people write it
        return value.replace("10^4", "10⁴").replace("Nm3", "Nm³")
    if isinstance(value, str) and "T" in value[10:11]:
        try:
            return format_datetime(datetime.fromisoformat(value), "yyyy-MM-dd HH:mm")  # in the city's zone
        except ValueError:
            pass
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:12] + "…"  # a digest: its start identifies it on the page; the record keeps it whole
    return str(value)


def audit_detail(detail: dict | None) -> str:
    """A short readable line for an event's detail: `field: old → new` for changes, `label: value` otherwise."""
    if not detail:
        return ""

    parts = []
    for key, value in detail.items():
        if key == "changes" and isinstance(value, dict):
            parts += [f"{KEY_LABELS.get(field, field)}: {_value(old, field)} → {_value(new, field)}"
                      for field, (old, new) in value.items()]
        elif key == "role" and value in ROLES:
            parts.append(str(ROLES[value].label))
        elif key.endswith("_id") or key in HIDDEN:
            continue
        else:
            parts.append(f"{KEY_LABELS.get(key, key)}: {_value(value, key)}")
    return " · ".join(parts)
