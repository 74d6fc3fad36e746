"""Each kind of secret issue 16 lists, in examples of our own (SPEC §4, R24).

SPEC §4 names "passwords in URLs and connection strings, high-entropy tokens next
to key words", provider keys, private keys and JWTs. Issue 16 found them missed in
commands and headers, in many syntaxes, unsigned or split JWTs, and found look-alikes
flagged. Every example runs through both scans; a secret must be covered whole.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

SCANS = (Redactor(native=False), Redactor())


def assert_whole(text: str, secret: str) -> None:
    start = text.index(secret)
    end = start + len(secret)
    for redactor in SCANS:
        spans = [(f.start, f.end) for f in redactor.redact(text).findings]
        assert any(s <= start and end <= e for s, e in spans), (redactor.compiled, text, spans)


def assert_clean(text: str) -> None:
    for redactor in SCANS:
        assert redactor.redact(text).findings == (), (redactor.compiled, text)


PW = "Wq7#vL2!pZ9x"  # a password
TOK = "f3Kq9ZmP2vXw8LrT5yNc4bHd"  # a generated token

SYNTAXES = [
    ("Go var", f'var dbPassword = "{PW}"'),
    ("Go :=", f'apiSecret := "{TOK}"'),
    ("Go struct field", f'cfg := Config{{Password: "{PW}"}}'),
    ("Go typed const", f'const deployToken string = "{TOK}"'),
    ("Kotlin typed val", f'val apiSecret: String = "{TOK}"'),
    ("XML element", f"<db><password>{PW}</password></db>"),
    ("XML attribute", f'<datasource user="app" password="{PW}" />'),
    ("Makefile ?=", f"DEPLOY_TOKEN ?= {TOK}"),
    ("Makefile :=", f"REGISTRY_PASSWORD := {PW}"),
    ("Java setProperty", f'props.setProperty("mail.smtp.password", "{PW}");'),
    ("Java field", f'private static final String API_KEY = "{TOK}";'),
    ("PHP define", f"define('DB_PASSWORD', '{PW}');"),
    ("PHP array", f"$config['secret'] = '{TOK}';"),
    ("PHP =>", f"'password' => '{PW}',"),
    ("HCL", f'  client_secret = "{TOK}"'),
    ("INI", f"[database]\npassword = {PW}"),
    ("TOML", f'[auth]\ntoken = "{TOK}"'),
    ("YAML", f"smtp:\n  password: {PW}\n  port: 587"),
    ("YAML quoted", f"  api_key: '{TOK}'"),
    (".env", f"STRIPE_SECRET={TOK}"),
    ("shell export", f"export GITHUB_TOKEN={TOK}"),
    ("shell export quoted", f'export DB_PASS="{PW}"'),
    ("JSON", f'{{"user": "svc", "password": "{PW}"}}'),
    ("Python kwargs", f'connect(host="db", password="{PW}", port=5432)'),
    ("Python dict", f"creds = {{'secret_key': '{TOK}'}}"),
    ("C single quotes", f"char *pass = '{PW}';"),
    ("Ruby symbol", f'config.api_key = "{TOK}"'),
    ("JS object", f'const client = new Client({{ token: "{TOK}" }});'),
    ("PowerShell", f'$Password = "{PW}"'),
    ("SQL", f"ALTER USER app WITH PASSWORD '{PW}';"),
    ("Docker ENV", f"ENV REDIS_PASSWORD={PW}"),
    ("k8s env", f"- name: API_TOKEN\n  value: {TOK}"),
    ("JSON name-value", f'[{{"name": "DB_PASSWORD", "value": "{PW}"}}]'),
    ("PHP array, double quotes", f'$settings["api_token"] = "{TOK}";'),
    ("properties", f"spring.datasource.password={PW}"),
    ("comparison", f'if password == "{PW}":'),
]


@pytest.mark.parametrize(("syntax", "text"), SYNTAXES, ids=[s for s, _ in SYNTAXES])
def test_key_word_secrets_in_every_common_syntax(syntax: str, text: str) -> None:
    """SPEC §4 key-word secrets; issue 16 lists Go, XML, Makefile, Java, PHP, HCL, INI,
    TOML, YAML, .env, shell export, JSON, Python kwargs and C single quotes."""
    assert_whole(text, PW if PW in text else TOK)


COMMANDS = [
    ("curl -u", f"curl -u deploy:{PW} https://ci.example.org/api", PW),
    ("curl --user", f"curl --user 'admin:{PW}' https://example.org", PW),
    ("mysql -p", f"mysql -h db -u root -p{PW} shop", PW),
    ("mysqldump -p", f"mysqldump -uroot -p{PW} --all-databases", PW),
    ("--password=", f"psql --host=db --password={PW}", PW),
    ("--token ", f"gh auth login --with-token --token {TOK}", TOK),
    ("sshpass", f"sshpass -p '{PW}' ssh ops@host", PW),
    ("redis-cli -a", f"redis-cli -h cache -a {PW} ping", PW),
    (
        "Authorization Basic",
        "Authorization: Basic ZGVwbG95OldxN3Z2TDJwWjl4",
        "ZGVwbG95OldxN3Z2TDJwWjl4",
    ),
    ("Authorization Bearer", f"Authorization: Bearer {TOK}", TOK),
    ("Authorization Token", f'-H "Authorization: Token {TOK}"', TOK),
    ("X-API-Key", f"X-API-Key: {TOK}", TOK),
    ("X-Auth-Token", f"x-auth-token: {TOK}", TOK),
    ("requests headers", f'headers = {{"X-Api-Key": "{TOK}"}}', TOK),
]


@pytest.mark.parametrize(("kind", "text", "secret"), COMMANDS, ids=[k for k, _, _ in COMMANDS])
def test_secrets_in_commands_and_headers(kind: str, text: str, secret: str) -> None:
    """SPEC §4; issue 16: curl -u, mysql -p, --password=, Authorization schemes, X-…-Key."""
    assert_whole(text, secret)


WRAPPED = [
    f"the staging password is {PW} until friday",
    f"my token: {TOK} (please rotate)",
    f"use key={TOK}, then restart",
    f"Password: {PW}.",
]


@pytest.mark.parametrize("text", WRAPPED)
def test_values_wrapped_in_prose(text: str) -> None:
    """SPEC §4: a secret after its key word inside a sentence, punctuation not included."""
    assert_whole(text, PW if PW in text else TOK)


NOT_SECRETS = [
    "api_key = YOUR_API_KEY",
    "token: <token>",
    "password = ${DB_PASSWORD}",
    'secret: "{{ vault_secret }}"',
    "API_KEY=xxxxxxxxxxxxxxxx",
    "password: ********",
    "password=aaaaaaaaaaaa",
    "password:\n  required: true",
    "credentialsId: 'a3c1f2de-6b4e-4f3a-9d2c-7e8f9a0b1c2d'",
    "from settings.local.py import SECRET_KEY",
    "token_url = https://auth.example.org/token",
    "commit 4f2a9c1e7b3d5f60a8c2e4b6d8f0a1c3e5b7d9f1 fixed the password check",
    "session id 123e4567-e89b-12d3-a456-426614174000 expired",
    "password = get_password()",
    "secret = os.environ.get('SECRET')",
    "the password is required for sign-in",
    "if the token is expired, log in again",
    "pass --token-file tokens.txt to the CLI",
    "run it with --password --verbose",
    "- name: API_TOKEN\n  valueFrom:\n    secretKeyRef: {name: api}",
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_placeholders_references_ids_and_hashes_are_not_secrets(text: str) -> None:
    """SPEC §4 precision; issue 16's false positives: placeholders, next-line values,
    ids next to key words, dotted names, UUIDs and commit hashes."""
    assert_clean(text)


def test_unsigned_jwt_and_jwt_split_across_lines() -> None:
    """SPEC §4 JWTs: alg none (empty signature) and a token wrapped at its dots."""
    unsigned = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c2VyLTQyIiwiYWRtaW4iOnRydWV9."
    assert_whole(f"token={unsigned}", unsigned)
    header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    payload = "eyJzdWIiOiI5ODc2NTQzMjEwIiwicm9sZSI6Im9wcyJ9"
    split = f"{header}.\n{payload}.\nQ2FmZWJhYmVDYWZlYmFiZUNhZmViYWJl"
    for redactor in SCANS:
        result = redactor.redact(f"jwt:\n{split}\n")
        assert header not in (result.text or "") and payload not in (result.text or "")


@pytest.mark.parametrize(
    "header",
    ["OPENSSH-V1 PRIVATE KEY", "ENCRYPTED_RSA PRIVATE KEY", "PGP PRIVATE KEY BLOCK"],
)
def test_private_key_blocks_with_any_key_type_in_the_header(header: str) -> None:
    """SPEC §4 private keys: a PEM header whose key type holds '-' or '_' is still one."""
    body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
    block = f"-----BEGIN {header}-----\n{body}\n-----END {header}-----"
    assert_whole(f"key file:\n{block}\n", block)
