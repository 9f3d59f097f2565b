"""Check digits and validators for structured identifiers."""

from __future__ import annotations

import ipaddress

__all__ = [
    "corporate_number_ok",
    "iban_ok",
    "ip_ok",
    "luhn_ok",
    "my_number_ok",
]


def my_number_ok(digits: str) -> bool:
    """Japanese My Number (個人番号): 12 digits, the last a check digit (mod 11)."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    base = digits[:11]
    total = 0
    for n in range(1, 12):  # P_n is the n-th digit counted from the right of the base
        p = int(base[-n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    rem = total % 11
    check = 0 if rem <= 1 else 11 - rem
    return check == int(digits[11])


def corporate_number_ok(digits: str) -> bool:
    """Japanese corporate number (法人番号): 13 digits, the first a check digit (mod 9)."""
    if len(digits) != 13 or not digits.isdigit():
        return False
    base = digits[1:]
    total = 0
    for n in range(1, 13):
        p = int(base[-n])
        total += p * (1 if n % 2 else 2)
    return 9 - total % 9 == int(digits[0])


def luhn_ok(digits: str) -> bool:
    """Payment card numbers: 13-19 digits passing Luhn, with a known issuer prefix."""
    if not 13 <= len(digits) <= 19 or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    if total % 10:
        return False
    # Visa, Mastercard, Amex, JCB, Diners, Discover/UnionPay
    return digits[0] in "3456" or digits[:2] in {"22", "23", "24", "25", "26", "27"}


def iban_ok(code: str) -> bool:
    """An IBAN (spaces removed): country, check digits, mod-97 == 1."""
    code = code.replace(" ", "").upper()
    if not 15 <= len(code) <= 34 or not code[:2].isalpha() or not code[2:4].isdigit():
        return False
    moved = code[4:] + code[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def ip_ok(text: str) -> bool:
    """True for a valid IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
