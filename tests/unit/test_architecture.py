"""Layers stay apart: a pure domain (STYLE.md §1), use cases that reach storage only
through their ports (STYLE.md §2)."""

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


SERVICE = DOMAIN.parent / "service"
ADAPTER_LIBRARIES = {"sqlalchemy", "alembic", "psycopg", "fastapi", "starlette", "typer"}


def test_use_cases_reach_storage_only_through_the_ports() -> None:
    """service/ imports no adapter, ORM, web or CLI module: storage is `service/ports.py`,
    which the SQL adapter implements (mypy checks it where the unit of work is built)."""
    offenders = {}
    for path in SERVICE.glob("*.py"):
        bad = {
            name
            for name in _imports(path)
            if name.startswith(("consentry.adapters", "consentry.entrypoints"))
            or name.split(".")[0] in ADAPTER_LIBRARIES
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
