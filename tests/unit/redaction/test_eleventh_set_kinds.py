"""The kinds the eleventh set (getsentry/relay's PII tests) showed missed, fixed (issue 16).

SPEC §4 asks for "high-entropy tokens next to key words" and passwords in configuration.
relay's attribute tests write them one level down, in an object the key word names
(``"api_key": {"type": "string", "value": "…"}``); Terraform variables, MongoDB query
operators and HCL objects do the same, and name-value entries put the value further from
its name (OpenTelemetry's ``{"stringValue": …}``, AWS SSM's members between, a path as
the name), lists under the key word (``parse_qs``'s ``{'password': ['…']}``), and a
literal passed through a conversion or marked a plain-text secret (``String::from("…")``,
``SecretValue.unsafePlainText("…")``). relay also scrubs attachments written in UTF-16;
read one byte a character, such text has a NUL beside each character and hid every value.
Examples of our own; both scans.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

FOUND = [
    # telemetry attributes, on one line and pretty-printed
    ('"db_password": {"type": "string", "value": "Wq4!zN8pLm"}', "Wq4!zN8pLm"),
    ('"password": {\n    "type": "string",\n    "value": "Wq4!zN8pLm"\n}', "Wq4!zN8pLm"),
    ('"api_key": {"type": "string", "value": "qk-7f3a9c1e5b2d8f4a"}', "qk-7f3a9c1e5b2d8f4a"),
    ('"session_token": {"value": "Zx81Lq0wVb72Nm4KpR9s"}', "Zx81Lq0wVb72Nm4KpR9s"),
    # a Terraform variable's default
    ('variable "admin_password" {\n  type    = string\n  default = "Ht5#kQ2vXz"\n}', "Ht5#kQ2vXz"),
    # MongoDB query operators in a request log
    ('db.users.find({"password": {"$ne": "Wq4!zN8pLm"}})', "Wq4!zN8pLm"),
    ('{"secret": {"$eq": "Rb7kP2xQ9mWz4LcN"}}', "Rb7kP2xQ9mWz4LcN"),
    ('where: {password: {_eq: "Wq4!zN8pLm"}}', "Wq4!zN8pLm"),  # Hasura
    ('where: { password: { equals: "Wq4!zN8pLm" } }', "Wq4!zN8pLm"),  # Prisma
    # an HCL or Lua-style object
    ('password = { value = "Wq4!zN8pLm" }', "Wq4!zN8pLm"),
    # name-value entries: OpenTelemetry's wrapped values, members between, a path's name
    ('{"key": "smtp.password", "value": {"stringValue": "Wq4!zN8pLm"}}', "Wq4!zN8pLm"),
    ('{"key": "app.api_key", "value": {"string_value": "Rb7kP2xQ9mWz4LcN"}}', "Rb7kP2xQ9mWz4LcN"),
    ('{"Name": "/svc/mail/password", "Type": "SecureString", "Value": "Wq4!zN8pLm"}', "Wq4!zN8pLm"),
    ("- name: /svc/api_token\n  type: SecureString\n  value: Rb7kP2xQ9mWz4LcN", "Rb7kP2xQ9mWz4LcN"),
    # lists under the key word: parse_qs and QueryDict print form fields so
    ("<QueryDict: {'user': ['ola'], 'password': ['Wq4!zN8pLm']}>", "Wq4!zN8pLm"),
    ("{'passwd': ['hunter-Two-7'], 'next': ['/home']}", "hunter-Two-7"),
    ('admin_passwords = ["Wq4!zN8pLm", "Ht5#kQ2vXz"]', 'Wq4!zN8pLm", "Ht5#kQ2vXz'),
    ('db_password: ["Wq4!zN8pLm"]', "Wq4!zN8pLm"),
    # a literal through a conversion under its key word, or marked a plain-text secret
    ('let smtp_password = String::from("Wq4!zN8pLm");', "Wq4!zN8pLm"),
    ('adminPassword := []byte("Wq4!zN8pLm")', "Wq4!zN8pLm"),
    ('password: Some("Wq4!zN8pLm".into()),', "Wq4!zN8pLm"),
    ('const password = Buffer.from("Wq4!zN8pLm");', "Wq4!zN8pLm"),
    ("masterUserPassword: SecretValue.unsafePlainText('Ht5#kQ2vXz'),", "Ht5#kQ2vXz"),
    ('const apiKey = SecretValue.plainText("Rb7kP2xQ9mWz4LcN");', "Rb7kP2xQ9mWz4LcN"),
]

CLEAN = [
    '"token": {"type": "string", "default": "Bearer"}',  # a word under a weak key word
    '"password": {"type": "string", "minLength": 8, "default": ""}',  # empty
    '"password": {"value": "{{ .Values.db.password }}"}',  # a template
    '"session": {"value": sessionId}',  # a name, not a literal
    '"password_hint": {"value": "Your pet\'s name"}',  # about a password, not one
    '"passwordPolicy": {"minLength": 12, "default": "strong"}',  # a setting's name
    '"token": {"expires": 3600}, "value": "Regular text here"',  # the member is outside
    'resource "random_password" "db" {\n  length = 24\n}',  # a resource, no value
    # a value of another entry: the next list item's, or after another name
    "- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db\n"
    "      key: pw\n- name: LOG_LEVEL\n  value: debug",
    '{"Name": "/svc/mail/password_length", "Type": "String", "Value": "24"}',
    '{"key": "session.id", "value": {"stringValue": "a1"}}',
    # lists of names, empty or placeholder lists, words under weak key words
    '"secrets": ["DB_PASSWORD"]',
    '"password": []',
    "where: {password: {_eq: $password}}",  # a GraphQL variable
    "{'password': [''], 'remember': ['on']}",
    'tokens = ["abc", "def"]',
    # conversions of names, of built strings, of other arguments; empty marked secrets
    'password: Some(env::var("DB_PASSWORD")?)',
    'token: Some("Bearer ".to_string() + &t)',
    'password: Buffer.from(pw, "utf8")',
    'SecretValue.unsafePlainText("")',
    'SecretValue.secretsManager("prod/db/credentials")',
    # found on real files by a first version: lists under weak key words, numbers, code
    'super().__init__(keywords=["Resources/AWS::S3::Bucket/Properties"])',
    '"authors": ["Ann Lee", "Bo Ek"]',
    '"SessionDurationSeconds": {"type": "integer", "default": 3600}',
    'sorted(x, key=sort_key)\n\ndef f(\n    env: "Env",\n    value: "t.Optional[str]",',
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_value_member_under_key_word_is_found(text: str, secret: str, native: bool) -> None:
    # SPEC §4: a password or a generated token named by its key word is redacted whole
    # where the literal is the value member of the object the key word opens.
    findings = Redactor(native=native).redact(text).findings
    start = text.index(secret)
    assert any(f.start <= start and start + len(secret) <= f.end for f in findings), findings


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("text", CLEAN)
def test_objects_without_a_secret_member_stay(text: str, native: bool) -> None:
    # SPEC §4 asks for secrets, not for every value under a key word: placeholders,
    # templates, names, words and members outside the object are not secrets.
    assert Redactor(native=native).redact(text).findings == ()


UTF16 = [
    ("ping 198.51.100.23 failed", "198.51.100.23", "utf-16-le"),
    ("owner: kari.nordmann@posten.example.no", "kari.nordmann@posten.example.no", "utf-16-le"),
    ("card 4000 0566 5566 5556 declined", "4000 0566 5566 5556", "utf-16-be"),
    ("DB_PASSWORD=Wq4!zN8pLm", "Wq4!zN8pLm", "utf-16-le"),
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(("plain", "value", "encoding"), UTF16)
def test_utf16_read_byte_by_byte_is_scanned(
    plain: str, value: str, encoding: str, native: bool
) -> None:
    # SPEC §4 "never fail open": a value in UTF-16 text read one byte a character (a NUL
    # beside each character) is found, and the finding covers its characters and NULs.
    text = plain.encode(encoding).decode("latin-1")
    wide = value.encode(encoding).decode("latin-1").strip("\x00")
    start = text.index(wide)
    findings = Redactor(native=native).redact(text).findings
    assert any(f.start <= start and start + len(wide) <= f.end for f in findings), findings


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_single_nul_separators_are_not_utf16(native: bool) -> None:
    # SPEC §4: NUL-separated fields (find -print0) are not joined into one value.
    text = "src/app.py\x00src/db.py\x00README.md\x00"
    assert Redactor(native=native).redact(text).findings == ()
