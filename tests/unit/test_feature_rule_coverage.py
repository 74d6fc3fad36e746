"""Every numbered rule of docs/rules.md (P1, P2, …) is pinned by at least one test that
cites it, as test_rule_coverage.py holds SPEC.md's R1…R28."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.test_rule_coverage import citations

ROOT = Path(__file__).resolve().parents[2]
RULE = re.compile(r"^- P(\d+)\. ", re.MULTILINE)
CITATION = re.compile(r"(?<![A-Za-z0-9])P(\d+)(?!\d)")


def _rules() -> set[int]:
    return {int(n) for n in RULE.findall((ROOT / "docs" / "rules.md").read_text(encoding="utf-8"))}


def _citations() -> dict[int, set[str]]:
    return citations(CITATION)


def test_the_feature_rules_are_numbered_from_one_without_gaps() -> None:
    rules = _rules()
    assert rules and rules == set(range(1, max(rules) + 1))


def test_every_feature_rule_has_a_test_that_cites_it() -> None:
    citations = _citations()
    missing = [f"P{n}" for n in sorted(_rules()) if not citations.get(n)]
    assert not missing, f"rules of docs/rules.md no test cites: {missing}"


def test_no_test_cites_a_feature_rule_docs_rules_md_does_not_have() -> None:
    unknown = {f"P{n}": sorted(tests) for n, tests in _citations().items() if n not in _rules()}
    assert not unknown, f"tests cite rules docs/rules.md does not number: {unknown}"
