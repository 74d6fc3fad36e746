"""The lake's table format (issue 25): Delta Lake through delta-rs, and the old pointer
format that ``consentry lake migrate`` converts from.

No Spark needed: these pin the table-format port the Spark job relies on, that a second
engine (Polars, and pyarrow over the files the Delta log lists) reads the same rows,
that purges leave no file behind in any retained version, and the migration.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from consentry.lake import schema as ls
from consentry.lake.catalog import LakeNeedsMigration, MixedLake, check_lake, open_table
from consentry.lake.delta import DeltaTableFormat
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


def test_lake_export_cli_writes_every_table_as_delta(tmp_path: Path, sqlite_url: str) -> None:
    from deltalake import DeltaTable

    from consentry.entrypoints.cli_lake import app

    lake = tmp_path / "lake"
    args = ["export", "--lake", str(lake), "--database-url", sqlite_url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    for table in ls.TABLES:
        assert DeltaTable.is_deltatable(str(lake / table.name)), table.name
        assert open_table(str(lake), table.name).snapshot().version == 1


# -- Delta Lake (issue 25) -------------------------------------------------------------

MSG = ls.MESSAGES.schema


def messages(ids: list[str], bucket: int, text: str = "hello") -> pa.Table:
    n = len(ids)
    return pa.table(
        {
            "id": ids,
            "session_id": [f"ses_{i}" for i in ids],
            "role": ["user"] * n,
            "content": [f"{text} {i}" for i in ids],
            "at": pa.array([datetime(2026, 1, 1, tzinfo=UTC)] * n, ls.TS),
            "covered": [True] * n,
            "author": ["account"] * n,
            "bucket": pa.array([bucket] * n, pa.int32()),
        },
        schema=MSG,
    )


def put(table: DeltaTableFormat, data: pa.Table, bucket: int) -> DataFile:
    rel, path = table.new_file(bucket)
    pq.write_table(data, path)
    return DataFile(rel, bucket, data.num_rows)


def test_delta_commits_are_versions_a_second_engine_reads_issue25_item4(tmp_path: Path) -> None:
    import polars as pl
    from deltalake import DeltaTable

    t = open_table(str(tmp_path), "messages")
    a = put(t, messages(["m1", "m2"], 1), 1)
    assert t.snapshot().version == 0 and not t.exists()  # written, not committed: invisible
    v1 = t.commit(expected_version=0, add=[a], remove=[], state={"wm": 1}, note="first")
    b = put(t, messages(["m3"], 2), 2)
    v2 = t.commit(expected_version=v1.version, add=[b], remove=[])
    assert (v1.version, v2.version) == (1, 2)
    assert v2.state == {"wm": 1}  # state carries over unless replaced
    ours = pq.read_table(t.uris(t.snapshot()), partitioning=None).sort_by("id")
    # Polars reads the Delta log itself (through delta-rs), current and time-travelled.
    theirs = pl.read_delta(str(t.root)).sort("id").to_arrow()
    assert theirs.to_pylist() == ours.to_pylist()
    assert pl.read_delta(str(t.root), version=1)["id"].sort().to_list() == ["m1", "m2"]
    # pyarrow over the files the Delta log lists, as Spark is handed them.
    listed = DeltaTable(str(t.root)).file_uris()
    assert pq.read_table(listed, partitioning=None).sort_by("id").to_pylist() == ours.to_pylist()
    assert [f.bucket for f in t.snapshot().files] == [1, 2]


def test_a_lake_made_before_messages_had_an_author_gains_the_column_issue17(
    tmp_path: Path,
) -> None:
    """The messages table of an existing lake lacks ``author``: the next commit adds it
    to the Delta schema (a second engine sees it), and older files read it as null."""
    from deltalake import DeltaTable

    old_schema = pa.schema([f for f in MSG if f.name != "author"])
    before = DeltaTableFormat(str(tmp_path), "messages", old_schema)
    old_rows = messages(["m1"], 0).drop_columns(["author"])
    v1 = before.commit(expected_version=0, add=[put(before, old_rows, 0)], remove=[])
    assert "author" not in {f.name for f in DeltaTable(str(before.root)).schema().fields}
    now = open_table(str(tmp_path), "messages")
    v2 = now.commit(expected_version=v1.version, add=[put(now, messages(["m2"], 0), 0)], remove=[])
    assert "author" in {f.name for f in DeltaTable(str(now.root)).schema().fields}
    rows = pq.read_table(now.uris(v2), schema=MSG, partitioning=None).sort_by("id").to_pylist()
    assert [(r["id"], r["author"]) for r in rows] == [("m1", None), ("m2", "account")]


def test_a_second_writer_of_the_same_version_conflicts_delta(tmp_path: Path) -> None:
    t = open_table(str(tmp_path), "messages")
    a = put(t, messages(["m1"], 0), 0)
    t.commit(expected_version=0, add=[a], remove=[])
    with pytest.raises(CommitConflict):
        t.commit(expected_version=0, add=[put(t, messages(["m2"], 0), 0)], remove=[])
    with pytest.raises(CommitConflict):  # a file that is not (or no longer) in the table
        t.commit(expected_version=1, add=[], remove=[DataFile("bucket-000/x.parquet", 0, 1)])
    assert t.snapshot().version == 1


def test_delta_log_holds_no_content_statistics(tmp_path: Path) -> None:
    """Delta's min/max statistics would copy message text into the log, out of a purge's reach."""
    t = open_table(str(tmp_path), "messages")
    t.commit(expected_version=0, add=[put(t, messages(["m1"], 0, "jane.doe@x.org"), 0)], remove=[])
    log = "\n".join(p.read_text() for p in (t.root / "_delta_log").glob("*.json"))
    assert "jane.doe" not in log
    adds = [json.loads(x)["add"] for x in log.splitlines() if x.startswith('{"add"')]
    assert [json.loads(a["stats"]) for a in adds] == [{"numRecords": 1}]


def test_purge_commit_deletes_removed_files_and_old_versions_issue25_item2(
    tmp_path: Path,
) -> None:
    t = open_table(str(tmp_path), "messages", retention=10_000)
    a = put(t, messages(["m1", "m2"], 0, "secret"), 0)
    t.commit(expected_version=0, add=[a], remove=[])
    b = put(t, messages(["m2"], 0), 0)  # bucket 0 without the purged m1
    t.commit(expected_version=1, add=[b], remove=[a], purge=True, note="purge m1")
    # Whatever the retention, the purged file is gone: version 1 can no longer be read.
    assert not Path(t.uri(a)).exists()
    assert not t.readable(1) and t.readable(2)
    assert t.leftovers() == []
    rows = pq.read_table(t.retained_files(), partitioning=None)
    assert "m1" not in rows.column("id").to_pylist()
    assert [v["purge"] for v in t.versions()][-1] is True


def test_purge_also_deletes_older_versions_files_of_its_buckets_issue25_item2(
    tmp_path: Path,
) -> None:
    """Found by verify_absent on the Spark sweep: a row purged today may still sit in a
    file that an ordinary rewrite replaced yesterday and the retention keeps."""
    t = open_table(str(tmp_path), "messages", retention=10_000)
    f1 = put(t, messages(["m1"], 0, "secret"), 0)
    other = put(t, messages(["m9"], 1), 1)
    t.commit(expected_version=0, add=[f1, other], remove=[])
    f2 = put(t, messages(["m1", "m2"], 0, "secret"), 0)  # an ordinary rewrite of bucket 0
    other2 = put(t, messages(["m9", "m8"], 1), 1)  # and of bucket 1
    t.commit(expected_version=1, add=[f2, other2], remove=[f1, other])
    assert Path(t.uri(f1)).exists() and t.readable(1)  # kept for time travel
    f3 = put(t, messages(["m2"], 0), 0)
    t.commit(expected_version=2, add=[f3], remove=[f2], purge=True)  # purge m1
    assert not Path(t.uri(f1)).exists() and not Path(t.uri(f2)).exists()
    assert Path(t.uri(other)).exists()  # bucket 1 purged nothing: its old file stays
    assert t.leftovers() == []
    rows = pq.read_table(t.retained_files(), partitioning=None).column("id").to_pylist()
    assert "m1" not in rows
    # leftovers() would have caught it: put the old file back as if never deleted.
    pq.write_table(messages(["m1"], 0, "secret"), t.uri(f1))
    assert t.leftovers() == [f1.path]


def test_retention_keeps_old_versions_of_ordinary_rewrites_then_vacuums(tmp_path: Path) -> None:
    kept = open_table(str(tmp_path), "sessions", retention=10_000)
    schema = ls.SESSIONS.schema
    first = pa.table({"id": ["s1"], "bucket": pa.array([0], pa.int32())}).select(["id", "bucket"])
    full = pa.table(
        {f.name: pa.nulls(1, f.type) for f in schema}
        | {"id": first.column("id"), "bucket": first.column("bucket")},
        schema=schema,
    )
    a = put(kept, full, 0)
    kept.commit(expected_version=0, add=[a], remove=[])
    b = put(kept, full, 0)
    kept.commit(expected_version=1, add=[b], remove=[a])
    assert kept.vacuum() == []  # within the retention: version 1 stays readable
    assert kept.readable(1) and len(kept.retained_files()) == 2
    now = open_table(str(tmp_path), "sessions", retention=0)
    assert now.vacuum() == [a.path]
    assert not now.readable(1) and now.readable(now.snapshot().version)


def test_retention_setting_has_a_safe_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from consentry.lake import delta

    monkeypatch.delenv(delta.RETENTION_ENV, raising=False)
    assert delta.retention_hours() == 168
    monkeypatch.setenv(delta.RETENTION_ENV, "0")
    assert delta.retention_hours() == 0
    monkeypatch.setenv(delta.RETENTION_ENV, "-1")
    with pytest.raises(ValueError):
        delta.retention_hours()


def pointer_lake(lake: Path) -> None:
    """A lake in the old format: two tables, one with a purge not yet vacuumed."""
    for name in ("messages", "tombstones"):
        t = PointerTable(lake, name)
        schema = ls.BY_NAME[name].schema
        rel, path = t.new_file(2)
        data = messages(["m1", "m2"], 2) if name == "messages" else schema.empty_table()
        pq.write_table(data, path)
        t.commit(expected_version=0, add=[DataFile(rel, 2, data.num_rows)], remove=[])
        if name == "messages":
            rel2, path2 = t.new_file(2)
            pq.write_table(messages(["m2"], 2), path2)
            t.commit(
                expected_version=1,
                add=[DataFile(rel2, 2, 1)],
                remove=[DataFile(rel, 2, 2)],
                state={"wm_at": "2026-01-01T00:00:00Z"},
            )


def test_migrate_converts_a_pointer_lake_in_one_command_issue25_item5(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polars as pl

    from consentry.entrypoints.cli_lake import app

    monkeypatch.setenv("CONSENTRY_SECRET_KEY", "k" * 40)
    lake = tmp_path / "lake"
    pointer_lake(lake)
    run = lake / "_runs" / "run_old"
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"id": "run_old", "pseudonym_secret": "ab" * 32}))
    with pytest.raises(LakeNeedsMigration):
        check_lake(str(lake))
    result = CliRunner().invoke(app, ["migrate", "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    check_lake(str(lake))  # a Delta lake now
    t = open_table(str(lake), "messages")
    assert t.snapshot().state == {"wm_at": "2026-01-01T00:00:00Z"}
    assert pl.read_delta(str(t.root))["id"].to_list() == ["m2"]
    # The file the old format's purge removed is not carried over into any version.
    assert len(t.retained_files()) == 1 and not (t.root / "_log").exists()
    sealed = json.loads((run / "run.json").read_text())
    assert "pseudonym_secret" not in sealed and "ab" * 32 not in (run / "run.json").read_text()
    again = CliRunner().invoke(app, ["migrate", "--lake", str(lake)])  # idempotent
    assert again.exit_code == 0, again.output
    assert open_table(str(lake), "messages").snapshot().version == 1


def test_a_mixed_lake_is_refused_with_a_clear_error_issue25_item5(
    tmp_path: Path, sqlite_url: str
) -> None:
    from consentry.entrypoints.cli_lake import app

    lake = tmp_path / "lake"
    pointer_lake(lake)
    t = open_table(str(lake), "sessions")
    t.commit(expected_version=0, add=[], remove=[])  # one table already Delta
    with pytest.raises(MixedLake, match="consentry lake migrate"):
        check_lake(str(lake))
    args = ["export", "--lake", str(lake), "--database-url", sqlite_url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "lake_mixed_formats" in result.output and "lake migrate" in result.output
    from consentry.spark.job import main

    assert main(["sweep", "--lake", str(lake)]) == 2  # refused before Spark starts


def test_run_secret_is_sealed_not_in_clear_issue25_item6() -> None:
    from cryptography.exceptions import InvalidTag

    from consentry.spark.runs import open_secret, seal_secret

    key, other = b"k" * 32, b"o" * 32
    sealed = seal_secret("ab" * 32, "run_1", key)
    assert "ab" * 32 not in sealed
    assert open_secret(sealed, "run_1", key) == "ab" * 32
    with pytest.raises(InvalidTag):
        open_secret(sealed, "run_1", other)
    with pytest.raises(InvalidTag):  # bound to its run: not copied onto another
        open_secret(sealed, "run_2", key)


def test_run_json_opens_only_with_the_key_that_sealed_it_issue25_item6(tmp_path: Path) -> None:
    from consentry.spark.runs import RunSecretUnreadable, SparkRun, read_run, write_run

    run = SparkRun(
        id="run_1",
        purpose="model_training",
        cutoff="2026-01-01T00:00:00Z",
        policy_digest="d",
        resume_scope="whole_session",
        ledger_head="h",
        ledger_events=1,
        sessions=1,
        messages=1,
        feedback=0,
        pseudonym_secret="ab" * 32,
        versions={"sessions": 3},
    )
    write_run(str(tmp_path), run, key=b"k" * 32)
    text = (tmp_path / "_runs" / "run_1" / "run.json").read_text()
    assert "ab" * 32 not in text and json.loads(text)["versions"] == {"sessions": 3}
    assert read_run(str(tmp_path), "run_1", key=b"k" * 32) == run
    with pytest.raises(RunSecretUnreadable, match="CONSENTRY_SECRET_KEY"):
        read_run(str(tmp_path), "run_1", key=b"o" * 32)
