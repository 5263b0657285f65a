"""Emission factors: versioned records and how one is chosen for a month. Pure: no Flask, no database.

A factor is never edited: a correction is a new version with its own validity, so any past month can be
recomputed exactly as it was reported, and every result's trace names the id and version it used.
"""
import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from app.accounting import fuel_defaults
from app.accounting.methods import defaults as method_defaults
from app.accounting.units import canonical_unit

__all__ = ["GRID_SERIES", "KINDS", "REFERENCE_DIR", "Factor", "FactorLibrary", "MissingFactor", "seed_factors",
           "seed_fuel_factors", "seed_method_factors"]

KINDS = ("fuel", "electricity", "heat", "steam_conversion", "process", "gwp", "combustion_non_co2", "method_default")
GRID_SERIES = ("national_average", "ets_compliance", "residual_mix", "fossil_only", "regional_average")

# Copies of shared/reference/{fuel-factors,grid-factors,gwp}.csv, bundled so the app needs no ../shared at run time.
# They only seed an empty library: later changes are new factor versions, not edits of these files.
REFERENCE_DIR = Path(__file__).parent / "reference"


@dataclass(frozen=True)
class Factor:
    id: int | None
    kind: str
    code: str
    series: str | None
    data_year: int | None
    version: int
    unit: str
    values: Mapping[str, Decimal] = field(hash=False)
    valid_from: date
    valid_to: date | None
    source: str
    status: str = ""
    name_zh: str = ""
    name_en: str = ""

    def __post_init__(self):
        values = {}
        for key, value in self.values.items():
            if isinstance(value, (float, bool)):
                raise TypeError(f"factor value {key} must be a Decimal, not {type(value).__name__}")
            value = value if isinstance(value, Decimal) else Decimal(value)
            if not value.is_finite():
                raise ValueError(f"factor value {key} is not a finite number ({value})")
            values[key] = value
        object.__setattr__(self, "values", values)

    @property
    def confirmed(self) -> bool:
        """False for a value seeded "unconfirmed" (not yet checked against the guideline's own text)."""
        return not self.status.casefold().startswith("unconfirmed")

    def covers(self, month: date) -> bool:
        return self.valid_from <= month and (self.valid_to is None or month <= self.valid_to)

    @cached_property
    def trace(self) -> dict:
        """JSON-safe description for a result's trace. Shared by every result that used this factor: read only."""
        return {
            "id": self.id, "kind": self.kind, "code": self.code, "series": self.series, "data_year": self.data_year,
            "version": self.version, "unit": self.unit, "values": {k: str(v) for k, v in self.values.items()},
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source, "status": self.status,
        }

    @cached_property
    def co2_times_12(self) -> Decimal:
        """Fuel: NCV × CC × OF × 44, exact (a handful of digits), so a line's CO2 is FC × this / 12."""
        v = self.values
        return v["ncv"] * v["carbon_content"] * v["oxidation_rate"] * 44


class MissingFactor(ValueError):
    def __init__(self, kind: str, code: str, series: str | None, month: date | None):
        self.kind, self.code, self.series, self.month = kind, code, series, month
        what = f"{kind} factor for {code!r}" + (f" ({series})" if series else "")
        when = f" valid for {month:%Y-%m}" if month else ""
        super().__init__(f"no {what}{when} in the factor library")


