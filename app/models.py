"""Every model, imported once so mappers resolve and Alembic sees the whole schema."""
from app.accounting.models import (  # noqa: F401
    EmissionFactor,
    EmissionSource,
    Facility,
    Product,
    ProductBenchmark,
)
from app.accounts.models import Invitation, User  # noqa: F401
from app.api.models import ApiToken, IdempotentRequest  # noqa: F401
from app.assets.models import AssetEntry  # noqa: F401
from app.audit.models import AuditEvent, AuditHead  # noqa: F401
from app.certificates.models import Certificate  # noqa: F401
from app.city_data.models import CarbonSink, CityStatistic, IndexSettings  # noqa: F401
from app.filings.models import (  # noqa: F401
    Calculation,
    CalculationLine,
    CopyOfRecord,  # noqa: F401
    Evidence,
    Filing,
    FilingLine,
    ProductionLine,
    ReviewComment,
)
from app.notifications.models import EmailChoice, Notification, ReminderSent  # noqa: F401
from app.organisations.models import Organisation  # noqa: F401
from app.plans.models import MonitoringPlan, PlanMeter, PlanSource, PlanVersion  # noqa: F401
from app.report_jobs.models import ReportJob  # noqa: F401
from app.scenarios.models import Scenario  # noqa: F401
from app.settings.models import CitySetting  # noqa: F401
from app.verification.models import Engagement, VerificationFinding  # noqa: F401
