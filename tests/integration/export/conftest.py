"""A population with planted markers: eligible sessions and every kind of ineligible one."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.domain.types import Author
from consentry.service import accounts, sessions

SENSITIVE = {
    "email": "alice.liddell@wonderland.example.org",
    "card": "4111 1111 1111 1111",
    "aws_key": "AKIAQ3ZK7N2P5R8T1W4Y",
    "jwt": (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    ),
    "private_key": (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzq8xPq7vLr\n"
        "abcDEFghiJKLmnoPQRstuVWXyz0123456789+/=\n-----END RSA PRIVATE KEY-----"
    ),
    "github_token": "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5",
}
SENSITIVE_FRAGMENTS = [
    "wonderland.example.org",
    "4111 1111 1111 1111",
    "AKIAQ3ZK7N2P5R8T1W4Y",
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "MIIEowIBAAKCAQEAzq8xPq7vLr",
    "BEGIN RSA PRIVATE KEY",
    "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5",
]


def author_of(role: str) -> Author:
    """Assistant replies are written by the assistant's backend (issue 17 item 7)."""
    return Author.SERVICE if role == "assistant" else Author.ACCOUNT


def marker(label: str) -> str:
    """A token the filter leaves alone and nothing else produces."""
    return f"zq{label}mark"


@dataclass
class Population:
    app: App
    clock: TestClock
    eligible: dict[str, str] = field(default_factory=dict)  # marker -> session id
    ineligible: dict[str, str] = field(default_factory=dict)  # marker -> why
    real_ids: set[str] = field(default_factory=set)

    def advance(self, **kw: float) -> None:
        self.clock.set(self.clock.now() + timedelta(**kw))

    def user(self, plan: str = "pro", training: str | None = "on") -> str:
        account_id = accounts.sign_up(self.app.ctx, plan=plan, training=training).account_id
        self.real_ids.add(account_id)
        return account_id

    def chat(self, account_id: str, *texts: str, **kw: object) -> str:
        ctx = self.app.ctx
        session_id = sessions.start_session(
            ctx,
            account_id=account_id,
            kind=str(kw.pop("kind", "chat")),
            **kw,  # type: ignore[arg-type]
        ).session.id
        self.real_ids.add(session_id)
        for i, text in enumerate(texts):
            self.advance(seconds=1)
            role = "user" if i % 2 == 0 else "assistant"
            message = sessions.add_message(
                ctx,
                account_id=account_id,
                session_id=session_id,
                role=role,
                content=text,
                author=author_of(role),
            )
            self.real_ids.add(message.id)
        return session_id

    def say(self, account_id: str, session_id: str, text: str, role: str = "assistant") -> str:
        self.advance(seconds=1)
        message = sessions.add_message(
            self.app.ctx,
            account_id=account_id,
            session_id=session_id,
            role=role,
            content=text,
            author=author_of(role),
        )
        self.real_ids.add(message.id)
        return message.id

    def feedback(self, account_id: str, session_id: str, message_id: str, comment: str) -> str:
        fid = sessions.give_feedback(
            self.app.ctx,
            account_id=account_id,
            session_id=session_id,
            message_id=message_id,
            rating="up",
            comment=comment,
        ).id
        self.real_ids.add(fid)
        return fid

    def choose(self, account_id: str, training: str) -> None:
        self.advance(seconds=1)
        accounts.record_choice(self.app.ctx, account_id=account_id, training=training)


