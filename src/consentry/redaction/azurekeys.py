"""Microsoft's identifiable Azure keys, found alone by their fixed signatures.

SPEC §4: "provider API keys and tokens". Azure issues keys that are random base64 of a
fixed length with a fixed signature at a fixed offset, so a key needs no key word
(``AccountKey=``) to be recognised. The shapes below are written from the formats
Microsoft publishes in its open-source security-utilities (MIT): the identifiable keys
(``IdentifiableMetadata`` signatures; ``Azure32ByteIdentifiableKey``,
``Azure64ByteIdentifiableKey`` and the kinds with their own layout) and the common
annotated security keys (``JQQJ`` at offset 52 of 84 characters: Azure AI services,
OpenAI, Cognitive Services, ACR, DevOps PATs, …; base62 as Microsoft's pattern has it,
and only ``JQQJ`` is checked of the fixed part: the two characters after it vary in
published examples, and the provider's signature at offset 76 is any letter then 3):

======================  =========  ===========================================  ======
kind                    alphabet   layout                                       length
======================  =========  ===========================================  ======
annotated (CASK)        base62     52, ``JQQJ``, 20, a letter, 7 [, 2, ``==``]  84, 88
Service Bus, Event      base64     33, ``+ASb`` ``+AEh`` ``+ARm`` ``AzCa``       44
Hubs, Relay, Redis,                ``AIoT`` ``AZEG``, ``[A-P]``, 5, ``=``
IoT, Event Grid
storage, Cosmos DB,     base64     76, ``+ASt`` ``ACDb`` ``+ABa`` ``+AMC``       88
Batch, ML, APIM                    ``APIM``, 5, ``[AQgw]==``
Functions               url-safe   44, ``AzFu``, 5, ``[AQgw]==``                56
Search                  base62     42, ``AzSe``, ``[A-D]``, 5                   52
Container Registry      base64     42, ``+ACR``, ``[A-D]``, 5                   52
======================  =========  ===========================================  ======

One RE2 pattern holds every kind; it runs only where a signature occurs (its prefilter,
checked in both scans' one RE2::Set pass over the text, ``native.SET_GATED``), so other
text pays no pass of its own. The key is the whole run: a signature inside a longer run
of the key's alphabet (a base64 blob, a hash) is no key, and :func:`_whole_key` rejects
it (RE2 has no look-around). The finding is the whole key, padding included. (Entra ID
client secrets, ``…Q~…``, are in :mod:`.tokens`.)
"""

from __future__ import annotations

import re2

from .detector import PatternDetector, compile_pattern
from .model import SECRET
from .tokens import RANK, placeholder_body

_B62 = "A-Za-z0-9"
_B64 = "A-Za-z0-9+/"
_URL = "A-Za-z0-9_-"

_ANNOTATED = ("JQQJ",)
_KEYS_32 = ("+ASb", "+AEh", "+ARm", "AzCa", "AIoT", "AZEG")
_KEYS_64 = ("+ASt", "ACDb", "+ABa", "+AMC", "APIM")
_FUNCTIONS = ("AzFu",)
_SEARCH = ("AzSe",)
_REGISTRY = ("+ACR",)


def _any(signatures: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re2.escape(s) for s in signatures) + ")"


_KINDS = (
    f"[{_B62}]{{52}}JQQJ[{_B62}]{{20}}[A-Za-z][{_B62}]{{7}}(?:[{_B62}]{{2}}==)?",
    f"[{_B64}]{{76}}{_any(_KEYS_64)}[{_B64}]{{5}}[AQgw]==",
    f"[{_URL}]{{44}}{_any(_FUNCTIONS)}[{_URL}]{{5}}[AQgw]==",
    f"[{_B62}]{{42}}{_any(_SEARCH)}[A-D][{_B62}]{{5}}",
    f"[{_B64}]{{42}}{_any(_REGISTRY)}[A-D][{_B64}]{{5}}",
    f"[{_B64}]{{33}}{_any(_KEYS_32)}[A-P][{_B64}]{{5}}=",
)
SIGNATURES = (*_ANNOTATED, *_KEYS_64, *_FUNCTIONS, *_SEARCH, *_REGISTRY, *_KEYS_32)
PATTERN = "|".join(_KINDS)
# Every key holds a signature: the detector's prefilter, in both scans' RE2::Set pass
# (native.SET_GATED names it, so it is written out; test_azure_keys checks it).
PREFILTER = r"JQQJ|\+A(?:S[bt]|Eh|Rm|Ba|MC|CR)|Az(?:Ca|Fu|Se)|AIoT|AZEG|APIM|ACDb"

_BASE62 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_URL_SAFE = _BASE62 | frozenset(b"_-")
_ANY_BASE64 = _URL_SAFE | frozenset(b"+/")
_ANY_BASE64_OR_PAD = _ANY_BASE64 | frozenset(b"=")


def _whole_key(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The match, when it is a whole run of its kind's alphabet and not a stand-in.

    The bytes around must not continue the key: for an annotated key (base62) no letter
    or digit, for a Functions key no url-safe base64 character, for the others no
    character of either base64 alphabet (nor ``=`` after). The kinds' layouts are told
    apart by length and the signature's offset.
    """
    before = data[start - 1] if start > 0 else 0x20
    after = data[end] if end < len(data) else 0x20
    if data.startswith(b"JQQJ", start + 52) and end - start in (84, 88):
        inside_before, inside_after = _BASE62, _BASE62
    elif data.startswith(b"AzFu", start + 44) and end - start == 56:
        inside_before, inside_after = _URL_SAFE, _URL_SAFE
    else:
        inside_before, inside_after = _ANY_BASE64, _ANY_BASE64_OR_PAD
    if before in inside_before or after in inside_after:
        return None
    return None if placeholder_body(data[start:end]) else (start, end)


DETECTOR = PatternDetector(
    SECRET,
    RANK,
    compile_pattern(PATTERN),
    _whole_key,
    triggers=tuple(s.encode() for s in SIGNATURES),
    prefilter=PREFILTER,
)
