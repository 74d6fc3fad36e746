"""The pointer-committed lake table: atomic versions, conflicts, roll-forward, vacuum.

No Spark needed: these pin the table-format port the Spark job relies on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from consentry.lake import schema as ls
from consentry.lake.hive import PointerTable
from consentry.lake.port import CommitConflict, DataFile


def write(table: PointerTable, bucket: int, values: list[int]) -> DataFile:
    rel, path = table.new_file(bucket)
    pq.write_table(pa.table({"v": values}), path)
    return DataFile(rel, bucket, len(values))


def test_a_reader_sees_exactly_the_files_of_one_version(tmp_path: Path) -> None:
    t = PointerTable(tmp_path, "t")
    assert t.snapshot().version == 0
    a = write(t, 0, [1, 2])
    v1 = t.commit(expected_version=0, add=[a], remove=[], state={"wm": 1})
    b = write(t, 0, [1])  # the rewrite of bucket 0 without row 2, written beside
    assert t.snapshot().files == (a,)  # not visible before its commit
    v2 = t.commit(expected_version=1, add=[b], remove=[a])
    assert (v1.version, v2.version) == (1, 2)
    assert t.snapshot().files == (b,)
    assert t.snapshot().state == {"wm": 1}  # state carries over unless replaced


def test_a_second_writer_of_the_same_version_conflicts(tmp_path: Path) -> None:
    t = PointerTable(tmp_path, "t")
    t.commit(expected_version=0, add=[write(t, 1, [1])], remove=[])
    with pytest.raises(CommitConflict):
        t.commit(expected_version=0, add=[write(t, 1, [2])], remove=[])
    assert t.snapshot().version == 1


def test_a_crash_between_log_entry_and_pointer_rolls_forward(tmp_path: Path) -> None:
    t = PointerTable(tmp_path, "t")
    t.commit(expected_version=0, add=[write(t, 0, [1])], remove=[])
    t.commit(expected_version=1, add=[write(t, 0, [2])], remove=[])
    (t.root / "_CURRENT").write_text("1")  # as if the pointer rename never happened
    assert t.snapshot().version == 2


def test_vacuum_deletes_every_removed_file_and_nothing_live(tmp_path: Path) -> None:
    t = PointerTable(tmp_path, "t")
    a = write(t, 0, [1, 2])
    t.commit(expected_version=0, add=[a], remove=[])
    b = write(t, 0, [1])
    t.commit(expected_version=1, add=[b], remove=[a])
    assert os.path.exists(t.uri(a))
    assert t.vacuum() == [a.path]
    assert not os.path.exists(t.uri(a)) and os.path.exists(t.uri(b))
    assert t.vacuum() == []  # idempotent


def test_bucket_function_is_crc32_mod_n() -> None:
    import zlib

    assert ls.bucket_of("ses_abc", 16) == zlib.crc32(b"ses_abc") % 16


def test_lake_export_cli_writes_every_table(tmp_path: Path, sqlite_url: str) -> None:
    from consentry.lake.cli import app

    lake = tmp_path / "lake"
    result = CliRunner().invoke(app, ["--lake", str(lake), "--database-url", sqlite_url])
    assert result.exit_code == 0, result.output
    for table in ls.TABLES:
        assert PointerTable(lake, table.name).snapshot().version == 1
