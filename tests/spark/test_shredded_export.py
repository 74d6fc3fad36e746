"""Issue 26 item 3: `spark export` over a crypto-shredded lake opens it with keys handed
to the job for its lifetime only, and writes what the embedded export writes (R24, R25).

With shredding on, the lake holds ciphertext. `consentry spark export` opens the vault
from the settings, reads the run's data keys in batches and hands them to the executors
sealed under a job key (spark/decrypt.py). The manifest equals the embedded export's
(`consentry runs export` with shredding on), apart from each shard's sha256, which covers
the shard as stored, sealed under the run's key with a fresh nonce (export/sealed.py);
the shards opened with the run's key are byte for byte the embedded ones. A row whose
key a purge destroyed is never exported: the job stops with `spark_key_missing`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from consentry.adapters.crypto.places import KeyPlaces
from consentry.entrypoints.cli import app as cli
from consentry.export.manifest import read_manifest, verify_export
from consentry.export.sealed import open_shard
from consentry.lake.export import LakeExporter
from consentry.service import retention, runs, sessions
from consentry.service.keys import run_scope
from consentry.service.training_export import export_run as embedded_export
from tests.integration.service.conftest import World
from tests.shredding import shredding, world  # noqa: F401 (fixtures)

runner = CliRunner()
PII = ("jane.doe@example.com", "+1 415 555 0100")


def _populate(w: World) -> list[str]:
    """Sessions with texts (some with PII), assistant replies and commented feedback."""
    kept = []
    for i in range(5):
        uid = w.user(training="on")
        sid = w.chat(uid, f"question {i}: write to {PII[0]} or call {PII[1]}")
        mid = w.say(uid, sid, f"answer {i} with ünïcode", role="assistant")
        w.say(uid, sid, f"follow-up {i}")
        sessions.give_feedback(
            w.ctx,
            account_id=uid,
            session_id=sid,
            message_id=mid,
            rating="up",
            comment=f"great answer, mail {PII[0]}",
        )
        kept.append(sid)
    w.advance(days=1)
    return kept


def _as_legacy(w: World, session_id: str) -> None:
    """Make a session what the code before the key pool wrote (issue 26): ``key_id`` NULL
    and its messages sealed under ``session:<id>``, with the vault as the service's."""
    from sqlalchemy import text as sql

    from consentry.adapters.crypto.content import open_text, row_context, seal_text

    vault = KeyPlaces.from_settings(w.app.settings).open_vault()
    try:
        with w.app.engine.begin() as conn:
            key_id = conn.execute(
                sql("SELECT key_id FROM sessions WHERE id = :s"), {"s": session_id}
            ).scalar_one()
            pooled = vault.data_key(f"pool:{key_id}", create=False)
            own = vault.data_key(f"session:{session_id}", create=True)
            assert pooled is not None and own is not None
            rows = conn.execute(
                sql("SELECT id, content FROM messages WHERE session_id = :s"), {"s": session_id}
            ).all()
            for mid, stored in rows:
                context = row_context("messages", mid, session_id)
                plain = open_text(pooled, stored, context=context)
                conn.execute(
                    sql("UPDATE messages SET content = :c WHERE id = :i"),
                    {"c": seal_text(own, plain, context=context), "i": mid},
                )
            conn.execute(sql("UPDATE sessions SET key_id = NULL WHERE id = :s"), {"s": session_id})
        vault.destroy([f"pool:{key_id}"])
    finally:
        vault.engine.dispose()


def _spark_export(lake: str, run_id: str, out: Path) -> Any:
    args = ["spark", "export", "--lake", lake, "--run-id", run_id, "--out", str(out)]
    return runner.invoke(
        cli, [*args, "--shard-rows", "4", "--batch-rows", "3", "--master", "local[2]"]
    )


def _opened(directory: Path, manifest: dict[str, Any], key: bytes) -> dict[str, bytes]:
    run_id = str(manifest["run_id"])
    return {
        s["path"]: open_shard(key, run_id, s["path"], (directory / s["path"]).read_bytes())
        for s in manifest["shards"]
    }


