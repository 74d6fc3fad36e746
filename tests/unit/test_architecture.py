"""Layers stay apart: a pure domain (STYLE.md §1), use cases that reach storage only
through their ports (STYLE.md §2)."""

from __future__ import annotations

import ast
import subprocess
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


ROOT = DOMAIN.parents[2]
CONTRACTS = ROOT / ".importlinter"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def test_import_contracts_hold() -> None:
    """The import-linter contracts of `.importlinter` (issue 20): the domain is pure, the
    service reaches storage only through its ports, features and adapters never import
    the entry points or the wiring, and entry points -> service -> domain is one way.

    In a child process: import-linter configures logging with ``disable_existing_loggers``,
    which in this process silenced every ``consentry`` logger for the tests after it
    (tests/integration/outbox/test_webhooks.py's log check then saw no record)."""
    run = (
        "from importlinter.cli import lint_imports; "
        f"raise SystemExit(lint_imports(config_filename={str(CONTRACTS)!r}, "
        "no_cache=True, no_logo=True))"
    )
    child = subprocess.run(
        [sys.executable, "-c", run], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert child.returncode == 0, (
        f"an import contract is broken (run .venv/bin/lint-imports):\n{child.stdout}{child.stderr}"
    )


def _contracts() -> list[dict[str, str]]:
    import configparser

    parser = configparser.ConfigParser(comment_prefixes=(";", "#"), inline_comment_prefixes=None)
    parser.read(CONTRACTS)
    return [dict(parser[s]) for s in parser.sections() if s.startswith("importlinter:contract:")]


def test_architecture_doc_names_every_contract_and_every_ignored_import() -> None:
    """docs/architecture.md matches the contracts: each one by name, and each ignored
    import (a known debt) listed word for word, so no exclusion is silent."""
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    missing = []
    for contract in _contracts():
        if contract["name"] not in doc:
            missing.append(contract["name"])
        for line in contract.get("ignore_imports", "").splitlines():
            if line.strip() and f"`{line.strip()}`" not in doc:
                missing.append(line.strip())
    assert missing == []
