"""Microsoft's identifiable Azure keys, alone in text (SPEC §4 "provider API keys"; issue 16).

Every key here is made up in this file to the published shape of its kind (length,
signature, offset, alphabet, padding; see :mod:`consentry.redaction.azurekeys`), from a
seeded generator: none is a real key. Each case runs in both scans, which must agree.
"""

from __future__ import annotations

import itertools
import random
import re
import string

import pytest

from consentry.redaction import Redactor, native
from consentry.redaction.azurekeys import DETECTOR, PREFILTER, SIGNATURES

PYTHON = Redactor(native=False)
COMPILED = Redactor()

_B62 = string.ascii_letters + string.digits
_B64 = _B62 + "+/"
_URL = _B62 + "_-"
_RNG = random.Random(2016)


def _run(alphabet: str, n: int) -> str:
    # Mixed as generated keys are; the alphabet's extra characters appear somewhere.
    chars = [_RNG.choice(alphabet) for _ in range(n)]
    chars[n // 2] = alphabet[-1]
    return "".join(chars)


def _annotated(provider: str, padded: bool = False) -> str:
    """A common annotated key: 52, JQQJ99, a char, a date letter, 12, 4, provider, 4."""
    key = (
        _run(_B62, 52) + "JQQJ99" + _run(_B62, 1) + "C" + _run(_B62, 12) + "AAAA" + provider
        + _run(_B62, 4)
    )  # fmt: skip
    return key + _run(_B62, 2) + "==" if padded else key


def _key32(signature: str) -> str:
    return _run(_B64, 33) + signature + "F" + _run(_B64, 5) + "="


def _key64(signature: str) -> str:
    return _run(_B64, 76) + signature + _run(_B64, 5) + "g=="


KEYS = {
    "AI services (annotated)": _annotated("ACOG"),
    "Container Registry (annotated)": _annotated("AZCR"),
    "DevOps PAT (annotated, padded)": _annotated("AZDO", padded=True),
    "Service Bus": _key32("+ASb"),
    "Event Hubs": _key32("+AEh"),
    "Relay": _key32("+ARm"),
    "Cache for Redis": _key32("AzCa"),
    "IoT Hub": _key32("AIoT"),
    "Event Grid": _key32("AZEG"),
    "storage account": _key64("+ASt"),
    "Cosmos DB": _key64("ACDb"),
    "Batch": _key64("+ABa"),
    "ML classic": _key64("+AMC"),
    "API Management": _key64("APIM"),
    "Functions": _run(_URL, 44) + "AzFu" + _run(_URL, 5) + "Q==",
    "Search": _run(_B62, 42) + "AzSe" + "B" + _run(_B62, 5),
    "Container Registry": _run(_B64, 42) + "+ACR" + "C" + _run(_B64, 5),
}


def _spans(text: str) -> list[tuple[int, int, str]]:
    python = [(f.start, f.end, f.type) for f in PYTHON.redact(text).findings]
    compiled = [(f.start, f.end, f.type) for f in COMPILED.redact(text).findings]
    assert python == compiled, text
    return python


def _detected(text: str) -> list[str]:
    data = text.encode()
    return [data[c.start : c.end].decode() for c in DETECTOR.scan(data)]


def test_the_keys_have_their_published_lengths() -> None:
    lengths = {name: len(key) for name, key in KEYS.items()}
    assert lengths["AI services (annotated)"] == 84
    assert lengths["DevOps PAT (annotated, padded)"] == 88
    assert lengths["Service Bus"] == 44
    assert lengths["storage account"] == 88
    assert lengths["Functions"] == 56
    assert lengths["Search"] == lengths["Container Registry"] == 52
    assert {s for s in SIGNATURES if any(s in key for key in KEYS.values())} == set(SIGNATURES)


@pytest.mark.parametrize("name", KEYS)
@pytest.mark.parametrize(
    "template",
    [
        "We rotated {key} this morning.",  # prose, no key word: missed before
        "Ask ops for {key}, then deploy.",
        "(see {key})",
        "<td>{key}</td>",
        "paste '{key}' into the portal",
        'client = Client("{key}")',
        "AZURE_KEY={key}\n",
    ],
)
def test_an_identifiable_key_is_redacted_whole(name: str, template: str) -> None:
    """SPEC §4: the whole key, padding included, without a key word before it."""
    key = KEYS[name]
    text = template.format(key=key)
    start = text.index(key)
    assert (start, start + len(key), "SECRET") in _spans(text), text
    assert _detected(text) == [key]


@pytest.mark.parametrize("name", KEYS)
def test_base64_of_the_same_length_without_the_signature_is_no_key(name: str) -> None:
    key = KEYS[name]
    signature = next(s for s in SIGNATURES if s in key)
    plain = key.replace(signature, "q7Zk")
    assert _detected(f"blob {plain} end") == []
    _spans(f"blob {plain} end")


@pytest.mark.parametrize("name", KEYS)
@pytest.mark.parametrize("glue", [("Ab", ""), ("", "x9"), ("7", "k")])
def test_a_signature_inside_a_longer_run_is_no_key(name: str, glue: tuple[str, str]) -> None:
    """A hash or base64 blob that happens to hold a signature at the offset is not a key."""
    text = f"data {glue[0]}{KEYS[name]}{glue[1]} end"
    assert _detected(text) == []
    _spans(text)


def test_padding_after_a_32_byte_key_extends_the_run() -> None:
    assert _detected(f"v {KEYS['Service Bus']}= w") == []


@pytest.mark.parametrize(
    "text",
    [
        "Deploy the APIM gateway, then the AzFu app and AzSe index; JQQJ is a signature.",
        "APIManagementServiceGatewayConfigurationForTheWestEuropeRegionSettings+AStatusValue==",
        "see +ASt, ACDb, +AEh, +ASb, +ARm, AzCa, AIoT, AZEG, +ABa, +AMC, +ACR in the docs",
    ],
)
def test_a_signature_in_words_is_no_key(text: str) -> None:
    assert _detected(text) == []
    _spans(text)


def test_a_stand_in_with_a_signature_is_no_key() -> None:
    """``000…+ASt00000A==`` in docs is a placeholder (tokens.placeholder_body)."""
    assert _detected("key " + "0" * 76 + "+ASt00000A== here") == []
    assert _detected("key " + "x" * 52 + "JQQJ99xAxxxxxxxxxxxxxxxxAZDOxxxx here") == []


def test_the_prefilter_is_the_signatures_and_gates_the_compiled_scan() -> None:
    """Written out for native.SET_GATED: it must accept the signatures and nothing else."""
    places = [sorted({s[i] for s in SIGNATURES}) for i in range(4)]
    accepted = {
        "".join(p) for p in itertools.product(*places) if re.fullmatch(PREFILTER, "".join(p))
    }
    assert accepted == set(SIGNATURES)
    assert DETECTOR.prefilter == PREFILTER
    assert PREFILTER in native.SET_GATED
