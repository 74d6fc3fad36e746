"""Region codes (docs/rules.md P14): ISO 3166-1 alpha-2 countries and ISO 3166-2
subdivisions, checked against pycountry's copy of the ISO 3166 tables (Debian's
iso-codes), so a typo in a policy file or at sign-up is an error, not a silent default.
"""

from __future__ import annotations

import pycountry

from consentry.domain.jurisdiction import normalise_region


def check_region(code: str) -> str:
    """`code` normalised (``ca-qc`` -> ``CA-QC``); ValueError unless ISO 3166 lists it."""
    value = normalise_region(code)
    if "-" in value:
        if pycountry.subdivisions.get(code=value) is None:
            raise ValueError(f"region {code!r} is not an ISO 3166-2 subdivision code")
    elif pycountry.countries.get(alpha_2=value) is None:
        raise ValueError(f"region {code!r} is not an ISO 3166-1 alpha-2 country code")
    return value


def region_name(code: str) -> str:
    """The English name ISO 3166 gives `code` (for pages), or the code itself."""
    found = (
        pycountry.subdivisions.get(code=code)
        if "-" in code
        else pycountry.countries.get(alpha_2=code)
    )
    return str(found.name) if found is not None else code
