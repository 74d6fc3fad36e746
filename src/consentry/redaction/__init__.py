"""Sensitive-data filter (SPEC §4): find and replace personal data and secrets.

>>> from consentry.redaction import Redactor
>>> Redactor().redact("mail me at a@b.com").text
'mail me at [EMAIL]'

Finding types are UPPER_SNAKE strings (``EMAIL``, ``PHONE``, ``CARD``, ``SSN``,
``IBAN``, ``IP``, ``SECRET``, ``PRIVATE_KEY``, ``JWT``, ``PASSWORD``; NER stages
add their own such as ``PERSON``), identical in Python and JSON output.
See docs/redaction.md.
"""

from .engine import Redactor
from .errors import MalformedLineError, RedactionError
from .jsonl import redact_jsonl
from .model import BUILTIN_TYPES, Finding, RedactionResult
from .ner import GazetteerNer, NerStage
from .pipeline import build_redactor, prefetch

__all__ = [
    "BUILTIN_TYPES",
    "Finding",
    "GazetteerNer",
    "MalformedLineError",
    "NerStage",
    "RedactionError",
    "RedactionResult",
    "Redactor",
    "build_redactor",
    "prefetch",
    "redact_jsonl",
]
