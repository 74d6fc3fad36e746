"""Files and directories that hold personal data or secrets: owner-only from birth.

The SQLite database (and its WAL and SHM files), export shards and manifests, and key
files are created with no group or other permissions (issue 17 item 5): 0600 for files,
0700 for directories, whatever the process umask. Modes are set when the file is
created (``os.open`` with the mode, then ``fchmod`` against a permissive umask), never
after writing, so there is no moment at which another local user could open one.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def make_private_dirs(path: Path) -> None:
    """Create `path` and any missing parents, each new one 0700; the last one is made
    private even when it already existed. Existing parents are left as they are."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, PRIVATE_DIR)
        except FileExistsError:
            continue  # made meanwhile by another process; restricted below if it is ours
        os.chmod(directory, PRIVATE_DIR)
    restrict(path, PRIVATE_DIR)


def open_private(path: Path) -> BinaryIO:
    """Open `path` for writing (created or truncated) with mode 0600 from the start."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its mode through O_CREAT
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def create_private(path: Path) -> None:
    """Create an empty `path` 0600 if it does not exist; make an existing one private."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE)
    except FileExistsError:
        restrict(path, PRIVATE_FILE)
        return
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def restrict(path: Path, mode: int) -> None:
    """Take group and other permissions off an existing `path` we own (else warn)."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if current & 0o077 == 0:
        return
    try:
        os.chmod(path, current & mode)
    except PermissionError:
        log.warning("%s is readable by other users (mode %o) and not ours to chmod", path, current)
