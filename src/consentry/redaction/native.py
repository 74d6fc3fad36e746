"""The compiled scan of the built-in detectors, when it is built.

``_native`` (``_native.cpp``, C++ over RE2) runs what :class:`~.engine.Redactor`
does between encoding a text and replacing its findings: every detector's
candidate loop and validator, dropping our own placeholders, byte to str
offsets and overlap resolution. The Python detectors stay the reference: the
engine uses the compiled scan only when every detector of a Redactor is one of
the built-in ones below, and ``tests/unit/redaction/test_native.py`` proves both
find the same spans. Patterns and tables are handed over from the Python
modules here, so they exist once.

The extension is optional: without a C++ compiler and ``libre2-dev`` the package
installs without it and the filter runs in Python (same findings, about 4x
slower). ``CONSENTRY_FILTER_NATIVE=0`` switches it off at run time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

from . import credentials, pii, tokens
from .checksums import IBAN_LENGTHS
from .detector import Detector, PatternDetector, RawCandidate
from .model import Finding
from .replacement import PSEUDONYM_HEX_CHARS

try:
    from . import _native
except ImportError:  # not built: the Python scan runs instead
    _native = None  # type: ignore[assignment]

ENV_SWITCH = "CONSENTRY_FILTER_NATIVE"
_BUILTIN: tuple[Detector, ...] = (*credentials.DETECTORS, *pii.DETECTORS)

# Python validator -> the name of its C++ port.
_VALIDATORS: dict[Any, str] = {
    pii._email: "email",
    pii._phone: "phone",
    pii._cards: "cards",
    pii._ssn: "ssn",
    pii._ssn_after_key_word: "ssn_keyword",
    pii._iban: "iban",
    pii._ipv4: "ipv4",
    pii._ipv6: "ipv6",
    credentials._jwt: "jwt",
    credentials._url_password_match: "url_password",
    credentials._password_match: "password",
    credentials._keyword_secret_match: "keyword_secret",
}


class NativeScan(Protocol):
    """What the engine calls on the compiled scan."""

    def candidates(self, data: bytes) -> list[RawCandidate]:
        """Every detector's candidates in byte offsets, as the Python scan collects them."""
        ...

    def findings(self, data: bytes, is_ascii: bool) -> tuple[Finding, ...]:
        """Resolved findings in str offsets (placeholders of ours left out)."""
        ...

    def redact(self, data: bytes, is_ascii: bool) -> tuple[str | None, tuple[Finding, ...]]:
        """Text with typed placeholders (None when nothing was found) and the findings."""
        ...


def available() -> bool:
    """True when the extension is built and not switched off."""
    return _native is not None and os.environ.get(ENV_SWITCH, "1") != "0"


def build(detectors: Sequence[Detector]) -> NativeScan | None:
    """A compiled scan running ``detectors`` in order, or None when any is not built in."""
    if not available():
        return None
    specs = []
    for detector in detectors:
        spec = _spec(detector)
        if spec is None:
            return None
        specs.append(spec)
    scan: NativeScan = _native.Engine(specs, _tables(), credentials.jwt_header_ok, Finding)
    return scan


def _spec(detector: Detector) -> tuple[object, ...] | None:
    """The compiled scan's description of a built-in detector, None for any other.

    Only the built-in instances qualify: the compiled scan skips a detector when
    a necessary condition for *its* pattern fails (see ``Gates`` in _native.cpp).
    """
    if not any(detector is builtin for builtin in _BUILTIN):
        return None
    if isinstance(detector, credentials.PrivateKeyDetector):
        return (
            "private_key",
            credentials.PRIVATE_KEY,
            credentials.RANK[credentials.PRIVATE_KEY],
            credentials._PEM_HEADER.pattern,
            credentials._PEM_BODY.pattern,
        )
    if isinstance(detector, tokens.ProviderTokenDetector):
        shapes = [
            (prefix, f"[{shape.alphabet}]+", shape.min_body, shape.max_body)
            for shape in tokens.SHAPES
            for prefix in shape.prefixes
        ]
        return ("tokens", credentials.SECRET, tokens.RANK, detector.prefilter, shapes)
    if not isinstance(detector, PatternDetector) or detector.groups != (0,):
        return None
    function = detector.validate_many if detector.validate_many is not None else detector.validate
    validator = "" if function is None else _VALIDATORS.get(function)
    if validator is None or (validator == "cards") != (detector.validate_many is not None):
        return None
    return (
        "pattern",
        detector.type,
        detector.rank,
        detector.regex.pattern,
        list(detector.triggers),
        validator,
    )


def _tables() -> dict[str, object]:
    from .engine import _CREDENTIAL_RANK_LIMIT

    return {
        "iban_lengths": IBAN_LENGTHS,
        "file_extensions": sorted(pii._FILE_EXTENSIONS),
        "placeholder_values": sorted(credentials._PLACEHOLDER_VALUES),
        "min_secret_entropy": credentials.MIN_SECRET_ENTROPY,
        "min_letters_only_entropy": credentials.MIN_LETTERS_ONLY_ENTROPY,
        "credential_rank_limit": _CREDENTIAL_RANK_LIMIT,
        "pseudonym_hex_chars": PSEUDONYM_HEX_CHARS,
    }
