"""Kinds of miss the fourth set showed (issue 16), with examples written here (SPEC §4).

SPEC §4 (R24 for exports): the filter finds "provider API keys and tokens", "JWTs" and
"high-entropy tokens next to key words". The fourth set (benchmarks/redaction/fourth)
missed four kinds: webhook URLs written without ``https://``, provider prefixes the
table lacked (Onfido, Amazon MWS, AWS AppSync, Kolide, and gitleaks' prefixed rules),
JWTs whose header's JSON opens with white space, and key-word secrets in syntaxes the
key-word detectors did not read (npm's scoped ``.npmrc`` keys, Android string resources,
make's ``:::=``). Every value below is my own, made to the documented shape; both scans
must find it whole, and agree.
"""

from __future__ import annotations

import base64
import json

import pytest

from consentry.redaction import Redactor

COMPILED = Redactor()
PYTHON = Redactor(native=False)
BODY = "Vq7Lm2Xc9Rt4Kp8Wz3Nb6Hd1Fs5Jg0Ty2Ue7Io4Pa9Sd3Fg6Hj8Kl1Zx5Cv0Bn2M"  # my own, 64


def found(text: str) -> list[str]:
    """The text of every finding; both scans must give the same findings."""
    assert COMPILED.redact(text).findings == PYTHON.redact(text).findings, text
    return [text[f.start : f.end] for f in COMPILED.redact(text).findings]


TEMPLATES = ["{}", "url: {}\n", "it fails with {} - why?", 'post("{}")', "see {}."]

# -- webhook URLs with or without their scheme -----------------------------------------

WEBHOOK_PATHS = [
    "hooks.slack.com/services/T0K4Q8R2L/B07J3M9P1X4/" + BODY[:24],
    "hooks.slack.com/workflows/T0K4Q8R2L/A04J3BAF7AA/442660231806210747/" + BODY[:24],
    "hooks.slack.com/triggers/T0K4Q8R2L/5512345678901/" + BODY[:32],
    "discord.com/api/webhooks/1184976447146507408/" + BODY[:60],
    "hooks.zapier.com/hooks/catch/4821937/" + BODY[:8].lower(),
    "outlook.office.com/webhook/7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f@"
    "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0/IncomingWebhook/" + BODY[:32],
    "contoso.webhook.office.com/webhookb2/7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f@"
    "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0/IncomingWebhook/" + BODY[:32],
]


