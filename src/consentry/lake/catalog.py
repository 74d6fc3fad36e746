"""Which table format the lake uses, and the check that a lake is in one format only.

Everything else (``lake export``, the Spark job) talks to
:class:`~consentry.lake.port.TableFormat`; :func:`open_table` is the one place that picks
the adapter: Delta Lake (:class:`~consentry.lake.delta.DeltaTableFormat`).
"""

from __future__ import annotations

from consentry.domain.errors import Conflict
from consentry.lake import schema as ls
from consentry.lake.delta import LOG_DIR, DeltaTableFormat
from consentry.lake.storage import storage_for

POINTER_MARKERS = ("_log", "_CURRENT")


class LakeFormatError(Conflict):
    """The lake is not (only) in the Delta format this version reads."""

    code = "lake_format"


class LakeNeedsMigration(LakeFormatError):
    """Every table of the lake is in the old pointer format: run ``consentry lake migrate``."""

    code = "lake_needs_migration"


class MixedLake(LakeFormatError):
    """Some tables are Delta and some in the pointer format (or one table holds both)."""

    code = "lake_mixed_formats"


def open_table(lake: str, name: str, *, retention: int | None = None) -> DeltaTableFormat:
    """The table `name` of the lake rooted at `lake` (`retention` in hours, default: setting)."""
    return DeltaTableFormat(lake, name, ls.BY_NAME[name].schema, retention=retention)


def table_formats(lake: str) -> dict[str, str]:
    """The format of each table directory present: ``delta``, ``pointer`` or ``both``."""
    out = {}
    store = storage_for(lake)
    for table in ls.TABLES:
        root = store.path(table.name)
        delta = store.is_dir(f"{root}/{LOG_DIR}")
        pointer = any(store.exists(f"{root}/{m}") for m in POINTER_MARKERS)
        if delta or pointer:
            out[table.name] = "both" if delta and pointer else "delta" if delta else "pointer"
    return out


def check_lake(lake: str) -> None:
    """Refuse a lake this version cannot read safely: pointer-format or mixed tables.

    Raises :class:`LakeNeedsMigration` when every table present is in the pointer format,
    and :class:`MixedLake` when the formats are mixed (a migration interrupted, or an
    old ``lake export`` run against a migrated lake).
    """
    formats = table_formats(lake)
    kinds = set(formats.values())
    if kinds <= {"delta"}:
        return
    if kinds == {"pointer"}:
        raise LakeNeedsMigration(
            f"the lake at {lake} is in the old pointer format; convert it once with"
            f" `consentry lake migrate --lake {lake}`"
        )
    detail = ", ".join(f"{name}: {kind}" for name, kind in sorted(formats.items()))
    raise MixedLake(
        f"the lake at {lake} mixes table formats ({detail}); finish the conversion with"
        f" `consentry lake migrate --lake {lake}` before reading or writing it"
    )
