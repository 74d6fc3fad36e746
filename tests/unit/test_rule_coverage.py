"""Every numbered rule of SPEC.md is pinned by at least one test that cites it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

RULES = range(1, 29)  # SPEC.md R1…R28
TESTS = Path(__file__).resolve().parents[1]
CITATION = re.compile(r"R(\d+)(?!\d)")


def _citations() -> dict[int, set[str]]:
    return citations(CITATION)


def citations(pattern: re.Pattern[str]) -> dict[int, set[str]]:
    """Rule number -> the tests whose name or docstring cites it (`pattern` captures the
    number: SPEC.md's R-rules here, docs/rules.md's P-rules in test_feature_rule_coverage)."""
    found: dict[int, set[str]] = {}
    for path in TESTS.rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name.startswith(
                ("test_", "Test")
            ):
                text = node.name + " " + (ast.get_docstring(node) or "")
                for number in pattern.findall(text):
                    found.setdefault(int(number), set()).add(f"{path.name}::{node.name}")
    return found


def test_every_rule_has_a_test_that_cites_it() -> None:
    citations = _citations()
    missing = [f"R{n}" for n in RULES if not citations.get(n)]
    assert not missing, f"rules no test cites by name or docstring: {missing}"


def test_no_test_cites_a_rule_the_spec_does_not_have() -> None:
    unknown = sorted(n for n in _citations() if n not in RULES)
    assert not unknown, f"tests cite rules SPEC.md does not number: {unknown}"
