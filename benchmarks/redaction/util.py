"""Shared helpers for the corpus generators."""

from __future__ import annotations

import base64
import hashlib
import random
import string
import uuid
from dataclasses import dataclass, field


@dataclass
class Record:
    """One labelled text: spans in ``labels`` must be found, nothing else may be."""

    text: str = ""
    labels: list[tuple[str, int, int]] = field(default_factory=list)

    def add(self, piece: str) -> None:
        """Append unlabelled text."""
        self.text += piece

    def add_entity(self, entity_type: str, value: str) -> None:
        """Append ``value`` labelled as ``entity_type``."""
        start = len(self.text)
        self.text += value
        self.labels.append((entity_type, start, len(self.text)))


def random_chars(rng: random.Random, alphabet: str, n: int) -> str:
    """``n`` characters drawn from ``alphabet``."""
    return "".join(rng.choice(alphabet) for _ in range(n))


ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"


def hex_digest(rng: random.Random, algo: str = "sha1") -> str:
    """A hex digest of random bytes."""
    return hashlib.new(algo, rng.randbytes(16)).hexdigest()


def seeded_uuid(rng: random.Random) -> str:
    """A UUID4 from the seeded generator."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def b64_blob(rng: random.Random, n: int) -> str:
    """Standard base64 of ``n`` random bytes."""
    return base64.b64encode(rng.randbytes(n)).decode()