@pytest.mark.parametrize("scheme", ["https://", "http://", ""])
@pytest.mark.parametrize("path", WEBHOOK_PATHS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_webhook_urls_are_found_whole_with_or_without_their_scheme(
    scheme: str, path: str, template: str
) -> None:
    """SPEC §4 provider tokens, kind "webhook URL": the host and path are the secret's
    documented shape; a written scheme is part of the finding, a missing one changes
    nothing."""
    url = scheme + path
    assert found(template.format(url)) == [url]


def test_outlook_webhook_cut_after_its_group_uuid_is_found() -> None:
    """SPEC §4, kind "webhook URL": an Office 365 connector URL cut after the group's
    UUID (where public rule sets stop reading) still leaks it."""
    url = "outlook.office.com/webhook/7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
    assert found(f"hook = {url}@") == [url + "@"]
    assert found(f"hook = https://{url}") == ["https://" + url]


@pytest.mark.parametrize(
    "text",
    [
        "post to hooks.slack.com/services/ from the bot",
        "hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "see https://outlook.office.com/webhook/ for the setup",
        "set it in outlook.office.com/webhook/settings",
        "webhooks.slack.com/services/T0K4Q8R2L/B07J3M9P1X4/" + BODY[:24],  # another host
    ],
)
def test_webhook_hosts_without_a_secret_path_are_left(text: str) -> None:
    """The host alone, a stand-in path, a short path or another host is no webhook."""
    assert found(text) == []


# -- provider prefixes the table lacked ------------------------------------------------

PREFIXED = [
    "api_live." + BODY[:11] + "." + BODY[11:43],  # Onfido: <11>.<32>
    "api_live_us.Q-g48F_2cfe." + BODY[:32],
    "api_live_ca." + BODY[:11] + "." + BODY[20:52],
    "api_sandbox." + BODY[:11] + "." + BODY[11:43],
    "api_sandbox_us." + BODY[:11] + "." + BODY[11:43],
    "amzn.mws.4ea38b7b-f563-7709-4bae-87aea15c2b9e",  # Amazon MWS auth token
    "da2-" + BODY[:26].lower(),  # AWS AppSync API key
    "k2sk_v1_" + BODY[:24],  # Kolide
    "A3T" + BODY[:17].upper(),  # AWS access key id, old prefix
    "fm1a_" + BODY[:60],  # Fly.io
    "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t" + BODY + "=",  # AWS Bedrock
    "FLWSECK_TEST-a1b2c3d4e5f6",  # Flutterwave encryption key: 12 of [a-h0-9]
]


@pytest.mark.parametrize("token", PREFIXED)
@pytest.mark.parametrize("template", TEMPLATES)
def test_provider_prefixes_are_found_whole(token: str, template: str) -> None:
    """SPEC §4 provider tokens, kind "prefix the table lacked": each token, with its
    vendor's documented body, is found whole."""
    assert found(template.format(token)) == [token]


@pytest.mark.parametrize(
    "text",
    [
        "api_live." + BODY[:11],  # Onfido without its second part
        "the api_live.json file",
        "amzn.mws.not-a-token",
        "da2-" + BODY[:20].lower(),  # too short for AppSync
        "da2-release-notes-for-the-sdk",  # words: neither the shape nor a random body
        "k2sk_v1_short",
        "A3TEST",
    ],
)
def test_prefixes_without_their_body_are_left(text: str) -> None:
    """A prefix whose body misses the documented shape is not that token."""
    assert found(text) == []


# -- JWTs whose header opens with white space ------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


PAYLOAD = _b64(json.dumps({"sub": "4821937", "name": "Ada", "iat": 1716239022}).encode())
SIGNATURE = BODY[:43]
SPACED_HEADERS = [
    b'{ "alg" : "HS256", "typ" : "JWT" }',
    b'{  "typ": "JWT", "alg": "RS256"}',
    b'{\n  "alg": "HS256",\n  "typ": "JWT"\n}',
    b'{\n"alg":"ES256"}',
    b'{\r\n  "alg": "HS512"\r\n}',
    b'{\t"alg": "HS256"}',
    b'{ \n"alg": "none", "typ": "JWT"}',
]


@pytest.mark.parametrize("header", SPACED_HEADERS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_jwts_whose_header_opens_with_white_space_are_found(header: bytes, template: str) -> None:
    """SPEC §4 JWTs, kind "header with white space": RFC 7515 allows JSON white space,
    so the header may be base64url of "{ " or "{\\n" (eyA…, ewo…, ew0…, ewk…)."""
    token = f"{_b64(header)}.{PAYLOAD}.{SIGNATURE}"
    assert found(template.format(token)) == [token]


def test_a_header_that_reads_as_an_object_naming_alg_is_a_jwt_header() -> None:
    """SPEC §4 JWTs: a header edited by hand into invalid JSON (a lost quote) that still
    reads as one object naming "alg" marks a JWT, for either header opening."""
    for header in (b'{\n id":"1","alg":"HS256","typ":"JWT"}', b'{"alg":"HS256",typ":"JWT"}'):
        token = f"{_b64(header)}.{PAYLOAD}.{SIGNATURE}"
        assert found(f"token: {token}\n") == [token]


@pytest.mark.parametrize(
    "header",
    [
        b'{ "typ": "JWT" }',  # names no alg
        b'{ "kid": "a", "x": {"alg": "HS256"} }',  # alg nested, not the header's
        b"{ alg: HS256 }",  # no quoted key
        b'[ "alg", "HS256" ]',  # not an object
    ],
)
def test_spaced_headers_without_an_alg_are_left(header: bytes) -> None:
    """A base64 object that names no "alg" of its own is not a JWT header."""
    assert found(f"{_b64(header)}.{PAYLOAD}.{SIGNATURE}") == []


def test_words_with_the_spaced_header_letters_are_left() -> None:
    """``ewo``/``eyA`` inside ordinary words and identifiers start no JWT."""
    assert found("the framework.eyAiNothing and newo.rk2.abcd") == []


# -- key-word secrets in syntaxes the key-word detectors did not read ----------------------

NPMRC = [
    ("//registry.npmjs.org/:_authToken=" + BODY[:36], BODY[:36]),
    (
        "//npm.pkg.github.com/acme/:_auth=Q29ycmVjdEhvcnNlOkJhdHRlcnk=",
        "Q29ycmVjdEhvcnNlOkJhdHRlcnk=",
    ),
    ("//nexus.internal:8081/repository/npm/:_password=TrombonePaperclip", "TrombonePaperclip"),
    ("//acme.jfrog.io/api/npm/npm/:_auth = BluePelicanSunrise", "BluePelicanSunrise"),
    ('//registry.example.com/:_authToken="' + BODY[:40] + '"', BODY[:40]),
]


@pytest.mark.parametrize(("line", "secret"), NPMRC)
@pytest.mark.parametrize("before", ["", "registry=https://registry.npmjs.org/\n", "# .npmrc\n"])
def test_npmrc_scoped_credentials_are_found(line: str, secret: str, before: str) -> None:
    """SPEC §4 key-word secrets, kind ".npmrc": npm reads ``_auth``, ``_authToken`` and
    ``_password`` scoped to a registry (``//host/path/:key=``); the value is a literal,
    even a plain word."""
    assert found(f"{before}{line}\n") == [secret]


@pytest.mark.parametrize(
    "text",
    [
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
        "//registry.npmjs.org/:_authToken=",
        "//registry.npmjs.org/:always-auth=true",
        "//registry.npmjs.org/:username=ada",
        '"//localhost:1337/:_password = "+new Buffer(pw).toString("base64")',
        "//registry.npmjs.org/:_password=<your password>",
    ],
)
def test_npmrc_templates_and_other_keys_are_left(text: str) -> None:
    """Templates, empty values, npm's other keys and code building the line are left."""
    assert found(text) == []


ANDROID = [
    ('<string name="maps_api_key">' + BODY[:39] + "</string>", BODY[:39]),
    ('<string name="hockeyapp_key">9f3c1e7a5b2d4f6081a3c5e7b9d1f2a4</string>',
     "9f3c1e7a5b2d4f6081a3c5e7b9d1f2a4"),
    ('<string name="stripe_secret" translatable="false">' + BODY[:30] + "</string>", BODY[:30]),
    ('<string name="db_password">hunter2x9</string>', "hunter2x9"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "secret"), ANDROID)
def test_android_string_resources_naming_a_secret_are_found(line: str, secret: str) -> None:
    """SPEC §4 key-word secrets, kind "Android string resource": the ``name`` attribute
    names the value as an identifier does."""
    text = f'<resources>\n    <string name="app_name">Acme</string>\n    {line}\n</resources>\n'
    assert found(text) == [secret]


@pytest.mark.parametrize(
    "line",
    [
        '<string name="password_hint">Enter your password</string>',
        '<string name="enter_password">Password</string>',
        '<string name="login_password">Passwort</string>',
        '<string name="api_key">@string/other_key</string>',
        '<string name="session_expired">Your session has expired</string>',
        '<string name="token_label">Token</string>',
        '<string name="auth_token">' + "${AUTH_TOKEN}" + "</string>",
        '<string name="app_name">' + BODY[:32] + "</string>",
    ],
)
def test_android_ui_text_and_references_are_left(line: str) -> None:
    """String resources are mostly UI text: words, sentences and references stay."""
    assert found(f"<resources>\n    {line}\n</resources>\n") == []


@pytest.mark.parametrize("operator", [":::=", "::=", ":="])
def test_make_assignments_are_read(operator: str) -> None:
    """SPEC §4 key-word secrets, kind "make assignment": GNU make 4.4's and POSIX make's
    ``:::=`` and ``::=`` assign as ``:=`` does."""
    token = "8f2c4e6a-1b3d-4f5a-9c7e-0d2b4f6a8c1e".upper()
    assert found(f'SNYK_TOKEN {operator} "{token}"\n') == [token]
    assert found(f"API_SECRET {operator} {BODY[:32]}\n") == [BODY[:32]]


# -- JWTs stored base64-encoded whole ----------------------------------------------------

ALG_HEADER = _b64(b'{"alg":"RS256","kid":"k1"}')
SIGNED = f"{ALG_HEADER}.{PAYLOAD}.{SIGNATURE}"
X5C_ONLY = f"{_b64(json.dumps({'x5c': ['MIIC' + BODY]}).encode())}.{PAYLOAD}.{SIGNATURE}"


@pytest.mark.parametrize("token", [SIGNED, X5C_ONLY, SIGNED + "\n"])
@pytest.mark.parametrize("template", ["{}", "  token: {}\n", 'JWT_B64="{}"', "see {}."])
def test_base64_encoded_jwts_are_found_whole(token: str, template: str) -> None:
    """SPEC §4 JWTs, kind "base64-encoded whole" (a Kubernetes secret's data, a CI
    variable): ``ZXlK…`` decoding to a JWT whose header names alg, or whose header and
    payload are both JSON objects, is found whole, padding included."""
    encoded = base64.b64encode(token.encode()).decode()
    assert found(template.format(encoded)) == [encoded]


TYP_HEADER = _b64(b'{"typ":"JWT"}')


@pytest.mark.parametrize(
    "plain",
    [
        _b64(b'{"kid":"k1","note":"only some json text here, not a token at all"}'),  # no dots
        _b64(b'{"not":"a token"}') + " and then some words",
        f"{TYP_HEADER}.{_b64(b'[1, 2, 3]')}.{SIGNATURE}",  # no alg, the payload no object
        f"{TYP_HEADER}.{BODY[:40]}.{SIGNATURE}",  # the payload no JSON
    ],
)
def test_base64_that_decodes_to_no_jwt_is_left(plain: str) -> None:
    """A ``ZXlK`` run (base64 of ``eyJ``) whose content is no JWT is left."""
    encoded = base64.b64encode(plain.encode()).decode()
    assert encoded.startswith("ZXlK")
    assert found("data: " + encoded + "\n") == []
