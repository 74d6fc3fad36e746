"""Where the lake lives: a local (or mounted) directory, or an S3 bucket (``s3://bucket/prefix``).

One :class:`LakeStorage` per lake root gives the two views the lake needs of the same
place: a ``pyarrow.fs`` file system with paths in it (for the Parquet files
``lake export`` writes and reads, the proof's listing, the purge's deletes) and the URI
plus storage options that delta-rs commits and time-travels with.

Credentials and the endpoint come from the environment, the variables every AWS SDK,
delta-rs and Spark's ``s3a`` read: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``, ``AWS_REGION`` (or ``AWS_DEFAULT_REGION``) and, for an
S3-compatible server (MinIO, Ceph, moto), ``AWS_ENDPOINT_URL``; an ``http://`` endpoint
is allowed only when it is set explicitly. They are never logged: :class:`LakeStorage`
keeps them out of its ``repr``. Commits on S3 use its conditional writes
(put-if-absent), which delta-rs does by default, so no lock service is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pyarrow import fs as pafs

from consentry.domain.errors import ConsentryError

OBJECT_SCHEMES = ("s3://", "s3a://")


class UnsupportedLakeUri(ConsentryError):
    """The lake root is a URI of a store the lake cannot write (only paths and s3://)."""

    code = "lake_uri_unsupported"


def is_object_store(lake: str) -> bool:
    """Whether the lake root is an object-store URI rather than a path."""
    return lake.startswith(OBJECT_SCHEMES)


@dataclass(frozen=True)
class LakeStorage:
    """A lake root: its pyarrow file system, its path there, and delta-rs's view of it."""

    uri: str
    filesystem: pafs.FileSystem
    base: str
    """The lake root as a path in :attr:`filesystem` (``bucket/prefix`` on S3)."""
    options: dict[str, str] = field(default_factory=dict, repr=False)
    """delta-rs storage options (credentials: never printed)."""

    @property
    def remote(self) -> bool:
        return self.uri.startswith("s3://")

    def path(self, *parts: str) -> str:
        """A path in :attr:`filesystem` below the lake root."""
        return "/".join([self.base.rstrip("/"), *(p.strip("/") for p in parts if p)])

    def table_uri(self, name: str) -> str:
        """What delta-rs opens for table `name`."""
        if self.remote:
            return "s3://" + self.path(name)
        return self.path(name)

    def exists(self, path: str) -> bool:
        return bool(self.filesystem.get_file_info(path).type != pafs.FileType.NotFound)

    def is_dir(self, path: str) -> bool:
        """A directory, or on S3 a prefix with at least one object below it."""
        if not self.remote:
            return bool(self.filesystem.get_file_info(path).type == pafs.FileType.Directory)
        return bool(self.list(path, recursive=False))

    def list(self, path: str, *, recursive: bool = True) -> list[str]:
        """Every file below `path` (paths in :attr:`filesystem`); empty if none."""
        selector = pafs.FileSelector(path, recursive=recursive, allow_not_found=True)
        infos = self.filesystem.get_file_info(selector)
        return sorted(i.path for i in infos if i.type == pafs.FileType.File)


def _s3(uri: str) -> LakeStorage:
    env = os.environ
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")
    fs_args: dict[str, Any] = {"region": region, "allow_bucket_creation": False}
    options = {"AWS_REGION": region}
    for key, arg in (
        ("AWS_ACCESS_KEY_ID", "access_key"),
        ("AWS_SECRET_ACCESS_KEY", "secret_key"),
        ("AWS_SESSION_TOKEN", "session_token"),
    ):
        if env.get(key):
            options[key] = env[key]
            fs_args[arg] = env[key]
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        fs_args["endpoint_override"] = host or scheme
        fs_args["scheme"] = scheme if host else "https"
        options["AWS_ENDPOINT_URL"] = endpoint
        if scheme == "http":
            options["AWS_ALLOW_HTTP"] = "true"
    base = uri.split("://", 1)[1].rstrip("/")
    return LakeStorage("s3://" + base, pafs.S3FileSystem(**fs_args), base, options)


@lru_cache(maxsize=32)
def _cached(uri: str, _env_key: tuple[str | None, ...]) -> LakeStorage:
    if is_object_store(uri):
        return _s3(uri)
    if "://" in uri and not uri.startswith("file://"):
        raise UnsupportedLakeUri(
            f"the lake root {uri.split('://', 1)[0]}://… is not supported: use a path"
            " (local or mounted) or s3://bucket/prefix"
        )
    path = os.path.abspath(uri.removeprefix("file://"))
    return LakeStorage(path, pafs.LocalFileSystem(), path)


def storage_for(lake: str) -> LakeStorage:
    """The storage of the lake rooted at `lake` (a path, ``file://``, or ``s3://``)."""
    keys = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_REGION")
    return _cached(str(lake), tuple(os.environ.get(k) for k in keys))
