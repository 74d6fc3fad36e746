"""Kinds of miss and false positive the tenth outside set showed (issue 16), on our own
examples.

SPEC §4 asks for passwords in URLs and connection strings, high-entropy tokens next to
key words and provider API keys. The tenth set (sonar-text's rule examples) showed:

* a regular expression that reads URLs flagged as a URL's password
  (``"(mysql://.*:)(.*)(@.*)"``);
* a shell's command substitution under a password key word flagged as the password
  (``DB_PASSWORD="$(openssl rand -hex 16)"``): the value is computed when it runs;
* provider shapes the table lacked or read too narrowly: Riot Games' ``RGAPI-`` keys,
  Zapier catch hooks with a short account id;
* the credential after an ``Authorization:`` scheme other than the dozen the filter
  knew (``BotConnector``, ``SharedAccessSignature``) missed: after any scheme word, a
  credential that looks generated is found; a word or a reference is not;
* the literal default a reference falls back to after a key word missed
  (``clientSecret: process.env.X || '…'``): the reference is no secret, its default is;
* an env file's bare value cut at a closer or ``=`` inside it, a partial leak
  (``SECRET_KEY=r&lv…)=x-!=0y…``, Django's generated keys): the value is a shell word;
* JSON inside a string literal, its quotes escaped (``"{\\"client_secret\\": \\"…\\"}"``),
  missed whole: escaped quotes are decoded before the scan, as ``\\u0022`` was.

Real passwords in URLs and after key words, and the shapes' near-misses, stay as they were.
"""

from __future__ import annotations

import random
import string

import pytest

from consentry.redaction import Redactor

NOT_SECRETS = [
    'pattern = re.compile(r"(mysql://.*:)(.*)(@.*)")',
    'masker.add("(amqps?://[^:]+:)(.+)(@.+)")',
    'DB_PASSWORD="$(openssl rand -hex 16)"',
    "export ADMIN_PASS=$(pass show infra/admin)",
    "Authorization: Custom credentials-required",
    "authorization: MyScheme $SESSION_TOKEN",
    "Authorization: the caller must send a signed token",
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("text", NOT_SECRETS)
def test_url_and_command_stand_ins_are_not_secrets(native: bool, text: str) -> None:
    """SPEC §4: a regular expression where a URL's password goes, a command that
    computes the value, and a word or reference after an Authorization scheme are not
    secrets."""
    assert Redactor(native=native).redact(text).findings == ()


STILL_SECRETS = [
    ('dsn = "mysql://app:pass@db.example/orders"', "pass"),  # sources label it a password
    ('dsn = "mysql://app:Pq7.z9Lw@db.example/orders"', "Pq7.z9Lw"),  # a dot, no wildcard
    ('DB_PASSWORD="Hq82(kLp)z"', "Hq82(kLp)z"),
    ("Authorization: RelayKey Zx81kLq0Pw2mNb7VtY4cR9sD", "Zx81kLq0Pw2mNb7VtY4cR9sD"),
    (
        "Authorization: SharedAccessSignature sr=q1&sig=kQ9x%2BvLm2Pz7Rt4Wy1Nb8Cd3&se=1767225600",
        "kQ9x%2BvLm2Pz7Rt4Wy1Nb8Cd3",  # the signature, after its own key word
    ),
    ("watcher = LolWatcher('RGAPI-3f9a0c12-7b4e-4d21-9c8a-5e6f7a8b9c0d')", None),
    ('hook = "https://hooks.zapier.com/hooks/catch/481516/q2w9e7/"', None),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "secret"), STILL_SECRETS)
def test_passwords_and_provider_keys_are_found(native: bool, text: str, secret: str) -> None:
    """SPEC §4: a URL password (also ``pass``, which the sources label a password) or
    one with a dot, a literal password with brackets, a generated credential after any
    Authorization scheme, Riot Games' and Zapier's keys are found whole."""
    findings = Redactor(native=native).redact(text).findings
    spans = [text[f.start : f.end] for f in findings]
    if secret is not None:
        assert spans == [secret]
    else:
        key = "RGAPI-3f9a0c12-7b4e-4d21-9c8a-5e6f7a8b9c0d" if "RGAPI" in text else "481516/q2w9e7"
        assert len(spans) == 1 and key in spans[0]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_riot_near_misses_stay_clean(native: bool) -> None:
    """SPEC §4 provider keys by their published shape: RGAPI- and a UUID, not a word."""
    text = "see RGAPI-docs for the rate limits of RGAPI-keys"
    assert Redactor(native=native).redact(text).findings == ()


FALLBACKS = [
    (
        "  clientSecret: process.env.APP_SECRET || 'c0ffee12deadbeef34567890abcdef12',",
        "c0ffee12deadbeef34567890abcdef12",
    ),
    ("token = os.environ.get('SVC_TOKEN') or 'Zq81kLm0Pw2xNb7V'", "Zq81kLm0Pw2xNb7V"),
    ("db_password = ENV['DB_PW'] || \"Hq8!z2Lp\"", "Hq8!z2Lp"),
    ("const apiKey = config.apiKey ?? `Lw7xQ2nB9kRt4Vz8`;", "Lw7xQ2nB9kRt4Vz8"),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "secret"), FALLBACKS)
