"""The vendored DPV 2.2 vocabulary (tests/vocab/dpv/SOURCE.md), read offline."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "dpv"
VOCABULARY = HERE / "dpv-2.2.jsonld.gz"
SHA256 = "cd67343a46fd3d405716741d9413fca0fab9413c5e920505ea15a0cf3f295c51"
NAMESPACE = "https://w3id.org/dpv#"


def raw() -> bytes:
    return gzip.decompress(VOCABULARY.read_bytes())


@functools.cache
def defined_terms() -> frozenset[str]:
    """Every IRI in the DPV namespace that the published vocabulary defines (an ``@id``)."""
    nodes: list[dict[str, Any]] = json.loads(raw())
    return frozenset(
        node["@id"] for node in nodes if str(node.get("@id", "")).startswith(NAMESPACE)
    )


def digest() -> str:
    return hashlib.sha256(raw()).hexdigest()
