"""National identifiers of people whose checksums python-stdnum does not have (issue 16).

Each module has python-stdnum's shape (``compact``, ``validate`` raising stdnum's
exceptions, ``is_valid``), so ``nationalids`` tries it like a stdnum module and
derives its length table the same way. Each checksum is the issuing authority's
published algorithm: Iran's national code (``ir``), Taiwan's national identification
card (``tw``) and Hong Kong's identity card (``hk``); ``ru_inn`` narrows stdnum's Russian
INN to the twelve-digit form of a person, and ``fi_hetu`` widens its Finnish code to the
temporary ones; ``pt_cc`` and ``pe_cui`` narrow stdnum's Portuguese citizen card and
Peruvian DNI to the layout the card prints (stdnum's take a tenth and all of bare digit
runs); ``cn_ric`` checks China's resident identity number as stdnum does but without its
table of county codes, which lacks counties that issue numbers; Singapore's NRIC/FIN
(``sg_nric``) and Kuwait's civil ID (``kw_civil``) are checks stdnum lacks, and ``uy_ci``
takes Uruguay's CI in the layout its card prints (the check digit after a hyphen).
"""

from __future__ import annotations

from collections.abc import Callable

from stdnum.exceptions import ValidationError


def accepts(validate: Callable[[str], str], number: str) -> bool:
    """True when ``validate`` returns for ``number`` rather than raise (stdnum's ``is_valid``)."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False
