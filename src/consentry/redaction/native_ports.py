"""Which Python validators the compiled scan has C++ ports of, and what pins them.

:mod:`.native` hands these tables to ``_native.cpp``: ``VALIDATORS`` names the C++
port of a validator, ``GATES`` the gate that runs before a validator is called back,
``GATE_PINS`` and ``GATE_HELPERS`` the digests (``native.function_digest``,
``native.helpers_digest``) of the Python source a port reproduces. When a pinned
function or helper changes, its port is switched off until it is checked again
(tests/unit/redaction/test_native_gate_pins.py, test_native_networks.py).
"""

from __future__ import annotations

from typing import Any

from . import (
    commands,
    credentials,
    fieldnumbers,
    keywords,
    mailboxes,
    nationalids,
    networks,
    pii,
    spellings,
    tokens,
)

# Python validator -> the name of its C++ port. A built-in PatternDetector whose
# validator has none runs in the compiled scan too, its validator called back.
VALIDATORS: dict[Any, str] = {
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

# Python validator -> the C++ gate that runs before it is called back, and the
# context patterns the gate reads (``Gate`` in _native.cpp): a necessary condition
# of the validator, so most matches never reach Python. Same findings either way
# (tests/unit/redaction/test_pii_native_gates.py).
GATES: dict[Any, tuple[str, tuple[bytes, ...]]] = {
    fieldnumbers._phone: ("field_phone", fieldnumbers.NATIVE_GATE_PATTERNS),
    nationalids._national_id: (
        "national_id",
        (nationalids._ID_WORDS.pattern, fieldnumbers._NOT_PHONE_WORDS.pattern),
    ),
    spellings._card_other: ("card_other", ()),
    spellings._iban_any_case: ("iban_any_case", ()),
    pii._phone_in_context: ("phone_in_context", fieldnumbers.NATIVE_GATE_PATTERNS),
    keywords._password_assignment: ("keyword_password", keywords.NATIVE_GATE_PATTERNS),
    keywords._secret_assignment: ("keyword_secret", keywords.NATIVE_GATE_PATTERNS),
    tokens._quoted_generated: ("quoted_generated", ()),
    credentials._two_part_jwt: ("two_part_jwt", ()),
    commands._header: ("header", keywords.NATIVE_GATE_PATTERNS),
    tokens._base36_in_uuid_layout: ("uuid_layout", ()),
    networks._ipv4_block: ("ipv4_block", ()),
    networks._ipv6_network: ("ipv6_network", ()),
    mailboxes._mailbox: ("mailbox", ()),
}

# Gates that port a whole Python validator (accept as well as reject; the phone and national
# id ports call their libraries back) are pinned to the digest of that function's source
# and module constants (``function_digest``), and of the helpers and patterns the port
# reproduces (GATE_HELPERS, a ``helpers_digest`` each): when any changes, the gate is not
# used and the validator is called back on every match, until the port is checked again
# (test_native_gate_pins.py, test_native_networks.py fail meanwhile).
GATE_PINS: dict[Any, str] = {
    tokens._quoted_generated: "b16fbc0bbb433f19",
    spellings._iban_any_case: "0bbb143580bdd10a",
    credentials._two_part_jwt: "10d2812523eeed48",
    commands._header: "6e993bc4a8dc3d9f",
    # a reject-only gate (the letter count), pinned too: it reads one of the function's rules
    tokens._base36_in_uuid_layout: "f6f215d4ffa8b945",
    networks._ipv4_block: "0fd88443dc19d6c4",
    networks._ipv6_network: "e49af373a524f1ba",
    fieldnumbers._phone: "b9dcafea4b3a94dd",
    nationalids._national_id: "eb055c28a4343495",
    pii._phone_in_context: "c52ef8fbc0f1765a",
    # whole on ASCII matches; elsewhere the rules that need no Unicode tables reject
    mailboxes._mailbox: "2d7a3287db5d5cb5",
}
GATE_HELPERS: dict[Any, tuple[str, tuple[Any, ...]]] = {  # validator: (digest, helpers)
    commands._header: ("84d14510a77b2161", (commands._other_scheme,)),
    networks._ipv4_block: ("ddfb1e3e787fff20", (networks._free,)),
    networks._ipv6_network: ("34be3ffa895c3357", (networks._free, networks._whole_value)),
    fieldnumbers._phone: ("e931c0013b54e1fc", fieldnumbers.NATIVE_PORTED),
    nationalids._national_id: ("48353baa91154f99",
                               (*fieldnumbers.NATIVE_ID_PORTED, nationalids._ID_WORDS)),
    pii._phone_in_context: ("6360b13eb5c93b4f", (pii._phone, *fieldnumbers.NATIVE_CONTEXT_PORTED)),
    mailboxes._mailbox: ("566257202400fb2f", (mailboxes._domain_ok, mailboxes._in_userinfo,
                                              mailboxes._name_start, mailboxes._local_start,
                                              mailboxes._closing_run, mailboxes._symbols_only,
                                              mailboxes._is_name_char)),
}  # fmt: skip
