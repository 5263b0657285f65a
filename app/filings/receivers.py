"""What filings do when another package signals (connected at start-up by app/__init__.py)."""
from sqlalchemy import exists, select

from app.accounting.signals import source_in_use
from app.extensions import db
from app.filings.models import FilingLine


@source_in_use.connect
def _filed(source) -> bool:
    """A source with filed lines keeps its category and material: past months are recalculated from them."""
    return bool(db.session.scalar(select(exists().where(FilingLine.source_id == source.id))))
