"""Finnish personal identity code (henkilötunnus), temporary codes included.

python-stdnum's ``fi.hetu`` refuses individual numbers 900-999 unless asked with
``allow_temporary``: those are the temporary codes issued to people not (yet) in the
population register. They identify a person as the others do, so this module asks
stdnum with ``allow_temporary=True``.
"""

from __future__ import annotations

from stdnum.exceptions import InvalidFormat
from stdnum.fi import hetu

from . import accepts

# stdnum's own format, matched first as its validate does (so the length table reads it).
_hetu_re = hetu._hetu_re


def compact(number: str) -> str:
    """The code in upper case, without surrounding spaces."""
    return str(hetu.compact(number))


def validate(number: str) -> str:
    """The compact code, or a stdnum ``ValidationError``."""
    number = compact(number)
    if not _hetu_re.search(number):
        raise InvalidFormat()
    return str(hetu.validate(number, allow_temporary=True))


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the code."""
    return accepts(validate, number)
