"""Canonical JSON: the same data always gives the same text, hence the same SHA-256 (certificates, copies of
record and the audit chain hash it)."""
import hashlib
import json


def canonical(data) -> str:
    """Sorted keys, no spaces, UTF-8 as is, decimals and dates as strings."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
