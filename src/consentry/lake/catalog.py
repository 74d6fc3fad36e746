"""Which table-format adapter the lake uses: the one place a Delta or Iceberg adapter plugs in.

Everything else (``lake export``, the Spark job) talks to :class:`~consentry.lake.port.TableFormat`.
"""

from __future__ import annotations

from consentry.lake.hive import PointerTable
from consentry.lake.port import TableFormat


def open_table(lake: str, name: str) -> TableFormat:
    """The table `name` of the lake rooted at `lake`."""
    return PointerTable(lake, name)
