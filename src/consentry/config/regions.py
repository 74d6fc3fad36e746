"""Region codes (docs/rules.md P14, P16): ISO 3166-1 alpha-2 countries and ISO 3166-2
subdivisions, checked against pycountry's copy of the ISO 3166 tables (Debian's
iso-codes), so a typo in a policy file or at sign-up is an error, not a silent default.
"""

from __future__ import annotations

from functools import cache

import pycountry

from consentry.domain.jurisdiction import normalise_region


@cache
def _names() -> dict[str, str]:
    """Every ISO 3166-1 alpha-2 and ISO 3166-2 code with its English name (read once)."""
    names = {str(c.alpha_2): str(c.name) for c in pycountry.countries}
    names.update({str(s.code): str(s.name) for s in pycountry.subdivisions})
    return names


def check_region(code: str) -> str:
    """`code` normalised (``ca-qc`` -> ``CA-QC``); ValueError unless ISO 3166 lists it."""
    value = normalise_region(code)
    if value not in _names():
        kind = "ISO 3166-2 subdivision" if "-" in value else "ISO 3166-1 alpha-2 country"
        raise ValueError(f"region {code!r} is not an {kind} code")
    return value


def region_name(code: str) -> str:
    """The English name ISO 3166 gives `code` (for pages), or the code itself."""
    return _names().get(code, code)
