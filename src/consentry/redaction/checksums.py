"""Checksum and validity rules for structured identifiers.

Pure functions over ASCII ``bytes``; the detectors call them on matched spans only,
so their cost is bounded by the span length.
"""

from __future__ import annotations

import ipaddress
import math
from collections import Counter
from collections.abc import Iterable

# ISO 13616 IBAN registry: country code -> total IBAN length.
IBAN_LENGTHS: dict[bytes, int] = {
    k.encode(): v
    for k, v in {
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
        "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
        "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
        "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
        "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
        "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
        "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
        "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28,
        "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
        "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
        "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
        "HN": 28,  # in python-stdnum's registry copy, missing above (issue 16)
        # IBANs in use outside the SWIFT registry (issue 16: Faker writes Iran's): the
        # mod-97 check still decides, so a wrong guess can only miss, not flag
        "AO": 25, "BF": 28, "BJ": 28, "CI": 28, "CM": 27, "CV": 25, "DZ": 26, "IR": 26,
        "MA": 28, "MG": 27, "ML": 28, "MZ": 25, "SN": 28,
        # the rest of the two CFA franc unions, whose banks share one format (issue 16:
        # schwifty's experimental territories): UEMOA (BCEAO) 28 but Guinea-Bissau 25,
        # CEMAC (BEAC) 27, and the Comoros 27
        "GW": 25, "NE": 28, "TG": 28, "CF": 27, "CG": 27, "GA": 27, "GQ": 27, "TD": 27,
        "KM": 27,
        # territories whose banks issue IBANs in another country's format under their own
        # code (the registry's notes to FR and FI): France's overseas ones, and Åland
        "BL": 27, "GF": 27, "GP": 27, "MF": 27, "MQ": 27, "NC": 27, "PF": 27, "PM": 27,
        "RE": 27, "TF": 27, "WF": 27, "YT": 27, "AX": 18,
    }.items()
}  # fmt: skip


def luhn_ok(digits: bytes) -> bool:
    """True when an all-digit string passes the Luhn (mod 10) check."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ch - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_prefix_ok(digits: bytes) -> bool:
    """True when the issuer prefix and length belong to a real card scheme."""
    n = len(digits)
    two = int(digits[:2])
    four = int(digits[:4])
    if digits[:1] == b"4":  # Visa
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:  # Mastercard
        return n == 16
    if 2200 <= four <= 2204:  # Mir (NSPK's published IIN range, 16-19 digits)
        return 16 <= n <= 19
    if two in (34, 37):  # American Express
        return n == 15
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:  # Diners Club
        return 14 <= n <= 19
    if two == 35:  # JCB is 3528-3589; test-card generators use all of 35xx
        return 16 <= n <= 19
    if four == 6011 or two == 65 or 644 <= int(digits[:3]) <= 649:  # Discover
        return 16 <= n <= 19
    if two in (62, 81):  # UnionPay (its IIN ranges 62 and 81, 16-19 digits)
        return 16 <= n <= 19
    if two in (50, 56, 57, 58, 63, 67, 69):  # Maestro
        return 12 < n <= 19
    return False


def ssn_ok(area: bytes, group: bytes, serial: bytes) -> bool:
    """SSA rules: area not 000, 666 or 9xx; group not 00; serial not 0000."""
    return (
        area not in (b"000", b"666") and area[:1] != b"9" and group != b"00" and serial != b"0000"
    )


def iban_ok(compact: bytes) -> bool:
    """Country length table and ISO 7064 mod-97 check on an IBAN without spaces."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(map(_BASE36_DIGITS.__getitem__, rearranged))) % 97 == 1


# byte of an alphanumeric character -> its base-36 value as decimal text ("A" -> "10").
_BASE36_DIGITS = {
    c: str(int(chr(c), 36))
    for c in b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
}


def ipv4_ok(candidate: bytes) -> bool:
    """Four decimal octets 0-255 without leading zeros."""
    parts = candidate.split(b".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part or len(part) > 3 or (len(part) > 1 and part[:1] == b"0"):
            return False
        if int(part) > 255:
            return False
    return True


def ipv6_ok(candidate: bytes) -> bool:
    """Valid IPv6 (full, compressed or with an IPv4 tail), not a code path like ``a::b``.

    Needs at least two groups, and three groups or one of three or more digits,
    so ``::1``, ``a::b`` and ``xs[::2]`` are not addresses.
    """
    try:
        ipaddress.IPv6Address(candidate.decode("ascii"))
    except ValueError:
        return False
    groups = [g for g in candidate.split(b":") if g]
    return len(groups) >= 3 or (len(groups) == 2 and max(len(g) for g in groups) >= 3)


def shannon_entropy(value: bytes) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    return _entropy(Counter(value).values(), len(value))


def _entropy(counts: Iterable[int], n: int) -> float:
    return -sum(c / n * math.log2(c / n) for c in counts)


# Margin for the bounds in entropy_at_least: far above the rounding error of the
# exact sum (~1e-15), so the bounds never decide differently from the sum.
_BOUND_MARGIN = 1e-9


def entropy_at_least(value: bytes, threshold: float) -> bool:
    """``shannon_entropy(value) >= threshold``, mostly without counting symbols.

    With ``k`` distinct symbols in ``n``, Shannon entropy is at most ``log2(k)``
    and at least that of the most skewed such string (one symbol ``n - k + 1``
    times, the others once); next it is at least the min-entropy
    ``log2(n / max count)``. The exact sum runs only when the threshold falls
    between the bounds.
    """
    n = len(value)
    if not n:
        return threshold <= 0.0
    k = len(set(value))
    if math.log2(k) < threshold - _BOUND_MARGIN:
        return False
    top = n - k + 1
    skewed = -(top / n * math.log2(top / n) + (k - 1) / n * math.log2(1 / n))
    if skewed >= threshold + _BOUND_MARGIN:
        return True
    counts = Counter(value)
    if math.log2(n / max(counts.values())) >= threshold + _BOUND_MARGIN:
        return True
    return _entropy(counts.values(), n) >= threshold


def looks_random(value: bytes) -> bool:
    """True when ``value`` mixes ASCII digits and letters, as generated tokens do."""
    no_digits = value.translate(None, _DIGITS)
    return len(no_digits) != len(value) and len(no_digits.translate(None, _LETTERS)) != len(
        no_digits
    )


_DIGITS = b"0123456789"
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_HASH_FIELD = frozenset(_LETTERS + _DIGITS + b"./+=")
HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


def looks_hashed(field: bytes) -> bool:
    """True when one field of a password hash looks like a digest or salt: at least 16
    characters of a hash alphabet (letters, digits, ``./+=``), and 32+ hex digits, or
    digits mixed with letters, or at least 3.5 bits of entropy per character. The
    crypt-style detector and the marked encodings of :mod:`.storedhashes` both ask it of
    their longest field, so ``$HOME$PATH`` or ``{SHA}`` in prose is not a hash."""
    if len(field) < 16 or not set(field) <= _HASH_FIELD:
        return False
    is_hex = len(field) >= 32 and set(field) <= HEX_DIGITS
    return is_hex or looks_random(field) or entropy_at_least(field, 3.5)
