"""Optional extras: which are installed, and the error a command gives when one is missing.

consentry's core (``pip install consentry``) serves the API, the pages and every command
of SPEC §3. Some commands need more, installed as an extra:

======  ==========================  ===============================================
extra   modules                     what it adds
======  ==========================  ===============================================
demo    faker                       ``consentry demo``: a synthetic population
lake    deltalake                   ``consentry lake …``: the Delta lake (SPEC §5)
spark   pyspark, pandas, deltalake  ``consentry spark …``: the Spark job (SPEC §5)
ner     spacy (+ en_core_web_sm)    the filter's NER stage: names, addresses (SPEC §4)
bench   presidio_analyzer, …        the benchmark scripts in ``benchmarks/``
otel    opentelemetry (api, sdk)    traces configured by OTEL_* (``consentry.telemetry``)
======  ==========================  ===============================================

A command that needs a missing extra calls :func:`require`, which raises
:class:`ExtraMissing` (exit 2 in the CLI, with the ``pip install`` line to run).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from consentry.domain.errors import ConsentryError

EXTRAS: dict[str, tuple[str, ...]] = {
    "demo": ("faker",),
    "lake": ("deltalake",),
    "spark": ("pyspark", "pandas", "deltalake"),
    "ner": ("spacy",),
    "bench": ("presidio_analyzer", "presidio_anonymizer", "matplotlib", "pyinstrument"),
    "otel": ("opentelemetry.trace", "opentelemetry.sdk"),
}


class ExtraMissing(ConsentryError):
    """A command needs an extra that is not installed."""

    code = "extra_missing"
    status = 500


@dataclass(frozen=True)
class ExtraStatus:
    name: str
    installed: bool
    missing: tuple[str, ...]


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def status(name: str) -> ExtraStatus:
    """Whether every module of extra ``name`` can be imported (without importing it)."""
    missing = tuple(m for m in EXTRAS[name] if not _has(m))
    return ExtraStatus(name=name, installed=not missing, missing=missing)


def require(name: str, *, command: str) -> None:
    """Raise :class:`ExtraMissing` naming the extra to install when ``name`` is missing."""
    found = status(name)
    if not found.installed:
        raise ExtraMissing(
            f"`{command}` needs the '{name}' extra (missing: {', '.join(found.missing)}): "
            f"pip install 'consentry[{name}]'"
        )
