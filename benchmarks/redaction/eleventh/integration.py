"""getsentry/relay's integration-test fixtures for PII (``tests/integration/fixtures/
pii.py``, ``tests/integration/test_pii.py``), for the eleventh set (issue 16).

``scrubbing_rule`` pairs each built-in rule with an input and what relay leaves of it;
``secret_attribute`` gives attributes removed for their key; ``non_destructive`` gives
log messages and what relay's default settings leave of them (a Bearer token, an
address and a card scrubbed inside a sentence). Read through the index at the pinned
commits (the mirror was over ``fetch``'s size limit) and written here as data; labels
by kind as in ``kinds``. ``"User's password is 12345"``, which relay keeps in a log
message, is a password in prose: neither a value nor a negative, left out.
"""

from __future__ import annotations

from ..outside.harvest import Harvest
from . import kinds
from .builtin import add

SOURCE = "integration"
FIXTURES = "tests/integration/fixtures/pii.py"
TEST_PII = "tests/integration/test_pii.py"
EC_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MIHbAgEBBEFbLvIaAaez3q0u6BQYMHZ28B7iSdMPPaODUMGkdorl3ShgTbYmzqGL\n"
    "-----END EC PRIVATE KEY-----"
)
BEARER = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
MESSAGE = "API failed with Bearer ABC123TOKEN for user@example.com using card 4111-1111-1111-1111"
# (rule, input, the span relay scrubs)
ROWS = (
    ("@ip", "127.0.0.1", "127.0.0.1"),
    ("@email", "test@example.com", "test@example.com"),
    ("@creditcard", "4242424242424242", "4242424242424242"),
    ("@iban", "DE89370400440532013000", "DE89370400440532013000"),
    ("@mac", "4a:00:04:10:9b:50", "4a:00:04:10:9b:50"),
    ("@uuid", "ceee0822-ed8f-4622-b2a3-789e73e75cd1", "ceee0822-ed8f-4622-b2a3-789e73e75cd1"),
    ("@imei", "356938035643809", "356938035643809"),
    ("@pemkey", EC_KEY, EC_KEY),
    ("@urlauth", "https://username:password@example.com/", "password"),
    ("@usssn", "078-05-1120", "078-05-1120"),
    ("@userpath", "/Users/john/Documents", "john"),
    ("@bearer", BEARER, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"),
    (
        "@bearer",
        "API request failed with Bearer ABC123XYZ789TOKEN and returned 401",
        "ABC123XYZ789TOKEN",
    ),
    ("@bearer", MESSAGE, "ABC123TOKEN"),
    ("@email", MESSAGE, "user@example.com"),
    ("@creditcard", MESSAGE, "4111-1111-1111-1111"),
)
# secret_attribute: (key, value) removed by @password:filter
ATTRIBUTES = (
    ("password", "my_password_123"),
    ("secret_key", "my_secret_key_123"),
    ("api_key", "my_api_key_123"),
)


def harvest(h: Harvest) -> None:
    """Add the fixtures' items, labelled as above."""
    for rule, text, value in ROWS:
        add(h, rule, text, value, SOURCE, FIXTURES)
    for key, value in ATTRIBUTES:
        h.add(kinds.field_label(key, value), value, SOURCE, FIXTURES, context=f'"{key}": "{value}"')
    # test_snapshot_scrub_span_sentry_tags_advanced_rules: the user's address
    add(h, "@ip", '"user": {"ip_address": "2.125.160.216"}', "2.125.160.216", SOURCE, TEST_PII)
