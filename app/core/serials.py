"""Public reference numbers (certificate serials, receipt numbers): <PREFIX>-<year>-<8 random characters><check>.

Crockford's base-32 alphabet (no I, L, O, U: nothing to misread), random so that numbers cannot be guessed in
sequence, and a check character so that a mistyped number is caught before any lookup.
"""
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHAR = "[0-9A-HJKMNP-TV-Z]"


def check_char(body: str) -> str:
    """Weighted sum mod 32 with odd weights: an odd weight is a unit mod 32, so every mistyped single
    character changes the check character (even weights would miss changes by a multiple of 8 or 16)."""
    return ALPHABET[sum((2 * i + 1) * ALPHABET.index(c) for i, c in enumerate(body)) % 32]


def new_number(prefix: str, year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{year}-{body}{check_char(f'{year}{body}')}"


def number_ok(prefix: str, number: str) -> bool:
    match = re.fullmatch(rf"{prefix}-(\d{{4}})-({_CHAR}{{8}})({_CHAR})", number or "")
    return bool(match) and check_char(match.group(1) + match.group(2)) == match.group(3)
