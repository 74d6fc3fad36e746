"""Kinds the fifteenth outside set missed (issue 16), on our own examples, in both scans.

SPEC §4 asks for e-mail addresses and for high-entropy values next to key words. The
fifteenth set (llm-guard's and rusty-hog's tests) showed two kinds the filter missed:

* an address whose ``@`` is written but whose dots are spelled (``name@host[DOT]com``,
  ``name@host (dot) org``, ``name@host dot org``): folding wrote the dots back only
  after a spelled ``at``;
* a letters-only generated value that starts with a capital, alone after a key word at
  its YAML line's start (``client_secret: QmTnVxLp…``): it was read as a PascalCase type's
  name (``password: SecretStr``).

Each is pinned here on values we wrote, with the look-alikes each must leave alone.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor
from consentry.redaction.letterruns import generated_letters

R = Redactor()
PY = Redactor(native=False)


def found(text: str) -> list[tuple[str, str]]:
    """The findings' types and texts, the same in the compiled and the Python scan."""
    got = [(f.type, text[f.start : f.end]) for f in R.redact(text).findings]
    assert got == [(f.type, text[f.start : f.end]) for f in PY.redact(text).findings]
    return got


@pytest.mark.parametrize(
    "mail",
    [
        "tove.lind@nordpost[DOT]se",
        "tove.lind@nordpost[dot]co[dot]uk",
        "tove.lind@nordpost (dot) se",
        "tove.lind@nordpost {dot} se",
        "tove.lind@nordpost dot se",
        "tove.lind@nordpost.co[dot]uk",
    ],
)
def test_spec4_an_address_with_its_at_written_and_dots_spelled(mail: str) -> None:
    assert found(f"Write to {mail} before Friday.") == [("EMAIL", mail)]


@pytest.mark.parametrize(
    "text",
    [
        "ping @here [dot] then leave",  # no local part before the @
        "tove@nordpost",  # nothing spelled, no dot: no address
        "the tally was 4 [dot] 5",
        "costs 5 (at) 3 dot 4",
    ],
)
def test_at_and_spelled_dots_in_prose_are_left_alone(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "line",
    [
        "client_secret: QmTnVxLpRwKsZbcdwq",
        "  api_secret: HvKqWzRtBnMxLpYdCs",
        "secret: PQRSTUVWXYZabcdefghij",
        "- signing_secret: ZkWqTbNvXcRmLsHgJd",
    ],
)
def test_spec4_a_generated_capitalised_letter_run_after_a_key_word(line: str) -> None:
    value = line.split(": ", 1)[1]
    assert found(line) == [("SECRET", value)]


@pytest.mark.parametrize(
    "line",
    [
        "password: SecretStr",
        "  client_secret: ClientSecretCredential",
        "  api_secret: KeyVaultSecretIdentifierURL",
        "secret: XMLHttpRequestTokenFactory",
        "secret: AAAAAAAABBBBBBBBCCCCCCCC",  # a capital run, but no entropy
        "secret: AB",
    ],
)
def test_type_names_and_low_entropy_runs_stay_names(line: str) -> None:
    assert found(line) == []


def test_generated_letters_rule() -> None:
    # 16+ letters: 7+ capitals in a row, or words under 3 letters on average.
    assert generated_letters(b"QmTnVxLpRwKsZbcdwq")
    assert generated_letters(b"ABCDEFGHIJKLMNOPqrst")
    assert not generated_letters(b"HttpBasicAuthenticationProvider")
    assert not generated_letters(b"XMLHttpRequestToken")
    assert not generated_letters(b"QmTnVxLp")  # too short to tell
