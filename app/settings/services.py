"""City settings: chosen by the regulator, defaults in code, every change audited."""
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounting.engine import Settings
from app.accounting.methods import BAND_FAMILIES, Band
from app.audit.services import record
from app.core.markers import N_
from app.core.numbers import parse_decimal, plain
from app.core.service_error import ServiceError
from app.core.types import utcnow
from app.extensions import db
from app.settings.models import CitySetting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: object
    label: str
    help: str
    choices: tuple | None = None  # (value, label) pairs; None for booleans and numbers
    bounds: tuple[int, int] | None = None  # whole numbers from..to, for numeric settings
    shown_as: str | None = None  # how a numeric value reads: a unit ("%") or a message with %(value)s
    band: str | None = None  # a §10 plausibility band (methods.BAND_FAMILIES key); the value: BAND_SIDES -> text


PERCENT = "%"
ENTERPRISES = N_("%(value)s enterprises")


SPECS = {spec.key: spec for spec in (
    SettingSpec("gwp_set", "AR5", _l("GWP set (100-year)"),
                _l("Global warming potentials used to turn other gases into CO2e."),
                (("SAR", _l("IPCC SAR (1995)")), ("AR4", _l("IPCC AR4 (2007)")),
                 ("AR5", _l("IPCC AR5 (2014)")), ("AR6", _l("IPCC AR6 (2021)")))),
    SettingSpec("grid_series", "national_average", _l("Electricity emission factor series"),
                _l("Which published grid factor purchased electricity uses (location-based scope 2)."),
                (("national_average", _l("National average (MEE/NBS)")),
                 ("ets_compliance", _l("National ETS compliance factor (MEE)")))),
    SettingSpec("reporting_regime", "inventory", _l("Regime of the reported total"),
                _l("Which rules a filing's total follows on every page, certificate and the API; the other two "
                   "regimes' totals are kept beside it. The inventory total is scope 1 plus location-based scope 2, "
                   "as before."),
                (("inventory", _l("GHG Protocol inventory")), ("ets", _l("National ETS (sector guideline)")),
                 ("guideline", _l("24-industry guidelines")))),
    SettingSpec("inventory_grid_region", "China", _l("Grid of the inventory's location-based scope 2"),
                _l("The GHG Protocol inventory's purchased electricity uses the national average factor, or the "
                   "regional grid's average factor (MEE/NBS) where the city lies; the ETS and the 24-industry "
                   "guidelines keep the national factors their rules name."),
                (("China", _l("National grid")), ("North", _l("North China grid")),
                 ("Northeast", _l("Northeast China grid")), ("East", _l("East China grid")),
                 ("Central", _l("Central China grid")), ("Northwest", _l("Northwest China grid")),
                 ("South", _l("China Southern grid")), ("Southwest", _l("Southwest China grid")))),
    SettingSpec("include_ch4_n2o", False, _l("Count CH4 and N2O from fuel combustion"),
                _l("China's enterprise guidelines count CO2 only; the IPCC method adds CH4 and N2O (IPCC 2006 "
                   "stationary-combustion defaults; vehicles then need mobile factors in the library)."), None),
    SettingSpec("filing_due_day", 15, _l("Monthly filing due on day"),
                _l("A month's data is due by this day of the following month."), None, (1, 28),
                N_("day %(value)s of the following month")),
    SettingSpec("plausibility_change_percent", 50, _l("Plausibility threshold (%)"),
                _l("A quantity that moves more than this share against the previous month or the same month "
                   "last year needs a written explanation at submission."), None, (5, 500), PERCENT),
    SettingSpec("offset_cap_percent", 5, _l("Offset use cap (percent of verified emissions)"),
                _l("Offsets (CCER and others) may cover at most this share of a year's verified emissions; "
                   "China's national ETS allows 5%."), None, (0, 100), PERCENT),
    SettingSpec("peer_min_group", 5, _l("Smallest peer group shown"),
                _l("Peer statistics are shown only for groups of at least this many enterprises."), None, (3, 50),
                ENTERPRISES),
    SettingSpec("peer_min_contributors", 3, _l("Fewest enterprises behind a statistic"),
                _l("Every statistic shown is computed from at least this many enterprises."), None, (3, 20),
                ENTERPRISES),
    SettingSpec("peer_dominance_percent", 60, _l("Dominance rule (%)"),
                _l("A statistic is suppressed when one enterprise contributes more than this share of the "
                   "group's total."), None, (30, 95), PERCENT),
    SettingSpec("certificate_auto_issue", "off", _l("Issue annual certificates automatically"),
                _l("When the last month of a year is approved and all twelve are, the enterprise's annual emission "
                   "certificate is issued at once."),
                (("off", _l("No, the regulator issues them")), ("annual", _l("Yes, on the last approval")))),
    SettingSpec("materiality_percent", 5, _l("Materiality (percent of the annual total)"),
                _l("Uncorrected misstatements above this share of a year's total prevent a positive verification "
                   "opinion."), None, (1, 20), PERCENT),
    SettingSpec("materiality_large_percent", 2, _l("Materiality for large emitters (percent)"),
                _l("The share used instead when the annual total is above the large-emitter threshold."),
                None, (1, 20), PERCENT),
    SettingSpec("materiality_large_threshold_tco2e", 500000, _l("Large-emitter threshold (tCO2e a year)"),
                _l("Above this annual total the large-emitter materiality applies."), None, (1000, 100000000),
                " tCO2e"),
)}


