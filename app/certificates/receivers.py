"""What certificates do when a filing is approved (connected at start-up)."""
from app.certificates.services import after_approval
from app.filings.signals import filing_approved


@filing_approved.connect
def _approved(filing, *, actor, amended, now, **_):
    # Certificates follow the approved numbers: an amendment supersedes those covering the month, and the
    # year's last approval may issue the annual one (a city setting).
    after_approval(actor, filing, amended=amended, now=now)
