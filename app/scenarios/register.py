"""The real combustion sources a substitution scenario names: the supplying plant's and the receivers' boilers,
read from the register (an enterprise's facility sources), with the fuel each burns and its activity unit.

City-wide reads: the regulator plans across every enterprise, so the tenancy gate is bypassed on purpose.
"""
from dataclasses import dataclass

from sqlalchemy import select

from app.accounting.models import EmissionSource, Facility
from app.extensions import db
from app.i18n import localised
from app.organisations.models import ENTERPRISE, Organisation
from app.tenancy import unscoped

COMBUSTION = "stationary_combustion"  # a boiler or a power plant's furnace: what a steam supply replaces


@dataclass(frozen=True)
class Source:
    id: int
    org_id: int
    org_name: str
    org_name_en: str | None
    facility: str
    name: str
    fuel: str        # the register's material code (a fuel of the factor library)
    unit: str        # the source's activity unit

    @property
    def org_label(self) -> str:
        return localised(self.org_name, self.org_name_en)

    @property
    def label(self) -> str:
        return f"{self.facility} · {self.name}"


def combustion_sources() -> list[Source]:
    """Every active stationary-combustion source of an active enterprise, by enterprise then source."""
    rows = db.session.execute(
        select(EmissionSource, Facility.name, Organisation)
        .join(Facility, Facility.id == EmissionSource.facility_id)
        .join(Organisation, Organisation.id == EmissionSource.org_id)
        .where(EmissionSource.category == COMBUSTION, EmissionSource.active.is_(True),
               Organisation.kind == ENTERPRISE, Organisation.active.is_(True))
        .order_by(Organisation.name, Organisation.id, EmissionSource.id)
        .execution_options(**unscoped("a city scenario chooses among every enterprise's combustion sources"))
    ).all()
    return [Source(s.id, org.id, org.name, org.name_en, facility, s.name, s.material, s.activity_unit)
            for s, facility, org in rows]


def source_choices(sources: list[Source], fuel_label) -> list[tuple[str, str]]:
    """The form's options: each source named with its enterprise and the fuel it burns (one flat list: WTForms
    cannot mix a "choose" option with <optgroup>s)."""
    return [(str(s.id), f"{s.org_label} — {s.label} ({fuel_label(s.fuel)})") for s in sources]