def populate(app: App, clock: TestClock) -> Population:
    """Every way to be ineligible for `model_training` at the cutoff (R20, R23), plus
    eligible sessions of each kind, each with its own marker."""
    p = Population(app, clock)
    ctx = app.ctx

    # Expired: covered, but its five-year retention has ended by the cutoff (R12).
    old = p.user()
    p.chat(old, marker("expired"))
    p.ineligible[marker("expired")] = "retention ended"
    p.advance(days=1826)

    on = p.user()
    p.eligible[marker("eligweb")] = p.chat(on, marker("eligweb"), f"reply {marker('eligwebre')}")
    p.eligible[marker("eligwebre")] = p.eligible[marker("eligweb")]
    p.eligible[marker("eligcode")] = p.chat(on, marker("eligcode"), kind="code")
    sid = p.chat(on, f"{marker('eligfb')} hello")
    mid = p.say(on, sid, "an answer")
    p.eligible[marker("eligfb")] = sid
    p.feedback(on, sid, mid, f"great {marker('fbelig')}")
    p.eligible[marker("fbelig")] = "feedback"
    secrets_session = p.chat(on, *(f"{k}: {v} ok" for k, v in SENSITIVE.items()))
    p.eligible[marker("eligsecrets")] = secrets_session
    p.say(on, secrets_session, f"done {marker('eligsecrets')}")
    fb_secret_msg = p.say(on, secrets_session, "again")
    p.feedback(on, secrets_session, fb_secret_msg, f"mail me {SENSITIVE['email']}")

    # Resumed while on: an old chat made while off, continued after turning on (R10).
    resumed = p.user(training="off")
    rsid = p.chat(resumed, marker("resumedold"))
    p.choose(resumed, "on")
    p.say(resumed, rsid, marker("resumednew"), role="user")
    p.eligible[marker("resumedold")] = rsid  # whole_session is the default
    p.eligible[marker("resumednew")] = rsid

    # Opted out before the run.
    out = p.user()
    osid = p.chat(out, marker("optedout"))
    omid = p.say(out, osid, "answer")
    p.feedback(out, osid, omid, marker("fboptedout"))
    p.choose(out, "off")
    p.ineligible[marker("optedout")] = "choice off at the cutoff"
    p.ineligible[marker("fboptedout")] = "feedback of an opted-out account"

    # Never resumed after turning on: chats while off, then on, no new activity (R10).
    never = p.user(training="off")
    p.chat(never, marker("neverresumed"))
    p.choose(never, "on")
    p.ineligible[marker("neverresumed")] = "no covered activity"

    # Deleted session of an account that stays on (R14).
    deleter = p.user()
    dsid = p.chat(deleter, marker("deleted"))
    sessions.delete_session(ctx, account_id=deleter, session_id=dsid)
    p.eligible[marker("deleterkept")] = p.chat(deleter, marker("deleterkept"))
    p.ineligible[marker("deleted")] = "session deleted"

    # Deleted account (R15), with feedback.
    gone = p.user()
    gsid = p.chat(gone, marker("goneacct"))
    gmid = p.say(gone, gsid, "answer")
    p.feedback(gone, gsid, gmid, marker("fbgone"))
    accounts.delete_account(ctx, account_id=gone)
    p.ineligible[marker("goneacct")] = "account deleted"
    p.ineligible[marker("fbgone")] = "feedback of a deleted account"

    # Incognito (R11), commercial plan and API surface (R1, R2).
    p.chat(on, marker("incognito"), incognito=True)
    p.ineligible[marker("incognito")] = "incognito"
    team = p.user(plan="team", training=None)
    p.chat(team, marker("commercial"))
    p.ineligible[marker("commercial")] = "commercial plan"
    p.chat(on, marker("apisurface"), surface="api")
    p.ineligible[marker("apisurface")] = "api surface"

    p.advance(seconds=1)
    return p


@pytest.fixture
def population(app: App, clock: TestClock) -> Population:
    return populate(app, clock)


def everything_in(directory: Path) -> str:
    """Every byte of every file, plus every value as pyarrow and pandas read it back."""
    parts: list[str] = []
    for path in sorted(directory.iterdir()):
        raw = path.read_bytes()
        parts.append(raw.decode("utf-8", "replace"))
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            parts.append(json.dumps(table.to_pylist(), default=str))
            parts.append(pd.read_parquet(path).to_csv())
        elif path.suffix == ".jsonl" and raw:
            parts.append(pd.read_json(io.BytesIO(raw), lines=True).to_csv())
    return "\n".join(parts)


def tree_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}
