"""Generators of planted entities: each returns (prefix, value, suffix)."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable

from faker import Faker

from .util import ALNUM, B64URL, b64_blob, random_chars

Fakers = dict[str, Faker]
Maker = Callable[[random.Random, Fakers], tuple[str, str, str]]


def _ctx(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def email(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    value = rng.choice(
        [
            f["en_US"].email(),
            f["en_US"].free_email(),
            f["de_DE"].email(),
            f["en_US"].user_name() + "+tag@" + f["en_US"].domain_name(),
        ]
    )
    return _ctx(rng, "Contact ", "email: ", "<", "reach me at ", ""), value, _ctx(rng, "", ">", ".")


def _nanp(rng: random.Random) -> tuple[str, str, str]:
    return (
        str(rng.randint(2, 9)) + f"{rng.randint(0, 99):02d}",
        str(rng.randint(2, 9)) + f"{rng.randint(0, 99):02d}",
        f"{rng.randint(0, 9999):04d}",
    )


def phone(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    a, b, c = _nanp(rng)
    d = lambda n: random_chars(rng, "0123456789", n)  # noqa: E731
    value = rng.choice(
        [
            f"({a}) {b}-{c}",
            f"{a}-{b}-{c}",
            f"{a}.{b}.{c}",
            f"+1 {a} {b} {c}",
            f"+1-{a}-{b}-{c}",
            f"+1 ({a}) {b}-{c}",
            f"1-{a}-{b}-{c}",
            f"+44 20 {d(4)} {d(4)}",
            f"+44 7{d(3)} {d(6)}",
            f"020 {d(4)} {d(4)}",
            f"07{d(3)} {d(6)}",
            f"+49 30 {d(8)}",
            f"+49 151 {d(8)}",
            f"030 {d(8)}",
            f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
            f"01 {d(2)} {d(2)} {d(2)} {d(2)}",
            f"+81 3-{d(4)}-{d(4)}",
            f"+61 2 {d(4)} {d(4)}",
            f"+919{d(9)}",
        ]
    )
    return _ctx(rng, "call ", "Phone: ", "tel ", "mobile "), value, _ctx(rng, "", ".", " today")


def card(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    kind = rng.choice(["visa16", "mastercard", "amex", "discover", "jcb16", "diners"])
    digits = f["en_US"].credit_card_number(kind)
    style = rng.random()
    if style < 0.4:
        value = digits
    else:
        sep = " " if style < 0.7 else "-"
        if len(digits) == 15:
            value = sep.join([digits[:4], digits[4:10], digits[10:]])
        else:
            value = sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    return _ctx(rng, "card ", "CC: ", "paid with ", "number "), value, _ctx(rng, "", " exp 09/27")


def ssn(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    value = f["en_US"].ssn()
    if rng.random() < 0.2:
        value = value.replace("-", " ")
    return _ctx(rng, "SSN ", "social security number: ", "ssn="), value, ""


def iban(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    value = f[rng.choice(["de_DE", "fr_FR", "en_GB"])].iban()
    if rng.random() < 0.5:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return _ctx(rng, "IBAN ", "wire to ", "account: "), value, _ctx(rng, "", " (main)")


def ip(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    fk = f["en_US"]
    if rng.random() < 0.5:
        value = rng.choice([fk.ipv4_public(), fk.ipv4_private()])
        return _ctx(rng, "from ", "host=", "client ip "), value, _ctx(rng, "", ":8080", "/24")
    value = rng.choice(
        [fk.ipv6(), f"2001:db8::{rng.randint(1, 0xFFFF):x}", f"fe80::{rng.randint(1, 0xFFFF):x}:1"]
    )
    return _ctx(rng, "from ", "host=", "client ip ", "["), value, _ctx(rng, "", "]:8080")


def provider_secret(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    value = rng.choice(
        [
            "AKIA" + random_chars(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
            "ghp_" + random_chars(rng, ALNUM, 36),
            "github_pat_" + random_chars(rng, ALNUM, 22) + "_" + random_chars(rng, ALNUM, 59),
            "glpat-" + random_chars(rng, B64URL, 20),
            "xoxb-"
            + "-".join(random_chars(rng, "0123456789", 12) for _ in range(2))
            + "-"
            + random_chars(rng, ALNUM, 24),
            "sk_live_" + random_chars(rng, ALNUM, 24),
            "sk-proj-" + random_chars(rng, B64URL, 120),
            "sk-" + random_chars(rng, ALNUM, 20) + "T3BlbkFJ" + random_chars(rng, ALNUM, 20),
            "sk-ant-api03-" + random_chars(rng, B64URL, 93) + "AA",
            "AIza" + random_chars(rng, B64URL, 35),
            "hf_" + random_chars(rng, ALNUM, 34),
            "npm_" + random_chars(rng, ALNUM, 36),
        ]
    )
    return _ctx(rng, "key ", "export TOKEN=", "use ", "`"), value, _ctx(rng, "", "`", " please")


def keyword_secret(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    value = rng.choice(
        [random_chars(rng, ALNUM, 32), b64_blob(rng, 30), random_chars(rng, ALNUM, 40)]
    )
    key = rng.choice(["api_key", "secret", "client_secret", "AUTH_TOKEN", "access_key", "token"])
    return _ctx(rng, f'{key} = "', f"{key}: ", f"{key}='", f'"{key}": "'), value, ""


def private_key(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", ""])
    body = "\n".join(b64_blob(rng, 48) for _ in range(rng.randint(3, 12)))
    value = f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"
    return "key file:\n", value, "\n"


def jwt(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    def enc(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    header = enc({"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
    payload = enc({"sub": str(rng.randint(1, 10**9)), "name": f["en_US"].name(), "iat": 1700000000})
    value = f"{header}.{payload}.{random_chars(rng, B64URL, 43)}"
    return _ctx(rng, "Authorization: Bearer ", "jwt=", "token "), value, ""


def password(rng: random.Random, f: Fakers) -> tuple[str, str, str]:
    pw = f["en_US"].password(length=rng.randint(8, 16), special_chars=False)
    user, host = f["en_US"].user_name(), f["en_US"].hostname()
    return rng.choice(
        [
            (f"postgres://{user}:", pw, f"@{host}:5432/app"),
            ("redis://:", pw, f"@{host}:6379/0"),
            (f"https://{user}:", pw, f"@{host}/repo.git"),
            ("Server=db;Database=app;User Id=sa;Password=", pw, ";"),
            ("host=db dbname=app user=app password=", pw, " sslmode=require"),
            ('"password": "', pw, '"'),
            ("DB_PASSWORD=", pw, ""),
        ]
    )


ENTITY_MAKERS: list[tuple[str, Maker]] = [
    ("EMAIL", email),
    ("PHONE", phone),
    ("CARD", card),
    ("SSN", ssn),
    ("IBAN", iban),
    ("IP", ip),
    ("SECRET", provider_secret),
    ("SECRET", keyword_secret),
    ("PRIVATE_KEY", private_key),
    ("JWT", jwt),
    ("PASSWORD", password),
]
