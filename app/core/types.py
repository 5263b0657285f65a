"""Column types shared by all domains."""
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant, stored in UTC on both SQLite and PostgreSQL.

    SQLite keeps no zone, so values come back naive; they are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one (utcnow())")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class ExactDecimal(TypeDecorator):
    """A Decimal stored exactly: NUMERIC on PostgreSQL, text on SQLite.

    SQLite has no decimal type (its NUMERIC affinity turns "0.1" into a float), so tonnes and money
    are kept there as canonical decimal strings. Values are rounded half-up to `scale` places on the
    way in: that is the only rounding stored data undergoes.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 30, scale: int = 10):
        super().__init__()
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self._quantum, rounding=ROUND_HALF_UP)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value)


def city_date(moment: datetime) -> date:
    """The day it is in the city at `moment`: months and due dates follow the calendar people there use."""
    from flask import current_app

    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    return moment.astimezone(ZoneInfo(zone)).date()


def city_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the city (as an aware datetime), for filters by calendar day."""
    from flask import current_app

    return datetime.combine(day, datetime.min.time(), ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE",
                                                                                        "Asia/Shanghai")))


def city_today() -> date:
    return city_date(utcnow())
