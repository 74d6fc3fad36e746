"""Adversarial inputs: time grows linearly (SPEC §4: no catastrophic backtracking).

Each pathological string is timed at N and 4N characters; a linear scan takes
about 4x as long, a quadratic one 16x. The bound (< 8x) is loose so the test is
not flaky, and sizes stay small so the whole file runs in a few seconds. Times are
the process's CPU time, not wall time: on a loaded machine a longer run is preempted
more often, and wall time then grew 10-16x for 4x input where CPU time grew 4x
(issue 16, measured with ``perf stat`` at load average 12).
"""

from __future__ import annotations

import gc
import time

import pytest

from consentry.redaction import Redactor

N = 64_000

PATTERNS = {
    "at-signs": "a@",
    "dashed digits": "1-",
    "spaced digits": "1 ",
    "dotted digits": "1.",
    "digit run": "7",
    "hex run": "deadbeef",
    "base64 run": "QUJD+/",
    "colons": "a:",
    "nested BEGIN": "-----BEGIN ",
    "BEGIN headers": "-----BEGIN RSA PRIVATE KEY-----\n",
    "password keys": 'password="',
    "bare password keys": "password=",
    "bare secret keys": "api_key=",
    "token keys": "token=",
    "url userinfo": "x://a:",
    "provider prefix": "ghp_",
    "jwt heads": "eyJhbGciOi.",
    "email-ish": "a.b@c.",
    "plus digits": "+1 ",
    "iban-ish": "DE89 ",
    # the compiled scan's regions and shortcuts (native.py)
    "nine-digit runs": "SSN 123456789 ",
    "ssn shapes": "123-45-6789-",
    "zero groups": "(01-23 ",
    "hex colons": "ab:",
    "token pairs": "xoxb",
    "bearer words": "bearer ",
    "jwt-ish headers": "eyJ7",
    # issue 16's detectors and folding
    "crypt fields": "$2b$",
    "go assignments": "apiKey := ",
    "reversed comparisons": '"x" == password ',
    "header schemes": "Authorization: Bearer ",
    "phone groups": "(0) 12-",
    "id-ish groups": "ID 12.",
    "confusable words": "раss​",
    "full-width digits": "１ ",
    # third round: glued tokens, UUID layouts, quoted generated literals
    "glued discord shapes": "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh7x2Q.kP3vR9sT2wX5yZ8aB1cD4eF7gH0!a",
    "uuid layouts": "q7wnmx2k-t4ra-p9zs-",
    "quoted literals": '"aB3dE6gH9jK2mN5pQ8sT1',
    # fifteenth round: marked hashes, tool passwords, block scalars, call pairs, escapes
    "double colons": "::a1",
    "mysql stars": "*" + "a1" * 20 + " ",
    "ldap schemes": "{SSHA}",
    "login calls": 'HTTPBasicAuth("a", ',
    "block scalars": "password: |\n  ",
    "net user": "net user a ",
    "percent escapes": "%41%",
    "html references": "&#64;&commat;",
    # eleventh set: a secret one level down in an object under its key word
    "key-word objects": 'password: {"a": 1, ',
    "key-word values": '"token": {"value": ',
    "name-value entries": '{"key": "a_token", "b": 1, ',
    "utf-16 read bytewise": "a\x00b\x00c\x00d\x00 ",
    "nul separators": "a\x00b\x00c\x00 ",
    "key-word lists": "password: ['a', ",
    "wrapped literals": 'password = Some(String::from("a") ',
    # seventeenth round: bare words by their line, element text, prompts, spelled dots,
    # letter runs, identifiers by word and grouping
    "bare key lines": "db_pass=Rosebud\n",
    "element attributes": '<Pass encoding="b" ',
    "element text": "<db_password a=1> Marigold ",
    "prompt values": "AWS Secret Access Key [",
    "spelled dots": "a@b[dot]",
    "letter runs": "client_secret: QmTnVxLpRsWk ",
    "accented id words": "cédula número ",
    "six-two-four groups": "123456-12-",
    "nie letters": "X-1234567-",
}


def _elapsed(r: Redactor, text: str) -> float:
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            r.redact(text)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("unit", list(PATTERNS.values()), ids=list(PATTERNS))
def test_time_grows_linearly(unit: str, compiled: bool) -> None:
    r = Redactor(native=compiled)
    small = unit * (N // len(unit))
    large = unit * (4 * N // len(unit))
    ratios = []
    for _ in range(3):  # a quadratic scan is ~16x every time; noise is not
        t_small, t_large = _elapsed(r, small), _elapsed(r, large)
        ratios.append(t_large / max(t_small, 2e-3))
        if ratios[-1] < 8:
            return
    pytest.fail(f"time grew superlinearly: ratios {ratios}")


def test_one_megabyte_of_mixed_pathology_finishes_quickly() -> None:
    text = "".join(u * (1_000_000 // len(PATTERNS) // len(u)) for u in PATTERNS.values())
    start = time.process_time()
    Redactor().redact(text)
    assert time.process_time() - start < 10