# A plausibility band as stored: each side a decimal string, or None for no limit on that side.
BAND_SIDES = ("warn_low", "warn_high", "block_low", "block_high")
BAND_LABELS = {
    "coal_c_ar": (_l("Coal carbon content, as received (C_ar)"),
                  _l("A power plant's element-carbon result outside the warning band needs an explanation at "
                     "submission; outside the blocking band it is refused.")),
    "coal_cc": (_l("Coal carbon per energy (C_ar / NCV_ar)"),
                _l("The carbon content per GJ implied by a coal test's carbon and calorific value.")),
    "gas_composition_sum": (_l("Gas composition total (sum of the components)"),
                            _l("A gas analysis whose components do not add up to about 100 % by volume.")),
    "fcc_coke_feed": (_l("FCC coke burned per feed"),
                      _l("Coke burned off the catalyst as a share of the unit's feed in the month.")),
    "clinker_ef": (_l("Clinker emission factor (EF_cl)"),
                   _l("The process CO2 per tonne of clinker implied by its CaO and MgO.")),
}


def _band_default(family) -> dict:
    return {"warn_low": plain(family.warn.low) or None, "warn_high": plain(family.warn.high) or None,
            "block_low": plain(family.block.low) or None, "block_high": plain(family.block.high) or None}


def band_key(family_key: str) -> str:
    return f"band_{family_key}"


SPECS.update({band_key(key): SettingSpec(band_key(key), _band_default(family), *BAND_LABELS[key], band=key)
              for key, family in BAND_FAMILIES.items()})


_CACHE_KEY = "tanji.city_settings"


def _stored() -> dict:
    """The stored settings by key, read once per request: most keys keep their default and have no row, and a
    page asking for a missing row key by key made a query each time (24 on the filings list)."""
    if not has_request_context():
        return {row.key: row.value for row in db.session.scalars(select(CitySetting))}
    # Kept with the request itself (its WSGI environ), not in `g`, which may outlive it (a test's app context).
    if _CACHE_KEY not in request.environ:
        request.environ[_CACHE_KEY] = {row.key: row.value for row in db.session.scalars(select(CitySetting))}
    return request.environ[_CACHE_KEY]


def get_setting(key: str):
    spec = SPECS[key]
    if not has_request_context():
        row = db.session.get(CitySetting, key)
        return spec.default if row is None else row.value
    return _stored().get(key, spec.default)


def all_settings() -> dict:
    stored = _stored()
    return {key: stored.get(key, spec.default) for key, spec in SPECS.items()}


