"""Provider API keys and tokens, recognised by their documented shapes.

Each shape is a literal prefix, the alphabet of the body and the body's length
range, written from the provider's published token format (nothing is copied
from another project's rule set). One RE2 pass finds the prefixes; the body is
then matched anchored at each prefix, so the scan stays linear and the combined
automaton stays small.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import re2

from .checksums import entropy_at_least, looks_random
from .detector import (
    ANCHOR_START,
    UNANCHORED,
    Candidate,
    RawCandidate,
    compile_pattern,
    is_word_byte,
    raw_matcher,
)
from .model import SECRET

RANK = 20


@dataclass(frozen=True, slots=True)
class TokenShape:
    """``prefixes`` + a run of ``alphabet`` whose length lies in [min_body, max_body]."""

    prefixes: tuple[str, ...]
    alphabet: str
    min_body: int
    max_body: int = 1024


SHAPES = (
    TokenShape(("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA",
                "APKA", "AROA"), "A-Z0-9", 16, 16),  # AWS access key ids
    TokenShape(("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), "A-Za-z0-9", 36, 251),  # GitHub
    TokenShape(("github_pat_",), "A-Za-z0-9_", 22, 244),  # GitHub fine-grained PAT
    TokenShape(("glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glimt-", "gloas-", "glsoat-",
                "glcbt-", "glagent-"), "A-Za-z0-9_.-", 20),  # GitLab
    TokenShape(("xoxb-", "xoxa-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xapp-"),
               "A-Za-z0-9-", 10),  # Slack
    TokenShape(("https://hooks.slack.com/services/", "https://hooks.slack.com/workflows/"),
               "A-Za-z0-9/_-", 20),  # Slack webhook URL
    TokenShape(("sk_live_", "sk_test_", "rk_live_", "rk_test_"), "A-Za-z0-9", 16),  # Stripe
    TokenShape(("whsec_",), "A-Za-z0-9+/=", 24),  # Stripe webhook signing secret
    TokenShape(("sk-ant-",), "A-Za-z0-9_-", 20),  # Anthropic
    TokenShape(("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"), "A-Za-z0-9_-", 20),  # OpenAI
    TokenShape(("AIza",), "0-9A-Za-z_-", 35, 35),  # Google API key
    TokenShape(("GOCSPX-",), "A-Za-z0-9_-", 28, 28),  # Google OAuth client secret
    TokenShape(("ya29.",), "0-9A-Za-z_-", 20),  # Google OAuth access token
    TokenShape(("npm_",), "A-Za-z0-9", 36, 36),  # npm
    TokenShape(("pypi-AgEIcHlwaS5vcmc",), "A-Za-z0-9_-", 50),  # PyPI (macaroon)
    TokenShape(("hf_",), "A-Za-z0-9", 34, 40),  # Hugging Face
    TokenShape(("SG.",), "A-Za-z0-9_.-", 66, 66),  # SendGrid: 22 . 43
    TokenShape(("SK",), "0-9a-fA-F", 32, 32),  # Twilio API key sid
    TokenShape(("shpat_", "shpca_", "shppa_", "shpss_"), "a-fA-F0-9", 32, 32),  # Shopify
    TokenShape(("dop_v1_", "doo_v1_", "dor_v1_"), "a-f0-9", 64, 64),  # DigitalOcean
    TokenShape(("dapi",), "a-f0-9", 32, 32),  # Databricks
)


def prefix_order() -> list[str]:
    """Every prefix, longest first: the order of the alternatives in the prefix pattern."""
    return sorted((p for s in SHAPES for p in s.prefixes), key=lambda p: (-len(p), p))


class ProviderTokenDetector:
    """Finds tokens of the :data:`SHAPES` above."""

    __slots__ = ("_bodies", "_prefixes", "_search")

    def __init__(self) -> None:
        literals = prefix_order()
        self._prefixes = compile_pattern(r"\b(?:" + "|".join(re2.escape(p) for p in literals) + ")")
        self._search = raw_matcher(self._prefixes)
        self._bodies = {
            p.encode(): (raw_matcher(compile_pattern(f"[{s.alphabet}]+")), s.min_body, s.max_body)
            for s in SHAPES
            for p in s.prefixes
        }

    def __reduce__(self) -> tuple[type[ProviderTokenDetector], tuple[()]]:
        return (ProviderTokenDetector, ())  # rebuilt from SHAPES (raw matchers do not pickle)

    @property
    def prefilter(self) -> str:
        """Every token starts with a match of this pattern (see ``PatternDetector``)."""
        pattern: str = self._prefixes.pattern
        return pattern

    def scan(self, data: bytes) -> Iterator[Candidate]:
        """Yield every well-formed provider token."""
        found: list[RawCandidate] = []
        self.collect(data, found)
        for cand in found:
            yield Candidate._make(cand)

    def collect(self, data: bytes, out: list[RawCandidate]) -> None:
        """Append every well-formed provider token to ``out`` (see :meth:`scan`)."""
        search = self._search
        bodies = self._bodies
        n = len(data)
        covered_to = 0
        pos = 0
        while pos <= n:
            start, body_start = search(UNANCHORED, data, pos, n)[0]
            if start < 0:
                return
            pos = body_start  # literal prefixes are never empty
            if start < covered_to:
                continue
            prefix = data[start:body_start]
            body, min_body, max_body = bodies[prefix]
            end = body(ANCHOR_START, data, body_start, n)[0][1]
            if end < 0:
                end = body_start
            covered_to = end
            if not min_body <= end - body_start <= max_body:
                continue
            after = data[end] if end < n else 0x20
            if is_word_byte(after) or after == 0x2D:
                continue
            if prefix == b"sk-" and not _random_openai_body(data[body_start:end]):
                continue
            out.append((start, end, SECRET, RANK))


def _random_openai_body(body: bytes) -> bool:
    """``sk-`` alone is a common word prefix (``sk-learn``); demand a random body."""
    tail = body.rsplit(b"-", 1)[-1] if len(body) > 40 else body
    return looks_random(tail) and entropy_at_least(tail, 3.5)
