"""E-mail spellings, UnionPay's 81 range and key-word syntaxes the fifth set showed (issue 16).

SPEC §4 asks the filter for e-mail addresses, Luhn-checked payment card numbers and
"high-entropy tokens next to key words", and R24 for every exported text to pass it.
Pinned on our own examples of each kind (not the set's values), in the compiled and
the Python scan alike:

- EMAIL: RFC 5322 local parts (quoted strings, ``atext`` specials such as ``/ = ' { |``),
  RFC 6531 ones in non-Latin scripts with combining marks, local parts over 64 bytes —
  each covered whole, never from its last common character (a partial leak) — and
  what is not an address (a URL's ``user:password@host``, ``email=`` before one, quotes
  around one, a path before one in a URL, ``{@link a.b}``).
- CARD: UnionPay's IIN range 81 with its lengths 16-19, Luhn-checked.
- KEYWORD_SECRET: ``curl -u user:password`` with an empty user, an e-mail as the user
  or a mixed-case password; a PHP ``.=`` assignment; an XML element named like a secret
  whose value is alone on the line between its tags.
"""

from __future__ import annotations

import pytest
from tests.both_scans import found as _found


@pytest.mark.parametrize(
    "address",
    [
        '"jane q. public"@example.org',  # a quoted local part (RFC 5322 §3.4.1)
        '"ab\\"cd"@mail.example.net',  # an escaped quote inside it
        "ops+alerts/eu=night@example.com",  # atext specials (RFC 5322 §3.2.3)
        "o'connell@example.ie",
        "a{b}|c~d@example.co.uk",
        "!#$%&'*+-/=?^_`{|}~@example.net",  # specials only
        "सुरेश@उदाहरण.भारत",  # RFC 6531: Devanagari with combining marks (virama, vowel signs)
        "x" * 70 + "@example.com",  # over SMTP's 64 bytes: still someone's address
    ],
)
def test_an_rfc_address_is_covered_whole(address: str) -> None:
    """SPEC §4 (R24), EMAIL: the finding spans the whole address, not its tail."""
    text = f"please write to {address} before Friday"
    assert ("EMAIL", address) in _found(text)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("contact: 'kim.lee@example.com'", "kim.lee@example.com"),  # quotes around it
        ("GET /subscribe?email=kim@example.com HTTP/1.1", "kim@example.com"),  # a field's name
        ("see https://example.com/users/kim@example.com/profile", "kim@example.com"),  # URL path
        ("“kim@example.com”", "kim@example.com"),  # typographic quotes
    ],
)
def test_delimiters_before_an_address_are_not_part_of_it(text: str, address: str) -> None:
    """SPEC §4, EMAIL: a quote, ``email=`` or a URL's path before the name is left as text."""
    assert _found(text) == [("EMAIL", address)]


@pytest.mark.parametrize(
    "text",
    [
        'const URL = "https://${user}:${pass}@api.example.com/v1";',  # a URL's user info
        'url = f"https://bot:{token_for(name)}@git.example.com/"',
        "/** {@link java.util.List} */",
        "icon@2x.png and logo@3x.svg",  # file names
        "a value of '!@example.com",  # stray punctuation before @
        "allow: *@example.com",  # a glob of a domain's addresses
    ],
)
def test_what_is_not_an_address_is_left(text: str) -> None:
    """SPEC §4, EMAIL: no finding outside an address's syntax."""
    assert not [f for f in _found(text) if f[0] == "EMAIL"]


@pytest.mark.parametrize("number", ["8101234567890120", "8134567890123456780"])
def test_unionpay_81_range_is_a_card(number: str) -> None:
    """SPEC §4, CARD: UnionPay's IIN range 81 (16-19 digits), Luhn-checked."""
    assert _found(f"card on file: {number}") == [("CARD", number)]


def test_unionpay_81_number_failing_luhn_is_not_a_card() -> None:
    """SPEC §4, CARD: the Luhn check still decides."""
    assert not [f for f in _found("ref 8101234567890121 ok") if f[0] == "CARD"]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('curl -u ":Qm7!vT2pLx9w" https://search.example.com:9200', "Qm7!vT2pLx9w"),
        ("curl --user kim@example.com:Hx4tPq9ZwL https://files.example.com", "Hx4tPq9ZwL"),
        ("  -u deploy:rTqWzKvbNpLsXcYe \\", "rTqWzKvbNpLsXcYe"),  # mixed-case letters only
    ],
)
def test_curl_user_password_is_found(text: str, secret: str) -> None:
    """SPEC §4, KEYWORD_SECRET: the password of ``curl -u user:password`` (any user)."""
    assert ("PASSWORD", secret) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "curl -u <user:password> https://api.example.com/endpoint",  # a documented template
        "curl -u elastic:changeme https://localhost:9200",  # a stand-in word
        "rsync -u backup@host.example.com:/srv/data .",  # a remote path, not a password
        "docker run -u 1000:1000 image",
        'curl -u "$API_USER:$API_PASS" https://api.example.com',
    ],
)
def test_curl_user_without_a_literal_password_is_left(text: str) -> None:
    """SPEC §4, KEYWORD_SECRET: templates, stand-ins, paths and references are not secrets."""
    assert not [f for f in _found(text) if f[0] == "PASSWORD"]


def test_php_appending_assignment_is_read() -> None:
    """SPEC §4, KEYWORD_SECRET: PHP's ``.=`` assigns the key word's value too."""
    value = "7f3a9c1e5b2d48f6a0c9e1b3d5f7a2c4"
    assert ("SECRET", value) in _found(f'$slackToken .= "{value}";')


def test_xml_element_value_alone_on_its_line_is_read() -> None:
    """SPEC §4, KEYWORD_SECRET: ``<apiToken>`` then the value on its own line, then
    ``</apiToken>``: the element's text is the key word's value."""
    value = "k2v9qz7xw4m1p8r5t3y6u0e2"
    text = f"<config>\n  <apiToken>\n    {value}\n  </apiToken>\n</config>"
    assert ("SECRET", value) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "<apiToken>\n    ${API_TOKEN}\n</apiToken>",  # a template
        "<description>\n    k2v9qz7xw4m1p8r5t3y6u0e2\n</description>",  # no key word
        "<apiToken>\n    k2v9qz7xw4m1p8r5t3y6u0e2\n</other>",  # not one element
        "<password>\n    password\n</password>",  # a stand-in
    ],
)
def test_xml_element_without_a_secret_is_left(text: str) -> None:
    """SPEC §4, KEYWORD_SECRET: no finding without a key word's literal value."""
    assert not [f for f in _found(text) if f[0] in ("SECRET", "PASSWORD")]
