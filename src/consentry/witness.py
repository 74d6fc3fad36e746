"""A witness for the consent ledger's checkpoints (issue 21, item 6).

A witness keeps the last checkpoint it accepted (a small JSON state file). Shown a newer
one, it checks the log's signature and a consistency proof from the old tree to the new,
and only then adds its own signature line to the note and remembers the new tree head. A
smaller tree, a different root for the same size, or a proof that does not verify is a
fork: it refuses and keeps its state. A note carrying the log's signature and a witness's
tells its reader that at least that witness saw no rewrite up to that tree.

The cosignature is a C2SP ``tlog-cosignature`` v1 line (Ed25519, timestamped; see
:mod:`consentry.cosignature` and docs/ledger.md §6) by the witness's own key name over the
checkpoint body. Like :mod:`consentry.verify`, this module needs only the standard library
and ``cryptography``: proofs come from a callable, which the command line backs with the
public HTTP API or the database.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from consentry.cosignature import cosignature_line
from consentry.verify import (
    Checkpoint,
    VerificationError,
    open_checkpoint,
    parse_note,
    verify_consistency,
)

ConsistencySource = Callable[[int, int], list[bytes]]
"""Returns the consistency proof between two tree sizes (RFC 9162 §2.1.4)."""


@dataclass(frozen=True, slots=True)
class WitnessState:
    """The tree head the witness last cosigned."""

    origin: str
    size: int
    root: bytes

    @classmethod
    def load(cls, path: Path) -> WitnessState | None:
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(data["origin"], int(data["size"]), base64.b64decode(data["root"]))
        except (ValueError, KeyError, TypeError) as error:
            raise VerificationError(f"the witness state {path} is unreadable: {error}") from None

    def save(self, path: Path) -> None:
        """Write the state atomically (a crash leaves the old state or the new)."""
        body = {
            "origin": self.origin,
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
        }
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(body, f)
        os.replace(tmp, path)


def cosign(
    note: str,
    *,
    log_key: Ed25519PublicKey,
    witness_name: str,
    witness_key: Ed25519PrivateKey,
    state: WitnessState | None,
    consistency: ConsistencySource,
    timestamp: int | None = None,
) -> tuple[str, WitnessState]:
    """The note with the witness's cosignature line added (made at `timestamp`, POSIX
    seconds; default now), and the witness's new state; :class:`VerificationError`
    (starting "fork" or "rollback" where it is one) otherwise."""
    checkpoint = open_checkpoint(note, log_key)
    if state is not None:
        _check_extends(state, checkpoint, consistency)
    text, _ = parse_note(note)
    at = int(time.time()) if timestamp is None else timestamp
    cosigned = note + cosignature_line(text, witness_name, witness_key, at)
    return cosigned, WitnessState(checkpoint.origin, checkpoint.size, checkpoint.root)


def _check_extends(old: WitnessState, new: Checkpoint, consistency: ConsistencySource) -> None:
    if old.origin != new.origin:
        raise VerificationError(
            f"the state is for {old.origin!r}, the checkpoint for {new.origin!r}"
        )
    if new.size < old.size:
        raise VerificationError(f"rollback: the log shrank from {old.size} to {new.size} leaves")
    if new.size == old.size:
        if new.root != old.root:
            raise VerificationError(f"fork: two different roots for the tree of {new.size} leaves")
        return
    try:
        proof = consistency(old.size, new.size)
        verify_consistency(old.size, new.size, old.root, new.root, proof)
    except VerificationError as error:
        raise VerificationError(
            f"fork: the tree of {new.size} leaves does not extend the one of {old.size}"
            f" the witness cosigned ({error})"
        ) from None


def http_source(base_url: str, *, timeout: float = 30.0) -> tuple[str, ConsistencySource]:
    """The log's newest checkpoint and its consistency proofs, over its public HTTP API."""

    def get(path: str) -> bytes:
        url = base_url.rstrip("/") + path
        if not url.startswith(("http://", "https://")):
            raise VerificationError(f"{base_url!r} is not an http(s) URL")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
                body: bytes = response.read()
                return body
        except (urllib.error.URLError, OSError) as error:
            raise VerificationError(f"GET {url}: {error}") from None

    def consistency(first: int, second: int) -> list[bytes]:
        query = urllib.parse.urlencode({"first": first, "second": second})
        data = json.loads(get(f"/v1/ledger/consistency?{query}"))
        return [base64.b64decode(h, validate=True) for h in data["proof"]]

    return get("/v1/ledger/checkpoint").decode("utf-8"), consistency
