"""Message texts for the synthetic population: ordinary chat and code with sensitive values.

About one message in five carries something the export filter (SPEC §4) must catch:
an e-mail address, a phone number, a Luhn-valid card number, an AWS key pair, a JWT,
a password inside a connection string. Values come from fixed pools built once from a
seeded Faker, so generating ten million messages costs a few random picks each.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from dataclasses import dataclass


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    digits = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(rng: random.Random, subject: str) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64url(
        json.dumps({"sub": subject, "iat": rng.randrange(1_700_000_000, 1_800_000_000)}).encode()
    )
    sig = _b64url(hashlib.sha256(f"{header}.{body}.{rng.random()}".encode()).digest())
    return f"{header}.{body}.{sig}"


_AWS_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"  # noqa: S105


@dataclass(frozen=True)
class Pools:
    """Fixed pools of realistic values, built deterministically from a seed."""

    names: tuple[str, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    cards: tuple[str, ...]
    aws: tuple[tuple[str, str], ...]
    jwts: tuple[str, ...]
    conn: tuple[str, ...]
    topics: tuple[str, ...]

    @classmethod
    def build(cls, seed: int, size: int = 256) -> Pools:
        from faker import Faker  # the demo extra; `consentry demo` checks it first

        fake = Faker("en_US")
        fake.seed_instance(seed)
        rng = random.Random(seed)
        names = tuple(fake.name() for _ in range(size))
        emails = tuple(fake.email() for _ in range(size))
        phones = tuple(
            f"+1 ({rng.randrange(201, 990)}) {rng.randrange(200, 999)}-{rng.randrange(10000):04d}"
            for _ in range(size)
        )
        cards = tuple(
            _luhn_complete(rng.choice(("4", "51", "37", "6011")), 16, rng) for _ in range(size)
        )
        aws = tuple(
            (
                "AKIA" + "".join(rng.choice(_AWS_CHARS) for _ in range(16)),
                "".join(rng.choice(_SECRET_CHARS) for _ in range(40)),
            )
            for _ in range(size)
        )
        jwts = tuple(_jwt(rng, f"user-{i}") for i in range(size))
        conn = tuple(
            f"postgresql://{fake.user_name()}:{fake.password(length=14)}"
            f"@db{i % 9}.internal:5432/app"
            for i in range(size)
        )
        topics = tuple(fake.bs() for _ in range(size))
        return cls(names, emails, phones, cards, aws, jwts, conn, topics)


_USER_CHAT = (
    "Can you help me {topic}?",
    "Draft a short note to {name} about next week's plan.",
    "Summarise this thread for me, please.",
    "What is a good way to {topic}?",
    "Rewrite this paragraph so it sounds friendlier.",
)
_USER_SENSITIVE = (
    "My email is {email}, can you write a signature block for me?",
    "Call me back at {phone} if the order is late.",
    "I paid with card {card} and was charged twice, what do I say to the bank?",
    "Why does boto fail with aws_access_key_id={aws_id} aws_secret_access_key={aws_secret}?",
    "Decode this token for me: {jwt}",
    "My app cannot connect with DATABASE_URL={conn}",
    "Please email {name} at {email} and copy {phone}.",
)
_ASSISTANT = (
    "Sure. Here is a first draft you can adjust.",
    "Here are three options, from the most to the least formal.",
    "The short answer is yes; the details depend on your setup.",
    "Try breaking the task into smaller steps and checking each one.",
    "I have rewritten it below and kept your structure.",
)
_CODE_USER = (
    "Refactor this function to avoid the nested loops.",
    "Why does this test fail on CI but not locally?",
    "export AWS_ACCESS_KEY_ID={aws_id}\nexport AWS_SECRET_ACCESS_KEY={aws_secret}\n# why 403?",
    'The config has url = "{conn}" and the migration hangs.',
    "Add a header Authorization: Bearer {jwt} to the client.",
)
_CODE_ASSISTANT = (
    "def merge(a, b):\n    return sorted({*a, *b})",
    "The fixture leaks state between tests; scope it per function.",
    "Move the secret into an environment variable and rotate the key.",
    "Use a connection pool and set a statement timeout.",
)


class TextMaker:
    """Deterministic message texts; `short=True` keeps them under ~80 characters (benchmarks)."""

    def __init__(self, pools: Pools, *, short: bool = False, sensitive_rate: float = 0.2) -> None:
        self.pools = pools
        self.short = short
        self.sensitive_rate = sensitive_rate

    def _fill(self, template: str, rng: random.Random) -> str:
        p = self.pools
        i = rng.randrange(len(p.names))
        aws_id, aws_secret = p.aws[i]
        return template.format(
            name=p.names[i],
            email=p.emails[i],
            phone=p.phones[i],
            card=p.cards[i],
            aws_id=aws_id,
            aws_secret=aws_secret,
            jwt=p.jwts[i],
            conn=p.conn[i],
            topic=p.topics[i],
        )

    def message(self, rng: random.Random, *, code: bool, assistant: bool) -> str:
        if self.short:
            if rng.random() < self.sensitive_rate:
                return "mail " + self.pools.emails[rng.randrange(len(self.pools.emails))]
            return "ok, next step" if assistant else "help me with this"
        if assistant:
            return rng.choice(_CODE_ASSISTANT if code else _ASSISTANT)
        if rng.random() < self.sensitive_rate:
            return self._fill(rng.choice(_CODE_USER if code else _USER_SENSITIVE), rng)
        return self._fill(rng.choice(_CODE_USER[:2] if code else _USER_CHAT), rng)

    def comment(self, rng: random.Random) -> str | None:
        roll = rng.random()
        if roll < 0.5:
            return None
        if roll < 0.6:
            return self._fill("Wrong phone, mine is {phone}", rng)
        return rng.choice(("Helpful", "Too long", "Did not answer the question", "Great code"))
