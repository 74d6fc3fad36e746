"""The network validators ported whole into the compiled scan (SPEC §4 IP addresses).

Issue 16 (speed): ``networks._ipv4_block`` and ``networks._ipv6_network`` were called back
from C++ on every match (~340 per pass over the labelled corpus). Their ports
(``ipv4_block`` and ``ipv6_network`` in _native.cpp) decide in C++ and must decide exactly
as the Python functions do; they are pinned (``native.GATE_PINS``) with the helpers they
call (``native.GATE_HELPERS``), so a change to any of them sends the matches back to
Python until the port is checked again.
"""

from __future__ import annotations

import random

import pytest

from consentry.redaction import _native, credentials, native, networks
from consentry.redaction.model import Finding

pytestmark = pytest.mark.usefixtures("compiled_scan")

_PORTED = {networks._ipv4_block: "ipv4_block", networks._ipv6_network: "ipv6_network"}

# Each rule of the two validators at its edge (my own examples).
EDGES = [
    "net 192.168.1.0/24 and 10.0.0.0/8.",
    "bad 192.168.1.0/33, 192.168.1.0/32, 192.168.1.0/0, 01.2.3.4/8, 256.1.1.1/8",
    "pip install pkg==1.2.3.4/5 or v1.2.3.4/5 or version 1.2.3.4/5 or x~=1.2.3.4/6",
    "glued a1.2.3.4/5 1.2.3.4/5b :1.2.3.4/5 1.2.3.4/5: 1.2.3.4/5.6 1.2.3.4/5. end",
    "2001:db8::/32 2001:db8::/128 2001:db8::/129 fe80::1%eth0 fe80::1%eth0.5/64",
    "::ffff:10.0.0.1 ::192.168.1.1 ::1 :: '::' (::) [::] ref: :: x:: ::x",
    "xs[::2] f(x)[::1] a[0][::3] ::add ::face dead::beef ::add/8 ::face%1 ::cafe:1",
    "std::vector a::b x :: Int ::add(1) 1:2:3:4:5:6:7:8/64 1:2:3:4:5:6:7:8%z",
    "\t::\n::\r\n=::,<::>{::};:: (::\tx at the end ::",
    "1:2:3:4:5:6:7::8/64 1::2::3/8 12345::1/8 ::1.2.3/8 ::1.2.3.04",
]


def _engines() -> tuple[object, object]:
    """The two network detectors with their ports, and with the validators called back."""
    ported, called_back = [], []
    for detector in native._BUILTIN:
        spec = native._spec(detector)
        assert spec is not None
        if spec[0] == "pattern" and spec[5] == "python" and spec[7] in _PORTED:
            assert spec[8] == _PORTED[spec[7]]
            ported.append(spec)
            called_back.append((*spec[:8], "", []))
    assert len(ported) == 2 and _native is not None
    return (
        _native.Engine(ported, native._tables(), credentials.jwt_header_ok, Finding),
        _native.Engine(called_back, native._tables(), credentials.jwt_header_ok, Finding),
    )


def _random_text(rng: random.Random) -> str:
    def hextet() -> str:
        return "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(rng.randint(1, 5)))

    def v4() -> str:
        return ".".join(str(rng.choice([0, 1, 7, 10, 99, 255, 256, 300])) for _ in range(4))

    head = ":".join(hextet() for _ in range(rng.randint(0, 8)))
    tail = rng.choice(["", hextet(), v4(), hextet() + ":" + hextet(), "dead", "add"])
    address = rng.choice([f"{head}::{tail}", f"{head}:{tail}", v4(), "::", f"::{tail}"])
    zone = rng.choice(["", "", "%eth0", "%1", "%a.b"])
    prefix = rng.choice(["", "", "/8", "/32", "/33", "/128", "/129", "/0", "/999"])
    before = rng.choice([" ", "", "a", ":", ".", "/", "[", "x[", ")[", "][", "(", "'", "\n",
                         "v", "==", "<=", "version ", "ref: ", "=", "\t"])  # fmt: skip
    after = rng.choice(
        [" ", "", "a", ":", "/", ".", ".5", ". ", ",", ")", "]", "'", "\r\n", ";", "\t"]
    )
    return f"x{before}{address}{zone}{prefix}{after}y"


@pytest.mark.parametrize("text", EDGES)
def test_ports_decide_as_the_validators_at_the_edges(text: str) -> None:
    ported, called_back = _engines()
    data = text.encode()
    assert ported.candidates(data) == called_back.candidates(data)  # type: ignore[attr-defined]


def test_ports_decide_as_the_validators_on_random_addresses() -> None:
    ported, called_back = _engines()
    rng = random.Random(16)
    found = 0
    for _ in range(4000):
        data = _random_text(rng).encode()
        ours = ported.candidates(data)  # type: ignore[attr-defined]
        assert ours == called_back.candidates(data), data  # type: ignore[attr-defined]
        found += bool(ours)
    assert 500 < found < 3500  # both accepted and refused


def test_helpers_of_pinned_validators_are_unchanged() -> None:
    for function, (pinned, helpers) in native.GATE_HELPERS.items():
        assert function in native.GATE_PINS, function.__qualname__
        assert native.helpers_digest(function) == pinned, (
            f"a helper of {function.__qualname__} changed ({helpers}): check the port in "
            "_native.cpp, then update its digest in native.GATE_HELPERS"
        )


def test_a_changed_helper_sends_the_matches_back_to_python(monkeypatch: pytest.MonkeyPatch) -> None:
    detector = next(
        d for d in native._BUILTIN if getattr(d, "validate", None) is networks._ipv6_network
    )
    spec = native._spec(detector)
    assert spec is not None and spec[8] == "ipv6_network"
    monkeypatch.setattr(networks, "_CLOSE", networks._CLOSE | {0x7C})  # _whole_value's constant
    stale = native._spec(detector)
    assert stale is not None and stale[8] == "" and stale[7] is networks._ipv6_network
