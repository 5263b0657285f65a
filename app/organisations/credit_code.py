"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, S, V, Z): registration authority (1),
organisation type (1), administrative division (6 digits), organisation code (9), check (1).
The check character makes the weighted sum of all 18 values divisible by 31.
"""
import re

from app.core.markers import N_

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def credit_code_error(code: str) -> str | None:
    """Why `code` is not a valid credit code, or None when it is (messages are msgids)."""
    code = normalise(code)
    if len(code) != 18:
        return N_("A unified social credit code has 18 characters.")
    if not _SHAPE.match(code):
        return N_("Only digits and capital letters other than I, O, S, V and Z are allowed; characters 3-8 are digits.")
    if check_character(code[:17]) != code[17]:
        return N_("The check character (the 18th) does not match: please check the code for a typing error.")
    return None


def org_code_check(first8: str) -> str:
    """The check character of a GB 11714 organisation code (positions 9-17 of the credit code)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    # GB 11714 values digits as themselves and letters A=10 ... Z=35.
    total = sum(int(ch, 36) * w for ch, w in zip(first8, weights))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def make_credit_code(division: str, org_code8: str, authority: str = "9", org_type: str = "1") -> str:
    """Build a valid code, e.g. for demo data: 9 = market regulator, 1 = enterprise."""
    body = authority + org_type + division + org_code8 + org_code_check(org_code8)
    return body + check_character(body)