def test_spark_export_of_an_encrypted_lake_equals_the_embedded_export_R24_R25_issue26(
    spark: Any, world: World, tmp_path: Path
) -> None:
    """Pooled sessions (key scope from the lake's ``sessions.key_id``) and one legacy
    session (``session:<id>``) side by side: both exports open both."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from consentry.spark.runs import create_run

    kept = _populate(world)
    _as_legacy(world, kept[1])  # one session from before the key pool (key_id NULL)
    lake = str(tmp_path / "lake")
    LakeExporter(world.app.engine, lake).export(now=world.clock.now())
    embedded = runs.create_run(world.ctx, purpose="model_training")
    create_run(  # run-create reads no text: it needs no keys over a sealed lake
        spark,
        lake=lake,
        purpose="model_training",
        cutoff=embedded.cutoff,
        policy=world.ctx.policy,
        run_id=embedded.id,
        secret=embedded.pseudonym_secret,
    )
    a, b = tmp_path / "embedded", tmp_path / "spark"
    embedded_export(world.ctx, run_id=embedded.id, out_dir=str(a), shard_rows=4, batch_rows=3)
    done = _spark_export(lake, embedded.id, b)
    assert done.exit_code == 0, done.output
    da, db = a / embedded.id, b / embedded.id
    assert verify_export(db) == []
    ma, mb = read_manifest(da), read_manifest(db)
    assert (
        mb["encryption"]
        == ma["encryption"]
        == {
            "scheme": "aes-256-gcm/v1",
            "key": run_scope(embedded.id),
            "sha256_covers": "the stored (encrypted) file",
        }
    )
    strip = [{k: v for k, v in s.items() if k != "sha256"} for s in mb["shards"]]
    assert strip == [{k: v for k, v in s.items() if k != "sha256"} for s in ma["shards"]]
    assert {k: v for k, v in ma.items() if k != "shards"} == {
        k: v for k, v in mb.items() if k != "shards"
    }
    vault = KeyPlaces.from_settings(world.app.settings).open_vault()
    try:
        key = vault.data_key(run_scope(embedded.id), create=False)
    finally:
        vault.engine.dispose()
    assert key is not None
    plain_a, plain_b = _opened(da, ma, key), _opened(db, mb, key)
    assert plain_a == plain_b  # byte for byte, once opened
    texts = [
        str(v)
        for data in plain_b.values()
        for row in pq.read_table(pa.BufferReader(data)).to_pylist()
        for k, v in row.items()
        if k in ("text", "comment")
    ]
    assert len(texts) == 20 and any("question 3" in t for t in texts)
    joined = " ".join(texts)
    assert "enc:v1:" not in joined and PII[0] not in joined and PII[1] not in joined
    for stored in db.iterdir():  # nothing in clear on disk: shards are sealed
        assert b"question" not in stored.read_bytes() and b"PAR1" not in stored.read_bytes()[:4]


def test_a_row_whose_key_was_destroyed_stops_the_export_R17_issue26(
    spark: Any, world: World, tmp_path: Path
) -> None:
    from consentry.spark.runs import create_run

    kept = _populate(world)
    lake = str(tmp_path / "lake")
    LakeExporter(world.app.engine, lake).export(now=world.clock.now())
    embedded = runs.create_run(world.ctx, purpose="model_training")
    create_run(
        spark,
        lake=lake,
        purpose="model_training",
        cutoff=embedded.cutoff,
        policy=world.ctx.policy,
        run_id=embedded.id,
        secret=embedded.pseudonym_secret,
    )
    with world.ctx.uow() as uow:
        record = uow.store.get_session(kept[0])
    assert record is not None
    sessions.delete_session(world.ctx, account_id=record.account_id, session_id=kept[0])
    world.clock.set(world.clock.now() + timedelta(days=31))
    retention.sweep_expired(world.ctx)  # destroys the session's key; the lake is stale
    done = _spark_export(lake, embedded.id, tmp_path / "out")
    assert done.exit_code == 2, done.output
    # named by session and by the pool key it claimed (issue 26's key pool)
    assert "spark_key_missing" in done.output and f"session {kept[0]} (pool:" in done.output
    assert not list((tmp_path / "out").rglob("*.parquet"))
    LakeExporter(world.app.engine, lake).export(now=world.clock.now())  # carries the purge
    again = _spark_export(lake, embedded.id, tmp_path / "out2")
    assert again.exit_code == 0, again.output
    manifest = read_manifest(tmp_path / "out2" / embedded.id)
    assert manifest["unavailable"]["sessions"] == 1  # the purged session, as embedded (R25)
    assert manifest["counts"]["sessions"] == len(kept)


def test_keys_reach_executors_sealed_and_only_for_the_job_issue26(spark: Any) -> None:
    """The broadcast holds the keys sealed under the job key (its driver file has no key
    bytes), executors open them, and leaving the block destroys it (file gone)."""
    from consentry.spark.decrypt import handed_out

    key = bytes(range(32))
    keys = {"session:s1": key, "run:r1": bytes(32)}
    with handed_out(spark, keys) as job:
        stored = Path(job.handle._path)
        assert key not in stored.read_bytes() and b"session:s1" not in stored.read_bytes()
        opened = spark.sparkContext.parallelize([0], 1).map(lambda _: job.open()).collect()
        assert opened == [keys]
    assert not stored.exists()
