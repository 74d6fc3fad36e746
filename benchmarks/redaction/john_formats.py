"""Every test vector of John the Ripper's formats, through the filter (issue 16, SPEC §4).

    .venv/bin/python -m benchmarks.redaction.john_formats --mirrors /work/.mirror [--misses N]

The outside suite holds John's ``$id$`` vectors of 13 files. This reads every
``struct fmt_tests`` table under ``src/`` at the commit ``outside/sources.json`` pins
(``{"ciphertext", "password"}`` pairs), puts each ciphertext in a sentence and counts,
per file, the ones a finding covers whole, with the compiled and the Python scans (they
must agree). A ciphertext is *marked* when it opens with a fixed marker of its encoding
(``$``, ``{SCHEME}``, ``*``, ``0x0``) or holds a pwdump/NetNTLM ``::``; the others are
bare hex or base64 digests, which nothing tells from a commit hash or a checksum, and
SPEC §4 asks for hashes in their standard encodings, not for every digest. John's own
``$dynamic_N$`` notation is counted apart (it is John's, not a system's, encoding).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from consentry.redaction import Redactor

from .mirrors import PinnedSources

PINNED = PinnedSources(Path(__file__).parent / "outside" / "sources.json")
_VECTOR = re.compile(r'\{\s*"([^"\\\s]{16,300})"\s*,\s*"')
_MARKED = re.compile(r"^(?:\$|\{[A-Za-z0-9_-]+\}|\*[0-9A-Fa-f]{40}$|0x0)|::")


def vectors(mirrors: Path) -> dict[str, set[str]]:
    """The ciphertexts of each source file that has a ``fmt_tests`` table."""
    out = {}
    for path in PINNED.ls(mirrors, "john", "src"):
        if path.endswith((".c", ".h")):
            text = PINNED.show(mirrors, "john", path, errors="replace")
            if "fmt_tests" in text:
                out[path] = set(_VECTOR.findall(text))
    return out


def kind(value: str) -> str:
    """``dynamic``, ``marked`` or ``bare`` (module docstring)."""
    if value.startswith("$dynamic_"):
        return "dynamic"
    return "marked" if _MARKED.search(value) else "bare"


def main() -> None:
    """Print found/total per kind, and the files with marked misses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--misses", type=int, default=0, help="files with marked misses")
    args = parser.parse_args()
    scans = {"compiled": Redactor(native=True), "python": Redactor(native=False)}
    total, found, missed = Counter[str](), Counter[str](), Counter[str]()
    example: dict[str, str] = {}
    for path, values in sorted(vectors(args.mirrors).items()):
        for value in sorted(values):
            text = f"the stored hash is {value} for that user"
            start = text.index(value)
            covered = {
                name: any(f.start <= start and f.end >= start + len(value) for f in spans)
                for name, spans in ((n, r.redact(text).findings) for n, r in scans.items())
            }
            if covered["compiled"] != covered["python"]:
                raise SystemExit(f"compiled and Python scans differ on {value!r} ({path})")
            total[kind(value)] += 1
            found[kind(value)] += covered["compiled"]
            if kind(value) == "marked" and not covered["compiled"]:
                missed[path] += 1
                example.setdefault(path, value)
    for name in ("marked", "bare", "dynamic"):
        print(f"{name}: {found[name]}/{total[name]} found whole")
    for path, n in missed.most_common(args.misses):
        print(f"  {n:3d} {path}: {example[path][:80]}")


if __name__ == "__main__":
    main()
