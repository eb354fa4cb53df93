"""Vial barcodes: `V` + nine Crockford base32 characters + an ISO 7064 mod 37-2 check character.

The check character is the one ISBT 128 prints eye-readable, so a mistyped or misread barcode is
caught before it names the wrong vial. Imported barcodes keep their own form.
"""

import re
import secrets

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MOD37_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
BODY_LENGTH = 9
IMPORTED_BARCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")


def mod37_2(text: str) -> str:
    """The ISO 7064 mod 37-2 check character (`G123498654321` → `H`)."""
    check = 0
    for char in text.upper():
        check = (check + MOD37_ALPHABET.index(char)) * 2 % 37
    return MOD37_ALPHABET[(38 - check) % 37]


def new_barcode() -> str:
    """A fresh barcode whose check character is a letter or digit: never `*`, which readers
    take for Code 39's start/stop character and people for a footnote mark."""
    while True:
        body = "V" + "".join(secrets.choice(CROCKFORD) for _ in range(BODY_LENGTH))
        check = mod37_2(body)
        if check != "*":
            return body + check


def is_generated(barcode: str) -> bool:
    return (
        len(barcode) == BODY_LENGTH + 2
        and barcode[0] == "V"
        and all(c in CROCKFORD for c in barcode[1:-1])
        and mod37_2(barcode[:-1]) == barcode[-1]
    )


def is_acceptable(barcode: str) -> bool:
    """A generated barcode with a correct check character, or an imported one of plain form."""
    if barcode[:1] == "V" and len(barcode) == BODY_LENGTH + 2:
        return is_generated(barcode)
    return bool(IMPORTED_BARCODE.match(barcode))
