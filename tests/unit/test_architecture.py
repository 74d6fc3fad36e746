"""The domain stays pure: no web framework, ORM or CLI library (STYLE.md §1)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).parents[2] / "src" / "consentry" / "domain"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    offenders = {}
    for path in DOMAIN.glob("*.py"):
        bad = {
            name
            for name in _imports(path)
            if name.split(".")[0] not in stdlib and not name.startswith("consentry.domain")
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
