"""What this install of consentry is: version, Python, database, filter scan, extras, policy.

``consentry info`` prints it, ``consentry serve`` logs it at start, and a run's
``manifest.json`` records the filter part (:func:`filter_profile`), so that nobody has to
guess whether the compiled scan ran or an extra is missing.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import platform
import sys
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

import consentry
from consentry.config.settings import crypto_shredding_on
from consentry.extras import EXTRAS
from consentry.extras import status as extra_status
from consentry.redaction import Redactor, native


@dataclass(frozen=True)
class FilterScan:
    """Which scan the default filter runs (``compiled`` or ``python``) and why."""

    scan: str
    reason: str


def filter_scan() -> FilterScan:
    """The scan a default :class:`Redactor` runs here, with the reason in words."""
    active, reason = native.status()
    return FilterScan("compiled" if active else "python", reason)


def filter_profile(redactor: Redactor) -> dict[str, Any]:
    """The filter as a run's manifest records it: the scan that ran and the stages."""
    return {"scan": "compiled" if redactor.compiled else "python", "stages": list(redactor.stages)}


def mask_url(url: str) -> str:
    """A database URL with its password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def version() -> str:
    try:
        return importlib.metadata.version("consentry")
    except importlib.metadata.PackageNotFoundError:  # running from a source tree
        return consentry.__version__


def collect(*, database_url: str, policy_digest: str) -> dict[str, Any]:
    """Everything ``consentry info --json`` prints."""
    scan = filter_scan()
    return {
        "version": version(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "executable": sys.executable,
        "database_url": mask_url(database_url),
        "filter": {"scan": scan.scan, "reason": scan.reason},
        "extras": {
            name: {"installed": s.installed, "missing": list(s.missing)}
            for name, s in ((n, extra_status(n)) for n in EXTRAS)
        },
        "policy_digest": policy_digest,
        "crypto_shredding": shredding_state(),
    }


def shredding_state() -> dict[str, Any]:
    """Issue 26: whether purges reach copies consentry cannot rewrite (backups, replicas)."""
    if crypto_shredding_on():
        return {"on": True, "note": "purges destroy data keys: old backups cannot be read"}
    return {
        "on": False,
        "note": "purged content stays readable in database backups and replicas until they "
        "expire; CONSENTRY_CRYPTO_SHREDDING=1 (docs/retention.md)",
    }
