"""Per-type positives and hard negatives (SPEC §4)."""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

R = Redactor()


def found(text: str) -> list[tuple[str, str]]:
    return [(f.type, text[f.start : f.end]) for f in R.redact(text).findings]


POSITIVES = [
    ("EMAIL", "mail me at {} today", "jane.doe+tag@example.co.uk"),
    ("EMAIL", "<{}>", "a@b.com"),
    ("PHONE", "call {}", "+1 (415) 555-2671"),
    ("PHONE", "call {}", "+44 20 7946 0958"),
    ("PHONE", "call {}.", "+4915112345678"),
    ("PHONE", "call {}", "(415) 555-2671"),
    ("PHONE", "call {} now", "415-555-2671"),
    ("PHONE", "call {}", "415.555.2671"),
    ("PHONE", "ring {}", "020 7946 0958"),
    ("PHONE", "ring {}", "01 23 45 67 89"),
    ("CARD", "card {} exp", "4111 1111 1111 1111"),
    ("CARD", "card {}", "5555-5555-5555-4444"),
    ("CARD", "amex {}", "3782 822463 10005"),
    ("CARD", "card {}", "6011111111111117"),
    ("SSN", "ssn {}", "123-45-6789"),
    ("SSN", "SSN: {}", "078051120"),
    ("IBAN", "iban {}", "DE89 3704 0044 0532 0130 00"),
    ("IBAN", "iban {}.", "GB82WEST12345698765432"),
    ("IP", "from {}:8080", "203.0.113.7"),
    ("IP", "net {} here", "10.0.0.0/24"),  # issue 16: the prefix length is part of the value
    ("IP", "loopback {} here", "::1"),
    ("IP", "host {}", "2001:db8:85a3::8a2e:370:7334"),
    ("IP", "[{}]:443", "fe80::1ff:fe23:4567:890a"),
    ("IP", "mapped {}", "::ffff:192.0.2.1"),
    ("SECRET", "key {}", "AKIAIOSFODNN7EXAMPLE"),
    ("SECRET", "{}", "ghp_" + "aB3" * 12),
    ("SECRET", "{}", "github_pat_" + "A1b" * 27 + "x"),
    ("SECRET", "{}", "glpat-" + "xY9-" * 5),
    ("SECRET", "{}", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"),
    ("SECRET", "{}", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"),
    ("SECRET", "{}", "sk-proj-" + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7" * 3),
    ("SECRET", "{}", "sk-ant-api03-" + "Xy7_Kq2-" * 11 + "AA"),
    ("SECRET", "{}", "AIzaSyD" + "x7Kq2Lm9Np4Rs8Tv1Wz3Yb6Cd0Ef5GhJ"),
    ("SECRET", 'aws_secret_access_key = "{}"', "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("SECRET", "Authorization: Bearer {}", "a8Fk29dLq01ZxP93mWq7Tz"),
    ("SECRET", "api_token: {}", "wUxDQrFSswNFJZyWiGBuxZldsffJOzPf"),
    ("PASSWORD", "postgres://app:{}@db:5432/app", "hunter2!"),
    ("PASSWORD", "Server=db;User Id=sa;Password={};", "S3cr3t#1"),
    ("PASSWORD", '{{"password": "{}"}}', "correct horse battery staple"),
    ("PASSWORD", "DB_PASSWORD={}", "Zx81qpL0"),
    (
        "JWT",
        "jwt {}",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    (
        "PRIVATE_KEY",
        "key:\n{}\n",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
    ),
    ("PRIVATE_KEY", "truncated {}", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXkt"),
]


@pytest.mark.parametrize(("kind", "template", "value"), POSITIVES)
def test_entity_is_found_with_exact_span(kind: str, template: str, value: str) -> None:
    text = template.format(value)
    assert found(text) == [(kind, value)]
    assert value not in R.redact(text).text


HARD_NEGATIVES = [
    "request 123e4567-e89b-12d3-a456-426614174000 failed",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "md5 d41d8cd98f00b204e9800998ecf8427e",
    "blob SGVsbG8sIHdvcmxkISBUaGlzIGlzIGEgYmFzZTY0IGJsb2IgZm9yIHRlc3Rpbmcu==",
    "upgrade to v1.2.3 or requests==2.31.0, python 3.11.7, build 1.0.0.12345",
    "Version 1.2.3.4 released",
    "at 2024-01-02T10:11:12.123456Z, 2024-01-02 10:11:12, epoch 1704190272, ms 1704190272123",
    "at 12:30:45.123 on 02/01/2024 +05:30",
    "order #48213377 total $1,234.56 port 8080 pi = 3.14159265",
    "mac 00:1a:2b:3c:4d:5e color #ff00aa ISBN 978-3-16-148410-0",
    "def login(user, password):\n    return auth(user, password=password)",
    'token = os.environ["GITHUB_TOKEN"]\nsecret_key = settings.SECRET_KEY',
    "std::vector<int> v; xs[::2]; Foo::bar(); a::b",
    "password: str = Field(..., min_length=12)",
    "if (password == confirm) { save(); }",
    "const apiKey = process.env.API_KEY; token: AccessTokenProvider",
    "pip install scikit-learn sk-learn; class sk-ui-button-primary-large-variant",
    "image@2x.png and icon@3x.webp",
    "@app.route('/users/<int:id>') and npm i lodash@4.17.21",
    "Привет, как дела? 你好，世界。 Grüße aus Köln — ça va? 🙂",
    "x :: Int and ::add(1) and 127.0.0.1x",  # issue 16: code, not IPv6 short forms
    "card 4111 1111 1111 1112 fails Luhn",
    "ssn 000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000",
    "iban DE89 3704 0044 0532 0130 01 has a bad checksum",
    "ip 256.1.1.1 and 1.2.3.4.5 and 01.02.03.04",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negative_is_not_flagged(text: str) -> None:
    assert found(text) == []
    assert R.redact(text).text == text


def test_several_types_in_one_text_keep_order() -> None:
    text = "a@b.com, 123-45-6789 and 10.1.2.3"
    assert [t for t, _ in found(text)] == ["EMAIL", "SSN", "IP"]
    assert R.redact(text).text == "[EMAIL], [SSN] and [IP]"


def test_credentials_in_connection_url_win_over_email() -> None:
    text = "postgres://bob:pa55w0rd@db.example.com/app"
    assert R.redact(text).text == "postgres://bob:[PASSWORD]@db.example.com/app"
    assert [f.type for f in R.redact(text).findings] == ["PASSWORD"]


def test_two_cards_in_one_digit_group_run_are_both_found() -> None:
    # The longest valid card used to win alone; a card left of it survived.
    text = "5555555555554444 4111 1111 1111 1111"
    assert found(text) == [("CARD", "5555555555554444"), ("CARD", "4111 1111 1111 1111")]


def test_card_across_the_patterns_41_digit_cut_is_found() -> None:
    # A digit-group run longer than the card pattern (41 digits) is cut; a card
    # across the cut used to leak.
    text = "123-45-6789 123-45-6789 123-45-6789 4111 1111 1111 1111"
    assert ("CARD", "4111 1111 1111 1111") in found(text)


def test_international_phone_running_into_a_next_number_is_found() -> None:
    # The +CC pattern's greedy groups ran into the SSN and card after it and the
    # whole run was rejected as glued to a number; the phone leaked.
    text = "+44 20 7946 0958 123-45-6789 5555555555554444"
    assert found(text) == [
        ("PHONE", "+44 20 7946 0958"),
        ("SSN", "123-45-6789"),
        ("CARD", "5555555555554444"),
    ]
