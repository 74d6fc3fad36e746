"""Every third-party import in src/ is declared (issue 15): a plain `pip install` must start.

An import at module level (outside any function, `if TYPE_CHECKING:` excepted) runs when the
package is imported, so its distribution must be in ``[project.dependencies]``. An import
inside a function runs only when that code runs: it must be declared too, as a dependency or
in an extra (the command that needs it names the extra, see ``consentry.extras``).
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "consentry"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


CORE = {_name(r) for r in PYPROJECT["dependencies"]}
EXTRAS = {
    extra: {_name(r) for r in requirements}
    for extra, requirements in PYPROJECT["optional-dependencies"].items()
    if extra != "dev"  # the test tools: nothing in src/ may need them
}


def _imports(tree: ast.Module) -> list[tuple[str, int, bool]]:
    """(top-level module, line, at module level) for every absolute import."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue  # never runs
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((a.name.split(".")[0], child.lineno, not nested) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], child.lineno, not nested))
            visit(child, inner)

    visit(tree, False)
    return found


@functools.cache
def _installed() -> Mapping[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _distributions(module: str) -> set[str]:
    names = _installed().get(module, [])
    return {_name(n) for n in names}


def test_every_third_party_import_is_declared() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        for module, line, module_level in _imports(ast.parse(path.read_text(), str(path))):
            if module in sys.stdlib_module_names or module == "consentry":
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            dists = _distributions(module)
            if not dists:
                problems.append(f"{where}: `{module}` is not installed in the test environment")
            elif module_level and not dists & CORE:
                extra = [e for e, names in EXTRAS.items() if dists & names]
                hint = f" (it is in the {extra} extra: import it lazily)" if extra else ""
                problems.append(
                    f"{where}: `{module}` imported at module level but {sorted(dists)} is not in "
                    f"[project.dependencies]{hint}"
                )
            elif not dists & (CORE | set().union(*EXTRAS.values())):
                problems.append(f"{where}: `{module}` ({sorted(dists)}) is in no dependency list")
    assert not problems, "\n".join(problems)


def test_extras_table_matches_pyproject() -> None:
    """`consentry.extras` checks the modules of exactly the extras pyproject declares."""
    from consentry.extras import EXTRAS as CHECKED

    assert set(CHECKED) == set(EXTRAS)
    for extra, modules in CHECKED.items():
        for module in modules:
            assert _distributions(module) & EXTRAS[extra] or not _distributions(module), (
                f"{module} of extra {extra!r} is not one of its requirements"
            )