def test_a_references_literal_default_is_the_secret(native: bool, text: str, secret: str) -> None:
    """SPEC §4 secrets next to key words: the literal a reference falls back to
    (``process.env.X || '…'``, ``… or '…'``, ``… ?? '…'``) is written in the code."""
    findings = Redactor(native=native).redact(text).findings
    assert [text[f.start : f.end] for f in findings] == [secret]


FALLBACK_STAND_INS = [
    "password: process.env.DB_PASSWORD || ''",
    "const secret = process.env.SESSION_SECRET || 'changeme'",
    "api_key = os.getenv('API_KEY') or 'your-api-key-here'",
    "token: env.TOKEN ?? '${TOKEN}'",
    'const password = process.env.STAGING_PASSWORD || "not-set"',
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("text", FALLBACK_STAND_INS)
def test_a_placeholder_default_is_not_a_secret(native: bool, text: str) -> None:
    """SPEC §4: a default that is empty, a stand-in, a template or a sentinel saying no
    value is set (``not-set``, as ``unset``) is no secret."""
    assert Redactor(native=native).redact(text).findings == ()


SHELL_WORDS = [
    ("SESSION_KEY=p7&kq)=z-!=2hd9#4mw!61@tx*v", "p7&kq)=z-!=2hd9#4mw!61@tx*v"),
    ("DB_PASSWORD=Hq8)z2=Lp!x", "Hq8)z2=Lp!x"),
    ("export API_SECRET=k9*Lm)2x=Qp; echo ready", "k9*Lm)2x=Qp"),
    ("# SMTP_PASSWORD=Wz(4)k#Lp9.\nnext line", "Wz(4)k#Lp9"),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "secret"), SHELL_WORDS)
def test_an_env_files_value_runs_to_white_space(native: bool, text: str, secret: str) -> None:
    """SPEC §4 secrets next to key words: an env file's or a shell's bare value is one
    shell word; a closer, ``=`` or ``#`` inside it no longer cuts it (a partial leak)."""
    findings = Redactor(native=native).redact(text).findings
    assert [text[f.start : f.end] for f in findings] == [secret]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_code_around_a_key_word_still_closes_its_value(native: bool) -> None:
    """SPEC §4: in code (not an env line) the call's closer ends the value."""
    text = "connect(DB_PASSWORD=Hq8z2Lpx7)"
    findings = Redactor(native=native).redact(text).findings
    assert [text[f.start : f.end] for f in findings] == ["Hq8z2Lpx7"]


ESCAPED_JSON = [
    ('body = "{\\"password\\": \\"Hq8z2Lpx\\"}"', "Hq8z2Lpx"),
    ('"  \\"client_secret\\": \\"Vd3-kQ8mZx1-Lp0Rt7Wn2Ys\\","', "Vd3-kQ8mZx1-Lp0Rt7Wn2Ys"),
    ("payload = '{\\'api_token\\': \\'Zq81kLm0Pw2xNb7Vr\\'}'", "Zq81kLm0Pw2xNb7Vr"),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "secret"), ESCAPED_JSON)
def test_json_inside_a_string_literal_is_read_as_json(native: bool, text: str, secret: str) -> None:
    """SPEC §4 secrets next to key words: JSON written inside a string literal, its quotes
    escaped, is read as JSON; the finding covers the value in the original text."""
    findings = Redactor(native=native).redact(text).findings
    assert [text[f.start : f.end] for f in findings] == [secret]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_escaped_quotes_in_prose_stay_clean(native: bool) -> None:
    """SPEC §4: quoted speech inside a string literal is not a secret."""
    text = 'msg = "She said \\"the password is on the wiki\\" and left"'
    assert Redactor(native=native).redact(text).findings == ()


def _fcm(seed: int) -> str:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "_-"
    head = "".join(rng.choice(alphabet) for _ in range(11))
    return head + ":APA91b" + "".join(rng.choice(alphabet) for _ in range(134))


FCM = [
    ('messaging.send(token="{}")', _fcm(1)),
    ("FCM_SERVER_KEY={}", "AAAA" + _fcm(2)[4:]),  # a server key: AAAA and 7 more
    ("POST https://fcm.googleapis.com/fcm/send/{} HTTP/1.1", _fcm(3)),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("template", "token"), FCM)
def test_firebase_cloud_messaging_keys_are_found_whole(
    native: bool, template: str, token: str
) -> None:
    """SPEC §4 (provider API keys): Firebase Cloud Messaging server keys and device
    tokens, ``<11>:APA91b<body>``, with or without a key word, found whole."""
    text = template.format(token)
    findings = Redactor(native=native).redact(text).findings
    start = text.index(token)
    assert any(f.start <= start and f.end >= start + len(token) for f in findings), findings


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_firebase_shape_near_misses_stay_clean(native: bool) -> None:
    """SPEC §4: the marker alone, a short body or a masked one is no FCM key."""
    for text in (
        "tokens start with APA91b in the legacy format",
        "id = abcdefghijk:APA91bShortBody",
        "key = XXXXXXXXXXX:APA91b" + "x" * 134,
    ):
        assert Redactor(native=native).redact(text).findings == (), text
