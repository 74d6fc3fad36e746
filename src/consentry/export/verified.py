"""The manifest of a run's export, once the export is shown whole and the run's own.

Shared by the readers of an export directory that a caller names (``runs summary``,
``runs open``): an export directory is a copy on disk, so it is checked before use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from consentry.domain.errors import ExportInvalid, NotExported
from consentry.export.formats import iso_utc
from consentry.export.manifest import MANIFEST_NAME, read_manifest, verify_export
from consentry.service.records import RunRecord


def verified_manifest(run: RunRecord, root: Path) -> dict[str, Any]:
    """The manifest in ``root``. Raises NotExported when it holds none, ExportInvalid when
    the export does not verify (digests, rows, files: :func:`verify_export`) or is
    another run's (its run id, cutoff or policy digest differ from ``run``'s)."""
    if not (root / MANIFEST_NAME).is_file():
        raise NotExported(f"run {run.id} has no complete export in {root}; export it first")
    problems = verify_export(root)
    if problems:
        raise ExportInvalid(f"the export of run {run.id} does not verify: {problems[0]}")
    manifest = read_manifest(root)
    for key, value in (
        ("run_id", run.id),
        ("cutoff", iso_utc(run.cutoff)),
        ("policy_digest", run.policy_digest),
    ):
        if manifest.get(key) != value:
            raise ExportInvalid(f"{root / MANIFEST_NAME}: {key} is not run {run.id}'s")
    return manifest