def value_text(key: str, value) -> str:
    """A setting's value as a person reads it: a number with its unit, a choice's label, yes or no."""
    spec = SPECS[key]
    if spec.band is not None:
        unit = BAND_FAMILIES[spec.band].unit
        return _("warning outside %(warn)s, refused outside %(block)s",
                 warn=_range(value["warn_low"], value["warn_high"], unit),
                 block=_range(value["block_low"], value["block_high"], unit))
    if spec.bounds is not None:
        number = f"{value:,}" if isinstance(value, int) else str(value)
        if spec.shown_as and "%(value)s" in spec.shown_as:
            return _(spec.shown_as, value=number)
        return number + (spec.shown_as or "")
    if spec.choices is None:
        return _("Yes") if value else _("No")
    return next((str(label) for code, label in spec.choices if code == value), str(value))


def _range(low, high, unit: str) -> str:
    """A band as read: "40–75 %", "≤ 0.035 tC/GJ", "≥ 3 %"."""
    if low is None and high is None:
        return _("no limit")
    if low is None:
        return f"≤ {high} {unit}"
    if high is None:
        return f"≥ {low} {unit}"
    return f"{low}–{high} {unit}"


def range_text(low: Decimal | None, high: Decimal | None, unit: str) -> str:
    return _range(plain(low) or None, plain(high) or None, unit)


def _clean_band(key: str, value) -> dict:
    """A band as the form gives it (BAND_SIDES -> text, '' for no limit), checked: each side a number, low below
    high, and the warning band inside the blocking band (a value refused is never only warned about)."""
    if not isinstance(value, dict):
        raise ServiceError(_l("Enter the band's limits."), field=key)
    sides = {}
    for side in BAND_SIDES:
        raw = value.get(side)
        raw = "" if raw is None else str(raw).strip()
        number = parse_decimal(raw, f"{key}__{side}", required=False, minimum=Decimal(0))
        sides[side] = number
    for kind in ("warn", "block"):
        low, high = sides[f"{kind}_low"], sides[f"{kind}_high"]
        if low is not None and high is not None and low >= high:
            raise ServiceError(_l("The lower limit must be below the upper limit."), field=f"{key}__{kind}_high")
    for side, outside in (("low", lambda w, b: w < b), ("high", lambda w, b: w > b)):
        warn, block = sides[f"warn_{side}"], sides[f"block_{side}"]
        if block is not None and (warn is None or outside(warn, block)):
            raise ServiceError(_l("The warning band must lie inside the blocking band."), field=f"{key}__warn_{side}")
    return {side: (plain(number) if number is not None else None) for side, number in sides.items()}


def method_bands() -> dict:
    """The city's §10 bands as the method checks take them: family key -> (warn Band, block Band)."""
    values = all_settings()
    bands = {}
    for key, family in BAND_FAMILIES.items():
        v = values[band_key(key)]
        number = lambda side: None if v.get(side) is None else Decimal(v[side])  # noqa: E731
        bands[key] = (Band(number("warn_low"), number("warn_high"), low_open=family.warn.low_open),
                      Band(number("block_low"), number("block_high"), low_open=family.block.low_open))
    return bands


def set_setting(actor, key: str, value) -> None:
    spec = SPECS.get(key)
    if spec is None:
        raise ServiceError(_l("Unknown setting."))
    if spec.band is not None:
        value = _clean_band(key, value)
    elif spec.choices is not None and value not in {v for v, _ in spec.choices}:
        raise ServiceError(_l("Choose one of the listed values."), field=key)
    if spec.bounds is not None:
        low, high = spec.bounds
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ServiceError(_l("Enter a whole number from %(low)d to %(high)d.", low=low, high=high), field=key)
    elif spec.choices is None and spec.band is None and not isinstance(value, bool):
        raise ServiceError(_l("Choose one of the listed values."), field=key)
    old = get_setting(key)
    if old == value:
        return
    row = db.session.get(CitySetting, key) or CitySetting(key=key)
    row.value = value
    row.updated_at = utcnow()
    row.updated_by_id = actor.id if actor else None
    db.session.add(row)
    db.session.flush()
    if has_request_context():
        request.environ.pop(_CACHE_KEY, None)  # read again with the change
    record("setting.changed", actor=actor, detail={"key": key, "old": old, "new": value})


def engine_settings():
    """The calculation settings in force, as the engine takes them."""

    values = all_settings()
    return Settings(gwp_set=values["gwp_set"], grid_series=values["grid_series"],
                    include_ch4_n2o=bool(values["include_ch4_n2o"]))
