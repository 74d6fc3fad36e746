"""Obfuscation as an attacker would try it: a values × transforms matrix (issue 16, SPEC §4).

    PYTHONPATH=src .venv/bin/python -m benchmarks.redaction.obfuscation [--no-pairs] [--leaks N]

Takes the clean values of :mod:`.obfuscation_forms` (every type the filter finds,
our own examples) and applies every transform singly, then every pair of
:data:`~.obfuscation_forms.PAIR_SET` (one per family), each obfuscated form in a
sentence. A form is found *whole* when findings cover every ASCII letter or digit
of the value's core, *partial* when they cover some, *leaked* when none. A
transform that leaves a value as it was does not count for it. Both scans run on
every form and must agree. Ordinary sentences (negatives), put through the same
transforms, must give no finding. Prints a table per transform family and type.
"""

from __future__ import annotations

import argparse
import itertools
from collections import Counter, defaultdict

from consentry.redaction import Redactor

from .obfuscation_forms import PAIR_SET, VALUES, Pieces, Transform, Value, pieces_of, transforms

SENTENCE = "Please check {v} before Friday, thanks."
NEGATIVES = (
    Value("-", "meeting", "Meeting moved to 14:30 in room 204 on 2026-12-08, agenda v3.11.2"),
    Value("-", "prices", "Total 1,250.00 EUR for 12 seats, order 7741 of 2025, page 3-4"),
    Value("-", "prose", "Hello Sophie, please review section 4.2 and the 3 open issues"),
    Value("-", "code", "for i in range(10): total += items[i] * 2  # step 5 of 12"),
)


def _outcome(text: str, positions: list[int], spans: list[tuple[int, int]]) -> str:
    covered = sum(any(s <= p < e for s, e in spans) for p in positions)
    if covered == len(positions):
        return "whole"
    return "partial" if covered else "leaked"


def _render(pieces: Pieces, value: Value) -> tuple[str, list[int]]:
    """The sentence and where each ASCII letter or digit of the core now starts."""
    prefix = SENTENCE.index("{v}")
    start, end = value.core
    positions: list[int] = []
    at = prefix
    for i, piece in enumerate(pieces):
        c = value.text[i]
        if start <= i < end and c.isascii() and c.isalnum():
            # Where the character itself sits in its piece (after a NUL a transform put
            # before it); a piece that rewrote it (full width) starts where it was.
            positions.append(at + max(piece.find(c), 0))
        at += len(piece)
    return SENTENCE.replace("{v}", "".join(pieces)), positions


class Matrix:
    """Counts per (family or transform, type) and the forms that leaked."""

    def __init__(self) -> None:
        self.native = Redactor()
        self.python = Redactor(native=False)
        self.counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.misses: list[tuple[str, str, str, str]] = []
        self.disagreements: list[str] = []
        self.negative_findings: list[tuple[str, str, str]] = []

    def measure(self, label: str, value: Value, pieces: Pieces) -> None:
        text, positions = _render(pieces, value)
        result = self.native.redact(text)
        if self.python.redact(text) != result:
            self.disagreements.append(f"{label} {value.name}: {text!r}")
        spans = [(f.start, f.end) for f in result.findings]
        if value.kind == "-":
            self.negative_findings += [
                (label, value.name, text[f.start : f.end]) for f in result.findings
            ]
            self.counts[(label, "negatives")]["whole" if not spans else "leaked"] += 1
            return
        outcome = _outcome(text, positions, spans)
        self.counts[(label, value.kind)][outcome] += 1
        if outcome != "whole":
            self.misses.append((outcome, label, value.name, text))


def _apply(chain: tuple[Transform, ...], value: Value) -> Pieces | None:
    pieces = pieces_of(value)
    for t in chain:
        changed = t(pieces, value)
        if changed == pieces:
            return None  # the transform does nothing to this value
        pieces = changed
    return pieces


def run(*, pairs: bool) -> Matrix:
    """Measure every single transform, then the pairs."""
    matrix = Matrix()
    table = transforms()
    for value in (*VALUES, *NEGATIVES):
        matrix.measure("(clean)", value, pieces_of(value))
        for name, t in table.items():
            obf = _apply((t,), value)
            if obf is not None:
                matrix.measure(name, value, obf)
        if not pairs:
            continue
        for a, b in itertools.permutations(PAIR_SET, 2):
            if a.split(":")[0] == b.split(":")[0]:
                continue
            obf = _apply((table[a], table[b]), value)
            if obf is not None:
                matrix.measure(f"pair:{a}+{b}", value, obf)
    return matrix


def _row(label: str, c: Counter[str]) -> str:
    n = sum(c.values())
    return (
        f"{label:<34} {n:>6} {c['whole']:>6} {c['partial']:>7} {c['leaked']:>6}"
        f" {c['whole'] / n if n else 1:>7.3f}"
    )


def report(matrix: Matrix, leaks: int) -> None:
    """Print the tables: per family, per type, per leaking transform; then the misses."""
    by_family: dict[str, Counter[str]] = defaultdict(Counter)
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    by_transform: dict[str, Counter[str]] = defaultdict(Counter)
    for (label, kind), c in matrix.counts.items():
        if kind == "negatives":
            continue
        family = "pairs" if label.startswith("pair:") else label.split(":")[0]
        by_family[family] += c
        by_type[kind] += c
        if not label.startswith("pair:"):
            by_transform[label] += c
    head = f"{'':<34} {'forms':>6} {'whole':>6} {'partial':>7} {'leaked':>6} {'recall':>7}"
    for title, rows in (("family", by_family), ("type", by_type)):
        print(f"\nby {title}\n{head}")
        for label in sorted(rows):
            print(_row(label, rows[label]))
    total: Counter[str] = sum(by_type.values(), Counter())
    print(_row("ALL", total))
    bad = [k for k, c in sorted(by_transform.items()) if c["whole"] != sum(c.values())]
    print(f"\nsingle transforms with a miss ({len(bad)} of {len(by_transform)})\n{head}")
    for label in bad:
        print(_row(label, by_transform[label]))
    neg = sum(c["leaked"] + c["whole"] for (_, k), c in matrix.counts.items() if k == "negatives")
    print(f"\nnegatives: {len(matrix.negative_findings)} findings in {neg} forms")
    for label, name, found in matrix.negative_findings[:leaks]:
        print(f"  {label} {name}: {found!r}")
    print(f"compiled != Python scan on {len(matrix.disagreements)} forms")
    for line in matrix.disagreements[:leaks]:
        print("  " + line)
    print(f"\nmisses ({len(matrix.misses)}), first {leaks}:")
    for outcome, label, name, text in matrix.misses[:leaks]:
        print(f"  {outcome:<7} {label} {name}: {text!r}")


def main() -> None:
    """Run the matrix and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pairs", action="store_true", help="single transforms only")
    parser.add_argument("--leaks", type=int, default=40, help="misses to print")
    args = parser.parse_args()
    report(run(pairs=not args.no_pairs), args.leaks)


if __name__ == "__main__":
    main()