class FactorLibrary:
    """An immutable index over factor rows; build once per calculation run, resolve many times."""

    def __init__(self, factors: Iterable[Factor]):
        self._factors = tuple(factors)
        by_key = defaultdict(list)
        grid = defaultdict(lambda: defaultdict(list))
        for f in self._factors:
            by_key[f.kind, f.code, f.series].append(f)
            if f.kind == "electricity" and f.data_year is not None:
                grid[f.code, f.series][f.data_year].append(f)
        newest_first = lambda rows: tuple(sorted(rows, key=lambda f: f.version, reverse=True))
        self._by_key = {key: newest_first(rows) for key, rows in by_key.items()}
        self._grid = {
            key: tuple((year, newest_first(rows)) for year, rows in sorted(years.items(), reverse=True))
            for key, years in grid.items()
        }
        self._gwp_gases = defaultdict(list)
        for kind, code, series in self._by_key:
            if kind == "gwp":
                self._gwp_gases[series].append(code)
        self._memo = {}

    def __iter__(self):
        return iter(self._factors)

    def __len__(self):
        return len(self._factors)

    def resolve(self, kind: str, code: str, month: date, series: str | None = None) -> Factor:
        """The highest version of kind/code/series whose validity covers `month`."""
        key = (kind, code, series, month)
        found = self._memo.get(key)
        if found is None:
            found = self._first_covering(self._by_key.get((kind, code, series), ()), month)
            if found is None:
                raise MissingFactor(kind, code, series, month)
            self._memo[key] = found
        return found

    def grid(self, series: str, month: date, region: str = "China") -> Factor:
        """The grid factor for the month's year or, until that is published, the latest data year before it."""
        key = ("grid", region, series, month)
        found = self._memo.get(key)
        if found is None:
            for year, rows in self._grid.get((region, series), ()):
                if year <= month.year:
                    found = self._first_covering(rows, month)
                    if found is not None:
                        break
            if found is None:
                raise MissingFactor("electricity", region, series, month)
            self._memo[key] = found
        return found

    def gwp_factors(self, set_name: str, month: date | None = None) -> dict[str, Factor]:
        """gas -> the GWP row of `set_name` (valid for `month`, or the highest version when no month is given)."""
        key = ("gwp", set_name, month)
        found = self._memo.get(key)
        if found is None:
            found = {}
            for gas in self._gwp_gases.get(set_name, ()):
                rows = self._by_key["gwp", gas, set_name]
                row = rows[0] if month is None else self._first_covering(rows, month)
                if row is not None:
                    found[gas] = row
            if not found:
                raise MissingFactor("gwp", "any gas", set_name, month)
            self._memo[key] = found
        return dict(found)

    def gwp(self, set_name: str, month: date | None = None) -> dict[str, Decimal]:
        """gas -> GWP-100 of the set; the rows behind it are gwp_factors(set_name, month)."""
        key = ("gwp values", set_name, month)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = {gas: f.values["gwp"] for gas, f in self.gwp_factors(set_name, month).items()}
        return dict(found)

    @staticmethod
    def _first_covering(rows, month):
        for f in rows:
            if f.covers(month):
                return f
        return None


# ---------------------------------------------------------------------------------------------- seed data

SEED_FROM = date(2000, 1, 1)

_GRID_SERIES = {
    "national average": "national_average",
    "national ETS compliance factor": "ets_compliance",
    "national average excluding market-traded non-fossil": "residual_mix",
    "fossil-fired power only": "fossil_only",
    "regional": "regional_average",
}

_HEAT_SOURCE = ("guideline default, GB/T 32150-2015 / national industry accounting guidelines, "
                "as stated in shared/reference/worked-examples.md")
_STEAM_SOURCE = "industry accounting guidelines, as stated in shared/reference/worked-examples.md, section \"Steam\""
_PROCESS_SOURCE = "stoichiometric ratio (IPCC 2006 Guidelines Vol. 3 Table 2.1)"
# (code, name_zh, name_en, tCO2 per t of carbonate, status)
_CARBONATES = (
    ("limestone", "石灰石/方解石", "Limestone / calcite (CaCO3)", "0.43971", "verified"),
    ("magnesite", "菱镁矿", "Magnesite (MgCO3)", "0.52197", "verified"),
    ("dolomite", "白云石", "Dolomite (CaMg(CO3)2)", "0.47732", "verified"),
    # IPCC prints 0.41492; the molar-mass ratio 44.009/105.988 is 0.41523. Kept as cited until confirmed.
    ("soda_ash", "纯碱", "Soda ash (Na2CO3)", "0.41492",
     "to confirm: IPCC Table 2.1 value; molar-mass ratio gives 0.41523"),
)
_NON_CO2_SOURCE = ("IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for "
                   "stationary combustion in the energy industries, kg/TJ on a net calorific basis)")
_NON_CO2_STATUS = "from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use"
# fuel code -> (CH4, N2O) kg/TJ. Stationary combustion only: mobile sources have their own IPCC tables (Vol. 2 Ch. 3)
# and get no default here, so a vehicle line cannot silently borrow a boiler's factor.
_NON_CO2 = {
    "natural_gas": ("1", "0.1"), "crude_oil": ("3", "0.6"), "fuel_oil": ("3", "0.6"), "gasoline": ("3", "0.6"),
    "diesel": ("3", "0.6"), "kerosene": ("3", "0.6"), "lpg": ("1", "0.1"), "refinery_gas": ("1", "0.1"),
    "raw_coal": ("1", "1.5"), "coke": ("1", "1.5"), "coke_oven_gas": ("1", "0.1"),
}


def _factor(**fields) -> Factor:
    fields.setdefault("id", None)
    fields.setdefault("series", None)
    fields.setdefault("data_year", None)
    return Factor(version=1, valid_from=SEED_FROM, valid_to=None, **fields)


