"""Files of other projects' repositories at the commits a set's ``sources.json`` pins.

The holdout, fresh and fourth sets' harvests read their sources from bare git mirrors
(``fetch`` puts them under ``/work/.mirror/<owner>+<name>/repo``); ``sources.json``
names each source's mirror folder and commit.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


class PinnedSources:
    """``show`` and ``ls`` of the sources a ``sources.json`` lists, at their pinned commits."""

    def __init__(self, sources_json: Path) -> None:
        self.sources: dict[str, dict[str, str]] = json.loads(sources_json.read_text())

    def _git(self, mirrors: Path, source: str, *args: str) -> bytes:
        info = self.sources[source]
        git_dir = str(mirrors / info["mirror"] / "repo")
        return subprocess.run(
            ["git", "--git-dir", git_dir, *args], check=True, capture_output=True
        ).stdout

    def show(self, mirrors: Path, source: str, path: str, errors: str = "strict") -> str:
        """A file of a source's repository at the pinned commit (a leading BOM dropped)."""
        commit = self.sources[source]["commit"]
        raw = self._git(mirrors, source, "show", f"{commit}:{path}")
        return raw.decode("utf-8-sig", errors)

    def ls(self, mirrors: Path, source: str, folder: str) -> list[str]:
        """Paths under ``folder`` at the pinned commit."""
        commit = self.sources[source]["commit"]
        out = self._git(mirrors, source, "ls-tree", "-r", "--name-only", commit, folder)
        return out.decode("utf-8").splitlines()
