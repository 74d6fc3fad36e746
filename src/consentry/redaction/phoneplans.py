"""What the world's numbering plans say of a number (``phonenumbers``, issue 16).

The library calls of :mod:`.fieldnumbers`' phone validator, memoised per distinct
value; the compiled scan's port of that validator makes these same calls back into
Python (``fieldnumbers.NATIVE_LIBRARY``).
"""

from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import PhoneMetadata

# Validator results memoised per distinct value: bounded, so that a long export's
# memory does not grow with every number it has seen.
CACHE_SIZE = 1 << 16


@functools.cache
def _national_patterns() -> dict[int, tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]]]:
    """Per national-number length: one pattern of every region's numbers, and each region's."""
    by_length: dict[int, list[tuple[str, str]]] = {}
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is None or meta.general_desc is None:
            continue
        pattern = meta.general_desc.national_number_pattern
        lengths = meta.general_desc.possible_length or ()
        if not pattern:
            continue
        for length in lengths:
            by_length.setdefault(length, []).append((region, pattern))
    out = {}
    for length, entries in by_length.items():
        combined = re.compile("|".join(f"(?:{p})" for _, p in entries))
        out[length] = (combined, [(r, re.compile(p)) for r, p in entries])
    return out


@functools.lru_cache(maxsize=CACHE_SIZE)
def _valid_nationally(digits: str) -> bool:
    """True when ``digits`` (a national number, trunk prefix and all) is valid in some region."""
    patterns = _national_patterns()
    variants = [digits]
    if digits[:1] in "018":
        variants.append(digits[1:])  # trunk prefix: 0 in most regions, 8 in some, 1 in NANP
    for nsn in variants:
        entry = patterns.get(len(nsn))
        if entry is None or not entry[0].fullmatch(nsn):
            continue
        for region, pattern in entry[1]:
            if not pattern.fullmatch(nsn):
                continue
            try:
                number = phonenumbers.parse(digits, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
    return False


@functools.lru_cache(maxsize=CACHE_SIZE)
def _valid_internationally(digits: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + digits, None))
    except phonenumbers.NumberParseException:
        return False


@functools.lru_cache(maxsize=CACHE_SIZE)
def _possible_internationally(digits: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse("+" + digits, None))
    except phonenumbers.NumberParseException:
        return False


@functools.lru_cache(maxsize=CACHE_SIZE)
def _possible_as_e164(digits: str) -> bool:
    """``digits`` as they stand are a possible E.164 number: a calling code and a national
    number of a possible length, no trunk prefix dropped (``111222333444`` is not ``+1
    1222333444``'s E.164 form, though phonenumbers parses it so)."""
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.is_possible_number(number) and e164 == "+" + digits
