"""The vendored Swagger UI files are the npm package's bytes (issue 24 item 4)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from consentry.entrypoints.api import docs

ASSETS = Path(docs.__file__).parent / "swagger_ui"


def test_every_vendored_file_matches_its_recorded_sha256() -> None:
    sums = {}
    for line in (ASSETS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        sums[name] = digest
    assert set(sums) == {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "LICENSE",
        "NOTICE",
        "swagger-ui-bundle.js.LICENSE.txt",
    }
    for name, digest in sums.items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name
    version = (ASSETS / "README.md").read_text().splitlines()[0]
    assert version == "# Swagger UI 5.36.0 (vendored)"


def test_every_served_asset_exists_and_nothing_else_is_served() -> None:
    for name in docs.SERVED:
        assert (ASSETS / name).is_file(), name
    assert "README.md" not in docs.SERVED and "SHA256SUMS" not in docs.SERVED
