"""Value objects returned by the filter.

Finding types are UPPER_SNAKE strings, the same in Python and in JSON output:
``EMAIL``, ``PHONE``, ``CARD``, ``SSN``, ``IBAN``, ``IP``, ``SECRET``,
``PRIVATE_KEY``, ``JWT``, ``PASSWORD``, ``PASSWORD_HASH``, ``NATIONAL_ID``, plus
whatever an NER stage reports
(the bundled gazetteer uses ``PERSON`` and ``ADDRESS``).
"""

from __future__ import annotations

from dataclasses import dataclass

EMAIL = "EMAIL"
PHONE = "PHONE"
CARD = "CARD"
SSN = "SSN"
IBAN = "IBAN"
IP = "IP"
SECRET = "SECRET"  # noqa: S105 - a type name, not a secret
PRIVATE_KEY = "PRIVATE_KEY"
JWT = "JWT"
PASSWORD = "PASSWORD"  # noqa: S105 - a type name, not a password
PASSWORD_HASH = "PASSWORD_HASH"  # noqa: S105 - a type name
NATIONAL_ID = "NATIONAL_ID"
PERSON = "PERSON"
ADDRESS = "ADDRESS"

# Candidates ranked below this are credentials (credentials.RANK) and win overlaps
# against personal identifiers (engine._resolve and its C++ port).
CREDENTIAL_RANK_LIMIT = 40

BUILTIN_TYPES = (
    EMAIL, PHONE, CARD, SSN, IBAN, IP, SECRET, PRIVATE_KEY, JWT, PASSWORD, PASSWORD_HASH,
    NATIONAL_ID,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Finding:
    """One replaced span: ``text[start:end]`` of the *input* text (str offsets)."""

    type: str
    start: int
    end: int

    def to_json(self) -> dict[str, object]:
        """The ``{"type", "start", "end"}`` object of the ``consentry redact`` contract."""
        return {"type": self.type, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class RedactionResult:
    """Filtered text and the findings (sorted by start) that were replaced in it."""

    text: str
    findings: tuple[Finding, ...]
