"""getsentry/relay's legacy data-scrubbing tests (``relay-pii/src/convert.rs`` and its
insta snapshots), for the eleventh set (issue 16).

The tests are ported from Sentry's Python data scrubber: an event whose fields hold
sensitive variables, card numbers, URLs with credentials, keys and addresses goes
through the default configuration, and a snapshot (or an inline one) records what is
left. The rows are the fields as the test writes them (a JSON pair, or the string
alone), read through the index at the pinned commit (the mirror was over ``fetch``'s
size limit) and written here as data. Labels by kind (``kinds``): what the default
configuration scrubs by its rule (``@creditcard``, ``@urlauth``, ``@pemkey``, ``@email``,
``@ip``, ``@usssn``, ``@bearer``) is the suite's type where the shape holds; a value
removed for its field's name (``@password``, a sensitive cookie, a configured field) is
``KEYWORD_SECRET`` only where it is secret-shaped; what the tests keep is a negative
where nothing of an asked kind's shape is in it.
"""

from __future__ import annotations

from ..outside.harvest import Harvest
from . import kinds
from .builtin import add

SOURCE = "convert"
PATH = "relay-pii/src/convert.rs"
SNAPSHOTS = "relay-pii/src/snapshots/relay_pii__convert__tests__"
PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA6A6TQjlPyMurLh/igZY4\n"
    "izA9sJgeZ7s5+nGydO4AI9k33gcy2DObZuadWRMnDwc3uH/qoAPw/mo3KOcgEtxU\n"
    "xdwiQeATa3HVPcQDCQiKm8xIG2Ny0oUbR0IFNvClvx7RWnPEMk05CuvsL0AA3eH5\n"
    "xn02Yg0JTLgZEtUT3whwFm8CAwEAAQ==\n"
    "-----END PUBLIC KEY-----"
)
PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIJRAIBADANBgkqhkiG9w0BAQEFAASCCS4wggkqAgEAAoICAQCoNFY4P+EeIXl0\n"
    "mLpO+i8uFqAaEFQ8ZX2VVpA13kNEHuiWXC3HPlQ+7G+O3XmAsO+Wf/xY6pCSeQ8h\n"
    "mLpO+i8uFqAaEFQ8ZX2VVpA13kNEHuiWXC3HPlQ+7G+O3XmAsO+Wf/xY6pCSeQ8h\n"
    "-----END PRIVATE KEY-----"
)
ENCRYPTED_PRIVATE_KEY = (
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIIJjjBABgkqhkiG9w0BBQ0wMzAbBgkqhkiG9w0BBQwwDgQIWVhErdQOFVoCAggA\n"
    "IrlYQUV1ig4U3viYh1Y8viVvRlANKICvgj4faYNH36UterkfDjzMonb/cXNeJEOS\n"
    "YgorM2Pfuec5vtPRPKd88+Ds/ktIlZhjJwnJjHQMX+lSw5t0/juna2sLH2dpuAbi\n"
    "PSk=\n"
    "-----END ENCRYPTED PRIVATE KEY-----"
)
RSA_PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "+wn9Iu+zgamKDUu22xc45F2gdwM04rTITlZgjAs6U1zcvOzGxk8mWJD5MqFWwAtF\n"
    "zN87YGV0VMTG6ehxnkI4Fg6i0JPU3QIDAQABAoICAQCoCPjlYrODRU+vd2YeU/gM\n"
    "THd+9FBxiHLGXNKhG/FRSyREXEt+NyYIf/0cyByc9tNksat794ddUqnLOg0vwSkv\n"
    "-----END RSA PRIVATE KEY-----"
)
# sensitive_vars(), and the other fields scrubbed for their key: (key, value)
FIELDS = (
    ("password", "hello"),
    ("the_secret", "hello"),
    ("a_password_here", "hello"),
    ("api_key", "secret_key"),
    ("apiKey", "secret_key"),
    ("otp", "otp_code"),
    ("two-factor", "otp_code"),
    ("two_factor", "otp_code"),
    ("x-api-key", "sk-ant-secret-value"),
    ("api-key", "secret-value"),
    ("authorization", "foobar"),
    ("auth", "foobar"),
    ("MYSQL_PWD", "the one"),
    ("my-token", "secret"),
    ("new_token", "hidden"),
    ("secret-token-here", "ops"),
    ("mystuff", "xxx"),
    ("password", "zzzzz"),
    ("password", "kkee"),
)
# (rule, the field or string as the test writes it, the value scrubbed)
SCRUBBED = (
    ("@creditcard", '"foo": "4571234567890111"', "4571234567890111"),
    ("@creditcard", '"foo": "378282246310005"', "378282246310005"),
    ("@creditcard", '"foo": "6011111111111117"', "6011111111111117"),
    ("@creditcard", '"foo": "4111111111111111"', "4111111111111111"),
    ("@creditcard", '"foo": "5555555555554444"', "5555555555554444"),
    ("@creditcard", '"foo": "\'4571234567890111\'"', "4571234567890111"),
    ("@creditcard", '"foo": "foo 4571234567890111"', "4571234567890111"),
    ("@creditcard", '"id": "5355849125500546"', "5355849125500546"),
    ("@creditcard", "Buy me a drink with my creditcard 4111-1111-1111-1111", "4111-1111-1111-1111"),
    ("@urlauth", "pg://matt:pass@localhost/1", "pass"),
    ("@urlauth", "foo 'redis://redis:foo@localhost:6379/0' bar", "foo"),
    ("@urlauth", "foo redis://redis:foo@localhost:6379/0 bar pg://matt:foo@localhost/1", "foo"),
    (
        "@urlauth",
        '{"a":"https://localhost","b":"foo@localhost","c":"pg://matt:pass@localhost/1","d":"lol"}',
        "pass",
    ),
    ("@pemkey", PUBLIC_KEY, PUBLIC_KEY),
    ("@pemkey", PRIVATE_KEY, PRIVATE_KEY),
    ("@pemkey", ENCRYPTED_PRIVATE_KEY, ENCRYPTED_PRIVATE_KEY),
    ("@pemkey", RSA_PRIVATE_KEY, RSA_PRIVATE_KEY),
    ("@usssn", '"s": "123-45-6789"', "123-45-6789"),
    ("@usssn", '"password": "123-45-6789"', "123-45-6789"),
    ("@ip", '"username": "73.133.27.120"', "73.133.27.120"),
    ("@ip", '"REMOTE_ADDR": "127.0.0.1"', "127.0.0.1"),
    ("@email", '"email": "testing@example.com"', "testing@example.com"),
    ("@email", '{"email":"zzzz@gmail.com","password":"zzzzz"}', "zzzz@gmail.com"),
    ("@email", '"email": "foo@bar.de"', "foo@bar.de"),
    (
        "@email",
        "Contact me at user@example.com or use card 4111-1111-1111-1111",
        "user@example.com",
    ),
    ("@email", "My email is test@domain.com and I accept payments", "test@domain.com"),
    (
        "@bearer",
        '["AuthToken", "b\'Bearer A1BBC234QWERTY0987MNBV012765HJKL\'"]',
        "A1BBC234QWERTY0987MNBV012765HJKL",
    ),
)
# the snapshots' fields scrubbed for their key with a secret-shaped value, in their line
KEYED = (
    (
        "secret",
        '["secret", "A1BBC234QWERTY0987MNBV012765HJKL"]',
        "A1BBC234QWERTY0987MNBV012765HJKL",
    ),
    (
        "password",
        '"password": {"$eq": "u{}{}{}]H[[[]]ww6KrA9F.x-F%%"}',
        "u{}{}{}]H[[[]]ww6KrA9F.x-F%%",
    ),
)
COOKIES = [
    "sentrysid",
    "sudo",
    "su",
    "session",
    "__session",
    "sessionid",
    "user_session",
    "symfony",
    "phpsessid",
    "fasthttpsessionid",
    "mysession",
    "irissessionid",
    "_vercel_jwt",
    "csrf",
    "xsrf",
    "_xsrf",
    "_csrf",
    "csrf-token",
    "csrf_token",
    "fastcsrf",
    "_iris_csrf",
]
# kept by the tests (inline snapshots, or the snapshot of a test that scrubs its neighbours)
KEPT = (
    '"foo": "bar"',
    '"not_sensitive": "keep this"',
    '"is_authenticated": "foobar"',
    '"is_authenticated": "null"',
    '"not-a-two-factor": "I am okay"',
    '"not_a_two_factor": "I am okay"',
    '"footpath": "I am okay"',
    '"idiotproof": "I am okay"',
    '"do_not_scrub_1": "password"',
    '"formatted": "hello world!"',
    '"foo": "postgres:///path"',
    '"url": "https://www.example.com/fr/testing/authenticate"',
    '"submit": "Se connecter"',
    '"filename": "C:\\\\Windows\\\\BogusValue\\\\foo.txt"',
    '"code_file": "foo/bar.txt"',
    '"http.request.header.cookie.dark-mode": "foobar"',
    '["some_random_value_2", "abc"]',
)


def harvest(h: Harvest) -> None:
    """Add the data-scrubbing tests' items, labelled as above."""
    for key, value in FIELDS:
        line = f'"{key}": "{value}"'
        h.add(kinds.field_label(key, value), value, SOURCE, PATH, context=line)
    for rule, text, value in SCRUBBED:
        add(h, rule, text, value, SOURCE, PATH)
    for key, line, value in KEYED:
        h.add(kinds.field_label(key, value), value, SOURCE, PATH, context=line)
    for name in COOKIES:
        value = f"my {name}"
        h.add(kinds.NOT_ASKED["cookie"], value, SOURCE, PATH, context=f'"{name}": "{value}"')
    h.add("NOT_ASKED:SESSION_COOKIE", "foobar", SOURCE, f"{SNAPSHOTS}span_cookie.snap",
          context='"http.request.header.cookie": "session=foobar"')  # fmt: skip
    for line in KEPT:
        h.negative("KEYWORD_SECRET", line, SOURCE, PATH)
    # test_does_not_sanitize_timestamp_looks_like_card: no card prefix, Luhn fails
    h.negative("CARD", "1453843029218310", SOURCE, PATH)
