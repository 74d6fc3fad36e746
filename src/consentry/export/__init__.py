"""Training-run export (R24, R25): pseudonymised, filtered shards plus a manifest.

The pieces, each behind a narrow seam so they can be tested alone:

* :mod:`.pseudonyms` — keyed pseudonyms (HMAC-SHA256 with the run's secret);
* :mod:`.formats` — the Arrow schemas and the Parquet / JSON Lines shard encoders;
* :mod:`.sink` — the :class:`ExportSink` port: where files go and how they become
  durable (temporary name, fsync, rename), with a directory adapter and an
  in-memory fake;
* :mod:`.manifest` — canonical ``manifest.json`` and :func:`verify_export`.

The use case that drives them is :func:`consentry.service.training_export.export_run`.
The file format is specified in docs/export.md.
"""

from .formats import FEEDBACK_SCHEMA, FORMATS, MESSAGE_SCHEMA, ShardEncoder, encoder_for
from .manifest import MANIFEST_NAME, canonical_json, read_manifest, verify_export
from .pseudonyms import Pseudonymizer
from .sink import DirectorySink, ExportSink, MemorySink, StoredFile

__all__ = [
    "FEEDBACK_SCHEMA",
    "FORMATS",
    "MANIFEST_NAME",
    "MESSAGE_SCHEMA",
    "DirectorySink",
    "ExportSink",
    "MemorySink",
    "Pseudonymizer",
    "ShardEncoder",
    "StoredFile",
    "canonical_json",
    "encoder_for",
    "read_manifest",
    "verify_export",
]
