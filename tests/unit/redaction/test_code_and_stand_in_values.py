"""Code, public material and stand-in URL passwords are not secrets, by kind (issue 16, h8).

SPEC §4 asks for "high-entropy tokens next to key words" and "passwords in URLs and
connection strings"; it flags secrets, not code. The fourth and fresh sets' negatives
showed these kinds flagged; each case below is my own example, and beside each kind a
real-looking secret in the same syntax that must stay found:

* code after a token-like key word: a member access, a message key, a file name
  (dot-separated identifiers, at most three digits), a version, a value abbreviated
  with an ellipsis (codevalues);
* public material: a key named public (``publicKey``, ``PUBLIC_KEY``, ``pubkey``,
  ``PublicKeyToken``, ``publishable_key``: keynames) and Datadog's public client
  tokens (``pub`` + 32 hex);
* stand-in URL passwords (urlstandins): a mask, two distinct characters, a template, an
  instruction to the reader, the field's own name on a documentation host; and a URL
  after a key word whose password is such a stand-in or the user's name;
* a release's ``name-1.2.3.4`` read as an IPv4 address (pii._ipv4).

Both scans (compiled and Python) must give the same findings on each.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor, codevalues, urlstandins

PYTHON = Redactor(native=False)
COMPILED = Redactor()

pytestmark = pytest.mark.usefixtures("compiled_scan")

NOT_SECRETS = [
    # code: member accesses, message keys, file names after a token-like key word
    "const key = this._cacheKey2.name;",
    "sortKey = grid._columnModel.sortKey,",
    "if (event.keyCode === ui.keyCode.ESCAPE2) {",
    'label_key: "checkout.PAYMENT.title"',
    "signing_keys: 'deploy2.yaml',",
    "token_store = $scope.auth.token;",
    # versions
    "cache_key: node-18.2.x",
    "token: v2.14.3",
    "api_token_version = 'release-4.1.0-rc.2'",
    "auth: 10.2.3.4-beta",
    # abbreviated values: the display of a masked token
    '"sessionToken": "Kq9mZ2wX...8Tz1Lm3Kp0Xa (truncated)"',
    "access_token: Zk3pQ9\u2026Lm2X7w",
    # public material named public
    "publicKey: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEq8Rz3Ys6Bh1Qm7Xv2Lp9Kt4Wn8=",
    'SIGNING_PUBLIC_KEY="04a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f"',
    "Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35",
    "STRIPE_PUBLISHABLE_KEY=Xk29QmLp7Wz4Rt8Yb3Nc6Vd1",
    # Datadog's public client token (``pub`` + 32 hex), shipped to browsers
    'clientToken: "pub0f1e2d3c4b5a69788796a5b4c3d2e1f0"',
    # stand-in URL passwords: masks, two characters, templates, instructions
    "https://deploy:\u2022\u2022\u2022\u2022\u2022\u2022@registry.acme.io/v2",
    "amqp://guest:*****@broker:5672/",
    "redis://default:0000@cache.internal:6379",
    "postgres://app:${PG_PASSWORD}@db:5432/app",
    "postgres://app:[PASSWORD]@db:5432/app",
    "mysql://root:your-db-password@db.acme.io/shop",
    "ftp://ops:replace_me@files.acme.io",
    "mongodb://svc:insert_password_here@mongo.acme.io/app",
    # the field's own name on a documentation or loopback host
    "postgres://app:password@localhost:5432/app",
    "https://alice:passwd@api.example.net/v1",
    "smtp://mailer:secret@mail.example/",
    "http://bob:mypassword@192.0.2.14:8080/",
    "redis://user:pwd@dev.test:6379",
    # a URL after a key word whose password is a stand-in or the user's name
    'db_credentials = "postgres://reader:reader@db.acme.io:5432/stats"',
    'SECRET_DSN = "mysql://app:YOUR_PASSWORD@mysql.acme.io/app"',
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_code_public_material_and_stand_ins_are_not_secrets(text: str) -> None:
    """SPEC §4 (R24 exports pass the filter): code, public keys and stand-ins are not
    secrets; both scans agree."""
    for redactor in (PYTHON, COMPILED):
        found = [(f.type, text[f.start : f.end]) for f in redactor.redact(text).findings]
        secrets = [f for f in found if f[0] in ("SECRET", "PASSWORD")]
        assert secrets == [], (redactor.compiled, text, found)


SECRETS = [
    # generated values after the same key words stay found
    ('const key = "Kq9mZ2wX8Tz1Lm3Kp0XaQ7";', "Kq9mZ2wX8Tz1Lm3Kp0XaQ7"),
    ("cache_key: Zq8wM2xR7vLp4nKs9TyB", "Zq8wM2xR7vLp4nKs9TyB"),
    # a dotted value whose pieces hold a generator's digits, or a generated run
    ('auth: "acme.v1.QX83_TK9.d41f7c2903ab"', "acme.v1.QX83_TK9.d41f7c2903ab"),
    ('token = "app.Zq8wM2xR7vLp4nKs9TyBh3Jd.sig"', "app.Zq8wM2xR7vLp4nKs9TyBh3Jd.sig"),
    # a key word that only holds "pub" earlier in its name
    ('flutterPubKey_api_token = "Zq8wM2xR7vLp4nKs9TyBh3Jd"', "Zq8wM2xR7vLp4nKs9TyBh3Jd"),
    # not a Datadog client token: 31 hex digits
    ('client_token: "pub0f1e2d3c4b5a69788796a5b4c3d2e1fX"', "pub0f1e2d3c4b5a69788796a5b4c3d2e1fX"),
    # URL passwords: real-looking, a weak one on a real host, a short one on example.com
    ("postgres://app:Kq9mZ2wX@localhost:5432/app", "Kq9mZ2wX"),
    ("https://alice:password@api.acme.io/v1", "password"),
    ("https://alice:pass@example.com/", "pass"),
    ("http://bob:hunter2@192.0.2.14:8080/", "hunter2"),
    ("mysql://root:Kq9m%40Z2@[2001:db9::5]/shop", "Kq9m%40Z2"),
    ('db_credentials = "postgres://reader:Kq9mZ2wX@db.acme.io/stats"', None),
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_real_looking_secrets_in_the_same_syntax_are_still_found(
    text: str, secret: str | None
) -> None:
    """SPEC §4: a literal secret in the same syntaxes is still found, by both scans."""
    for redactor in (PYTHON, COMPILED):
        found = [text[f.start : f.end] for f in redactor.redact(text).findings]
        if secret is None:
            assert found and all("Kq9mZ2wX" in f for f in found), (redactor.compiled, found)
        else:
            assert secret in found, (redactor.compiled, text, found)


@pytest.mark.parametrize(
    ("url", "documented"),
    [
        ("example.com", True),
        ("api.EXAMPLE.org:443", True),
        ("example.net.", True),
        ("svc.test", True),
        ("box.localhost", True),
        ("localhost:5432", True),
        ("thing.invalid", True),
        ("127.0.0.53", True),
        ("198.51.100.7", True),
        ("203.0.113.250", True),
        ("[::1]:80", True),
        ("[2001:DB8::1]", True),
        ("example.co", False),
        ("myexample.com", False),
        ("examples.com", False),
        ("test.com", False),
        ("10.0.0.1", False),
        ("[2001:db9::1]", False),
        ("", False),
    ],
)
def test_documentation_hosts_are_the_reserved_ones(url: str, documented: bool) -> None:
    """SPEC §4, URL passwords: RFC 2606/6761 names, RFC 5737/3849 blocks and loopback
    are the documentation hosts; a look-alike name is not."""
    assert urlstandins.documentation_host(url.encode(), 0) is documented


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        (b"this._cacheKey2.name", "path"),
        (b"acme.v1.QX83_TK9.d41f7c2903ab", None),  # 10 digits: a generator's pieces
        (b"node-18.2.x", "code"),
        (b"v2.14.3", "code"),
        (b"Kq9mZ2wX...8Tz1Lm3K", "code"),
        (b"Kq9mZ2wX\xe2\x80\xa68Tz1Lm3K", "code"),
        (b"$7$C6..../....SaltSaltSalt$kBGj9fHznVYFQMEn", None),  # crypt's dots, not an ellipsis
        (b"pub0f1e2d3c4b5a69788796a5b4c3d2e1f0", "code"),
        (b"pub0f1e2d3c4b5a69788796a5b4c3d2e1f", None),  # 31 hex digits
        (b"Kq9mZ2wX8Tz1Lm3Kp0Xa", None),
    ],
)
def test_code_shapes(value: bytes, shape: str | None) -> None:
    """SPEC §4, high-entropy tokens next to key words: which values are code, by kind."""
    assert codevalues.code_shape(value) == shape


@pytest.mark.parametrize(
    ("text", "addresses"),
    [
        ("- hackage: warp-3.3.31.2@sha256:0a1b2c", []),
        ("pip download libfoo-10.2.0.1.tar.gz", []),
        ("ranges 10.0.0.1-10.0.0.9 are free", ["10.0.0.1", "10.0.0.9"]),
        ("connect to 10.20.30.40 now", ["10.20.30.40"]),
        ("host-a 10.20.30.40", ["10.20.30.40"]),
    ],
)
def test_a_release_version_is_not_an_ipv4_address(text: str, addresses: list[str]) -> None:
    """SPEC §4 (IPv4 addresses): ``name-1.2.3.4`` is a release's version; an address after
    a digit's ``-`` (a range) or a space is still found, by both scans."""
    for redactor in (PYTHON, COMPILED):
        found = [text[f.start : f.end] for f in redactor.redact(text).findings if f.type == "IP"]
        assert found == addresses, (redactor.compiled, text, found)
