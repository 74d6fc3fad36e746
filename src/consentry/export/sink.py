"""The export sink port and its adapters (R25).

An :class:`ExportSink` is where one export's files go. It guarantees what makes a
partial export impossible to mistake for a complete one:

* :meth:`ExportSink.begin` first removes ``manifest.json`` (the completeness mark),
  then every leftover of an earlier attempt;
* :meth:`ExportSink.put` writes a file under a temporary name, makes it durable and
  only then gives it its final name, so a named file is always whole;
* :meth:`ExportSink.seal` makes the renames so far durable; the exporter calls it
  before and after writing the manifest, so the manifest never outlives its shards.

:class:`DirectorySink` does this on a local (POSIX) file system with ``fsync`` and
``rename``, its directory 0700 and its files 0600 (no other local user reads them);
:class:`MemorySink` is the in-memory fake for unit tests.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

from consentry.adapters.files import make_private_dirs, open_private
from consentry.domain.errors import Conflict

from .manifest import MANIFEST_NAME, is_export_file

PARTIAL_SUFFIX = ".partial"


@dataclass(frozen=True)
class StoredFile:
    name: str
    path: str
    sha256: str
    rows: int


class ExportSink(Protocol):
    """Where an export's files go (one directory per run)."""

    location: str

    def __enter__(self) -> ExportSink: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def begin(self) -> None:
        """Mark the export incomplete (remove the manifest first), then clear leftovers."""
        ...

    def put(self, name: str, write: Callable[[BinaryIO], int]) -> StoredFile:
        """Write one whole file: ``write`` fills a stream and returns its row count."""
        ...

    def seal(self) -> None:
        """Make every file put so far durable under its final name."""
        ...


class DirectorySink:
    """A local directory; exclusive while open (an ``flock`` on the directory)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.path = Path(directory).absolute()
        self.location = str(self.path)
        self._dir_fd: int | None = None

    def __enter__(self) -> DirectorySink:
        import fcntl

        make_private_dirs(self.path)  # 0700: shards hold message text (issue 17 item 5)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Conflict(f"another export is writing to {self.location}") from None
        self._dir_fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._dir_fd is not None:
            os.close(self._dir_fd)  # also releases the flock
            self._dir_fd = None

    def begin(self) -> None:
        manifest = self.path / MANIFEST_NAME
        if manifest.exists():
            manifest.unlink()
            self.seal()
        for entry in self.path.iterdir():
            if entry.is_file() and (is_export_file(entry.name) or _is_partial(entry.name)):
                entry.unlink()
        self.seal()

    def put(self, name: str, write: Callable[[BinaryIO], int]) -> StoredFile:
        final = self.path / name
        temporary = self.path / f".{name}{PARTIAL_SUFFIX}"
        try:
            with open_private(temporary) as stream:  # 0600 from creation on
                rows = write(stream)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, final)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        return StoredFile(name, str(final), sha256_file(final), rows)

    def seal(self) -> None:
        fd = self._dir_fd if self._dir_fd is not None else os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            if fd != self._dir_fd:
                os.close(fd)


class MemorySink:
    """In-memory fake: ``files`` holds what a reader would see after a crash now."""

    def __init__(self) -> None:
        self.location = "memory:"
        self.files: dict[str, bytes] = {}

    def __enter__(self) -> MemorySink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def begin(self) -> None:
        self.files.pop(MANIFEST_NAME, None)
        for name in [n for n in self.files if is_export_file(n)]:
            del self.files[name]

    def put(self, name: str, write: Callable[[BinaryIO], int]) -> StoredFile:
        buffer = io.BytesIO()
        rows = write(buffer)
        data = buffer.getvalue()
        self.files[name] = data
        return StoredFile(name, f"memory:{name}", hashlib.sha256(data).hexdigest(), rows)

    def seal(self) -> None:
        return None


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _is_partial(name: str) -> bool:
    return name.startswith(".") and name.endswith(PARTIAL_SUFFIX)
