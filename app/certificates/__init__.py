"""Emission certificates: issued from approved filings, stored once, publicly verifiable by serial or by the PDF."""
