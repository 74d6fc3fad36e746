"""The purge log: every purge the sweeper commits, kept outside the database (issue 26).

One JSON line per swept batch: ``{"at", "sweep_id", "kind", "ids", "keys_destroyed"}`` and
``scopes``, the key scopes destroyed (a pooled session's is ``pool:<key id>``, issue 26),
appended and fsynced before the batch's data keys are destroyed. A database restored from
an older backup has not seen the purges made since; ``consentry db restore`` replays this
log so each of them is applied again (R17: idempotent, already purged items are skipped).
The log holds ids and times, never content. Entries older than the oldest backup still
kept may be dropped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from consentry.domain.errors import InvalidInput
from consentry.service.keys import PurgeEntry


class PurgeLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: PurgeEntry) -> None:
        line = json.dumps(
            {
                "at": entry.at,
                "sweep_id": entry.sweep_id,
                "kind": entry.kind,
                "ids": list(entry.ids),
                "keys_destroyed": entry.keys_destroyed,
                **({"scopes": list(entry.scopes)} if entry.scopes else {}),
            },
            separators=(",", ":"),
        )
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> Iterator[PurgeEntry]:
        if not self.path.exists():
            return
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                yield PurgeEntry(
                    at=str(raw["at"]),
                    sweep_id=str(raw["sweep_id"]),
                    kind=str(raw["kind"]),
                    ids=tuple(str(i) for i in raw["ids"]),
                    keys_destroyed=bool(raw["keys_destroyed"]),
                    scopes=tuple(str(s) for s in raw.get("scopes", ())),
                )
            except (ValueError, KeyError, TypeError):
                if number == len(lines):
                    return  # a torn last line: the crash came before its keys went
                raise InvalidInput(f"the purge log {self.path} line {number} is damaged") from None
