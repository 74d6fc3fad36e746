"""getsentry/relay's attribute-scrubbing and processor tests (``relay-pii/src/eap.rs``,
``relay-pii/src/processor.rs``), for the eleventh set (issue 16).

``eap.rs``'s ``test_scrub_attributes_pii_default_rules`` sends 27 attributes through the
default data-scrubbing configuration and its inline snapshot says which are scrubbed
and by which rule; ``processor.rs``'s tests send headers, environment variables, span
and breadcrumb data. Read through the index at the pinned commits (the mirror was over
``fetch``'s size limit) and written here as data, each attribute or field as the test
writes it; labels by kind (``kinds``). Attributes the snapshot keeps whose value looks
like a password (``"sentry.release": "secret123"``) and a kept user path are left out:
neither values relay scrubs nor clean negatives.
"""

from __future__ import annotations

from ..outside.harvest import Harvest
from . import kinds
from .builtin import add

EAP = ("eap", "relay-pii/src/eap.rs")
PROCESSOR = ("processor", "relay-pii/src/processor.rs")
EAP_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKB\n"
    "-----END PRIVATE KEY-----"
)
# attributes scrubbed for their key: (key, value)
EAP_FIELDS = (
    ("password", "secret123"),
    ("secret", "topsecret"),
    ("api_key", "sk-1234567890abcdef"),
    ("auth_token", "bearer_token_123"),
    ("very_sensitive_data", "very_sensitive_data"),
    ("password", "default_scrubbing_rules_are_off"),
)
# attributes scrubbed (or, for the e-mail address, kept) by a value rule: (rule, key, value)
EAP_VALUES = (
    ("@creditcard", "credit_card", "4571234567890111"),
    ("@creditcard", "visa_card", "4571 2345 6789 0111"),
    ("@iban", "bank_account", "DE89370400440532013000"),
    ("@iban", "iban_code", "NO9386011117945"),
    ("@bearer", "authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"),
    ("@pemkey", "private_key", EAP_KEY),
    ("@urlauth", "database_url", "https://username:password@example.com/db"),
    ("@userpath", "file_path", "C:\\Users\\john\\Documents\\secret.txt"),
    ("@usssn", "social_security", "078-05-1120"),
    ("@email", "user_email", "john.doe@example.com"),
    ("@ip", "client_ip", "192.168.1.100"),
    ("@ip", "ipv6_addr", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    ("@mac", "mac_address", "4a:00:04:10:9b:50"),
    ("@uuid", "session_id", "ceee0822-ed8f-4622-b2a3-789e73e75cd1"),
    ("@uuid", "test_field_uuid", "123e4567-e89b-12d3-a456-426614174000"),
    ("@imei", "device_imei", "356938035643809"),
)
# the span each value rule scrubs where it is not the whole attribute
_SPAN = {"@bearer": lambda v: v.split()[-1], "@urlauth": lambda _v: "password",
         "@userpath": lambda _v: "john"}  # fmt: skip
# processor.rs: (key, value) scrubbed for their key, (rule, field, value) by a value rule
PROCESSOR_FIELDS = (
    ("SECRET_KEY", "134141231231231231231312"),
    ("authorization", "abc123"),
    ("password", "test"),
)
PROCESSOR_VALUES = (
    ("@ip", '["X-Forwarded-For", "127.0.0.1"]', "127.0.0.1"),
    ("@ip", '["X-Client-Ip", "10.0.0.1"]', "10.0.0.1"),
    ("@creditcard", '"query": "ccnumber=5105105105105100&process_id=123"', "5105105105105100"),
    ("@bearer", '["authorization", "Bearer abc123"]', "abc123"),
)
PROCESSOR_KEPT = (
    '"query": "dance=true"',
    '"code.filepath": "src/sentry/api/authentication.py"',
    '"formatted": "Hello world!"',
)


def attribute(key: str, value: str) -> str:
    """An attribute as ``eap.rs`` writes it (on one line)."""
    return f'"{key}": {{"type": "string", "value": "{value}"}}'


def harvest(h: Harvest) -> None:
    """Add the attribute and processor tests' items, labelled as above."""
    source, path = EAP
    for key, value in EAP_FIELDS:
        h.add(kinds.field_label(key, value), value, source, path, context=attribute(key, value))
    for rule, key, value in EAP_VALUES:
        text = attribute(key, value.replace("\n", "\\n"))
        add(h, rule, text, _SPAN.get(rule, lambda v: v)(value), source, path)
    h.negative("KEYWORD_SECRET", attribute("public_data", "public_data"), source, path)
    source, path = PROCESSOR
    for key, value in PROCESSOR_FIELDS:
        line = f'"{key}": "{value}"'
        h.add(kinds.field_label(key, value), value, source, path, context=line)
    h.add("NOT_ASKED:SESSION_COOKIE", "super secret", source, path,
          context='["Cookie", "super secret"]')  # fmt: skip
    for rule, text, value in PROCESSOR_VALUES:
        add(h, rule, text, value, source, path)
    for line in PROCESSOR_KEPT:
        h.negative("KEYWORD_SECRET", line, source, path)