def _rows(path: Path):
    with path.open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def seed_factors(reference_dir: Path | None = None) -> list[Factor]:
    """The initial library (version 1, valid from 2000-01-01) from the reference CSVs and the texts' stated values."""
    ref = Path(reference_dir) if reference_dir is not None else REFERENCE_DIR
    factors = []
    names = {}
    for row in _rows(ref / "fuel-factors.csv"):
        names[row["fuel_code"]] = (row["name_zh"], row["name_en"])
        factors.append(_factor(
            kind="fuel", code=row["fuel_code"], unit=canonical_unit(row["activity_unit"]),
            values={"ncv": Decimal(row["ncv"]), "carbon_content": Decimal(row["carbon_content_tC_per_GJ"]),
                    "oxidation_rate": Decimal(row["oxidation_rate"])},
            source=row["source"], status=row["status"], name_zh=row["name_zh"], name_en=row["name_en"]))
    for row in _rows(ref / "grid-factors.csv"):
        series = _GRID_SERIES[row["scope"]]
        factors.append(_factor(
            kind="electricity", code=row["region"], series=series, data_year=int(row["data_year"]), unit="MWh",
            values={"ef": Decimal(row["tCO2_per_MWh"])}, source=row["source"], status=row["status"],
            name_en=f"{row['region']} grid, {row['scope']}, {row['data_year']}"))
    for row in _rows(ref / "gwp.csv"):
        for set_name in ("SAR", "AR4", "AR5", "AR6"):
            if row[set_name].strip():
                factors.append(_factor(
                    kind="gwp", code=row["gas"], series=set_name, unit="1", values={"gwp": Decimal(row[set_name])},
                    source=f"IPCC {set_name} 100-year GWP, as tabulated in shared/reference/gwp.csv",
                    status=row["note"], name_en=row["gas"]))
    factors.append(_factor(
        kind="heat", code="default", unit="GJ", values={"ef": Decimal("0.11")}, source=_HEAT_SOURCE,
        status="guideline default", name_zh="外购热力", name_en="Purchased heat"))
    factors.append(_factor(
        kind="steam_conversion", code="default", unit="t",
        values={"feedwater_enthalpy_kj_per_kg": Decimal("83.74"), "water_ref_temp_c": Decimal(20),
                "water_heat_capacity_kj_per_kg_k": Decimal("4.1868")},
        source=_STEAM_SOURCE, status="to confirm", name_zh="蒸汽/热水折热", name_en="Steam and hot water to heat"))
    for code, name_zh, name_en, ef, status in _CARBONATES:
        factors.append(_factor(kind="process", code=code, unit="t", values={"ef": Decimal(ef)},
                               source=_PROCESS_SOURCE, status=status, name_zh=name_zh, name_en=name_en))
    for code, (ch4, n2o) in _NON_CO2.items():
        name_zh, name_en = names.get(code, ("", code))
        factors.append(_factor(
            kind="combustion_non_co2", code=code, series="stationary", unit="TJ",
            values={"ch4_kg_per_tj": Decimal(ch4), "n2o_kg_per_tj": Decimal(n2o)},
            source=_NON_CO2_SOURCE, status=_NON_CO2_STATUS, name_zh=name_zh, name_en=name_en))
    return factors


def seed_method_factors() -> list[Factor]:
    """The sector methods' defaults and methane's GWP by origin (migration 0023 inserts the same rows)."""
    factors = []
    for code, set_name, gwp in method_defaults.GWP_ROWS:
        factors.append(_factor(kind="gwp", code=code, series=set_name, unit="1", values={"gwp": Decimal(gwp)},
                               source=method_defaults.GWP_SOURCE.format(set=set_name), status="", name_en=code))
    for code, unit, value, name_zh, name_en, source in method_defaults.ROWS:
        factors.append(_factor(kind=method_defaults.KIND, code=code, unit=unit, values={"value": Decimal(value)},
                               source=source, status=method_defaults.UNCONFIRMED, name_zh=name_zh, name_en=name_en))
    return factors


def seed_fuel_factors() -> list[Factor]:
    """The fuels added to the reference table's: version 1 to confirm (migration 0029) and version 2 confirmed
    against the national standard's table (migration 0033), valid from the same date, so version 2 is resolved."""
    first = {code: (name_zh, name_en, unit)
             for code, name_zh, name_en, unit, _ncv, _cc, _of in fuel_defaults.ROWS}
    factors = [_factor(kind="fuel", code=code, unit=unit,
                       values={"ncv": Decimal(ncv), "carbon_content": Decimal(cc), "oxidation_rate": Decimal(of)},
                       source=fuel_defaults.SOURCE, status=fuel_defaults.STATUS, name_zh=name_zh, name_en=name_en)
               for code, name_zh, name_en, unit, ncv, cc, of in fuel_defaults.ROWS]
    for code, ncv, cc, of in fuel_defaults.CONFIRMED_ROWS:
        name_zh, name_en, unit = first[code]
        factors.append(Factor(
            id=None, kind="fuel", code=code, series=None, data_year=None, version=2, unit=unit,
            values={"ncv": Decimal(ncv), "carbon_content": Decimal(cc), "oxidation_rate": Decimal(of)},
            valid_from=SEED_FROM, valid_to=None, source=fuel_defaults.CONFIRMED_SOURCE,
            status=fuel_defaults.CONFIRMED_STATUS, name_zh=name_zh, name_en=name_en))
    return factors
